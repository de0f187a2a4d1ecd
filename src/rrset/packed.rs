//! A node→sets index stored as 16-bit gaps: the storage of `IndexedRr`.
//!
//! Each node's list of set numbers is increasing, so it is kept as the gaps between them, each
//! in one `u16`; a gap of 65,536 or more (a node in fewer than one set in 65,536, which `auto`'s
//! pool, made of the nodes in the most sets, almost never holds) takes an escape `0` and two more
//! words. Half the memory of `u32` set numbers. A byte-wise varint (LEB128) made the RR storage
//! 8% smaller still (NetHEPT, k = 50: 4.8 against 5.2 MiB), but its data-dependent branch made
//! the whole selection 1.3-1.4x slower (NetHEPT, soc-Slashdot0902). Lists are read front to back
//! only (the greedy scans them), which is all a gap code allows.

use super::RrCollection;

/// Node → increasing set numbers, gap-coded. Grows by whole batches of sets numbered after the
/// sets already indexed (`extend_batch`), in place.
#[derive(Debug, Clone)]
pub struct PackedIndex {
    /// Node `v`'s gaps are `words[offsets[v]..offsets[v + 1]]`.
    words: Vec<u16>,
    offsets: Offsets,
    /// Per node, its last set number plus one (0 for an empty list): where the next gap counts
    /// from.
    last: Vec<u32>,
    /// Set numbers given so far.
    indexed: usize,
    /// Most bytes held at once, the transient counters of an extension included.
    peak: u64,
}

/// Words a gap takes (gaps are at least 1, so 0 is free to mark the long form).
#[inline]
fn gap_len(gap: u32) -> usize {
    if gap <= u16::MAX as u32 {
        1
    } else {
        3
    }
}

/// Writes `gap` at the front of `out`; returns the words written.
#[inline]
fn put_gap(out: &mut [u16], gap: u32) -> usize {
    debug_assert!(gap >= 1, "set numbers increase");
    if gap <= u16::MAX as u32 {
        out[0] = gap as u16;
        1
    } else {
        out[0] = 0;
        out[1] = (gap >> 16) as u16;
        out[2] = gap as u16;
        3
    }
}

/// The set numbers of one node's list, decoded front to back.
#[derive(Debug, Clone)]
pub struct Sets<'a> {
    words: std::slice::Iter<'a, u16>,
    /// Last number decoded, plus one.
    cur: u32,
}

impl Iterator for Sets<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        let g = *self.words.next()?;
        let gap = if g != 0 {
            g as u32
        } else {
            let hi = *self.words.next().expect("a long gap has three words");
            let lo = *self.words.next().expect("a long gap has three words");
            (hi as u32) << 16 | lo as u32
        };
        self.cur += gap;
        Some(self.cur - 1)
    }
}

/// List offsets into `words`: 4 bytes a node while the index holds fewer than 4G words, 8
/// after (the node arrays were a third of `auto`'s index on soc-Slashdot0902).
#[derive(Debug, Clone)]
enum Offsets {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl Offsets {
    #[inline]
    fn get(&self, i: usize) -> usize {
        match self {
            Offsets::Narrow(o) => o[i] as usize,
            Offsets::Wide(o) => o[i] as usize,
        }
    }

    #[inline]
    fn set(&mut self, i: usize, x: usize) {
        match self {
            Offsets::Narrow(o) => o[i] = u32::try_from(x).expect("offsets widened by `fit`"),
            Offsets::Wide(o) => o[i] = x as u64,
        }
    }

    /// Widens the offsets if `words` words do not fit 4 bytes.
    fn fit(&mut self, words: usize) {
        if let Offsets::Narrow(o) = self {
            if words > u32::MAX as usize {
                *self = Offsets::Wide(o.iter().map(|&x| x as u64).collect());
            }
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Offsets::Narrow(o) => o.capacity() * 4,
            Offsets::Wide(o) => o.capacity() * 8,
        }
    }
}

impl PackedIndex {
    /// An index of no sets over nodes `0..n`.
    pub fn empty(n: usize) -> Self {
        PackedIndex {
            words: Vec::new(),
            offsets: Offsets::Narrow(vec![0; n + 1]),
            last: vec![0; n],
            indexed: 0,
            peak: 0,
        }
    }

