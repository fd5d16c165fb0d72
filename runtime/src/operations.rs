//! The `op` handle a revision's `upgrade` and `downgrade` receive.
//!
//! Every method builds an [`Op`] and hands it at once to the step's [`Executor`]:
//! online, it runs on the revision's connection inside its transaction, so a data
//! migration can mix schema changes with queries on [`Operations::connection`];
//! offline (`--sql`), its SQL is printed. Arguments name the table first, then the
//! thing: `op.add_column("products", Column::new(..))`, `op.drop_index("users",
//! "ix_..")`.

use crate::connection::{Backend, Connection};
use crate::error::Result;
use crate::ops::{
    AlterColumn, AlterEnum, Batch, BulkInsert, CreateEnum, CreateTable, DropEnum, DropTable,
    Execute, Op, RenameConstraint, RenameTable, SetComment,
};
use crate::schema::{
    Check, Column, Constraint, ConstraintKind, ForeignKey, Index, Table, Unique, Value,
};

/// Where the operations of a revision step go. The migration engine implements it
/// twice over one code path: online (each op's SQL runs on the connection, inside
/// the step's transaction) and offline (`--sql`: the SQL is printed, or discarded
/// when only the schema the history builds is wanted). Either way the executor
/// follows the schema through the step's ops, so an op that needs a table's
/// definition (an SQLite rebuild, MySQL's `CHANGE COLUMN`) finds it.
pub trait Executor {
    /// Carries out one op: renders it for the database, runs or prints the SQL,
    /// and follows its effect on the schema.
    fn run(&mut self, op: Op) -> Result<()>;

    /// The table as it is now (`None`: there is no such table).
    fn table(&mut self, name: &str) -> Result<Option<Table>>;

    /// The live connection, inside the step's transaction; [`Error::NoConnection`]
    /// when the SQL is printed instead.
    ///
    /// [`Error::NoConnection`]: crate::Error::NoConnection
    fn connection(&mut self) -> Result<&mut Connection>;

    /// Which database the step is for.
    fn backend(&self) -> Backend;

    /// An identifier quoted for this database (`"order"`, `` `order` ``).
    fn quote(&self, ident: &str) -> String;

    /// A table name quoted for this database: `billing.invoices` is
    /// `"billing"."invoices"` on PostgreSQL.
    fn quote_table(&self, name: &str) -> String;

    /// Whether the SQL is printed instead of run (`--sql`).
    fn is_offline(&self) -> bool;

    /// Where the next op was written (a line of the revision file), for what the
    /// safety linter reports. Nothing by default.
    fn locate(&mut self, at: &'static std::panic::Location<'static>) {
        let _ = at;
    }

    /// A safety finding of `rule` accepted on purpose for the next op (see
    /// [`Operations::acknowledge`]). Nothing by default.
    fn acknowledge(&mut self, rule: &str, reason: &str) {
        let _ = (rule, reason);
    }
}

/// Schema operations for one revision step: what `upgrade` and `downgrade`
/// receive as `op`.
pub struct Operations<'a> {
    executor: &'a mut dyn Executor,
    /// `op.concurrently()` was called: the next op builds or drops an index
    /// without blocking writes.
    concurrently: bool,
    /// `op.not_valid()` was called: the next foreign key or check is added
    /// without checking the rows already there.
    not_valid: bool,
}

impl<'a> Operations<'a> {
    /// Operations carried out by `executor` (the engine makes one per step).
    pub fn new(executor: &'a mut dyn Executor) -> Self {
        Operations {
            executor,
            concurrently: false,
            not_valid: false,
        }
    }

    /// Runs any op, as built by hand or by the other methods.
    #[track_caller]
    pub fn run(&mut self, mut op: Op) -> Result<()> {
        self.executor.locate(std::panic::Location::caller());
        if std::mem::take(&mut self.concurrently) {
            match &mut op {
                Op::CreateIndex(create) => create.concurrently = true,
                Op::DropIndex(drop) => drop.concurrently = true,
                Op::AddConstraint(add) if matches!(add.constraint, Constraint::Unique(_)) => {
                    add.concurrently = true
                }
                other => {
                    return Err(crate::error::Error::Render(crate::RenderError::BadValue(
                        format!(
                        "op.concurrently() goes before create_index, drop_index or create_unique_constraint, not before {}",
                        other.summary()
                    ),
                    )))
                }
            }
        }
        if std::mem::take(&mut self.not_valid) {
            match &mut op {
                Op::AddConstraint(add)
                    if matches!(add.constraint, Constraint::ForeignKey(_) | Constraint::Check(_)) =>
                {
                    add.not_valid = true
                }
                other => {
                    return Err(crate::error::Error::Render(crate::RenderError::BadValue(
                        format!(
                            "op.not_valid() goes before create_foreign_key or create_check_constraint, not before {}",
                            other.summary()
                        ),
                    )))
                }
            }
        }
        self.executor.run(op)
    }

