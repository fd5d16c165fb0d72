//! `compare(current, target)`: the ops that turn one schema into the other. Pure.
//!
//! Order: new tables first (referenced tables before the tables that reference
//! them), then changes inside existing tables (drops before adds), then removed
//! tables (referencing tables before the tables they reference).

use std::collections::{BTreeMap, BTreeSet};

use crate::dialect::Dialect;
use crate::ops::{
    AddColumn, AddConstraint, CreateIndex, CreateTable, DropColumn, DropIndex, DropTable, Op,
};
use crate::schema::{Constraint, Schema, Table};

/// The ops that take a database from `current` to `target`.
pub fn compare(current: &Schema, target: &Schema, dialect: &dyn Dialect) -> Vec<Op> {
    let mut ops = Vec::new();

    let added: BTreeMap<&str, &Table> = target
        .tables
        .iter()
        .filter(|(name, _)| !current.tables.contains_key(*name))
        .map(|(n, t)| (n.as_str(), t))
        .collect();
    for table in dependency_order(&added) {
        ops.push(Op::CreateTable(CreateTable {
            table: Table {
                indexes: Vec::new(),
                ..table.clone()
            },
        }));
        for index in &table.indexes {
            ops.push(Op::CreateIndex(CreateIndex {
                table: table.name.clone(),
                index: index.clone(),
            }));
        }
    }

    for (name, target_table) in &target.tables {
        if let Some(current_table) = current.tables.get(name) {
            compare_table(current_table, target_table, dialect, &mut ops);
        }
    }

    let removed: BTreeMap<&str, &Table> = current
        .tables
        .iter()
        .filter(|(name, _)| !target.tables.contains_key(*name))
        .map(|(n, t)| (n.as_str(), t))
        .collect();
    for table in dependency_order(&removed).into_iter().rev() {
        for index in &table.indexes {
            ops.push(Op::DropIndex(DropIndex {
                table: table.name.clone(),
                name: index.name.clone(),
                existing: Some(index.clone()),
            }));
        }
        ops.push(Op::DropTable(DropTable {
            name: table.name.clone(),
            existing: Some(Table {
                indexes: Vec::new(),
                ..(*table).clone()
            }),
        }));
    }
    ops
}

/// Columns and indexes of a table present on both sides.
fn compare_table(current: &Table, target: &Table, _dialect: &dyn Dialect, ops: &mut Vec<Op>) {
    let name = &current.name;
    // Indexes whose definition changed are dropped and created again.
    let changed_index = |ix: &crate::schema::Index| match target.get_index(&ix.name) {
        Some(t) => t != ix,
        None => true,
    };
    for index in current.indexes.iter().filter(|ix| changed_index(ix)) {
        ops.push(Op::DropIndex(DropIndex {
            table: name.clone(),
            name: index.name.clone(),
            existing: Some(index.clone()),
        }));
    }
    for column in &current.columns {
        if target.get_column(&column.name).is_none() {
            ops.push(Op::DropColumn(DropColumn {
                table: name.clone(),
                name: column.name.clone(),
                existing: Some(column.clone()),
            }));
        }
    }
    let mut new_columns = BTreeSet::new();
    for column in &target.columns {
        if current.get_column(&column.name).is_none() {
            new_columns.insert(column.name.as_str());
            ops.push(Op::AddColumn(AddColumn {
                table: name.clone(),
                column: column.clone(),
            }));
        }
    }
    for index in &target.indexes {
        let same = current.get_index(&index.name) == Some(index);
        if !same {
            ops.push(Op::CreateIndex(CreateIndex {
                table: name.clone(),
                index: index.clone(),
            }));
        }
    }
    for foreign_key in &target.foreign_keys {
        if foreign_key
            .columns
            .iter()
            .all(|c| new_columns.contains(c.as_str()))
        {
            ops.push(Op::AddConstraint(AddConstraint {
                table: name.clone(),
                constraint: Constraint::ForeignKey(foreign_key.clone()),
            }));
        }
    }
}

