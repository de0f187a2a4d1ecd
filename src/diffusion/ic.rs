//! Independent cascade: forward BFS with coin flips, reverse BFS for RR sets.
//!
//! Rows whose edges share one probability (every WC in-row, uniform schemes) use geometric
//! skipping: the gap to the next live edge is drawn directly, so the cost follows the edges that
//! fire rather than the edges scanned (the subset-sampling idea of SUBSIM, Guo et al. 2020).

use super::binomial::for_each_subset;
use super::{prob_threshold, Coin, Model, RowProbs, Workspace};
use crate::rng::Bits as _;
use crate::rng::Rng;

pub(super) fn simulate(m: &Model<'_>, seeds: &[u32], rng: &mut Rng, ws: &mut Workspace) -> usize {
    let g = m.graph();
    ws.reset();
    for &s in seeds {
        if ws.visit(s) {
            ws.queue.push(s);
        }
    }
    let mut head = 0;
    while head < ws.queue.len() {
        let u = ws.queue[head];
        head += 1;
        let nbrs = g.out_neighbors(u);
        match m.out_row(u) {
            RowProbs::Const(p) => for_each_live_coin(nbrs.len(), Coin::new(p), rng, |j| {
                let v = nbrs[j];
                if ws.visit(v) {
                    ws.queue.push(v);
                }
            }),
            row => {
                for (j, &v) in nbrs.iter().enumerate() {
                    if ws.visited(v) {
                        // An edge into an active node cannot change the outcome; skipping its
                        // coin keeps the distribution and saves work.
                        continue;
                    }
                    if rng.unit() < m.out_prob(row, j, v) {
                        ws.visit(v);
                        ws.queue.push(v);
                    }
                }
            }
        }
    }
    ws.queue.len()
}

/// Rows up to this many edges flip one integer coin per edge; longer rows skip geometrically
/// (a logarithm per live edge). The crossover was measured with the `rr_sampling` bench.
const SKIP_ABOVE: usize = 12;

/// Live edges of a constant-probability row of length `d`.
#[inline]
fn for_each_live_coin(d: usize, c: Coin, rng: &mut Rng, take: impl FnMut(usize)) {
    for_each_live_coin_from(0, d, c, rng, take)
}

/// Live edges among positions `from..d` of a constant-probability row.
#[inline]
fn for_each_live_coin_from(
    from: usize,
    d: usize,
    c: Coin,
    rng: &mut Rng,
    mut take: impl FnMut(usize),
) {
    if c.threshold == 0 || from >= d {
        return;
    }
    if c.p >= 1.0 {
        (from..d).for_each(take);
    } else if d - from <= SKIP_ABOVE || c.p > 0.3 {
        for j in from..d {
            if rng.next_u64() < c.threshold {
                take(j);
            }
        }
    } else {
        let mut j = from;
        loop {
            let skip = (rng.unit_open0().ln() * c.inv_log_q).floor();
            if skip >= (d - j) as f64 {
                return;
            }
            j += skip as usize;
            take(j);
            j += 1;
            if j >= d {
                return;
            }
        }
    }
}

/// Live in-edges of `v` given that at least one is live (the root of a set drawn by
/// `RootSampler::stratified`). The first live position is drawn from its conditional law, the
/// positions after it independently as usual.
fn for_each_live_in_edge_given_one(
    m: &Model<'_>,
    v: u32,
    d: usize,
    rng: &mut Rng,
    pick: &mut Vec<u32>,
    mut take: impl FnMut(usize),
) {
    if let Some(count) = m.in_live_count_positive(d, rng) {
        for_each_subset(d, count, rng, pick, take);
        return;
    }
    if let Some(c) = m.in_coin(d) {
        if c.p >= 1.0 {
            (0..d).for_each(take);
            return;
        }
        // P(first live = j | some live) = p q^j / (1 - q^d): invert it in closed form, with
        // q^d and the logarithm taken through `exp_m1` and `ln_1p` so that a tiny p still
        // gives a uniform first position instead of 0.
        let some_live = -(d as f64 / c.inv_log_q).exp_m1();
        let x_ln = (-rng.unit() * some_live).ln_1p();
        let first = ((x_ln * c.inv_log_q).floor().max(0.0) as usize).min(d - 1);
        take(first);
        for_each_live_coin_from(first + 1, d, c, rng, take);
        return;
    }
    let RowProbs::PerEdge(w) = m.in_row(v) else {
        unreachable!("rows without a shared coin carry per-edge probabilities")
    };
    let none: f64 = w.iter().map(|&p| 1.0 - p as f64).product();
    let u = rng.unit() * (1.0 - none);
    let (mut acc, mut before) = (0.0f64, 1.0f64);
    // Rounding can leave `u` past the last step: the last possible edge is then the first live.
    let mut first = w.iter().rposition(|&p| p > 0.0).unwrap_or(0);
    for (j, &p) in w.iter().enumerate() {
        acc += before * p as f64;
        if u < acc {
            first = j;
            break;
        }
        before *= 1.0 - p as f64;
    }
    take(first);
    for (j, &p) in w.iter().enumerate().skip(first + 1) {
        if rng.next_u64() < prob_threshold(p as f64) {
            take(j);
        }
    }
}

