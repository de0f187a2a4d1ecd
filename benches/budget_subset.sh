#!/usr/bin/env bash
# Budgeted plans whose cost table prices only part of the graph, planned by two builds: the RR
# sets of a budgeted plan keep only the accounts it could buy (priced, allowed, within the
# budget). Prints, per build and case, wall time, peak RSS, RR sets, ids stored, the plan's reach,
# spend and certificate, and a checksum of its seed list (the same plan gives the same one).
# Usage (from the repository root, ../shared beside it, python3 on the PATH):
#   bash benches/budget_subset.sh OLD_BINARY NEW_BINARY
set -euo pipefail
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
NEW=$2
SLASH=../shared/datasets/soc-slashdot0902/soc-Slashdot0902.txt.gz
NET=../shared/datasets/nethept/graph.txt
"$NEW" convert --graph "$SLASH" -o "$W/slash.spg" -q
"$NEW" convert --graph "$NET" -o "$W/net.spg" -q
# Every account priced by its own reach (`generate --price-graph`), then subsets of the table.
"$NEW" generate --price-graph "$W/slash.spg" -o "$W/slash" -q
"$NEW" generate --price-graph "$W/net.spg" -o "$W/net" -q
python3 - "$W" <<'PY'
import csv, random, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/slash/costs.csv")))
def write(name, part):
    out = csv.DictWriter(open(f"{w}/{name}", "w", newline=""), fieldnames=rows[0].keys())
    out.writeheader()
    out.writerows(part)
shuffled = rows[:]
random.Random(5).shuffle(shuffled)
write("random8k.csv", shuffled[:8000])
write("top10k.csv", sorted(rows, key=lambda r: (-int(r["followers"]), r["node"]))[:10000])
PY
printf 'build\tcase\twall_s\tpeak_MiB\trr_sets\trr_ids\treach\tspent\tcertificate\tseeds_sha1\n'
run_case() {
  local b=$1 name=$2 g=$3; shift 3
  /usr/bin/time -f "%e %M" -o "$W/time" "$b" plan --graph "$g" --seed 1 --format json -q \
    -o "$W/plan.json" "$@"
  python3 - "$W/plan.json" "$W/time" "$b" "$name" <<'PY'
import hashlib, json, sys
p = json.load(open(sys.argv[1]))
wall, rss = open(sys.argv[2]).read().split()
seeds = hashlib.sha1(" ".join(s["node"] for s in p["seeds"]).encode()).hexdigest()[:12]
print("\t".join([sys.argv[3], sys.argv[4], wall, f"{int(rss) / 1024:.0f}", str(p["rr_sets"]),
                 str(p["rr_ids"]), f"{p['expected_reach']:.1f}", str(p["spent"]),
                 f"{p['certificate']:.3f}" if p["certificate"] is not None else "-", seeds]))
PY
}
for b in "$1" "$2"; do
  run_case "$b" "slashdot random 8k, budget 20000" "$W/slash.spg" --costs "$W/random8k.csv" --budget 20000
  run_case "$b" "slashdot top 10k, budget 100000" "$W/slash.spg" --costs "$W/top10k.csv" --budget 100000
  run_case "$b" "nethept all priced, budget 60" "$W/net.spg" --costs "$W/net/costs.csv" --budget 60
done
