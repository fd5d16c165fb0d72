//! Migration operations as plain data.
//!
//! `compare` produces them, `render` writes them as Rust, the dialects turn them into
//! SQL, and [`Op::reverse`] turns an upgrade into its downgrade. Ops that remove
//! something carry what they remove (`existing`), which is what makes them
//! reversible; an op built by hand without it is simply irreversible.

use crate::schema::{Column, ForeignKey, Index, Table};

/// One schema change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `op.create_table(..)`.
    CreateTable(CreateTable),
    /// `op.drop_table(..)`.
    DropTable(DropTable),
    /// `op.add_column(..)`.
    AddColumn(AddColumn),
    /// `op.drop_column(..)`.
    DropColumn(DropColumn),
    /// `op.create_index(..)`.
    CreateIndex(CreateIndex),
    /// `op.drop_index(..)`.
    DropIndex(DropIndex),
    /// `op.create_foreign_key(..)`.
    CreateForeignKey(CreateForeignKey),
    /// `op.execute(..)`.
    Execute(Execute),
}

/// Creates a table with its columns, primary key, unique constraints and foreign
/// keys. Indexes in `table.indexes` are not created here: each has its own
/// [`CreateIndex`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateTable {
    /// The new table.
    pub table: Table,
}

/// Drops a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropTable {
    /// Table name.
    pub name: String,
    /// The table as it was (needed to reverse).
    pub existing: Option<Table>,
}

/// Adds a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddColumn {
    /// Table name.
    pub table: String,
    /// The new column.
    pub column: Column,
}

/// Drops a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropColumn {
    /// Table name.
    pub table: String,
    /// Column name.
    pub name: String,
    /// The column as it was (needed to reverse).
    pub existing: Option<Column>,
}

/// Creates an index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateIndex {
    /// Table name.
    pub table: String,
    /// The index.
    pub index: Index,
}

/// Drops an index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropIndex {
    /// Table name.
    pub table: String,
    /// Index name.
    pub name: String,
    /// The index as it was (needed to reverse).
    pub existing: Option<Index>,
}

/// Adds a foreign key to an existing table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateForeignKey {
    /// Table name.
    pub table: String,
    /// The foreign key.
    pub foreign_key: ForeignKey,
}

/// Runs SQL verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execute {
    /// The SQL.
    pub sql: String,
}

/// An op that cannot be reversed, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot reverse {op}: {reason}")]
pub struct Irreversible {
    /// The op, as it would be written.
    pub op: String,
    /// What is missing.
    pub reason: &'static str,
}

impl Op {
    /// The op that undoes this one.
    pub fn reverse(&self) -> Result<Op, Irreversible> {
        let missing = |op: String| Irreversible {
            op,
            reason: "it does not carry the definition it removes",
        };
        Ok(match self {
            Op::CreateTable(CreateTable { table }) => Op::DropTable(DropTable {
                name: table.name.clone(),
                existing: Some(Table {
                    indexes: Vec::new(),
                    ..table.clone()
                }),
            }),
            Op::DropTable(DropTable { name, existing }) => match existing {
                Some(table) => Op::CreateTable(CreateTable {
                    table: Table {
                        indexes: Vec::new(),
                        ..table.clone()
                    },
                }),
                None => return Err(missing(format!("drop_table(\"{name}\")"))),
            },
            Op::AddColumn(AddColumn { table, column }) => Op::DropColumn(DropColumn {
                table: table.clone(),
                name: column.name.clone(),
                existing: Some(column.clone()),
            }),
            Op::DropColumn(DropColumn {
                table,
                name,
                existing,
            }) => match existing {
                Some(column) => Op::AddColumn(AddColumn {
                    table: table.clone(),
                    column: column.clone(),
                }),
                None => return Err(missing(format!("drop_column(\"{table}\", \"{name}\")"))),
            },
            Op::CreateIndex(CreateIndex { table, index }) => Op::DropIndex(DropIndex {
                table: table.clone(),
                name: index.name.clone(),
                existing: Some(index.clone()),
            }),
            Op::DropIndex(DropIndex {
                table,
                name,
                existing,
            }) => match existing {
                Some(index) => Op::CreateIndex(CreateIndex {
                    table: table.clone(),
                    index: index.clone(),
                }),
                None => return Err(missing(format!("drop_index(\"{table}\", \"{name}\")"))),
            },
            Op::CreateForeignKey(CreateForeignKey { table, .. }) => {
                return Err(Irreversible {
                    op: format!("create_foreign_key(\"{table}\", ..)"),
                    reason: "dropping a constraint arrives with drop_constraint",
                })
            }
            Op::Execute(_) => {
                return Err(Irreversible {
                    op: "execute(..)".to_owned(),
                    reason: "raw SQL has no known inverse",
                })
            }
        })
    }

