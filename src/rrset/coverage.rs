//! Greedy maximum coverage over RR sets: the selection step shared by IMM, OPIM-C and the default
//! engine. Lazy (CELF-style) evaluation over exact integer counts, ties to the smaller node id.
//!
//! Alongside the greedy picks it computes OPIM-C's data-dependent upper bound on the best
//! possible coverage: for every prefix `S_i`, `OPT <= cov(S_i) + (sum of the k largest marginal
//! gains w.r.t. S_i)`, by submodularity; the minimum over `i` is reported.

use super::{PackedIndex, RrCollection};
use fixedbitset::FixedBitSet;
use ordered_float::OrderedFloat;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Node -> ids of the sets containing it. Grows with its collection: `extend` indexes only the
/// sets added since the last call, so a doubling loop scatters each set once instead of
/// rebuilding the whole index every round.
#[derive(Debug, Clone)]
pub struct InvertedIndex {
    offsets: Vec<u64>,
    sets: Vec<u32>,
    /// Sets of the collection indexed so far (a prefix of it).
    indexed: usize,
    /// Most bytes held at once, the old and the new layout of a fresh extension included.
    peak: u64,
}

impl InvertedIndex {
    /// Builds the index for nodes `0..n` by counting sort (sets come out in increasing order).
    pub fn build(coll: &RrCollection, n: usize) -> Self {
        let mut ix = InvertedIndex::empty(n);
        ix.extend(coll);
        ix
    }

    /// An index of no sets over nodes `0..n`.
    pub fn empty(n: usize) -> Self {
        InvertedIndex {
            offsets: vec![0; n + 1],
            sets: Vec::new(),
            indexed: 0,
            peak: 0,
        }
    }

    /// Sets of `coll` indexed so far.
    pub fn indexed(&self) -> usize {
        self.indexed
    }

    /// Indexes the sets of `coll` past the ones already indexed (`coll` must be the collection
    /// indexed so far, grown at its end). Each node's old list is followed by its new sets, so
    /// lists stay in increasing set order. The new sets are split into one range per thread:
    /// each range counts its memberships, prefix sums over (node, range) give every range its
    /// own slots, and the ranges scatter in parallel. The layout is the same for any thread
    /// count. The lists are laid out afresh, the old ones copied in parallel.
    pub fn extend(&mut self, coll: &RrCollection) {
        let n = self.offsets.len() - 1;
        let (from, to) = (self.indexed, coll.len());
        if to <= from {
            return;
        }
        assert!(to <= u32::MAX as usize, "an index numbers at most 4G sets");
        let parts = rayon::current_num_threads()
            .clamp(1, 64)
            .min((to - from).div_ceil(MIN_SETS_PER_PART));
        let span = (to - from).div_ceil(parts);
        let range = |p: usize| (from + p * span)..(from + (p + 1) * span).min(to);
        // 1. Memberships per node in each range.
        let mut counts: Vec<Vec<u32>> = (0..parts)
            .into_par_iter()
            .map(|p| {
                let mut c = vec![0u32; n];
                for (_, set) in coll.sets_in(range(p)) {
                    for &v in set {
                        c[v as usize] += 1;
                    }
                }
                c
            })
            .collect();
        // 2. Turn counts into each range's offset within the node's new slots, and total them.
        let mut start = vec![0u64; n];
        for v in 0..n {
            let mut acc = 0u32;
            for c in counts.iter_mut() {
                let x = c[v];
                c[v] = acc;
                acc += x;
            }
            start[v] = acc as u64;
        }
        // 3. Lay the lists out afresh: node v's old list, then its new sets. The new array comes
        // zeroed from the allocator (untouched pages, faulted in by whichever thread writes them
        // first) and the old lists are copied over in parallel blocks of nodes; growing in place
        // means a serial zeroing and a serial move of every old list (`PackedIndex` does that, to
        // never hold two copies).
        {
            let mut offsets = vec![0u64; n + 1];
            for v in 0..n {
                let old_len = self.offsets[v + 1] - self.offsets[v];
                offsets[v + 1] = offsets[v] + old_len + start[v];
            }
            let mut sets = vec![0u32; offsets[n] as usize];
            {
                let old = &self.sets;
                let (old_off, new_off) = (&self.offsets, &offsets);
                let target = ScatterTarget::new(&mut sets);
                let block = n.div_ceil(rayon::current_num_threads() * 4).max(1024);
                (0..n.div_ceil(block)).into_par_iter().for_each(|b| {
                    for v in b * block..((b + 1) * block).min(n) {
                        let l = &old[old_off[v] as usize..old_off[v + 1] as usize];
                        target.write_slice(new_off[v] as usize, l);
                    }
                });
            }
            for v in 0..n {
                // Where v's new sets begin: right after its old list.
                start[v] = offsets[v] + (self.offsets[v + 1] - self.offsets[v]);
            }
            self.peak = self
                .peak
                .max(self.bytes() + (sets.capacity() * 4 + offsets.capacity() * 8) as u64);
            self.sets = sets;
            self.offsets = offsets;
        }
        // 4. Scatter, each range through its own cursor per node (absolute slot: one random
        // read-modify-write per id instead of two reads and an increment).
        let mut cursors: Vec<Vec<u64>> = counts
            .into_par_iter()
            .map(|c| c.iter().zip(&start).map(|(&k, &s)| s + k as u64).collect())
            .collect();
        let target = ScatterTarget::new(&mut self.sets);
        cursors.par_iter_mut().enumerate().for_each(|(p, cur)| {
            for (i, set) in coll.sets_in(range(p)) {
                for &v in set {
                    let k = &mut cur[v as usize];
                    target.write(*k as usize, i as u32);
                    *k += 1;
                }
            }
        });
        self.indexed = to;
    }

