//! An RR collection kept as its node→sets index alone.
//!
//! The coverage greedy needs, for each node, the sets holding it (the index); the sets
//! themselves only serve to keep every node's count of uncovered sets up to date. Counting a
//! node's uncovered sets by a scan of its list when the lazy greedy asks for it gives the same
//! gains, so a collection that is only ever covered and selected on need not keep its sets:
//! `IndexedRr` draws them in batches, indexes each batch and drops it. The index (a
//! `PackedIndex`) takes about 2 bytes per stored membership plus 8 per node, where stored sets
//! took 4 per membership and 4 per set, and their plain index 4 more per membership. `auto` and
//! `opim` keep both their collections this way.

use super::{PackedIndex, RootSampler, RrCollection, CHUNK};
use crate::diffusion::Model;
use crate::limits::{LimitHit, Limits};
use crate::rng::Purpose;
use fixedbitset::FixedBitSet;
use std::sync::atomic::{AtomicBool, Ordering};

/// Fewest sets drawn in one batch; a round draws in about eight batches beyond that, so the sets
/// in flight stay a fraction of the index while each index extension (which moves the lists
/// already held) is amortised over many sets.
const MIN_BATCH: u64 = CHUNK as u64 * 32;

/// Sets `Ahead::draw` draws between two looks at its stop flag: a quarter of a millisecond on
/// soc-Slashdot0902, so the thread waiting for it waits little.
const AHEAD_PIECE: u64 = 256;

/// Sets drawn ahead of a collection's next `grow` (`Ahead::draw`), with, on a pool,
/// the count of every member (`RrCollection::extend_pool`'s counts).
#[derive(Debug, Clone)]
pub struct Ahead {
    batch: RrCollection,
    counts: Vec<u32>,
}

impl Ahead {
    /// Draws sets `from..` toward `target` of the streams `(seed, purpose)` (an
    /// `IndexedRr::streams`) for a collection's next `grow` (`IndexedRr::adopt`), on the pool
    /// `keep` when the collection has one. Stops between pieces of `AHEAD_PIECE` sets once
    /// `stop` is set or a limit is hit (the next `grow` reports it). It needs nothing of the
    /// collection but its streams, so it can run while the collection grows to `from` and is
    /// selected on: on two threads `auto` draws the next round's sets on the thread that would
    /// otherwise wait. They are the sets of the same streams, so `grow` stores the same
    /// collection either way.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        (seed, purpose): (u64, Purpose),
        from: u64,
        target: u64,
        model: &Model<'_>,
        roots: &RootSampler,
        keep: Option<&[bool]>,
        limits: &Limits,
        stop: &AtomicBool,
    ) -> Ahead {
        let mut batch = RrCollection::new_at(seed, purpose, from);
        let mut ws = model.workspace();
        let mut to = from;
        while to < target && !stop.load(Ordering::Relaxed) && limits.expired().is_none() {
            to = (to + AHEAD_PIECE).min(target);
            batch.extend_here(model, roots, to, keep, &mut ws);
        }
        let counts = batch.take_dropped();
        Ahead { batch, counts }
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.batch.bytes() + self.counts.capacity() as u64 * 4
    }

    /// Sets drawn.
    pub fn sampled(&self) -> u64 {
        self.batch.sampled() - self.batch.first()
    }

    /// These sets as they would have been drawn on the pool `keep` (for a collection projected
    /// on it after they were drawn: `IndexedRr::project`).
    pub fn projected(&self, keep: &[bool]) -> Ahead {
        assert!(self.counts.is_empty(), "drawn on a pool already");
        let (batch, counts) = self.batch.projected(keep);
        Ahead { batch, counts }
    }
}

/// RR sets drawn from streams `(seed, purpose, i)` and kept only as their index: set numbers are
/// the stored sets in order (a set with no member in the pool is drawn but not stored).
#[derive(Debug, Clone)]
pub struct IndexedRr {
    seed: u64,
    purpose: Purpose,
    index: PackedIndex,
    /// Sets drawn.
    sampled: u64,
    /// Memberships indexed.
    ids: u64,
    /// On a pool: per node left out, the sets drawn that held it. One array per sampling thread
    /// while `grow` runs (the batches count into them: `RrCollection::lend_drop_buffers`), one
    /// after (`fold_dropped`). Empty otherwise.
    dropped: Vec<Vec<u32>>,
    /// Most bytes held at once: the index and the batches in flight.
    peak: u64,
    /// Sets drawn ahead (`adopt`), which the next `grow` indexes first.
    ahead: Option<Ahead>,
}

