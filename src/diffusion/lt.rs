//! Linear threshold: forward with lazily drawn thresholds, reverse as a random walk on live edges.

use super::{Model, RowProbs, Workspace};
use crate::rng::Bits as _;
use crate::rng::Rng;

/// Picks the live in-edge of a node under LT: index `j` with probability `w_j`, or none.
#[inline]
pub(crate) fn pick_in_edge(row: RowProbs<'_>, d: usize, rng: &mut Rng) -> Option<usize> {
    if d == 0 {
        return None;
    }
    match row {
        RowProbs::Const(p) => {
            if p * d as f64 >= 1.0 - 1e-12 {
                Some(rng.below(d as u64) as usize)
            } else if p <= 0.0 {
                None
            } else {
                let j = (rng.unit() / p) as usize;
                (j < d).then_some(j)
            }
        }
        RowProbs::PerEdge(w) => {
            let mut r = rng.unit();
            for (j, &x) in w.iter().enumerate() {
                r -= x as f64;
                if r < 0.0 {
                    return Some(j);
                }
            }
            None
        }
        RowProbs::InvInDegree => unreachable!("in-rows never use InvInDegree"),
    }
}

pub(super) fn simulate(m: &Model<'_>, seeds: &[u32], rng: &mut Rng, ws: &mut Workspace) -> usize {
    let g = m.graph();
    ws.ensure_lt();
    ws.reset();
    let epoch = ws.epoch();
    for &s in seeds {
        if ws.visit(s) {
            ws.queue.push(s);
        }
    }
    let mut head = 0;
    while head < ws.queue.len() {
        let u = ws.queue[head];
        head += 1;
        let row = m.out_row(u);
        for (j, &v) in g.out_neighbors(u).iter().enumerate() {
            if ws.visited(v) {
                continue;
            }
            let vi = v as usize;
            if ws.lt_mark[vi] != epoch {
                ws.lt_mark[vi] = epoch;
                // Threshold in (0, 1]: a node whose active in-weight reaches 1 always activates.
                ws.theta[vi] = rng.unit_open0();
                ws.acc[vi] = 0.0;
            }
            ws.acc[vi] += m.out_prob(row, j, v);
            if ws.acc[vi] >= ws.theta[vi] - 1e-12 {
                ws.visit(v);
                ws.queue.push(v);
            }
        }
    }
    ws.queue.len()
}

/// Picks `v`'s live in-edge given that it has one: index `j` with probability `w_j / sum(w)`.
fn pick_in_edge_given_one(row: RowProbs<'_>, d: usize, rng: &mut Rng) -> Option<usize> {
    match row {
        _ if d == 0 => None,
        RowProbs::Const(p) if p > 0.0 => Some(rng.below(d as u64) as usize),
        RowProbs::PerEdge(w) => {
            let total: f64 = w.iter().map(|&x| x as f64).sum();
            let mut r = rng.unit() * total;
            for (j, &x) in w.iter().enumerate() {
                r -= x as f64;
                if r < 0.0 {
                    return Some(j);
                }
            }
            // Rounding past the end: the last edge that can be live.
            w.iter().rposition(|&x| x > 0.0)
        }
        _ => None,
    }
}

/// Reverse random walk from `root`. With `live_root`, the root's live in-edge is drawn given that
/// it has one (see `RootSampler::stratified`).
pub(super) fn sample_rr(
    m: &Model<'_>,
    root: u32,
    live_root: bool,
    rng: &mut Rng,
    ws: &mut Workspace,
    out: &mut Vec<u32>,
) {
    let g = m.graph();
    ws.reset();
    ws.visit(root);
    out.push(root);
    let mut v = root;
    let mut first = live_root;
    loop {
        let nbrs = g.in_neighbors(v);
        let picked = if first {
            first = false;
            pick_in_edge_given_one(m.in_row(v), nbrs.len(), rng)
        } else {
            pick_in_edge(m.in_row(v), nbrs.len(), rng)
        };
        let Some(j) = picked else {
            return;
        };
        let u = nbrs[j];
        if !ws.visit(u) {
            return;
        }
        out.push(u);
        v = u;
    }
}
