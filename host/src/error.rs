//! Host errors. Every variant says what went wrong and where; none carries a secret value.
//! Exit codes: 0 clean, 1 findings (or refused apply), 2 usage/input/internal error.

use std::path::PathBuf;

use crate::runtime::GuestError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Config {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Guest(#[from] GuestError),
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        2
    }

    /// What `main` prints for a command that failed.
    pub fn report(&self) {
        eprintln!("tfguard: error: {self}");
    }
}

/// Ends the process as `main` ends a command that failed with `e` (a guest deadline's watchdog).
pub fn exit_with(e: GuestError) -> ! {
    let e = Error::Guest(e);
    e.report();
    std::process::exit(i32::from(e.exit_code()))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error with its sources, on one line (`a: b: c`), skipping a source whose text the
/// previous one already contains. reqwest errors carry URLs and status codes, never
/// request bodies, so this cannot leak a value.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}
