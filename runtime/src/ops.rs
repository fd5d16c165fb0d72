//! Migration operations as plain data.
//!
//! The engine's comparison produces them, its renderer writes them as Rust, its
//! dialects turn them into SQL, [`Schema::apply`](crate::schema::Schema::apply)
//! applies them to a schema in memory, and [`Op::reverse`] turns an upgrade into
//! its downgrade. Ops that remove or change something carry
//! what was there (`existing`), which is what makes them reversible; an op built by
//! hand without it is simply irreversible.

use crate::schema::{
    Column, Constraint, ConstraintKind, Identity, Index, ServerDefault, SqlType, Table, Value,
};

/// One schema change.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `op.create_table(..)`.
    CreateTable(CreateTable),
    /// `op.drop_table(..)`.
    DropTable(DropTable),
    /// `op.rename_table(..)`.
    RenameTable(RenameTable),
    /// `op.add_column(..)`.
    AddColumn(AddColumn),
    /// `op.drop_column(..)`.
    DropColumn(DropColumn),
    /// `op.alter_column(..)`.
    AlterColumn(AlterColumn),
    /// `op.create_index(..)`.
    CreateIndex(CreateIndex),
    /// `op.drop_index(..)`.
    DropIndex(DropIndex),
    /// `op.create_foreign_key(..)`, `create_unique_constraint`,
    /// `create_check_constraint`, `create_primary_key`.
    AddConstraint(AddConstraint),
    /// `op.drop_constraint(..)`.
    DropConstraint(DropConstraint),
    /// `op.batch_alter_table(..)`: several changes to one table, applied together
    /// (one table rebuild on SQLite).
    Batch(Batch),
    /// `op.execute(..)`.
    Execute(Execute),
    /// `op.bulk_insert(..)`.
    BulkInsert(BulkInsert),
    /// `op.create_enum(..)`: PostgreSQL's `CREATE TYPE … AS ENUM`, before the
    /// first column of the type (nothing on MySQL and SQLite, where an enum is a
    /// column's type).
    CreateEnum(CreateEnum),
    /// `op.drop_enum(..)`: `DROP TYPE`, after the last column of the type.
    DropEnum(DropEnum),
    /// `op.alter_enum(..)`: values added, renamed, removed or reordered.
    AlterEnum(AlterEnum),
    /// `op.comment_table(..)`, `op.comment_column(..)`: sets or removes a
    /// comment (nothing on SQLite, which keeps none).
    SetComment(SetComment),
    /// `op.validate_constraint(..)`: the rows checked against a constraint added
    /// `NOT VALID`.
    ValidateConstraint(ValidateConstraint),
    /// `op.rename_index(..)`, `op.rename_constraint(..)`: a new name for an
    /// index or constraint, nothing else changed (PostgreSQL; MySQL for indexes
    /// and unique constraints).
    RenameConstraint(RenameConstraint),
}

/// Renames an index (`kind: None`) or a constraint of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameConstraint {
    /// The table.
    pub table: String,
    /// The constraint's kind (`None`: an index).
    pub kind: Option<ConstraintKind>,
    /// Its name now.
    pub name: String,
    /// Its name after.
    pub new_name: String,
}

/// Sets or removes the comment of a table, or of one of its columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetComment {
    /// The table.
    pub table: String,
    /// The column (`None`: the table's own comment).
    pub column: Option<String>,
    /// The comment after (`None`: removed).
    pub comment: Option<String>,
    /// The comment before, when known (needed to reverse).
    pub existing: Option<Option<String>>,
}

/// Creates an enum type (PostgreSQL; nothing elsewhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateEnum {
    /// The type's name.
    pub name: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

/// Drops an enum type (PostgreSQL; nothing elsewhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropEnum {
    /// The type's name.
    pub name: String,
    /// Its values (needed to reverse).
    pub existing: Option<Vec<String>>,
}