    /// The table this op touches (`None` for `execute`).
    pub fn table(&self) -> Option<&str> {
        match self {
            Op::CreateTable(o) => Some(&o.table.name),
            Op::DropTable(o) => Some(&o.name),
            Op::AddColumn(o) => Some(&o.table),
            Op::DropColumn(o) => Some(&o.table),
            Op::CreateIndex(o) => Some(&o.table),
            Op::DropIndex(o) => Some(&o.table),
            Op::CreateForeignKey(o) => Some(&o.table),
            Op::Execute(_) => None,
        }
    }

    /// Whether running the op can lose data (a warning in generated files and in
    /// `check`).
    pub fn is_destructive(&self) -> bool {
        matches!(self, Op::DropTable(_) | Op::DropColumn(_))
    }

    /// A one-line description, as `check` and the CLI print it.
    pub fn summary(&self) -> String {
        match self {
            Op::CreateTable(o) => format!("add table `{}`", o.table.name),
            Op::DropTable(o) => format!("remove table `{}`", o.name),
            Op::AddColumn(o) => format!("add column `{}.{}`", o.table, o.column.name),
            Op::DropColumn(o) => format!("remove column `{}.{}`", o.table, o.name),
            Op::CreateIndex(o) => format!(
                "add {}index `{}` on `{}` ({})",
                if o.index.unique { "unique " } else { "" },
                o.index.name,
                o.table,
                o.index.columns.join(", ")
            ),
            Op::DropIndex(o) => format!("remove index `{}` on `{}`", o.name, o.table),
            Op::CreateForeignKey(o) => format!(
                "add foreign key on `{}` ({}) → `{}`",
                o.table,
                o.foreign_key.columns.join(", "),
                o.foreign_key.ref_table
            ),
            Op::Execute(o) => format!("execute `{}`", o.sql),
        }
    }
}

/// Reverses a list of ops: the reverse of each, in the opposite order.
pub fn reverse_all(ops: &[Op]) -> Result<Vec<Op>, Irreversible> {
    ops.iter().rev().map(Op::reverse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SqlType;

    #[test]
    fn reverse_twice_is_identity() {
        let table = Table::new("t")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .primary_key(["id"]);
        let ops = vec![
            Op::CreateTable(CreateTable { table }),
            Op::AddColumn(AddColumn {
                table: "t".into(),
                column: Column::new("x", SqlType::Text).nullable(),
            }),
            Op::CreateIndex(CreateIndex {
                table: "t".into(),
                index: Index::new("ix_t_x", ["x"]),
            }),
        ];
        let back = reverse_all(&ops).unwrap();
        assert!(matches!(back[0], Op::DropIndex(_)));
        assert!(matches!(back[2], Op::DropTable(_)));
        assert_eq!(reverse_all(&back).unwrap(), ops);
    }

    #[test]
    fn hand_written_drop_is_irreversible() {
        let op = Op::DropColumn(DropColumn {
            table: "t".into(),
            name: "x".into(),
            existing: None,
        });
        let err = op.reverse().unwrap_err();
        assert!(
            err.to_string().contains("drop_column(\"t\", \"x\")"),
            "{err}"
        );
    }
}