    /// Adds the next foreign key or check without checking the rows already
    /// there, so the table is locked only briefly:
    /// `op.not_valid().create_foreign_key("orders", ForeignKey::new(..))?`, and in
    /// a later step `op.validate_constraint("orders", "fk_…")?` checks them while
    /// reads and writes go on (PostgreSQL `NOT VALID` / `VALIDATE CONSTRAINT`).
    /// New rows are checked at once. MySQL and SQLite check every row when the
    /// constraint is added: there it is added as usual.
    pub fn not_valid(&mut self) -> &mut Self {
        self.not_valid = true;
        self
    }

    /// Checks the rows already there against a foreign key or check added with
    /// [`Operations::not_valid`]; on PostgreSQL the revision then runs without a
    /// transaction, so the validation does not hold the lock the constraint's
    /// addition took. Nothing on MySQL and SQLite.
    #[track_caller]
    pub fn validate_constraint(&mut self, table: &str, name: &str) -> Result<()> {
        self.run(Op::ValidateConstraint(crate::ops::ValidateConstraint {
            table: table.to_owned(),
            name: name.to_owned(),
        }))
    }

    /// Builds or drops the next index without blocking writes to its table:
    /// `op.concurrently().create_index("orders", Index::new(..))?`. On PostgreSQL
    /// that is `CREATE INDEX CONCURRENTLY`, which cannot run in a transaction: the
    /// revision then runs without one, each statement committing on its own (as
    /// `--transaction per-statement`), and an invalid index left by an
    /// interrupted build is dropped before the build starts again. On MySQL it is
    /// `ALGORITHM=INPLACE, LOCK=NONE` (an error rather than a blocking copy where
    /// the server cannot); SQLite builds as usual.
    pub fn concurrently(&mut self) -> &mut Self {
        self.concurrently = true;
        self
    }

    /// Accepts a safety finding of `rule` (`retort lint`'s name for it, e.g.
    /// `"ban-drop-column"`) on the next op, on purpose and for `reason`: the linter
    /// lists it as acknowledged instead of failing. Chains:
    /// `op.acknowledge("ban-drop-column", "unused since 2.3").drop_column("users", "legacy")?;`
    pub fn acknowledge(&mut self, rule: &str, reason: &str) -> &mut Self {
        self.executor.acknowledge(rule, reason);
        self
    }

    /// Which database the step is for, for a revision that must differ by
    /// database.
    pub fn backend(&self) -> Backend {
        self.executor.backend()
    }

    /// An identifier quoted for this database, for SQL given to
    /// [`Operations::execute`]: `op.quote("order")`.
    pub fn quote(&self, ident: &str) -> String {
        self.executor.quote(ident)
    }

    /// A table name quoted for this database, schema included where it has one
    /// (`op.quote_table("billing.invoices")` is `"billing"."invoices"` on
    /// PostgreSQL).
    pub fn quote_table(&self, name: &str) -> String {
        self.executor.quote_table(name)
    }

    /// Whether this step prints SQL instead of running it (`--sql`).
    pub fn is_offline(&self) -> bool {
        self.executor.is_offline()
    }

    /// The live connection, inside the revision's transaction: for data migrations
    /// ([`Connection::query`], diesel's DSL through `.sqlite()`, `.postgres()`,
    /// `.mysql()`). There is none in `--sql` mode: prefer
    /// [`Operations::execute_with`] where the step should print.
    #[track_caller]
    pub fn connection(&mut self) -> Result<&mut Connection> {
        self.executor.locate(std::panic::Location::caller());
        self.executor.connection()
    }

