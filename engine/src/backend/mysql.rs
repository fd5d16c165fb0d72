//! MySQL and MariaDB: UTC and strict mode for the session; the run lock is
//! `GET_LOCK`; DDL commits implicitly, so a revision is not a transaction (the
//! version table is updated after each complete revision instead).

use std::time::Duration;

use retort::schema::Schema;
use retort::Connection;

use super::{granted, lock_query, Condition, RunLock, Session};
use crate::config::TransactionMode;
use crate::dialect::{Dialect, Mysql};
use crate::error::Result;
use crate::introspect::{self, Filter};

impl Session for Mysql {
    fn dialect(&self) -> &'static dyn Dialect {
        &Mysql
    }

    fn session_setup(&self) -> Vec<String> {
        let mut setup = vec!["SET time_zone = '+00:00'".to_owned()];
        setup.extend(self.script_header());
        setup
    }

    /// The server's `sql_mode` without the two modes Retort's SQL cannot live
    /// with (`NO_BACKSLASH_ESCAPES`: literals double backslashes;
    /// `ANSI_QUOTES`: `"` would quote identifiers), plus strict mode, so a value
    /// that does not fit is refused instead of cut.
    fn script_header(&self) -> Vec<String> {
        vec![
            "SET sql_mode = CONCAT_WS(',', NULLIF(TRIM(BOTH ',' FROM REPLACE(REPLACE(\
             CONCAT(',', @@sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','), ',ANSI_QUOTES,', ',')), ''), \
             'STRICT_ALL_TABLES')"
                .to_owned(),
        ]
    }

    fn autocommit_reason(&self) -> Option<&'static str> {
        Some("mysql commits DDL at once")
    }

    fn supports(&self, mode: TransactionMode) -> std::result::Result<(), &'static str> {
        match mode {
            TransactionMode::All => Err(
                "one transaction for the whole run is impossible on mysql: its DDL commits implicitly",
            ),
            _ => Ok(()),
        }
    }

    /// `GET_LOCK` waits on the server side; the lock is per database.
    fn lock(&self, conn: &mut Connection, key: &str, timeout: Duration) -> Result<Option<RunLock>> {
        let sql = format!(
            "SELECT COALESCE(GET_LOCK(CONCAT({}, DATABASE()), {}), 0) AS ok",
            self.string_literal(&format!("{key}:")),
            timeout.as_secs_f64()
        );
        let got = lock_query(conn, &sql)?;
        granted(got, conn, key, timeout)
    }

    fn unlock(&self, conn: &mut Connection, lock: RunLock) -> Result<()> {
        let sql = format!(
            "SELECT COALESCE(RELEASE_LOCK(CONCAT({}, DATABASE())), 0) AS ok",
            self.string_literal(&format!("{}:", lock.key))
        );
        lock_query(conn, &sql).map(|_| ())
    }

    fn has_table_sql(&self, name: &str) -> String {
        format!(
            "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {}",
            self.string_literal(name)
        )
    }

    /// MySQL shows no temporary table in its catalog: a probe table is made with
    /// the defaults, read as introspection reads any table, and dropped.
    fn stored_defaults(
        &self,
        conn: &mut Connection,
        columns: &[retort::schema::Column],
    ) -> retort::Result<Option<Vec<Option<retort::schema::ServerDefault>>>> {
        introspect::probe_defaults(conn, self.dialect(), columns)
    }

    /// A probe table per generated column, as for defaults.
    fn stored_generated(
        &self,
        conn: &mut Connection,
        asked: &[(&retort::schema::Table, &retort::schema::Column)],
    ) -> retort::Result<Option<Vec<Option<retort::schema::Generated>>>> {
        introspect::probe_generated(conn, self.dialect(), asked)
    }

    fn introspect(&self, conn: &mut Connection, filter: &Filter) -> retort::Result<Schema> {
        introspect::mysql::introspect(conn, self, filter)
    }

    /// ER_LOCK_WAIT_TIMEOUT (1205): "Lock wait timeout exceeded", for a
    /// metadata lock (DDL) as for a row lock.
    fn classify(&self, error: &retort::Error) -> Option<Condition> {
        match error {
            retort::Error::Sql {
                source: diesel::result::Error::DatabaseError(_, info),
                ..
            } if info.message().contains("Lock wait timeout exceeded") => {
                Some(Condition::LockTimeout)
            }
            _ => None,
        }
    }

    /// `lock_wait_timeout` (metadata locks: what DDL waits for) and
    /// `innodb_lock_wait_timeout` (row locks: a data migration's), in whole
    /// seconds; MariaDB's `max_statement_time` (MySQL ignores the `/*M!` comment:
    /// its `max_execution_time` limits SELECTs only).
    fn timeouts_sql(
        &self,
        lock: Option<Duration>,
        statement: Option<Duration>,
        _local: bool,
    ) -> Vec<String> {
        let lock = match lock {
            None => "DEFAULT".to_owned(),
            // No limit: the largest the server takes (a year).
            Some(d) if d.is_zero() => "31536000".to_owned(),
            Some(d) => d.as_secs_f64().ceil().max(1.0).to_string(),
        };
        let statement = statement.map_or_else(
            || "DEFAULT".to_owned(),
            |d| format!("{:.3}", d.as_secs_f64()),
        );
        vec![
            format!("SET SESSION lock_wait_timeout = {lock}"),
            format!("SET SESSION innodb_lock_wait_timeout = {lock}"),
            format!("/*M!100108 SET SESSION max_statement_time = {statement} */"),
        ]
    }
}
