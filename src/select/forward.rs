//! `auto` on a small pool of accounts that reach few people: forward live-edge worlds.
//!
//! An RR set hits a pool with probability (the pool's reach) / (the population). On a cost table
//! of ten accounts that reach only themselves, on soc-Slashdot0902's 82k, one set in 8,000
//! does: `auto` drew 490M sets (132 s) to pick three of them, and a budgeted plan of two
//! among three accounts on NetHEPT held 3.5 GB of sets. Forward worlds waste nothing there: a
//! world explores only what the pool reaches.
//!
//! In world `w` every pool member's cascade is explored alone (coins hashed from `(seed, world,
//! arc)`, the Monte Carlo greedy's worlds), and every person reached becomes one set: the members
//! who reach them in that world. The coverage of those sets over `R` worlds, divided by `R`, is a
//! seed set's average reach on the worlds, exactly, so the RR greedy (lazy, with its bound) picks
//! on them unchanged: the picks are the Monte Carlo greedy's on the same worlds.
//!
//! The stopping rule is `auto`'s: worlds double until the selection's reach, measured on as many
//! independent worlds, is known to 1% and gained at most the tolerance over the last round's
//! selection (paired on the same worlds, with a standard error of at most half the tolerance).
//! The ratio reported is that reach over the greedy's bound on the selection worlds. It is
//! measured on the sampled worlds, like `celf`'s, not a high-probability certificate: such a
//! bound would need the range of a world's reach, which is everyone the pool could ever reach.

use super::mc_greedy::arc_live;
use super::{SelectContext, SelectStatus, Selection};
use crate::diffusion::{Model, Workspace};
use crate::error::Result;
use crate::rng::{stream_key, Purpose};
use crate::rrset::{greedy_with_bonus, InvertedIndex, RrCollection};
use rayon::prelude::*;
use std::ops::Range;

/// Largest pool explored world by world: each world explores every member alone.
const MAX_POOL: usize = 4096;
/// Share of the population the whole pool may reach: above it, RR sets hit the pool often
/// enough to be the better tool (and they select among many more candidates at once).
const MAX_REACH_SHARE: f64 = 0.01;
/// Work of one world (people reached and arcs tried, every member explored alone) as a share of
/// the nodes: one world stands for an RR set from every root, each of which costs at least its
/// root.
const MAX_WORK_SHARE: f64 = 0.25;
/// Worlds of the pilot that decides.
const PILOT: u64 = 64;
/// RR sets drawn to price one against a world, for a pool that reaches more than
/// `MAX_REACH_SHARE`.
const RR_PILOT: u64 = 1024;
/// How much cheaper forward worlds must look than RR sets, for a pool that reaches more than
/// `MAX_REACH_SHARE`, to be taken: the pilot's variance of a heavy-tailed reach runs low.
const FORWARD_MARGIN: f64 = 4.0;
/// Worlds of the first round.
pub(crate) const FIRST: u64 = 1024;
/// Most worlds of one collection.
pub(crate) const MAX_WORLDS: u64 = 1 << 22;
/// Worlds per parallel task.
const BLOCK: u64 = 32;
/// Relative standard error of the validated reach required to stop (as `auto`'s R2).
pub(crate) const RSE: f64 = 0.01;

/// Live-edge worlds drawn from `(seed, purpose)`: world `w`'s arcs are live by hashed coins, the
/// same as the Monte Carlo greedy's oracle (`WorldOracle`) for `Purpose::Worlds`.
pub(crate) struct Worlds<'a> {
    model: &'a Model<'a>,
    seed: u64,
    purpose: Purpose,
    /// Whole audience weights ([`whole_weights`]): a person reached counts this much (`None`:
    /// 1), and people of weight 0 are left out of the sets.
    weights: Option<&'a [u64]>,
}

impl<'a> Worlds<'a> {
    pub(crate) fn new(model: &'a Model<'a>, seed: u64, purpose: Purpose) -> Self {
        Worlds {
            model,
            seed,
            purpose,
            weights: None,
        }
    }

    /// The same worlds, each person reached counted at `weights`.
    pub(crate) fn weighted(mut self, weights: Option<&'a [u64]>) -> Self {
        self.weights = weights;
        self
    }

    /// What person `v` counts for: their audience weight, or 1.
    pub(crate) fn weight(&self, v: u32) -> u64 {
        self.weights.map_or(1, |w| w[v as usize])
    }

    /// Explores world `key` from `starts`, beyond what `ws` has visited since its reset (its
    /// queue holds every node visited, in order); returns the arcs tried.
    pub(crate) fn explore(&self, key: u64, starts: &[u32], ws: &mut Workspace) -> u64 {
        let m = self.model;
        m.spread_where(starts, ws, |u, j, gj, v, row| {
            arc_live(m, key, u, j, gj, v, row)
        })
    }

    /// `f(key, workspace)` for every world of `range`, in parallel blocks, in world order.
    pub(crate) fn map<T: Send>(
        &self,
        range: Range<u64>,
        f: impl Fn(u64, &mut Workspace) -> T + Sync,
    ) -> Vec<T> {
        let n = self.model.graph().num_nodes();
        let starts: Vec<u64> = range.clone().step_by(BLOCK as usize).collect();
        let blocks: Vec<Vec<T>> = starts
            .into_par_iter()
            .map_init(
                || Workspace::new(n),
                |ws, b| {
                    (b..(b + BLOCK).min(range.end))
                        .map(|w| f(stream_key(self.seed, self.purpose, w), ws))
                        .collect()
                },
            )
            .collect();
        blocks.into_iter().flatten().collect()
    }