    /// The table as it is now (columns, keys, indexes, constraints), or `None`:
    /// for conditional migrations.
    pub fn table(&mut self, name: &str) -> Result<Option<Table>> {
        self.executor.table(name)
    }

    /// Whether a table exists.
    pub fn has_table(&mut self, name: &str) -> Result<bool> {
        Ok(self.table(name)?.is_some())
    }

    /// Whether a table has a column.
    pub fn has_column(&mut self, table: &str, column: &str) -> Result<bool> {
        Ok(self
            .table(table)?
            .is_some_and(|t| t.get_column(column).is_some()))
    }

    /// `CREATE TABLE` with columns, primary key, unique constraints, checks and
    /// foreign keys.
    #[track_caller]
    pub fn create_table(&mut self, table: Table) -> Result<()> {
        self.run(Op::CreateTable(CreateTable { table }))
    }

    /// `DROP TABLE`.
    #[track_caller]
    pub fn drop_table(&mut self, name: &str) -> Result<()> {
        self.run(Op::DropTable(DropTable {
            name: name.to_owned(),
            existing: None,
        }))
    }

    /// Renames a table.
    #[track_caller]
    pub fn rename_table(&mut self, name: &str, new_name: &str) -> Result<()> {
        self.run(Op::RenameTable(RenameTable {
            name: name.to_owned(),
            new_name: new_name.to_owned(),
        }))
    }

    /// `ALTER TABLE … ADD COLUMN`.
    #[track_caller]
    pub fn add_column(&mut self, table: &str, column: Column) -> Result<()> {
        self.run(Op::add_column(table, column))
    }

    /// `ALTER TABLE … DROP COLUMN`.
    #[track_caller]
    pub fn drop_column(&mut self, table: &str, name: &str) -> Result<()> {
        self.run(Op::drop_column(table, name))
    }

    /// Changes a column's type, nullability, server default or name:
    /// `op.alter_column(AlterColumn::new("users", "age").sql_type(SqlType::Varchar(3)))`.
    /// What MySQL must repeat and SQLite must rebuild is looked up from the
    /// database unless `existing(..)` gives it.
    #[track_caller]
    pub fn alter_column(&mut self, alter: AlterColumn) -> Result<()> {
        self.run(Op::AlterColumn(alter))
    }

