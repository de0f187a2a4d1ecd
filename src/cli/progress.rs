//! Progress on stderr: a spinner/bar only when stderr is a terminal and not `--quiet`;
//! diagnostics (what loading dropped) print unless `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use seedplan::progress::Progress;
use std::io::IsTerminal;
use std::sync::Mutex;

/// The CLI's progress sink.
pub struct StderrProgress {
    bar: Mutex<Option<ProgressBar>>,
    enabled: bool,
}

impl StderrProgress {
    pub fn new(quiet: bool) -> Self {
        StderrProgress {
            bar: Mutex::new(None),
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for StderrProgress {
    fn begin(&self, phase: &str, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        let bar = match total {
            Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} {eta}")
                        .unwrap()
                        .progress_chars("=> "),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap()),
        };
        bar.set_message(phase.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        *self.bar.lock().unwrap() = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(b) = self.bar.lock().unwrap().as_ref() {
            b.inc(n);
        }
    }
    fn note(&self, msg: &str) {
        if !self.enabled {
            return;
        }
        match self.bar.lock().unwrap().as_ref() {
            Some(b) => b.println(msg),
            None => note!("{msg}"),
        }
    }
    fn end(&self) {
        if let Some(b) = self.bar.lock().unwrap().take() {
            b.finish_and_clear();
        }
    }
}
