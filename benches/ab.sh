#!/usr/bin/env bash
# Two builds against each other, interleaved: `plan -k 50` on one graph, 1 and 2 threads, the
# builds alternating inside each repetition so a slow phase of the shared machine hits both.
# Prints the median algorithm time per build and thread count, the ratio of the medians, and the
# median peak RSS. Plans are not compared here (see the equality checks in BENCHMARKS.md).
# Usage (from the repository root): bash benches/ab.sh REPS GRAPH.spg OLD_BINARY NEW_BINARY
# (make the snapshot with `seedplan convert`; SEED and K override --seed 1 and -k 50).
set -euo pipefail
REPS=$1; G=$2; shift 2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for r in $(seq "$REPS"); do
  for t in 1 2; do
    for b in "$@"; do
      /usr/bin/time -f "%M" -o "$W/time" "$b" plan --graph "$G" -k "${K:-50}" --seed "${SEED:-1}" \
        --threads "$t" --format json -q -o "$W/plan.json"
      python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], sys.argv[3], d['timings']['algorithm_seconds'], open(sys.argv[4]).read().strip(), sep='\t')" \
        "$W/plan.json" "$t" "$b" "$W/time" >> "$W/runs.tsv"
    done
  done
done
python3 - "$W/runs.tsv" <<'PY'
import collections, statistics as st, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    t, b, a, m = line.rstrip("\n").split("\t")
    d[b].append((t, float(a), int(m)))
for b, v in d.items():
    m1 = st.median(a for t, a, _ in v if t == "1")
    m2 = st.median(a for t, a, _ in v if t == "2")
    r1 = st.median(m for t, _, m in v if t == "1") / 1024
    r2 = st.median(m for t, _, m in v if t == "2") / 1024
    print(f"{b}: 1 thread {m1*1000:.2f} ms, 2 threads {m2*1000:.2f} ms, ratio {m1/m2:.3f}, peak RSS {r1:.1f} / {r2:.1f} MiB")
PY
