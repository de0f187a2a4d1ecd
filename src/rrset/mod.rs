//! Reverse-reachable (RR) sets.
//!
//! An RR set of a uniformly random root `r` holds every node that reaches `r` in one random
//! live-edge world; a seed set `S` reaches `r` exactly when it intersects the set, so
//! `n * Pr[S ∩ R ≠ ∅]` is the expected reach of `S` (Borgs et al. 2014). Sets are stored flat in
//! chunks: `u32` ids with `u32` local offsets (4 bytes per stored id plus 4 per set). Set `i` is
//! drawn from its own stream `(seed, purpose, i)`, so a collection is the same whatever the
//! thread count.

mod coverage;
mod indexed;
mod packed;
mod roots;

pub use coverage::{
    greedy_max_coverage, greedy_on_index, greedy_on_parts, greedy_on_parts_unless, greedy_on_pool,
    greedy_order, greedy_with_bonus, Bonus, CoverageGreedy, Dropped, InvertedIndex, Part, Pool,
};
pub use indexed::{Ahead, IndexedRr};
pub use packed::PackedIndex;
pub use roots::RootSampler;

use crate::diffusion::Model;
use crate::rng::{Purpose, Streams};
use rayon::prelude::*;

/// Sets per chunk, the unit of storage and of parallel sampling: big enough to amortise
/// scheduling and the chunk's own bookkeeping, small enough to balance two cores on skewed set
/// sizes.
const CHUNK: usize = 1024;

/// Up to `CHUNK` consecutive sets, stored flat: `ids` with `offs[j]..offs[j + 1]` for set `j`.
/// Offsets are local to the chunk, so `u32` is enough (a chunk holding 4G ids would be 16 GB).
#[derive(Debug, Clone, Default)]
struct Chunk {
    offs: Vec<u32>,
    ids: Vec<u32>,
}

impl Chunk {
    fn new() -> Self {
        Chunk {
            offs: vec![0],
            ids: Vec::new(),
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.offs.len() - 1
    }

    #[inline]
    fn set(&self, j: usize) -> &[u32] {
        &self.ids[self.offs[j] as usize..self.offs[j + 1] as usize]
    }

    fn push(&mut self, set: &[u32]) {
        self.ids.extend_from_slice(set);
        assert!(
            self.ids.len() <= u32::MAX as usize,
            "an RR chunk outgrew 4G ids"
        );
        self.offs.push(self.ids.len() as u32);
    }

    /// A copy with no spare capacity.
    fn exact(&self) -> Chunk {
        Chunk {
            offs: self.offs.to_vec(),
            ids: self.ids.to_vec(),
        }
    }

    fn bytes(&self) -> usize {
        (self.offs.capacity() + self.ids.capacity()) * 4 + std::mem::size_of::<Chunk>()
    }
}

/// A collection of RR sets.
///
/// Sets live in chunks that the sampling threads fill and hand over as they are: growing the
/// collection neither copies nor zeroes the sets already held (one flat arena did both, serially,
/// at every doubling, and held the new sets twice while copying them in). A full collection keeps
/// every chunk but the last at exactly `CHUNK` sets, so set `i` is in chunk `i / CHUNK`; a
/// projected one (see `extend_projected`), or one that absorbed another at an end inside a chunk
/// (`absorb`), has chunks of any size, found through `buckets`.
#[derive(Debug, Clone)]
pub struct RrCollection {
    chunks: Vec<Chunk>,
    /// First set of each chunk, then the number of sets.
    starts: Vec<usize>,
    /// Every chunk but the last holds exactly `CHUNK` sets.
    aligned: bool,
    /// Unaligned collections only: `buckets[b]` is the chunk holding set `b * CHUNK`, so a set
    /// is found by a step or two from there instead of a binary search (the greedy looks up
    /// every set it covers).
    buckets: Vec<u32>,
    total_ids: u64,
    /// Stream index of the first set (0 but for a batch of a longer collection, see `new_at`).
    first: u64,
    /// Stream index past the last set drawn: `first` plus the sets drawn, which are more than
    /// those stored for a projected collection (see `extend_projected`).
    sampled: u64,
    /// For a collection projected on a pool (`extend_pool`, `project`): per node left out of
    /// the pool, the sets drawn that held it. Empty otherwise.
    dropped: Vec<u32>,
    /// More counts of the same, one array per sampling thread (see `extend_inner`).
    drop_buffers: Vec<Vec<u32>>,
    /// How many times each set was seen, for a collection of distinct sets (`from_weighted`);
    /// empty when every set counts once, as every drawn collection does.
    weights: Vec<u64>,
    seed: u64,
    purpose: Purpose,
}

impl RrCollection {
    /// An empty collection whose set `i` will be drawn from stream `(seed, purpose, i)`.
    pub fn new(seed: u64, purpose: Purpose) -> Self {
        Self::new_at(seed, purpose, 0)
    }

