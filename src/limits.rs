//! Run limits: a deadline (`--time-limit`), a memory budget for RR storage (`--max-memory`), and
//! interruption (SIGINT/SIGTERM). Hitting one is an outcome, not an error: the algorithms return
//! the best plan found so far with a status saying which limit stopped them.

use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Marks the process as interrupted (called from the signal handler).
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether an interrupt was received.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Limits of one run.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Limits {
    /// Stop sampling or searching after this instant.
    #[serde(skip)]
    pub deadline: Option<Instant>,
    /// Bytes the RR storage may use.
    pub max_rr_bytes: Option<u64>,
}

/// Which limit stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitHit {
    /// `--time-limit`.
    Time,
    /// `--max-memory`.
    Memory,
    /// SIGINT or SIGTERM.
    Interrupt,
}

impl Limits {
    /// No limits.
    pub fn none() -> Self {
        Limits::default()
    }

    /// A limit from now.
    pub fn with_time(mut self, d: Option<Duration>) -> Self {
        self.deadline = d.map(|d| Instant::now() + d);
        self
    }

    /// Whether time is up or the run was interrupted.
    pub fn expired(&self) -> Option<LimitHit> {
        if interrupted() {
            Some(LimitHit::Interrupt)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(LimitHit::Time)
        } else {
            None
        }
    }

    /// Seconds left before the deadline (None: unlimited).
    pub fn remaining(&self) -> Option<f64> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64())
    }

    /// Whether `bytes` of RR storage fit the memory budget.
    pub fn fits(&self, bytes: u64) -> bool {
        self.max_rr_bytes.is_none_or(|m| bytes <= m)
    }
}

/// Parses `90s`, `5m`, `1h`, `1500ms` or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, mult) = if let Some(x) = t.strip_suffix("ms") {
        (x, 0.001)
    } else if let Some(x) = t.strip_suffix('s') {
        (x, 1.0)
    } else if let Some(x) = t.strip_suffix('m') {
        (x, 60.0)
    } else if let Some(x) = t.strip_suffix('h') {
        (x, 3600.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (e.g. 90s, 5m, 1h)"))?;
    if !v.is_finite() || v <= 0.0 {
        return Err(format!("duration '{s}' must be > 0"));
    }
    Ok(Duration::from_secs_f64(v * mult))
}

/// Parses `512M`, `8G`, `2GiB`, `1.5g` or plain bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.trim_end_matches("ib").trim_end_matches('b');
    let (num, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        Some('t') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a size (e.g. 512M, 8G)"))?;
    if !v.is_finite() || v <= 0.0 {
        return Err(format!("size '{s}' must be > 0"));
    }
    Ok((v * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_sizes() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(
            parse_duration("1500ms").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("soon").is_err() && parse_duration("-3s").is_err());
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("8GiB").unwrap(), 8 << 30);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("lots").is_err());
    }
}
