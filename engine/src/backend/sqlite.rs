//! SQLite: foreign keys on, a busy wait instead of an instant "database is
//! locked"; each revision step runs with foreign keys checked once at its end
//! (`PRAGMA foreign_keys = OFF` around the transaction, `foreign_key_check` before
//! the commit), so table rebuilds neither cascade nor fail half-way; `BEGIN
//! IMMEDIATE` takes the write lock when the step starts.

use std::time::Duration;

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use retort::schema::Schema;
use retort::Connection;

use super::{Condition, RunLock, Session};
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

    /// SQLite has no lock that outlives a transaction: each step's `BEGIN
    /// IMMEDIATE` waits up to `timeout` for the write lock.
    fn lock(
        &self,
        conn: &mut Connection,
        _key: &str,
        timeout: Duration,
    ) -> Result<Option<RunLock>> {
        conn.execute(&format!("PRAGMA busy_timeout = {}", timeout.as_millis()))?;
        Ok(None)
    }

    fn unlock(&self, _conn: &mut Connection, _lock: RunLock) -> Result<()> {
        Ok(())
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
