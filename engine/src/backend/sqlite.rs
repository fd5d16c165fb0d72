//! SQLite: foreign keys on, a busy wait instead of an instant "database is
//! locked"; each revision step runs with foreign keys checked once at its end
//! (`PRAGMA foreign_keys = OFF` around the transaction, `foreign_key_check` before
//! the commit), so table rebuilds neither cascade nor fail half-way; `BEGIN
//! IMMEDIATE` takes the write lock when the step starts.

use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use retort::schema::Schema;
use retort::Connection;

use std::path::Path;

use super::{granted, poll, Condition, RunLock, Session};
use crate::config::TransactionMode;
use crate::dialect::{Dialect, Sqlite};
use crate::error::{Error, Result};
use crate::introspect::{self, Filter};

/// The statement that takes SQLite's write lock for a step.
const BEGIN_IMMEDIATE: &str = "BEGIN IMMEDIATE";

impl Session for Sqlite {
    fn dialect(&self) -> &'static dyn Dialect {
        &Sqlite
    }

    fn session_setup(&self) -> Vec<String> {
        vec![
            "PRAGMA foreign_keys = ON".to_owned(),
            "PRAGMA busy_timeout = 5000".to_owned(),
        ]
    }

    fn begin(&self) -> &'static str {
        BEGIN_IMMEDIATE
    }

    fn step_prologue(&self) -> &'static [&'static str] {
        &["PRAGMA foreign_keys = OFF"]
    }

    fn step_epilogue(&self) -> &'static [&'static str] {
        &["PRAGMA foreign_keys = ON"]
    }

    fn check_before_commit(&self, conn: &mut Connection) -> Result<()> {
        #[derive(diesel::QueryableByName)]
        struct Violation {
            #[diesel(sql_type = diesel::sql_types::Text)]
            table_name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            parent: String,
        }
        let sql = "SELECT \"table\" AS table_name, parent FROM pragma_foreign_key_check";
        let violations: Vec<Violation> = conn.query(sql)?;
        match violations.first() {
            None => Ok(()),
            Some(v) => Err(Error::ForeignKeyViolation {
                table: v.table_name.clone(),
                parent: v.parent.clone(),
                rows: violations.len(),
            }),
        }
    }

    fn supports(&self, mode: TransactionMode) -> std::result::Result<(), &'static str> {
        match mode {
            TransactionMode::PerStatement => Err(
                "--transaction per-statement is for PostgreSQL and MySQL: an SQLite transaction has no lock limit, \
                 and its table rebuilds must not be split",
            ),
            _ => Ok(()),
        }
    }

    /// SQLite has no lock that outlives a transaction, so a run holds an
    /// advisory lock on a file beside the database (`<file>.<key>.lock`, left in
    /// place: deleting it would let two runs hold two files); the operating system
    /// drops it when the process dies. Each step's `BEGIN IMMEDIATE` still waits
    /// up to `timeout` for the write lock, for writers that are not Retort runs.
    fn lock(&self, conn: &mut Connection, key: &str, timeout: Duration) -> Result<Option<RunLock>> {
        // SQLite takes a 32-bit count of milliseconds.
        let busy = timeout.as_millis().min(i32::MAX as u128);
        conn.execute(&format!("PRAGMA busy_timeout = {busy}"))?;
        let Some(db) = conn.database_url().file().map(Path::to_path_buf) else {
            return Ok(None);
        };
        let name = format!(
            "{}.{}.lock",
            db.file_name().unwrap_or_default().to_string_lossy(),
            key.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_")
        );
        let path = db.with_file_name(name);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        let got = poll(timeout, || match file.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        })?;
        let mut lock = granted(got, conn, key, timeout)?;
        if let Some(lock) = &mut lock {
            lock.file = Some((file, path));
        }
        Ok(lock)
    }

    fn unlock(&self, _conn: &mut Connection, lock: RunLock) -> Result<()> {
        match lock.file {
            Some((file, path)) => file.unlock().map_err(|source| Error::Io { path, source }),
            None => Ok(()),
        }
    }

    fn has_table_sql(&self, name: &str) -> String {
        format!(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = {}",
            self.string_literal(name)
        )
    }

    fn introspect(&self, conn: &mut Connection, filter: &Filter) -> retort::Result<Schema> {
        introspect::sqlite::introspect(conn, self, filter)
    }

    /// The driver reports `SQLITE_BUSY` without its code; the statement that
    /// waited for the write lock (`BEGIN IMMEDIATE`) failing for an unknown
    /// reason is that wait running out.
    fn classify(&self, error: &retort::Error) -> Option<Condition> {
        match error {
            retort::Error::Sql {
                sql,
                source: DieselError::DatabaseError(DatabaseErrorKind::Unknown, _),
            } if sql == BEGIN_IMMEDIATE => Some(Condition::Busy),
            _ => None,
        }
    }
}
