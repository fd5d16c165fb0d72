//! Autogenerate: the models compared with a live database, or with the schema
//! the revision history builds (replayed in memory, no database), turned into ops
//! a reviewer can trust: renames from hints, drops and narrowing marked, and
//! advice where a drop and an add look like a rename.

use std::collections::HashSet;

use retort::model::RenameHints;
use retort::ops::{AddColumn, AlterColumn, AlterEnum, DropColumn, Op};
use retort::schema::{normalize_sql, Column, Index, Schema, ServerDefault, Table};
use retort::{Connection, Migrations};

use crate::backend;
use crate::compare::{compare, same_index_definition};
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

/// What takes part: every table but the version table, other tools' history
/// tables and the excluded patterns; every column and object but the excluded ones.
pub fn table_filter(config: &Config) -> Filter {
    let mut exclude = crate::versions::VersionTable {
        name: &config.version_table,
    }
    .own_tables();
    // Another tool's history, in a database taken over, is not the models' to drop.
    exclude.extend(
        crate::versions::OTHER_TOOLS
            .iter()
            .map(|(table, _)| (*table).to_owned()),
    );
    exclude.extend(config.exclude_tables.iter().cloned());
    Filter {
        exclude,
        only: None,
        exclude_columns: config.exclude_columns.clone(),
        exclude_objects: config.exclude_objects.clone(),
        ignore_comments: !config.comments,
        schemas: config.include_schemas.clone(),
    }
}

/// `models` without the excluded tables, columns and objects.
fn without_excluded(models: &Schema, filter: &Filter) -> Schema {
    let mut out = models.clone();
    filter.prune(&mut out);
    out
}

/// Compares a live database with `models`.
pub fn compare_database(
    conn: &mut Connection,
    models: &Schema,
    hints: &RenameHints,
    filter: &Filter,
) -> Result<Changes> {
    let session = backend::of(conn);
    let dialect = session.dialect();
    dialect.unsupported_columns(models)?;
    let (models, hints, filter) = in_current_schema(conn, models, hints, filter)?;
    let live = introspect::read(conn, &filter)?;
    let models = as_the_server_keeps_defaults(conn, &live, &without_excluded(&models, &filter))?;
    let models = as_the_server_keeps_indexes(conn, &live, &models)?;
    let models = as_the_server_keeps_generated(conn, &live, &models)?;
    let comparison = compare(&live, &models, &hints, dialect);
    let warnings = warnings(&comparison.ops, dialect, Some(conn))?;
    Ok(Changes {
        ops: comparison.ops,
        warnings,
        suggestions: comparison.suggestions,
        notes: Vec::new(),
        edited: Vec::new(),
    })
}

/// The models, hints and filter as the connection names tables: the schemas the
/// models name are read besides the current one, and a model that names the
/// current schema (`public.invoices` on a `public` connection) is its bare
/// table, as introspection reads it.
fn in_current_schema(
    conn: &mut Connection,
    models: &Schema,
    hints: &RenameHints,
    filter: &Filter,
) -> Result<(Schema, RenameHints, Filter)> {
    let mut filter = filter.clone();
    let named = models.schemas();
    let mentioned = hints.tables.values().any(|old| old.contains('.'));
    if named.is_empty() && !mentioned {
        return Ok((models.clone(), hints.clone(), filter));
    }
    let current = backend::of(conn).current_schema(conn)?;
    let strip = |name: &str| match (retort::schema::split_schema(name), &current) {
        ((Some(s), bare), Some(c)) if s == c => bare.to_owned(),
        _ => name.to_owned(),
    };
    let models = match &current {
        Some(c) => models.unqualified_in(c),
        None => models.clone(),
    };
    let mut hints = hints.clone();
    hints.tables = hints
        .tables
        .iter()
        .map(|(new, old)| (strip(new), strip(old)))
        .collect();
    hints.columns = hints
        .columns
        .iter()
        .map(|((table, column), old)| ((strip(table), column.clone()), old.clone()))
        .collect();
    for schema in models.schemas().into_iter().chain(
        hints
            .tables
            .values()
            .filter_map(|old| retort::schema::split_schema(old).0.map(str::to_owned)),
    ) {
        if !filter.schemas.contains(&schema) {
            filter.schemas.push(schema);
        }
    }
    Ok((models, hints, filter))
}

