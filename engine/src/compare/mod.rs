//! `compare(current, target, hints)`: the ops that turn one schema into the other.
//! Pure. Both schemas are in the database's stored form (see
//! [`Dialect::as_stored`](crate::dialect::Dialect::as_stored)).
//!
//! Order: table renames; new tables (referenced tables first; a foreign key that
//! closes a cycle is added once both tables exist); changes inside existing tables
//! (see [`table`]); foreign keys added to existing tables; removed tables
//! (referencing tables first). The downgrade is [`reverse_all`](retort::ops::reverse_all)
//! of the result: every op carries what it replaces.

mod table;

use std::collections::{BTreeMap, BTreeSet};

use retort::model::RenameHints;
use retort::ops::{
    AddConstraint, CreateIndex, CreateTable, DropConstraint, DropIndex, DropTable, Op, RenameTable,
};
use retort::schema::{Constraint, ConstraintKind, Schema, Table};

/// The result of a comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// The ops, in order.
    pub ops: Vec<Op>,
    /// Advice for the reviewer: a drop and an add that look like a rename, changes
    /// that cannot be made by name.
    pub suggestions: Vec<String>,
}

impl Comparison {
    /// Whether the schemas agree.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// The ops that take a database from `current` to `target`.
pub fn compare(current: &Schema, target: &Schema, hints: &RenameHints) -> Comparison {
    let mut out = Comparison::default();
    let mut current = current.clone();

    for (new, old) in &hints.tables {
        if target.tables.contains_key(new)
            && !current.tables.contains_key(new)
            && current.tables.contains_key(old)
        {
            let op = Op::RenameTable(RenameTable {
                name: old.clone(),
                new_name: new.clone(),
            });
            current
                .apply(&op)
                .expect("checked: old exists, new does not");
            out.ops.push(op);
        }
    }

    let added: BTreeMap<&str, &Table> = target
        .tables
        .iter()
        .filter(|(name, _)| !current.tables.contains_key(*name))
        .map(|(n, t)| (n.as_str(), t))
        .collect();
    let (order, cyclic) = dependency_order(&added);
    let mut deferred = Vec::new();
    for table in order {
        let mut created = Table {
            indexes: Vec::new(),
            ..table.clone()
        };
        created.foreign_keys.retain(|fk| {
            let closes_cycle = cyclic.contains(&(table.name.clone(), fk.ref_table.clone()));
            if closes_cycle {
                deferred.push(Op::AddConstraint(AddConstraint {
                    table: table.name.clone(),
                    constraint: Constraint::ForeignKey(fk.clone()),
                }));
            }
            !closes_cycle
        });
        out.ops
            .push(Op::CreateTable(CreateTable { table: created }));
        for index in &table.indexes {
            out.ops.push(Op::CreateIndex(CreateIndex {
                table: table.name.clone(),
                index: index.clone(),
            }));
        }
    }
    out.ops.append(&mut deferred);

    let mut late = Vec::new();
    for (name, target_table) in &target.tables {
        if let Some(current_table) = current.tables.get(name) {
            let column_hints: BTreeMap<&str, &str> = hints
                .columns
                .iter()
                .filter(|((t, _), _)| t == name)
                .map(|((_, new), old)| (new.as_str(), old.as_str()))
                .collect();
            table::compare(
                current_table,
                target_table,
                &column_hints,
                &mut out,
                &mut late,
            );
        }
    }
    out.ops.append(&mut late);

    let removed: BTreeMap<&str, &Table> = current
        .tables
        .iter()
        .filter(|(name, _)| !target.tables.contains_key(*name))
        .map(|(n, t)| (n.as_str(), t))
        .collect();
    let (order, cyclic) = dependency_order(&removed);
    // Foreign keys that close a cycle go first, so each table can then be dropped.
    for table in &order {
        for fk in table
            .foreign_keys
            .iter()
            .filter(|fk| cyclic.contains(&(table.name.clone(), fk.ref_table.clone())))
        {
            if let Some(name) = &fk.name {
                out.ops.push(Op::DropConstraint(DropConstraint {
                    table: table.name.clone(),
                    name: name.clone(),
                    kind: ConstraintKind::ForeignKey,
                    existing: Some(Constraint::ForeignKey(fk.clone())),
                }));
            }
        }
    }
    for table in order.into_iter().rev() {
        for index in &table.indexes {
            out.ops.push(Op::DropIndex(DropIndex {
                table: table.name.clone(),
                name: index.name.clone(),
                existing: Some(index.clone()),
            }));
        }
        let mut existing = Table {
            indexes: Vec::new(),
            ..table.clone()
        };
        existing.foreign_keys.retain(|fk| {
            !(fk.name.is_some() && cyclic.contains(&(table.name.clone(), fk.ref_table.clone())))
        });
        out.ops.push(Op::DropTable(DropTable {
            name: table.name.clone(),
            existing: Some(existing),
        }));
    }
    suggest_table_renames(&removed, &added, &mut out.suggestions);
    out
}

/// A removed table and an added table whose columns have the same types, in the
/// same order, look like a rename.
fn suggest_table_renames(
    removed: &BTreeMap<&str, &Table>,
    added: &BTreeMap<&str, &Table>,
    out: &mut Vec<String>,
) {
    for (old, old_table) in removed {
        for (new, new_table) in added {
            let columns = |t: &Table| {
                t.columns
                    .iter()
                    .map(|c| c.sql_type.clone())
                    .collect::<Vec<_>>()
            };
            if columns(old_table) == columns(new_table) {
                out.push(format!(
                    "table `{old}` is removed and `{new}` added with columns of the same types; if it is a rename, \
                     add #[model(renamed_from = \"{old}\")] to the model of `{new}`"
                ));
            }
        }
    }
}

/// Tables ordered so that each comes after the tables it references, ties by name,
/// and the foreign key edges `(table, referenced)` that close a cycle.
fn dependency_order<'a>(
    tables: &BTreeMap<&'a str, &'a Table>,
) -> (Vec<&'a Table>, BTreeSet<(String, String)>) {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut visiting: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::with_capacity(tables.len());
    let mut cyclic = BTreeSet::new();
    fn visit<'a>(
        name: &'a str,
        tables: &BTreeMap<&'a str, &'a Table>,
        done: &mut BTreeSet<&'a str>,
        visiting: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a Table>,
        cyclic: &mut BTreeSet<(String, String)>,
    ) {
        if done.contains(name) {
            return;
        }
        visiting.insert(name);
        let table = tables[name];
        for dep in table.referenced_tables() {
            if let Some((dep_name, _)) = tables.get_key_value(dep) {
                if visiting.contains(dep_name) {
                    cyclic.insert((name.to_owned(), dep.to_owned()));
                } else {
                    visit(dep_name, tables, done, visiting, order, cyclic);
                }
            }
        }
        visiting.remove(name);
        done.insert(name);
        order.push(table);
    }
    for name in tables.keys() {
        visit(
            name,
            tables,
            &mut done,
            &mut visiting,
            &mut order,
            &mut cyclic,
        );
    }
    (order, cyclic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use retort::ops::reverse_all;
    use retort::schema::{Check, Column, ForeignKey, Index, ServerDefault, SqlType, Unique};

    fn shop() -> Schema {
        let mut s = Schema::new();
        s.insert(
            Table::new("users")
                .column(Column::new("id", SqlType::Integer).autoincrement())
                .column(Column::new("name", SqlType::Varchar(50)))
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

    fn diff(a: &Schema, b: &Schema) -> Vec<Op> {
        compare(a, b, &RenameHints::default()).ops
    }

    /// The downgrade undoes the upgrade exactly: applied in memory, it gives back
    /// the starting schema.
    fn assert_reversible(a: &Schema, b: &Schema) {
        let ops = diff(a, b);
        let mut s = a.clone();
        ops.iter().for_each(|op| s.apply(op).unwrap());
        s.tables.values_mut().for_each(Table::sort_constraints);
        let mut want = b.clone();
        want.tables.values_mut().for_each(Table::sort_constraints);
        assert_eq!(s, want, "upgrade in memory");
        for op in reverse_all(&ops).unwrap() {
            s.apply(&op).unwrap();
        }
        s.tables.values_mut().for_each(Table::sort_constraints);
        let mut want = a.clone();
        want.tables.values_mut().for_each(Table::sort_constraints);
        assert_eq!(s, want, "downgrade in memory");
    }

    #[test]
    fn creates_in_dependency_order_and_drops_in_reverse() {
        let ops = diff(&Schema::new(), &shop());
        assert_eq!(
            names(&ops),
            vec![
                "add table `users`",
                "add table `zones`",
                "add table `orders`",
                "add index `ix_orders_user_id` on `orders` (user_id)",
            ]
        );
        let drops = diff(&shop(), &Schema::new());
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
        assert!(diff(&shop(), &shop()).is_empty());
    }

    #[test]
    fn foreign_key_cycles_are_closed_after_both_tables_exist() {
        let mut s = Schema::new();
        s.insert(
            Table::new("a")
                .column(Column::new("id", SqlType::Integer))
                .column(Column::new("b_id", SqlType::Integer).nullable())
                .primary_key(["id"])
                .foreign_key(ForeignKey::new("fk_a_b", ["b_id"], "b", ["id"])),
        );
        s.insert(
            Table::new("b")
                .column(Column::new("id", SqlType::Integer))
                .column(Column::new("a_id", SqlType::Integer).nullable())
                .primary_key(["id"])
                .foreign_key(ForeignKey::new("fk_b_a", ["a_id"], "a", ["id"])),
        );
        let ops = diff(&Schema::new(), &s);
        assert_eq!(
            names(&ops),
            vec![
                "add table `b`",
                "add table `a`",
                "add foreign key `fk_b_a` on `b`"
            ]
        );
        assert_reversible(&Schema::new(), &s);
        assert_reversible(&s, &Schema::new());
    }

    #[test]
    fn every_kind_of_change_inside_a_table() {
        let before = shop();
        let mut after = shop();
        let users = after.tables.get_mut("users").unwrap();
        users.columns[1] = Column::new("name", SqlType::Text)
            .nullable()
            .default(ServerDefault::text("?"));
        users
            .columns
            .push(Column::new("email", SqlType::Varchar(100)).nullable());
        users.uniques.push(Unique::new("uq_users_email", ["email"]));
        users.checks.push(Check::new("ck_users_name", "name <> ''"));
        let orders = after.tables.get_mut("orders").unwrap();
        orders.indexes.clear();
        orders.foreign_keys[0].on_delete = retort::schema::FkAction::Cascade;
        orders.columns.retain(|c| c.name != "zone_id");
        orders.foreign_keys.retain(|f| f.ref_table != "zones");
        let ops = diff(&before, &after);
        assert_eq!(
            names(&ops),
            vec![
                "remove foreign key `fk_orders_user_id_users` on `orders`",
                "remove foreign key `fk_orders_zone_id_zones` on `orders`",
                "remove index `ix_orders_user_id` on `orders`",
                "remove column `orders.zone_id`",
                "add column `users.email`",
                "alter column `users.name`: type TEXT, nullable, default Text(\"?\")",
                "add unique constraint `uq_users_email` on `users`",
                "add check constraint `ck_users_name` on `users`",
                "add foreign key `fk_orders_user_id_users` on `orders`",
            ]
        );
        assert_reversible(&before, &after);
    }

    #[test]
    fn renames_follow_the_hints_and_are_suggested_without_them() {
        let before = shop();
        let mut after = shop();
        let users = after.tables.remove("users").unwrap();
        let mut people = Table {
            name: "people".into(),
            ..users
        };
        people.columns[1].name = "full_name".into();
        after.insert(people);
        for fk in &mut after.tables.get_mut("orders").unwrap().foreign_keys {
            if fk.ref_table == "users" {
                fk.ref_table = "people".into();
            }
        }
        let hints = RenameHints {
            tables: [("people".to_owned(), "users".to_owned())].into(),
            columns: [(
                ("people".to_owned(), "full_name".to_owned()),
                "name".to_owned(),
            )]
            .into(),
        };
        let cmp = compare(&before, &after, &hints);
        assert_eq!(
            names(&cmp.ops),
            vec![
                "rename table `users` to `people`",
                "alter column `people.name`: renamed to `full_name`"
            ]
        );
        assert!(cmp.suggestions.is_empty());

        let without = compare(&before, &after, &RenameHints::default());
        assert!(without.ops.iter().any(|o| matches!(o, Op::DropTable(_))));
        let mut renamed_column = shop();
        renamed_column.tables.get_mut("users").unwrap().columns[1].name = "full_name".into();
        let cmp = compare(&before, &renamed_column, &RenameHints::default());
        assert_eq!(
            cmp.suggestions,
            ["column `users.name` is removed and `users.full_name` added with the same type; if it is a rename, \
              add #[model(renamed_from = \"name\")] to the field"]
        );
    }
}
