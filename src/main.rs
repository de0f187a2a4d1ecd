//! The `seedplan` binary: parse arguments, run, map the outcome to an exit code
//! (0 success, 1 runtime failure, 2 bad input or usage; a closed stdout pipe counts as success).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    seedplan::sys::map_large_allocations();
    let cli = cli::Cli::parse();
    // First SIGINT/SIGTERM: stop at the next safe point and write nothing (temporary files are
    // removed, earlier outputs stay intact); a second one aborts at once.
    let _ = ctrlc::set_handler(|| {
        if seedplan::limits::interrupted() {
            std::process::exit(130);
        }
        seedplan::limits::interrupt();
        eprintln!("\ninterrupted: stopping at the next safe point (Ctrl-C again to abort now)");
    });
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let seedplan::Error::Reported(code) = e {
                return ExitCode::from(code);
            }
            let msg = e.to_string();
            if msg.contains("Broken pipe") {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {msg}");
            ExitCode::from(e.exit_code())
        }
    }
}