impl IndexedRr {
    /// No sets yet, over nodes `0..n`.
    pub fn new(seed: u64, purpose: Purpose, n: usize) -> Self {
        IndexedRr {
            seed,
            purpose,
            index: PackedIndex::empty(n),
            sampled: 0,
            ids: 0,
            dropped: Vec::new(),
            peak: 0,
            ahead: None,
        }
    }

    /// The index: node → numbers of the stored sets holding it, in increasing order.
    pub fn index(&self) -> &PackedIndex {
        &self.index
    }

    /// Sets drawn (estimates divide by this).
    pub fn sampled(&self) -> u64 {
        self.sampled
    }

    /// Sets stored: the set numbers in use.
    pub fn len(&self) -> usize {
        self.index.indexed()
    }

    /// True when no set is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Memberships stored.
    pub fn total_ids(&self) -> u64 {
        self.ids
    }

    /// Whether the collection is kept on a pool (`project`, `grow` with a pool).
    pub fn is_pooled(&self) -> bool {
        !self.dropped.is_empty()
    }

    /// Per node outside the pool, the sets drawn that held it (empty without a pool; entries of
    /// nodes in the pool mean nothing).
    pub fn dropped(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for b in &self.dropped {
            if out.is_empty() {
                out = b.clone();
            } else {
                out.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            }
        }
        out
    }

    /// The arrays whose sum is `dropped()` (`coverage::Dropped` reads them without summing).
    pub fn dropped_arrays(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.dropped.iter().map(Vec::as_slice)
    }

    /// Bytes held now.
    pub fn bytes(&self) -> u64 {
        self.index.bytes() + self.dropped_bytes() + self.ahead.as_ref().map_or(0, Ahead::bytes)
    }

    fn dropped_bytes(&self) -> u64 {
        self.dropped.iter().map(Vec::capacity).sum::<usize>() as u64 * 4
    }

    /// Most bytes held at once so far, a batch in flight included.
    pub fn peak_bytes(&self) -> u64 {
        self.peak.max(self.bytes())
    }

    /// Draws sets up to `target` in all, in batches, each indexed and dropped; on a pool
    /// (`keep`), stores only the members in it and counts the others in `dropped`. Stops between
    /// batches when a limit is hit and returns it. A collection with a pool grows only on it.
    ///
    /// Each batch is indexed while the next one is drawn: the index extension is serial, the
    /// drawing parallel, so on two threads the drawing takes the other thread and then both.
    pub fn grow(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        limits: &Limits,
        keep: Option<&[bool]>,
    ) -> Option<LimitHit> {
        assert!(
            keep.is_some() || !self.is_pooled(),
            "a pooled collection grows only on its pool"
        );
        let step = Self::batch(self.sampled, target);
        let (seed, purpose) = (self.seed, self.purpose);
        // A batch on a pool counts its dropped members straight into this collection's arrays.
        let draw = |from: u64, to: u64, bufs: Vec<Vec<u32>>| {
            let mut batch = RrCollection::new_at(seed, purpose, from);
            let bufs = match keep {
                None => {
                    batch.extend_to(model, roots, to);
                    bufs
                }
                Some(keep) => {
                    batch.lend_drop_buffers(bufs);
                    batch.extend_pool(model, roots, to, keep);
                    batch.take_drop_buffers()
                }
            };
            (batch, bufs)
        };
        let mut drawn = self.sampled;
        let mut pending: Option<RrCollection> = None;
        if let Some(a) = self.ahead.take() {
            drawn = a.batch.sampled();
            if !a.counts.is_empty() {
                self.dropped.push(a.counts);
            }
            pending = Some(a.batch);
        }
        let mut hit = None;
        loop {
            let next = if drawn >= target || hit.is_some() {
                None
            } else if let Some(h) = limits.expired() {
                hit = Some(h);
                None
            } else {
                Some((drawn + step).min(target))
            };
            if next.is_none() && pending.is_none() {
                self.fold_dropped();
                return hit;
            }
            let bufs = std::mem::take(&mut self.dropped);
            let index = &mut self.index;
            let ((fresh, bufs), ()) = rayon::join(
                || match next {
                    Some(to) => {
                        let (batch, bufs) = draw(drawn, to, bufs);
                        (Some(batch), bufs)
                    }
                    None => (None, bufs),
                },
                || {
                    if let Some(batch) = &pending {
                        index.extend_batch(batch);
                    }
                },
            );
            self.dropped = bufs;
            let in_flight: u64 = pending.iter().chain(&fresh).map(|b| b.bytes()).sum();
            self.peak = self
                .peak
                .max(self.index.peak_bytes() + in_flight + self.dropped_bytes());
            if let Some(batch) = pending.take() {
                self.ids += batch.total_ids();
                self.sampled = batch.sampled();
            }
            pending = fresh;
            drawn = next.unwrap_or(drawn);
        }
    }

