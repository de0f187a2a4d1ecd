//! Monte Carlo greedy over fixed live-edge worlds, plain or lazy (CELF, Leskovec et al. KDD 2007;
//! CELF++, Goyal et al. WWW 2011).
//!
//! The oracle samples `R` live-edge worlds once (each edge's coin, or each LT node's choice, is a
//! hash of `(seed, world, edge or node)`), so the estimated spread is an exact average over the
//! same worlds for every seed set: monotone and submodular. Lazy evaluation is therefore exact, and
//! CELF, CELF++ and plain greedy return the same seeds (ties to the smaller id). Each world keeps
//! the nodes the current seeds reach, so a marginal gain only explores what is new.

use super::{SelectContext, SelectStatus, Selection, Selector};
use crate::diffusion::{Model, ModelKind, RowProbs, Workspace};
use crate::error::Result;
use crate::rng::{mix64, stream_key, unit_f64, Purpose};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Mutex;

/// Which lazy-evaluation scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Laziness {
    /// Re-evaluate every candidate each round.
    None,
    /// CELF.
    Celf,
    /// CELF++.
    CelfPlusPlus,
}

/// Monte Carlo greedy selector.
pub struct McGreedy(pub Laziness);

/// The fixed-worlds spread oracle.
pub struct WorldOracle<'a> {
    model: &'a Model<'a>,
    keys: Vec<u64>,
    /// Per world, the nodes reached by the current seed set (bitset).
    covered: Vec<Vec<u64>>,
    /// Sum over worlds of nodes reached by the current seed set, in weight units.
    pub total: u64,
    /// Audience weights (`--target`) in fixed point, `unit` each; `None`: every node counts 1.
    /// Integers keep the sums over worlds exact whatever order threads add them in, so the
    /// picks do not depend on the thread count. A world's units add up to at most 2^31, so
    /// `u32::MAX` worlds fit a `u64`; a node under 2^-31 of the audience counts 0.
    weight: Option<Vec<u32>>,
    /// Audience weight of one unit.
    unit: f64,
    /// One workspace per rayon thread, so parallel evaluations allocate nothing.
    pool: Vec<Mutex<Workspace>>,
}

impl<'a> WorldOracle<'a> {
    /// `runs` worlds drawn from `seed`; reach counts nodes by `weights` when given (finite,
    /// >= 0, positive sum).
    pub fn new(model: &'a Model<'a>, runs: u32, seed: u64, weights: Option<&[f64]>) -> Self {
        let n = model.graph().num_nodes();
        let (weight, unit) = match weights {
            Some(w) => {
                let total: f64 = w.iter().sum();
                let per = (1u64 << 31) as f64 / total;
                (
                    Some(w.iter().map(|&x| (x * per).floor() as u32).collect()),
                    total / (1u64 << 31) as f64,
                )
            }
            None => (None, 1.0),
        };
        WorldOracle {
            weight,
            unit,
            model,
            keys: (0..runs as u64)
                .map(|r| stream_key(seed, Purpose::Worlds, r))
                .collect(),
            covered: vec![vec![0u64; n.div_ceil(64)]; runs as usize],
            total: 0,
            pool: (0..rayon::current_num_threads().max(1))
                .map(|_| Mutex::new(Workspace::new(n)))
                .collect(),
        }
    }

    /// Number of worlds.
    pub fn runs(&self) -> usize {
        self.keys.len()
    }

    /// What reaching `v` counts, in weight units.
    #[inline]
    fn worth(&self, v: u32) -> u64 {
        self.weight.as_ref().map_or(1, |w| w[v as usize] as u64)
    }

    /// A sum over worlds, in weight units, as an average reach per world.
    pub fn per_world(&self, units: u64) -> f64 {
        units as f64 * self.unit / self.runs() as f64
    }

    #[inline]
    fn live(&self, key: u64, u: u32, j: usize, gj: usize, v: u32, row: RowProbs<'_>) -> bool {
        arc_live(self.model, key, u, j, gj, v, row)
    }

