//! PostgreSQL: the run lock is a session advisory lock; revisions run in
//! transactions (DDL is transactional); `--schema` sets the `search_path`.

use std::time::Duration;

use diesel::result::Error as DieselError;
use retort::schema::Schema;
use retort::Connection;

use super::{granted, lock_query, poll, Condition, RunLock, Session};
use crate::dialect::{Dialect, Postgres};
use crate::error::Result;
use crate::introspect::{self, Filter};

impl Session for Postgres {
    fn dialect(&self) -> &'static dyn Dialect {
        &Postgres
    }

    /// A division by zero unless the rows are exactly `rows` (plain SQL has no
    /// RAISE; the subquery keeps the planner from folding it early).
    fn version_guard_sql(&self, table: &str, rows: &[String]) -> Option<String> {
        let d = self.dialect();
        let expected = if rows.is_empty() {
            "COUNT(*) = 0".to_owned()
        } else {
            let list: Vec<String> = rows.iter().map(|r| d.string_literal(r)).collect();
            format!(
                "COUNT(*) = {n} AND COUNT(*) FILTER (WHERE version_num IN ({})) = {n}",
                list.join(", "),
                n = rows.len()
            )
        };
        Some(format!(
            "SELECT 1 / (SELECT CASE WHEN {expected} THEN 1 ELSE 0 END FROM {}) AS retort_version_guard",
            d.quote_table(table)
        ))
    }

    fn session_setup(&self) -> Vec<String> {
        let mut setup = vec!["SET client_min_messages = WARNING".to_owned()];
        setup.extend(self.script_header());
        setup
    }

    /// Literals double their quotes and write backslashes in `E''` strings;
    /// with conforming strings on, a database's `off` cannot change what they say.
    fn script_header(&self) -> Vec<String> {
        vec!["SET standard_conforming_strings = on".to_owned()]
    }

    fn use_schema(&self, schema: &str) -> std::result::Result<String, &'static str> {
        Ok(format!("SET search_path TO {}", self.quote(schema)))
    }

    /// A session advisory lock on the key and the schema (`--schema`): runs on
    /// two schemas of one database do not wait for each other.
    fn lock(&self, conn: &mut Connection, key: &str, timeout: Duration) -> Result<Option<RunLock>> {
        let sql = format!(
            "SELECT CASE WHEN pg_try_advisory_lock(hashtext({} || ':' || current_schema())) THEN 1 ELSE 0 END::bigint AS ok",
            self.string_literal(key)
        );
        let got = poll(timeout, || lock_query(conn, &sql))?;
        granted(got, conn, key, timeout)
    }

    fn unlock(&self, conn: &mut Connection, lock: RunLock) -> Result<()> {
        let sql = format!(
            "SELECT CASE WHEN pg_advisory_unlock(hashtext({} || ':' || current_schema())) THEN 1 ELSE 0 END::bigint AS ok",
            self.string_literal(&lock.key)
        );
        lock_query(conn, &sql).map(|_| ())
    }

    fn current_schema(&self, conn: &mut Connection) -> retort::Result<Option<String>> {
        #[derive(diesel::QueryableByName)]
        struct Current {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            name: Option<String>,
        }
        Ok(conn
            .query::<Current>("SELECT current_schema()::text AS name")?
            .into_iter()
            .next()
            .and_then(|c| c.name))
    }

    fn has_table_sql(&self, name: &str) -> String {
        let (schema, table) = retort::schema::split_schema(name);
        format!(
            "SELECT COUNT(*) AS n FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname = {} AND c.relname = {}",
            schema.map_or_else(|| "current_schema()".to_owned(), |s| self.string_literal(s)),
            self.string_literal(table)
        )
    }

    fn introspect(&self, conn: &mut Connection, filter: &Filter) -> retort::Result<Schema> {
        introspect::postgres::introspect(conn, self, filter)
    }

    fn stored_defaults(
        &self,
        conn: &mut Connection,
        columns: &[retort::schema::Column],
    ) -> retort::Result<Option<Vec<Option<retort::schema::ServerDefault>>>> {
        introspect::postgres::stored_defaults(conn, self.dialect(), columns)
    }

    fn stored_indexes(
        &self,
        conn: &mut Connection,
        asked: &[(&retort::schema::Table, &retort::schema::Index)],
    ) -> retort::Result<Option<Vec<Option<retort::schema::Index>>>> {
        introspect::postgres::stored_indexes(conn, self.dialect(), asked)
    }

    fn stored_generated(
        &self,
        conn: &mut Connection,
        asked: &[(&retort::schema::Table, &retort::schema::Column)],
    ) -> retort::Result<Option<Vec<Option<retort::schema::Generated>>>> {
        introspect::postgres::stored_generated(conn, self.dialect(), asked)
    }

    fn lock_limit(&self, conn: &mut Connection) -> Option<String> {
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Text)]
            max_locks_per_transaction: String,
        }
        conn.query::<Setting>("SHOW max_locks_per_transaction")
            .ok()?
            .into_iter()
            .next()
            .map(|s| s.max_locks_per_transaction)
    }

    /// "out of shared memory" (SQLSTATE 53200) from the lock manager. diesel keeps
    /// the SQLSTATE to itself; the server's HINT names the setting as a parameter
    /// (`You might need to increase max_locks_per_transaction.`), which no
    /// translation changes.
    fn classify(&self, error: &retort::Error) -> Option<Condition> {
        match error {
            retort::Error::Sql {
                source: DieselError::DatabaseError(_, info),
                ..
            } if info
                .hint()
                .is_some_and(|h| h.contains("max_locks_per_transaction")) =>
            {
                Some(Condition::OutOfLocks)
            }
            // "canceling statement due to lock timeout" (SQLSTATE 55P03, which
            // diesel does not pass on); lc_messages other than English would
            // hide it.
            retort::Error::Sql {
                source: DieselError::DatabaseError(_, info),
                ..
            } if info.message().contains("lock timeout") => Some(Condition::LockTimeout),
            _ => None,
        }
    }

    fn timeouts_sql(
        &self,
        lock: Option<std::time::Duration>,
        statement: Option<std::time::Duration>,
        local: bool,
    ) -> Vec<String> {
        let set = if local { "SET LOCAL" } else { "SET" };
        let value = |d: Option<std::time::Duration>| {
            d.map_or_else(
                || "DEFAULT".to_owned(),
                |d| format!("'{}ms'", d.as_millis()),
            )
        };
        vec![
            format!("{set} lock_timeout = {}", value(lock)),
            format!("{set} statement_timeout = {}", value(statement)),
        ]
    }
}