    /// Creates an enum type before its first column: PostgreSQL `CREATE TYPE
    /// name AS ENUM (…)`; nothing on MySQL and SQLite, where the column's type
    /// carries the values.
    #[track_caller]
    pub fn create_enum<V: Into<String>>(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Result<()> {
        self.run(Op::CreateEnum(CreateEnum {
            name: name.to_owned(),
            values: values.into_iter().map(Into::into).collect(),
        }))
    }

    /// Drops an enum type after its last column (PostgreSQL `DROP TYPE`).
    #[track_caller]
    pub fn drop_enum(&mut self, name: &str) -> Result<()> {
        self.run(Op::DropEnum(DropEnum {
            name: name.to_owned(),
            existing: None,
        }))
    }

    /// Changes an enum's values: `op.alter_enum(AlterEnum::new("order_status",
    /// ["pending", "paid", "shipped"]).existing(["pending", "shipped"])
    /// .column("orders", "status"))`. See [`AlterEnum`] for what each database
    /// runs; on PostgreSQL, values only added run first and outside the step's
    /// transaction when nothing ran before them in it (`ADD VALUE IF NOT EXISTS`:
    /// a value added in a transaction cannot be used in it).
    #[track_caller]
    pub fn alter_enum(&mut self, alter: AlterEnum) -> Result<()> {
        self.run(Op::AlterEnum(alter))
    }

    /// Gives an index a new name: `op.rename_index("items", "items_name_idx",
    /// "ix_items_name")` (PostgreSQL `ALTER INDEX … RENAME TO`, MySQL `RENAME
    /// INDEX`).
    #[track_caller]
    pub fn rename_index(&mut self, table: &str, name: &str, new_name: &str) -> Result<()> {
        self.run(Op::RenameConstraint(RenameConstraint {
            table: table.to_owned(),
            kind: None,
            name: name.to_owned(),
            new_name: new_name.to_owned(),
        }))
    }

    /// Gives a constraint a new name: `op.rename_constraint("makers",
    /// ConstraintKind::Unique, "makers_code_key", "uq_makers_code")`
    /// (PostgreSQL `RENAME CONSTRAINT`; MySQL for unique constraints, which are
    /// indexes there).
    #[track_caller]
    pub fn rename_constraint(
        &mut self,
        table: &str,
        kind: ConstraintKind,
        name: &str,
        new_name: &str,
    ) -> Result<()> {
        self.run(Op::RenameConstraint(RenameConstraint {
            table: table.to_owned(),
            kind: Some(kind),
            name: name.to_owned(),
            new_name: new_name.to_owned(),
        }))
    }

    /// Sets (`Some`) or removes (`None`) a table's comment, as Alembic's
    /// `create_table_comment`/`drop_table_comment`: `op.comment_table("users",
    /// Some("Who may log in"))`. PostgreSQL `COMMENT ON TABLE`, MySQL `COMMENT =`;
    /// nothing on SQLite.
    #[track_caller]
    pub fn comment_table(&mut self, table: &str, comment: Option<&str>) -> Result<()> {
        self.run(Op::SetComment(SetComment {
            table: table.to_owned(),
            column: None,
            comment: comment.map(str::to_owned),
            existing: None,
        }))
    }

    /// Sets (`Some`) or removes (`None`) a column's comment, as Alembic's
    /// `alter_column(.., comment=..)`: `op.comment_column("users", "email",
    /// Some("Where receipts go"))`. PostgreSQL `COMMENT ON COLUMN`, MySQL `MODIFY
    /// COLUMN` with the column as it is; nothing on SQLite.
    #[track_caller]
    pub fn comment_column(
        &mut self,
        table: &str,
        column: &str,
        comment: Option<&str>,
    ) -> Result<()> {
        self.run(Op::SetComment(SetComment {
            table: table.to_owned(),
            column: Some(column.to_owned()),
            comment: comment.map(str::to_owned),
            existing: None,
        }))
    }

    /// Drops a constraint that has no name, found by its definition:
    /// `op.drop_unnamed_constraint("items", Constraint::ForeignKey(ForeignKey::unnamed(["maker_id"], "makers", ["id"])))`.
    /// SQLite keeps such constraints (its table is rebuilt without it); the other
    /// databases name every constraint, so drop it by that name there.
    #[track_caller]
    pub fn drop_unnamed_constraint(&mut self, table: &str, constraint: Constraint) -> Result<()> {
        self.run(Op::DropConstraint(crate::ops::DropConstraint {
            table: table.to_owned(),
            name: String::new(),
            kind: constraint.kind(),
            existing: Some(constraint),
        }))
    }

    /// `CREATE [UNIQUE] INDEX`.
    #[track_caller]
    pub fn create_index(&mut self, table: &str, index: Index) -> Result<()> {
        self.run(Op::create_index(table, index))
    }

    /// `DROP INDEX`.
    #[track_caller]
    pub fn drop_index(&mut self, table: &str, name: &str) -> Result<()> {
        self.run(Op::drop_index(table, name))
    }

    /// Adds a foreign key (SQLite rebuilds the table).
    #[track_caller]
    pub fn create_foreign_key(&mut self, table: &str, foreign_key: ForeignKey) -> Result<()> {
        self.add_constraint(table, Constraint::ForeignKey(foreign_key))
    }

    /// Adds a unique constraint.
    #[track_caller]
    pub fn create_unique_constraint(&mut self, table: &str, unique: Unique) -> Result<()> {
        self.add_constraint(table, Constraint::Unique(unique))
    }

    /// Adds a check constraint.
    #[track_caller]
    pub fn create_check_constraint(&mut self, table: &str, check: Check) -> Result<()> {
        self.add_constraint(table, Constraint::Check(check))
    }

    /// Adds a primary key (`name` is kept where the database keeps one).
    #[track_caller]
    pub fn create_primary_key<I, S>(&mut self, table: &str, name: &str, columns: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add_constraint(table, primary_key(name, columns))
    }

    #[track_caller]
    fn add_constraint(&mut self, table: &str, constraint: Constraint) -> Result<()> {
        self.run(Op::add_constraint(table, constraint))
    }

    /// Drops a named constraint of the given kind.
    #[track_caller]
    pub fn drop_constraint(&mut self, table: &str, name: &str, kind: ConstraintKind) -> Result<()> {
        self.run(Op::drop_constraint(table, name, kind))
    }

    /// Several changes to one table at once; on SQLite, one table rebuild for all
    /// of them (Alembic's `batch_alter_table`).
    #[track_caller]
    pub fn batch_alter_table(
        &mut self,
        table: &str,
        build: impl FnOnce(&mut BatchOps),
    ) -> Result<()> {
        let mut batch = BatchOps {
            table: table.to_owned(),
            ops: Vec::new(),
        };
        build(&mut batch);
        self.run(Op::Batch(Batch {
            table: batch.table,
            ops: batch.ops,
        }))
    }

    /// Runs SQL verbatim (several statements separated by `;` are fine).
    #[track_caller]
    pub fn execute(&mut self, sql: &str) -> Result<()> {
        self.execute_with(sql, Vec::new())
    }

    /// Runs SQL with each `?` replaced by the next parameter, written as a literal
    /// by the dialect (quoted and escaped), so the same step prints with `--sql`:
    /// `op.execute_with("UPDATE products SET price = price * ? WHERE category = ?", row![1.1, "electronics"])`.
    #[track_caller]
    pub fn execute_with(&mut self, sql: &str, params: Vec<Value>) -> Result<()> {
        self.run(Op::Execute(Execute {
            sql: sql.to_owned(),
            params,
        }))
    }

    /// Inserts rows, thousands per statement:
    /// `op.bulk_insert("users", &["username", "email"], vec![row!["admin", "admin@example.com"]])`.
    #[track_caller]
    pub fn bulk_insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        self.run(Op::BulkInsert(BulkInsert {
            table: table.to_owned(),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows,
        }))
    }
}