    /// An empty collection whose sets are those of `new(seed, purpose)` from `first` on: a
    /// batch of a longer collection, drawn without holding the sets before it (see
    /// `IndexedRr`). Its `sampled()` counts from 0, as if the sets before it had been drawn.
    pub fn new_at(seed: u64, purpose: Purpose, first: u64) -> Self {
        RrCollection {
            chunks: Vec::new(),
            starts: vec![0],
            aligned: true,
            buckets: Vec::new(),
            total_ids: 0,
            first,
            sampled: first,
            dropped: Vec::new(),
            drop_buffers: Vec::new(),
            weights: Vec::new(),
            seed,
            purpose,
        }
    }

    /// A collection of distinct sets, each seen `w` times: one stored set stands for all of its
    /// copies. The forward worlds of a small pool repeat a few sets millions of times (6.4M
    /// sets of 60 accounts, most of them one account), and the budgeted optimizers' work
    /// follows the sets stored. Every count (coverage, gains, bounds) is then a sum of weights.
    pub(crate) fn from_weighted<'s>(
        seed: u64,
        purpose: Purpose,
        sets: impl IntoIterator<Item = (&'s [u32], u64)>,
    ) -> Self {
        let mut out = RrCollection::new(seed, purpose);
        let mut weights = Vec::new();
        let mut c = Chunk::new();
        for (set, w) in sets {
            if c.len() == CHUNK {
                out.push_chunk(std::mem::replace(&mut c, Chunk::new()));
            }
            c.push(set);
            weights.push(w);
        }
        out.push_chunk(c);
        out.sampled = out.len() as u64;
        out.weights = weights;
        out
    }

    /// How many times set `i` counts (1 but in a collection of distinct sets).
    #[inline]
    pub fn weight(&self, i: usize) -> u64 {
        self.weights.get(i).copied().unwrap_or(1)
    }

    /// Each set's weight, for a collection of distinct sets (`from_weighted`); `None` when every
    /// set counts once.
    #[inline]
    pub fn weights(&self) -> Option<&[u64]> {
        (!self.weights.is_empty()).then_some(&self.weights[..])
    }

    /// Sets counted with their weights: `len()` but for a collection of distinct sets.
    pub fn total_weight(&self) -> u64 {
        match self.weights() {
            Some(w) => w.iter().sum(),
            None => self.len() as u64,
        }
    }

    /// Per node, the weight of the sets holding it (`index` indexing this collection): its
    /// coverage alone.
    pub fn counts(&self, index: &InvertedIndex, n: usize) -> Vec<u64> {
        match self.weights() {
            None => (0..n as u32)
                .map(|v| index.sets_of(v).len() as u64)
                .collect(),
            Some(w) => (0..n as u32)
                .map(|v| index.sets_of(v).iter().map(|&s| w[s as usize]).sum())
                .collect(),
        }
    }

    /// Number of sets.
    #[inline]
    pub fn len(&self) -> usize {
        *self.starts.last().unwrap()
    }

    /// Number of sets drawn: `len()` for a full collection; for a projected one, also the sets
    /// dropped because they held no kept node. Estimates divide by this.
    #[inline]
    pub fn sampled(&self) -> u64 {
        self.sampled
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total ids stored over all sets.
    pub fn total_ids(&self) -> u64 {
        self.total_ids
    }

    /// Members of set `i` (root first).
    #[inline]
    pub fn set(&self, i: usize) -> &[u32] {
        let c = self.chunk_of(i);
        self.chunks[c].set(i - self.starts[c])
    }

    /// Chunk holding set `i`.
    #[inline]
    fn chunk_of(&self, i: usize) -> usize {
        if self.aligned {
            i / CHUNK
        } else {
            let mut c = self.buckets[i / CHUNK] as usize;
            while self.starts[c + 1] <= i {
                c += 1;
            }
            c
        }
    }

    /// Sets `range` in order, with their ids: a walk over the chunks, cheaper than `set(i)` for
    /// each (the hot loops of the index).
    pub fn sets_in(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (usize, &[u32])> + '_ {
        let first = if range.start < range.end {
            self.chunk_of(range.start)
        } else {
            self.chunks.len()
        };
        self.chunks[first..]
            .iter()
            .zip(&self.starts[first..])
            .take_while(move |(_, &s)| s < range.end)
            .flat_map(move |(c, &s)| {
                let a = range.start.max(s) - s;
                let b = range.end.min(s + c.len()) - s;
                (a..b).map(move |j| (s + j, c.set(j)))
            })
    }

    /// All sets in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| (0..c.len()).map(move |j| c.set(j)))
    }