/// Tables ordered so that each comes after the tables it references; ties and
/// cycles resolved by name.
fn dependency_order<'a>(tables: &BTreeMap<&'a str, &'a Table>) -> Vec<&'a Table> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::with_capacity(tables.len());
    let mut visiting: BTreeSet<&str> = BTreeSet::new();
    fn visit<'a>(
        name: &'a str,
        tables: &BTreeMap<&'a str, &'a Table>,
        done: &mut BTreeSet<&'a str>,
        visiting: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a Table>,
    ) {
        if done.contains(name) || !visiting.insert(name) {
            return;
        }
        let table = tables[name];
        for dep in table.referenced_tables() {
            if let Some((dep_name, _)) = tables.get_key_value(dep) {
                visit(dep_name, tables, done, visiting, order);
            }
        }
        visiting.remove(name);
        done.insert(name);
        order.push(table);
    }
    for name in tables.keys() {
        visit(name, tables, &mut done, &mut visiting, &mut order);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Sqlite;
    use crate::ops::reverse_all;
    use crate::schema::{Column, ForeignKey, Index, SqlType};

    fn shop() -> Schema {
        let mut s = Schema::new();
        s.insert(
            Table::new("users")
                .column(Column::new("id", SqlType::Integer).autoincrement())
                .primary_key(["id"]),
        );
        s.insert(
            Table::new("orders")
                .column(Column::new("id", SqlType::Integer).autoincrement())
                .column(Column::new("user_id", SqlType::Integer))
                .column(Column::new("zone_id", SqlType::Integer))
                .primary_key(["id"])
                .foreign_key(ForeignKey::new(
                    "fk_orders_user_id_users",
                    ["user_id"],
                    "users",
                    ["id"],
                ))
                .foreign_key(ForeignKey::new(
                    "fk_orders_zone_id_zones",
                    ["zone_id"],
                    "zones",
                    ["id"],
                ))
                .index(Index::new("ix_orders_user_id", ["user_id"])),
        );
        s.insert(
            Table::new("zones")
                .column(Column::new("id", SqlType::Integer).autoincrement())
                .primary_key(["id"]),
        );
        s
    }

    fn names(ops: &[Op]) -> Vec<String> {
        ops.iter().map(Op::summary).collect()
    }

    #[test]
    fn creates_in_dependency_order_and_drops_in_reverse() {
        let ops = compare(&Schema::new(), &shop(), &Sqlite);
        assert_eq!(
            names(&ops),
            vec![
                "add table `users`",
                "add table `zones`",
                "add table `orders`",
                "add index `ix_orders_user_id` on `orders` (user_id)",
            ]
        );
        let drops = compare(&shop(), &Schema::new(), &Sqlite);
        assert_eq!(
            names(&drops),
            vec![
                "remove index `ix_orders_user_id` on `orders`",
                "remove table `orders`",
                "remove table `zones`",
                "remove table `users`",
            ]
        );
        assert_eq!(reverse_all(&ops).unwrap(), drops);
    }

    #[test]
    fn same_schema_gives_nothing() {
        assert!(compare(&shop(), &shop(), &Sqlite).is_empty());
    }

    #[test]
    fn column_and_index_changes() {
        let mut target = shop();
        let users = target.tables.get_mut("users").unwrap();
        users
            .columns
            .push(Column::new("email", SqlType::Varchar(100)).nullable());
        users
            .indexes
            .push(Index::new("ix_users_email", ["email"]).unique());
        target.tables.get_mut("orders").unwrap().indexes.clear();
        let ops = compare(&shop(), &target, &Sqlite);
        assert_eq!(
            names(&ops),
            vec![
                "remove index `ix_orders_user_id` on `orders`",
                "add column `users.email`",
                "add unique index `ix_users_email` on `users` (email)",
            ]
        );
        let mut back = compare(&target, &shop(), &Sqlite);
        let mut reversed = reverse_all(&ops).unwrap();
        back.sort_by_key(Op::summary);
        reversed.sort_by_key(Op::summary);
        assert_eq!(back, reversed);
    }
}
