//! What differs between databases beyond the SQL text: how a session is set up,
//! how a revision step is wrapped (transaction, SQLite's foreign key pragma and
//! check), the run lock, the catalog, which transaction modes make sense, and how
//! the driver's errors are recognised. One [`Session`] per database, in
//! `sqlite.rs`, `postgres.rs` and `mysql.rs`; the SQL of each op is the
//! [`Dialect`](crate::dialect::Dialect)'s, in `dialect/`. Outside these two
//! folders no code asks which database it is talking to.

mod mysql;
mod postgres;
mod sqlite;

use std::time::Duration;

use retort::schema::Schema;
use retort::{Backend, Connection};

use crate::config::TransactionMode;
use crate::dialect::{self, Dialect};
use crate::error::Result;
use crate::introspect::Filter;

/// A condition the engine reacts to, recognised in a driver error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Another connection holds the write lock past the wait (SQLite's
    /// `SQLITE_BUSY`): reported as the run lock's timeout.
    Busy,
    /// A transaction took more locks than the server allows (PostgreSQL's
    /// `max_locks_per_transaction`).
    OutOfLocks,
    /// A statement waited for a table's lock longer than its lock timeout
    /// (PostgreSQL `lock_timeout`, MySQL `lock_wait_timeout`): nothing it would
    /// have done is done, and the step may be tried again.
    LockTimeout,
}

/// A held run lock; [`Session::unlock`] gives it back.
#[derive(Debug)]
pub struct RunLock {
    key: String,
    /// The lock file a SQLite run holds, and its path.
    file: Option<(std::fs::File, std::path::PathBuf)>,
}

/// How migrations run on one kind of database.
pub trait Session: Send + Sync {
    /// Its SQL dialect.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Statements run once on every new connection, so migrations behave the same
    /// whatever the server's or the driver's defaults.
    fn session_setup(&self) -> Vec<String>;

    /// What a `--sql` script sets first, so its literals mean the same whatever
    /// the server's settings (the part of [`Session::session_setup`] a script
    /// needs).
    fn script_header(&self) -> Vec<String> {
        Vec::new()
    }

    /// The statement that confines the session to a schema (`--schema`); an error
    /// message where the database has no such thing.
    fn use_schema(&self, schema: &str) -> std::result::Result<String, &'static str> {
        let _ = schema;
        Err("--schema applies to PostgreSQL only")
    }

    /// The schema unqualified table names are in (PostgreSQL's
    /// `current_schema()`); `None` where tables have no schemas.
    fn current_schema(&self, conn: &mut Connection) -> retort::Result<Option<String>> {
        let _ = conn;
        Ok(None)
    }

    /// Why a revision cannot be one transaction here (its DDL commits at once);
    /// `None` where DDL is transactional.
    fn autocommit_reason(&self) -> Option<&'static str> {
        None
    }

    /// How a revision's transaction starts.
    fn begin(&self) -> &'static str {
        "BEGIN"
    }

    /// Statements before a revision step (outside its transaction).
    fn step_prologue(&self) -> &'static [&'static str] {
        &[]
    }

    /// Statements after a revision step (outside its transaction), run whether it
    /// succeeded or not.
    fn step_epilogue(&self) -> &'static [&'static str] {
        &[]
    }

    /// A statement that fails unless the version table `table` holds exactly
    /// `rows`, for the end of a step. Where there is one, a step does not read the
    /// version table first: this check goes with the step's bookkeeping and its
    /// `COMMIT` in one round trip, and a failure makes the runner read the table
    /// again (see `runner`). `None` (the default): each step reads it first.
    fn version_guard_sql(&self, table: &str, rows: &[String]) -> Option<String> {
        let _ = (table, rows);
        None
    }

    /// A check at the end of a step, before its commit.
    fn check_before_commit(&self, conn: &mut Connection) -> Result<()> {
        let _ = conn;
        Ok(())
    }

    /// Whether revisions can run in `mode` here; why not otherwise (a sentence
    /// naming the mode and the database).
    fn supports(&self, mode: TransactionMode) -> std::result::Result<(), &'static str> {
        let _ = mode;
        Ok(())
    }

    /// Takes the lock that serialises migration runs on this database (per
    /// version table, `key`), waiting up to `timeout`; a run holds it from reading
    /// where the database is, through resolving its target, to its last step.
    /// `Ok(None)` where nothing can run concurrently (an in-memory database).
    fn lock(&self, conn: &mut Connection, key: &str, timeout: Duration) -> Result<Option<RunLock>>;

    /// Gives the run lock back (it also goes with the session).
    fn unlock(&self, conn: &mut Connection, lock: RunLock) -> Result<()>;

    /// The query that counts the tables called `name` (as `n`), in the session's
    /// schema.
    fn has_table_sql(&self, name: &str) -> String;

    /// Reads the tables `filter` lets through, with a fixed number of catalog
    /// queries.
    fn introspect(&self, conn: &mut Connection, filter: &Filter) -> retort::Result<Schema>;

    /// The defaults the database would keep for `columns` (each with its model's
    /// default), read back as introspection reads them: `None` where the database
    /// cannot be asked (its defaults are then compared as written).
    fn stored_defaults(
        &self,
        conn: &mut Connection,
        columns: &[retort::schema::Column],
    ) -> retort::Result<Option<Vec<Option<retort::schema::ServerDefault>>>> {
        let _ = (conn, columns);
        Ok(None)
    }

    /// The indexes the database would keep for each `(table, index)` of the models
    /// (expressions and predicates as it prints them), read back as introspection
    /// reads them: `None` where the database cannot be asked (they are then
    /// compared as written).
    fn stored_indexes(
        &self,
        conn: &mut Connection,
        asked: &[(&retort::schema::Table, &retort::schema::Index)],
    ) -> retort::Result<Option<Vec<Option<retort::schema::Index>>>> {
        let _ = (conn, asked);
        Ok(None)
    }

    /// The generation the database would keep for each `(table, column)` of the
    /// models (a generated column's expression as it prints it), read back as
    /// introspection reads it: `None` where the database cannot be asked.
    fn stored_generated(
        &self,
        conn: &mut Connection,
        asked: &[(&retort::schema::Table, &retort::schema::Column)],
    ) -> retort::Result<Option<Vec<Option<retort::schema::Generated>>>> {
        let _ = (conn, asked);
        Ok(None)
    }

    /// The setting that limits how many locks one transaction may take, as the
    /// server reports it (for [`Condition::OutOfLocks`]).
    fn lock_limit(&self, conn: &mut Connection) -> Option<String> {
        let _ = conn;
        None
    }

    /// The condition a failed statement signals, if any the engine acts on.
    fn classify(&self, error: &retort::Error) -> Option<Condition> {
        let _ = error;
        None
    }

    /// Statements that set how long a step's statements wait for a table's lock
    /// and may run (`None`: the server's default; `Duration::ZERO`: no limit),
    /// for the step's transaction (`local`) or the session. Nothing where the
    /// database has no such settings (SQLite).
    fn timeouts_sql(
        &self,
        lock: Option<std::time::Duration>,
        statement: Option<std::time::Duration>,
        local: bool,
    ) -> Vec<String> {
        let _ = (lock, statement, local);
        Vec::new()
    }
}

