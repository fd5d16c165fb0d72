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
};
use retort::schema::{normalize_sql, Check, Column, Constraint, ForeignKey, Index, Table, Unique};

/// Compares `current` with `target` (same table name). `renames` maps new
/// column names to old ones. Foreign keys to add go to `late`.
pub(super) fn compare(
    current: &Table,
    target: &Table,
    renames: &BTreeMap<&str, &str>,
    d: &dyn Dialect,
    out: &mut Comparison,
    late: &mut Vec<Op>,
) {
    let t = target.name.clone();
    let mut current = current.clone();
    let same_fk = |a: &ForeignKey, b: &ForeignKey| same_foreign_key(d, a, b);
    let merged = d.unique_constraints_are_indexes();
    // On MySQL a unique constraint and a unique index of the same name and
    // columns are one object.
    let unique_in = |table: &Table, u: &Unique| {
        table.uniques.iter().any(|x| same_unique(x, u))
            || (merged
                && table.indexes.iter().any(|i| {
                    i.unique
                        && u.name.as_deref().is_none_or(|n| n == i.name)
                        && i.columns == u.columns
                }))
    };
    let index_in = |table: &Table, i: &Index| {
        table.get_index(&i.name) == Some(i)
            || (merged
                && i.unique
                && table
                    .uniques
                    .iter()
                    .any(|u| u.name.as_deref() == Some(i.name.as_str()) && u.columns == i.columns))
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
        if !unique_in(target, unique) {
            drop_constraint(
                &t,
                unique.name.as_deref(),
                Constraint::Unique(unique.clone()),
                out,
            );
        }
    }
    for index in &current.indexes {
        if !index_in(target, index) {
            out.ops.push(Op::DropIndex(DropIndex {
                table: t.clone(),
                name: index.name.clone(),
                existing: Some(index.clone()),
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
    let dropped: Vec<&Column> = current
        .columns
        .iter()
        .filter(|c| target.get_column(&c.name).is_none())
        .collect();
    let added: Vec<&Column> = target
        .columns
        .iter()
        .filter(|c| current.get_column(&c.name).is_none())
        .collect();
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
    for old in &dropped {
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
        let same_default = match (&stored_want.default, &stored_have.default) {
            (Some(a), Some(b)) => a.same_as(b),
            (None, None) => true,
            _ => false,
        };
        if !same_default {
            alter = alter.default(want.default.clone());
        }
        if alter.sql_type.is_some() || alter.nullable.is_some() || alter.default.is_some() {
            out.ops.push(Op::AlterColumn(alter));
        }
    }

    // What is new.
    if key_changed && !target.primary_key.is_empty() {
        out.ops.push(Op::AddConstraint(AddConstraint {
            table: t.clone(),
            constraint: Constraint::PrimaryKey {
                name: target.primary_key_name.clone(),
                columns: target.primary_key.clone(),
            },
        }));
    }
    for unique in &target.uniques {
        if !unique_in(&current, unique) {
            add_constraint(&t, Constraint::Unique(unique.clone()), &mut out.ops);
        }
    }
    for check in &target.checks {
        if !current.checks.iter().any(|c| same_check(c, check)) {
            add_constraint(&t, Constraint::Check(check.clone()), &mut out.ops);
        }
    }
    for index in &target.indexes {
        if !index_in(&current, index) {
            out.ops.push(Op::CreateIndex(CreateIndex {
                table: t.clone(),
                index: index.clone(),
            }));
        }
    }
    for fk in &target.foreign_keys {
        if !current.foreign_keys.iter().any(|f| same_fk(f, fk)) {
            add_constraint(&t, Constraint::ForeignKey(fk.clone()), late);
        }
    }
}

fn add_constraint(table: &str, constraint: Constraint, ops: &mut Vec<Op>) {
    ops.push(Op::AddConstraint(AddConstraint {
        table: table.to_owned(),
        constraint,
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
        None => out.suggestions.push(format!(
            "an unnamed {} on `{table}` differs from the models and cannot be dropped by name; drop it by hand",
            kind.describe()
        )),
    }
}

/// Both named: the same name and definition. Otherwise: the same definition.
/// Actions compare as the database keeps them.
fn same_foreign_key(d: &dyn Dialect, a: &ForeignKey, b: &ForeignKey) -> bool {
    let same_definition = a.columns == b.columns
        && a.ref_table == b.ref_table
        && a.ref_columns == b.ref_columns
        && d.stored_fk_action(a.on_delete) == d.stored_fk_action(b.on_delete)
        && d.stored_fk_action(a.on_update) == d.stored_fk_action(b.on_update);
    same_definition && (a.name.is_none() || b.name.is_none() || a.name == b.name)
}

fn same_unique(a: &Unique, b: &Unique) -> bool {
    a.columns == b.columns && (a.name.is_none() || b.name.is_none() || a.name == b.name)
}

/// Named checks compare by name: each database prints the expression its own way.
fn same_check(a: &Check, b: &Check) -> bool {
    match (&a.name, &b.name) {
        (Some(x), Some(y)) => x == y,
        _ => normalize_sql(&a.expr) == normalize_sql(&b.expr),
    }
}
