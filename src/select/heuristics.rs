//! Heuristic baselines: no guarantee, but fast and what many campaigns still use.

use super::{with_forced, SelectContext, Selection, Selector};
use crate::diffusion::{ProbScheme, RowProbs};
use crate::error::Result;
use crate::rng::Bits as _;
use crate::rng::{Purpose, Rng};
use ordered_float::NotNan;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Highest out-degree first (ties to the smaller id).
pub struct Degree;
/// Degree with single discount: a seed's in-neighbours lose one degree each.
pub struct SingleDiscount;
/// Degree discount for IC (Chen, Wang, Yang, KDD 2009).
pub struct DegreeDiscount;
/// PageRank in the direction of influence.
pub struct PageRank;
/// Uniformly random candidates.
pub struct RandomSeeds;

/// PageRank damping factor.
pub const DAMPING: f64 = 0.85;
/// PageRank iterations cap and L1 tolerance.
pub const PAGERANK_MAX_ITERS: usize = 100;
/// L1 change below which PageRank stops.
pub const PAGERANK_TOL: f64 = 1e-10;

impl Selector for Degree {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let g = ctx.model.graph();
        let mut order: Vec<u32> = (0..g.num_nodes() as u32).collect();
        order.sort_by_key(|&v| (Reverse(g.out_degree(v)), v));
        Ok(Selection::heuristic(with_forced(ctx, order.into_iter())))
    }
}

/// Discounted degrees, picked from a lazy max-heap. For a node `v`, `t_out[v]` counts the seeds
/// among its out-neighbours (edges spent on nodes already seeded) and `t_in[v]` the seeds among
/// its in-neighbours (seeds that may already have activated it); `score(v, t_out, t_in)` is
/// recomputed when either has changed. On an undirected graph the two are one count, the
/// papers' `t_v`. A stale key bounds a non-negative score (neither discount raises one), so
/// picks are exact while the best fresh score is non-negative; below that (degree discount can
/// rise there) each pick scans every candidate. Ties go to the smaller id.
fn discount_select(ctx: &SelectContext<'_>, score: impl Fn(u32, u32, u32) -> f64) -> Vec<u32> {
    let g = ctx.model.graph();
    let n = g.num_nodes();
    let k = ctx.effective_k();
    let mut d = Discounts {
        t_out: vec![0; n],
        t_in: vec![0; n],
        version: vec![0; n],
        chosen: vec![false; n],
        out: Vec::with_capacity(k),
    };
    for &f in ctx.forced {
        if d.out.len() < k && !d.chosen[f as usize] {
            d.pick(g, f);
        }
    }
    let key = |v: u32, d: &Discounts| {
        NotNan::new(score(v, d.t_out[v as usize], d.t_in[v as usize])).unwrap_or_default()
    };
    let mut heap: BinaryHeap<(NotNan<f64>, Reverse<u32>, u32)> = (0..n as u32)
        .filter(|&v| ctx.is_candidate(v) && !d.chosen[v as usize])
        .map(|v| (key(v, &d), Reverse(v), d.version[v as usize]))
        .collect();
    while d.out.len() < k {
        let Some((s, Reverse(v), at)) = heap.pop() else {
            break;
        };
        if d.chosen[v as usize] {
            continue;
        }
        let now = d.version[v as usize];
        if at != now {
            heap.push((key(v, &d), Reverse(v), now));
            continue;
        }
        let v = if s.into_inner() < 0.0 {
            // Every score left is negative, and a stale key may sit below its score: scan.
            heap.push((s, Reverse(v), at));
            let best = (0..n as u32)
                .filter(|&u| ctx.is_candidate(u) && !d.chosen[u as usize])
                .max_by_key(|&u| (key(u, &d), Reverse(u)));
            match best {
                Some(u) => u,
                None => break,
            }
        } else {
            v
        };
        d.pick(g, v);
    }
    d.out
}

/// The discount heuristics' state: both counts per node, their changes, and the picks.
struct Discounts {
    t_out: Vec<u32>,
    t_in: Vec<u32>,
    /// Changes to either count, to tell a stale key.
    version: Vec<u32>,
    chosen: Vec<bool>,
    out: Vec<u32>,
}

impl Discounts {
    /// Picks `v`: its in-neighbours have one more seed among their out-neighbours, its
    /// out-neighbours one more among their in-neighbours.
    fn pick(&mut self, g: &crate::graph::Graph, v: u32) {
        self.chosen[v as usize] = true;
        self.out.push(v);
        for &u in g.in_neighbors(v) {
            self.t_out[u as usize] += 1;
            self.version[u as usize] += 1;
        }
        for &w in g.out_neighbors(v) {
            self.t_in[w as usize] += 1;
            self.version[w as usize] += 1;
        }
    }
}