    /// `f` for every world of `range` as [`Worlds::map`] does, handed to `sink` in world order a
    /// batch of `batch` worlds at a time, so only one batch of results is held at once.
    pub(crate) fn for_each_batched<T: Send>(
        &self,
        range: Range<u64>,
        batch: u64,
        f: impl Fn(u64, &mut Workspace) -> T + Sync,
        mut sink: impl FnMut(T),
    ) {
        let mut lo = range.start;
        // Ctrl-C stops between batches; the caller's results are then partial, and its
        // command exits 130 without them.
        while lo < range.end && !crate::limits::interrupted() {
            let hi = lo.saturating_add(batch.max(1)).min(range.end);
            self.map(lo..hi, &f).into_iter().for_each(&mut sink);
            lo = hi;
        }
    }

    /// Reach of `seeds` in each world of `range` (audience weight, with weights).
    pub(crate) fn reach(&self, seeds: &[u32], range: Range<u64>) -> Vec<u64> {
        self.map(range, |key, ws| {
            ws.reset();
            self.explore(key, seeds, ws);
            crate::eval::weight_of(&ws.queue, self.weights)
        })
    }

    /// Appends to `coll` the sets of the worlds in `range`: per world, every person a member of
    /// `pool` reaches, as the members who reach them (by person, then member). Every set
    /// stored: the oracle of [`Worlds::tally_sets`] in tests.
    #[cfg(test)]
    pub(crate) fn append_sets(&self, coll: &mut RrCollection, pool: &[u32], range: Range<u64>) {
        let one_world = |key: u64, ws: &mut Workspace| {
            let pairs = self.reached_by(key, pool, ws);
            let ids: Vec<u32> = pairs.iter().map(|&(_, v)| v).collect();
            let mut offs = vec![0u32];
            for group in pairs.chunk_by(|x, y| x.0 == y.0) {
                offs.push(offs.last().unwrap() + group.len() as u32);
            }
            (ids, offs)
        };
        self.for_each_batched(range, 1024, one_world, |(ids, offs)| {
            coll.push_given(&ids, &offs)
        });
    }

    /// In world `key`, `(person, member)` for every person each member of `pool` reaches
    /// (people of audience weight 0 left out), sorted: a person's set is a run of equal first
    /// items, its members in increasing order.
    fn reached_by(&self, key: u64, pool: &[u32], ws: &mut Workspace) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for &v in pool {
            ws.reset();
            self.explore(key, &[v], ws);
            match self.weights {
                None => pairs.extend(ws.queue.iter().map(|&u| (u, v))),
                Some(w) => pairs.extend(
                    ws.queue
                        .iter()
                        .filter(|&&u| w[u as usize] > 0)
                        .map(|&u| (u, v)),
                ),
            }
        }
        pairs.sort_unstable();
        pairs
    }

    /// The sets of the worlds in `range`, as [`Worlds::append_sets`] would append them, counted
    /// into `tally` instead: each distinct set once, with how many times it was seen (each
    /// time at its person's audience weight, with weights).
    pub(crate) fn tally_sets(&self, tally: &mut Tally, pool: &[u32], range: Range<u64>) {
        // Each world's distinct sets are counted on its own thread, so the tally (serial, in
        // world order) sees each once per world: a member reaching many people repeats its set
        // within one world as much as across worlds. Sets of one member, most of them, go by
        // member without a table.
        let one_world = |key: u64, ws: &mut Workspace| {
            let pairs = self.reached_by(key, pool, ws);
            let mut ones: Vec<(u32, u64)> = Vec::new();
            let mut more: Vec<(Vec<u32>, u64)> = Vec::new();
            let mut here: rustc_hash::FxHashMap<Vec<u32>, usize> = Default::default();
            let mut buf: Vec<u32> = Vec::new();
            for group in pairs.chunk_by(|x, y| x.0 == y.0) {
                let w = self.weight(group[0].0);
                if let [(_, v)] = group {
                    ones.push((*v, w));
                    continue;
                }
                buf.clear();
                buf.extend(group.iter().map(|p| p.1));
                match here.get(&buf[..]) {
                    Some(&i) => more[i].1 += w,
                    None => {
                        here.insert(buf.clone(), more.len());
                        more.push((buf.clone(), w));
                    }
                }
            }
            ones.sort_unstable_by_key(|&(v, _)| v);
            let ones: Vec<(u32, u64)> = ones
                .chunk_by(|a, b| a.0 == b.0)
                .map(|r| (r[0].0, r.iter().map(|x| x.1).sum()))
                .collect();
            (ones, more)
        };
        // A batch at a time: a round's worlds held whole reached 918 MB beside 7 MB of sets.
        self.for_each_batched(range, 1024, one_world, |(ones, more)| {
            for (v, w) in ones {
                tally.add_one(v, w);
            }
            for (set, w) in more {
                tally.add(&set, w);
            }
        });
    }
}

