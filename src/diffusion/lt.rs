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

pub(super) fn sample_rr(
    m: &Model<'_>,
    root: u32,
    rng: &mut Rng,
    ws: &mut Workspace,
    out: &mut Vec<u32>,
) {
    let g = m.graph();
    ws.reset();
    ws.visit(root);
    out.push(root);
    let mut v = root;
    loop {
        let nbrs = g.in_neighbors(v);
        let Some(j) = pick_in_edge(m.in_row(v), nbrs.len(), rng) else {
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