    /// Bytes held by the sets and their offsets (4 bytes per id plus 4 per set), and a pool's
    /// dropped counts.
    pub fn bytes(&self) -> u64 {
        (self.chunks.iter().map(Chunk::bytes).sum::<usize>()
            + self.starts.capacity() * 8
            + self.buckets.capacity() * 4
            + self.dropped.capacity() * 4
            + self.drop_buffers.iter().map(Vec::capacity).sum::<usize>() * 4
            + self.weights.capacity() * 8
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()) as u64
    }

    /// Appends a chunk as it is, or, where a full collection's last chunk has room, its sets
    /// into that one (so the alignment holds).
    fn push_chunk(&mut self, chunk: Chunk) {
        if chunk.len() == 0 {
            return;
        }
        self.total_ids += chunk.ids.len() as u64;
        let n = self.len();
        if self.aligned && !n.is_multiple_of(CHUNK) {
            let last = self.chunks.last_mut().unwrap();
            let room = CHUNK - last.len();
            let take = room.min(chunk.len());
            for j in 0..take {
                last.push(chunk.set(j));
            }
            *self.starts.last_mut().unwrap() += take;
            if take < chunk.len() {
                let mut rest = Chunk::new();
                for j in take..chunk.len() {
                    rest.push(chunk.set(j));
                }
                let end = self.len() + rest.len();
                self.chunks.push(rest);
                self.starts.push(end);
            }
            return;
        }
        let end = n + chunk.len();
        self.chunks.push(chunk);
        self.starts.push(end);
        if !self.aligned {
            self.bucket_chunks(self.chunks.len() - 1);
        }
    }

    /// Leaves alignment behind: from now on chunks have any size, found through `buckets`.
    fn unalign(&mut self) {
        if self.aligned {
            self.aligned = false;
            self.buckets.clear();
            for c in 0..self.chunks.len() {
                self.bucket_chunks(c);
            }
        }
    }

    /// Records chunk `c` (the last one so far) for the buckets its sets begin.
    fn bucket_chunks(&mut self, c: usize) {
        let end = self.starts[c + 1];
        while self.buckets.len() * CHUNK < end {
            self.buckets.push(c as u32);
        }
    }

    /// Grows the collection toward `target` in batches, stopping early (between batches) when a
    /// limit is hit; returns the limit. Without a hit the result equals `extend_to`.
    pub fn extend_limited(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        limits: &crate::limits::Limits,
    ) -> Option<crate::limits::LimitHit> {
        self.extend_in_batches(model, roots, target, limits, None)
    }

    /// Grows toward `target` a batch at a time (see `extend_limited`), with `keep` as in
    /// `extend_onto_limited`.
    fn extend_in_batches(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        limits: &crate::limits::Limits,
        keep: Option<&[bool]>,
    ) -> Option<crate::limits::LimitHit> {
        const BATCH: u64 = CHUNK as u64 * 64;
        loop {
            if let Some(h) = limits.expired() {
                return Some(h);
            }
            let cur = self.sampled;
            if cur >= target {
                return None;
            }
            let to = (cur + BATCH).min(target);
            self.extend_inner(model, roots, to, keep, keep.is_some(), None);
        }
    }

    /// `extend_limited`, storing of each set only its members marked in `keep` (possibly none):
    /// set `i` is still the `i`-th drawn, so `len()` stays `sampled()` and every count over the
    /// sets is what it would be on the full sets for the kept nodes. A budgeted plan keeps only
    /// the accounts it could buy: on soc-Slashdot0902 with 10,000 of 82,168 accounts priced, the
    /// others were most of the ids stored and most of the greedy's and the LP's work.
    pub fn extend_onto_limited(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        limits: &crate::limits::Limits,
        keep: &[bool],
    ) -> Option<crate::limits::LimitHit> {
        assert!(!self.is_pooled(), "a kept-members collection is not pooled");
        self.extend_in_batches(model, roots, target, limits, Some(keep))
    }

    /// Grows the collection to `target` sets (no-op when already that large).
    pub fn extend_to(&mut self, model: &Model<'_>, roots: &RootSampler, target: u64) {
        self.extend_inner(model, roots, target, None, false, None);
    }

    /// Draws sets up to `target` in all, but stores of each only its members marked in `keep`,
    /// and nothing of a set with none. Estimating the reach of seed lists within `keep` needs no
    /// more (which seeds a set holds), and the sets themselves, most of them, need not be kept:
    /// a plan's estimate would otherwise hold millions of sets it only ever intersects with 50
    /// seeds. Estimates divide by `sampled()`, not `len()`.
    pub fn extend_projected(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        keep: &[bool],
    ) {
        self.unalign();
        self.extend_inner(model, roots, target, Some(keep), false, None);
    }

    /// Draws sets up to `target` in all and stores of each only its members in the pool `keep`
    /// (nothing of a set with none), as `extend_projected` does, and also counts, per node left
    /// out, the sets that held it (`dropped`). Those counts bound what a node outside the pool
    /// could add to a greedy on the full sets, so the greedy on the pool can prove it picked
    /// what the full greedy would have (`greedy_on_pool`). On NetHEPT the pool that `auto`
    /// keeps holds a sixth of the ids: the sets, their offsets and the index shrink with it.
    pub fn extend_pool(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        keep: &[bool],
    ) {
        self.onto_pool(keep);
        self.extend_inner(model, roots, target, Some(keep), false, None);
    }

