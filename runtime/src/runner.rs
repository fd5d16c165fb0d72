//! Applies and reverts revisions: the version table, one transaction per
//! revision, and the version table updated inside that same transaction.

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::introspect;
use crate::migration::Migrations;
use crate::operations::Operations;
use crate::revision::{describe, Node, RevisionMap, Target};

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
        let rows: Vec<VersionRow> = match conn.driver() {
            crate::connection::Driver::Sqlite(c) => {
                diesel::RunQueryDsl::load(diesel::sql_query(&sql), c)
                    .map_err(|e| Error::sql(&sql, e))?
            }
        };
        Ok(rows.into_iter().map(|r| r.version_num).collect())
    }

    /// Creates the table if it is missing.
    pub fn ensure(&self, conn: &mut Connection) -> Result<()> {
        let sql = conn.dialect().version_table_sql(self.name);
        conn.execute(&sql)
    }

    /// Rewrites the rows from `before` to `after`, touching only what changed.
    pub fn write(&self, conn: &mut Connection, before: &[String], after: &[String]) -> Result<()> {
        let dialect = conn.dialect();
        let table = dialect.quote(self.name);
        for gone in before.iter().filter(|r| !after.contains(r)) {
            let sql = format!(
                "DELETE FROM {table} WHERE version_num = {}",
                dialect.string_literal(gone)
            );
            conn.execute(&sql)?;
        }
        for new in after.iter().filter(|r| !before.contains(r)) {
            let sql = format!(
                "INSERT INTO {table} (version_num) VALUES ({})",
                dialect.string_literal(new)
            );
            conn.execute(&sql)?;
        }
        Ok(())
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
    let path: Vec<Node> = if up {
        map.upgrade_path(&current, target)?
    } else {
        map.downgrade_path(&current, target)?
    }
    .into_iter()
    .cloned()
    .collect();
    if path.is_empty() {
        return Ok(Vec::new());
    }
    versions.ensure(conn)?;
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
            if up { "upgrade" } else { "downgrade" },
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
        conn.transaction(|conn| {
            let mut op = Operations::online(conn);
            step(&mut op).map_err(|source| Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction: if up { "upgrade" } else { "downgrade" },
                source,
            })?;
            versions.write(conn, &heads, &after)
        })?;
        heads = after;
        reports.push(report);
    }
    Ok(reports)
}
