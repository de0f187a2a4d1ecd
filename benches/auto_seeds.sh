#!/usr/bin/env bash
# How `auto`'s stopping point, time and quality vary with --seed (k = 50, WC-IC, one thread):
# every seed set scored by `evaluate` (10,000 runs, seed 1) against the best spread published
# for the graph. Usage (from the repository root, after cargo build --release):
#   bash benches/auto_seeds.sh > out.tsv   (SEEDS="1 2 3" to choose the seeds, K=10 for k)
set -euo pipefail
B=${B:-target/release/seedplan}
D=../shared/datasets
SEEDS=${SEEDS:-1 2 3 4 5 6 7 8}
K=${K:-50}
printf "graph\tseed\trr_sets\talgorithm_s\treach\tpct_of_best\n"
for spec in nethept/graph.txt:967 wiki-vote/wiki-Vote.txt:673 soc-slashdot0902/soc-Slashdot0902.txt.gz:17753; do
  g=${spec%%:*}; best=${spec##*:}
  "$B" convert --graph "$D/$g" -o /tmp/auto_seeds.spg -q
  for s in $SEEDS; do
    "$B" plan --graph /tmp/auto_seeds.spg -k "$K" --threads 1 --seed "$s" --format json -q \
      -o /tmp/auto_seeds.json
    reach=$("$B" evaluate --graph /tmp/auto_seeds.spg --seeds /tmp/auto_seeds.json --runs 10000 \
      --seed 1 --format json -q | python3 -c "import json,sys; print(json.load(sys.stdin)['expected_reach'])")
    python3 - "$g" "$s" "$reach" "$best" <<'PY'
import json, sys
g, s, reach, best = sys.argv[1:]
p = json.load(open("/tmp/auto_seeds.json"))
print("\t".join([g.split("/")[0], s, str(p["rr_sets"]), f"{p['timings']['algorithm_seconds']:.4f}",
                 f"{float(reach):.1f}", f"{100 * float(reach) / float(best):.2f}"]))
PY
  done
done
