//! The engine's errors, one variant per stage: what `retort` itself reports
//! (connecting, a statement, the models, an op), the revision graph, the config
//! file, files, the run lock, a failed revision, the database's state. Exit codes
//! are the CLI's business, not this type's.

use std::path::PathBuf;

use retort::{BoxError, Direction};

use crate::config::TransactionMode;
use crate::graph::RevisionError;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a command, with the context to act on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Connecting, a statement, the model registry, an op that cannot be written
    /// as SQL or reversed: `retort`'s own errors.
    #[error(transparent)]
    Retort(#[from] retort::Error),
    /// The revision files or a target do not make sense.
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// `Retort.toml` (or a fleet's URLs file) is malformed.
    #[error("{}: {reason}", .path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
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
    /// Another run held the migration lock for too long.
    #[error("could not get the migration lock on `{url}` within {seconds} s: another migration is running (or hung); wait for it, or raise --lock-timeout")]
    LockTimeout {
        /// The database, password masked.
        url: String,
        /// How long we waited.
        seconds: u64,
    },
    /// The database cannot run revisions the way asked (`--transaction`).
    #[error("{reason}")]
    TransactionMode {
        /// The mode asked for.
        mode: TransactionMode,
        /// The database (`sqlite`, `postgresql`, `mysql`).
        database: &'static str,
        /// Why not, naming both.
        reason: &'static str,
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
        /// Which way it ran.
        direction: Direction,
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
        /// Which way it ran.
        direction: Direction,
        /// What of the revision stayed applied.
        kept: Kept,
        /// What went wrong: the revision's own error, or a [`retort::Error`] of an
        /// op it ran (downcast to look inside).
        #[source]
        source: BoxError,
    },
    /// A statement of a step waited for a table's lock past its lock timeout, on
    /// every attempt. The step was rolled back.
    #[error(
        "{direction} of revision {id} ({file}) could not get a table's lock within its lock timeout \
         ({attempts} attempt(s)); nothing of the revision was kept: {source}. Another transaction holds \
         the table: end or wait for it, raise ddl_lock_timeout or ddl_lock_retries, or run when the table is quiet"
    )]
    DdlLockTimeout {
        /// Revision id.
        id: String,
        /// Revision file.
        file: String,
        /// Which way it ran.
        direction: Direction,
        /// How many times the step was tried.
        attempts: u32,
        /// The statement's error.
        #[source]
        source: BoxError,
    },
    /// At the end of a step the version table was not where the run left it: a
    /// writer that does not take the run lock moved it meanwhile, and not past
    /// this revision. The step was rolled back.
    #[error(
        "{direction} of revision {id} ({file}) was rolled back: the version table changed during the run, \
         from {expected} to {found}, by a writer that does not take the run lock; nothing of the revision was kept. \
         Run the command again to go on from where the database is"
    )]
    VersionTableMoved {
        /// Revision id.
        id: String,
        /// Revision file.
        file: String,
        /// Which way it ran.
        direction: Direction,
        /// The rows the run expected.
        expected: String,
        /// The rows it found.
        found: String,
    },
    /// A revision step ran without a transaction (MySQL, `--transaction
    /// per-statement`) and stopped half-way: its first statements stayed. Nothing
    /// runs until it is repaired.
    #[error(transparent)]
    Unfinished(Box<Stopped>),
    /// `import` cannot take this database or project over as asked.
    #[error("import: {reason}")]
    Import {
        /// Why not, and what to do.
        reason: String,
    },
    /// `squash` cannot write one revision equivalent to the range.
    #[error("squash {range}: {}", .problems.join("; "))]
    Squash {
        /// The range as given.
        range: String,
        /// What stands in the way, each naming the revision (and line).
        problems: Vec<String>,
    },
    /// `repair` on a database with no step to repair.
    #[error("nothing to repair: no revision stopped half-way on this database")]
    NothingToRepair,
    /// `repair --revert` meets an op that ran only in part.
    #[error(
        "cannot revert revision {id}: `{op}` ran {ran} of its {of} statements, and only whole operations can be reversed; \
         undo its first {ran} statement(s) by hand, then `repair --revert` again, or finish it by hand and `repair --done`"
    )]
    PartialOp {
        /// Revision id.
        id: String,
        /// The op, summarised.
        op: String,
        /// Statements of it that ran.
        ran: usize,
        /// Its statements.
        of: usize,
    },
    /// A revision left rows that violate a foreign key (SQLite checks at the end
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
    /// The version table's name is taken by a table of the application.
    #[error("table `{table}` exists but is not a version table (it has no version_num column); set version_table in Retort.toml to another name")]
    NotAVersionTable {
        /// The table.
        table: String,
    },
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
    /// `downgrade --sql` was given only where to go.
    #[error("cannot run in --sql mode: downgrade --sql needs the revision to start from: FROM:TO, e.g. head:{target}")]
    DowngradeSqlNeedsStart {
        /// The target given.
        target: String,
    },
    /// A generated revision file does not parse: a bug in Retort.
    #[error("generated revision does not parse (please report this): {0}")]
    Generated(String),
}

/// A revision step that stopped half-way, as [`Error::Unfinished`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {direction} of revision {id} ({file}) stopped half-way: {statements} of its statements ran and stayed \
     (they ran without a transaction), then it failed: {failure}. The version table still says {version}.{}\n\
     Nothing runs on this database until it is repaired, one of three ways:\n\
     - fix the cause, then `repair --resume`: runs the rest, from the statement that failed;\n\
     - `repair --revert`: undoes the statements that ran (the reverse of their operations);\n\
     - `repair --done`: marks the {direction} done, once you have finished it by hand.",
    if .ran.is_empty() { String::new() } else { format!("\nWhat ran:\n  {}", .ran.join(";\n  ")) }
)]
pub struct Stopped {
    /// Revision id.
    pub id: String,
    /// Revision file.
    pub file: String,
    /// Which way it ran.
    pub direction: Direction,
    /// How many of its statements ran (and stayed).
    pub statements: usize,
    /// Why it stopped.
    pub failure: String,
    /// What the version table says.
    pub version: String,
    /// The statements that ran, as far as they can be known without running the
    /// revision.
    pub ran: Vec<String>,
}

/// What stays of a revision that failed half-way.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The `retort::Error` inside, if this is one (directly, or as the source of a
    /// failed revision).
    pub fn retort(&self) -> Option<&retort::Error> {
        match self {
            Error::Retort(e) => Some(e),
            Error::Step { source, .. } => source.downcast_ref::<retort::Error>(),
            _ => None,
        }
    }
}

impl From<retort::RenderError> for Error {
    fn from(e: retort::RenderError) -> Self {
        Error::Retort(retort::Error::Render(e))
    }
}

impl From<retort::ops::Irreversible> for Error {
    fn from(e: retort::ops::Irreversible) -> Self {
        Error::Retort(retort::Error::Irreversible(e))
    }
}

impl From<retort::model::RegistryError> for Error {
    fn from(e: retort::model::RegistryError) -> Self {
        Error::Retort(retort::Error::Registry(e))
    }
}