    /// Nodes newly reached in world `w` from `starts`, not counting those already covered or
    /// already visited in `ws` (the caller resets `ws`). With `commit`, marks them covered.
    fn explore(&self, w: usize, starts: &[u32], ws: &mut Workspace) -> u64 {
        self.explore_masked(w, starts, ws, None)
    }

    /// As `explore`, also treating nodes set in `mask` (one world's bitset) as covered.
    fn explore_masked(
        &self,
        w: usize,
        starts: &[u32],
        ws: &mut Workspace,
        mask: Option<&[u64]>,
    ) -> u64 {
        let g = self.model.graph();
        let cov = &self.covered[w];
        let key = self.keys[w];
        let bit = |b: &[u64], v: u32| b[v as usize >> 6] >> (v & 63) & 1 == 1;
        let is_cov = |v: u32| bit(cov, v) || mask.is_some_and(|m| bit(m, v));
        let mut count = 0u64;
        let base = ws.queue.len();
        for &s in starts {
            if !is_cov(s) && ws.visit(s) {
                ws.queue.push(s);
                count += self.worth(s);
            }
        }
        let mut head = base;
        while head < ws.queue.len() {
            let u = ws.queue[head];
            head += 1;
            let row = self.model.out_row(u);
            for (j, &v) in g.out_neighbors(u).iter().enumerate() {
                if is_cov(v) || ws.visited(v) {
                    continue;
                }
                let gj = g.out_range(u).start + j;
                if self.live(key, u, j, gj, v, row) {
                    ws.visit(v);
                    ws.queue.push(v);
                    count += self.worth(v);
                }
            }
        }
        count
    }

    /// Marginal gain (summed over worlds) of adding `v` to the current seeds.
    pub fn gain(&self, v: u32, ws: &mut Workspace) -> u64 {
        (0..self.runs())
            .map(|w| {
                ws.reset();
                self.explore(w, &[v], ws)
            })
            .sum()
    }

    /// Per world, the nodes `v` newly reaches beyond the current seeds (a bitset each): lets
    /// CELF++ evaluate many `mg2` gains against the same `prev_best` without re-exploring it.
    pub fn reach_bits(&self, v: u32) -> Vec<Vec<u64>> {
        let words = self.model.graph().num_nodes().div_ceil(64);
        (0..self.runs())
            .into_par_iter()
            .map(|w| {
                self.with_ws(|ws| {
                    ws.reset();
                    self.explore(w, &[v], ws);
                    let mut b = vec![0u64; words];
                    for &u in &ws.queue {
                        b[u as usize >> 6] |= 1 << (u & 63);
                    }
                    b
                })
            })
            .collect()
    }

    /// Gain of `v` given the current seeds plus a node whose reach is `extra` (CELF++'s mg2).
    pub fn gain_after(&self, v: u32, extra: &[Vec<u64>], ws: &mut Workspace) -> u64 {
        (0..self.runs())
            .map(|w| {
                ws.reset();
                self.explore_masked(w, &[v], ws, Some(&extra[w]))
            })
            .sum()
    }

    /// Runs `f` with this thread's workspace.
    fn with_ws<T>(&self, f: impl FnOnce(&mut Workspace) -> T) -> T {
        let i = rayon::current_thread_index().unwrap_or(0) % self.pool.len();
        let mut ws = self.pool[i].lock().unwrap_or_else(|e| e.into_inner());
        f(&mut ws)
    }

    /// Gain of `v` given the current seeds (plus a node whose reach is `extra`), in parallel
    /// over worlds.
    pub fn par_gain(&self, v: u32, extra: Option<&[Vec<u64>]>) -> u64 {
        (0..self.runs())
            .into_par_iter()
            .with_min_len(8)
            .map(|w| {
                self.with_ws(|ws| {
                    ws.reset();
                    self.explore_masked(w, &[v], ws, extra.map(|e| e[w].as_slice()))
                })
            })
            .sum()
    }