    /// Sets containing `v`.
    #[inline]
    pub fn sets_of(&self, v: u32) -> &[u32] {
        &self.sets[self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize]
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        (self.sets.capacity() * 4 + self.offsets.capacity() * 8) as u64
    }

    /// Most bytes held at once so far: a fresh extension holds the old layout and the new one
    /// together for a moment.
    pub fn peak_bytes(&self) -> u64 {
        self.peak.max(self.bytes())
    }
}

/// Fewest new sets worth a parallel range of `InvertedIndex::extend` (tiny in unit tests, so
/// they exercise several ranges).
const MIN_SETS_PER_PART: usize = if cfg!(test) { 16 } else { 4096 };

/// A `u32` slice that several threads write at once, each at positions no other thread writes.
/// `InvertedIndex::extend` hands every (range, node) pair its own run of slots by prefix sums,
/// so the writes are disjoint by construction; the bounds are still checked. This is the only
/// way to scatter one array from many threads without a lock or an atomic per write, and the
/// scatter is the hot loop of the index.
struct ScatterTarget {
    ptr: *mut u32,
    len: usize,
}

// The pointer comes from a `&mut [u32]` that outlives every use (the scatter borrows the index
// for its whole duration), and writes through it never overlap (see above).
#[allow(unsafe_code)]
unsafe impl Sync for ScatterTarget {}

impl ScatterTarget {
    fn new(s: &mut [u32]) -> Self {
        ScatterTarget {
            ptr: s.as_mut_ptr(),
            len: s.len(),
        }
    }

    /// Writes `xs` from position `at` (a run no other thread writes).
    fn write_slice(&self, at: usize, xs: &[u32]) {
        assert!(at + xs.len() <= self.len, "scatter out of bounds");
        // In bounds (checked above) and written by one thread only (disjoint runs).
        #[allow(unsafe_code)]
        unsafe {
            std::ptr::copy_nonoverlapping(xs.as_ptr(), self.ptr.add(at), xs.len())
        }
    }

    #[inline]
    fn write(&self, i: usize, x: u32) {
        assert!(i < self.len, "scatter out of bounds");
        // In bounds (checked above) and written by one thread only (disjoint slots).
        #[allow(unsafe_code)]
        unsafe {
            self.ptr.add(i).write(x)
        }
    }
}

/// Result of the coverage greedy. Coverage counts sets, plus each picked node's bonus when one
/// is given (so values are whole numbers without a bonus).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageGreedy {
    /// Seeds in pick order (forced seeds first).
    pub seeds: Vec<u32>,
    /// Coverage newly added by each pick.
    pub gains: Vec<f64>,
    /// Coverage of all picks.
    pub covered: f64,
    /// Upper bound on the coverage of the best feasible seed set of the same size.
    pub upper_bound: f64,
    /// On a pool (`greedy_on_pool`): `Some(key)` when a node outside the pool could have been
    /// the next pick, with its bound on the gain; the picks are then not the full greedy's and
    /// the pool must grow. `None` otherwise.
    pub blocked: Option<f64>,
}

/// The pool a collection was projected on (`RrCollection::extend_pool`): who is in it, and per
/// node outside it, the sets drawn that held it, over all parts. A node outside can gain at
/// most that many sets (plus its bonus) at any step.
#[derive(Debug, Clone, Copy)]
pub struct Pool<'a> {
    /// Nodes whose memberships are stored.
    pub keep: &'a [bool],
    /// Per node outside the pool, the sets that held it.
    pub dropped: Dropped<'a>,
}

/// Per node, the sum of a few count arrays (one per part), read where needed: summing them into
/// one array of `n` for each greedy was a transient the size of a pool's index on
/// soc-Slashdot0902.
#[derive(Debug, Clone, Copy)]
pub struct Dropped<'a>(pub &'a [&'a [u32]]);

impl Dropped<'_> {
    /// The count of node `v` (0 past an array's end).
    #[inline]
    pub fn get(&self, v: usize) -> u64 {
        self.0
            .iter()
            .map(|a| a.get(v).map_or(0, |&x| x as u64))
            .sum()
    }
}

/// The amount picking node `v` earns besides the sets it covers: `per_node[v] * times / over`,
/// computed where read. `auto` scales its exact per-node reach to `theta` sets this way instead
/// of holding an array of `n` per greedy; with `times = over = 1` the amounts are `per_node` as
/// given (multiplying and dividing by 1 is exact).
#[derive(Debug, Clone, Copy)]
pub struct Bonus<'a> {
    per_node: &'a [f64],
    times: f64,
    over: f64,
}

impl<'a> Bonus<'a> {
    /// The amounts `b`.
    pub fn of(b: &'a [f64]) -> Self {
        Bonus {
            per_node: b,
            times: 1.0,
            over: 1.0,
        }
    }

    /// The amounts `per_node[v] * times / over`.
    pub fn scaled(per_node: &'a [f64], times: f64, over: f64) -> Self {
        Bonus {
            per_node,
            times,
            over,
        }
    }

    /// Node `v`'s amount.
    #[inline]
    pub fn at(&self, v: usize) -> f64 {
        self.per_node[v] * self.times / self.over
    }
}

/// Picks up to `k` seeds greedily by RR-set coverage. `candidates` restricts who may be picked;
/// `forced` seeds are taken first, in the order given.
pub fn greedy_max_coverage(
    coll: &RrCollection,
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
) -> CoverageGreedy {
    let index = InvertedIndex::build(coll, n);
    greedy_on_index(coll, &index, n, k, candidates, forced)
}