/// Changes the values of an enum: PostgreSQL `ALTER TYPE … RENAME VALUE` and
/// `ADD VALUE` where they do it, else a new type swapped in for the old
/// (`ALTER COLUMN … TYPE … USING`); MySQL `MODIFY COLUMN … ENUM(…)` of each
/// column; SQLite a rebuild of each table with the new check. Renamed values
/// keep their rows; a removed value still held by a row stops the run, naming the
/// column and how many rows hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlterEnum {
    /// The type's name.
    pub name: String,
    /// Its values after, in order.
    pub values: Vec<String>,
    /// Values renamed (old, new): rows holding the old one hold the new one after.
    pub renames: Vec<(String, String)>,
    /// The columns of this type, `(table, column)`: what MySQL and SQLite change
    /// (each column is its own enum there) and PostgreSQL converts when the type
    /// is swapped.
    pub columns: Vec<(String, String)>,
    /// Its values before (needed to render and to reverse).
    pub existing: Vec<String>,
}

impl AlterEnum {
    /// The enum `name` to have `values`, in this order; give what it has now with
    /// [`AlterEnum::existing`], and its columns with [`AlterEnum::column`].
    pub fn new<V: Into<String>>(name: &str, values: impl IntoIterator<Item = V>) -> Self {
        AlterEnum {
            name: name.to_owned(),
            values: values.into_iter().map(Into::into).collect(),
            renames: Vec::new(),
            columns: Vec::new(),
            existing: Vec::new(),
        }
    }

    /// The values it has now, in order.
    pub fn existing<V: Into<String>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.existing = values.into_iter().map(Into::into).collect();
        self
    }

    /// Value `old` becomes `new`: rows holding it keep it under its new name.
    pub fn rename(mut self, old: &str, new: &str) -> Self {
        self.renames.push((old.to_owned(), new.to_owned()));
        self
    }

    /// A column of this type.
    pub fn column(mut self, table: &str, column: &str) -> Self {
        self.columns.push((table.to_owned(), column.to_owned()));
        self
    }

    /// The values `existing` has that the new list does not (after renames):
    /// rows holding them stop the change.
    pub fn removed(&self) -> Vec<&str> {
        self.existing
            .iter()
            .filter(|v| !self.values.contains(v) && !self.renames.iter().any(|(old, _)| old == *v))
            .map(String::as_str)
            .collect()
    }

    /// The values before, with the renames applied.
    pub fn renamed_existing(&self) -> Vec<String> {
        self.existing
            .iter()
            .map(|v| {
                self.renames
                    .iter()
                    .find(|(old, _)| old == v)
                    .map_or_else(|| v.clone(), |(_, new)| new.clone())
            })
            .collect()
    }

    /// What a column's default of this enum becomes: a renamed value follows its
    /// rename, a removed one goes (`None`), anything else stays.
    pub fn default_after(&self, default: &ServerDefault) -> Option<ServerDefault> {
        match default {
            ServerDefault::Text(value) => {
                let value = self
                    .renames
                    .iter()
                    .find(|(old, _)| old == value)
                    .map_or(value.as_ref(), |(_, new)| new.as_str());
                self.values
                    .iter()
                    .any(|v| v == value)
                    .then(|| ServerDefault::text(value.to_owned()))
            }
            other => Some(other.clone()),
        }
    }

    /// The values added (not there before, not a rename's new name), in order.
    pub fn added(&self) -> Vec<&str> {
        let before = self.renamed_existing();
        self.values
            .iter()
            .filter(|v| !before.contains(v))
            .map(String::as_str)
            .collect()
    }
}

/// Creates a table with its columns, primary key, unique constraints, checks and
/// foreign keys. Indexes in `table.indexes` are not created here: each has its
/// own [`CreateIndex`].
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

/// Renames a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameTable {
    /// The table's name before the rename.
    pub name: String,
    /// Its name after.
    pub new_name: String,
}

/// Adds a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddColumn {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The new column.
    pub column: Column,
}

/// Drops a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropColumn {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The column to drop.
    pub name: String,
    /// The column as it was (needed to reverse).
    pub existing: Option<Column>,
}

/// Changes a column: any of type, nullability, server default and name.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AlterColumn {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// Column name (before a rename).
    pub name: String,
    /// The type to change to (`None`: the type stays).
    pub sql_type: Option<SqlType>,
    /// Whether NULL is allowed after (`None`: as before).
    pub nullable: Option<bool>,
    /// New server default: `Some(None)` drops it.
    pub default: Option<Option<ServerDefault>>,
    /// Whether the column counts up after (`None`: as before): PostgreSQL
    /// identity, MySQL `AUTO_INCREMENT`.
    pub autoincrement: Option<bool>,
    /// Whether every `UPDATE` sets it to the current time after (`None`: as
    /// before): MySQL's `ON UPDATE CURRENT_TIMESTAMP`.
    pub on_update_now: Option<bool>,
    /// The collation after: `Some(None)` goes back to the default (`None`: as
    /// before).
    pub collation: Option<Option<String>>,
    /// The identity options after (`Some(None)`: the defaults; `None`: as before).
    pub identity: Option<Option<Identity>>,
    /// The column's name after (`None`: not renamed).
    pub new_name: Option<String>,
    /// The column as it was: what the reverse restores, and what MySQL's
    /// `CHANGE COLUMN` must repeat. Looked up from the database when not given.
    pub existing: Option<Column>,
}

