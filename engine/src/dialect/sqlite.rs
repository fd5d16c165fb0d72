//! SQLite. What its `ALTER TABLE` cannot do (change a column's type,
//! nullability or default; add or drop a constraint; drop a column something is
//! built on) is done as Alembic's "move and copy": create the new table, copy the
//! rows, drop the old one, rename, recreate the indexes. The runner runs each
//! revision with foreign keys checked at the end instead of enforced per
//! statement, so the rebuild neither cascades nor fails half-way.

use super::{normalise_type_name, parse_standard_type, Dialect, IndexSupport, RenderError};
use retort::ops::{AddColumn, AddConstraint, AlterColumn, Batch, DropColumn, DropConstraint, Op};
use retort::schema::{Column, ServerDefault, SqlType, Table};
use retort::Backend;

/// The SQLite dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn index_support(&self) -> IndexSupport {
        IndexSupport {
            partial: true,
            expressions: true,
            nulls_order: false,
            opclass: false,
            prefix_length: false,
            include: false,
            nulls_not_distinct: false,
            methods: &[],
        }
    }

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn max_identifier_len(&self) -> Option<usize> {
        None
    }

    fn type_name(&self, column: &Column) -> String {
        // Only a column declared exactly `INTEGER PRIMARY KEY` is SQLite's rowid, the
        // one column that counts up by itself; SQLite integers are 64-bit anyway.
        if column.autoincrement && column.sql_type.is_integer() {
            return "INTEGER".to_owned();
        }
        match &column.sql_type {
            // Text affinity (a declared `UUID` or `JSON` would be numeric); the
            // JSON column is checked by `json_valid` (`column_constraint`).
            SqlType::Uuid => "CHAR(36)".to_owned(),
            SqlType::Json => "TEXT".to_owned(),
            // Text checked to hold one of the values (`column_constraint`).
            SqlType::Enum { .. } => "TEXT".to_owned(),
            other => other.to_string(),
        }
    }

    /// A JSON column is `TEXT` checked by `json_valid` (an enum's, text checked
    /// by `IN (…)`), so the type is the column's own, not what its type name
    /// reads back as.
    fn canonical_type(&self, _table: &Table, column: &Column) -> SqlType {
        match &column.sql_type {
            SqlType::Json => SqlType::Json,
            SqlType::Enum { name, .. } => super::stored_enum(false, name),
            _ => self.parse_type(&self.type_name(column)),
        }
    }

    /// Only the rowid counts up, and it always does: a single key column of type
    /// `INTEGER`, whatever the model says.
    fn stored_autoincrement(&self, table: &Table, stored: &Column) -> bool {
        table.is_single_primary_key(&stored.name) && stored.sql_type == SqlType::Integer
    }

    fn column_constraint(&self, column: &Column) -> Option<String> {
        match &column.sql_type {
            SqlType::Json => Some(format!("CHECK (json_valid({}))", self.quote(&column.name))),
            SqlType::Enum { values, .. } => Some(format!(
                "CHECK ({} IN ({}))",
                self.quote(&column.name),
                self.enum_values_sql(values)
            )),
            _ => None,
        }
    }

    fn new_uuid_sql(&self) -> String {
        format!("({NEW_UUID_SQL})")
    }

    fn parse_type(&self, name: &str) -> SqlType {
        parse_type_name(name)
    }

    /// SQLite's default `SQLITE_MAX_VARIABLE_NUMBER` (3.32 and later).
    fn max_bound_params(&self) -> usize {
        32_766
    }

    fn inline_primary_key(&self) -> bool {
        true
    }

    fn drops_unnamed_constraints(&self) -> bool {
        true
    }

    fn foreign_keys_pin_their_keys(&self) -> bool {
        false
    }

    fn autoincrement_clause(&self) -> &'static str {
        " PRIMARY KEY AUTOINCREMENT"
    }

    /// SQLite keeps no primary key name.
    fn stored_primary_key_name(&self, _table: &Table) -> Option<String> {
        None
    }

    fn bool_literal(&self, value: bool) -> String {
        if value { "1" } else { "0" }.to_owned()
    }

    fn needs_table(&self, op: &Op) -> bool {
        match op {
            Op::AddColumn(AddColumn { column, .. }) => !can_add_in_place(column),
            Op::AlterColumn(alter) => !alter.is_rename_only(),
            Op::DropColumn(_) | Op::AddConstraint(_) | Op::DropConstraint(_) | Op::Batch(_) => true,
            _ => false,
        }
    }

    fn add_column_sql(
        &self,
        op: &AddColumn,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        if can_add_in_place(&op.column) {
            let host = Table::new(op.table.clone());
            return Ok(vec![format!(
                "ALTER TABLE {} ADD COLUMN {}",
                self.quote(&op.table),
                self.column_sql(&host, &op.column)?
            )]);
        }
        self.rebuild(&Op::AddColumn(op.clone()), current)
    }

    fn drop_column_sql(
        &self,
        op: &DropColumn,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        let table = require(current, &Op::DropColumn(op.clone()))?;
        if built_on(table, &op.name) {
            return self.rebuild(&Op::DropColumn(op.clone()), current);
        }
        Ok(vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            self.quote(&op.table),
            self.quote(&op.name)
        )])
    }

    fn alter_column_sql(
        &self,
        alter: &AlterColumn,
        _existing: Option<&Column>,
    ) -> Result<Vec<String>, RenderError> {
        // Only a rename gets here without the table: everything else rebuilds
        // (see `op_sql`).
        let new_name = alter.new_name.as_deref().unwrap_or(&alter.name);
        Ok(vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            self.quote(&alter.table),
            self.quote(&alter.name),
            self.quote(new_name)
        )])
    }

    fn add_constraint_sql(
        &self,
        op: &AddConstraint,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        self.rebuild(&Op::AddConstraint(op.clone()), current)
    }

    fn drop_constraint_sql(
        &self,
        op: &DropConstraint,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        self.rebuild(&Op::DropConstraint(op.clone()), current)
    }

    fn batch_sql(
        &self,
        batch: &Batch,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        let in_place = batch.ops.iter().all(|op| match op {
            Op::AlterColumn(a) => a.is_rename_only(),
            Op::AddColumn(a) => can_add_in_place(&a.column),
            Op::RenameTable(_)
            | Op::CreateIndex(_)
            | Op::DropIndex(_)
            | Op::Execute(_)
            | Op::BulkInsert(_) => true,
            _ => false,
        });
        if in_place {
            let mut out = Vec::new();
            for op in &batch.ops {
                out.extend(self.op_sql(op, current)?);
            }
            return Ok(out);
        }
        self.rebuild(&Op::Batch(batch.clone()), current)
    }

    fn op_sql(&self, op: &Op, current: Option<&Table>) -> Result<Vec<String>, RenderError> {
        match op {
            Op::AlterColumn(alter) if !alter.is_rename_only() => self.rebuild(op, current),
            _ => super::default_op_sql(self, op, current),
        }
    }
}