/// The session behaviour of a database.
pub fn for_backend(backend: Backend) -> &'static dyn Session {
    match backend {
        Backend::Sqlite => &dialect::Sqlite,
        Backend::Postgres => &dialect::Postgres,
        Backend::Mysql => &dialect::Mysql,
    }
}

/// The session behaviour of a connection's database.
pub fn of(conn: &Connection) -> &'static dyn Session {
    for_backend(conn.backend())
}

/// Connects to `url` and sets the session up as migrations need it.
pub fn connect(url: &retort::DatabaseUrl) -> retort::Result<Connection> {
    let mut conn = Connection::establish(url)?;
    // One round trip for the whole setup.
    conn.execute(&for_backend(url.backend).session_setup().join(";\n"))?;
    Ok(conn)
}

/// Whether a table exists (one catalog query).
pub fn has_table(conn: &mut Connection, name: &str) -> retort::Result<bool> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = of(conn).has_table_sql(name);
    let rows: Vec<Count> = conn.query(&sql)?;
    Ok(rows.first().is_some_and(|c| c.n > 0))
}

/// Polls `try_once` every 50 ms until it succeeds or `timeout` has passed.
fn poll(timeout: Duration, mut try_once: impl FnMut() -> Result<bool>) -> Result<bool> {
    let started = std::time::Instant::now();
    loop {
        if try_once()? {
            return Ok(true);
        }
        if started.elapsed() >= timeout {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[derive(diesel::QueryableByName)]
struct Got {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    ok: i64,
}

/// The run lock on `key` when `got`, else the lock timeout naming the database.
fn granted(got: bool, conn: &Connection, key: &str, timeout: Duration) -> Result<Option<RunLock>> {
    if got {
        Ok(Some(RunLock {
            key: key.to_owned(),
            file: None,
        }))
    } else {
        Err(crate::Error::LockTimeout {
            url: conn.url().to_owned(),
            seconds: timeout.as_secs(),
        })
    }
}

/// Runs a lock query that answers `ok` = 1 when it got (or gave back) the lock.
fn lock_query(conn: &mut Connection, sql: &str) -> Result<bool> {
    Ok(conn.query::<Got>(sql)?.first().is_some_and(|g| g.ok == 1))
}