impl AlterColumn {
    /// A change of column `name` of `table`; set the parts with the builder methods.
    pub fn new(table: impl Into<String>, name: impl Into<String>) -> Self {
        AlterColumn {
            table: table.into(),
            name: name.into(),
            ..<AlterColumn as Default>::default()
        }
    }

    /// New type.
    pub fn sql_type(mut self, sql_type: SqlType) -> Self {
        self.sql_type = Some(sql_type);
        self
    }

    /// New nullability.
    pub fn nullable(mut self, nullable: bool) -> Self {
        self.nullable = Some(nullable);
        self
    }

    /// New server default (`None` drops it).
    pub fn default(mut self, default: Option<ServerDefault>) -> Self {
        self.default = Some(default);
        self
    }

    /// Whether every `UPDATE` sets it to the current time (MySQL's `ON UPDATE
    /// CURRENT_TIMESTAMP`).
    pub fn on_update_now(mut self, on_update_now: bool) -> Self {
        self.on_update_now = Some(on_update_now);
        self
    }

    /// The collation after (`None`: the default).
    pub fn collation(mut self, collation: Option<&str>) -> Self {
        self.collation = Some(collation.map(str::to_owned));
        self
    }

    /// The identity options after (`None`: by default, from 1, by 1).
    pub fn identity(mut self, identity: Option<Identity>) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Whether it counts up (PostgreSQL identity, MySQL `AUTO_INCREMENT`).
    pub fn autoincrement(mut self, autoincrement: bool) -> Self {
        self.autoincrement = Some(autoincrement);
        self
    }

    /// New name.
    pub fn rename_to(mut self, new_name: impl Into<String>) -> Self {
        self.new_name = Some(new_name.into());
        self
    }

    /// The column as it is now (Alembic's `existing_type`, `existing_nullable`,
    /// `existing_server_default` in one).
    pub fn existing(mut self, column: Column) -> Self {
        self.existing = Some(column);
        self
    }

    /// The column as it will be, given how it is now.
    pub fn apply_to(&self, existing: &Column) -> Column {
        Column {
            name: self
                .new_name
                .clone()
                .unwrap_or_else(|| existing.name.clone()),
            sql_type: self
                .sql_type
                .clone()
                .unwrap_or_else(|| existing.sql_type.clone()),
            nullable: self.nullable.unwrap_or(existing.nullable),
            default: match &self.default {
                Some(d) => d.clone(),
                None => existing.default.clone(),
            },
            autoincrement: self.autoincrement.unwrap_or(existing.autoincrement),
            comment: existing.comment.clone(),
            on_update_now: self.on_update_now.unwrap_or(existing.on_update_now),
            generated: existing.generated.clone(),
            collation: match &self.collation {
                Some(c) => c.clone(),
                None => existing.collation.clone(),
            },
            identity: self.identity.unwrap_or(existing.identity),
        }
    }

    /// Whether only the name changes.
    pub fn is_rename_only(&self) -> bool {
        self.new_name.is_some()
            && self.sql_type.is_none()
            && self.nullable.is_none()
            && self.default.is_none()
            && self.autoincrement.is_none()
            && self.on_update_now.is_none()
            && self.collation.is_none()
            && self.identity.is_none()
    }
}

/// Creates an index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateIndex {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The index, with its name, columns and uniqueness.
    pub index: Index,
    /// Built without blocking writes (PostgreSQL `CONCURRENTLY`, outside the
    /// revision's transaction; MySQL `ALGORITHM=INPLACE, LOCK=NONE` or an error):
    /// `op.concurrently().create_index(..)`.
    pub concurrently: bool,
}