    /// Set numbers given so far (the next batch is numbered from here).
    pub fn indexed(&self) -> usize {
        self.indexed
    }

    /// Number of sets holding `v`, counted by decoding its list (no per-node count is kept:
    /// `bound_of` serves where a bound will do).
    pub fn len_of(&self, v: u32) -> usize {
        self.sets_of(v).count()
    }

    /// A bound on `len_of(v)` without a scan: the words of its list (one per set, three for a
    /// long gap).
    #[inline]
    pub fn bound_of(&self, v: u32) -> usize {
        self.offsets.get(v as usize + 1) - self.offsets.get(v as usize)
    }

    /// Sets holding `v`, in increasing order.
    #[inline]
    pub fn sets_of(&self, v: u32) -> Sets<'_> {
        let (a, b) = (
            self.offsets.get(v as usize),
            self.offsets.get(v as usize + 1),
        );
        Sets {
            words: self.words[a..b].iter(),
            cur: 0,
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        (self.words.capacity() * 2 + self.offsets.bytes() + self.last.capacity() * 4) as u64
    }

    /// Most bytes held at once so far.
    pub fn peak_bytes(&self) -> u64 {
        self.peak.max(self.bytes())
    }

    /// Indexes every set of `batch` as the sets numbered from `indexed()` on. Two passes over
    /// the batch: the first sizes each node's new gaps, then every old list moves right (last
    /// node first, in place: the index is never held twice) to leave room after it, and the
    /// second writes the gaps there. Serial: split over blocks of nodes, each thread reading the
    /// whole batch, it ran slower on two threads than on one; `IndexedRr::grow` runs it beside
    /// the sampling of the next batch instead.
    pub fn extend_batch(&mut self, batch: &RrCollection) {
        let n = self.last.len();
        let base = self.indexed;
        assert!(
            base + batch.len() < u32::MAX as usize,
            "an index numbers at most 4G sets"
        );
        // 1. New words per node. In a batch of at most 65,535 sets only a node's first gap in it
        // can be long, and that one counts from `last`: no copy of `last` is needed to follow
        // the gaps (a transient of 4 bytes a node, beside the batch being drawn).
        let mut grow = vec![0u32; n];
        let short = batch.len() <= u16::MAX as usize;
        let mut prev = if short { Vec::new() } else { self.last.clone() };
        for (i, set) in batch.sets_in(0..batch.len()) {
            let s1 = (base + i) as u32 + 1;
            for &v in set {
                let v = v as usize;
                if short {
                    // Every gap takes a word or more, so 0 means none yet in this batch.
                    grow[v] += if grow[v] == 0 {
                        gap_len(s1 - self.last[v]) as u32
                    } else {
                        1
                    };
                } else {
                    grow[v] += gap_len(s1 - prev[v]) as u32;
                    prev[v] = s1;
                }
            }
        }
        let prev_bytes = prev.capacity() * 4;
        drop(prev);
        // 2. Room after each old list: move every list right by what the nodes before it gain.
        let added: u64 = grow.iter().map(|&g| g as u64).sum();
        let old_total = self.words.len();
        self.offsets.fit(old_total + added as usize);
        self.words.reserve_exact(added as usize);
        self.words.resize(old_total + added as usize, 0);
        let mut shift = added;
        // Where each node's new gaps go, reusing `grow`: the length of its (moved) old list.
        let mut b = old_total;
        for v in (0..n).rev() {
            shift -= grow[v] as u64;
            let a = self.offsets.get(v);
            if shift > 0 && b > a {
                self.words.copy_within(a..b, a + shift as usize);
            }
            grow[v] = u32::try_from(b - a).expect("a node's list fits 4G words");
            self.offsets.set(v, a + shift as usize);
            b = a;
        }
        self.offsets.set(n, self.words.len());
        self.peak = self
            .peak
            .max(self.bytes() + (grow.capacity() * 4 + prev_bytes) as u64);
        // 3. The gaps, in set order (so each node's run of them is increasing).
        for (i, set) in batch.sets_in(0..batch.len()) {
            let s1 = (base + i) as u32 + 1;
            for &v in set {
                let v = v as usize;
                let at = self.offsets.get(v) + grow[v] as usize;
                grow[v] += put_gap(&mut self.words[at..], s1 - self.last[v]) as u32;
                self.last[v] = s1;
            }
        }
        debug_assert!(
            (0..n).all(|v| self.offsets.get(v) + grow[v] as usize == self.offsets.get(v + 1)),
            "every node's room is filled exactly"
        );
        self.indexed = base + batch.len();
    }