/// As [`greedy_max_coverage`] on a prebuilt index.
pub fn greedy_on_index(
    coll: &RrCollection,
    index: &InvertedIndex,
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
) -> CoverageGreedy {
    greedy_with_bonus(&[(coll, index)], n, k, candidates, forced, None)
}

/// As [`greedy_on_index`] without OPIM-C's bound (`upper_bound` is infinite), for callers that
/// only rank or prune a plan: the picks and gains are the same. The bound re-counts the `k` best
/// gains at every step, which is quadratic when `k` is a whole budgeted plan (82k seeds on
/// soc-Slashdot0902 ran for minutes).
pub fn greedy_order(
    coll: &RrCollection,
    index: &InvertedIndex,
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
) -> CoverageGreedy {
    greedy_on_parts_unless(
        &[Part::Sets(coll, index)],
        n,
        k,
        candidates,
        forced,
        None,
        None,
        None,
        false,
    )
    .expect("a greedy without a cancel flag runs to its end")
}

/// The coverage greedy where picking node `v` also earns `bonus[v]`, a fixed amount no other
/// node shares: the exactly known singleton sets of stratified roots, in set units. The
/// objective stays monotone submodular, so the greedy's guarantee and its upper bound hold.
///
/// `parts` are independent collections with their indexes, covered together as one (the final
/// selection of `auto` runs on R1 and R2 without copying them into one arena).
pub fn greedy_with_bonus(
    parts: &[(&RrCollection, &InvertedIndex)],
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
    bonus: Option<&[f64]>,
) -> CoverageGreedy {
    greedy_on_pool(parts, n, k, candidates, forced, bonus, None)
}

/// As [`greedy_with_bonus`] on collections projected on a pool. Nodes outside the pool enter
/// the lazy heap with a fixed key, their dropped count plus bonus, which bounds their gain at
/// every step: while every pick's gain beats them (ties go to the smaller id, as ever) the picks,
/// gains and coverage are exactly the full greedy's, and the upper bound stays an upper bound
/// (a top-k sum over bounds on the gains). When one of them reaches the top the greedy stops
/// and says so in `blocked`.
pub fn greedy_on_pool(
    parts: &[(&RrCollection, &InvertedIndex)],
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
    bonus: Option<&[f64]>,
    pool: Option<Pool<'_>>,
) -> CoverageGreedy {
    let parts: Vec<Part<'_>> = parts.iter().map(|&(c, ix)| Part::Sets(c, ix)).collect();
    greedy_on_parts(&parts, n, k, candidates, forced, bonus.map(Bonus::of), pool)
}

/// One part of the sets a greedy covers (`greedy_on_parts`).
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    /// Sets kept with their index: each node's gain is a count, decremented for every member of
    /// a set when the set is covered.
    Sets(&'a RrCollection, &'a InvertedIndex),
    /// The index alone, gap-coded (`IndexedRr`): a node's gain is counted afresh, by a scan of
    /// its list, whenever the lazy greedy asks for it. A fraction of the memory of `Sets`; the
    /// picks, gains and bound are the same, only found by other work.
    Index(&'a PackedIndex),
}

impl Part<'_> {
    /// The size of `v`'s list (entries, or words of a gap-coded one): the work of covering
    /// its sets.
    fn work(&self, v: u32) -> usize {
        match self {
            Part::Sets(_, ix) => ix.sets_of(v).len(),
            Part::Index(ix) => ix.bound_of(v),
        }
    }
}