/// Drops an index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropIndex {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The index to drop.
    pub name: String,
    /// The index as it was (needed to reverse).
    pub existing: Option<Index>,
    /// Dropped without blocking (PostgreSQL `CONCURRENTLY`, outside the
    /// revision's transaction): `op.concurrently().drop_index(..)`.
    pub concurrently: bool,
}

/// Adds a constraint to an existing table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddConstraint {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The constraint to add (primary key, unique, foreign key or check).
    pub constraint: Constraint,
    /// A foreign key or check added without checking the rows already there
    /// (PostgreSQL `NOT VALID`; elsewhere it is checked at once): check them
    /// later with `op.validate_constraint(..)`. `op.not_valid().create_…(..)`.
    pub not_valid: bool,
    /// A unique constraint whose index is built without blocking writes, then
    /// attached (PostgreSQL `CREATE UNIQUE INDEX CONCURRENTLY` + `ADD CONSTRAINT
    /// … USING INDEX`, outside the revision's transaction; MySQL `LOCK=NONE`):
    /// `op.concurrently().create_unique_constraint(..)`.
    pub concurrently: bool,
}

/// Checks the existing rows against a constraint added `NOT VALID`
/// (PostgreSQL `VALIDATE CONSTRAINT`, which lets reads and writes go on; nothing
/// elsewhere, where constraints are checked when added).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidateConstraint {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The constraint.
    pub name: String,
}

/// Drops a named constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropConstraint {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The constraint to drop (MySQL's primary key is always `PRIMARY`); empty
    /// for an unnamed one, then found by `existing`'s definition (SQLite).
    pub name: String,
    /// Its kind (MySQL needs it to choose the statement).
    pub kind: ConstraintKind,
    /// The constraint as it was (needed to reverse).
    pub existing: Option<Constraint>,
}

/// Several changes to one table.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The changes, in order; each names `table`.
    pub ops: Vec<Op>,
}

/// Runs SQL verbatim; `?` placeholders take `params`, written as literals.
#[derive(Clone, Debug, PartialEq)]
pub struct Execute {
    /// The SQL, run verbatim: several statements separated by `;` are fine.
    pub sql: String,
    /// Values for the `?` placeholders, in order.
    pub params: Vec<Value>,
}

/// Inserts rows, several per statement.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkInsert {
    /// The table the op changes, as named in the database (unquoted).
    pub table: String,
    /// The columns each row gives values for, in order.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<Value>>,
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

fn missing(op: String) -> Irreversible {
    Irreversible {
        op,
        reason: "it does not carry the definition it removes or changes",
    }
}

/// Constructors for the ops a revision writes by hand (what [`Operations`] and
/// [`BatchOps`] build), without the `existing` definitions autogenerate adds.
///
/// [`Operations`]: crate::operations::Operations
/// [`BatchOps`]: crate::operations::BatchOps
impl Op {
    /// Adds `column` to `table`.
    pub fn add_column(table: &str, column: Column) -> Op {
        Op::AddColumn(AddColumn {
            table: table.to_owned(),
            column,
        })
    }

    /// Drops column `name` of `table`.
    pub fn drop_column(table: &str, name: &str) -> Op {
        Op::DropColumn(DropColumn {
            table: table.to_owned(),
            name: name.to_owned(),
            existing: None,
        })
    }

    /// Creates `index` on `table`.
    pub fn create_index(table: &str, index: Index) -> Op {
        Op::CreateIndex(CreateIndex {
            table: table.to_owned(),
            index,
            concurrently: false,
        })
    }

    /// Drops index `name` of `table`.
    pub fn drop_index(table: &str, name: &str) -> Op {
        Op::DropIndex(DropIndex {
            table: table.to_owned(),
            name: name.to_owned(),
            existing: None,
            concurrently: false,
        })
    }

    /// Adds `constraint` to `table`.
    pub fn add_constraint(table: &str, constraint: Constraint) -> Op {
        Op::AddConstraint(AddConstraint {
            table: table.to_owned(),
            constraint,
            not_valid: false,
            concurrently: false,
        })
    }

    /// Drops constraint `name` (of `kind`) of `table`.
    pub fn drop_constraint(table: &str, name: &str, kind: ConstraintKind) -> Op {
        Op::DropConstraint(DropConstraint {
            table: table.to_owned(),
            name: name.to_owned(),
            kind,
            existing: None,
        })
    }
}