    /// The sets `grow` draws in one batch from `sampled` to `target`: about eight batches a
    /// call, at least `MIN_BATCH` sets each, ending on whole chunks. Two are in flight at once
    /// (one indexed, one drawn); sets drawn ahead are held to one (`Ahead::draw`).
    pub fn batch(sampled: u64, target: u64) -> u64 {
        target
            .saturating_sub(sampled)
            .div_ceil(8)
            .next_multiple_of(CHUNK as u64)
            .max(MIN_BATCH)
    }

    /// The streams this collection draws its sets from (`Ahead::draw`).
    pub fn streams(&self) -> (u64, Purpose) {
        (self.seed, self.purpose)
    }

    /// Takes sets drawn ahead (`Ahead::draw`, then `Ahead::projected` if this collection has
    /// been projected since), which must be the ones right after those it holds: the next
    /// `grow` indexes them first.
    pub fn adopt(&mut self, ahead: Ahead) {
        assert_eq!(
            ahead.batch.first(),
            self.sampled,
            "the sets right after these"
        );
        assert!(self.ahead.is_none(), "one batch ahead at a time");
        if ahead.sampled() > 0 {
            assert_eq!(ahead.counts.is_empty(), !self.is_pooled(), "on this pool");
            self.peak = self.peak.max(self.bytes() + ahead.bytes());
            self.ahead = Some(ahead);
        }
    }

    /// Keeps only the pool `keep`: each node left out is counted in `dropped` (its list's
    /// length: every set drawn that held it) and its list is cut. Set numbers stay; a set left
    /// with no member is still numbered, and covered by nobody.
    pub fn project(&mut self, keep: &[bool]) {
        assert!(!self.is_pooled(), "project a collection kept in full");
        assert!(
            self.ahead.is_none(),
            "project the sets drawn ahead on their own"
        );
        let n = keep.len();
        let mut kept = 0u64;
        self.dropped = vec![(0..n as u32)
            .map(|v| {
                let len = self.index.len_of(v) as u32;
                if keep[v as usize] {
                    kept += len as u64;
                    0
                } else {
                    len
                }
            })
            .collect()];
        self.index.retain(keep);
        self.ids = kept;
    }

    /// Sums the per-thread dropped counts into one array once a call to `grow` is done: the
    /// greedy then reads one number a node per collection, whatever the thread count, and
    /// between rounds a collection holds one array of `n`, not one a thread.
    fn fold_dropped(&mut self) {
        if self.dropped.len() > 1 {
            let mut arrays = std::mem::take(&mut self.dropped).into_iter();
            let mut sum = arrays.next().expect("more than one array");
            for b in arrays {
                sum.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            }
            self.dropped = vec![sum];
        }
    }

    /// Draws again the sets drawn so far (the same streams), on the grown pool `keep`: the way
    /// to a larger pool, which the sets already cut cannot give. Ignores limits: until it is
    /// done there is nothing to select on.
    pub fn regrow(&mut self, model: &Model<'_>, roots: &RootSampler, keep: &[bool]) {
        let target = self.sampled;
        let peak = self.peak;
        *self = IndexedRr::new(self.seed, self.purpose, keep.len());
        self.peak = peak;
        self.grow(model, roots, target, &Limits::none(), Some(keep));
    }

    /// Stored sets holding at least one node marked in `mask`.
    pub fn coverage(&self, mask: &[bool]) -> u64 {
        self.covered_by(mask).count_ones(..) as u64
    }

