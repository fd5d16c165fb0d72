//! Changes inside one table present on both sides, objects matched as the
//! dialect stores them.
//!
//! Order: drop what changed or went away (foreign keys, checks, unique
//! constraints, indexes, the primary key), column renames, dropped columns, added
//! columns, altered columns, then what is new (primary key, unique constraints,
//! checks, indexes). Foreign keys to add are handed back to run after every table
//! has its columns.

use std::collections::BTreeMap;

use super::Comparison;
use crate::dialect::Dialect;
use retort::ops::{
    AddColumn, AddConstraint, AlterColumn, CreateIndex, DropColumn, DropConstraint, DropIndex, Op,
    RenameConstraint, SetComment,
};
use retort::schema::{
    naming, normalize_sql, Check, Column, Constraint, ConstraintKind, ForeignKey, Generated, Index,
    IndexKey, Table, Unique,
};

/// Compares `current` with `target` (same table name). `renames` maps new
/// column names to old ones. Foreign keys to add go to `late`.
pub(super) fn compare(
    current: &Table,
    target: &Table,
    renames: &BTreeMap<&str, &str>,
    by_meaning: bool,
    d: &dyn Dialect,
    out: &mut Comparison,
    late: &mut Vec<Op>,
) {
    let t = target.name.clone();
    // With `--rename-constraints` names always count (what differs is dropped and
    // created again under the model's name).
    let conventional_unique = |t: &str, u: &Unique| by_meaning && conventional_unique(t, u);
    let conventional_index = |t: &str, i: &Index| by_meaning && conventional_index(t, i);
    let names_match = |w: &Option<String>, h: &Option<String>| {
        w.is_none() || (h.is_none() && by_meaning) || w == h
    };
    let same_unique = |t: &str, w: &Unique, h: &Unique| {
        w.columns == h.columns && (names_match(&w.name, &h.name) || conventional_unique(t, w))
    };
    let same_index = |t: &str, w: &Index, h: &Index| {
        same_index_definition(d, w, h) && (w.name == h.name || conventional_index(t, w))
    };
    let mut current = current.clone();
    // Names count only where the model gave one: an object carrying the naming
    // convention's name (the model left it unnamed) is the database's object of
    // the same definition, whatever the database or another tool called it.
    let same_fk =
        |want: &ForeignKey, have: &ForeignKey| same_foreign_key(d, &t, want, have, by_meaning);
    let merged = d.unique_constraints_are_indexes();
    // On MySQL a unique constraint and a unique index of the same columns are one
    // object: the model's unique index is the database's unique constraint, and
    // the other way round.
    let index_is_unique = |want: &Index, have: &Unique| {
        want.unique
            && plain_over(d, want, &have.columns)
            && (have.name.as_deref().is_none_or(|n| n == want.name) || conventional_index(&t, want))
    };
    let unique_is_index = |want: &Unique, have: &Index| {
        have.unique
            && plain_over(d, have, &want.columns)
            && (want.name.as_deref().is_none_or(|n| n == have.name)
                || conventional_unique(&t, want))
    };
    let unique_kept = |target: &Table, have: &Unique| {
        target.uniques.iter().any(|w| same_unique(&t, w, have))
            || (merged && target.indexes.iter().any(|w| index_is_unique(w, have)))
    };
    let unique_there = |current: &Table, want: &Unique| {
        current.uniques.iter().any(|h| same_unique(&t, want, h))
            || (merged && current.indexes.iter().any(|h| unique_is_index(want, h)))
    };
    let index_kept = |target: &Table, have: &Index| {
        target.indexes.iter().any(|w| same_index(&t, w, have))
            || (merged && target.uniques.iter().any(|w| unique_is_index(w, have)))
    };
    let index_there = |current: &Table, want: &Index| {
        current.indexes.iter().any(|h| same_index(&t, want, h))
            || (merged && current.uniques.iter().any(|h| index_is_unique(want, h)))
    };

    // Column renames first, applied to a copy so the rest compares new names.
    for (new, old) in renames {
        if target.get_column(new).is_some() && current.get_column(new).is_none() {
            if let Some(existing) = current.get_column(old).cloned() {
                let op = Op::AlterColumn(
                    AlterColumn::new(t.clone(), *old)
                        .rename_to(*new)
                        .existing(existing),
                );
                current.apply(&op).expect("the column exists");
                out.ops.push(op);
            }
        }
    }

    // A column whose generation changed (a generated column's expression or
    // kind, or a column that becomes or stops being generated) is dropped and
    // added again, as no database alters it in place; what is built on it first.
    let regenerate: Vec<String> = target
        .columns
        .iter()
        .filter(|want| {
            current
                .get_column(&want.name)
                .is_some_and(|have| !same_generation(&want.generated, &have.generated))
        })
        .map(|c| c.name.clone())
        .collect();
    if !regenerate.is_empty() {
        let on = |c: &String| regenerate.contains(c);
        let (gone, kept): (Vec<Index>, Vec<Index>) = std::mem::take(&mut current.indexes)
            .into_iter()
            .partition(|i| i.columns.iter().any(|k| on(&k.column)) || i.include.iter().any(on));
        current.indexes = kept;
        for index in gone {
            out.ops.push(Op::DropIndex(DropIndex {
                table: t.clone(),
                name: index.name.clone(),
                existing: Some(index),
                concurrently: false,
            }));
        }
        let (gone, kept): (Vec<Unique>, Vec<Unique>) = std::mem::take(&mut current.uniques)
            .into_iter()
            .partition(|u| u.columns.iter().any(on));
        current.uniques = kept;
        for unique in gone {
            drop_constraint(
                &t,
                unique.name.as_deref(),
                Constraint::Unique(unique.clone()),
                out,
            );
        }
    }

    // Objects of the same definition under another name (the model names them
    // itself, or `--rename-constraints`): renamed in place where the database
    // can, instead of dropped and created again.
    let mut renames: Vec<RenameConstraint> = Vec::new();
    let rename = |kind, from: &str, to: &str| RenameConstraint {
        table: t.clone(),
        kind,
        name: from.to_owned(),
        new_name: to.to_owned(),
    };
    if d.renames(Some(ConstraintKind::Unique)) {
        for w in &target.uniques {
            let Some(to) = w.name.as_deref() else {
                continue;
            };
            if unique_there(&current, w) {
                continue;
            }
            let found = current
                .uniques
                .iter()
                .find(|h| h.columns == w.columns && h.name.is_some() && !unique_kept(target, h));
            if let Some(from) = found.and_then(|h| h.name.as_deref()) {
                renames.push(rename(Some(ConstraintKind::Unique), from, to));
            }
        }
    }
    if d.renames(None) {
        for w in &target.indexes {
            if index_there(&current, w) {
                continue;
            }
            let found = current
                .indexes
                .iter()
                .find(|h| same_index_definition(d, w, h) && !index_kept(target, h));
            if let Some(h) = found {
                renames.push(rename(None, &h.name, &w.name));
            }
        }
    }
    if d.renames(Some(ConstraintKind::ForeignKey)) {
        for w in &target.foreign_keys {
            let Some(to) = w.name.as_deref() else {
                continue;
            };
            if current.foreign_keys.iter().any(|h| same_fk(w, h)) {
                continue;
            }
            let unnamed = ForeignKey {
                name: None,
                ..w.clone()
            };
            let found = current.foreign_keys.iter().find(|h| {
                h.name.is_some()
                    && same_foreign_key(d, &t, &unnamed, h, true)
                    && !target.foreign_keys.iter().any(|f| same_fk(f, h))
            });
            if let Some(from) = found.and_then(|h| h.name.as_deref()) {
                renames.push(rename(Some(ConstraintKind::ForeignKey), from, to));
            }
        }
    }
    // Each database object is renamed once, even when two model objects match it.
    let mut seen = std::collections::HashSet::new();
    for r in renames {
        if !seen.insert((r.kind, r.name.clone())) {
            continue;
        }
        let op = Op::RenameConstraint(r);
        if current.apply(&op).is_ok() {
            out.ops.push(op);
        }
    }

    // Drops of what changed or went away.
    for fk in &current.foreign_keys {
        if !target.foreign_keys.iter().any(|f| same_fk(f, fk)) {
            drop_constraint(
                &t,
                fk.name.as_deref(),
                Constraint::ForeignKey(fk.clone()),
                out,
            );
        }
    }
    for check in &current.checks {
        if !target.checks.iter().any(|c| same_check(c, check)) {
            drop_constraint(
                &t,
                check.name.as_deref(),
                Constraint::Check(check.clone()),
                out,
            );
        }
    }
    for unique in &current.uniques {
        if !unique_kept(target, unique) {
            drop_constraint(
                &t,
                unique.name.as_deref(),
                Constraint::Unique(unique.clone()),
                out,
            );
        }
    }
    for index in &current.indexes {
        if !index_kept(target, index) {
            out.ops.push(Op::DropIndex(DropIndex {
                table: t.clone(),
                name: index.name.clone(),
                existing: Some(index.clone()),
                concurrently: false,
            }));
        }
    }
    let key_changed = current.primary_key != target.primary_key;
    if key_changed && !current.primary_key.is_empty() {
        let name = current.primary_key_name.clone();
        let label = name.clone().unwrap_or_else(|| "PRIMARY".to_owned());
        drop_constraint(
            &t,
            Some(&label),
            Constraint::PrimaryKey {
                name,
                columns: current.primary_key.clone(),
            },
            out,
        );
    }

    // Columns.
    // Generated columns go before the columns they may read, and come after them.
    let mut dropped: Vec<&Column> = current
        .columns
        .iter()
        .filter(|c| target.get_column(&c.name).is_none() || regenerate.contains(&c.name))
        .collect();
    dropped.sort_by_key(|c| c.generated.is_none());
    let mut added: Vec<&Column> = target
        .columns
        .iter()
        .filter(|c| current.get_column(&c.name).is_none() || regenerate.contains(&c.name))
        .collect();
    added.sort_by_key(|c| c.generated.is_some());
    for column in &dropped {
        out.ops.push(Op::DropColumn(DropColumn {
            table: t.clone(),
            name: column.name.clone(),
            existing: Some((*column).clone()),
        }));
    }
    for column in &added {
        out.ops.push(Op::AddColumn(AddColumn {
            table: t.clone(),
            column: (*column).clone(),
        }));
    }
    for old in dropped.iter().filter(|c| !regenerate.contains(&c.name)) {
        let old_type = d.canonical_type(&current, old);
        for new in added
            .iter()
            .filter(|n| d.canonical_type(target, n) == old_type)
        {
            out.suggestions.push(format!(
                "column `{t}.{}` is removed and `{t}.{}` added with the same type; if it is a rename, \
                 add #[model(renamed_from = \"{}\")] to the field",
                old.name, new.name, old.name
            ));
        }
    }
    for want in &target.columns {
        let Some(have) = current.get_column(&want.name) else {
            continue;
        };
        if regenerate.contains(&want.name) {
            continue;
        }
        // Compared as stored; the op carries the model's own column.
        let (stored_want, stored_have) = (
            d.stored_column(target, want),
            d.stored_column(&current, have),
        );
        let mut alter = AlterColumn::new(t.clone(), want.name.clone()).existing(have.clone());
        // Types compare canonically: an enum's values change apart (`alter_enum`).
        if d.canonical_type(target, want) != d.canonical_type(&current, have) {
            alter = alter.sql_type(want.sql_type.clone());
        }
        if stored_want.nullable != stored_have.nullable {
            alter = alter.nullable(want.nullable);
        }
        if stored_want.autoincrement != stored_have.autoincrement {
            alter = alter.autoincrement(want.autoincrement);
        }
        if stored_want.on_update_now != stored_have.on_update_now {
            alter = alter.on_update_now(want.on_update_now);
        }
        let same_collation = match (&stored_want.collation, &stored_have.collation) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        };
        if !same_collation {
            alter = alter.collation(want.collation.as_deref());
        }
        if stored_want.autoincrement
            && stored_have.autoincrement
            && stored_want.identity != stored_have.identity
        {
            alter = alter.identity(want.identity);
        }
        let same_default = match (&stored_want.default, &stored_have.default) {
            (Some(a), Some(b)) => a.same_as(b),
            (None, None) => true,
            _ => false,
        };
        if !same_default {
            alter = alter.default(want.default.clone());
        }
        if alter.sql_type.is_some()
            || alter.nullable.is_some()
            || alter.default.is_some()
            || alter.autoincrement.is_some()
            || alter.on_update_now.is_some()
            || alter.collation.is_some()
            || alter.identity.is_some()
        {
            out.ops.push(Op::AlterColumn(alter));
        }
    }
    // Comments, where the database keeps them: the table's, then its columns'.
    if d.keeps_comments() {
        let set = |column: Option<&str>, comment: &Option<String>, was: &Option<String>| {
            Op::SetComment(SetComment {
                table: t.clone(),
                column: column.map(str::to_owned),
                comment: comment.clone(),
                existing: Some(was.clone()),
            })
        };
        if target.comment != current.comment {
            out.ops.push(set(None, &target.comment, &current.comment));
        }
        for want in &target.columns {
            if let Some(have) = current.get_column(&want.name) {
                if want.comment != have.comment {
                    out.ops
                        .push(set(Some(&want.name), &want.comment, &have.comment));
                }
            }
        }
    }

    // What is new.
    if key_changed && !target.primary_key.is_empty() {
        out.ops.push(Op::AddConstraint(AddConstraint {
            table: t.clone(),
            not_valid: false,
            concurrently: false,
            constraint: Constraint::PrimaryKey {
                name: target.primary_key_name.clone(),
                columns: target.primary_key.clone(),
            },
        }));
    }
    for unique in &target.uniques {
        if !unique_there(&current, unique) {
            add_constraint(&t, Constraint::Unique(unique.clone()), &mut out.ops);
        }
    }
    for check in &target.checks {
        if !current.checks.iter().any(|c| same_check(c, check)) {
            add_constraint(&t, Constraint::Check(check.clone()), &mut out.ops);
        }
    }
    for index in &target.indexes {
        if !index_there(&current, index) {
            out.ops.push(Op::CreateIndex(CreateIndex {
                table: t.clone(),
                index: index.clone(),
                concurrently: false,
            }));
        }
    }
    for fk in &target.foreign_keys {
        if !current.foreign_keys.iter().any(|f| same_fk(fk, f)) {
            add_constraint(&t, Constraint::ForeignKey(fk.clone()), late);
        }
    }
}