    /// Gains of many nodes (each given the current seeds plus `extra`), in parallel over nodes;
    /// `None` when `limits` expire first (checked before each node: a first pass over every
    /// candidate of a large graph can take hours, and a time limit or Ctrl-C must not wait for
    /// it).
    pub fn gains(
        &self,
        nodes: &[u32],
        extra: Option<&[Vec<u64>]>,
        limits: &crate::limits::Limits,
    ) -> Option<Vec<u64>> {
        nodes
            .par_iter()
            .map(|&v| {
                limits.expired().is_none().then(|| {
                    self.with_ws(|ws| match extra {
                        Some(e) => self.gain_after(v, e, ws),
                        None => self.gain(v, ws),
                    })
                })
            })
            .collect()
    }

    /// Adds `v` to the seeds; returns its gain.
    pub fn commit(&mut self, v: u32) -> u64 {
        let newly: Vec<Vec<u32>> = (0..self.runs())
            .into_par_iter()
            .map(|w| {
                self.with_ws(|ws| {
                    ws.reset();
                    self.explore(w, &[v], ws);
                    ws.queue.clone()
                })
            })
            .collect();
        let mut gain = 0;
        for (w, nodes) in newly.into_iter().enumerate() {
            gain += nodes.iter().map(|&u| self.worth(u)).sum::<u64>();
            for u in nodes {
                self.covered[w][u as usize >> 6] |= 1 << (u & 63);
            }
        }
        self.total += gain;
        gain
    }

    /// Average spread of the committed seeds over the worlds.
    pub fn spread(&self) -> f64 {
        self.per_world(self.total)
    }
}

impl Selector for McGreedy {
    fn select(&self, ctx: &SelectContext<'_>) -> Result<Selection> {
        let model = ctx.model;
        let n = ctx.n();
        let k = ctx.effective_k();
        let mut oracle = WorldOracle::new(
            model,
            ctx.config.mc_runs,
            ctx.config.seed,
            ctx.roots.weights(),
        );
        let mut seeds = Vec::with_capacity(k);
        let mut gains = Vec::with_capacity(k);
        let mut chosen = vec![false; n];
        for &f in ctx.forced.iter().take(k) {
            if !chosen[f as usize] {
                chosen[f as usize] = true;
                let got = oracle.commit(f);
                gains.push(oracle.per_world(got));
                seeds.push(f);
            }
        }
        let cands: Vec<u32> = (0..n as u32)
            .filter(|&v| ctx.is_candidate(v) && !chosen[v as usize])
            .collect();
        let mut stopped: Option<crate::limits::LimitHit> = None;
        // Every candidate's gain, or `None` when a limit expires first.
        let eval_all = |oracle: &WorldOracle<'_>, list: &[u32]| -> Option<Vec<u64>> {
            ctx.progress
                .begin("Monte Carlo gains", Some(list.len() as u64));
            let out: Option<Vec<u64>> = list
                .par_iter()
                .map_init(
                    || Workspace::new(n),
                    |ws, &v| {
                        if ctx.config.limits.expired().is_some() {
                            return None;
                        }
                        let g = oracle.gain(v, ws);
                        ctx.progress.advance(1);
                        Some(g)
                    },
                )
                .collect();
            ctx.progress.end();
            out
        };
        match self.0 {
            Laziness::None => {
                let mut remaining = cands;
                while seeds.len() < k && !remaining.is_empty() {
                    if let Some(h) = ctx.config.limits.expired() {
                        stopped = Some(h);
                        break;
                    }
                    let Some(g) = eval_all(&oracle, &remaining) else {
                        stopped = ctx.config.limits.expired();
                        break;
                    };
                    let (best_i, _) = g
                        .iter()
                        .enumerate()
                        .max_by_key(|&(i, &x)| (x, Reverse(remaining[i])))
                        .unwrap();
                    let v = remaining.remove(best_i);
                    let got = oracle.commit(v);
                    gains.push(oracle.per_world(got));
                    seeds.push(v);
                }
            }
            Laziness::Celf => {
                let init = eval_all(&oracle, &cands);
                if init.is_none() {
                    stopped = ctx.config.limits.expired();
                }
                // (gain, tie-break, round in which the gain was computed)
                let mut heap: BinaryHeap<(u64, Reverse<u32>, usize)> = cands
                    .iter()
                    .zip(init.unwrap_or_default())
                    .map(|(&v, g)| (g, Reverse(v), seeds.len()))
                    .collect();
                while seeds.len() < k {
                    let Some((g, Reverse(v), round)) = heap.pop() else {
                        break;
                    };
                    if round == seeds.len() {
                        // A gain already computed for these seeds: the pick costs no new
                        // evaluation, so a limit does not throw it away.
                        let got = oracle.commit(v);
                        debug_assert_eq!(got, g);
                        gains.push(oracle.per_world(got));
                        seeds.push(v);
                    } else {
                        if let Some(h) = ctx.config.limits.expired() {
                            stopped = Some(h);
                            break;
                        }
                        heap.push((oracle.par_gain(v, None), Reverse(v), seeds.len()));
                    }
                }
            }
            Laziness::CelfPlusPlus => {
                stopped = celfpp(ctx, &mut oracle, &cands, &mut seeds, &mut gains, k);
            }
        }
        let rounds = seeds.len() as u32;
        Ok(Selection {
            seeds,
            gains: Some(gains),
            // 1-1/e of the best on the sampled worlds, and only for a greedy run to its end.
            approximation: stopped.is_none().then_some(1.0 - 1.0 / std::f64::consts::E),
            upper_bound: None,
            status: match stopped {
                Some(crate::limits::LimitHit::Time) => SelectStatus::TimeLimit,
                Some(crate::limits::LimitHit::Memory) => SelectStatus::MemoryLimit,
                Some(crate::limits::LimitHit::Interrupt) => SelectStatus::Interrupted,
                None => SelectStatus::Finished,
            },
            rr_sets: 0,
            rr_bytes: 0,
            rr_ids: 0,
            rounds,
            certify_on_estimate: false,
            worlds: 0,
        })
    }
}