impl Sqlite {
    /// Move and copy: the table rebuilt with `op` applied, rows kept.
    fn rebuild(&self, op: &Op, current: Option<&Table>) -> Result<Vec<String>, RenderError> {
        let old = require(current, op)?;
        let mut new = old.clone();
        // Where each new column's values come from: the old column, or none (its
        // default fills it).
        let mut sources: Vec<(String, Option<String>)> = old
            .columns
            .iter()
            .map(|c| (c.name.clone(), Some(c.name.clone())))
            .collect();
        let ops: Vec<&Op> = match op {
            Op::Batch(b) => b.ops.iter().collect(),
            other => vec![other],
        };
        let mut after = Vec::new();
        for inner in ops {
            match inner {
                // Indexes are recreated from the new definition anyway.
                Op::CreateIndex(_) | Op::DropIndex(_) => {}
                Op::Execute(_) | Op::BulkInsert(_) | Op::RenameTable(_) => {
                    // Run after the rebuild, against the new table.
                    after.push(inner.clone());
                    continue;
                }
                Op::AddColumn(a) => sources.push((a.column.name.clone(), None)),
                Op::DropColumn(d) => sources.retain(|(n, _)| *n != d.name),
                Op::AlterColumn(a) => {
                    if let Some(new_name) = &a.new_name {
                        for (n, _) in sources.iter_mut().filter(|(n, _)| *n == a.name) {
                            *n = new_name.clone();
                        }
                    }
                }
                _ => {}
            }
            new.apply(inner)?;
        }
        let temp = format!("_retort_new_{}", old.name);
        let mut table_def = new.clone();
        table_def.name = temp.clone();
        let mut sql = vec!["PRAGMA legacy_alter_table = ON".to_owned()];
        sql.extend(self.create_table_sql(&table_def)?);
        // Generated columns compute their own values.
        let copied: Vec<(String, String)> = sources
            .iter()
            .filter(|(n, _)| new.get_column(n).is_some_and(|c| c.generated.is_none()))
            .filter_map(|(n, src)| src.clone().map(|s| (n.clone(), s)))
            .collect();
        if !copied.is_empty() {
            sql.push(format!(
                "INSERT INTO {} ({}) SELECT {} FROM {}",
                self.quote(&temp),
                copied
                    .iter()
                    .map(|(n, _)| self.quote(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                copied
                    .iter()
                    .map(|(_, s)| self.quote(s))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.quote(&old.name)
            ));
        }
        sql.push(format!("DROP TABLE {}", self.quote(&old.name)));
        sql.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            self.quote(&temp),
            self.quote(&old.name)
        ));
        sql.push("PRAGMA legacy_alter_table = OFF".to_owned());
        for index in &new.indexes {
            sql.extend(self.create_index_sql(&retort::ops::CreateIndex {
                table: new.name.clone(),
                index: index.clone(),
                concurrently: false,
            })?);
        }
        let mut current = new;
        for op in after {
            sql.extend(self.op_sql(&op, Some(&current))?);
            current.apply(&op).ok();
        }
        Ok(sql)
    }
}

