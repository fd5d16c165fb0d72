//! The command line's errors, and the exit code each one gives.

use std::path::PathBuf;

/// `Result` with [`CliError`].
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// What can stop a command line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A command failed.
    #[error(transparent)]
    Engine(#[from] retort_engine::Error),
    /// The command line asks for something impossible (`--database` naming no
    /// database, `--url` with several).
    #[error("{0}")]
    Usage(String),
    /// `init` cannot add the crate.
    #[error("init: {0}")]
    Init(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl CliError {
    /// The process's exit code: 2 for bad usage (as clap's own errors), 1 for the
    /// rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<retort::Error> for CliError {
    fn from(e: retort::Error) -> Self {
        CliError::Engine(e.into())
    }
}