    /// Readies this collection to grow on the pool `keep`: it must be empty or pooled already;
    /// counts go to the lent arrays when there are some (`lend_drop_buffers`), else to its own.
    fn onto_pool(&mut self, keep: &[bool]) {
        assert!(
            self.sampled == self.first || self.is_pooled(),
            "a full collection cannot grow on a pool"
        );
        if !self.is_pooled() {
            self.dropped = vec![0; keep.len()];
        }
        self.unalign();
    }

    /// As `extend_to` (`keep` None) or `extend_pool`, on the calling thread alone with the
    /// workspace `ws`: for a batch drawn in small pieces beside other work (`Ahead::draw`),
    /// where each parallel call would set up a workspace of `n` and could hand a piece to the
    /// busy thread. On a pool the counts go to this collection's own array (never lent ones).
    pub(crate) fn extend_here(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        keep: Option<&[bool]>,
        ws: &mut crate::diffusion::Workspace,
    ) {
        assert!(self.drop_buffers.is_empty(), "counts of its own");
        if let Some(keep) = keep {
            self.onto_pool(keep);
        }
        self.extend_inner(model, roots, target, keep, false, Some(ws));
    }

    /// Takes the counts of an `extend_here` on a pool (empty otherwise).
    pub(crate) fn take_dropped(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.dropped)
    }

    /// Whether this collection was projected on a pool (`extend_pool`, `project`).
    pub fn is_pooled(&self) -> bool {
        !self.dropped.is_empty() || !self.drop_buffers.is_empty()
    }

    /// Hands this collection per-thread count arrays to count its dropped members into (see
    /// `extend_inner`), in place of arrays of its own: a batch drawn for an `IndexedRr` counts
    /// into the collection's arrays, so a batch allocates no array of `n` while a round's
    /// arrays suffice (one a thread) and never sums them.
    pub(crate) fn lend_drop_buffers(&mut self, bufs: Vec<Vec<u32>>) {
        assert!(
            self.drop_buffers.is_empty(),
            "lend to a batch before it grows"
        );
        self.drop_buffers = bufs;
    }

    /// Takes back the per-thread count arrays (`lend_drop_buffers`), with this collection's
    /// counts added.
    pub(crate) fn take_drop_buffers(&mut self) -> Vec<Vec<u32>> {
        std::mem::take(&mut self.drop_buffers)
    }

