//! The `seedplan` binary: parse arguments, run, map the outcome to an exit code
//! (0 success, 1 runtime failure, 2 bad input or usage; a closed stdout pipe counts as success).

/// `eprintln!` for diagnostics that a closed or failing stderr cannot turn into a crash (the
/// standard macro panics then, exit 101, e.g. under `seedplan ... 2>&1 | head`).
/// A job logging JSON takes a plan's diagnostics as its own events instead (`cli::say`).
macro_rules! note {
    ($($arg:tt)*) => {{
        $crate::cli::say(format_args!($($arg)*));
    }};
}

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    seedplan::sys::map_large_allocations();
    let cli = match cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        // Help, version and usage errors print and exit as clap does (usage errors: 2).
        Err(e) => e.exit(),
    };
    // First SIGINT/SIGTERM: stop at the next safe point and write nothing (temporary files are
    // removed, earlier outputs stay intact); a second one aborts at once.
    // A JSON log stays JSON lines: the job reports the interruption as its own event.
    // `-q` keeps stderr to errors: the exit code (130) says the run was interrupted.
    let json_log = cli::logs_json(&cli);
    let quiet = cli.quiet;
    let _ = ctrlc::set_handler(move || {
        if seedplan::limits::interrupted() {
            std::process::exit(130);
        }
        seedplan::limits::interrupt();
        if !json_log && !quiet {
            note!("\ninterrupted: stopping at the next safe point (Ctrl-C again to abort now)");
        }
    });
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let seedplan::Error::Reported(_) | seedplan::Error::StdoutClosed = e {
                return ExitCode::from(e.exit_code());
            }
            note!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