/// Distinct sets of forward worlds, each with how many times it was seen, in order of first
/// sight (world order, so the same whatever the thread count). A pool's worlds repeat a few
/// sets over and over: the 131k worlds of 60 small NetHEPT accounts held 6.4M sets, of which the
/// budgeted greedy, dual and LP went through every one, again and again.
pub(crate) struct Tally {
    /// Sets of more than one member, by members.
    index: rustc_hash::FxHashMap<Box<[u32]>, usize>,
    /// Per node, its set of one member (`u32::MAX` while unseen): most sets, without hashing.
    one: Vec<u32>,
    /// Per set, in order of first sight: its weight, and for a set of one member, the member.
    weights: Vec<u64>,
    single: Vec<u32>,
    ids: u64,
}

impl Tally {
    /// An empty tally of sets over nodes `0..n`.
    pub(crate) fn new(n: usize) -> Self {
        Tally {
            index: Default::default(),
            one: vec![u32::MAX; n],
            weights: Vec::new(),
            single: Vec::new(),
            ids: 0,
        }
    }

    fn add_one(&mut self, v: u32, w: u64) {
        match self.one[v as usize] {
            u32::MAX => {
                self.one[v as usize] = self.weights.len() as u32;
                self.ids += 1;
                self.weights.push(w);
                self.single.push(v);
            }
            i => self.weights[i as usize] += w,
        }
    }

    fn add(&mut self, set: &[u32], w: u64) {
        match self.index.get(set) {
            Some(&i) => self.weights[i] += w,
            None => {
                self.ids += set.len() as u64;
                self.index.insert(set.into(), self.weights.len());
                self.weights.push(w);
                self.single.push(u32::MAX);
            }
        }
    }

    /// The distinct sets as a weighted collection (`RrCollection::from_weighted`).
    pub(crate) fn collection(&self, seed: u64, purpose: Purpose) -> RrCollection {
        let mut sets: Vec<&[u32]> = vec![&[]; self.weights.len()];
        for (set, &i) in &self.index {
            sets[i] = set;
        }
        for (i, v) in self.single.iter().enumerate() {
            if *v != u32::MAX {
                sets[i] = std::slice::from_ref(v);
            }
        }
        RrCollection::from_weighted(
            seed,
            purpose,
            sets.into_iter().zip(self.weights.iter().copied()),
        )
    }

    /// Bytes held, about, that grow with the worlds: the ids, and per set its box, table slot
    /// and weight (the nodes' slots are [`Tally::node_bytes`]).
    pub(crate) fn bytes(&self) -> u64 {
        4 * self.ids + 48 * self.weights.len() as u64
    }

    /// Bytes held per node, whatever the worlds: a memory check doubles only [`Tally::bytes`].
    pub(crate) fn node_bytes(&self) -> u64 {
        4 * self.one.len() as u64
    }
}

/// Audience weights as forward worlds can count them: `Some(None)` without an audience,
/// `Some(Some(w))` when every weight is a whole number (a 0/1 audience, or counts of people per
/// account), `None` otherwise: the worlds' tallies and sums are integers, exact whatever the
/// order they are added in, and a fractional weight would need rounding. Those audiences stay on
/// RR sets.
pub(crate) fn whole_weights(roots: &crate::rrset::RootSampler) -> Option<Option<Vec<u64>>> {
    match roots.weights() {
        None => Some(None),
        Some(w) => w
            .iter()
            .map(|&x| {
                (x.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&x)).then_some(x as u64)
            })
            .collect::<Option<Vec<u64>>>()
            .map(Some),
    }
}

/// The pool `auto` should select from on forward worlds, if any: its candidates (a cost table,
/// a candidate list) and must-includes, when [`forward_pool`] takes them.
pub(crate) fn pool_of(ctx: &SelectContext<'_>) -> Option<Vec<u32>> {
    let cands = ctx.candidates?;
    let pool = (0..ctx.n() as u32)
        .filter(|&v| cands[v as usize] || ctx.forced.contains(&v))
        .take(MAX_POOL + 1)
        .collect();
    forward_pool(ctx.model, ctx.roots, ctx.config.seed, pool)
}