#[derive(Clone, Copy)]
struct Entry {
    mg1: u64,
    node: u32,
    prev_best: Option<u32>,
    mg2: u64,
    flag: usize,
}

fn celfpp(
    ctx: &SelectContext<'_>,
    oracle: &mut WorldOracle<'_>,
    cands: &[u32],
    seeds: &mut Vec<u32>,
    gains: &mut Vec<f64>,
    k: usize,
) -> Option<crate::limits::LimitHit> {
    // Initial pass: mg1 for everyone; cur_best for node i is the best of the nodes before it
    // (the paper's sequential pass), a prefix maximum; then every mg2 in parallel.
    ctx.progress.begin("Monte Carlo gains", None);
    let limits = &ctx.config.limits;
    let Some(mg1) = oracle.gains(cands, None, limits) else {
        ctx.progress.end();
        return limits.expired();
    };
    let mut prev_best: Vec<Option<u32>> = Vec::with_capacity(cands.len());
    let mut cur_best: Option<(u64, u32)> = None;
    for (i, &v) in cands.iter().enumerate() {
        prev_best.push(cur_best.map(|c| c.1));
        if cur_best.is_none_or(|(g, b)| (mg1[i], Reverse(v)) > (g, Reverse(b))) {
            cur_best = Some((mg1[i], v));
        }
    }
    // Nodes sharing a prev_best are evaluated together against its cached reach.
    let mut mg2 = mg1.clone();
    let mut groups: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (i, b) in prev_best.iter().enumerate() {
        if let Some(b) = b {
            groups.entry(*b).or_default().push(i);
        }
    }
    for (b, members) in groups {
        let bits = oracle.reach_bits(b);
        let nodes: Vec<u32> = members.iter().map(|&i| cands[i]).collect();
        let Some(got) = oracle.gains(&nodes, Some(&bits), limits) else {
            ctx.progress.end();
            // Every mg1 is known and exact: the first pick is, too; keep it.
            let best = (0..cands.len()).max_by_key(|&i| (mg1[i], Reverse(cands[i])));
            if let (Some(i), true) = (best, seeds.len() < k) {
                let got = oracle.commit(cands[i]);
                gains.push(oracle.per_world(got));
                seeds.push(cands[i]);
            }
            return limits.expired();
        };
        for (i, g) in members.into_iter().zip(got) {
            mg2[i] = g;
        }
    }
    ctx.progress.end();
    let mut entries: Vec<Entry> = (0..cands.len())
        .map(|i| Entry {
            mg1: mg1[i],
            node: cands[i],
            prev_best: prev_best[i],
            mg2: mg2[i],
            flag: seeds.len(),
        })
        .collect();
    let mut heap: BinaryHeap<(u64, Reverse<u32>, usize)> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.mg1, Reverse(e.node), i))
        .collect();
    let mut last_seed: Option<u32> = None;
    let mut cur_best: Option<(u64, u32)> = None;
    // Reach of cur_best given the current seeds, cached while cur_best and the seeds stay.
    let mut best_bits: Option<(u32, Vec<Vec<u64>>)> = None;
    while seeds.len() < k {
        let Some((_, _, i)) = heap.pop() else {
            break;
        };
        let e = entries[i];
        if e.flag == seeds.len() {
            let got = oracle.commit(e.node);
            gains.push(oracle.per_world(got));
            seeds.push(e.node);
            last_seed = Some(e.node);
            cur_best = None;
            best_bits = None;
            continue;
        }
        let mut e2 = e;
        if e.prev_best.is_some() && e.prev_best == last_seed && e.flag + 1 == seeds.len() {
            e2.mg1 = e.mg2;
        } else {
            // Only new evaluations wait on the limit: a pick whose gain is known is kept.
            if let Some(h) = limits.expired() {
                return Some(h);
            }
            e2.mg1 = oracle.par_gain(e.node, None);
            e2.prev_best = cur_best.map(|c| c.1);
            e2.mg2 = match cur_best {
                Some((_, b)) => {
                    if best_bits.as_ref().is_none_or(|(node, _)| *node != b) {
                        best_bits = Some((b, oracle.reach_bits(b)));
                    }
                    oracle.par_gain(e.node, best_bits.as_ref().map(|x| x.1.as_slice()))
                }
                None => e2.mg1,
            };
        }
        e2.flag = seeds.len();
        if cur_best.is_none_or(|(g, b)| (e2.mg1, Reverse(e2.node)) > (g, Reverse(b))) {
            cur_best = Some((e2.mg1, e2.node));
        }
        entries[i] = e2;
        heap.push((e2.mg1, Reverse(e2.node), i));
    }
    None
}

