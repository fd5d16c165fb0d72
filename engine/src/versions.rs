//! The version table (one row per applied head, as Alembic keeps it) and the
//! applied-revisions log beside it (`<name>_log`: one row per step, with the
//! revision file's checksum).

use retort::schema::{Column, ServerDefault, SqlType, Table};
use retort::Connection;

use crate::backend;
use crate::dialect::Dialect;
use crate::error::{Error, Result};

/// The version table of one database, and its applied-revisions log
/// (`<name>_log`).
#[derive(Debug, Clone, Copy)]
pub struct VersionTable<'a> {
    /// Its name.
    pub name: &'a str,
}

#[derive(diesel::QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version_num: String,
}

/// A revision step that stopped half-way with its first `statements` statements
/// applied (they ran without a transaction).
#[derive(Debug, Clone, PartialEq, Eq, diesel::QueryableByName)]
pub struct Unfinished {
    /// The revision.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub revision: String,
    /// `upgrade` or `downgrade`.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub direction: String,
    /// How many of its statements ran (and stayed).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub statements: i64,
    /// What stopped it (`None` while it runs, or if the process died).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub failure: Option<String>,
}

/// One row of the applied-revisions log.
#[derive(Debug, Clone, PartialEq, Eq, diesel::QueryableByName)]
pub struct LogEntry {
    /// The revision.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub revision: String,
    /// `upgrade`, `downgrade` or `stamp`.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub direction: String,
    /// The revision file's checksum when it ran.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub checksum: String,
    /// When (database time, as text).
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub applied_at: String,
    /// How long it took, in milliseconds.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub duration_ms: i64,
}

