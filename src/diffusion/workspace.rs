//! Per-thread scratch space, reset in O(1) by bumping an epoch instead of clearing arrays.

/// Visited marks, a queue, and LT threshold state for one thread.
#[derive(Debug, Clone)]
pub struct Workspace {
    mark: Vec<u32>,
    epoch: u32,
    pub(crate) queue: Vec<u32>,
    /// Scratch for subset sampling (positions picked in one row).
    pub(crate) pick: Vec<u32>,
    /// Visited bits of the RR sampler: 1 bit a node instead of a 4-byte epoch, so the marks of a
    /// graph with 80k nodes fit in 10 KB of L1 cache. Cleared after each set by walking its
    /// members (the set is in cache), which costs far less than the misses it saves.
    pub(crate) bits: Vec<u64>,
    pub(crate) theta: Vec<f64>,
    pub(crate) acc: Vec<f64>,
    pub(crate) lt_mark: Vec<u32>,
}

impl Workspace {
    /// A workspace for `n` nodes.
    pub fn new(n: usize) -> Self {
        Workspace {
            mark: vec![0; n],
            epoch: 0,
            queue: Vec::new(),
            pick: Vec::new(),
            bits: vec![0; n.div_ceil(64)],
            theta: Vec::new(),
            acc: Vec::new(),
            lt_mark: Vec::new(),
        }
    }

    /// Starts a new traversal: all nodes unvisited, queue empty.
    #[inline]
    pub fn reset(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.lt_mark.iter_mut().for_each(|m| *m = 0);
            self.epoch = 1;
        }
        self.queue.clear();
    }

    /// Marks `v`; true if it was not yet visited in this traversal.
    #[inline]
    pub fn visit(&mut self, v: u32) -> bool {
        let m = &mut self.mark[v as usize];
        if *m == self.epoch {
            false
        } else {
            *m = self.epoch;
            true
        }
    }

    /// Sets `v`'s visited bit; true if it was clear.
    #[inline]
    pub(crate) fn visit_bit(&mut self, v: u32) -> bool {
        let w = &mut self.bits[(v >> 6) as usize];
        let m = 1u64 << (v & 63);
        let fresh = *w & m == 0;
        *w |= m;
        fresh
    }

    /// Clears the visited bits of `nodes` (and any others sharing their words).
    #[inline]
    pub(crate) fn clear_bits(&mut self, nodes: &[u32]) {
        for &v in nodes {
            self.bits[(v >> 6) as usize] = 0;
        }
    }

    /// Whether `v` was visited in this traversal.
    #[inline]
    pub fn visited(&self, v: u32) -> bool {
        self.mark[v as usize] == self.epoch
    }

    /// Nodes visited in this traversal, in visiting order.
    pub fn active(&self) -> &[u32] {
        &self.queue
    }

    #[inline]
    pub(crate) fn epoch(&self) -> u32 {
        self.epoch
    }

    pub(crate) fn ensure_lt(&mut self) {
        let n = self.mark.len();
        if self.theta.len() != n {
            self.theta = vec![0.0; n];
            self.acc = vec![0.0; n];
            self.lt_mark = vec![0; n];
        }
    }
}
