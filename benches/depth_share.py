#!/usr/bin/env python3
"""How much of an RR estimate's coverage an exact first layer could take over (BENCHMARKS.md,
measured and not built): for a plan's seed list, the share of the RR sets it covers through the
root itself or a live in-neighbour of the root (depth <= 1, a part whose probability has a closed
form for any seed set), for the whole list and for the marginal gains of picks 1, 10, 30 and 50.
Only the rest would still be sampled, so the variance could shrink by at most that share.
Weighted cascade, uniform roots, edges as listed (SNAP text: `u v` is the arc u -> v).

Usage: python3 benches/depth_share.py GRAPH PLAN.json [SETS]
"""
import json
import random
import sys
from collections import defaultdict


def main():
    graph, plan = sys.argv[1], sys.argv[2]
    sets = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
    ins, nodes = defaultdict(set), set()
    for line in open(graph):
        if line.startswith("#"):
            continue
        a, b = line.split()[:2]
        if a != b:
            ins[b].add(a)
            nodes.update((a, b))
    ins = {k: list(v) for k, v in ins.items()}
    nodes = sorted(nodes)
    seeds = [s["node"] for s in json.load(open(plan))["seeds"]]
    picks = [j for j in (0, 9, 29, 49) if j < len(seeds)]
    rnd = random.Random(5)
    count = defaultdict(int)
    for _ in range(sets):
        root = rnd.choice(nodes)
        depth, queue, head = {root: 0}, [root], 0
        while head < len(queue):
            u = queue[head]
            head += 1
            row = ins.get(u, ())
            for w in row:
                if rnd.random() < 1.0 / len(row) and w not in depth:
                    depth[w] = depth[u] + 1
                    queue.append(w)
        hit = [depth[s] for s in seeds if s in depth]
        if hit:
            count["all"] += 1
            count["all<=1"] += min(hit) <= 1
        for j in picks:
            x = seeds[j]
            if x in depth and not any(s in depth for s in seeds[:j]):
                count[j] += 1
                count[(j, "<=1")] += depth[x] <= 1
    share = lambda a, b: count[b] / count[a] if count[a] else float("nan")
    print(f"sets {sets}: the list covers {count['all'] / sets:.4f} of them, "
          f"{share('all', 'all<=1'):.1%} at depth <= 1")
    for j in picks:
        print(f"pick {j + 1}: gain in {count[j] / sets:.5f} of the sets, "
              f"{share(j, (j, '<=1')):.1%} at depth <= 1")


if __name__ == "__main__":
    main()
