//! The `seedplan` binary: parse arguments, run, map the outcome to an exit code
//! (0 success, 1 runtime failure, 2 bad input or usage; a closed stdout pipe counts as success).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = e.to_string();
            if msg.contains("Broken pipe") {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {msg}");
            ExitCode::from(e.exit_code())
        }
    }
}
