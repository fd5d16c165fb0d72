//! Autogenerate: the models compared with a live database, or with the schema
//! the revision history builds (replayed in memory, no database), turned into ops
//! a reviewer can trust: renames from hints, drops and narrowing marked, and
//! advice where a drop and an add look like a rename.

use std::collections::HashSet;

use retort::model::RenameHints;
use retort::ops::{AlterColumn, Op};
use retort::schema::Schema;
use retort::{Connection, Migrations};

use crate::backend;
use crate::compare::compare;
use crate::config::Config;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::executor::SchemaState;
use crate::graph::RevisionMap;
use crate::introspect::{self, Filter};
use crate::runner::{self, LiveRead};

/// What a comparison found.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// The ops, in order.
    pub ops: Vec<Op>,
    /// `(index into ops, message)`: ops that delete or may refuse data.
    pub warnings: Vec<(usize, String)>,
    /// Advice for the reviewer (likely renames, what cannot be done by name).
    pub suggestions: Vec<String>,
    /// What replaying the history could not follow (revisions that run raw SQL or
    /// read the live database).
    pub notes: Vec<String>,
    /// Applied revisions whose file changed since (`check`).
    pub edited: Vec<String>,
}

impl Changes {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// Which tables take part: all but the version table and the excluded patterns.
pub fn table_filter(config: &Config) -> Filter {
    let mut exclude = crate::versions::VersionTable {
        name: &config.version_table,
    }
    .own_tables();
    exclude.extend(config.exclude_tables.iter().cloned());
    Filter {
        exclude,
        only: None,
    }
}

/// `models` without the excluded tables.
fn without_excluded(models: &Schema, filter: &Filter) -> Schema {
    let mut out = models.clone();
    out.tables.retain(|name, _| !filter.excludes(name));
    out
}

/// Compares a live database with `models`.
pub fn compare_database(
    conn: &mut Connection,
    models: &Schema,
    hints: &RenameHints,
    filter: &Filter,
) -> Result<Changes> {
    let live = introspect::read(conn, filter)?;
    let dialect = backend::of(conn).dialect();
    let comparison = compare(&live, &without_excluded(models, filter), hints, dialect);
    let warnings = warnings(&comparison.ops, Some(conn))?;
    Ok(Changes {
        ops: comparison.ops,
        warnings,
        suggestions: comparison.suggestions,
        notes: Vec::new(),
        edited: Vec::new(),
    })
}

/// Compares two schemas in memory, objects matched as `dialect` stores them.
pub fn compare_schemas(
    current: &Schema,
    models: &Schema,
    hints: &RenameHints,
    dialect: &dyn Dialect,
    filter: &Filter,
) -> Changes {
    let comparison = compare(
        &without_excluded(current, filter),
        &without_excluded(models, filter),
        hints,
        dialect,
    );
    let warnings = warnings(&comparison.ops, None).unwrap_or_default();
    Changes {
        ops: comparison.ops,
        warnings,
        suggestions: comparison.suggestions,
        notes: Vec::new(),
        edited: Vec::new(),
    }
}

/// Warnings for ops that delete data, narrow a type, or make a column NOT NULL
/// while it holds NULLs (counted when a connection is given).
pub fn warnings(ops: &[Op], mut conn: Option<&mut Connection>) -> Result<Vec<(usize, String)>> {
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if let Some(loss) = op.data_loss() {
            out.push((i, loss));
        }
        if let Op::AlterColumn(alter) = op {
            if let Some(message) = not_null_warning(alter, conn.as_deref_mut())? {
                out.push((i, message));
            }
        }
    }
    Ok(out)
}

fn not_null_warning(alter: &AlterColumn, conn: Option<&mut Connection>) -> Result<Option<String>> {
    let making_not_null =
        alter.nullable == Some(false) && alter.existing.as_ref().is_some_and(|c| c.nullable);
    if !making_not_null {
        return Ok(None);
    }
    let Some(conn) = conn else {
        return Ok(Some(format!(
            "makes `{}.{}` NOT NULL: rows where it is NULL make the upgrade fail",
            alter.table, alter.name
        )));
    };
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let d = backend::of(conn).dialect();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {} IS NULL",
        d.quote(&alter.table),
        d.quote(&alter.name)
    );
    let nulls = conn.query::<Count>(&sql)?.first().map_or(0, |c| c.n);
    Ok((nulls > 0).then(|| {
        format!(
            "makes `{}.{}` NOT NULL, but {nulls} row(s) hold NULL there: the upgrade fails until they get a value",
            alter.table, alter.name
        )
    }))
}

/// The schema that applying every revision builds, replayed in memory with
/// `dialect` (no database). `notes` names the revisions whose effect replay
/// cannot follow. `only`: replay just these revisions (those applied to a
/// database).
pub fn history_schema(
    migrations: &Migrations,
    dialect: &'static dyn Dialect,
    only: Option<&HashSet<&str>>,
) -> Result<(Schema, Vec<String>)> {
    let map = RevisionMap::of(migrations)?;
    let mut state = SchemaState::replayed(Schema::new());
    let notes = runner::replay(
        migrations,
        map.in_order()
            .filter(|n| only.is_none_or(|o| o.contains(n.id.as_str()))),
        dialect,
        &mut state,
        LiveRead::Note,
    )?;
    Ok((state.into_schema(), notes))
}
