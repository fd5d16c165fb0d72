//! What can go wrong in what `retort` itself does: connecting, a statement, the
//! model registry, an op that cannot be reversed or written as SQL, and a step that
//! asks for the database in `--sql` mode. The migration engine's stages (config,
//! lock, graph, a failed revision…) are `retort_engine::Error`, which wraps this one.

use crate::model::RegistryError;
use crate::ops::Irreversible;
use crate::replay::ReplayError;

/// Errors a user-written `upgrade`/`downgrade` may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `retort`, with the context to act on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The models, taken together, are inconsistent (two models for one table, a
    /// foreign key to a table no model declares…).
    #[error("the registered models are inconsistent:\n{0}")]
    Registry(#[from] RegistryError),
    /// An op cannot become SQL for the database.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// An op cannot be reversed (autogenerate writes the downgrade by reversing).
    #[error(transparent)]
    Irreversible(#[from] Irreversible),
    /// The database URL is malformed, names an unknown database, or a database this
    /// program was built without.
    #[error("database URL `{url}`: {reason}")]
    Url {
        /// The URL, password masked.
        url: String,
        /// What is wrong, and how to write it.
        reason: String,
    },
    /// Could not connect.
    #[error("cannot connect to `{url}`: {reason}")]
    Connect {
        /// The URL, password masked.
        url: String,
        /// The driver's reason, with the password scrubbed out (drivers quote
        /// what they were given).
        reason: String,
    },
    /// A statement failed.
    #[error("{source}\n  while running: {sql}")]
    Sql {
        /// The statement (its first 500 characters).
        sql: String,
        /// The database's error.
        #[source]
        source: diesel::result::Error,
    },
    /// A revision asked for the live database (`op.connection()`) while its SQL is
    /// being printed (`--sql`), or replayed in memory.
    #[error(
        "cannot run in --sql mode: op.connection() reads the live database; use op.execute(..) so the step can print as SQL"
    )]
    NoConnection,
    /// An op that cannot run inside a transaction (PostgreSQL's `CREATE INDEX
    /// CONCURRENTLY`) met the revision's: the engine runs the revision again
    /// without one.
    #[error("{op} cannot run inside a transaction (with --transaction all, run its revision in a run of its own)")]
    NeedsNoTransaction {
        /// What the op does.
        op: String,
    },
}

/// Why an op cannot become SQL for a dialect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The database cannot do this; `hint` says what to do instead.
    #[error("{dialect} cannot {op}: {hint}")]
    Unsupported {
        /// Dialect name.
        dialect: &'static str,
        /// What was asked, e.g. "add foreign key `fk_x` to table `orders`".
        op: String,
        /// What to do instead.
        hint: String,
    },
    /// An identifier is empty, holds a NUL character, or is longer than the
    /// database allows.
    #[error("{what} name `{name}` {problem}")]
    BadIdentifier {
        /// "table", "column", "index"…
        what: &'static str,
        /// The identifier.
        name: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A value has no SQL literal (NaN), a row has the wrong number of values, or
    /// `?` placeholders and parameters disagree.
    #[error("{0}")]
    BadValue(String),
    /// The op needs the table as it is (an SQLite rebuild, MySQL's `CHANGE
    /// COLUMN`), and there is no such table.
    #[error("{op} needs the current definition of table `{table}`, which does not exist")]
    NoTable {
        /// The op, summarised.
        op: String,
        /// The table.
        table: String,
    },
    /// Applying the op to the table in memory failed.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

impl Error {
    /// A failed statement, the SQL cut to 500 characters for the message.
    pub fn sql(sql: &str, source: diesel::result::Error) -> Self {
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
}
