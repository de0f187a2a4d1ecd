//! Per-thread scratch space, reset in O(1) by bumping an epoch instead of clearing arrays.

/// Visited marks, a queue, and LT threshold state for one thread.
#[derive(Debug, Clone)]
pub struct Workspace {
    mark: Vec<u32>,
    epoch: u32,
    pub(crate) queue: Vec<u32>,
    /// Scratch for subset sampling (positions picked in one row).
    pub(crate) pick: Vec<u32>,
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
