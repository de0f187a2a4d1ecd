//! One error type for the library. Input problems carry the file and line so the binary can print
//! `file:line: problem` and exit 2; runtime failures (writing output, solver failures) exit 1.

use std::fmt;

/// Library result alias.
pub type Result<T> = std::result::Result<T, Error>;

/// Where in an input an error was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (`-` for stdin).
    pub path: String,
    /// 1-based line number, when the problem is on one line.
    pub line: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}", self.path, l),
            None => write!(f, "{}", self.path),
        }
    }
}

/// Everything that can go wrong. `Input` and `Usage` are the user's to fix (exit 2);
/// `Runtime` is ours or the machine's (exit 1).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file the user gave is missing, unreadable or malformed.
    #[error("{loc}: {msg}")]
    Input {
        /// Where.
        loc: Location,
        /// What is wrong, lowercase, naming the column or value.
        msg: String,
    },
    /// Arguments or settings that contradict each other or are out of range.
    #[error("{0}")]
    Usage(String),
    /// A failure that is not the input's fault (output I/O, solver failure).
    #[error("{0}")]
    Runtime(String),
    /// A failure already reported in the caller's own format (e.g. JSON log lines); carries the
    /// exit code.
    #[error("")]
    Reported(u8),
    /// SIGINT/SIGTERM: the run stopped and wrote nothing.
    #[error("interrupted: stopped without writing output")]
    Interrupted,
    /// The reader of stdout went away (`seedplan ... | head`): no failure, exit 0 in silence.
    /// Told apart by the error's kind, never by its text: a label or path saying "Broken pipe"
    /// turned real errors into silent successes.
    #[error("stdout closed by its reader")]
    StdoutClosed,
}

impl Error {
    /// An input error on a given line.
    pub fn at_line(path: &str, line: u64, msg: impl Into<String>) -> Self {
        Error::Input {
            loc: Location {
                path: path.to_string(),
                line: Some(line),
            },
            msg: msg.into(),
        }
    }

    /// The same error, said of line `to` where it said line 1: header checks name line 1,
    /// and the header follows any comment and blank lines at the top.
    pub fn header_at(self, to: u64) -> Self {
        match self {
            Error::Input {
                loc:
                    Location {
                        path,
                        line: Some(1),
                    },
                msg,
            } => Error::Input {
                loc: Location {
                    path,
                    line: Some(to),
                },
                msg,
            },
            e => e,
        }
    }

    /// An input error about the whole file.
    pub fn in_file(path: &str, msg: impl Into<String>) -> Self {
        Error::Input {
            loc: Location {
                path: path.to_string(),
                line: None,
            },
            msg: msg.into(),
        }
    }

    /// A usage error.
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    /// The process exit code this error maps to: 2 for bad input or usage, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input { .. } | Error::Usage(_) => 2,
            Error::Runtime(_) => 1,
            Error::Interrupted => 130,
            Error::Reported(c) => *c,
            Error::StdoutClosed => 0,
        }
    }
}
