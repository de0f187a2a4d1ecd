//! Progress events. The library reports what it is doing through this trait and never prints;
//! the CLI draws a bar on stderr when stderr is a terminal.

/// Receiver of progress events. All methods default to doing nothing.
pub trait Progress: Sync {
    /// A phase starts; `total` is its length in work units when known.
    fn begin(&self, _phase: &str, _total: Option<u64>) {}
    /// `n` more units of the current phase are done.
    fn advance(&self, _n: u64) {}
    /// A one-line status (e.g. "round 3: 65,536 RR sets, certified 0.61").
    fn note(&self, _msg: &str) {}
    /// The current phase ended.
    fn end(&self) {}
}

/// Ignores all events.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {}