impl VersionTable<'_> {
    /// The log table's name.
    pub fn log_name(&self) -> String {
        format!("{}_log", self.name)
    }

    /// The table that records a revision step running without a transaction
    /// (MySQL, `--transaction per-statement`): `<name>_step`, one row while it
    /// runs and after it failed.
    pub fn step_name(&self) -> String {
        format!("{}_step", self.name)
    }

    /// Retort's own tables, which introspection and autogenerate leave out.
    pub fn own_tables(&self) -> Vec<String> {
        vec![self.name.to_owned(), self.log_name(), self.step_name()]
    }

    /// A revision step that stopped half-way and left its statements applied:
    /// `None` when there is none (or no such table).
    pub fn unfinished(&self, conn: &mut Connection) -> Result<Option<Unfinished>> {
        if !backend::has_table(conn, &self.step_name())? {
            return Ok(None);
        }
        let d = backend::of(conn).dialect();
        let sql = format!(
            "SELECT revision, direction, statements, failure FROM {}",
            d.quote_table(&self.step_name())
        );
        Ok(conn.query::<Unfinished>(&sql)?.into_iter().next())
    }

    fn step_table(&self) -> Table {
        Table::new(self.step_name())
            .column(Column::new("revision", SqlType::Varchar(32)))
            .column(Column::new("direction", SqlType::Varchar(10)))
            .column(Column::new("statements", SqlType::BigInt))
            .column(Column::new("failure", SqlType::Text).nullable())
            .primary_key(["revision"])
    }

    /// `CREATE TABLE IF NOT EXISTS` for the step table (once per run that records
    /// steps).
    pub(crate) fn create_step_sql(&self, dialect: &dyn Dialect) -> Result<Vec<String>> {
        Ok(dialect
            .create_table_sql(&self.step_table())?
            .into_iter()
            .map(|create| create.replacen("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1))
            .collect())
    }

    /// Starts recording a step: its row, with nothing run yet.
    pub(crate) fn start_step_sql(
        &self,
        dialect: &dyn Dialect,
        revision: &str,
        direction: &str,
    ) -> String {
        format!(
            "INSERT INTO {} (revision, direction, statements) VALUES ({}, {}, 0)",
            dialect.quote_table(&self.step_name()),
            dialect.string_literal(revision),
            dialect.string_literal(direction)
        )
    }

    /// One more statement of the step ran.
    pub(crate) fn count_statement_sql(&self, dialect: &dyn Dialect) -> String {
        format!(
            "UPDATE {t} SET {s} = {s} + 1",
            t = dialect.quote_table(&self.step_name()),
            s = dialect.quote("statements")
        )
    }

    /// The step failed: why.
    pub(crate) fn fail_step_sql(&self, dialect: &dyn Dialect, failure: &str) -> String {
        format!(
            "UPDATE {} SET failure = {}",
            dialect.quote_table(&self.step_name()),
            dialect.string_literal(failure)
        )
    }

    /// The step is over (done, reverted, or marked done).
    pub(crate) fn end_step_sql(&self, dialect: &dyn Dialect) -> String {
        format!("DELETE FROM {}", dialect.quote_table(&self.step_name()))
    }

    /// The revisions the database is at (one row per head; empty at base). A
    /// database without the table is at base; reading never creates it.
    pub fn read(&self, conn: &mut Connection) -> Result<Vec<String>> {
        if !backend::has_table(conn, self.name)? {
            return Ok(Vec::new());
        }
        self.read_rows(conn).map_err(|e| self.explain(conn, e))
    }

    /// A table of this name that is not a version table says so, instead of the
    /// database's "no such column".
    fn explain(&self, conn: &mut Connection, error: Error) -> Error {
        match crate::introspect::table(conn, self.name) {
            Ok(Some(table)) if table.get_column("version_num").is_none() => {
                Error::NotAVersionTable {
                    table: self.name.to_owned(),
                }
            }
            _ => error,
        }
    }

    pub(crate) fn read_rows(&self, conn: &mut Connection) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT version_num FROM {} ORDER BY version_num",
            backend::of(conn).dialect().quote_table(self.name)
        );
        let rows: Vec<VersionRow> = conn.query(&sql)?;
        Ok(rows.into_iter().map(|r| r.version_num).collect())
    }

    /// The applied-revisions log, oldest first (empty without the table).
    pub fn log(&self, conn: &mut Connection) -> Result<Vec<LogEntry>> {
        if !backend::has_table(conn, &self.log_name())? {
            return Ok(Vec::new());
        }
        let d = backend::of(conn).dialect();
        let sql = format!(
            "SELECT revision, direction, checksum, {} AS applied_at, duration_ms FROM {} ORDER BY {}",
            d.as_text("applied_at"),
            d.quote_table(&self.log_name()),
            d.quote("id")
        );
        Ok(conn.query(&sql)?)
    }

    fn log_table(&self) -> Table {
        Table::new(self.log_name())
            .column(Column::new("id", SqlType::BigInt).autoincrement())
            .column(Column::new("revision", SqlType::Varchar(32)))
            .column(Column::new("direction", SqlType::Varchar(10)))
            .column(Column::new("checksum", SqlType::Varchar(32)))
            .column(
                Column::new("applied_at", SqlType::Timestamp)
                    .default(ServerDefault::CurrentTimestamp),
            )
            .column(Column::new("duration_ms", SqlType::BigInt))
            .primary_key(["id"])
    }

    /// `CREATE TABLE IF NOT EXISTS` for both tables.
    pub fn create_sql(&self, dialect: &dyn Dialect) -> Result<Vec<String>> {
        let mut sql = Vec::new();
        if let (Some(schema), _) = retort::schema::split_schema(self.name) {
            dialect.supports_schema_of(self.name)?;
            sql.push(format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                dialect.quote(schema)
            ));
        }
        sql.push(dialect.version_table_sql(self.name));
        for create in dialect.create_table_sql(&self.log_table())? {
            sql.push(create.replacen("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1));
        }
        Ok(sql)
    }

    /// The statements that take the rows from `before` to `after`.
    pub fn update_sql(
        &self,
        dialect: &dyn Dialect,
        before: &[String],
        after: &[String],
    ) -> Vec<String> {
        let table = dialect.quote_table(self.name);
        let mut sql = Vec::new();
        let gone: Vec<&String> = before.iter().filter(|r| !after.contains(r)).collect();
        let new: Vec<&String> = after.iter().filter(|r| !before.contains(r)).collect();
        // One row replaced by one row (the linear case) is an UPDATE, as Alembic does.
        if let ([old], [new]) = (gone.as_slice(), new.as_slice()) {
            sql.push(format!(
                "UPDATE {table} SET version_num = {} WHERE version_num = {}",
                dialect.string_literal(new),
                dialect.string_literal(old)
            ));
            return sql;
        }
        for old in gone {
            sql.push(format!(
                "DELETE FROM {table} WHERE version_num = {}",
                dialect.string_literal(old)
            ));
        }
        for new in new {
            sql.push(format!(
                "INSERT INTO {table} (version_num) VALUES ({})",
                dialect.string_literal(new)
            ));
        }
        sql
    }

    /// The log row for one step.
    pub fn log_sql(
        &self,
        dialect: &dyn Dialect,
        revision: &str,
        direction: &str,
        checksum: &str,
        millis: u128,
    ) -> String {
        format!(
            "INSERT INTO {} (revision, direction, checksum, duration_ms) VALUES ({}, {}, {}, {millis})",
            dialect.quote_table(&self.log_name()),
            dialect.string_literal(revision),
            dialect.string_literal(direction),
            dialect.string_literal(checksum),
        )
    }
}

/// The history tables other migration tools keep, with the tool's name: left
/// out of every comparison (a database taken over keeps them), and named by
/// `current` on a database Retort has no record in.
pub const OTHER_TOOLS: &[(&str, &str)] = &[
    ("alembic_version", "Alembic"),
    ("django_migrations", "Django"),
    ("__diesel_schema_migrations", "Diesel"),
    ("_sqlx_migrations", "sqlx"),
    ("seaql_migrations", "SeaORM"),
    ("schema_migrations", "Rails"),
    ("flyway_schema_history", "Flyway"),
];

/// Another tool's history found in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherTool {
    /// The tool (`Alembic`).
    pub tool: &'static str,
    /// Its table (`alembic_version`).
    pub table: &'static str,
    /// Where it says the database is, where it can be read (Alembic's
    /// `version_num`).
    pub at: Vec<String>,
}

/// The other tools' history tables this database has.
pub fn other_tools(conn: &mut Connection) -> Result<Vec<OtherTool>> {
    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version_num: String,
    }
    let mut found = Vec::new();
    for (table, tool) in OTHER_TOOLS {
        if !backend::has_table(conn, table)? {
            continue;
        }
        let at = if *table == "alembic_version" {
            let d = backend::of(conn).dialect();
            let sql = format!(
                "SELECT {} AS version_num FROM {}",
                d.as_text("version_num"),
                d.quote_table(table)
            );
            conn.query::<Version>(&sql)
                .map(|rows| rows.into_iter().map(|r| r.version_num).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        found.push(OtherTool { tool, table, at });
    }
    Ok(found)
}
