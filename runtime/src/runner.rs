//! Applies and reverts revisions: the version table, one migration step per
//! revision (a transaction where the dialect has transactional DDL), and the
//! version table updated inside that same step. Offline, the same steps print
//! their SQL instead.

use crate::connection::Connection;
use crate::dialect::Dialect;
use crate::error::{Error, Kept, Result};
use crate::introspect;
use crate::migration::Migrations;
use crate::operations::Operations;
use crate::revision::{describe, Node, RevisionMap, Target};
use crate::schema::Schema;

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
}

/// The version table of one database.
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

impl VersionTable<'_> {
    /// The revisions the database is at (one row per head; empty at base). A
    /// database without the table is at base; reading never creates it.
    pub fn read(&self, conn: &mut Connection) -> Result<Vec<String>> {
        if !introspect::has_table(conn, self.name)? {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT version_num FROM {} ORDER BY version_num",
            conn.dialect().quote(self.name)
        );
        let rows: Vec<VersionRow> = conn.query(&sql)?;
        Ok(rows.into_iter().map(|r| r.version_num).collect())
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

/// Runs the revisions that take the database to `target`: upward when `up`.
pub fn run(
    conn: &mut Connection,
    migrations: &Migrations,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    target: &Target,
    up: bool,
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
    conn.execute(&dialect.version_table_sql(versions.name))?;
    let mut heads = current;
    let mut reports = Vec::with_capacity(path.len());
    for node in &path {
        let after = map.heads_after(&heads, node, up);
        let report = StepReport {
            id: node.id.clone(),
            message: node.message.clone(),
            up,
            from: describe(&heads),
            to: describe(&after),
        };
        log::info!(
            target: "retort::runner",
            "Running {} {} -> {}, {}",
            direction(up),
            report.from,
            report.to,
            report.message
        );
        let migration = migrations
            .get(&node.id)
            .expect("the revision map is built from these migrations");
        let step = if up {
            migration.upgrade
        } else {
            migration.downgrade
        };
        let update = versions.update_sql(dialect, &heads, &after);
        conn.migration_step(|conn| {
            let mut op = Operations::online(conn);
            step(&mut op).map_err(|source| Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction: direction(up),
                kept: if dialect.transactional_ddl() {
                    Kept::Nothing
                } else {
                    Kept::Partial {
                        dialect: dialect.name(),
                        version: describe(&heads),
                    }
                },
                source,
            })?;
            update.iter().try_for_each(|sql| conn.execute(sql))
        })?;
        heads = after;
        reports.push(report);
    }
    Ok(reports)
}

/// The SQL script that takes a database from `current` to `target`, without
/// connecting: each revision's statements, the version table's updates, and
/// `BEGIN`/`COMMIT` where the dialect has transactional DDL. The schema the steps
/// need to know (for SQLite rebuilds, MySQL's `CHANGE COLUMN`) comes from replaying
/// the revisions below `current` in memory.
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
    emit(&dialect.version_table_sql(versions.name));
    let mut heads = current.to_vec();
    for node in path {
        let after = map.heads_after(&heads, node, up);
        let mut statements = Vec::new();
        run_offline_step(migrations, node, up, dialect, &mut schema, &mut statements)?;
        statements.extend(versions.update_sql(dialect, &heads, &after));
        emit(&format!(
            "\n-- Running {} {} -> {}, {}",
            direction(up),
            describe(&heads),
            describe(&after),
            node.message.replace('\n', " ")
        ));
        let sqlite = dialect.backend() == crate::config::Backend::Sqlite;
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
