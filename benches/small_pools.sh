#!/usr/bin/env bash
# Cost tables of small accounts (those with one out-edge in the file, in order of first
# appearance) planned by two builds: `auto` at -k K, a budgeted plan and `curve`. Prints, per
# build and case, the wall time, peak RSS, the plan's own reach and the reach that
# `evaluate --runs 100000` gives its seeds (one shared evaluator, so the builds' plans compare).
# Usage (from the repository root, ../shared beside it):
#   bash benches/small_pools.sh OLD_BINARY NEW_BINARY
# (SKIP_SLOW=1 leaves out the old engine's slowest case, soc-Slashdot0902: about 2 minutes.)
set -euo pipefail
NEW=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
NET=../shared/datasets/nethept/graph.txt
SLASH=../shared/datasets/soc-slashdot0902/soc-Slashdot0902.txt.gz
# The first N accounts with exactly one out-edge, as a cost table at price 1.
pool() {
  local file=$1 n=$2 out=$3
  { echo "node,cost"
    (case $file in *.gz) zcat "$file";; *) cat "$file";; esac) | awk -v n="$n" '
      /^#/ {next}
      { if (!($1 in seen)) { seen[$1]=1; order[++k]=$1 } deg[$1]++ }
      END { c=0; for (i=1; i<=k && c<n; i++) if (deg[order[i]]==1) { print order[i] ",1"; c++ } }'
  } > "$out"
}
pool "$NET" 3 "$W/net3.csv"
pool "$NET" 60 "$W/net60.csv"
pool "$SLASH" 10 "$W/slash10.csv"
"$NEW" convert --graph "$NET" -o "$W/net.spg" -q
"$NEW" convert --graph "$SLASH" -o "$W/slash.spg" -q
printf 'build\tcase\twall_s\tpeak_MiB\tplan_reach\tevaluated_reach\tworlds\trr_sets\n'
run_case() {
  local b=$1 name=$2 g=$3; shift 3
  /usr/bin/time -f "%e %M" -o "$W/time" "$b" plan --graph "$g" --seed 1 --format json -q \
    -o "$W/plan.json" "$@"
  local ev
  ev=$("$NEW" evaluate --graph "$g" --seeds "$W/plan.json" --runs 100000 --format json 2>/dev/null \
    | python3 -c "import json,sys; print(round(json.load(sys.stdin)['expected_reach'], 3))")
  python3 - "$W/plan.json" "$W/time" "$b" "$name" "$ev" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
wall, rss = open(sys.argv[2]).read().split()
print(sys.argv[3], sys.argv[4], wall, round(int(rss) / 1024, 1), round(p["expected_reach"], 3),
      sys.argv[5], p.get("worlds", 0), p["rr_sets"], sep="\t")
PY
}
for b in "$@"; do
  run_case "$b" "NetHEPT 3 accounts, -k 2" "$W/net.spg" -k 2 --costs "$W/net3.csv"
  run_case "$b" "NetHEPT 60 accounts, -k 10" "$W/net.spg" -k 10 --costs "$W/net60.csv"
  run_case "$b" "NetHEPT 3 accounts, --budget 2" "$W/net.spg" --budget 2 --costs "$W/net3.csv"
  run_case "$b" "NetHEPT 60 accounts, --budget 10" "$W/net.spg" --budget 10 --costs "$W/net60.csv"
  if [ "$b" != "$1" ] || [ -z "${SKIP_SLOW:-}" ]; then
    run_case "$b" "soc-Slashdot0902 10 accounts, -k 3" "$W/slash.spg" -k 3 --costs "$W/slash10.csv"
  fi
  /usr/bin/time -f "%e %M" -o "$W/time" "$b" curve --graph "$W/net.spg" --costs "$W/net60.csv" \
    --budgets 2,4,8,16 --seed 1 -q -o "$W/curve.csv"
  printf '%s\tcurve, NetHEPT 60 accounts, 4 budgets\t%s\t%s\t\t\t\t\n' "$b" \
    "$(cut -d' ' -f1 "$W/time")" "$(awk '{printf "%.1f", $2/1024}' "$W/time")"
done
