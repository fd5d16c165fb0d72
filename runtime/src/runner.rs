//! Applies and reverts revisions safely.
//!
//! - One migration step per revision (a transaction where the dialect has
//!   transactional DDL), with the version table's update and a row of the
//!   applied-revisions log in the same step.
//! - Concurrent runners serialise: a session lock on PostgreSQL
//!   (`pg_advisory_lock`) and MySQL (`GET_LOCK`) for the whole run, SQLite's
//!   write lock (`BEGIN IMMEDIATE`) for each step; and every step reads the
//!   version table again inside its transaction, so a revision another runner
//!   applied meanwhile is skipped, never applied twice.
//! - Offline, the same steps print their SQL instead.

use std::time::{Duration, Instant};

use crate::config::Backend;
use crate::connection::Connection;
use crate::dialect::Dialect;
use crate::error::{Error, Kept, Result};
use crate::introspect;
use crate::migration::{Migration, Migrations};
use crate::operations::Operations;
use crate::revision::{describe, Node, RevisionMap, Target};
use crate::schema::{Column, Schema, ServerDefault, SqlType, Table};

/// One revision applied or reverted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// The revision.
    pub id: String,
    /// Its message.
    pub message: String,
    /// `true` for upgrade.
    pub up: bool,
    /// Version table rows before (`base` when empty).
    pub from: String,
    /// Version table rows after.
    pub to: String,
    /// How long the step took.
    pub duration: Duration,
}

/// Whether revisions get a transaction each, share one, or have none:
/// `--transaction`, and `transaction = "..."` in Retort.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransactionMode {
    /// One transaction per revision (the default): a failure keeps the revisions
    /// before it.
    #[default]
    PerRevision,
    /// One transaction around the whole run (PostgreSQL, SQLite): all or nothing.
    All,
    /// No transaction around a revision: each statement commits on its own, as
    /// MySQL always does (PostgreSQL, MySQL). For revisions that take more locks
    /// than one transaction may hold (PostgreSQL's `max_locks_per_transaction`).
    /// A failure keeps the statements before it; the version table still names the
    /// last complete revision.
    PerStatement,
}

/// How a run behaves.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// How long to wait for another runner to finish.
    pub lock_timeout: Duration,
    /// Transaction per revision, or one for the run.
    pub transactions: TransactionMode,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lock_timeout: Duration::from_secs(60),
            transactions: TransactionMode::PerRevision,
        }
    }
}

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

    /// Both tables, which introspection and autogenerate leave out.
    pub fn own_tables(&self) -> Vec<String> {
        vec![self.name.to_owned(), self.log_name()]
    }

    /// The revisions the database is at (one row per head; empty at base). A
    /// database without the table is at base; reading never creates it.
    pub fn read(&self, conn: &mut Connection) -> Result<Vec<String>> {
        if !introspect::has_table(conn, self.name)? {
            return Ok(Vec::new());
        }
        self.read_rows(conn)
    }

    fn read_rows(&self, conn: &mut Connection) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT version_num FROM {} ORDER BY version_num",
            conn.dialect().quote(self.name)
        );
        let rows: Vec<VersionRow> = conn.query(&sql)?;
        Ok(rows.into_iter().map(|r| r.version_num).collect())
    }

    /// The applied-revisions log, oldest first (empty without the table).
    pub fn log(&self, conn: &mut Connection) -> Result<Vec<LogEntry>> {
        if !introspect::has_table(conn, &self.log_name())? {
            return Ok(Vec::new());
        }
        let d = conn.dialect();
        let text = match conn.backend() {
            Backend::Mysql => "CHAR",
            _ => "VARCHAR(40)",
        };
        let sql = format!(
            "SELECT revision, direction, checksum, CAST(applied_at AS {text}) AS applied_at, duration_ms FROM {} ORDER BY {}",
            d.quote(&self.log_name()),
            d.quote("id")
        );
        conn.query(&sql)
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
        let mut sql = vec![dialect.version_table_sql(self.name)];
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
        let table = dialect.quote(self.name);
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
            dialect.quote(&self.log_name()),
            dialect.string_literal(revision),
            dialect.string_literal(direction),
            dialect.string_literal(checksum),
        )
    }
}

fn plan<'m>(
    map: &'m RevisionMap,
    current: &[String],
    target: &Target,
    up: bool,
) -> Result<Vec<&'m Node>> {
    Ok(if up {
        map.upgrade_path(current, target)?
    } else {
        map.downgrade_path(current, target)?
    })
}