    /// Per node outside the pool, the sets drawn that held it (empty without a pool; the
    /// entries of nodes in the pool mean nothing).
    pub fn dropped(&self) -> Vec<u32> {
        let mut out = self.dropped.clone();
        for b in &self.drop_buffers {
            if out.is_empty() {
                out = vec![0; b.len()];
            }
            out.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        out
    }

    /// Stream index of this collection's first set (0 but for a batch: `new_at`).
    pub fn first(&self) -> u64 {
        self.first
    }

    /// This full collection as `extend_pool` would have drawn it on the pool `keep`: each set
    /// cut to its members in the pool, a set left with none not stored, and every member counted
    /// in the array returned (of `keep.len()`). A batch drawn before its pool was known
    /// (`Ahead::draw`) is stored exactly as the one drawn after would be.
    pub(crate) fn projected(&self, keep: &[bool]) -> (RrCollection, Vec<u32>) {
        assert!(!self.is_pooled(), "project a full collection");
        assert!(
            self.weights.is_empty(),
            "project a collection of distinct sets"
        );
        let mut out = RrCollection::new_at(self.seed, self.purpose, self.first);
        out.unalign();
        let mut counts = vec![0u32; keep.len()];
        let mut kept = Vec::new();
        for c in &self.chunks {
            let mut part = Chunk::new();
            for j in 0..c.len() {
                kept.clear();
                for &v in c.set(j) {
                    counts[v as usize] += 1;
                    if keep[v as usize] {
                        kept.push(v);
                    }
                }
                if !kept.is_empty() {
                    part.push(&kept);
                }
            }
            out.push_chunk(part);
        }
        out.sampled = self.sampled;
        (out, counts)
    }

    /// Projects the sets held so far on the pool `keep`, in place, as `extend_pool` would have
    /// stored them but for one thing: a set left with no member stays, empty, so the sets keep
    /// their numbers and an index of them needs only to drop the lists of nodes outside the pool
    /// instead of being built again. The collection must be full.
    /// (The oracle of `IndexedRr::project` in tests.)
    #[cfg(test)]
    pub(crate) fn project(&mut self, keep: &[bool]) {
        assert!(self.weights.is_empty(), "project distinct sets");
        assert_eq!(
            self.sampled - self.first,
            self.len() as u64,
            "project a full collection"
        );
        let mut dropped = vec![0u32; keep.len()];
        let mut total = 0u64;
        for c in &mut self.chunks {
            let (mut w, mut from) = (0usize, 0usize);
            for j in 0..c.len() {
                let to = c.offs[j + 1] as usize;
                for r in from..to {
                    let v = c.ids[r];
                    if keep[v as usize] {
                        c.ids[w] = v;
                        w += 1;
                    } else {
                        dropped[v as usize] += 1;
                    }
                }
                c.offs[j + 1] = w as u32;
                from = to;
            }
            c.ids.truncate(w);
            c.ids.shrink_to_fit();
            total += w as u64;
        }
        self.total_ids = total;
        self.dropped = dropped;
    }

    fn extend_inner(
        &mut self,
        model: &Model<'_>,
        roots: &RootSampler,
        target: u64,
        keep: Option<&[bool]>,
        keep_empty: bool,
        here: Option<&mut crate::diffusion::Workspace>,
    ) {
        let start = self.sampled;
        if target <= start {
            return;
        }
        assert!(
            self.weights.is_empty(),
            "draw into a collection of distinct sets"
        );
        assert!(
            keep.is_some() || !self.is_pooled(),
            "a pooled collection grows only on its pool"
        );
        debug_assert!(keep.is_some() || self.sampled - self.first == self.len() as u64);
        let streams = Streams::new(self.seed, self.purpose);
        let stratified = roots.is_stratified();
        let count_dropped = self.is_pooled();
        // Work items end on multiples of CHUNK, so a full collection's chunks line up with them.
        let step = CHUNK as u64;
        let mut bounds = vec![start];
        let mut b = (start / step + 1) * step;
        while b < target {
            bounds.push(b);
            b += step;
        }
        bounds.push(target);
        let items: Vec<(u64, u64)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        // Sets `c0..c1` into `buf` (cleared first); with `keep`, members are counted in
        // `dropped` when it is not empty.
        let fill = |ws: &mut crate::diffusion::Workspace,
                    buf: &mut Chunk,
                    dropped: &mut [u32],
                    (c0, c1): (u64, u64)| {
            buf.offs.truncate(1);
            buf.ids.clear();
            for i in c0..c1 {
                let mut rng = streams.rng(i);
                let root = roots.sample(&mut rng);
                let draw = |rng: &mut _, ws: &mut _, out: &mut Vec<u32>| {
                    if stratified {
                        model.sample_rr_live_root(root, rng, ws, out)
                    } else {
                        model.sample_rr(root, rng, ws, out)
                    }
                };
                match keep {
                    None => draw(&mut rng, ws, &mut buf.ids),
                    Some(keep) => {
                        let before = buf.ids.len();
                        draw(&mut rng, ws, &mut buf.ids);
                        // Compact the kept members in place without a branch per member (which
                        // ones are kept is a coin flip to the predictor). Every member is
                        // counted: only the counts of nodes outside the pool are ever read.
                        let mut w = before;
                        for r in before..buf.ids.len() {
                            let v = buf.ids[r];
                            buf.ids[w] = v;
                            w += keep[v as usize] as usize;
                            if let Some(d) = dropped.get_mut(v as usize) {
                                *d += 1;
                            }
                        }
                        buf.ids.truncate(w);
                        if w == before && !keep_empty {
                            continue;
                        }
                    }
                }
                assert!(
                    buf.ids.len() <= u32::MAX as usize,
                    "an RR chunk outgrew 4G ids"
                );
                buf.offs.push(buf.ids.len() as u32);
            }
            buf.exact()
        };
        let chunks: Vec<Chunk> = if let Some(ws) = here {
            // On this thread: a pool's counts go straight to `dropped` (see `extend_here`).
            let mut counts = std::mem::take(&mut self.dropped);
            let mut buf = Chunk::new();
            let chunks = items
                .iter()
                .map(|&item| fill(ws, &mut buf, &mut counts, item))
                .collect();
            self.dropped = counts;
            chunks
        } else if count_dropped {
            // One array of counts per thread (no atomics, no lock held across threads), kept
            // from one call to the next and summed only when read. A thread holds its array for
            // one item at a time, so work stolen inside an item cannot find it locked. The counts
            // are integer sums, the same whichever thread counted what.
            let n = keep.map_or(0, <[bool]>::len);
            let threads = rayon::current_num_threads().max(1);
            let mut own = std::mem::take(&mut self.drop_buffers);
            own.resize_with(own.len().max(threads), || vec![0u32; n]);
            let bufs: Vec<std::sync::Mutex<Vec<u32>>> =
                own.into_iter().map(std::sync::Mutex::new).collect();
            let chunks = items
                .into_par_iter()
                .map_init(
                    || (model.workspace(), Chunk::new()),
                    |(ws, buf), item| {
                        let t = rayon::current_thread_index().unwrap_or(0) % bufs.len();
                        let mut dropped = bufs[t].lock().expect("no panics under this lock");
                        fill(ws, buf, &mut dropped, item)
                    },
                )
                .collect();
            self.drop_buffers = bufs
                .into_iter()
                .map(|m| m.into_inner().expect("no panics under this lock"))
                .collect();
            chunks
        } else {
            items
                .into_par_iter()
                .map_init(
                    || (model.workspace(), Chunk::new()),
                    |(ws, buf), item| fill(ws, buf, &mut [], item),
                )
                .collect()
        };
        self.chunks.reserve(chunks.len());
        for c in chunks {
            self.push_chunk(c);
        }
        self.sampled = target;
    }

    /// A copy of the first `m` sets.
    pub fn prefix(&self, m: usize) -> RrCollection {
        assert_eq!(
            self.sampled,
            self.len() as u64,
            "prefix of a projected collection"
        );
        // Distinct sets come in order of first sight: a prefix of them is no sample.
        assert!(self.weights.is_empty(), "prefix of distinct sets");
        let mut out = RrCollection::new(self.seed, self.purpose);
        let mut part = Chunk::new();
        for set in self.iter().take(m) {
            part.push(set);
            if part.len() == CHUNK {
                out.push_chunk(std::mem::replace(&mut part, Chunk::new()));
            }
        }
        out.push_chunk(part);
        out.sampled = out.len() as u64;
        out
    }

    /// Appends sets made elsewhere, not drawn from this collection's streams: set `j` is
    /// `ids[offs[j]..offs[j + 1]]`: every set of a small pool's forward worlds stored, the
    /// oracle of their distinct weighted sets (`select::forward::Tally`) in tests.
    #[cfg(test)]
    pub(crate) fn push_given(&mut self, ids: &[u32], offs: &[u32]) {
        assert!(
            self.weights.is_empty(),
            "unweighted sets into distinct ones"
        );
        let mut c = Chunk::new();
        for w in offs.windows(2) {
            if c.len() == CHUNK {
                self.push_chunk(std::mem::replace(&mut c, Chunk::new()));
            }
            c.push(&ids[w[0] as usize..w[1] as usize]);
        }
        self.sampled += offs.len().saturating_sub(1) as u64;
        self.push_chunk(c);
    }

    /// Appends one set given by hand (tests).
    #[cfg(test)]
    pub(crate) fn push_set(&mut self, set: &[u32]) {
        let mut c = Chunk::new();
        c.push(set);
        self.push_chunk(c);
        self.sampled += 1;
    }

    /// Moves all sets of `other` to the end of this collection, its chunks as they are (never a
    /// copy; at an end inside a chunk this collection leaves alignment behind).
    pub fn absorb(&mut self, other: RrCollection) {
        assert!(self.first == 0 && other.first == 0, "absorb a batch");
        assert!(
            self.weights.is_empty() && other.weights.is_empty(),
            "absorb distinct sets"
        );
        assert!(
            self.sampled == 0 || other.sampled == 0 || self.is_pooled() == other.is_pooled(),
            "absorb mixes a pooled and a full collection"
        );
        let other_sets = other.len();
        if self.dropped.is_empty() {
            self.dropped = other.dropped;
        } else {
            self.dropped
                .iter_mut()
                .zip(&other.dropped)
                .for_each(|(x, y)| *x += y);
        }
        self.drop_buffers.extend(other.drop_buffers);
        self.sampled += other.sampled;
        // Aligned chunks after a partial last one would each be copied into new chunks, set by
        // set (2.1M sets on soc-Slashdot0902: 26 MB more than the two collections held, past a
        // `--max-memory` the budget's sampling had checked); unaligned, they are kept as they are.
        if !other.aligned || (!self.len().is_multiple_of(CHUNK) && other_sets > 0) {
            self.unalign();
        }
        for c in other.chunks {
            self.push_chunk(c);
        }
    }
    /// Number of sets that contain at least one node marked in `in_seed` (their weight, in a
    /// collection of distinct sets).
    pub fn coverage(&self, in_seed: &[bool]) -> u64 {
        let hit = |set: &[u32]| set.iter().any(|&v| in_seed[v as usize]);
        if let Some(w) = self.weights() {
            return self
                .sets_in(0..self.len())
                .filter(|(_, set)| hit(set))
                .map(|(i, _)| w[i])
                .sum();
        }
        self.chunks
            .par_iter()
            .with_min_len(4)
            .map(|c| (0..c.len()).filter(|&j| hit(c.set(j))).count() as u64)
            .sum()
    }

    /// Coverage of two seed sets on the same sets, with the sets only the first covers and those
    /// only the second covers: `(cov_a, cov_b, only_a, only_b)`. The difference of the two
    /// coverages is `only_a - only_b`, and its sampling variance about `only_a + only_b`. (The
    /// oracle of `IndexedRr::coverage_pair` in tests.)
    #[cfg(test)]
    pub(crate) fn coverage_pair(&self, a: &[bool], b: &[bool]) -> (u64, u64, u64, u64) {
        assert!(self.weights.is_empty(), "pairs on distinct sets");
        self.chunks
            .par_iter()
            .with_min_len(4)
            .flat_map_iter(|c| (0..c.len()).map(move |j| c.set(j)))
            .map(|s| {
                let ha = s.iter().any(|&v| a[v as usize]) as u64;
                let hb = s.iter().any(|&v| b[v as usize]) as u64;
                (ha, hb, ha & (1 - hb), hb & (1 - ha))
            })
            .reduce(
                || (0, 0, 0, 0),
                |x, y| (x.0 + y.0, x.1 + y.1, x.2 + y.2, x.3 + y.3),
            )
    }

    /// For seeds in rank order, how many sets each one covers first (`hits[r]` = sets whose
    /// earliest-ranked member is seed `r`). Prefix sums give the coverage of every prefix.
    pub fn first_hits(&self, seeds: &[u32], n: usize) -> Vec<u64> {
        let mut rank = vec![u32::MAX; n];
        for (r, &s) in seeds.iter().enumerate() {
            rank[s as usize] = rank[s as usize].min(r as u32);
        }
        let k = seeds.len();
        let first = |set: &[u32]| {
            set.iter()
                .map(|&v| rank[v as usize])
                .min()
                .filter(|&r| r != u32::MAX)
        };
        if let Some(w) = self.weights() {
            let mut hits = vec![0u64; k];
            for (i, set) in self.sets_in(0..self.len()) {
                if let Some(r) = first(set) {
                    hits[r as usize] += w[i];
                }
            }
            return hits;
        }
        self.chunks
            .par_iter()
            .with_min_len(4)
            .flat_map_iter(|c| (0..c.len()).map(move |j| c.set(j)))
            .fold(
                || vec![0u64; k],
                |mut acc, set| {
                    if let Some(r) = first(set) {
                        acc[r as usize] += 1;
                    }
                    acc
                },
            )
            .reduce(
                || vec![0u64; k],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{ModelKind, ProbScheme};
    use crate::graph::Graph;

    #[test]
    fn collection_is_thread_count_independent_and_extends_consistently() {
        let edges: Vec<(u32, u32)> = (0..200u32).map(|i| (i % 37, (i * 7 + 3) % 41)).collect();
        let g = Graph::from_edges(41, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::Uniform(0.3),
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(g.num_nodes());
        let mut a = RrCollection::new(5, Purpose::RrSelect);
        a.extend_to(&m, &roots, 3000);
        let mut b = RrCollection::new(5, Purpose::RrSelect);
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| {
                b.extend_to(&m, &roots, 1000);
                b.extend_to(&m, &roots, 3000);
            });
        assert_eq!(a.len(), 3000);
        assert!(a.iter().eq(b.iter()));
        assert_eq!(a.total_ids(), b.total_ids());
    }

    #[test]
    fn chunks_line_up_however_the_collection_grows() {
        let edges: Vec<(u32, u32)> = (0..400u32).map(|i| (i % 53, (i * 11 + 5) % 60)).collect();
        let g = Graph::from_edges(60, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::Uniform(0.4),
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(g.num_nodes());
        let mut whole = RrCollection::new(2, Purpose::RrSelect);
        whole.extend_to(&m, &roots, 5000);
        let mut grown = RrCollection::new(2, Purpose::RrSelect);
        for t in [1u64, 7, 1023, 1024, 1025, 3000, 5000] {
            grown.extend_to(&m, &roots, t);
            assert_eq!(grown.len() as u64, t);
        }
        assert!(grown.aligned);
        assert!(grown.chunks[..grown.chunks.len() - 1]
            .iter()
            .all(|c| c.len() == CHUNK));
        assert!(whole.iter().eq(grown.iter()));
        assert!((0..5000).all(|i| whole.set(i) == grown.set(i)));
        for r in [
            0..0,
            0..5000,
            1000..3100,
            1024..2048,
            4999..5000,
            3000..3000,
        ] {
            let want: Vec<(usize, &[u32])> = r.clone().map(|i| (i, whole.set(i))).collect();
            assert!(grown.sets_in(r).eq(want));
        }
        assert_eq!(whole.total_ids(), grown.total_ids());
        // Absorbing moves the chunks: at an aligned end the collection stays aligned.
        for cut in [1500usize, 2048] {
            let mut a = whole.prefix(cut);
            let mut b = RrCollection::new(7, Purpose::RrValidate);
            b.extend_to(&m, &roots, 2500);
            let want: Vec<Vec<u32>> = a.iter().chain(b.iter()).map(|s| s.to_vec()).collect();
            a.absorb(b);
            // Whole chunks stay aligned; after a partial one they are kept as they are.
            assert_eq!(a.aligned, cut % CHUNK == 0);
            assert_eq!(a.len(), cut + 2500);
            assert!((0..a.len()).all(|i| a.set(i) == want[i].as_slice()));
            assert_eq!(
                a.total_ids(),
                want.iter().map(|s| s.len() as u64).sum::<u64>()
            );
        }
        // A projected collection keeps the sets holding a kept node, found by binary search.
        let keep: Vec<bool> = (0..60).map(|v| v % 7 == 0).collect();
        let mut p = RrCollection::new(2, Purpose::RrSelect);
        p.extend_projected(&m, &roots, 2000, &keep);
        p.extend_projected(&m, &roots, 5000, &keep);
        let want: Vec<Vec<u32>> = whole
            .iter()
            .map(|s| {
                s.iter()
                    .copied()
                    .filter(|&v| keep[v as usize])
                    .collect::<Vec<_>>()
            })
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(p.sampled(), 5000);
        assert_eq!(p.len(), want.len());
        assert!((0..p.len()).all(|i| p.set(i) == want[i].as_slice()));
        let r = 17..p.len() - 5;
        assert!(p.sets_in(r.clone()).eq(r.map(|i| (i, want[i].as_slice()))));
        // A pool: the same sets, and per node outside it the sets that held it, whether drawn on
        // the pool, projected afterwards, or grown from two halves.
        let mut counts = vec![0u32; 60];
        whole
            .iter()
            .flatten()
            .for_each(|&v| counts[v as usize] += 1);
        let mut drawn = RrCollection::new(2, Purpose::RrSelect);
        drawn.extend_pool(&m, &roots, 1500, &keep);
        drawn.extend_pool(&m, &roots, 5000, &keep);
        let mut projected = whole.clone();
        projected.project(&keep);
        for c in [&drawn, &projected] {
            assert!(c.is_pooled());
            assert_eq!(c.sampled(), 5000);
            assert!((0..60).all(|v| keep[v] || c.dropped()[v] == counts[v]));
            let stored: Vec<&[u32]> = c.iter().filter(|s| !s.is_empty()).collect();
            assert_eq!(stored.len(), want.len());
            assert!(stored.iter().zip(&want).all(|(a, b)| *a == b.as_slice()));
        }
        // Projected in place, the sets keep their numbers (empty ones too), so the index of the
        // full sets, cut down to the pool, is the index of the projected ones.
        assert_eq!(projected.len(), 5000);
        assert_eq!(projected.total_ids(), drawn.total_ids());
        let built = crate::rrset::InvertedIndex::build(&projected, 60);
        let full = crate::rrset::InvertedIndex::build(&whole, 60);
        assert!((0..60u32).all(|v| if keep[v as usize] {
            full.sets_of(v) == built.sets_of(v)
        } else {
            built.sets_of(v).is_empty()
        }));
        let mut half = whole.prefix(2000);
        half.project(&keep);
        let mut rest = RrCollection::new(2, Purpose::RrSelect);
        rest.extend_pool(&m, &roots, 5000, &keep);
        let before: Vec<u32> = half.dropped().to_vec();
        let rest_counts = rest.dropped().to_vec();
        half.absorb(rest);
        assert_eq!(half.sampled(), 7000);
        assert!((0..60).all(|v| keep[v] || half.dropped()[v] == before[v] + rest_counts[v]));
        assert!((0..60).all(|v| keep[v] || rest_counts[v] == counts[v]));
        // A full collection projected in place at an unaligned end, then grown on the pool:
        // sets are found through the buckets.
        let mut path = RrCollection::new(2, Purpose::RrSelect);
        path.extend_to(&m, &roots, 3000);
        path.project(&keep);
        path.extend_pool(&m, &roots, 4100, &keep);
        path.extend_pool(&m, &roots, 5000, &keep);
        assert!(!path.aligned);
        let want_path: Vec<Vec<u32>> = whole
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let p: Vec<u32> = s.iter().copied().filter(|&v| keep[v as usize]).collect();
                (i, p)
            })
            .filter(|(i, p)| *i < 3000 || !p.is_empty())
            .map(|(_, p)| p)
            .collect();
        assert_eq!(path.len(), want_path.len());
        assert!((0..path.len()).all(|i| path.set(i) == want_path[i].as_slice()));
        for r in [0..path.len(), 2990..3010, 1023..1025, 3001..path.len() - 1] {
            let got: Vec<(usize, &[u32])> = path.sets_in(r.clone()).collect();
            assert!(got.iter().map(|x| x.0).eq(r.clone()));
            assert!(got.iter().all(|(i, s)| *s == want_path[*i].as_slice()));
        }
        assert!((0..60).all(|v| keep[v] || path.dropped()[v] == counts[v]));
    }
}