/// Whether arc `u -> v` (the `j`-th out-edge of `u`, global forward index `gj`) is live in the
/// world with key `key`. IC: the arc's own coin. LT: whether `v` chose `u` as its live in-edge.
#[inline]
pub(crate) fn arc_live(
    m: &Model<'_>,
    key: u64,
    u: u32,
    j: usize,
    gj: usize,
    v: u32,
    row: RowProbs<'_>,
) -> bool {
    match m.kind() {
        ModelKind::IndependentCascade => {
            let p = m.out_prob(row, j, v);
            p >= 1.0
                || (p > 0.0
                    && unit_f64(mix64(key ^ (gj as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))) < p)
        }
        ModelKind::LinearThreshold => {
            let r = unit_f64(mix64(
                key ^ (v as u64 | 1 << 40).wrapping_mul(0xC2B2_AE3D_27D4_EB4F),
            ));
            let nbrs = m.graph().in_neighbors(v);
            let d = nbrs.len();
            let pick = match m.in_row(v) {
                RowProbs::Const(p) => {
                    if p * d as f64 >= 1.0 - 1e-12 {
                        Some(((r * d as f64) as usize).min(d - 1))
                    } else if p <= 0.0 {
                        None
                    } else {
                        Some((r / p) as usize).filter(|&i| i < d)
                    }
                }
                RowProbs::PerEdge(w) => {
                    let mut acc = r;
                    w.iter().position(|&x| {
                        acc -= x as f64;
                        acc < 0.0
                    })
                }
                RowProbs::InvInDegree => None,
            };
            pick.is_some_and(|i| nbrs[i] == u)
        }
    }
}
