//! Exact expected spread on tiny graphs by enumerating every live-edge world.
//!
//! IC: every edge is live independently with its probability (edges with p = 0 or 1 are fixed, so
//! only uncertain edges are enumerated). LT: every node keeps at most one in-edge, `u` with
//! probability `w(u,v)`. The spread of a seed set is the probability-weighted number of nodes
//! reachable from it over live edges. This is the oracle the estimators are tested against.

use crate::diffusion::{Model, ModelKind, RowProbs};

/// Most worlds the oracle will enumerate.
pub const MAX_WORLDS: u64 = 1 << 22;

/// Exact expected reach of `seeds`, or `None` when the graph has too many worlds.
pub fn exact_spread(model: &Model<'_>, seeds: &[u32]) -> Option<f64> {
    exact_spread_weighted(model, seeds, None)
}

/// Exact expected weighted reach of `seeds` (each reached node counts its weight; `None`: 1).
pub fn exact_spread_weighted(
    model: &Model<'_>,
    seeds: &[u32],
    weights: Option<&[f64]>,
) -> Option<f64> {
    let wt = |v: u32| weights.map_or(1.0, |w| w[v as usize]);
    let g = model.graph();
    let n = g.num_nodes();
    // Forward arcs with their probabilities.
    let mut arcs: Vec<(u32, u32, f64)> = Vec::new();
    for u in 0..n as u32 {
        let row = model.out_row(u);
        for (j, &v) in g.out_neighbors(u).iter().enumerate() {
            arcs.push((u, v, model.out_prob(row, j, v)));
        }
    }
    let reach = |live: &dyn Fn(usize) -> bool| -> f64 {
        let mut seen = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut count = 0.0;
        for &s in seeds {
            if !seen[s as usize] {
                seen[s as usize] = true;
                count += wt(s);
                stack.push(s);
            }
        }
        while let Some(u) = stack.pop() {
            for (k, &(a, b, _)) in arcs.iter().enumerate() {
                if a == u && !seen[b as usize] && live(k) {
                    seen[b as usize] = true;
                    count += wt(b);
                    stack.push(b);
                }
            }
        }
        count
    };
    match model.kind() {
        ModelKind::IndependentCascade => {
            let uncertain: Vec<usize> = (0..arcs.len())
                .filter(|&k| arcs[k].2 > 0.0 && arcs[k].2 < 1.0)
                .collect();
            if uncertain.len() > 22 {
                return None;
            }
            let mut total = 0.0;
            for mask in 0u64..(1u64 << uncertain.len()) {
                let mut prob = 1.0;
                let mut state = vec![false; arcs.len()];
                for (k, a) in arcs.iter().enumerate() {
                    state[k] = a.2 >= 1.0;
                }
                for (bit, &k) in uncertain.iter().enumerate() {
                    let on = mask >> bit & 1 == 1;
                    state[k] = on;
                    prob *= if on { arcs[k].2 } else { 1.0 - arcs[k].2 };
                }
                if prob > 0.0 {
                    total += prob * reach(&|k| state[k]);
                }
            }
            Some(total)
        }
        ModelKind::LinearThreshold => {
            // Per node: the options (in-edge index into `arcs` or none) with probabilities.
            let mut options: Vec<Vec<(Option<usize>, f64)>> = Vec::with_capacity(n);
            let mut worlds: u64 = 1;
            for v in 0..n as u32 {
                let mut opts = Vec::new();
                let mut total = 0.0;
                let row = model.in_row(v);
                for (j, &u) in g.in_neighbors(v).iter().enumerate() {
                    let w = match row {
                        RowProbs::Const(p) => p,
                        RowProbs::PerEdge(w) => w[j] as f64,
                        RowProbs::InvInDegree => unreachable!(),
                    };
                    total += w;
                    let k = arcs.iter().position(|a| a.0 == u && a.1 == v).unwrap();
                    if w > 0.0 {
                        opts.push((Some(k), w));
                    }
                }
                if 1.0 - total > 1e-12 {
                    opts.push((None, 1.0 - total));
                }
                if opts.is_empty() {
                    opts.push((None, 1.0));
                }
                // f32 weights that should sum to 1 can sum to 1 + 3e-8 in f64: rescale so each
                // node's options are a distribution and world probabilities sum to 1.
                let mass: f64 = opts.iter().map(|o| o.1).sum();
                if mass > 1.0 {
                    opts.iter_mut().for_each(|o| o.1 /= mass);
                }
                worlds = worlds.saturating_mul(opts.len() as u64);
                options.push(opts);
            }
            if worlds > MAX_WORLDS {
                return None;
            }
            let mut choice = vec![0usize; n];
            let mut total = 0.0;
            loop {
                let mut prob = 1.0;
                let mut live = vec![false; arcs.len()];
                for v in 0..n {
                    let (k, p) = options[v][choice[v]];
                    prob *= p;
                    if let Some(k) = k {
                        live[k] = true;
                    }
                }
                total += prob * reach(&|k| live[k]);
                // Odometer increment.
                let mut i = 0;
                loop {
                    if i == n {
                        return Some(total);
                    }
                    choice[i] += 1;
                    if choice[i] < options[i].len() {
                        break;
                    }
                    choice[i] = 0;
                    i += 1;
                }
            }
        }
    }
}