/// `models`, where a default written as SQL differs in text from the database's
/// but the database would keep it as the same (PostgreSQL prints
/// `substring('name',1,3)` as `"substring"('name'::text, 1, 3)`): the database's
/// form of it, so the comparison settles after one upgrade. One round trip for
/// every such default at once.
fn as_the_server_keeps_defaults(
    conn: &mut Connection,
    live: &Schema,
    models: &Schema,
) -> Result<Schema> {
    let session = backend::of(conn);
    let dialect = session.dialect();
    let mut asked: Vec<(String, usize, ServerDefault)> = Vec::new();
    let mut columns = Vec::new();
    for table in models.tables.values() {
        let Some(have_table) = live.table(&table.name) else {
            continue;
        };
        for (i, want) in table.columns.iter().enumerate() {
            let Some(have) = have_table.get_column(&want.name) else {
                continue;
            };
            let (Some(ServerDefault::Sql(_)), Some(had)) = (&want.default, &have.default) else {
                continue;
            };
            let stored = dialect.stored_column(table, want).default;
            if stored.as_ref().is_some_and(|d| d.same_as(had)) {
                continue;
            }
            asked.push((table.name.clone(), i, had.clone()));
            columns.push(want.clone());
        }
    }
    let Some(kept) = session.stored_defaults(conn, &columns)? else {
        return Ok(models.clone());
    };
    let mut out = models.clone();
    for ((table, i, had), kept) in asked.into_iter().zip(kept) {
        let Some(kept) = kept else {
            continue;
        };
        if kept.same_as(&had) {
            if let Some(column) = out
                .tables
                .get_mut(&table)
                .and_then(|t| t.columns.get_mut(i))
            {
                column.default = Some(had);
            }
        }
    }
    Ok(out)
}

/// `models`, where an index's expressions or predicate differ in text from a
/// database index's but the database would keep them as the same (PostgreSQL
/// prints `lower(email)` as `lower(email::text)`): the database's text of them,
/// so the comparison settles after one upgrade. One round trip for every such
/// index at once.
fn as_the_server_keeps_indexes(
    conn: &mut Connection,
    live: &Schema,
    models: &Schema,
) -> Result<Schema> {
    let session = backend::of(conn);
    let dialect = session.dialect();
    let mut asked: Vec<(&Table, &Index)> = Vec::new();
    for table in models.tables.values() {
        let Some(have_table) = live.table(&table.name) else {
            continue;
        };
        for want in &table.indexes {
            let written = want.predicate.is_some() || want.columns.iter().any(|k| k.expression);
            if written
                && !have_table
                    .indexes
                    .iter()
                    .any(|have| same_index_definition(dialect, want, have))
            {
                asked.push((table, want));
            }
        }
    }
    let Some(kept) = session.stored_indexes(conn, &asked)? else {
        return Ok(models.clone());
    };
    let mut out = models.clone();
    for ((table, want), kept) in asked.into_iter().zip(kept) {
        let Some(kept) = kept else {
            continue;
        };
        let Some(have) = live.table(&table.name).and_then(|t| {
            t.indexes
                .iter()
                .find(|have| same_index_definition(dialect, &kept, have))
        }) else {
            continue;
        };
        if let Some(index) = out
            .tables
            .get_mut(&table.name)
            .and_then(|t| t.indexes.iter_mut().find(|i| i.name == want.name))
        {
            for (key, had) in index.columns.iter_mut().zip(&have.columns) {
                key.column.clone_from(&had.column);
            }
            index.predicate.clone_from(&have.predicate);
        }
    }
    Ok(out)
}

