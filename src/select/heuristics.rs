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

/// Lazy max-heap over discounted scores; `score(v, t_v)` is recomputed when stale.
fn discount_select(ctx: &SelectContext<'_>, score: impl Fn(u32, u32) -> f64) -> Vec<u32> {
    let g = ctx.model.graph();
    let n = g.num_nodes();
    let k = ctx.effective_k();
    let mut t = vec![0u32; n];
    let mut chosen = vec![false; n];
    let mut out = Vec::with_capacity(k);
    let pick = |v: u32, t: &mut Vec<u32>, chosen: &mut Vec<bool>, out: &mut Vec<u32>| {
        chosen[v as usize] = true;
        out.push(v);
        for &u in g.in_neighbors(v) {
            t[u as usize] += 1;
        }
    };
    for &f in ctx.forced {
        if out.len() < k && !chosen[f as usize] {
            pick(f, &mut t, &mut chosen, &mut out);
        }
    }
    let key = |v: u32, t: &[u32]| NotNan::new(score(v, t[v as usize])).unwrap_or_default();
    let mut heap: BinaryHeap<(NotNan<f64>, Reverse<u32>, u32)> = (0..n as u32)
        .filter(|&v| ctx.is_candidate(v) && !chosen[v as usize])
        .map(|v| (key(v, &t), Reverse(v), t[v as usize]))
        .collect();
    while out.len() < k {
        let Some((_, Reverse(v), tv)) = heap.pop() else {
            break;
        };
        if tv != t[v as usize] {
            heap.push((key(v, &t), Reverse(v), t[v as usize]));
            continue;
        }
        pick(v, &mut t, &mut chosen, &mut out);
    }
    out
}

impl Selector for SingleDiscount {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let g = ctx.model.graph();
        Ok(Selection::heuristic(discount_select(ctx, |v, t| {
            g.out_degree(v) as f64 - t as f64
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
        Ok(Selection::heuristic(discount_select(ctx, |v, t| {
            let d = g.out_degree(v) as f64;
            let t = t as f64;
            d - 2.0 * t - (d - t) * t * mean_p[v as usize]
        })))
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