/// The changes of one `batch_alter_table`, collected and then applied together.
pub struct BatchOps {
    table: String,
    ops: Vec<Op>,
}

impl BatchOps {
    fn push(&mut self, op: Op) -> &mut Self {
        self.ops.push(op);
        self
    }

    /// Adds a column.
    pub fn add_column(&mut self, column: Column) -> &mut Self {
        self.push(Op::add_column(&self.table, column))
    }

    /// Drops a column.
    pub fn drop_column(&mut self, name: &str) -> &mut Self {
        self.push(Op::drop_column(&self.table, name))
    }

    /// Changes a column: `b.alter_column("age", |c| c.sql_type(SqlType::Text))`.
    pub fn alter_column(
        &mut self,
        name: &str,
        change: impl FnOnce(AlterColumn) -> AlterColumn,
    ) -> &mut Self {
        let alter = change(AlterColumn::new(self.table.clone(), name));
        self.push(Op::AlterColumn(alter))
    }

    /// Creates an index.
    pub fn create_index(&mut self, index: Index) -> &mut Self {
        self.push(Op::create_index(&self.table, index))
    }

    /// Drops an index.
    pub fn drop_index(&mut self, name: &str) -> &mut Self {
        self.push(Op::drop_index(&self.table, name))
    }

    /// Adds a foreign key.
    pub fn create_foreign_key(&mut self, foreign_key: ForeignKey) -> &mut Self {
        self.constraint(Constraint::ForeignKey(foreign_key))
    }

    /// Adds a unique constraint.
    pub fn create_unique_constraint(&mut self, unique: Unique) -> &mut Self {
        self.constraint(Constraint::Unique(unique))
    }

    /// Adds a check constraint.
    pub fn create_check_constraint(&mut self, check: Check) -> &mut Self {
        self.constraint(Constraint::Check(check))
    }

    /// Adds a primary key.
    pub fn create_primary_key<I, S>(&mut self, name: &str, columns: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.constraint(primary_key(name, columns))
    }

    fn constraint(&mut self, constraint: Constraint) -> &mut Self {
        self.push(Op::add_constraint(&self.table, constraint))
    }

    /// Drops a named constraint.
    pub fn drop_constraint(&mut self, name: &str, kind: ConstraintKind) -> &mut Self {
        self.push(Op::drop_constraint(&self.table, name, kind))
    }
}

fn primary_key<I, S>(name: &str, columns: I) -> Constraint
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Constraint::PrimaryKey {
        name: Some(name.to_owned()),
        columns: columns.into_iter().map(Into::into).collect(),
    }
}