    /// The stored sets holding a node marked in `mask`.
    fn covered_by(&self, mask: &[bool]) -> FixedBitSet {
        let mut hit = FixedBitSet::with_capacity(self.len());
        for v in (0..mask.len()).filter(|&v| mask[v]) {
            for s in self.index.sets_of(v as u32) {
                hit.insert(s as usize);
            }
        }
        hit
    }

    /// Coverage of two node sets on the same sets, with the sets only the first covers and those
    /// only the second covers: `(cov_a, cov_b, only_a, only_b)`. The difference of the two
    /// coverages is `only_a - only_b`, and its sampling variance about `only_a + only_b`.
    pub fn coverage_pair(&self, a: &[bool], b: &[bool]) -> (u64, u64, u64, u64) {
        let (ha, hb) = (self.covered_by(a), self.covered_by(b));
        let c = |x: usize| x as u64;
        (
            c(ha.count_ones(..)),
            c(hb.count_ones(..)),
            c(ha.difference_count(&hb)),
            c(hb.difference_count(&ha)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{ModelKind, ProbScheme};
    use crate::graph::Graph;
    use crate::rrset::{
        greedy_on_parts, greedy_on_pool, Bonus, Dropped, InvertedIndex, Part, Pool,
    };

    /// Weighted-cascade IC on `g`.
    fn wc(g: &Graph) -> Model<'_> {
        Model::new(
            g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap()
    }

    /// Runs `f` in a pool of each of these sizes.
    fn on_threads(threads: &[usize], f: fn()) {
        for &t in threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(f);
        }
    }

    fn model_graph() -> Graph {
        let mut edges: Vec<(u32, u32)> = (0..900u32)
            .map(|i| ((i * 17 + 3) % 120, (i * 29 + 11) % 120))
            .filter(|(a, b)| a != b)
            .collect();
        // A few hubs with long rows, and nodes 120..130 isolated.
        for h in 0..4u32 {
            edges.extend((0..40u32).map(|j| (h, 4 + (h * 7 + j * 3) % 116)));
        }
        edges.sort_unstable();
        edges.dedup();
        Graph::from_edges(130, &edges, None)
    }

    /// Grown in batches and kept as an index, a collection indexes exactly the sets of the same
    /// collection drawn whole, on a pool or not, and covers the same, whatever the threads.
    #[test]
    fn batches_index_the_same_sets_as_one_collection() {
        on_threads(&[1, 2, 3], batches_equal_one_collection);
    }

    fn batches_equal_one_collection() {
        let g = model_graph();
        let m = wc(&g);
        let roots = RootSampler::uniform(130).stratified(&m);
        let n = 130;
        let keep: Vec<bool> = (0..n).map(|v| v % 3 != 1).collect();
        let none = Limits::none();
        for pooled in [false, true] {
            let mut whole = RrCollection::new(9, Purpose::RrSelect);
            let mut ix = IndexedRr::new(9, Purpose::RrSelect, n);
            // Uneven targets: batches end mid-chunk and across several calls.
            for target in [1000u64, 70_001, 150_000, 300_000] {
                if pooled {
                    whole.extend_pool(&m, &roots, target, &keep);
                    ix.grow(&m, &roots, target, &none, Some(&keep));
                } else {
                    whole.extend_to(&m, &roots, target);
                    ix.grow(&m, &roots, target, &none, None);
                }
                let built = InvertedIndex::build(&whole, n);
                assert_eq!(ix.len(), whole.len());
                assert_eq!(ix.sampled(), whole.sampled());
                assert_eq!(ix.total_ids(), whole.total_ids());
                for v in 0..n as u32 {
                    assert_eq!(
                        ix.index().sets_of(v).collect::<Vec<_>>(),
                        built.sets_of(v),
                        "node {v}"
                    );
                }
                if pooled {
                    assert_eq!(ix.dropped(), whole.dropped());
                }
                let a: Vec<bool> = (0..n).map(|v| v % 7 == 0 && keep[v]).collect();
                let b: Vec<bool> = (0..n).map(|v| v % 5 == 0 && keep[v]).collect();
                assert_eq!(ix.coverage(&a), whole.coverage(&a));
                assert_eq!(ix.coverage_pair(&a, &b), whole.coverage_pair(&a, &b));
            }
        }
    }

    /// Sets drawn ahead and adopted are stored as the next `grow` would have drawn them: on no
    /// pool, on the collection's pool, and drawn whole then projected with the collection; a
    /// batch stopped before it began changes nothing.
    #[test]
    fn sets_drawn_ahead_are_stored_as_if_grown() {
        on_threads(&[1, 2], drawn_ahead_equals_grown);
    }

    fn drawn_ahead_equals_grown() {
        let g = model_graph();
        let m = wc(&g);
        let roots = RootSampler::uniform(130).stratified(&m);
        let n = 130;
        let none = Limits::none();
        let keep: Vec<bool> = (0..n).map(|v| v < 40 || v % 4 == 0).collect();
        let same = |a: &IndexedRr, b: &IndexedRr| {
            assert_eq!(a.sampled(), b.sampled());
            assert_eq!(a.len(), b.len());
            assert_eq!(a.total_ids(), b.total_ids());
            assert_eq!(a.dropped(), b.dropped());
            for v in 0..n as u32 {
                assert_eq!(
                    a.index().sets_of(v).collect::<Vec<_>>(),
                    b.index().sets_of(v).collect::<Vec<_>>(),
                    "node {v}"
                );
            }
        };
        let go = AtomicBool::new(false);
        let stopped = AtomicBool::new(true);
        // 0: no pool; 1: on the pool from the start; 2: projected between draw and adoption.
        for case in 0..3 {
            let (early, late) = match case {
                0 => (None, None),
                1 => (Some(&keep[..]), Some(&keep[..])),
                _ => (None, Some(&keep[..])),
            };
            let mut plain = IndexedRr::new(5, Purpose::RrSelect, n);
            let mut ahead = IndexedRr::new(5, Purpose::RrSelect, n);
            plain.grow(&m, &roots, 20_001, &none, early);
            ahead.grow(&m, &roots, 20_001, &none, early);
            // Short of the next target, ending mid-piece: `grow` draws the rest.
            let a = Ahead::draw(
                ahead.streams(),
                20_001,
                33_333,
                &m,
                &roots,
                early,
                &none,
                &go,
            );
            assert_eq!(a.sampled(), 13_332);
            let nothing = Ahead::draw(
                ahead.streams(),
                20_001,
                33_333,
                &m,
                &roots,
                early,
                &none,
                &stopped,
            );
            assert_eq!(nothing.sampled(), 0);
            let a = if case == 2 {
                plain.project(&keep);
                ahead.project(&keep);
                a.projected(&keep)
            } else {
                a
            };
            ahead.adopt(a);
            plain.grow(&m, &roots, 50_000, &none, late);
            ahead.grow(&m, &roots, 50_000, &none, late);
            same(&plain, &ahead);
            // A batch with no set is not kept.
            let nothing = Ahead::draw(
                ahead.streams(),
                50_000,
                60_000,
                &m,
                &roots,
                late,
                &none,
                &stopped,
            );
            ahead.adopt(nothing);
            plain.grow(&m, &roots, 60_000, &none, late);
            ahead.grow(&m, &roots, 60_000, &none, late);
            same(&plain, &ahead);
        }
    }

    /// Projected on a pool, an index-only collection counts what was left out as a collection
    /// projected in place does, and a regrowth equals a collection drawn on the pool from the
    /// start.
    #[test]
    fn projection_and_regrowth_match_the_stored_collection() {
        let g = model_graph();
        let m = wc(&g);
        let roots = RootSampler::uniform(130);
        let n = 130;
        let none = Limits::none();
        let keep: Vec<bool> = (0..n).map(|v| v < 40 || v % 4 == 0).collect();
        let mut whole = RrCollection::new(4, Purpose::RrValidate);
        whole.extend_to(&m, &roots, 20_000);
        let mut ix = IndexedRr::new(4, Purpose::RrValidate, n);
        ix.grow(&m, &roots, 20_000, &none, None);
        whole.project(&keep);
        ix.project(&keep);
        assert_eq!(ix.dropped(), whole.dropped());
        assert_eq!(ix.total_ids(), whole.total_ids());
        whole.extend_pool(&m, &roots, 50_000, &keep);
        ix.grow(&m, &roots, 50_000, &none, Some(&keep));
        assert_eq!(ix.dropped(), whole.dropped());
        let built = InvertedIndex::build(&whole, n);
        for v in 0..n as u32 {
            assert_eq!(ix.index().sets_of(v).collect::<Vec<_>>(), built.sets_of(v));
        }
        // A larger pool, drawn again.
        let wider: Vec<bool> = (0..n).map(|v| keep[v] || v % 4 == 1).collect();
        ix.regrow(&m, &roots, &wider);
        let mut fresh = RrCollection::new(4, Purpose::RrValidate);
        fresh.extend_pool(&m, &roots, 50_000, &wider);
        let built = InvertedIndex::build(&fresh, n);
        assert_eq!(ix.sampled(), 50_000);
        assert_eq!(ix.dropped(), fresh.dropped());
        for v in 0..n as u32 {
            assert_eq!(ix.index().sets_of(v).collect::<Vec<_>>(), built.sets_of(v));
        }
    }

    /// The greedy on index-only parts picks, gains and bounds exactly as on stored sets: full
    /// or pooled, one part or two, with a bonus, candidates and forced seeds, on one thread and
    /// on several (which count stale gains a few at a time).
    #[test]
    fn index_only_greedy_equals_the_greedy_on_sets() {
        on_threads(&[1, 3], index_only_equals_sets);
    }

    fn index_only_equals_sets() {
        let g = model_graph();
        let m = wc(&g);
        let roots = RootSampler::uniform(130);
        let n = 130;
        let none = Limits::none();
        let bonus: Vec<f64> = (0..n).map(|v| (v % 11) as f64 * 0.5).collect();
        let cands: Vec<bool> = (0..n).map(|v| v % 9 != 4).collect();
        // A pool of the nodes in the most sets (and the forced seeds), as `auto` keeps; the
        // last case's pool is too small, so that its greedy gets blocked.
        let mut probe = RrCollection::new(0, Purpose::RrSelect);
        probe.extend_to(&m, &roots, 6000);
        let probe = InvertedIndex::build(&probe, n);
        let (mut full, mut blocked) = (0, 0);
        for (seed, pooled, bar) in [
            (1u64, false, 0),
            (2, true, 15),
            (3, true, 25),
            (4, true, 400),
        ] {
            let keep: Vec<bool> = (0..n)
                .map(|v| v == 2 || v == 5 || probe.sets_of(v as u32).len() >= bar)
                .collect();
            let mut parts_sets = Vec::new();
            let mut parts_ix = Vec::new();
            for purpose in [Purpose::RrSelect, Purpose::RrValidate] {
                let mut c = RrCollection::new(seed, purpose);
                let mut ix = IndexedRr::new(seed, purpose, n);
                c.extend_to(&m, &roots, 6000);
                ix.grow(&m, &roots, 6000, &none, None);
                if pooled {
                    c.project(&keep);
                    ix.project(&keep);
                    c.extend_pool(&m, &roots, 15_000, &keep);
                    ix.grow(&m, &roots, 15_000, &none, Some(&keep));
                }
                let built = InvertedIndex::build(&c, n);
                parts_sets.push((c, built));
                parts_ix.push(ix);
            }
            for np in [1, 2] {
                let arrays: Vec<&[u32]> = parts_ix[..np]
                    .iter()
                    .flat_map(|p| p.dropped_arrays())
                    .collect();
                let pool = pooled.then_some(Pool {
                    keep: &keep,
                    dropped: Dropped(&arrays),
                });
                for (k, forced, c) in [
                    (8, &[][..], None),
                    (12, &[5u32, 2][..], Some(cands.as_slice())),
                ] {
                    let sets: Vec<(&RrCollection, &InvertedIndex)> =
                        parts_sets[..np].iter().map(|(c, i)| (c, i)).collect();
                    let on_sets = greedy_on_pool(&sets, n, k, c, forced, Some(&bonus), pool);
                    let parts: Vec<Part<'_>> = parts_ix[..np]
                        .iter()
                        .map(|p| Part::Index(p.index()))
                        .collect();
                    let on_ix =
                        greedy_on_parts(&parts, n, k, c, forced, Some(Bonus::of(&bonus)), pool);
                    assert_eq!(on_ix, on_sets, "seed {seed}, {np} parts, k {k}");
                    full += (on_ix.seeds.len() == k) as usize;
                    blocked += on_ix.blocked.is_some() as usize;
                }
            }
        }
        assert!(
            full >= 8 && blocked >= 1,
            "{full} full runs, {blocked} blocked"
        );
    }
}