/// `models`, where a generated column's expression differs in text from the
/// database's but the database would keep it as the same (MariaDB quotes every
/// name, PostgreSQL adds casts and parentheses): the database's text of it. One
/// round trip (PostgreSQL) or one probe table per such column (MySQL).
fn as_the_server_keeps_generated(
    conn: &mut Connection,
    live: &Schema,
    models: &Schema,
) -> Result<Schema> {
    let session = backend::of(conn);
    let mut asked: Vec<(&Table, &Column)> = Vec::new();
    for table in models.tables.values() {
        let Some(have_table) = live.table(&table.name) else {
            continue;
        };
        for want in &table.columns {
            let (Some(w), Some(h)) = (
                &want.generated,
                have_table
                    .get_column(&want.name)
                    .and_then(|c| c.generated.as_ref()),
            ) else {
                continue;
            };
            if w.stored == h.stored && normalize_sql(&w.expr) != normalize_sql(&h.expr) {
                asked.push((table, want));
            }
        }
    }
    if asked.is_empty() {
        return Ok(models.clone());
    }
    let Some(kept) = session.stored_generated(conn, &asked)? else {
        return Ok(models.clone());
    };
    let mut out = models.clone();
    for ((table, want), kept) in asked.into_iter().zip(kept) {
        let (Some(kept), Some(have)) = (
            kept,
            live.table(&table.name)
                .and_then(|t| t.get_column(&want.name))
                .and_then(|c| c.generated.clone()),
        ) else {
            continue;
        };
        if normalize_sql(&kept.expr) == normalize_sql(&have.expr) {
            if let Some(column) = out
                .tables
                .get_mut(&table.name)
                .and_then(|t| t.columns.iter_mut().find(|c| c.name == want.name))
            {
                column.generated = Some(have);
            }
        }
    }
    Ok(out)
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
    let warnings = warnings(&comparison.ops, dialect, None).unwrap_or_default();
    Changes {
        ops: comparison.ops,
        warnings,
        suggestions: comparison.suggestions,
        notes: Vec::new(),
        edited: Vec::new(),
    }
}

/// Warnings for ops that lose data or make the upgrade fail, with the rows at
/// stake counted when a connection is given: drops and narrowing type changes; a
/// column dropped while another of its type is added to the same table (a rename
/// without `renamed_from` loses every value); a column made NOT NULL while rows
/// hold NULL there; a NOT NULL column without a default added to a table that has
/// rows (PostgreSQL and SQLite refuse it, MySQL fills `''` or 0).
pub fn warnings(
    ops: &[Op],
    dialect: &dyn Dialect,
    mut conn: Option<&mut Connection>,
) -> Result<Vec<(usize, String)>> {
    let mut out = losses(ops, dialect);
    for (i, op) in ops.iter().enumerate() {
        let message = match op {
            Op::AlterColumn(alter) => not_null_warning(alter, conn.as_deref_mut())?,
            Op::AddColumn(add) => filled_column_warning(add, conn.as_deref_mut())?,
            Op::AlterEnum(alter) => held_values_warning(alter, conn.as_deref_mut())?,
            _ => None,
        };
        out.extend(message.map(|m| (i, m)));
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(out)
}

/// The ops that lose data whatever the database holds: drops, narrowing type
/// changes, and a dropped column whose values a same-typed added one was probably
/// meant to keep (`(index into ops, why)`).
pub fn losses(ops: &[Op], dialect: &dyn Dialect) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        out.extend(op.data_loss().map(|loss| (i, loss)));
        if let Op::DropColumn(drop) = op {
            out.extend(rename_warning(ops, drop, dialect).map(|m| (i, m)));
        }
    }
    out
}

/// A dropped column and an added one of the same type in one table.
fn rename_warning(ops: &[Op], drop: &DropColumn, dialect: &dyn Dialect) -> Option<String> {
    let old = drop.existing.as_ref()?;
    let host = Table::new(drop.table.clone());
    let old_type = dialect.canonical_type(&host, old);
    let new = ops.iter().find_map(|op| match op {
        Op::AddColumn(add)
            if add.table == drop.table
                && dialect.canonical_type(&host, &add.column) == old_type =>
        {
            Some(&add.column.name)
        }
        _ => None,
    })?;
    Some(format!(
        "drops `{t}.{old}` and adds `{t}.{new}` of the same type: if it is a rename, the values of \
         `{old}` are lost as written; say #[model(renamed_from = \"{old}\")] on the field, or \
         alter_column(..).rename_to(\"{new}\") by hand",
        t = drop.table,
        old = old.name
    ))
}