impl Op {
    /// The op that undoes this one.
    pub fn reverse(&self) -> Result<Op, Irreversible> {
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
            Op::RenameTable(RenameTable { name, new_name }) => Op::RenameTable(RenameTable {
                name: new_name.clone(),
                new_name: name.clone(),
            }),
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
            Op::AlterColumn(alter) => {
                let existing = alter.existing.as_ref().ok_or_else(|| {
                    missing(format!(
                        "alter_column(\"{}\", \"{}\")",
                        alter.table, alter.name
                    ))
                })?;
                let after = alter.apply_to(existing);
                Op::AlterColumn(AlterColumn {
                    table: alter.table.clone(),
                    name: after.name.clone(),
                    sql_type: alter.sql_type.as_ref().map(|_| existing.sql_type.clone()),
                    nullable: alter.nullable.map(|_| existing.nullable),
                    default: alter.default.as_ref().map(|_| existing.default.clone()),
                    autoincrement: alter.autoincrement.map(|_| existing.autoincrement),
                    on_update_now: alter.on_update_now.map(|_| existing.on_update_now),
                    collation: alter.collation.as_ref().map(|_| existing.collation.clone()),
                    identity: alter.identity.map(|_| existing.identity),
                    new_name: alter.new_name.as_ref().map(|_| existing.name.clone()),
                    existing: Some(after),
                })
            }
            Op::CreateIndex(CreateIndex {
                table,
                index,
                concurrently,
            }) => Op::DropIndex(DropIndex {
                table: table.clone(),
                name: index.name.clone(),
                existing: Some(index.clone()),
                concurrently: *concurrently,
            }),
            Op::DropIndex(DropIndex {
                table,
                name,
                existing,
                concurrently,
            }) => match existing {
                Some(index) => Op::CreateIndex(CreateIndex {
                    table: table.clone(),
                    index: index.clone(),
                    concurrently: *concurrently,
                }),
                None => return Err(missing(format!("drop_index(\"{table}\", \"{name}\")"))),
            },
            Op::AddConstraint(AddConstraint {
                table, constraint, ..
            }) => match constraint.name() {
                Some(name) => Op::DropConstraint(DropConstraint {
                    table: table.clone(),
                    name: name.to_owned(),
                    kind: constraint.kind(),
                    existing: Some(constraint.clone()),
                }),
                // Dropped by its definition (SQLite rebuilds the table without it).
                None => Op::DropConstraint(DropConstraint {
                    table: table.clone(),
                    name: String::new(),
                    kind: constraint.kind(),
                    existing: Some(constraint.clone()),
                }),
            },
            Op::DropConstraint(DropConstraint {
                table,
                name,
                existing,
                ..
            }) => match existing {
                Some(constraint) => Op::AddConstraint(AddConstraint {
                    table: table.clone(),
                    constraint: constraint.clone(),
                    not_valid: false,
                    concurrently: false,
                }),
                None => return Err(missing(format!("drop_constraint(\"{table}\", \"{name}\")"))),
            },
            Op::Batch(Batch { table, ops }) => Op::Batch(Batch {
                table: table.clone(),
                ops: reverse_all(ops)?,
            }),
            // Checking the rows again undoes nothing and harms nothing: a
            // downgrade passes over it.
            Op::ValidateConstraint(v) => Op::ValidateConstraint(v.clone()),
            Op::Execute(_) => {
                return Err(Irreversible {
                    op: "execute(..)".to_owned(),
                    reason: "raw SQL has no known inverse",
                })
            }
            Op::BulkInsert(BulkInsert { table, .. }) => {
                return Err(Irreversible {
                    op: format!("bulk_insert(\"{table}\", ..)"),
                    reason: "write the DELETE that removes the rows",
                })
            }
            Op::CreateEnum(CreateEnum { name, values }) => Op::DropEnum(DropEnum {
                name: name.clone(),
                existing: Some(values.clone()),
            }),
            Op::DropEnum(DropEnum { name, existing }) => match existing {
                Some(values) => Op::CreateEnum(CreateEnum {
                    name: name.clone(),
                    values: values.clone(),
                }),
                None => return Err(missing(format!("drop_enum(\"{name}\")"))),
            },
            Op::RenameConstraint(r) => Op::RenameConstraint(RenameConstraint {
                table: r.table.clone(),
                kind: r.kind,
                name: r.new_name.clone(),
                new_name: r.name.clone(),
            }),
            Op::SetComment(set) => Op::SetComment(SetComment {
                table: set.table.clone(),
                column: set.column.clone(),
                comment: set.existing.clone().ok_or_else(|| {
                    missing(format!(
                        "the comment on `{}{}`",
                        set.table,
                        set.column
                            .as_deref()
                            .map(|c| format!(".{c}"))
                            .unwrap_or_default()
                    ))
                })?,
                existing: Some(set.comment.clone()),
            }),
            Op::AlterEnum(alter) => Op::AlterEnum(AlterEnum {
                name: alter.name.clone(),
                values: alter.existing.clone(),
                renames: alter
                    .renames
                    .iter()
                    .map(|(old, new)| (new.clone(), old.clone()))
                    .collect(),
                columns: alter.columns.clone(),
                existing: alter.values.clone(),
            }),
        })
    }

    /// The table this op touches (`None` for `execute`).
    pub fn table(&self) -> Option<&str> {
        match self {
            Op::CreateTable(o) => Some(&o.table.name),
            Op::DropTable(o) => Some(&o.name),
            Op::RenameTable(o) => Some(&o.name),
            Op::AddColumn(o) => Some(&o.table),
            Op::DropColumn(o) => Some(&o.table),
            Op::AlterColumn(o) => Some(&o.table),
            Op::CreateIndex(o) => Some(&o.table),
            Op::DropIndex(o) => Some(&o.table),
            Op::AddConstraint(o) => Some(&o.table),
            Op::DropConstraint(o) => Some(&o.table),
            Op::Batch(o) => Some(&o.table),
            Op::BulkInsert(o) => Some(&o.table),
            Op::SetComment(o) => Some(&o.table),
            Op::RenameConstraint(o) => Some(&o.table),
            Op::ValidateConstraint(o) => Some(&o.table),
            Op::Execute(_) | Op::CreateEnum(_) | Op::DropEnum(_) | Op::AlterEnum(_) => None,
        }
    }

    /// Whether running the op can lose data (a warning in generated files and in
    /// `check`): [`Op::data_loss`] says why.
    pub fn is_destructive(&self) -> bool {
        self.data_loss().is_some()
    }

    /// Why running the op can lose data, for warnings: `None` when it cannot.
    /// (Making a column NOT NULL is not here: it refuses rather than loses.)
    pub fn data_loss(&self) -> Option<String> {
        match self {
            Op::DropTable(o) => Some(format!("removes table `{}` and all its rows", o.name)),
            // A generated column's values come back with it.
            Op::DropColumn(DropColumn {
                existing: Some(c), ..
            }) if c.generated.is_some() => None,
            Op::DropColumn(o) => Some(format!(
                "removes column `{}.{}` and its values",
                o.table, o.name
            )),
            Op::AlterColumn(AlterColumn {
                table,
                name,
                sql_type: Some(to),
                existing: Some(from),
                ..
            }) if from.sql_type.narrows_to(to) => Some(format!(
                "narrows `{table}.{name}` from {} to {to}: values that do not fit are refused or cut",
                from.sql_type
            )),
            Op::Batch(b) => {
                let losses: Vec<String> = b.ops.iter().filter_map(Op::data_loss).collect();
                (!losses.is_empty()).then(|| losses.join("; "))
            }
            Op::AlterEnum(alter) => {
                let removed = alter.removed();
                (!removed.is_empty()).then(|| {
                    format!(
                        "removes {} from enum `{}`: the change stops if a row holds {}",
                        quote_values(&removed),
                        alter.name,
                        if removed.len() == 1 { "it" } else { "one" }
                    )
                })
            }
            _ => None,
        }
    }

    /// A one-line description, as `check` and the CLI print it.
    pub fn summary(&self) -> String {
        match self {
            Op::CreateTable(o) => format!("add table `{}`", o.table.name),
            Op::DropTable(o) => format!("remove table `{}`", o.name),
            Op::RenameTable(o) => format!("rename table `{}` to `{}`", o.name, o.new_name),
            Op::AddColumn(o) => format!("add column `{}.{}`", o.table, o.column.name),
            Op::DropColumn(o) => format!("remove column `{}.{}`", o.table, o.name),
            Op::AlterColumn(o) => {
                let mut parts = Vec::new();
                if let Some(t) = &o.sql_type {
                    parts.push(format!("type {t}"));
                }
                if let Some(n) = o.nullable {
                    parts.push(if n { "nullable" } else { "not null" }.to_owned());
                }
                if let Some(d) = &o.default {
                    parts.push(match d {
                        Some(d) => format!("default {d}"),
                        None => "no default".to_owned(),
                    });
                }
                if let Some(a) = o.autoincrement {
                    parts.push(
                        if a {
                            "autoincrement"
                        } else {
                            "no autoincrement"
                        }
                        .to_owned(),
                    );
                }
                if let Some(u) = o.on_update_now {
                    parts.push(
                        if u {
                            "set to now on update"
                        } else {
                            "no longer set on update"
                        }
                        .to_owned(),
                    );
                }
                if let Some(i) = &o.identity {
                    parts.push(match i {
                        Some(i) => format!(
                            "identity {}{}{}",
                            if i.always { "always" } else { "by default" },
                            i.start.map(|s| format!(", start {s}")).unwrap_or_default(),
                            i.increment
                                .map(|s| format!(", increment {s}"))
                                .unwrap_or_default()
                        ),
                        None => "default identity".to_owned(),
                    });
                }
                if let Some(c) = &o.collation {
                    parts.push(match c {
                        Some(c) => format!("collation {c}"),
                        None => "default collation".to_owned(),
                    });
                }
                if let Some(n) = &o.new_name {
                    parts.push(format!("renamed to `{n}`"));
                }
                format!(
                    "alter column `{}.{}`: {}",
                    o.table,
                    o.name,
                    parts.join(", ")
                )
            }
            Op::CreateIndex(o) => format!(
                "add {}index `{}` on `{}` ({}){}",
                if o.index.unique { "unique " } else { "" },
                o.index.name,
                o.table,
                o.index
                    .columns
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                if o.concurrently { " concurrently" } else { "" }
            ),
            Op::DropIndex(o) => format!(
                "remove index `{}` on `{}`{}",
                o.name,
                o.table,
                if o.concurrently { " concurrently" } else { "" }
            ),
            Op::AddConstraint(o) => format!(
                "add {} {}on `{}`{}",
                o.constraint.kind().describe(),
                o.constraint
                    .name()
                    .map(|n| format!("`{n}` "))
                    .unwrap_or_default(),
                o.table,
                if o.not_valid {
                    " NOT VALID"
                } else if o.concurrently {
                    " concurrently"
                } else {
                    ""
                }
            ),
            Op::DropConstraint(o) if o.name.is_empty() => {
                format!("remove unnamed {} on `{}`", o.kind.describe(), o.table)
            }
            Op::DropConstraint(o) => {
                format!("remove {} `{}` on `{}`", o.kind.describe(), o.name, o.table)
            }
            Op::Batch(o) => format!(
                "change table `{}`: {}",
                o.table,
                o.ops.iter().map(Op::summary).collect::<Vec<_>>().join("; ")
            ),
            Op::Execute(o) => format!("execute `{}`", o.sql),
            Op::BulkInsert(o) => format!("insert {} row(s) into `{}`", o.rows.len(), o.table),
            Op::CreateEnum(o) => format!(
                "add enum `{}` ({})",
                o.name,
                quote_values(&o.values.iter().map(String::as_str).collect::<Vec<_>>())
            ),
            Op::DropEnum(o) => format!("remove enum `{}`", o.name),
            Op::ValidateConstraint(o) => {
                format!("validate constraint `{}` on `{}`", o.name, o.table)
            }
            Op::RenameConstraint(o) => format!(
                "rename {} `{}` on `{}` to `{}`",
                o.kind.map_or("index", ConstraintKind::describe),
                o.name,
                o.table,
                o.new_name
            ),
            Op::SetComment(o) => {
                let what = match &o.column {
                    Some(c) => format!("`{}.{c}`", o.table),
                    None => format!("`{}`", o.table),
                };
                match &o.comment {
                    Some(_) => format!("set the comment on {what}"),
                    None => format!("remove the comment on {what}"),
                }
            }
            Op::AlterEnum(o) => {
                let mut parts = Vec::new();
                for (old, new) in &o.renames {
                    parts.push(format!("rename '{old}' to '{new}'"));
                }
                let added = o.added();
                if !added.is_empty() {
                    parts.push(format!("add {}", quote_values(&added)));
                }
                let removed = o.removed();
                if !removed.is_empty() {
                    parts.push(format!("remove {}", quote_values(&removed)));
                }
                if parts.is_empty() {
                    parts.push("reorder values".to_owned());
                }
                format!("alter enum `{}`: {}", o.name, parts.join(", "))
            }
        }
    }
}

