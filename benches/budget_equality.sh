#!/usr/bin/env bash
# Budgeted plans by two builds, field by field: the demo market at several budgets, with seed
# caps, must-includes and excludes, under LT and under category rules, and a pool of 60 small
# NetHEPT accounts. Prints per case SAME or DIFF (upper bound, reach, spend, status, seeds) and
# the two builds' algorithm seconds.
# Usage (from the repository root, ../shared beside it):
#   bash benches/budget_equality.sh OLD_BINARY NEW_BINARY
set -euo pipefail
OLD=$1; NEW=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cat > "$W/rules.toml" <<'TOML'
budget = 8000
max_seeds = 40
[category.fashion]
min_count = 3
max_count = 10
[category.fitness]
max_spend = 2000
TOML
# The first 60 NetHEPT accounts with one out-edge, at price 1.
{ echo "node,cost"
  awk '/^#/ {next} {out[$1]++; if (!($1 in first)) {first[$1]=NR; order[++k]=$1}}
       END {for (i=1; i<=k && c<60; i++) if (out[order[i]]==1) {print order[i]",1"; c++}}' \
    ../shared/datasets/nethept/graph.txt; } > "$W/net60.csv"
D=(--graph datasets/demo/follows.csv --edge-meaning follows --costs datasets/demo/costs.csv --seed 3)
N=(--graph ../shared/datasets/nethept/graph.txt --costs "$W/net60.csv" --seed 3)
run() {
  local name=$1; shift
  for b in "$OLD" "$NEW"; do
    "$b" plan "$@" --format json 2>/dev/null | python3 -c '
import json, sys, hashlib
d = json.load(sys.stdin)
seeds = hashlib.md5("".join(s["node"] for s in d["seeds"]).encode()).hexdigest()[:8]
print(d["upper_bound"], d["expected_reach"], d["spent"], d["status"], seeds,
      round(d["timings"]["algorithm_seconds"], 2))'
  done | paste -sd' ' | awk -v n="$name" '{
    same = ($1==$7 && $2==$8 && $3==$9 && $4==$10 && $5==$11) ? "SAME" : "DIFF"
    print n, same, "algorithm s", $6, "->", $12}'
}
run "budget 1000" "${D[@]}" --budget 1000
run "budget 5000" "${D[@]}" --budget 5000
run "budget 20000" "${D[@]}" --budget 20000
run "budget 50000" "${D[@]}" --budget 50000
run "budget 1000 -k 20" "${D[@]}" --budget 1000 -k 20
run "budget 3000 -k 25" "${D[@]}" --budget 3000 -k 25
run "budget 5000 -k 10" "${D[@]}" --budget 5000 -k 10
run "budget 20000 -k 20" "${D[@]}" --budget 20000 -k 20
run "budget 50000 -k 300" "${D[@]}" --budget 50000 -k 300
run "include/exclude" "${D[@]}" --budget 5000 --include @necilu2161,@riro2639 --exclude @yedo2428
run "budget 8000 -k 15, include/exclude" "${D[@]}" --budget 8000 -k 15 --include @necilu2161,@riro2639 --exclude @yedo2428
run "rules" "${D[@]}" --constraints "$W/rules.toml"
run "LT" "${D[@]}" --budget 5000 --model lt
run "NetHEPT 60, budget 10" "${N[@]}" --budget 10
run "NetHEPT 60, budget 1000" "${N[@]}" --budget 1000
