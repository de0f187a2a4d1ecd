#!/usr/bin/env bash
# The anchor comparison of BENCHMARKS.md: the default engine, OPIM-C and IMM at k = 50 on
# NetHEPT, wiki-Vote and soc-Slashdot0902 (WC-IC), one process per run so peak memory is the
# run's own, with 1 and 2 threads; every seed set scored by `evaluate` (10,000 runs, seed 1).
# Usage (from the repository root, after cargo build --release): bash benches/anchor.sh > out.tsv
# REPS=3 repeats every run. The repetition loop is the outermost one, so a slow phase of the
# shared machine hits every configuration alike instead of all the runs of one; BENCHMARKS.md
# reports medians. A seed list already scored (same graph, same seeds) is not scored again.
set -euo pipefail
B=${B:-target/release/seedplan}
D=../shared/datasets
REPS=${REPS:-1}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
printf "graph\talgo\tthreads\trep\treach\tstd_error\talgorithm_s\testimate_s\twall_s\tpeak_rss_mib\trr_sets\tapprox\n"
graphs="nethept/graph.txt wiki-vote/wiki-Vote.txt soc-slashdot0902/soc-Slashdot0902.txt.gz"
for g in $graphs; do
  "$B" convert --graph "$D/$g" -o "$W/$(dirname "$g").spg" -q
done
for rep in $(seq "$REPS"); do
  for g in $graphs; do
    name=$(dirname "$g")
    for algo in auto opim imm; do
      for t in 1 2; do
        /usr/bin/time -f "%e %M" -o "$W/time" "$B" plan --graph "$W/$name.spg" -k 50 \
          --algo "$algo" --threads "$t" --format json -q -o "$W/plan.json"
        read -r wall rss < "$W/time"
        key="$W/eval-$name-$(python3 -c "import json,sys,hashlib; print(hashlib.sha1(' '.join(s['node'] for s in json.load(open(sys.argv[1]))['seeds']).encode()).hexdigest())" "$W/plan.json")"
        if [ ! -f "$key" ]; then
          "$B" evaluate --graph "$W/$name.spg" --seeds "$W/plan.json" --runs 10000 --format json -q > "$key"
        fi
        python3 - "$name" "$algo" "$t" "$rep" "$wall" "$rss" "$key" "$W/plan.json" <<'PY'
import json, sys
g, algo, t, rep, wall, rss, ev, plan = sys.argv[1:]
p = json.load(open(plan)); e = json.load(open(ev))
print("\t".join([g, algo, t, rep, f"{e['expected_reach']:.1f}", f"{e['std_error']:.2f}",
      f"{p['timings']['algorithm_seconds']:.4f}", f"{p['timings']['estimate_seconds']:.4f}", wall,
      f"{int(rss)/1024:.1f}", str(p['rr_sets']),
      f"{p['approximation']:.3f}" if p['approximation'] is not None else "-"]))
PY
      done
    done
  done
done