/// `pool` (sorted, without repeats) if forward worlds should select from it: at most
/// `MAX_POOL` accounts, no audience weights, worlds that cost under `MAX_WORK_SHARE` of the
/// nodes each, and either a whole reach under `MAX_REACH_SHARE` of the population or worlds
/// `FORWARD_MARGIN` times cheaper than RR sets for the same precision (see the end). Measured
/// on `PILOT` worlds (and `RR_PILOT` RR sets) of their own streams, so the choice is the same
/// whatever the thread count.
///
/// The pilot gives up as soon as the work passes its bar (the sum only grows, so giving up early
/// never changes the answer): 2,000 hubs under `uniform:0.3` on NetHEPT took 19 s to be
/// turned down when every world explored every member. That bounds its work by about the bar
/// (one world's whole-pool exploration at most beyond), so it does not answer limits: a deadline
/// there sent a three-account plan to RR sets, which returned it empty.
pub(crate) fn forward_pool(
    model: &Model<'_>,
    roots: &crate::rrset::RootSampler,
    seed: u64,
    pool: Vec<u32>,
) -> Option<Vec<u32>> {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    if pool.len() > MAX_POOL || pool.is_empty() {
        return None;
    }
    let weights = whole_weights(roots)?;
    let weights = weights.as_deref();
    let nf = model.graph().num_nodes() as f64;
    // The audience's whole weight: what a reach is a share of.
    let population = roots.total_population();
    let reach_bar = (MAX_REACH_SHARE * population * PILOT as f64) as u64;
    let work_bar = (MAX_WORK_SHARE * nf * PILOT as f64) as u64;
    let (reach, work) = (AtomicU64::new(0), AtomicU64::new(0));
    let failed = AtomicBool::new(false);
    let pilot = Worlds::new(model, seed, Purpose::WorldsPilot);
    pilot.map(0..PILOT, |key, ws| {
        if failed.load(Ordering::Relaxed) {
            return;
        }
        ws.reset();
        pilot.explore(key, &pool, ws);
        reach.fetch_add(
            crate::eval::weight_of(&ws.queue, weights),
            Ordering::Relaxed,
        );
        for &v in &pool {
            ws.reset();
            let w = pilot.explore(key, &[v], ws) + ws.queue.len() as u64;
            if work.fetch_add(w, Ordering::Relaxed) + w > work_bar {
                failed.store(true, Ordering::Relaxed);
                return;
            }
        }
    });
    if failed.load(Ordering::Relaxed) {
        return None;
    }
    let reach = reach.into_inner();
    if let Some(w) = weights {
        // An audience the pilot never reached is RR sets' case: their roots are drawn from the
        // audience itself. (Worlds that all read 0 stopped a plan's estimate at 0 where it
        // reaches 14.)
        if reach == 0 {
            return None;
        }
        // A heavy person reached once in a while weighs on a world's reach far beyond what the
        // pilot shows: weights above 1 must pass the variance test below.
        if reach <= reach_bar && w.iter().all(|&x| x <= 1) {
            return Some(pool);
        }
    } else if reach <= reach_bar {
        return Some(pool);
    }
    // A pool that reaches more than the bar may still be far cheaper on worlds: 70 accounts of
    // the 3,000-node demo that reach one person each, at a budget that buys one, drew 30M RR
    // sets (42 s, 2.5 GB) to tell them apart, for want of the 1% bar. To the same precision on
    // the pool's reach, worlds cost (work per world) x (variance of a world's reach) / mean^2
    // and RR sets (work per set) x n / mean; worlds are taken when they look `FORWARD_MARGIN`
    // times cheaper. The variance is not the pilot's, which misses rare cascades (a review's
    // 400 accounts with an arc of 1e-5 into a hub that reaches 20,000 went on 8.4M worlds for
    // 68 s, 13 s on RR sets), but the most it can be for a reach between 0 and the most people
    // the pool can ever reach (`reach_bounds`): mean x (most - mean), at least the mean.
    let r = PILOT as f64;
    let mean = reach as f64 / r;
    let most = crate::eval::weighted_reach_bounds(model, &pool, weights).1 as f64;
    let var = (mean * (most - mean)).max(mean);
    let per_world = work.into_inner() as f64 / r;
    let mut rr = crate::rrset::RrCollection::new(seed, Purpose::RrPilot);
    rr.extend_to(model, roots, RR_PILOT);
    let per_set = (rr.total_ids() + 2 * RR_PILOT) as f64 / RR_PILOT as f64;
    let forward = per_world * var / (mean * mean);
    let sets = per_set * population / mean;
    (FORWARD_MARGIN * forward <= sets).then_some(pool)
}

/// A selection's reach on validation worlds, and its gain over the previous round's.
pub(crate) struct Validated {
    pub(crate) reach: f64,
    pub(crate) se: f64,
    pub(crate) gain: f64,
    pub(crate) gain_se: f64,
}

/// Fewest worlds that may show no variance at all and still count as precise: until then a rare
/// cascade (an arc of probability 1e-4 into 2,000 people) may simply not have fired, and a
/// standard error of 0 would claim certainty.
pub(crate) const ZERO_VARIANCE_WORLDS: u64 = 1 << 16;

impl Validated {
    /// Whether the reach is known to `RSE` (or to `resolution` people) after `r` worlds;
    /// `certain`: no world can give any member of the pool another reach
    /// ([`pool_is_certain`]). A selection that merely looks
    /// certain is not enough: a first round's picks of members that reach three people for
    /// certain stopped the run before it could see members with rare large cascades (reach 6
    /// where 11 was there).
    pub(crate) fn precise(&self, r: u64, certain: bool, resolution: f64) -> bool {
        if self.se > 0.0 {
            self.se <= (RSE * self.reach).max(resolution)
        } else {
            certain || r >= ZERO_VARIANCE_WORLDS
        }
    }

    /// Whether the last doubling gained at most `tol` of the reach (or `resolution` people, if
    /// more), measured to half of it.
    pub(crate) fn converged(&self, tol: f64, resolution: f64) -> bool {
        let bar = (tol * self.reach).max(resolution);
        self.gain <= bar && self.gain_se <= bar / 2.0
    }
}

