#!/usr/bin/env bash
# The speed-quality knob of `auto`: k = 50, WC-IC, one thread, seeds 1-3, for several
# --tolerance values (the gain of the last doubling at which it stops; default 0.005); every seed
# set scored by `evaluate` (10,000 runs, seed 1) against the best spread published for the graph.
# Usage (from the repository root, after cargo build --release):
#   bash benches/tolerance.sh > out.tsv   (TOLS="0.005 0.02" and SEEDS="1 2" to choose)
set -euo pipefail
B=${B:-target/release/seedplan}
D=../shared/datasets
TOLS=${TOLS:-0.005 0.01 0.02 0.05}
SEEDS=${SEEDS:-1 2 3}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
printf "graph\ttolerance\tseed\trr_sets\talgorithm_s\tpeak_rss_mib\treach\tpct_of_best\n"
for spec in nethept/graph.txt:967 wiki-vote/wiki-Vote.txt:673 soc-slashdot0902/soc-Slashdot0902.txt.gz:17753; do
  g=${spec%%:*}; best=${spec##*:}
  "$B" convert --graph "$D/$g" -o "$W/g.spg" -q
  for tol in $TOLS; do
    for s in $SEEDS; do
      /usr/bin/time -f "%M" -o "$W/time" "$B" plan --graph "$W/g.spg" -k 50 --threads 1 --seed "$s" \
        --tolerance "$tol" --format json -q -o "$W/plan.json"
      reach=$("$B" evaluate --graph "$W/g.spg" --seeds "$W/plan.json" --runs 10000 --seed 1 \
        --format json -q | python3 -c "import json,sys; print(json.load(sys.stdin)['expected_reach'])")
      python3 - "$g" "$tol" "$s" "$reach" "$best" "$(cat "$W/time")" "$W/plan.json" <<'PY'
import json, sys
g, tol, s, reach, best, rss, plan = sys.argv[1:]
p = json.load(open(plan))
print("\t".join([g.split("/")[0], tol, s, str(p["rr_sets"]), f"{p['timings']['algorithm_seconds']:.4f}",
                 f"{int(rss)/1024:.1f}", f"{float(reach):.1f}", f"{100 * float(reach) / float(best):.2f}"]))
PY
    done
  done
done
