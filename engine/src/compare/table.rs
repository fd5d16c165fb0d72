//! Changes inside one table present on both sides.
//!
//! Order: drop what changed or went away (foreign keys, checks, unique
//! constraints, indexes, the primary key), column renames, dropped columns, added
//! columns, altered columns, then what is new (primary key, unique constraints,
//! checks, indexes). Foreign keys to add are handed back to run after every table
//! has its columns.

use std::collections::BTreeMap;

use super::Comparison;
use retort::ops::{
    AddColumn, AddConstraint, AlterColumn, CreateIndex, DropColumn, DropConstraint, DropIndex, Op,
};
use retort::schema::{normalize_sql, Check, Column, Constraint, ForeignKey, Table, Unique};

/// Compares `current` with `target` (same table name). `renames` maps new
/// column names to old ones. Foreign keys to add go to `late`.
pub(super) fn compare(
    current: &Table,
    target: &Table,
    renames: &BTreeMap<&str, &str>,
    out: &mut Comparison,
    late: &mut Vec<Op>,
) {
    let t = target.name.clone();
    let mut current = current.clone();

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
        if !target.foreign_keys.iter().any(|f| same_foreign_key(f, fk)) {
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
        if !target.uniques.iter().any(|u| same_unique(u, unique)) {
            drop_constraint(
                &t,
                unique.name.as_deref(),
                Constraint::Unique(unique.clone()),
                out,
            );
        }
    }
    for index in &current.indexes {
        if target.get_index(&index.name) != Some(index) {
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
        for new in added.iter().filter(|n| n.sql_type == old.sql_type) {
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
        let mut alter = AlterColumn::new(t.clone(), want.name.clone()).existing(have.clone());
        if want.sql_type != have.sql_type {
            alter = alter.sql_type(want.sql_type.clone());
        }
        if want.nullable != have.nullable {
            alter = alter.nullable(want.nullable);
        }
        let same_default = match (&want.default, &have.default) {
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
        if !current.uniques.iter().any(|u| same_unique(u, unique)) {
            add_constraint(&t, Constraint::Unique(unique.clone()), &mut out.ops);
        }
    }
    for check in &target.checks {
        if !current.checks.iter().any(|c| same_check(c, check)) {
            add_constraint(&t, Constraint::Check(check.clone()), &mut out.ops);
        }
    }
    for index in &target.indexes {
        if current.get_index(&index.name) != Some(index) {
            out.ops.push(Op::CreateIndex(CreateIndex {
                table: t.clone(),
                index: index.clone(),
            }));
        }
    }
    for fk in &target.foreign_keys {
        if !current.foreign_keys.iter().any(|f| same_foreign_key(f, fk)) {
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
fn same_foreign_key(a: &ForeignKey, b: &ForeignKey) -> bool {
    let same_definition = a.columns == b.columns
        && a.ref_table == b.ref_table
        && a.ref_columns == b.ref_columns
        && a.on_delete == b.on_delete
        && a.on_update == b.on_update;
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
