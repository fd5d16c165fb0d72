//! Applies ops to a [`Schema`] in memory: the schema after a revision without a
//! database. The engine follows a revision step's schema with it (for SQLite
//! rebuilds and MySQL's `CHANGE COLUMN`, online and in `--sql`), and replays the
//! history for offline autogenerate and `drift`.

use crate::ops::{
    AddColumn, AddConstraint, AlterColumn, Batch, CreateEnum, CreateIndex, CreateTable, DropColumn,
    DropConstraint, DropEnum, DropIndex, DropTable, Op, RenameConstraint, RenameTable, SetComment,
};
use crate::schema::{Constraint, ConstraintKind, Schema, SqlType, Table};

/// An op that does not fit the schema it is applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {op}: {problem}")]
pub struct ReplayError {
    /// The op, summarised.
    pub op: String,
    /// What does not fit.
    pub problem: String,
}

fn fail<T>(op: &Op, problem: impl Into<String>) -> Result<T, ReplayError> {
    Err(ReplayError {
        op: op.summary(),
        problem: problem.into(),
    })
}

impl Schema {
    /// Applies one op. `execute` and `bulk_insert` leave the schema as it is.
    pub fn apply(&mut self, op: &Op) -> Result<(), ReplayError> {
        match op {
            Op::CreateTable(CreateTable { table }) => {
                if self.tables.contains_key(&table.name) {
                    return fail(op, format!("table `{}` already exists", table.name));
                }
                self.insert(Table {
                    indexes: Vec::new(),
                    ..table.clone()
                });
            }
            Op::DropTable(DropTable { name, .. }) => {
                if self.tables.remove(name).is_none() {
                    return fail(op, format!("there is no table `{name}`"));
                }
            }
            Op::RenameTable(RenameTable { name, new_name }) => {
                if self.tables.contains_key(new_name) {
                    return fail(op, format!("table `{new_name}` already exists"));
                }
                let Some(mut table) = self.tables.remove(name) else {
                    return fail(op, format!("there is no table `{name}`"));
                };
                table.name = new_name.clone();
                self.insert(table);
                for t in self.tables.values_mut() {
                    for fk in &mut t.foreign_keys {
                        if fk.ref_table == *name {
                            fk.ref_table = new_name.clone();
                        }
                    }
                }
            }
            Op::Batch(Batch { ops, .. }) => {
                for inner in ops {
                    self.apply(inner)?;
                }
            }
            Op::Execute(_) | Op::BulkInsert(_) => {}
            Op::CreateEnum(CreateEnum { name, values }) => {
                if self.enums.contains_key(name) {
                    return fail(op, format!("enum `{name}` already exists"));
                }
                self.enums.insert(name.clone(), values.clone());
            }
            Op::DropEnum(DropEnum { name, .. }) => {
                if let Some((table, column)) = self.enum_users(name).into_iter().next() {
                    return fail(op, format!("column `{table}.{column}` still has this type"));
                }
                self.enums.remove(name);
            }
            Op::AlterEnum(alter) => {
                for (table, column) in &alter.columns {
                    let found = self
                        .tables
                        .get(table)
                        .and_then(|t| t.get_column(column))
                        .is_some();
                    if !found {
                        return fail(op, format!("there is no column `{table}.{column}`"));
                    }
                }
                self.enums.insert(alter.name.clone(), alter.values.clone());
                for table in self.tables.values_mut() {
                    let name = table.name.clone();
                    for column in &mut table.columns {
                        let listed = alter
                            .columns
                            .iter()
                            .any(|(t, c)| *t == name && *c == column.name);
                        let of_type = matches!(&column.sql_type, SqlType::Enum { name, .. } if *name == alter.name);
                        if listed || of_type {
                            column.sql_type = SqlType::Enum {
                                name: alter.name.clone(),
                                values: alter.values.clone(),
                            };
                            // As the databases do: a default follows its value.
                            column.default =
                                column.default.as_ref().and_then(|d| alter.default_after(d));
                        }
                    }
                }
            }
            _ => {
                let name = op.table().expect("table ops name their table").to_owned();
                let Some(table) = self.tables.get_mut(&name) else {
                    return fail(op, format!("there is no table `{name}`"));
                };
                let renamed = apply_to_table(table, op)?;
                if let Some((old, new)) = renamed {
                    for t in self.tables.values_mut() {
                        for fk in t.foreign_keys.iter_mut().filter(|fk| fk.ref_table == name) {
                            for c in fk.ref_columns.iter_mut().filter(|c| **c == old) {
                                *c = new.clone();
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl Table {
    /// Applies an op that changes this table (a column, an index, a constraint).
    /// Returns a column rename `(old, new)`, which other tables' foreign keys must
    /// follow ([`Schema::apply`] does).
    pub fn apply(&mut self, op: &Op) -> Result<Option<(String, String)>, ReplayError> {
        apply_to_table(self, op)
    }
}

fn apply_to_table(table: &mut Table, op: &Op) -> Result<Option<(String, String)>, ReplayError> {
    let t = table.name.clone();
    match op {
        Op::AddColumn(AddColumn { column, .. }) => {
            if table.get_column(&column.name).is_some() {
                return fail(
                    op,
                    format!("table `{t}` already has a column `{}`", column.name),
                );
            }
            table.columns.push(column.clone());
        }
        Op::DropColumn(DropColumn { name, .. }) => {
            let Some(position) = table.columns.iter().position(|c| c.name == *name) else {
                return fail(op, format!("table `{t}` has no column `{name}`"));
            };
            table.columns.remove(position);
            // As PostgreSQL does: what is built on the column goes with it.
            let mentions = |cols: &[String]| cols.iter().any(|c| c == name);
            table.indexes.retain(|i| {
                !i.columns.iter().any(|k| !k.expression && k.column == *name)
                    && !mentions(&i.include)
            });
            table.uniques.retain(|u| !mentions(&u.columns));
            table.foreign_keys.retain(|f| !mentions(&f.columns));
            if mentions(&table.primary_key) {
                table.primary_key.clear();
                table.primary_key_name = None;
            }
        }
        Op::AlterColumn(alter) => return alter_column(table, alter, op),
        Op::CreateIndex(CreateIndex { index, .. }) => {
            if table.get_index(&index.name).is_some() {
                return fail(
                    op,
                    format!("table `{t}` already has an index `{}`", index.name),
                );
            }
            let mut named: Vec<String> = index
                .column_names()
                .into_iter()
                .map(str::to_owned)
                .collect();
            named.extend(index.include.iter().cloned());
            check_columns(table, &named, op)?;
            table.indexes.push(index.clone());
        }
        Op::DropIndex(DropIndex { name, .. }) => {
            let before = table.indexes.len();
            table.indexes.retain(|i| i.name != *name);
            if table.indexes.len() == before {
                return fail(op, format!("table `{t}` has no index `{name}`"));
            }
        }
        Op::AddConstraint(AddConstraint { constraint, .. }) => {
            if let Some(name) = constraint.name() {
                if table.has_constraint(name) {
                    return fail(op, format!("table `{t}` already has a constraint `{name}`"));
                }
            }
            match constraint {
                Constraint::PrimaryKey { columns, name } => {
                    if !table.primary_key.is_empty() {
                        return fail(op, format!("table `{t}` already has a primary key"));
                    }
                    check_columns(table, columns, op)?;
                    table.primary_key = columns.clone();
                    table.primary_key_name = name.clone();
                }
                Constraint::Unique(u) => {
                    check_columns(table, &u.columns, op)?;
                    table.uniques.push(u.clone());
                }
                Constraint::ForeignKey(f) => {
                    check_columns(table, &f.columns, op)?;
                    table.foreign_keys.push(f.clone());
                }
                Constraint::Check(c) => table.checks.push(c.clone()),
            }
        }
        Op::DropConstraint(DropConstraint {
            name,
            existing: Some(existing),
            ..
        }) if name.is_empty() => {
            // An unnamed constraint: the one of the same definition.
            let found = match existing {
                Constraint::PrimaryKey { columns, .. } => {
                    let found = table.primary_key == *columns;
                    if found {
                        table.primary_key.clear();
                        table.primary_key_name = None;
                    }
                    found
                }
                Constraint::Unique(u) => remove_where(&mut table.uniques, |x| {
                    x.name.is_none() && x.columns == u.columns
                }),
                Constraint::ForeignKey(f) => remove_where(&mut table.foreign_keys, |x| {
                    x.name.is_none()
                        && x.columns == f.columns
                        && x.ref_table == f.ref_table
                        && x.ref_columns == f.ref_columns
                }),
                Constraint::Check(c) => remove_where(&mut table.checks, |x| {
                    x.name.is_none()
                        && crate::schema::normalize_sql(&x.expr)
                            == crate::schema::normalize_sql(&c.expr)
                }),
            };
            if !found {
                return fail(
                    op,
                    format!(
                        "table `{t}` has no unnamed {} of that definition",
                        existing.kind().describe()
                    ),
                );
            }
        }
        Op::DropConstraint(DropConstraint { name, kind, .. }) => {
            let named = |n: &Option<String>| n.as_deref() == Some(name.as_str());
            let found = match kind {
                ConstraintKind::PrimaryKey => {
                    table.primary_key_name = None;
                    !std::mem::take(&mut table.primary_key).is_empty()
                }
                ConstraintKind::Unique => remove_where(&mut table.uniques, |u| named(&u.name)),
                ConstraintKind::ForeignKey => {
                    remove_where(&mut table.foreign_keys, |f| named(&f.name))
                }
                ConstraintKind::Check => remove_where(&mut table.checks, |c| named(&c.name)),
            };
            if !found {
                return fail(
                    op,
                    format!("table `{t}` has no {} `{name}`", kind.describe()),
                );
            }
        }
        Op::Batch(Batch { ops, .. }) => {
            let mut last = None;
            for inner in ops {
                last = apply_to_table(table, inner)?.or(last);
            }
            return Ok(last);
        }
        Op::RenameConstraint(RenameConstraint {
            kind,
            name,
            new_name,
            ..
        }) => {
            let renamed = |n: &mut Option<String>| {
                if n.as_deref() == Some(name.as_str()) {
                    *n = Some(new_name.clone());
                    true
                } else {
                    false
                }
            };
            let found = match kind {
                None => table.indexes.iter_mut().any(|i| {
                    let hit = i.name == *name;
                    if hit {
                        i.name = new_name.clone();
                    }
                    hit
                }),
                Some(ConstraintKind::Unique) => {
                    table.uniques.iter_mut().any(|u| renamed(&mut u.name))
                }
                Some(ConstraintKind::ForeignKey) => {
                    table.foreign_keys.iter_mut().any(|f| renamed(&mut f.name))
                }
                Some(ConstraintKind::Check) => {
                    table.checks.iter_mut().any(|c| renamed(&mut c.name))
                }
                Some(ConstraintKind::PrimaryKey) => renamed(&mut table.primary_key_name),
            };
            if !found {
                return fail(op, format!("table `{t}` has no such object `{name}`"));
            }
        }
        Op::SetComment(SetComment {
            column, comment, ..
        }) => match column {
            None => table.comment = comment.clone(),
            Some(c) => match table.columns.iter_mut().find(|x| x.name == *c) {
                Some(column) => column.comment = comment.clone(),
                None => return fail(op, format!("table `{t}` has no column `{c}`")),
            },
        },
        // The schema is the same, checked or not; the constraint must be there.
        Op::ValidateConstraint(v) => {
            let known = table
                .foreign_keys
                .iter()
                .any(|f| f.name.as_deref() == Some(&v.name))
                || table
                    .checks
                    .iter()
                    .any(|c| c.name.as_deref() == Some(&v.name));
            if !known {
                return fail(
                    op,
                    format!("table `{t}` has no foreign key or check `{}`", v.name),
                );
            }
        }
        other => {
            return fail(
                other,
                format!("it does not change one column or constraint of `{t}`"),
            )
        }
    }
    Ok(None)
}

fn remove_where<T>(items: &mut Vec<T>, pred: impl Fn(&T) -> bool) -> bool {
    let before = items.len();
    items.retain(|i| !pred(i));
    items.len() != before
}

fn check_columns(table: &Table, columns: &[String], op: &Op) -> Result<(), ReplayError> {
    match columns.iter().find(|c| table.get_column(c).is_none()) {
        Some(c) => fail(op, format!("table `{}` has no column `{c}`", table.name)),
        None => Ok(()),
    }
}

fn alter_column(
    table: &mut Table,
    alter: &AlterColumn,
    op: &Op,
) -> Result<Option<(String, String)>, ReplayError> {
    let t = table.name.clone();
    let Some(current) = table.get_column(&alter.name).cloned() else {
        return fail(op, format!("table `{t}` has no column `{}`", alter.name));
    };
    let after = alter.apply_to(&current);
    if after.name != current.name && table.get_column(&after.name).is_some() {
        return fail(
            op,
            format!("table `{t}` already has a column `{}`", after.name),
        );
    }
    *table.get_column_mut(&alter.name).expect("found above") = after.clone();
    if after.name == current.name {
        return Ok(None);
    }
    let (old, new) = (current.name, after.name);
    let rename = |cols: &mut Vec<String>| {
        for c in cols.iter_mut().filter(|c| **c == old) {
            *c = new.clone();
        }
    };
    rename(&mut table.primary_key);
    table.indexes.iter_mut().for_each(|i| {
        for k in i
            .columns
            .iter_mut()
            .filter(|k| !k.expression && k.column == old)
        {
            k.column = new.clone();
        }
        rename(&mut i.include);
    });
    table
        .uniques
        .iter_mut()
        .for_each(|u| rename(&mut u.columns));
    table
        .foreign_keys
        .iter_mut()
        .for_each(|f| rename(&mut f.columns));
    // A foreign key to the table itself follows the rename too.
    for fk in table.foreign_keys.iter_mut().filter(|f| f.ref_table == t) {
        rename(&mut fk.ref_columns);
    }
    Ok(Some((old, new)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::AlterColumn;
    use crate::schema::{Column, ForeignKey, Index, SqlType};

    fn schema() -> Schema {
        let mut s = Schema::new();
        s.insert(
            Table::new("users")
                .column(Column::new("id", SqlType::Integer).autoincrement())
                .column(Column::new("email", SqlType::Text))
                .primary_key(["id"])
                .index(Index::new("ix_users_email", ["email"])),
        );
        s.insert(
            Table::new("orders")
                .column(Column::new("id", SqlType::Integer))
                .column(Column::new("user_id", SqlType::Integer))
                .primary_key(["id"])
                .foreign_key(ForeignKey::new("fk", ["user_id"], "users", ["id"])),
        );
        s
    }

    #[test]
    fn renames_follow_through_keys_and_references() {
        let mut s = schema();
        s.apply(&Op::AlterColumn(
            AlterColumn::new("users", "id").rename_to("user_pk"),
        ))
        .unwrap();
        s.apply(&Op::RenameTable(RenameTable {
            name: "users".into(),
            new_name: "people".into(),
        }))
        .unwrap();
        let orders = s.table("orders").unwrap();
        assert_eq!(orders.foreign_keys[0].ref_table, "people");
        assert_eq!(orders.foreign_keys[0].ref_columns, ["user_pk"]);
        assert_eq!(s.table("people").unwrap().primary_key, ["user_pk"]);
    }

    #[test]
    fn dropping_a_column_drops_its_index() {
        let mut s = schema();
        s.apply(&Op::DropColumn(DropColumn {
            table: "users".into(),
            name: "email".into(),
            existing: None,
        }))
        .unwrap();
        assert!(s.table("users").unwrap().indexes.is_empty());
    }

    #[test]
    fn mistakes_are_named() {
        let mut s = schema();
        let err = s
            .apply(&Op::DropIndex(DropIndex {
                table: "users".into(),
                name: "nope".into(),
                existing: None,
                concurrently: false,
            }))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot remove index `nope` on `users`: table `users` has no index `nope`"
        );
        let err = s
            .apply(&Op::AddColumn(AddColumn {
                table: "ghosts".into(),
                column: Column::new("x", SqlType::Text),
            }))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot add column `ghosts.x`: there is no table `ghosts`"
        );
    }
}