fn require<'a>(current: Option<&'a Table>, op: &Op) -> Result<&'a Table, RenderError> {
    current.ok_or_else(|| RenderError::NoTable {
        op: op.summary(),
        table: op.table().unwrap_or_default().to_owned(),
    })
}

/// SQLite's `ADD COLUMN` refuses NOT NULL without a default, a non-constant default,
/// and anything that counts up.
fn can_add_in_place(column: &Column) -> bool {
    // SQLite adds a virtual generated column in place, never a stored one.
    if let Some(generated) = &column.generated {
        return !generated.stored && column.nullable;
    }
    let constant_default = matches!(
        column.default,
        None | Some(ServerDefault::Number(_) | ServerDefault::Bool(_) | ServerDefault::Text(_))
    );
    (column.nullable || column.default.is_some()) && constant_default && !column.autoincrement
}

/// Whether SQLite's `DROP COLUMN` would refuse: the column is in the key, a
/// unique constraint, an index, a foreign key, or the table has checks.
fn built_on(table: &Table, column: &str) -> bool {
    let mentions = |cols: &[String]| cols.iter().any(|c| c == column);
    // A generated column's expression may read the column.
    let computed = table
        .columns
        .iter()
        .any(|c| c.generated.is_some() && c.name != column);
    computed
        || mentions(&table.primary_key)
        || table.uniques.iter().any(|u| mentions(&u.columns))
        || table.indexes.iter().any(|i| {
            i.predicate.is_some() || i.columns.iter().any(|k| k.expression || k.column == column)
        })
        || table.foreign_keys.iter().any(|f| mentions(&f.columns))
        || !table.checks.is_empty()
}

/// A version-4 UUID's text made of `randomblob`s: SQLite has no UUID function.
pub(crate) const NEW_UUID_SQL: &str = "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) \
|| '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) \
|| substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))";