    /// Keeps only the lists of nodes in `keep` (the others become empty), moving the kept ones
    /// left in place.
    pub fn retain(&mut self, keep: &[bool]) {
        let n = self.last.len();
        let (mut w, mut from) = (0usize, 0usize);
        for (v, &k) in keep.iter().enumerate().take(n) {
            let to = self.offsets.get(v + 1);
            self.offsets.set(v, w);
            if k {
                self.words.copy_within(from..to, w);
                w += to - from;
            } else {
                self.last[v] = 0;
            }
            from = to;
        }
        self.offsets.set(n, w);
        self.words.truncate(w);
        self.words.shrink_to_fit();
        self.peak = self.bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_round_trip_short_and_long() {
        let mut buf = [0u16; 3];
        for x in [1u32, 2, 65_535, 65_536, 65_537, 1 << 20, u32::MAX - 1] {
            let w = put_gap(&mut buf, x);
            assert_eq!(w, gap_len(x), "{x}");
            let s = Sets {
                words: buf[..w].iter(),
                cur: 1,
            };
            // A one-gap list starting from `cur = 1` decodes to `x`.
            assert_eq!(s.collect::<Vec<_>>(), vec![x]);
        }
    }

    #[test]
    fn offsets_widen_past_4g_words_keeping_their_values() {
        let mut o = Offsets::Narrow(vec![0, 7, u32::MAX]);
        o.fit(u32::MAX as usize);
        assert!(matches!(o, Offsets::Narrow(_)), "4G - 1 words still fit");
        assert_eq!(o.bytes(), 12);
        o.fit(u32::MAX as usize + 1);
        assert!(matches!(o, Offsets::Wide(_)));
        assert_eq!((o.get(0), o.get(1), o.get(2)), (0, 7, u32::MAX as usize));
        o.set(2, 1 << 40);
        assert_eq!(o.get(2), 1 << 40);
        assert_eq!(o.bytes(), 24);
    }

    /// The index of `sets` added in batches ending at `cuts`.
    fn index_of(sets: &[Vec<u32>], n: usize, cuts: &[usize]) -> PackedIndex {
        let mut ix = PackedIndex::empty(n);
        let mut from = 0;
        for &to in cuts.iter().chain(std::iter::once(&sets.len())) {
            let mut batch = RrCollection::new(1, crate::rng::Purpose::RrSelect);
            for s in &sets[from..to] {
                batch.push_set(s);
            }
            ix.extend_batch(&batch);
            from = to;
        }
        ix
    }

    #[test]
    fn long_gaps_in_short_and_long_batches() {
        // Node 0: sets 0 and 69,999 (a long gap inside any batch holding both); node 1: every
        // 1,000th set; node 2: sets 5 and 66,000 (a long first gap in a later batch); node 3:
        // every set; node 4: none.
        let total = 70_000usize;
        let sets: Vec<Vec<u32>> = (0..total)
            .map(|i| {
                let mut s = vec![3u32];
                if i == 0 || i == total - 1 {
                    s.push(0);
                }
                if i % 1000 == 0 {
                    s.push(1);
                }
                if i == 5 || i == 66_000 {
                    s.push(2);
                }
                s
            })
            .collect();
        let want = |v: u32| -> Vec<u32> {
            (0..total as u32)
                .filter(|&i| sets[i as usize].contains(&v))
                .collect()
        };
        // One batch over 65,535 sets (each gap followed from the last one), then batches short
        // enough that only a first gap can be long, cut so that some first gaps are.
        for cuts in [
            &[][..],
            &[30_000, 60_000][..],
            &[1, 65_535, 65_536, 69_999][..],
        ] {
            let ix = index_of(&sets, 5, cuts);
            for v in 0..5u32 {
                assert_eq!(
                    ix.sets_of(v).collect::<Vec<_>>(),
                    want(v),
                    "node {v}, cuts {cuts:?}"
                );
                assert_eq!(ix.len_of(v), want(v).len());
            }
        }
    }
}