/// Whether no world can give any member of `pool` (and so any plan of it, a union of the
/// members' reaches) another reach: for each member alone, the fewest and the most people it can
/// reach agree (sinks, arcs of probability 0 or 1). Member by member, not the pool as a whole: a
/// member whose rare cascade leads to people another member reaches for certain leaves the
/// pool's reach certain, but not a plan without that other member. Such a pool stops at its
/// first precise round instead of growing to `ZERO_VARIANCE_WORLDS`.
pub(crate) fn pool_is_certain(model: &Model<'_>, pool: &[u32]) -> bool {
    let mut ws = model.workspace();
    pool.iter().all(|&v| {
        let (least, most) = crate::eval::reach_bounds_in(model, &[v], &mut ws);
        least == most
    })
}

/// Mean and standard error of per-world values from their integer sums.
fn mean_se(sum: i128, sum_sq: u128, r: u64) -> (f64, f64) {
    let rf = r as f64;
    let mean = sum as f64 / rf;
    let var = if r > 1 {
        ((sum_sq as f64 - sum as f64 * mean) / (rf - 1.0)).max(0.0)
    } else {
        0.0
    };
    (mean, (var / rf).sqrt())
}

pub(crate) fn validate(
    worlds: &Worlds<'_>,
    seeds: &[u32],
    prev: Option<&[u32]>,
    r: u64,
) -> Validated {
    let a = worlds.reach(seeds, 0..r);
    let b = prev.map(|p| worlds.reach(p, 0..r));
    let sum: i128 = a.iter().map(|&x| x as i128).sum();
    let sq: u128 = a.iter().map(|&x| (x as u128) * (x as u128)).sum();
    let (reach, se) = mean_se(sum, sq, r);
    let (gain, gain_se) = match &b {
        Some(b) => {
            let d = a.iter().zip(b).map(|(&x, &y)| x as i128 - y as i128);
            let s: i128 = d.clone().sum();
            let q: u128 = d.map(|x| (x * x) as u128).sum();
            mean_se(s, q, r)
        }
        None => (f64::INFINITY, f64::INFINITY),
    };
    Validated {
        reach,
        se,
        gain,
        gain_se,
    }
}