/// SQLite keeps the declared type text; read it back into a neutral type.
pub(crate) fn parse_type_name(name: &str) -> SqlType {
    let (_, base, args) = normalise_type_name(name);
    match (base.as_str(), args.as_deref()) {
        ("FLOAT", None) => SqlType::Real,
        ("DOUBLE", None) => SqlType::Double,
        ("DATETIME", None) => SqlType::Timestamp,
        ("CHAR", Some("36")) => SqlType::Uuid,
        ("JSON", None) => SqlType::Json,
        _ => parse_standard_type(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use retort::ops::{AddColumn, CreateIndex, Op};
    use retort::schema::{Constraint, FkAction, ForeignKey, Index, Unique};

    #[test]
    fn create_table_quotes_everything() {
        let table = Table::new("order")
            .column(Column::new("id", SqlType::BigInt).autoincrement())
            .column(Column::new("user\"id", SqlType::Integer))
            .column(Column::new("state", SqlType::Varchar(20)).default(ServerDefault::text("it's")))
            .primary_key(["id"])
            .foreign_key(
                ForeignKey::new("fk_order_user", ["user\"id"], "user", ["id"])
                    .on_delete(FkAction::Cascade),
            );
        let sql = Sqlite.create_table_sql(&table).unwrap();
        assert_eq!(
            sql,
            vec![concat!(
                "CREATE TABLE \"order\" (\n",
                "    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n",
                "    \"user\"\"id\" INTEGER NOT NULL,\n",
                "    \"state\" VARCHAR(20) NOT NULL DEFAULT 'it''s',\n",
                "    CONSTRAINT \"fk_order_user\" FOREIGN KEY (\"user\"\"id\") REFERENCES \"user\" (\"id\") ON DELETE CASCADE\n",
                ")"
            )
            .to_owned()]
        );
    }

    #[test]
    fn composite_key_is_a_table_constraint() {
        let table = Table::new("pair")
            .column(Column::new("a", SqlType::Integer))
            .column(Column::new("b", SqlType::Integer))
            .primary_key(["a", "b"]);
        let sql = Sqlite.create_table_sql(&table).unwrap().remove(0);
        assert!(sql.contains("PRIMARY KEY (\"a\", \"b\")"), "{sql}");
    }

    #[test]
    fn unique_index() {
        let op = Op::CreateIndex(CreateIndex {
            table: "users".into(),
            index: Index::new("ix users", ["a", "b"]).unique(),
            concurrently: false,
        });
        assert_eq!(
            Sqlite.op_sql(&op, None).unwrap(),
            vec!["CREATE UNIQUE INDEX \"ix users\" ON \"users\" (\"a\", \"b\")".to_owned()]
        );
    }

    fn users() -> Table {
        Table::new("users")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("email", SqlType::Text))
            .primary_key(["id"])
            .index(Index::new("ix_users_email", ["email"]))
    }

    #[test]
    fn not_null_column_without_default_rebuilds() {
        let op = Op::AddColumn(AddColumn {
            table: "users".into(),
            column: Column::new("age", SqlType::Integer),
        });
        assert!(Sqlite.needs_table(&op));
        let sql = Sqlite.op_sql(&op, Some(&users())).unwrap();
        assert_eq!(sql[0], "PRAGMA legacy_alter_table = ON");
        assert!(
            sql[1].starts_with("CREATE TABLE \"_retort_new_users\""),
            "{sql:?}"
        );
        assert!(sql[1].contains("\"age\" INTEGER NOT NULL"), "{sql:?}");
        assert_eq!(
            sql[2],
            "INSERT INTO \"_retort_new_users\" (\"id\", \"email\") SELECT \"id\", \"email\" FROM \"users\""
        );
        assert_eq!(sql[3], "DROP TABLE \"users\"");
        assert_eq!(
            sql[4],
            "ALTER TABLE \"_retort_new_users\" RENAME TO \"users\""
        );
        assert_eq!(
            sql[6],
            "CREATE INDEX \"ix_users_email\" ON \"users\" (\"email\")"
        );
        let err = Sqlite.op_sql(&op, None).unwrap_err().to_string();
        assert_eq!(
            err,
            "add column `users.age` needs the current definition of table `users`, which does not exist"
        );
    }

    #[test]
    fn batch_rebuilds_once_with_renames_copied() {
        let op = Op::Batch(Batch {
            table: "users".into(),
            ops: vec![
                Op::AlterColumn(
                    AlterColumn::new("users", "email")
                        .rename_to("mail")
                        .sql_type(SqlType::Varchar(200)),
                ),
                Op::AddConstraint(AddConstraint {
                    table: "users".into(),
                    constraint: Constraint::Unique(Unique::new("uq_users_mail", ["mail"])),
                    not_valid: false,
                    concurrently: false,
                }),
            ],
        });
        let sql = Sqlite.op_sql(&op, Some(&users())).unwrap();
        assert_eq!(
            sql.iter().filter(|s| s.starts_with("CREATE TABLE")).count(),
            1
        );
        assert!(sql[1].contains("\"mail\" VARCHAR(200) NOT NULL"), "{sql:?}");
        assert!(
            sql[1].contains("CONSTRAINT \"uq_users_mail\" UNIQUE (\"mail\")"),
            "{sql:?}"
        );
        assert!(
            sql[2].contains("(\"id\", \"mail\") SELECT \"id\", \"email\""),
            "{sql:?}"
        );
        assert_eq!(
            sql.last().unwrap(),
            "CREATE INDEX \"ix_users_email\" ON \"users\" (\"mail\")"
        );
    }

    #[test]
    fn rename_only_is_in_place() {
        let op = Op::AlterColumn(AlterColumn::new("users", "email").rename_to("mail"));
        assert!(!Sqlite.needs_table(&op));
        assert_eq!(
            Sqlite.op_sql(&op, None).unwrap(),
            ["ALTER TABLE \"users\" RENAME COLUMN \"email\" TO \"mail\""]
        );
    }

    #[test]
    fn types_round_trip() {
        for ty in [
            SqlType::SmallInt,
            SqlType::Integer,
            SqlType::BigInt,
            SqlType::Real,
            SqlType::Double,
            SqlType::Boolean,
            SqlType::Text,
            SqlType::Varchar(50),
            SqlType::Blob,
            SqlType::Date,
            SqlType::Time,
            SqlType::Timestamp,
            SqlType::TimestampTz,
            SqlType::Decimal {
                precision: 10,
                scale: 2,
            },
        ] {
            assert_eq!(parse_type_name(&ty.to_string()), ty);
        }
        assert_eq!(parse_type_name("char(36)"), SqlType::Uuid);
        assert_eq!(parse_type_name("numeric"), SqlType::custom("NUMERIC"));
    }
}