/// Reverse BFS from `root` over live in-edges. With `live_root`, the root's in-row is drawn
/// conditioned on at least one live edge (see `RootSampler::stratified`).
pub(super) fn sample_rr(
    m: &Model<'_>,
    root: u32,
    live_root: bool,
    rng: &mut Rng,
    ws: &mut Workspace,
    out: &mut Vec<u32>,
) {
    let g = m.graph();
    let mut pick = std::mem::take(&mut ws.pick);
    ws.visit_bit(root);
    let start = out.len();
    out.push(root);
    let mut head = start;
    if live_root {
        let nbrs = g.in_neighbors(root);
        if !nbrs.is_empty() {
            for_each_live_in_edge_given_one(m, root, nbrs.len(), rng, &mut pick, |j| {
                let u = nbrs[j];
                if ws.visit_bit(u) {
                    out.push(u);
                }
            });
        }
        head += 1;
    }
    while head < out.len() {
        let v = out[head];
        head += 1;
        let nbrs = g.in_neighbors(v);
        let d = nbrs.len();
        if d == 0 {
            continue;
        }
        if let Some(count) = m.in_live_count(d, rng) {
            for_each_subset(d, count, rng, &mut pick, |j| {
                let u = nbrs[j];
                if ws.visit_bit(u) {
                    out.push(u);
                }
            });
            continue;
        }
        match m.in_coin(d) {
            Some(c) => for_each_live_coin(d, c, rng, |j| {
                let u = nbrs[j];
                if ws.visit_bit(u) {
                    out.push(u);
                }
            }),
            None => {
                let RowProbs::PerEdge(w) = m.in_row(v) else {
                    unreachable!("rows without a shared coin carry per-edge probabilities")
                };
                for (j, &u) in nbrs.iter().enumerate() {
                    if rng.next_u64() < prob_threshold(w[j] as f64) && ws.visit_bit(u) {
                        out.push(u);
                    }
                }
            }
        }
    }
    ws.pick = pick;
    ws.clear_bits(&out[start..]);
}

#[cfg(test)]
mod tests {
    use crate::diffusion::{Model, ModelKind, ProbScheme};
    use crate::graph::Graph;
    use crate::rng::{Purpose, Rng};

    /// A hub with 200 out-edges into 200 leaves, and each leaf with 200 in-edges from 200
    /// other sources: long rows, so the geometric skips are used.
    fn fans() -> Graph {
        let mut edges: Vec<(u32, u32)> = (1..=200).map(|v| (0, v)).collect();
        edges.extend((201..401).map(|u| (u, 1)));
        Graph::from_edges(401, &edges, None)
    }

    /// With a probability so small that 1 - p rounds to 1, an edge (almost) never fires:
    /// forward cascades stay at their seeds, and a root's in-row given one live edge picks
    /// its first live edge uniformly, not always the first.
    #[test]
    fn a_tiny_probability_is_not_a_certainty() {
        let g = fans();
        let mut m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::Uniform(1e-17),
            1,
        )
        .unwrap();
        m.use_count_tables(false);
        let mut ws = m.workspace();
        let reached: usize = (0..200)
            .map(|i| m.simulate(&[0], &mut Rng::stream(1, Purpose::MonteCarlo, i), &mut ws))
            .sum();
        assert_eq!(reached, 200, "the hub alone, every run");
        let mut hits = vec![0u32; 402];
        let mut out = Vec::new();
        for i in 0..4000 {
            out.clear();
            let mut rng = Rng::stream(1, Purpose::RrSelect, i);
            m.sample_rr_live_root(1, &mut rng, &mut ws, &mut out);
            assert_eq!(out.len(), 2, "the root and the one live in-edge's source");
            hits[out[1] as usize] += 1;
        }
        // 201 in-neighbours (the hub and 200 sources), 4000 draws: about 20 each.
        let seen = hits.iter().filter(|&&h| h > 0).count();
        assert!(
            seen > 150,
            "first live edge spread over {seen} of 201 positions"
        );
        assert!(hits.iter().all(|&h| h < 60), "no position favoured");
    }

    /// The closed-form first live position given one live edge has the law p q^j / (1 - q^d):
    /// its mean over many draws matches the exact one.
    #[test]
    fn the_first_live_in_edge_given_one_has_its_law() {
        let g = fans();
        let p = 0.02;
        let mut m =
            Model::new(&g, ModelKind::IndependentCascade, ProbScheme::Uniform(p), 1).unwrap();
        m.use_count_tables(false);
        let mut ws = m.workspace();
        let nbrs = g.in_neighbors(1);
        let d = nbrs.len();
        let q: f64 = 1.0 - p;
        let law: Vec<f64> = (0..d)
            .map(|j| p * q.powi(j as i32) / (1.0 - q.powi(d as i32)))
            .collect();
        let mean: f64 = law.iter().enumerate().map(|(j, w)| j as f64 * w).sum();
        let var: f64 = law
            .iter()
            .enumerate()
            .map(|(j, w)| (j as f64 - mean).powi(2) * w)
            .sum();
        let draws = 20_000;
        let mut out = Vec::new();
        let mut sum = 0.0;
        for i in 0..draws {
            out.clear();
            let mut rng = Rng::stream(3, Purpose::RrSelect, i);
            m.sample_rr_live_root(1, &mut rng, &mut ws, &mut out);
            let first = nbrs.iter().position(|&u| u == out[1]).unwrap();
            sum += first as f64;
        }
        let got = sum / draws as f64;
        let se = (var / draws as f64).sqrt();
        assert!(
            (got - mean).abs() < 5.0 * se,
            "mean {got} against {mean} ± {se}"
        );
    }
}