/// A NOT NULL column without a default, added to a table that has rows.
fn filled_column_warning(add: &AddColumn, conn: Option<&mut Connection>) -> Result<Option<String>> {
    let column = &add.column;
    if column.nullable || column.default.is_some() || column.autoincrement {
        return Ok(None);
    }
    let what = format!(
        "adds NOT NULL column `{}.{}` without a default",
        add.table, column.name
    );
    // Not counted offline, nor where the table has another name until an earlier
    // op of the same revision renames it.
    let Some(rows) = conn.and_then(|conn| count(conn, &add.table, None).ok()) else {
        return Ok(Some(format!(
            "{what}: if `{}` has rows, PostgreSQL and SQLite refuse the upgrade and MySQL fills them with '' or 0; give it a default",
            add.table
        )));
    };
    Ok((rows > 0).then(|| {
        format!(
            "{what}, but `{}` has {rows} row(s): PostgreSQL and SQLite refuse the upgrade and MySQL fills them with '' or 0; give it a default",
            add.table
        )
    }))
}

/// Rows holding the values an enum change removes, counted per column (the
/// change itself stops when there are any).
fn held_values_warning(alter: &AlterEnum, conn: Option<&mut Connection>) -> Result<Option<String>> {
    let removed = alter.removed();
    let Some(conn) = conn.filter(|_| !removed.is_empty()) else {
        return Ok(None);
    };
    let d = backend::of(conn).dialect();
    let values = removed
        .iter()
        .map(|v| d.string_literal(v))
        .collect::<Vec<_>>()
        .join(", ");
    let mut held = Vec::new();
    for (table, column) in &alter.columns {
        let n = count_where(conn, table, &format!("{} IN ({values})", d.quote(column)))?;
        if n > 0 {
            held.push(format!("{n} row(s) of `{table}.{column}`"));
        }
    }
    Ok((!held.is_empty()).then(|| {
        format!(
            "enum `{}` loses {}, but {} hold {}: the upgrade stops until they are updated \
             (write the UPDATE with op.execute before the alter_enum, or rename the value with \
             #[db_enum(renamed_from = \"…\")] on the variant that replaces it)",
            alter.name,
            removed
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", "),
            held.join(" and "),
            if removed.len() == 1 { "it" } else { "them" }
        )
    }))
}

/// Rows of `table` (where `column` is NULL, if given).
fn count(conn: &mut Connection, table: &str, null_column: Option<&str>) -> Result<i64> {
    let d = backend::of(conn).dialect();
    match null_column {
        Some(column) => Ok(count_where(
            conn,
            table,
            &format!("{} IS NULL", d.quote(column)),
        )?),
        None => Ok(count_where(conn, table, "1 = 1")?),
    }
}

/// Rows of `table` where `condition` holds.
pub(crate) fn count_where(
    conn: &mut Connection,
    table: &str,
    condition: &str,
) -> retort::Result<i64> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let d = backend::of(conn).dialect();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {condition}",
        d.quote_table(table)
    );
    Ok(conn.query::<Count>(&sql)?.first().map_or(0, |c| c.n))
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
    let nulls = count(conn, &alter.table, Some(&alter.name))?;
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
    history_schema_in(migrations, &RevisionMap::of(migrations)?, dialect, only)
}

/// [`history_schema`] along the revisions of `map` (the view of the graph a
/// database is in: inside a squashed range, the revisions the squash replaces).
pub fn history_schema_in(
    migrations: &Migrations,
    map: &RevisionMap,
    dialect: &'static dyn Dialect,
    only: Option<&HashSet<&str>>,
) -> Result<(Schema, Vec<String>)> {
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