/// As [`greedy_on_pool`], over parts that may be kept as sets or as an index alone.
pub fn greedy_on_parts(
    parts: &[Part<'_>],
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
    bonus: Option<Bonus<'_>>,
    pool: Option<Pool<'_>>,
) -> CoverageGreedy {
    greedy_on_parts_unless(parts, n, k, candidates, forced, bonus, pool, None, true)
        .expect("a greedy without a cancel flag runs to its end")
}

/// As [`greedy_on_parts`], giving up (`None`) once `cancel` says so: it is asked before each
/// pick and each re-count. For a greedy started on a spare thread before anyone knows whether
/// its result is wanted (`auto`'s final selection, `select::opim`), or one a deadline may cut
/// short when an earlier plan can stand in for it.
///
/// Without `with_bound` it skips OPIM-C's bound (`upper_bound` is then infinite): the bound
/// re-counts the `k` best gains at every step, about half of a round's greedy, and `auto`
/// needs it only in a round that may stop. The picks are the same either way: each is the
/// first exact entry at the top of the heap, whatever else was re-counted.
#[allow(clippy::too_many_arguments)]
pub fn greedy_on_parts_unless(
    parts: &[Part<'_>],
    n: usize,
    k: usize,
    candidates: Option<&[bool]>,
    forced: &[u32],
    bonus: Option<Bonus<'_>>,
    pool: Option<Pool<'_>>,
    cancel: Option<&(dyn Fn() -> bool + Sync)>,
    with_bound: bool,
) -> Option<CoverageGreedy> {
    let cancelled = || cancel.is_some_and(|c| c());
    let extra = |v: u32| bonus.map_or(0.0, |b| b.at(v as usize));
    let outside = |v: u32| pool.is_some_and(|p| !p.keep[v as usize]);
    let mut slices = Slice::split(parts, n);
    let key = |slices: &[Slice<'_>], v: u32| {
        let c: u64 = match pool {
            Some(p) if !p.keep[v as usize] => p.dropped.get(v as usize),
            _ => slices.iter().map(|s| s.gain(v)).sum(),
        };
        OrderedFloat(c as f64 + extra(v))
    };
    let mut chosen = vec![false; n];
    let mut out = CoverageGreedy {
        seeds: Vec::with_capacity(k),
        gains: Vec::with_capacity(k),
        covered: 0.0,
        upper_bound: f64::INFINITY,
        blocked: None,
    };
    let take = |v: u32, slices: &mut [Slice<'_>], out: &mut CoverageGreedy| {
        // Each slice owns its sets and its counts, so the slices update in parallel without
        // atomics; a pick touching few sets stays on this thread.
        let work: usize = parts.iter().map(|p| p.work(v)).sum();
        let gain: u64 = if slices.len() > 1 && work >= PAR_TAKE_MIN {
            slices.par_iter_mut().map(|s| s.take(v)).sum()
        } else {
            slices.iter_mut().map(|s| s.take(v)).sum()
        };
        let gain = gain as f64 + extra(v);
        out.seeds.push(v);
        out.gains.push(gain);
        out.covered += gain;
    };
    for &f in forced.iter().take(k) {
        if outside(f) {
            // Its sets were not kept: its gain cannot be counted.
            out.blocked = Some(f64::INFINITY);
            return Some(out);
        }
        if !chosen[f as usize] {
            chosen[f as usize] = true;
            take(f, &mut slices, &mut out);
        }
    }
    let free = k.saturating_sub(out.seeds.len());
    let open = |v: &u32| !chosen[*v as usize] && candidates.is_none_or(|c| c[*v as usize]);
    // Keys need only bound the gains (the lazy loop makes them exact before a pick): a node's
    // list size bounds its gain without scanning the list.
    let bound = |v: u32| {
        let c: u64 = slices.iter().map(|s| s.bound(v)).sum();
        OrderedFloat(c as f64 + extra(v))
    };
    let mut entries: Vec<(OrderedFloat<f64>, Reverse<u32>)> = (0..n as u32)
        .filter(|v| open(v) && !outside(*v))
        .map(|v| (bound(v), Reverse(v)))
        .collect();
    if pool.is_some() {
        // Of the nodes outside the pool only the `free` best can matter: the bound sums at most
        // `free` keys, and a block needs the best one.
        // Kept in a heap of the `free` best so far: the nodes outside can be most of the graph.
        let mut outs = (0..n as u32).filter(|v| open(v) && outside(*v));
        if free == 0 {
            entries.extend(outs.next().map(|v| (key(&slices, v), Reverse(v))));
        } else {
            let mut best: BinaryHeap<Reverse<(OrderedFloat<f64>, Reverse<u32>)>> =
                BinaryHeap::with_capacity(free + 1);
            for v in outs {
                let e = (key(&slices, v), Reverse(v));
                if best.len() < free {
                    best.push(Reverse(e));
                } else if best.peek().is_some_and(|Reverse(low)| e > *low) {
                    best.pop();
                    best.push(Reverse(e));
                }
            }
            entries.extend(best.into_iter().map(|Reverse(e)| e));
        }
    }
    let mut heap = BinaryHeap::from(entries);
    let mut top: Vec<(OrderedFloat<f64>, Reverse<u32>)> = Vec::with_capacity(free);
    // Parts kept as an index count a gain by scanning a list: on several threads the stale
    // entries at the top of the heap are counted a few at a time, side by side. An entry's key
    // is then known exact while no pick has been taken since (`exact_at`), and the heap pops
    // exactly as one at a time would have: the picks, gains and bound are the same.
    let scanning = slices.iter().any(|s| matches!(s.kind, Kind::Packed(_)));
    let batch_max = if scanning {
        2 * rayon::current_num_threads()
    } else {
        1
    };
    let mut exact_at = vec![u32::MAX; if batch_max > 1 { n } else { 0 }];
    let mut takes = 0u32;
    let mut batch: Vec<u32> = Vec::with_capacity(batch_max);
    for step in 0..=free {
        if cancelled() {
            return None;
        }
        // Pop the `free` best fresh entries (exact top marginal gains), or at least one: any
        // `free` nodes added to the current picks gain at most their sum (OPIM-C's bound). The
        // sum of the `free - step` best, which the picks still to come could at most gain, is
        // no bound on the optimum: at the last step it was the greedy's own coverage.
        let want = if with_bound { free.max(1) } else { 1 };
        top.clear();
        // The gains found so far, the largest of all: once the coverage plus them reaches the
        // least bound so far, this step's bound cannot be lower, and counting the rest of the
        // `free` best would change nothing (the pick needs only the first). Past the step where
        // the bound is least (about a fifth of the way on the benchmark graphs) this saves most
        // of the re-counts the bound asks for.
        let mut found = 0.0;
        while top.len() < want {
            if !top.is_empty() && out.covered + found >= out.upper_bound {
                break;
            }
            // A step re-counts up to `free` gains: a cancelled greedy should not finish one.
            if cancelled() {
                return None;
            }
            let Some((c, Reverse(v))) = heap.pop() else {
                break;
            };
            if batch_max == 1 {
                let fresh = key(&slices, v);
                if fresh != c {
                    heap.push((fresh, Reverse(v)));
                } else {
                    top.push((c, Reverse(v)));
                    found += c.0;
                }
                continue;
            }
            if outside(v) || exact_at[v as usize] == takes {
                top.push((c, Reverse(v)));
                found += c.0;
                continue;
            }
            batch.clear();
            batch.push(v);
            while batch.len() < batch_max {
                match heap.peek() {
                    Some(&(_, Reverse(u))) if !outside(u) && exact_at[u as usize] != takes => {
                        heap.pop();
                        batch.push(u);
                    }
                    _ => break,
                }
            }
            let work: usize = batch
                .iter()
                .map(|&u| parts.iter().map(|p| p.work(u)).sum::<usize>())
                .sum();
            let fresh: Vec<OrderedFloat<f64>> = if work >= PAR_SCAN_MIN && batch.len() > 1 {
                batch.par_iter().map(|&u| key(&slices, u)).collect()
            } else {
                batch.iter().map(|&u| key(&slices, u)).collect()
            };
            for (&u, f) in batch.iter().zip(fresh) {
                exact_at[u as usize] = takes;
                heap.push((f, Reverse(u)));
            }
        }
        if with_bound {
            let bound_sum: f64 = top.iter().take(free).map(|t| t.0 .0).sum();
            out.upper_bound = out.upper_bound.min(out.covered + bound_sum);
        }
        if step == free || top.is_empty() {
            heap.extend(top.drain(..));
            break;
        }
        let (c, Reverse(v)) = top[0];
        if outside(v) {
            out.blocked = Some(c.0);
            break;
        }
        heap.extend(top.drain(1..));
        chosen[v as usize] = true;
        take(v, &mut slices, &mut out);
        takes += 1;
    }
    if with_bound {
        out.upper_bound = out.upper_bound.max(out.covered);
    }
    Some(out)
}

/// Fewest list entries of a batch of stale gains worth counting in parallel (on wiki-Vote,
/// whose lists are short, counting them side by side at any size made the final selection
/// slower).
const PAR_SCAN_MIN: usize = if cfg!(test) { 1 } else { 1 << 16 };

/// Fewest index entries of a pick worth updating the slices in parallel (measured on NetHEPT's
/// 584k + 584k sets: 256 was slower, a waste of wake-ups on small picks).
const PAR_TAKE_MIN: usize = if cfg!(test) { 1 } else { 2048 };

/// One collection's sets with their own uncovered flags and their own count, per node, of the
/// uncovered sets holding it. The greedy's marginal gain of a node is the sum of its counts over
/// all slices; being disjoint, slices update in parallel. (Splitting one collection into
/// several slices by set range was tried: on two threads its picks were no faster, the memory
/// traffic of a pick being the limit, and R1 and R2 together gained 1.3x.)
struct Slice<'a> {
    kind: Kind<'a>,
    /// One bit per set: an eighth of the memory of flags, which at `auto`'s final selection
    /// over 1.2M sets on NetHEPT is a megabyte at its peak.
    covered: FixedBitSet,
}

enum Kind<'a> {
    /// The sets with their index, and per node its uncovered sets.
    Sets {
        coll: &'a RrCollection,
        index: &'a InvertedIndex,
        count: Vec<u32>,
    },
    /// Distinct sets with their weights (`RrCollection::from_weighted`): counts are sums of
    /// weights, which may pass `u32`.
    Weighted {
        coll: &'a RrCollection,
        index: &'a InvertedIndex,
        count: Vec<u64>,
    },
    /// The gap-coded index alone: gains are counted by scanning.
    Packed(&'a PackedIndex),
}

impl<'a> Slice<'a> {
    fn split(parts: &[Part<'a>], n: usize) -> Vec<Slice<'a>> {
        parts
            .par_iter()
            .map(|&part| match part {
                Part::Sets(coll, index) if coll.weights().is_some() => {
                    debug_assert_eq!(index.indexed(), coll.len());
                    Slice {
                        kind: Kind::Weighted {
                            coll,
                            index,
                            count: coll.counts(index, n),
                        },
                        covered: FixedBitSet::with_capacity(coll.len()),
                    }
                }
                Part::Sets(coll, index) => {
                    debug_assert_eq!(
                        index.indexed(),
                        coll.len(),
                        "index must cover its collection"
                    );
                    Slice {
                        kind: Kind::Sets {
                            coll,
                            index,
                            count: (0..n as u32)
                                .map(|v| index.sets_of(v).len() as u32)
                                .collect(),
                        },
                        covered: FixedBitSet::with_capacity(coll.len()),
                    }
                }
                Part::Index(index) => Slice {
                    kind: Kind::Packed(index),
                    covered: FixedBitSet::with_capacity(index.indexed()),
                },
            })
            .collect()
    }

    /// A bound on `gain(v)` without a scan: the exact count, or the words of the list.
    fn bound(&self, v: u32) -> u64 {
        match &self.kind {
            Kind::Sets { count, .. } => count[v as usize] as u64,
            Kind::Weighted { count, .. } => count[v as usize],
            Kind::Packed(index) => index.bound_of(v) as u64,
        }
    }

    /// Sets of this slice holding `v` and not yet covered.
    #[inline]
    fn gain(&self, v: u32) -> u64 {
        match &self.kind {
            Kind::Sets { count, .. } => count[v as usize] as u64,
            Kind::Weighted { count, .. } => count[v as usize],
            Kind::Packed(index) => index
                .sets_of(v)
                .map(|s| !self.covered.contains(s as usize) as u64)
                .sum(),
        }
    }

    /// Covers the slice's sets holding `v`; returns how many were newly covered.
    fn take(&mut self, v: u32) -> u64 {
        let mut gain = 0;
        match &mut self.kind {
            Kind::Sets { coll, index, count } => {
                for &s in index.sets_of(v) {
                    if !self.covered.put(s as usize) {
                        gain += 1;
                        for &w in coll.set(s as usize) {
                            count[w as usize] -= 1;
                        }
                    }
                }
            }
            Kind::Weighted { coll, index, count } => {
                let weights = coll.weights().expect("weighted slices hold distinct sets");
                for &s in index.sets_of(v) {
                    if !self.covered.put(s as usize) {
                        let ws = weights[s as usize];
                        gain += ws;
                        for &w in coll.set(s as usize) {
                            count[w as usize] -= ws;
                        }
                    }
                }
            }
            Kind::Packed(index) => {
                for s in index.sets_of(v) {
                    gain += !self.covered.put(s as usize) as u64;
                }
            }
        }
        gain
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{Model, ModelKind, ProbScheme};
    use crate::graph::Graph;
    use crate::rng::Purpose;
    use crate::rrset::RootSampler;

    /// `sets` RR sets of IC with `probs` on `edges` over `n` nodes, uniform roots.
    fn ic_sets(
        n: usize,
        edges: &[(u32, u32)],
        probs: ProbScheme,
        seed: u64,
        sets: u64,
    ) -> RrCollection {
        let g = Graph::from_edges(n, edges, None);
        let m = Model::new(&g, ModelKind::IndependentCascade, probs, 1).unwrap();
        let mut c = RrCollection::new(seed, Purpose::RrSelect);
        c.extend_to(&m, &RootSampler::uniform(n), sets);
        c
    }

    fn plain_greedy(coll: &RrCollection, n: usize, k: usize) -> (Vec<u32>, u64) {
        let mut covered = vec![false; coll.len()];
        let mut seeds = Vec::new();
        let mut total = 0;
        for _ in 0..k {
            let mut best = (0u64, u32::MAX);
            for v in 0..n as u32 {
                if seeds.contains(&v) {
                    continue;
                }
                let g = (0..coll.len())
                    .filter(|&i| !covered[i] && coll.set(i).contains(&v))
                    .count() as u64;
                if g > best.0 || (g == best.0 && v < best.1) {
                    best = (g, v);
                }
            }
            seeds.push(best.1);
            total += best.0;
            for (i, c) in covered.iter_mut().enumerate() {
                if coll.set(i).contains(&best.1) {
                    *c = true;
                }
            }
        }
        (seeds, total)
    }

    #[test]
    fn lazy_greedy_equals_plain_greedy_and_bound_holds() {
        for seed in 0..5u64 {
            let edges: Vec<(u32, u32)> = (0..150u32)
                .map(|i| ((i * 13 + seed as u32) % 30, (i * 7 + 1) % 30))
                .collect();
            let c = ic_sets(30, &edges, ProbScheme::WeightedCascade, seed, 400);
            let r = greedy_max_coverage(&c, 30, 4, None, &[]);
            let (s, total) = plain_greedy(&c, 30, 4);
            assert_eq!(r.seeds, s);
            assert_eq!(r.covered, total as f64);
            assert!(r.upper_bound >= r.covered);
            // The bound must hold against the true optimum (brute force over 4-subsets).
            let mut best = 0;
            for a in 0..30u32 {
                for b in a + 1..30 {
                    for cc in b + 1..30 {
                        for d in cc + 1..30 {
                            let mut mask = vec![false; 30];
                            for x in [a, b, cc, d] {
                                mask[x as usize] = true;
                            }
                            best = best.max(c.coverage(&mask));
                        }
                    }
                }
            }
            assert!(
                r.upper_bound >= best as f64,
                "bound {} < opt {best}",
                r.upper_bound
            );
            assert!(r.covered >= (1.0 - 1.0 / std::f64::consts::E) * best as f64);
        }
    }

    #[test]
    fn a_pool_gives_the_full_greedy_or_says_it_cannot() {
        // 40 spreaders over 360 sinks: most nodes cover few sets, so a pool leaves many out.
        let n = 400usize;
        let mut edges: Vec<(u32, u32)> = (0..40u32)
            .flat_map(|u| (0..30u32).map(move |j| (u, (u * 37 + j * 13 + 1) % 400)))
            .filter(|&(a, b)| a != b)
            .collect();
        edges.sort_unstable();
        edges.dedup();
        let g = Graph::from_edges(n, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::Uniform(0.2),
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(n);
        // Two parts, as in `auto`'s final selection.
        let (mut a, mut b) = (
            RrCollection::new(6, Purpose::RrSelect),
            RrCollection::new(6, Purpose::RrValidate),
        );
        a.extend_to(&m, &roots, 12_000);
        b.extend_to(&m, &roots, 9_000);
        let (ia, ib) = (InvertedIndex::build(&a, n), InvertedIndex::build(&b, n));
        let bonus: Vec<f64> = (0..n).map(|v| (v % 4) as f64).collect();
        let cands: Vec<bool> = (0..n).map(|v| v % 7 != 5).collect();
        let forced = [3u32];
        let k = 8;
        let want = greedy_with_bonus(
            &[(&a, &ia), (&b, &ib)],
            n,
            k,
            Some(&cands),
            &forced,
            Some(&bonus),
        );
        let last = *want.gains.last().unwrap();
        let count =
            |v: usize| (ia.sets_of(v as u32).len() + ib.sets_of(v as u32).len()) as f64 + bonus[v];
        // Everyone who could matter: a node outside has a bound below every gain.
        let generous: Vec<bool> = (0..n)
            .map(|v| forced.contains(&(v as u32)) || count(v) >= last)
            .collect();
        assert!(generous.iter().filter(|&&x| !x).count() > 300);
        // The same pool without the fourth pick: some step must see that node outside.
        let mut short = generous.clone();
        short[want.seeds[3] as usize] = false;
        let without_forced: Vec<bool> = (0..n).map(|v| generous[v] && v != 3).collect();
        for (keep, blocked) in [(&generous, false), (&short, true), (&without_forced, true)] {
            let project = |c: &RrCollection| {
                let mut p = c.clone();
                p.project(keep);
                let ix = InvertedIndex::build(&p, n);
                (p, ix)
            };
            let ((pa, pia), (pb, pib)) = (project(&a), project(&b));
            let (da, db) = (pa.dropped(), pb.dropped());
            let arrays = [da.as_slice(), db.as_slice()];
            let pool = Pool {
                keep,
                dropped: Dropped(&arrays),
            };
            let got = greedy_on_pool(
                &[(&pa, &pia), (&pb, &pib)],
                n,
                k,
                Some(&cands),
                &forced,
                Some(&bonus),
                Some(pool),
            );
            assert_eq!(got.blocked.is_some(), blocked);
            if !blocked {
                // Not only the picks: the bound too, since the certificate depends on it.
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn bonus_equals_that_many_singleton_sets() {
        let edges: Vec<(u32, u32)> = (0..120u32)
            .map(|i| ((i * 11) % 25, (i * 7 + 2) % 25))
            .collect();
        let g = Graph::from_edges(25, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let mut c = RrCollection::new(3, Purpose::RrSelect);
        c.extend_to(&m, &RootSampler::uniform(25), 300);
        let bonus: Vec<f64> = (0..25).map(|v| ((v * 7) % 5) as f64).collect();
        // The same collection with `bonus[v]` extra sets {v}, built by hand.
        let mut with = c.clone();
        for (v, &b) in bonus.iter().enumerate() {
            for _ in 0..b as usize {
                with.push_set(&[v as u32]);
            }
        }
        let idx = InvertedIndex::build(&c, 25);
        let a = greedy_with_bonus(&[(&c, &idx)], 25, 5, None, &[], Some(&bonus));
        let b = greedy_max_coverage(&with, 25, 5, None, &[]);
        assert_eq!(a, b);
    }

    #[test]
    fn extending_the_index_equals_building_it_whole() {
        for threads in [1, 2, 3] {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(extend_equals_build);
        }
    }

    fn extend_equals_build() {
        let edges: Vec<(u32, u32)> = (0..300u32)
            .map(|i| ((i * 13) % 40, (i * 7 + 5) % 40))
            .collect();
        let g = Graph::from_edges(40, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::WeightedCascade,
            1,
        )
        .unwrap();
        let roots = RootSampler::uniform(40);
        let mut c = RrCollection::new(8, Purpose::RrSelect);
        let mut ix = InvertedIndex::empty(40);
        for target in [1u64, 7, 100, 101, 900] {
            c.extend_to(&m, &roots, target);
            ix.extend(&c);
            let whole = InvertedIndex::build(&c, 40);
            assert_eq!(ix.offsets, whole.offsets);
            assert_eq!(ix.sets, whole.sets);
        }
        let mut other = RrCollection::new(9, Purpose::RrValidate);
        other.extend_to(&m, &roots, 500);
        c.absorb(other);
        ix.extend(&c);
        let whole = InvertedIndex::build(&c, 40);
        assert_eq!(ix.offsets, whole.offsets);
        assert_eq!(ix.sets, whole.sets);
        assert_eq!(ix.indexed(), 1400);
        // Against a plain serial count: every set listed under each of its members.
        for v in 0..40u32 {
            let want: Vec<u32> = (0..c.len() as u32)
                .filter(|&i| c.set(i as usize).contains(&v))
                .collect();
            assert_eq!(ix.sets_of(v), want.as_slice());
        }
    }

    #[test]
    fn greedy_is_the_same_on_one_and_several_threads() {
        // Hubs in most sets and 30k sets: the index is built in several ranges, and the picks
        // must not depend on the thread count.
        let mut edges: Vec<(u32, u32)> = (1..300u32).map(|v| (0, v)).collect();
        edges.extend((2..300u32).map(|v| (1, v)));
        edges.extend((0..400u32).map(|i| ((i * 17) % 300, (i * 31 + 7) % 300)));
        let g = Graph::from_edges(300, &edges, None);
        let m = Model::new(
            &g,
            ModelKind::IndependentCascade,
            ProbScheme::Uniform(0.6),
            1,
        )
        .unwrap();
        let mut c = RrCollection::new(4, Purpose::RrSelect);
        c.extend_to(&m, &RootSampler::uniform(300), 30_000);
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| greedy_max_coverage(&c, 300, 10, None, &[]))
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
        // Split in two collections with their own indexes, the greedy covers the same sets.
        let mut a = RrCollection::new(4, Purpose::RrSelect);
        a.extend_to(&m, &RootSampler::uniform(300), 12_345);
        let mut b = RrCollection::new(5, Purpose::RrValidate);
        b.extend_to(&m, &RootSampler::uniform(300), 9_000);
        let (ia, ib) = (InvertedIndex::build(&a, 300), InvertedIndex::build(&b, 300));
        let mut ab = a.clone();
        ab.absorb(b.clone());
        let joined = greedy_max_coverage(&ab, 300, 10, None, &[]);
        for threads in [1, 2, 3] {
            let split = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| greedy_with_bonus(&[(&a, &ia), (&b, &ib)], 300, 10, None, &[], None));
            assert_eq!(split, joined);
        }
        let (seeds, total) = plain_greedy(&c, 300, 10);
        assert_eq!(one.seeds, seeds);
        assert_eq!(one.covered, total as f64);
    }

    #[test]
    fn a_cancelled_greedy_gives_up_and_an_uncancelled_one_is_the_greedy() {
        let edges: Vec<(u32, u32)> = (0..200u32)
            .map(|i| ((i * 7) % 60, (i * 13 + 5) % 60))
            .filter(|(a, b)| a != b)
            .collect();
        let c = ic_sets(60, &edges, ProbScheme::Uniform(0.3), 2, 5_000);
        let ix = InvertedIndex::build(&c, 60);
        let parts = [Part::Sets(&c, &ix)];
        let whole = greedy_on_parts(&parts, 60, 5, None, &[], None, None);
        let unless = |flag: bool| {
            let cancel = || flag;
            greedy_on_parts_unless(&parts, 60, 5, None, &[], None, None, Some(&cancel), true)
        };
        assert_eq!(unless(false), Some(whole.clone()));
        assert_eq!(unless(true), None);
        // Without the bound: the same picks and gains, no bound.
        let quick =
            greedy_on_parts_unless(&parts, 60, 5, None, &[], None, None, None, false).unwrap();
        assert_eq!((&quick.seeds, &quick.gains), (&whole.seeds, &whole.gains));
        assert!(quick.upper_bound.is_infinite());
    }

    /// OPIM-C's bound by its definition: over every prefix of `seeds`, its coverage plus the
    /// `k` largest marginal gains given it, least of all.
    fn plain_bound(coll: &RrCollection, n: usize, seeds: &[u32], k: usize) -> u64 {
        (0..=seeds.len())
            .map(|i| {
                let prefix = &seeds[..i];
                let hit = |s: usize| coll.set(s).iter().any(|v| prefix.contains(v));
                let cov = (0..coll.len()).filter(|&s| hit(s)).count() as u64;
                let mut gains: Vec<u64> = (0..n as u32)
                    .filter(|v| !prefix.contains(v))
                    .map(|v| {
                        (0..coll.len())
                            .filter(|&s| !hit(s) && coll.set(s).contains(&v))
                            .count() as u64
                    })
                    .collect();
                gains.sort_unstable_by(|a, b| b.cmp(a));
                cov + gains.iter().take(k).sum::<u64>()
            })
            .min()
            .unwrap()
    }

    #[test]
    fn the_bound_is_opim_cs_by_its_definition() {
        // The greedy stops counting a step's gains once the step cannot lower the bound: the
        // bound must still be the definition's, on stored sets and on the index alone.
        for seed in 0..6u64 {
            let edges: Vec<(u32, u32)> = (0..120u32)
                .map(|i| ((i * 13 + seed as u32) % 25, (i * 7 + 3) % 25))
                .filter(|(a, b)| a != b)
                .collect();
            let c = ic_sets(25, &edges, ProbScheme::WeightedCascade, seed, 300);
            for k in [1, 3, 6] {
                let r = greedy_max_coverage(&c, 25, k, None, &[]);
                let want = plain_bound(&c, 25, &r.seeds, k) as f64;
                assert_eq!(r.upper_bound, want, "seed {seed} k {k}");
                let mut ix = PackedIndex::empty(25);
                ix.extend_batch(&c);
                let p = greedy_on_parts(&[Part::Index(&ix)], 25, k, None, &[], None, None);
                assert_eq!(
                    (p.seeds, p.upper_bound),
                    (r.seeds, want),
                    "seed {seed} k {k}"
                );
            }
        }
    }

    #[test]
    fn greedy_order_picks_as_the_bounded_greedy_does() {
        // Without the bound's re-counts the picks, their order and their gains are the same,
        // with candidates and forced seeds too; only the bound is missing.
        for seed in 0..6u64 {
            let edges: Vec<(u32, u32)> = (0..150u32)
                .map(|i| ((i * 11 + seed as u32) % 30, (i * 5 + 2) % 30))
                .filter(|(a, b)| a != b)
                .collect();
            let c = ic_sets(30, &edges, ProbScheme::WeightedCascade, seed, 400);
            let ix = InvertedIndex::build(&c, 30);
            let cands: Vec<bool> = (0..30).map(|v| v % 3 != 1).collect();
            for k in [1, 4, 30] {
                for (cand, forced) in [(None, &[][..]), (Some(&cands[..]), &[2u32, 5][..])] {
                    let want = greedy_on_index(&c, &ix, 30, k, cand, forced);
                    let got = greedy_order(&c, &ix, 30, k, cand, forced);
                    assert_eq!(
                        (&got.seeds, &got.gains, got.covered),
                        (&want.seeds, &want.gains, want.covered),
                        "seed {seed} k {k}"
                    );
                    assert!(got.upper_bound.is_infinite());
                }
            }
        }
    }

    #[test]
    fn the_bound_holds_when_the_greedy_misses_the_optimum() {
        // Node 0 is in four sets, nodes 1 and 2 in three each, together in all six: the greedy
        // takes 0 and then one of them (5 sets), the best pair is {1, 2} (6 sets). A bound summing
        // only the gains of the picks still to come would end at the greedy's own 5.
        let mut c = RrCollection::new(1, Purpose::RrSelect);
        for s in [&[0u32, 1][..], &[0, 1], &[0, 2], &[0, 2], &[1], &[2]] {
            c.push_set(s);
        }
        let r = greedy_max_coverage(&c, 3, 2, None, &[]);
        assert_eq!(r.covered, 5.0);
        assert!(
            r.upper_bound >= 6.0,
            "bound {} below the optimum 6",
            r.upper_bound
        );
        // The same on the index alone, where gains are counted by scanning.
        let mut ix = PackedIndex::empty(3);
        ix.extend_batch(&c);
        let parts = [Part::Index(&ix)];
        let p = greedy_on_parts(&parts, 3, 2, None, &[], None, None);
        assert_eq!((p.covered, p.upper_bound), (r.covered, r.upper_bound));
        // Forced to hold node 1, the greedy adds 2 and finds the optimum; the bound stays above.
        let f = greedy_max_coverage(&c, 3, 2, None, &[1]);
        assert_eq!((f.seeds.as_slice(), f.covered), (&[1, 2][..], 6.0));
        assert!(f.upper_bound >= 6.0);
    }
}
