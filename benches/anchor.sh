#!/usr/bin/env bash
# The anchor comparison of BENCHMARKS.md: the default engine, OPIM-C and IMM at k = 50 on
# NetHEPT, wiki-Vote and soc-Slashdot0902 (WC-IC), one process per run so peak memory is the
# run's own, with 1 and 2 threads; every seed set scored by `evaluate` (10,000 runs, seed 1).
# Usage (from the repository root, after cargo build --release): bash benches/anchor.sh > out.tsv
# REPS=3 repeats every run (the machine is shared and noisy; BENCHMARKS.md reports medians).
set -euo pipefail
B=${B:-target/release/seedplan}
D=../shared/datasets
REPS=${REPS:-1}
printf "graph\talgo\tthreads\trep\treach\tstd_error\talgorithm_s\testimate_s\twall_s\tpeak_rss_mib\trr_sets\tapprox\n"
for g in nethept/graph.txt wiki-vote/wiki-Vote.txt soc-slashdot0902/soc-Slashdot0902.txt.gz; do
  "$B" convert --graph "$D/$g" -o /tmp/anchor.spg -q
  for algo in auto opim imm; do
    for t in 1 2; do
     for rep in $(seq "$REPS"); do
      /usr/bin/time -f "%e %M" -o /tmp/anchor.time "$B" plan --graph /tmp/anchor.spg -k 50 \
        --algo "$algo" --threads "$t" --format json -q -o /tmp/anchor.json
      read -r wall rss < /tmp/anchor.time
      eval=$("$B" evaluate --graph /tmp/anchor.spg --seeds /tmp/anchor.json --runs 10000 --format json -q)
      python3 - "$g" "$algo" "$t" "$rep" "$wall" "$rss" "$eval" <<'PY'
import json, sys
g, algo, t, rep, wall, rss, ev = sys.argv[1:]
p = json.load(open("/tmp/anchor.json")); e = json.loads(ev)
print("\t".join([g.split("/")[0], algo, t, rep, f"{e['expected_reach']:.1f}", f"{e['std_error']:.2f}",
      f"{p['timings']['algorithm_seconds']:.4f}", f"{p['timings']['estimate_seconds']:.4f}", wall,
      f"{int(rss)/1024:.1f}", str(p['rr_sets']),
      f"{p['approximation']:.3f}" if p['approximation'] is not None else "-"]))
PY
     done
    done
  done
done