fn direction(up: bool) -> &'static str {
    if up {
        "upgrade"
    } else {
        "downgrade"
    }
}

/// A session lock for the whole run (PostgreSQL, MySQL); SQLite locks each step.
struct RunLock {
    key: String,
    backend: Backend,
}

#[derive(diesel::QueryableByName)]
struct Got {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    ok: i64,
}

impl RunLock {
    fn acquire(
        conn: &mut Connection,
        versions: VersionTable<'_>,
        timeout: Duration,
    ) -> Result<Option<RunLock>> {
        let backend = conn.backend();
        let d = conn.dialect();
        let key = format!("retort:{}", versions.name);
        let started = Instant::now();
        match backend {
            Backend::Sqlite => {
                conn.execute(&format!("PRAGMA busy_timeout = {}", timeout.as_millis()))?;
                Ok(None)
            }
            Backend::Postgres => {
                let sql = format!(
                    "SELECT CASE WHEN pg_try_advisory_lock(hashtext({})) THEN 1 ELSE 0 END::bigint AS ok",
                    d.string_literal(&key)
                );
                loop {
                    if conn.query::<Got>(&sql)?.first().is_some_and(|g| g.ok == 1) {
                        return Ok(Some(RunLock { key, backend }));
                    }
                    if started.elapsed() >= timeout {
                        return Err(lock_timeout(conn, timeout));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            Backend::Mysql => {
                let sql = format!(
                    "SELECT COALESCE(GET_LOCK(CONCAT({}, DATABASE()), {}), 0) AS ok",
                    d.string_literal(&format!("{key}:")),
                    timeout.as_secs_f64()
                );
                if conn.query::<Got>(&sql)?.first().is_some_and(|g| g.ok == 1) {
                    Ok(Some(RunLock { key, backend }))
                } else {
                    Err(lock_timeout(conn, timeout))
                }
            }
        }
    }

    fn release(self, conn: &mut Connection) {
        let d = conn.dialect();
        let sql = match self.backend {
            Backend::Postgres => format!(
                "SELECT CASE WHEN pg_advisory_unlock(hashtext({})) THEN 1 ELSE 0 END::bigint AS ok",
                d.string_literal(&self.key)
            ),
            Backend::Mysql => format!(
                "SELECT COALESCE(RELEASE_LOCK(CONCAT({}, DATABASE())), 0) AS ok",
                d.string_literal(&format!("{}:", self.key))
            ),
            Backend::Sqlite => return,
        };
        if let Err(e) = conn.query::<Got>(&sql) {
            // The lock goes with the session anyway.
            log::warn!("releasing the migration lock failed: {e}");
        }
    }
}

fn lock_timeout(conn: &Connection, timeout: Duration) -> Error {
    Error::LockTimeout {
        url: conn.url().to_owned(),
        seconds: timeout.as_secs(),
    }
}

/// Runs the revisions that take the database to `target`: upward when `up`.
pub fn run(
    conn: &mut Connection,
    migrations: &Migrations,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    target: &Target,
    up: bool,
    options: RunOptions,
) -> Result<Vec<StepReport>> {
    if options.transactions == TransactionMode::All && conn.backend() == Backend::Mysql {
        return Err(Error::Unsupported(
            "one transaction for the whole run is impossible on mysql: its DDL commits implicitly"
                .to_owned(),
        ));
    }
    if options.transactions == TransactionMode::PerStatement && conn.backend() == Backend::Sqlite {
        return Err(Error::Unsupported(
            "--transaction per-statement is for PostgreSQL and MySQL: an SQLite transaction has no lock limit, \
             and its table rebuilds must not be split"
                .to_owned(),
        ));
    }
    let lock = RunLock::acquire(conn, versions, options.lock_timeout)?;
    let result = run_locked(conn, migrations, map, versions, target, up, options)
        .map_err(|e| busy_as_lock_timeout(conn, options.lock_timeout, e));
    if let Some(lock) = lock {
        lock.release(conn);
    }
    result
}

/// SQLite reports a writer that held its lock past the busy timeout as "database
/// is locked": that is the lock timeout.
fn busy_as_lock_timeout(conn: &Connection, timeout: Duration, error: Error) -> Error {
    let busy = |e: &Error| matches!(e, Error::Sql { source, .. } if source.to_string().contains("database is locked"));
    let is_busy = match &error {
        Error::Step { source, .. } => source.downcast_ref::<Error>().is_some_and(busy),
        other => busy(other),
    };
    if conn.backend() == Backend::Sqlite && is_busy {
        lock_timeout(conn, timeout)
    } else {
        error
    }
}

fn run_locked(
    conn: &mut Connection,
    migrations: &Migrations,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    target: &Target,
    up: bool,
    options: RunOptions,
) -> Result<Vec<StepReport>> {
    let current = versions.read(conn)?;
    let path: Vec<Node> = plan(map, &current, target, up)?
        .into_iter()
        .cloned()
        .collect();
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = conn.dialect();
    for sql in versions.create_sql(dialect)? {
        conn.execute(&sql)?;
    }
    let atomic = options.transactions != TransactionMode::PerStatement;
    let mut reports = Vec::with_capacity(path.len());
    let result = match options.transactions {
        TransactionMode::PerRevision => path.iter().try_for_each(|node| {
            let report = conn
                .migration_step(|conn| step(conn, migrations, map, versions, node, up, atomic))
                .map_err(|e| match e {
                    // SQLite checks foreign keys when the revision is done:
                    // the error names the revision like any other of its own.
                    Error::ForeignKeyViolation { .. } => Error::Step {
                        id: node.id.clone(),
                        file: node.file.clone(),
                        direction: direction(up),
                        kept: Kept::Nothing,
                        source: Box::new(e),
                    },
                    other => other,
                })?;
            reports.extend(report);
            Ok(())
        }),
        TransactionMode::PerStatement => path.iter().try_for_each(|node| {
            reports.extend(step(conn, migrations, map, versions, node, up, atomic)?);
            Ok(())
        }),
        TransactionMode::All => conn
            .migration_step(|conn| {
                path.iter()
                    .map(|node| step(conn, migrations, map, versions, node, up, atomic))
                    .collect::<Result<Vec<_>>>()
            })
            .map(|all| reports.extend(all.into_iter().flatten())),
    };
    match result {
        Ok(()) => Ok(reports),
        Err(e) => Err(too_many_locks(conn, e)),
    }
}

/// PostgreSQL's "out of shared memory" inside a revision (rolled back by now):
/// the error that names the setting and the way around it.
fn too_many_locks(conn: &mut Connection, error: Error) -> Error {
    let out_of_locks = conn.backend() == Backend::Postgres
        && matches!(&error, Error::Step { kept: Kept::Nothing, source, .. }
            if source.to_string().contains("out of shared memory"));
    let (
        true,
        Error::Step {
            id,
            file,
            direction,
            ..
        },
    ) = (out_of_locks, &error)
    else {
        return error;
    };
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        max_locks_per_transaction: String,
    }
    let setting = conn
        .query::<Setting>("SHOW max_locks_per_transaction")
        .ok()
        .and_then(|rows| rows.into_iter().next())
        .map_or_else(|| "?".to_owned(), |s| s.max_locks_per_transaction);
    Error::TooManyLocks {
        id: id.clone(),
        file: file.clone(),
        direction,
        setting,
    }
}

/// One revision, inside its step: the version table is read again here, so a
/// revision another runner applied (or reverted) meanwhile is skipped.
fn step(
    conn: &mut Connection,
    migrations: &Migrations,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    node: &Node,
    up: bool,
    atomic: bool,
) -> Result<Option<StepReport>> {
    let heads = versions.read_rows(conn)?;
    map.check_current(&heads)?;
    let applied = map
        .ancestors(heads.iter().map(String::as_str))
        .contains(node.id.as_str());
    if applied == up {
        log::info!(
            target: "retort::runner",
            "Skipping {} of {}: another run did it",
            direction(up),
            node.id
        );
        return Ok(None);
    }
    let after = map.heads_after(&heads, node, up);
    log::info!(
        target: "retort::runner",
        "Running {} {} -> {}, {}",
        direction(up),
        describe(&heads),
        describe(&after),
        node.message
    );
    let migration: &Migration = migrations
        .get(&node.id)
        .expect("the revision map is built from these migrations");
    let run = if up {
        migration.upgrade
    } else {
        migration.downgrade
    };
    let dialect = conn.dialect();
    let started = Instant::now();
    let mut op = Operations::online(conn);
    run(&mut op).map_err(|source| Error::Step {
        id: node.id.clone(),
        file: node.file.clone(),
        direction: direction(up),
        kept: if !dialect.transactional_ddl() {
            Kept::Partial {
                why: "mysql commits DDL at once",
                version: describe(&heads),
            }
        } else if !atomic {
            Kept::Partial {
                why: "--transaction per-statement ran each statement on its own",
                version: describe(&heads),
            }
        } else {
            Kept::Nothing
        },
        source,
    })?;
    let duration = started.elapsed();
    for sql in versions.update_sql(dialect, &heads, &after) {
        conn.execute(&sql)?;
    }
    conn.execute(&versions.log_sql(
        dialect,
        &node.id,
        direction(up),
        migration.checksum,
        duration.as_millis(),
    ))?;
    Ok(Some(StepReport {
        id: node.id.clone(),
        message: node.message.clone(),
        up,
        from: describe(&heads),
        to: describe(&after),
        duration,
    }))
}

/// Sets the version table to `rows` without running any revision (`stamp`),
/// under the run lock, and logs it.
pub fn stamp(
    conn: &mut Connection,
    versions: VersionTable<'_>,
    rows: &[String],
    options: RunOptions,
) -> Result<Vec<String>> {
    let lock = RunLock::acquire(conn, versions, options.lock_timeout)?;
    let result = (|| {
        let dialect = conn.dialect();
        for sql in versions.create_sql(dialect)? {
            conn.execute(&sql)?;
        }
        conn.transaction(|conn| {
            let before = versions.read_rows(conn)?;
            for sql in versions.update_sql(dialect, &before, rows) {
                conn.execute(&sql)?;
            }
            for row in rows.iter().filter(|r| !before.contains(r)) {
                conn.execute(&versions.log_sql(dialect, row, "stamp", "", 0))?;
            }
            Ok(before)
        })
    })();
    if let Some(lock) = lock {
        lock.release(conn);
    }
    result
}

/// The SQL script that takes a database from `current` to `target`, without
/// connecting: each revision's statements, the version table's updates and log
/// rows, and `BEGIN`/`COMMIT` where the dialect has transactional DDL. The schema
/// the steps need to know (for SQLite rebuilds, MySQL's `CHANGE COLUMN`) comes
/// from replaying the revisions below `current` in memory.
pub fn script(
    migrations: &Migrations,
    map: &RevisionMap,
    dialect: &'static dyn Dialect,
    versions: VersionTable<'_>,
    current: &[String],
    target: &Target,
    up: bool,
) -> Result<String> {
    let path = plan(map, current, target, up)?;
    let mut schema = Schema::new();
    let below = map.ancestors(current.iter().map(String::as_str));
    for node in map.in_order().filter(|n| below.contains(n.id.as_str())) {
        let mut discard = Vec::new();
        run_offline_step(migrations, node, true, dialect, &mut schema, &mut discard)?;
    }
    let mut out = String::new();
    let mut emit = |sql: &str| {
        let sql = sql.trim_end();
        if sql.trim_start().starts_with("--") {
            out.push_str(sql);
            out.push('\n');
        } else {
            out.push_str(sql.strip_suffix(';').unwrap_or(sql));
            out.push_str(";\n");
        }
    };
    for sql in versions.create_sql(dialect)? {
        emit(&sql);
    }
    let mut heads = current.to_vec();
    for node in path {
        let after = map.heads_after(&heads, node, up);
        let mut statements = Vec::new();
        run_offline_step(migrations, node, up, dialect, &mut schema, &mut statements)?;
        statements.extend(versions.update_sql(dialect, &heads, &after));
        let checksum = migrations.get(&node.id).map_or("", |m| m.checksum);
        statements.push(versions.log_sql(dialect, &node.id, direction(up), checksum, 0));
        emit(&format!(
            "\n-- Running {} {} -> {}, {}",
            direction(up),
            describe(&heads),
            describe(&after),
            node.message.replace('\n', " ")
        ));
        let sqlite = dialect.backend() == Backend::Sqlite;
        if sqlite {
            emit("PRAGMA foreign_keys = OFF");
        }
        if dialect.transactional_ddl() {
            emit("BEGIN");
        }
        for sql in &statements {
            emit(sql);
        }
        if dialect.transactional_ddl() {
            emit("COMMIT");
        }
        if sqlite {
            emit("PRAGMA foreign_keys = ON");
        }
        heads = after;
    }
    Ok(out)
}

fn run_offline_step(
    migrations: &Migrations,
    node: &Node,
    up: bool,
    dialect: &'static dyn Dialect,
    schema: &mut Schema,
    out: &mut Vec<String>,
) -> Result<()> {
    let migration = migrations
        .get(&node.id)
        .expect("the revision map is built from these migrations");
    let step = if up {
        migration.upgrade
    } else {
        migration.downgrade
    };
    let mut op = Operations::offline(dialect, schema, out);
    step(&mut op).map_err(|source| Error::Step {
        id: node.id.clone(),
        file: node.file.clone(),
        direction: direction(up),
        kept: Kept::Nothing,
        source,
    })
}
