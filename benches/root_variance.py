#!/usr/bin/env python3
"""How much of an RR estimate's variance comes from which root a set has (BENCHMARKS.md, tried
and dropped): for a plan's picks 1, 10, 30 and 50, the share of the between-root part in the
variance of the marginal gain's per-set indicator, from forward Monte Carlo on common live-edge
worlds (weighted cascade). Stratifying roots per node could remove at most that share.

Usage: python3 benches/root_variance.py GRAPH PLAN.json [RUNS]   (GRAPH: a SNAP edge list)
"""
import json
import random
import sys
from collections import defaultdict


def main():
    graph, plan = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    out, indeg, nodes = defaultdict(list), defaultdict(int), set()
    for line in open(graph):
        if line.startswith("#"):
            continue
        a, b = line.split()[:2]
        if a != b:
            out[a].append(b)
            nodes.update((a, b))
    for a in out:
        out[a] = list(set(out[a]))
        for b in out[a]:
            indeg[b] += 1
    seeds = [s["node"] for s in json.load(open(plan))["seeds"]]
    rnd = random.Random(1)
    n = len(nodes)
    for j in [0, 9, 29, 49]:
        if j >= len(seeds):
            break
        gained = defaultdict(int)
        for _ in range(runs):
            live = {}

            def reach(start, active):
                frontier = [s for s in start if s not in active]
                active.update(frontier)
                while frontier:
                    nxt = []
                    for u in frontier:
                        for v in out.get(u, ()):
                            if v in active:
                                continue
                            if (u, v) not in live:
                                live[(u, v)] = rnd.random() < 1.0 / indeg[v]
                            if live[(u, v)]:
                                active.add(v)
                                nxt.append(v)
                    frontier = nxt
                return active

            before = set(reach(seeds[:j], set()))
            after = reach([seeds[j]], set(before))
            for v in after - before:
                gained[v] += 1
        d = [c / runs for c in gained.values()]
        mean = sum(d) / n
        second = sum(x * x for x in d) / n
        share = (second - mean * mean) / (mean * (1 - mean)) if mean > 0 else float("nan")
        print(f"pick {j + 1}: gain {sum(d):.1f}, between-root share {share:.3f}")


if __name__ == "__main__":
    main()
