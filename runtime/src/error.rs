//! The error type of the `retort` API.

use std::path::PathBuf;

use crate::dialect::RenderError;
use crate::model::RegistryError;
use crate::ops::Irreversible;
use crate::revision::RevisionError;

/// Errors a user-written `upgrade`/`downgrade` may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in Retort, with the context to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The models, taken together, are inconsistent.
    #[error("the registered models are inconsistent:\n{0}")]
    Registry(#[from] RegistryError),
    /// An op cannot become SQL.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The revision files or a target do not make sense.
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// An op cannot be reversed.
    #[error(transparent)]
    Irreversible(#[from] Irreversible),
    /// The database URL is malformed or names an unknown database.
    #[error("database URL `{url}`: {reason}")]
    Url {
        /// The URL, password masked.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Could not connect.
    #[error("cannot connect to `{url}`: {source}")]
    Connect {
        /// The URL, password masked.
        url: String,
        /// Why.
        #[source]
        source: diesel::ConnectionError,
    },
    /// A statement failed.
    #[error("{source}\n  while running: {sql}")]
    Sql {
        /// The statement (first 500 characters).
        sql: String,
        /// The database's error.
        #[source]
        source: diesel::result::Error,
    },
    /// A revision needs more locks than one PostgreSQL transaction may hold.
    #[error(
        "{direction} of revision {id} ({file}) takes more locks than one PostgreSQL transaction may hold \
         (out of shared memory; max_locks_per_transaction = {setting}); nothing of it was kept. \
         Raise max_locks_per_transaction in postgresql.conf (the server needs a restart), or rerun with \
         --transaction per-statement (Retort.toml: transaction = \"per-statement\") to give each statement \
         its own transaction: not atomic then, a failure keeps the statements before it"
    )]
    TooManyLocks {
        /// Revision id.
        id: String,
        /// Revision file.
        file: String,
        /// "upgrade" or "downgrade".
        direction: &'static str,
        /// The server's `max_locks_per_transaction`.
        setting: String,
    },
    /// A revision's `upgrade` or `downgrade` failed.
    #[error("{direction} of revision {id} ({file}) failed; {kept}: {source}")]
    Step {
        /// Revision id.
        id: String,
        /// Revision file.
        file: String,
        /// "upgrade" or "downgrade".
        direction: &'static str,
        /// What of the revision stayed applied.
        kept: Kept,
        /// What went wrong.
        #[source]
        source: BoxError,
    },
    /// A migration left rows that violate a foreign key (SQLite checks at the end
    /// of each revision).
    #[error("{rows} row(s) of table `{table}` reference missing rows of `{parent}`")]
    ForeignKeyViolation {
        /// The referencing table.
        table: String,
        /// The referenced table.
        parent: String,
        /// How many rows.
        rows: usize,
    },
    /// `Retort.toml` is malformed.
    #[error("{}: {reason}", .path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `init` cannot add the crate.
    #[error("init: {0}")]
    Init(String),
    /// Another run holds the migration lock for too long.
    #[error("could not get the migration lock on `{url}` within {seconds} s: another migration is running (or hung); wait for it, or raise --lock-timeout")]
    LockTimeout {
        /// The database, password masked.
        url: String,
        /// How long we waited.
        seconds: u64,
    },
    /// The database cannot do what was asked.
    #[error("{0}")]
    Unsupported(String),
    /// The command line asks for something impossible (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// Something that needs a live database was asked for in `--sql` mode.
    #[error("cannot run in --sql mode: {0}")]
    Offline(String),
    /// Autogenerate or check on a database that is not at head.
    #[error("target database is not up to date: it is at {current}, the head is {head}; run `upgrade head` first")]
    NotUpToDate {
        /// Revisions the database is at (`base` when none).
        current: String,
        /// The head revision(s).
        head: String,
    },
    /// Files in the versions folder that this binary was not compiled with.
    #[error(
        "{} in {} {} not compiled into this program; rebuild it (`cargo run` does) before running this command",
        .files.join(", "), .dir.display(), if .files.len() == 1 { "is" } else { "are" }
    )]
    StaleBinary {
        /// The versions folder.
        dir: PathBuf,
        /// File names not compiled in.
        files: Vec<String>,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Generated source could not be formatted (a bug in Retort).
    #[error("generated revision does not parse (please report this): {0}")]
    Generated(String),
}

/// What stays of a revision that failed half-way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// Its transaction was rolled back.
    Nothing,
    /// The statements ran outside a transaction (MySQL commits DDL at once;
    /// `--transaction per-statement` asks for it): what ran before the failing
    /// statement stays; the version table was not updated.
    Partial {
        /// Why there was no transaction, e.g. "mysql commits DDL at once".
        why: &'static str,
        /// What the version table still says.
        version: String,
    },
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kept::Nothing => f.write_str("nothing of it was kept"),
            Kept::Partial { why, version } => write!(
                f,
                "{why}, so its statements before the failing one stay applied, \
                 and the version table still says {version}"
            ),
        }
    }
}

impl Error {
    pub(crate) fn sql(sql: &str, source: diesel::result::Error) -> Self {
        let mut sql = sql.trim().to_owned();
        if sql.len() > 500 {
            let mut cut = 500;
            while !sql.is_char_boundary(cut) {
                cut -= 1;
            }
            sql.truncate(cut);
            sql.push_str(" …");
        }
        Error::Sql { sql, source }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