fn add_constraint(table: &str, constraint: Constraint, ops: &mut Vec<Op>) {
    ops.push(Op::AddConstraint(AddConstraint {
        table: table.to_owned(),
        constraint,
        not_valid: false,
        concurrently: false,
    }));
}

fn drop_constraint(table: &str, name: Option<&str>, existing: Constraint, out: &mut Comparison) {
    let kind = existing.kind();
    match name {
        Some(name) => out.ops.push(Op::DropConstraint(DropConstraint {
            table: table.to_owned(),
            name: name.to_owned(),
            kind,
            existing: Some(existing),
        })),
        // Unnamed (SQLite): dropped by its definition, in a rebuild.
        None => out.ops.push(Op::DropConstraint(DropConstraint {
            table: table.to_owned(),
            name: String::new(),
            kind,
            existing: Some(existing),
        })),
    }
}

/// The same definition (actions as the database keeps them), and the same name
/// unless either side has none or the model's is the convention's.
fn same_foreign_key(
    d: &dyn Dialect,
    table: &str,
    want: &ForeignKey,
    have: &ForeignKey,
    by_meaning: bool,
) -> bool {
    let same_definition = want.columns == have.columns
        && want.ref_table == have.ref_table
        && want.ref_columns == have.ref_columns
        && d.stored_fk_action(want.on_delete) == d.stored_fk_action(have.on_delete)
        && d.stored_fk_action(want.on_update) == d.stored_fk_action(have.on_update)
        && want.deferrable == have.deferrable
        // (MATCH FULL and SIMPLE are one rule for a single column.)
        && (want.match_full == have.match_full || want.columns.len() == 1);
    let names_match =
        want.name.is_none() || (have.name.is_none() && by_meaning) || want.name == have.name;
    same_definition && (names_match || (by_meaning && conventional_fk(table, want)))
}