/// `'a', 'b'`.
fn quote_values(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reverses a list of ops: the reverse of each, in the opposite order.
pub fn reverse_all(ops: &[Op]) -> Result<Vec<Op>, Irreversible> {
    ops.iter().rev().map(Op::reverse).collect()
}

/// For each op, whether it drops an index of a table that a later op drops anyway
/// (with nothing in between creating or renaming that table). A revision file
/// leaves those out: the table takes its indexes with it, and MySQL refuses to drop
/// an index that a foreign key of the table still needs.
pub fn dropped_with_its_table(ops: &[Op]) -> Vec<bool> {
    // One pass from the end: the tables a later op drops, forgotten where an op in
    // between creates or renames them.
    let mut dropped_later: std::collections::BTreeSet<&str> = Default::default();
    let mut redundant = vec![false; ops.len()];
    for (i, op) in ops.iter().enumerate().rev() {
        match op {
            Op::DropTable(DropTable { name, .. }) => {
                dropped_later.insert(name);
            }
            Op::CreateTable(CreateTable { table }) => {
                dropped_later.remove(table.name.as_str());
            }
            Op::RenameTable(RenameTable { name, new_name }) => {
                dropped_later.remove(name.as_str());
                dropped_later.remove(new_name.as_str());
            }
            Op::DropIndex(DropIndex { table, .. }) => {
                redundant[i] = dropped_later.contains(table.as_str());
            }
            _ => {}
        }
    }
    redundant
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Check, ForeignKey};

    #[test]
    fn index_drops_before_their_table_drop_are_redundant() {
        let drop_index = |t: &str| {
            Op::DropIndex(DropIndex {
                table: t.into(),
                name: format!("ix_{t}_x"),
                existing: None,
                concurrently: false,
            })
        };
        let drop_table = |t: &str| {
            Op::DropTable(DropTable {
                name: t.into(),
                existing: None,
            })
        };
        let ops = vec![
            drop_index("a"),
            drop_index("b"),
            drop_table("a"),
            drop_index("c"),
            Op::RenameTable(RenameTable {
                name: "c".into(),
                new_name: "d".into(),
            }),
            drop_table("c"),
        ];
        assert_eq!(
            dropped_with_its_table(&ops),
            [true, false, false, false, false, false]
        );
    }

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
                concurrently: false,
            }),
            Op::RenameTable(RenameTable {
                name: "t".into(),
                new_name: "u".into(),
            }),
            Op::AddConstraint(AddConstraint {
                table: "u".into(),
                constraint: Constraint::Check(Check::new("ck_u_x", "x <> ''")),
                not_valid: false,
                concurrently: false,
            }),
            Op::AddConstraint(AddConstraint {
                table: "u".into(),
                constraint: Constraint::ForeignKey(ForeignKey::new("fk", ["x"], "v", ["id"])),
                not_valid: false,
                concurrently: false,
            }),
            Op::AlterColumn(
                AlterColumn::new("u", "x")
                    .sql_type(SqlType::Varchar(10))
                    .nullable(false)
                    .rename_to("y")
                    .existing(Column::new("x", SqlType::Text).nullable()),
            ),
        ];
        let back = reverse_all(&ops).unwrap();
        assert!(matches!(back[0], Op::AlterColumn(_)));
        assert!(matches!(back.last(), Some(Op::DropTable(_))));
        assert_eq!(reverse_all(&back).unwrap(), ops);
    }

    #[test]
    fn alter_column_reverse_restores_what_was_there() {
        let alter = AlterColumn::new("users", "age")
            .sql_type(SqlType::Varchar(3))
            .existing(Column::new("age", SqlType::Integer).nullable());
        let Op::AlterColumn(back) = Op::AlterColumn(alter).reverse().unwrap() else {
            panic!()
        };
        assert_eq!(back.sql_type, Some(SqlType::Integer));
        assert_eq!(back.nullable, None);
        assert_eq!(
            back.existing,
            Some(Column::new("age", SqlType::Varchar(3)).nullable())
        );
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