/// `auto` on forward worlds of `pool` (see the module notes).
pub(crate) fn select(ctx: &SelectContext<'_>, pool: &[u32]) -> Result<Selection> {
    let n = ctx.n();
    let k = ctx.effective_k();
    let cfg = &ctx.config;
    // `pool_of` took this pool, so any audience weights are whole.
    let weights = whole_weights(ctx.roots).flatten();
    let pick = Worlds::new(ctx.model, cfg.seed, Purpose::Worlds).weighted(weights.as_deref());
    let check =
        Worlds::new(ctx.model, cfg.seed, Purpose::WorldsValidate).weighted(weights.as_deref());
    // Distinct sets with their weights: most sets of a small pool are one member's, repeated.
    let mut tally = Tally::new(n);
    let mut r = FIRST;
    let mut peak = 0u64;
    let mut rounds = 0u32;
    let mut prev: Option<Vec<u32>> = None;
    let certain = pool_is_certain(ctx.model, pool);
    ctx.progress.begin("forward worlds of the pool", None);
    pick.tally_sets(&mut tally, pool, 0..r);
    let (greedy, seen, status) = loop {
        rounds += 1;
        let coll = tally.collection(cfg.seed, Purpose::Worlds);
        let index = InvertedIndex::build(&coll, n);
        let peak_now = tally.bytes() + tally.node_bytes() + coll.bytes() + index.bytes();
        peak = peak.max(peak_now);
        // What grows with the worlds (not the index's offsets or the tally's node slots).
        let fixed = tally.node_bytes() + 8 * (n as u64 + 1);
        let g = greedy_with_bonus(&[(&coll, &index)], n, k, ctx.candidates, ctx.forced, None);
        drop((coll, index));
        let v = validate(&check, &g.seeds, prev.as_deref(), r);
        if v.precise(r, certain, cfg.resolution) && v.converged(cfg.tolerance, cfg.resolution) {
            break (g, v, SelectStatus::Converged);
        }
        if r >= MAX_WORLDS {
            break (g, v, SelectStatus::SampleBound);
        }
        // The next round holds about twice this one's sets and index.
        let over_memory = !cfg.limits.fits(2 * (peak_now - fixed) + fixed);
        match cfg.limits.expired() {
            Some(h) => break (g, v, h.into()),
            None if over_memory => break (g, v, SelectStatus::MemoryLimit),
            None => {}
        }
        ctx.progress.note(&format!(
            "{r} worlds: reach {:.2}, gain of the last doubling {:.2}",
            v.reach, v.gain
        ));
        prev = Some(g.seeds);
        pick.tally_sets(&mut tally, pool, r..2 * r);
        r *= 2;
    };
    ctx.progress.end();
    let rf = r as f64;
    let bound = greedy.upper_bound / rf;
    Ok(Selection {
        gains: Some(greedy.gains.iter().map(|g| g / rf).collect()),
        seeds: greedy.seeds,
        approximation: (bound > 0.0).then(|| (seen.reach / bound).min(1.0)),
        // No plan reaches more than everyone.
        upper_bound: Some(bound.min(ctx.roots.total_population())),
        status,
        rr_sets: 0,
        rr_bytes: peak,
        rr_ids: tally.ids,
        rounds,
        certify_on_estimate: false,
        worlds: 2 * r,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{ModelKind, ProbScheme};
    use crate::graph::Graph;
    use crate::progress::Silent;
    use crate::rrset::{greedy_max_coverage, RootSampler};
    use crate::select::{Algorithm, SelectConfig};

    /// A random graph with sources, sinks, isolated nodes and hubs.
    fn graph(n: u32, m: usize, seed: u64) -> Graph {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let edges: Vec<(u32, u32)> = (0..m)
            .map(|_| {
                // A quarter of the arcs leave the first ten nodes (hubs).
                let a = if next() % 4 == 0 {
                    next() % 10
                } else {
                    next() % n as u64
                };
                (a as u32, (next() % n as u64) as u32)
            })
            .collect();
        Graph::from_edges(n as usize, &edges, None)
    }

    fn ctx<'a>(
        m: &'a Model<'a>,
        roots: &'a RootSampler,
        cands: &'a [bool],
        k: usize,
        seed: u64,
    ) -> SelectContext<'a> {
        SelectContext {
            model: m,
            roots,
            candidates: Some(cands),
            forced: &[],
            config: SelectConfig::new(k, seed),
            progress: &Silent,
        }
    }

    #[test]
    fn picks_are_the_monte_carlo_greedys_on_the_same_worlds() {
        let g = graph(300, 1500, 7);
        let n = g.num_nodes();
        for kind in [ModelKind::IndependentCascade, ModelKind::LinearThreshold] {
            let m = Model::new(&g, kind, ProbScheme::WeightedCascade, 1).unwrap();
            let roots = RootSampler::uniform(n);
            // The hubs and a spread of others.
            let pool: Vec<u32> = (0..n as u32).filter(|v| v % 7 == 0 || *v < 10).collect();
            let mut cands = vec![false; n];
            pool.iter().for_each(|&v| cands[v as usize] = true);
            for seed in [1, 2] {
                let worlds = 512;
                let mut coll = RrCollection::new(seed, Purpose::Worlds);
                let w = Worlds::new(&m, seed, Purpose::Worlds);
                w.append_sets(&mut coll, &pool, 0..worlds);
                let ours = greedy_max_coverage(&coll, n, 6, Some(&cands), &[]);
                // Distinct sets with their weights instead (drawn in two halves, as rounds
                // do): the same picks, gains and bound.
                let mut tally = Tally::new(n);
                w.tally_sets(&mut tally, &pool, 0..worlds / 2);
                w.tally_sets(&mut tally, &pool, worlds / 2..worlds);
                let lean = tally.collection(seed, Purpose::Worlds);
                assert!(
                    lean.len() * 4 < coll.len(),
                    "{} of {}",
                    lean.len(),
                    coll.len()
                );
                assert_eq!(lean.total_weight(), coll.len() as u64);
                let index = InvertedIndex::build(&lean, n);
                let weighted = greedy_with_bonus(&[(&lean, &index)], n, 6, Some(&cands), &[], None);
                assert_eq!(ours, weighted, "{kind:?} seed {seed}");
                let mut c = ctx(&m, &roots, &cands, 6, seed);
                c.config.mc_runs = worlds as u32;
                let celf = Algorithm::Celf.selector().select(&c).unwrap();
                assert_eq!(ours.seeds, celf.seeds, "{kind:?} seed {seed}");
                // The gains agree too: both are exact averages over the same worlds.
                for (a, b) in ours.gains.iter().zip(celf.gains.unwrap()) {
                    assert!((a / worlds as f64 - b).abs() < 1e-9, "{a} vs {b}");
                }
            }
        }
    }

    /// A budgeted plan on the tally's distinct weighted sets is the one on every set stored:
    /// the same seeds, spend, coverage, MIP and LP, and a bound no looser (the dual, whose
    /// work is counted in stored ids, runs further on fewer of them). The tally is the same
    /// on one thread and on two.
    #[test]
    fn budgeted_plans_on_distinct_sets_are_those_on_every_set() {
        use crate::budget::{allocate_on, BudgetConfig, BudgetSample, Constraints};
        use crate::input::CostTable;
        let g = graph(400, 2400, 11);
        let n = g.num_nodes();
        let mut lp_compared = 0;
        for kind in [ModelKind::IndependentCascade, ModelKind::LinearThreshold] {
            let m = Model::new(&g, kind, ProbScheme::WeightedCascade, 1).unwrap();
            // Hubs and ordinary accounts, at prices 1 to 4 in two categories.
            let pool: Vec<u32> = (0..n as u32).filter(|v| v % 9 == 0 || *v < 10).collect();
            let costs = CostTable {
                cost: (0..n as u32)
                    .map(|v| pool.contains(&v).then_some(1.0 + (v % 4) as f64))
                    .collect(),
                category: (0..n as u32).map(|v| Some(v % 2)).collect(),
                categories: vec!["a".into(), "b".into()],
                priced: pool.len(),
                ..Default::default()
            };
            let worlds = 256u64;
            let w = Worlds::new(&m, 5, Purpose::Worlds);
            let mut every = RrCollection::new(5, Purpose::Worlds);
            w.append_sets(&mut every, &pool, 0..worlds);
            let tallied = |threads: usize| {
                let pool_t = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool_t.install(|| {
                    let mut t = Tally::new(n);
                    w.tally_sets(&mut t, &pool, 0..worlds / 4);
                    w.tally_sets(&mut t, &pool, worlds / 4..worlds);
                    t.collection(5, Purpose::Worlds)
                })
            };
            let (one, two) = (tallied(1), tallied(2));
            assert_eq!(one.weights(), two.weights(), "{kind:?}");
            assert!(
                one.iter().eq(two.iter()),
                "{kind:?}: the same sets in the same order"
            );
            assert_eq!(one.total_weight(), every.len() as u64);
            let sample = |sets: RrCollection| BudgetSample {
                sets,
                a: 0.0,
                rr_sets: 0,
                rounds: 1,
                peak_bytes: 0,
                limit: None,
                status: SelectStatus::Converged,
                worlds,
                worlds_drawn: 2 * worlds,
            };
            let (all, distinct) = (sample(every.clone()), sample(one));
            let free = (0, usize::MAX, f64::INFINITY);
            for (budget, max_seeds, category, include) in [
                (6.0, usize::MAX, vec![free; 2], vec![]),
                (9.0, 3, vec![free; 2], vec![0]),
                (
                    8.0,
                    4,
                    vec![(2, usize::MAX, f64::INFINITY), (0, 1, 3.0)],
                    vec![],
                ),
            ] {
                let cons = Constraints {
                    budget,
                    max_seeds,
                    include,
                    exclude: vec![9],
                    category,
                };
                let mut cfg = BudgetConfig::new(5);
                // Every set stored would have its MIP solved on a prefix past the row cap, which
                // distinct sets (no sample in a prefix) never are: compare whole programs.
                cfg.mip_max_rows = usize::MAX;
                let plan = |s: &BudgetSample| allocate_on(&m, s, n, n as f64, &costs, &cons, &cfg);
                let (a, b) = (plan(&all), plan(&distinct));
                let what = format!("{kind:?}, budget {budget}, cap {max_seeds}");
                assert!(!a.seeds.is_empty(), "{what}");
                assert_eq!(a.seeds, b.seeds, "{what}");
                assert_eq!(a.spent, b.spent, "{what}");
                assert_eq!(a.method, b.method, "{what}");
                assert_eq!(a.greedy_coverage, b.greedy_coverage, "{what}");
                assert_eq!(a.mip_coverage, b.mip_coverage, "{what}");
                // Every set stored may solve the LP on a prefix cut inside a world, which no
                // bound uses; distinct sets skip it then.
                if let (Some(la), Some(lb)) = (a.lp_bound, b.lp_bound) {
                    assert!((la - lb).abs() <= 1e-6 * la, "{what}: LP {la} against {lb}");
                    lp_compared += 1;
                }
                assert!((a.greedy_bound - b.greedy_bound).abs() < 1e-6, "{what}");
                assert!(b.dual_bound <= a.dual_bound * (1.0 + 1e-6), "{what}");
                assert!(b.upper_bound <= a.upper_bound * (1.0 + 1e-9), "{what}");
                assert!(b.rr_ids < a.rr_ids, "{what}");
            }
        }
        assert!(lp_compared > 0, "no LP solved on both");
    }

    #[test]
    fn a_small_pool_that_reaches_few_goes_forward_and_others_do_not() {
        let g = graph(20_000, 40_000, 3);
        let n = g.num_nodes();
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(n);
        // Ordinary accounts (not hubs): each reaches a handful of people.
        let mut small = vec![false; n];
        (100..120).for_each(|v| small[v] = true);
        assert!(pool_of(&ctx(&m, &roots, &small, 3, 1)).is_some());
        // Every account: RR sets.
        let all = vec![true; n];
        assert!(pool_of(&ctx(&m, &roots, &all, 3, 1)).is_none());
        // Everything fires: the pool reaches far beyond 1% of the graph.
        let m1 = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::Uniform(1.0),
            1,
        )
        .unwrap();
        let mut hubs = vec![false; n];
        (0..10).for_each(|v| hubs[v] = true);
        assert!(pool_of(&ctx(&m1, &roots, &hubs, 3, 1)).is_none());
        // Whole audience weights: worlds count them; a fractional one sends the pool to RR sets
        // (the worlds' sums are integers).
        let weighted = RootSampler::weighted(&vec![1.0; n]);
        assert!(pool_of(&ctx(&m, &weighted, &small, 3, 1)).is_some());
        let mut halves = vec![1.0; n];
        halves[7] = 0.5;
        let weighted = RootSampler::weighted(&halves);
        assert!(pool_of(&ctx(&m, &weighted, &small, 3, 1)).is_none());
        // On a graph of 2,000, 25 accounts that reach no one but themselves reach more than 1%
        // of the people; each world costs next to nothing beside the RR sets that would tell
        // them apart: worlds (RR sets drew 30M sets for such a pool on the demo market).
        let g2 = graph(2_000, 4_000, 3);
        let n2 = g2.num_nodes();
        let m2 = Model::new(
            &g2,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let roots2 = RootSampler::uniform(n2);
        let sinks: Vec<u32> = (10..n2 as u32)
            .filter(|&v| g2.out_degree(v) == 0)
            .take(25)
            .collect();
        assert_eq!(sinks.len(), 25);
        assert!(sinks.len() as f64 > MAX_REACH_SHARE * n2 as f64);
        let mut quiet = vec![false; n2];
        sinks.iter().for_each(|&v| quiet[v as usize] = true);
        assert!(pool_of(&ctx(&m2, &roots2, &quiet, 3, 1)).is_some());
        // The hubs under WC reach a large part of it: RR sets.
        let mut hubs2 = vec![false; n2];
        (0..10).for_each(|v| hubs2[v] = true);
        assert!(pool_of(&ctx(&m2, &roots2, &hubs2, 3, 1)).is_none());
    }

    #[test]
    fn the_forward_plan_is_the_same_on_one_and_two_threads() {
        let g = graph(20_000, 40_000, 5);
        let n = g.num_nodes();
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(n);
        let mut cands = vec![false; n];
        (200..260).for_each(|v| cands[v] = true);
        let c = ctx(&m, &roots, &cands, 5, 9);
        let pool = pool_of(&c).expect("a small pool");
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| select(&c, &pool).unwrap())
        };
        let (a, b) = (run(1), run(2));
        assert_eq!(a.seeds, b.seeds);
        assert_eq!(a.gains, b.gains);
        assert_eq!(a.worlds, b.worlds);
        assert_eq!(a.approximation, b.approximation);
        assert_eq!(a.status, SelectStatus::Converged);
    }

    #[test]
    fn a_pool_whose_reach_is_certain_stops_at_once() {
        // Sinks and certain arcs only: every world gives the same reach, and no world can differ,
        // so the first round is precise (it grew to 65,536 worlds before).
        let mut edges: Vec<(u32, u32)> = (0..50).map(|v| (v, v + 1000)).collect();
        edges.extend((1000..1050).map(|v| (v, v + 1000)));
        let probs = vec![1.0f32; edges.len()];
        let g = Graph::from_edges(20_000, &edges, Some(&probs));
        let n = g.num_nodes();
        let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::File, 1).unwrap();
        let roots = RootSampler::uniform(n);
        let mut cands = vec![false; n];
        (0..50).for_each(|v| cands[v] = true);
        (5000..5050).for_each(|v| cands[v] = true);
        let c = ctx(&m, &roots, &cands, 4, 1);
        let pool = pool_of(&c).expect("a small pool");
        let sel = select(&c, &pool).unwrap();
        assert_eq!(sel.status, SelectStatus::Converged);
        assert!(sel.worlds <= 4 * FIRST, "{} worlds", sel.worlds);
        // Each of the first 50 reaches itself and two more for certain; the sinks only
        // themselves.
        assert_eq!(sel.gains.as_deref(), Some(&[3.0, 3.0, 3.0, 3.0][..]));
    }

    #[test]
    fn picks_that_look_certain_do_not_stop_a_pool_that_is_not() {
        // Members 0-3 reach two more people for certain; members 10-13 reach a hub over 50,000
        // people through an arc of probability 1e-4 (reach about 6). The first round rarely
        // sees a rare cascade and picks certain members; the run must go on until it does.
        let hub = 100u32;
        let mut edges: Vec<(u32, u32)> = Vec::new();
        let mut probs: Vec<f32> = Vec::new();
        for v in 0..4u32 {
            edges.extend([(v, 1000 + 2 * v), (v, 1001 + 2 * v)]);
            probs.extend([1.0, 1.0]);
        }
        for v in 10..14u32 {
            edges.push((v, hub));
            probs.push(1e-4);
        }
        edges.extend((0..50_000u32).map(|i| (hub, 2000 + i)));
        probs.extend(std::iter::repeat_n(1.0f32, 50_000));
        let g = Graph::from_edges(52_000, &edges, Some(&probs));
        let n = g.num_nodes();
        let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::File, 1).unwrap();
        let roots = RootSampler::uniform(n);
        let mut cands = vec![false; n];
        (0..4).chain(10..14).for_each(|v| cands[v] = true);
        let c = ctx(&m, &roots, &cands, 2, 1);
        let pool = pool_of(&c).expect("a small pool");
        assert!(!pool_is_certain(&m, &pool));
        let sel = select(&c, &pool).unwrap();
        assert!(
            sel.seeds.iter().all(|v| (10..14).contains(v)),
            "{:?} after {} worlds",
            sel.seeds,
            sel.worlds
        );
    }

    #[test]
    fn a_pool_is_certain_only_when_each_member_is() {
        // 0 -> 2 at 0.5 and 1 -> 2 at 1: the pool as a whole reaches {0, 1, 2} for certain,
        // but a plan of 0 alone reaches 1 or 2 people.
        let g = Graph::from_edges(3, &[(0, 2), (1, 2)], Some(&[0.5, 1.0]));
        let m = Model::new(&g, ModelKind::IndependentCascade, ProbScheme::File, 1).unwrap();
        let (least, most) = crate::eval::reach_bounds(&m, &[0, 1]);
        assert_eq!((least, most), (3, 3));
        assert!(!pool_is_certain(&m, &[0, 1]));
        assert!(pool_is_certain(&m, &[1]));
    }
}