fn strs(columns: &[String]) -> Vec<&str> {
    columns.iter().map(String::as_str).collect()
}

/// Whether two columns are generated alike: both plain, or the same kind over
/// the same expression (as [`normalize_sql`] spells it; the models' text is
/// first replaced by the server's own where it differs, `autogenerate`).
fn same_generation(a: &Option<Generated>, b: &Option<Generated>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.stored == b.stored && normalize_sql(&a.expr) == normalize_sql(&b.expr)
        }
        _ => false,
    }
}

/// Whether the model's foreign key has the name the convention gives it.
fn conventional_fk(table: &str, fk: &ForeignKey) -> bool {
    fk.name.as_deref()
        == Some(&naming::foreign_key(
            table,
            &strs(&fk.columns),
            &fk.ref_table,
        ))
}

/// Whether the model's unique constraint has the name the convention gives it.
fn conventional_unique(table: &str, unique: &Unique) -> bool {
    unique.name.as_deref() == Some(&naming::unique(table, &strs(&unique.columns)))
}

/// Whether the model's index has the name the convention gives it.
fn conventional_index(table: &str, index: &Index) -> bool {
    index.name == naming::index(table, &index.column_names())
}

/// Whether two indexes are one definition as `dialect` keeps them (names aside):
/// keys with their order, NULLs placement, operator class and prefix, unique,
/// predicate, method, included columns, `NULLS NOT DISTINCT`. Expressions and
/// predicates compare in the normalised form of [`normalize_sql`]; the models'
/// are first replaced by the server's own form of them where they differ in
/// text (`autogenerate`).
pub(crate) fn same_index_definition(dialect: &dyn Dialect, a: &Index, b: &Index) -> bool {
    let (a, b) = (dialect.stored_index(a), dialect.stored_index(b));
    let sql = |x: &Option<String>| x.as_deref().map(normalize_sql);
    let mut include = (a.include.clone(), b.include.clone());
    include.0.sort();
    include.1.sort();
    a.unique == b.unique
        && a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| same_key(x, y))
        && sql(&a.predicate) == sql(&b.predicate)
        && a.using == b.using
        && include.0 == include.1
        && a.nulls_not_distinct == b.nulls_not_distinct
}

fn same_key(a: &IndexKey, b: &IndexKey) -> bool {
    let column = if a.expression || b.expression {
        normalize_sql(&a.column) == normalize_sql(&b.column)
    } else {
        a.column == b.column
    };
    column
        && a.descending == b.descending
        && a.normalized_nulls() == b.normalized_nulls()
        && a.opclass == b.opclass
        && a.length == b.length
}

/// A plain index over exactly `columns`, in order (what a unique constraint is).
fn plain_over(dialect: &dyn Dialect, index: &Index, columns: &[String]) -> bool {
    let index = dialect.stored_index(index);
    index.is_plain() && index.columns.iter().map(|k| &k.column).eq(columns.iter())
}

/// Named checks compare by name: each database prints the expression its own way.
fn same_check(a: &Check, b: &Check) -> bool {
    match (&a.name, &b.name) {
        (Some(x), Some(y)) => x == y,
        _ => normalize_sql(&a.expr) == normalize_sql(&b.expr),
    }
}