impl Selector for SingleDiscount {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let g = ctx.model.graph();
        Ok(Selection::heuristic(discount_select(ctx, |v, t_out, _| {
            g.out_degree(v) as f64 - t_out as f64
        })))
    }
}

impl Selector for DegreeDiscount {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let m = ctx.model;
        let g = m.graph();
        // The paper assumes one uniform p; for other schemes use each node's mean out-probability.
        let uniform = match m.scheme() {
            ProbScheme::Uniform(p) => Some(p),
            _ => None,
        };
        let mean_p: Vec<f64> = (0..g.num_nodes() as u32)
            .map(|u| {
                if let Some(p) = uniform {
                    return p;
                }
                let nb = g.out_neighbors(u);
                if nb.is_empty() {
                    return 0.0;
                }
                let row = m.out_row(u);
                nb.iter()
                    .enumerate()
                    .map(|(j, &v)| m.out_prob(row, j, v))
                    .sum::<f64>()
                    / nb.len() as f64
            })
            .collect();
        // Chen et al.'s dd_v = d_v - 2 t_v - (d_v - t_v) t_v p, with its two roles of t_v told
        // apart on a directed graph: the out-edges still useful, d_v - t_out, and the seeds
        // that may already have activated v, t_in.
        Ok(Selection::heuristic(discount_select(
            ctx,
            |v, t_out, t_in| {
                let d = g.out_degree(v) as f64;
                let (t_out, t_in) = (t_out as f64, t_in as f64);
                d - t_out - t_in - (d - t_out) * t_in * mean_p[v as usize]
            },
        )))
    }
}

/// PageRank on the reversed graph, so rank flows from the influenced to their influencers:
/// `PR(u) = (1-d)/n + d * (sum over out-neighbours v of PR(v) * w(u,v)/W(v) + dangling/n)`,
/// where `w(u,v)/W(v)` is u's share of v's incoming influence (1/indeg for unweighted schemes).
/// Each node gathers from its own row in index order, so the result is deterministic in parallel.
pub fn pagerank(ctx: &SelectContext<'_>) -> Vec<f64> {
    let m = ctx.model;
    let g = m.graph();
    let n = g.num_nodes();
    let nf = n as f64;
    // Share of each in-edge of v, in forward order: weight / total incoming weight of v.
    let in_total: Vec<f64> = (0..n as u32)
        .map(|v| match m.in_row(v) {
            RowProbs::Const(p) => p * g.in_degree(v) as f64,
            RowProbs::PerEdge(w) => w.iter().map(|&x| x as f64).sum(),
            RowProbs::InvInDegree => 1.0,
        })
        .collect();
    let mut pr = vec![1.0 / nf; n];
    for _ in 0..PAGERANK_MAX_ITERS {
        let dangling: f64 = (0..n).filter(|&v| in_total[v] <= 0.0).map(|v| pr[v]).sum();
        let base = (1.0 - DAMPING) / nf + DAMPING * dangling / nf;
        let next: Vec<f64> = (0..n as u32)
            .into_par_iter()
            .map(|u| {
                let row = m.out_row(u);
                let s: f64 = g
                    .out_neighbors(u)
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        let tot = in_total[v as usize];
                        if tot > 0.0 {
                            pr[v as usize] * m.out_prob(row, j, v) / tot
                        } else {
                            0.0
                        }
                    })
                    .sum();
                base + DAMPING * s
            })
            .collect();
        let delta: f64 = next.iter().zip(&pr).map(|(a, b)| (a - b).abs()).sum();
        pr = next;
        if delta < PAGERANK_TOL {
            break;
        }
    }
    pr
}

impl Selector for PageRank {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let pr = pagerank(ctx);
        let mut order: Vec<u32> = (0..pr.len() as u32).collect();
        order.sort_by(|&a, &b| pr[b as usize].total_cmp(&pr[a as usize]).then(a.cmp(&b)));
        Ok(Selection::heuristic(with_forced(ctx, order.into_iter())))
    }
}

impl Selector for RandomSeeds {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let n = ctx.n();
        let mut pool: Vec<u32> = (0..n as u32).filter(|&v| ctx.is_candidate(v)).collect();
        let mut rng = Rng::stream(ctx.config.seed, Purpose::RandomSeeds, 0);
        // Partial Fisher-Yates: only the first k positions are needed.
        let k = ctx.effective_k().min(pool.len());
        for i in 0..k {
            let j = i + rng.below((pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        pool.truncate(k);
        Ok(Selection::heuristic(with_forced(ctx, pool.into_iter())))
    }
}
