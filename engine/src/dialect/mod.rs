//! SQL dialects: quoting, type names, literals, and the DDL for each [`Op`].
//!
//! Shared SQL lives in the trait's provided methods; each dialect implements what
//! really differs (type names, autoincrement, what its `ALTER TABLE` can do) and
//! overrides a provided method where its syntax differs. Dialects never touch a
//! connection: the same code prints `--sql` output and runs online.

mod mysql;
mod postgres;
pub(crate) mod sqlite;

pub use mysql::Mysql;
pub use postgres::Postgres;
pub use sqlite::Sqlite;

use retort::ops::{
    AddColumn, AddConstraint, AlterColumn, AlterEnum, Batch, BulkInsert, CreateEnum, CreateIndex,
    CreateTable, DropColumn, DropConstraint, DropEnum, DropIndex, DropTable, Execute, Op,
    RenameConstraint, RenameTable, SetComment,
};
use retort::schema::split_schema;
use retort::schema::{
    Check, Column, Constraint, ConstraintKind, Deferrable, FkAction, ForeignKey, Identity, Index,
    IndexKey, NullsOrder, Schema, ServerDefault, SqlType, Table, Unique, Value,
};
use retort::{Backend, RenderError};

/// What a database has of an index's features ([`Dialect::index_support`]).
#[derive(Clone, Copy, Debug)]
pub struct IndexSupport {
    /// `WHERE …` (partial indexes).
    pub partial: bool,
    /// Expression keys.
    pub expressions: bool,
    /// `NULLS FIRST` / `NULLS LAST` on a key.
    pub nulls_order: bool,
    /// Operator classes on a key.
    pub opclass: bool,
    /// Prefix lengths `column(n)`.
    pub prefix_length: bool,
    /// `INCLUDE (…)`.
    pub include: bool,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// The methods `USING` accepts, lower case (empty: no `USING`).
    pub methods: &'static [&'static str],
}

/// One statement and the values its placeholders take, in order (borrowed from
/// the op).
pub type BoundStatement<'a> = (String, Vec<&'a Value>);

/// The statements of an `alter_enum`: `early` ones may run before the step's
/// transaction begins (PostgreSQL's `ADD VALUE`, whose value a transaction cannot
/// use before it commits), the rest inside it, after them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnumSql {
    /// Statements that may run before the transaction (each safe to run twice).
    pub early: Vec<String>,
    /// The others, in order.
    pub statements: Vec<String>,
}

/// One SQL dialect.
pub trait Dialect: Send + Sync {
    /// Which database.
    fn backend(&self) -> Backend;

    /// Name for messages (`sqlite`, `postgresql`, `mysql`).
    fn name(&self) -> &'static str;

    /// Longest identifier the database accepts, in bytes (`None`: no limit).
    fn max_identifier_len(&self) -> Option<usize>;

    /// The stored type name of a column (the whole column is given: SQLite's
    /// autoincrement key must be exactly `INTEGER`).
    fn type_name(&self, column: &Column) -> String;

    /// Reads a stored type name back (inverse of [`Dialect::type_name`], and
    /// accepting the names the database's catalogs print).
    fn parse_type(&self, name: &str) -> SqlType;

    /// The SQL of a server default, as it follows `DEFAULT`: the standard
    /// spelling unless the dialect overrides it.
    fn default_sql(&self, default: &ServerDefault, column: &Column) -> String {
        let _ = column;
        match default {
            ServerDefault::Number(n) => n.to_string(),
            ServerDefault::Bool(b) => self.bool_literal(*b),
            ServerDefault::Text(s) => self.string_literal(s),
            ServerDefault::CurrentTimestamp => "CURRENT_TIMESTAMP".to_owned(),
            ServerDefault::CurrentDate => "CURRENT_DATE".to_owned(),
            ServerDefault::CurrentTime => "CURRENT_TIME".to_owned(),
            ServerDefault::NewUuid => self.new_uuid_sql(),
            ServerDefault::Sql(expr) => format!("({expr})"),
        }
    }

    /// A new random UUID as a default (PostgreSQL 13's `gen_random_uuid()`).
    fn new_uuid_sql(&self) -> String {
        "gen_random_uuid()".to_owned()
    }

    /// Whether the database has unsigned integer columns (MySQL).
    fn supports_unsigned(&self) -> bool {
        false
    }

    /// Whether the database has array columns (PostgreSQL).
    fn supports_arrays(&self) -> bool {
        false
    }

    /// The model columns this database cannot create (arrays outside
    /// PostgreSQL), as the error autogenerate, `check` and rendering give.
    fn unsupported_columns(&self, schema: &Schema) -> Result<(), RenderError> {
        for table in schema.tables.values() {
            self.supports_schema_of(&table.name)?;
            for column in &table.columns {
                self.supports_column(table, column)?;
            }
            if !self.supports_match_full() {
                if let Some(fk) = table.foreign_keys.iter().find(|fk| fk.match_full) {
                    return Err(self.match_full_unsupported(Some(&table.name), fk));
                }
            }
            for index in &table.indexes {
                self.supports_index(&table.name, index)?;
            }
            if !self.supports_deferrable_foreign_keys() {
                if let Some(fk) = table
                    .foreign_keys
                    .iter()
                    .find(|fk| fk.deferrable != Deferrable::No)
                {
                    return Err(self.deferrable_unsupported(Some(&table.name), fk));
                }
            }
        }
        Ok(())
    }

    /// One column of [`Dialect::unsupported_columns`].
    fn supports_column(&self, table: &Table, column: &Column) -> Result<(), RenderError> {
        if matches!(column.sql_type, SqlType::Array(_)) && !self.supports_arrays() {
            return Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!(
                    "create column `{}.{}` of type {}",
                    table.name, column.name, column.sql_type
                ),
                hint: "only PostgreSQL has array columns: keep the list in a JSON column \
                       (retort::types::Json<Vec<T>>) or in a child table with one row per element"
                    .to_owned(),
            });
        }
        if let Some(generated) = &column.generated {
            if !generated.stored && !self.supports_virtual_columns() {
                return Err(RenderError::Unsupported {
                    dialect: self.name(),
                    op: format!(
                        "create generated column `{}.{}` computed on read (VIRTUAL)",
                        table.name, column.name
                    ),
                    hint: "PostgreSQL (before 18) computes generated columns on write only: add \
                           `stored` next to generated = \"...\""
                        .to_owned(),
                });
            }
        }
        if let Some(identity) = column.identity.and_then(Identity::normalized) {
            if self.identity_sql(&identity).is_none() {
                return Err(RenderError::Unsupported {
                    dialect: self.name(),
                    op: format!(
                        "create column `{}.{}` with identity(..) options",
                        table.name, column.name
                    ),
                    hint: "identity options are PostgreSQL's: MySQL counts from the table's \
                           AUTO_INCREMENT and the server's auto_increment_increment, SQLite from its \
                           sqlite_sequence; remove identity(..), and set those with op.execute if it matters"
                        .to_owned(),
                });
            }
        }
        if column.on_update_now && self.on_update_now_clause().is_none() {
            return Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!(
                    "create column `{}.{}` ON UPDATE CURRENT_TIMESTAMP",
                    table.name, column.name
                ),
                hint: "only MySQL/MariaDB set a column on every UPDATE: remove on_update = now(), and set the \
                       time in the UPDATE (or in a trigger, written with op.execute)"
                    .to_owned(),
            });
        }
        if matches!(column.sql_type, SqlType::Unsigned(_)) && !self.supports_unsigned() {
            return Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!(
                    "create column `{}.{}` of type {}",
                    table.name, column.name, column.sql_type
                ),
                hint: "only MySQL/MariaDB have unsigned integers: use the next wider signed type \
                       (i16 for u8, i32 for u16, i64 for u32), with a check that it is >= 0 if it matters"
                    .to_owned(),
            });
        }
        Ok(())
    }

    /// A constraint the column's type brings with it, written after its
    /// definition (SQLite's JSON column is text checked by `json_valid`).
    fn column_constraint(&self, column: &Column) -> Option<String> {
        let _ = column;
        None
    }

    /// Whether the database keeps constraints without a name, dropped by their
    /// definition (SQLite, in a table rebuild).
    fn drops_unnamed_constraints(&self) -> bool {
        false
    }

    /// Whether the database has enum types of their own, created before and
    /// dropped after their columns (PostgreSQL). Elsewhere an enum is a column's
    /// type (MySQL's `ENUM(…)`, SQLite's checked text) and `create_enum`,
    /// `drop_enum` run nothing.
    fn has_enum_types(&self) -> bool {
        false
    }

    /// An enum's values as a list of literals: `'a', 'b'`.
    fn enum_values_sql(&self, values: &[String]) -> String {
        values
            .iter()
            .map(|v| self.string_literal(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `create_enum`: `CREATE TYPE … AS ENUM (…)` where enums are types.
    fn create_enum_sql(&self, op: &CreateEnum) -> Result<Vec<String>, RenderError> {
        if !self.has_enum_types() {
            return Ok(Vec::new());
        }
        self.check_identifier("enum", &op.name)?;
        Ok(vec![format!(
            "CREATE TYPE {} AS ENUM ({})",
            self.quote(&op.name),
            self.enum_values_sql(&op.values)
        )])
    }

    /// `drop_enum`: `DROP TYPE` where enums are types.
    fn drop_enum_sql(&self, op: &DropEnum) -> Result<Vec<String>, RenderError> {
        if !self.has_enum_types() {
            return Ok(Vec::new());
        }
        Ok(vec![format!("DROP TYPE {}", self.quote(&op.name))])
    }

    /// Whether [`Dialect::alter_enum_sql`] needs the tables of the op's columns
    /// (read from the catalog online, which opens the step's transaction).
    fn alter_enum_needs_tables(&self, op: &AlterEnum) -> bool {
        let _ = op;
        true
    }

    /// `alter_enum`, given the tables of its columns as they are now. Where an
    /// enum is a column's type: each table's columns changed to the new values
    /// (MySQL `MODIFY`, an SQLite rebuild); renamed values go through a list
    /// holding both names and an `UPDATE`.
    fn alter_enum_sql(&self, op: &AlterEnum, tables: &[Table]) -> Result<EnumSql, RenderError> {
        let mut out = EnumSql::default();
        let renames: Vec<&(String, String)> =
            op.renames.iter().filter(|(old, new)| old != new).collect();
        for (table_name, columns) in enum_columns_by_table(op) {
            let mut table = tables
                .iter()
                .find(|t| t.name == table_name)
                .cloned()
                .ok_or_else(|| RenderError::NoTable {
                    op: Op::AlterEnum(op.clone()).summary(),
                    table: table_name.to_owned(),
                })?;
            for column in &columns {
                if table.get_column(column).is_none() {
                    return Err(RenderError::BadValue(format!(
                        "alter_enum `{}`: table `{table_name}` has no column `{column}`",
                        op.name
                    )));
                }
            }
            // The list holding both names keeps every default; the final one
            // follows renames and drops a default it no longer holds.
            let retype = |values: &[String],
                          table: &mut Table|
             -> Result<Vec<String>, RenderError> {
                let last = values == op.values.as_slice();
                let ops: Vec<Op> = columns
                    .iter()
                    .map(|c| {
                        let existing = table.get_column(c).cloned();
                        let mut alter = AlterColumn::new(table_name, *c).sql_type(
                            SqlType::enumeration(op.name.clone(), values.iter().cloned()),
                        );
                        if let Some(default) = existing.as_ref().and_then(|c| c.default.as_ref()) {
                            let after = op.default_after(default);
                            if last && after.as_ref() != Some(default) {
                                alter = alter.default(after);
                            }
                        }
                        alter.existing = existing;
                        Op::AlterColumn(alter)
                    })
                    .collect();
                let batch = Op::Batch(Batch {
                    table: table_name.to_owned(),
                    ops,
                });
                let sql = self.op_sql(&batch, Some(table))?;
                table.apply(&batch)?;
                Ok(sql)
            };
            if !renames.is_empty() {
                let mut both = op.existing.clone();
                for value in op.values.iter().chain(renames.iter().map(|(_, new)| new)) {
                    if !both.contains(value) {
                        both.push(value.clone());
                    }
                }
                out.statements.extend(retype(&both, &mut table)?);
                for column in &columns {
                    let c = self.quote(column);
                    let cases: String = renames
                        .iter()
                        .map(|(old, new)| {
                            format!(
                                " WHEN {} THEN {}",
                                self.string_literal(old),
                                self.string_literal(new)
                            )
                        })
                        .collect();
                    let olds: Vec<String> = renames.iter().map(|(old, _)| old.clone()).collect();
                    out.statements.push(format!(
                        "UPDATE {} SET {c} = CASE {c}{cases} END WHERE {c} IN ({})",
                        self.quote_table(table_name),
                        self.enum_values_sql(&olds)
                    ));
                }
            }
            out.statements.extend(retype(&op.values, &mut table)?);
        }
        Ok(out)
    }

    /// What makes a column count up (`GENERATED BY DEFAULT AS IDENTITY`,
    /// `AUTO_INCREMENT`, SQLite's inline `PRIMARY KEY AUTOINCREMENT`).
    fn autoincrement_clause(&self) -> &'static str;

    /// `ALTER TABLE … ALTER/MODIFY/CHANGE COLUMN`. `existing` is the column as it
    /// is now (from the op, or looked up).
    fn alter_column_sql(
        &self,
        alter: &AlterColumn,
        existing: Option<&Column>,
    ) -> Result<Vec<String>, RenderError>;

    /// Whether [`Dialect::op_sql`] needs the table's current definition for `op`.
    fn needs_table(&self, op: &Op) -> bool;

    /// Whether the single-column autoincrement key is declared on the column
    /// itself (SQLite) instead of as a table constraint.
    fn inline_primary_key(&self) -> bool {
        false
    }

    /// `(rows, bytes)`: how much one multi-row `INSERT` may carry.
    fn bulk_insert_limits(&self) -> (usize, usize) {
        (5000, 4 << 20)
    }

    /// Quotes an identifier: `"a""b"`.
    fn quote(&self, ident: &str) -> String {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }

    /// Whether tables live in schemas a name can qualify (`billing.invoices`):
    /// PostgreSQL. Elsewhere a model with `schema = ..` is refused.
    fn supports_schemas(&self) -> bool {
        false
    }

    /// Quotes a table name; `billing.invoices` is `"billing"."invoices"` where
    /// [`Dialect::supports_schemas`].
    fn quote_table(&self, name: &str) -> String {
        match split_schema(name) {
            (Some(schema), table) if self.supports_schemas() => {
                format!("{}.{}", self.quote(schema), self.quote(table))
            }
            _ => self.quote(name),
        }
    }

    /// Quotes the name of an index of `table`: schema-qualified where the index
    /// lives in the table's schema and is named on its own (`DROP INDEX`).
    fn quote_index(&self, table: &str, index: &str) -> String {
        match split_schema(table) {
            (Some(schema), _) if self.supports_schemas() => {
                format!("{}.{}", self.quote(schema), self.quote(index))
            }
            _ => self.quote(index),
        }
    }

    /// Quotes a string literal: `'it''s'`.
    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    /// A boolean literal.
    fn bool_literal(&self, value: bool) -> String {
        if value { "TRUE" } else { "FALSE" }.to_owned()
    }

    /// A bytes literal: `X'00ff'`.
    fn bytes_literal(&self, value: &[u8]) -> String {
        let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
        format!("X'{hex}'")
    }

    /// A value as an SQL literal.
    fn value_sql(&self, value: &Value) -> Result<String, RenderError> {
        Ok(match value {
            Value::Null => "NULL".to_owned(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) if f.is_finite() => {
                let s = f.to_string();
                if s.contains(['.', 'e', 'E']) {
                    s
                } else {
                    format!("{s}.0")
                }
            }
            Value::Float(f) => {
                return Err(RenderError::BadValue(format!(
                    "{f} has no SQL literal; store NULL or a finite number"
                )))
            }
            Value::Bool(b) => self.bool_literal(*b),
            Value::Text(s) => self.string_literal(s),
            Value::Bytes(b) => self.bytes_literal(b),
            Value::Date(d) => self.string_literal(&d.format("%Y-%m-%d").to_string()),
            Value::Time(t) => self.string_literal(&t.format("%H:%M:%S%.f").to_string()),
            Value::Timestamp(t) => {
                self.string_literal(&t.format("%Y-%m-%d %H:%M:%S%.f").to_string())
            }
            Value::TimestampTz(t) => {
                self.string_literal(&t.format("%Y-%m-%d %H:%M:%S%.f+00:00").to_string())
            }
            Value::Uuid(bytes) => self.string_literal(&retort::schema::format_uuid(bytes)),
            Value::Json(text) | Value::Enum(text) => self.string_literal(text),
            // Unquoted, so only what is a number gets through.
            Value::Decimal(text) if retort::schema::is_decimal(text) => {
                text.trim_start_matches('+').to_owned()
            }
            Value::Decimal(text) => {
                return Err(RenderError::BadValue(format!(
                    "`{text}` is not a decimal number (write Value::decimal(\"12.50\"))"
                )))
            }
        })
    }

    /// The type as this dialect stores it: two types are the same when they
    /// render to the same stored type. An enum is its name where the database
    /// keeps one (PostgreSQL) and just "an enum" elsewhere: its values are
    /// compared apart, as the enum's own change (`alter_enum`).
    fn canonical_type(&self, _table: &Table, column: &Column) -> SqlType {
        match &column.sql_type {
            SqlType::Enum { name, .. } => stored_enum(self.has_enum_types(), name),
            _ => self.parse_type(&self.type_name(column)),
        }
    }

    /// A column as this database keeps it: its type as the catalog reads it back,
    /// its default normalised, and NOT NULL where the database forces it (SQLite's
    /// rowid key). Two columns mean the same when their stored forms are equal.
    fn stored_column(&self, table: &Table, column: &Column) -> Column {
        let mut out = column.clone();
        out.sql_type = match &column.sql_type {
            // Read back with its values (and its name where the database keeps it).
            SqlType::Enum { name, values } => SqlType::Enum {
                name: if self.has_enum_types() {
                    name.clone()
                } else {
                    String::new()
                },
                values: values.clone(),
            },
            _ => self.canonical_type(table, column),
        };
        out.default = column.default.as_ref().map(ServerDefault::normalized);
        out.autoincrement = self.stored_autoincrement(table, &out);
        out.identity = column
            .identity
            .and_then(Identity::normalized)
            .filter(|_| out.autoincrement);
        if self.inline_primary_key() && self.is_inline_key(table, column) {
            out.nullable = false;
        }
        if column.generated.is_some() && !self.generated_not_null() {
            out.nullable = true;
        }
        out
    }

    /// Whether the database keeps `stored` (a column as stored, but for this) as
    /// counting up: as the model says, unless the database decides (SQLite).
    fn stored_autoincrement(&self, table: &Table, stored: &Column) -> bool {
        let _ = table;
        stored.autoincrement
    }

    /// A foreign key action as this database keeps it.
    fn stored_fk_action(&self, action: FkAction) -> FkAction {
        action
    }

    /// Whether a primary key or unique constraint that a foreign key references
    /// cannot be dropped while the foreign key exists (PostgreSQL, MySQL; SQLite
    /// rebuilds the table and checks references only when rows change).
    fn foreign_keys_pin_their_keys(&self) -> bool {
        true
    }

    /// Whether the database keeps a unique constraint as a unique index (MySQL),
    /// so the two are one object when comparing.
    fn unique_constraints_are_indexes(&self) -> bool {
        false
    }

    /// The name the database gives a primary key the model leaves unnamed
    /// (`None`: it keeps no name at all).
    fn stored_primary_key_name(&self, table: &Table) -> Option<String> {
        table.primary_key_name.clone()
    }

    /// The whole schema as this database would store it (every table through
    /// [`Dialect::stored_table`]): what introspecting a database built from
    /// `schema` gives back.
    fn as_stored(&self, schema: &Schema) -> Schema {
        let mut out = schema.clone();
        if !self.has_enum_types() {
            out.enums.clear();
        }
        for table in out.tables.values_mut() {
            *table = self.stored_table(table);
        }
        out
    }

    /// One table as this database would store it: columns through
    /// [`Dialect::stored_column`], foreign key actions through
    /// [`Dialect::stored_fk_action`], unique indexes as unique constraints where
    /// the database keeps them so, its primary key's stored name.
    fn stored_table(&self, table: &Table) -> Table {
        let mut out = table.clone();
        out.columns = table
            .columns
            .iter()
            .map(|c| self.stored_column(table, c))
            .collect();
        if !self.keeps_comments() {
            out.comment = None;
            out.columns.iter_mut().for_each(|c| c.comment = None);
        }
        if self.unique_constraints_are_indexes() {
            let (unique, plain): (Vec<_>, Vec<_>) = std::mem::take(&mut out.indexes)
                .into_iter()
                .partition(|i| i.unique);
            out.indexes = plain;
            let (constraints, others): (Vec<_>, Vec<_>) = unique
                .into_iter()
                .partition(|i| self.stored_index(i).is_plain());
            out.indexes.extend(others);
            out.uniques.extend(constraints.into_iter().map(|i| Unique {
                columns: i.columns.into_iter().map(|k| k.column).collect(),
                name: Some(i.name),
            }));
        }
        out.indexes = out.indexes.iter().map(|i| self.stored_index(i)).collect();
        for fk in &mut out.foreign_keys {
            fk.on_delete = self.stored_fk_action(fk.on_delete);
            fk.on_update = self.stored_fk_action(fk.on_update);
        }
        out.primary_key_name = if out.primary_key.is_empty() {
            None
        } else {
            self.stored_primary_key_name(table)
        };
        out.sort_constraints();
        out
    }

    /// Whether `column` is the single autoincrement key.
    fn is_inline_key(&self, table: &Table, column: &Column) -> bool {
        column.autoincrement && table.is_single_primary_key(&column.name)
    }

    /// Checks an identifier against the dialect's limits.
    fn check_identifier(&self, what: &'static str, name: &str) -> Result<(), RenderError> {
        let problem = if name.is_empty() {
            Some("is empty".to_owned())
        } else if name.contains('\0') {
            Some("contains a NUL character".to_owned())
        } else {
            match self.max_identifier_len() {
                Some(max) if name.len() > max => Some(format!(
                    "is {} bytes long; {} allows at most {max}",
                    name.len(),
                    self.name()
                )),
                _ => None,
            }
        };
        match problem {
            Some(problem) => Err(RenderError::BadIdentifier {
                what,
                name: name.to_owned(),
                problem,
            }),
            None => Ok(()),
        }
    }

    /// `"a", "b"`.
    fn quote_list(&self, names: &[String]) -> String {
        names
            .iter()
            .map(|n| self.quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `"name" TYPE [NOT NULL] [autoincrement] [DEFAULT …]`.
    fn column_sql(&self, table: &Table, column: &Column) -> Result<String, RenderError> {
        self.check_identifier("column", &column.name)?;
        self.supports_column(table, column)?;
        let mut sql = format!("{} {}", self.quote(&column.name), self.type_name(column));
        if let Some(collation) = &column.collation {
            sql.push_str(" COLLATE ");
            sql.push_str(&self.quote(collation));
        }
        if let Some(generated) = &column.generated {
            sql.push_str(&format!(
                " GENERATED ALWAYS AS ({}) {}",
                generated.expr,
                if generated.stored {
                    "STORED"
                } else {
                    "VIRTUAL"
                }
            ));
        }
        if !column.nullable && (column.generated.is_none() || self.generated_not_null()) {
            sql.push_str(" NOT NULL");
        }
        if self.is_inline_key(table, column) {
            match column.identity.and_then(Identity::normalized) {
                Some(identity) => sql.push_str(&self.identity_sql(&identity).unwrap_or_default()),
                None => sql.push_str(self.autoincrement_clause()),
            }
        }
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&self.default_sql(default, column));
        }
        if column.on_update_now {
            sql.push_str(self.on_update_now_clause().unwrap_or_default());
        }
        if let Some(constraint) = self.column_constraint(column) {
            sql.push(' ');
            sql.push_str(&constraint);
        }
        if let (true, Some(comment)) = (self.inline_comments(), &column.comment) {
            sql.push_str(" COMMENT ");
            sql.push_str(&self.string_literal(comment));
        }
        Ok(sql)
    }

    /// Whether an index (`None`) or a constraint of this kind can be renamed in
    /// place (autogenerate then renames rather than drops and adds).
    fn renames(&self, _kind: Option<ConstraintKind>) -> bool {
        false
    }

    /// The statements of a rename that [`Dialect::renames`] allows.
    fn rename_constraint_sql(&self, op: &RenameConstraint) -> Result<Vec<String>, RenderError> {
        self.check_identifier("constraint", &op.new_name)?;
        Ok(vec![format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            self.quote_table(&op.table),
            self.quote(&op.name),
            self.quote(&op.new_name)
        )])
    }

    /// The clause of an identity column with these options (PostgreSQL's
    /// ` GENERATED ALWAYS AS IDENTITY (START WITH 1000)`); `None`: this database
    /// has no identity options.
    fn identity_sql(&self, identity: &Identity) -> Option<String> {
        let _ = identity;
        None
    }

    /// Whether a generated column can be `NOT NULL` (not on MariaDB, so not on
    /// the MySQL dialect: such a column is nullable there).
    fn generated_not_null(&self) -> bool {
        true
    }

    /// Whether generated columns computed on read (`VIRTUAL`) exist here
    /// (MySQL, SQLite; PostgreSQL only from 18).
    fn supports_virtual_columns(&self) -> bool {
        true
    }

    /// What makes every `UPDATE` set a column to the current time, after its
    /// default (MySQL's ` ON UPDATE CURRENT_TIMESTAMP(6)`); `None`: the database has
    /// no such thing (a trigger would do it).
    fn on_update_now_clause(&self) -> Option<&'static str> {
        None
    }

    /// Whether the database keeps table and column comments (PostgreSQL, MySQL;
    /// SQLite keeps none, and comments are not compared there).
    fn keeps_comments(&self) -> bool {
        false
    }

    /// Whether comments are written inside the column definitions and table
    /// options (MySQL's `COMMENT '…'`), rather than by statements of their own.
    fn inline_comments(&self) -> bool {
        false
    }

    /// The statements that set a comment on a table or column that exists
    /// (nothing where the database keeps none).
    fn comment_sql(
        &self,
        _op: &SetComment,
        _current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        Ok(Vec::new())
    }

    /// The statements that give a new table (and its columns) their comments,
    /// after `CREATE TABLE`, where comments are not written inline.
    fn table_comments_sql(&self, table: &Table) -> Result<Vec<String>, RenderError> {
        if !self.keeps_comments() || self.inline_comments() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let set = |column: Option<&str>, comment: &Option<String>| SetComment {
            table: table.name.clone(),
            column: column.map(str::to_owned),
            comment: comment.clone(),
            existing: None,
        };
        if table.comment.is_some() {
            out.extend(self.comment_sql(&set(None, &table.comment), Some(table))?);
        }
        for column in table.columns.iter().filter(|c| c.comment.is_some()) {
            out.extend(self.comment_sql(&set(Some(&column.name), &column.comment), Some(table))?);
        }
        Ok(out)
    }

    /// `CONSTRAINT "fk" FOREIGN KEY (…) REFERENCES "t" (…) [ON DELETE …] [ON UPDATE …]`.
    fn foreign_key_clause(&self, foreign_key: &ForeignKey) -> Result<String, RenderError> {
        let mut sql = self.constraint_name(foreign_key.name.as_deref())?;
        sql.push_str(&format!(
            "FOREIGN KEY ({}) REFERENCES {} ({})",
            self.quote_list(&foreign_key.columns),
            self.quote_table(&foreign_key.ref_table),
            self.quote_list(&foreign_key.ref_columns)
        ));
        if foreign_key.match_full {
            if !self.supports_match_full() {
                return Err(self.match_full_unsupported(None, foreign_key));
            }
            sql.push_str(" MATCH FULL");
        }
        if foreign_key.on_delete != FkAction::NoAction {
            sql.push_str(" ON DELETE ");
            sql.push_str(foreign_key.on_delete.as_sql());
        }
        if foreign_key.on_update != FkAction::NoAction {
            sql.push_str(" ON UPDATE ");
            sql.push_str(foreign_key.on_update.as_sql());
        }
        if let Some(clause) = foreign_key.deferrable.as_sql() {
            if !self.supports_deferrable_foreign_keys() {
                return Err(self.deferrable_unsupported(None, foreign_key));
            }
            sql.push(' ');
            sql.push_str(clause);
        }
        Ok(sql)
    }

    /// Whether a foreign key can be `MATCH FULL`: PostgreSQL (MySQL and SQLite
    /// parse it and check nothing of it).
    fn supports_match_full(&self) -> bool {
        false
    }

    /// The refusal of a `MATCH FULL` key where the database would not keep it.
    fn match_full_unsupported(&self, table: Option<&str>, foreign_key: &ForeignKey) -> RenderError {
        RenderError::Unsupported {
            dialect: self.name(),
            op: foreign_key_op(table, foreign_key, "MATCH FULL"),
            hint: "only PostgreSQL checks MATCH FULL: remove `match_full`, and make the key's columns \
                   NOT NULL (or add a check that they are all NULL or none) to get the same rule"
                .to_owned(),
        }
    }

    /// Whether foreign keys can be checked at commit (`DEFERRABLE`): PostgreSQL
    /// and SQLite; MySQL/MariaDB check each row at once.
    fn supports_deferrable_foreign_keys(&self) -> bool {
        true
    }

    /// The refusal of a deferrable foreign key where there is none.
    fn deferrable_unsupported(&self, table: Option<&str>, foreign_key: &ForeignKey) -> RenderError {
        RenderError::Unsupported {
            dialect: self.name(),
            op: foreign_key_op(
                table,
                foreign_key,
                foreign_key.deferrable.as_sql().unwrap_or_default(),
            ),
            hint: "MySQL and MariaDB check foreign keys at each row and have no deferrable ones: remove \
                   `deferrable`/`initially_deferred`, and insert rows in an order that satisfies the key"
                .to_owned(),
        }
    }

    /// `CONSTRAINT "name" ` or nothing.
    fn constraint_name(&self, name: Option<&str>) -> Result<String, RenderError> {
        match name {
            Some(name) => {
                self.check_identifier("constraint", name)?;
                Ok(format!("CONSTRAINT {} ", self.quote(name)))
            }
            None => Ok(String::new()),
        }
    }

    /// `CONSTRAINT "uq" UNIQUE (…)`.
    fn unique_clause(&self, unique: &Unique) -> Result<String, RenderError> {
        Ok(format!(
            "{}UNIQUE ({})",
            self.constraint_name(unique.name.as_deref())?,
            self.quote_list(&unique.columns)
        ))
    }

    /// `CONSTRAINT "ck" CHECK (…)`.
    fn check_clause(&self, check: &Check) -> Result<String, RenderError> {
        Ok(format!(
            "{}CHECK ({})",
            self.constraint_name(check.name.as_deref())?,
            check.expr
        ))
    }

    /// `CREATE TABLE` with columns, key, uniques, checks and foreign keys.
    fn create_table_sql(&self, table: &Table) -> Result<Vec<String>, RenderError> {
        let (schema, bare) = split_schema(&table.name);
        self.check_identifier("table", bare)?;
        let mut out = Vec::new();
        if let Some(schema) = schema {
            self.supports_schema_of(&table.name)?;
            self.check_identifier("schema", schema)?;
            // Alembic leaves this to the user; a model naming a schema expects it.
            out.push(format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                self.quote(schema)
            ));
        }
        if table.columns.is_empty() {
            return Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!("create table `{}`", table.name),
                hint: "a table needs at least one column".to_owned(),
            });
        }
        let mut parts = Vec::new();
        for column in &table.columns {
            parts.push(self.column_sql(table, column)?);
        }
        let inline_key =
            self.inline_primary_key() && table.columns.iter().any(|c| self.is_inline_key(table, c));
        if !table.primary_key.is_empty() && !inline_key {
            parts.push(format!(
                "{}PRIMARY KEY ({})",
                self.constraint_name(table.primary_key_name.as_deref())?,
                self.quote_list(&table.primary_key)
            ));
        }
        for unique in &table.uniques {
            parts.push(self.unique_clause(unique)?);
        }
        for check in &table.checks {
            parts.push(self.check_clause(check)?);
        }
        for foreign_key in &table.foreign_keys {
            parts.push(self.foreign_key_clause(foreign_key)?);
        }
        let options = match (&table.comment, self.inline_comments()) {
            (Some(comment), true) => format!(" COMMENT={}", self.string_literal(comment)),
            _ => String::new(),
        };
        out.push(format!(
            "CREATE TABLE {} (\n    {}\n){options}",
            self.quote_table(&table.name),
            parts.join(",\n    ")
        ));
        out.extend(self.table_comments_sql(table)?);
        Ok(out)
    }

    /// `ALTER TABLE … RENAME TO …`.
    /// A table moved to another schema (`billing.invoices` from `invoices`) is
    /// `SET SCHEMA` first, then renamed if its name changes too.
    fn rename_table_sql(&self, op: &RenameTable) -> Result<Vec<String>, RenderError> {
        let (old_schema, old_bare) = split_schema(&op.name);
        let (new_schema, new_bare) = split_schema(&op.new_name);
        self.check_identifier("table", new_bare)?;
        self.supports_schema_of(&op.name)?;
        self.supports_schema_of(&op.new_name)?;
        let mut out = Vec::new();
        let mut current = op.name.clone();
        if old_schema != new_schema {
            match new_schema {
                Some(schema) => {
                    out.push(format!(
                        "CREATE SCHEMA IF NOT EXISTS {}",
                        self.quote(schema)
                    ));
                    out.push(format!(
                        "ALTER TABLE {} SET SCHEMA {}",
                        self.quote_table(&op.name),
                        self.quote(schema)
                    ));
                    current = format!("{schema}.{old_bare}");
                }
                // Back to the connection's current schema, which has no name
                // here: DDL takes no function, a DO block does.
                None => {
                    out.push(format!(
                        "DO $retort$ BEGIN EXECUTE format('ALTER TABLE %s SET SCHEMA %I', {}, current_schema()); END $retort$",
                        self.string_literal(&self.quote_table(&op.name))
                    ));
                    current = old_bare.to_owned();
                }
            }
        }
        if old_bare != new_bare {
            out.push(format!(
                "ALTER TABLE {} RENAME TO {}",
                self.quote_table(&current),
                self.quote(new_bare)
            ));
        }
        Ok(out)
    }

    /// Refuses a schema-qualified table name where tables have no schemas.
    fn supports_schema_of(&self, table: &str) -> Result<(), RenderError> {
        match split_schema(table) {
            (Some(schema), _) if !self.supports_schemas() => Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!("use table `{table}` in schema `{schema}`"),
                hint: format!(
                    "only PostgreSQL keeps tables in schemas; {} has one namespace per database: \
                     remove schema = \"{schema}\" (from the model, or version_table_schema from \
                     Retort.toml); a table in another database is a model with database = .. \
                     and a [[databases]] entry in Retort.toml",
                    self.name()
                ),
            }),
            _ => Ok(()),
        }
    }

    /// `ALTER TABLE … ADD COLUMN …`.
    fn add_column_sql(
        &self,
        op: &AddColumn,
        _current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        let host = Table::new(op.table.clone());
        let mut out = vec![format!(
            "ALTER TABLE {} ADD COLUMN {}",
            self.quote_table(&op.table),
            self.column_sql(&host, &op.column)?
        )];
        if op.column.comment.is_some() && !self.inline_comments() {
            out.extend(self.comment_sql(
                &SetComment {
                    table: op.table.clone(),
                    column: Some(op.column.name.clone()),
                    comment: op.column.comment.clone(),
                    existing: None,
                },
                None,
            )?);
        }
        Ok(out)
    }

    /// `ALTER TABLE … DROP COLUMN …`.
    fn drop_column_sql(
        &self,
        op: &DropColumn,
        _current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        Ok(vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            self.quote_table(&op.table),
            self.quote(&op.name)
        )])
    }

    /// `CREATE [UNIQUE] INDEX name ON table [USING m] (keys) [INCLUDE (…)]
    /// [NULLS NOT DISTINCT] [WHERE …]`, what the database has of it (refused
    /// otherwise, [`Dialect::supports_index`]).
    fn create_index_sql(&self, op: &CreateIndex) -> Result<Vec<String>, RenderError> {
        self.check_identifier("index", &op.index.name)?;
        self.supports_index(&op.table, &op.index)?;
        let index = &op.index;
        let keys: Vec<String> = index
            .columns
            .iter()
            .map(|k| self.index_key_sql(k))
            .collect();
        // MySQL's full-text and spatial indexes are kinds, not methods.
        let kind = match index
            .using
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("fulltext") => "FULLTEXT ",
            Some("spatial") => "SPATIAL ",
            _ if index.unique => "UNIQUE ",
            _ => "",
        };
        let method = index
            .using
            .as_deref()
            .filter(|_| !matches!(kind, "FULLTEXT " | "SPATIAL "));
        let mut sql = if self.index_method_before_on() {
            let using = method
                .map(|m| format!(" USING {}", m.to_ascii_uppercase()))
                .unwrap_or_default();
            format!(
                "CREATE {kind}INDEX {}{using} ON {} ({})",
                self.quote(&index.name),
                self.quote_table(&op.table),
                keys.join(", ")
            )
        } else {
            format!(
                "CREATE {kind}INDEX {} ON {}{} ({})",
                self.quote(&index.name),
                self.quote_table(&op.table),
                method
                    .map(|m| format!(" USING {}", m.to_ascii_lowercase()))
                    .unwrap_or_default(),
                keys.join(", ")
            )
        };
        if !index.include.is_empty() {
            sql.push_str(&format!(" INCLUDE ({})", self.quote_list(&index.include)));
        }
        if index.nulls_not_distinct {
            sql.push_str(" NULLS NOT DISTINCT");
        }
        if let Some(predicate) = &index.predicate {
            sql.push_str(&format!(" WHERE {predicate}"));
        }
        if op.concurrently {
            sql = self.without_blocking(sql);
        }
        Ok(vec![sql])
    }

    /// `CREATE INDEX` or `DROP INDEX` made not to block writes
    /// (`op.concurrently()`): PostgreSQL's `CONCURRENTLY`, MySQL's
    /// `ALGORITHM=INPLACE LOCK=NONE` (an error where the server cannot); as it
    /// is elsewhere.
    fn without_blocking(&self, sql: String) -> String {
        match self.backend() {
            Backend::Postgres => sql.replacen("INDEX ", "INDEX CONCURRENTLY ", 1),
            Backend::Mysql => format!("{sql} ALGORITHM=INPLACE LOCK=NONE"),
            Backend::Sqlite => sql,
        }
    }

    /// One key of `CREATE INDEX`: `"created_at" DESC NULLS LAST`, `(lower(email))`,
    /// `"title"(20)`, `"tags" jsonb_path_ops`.
    fn index_key_sql(&self, key: &IndexKey) -> String {
        let mut out = if key.expression {
            format!("({})", key.column)
        } else {
            self.quote(&key.column)
        };
        if let Some(n) = key.length {
            out.push_str(&format!("({n})"));
        }
        if let Some(op) = &key.opclass {
            out.push(' ');
            out.push_str(op);
        }
        if key.descending {
            out.push_str(" DESC");
        }
        match key.nulls {
            Some(NullsOrder::First) => out.push_str(" NULLS FIRST"),
            Some(NullsOrder::Last) => out.push_str(" NULLS LAST"),
            None => {}
        }
        out
    }

    /// Whether `USING method` goes before `ON` (MySQL) rather than after the
    /// table (PostgreSQL).
    fn index_method_before_on(&self) -> bool {
        false
    }

    /// What this database has of an index's features.
    fn index_support(&self) -> IndexSupport;

    /// `index` refused where this database lacks one of its features, naming the
    /// table, the index, the model attribute and what to write instead.
    fn supports_index(&self, table: &str, index: &Index) -> Result<(), RenderError> {
        let has = self.index_support();
        let refuse = |attribute: &str, hint: &str| {
            Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!(
                    "create index `{}` on `{table}` with {attribute}",
                    index.name
                ),
                hint: hint.to_owned(),
            })
        };
        if index.predicate.is_some() && !has.partial {
            return refuse(
                "`where = ..` (a partial index)",
                "MySQL and MariaDB have no partial indexes: index the whole columns, or a \
                 generated column that is NULL where the predicate does not hold",
            );
        }
        if index.columns.iter().any(|k| k.expression) && !has.expressions {
            return refuse(
                "an expression key",
                "Retort does not write MySQL 8's functional key parts (MariaDB has none): \
                 add a generated column holding the expression and index it",
            );
        }
        if index.columns.iter().any(|k| k.nulls.is_some()) && !has.nulls_order {
            return refuse(
                "`nulls_first` / `nulls_last`",
                "only PostgreSQL places NULLs in an index: here they sort first ascending and \
                 last descending; remove nulls_first / nulls_last",
            );
        }
        if index.columns.iter().any(|k| k.opclass.is_some()) && !has.opclass {
            return refuse(
                "`opclass = ..`",
                "operator classes are PostgreSQL's: remove opclass",
            );
        }
        if index.columns.iter().any(|k| k.length.is_some()) && !has.prefix_length {
            return refuse(
                "a prefix length `column(n)`",
                "prefix lengths are MySQL's: index the whole column, or an expression \
                 (\"substr(title, 1, 20)\")",
            );
        }
        if !index.include.is_empty() && !has.include {
            return refuse(
                "`include(..)` (a covering index)",
                "INCLUDE is PostgreSQL's: add the columns as the index's last keys",
            );
        }
        if index.nulls_not_distinct && !has.nulls_not_distinct {
            return refuse(
                "`nulls_not_distinct`",
                "NULLS NOT DISTINCT is PostgreSQL's (15 and later): make the columns NOT NULL, \
                 or index coalesce(..) of them",
            );
        }
        if let Some(method) = &index.using {
            if !has.methods.contains(&method.to_ascii_lowercase().as_str()) {
                let hint = if has.methods.is_empty() {
                    "this database has one index method: remove using".to_owned()
                } else {
                    format!(
                        "this database's index methods are {}",
                        has.methods.join(", ")
                    )
                };
                return refuse(&format!("`using = \"{method}\"`"), &hint);
            }
        }
        Ok(())
    }

    /// An index as this database keeps it: the default NULLs placement and the
    /// default method (`btree`) left out, method and operator class in lower case.
    fn stored_index(&self, index: &Index) -> Index {
        let mut out = index.clone();
        for key in &mut out.columns {
            key.nulls = key.normalized_nulls();
            key.opclass = key.opclass.as_ref().map(|o| o.to_ascii_lowercase());
        }
        out.using = out
            .using
            .map(|m| m.to_ascii_lowercase())
            .filter(|m| m != "btree");
        out
    }

    /// `DROP INDEX`.
    fn drop_index_sql(&self, op: &DropIndex) -> Result<Vec<String>, RenderError> {
        let sql = format!("DROP INDEX {}", self.quote_index(&op.table, &op.name));
        Ok(vec![if op.concurrently {
            self.without_blocking(sql)
        } else {
            sql
        }])
    }

    /// `ALTER TABLE … ADD CONSTRAINT …`.
    fn add_constraint_sql(
        &self,
        op: &AddConstraint,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        default_add_constraint_sql(self, op, current)
    }

    /// `ALTER TABLE … DROP CONSTRAINT …`.
    fn drop_constraint_sql(
        &self,
        op: &DropConstraint,
        _current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        Ok(vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            self.quote_table(&op.table),
            self.quote(&op.name)
        )])
    }

    /// Several changes to one table: each in turn (SQLite rebuilds once instead).
    fn batch_sql(
        &self,
        batch: &Batch,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        let mut table = current.cloned();
        let mut out = Vec::new();
        for op in &batch.ops {
            out.extend(self.op_sql(op, table.as_ref())?);
            if let Some(t) = &mut table {
                t.apply(op)?;
            }
        }
        Ok(out)
    }

    /// The SQL with each `?` (outside quotes and comments) replaced by the next
    /// parameter, written as a literal.
    fn execute_sql(&self, op: &Execute) -> Result<Vec<String>, RenderError> {
        if op.params.is_empty() {
            return Ok(vec![op.sql.clone()]);
        }
        let mut literals = Vec::with_capacity(op.params.len());
        for p in &op.params {
            literals.push(self.value_sql(p)?);
        }
        Ok(vec![substitute_placeholders(&op.sql, &literals)?])
    }

    /// Multi-row `INSERT`s with the values as literals, as many rows per
    /// statement as the limits allow (what `--sql` prints).
    fn bulk_insert_sql(&self, op: &BulkInsert) -> Result<Vec<String>, RenderError> {
        Ok(bulk_insert_statements(self, op, false)?
            .into_iter()
            .map(|(sql, _)| sql)
            .collect())
    }

    /// A placeholder for the `n`th bound parameter (from 1): `?`, or PostgreSQL's
    /// `$n`.
    fn placeholder(&self, n: usize) -> String {
        let _ = n;
        "?".to_owned()
    }

    /// How many parameters one statement may bind.
    fn max_bound_params(&self) -> usize {
        // MySQL and PostgreSQL count them in 16 bits.
        65_535
    }

    /// The statements of an op whose values can travel as bound parameters, with
    /// those values: `execute_with` of one statement, and `bulk_insert`. `None` for
    /// every other op (and for `execute` of several statements, which run as text
    /// with literals). NULL stays inline: it has no type to bind with; so does
    /// untyped text (`Value::Enum`), a literal the database reads as the column's
    /// type.
    fn bound_sql<'a>(&self, op: &'a Op) -> Result<Option<Vec<BoundStatement<'a>>>, RenderError> {
        match op {
            Op::Execute(Execute { sql, params }) => {
                if params.is_empty() || scan_sql(sql).statements > 1 {
                    return Ok(None);
                }
                let mut bound = Vec::new();
                let marks: Vec<String> = params
                    .iter()
                    .map(|p| match p {
                        Value::Null => Ok("NULL".to_owned()),
                        // Untyped text: a literal, read as the column's type.
                        Value::Enum(_) => self.value_sql(p),
                        value => {
                            bound.push(value);
                            Ok(self.placeholder(bound.len()))
                        }
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Some(vec![(substitute_placeholders(sql, &marks)?, bound)]))
            }
            Op::BulkInsert(insert) => Ok(Some(bulk_insert_statements(self, insert, true)?)),
            _ => Ok(None),
        }
    }

    /// The statements for one op. `current` is the table the op changes, as it is
    /// now, when [`Dialect::needs_table`] asked for it.
    fn op_sql(&self, op: &Op, current: Option<&Table>) -> Result<Vec<String>, RenderError> {
        default_op_sql(self, op, current)
    }

    /// `expr` read as text (the log's timestamps, whatever their type).
    fn as_text(&self, expr: &str) -> String {
        format!("CAST({expr} AS VARCHAR(40))")
    }

    /// DDL of the version table (`version_num`, one row per head).
    fn version_table_sql(&self, table: &str) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    {} VARCHAR(32) NOT NULL,\n    CONSTRAINT {} PRIMARY KEY ({})\n)",
            self.quote_table(table),
            self.quote("version_num"),
            self.quote(&format!("{}_pkc", split_schema(table).1)),
            self.quote("version_num")
        )
    }
}

/// Multi-row `INSERT`s: with `bound`, placeholders and the values beside them
/// (as many rows per statement as the parameter limit allows), else literals.
fn bulk_insert_statements<'a, D: Dialect + ?Sized>(
    d: &D,
    op: &'a BulkInsert,
    bound: bool,
) -> Result<Vec<BoundStatement<'a>>, RenderError> {
    if let Some((i, row)) = op
        .rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.len() != op.columns.len())
    {
        return Err(RenderError::BadValue(format!(
            "bulk_insert into `{}`: row {} has {} value(s) for {} column(s)",
            op.table,
            i + 1,
            row.len(),
            op.columns.len()
        )));
    }
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        d.quote_table(&op.table),
        d.quote_list(&op.columns)
    );
    let (mut max_rows, max_bytes) = d.bulk_insert_limits();
    if bound {
        max_rows = max_rows.min((d.max_bound_params() / op.columns.len().max(1)).max(1));
    }
    let mut statements = Vec::new();
    let mut sql = head.clone();
    let mut params = Vec::new();
    let mut rows_in = 0;
    for row in &op.rows {
        if rows_in > 0 && (rows_in == max_rows || (!bound && sql.len() > max_bytes)) {
            statements.push((
                std::mem::replace(&mut sql, head.clone()),
                std::mem::take(&mut params),
            ));
            rows_in = 0;
        }
        let mut tuple = String::from(if rows_in > 0 { ", (" } else { "(" });
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                tuple.push_str(", ");
            }
            match v {
                Value::Null => tuple.push_str("NULL"),
                // Untyped text (an enum's value, a snapshot's text column): a
                // literal, which each database reads as the column's type (a
                // bound parameter has a type of its own on PostgreSQL).
                v @ Value::Enum(_) => tuple.push_str(&d.value_sql(v)?),
                v if bound => {
                    params.push(v);
                    tuple.push_str(&d.placeholder(params.len()));
                }
                v => tuple.push_str(&d.value_sql(v)?),
            }
        }
        tuple.push(')');
        if !bound && rows_in > 0 && sql.len() + tuple.len() > max_bytes {
            statements.push((
                std::mem::replace(&mut sql, head.clone()),
                std::mem::take(&mut params),
            ));
            rows_in = 0;
            tuple.drain(..2);
        }
        sql.push_str(&tuple);
        rows_in += 1;
    }
    if rows_in > 0 {
        statements.push((sql, params));
    }
    Ok(statements)
}

/// What [`Dialect::add_constraint_sql`] does unless a dialect overrides it.
pub(crate) fn default_add_constraint_sql<D: Dialect + ?Sized>(
    d: &D,
    op: &AddConstraint,
    _current: Option<&Table>,
) -> Result<Vec<String>, RenderError> {
    // A unique constraint from an index built without blocking writes.
    if let (Constraint::Unique(unique), true) = (&op.constraint, op.concurrently) {
        match (d.backend(), unique.name.as_deref()) {
            (Backend::Postgres, Some(name)) => {
                let index = d.without_blocking(format!(
                    "CREATE UNIQUE INDEX {} ON {} ({})",
                    d.quote(name),
                    d.quote_table(&op.table),
                    d.quote_list(&unique.columns)
                ));
                return Ok(vec![
                    index,
                    format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}",
                        d.quote_table(&op.table),
                        d.quote(name),
                        d.quote(name)
                    ),
                ]);
            }
            (Backend::Mysql, _) => {
                return Ok(vec![format!(
                    "ALTER TABLE {} ADD {}, ALGORITHM=INPLACE, LOCK=NONE",
                    d.quote_table(&op.table),
                    d.unique_clause(unique)?
                )])
            }
            _ => {}
        }
    }
    let clause = match &op.constraint {
        Constraint::PrimaryKey { name, columns } => format!(
            "{}PRIMARY KEY ({})",
            d.constraint_name(name.as_deref())?,
            d.quote_list(columns)
        ),
        Constraint::Unique(u) => d.unique_clause(u)?,
        Constraint::ForeignKey(f) => d.foreign_key_clause(f)?,
        Constraint::Check(c) => d.check_clause(c)?,
    };
    let not_valid = op.not_valid
        && d.backend() == Backend::Postgres
        && matches!(
            op.constraint,
            Constraint::ForeignKey(_) | Constraint::Check(_)
        );
    Ok(vec![format!(
        "ALTER TABLE {} ADD {clause}{}",
        d.quote_table(&op.table),
        if not_valid { " NOT VALID" } else { "" }
    )])
}

/// "create foreign key `fk` on `t` (a, b) to `u` CLAUSE", for refusals.
fn foreign_key_op(table: Option<&str>, foreign_key: &ForeignKey, clause: &str) -> String {
    format!(
        "create foreign key {}{}({}) to `{}` {clause}",
        foreign_key
            .name
            .as_deref()
            .map(|n| format!("`{n}` "))
            .unwrap_or_default(),
        table.map(|t| format!("on `{t}` ")).unwrap_or_default(),
        foreign_key.columns.join(", "),
        foreign_key.ref_table,
    )
}

/// What [`Dialect::op_sql`] does unless a dialect overrides it: one method per op.
pub(crate) fn default_op_sql<D: Dialect + ?Sized>(
    d: &D,
    op: &Op,
    current: Option<&Table>,
) -> Result<Vec<String>, RenderError> {
    match op {
        Op::CreateTable(CreateTable { table }) => d.create_table_sql(table),
        Op::DropTable(DropTable { name, .. }) => {
            Ok(vec![format!("DROP TABLE {}", d.quote_table(name))])
        }
        Op::RenameTable(op) => d.rename_table_sql(op),
        Op::AddColumn(op) => d.add_column_sql(op, current),
        Op::DropColumn(op) => d.drop_column_sql(op, current),
        Op::AlterColumn(alter) => {
            d.check_identifier("column", alter.new_name.as_deref().unwrap_or(&alter.name))?;
            let looked_up = current.and_then(|t| t.get_column(&alter.name));
            d.alter_column_sql(alter, alter.existing.as_ref().or(looked_up))
        }
        Op::CreateIndex(op) => d.create_index_sql(op),
        Op::DropIndex(op) => d.drop_index_sql(op),
        Op::AddConstraint(op) => d.add_constraint_sql(op, current),
        Op::DropConstraint(op) if op.name.is_empty() && !d.drops_unnamed_constraints() => {
            Err(RenderError::Unsupported {
                dialect: d.name(),
                op: Op::DropConstraint(op.clone()).summary(),
                hint: "this database names every constraint: drop it by the name it has".to_owned(),
            })
        }
        Op::DropConstraint(op) => d.drop_constraint_sql(op, current),
        Op::Batch(batch) => d.batch_sql(batch, current),
        Op::Execute(op) => d.execute_sql(op),
        Op::BulkInsert(op) => d.bulk_insert_sql(op),
        Op::CreateEnum(op) => d.create_enum_sql(op),
        Op::DropEnum(op) => d.drop_enum_sql(op),
        Op::AlterEnum(op) => {
            let tables: Vec<Table> = current.into_iter().cloned().collect();
            let sql = d.alter_enum_sql(op, &tables)?;
            Ok(sql.early.into_iter().chain(sql.statements).collect())
        }
        Op::SetComment(op) => d.comment_sql(op, current),
        // Only PostgreSQL adds a constraint without checking the rows.
        Op::ValidateConstraint(op) if d.backend() == Backend::Postgres => Ok(vec![format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            d.quote_table(&op.table),
            d.quote(&op.name)
        )]),
        Op::ValidateConstraint(_) => Ok(Vec::new()),
        Op::RenameConstraint(op) if d.renames(op.kind) => d.rename_constraint_sql(op),
        Op::RenameConstraint(op) => Err(RenderError::Unsupported {
            dialect: d.name(),
            op: Op::RenameConstraint(op.clone()).summary(),
            hint: "this database cannot rename it: drop it and create it again under the new name"
                .to_owned(),
        }),
    }
}

/// An enum type as a database stores it, for comparing columns: its name where
/// the database keeps one, its values left out (compared as the enum's own
/// change).
pub(crate) fn stored_enum(named: bool, name: &str) -> SqlType {
    SqlType::Enum {
        name: if named {
            name.to_owned()
        } else {
            String::new()
        },
        values: Vec::new(),
    }
}

/// An `alter_enum`'s columns grouped by table, tables in first-seen order.
pub(crate) fn enum_columns_by_table(op: &AlterEnum) -> Vec<(&str, Vec<&str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for (table, column) in &op.columns {
        match out.iter_mut().find(|(t, _)| t == table) {
            Some((_, columns)) => columns.push(column),
            None => out.push((table, vec![column])),
        }
    }
    out
}

/// Reads a list of SQL string literals (`'a','it''s'`), as MySQL's `enum(…)` and
/// SQLite's `IN (…)` print them: `None` when it is not one.
pub(crate) fn parse_string_list(text: &str) -> Option<Vec<String>> {
    let mut values = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next()? != '\'' {
            return None;
        }
        let mut value = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                '\\' => value.push(chars.next()?),
                c => value.push(c),
            }
        }
        values.push(value);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(values),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// Replaces each `?` placeholder (see [`scan_sql`]) by the next of `literals`.
pub fn substitute_placeholders(sql: &str, literals: &[String]) -> Result<String, RenderError> {
    let scan = scan_sql(sql);
    if scan.placeholders.len() != literals.len() {
        let found = scan.placeholders.len();
        return Err(RenderError::BadValue(if found > literals.len() {
            format!(
                "execute: the SQL has more `?` placeholders ({found}) than the {} parameter(s) given",
                literals.len()
            )
        } else {
            format!(
                "execute: {} parameter(s) given for {found} `?` placeholder(s)",
                literals.len()
            )
        }));
    }
    let mut out =
        String::with_capacity(sql.len() + literals.iter().map(String::len).sum::<usize>());
    let mut from = 0;
    for (at, literal) in scan.placeholders.iter().zip(literals) {
        out.push_str(&sql[from..*at]);
        out.push_str(literal);
        from = at + 1;
    }
    out.push_str(&sql[from..]);
    Ok(out)
}

/// Where the `?` placeholders of an SQL text are, and how many statements it
/// holds: outside string literals (`'…'`, PostgreSQL's `$tag$…$tag$`), quoted
/// identifiers (`"…"`, `` `…` ``), line comments (`-- …`) and block comments
/// (`/* … */`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlScan {
    /// Byte offsets of the placeholders.
    pub placeholders: Vec<usize>,
    /// Statements with something in them, separated by `;`.
    pub statements: usize,
}

/// Scans `sql` (see [`SqlScan`]).
pub fn scan_sql(sql: &str) -> SqlScan {
    let bytes = sql.as_bytes();
    let mut placeholders = Vec::new();
    let mut statements = 0;
    let mut content = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if !c.is_ascii() {
            // Only ASCII means anything here; step over the whole character.
            content = true;
            i += sql[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let rest = &sql[i..];
        let skip_to = |from: usize, end: &str| {
            sql[from..]
                .find(end)
                .map_or(sql.len(), |at| from + at + end.len())
        };
        let next = match c {
            b'\'' | b'"' | b'`' => {
                content = true;
                // A doubled quote inside is part of the text.
                let mut j = i + 1;
                loop {
                    match bytes[j..].iter().position(|b| *b == c) {
                        None => break sql.len(),
                        Some(at) if bytes.get(j + at + 1) == Some(&c) => j += at + 2,
                        Some(at) => break j + at + 1,
                    }
                }
            }
            b'-' if rest.starts_with("--") => skip_to(i, "\n"),
            b'/' if rest.starts_with("/*") => skip_to(i + 2, "*/"),
            b'$' => match dollar_tag(rest) {
                Some(tag) => {
                    content = true;
                    skip_to(i + tag.len(), tag)
                }
                None => {
                    content = true;
                    i + 1
                }
            },
            b'?' => {
                content = true;
                placeholders.push(i);
                i + 1
            }
            b';' => {
                if content {
                    statements += 1;
                }
                content = false;
                i + 1
            }
            c if c.is_ascii_whitespace() => i + 1,
            _ => {
                content = true;
                i + 1
            }
        };
        i = next;
    }
    if content {
        statements += 1;
    }
    SqlScan {
        placeholders,
        statements,
    }
}

/// `$tag$` or `$$` at the start of `text` (PostgreSQL's dollar quoting); not
/// `$1`.
fn dollar_tag(text: &str) -> Option<&str> {
    let end = text[1..].find('$')? + 2;
    let tag = &text[1..end - 1];
    let ok = tag.is_empty()
        || (tag.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    ok.then(|| &text[..end])
}

/// The dialect of a connection's database.
pub fn of(conn: &retort::Connection) -> &'static dyn Dialect {
    for_backend(conn.backend())
}

/// The dialect of a backend.
pub fn for_backend(backend: Backend) -> &'static dyn Dialect {
    match backend {
        Backend::Sqlite => &Sqlite,
        Backend::Postgres => &Postgres,
        Backend::Mysql => &Mysql,
    }
}

/// Reads the type names the SQL standard and most catalogs share (`INTEGER`,
/// `INT8`, `CHARACTER VARYING(50)`, `TIMESTAMP WITH TIME ZONE`…); anything else is a
/// [`SqlType::Custom`] of the normalised name. Dialects try their own spellings
/// first.
pub(crate) fn parse_standard_type(name: &str) -> SqlType {
    let (norm, base, args) = normalise_type_name(name);
    match (base.as_str(), args.as_deref()) {
        ("SMALLINT" | "INT2", None) => SqlType::SmallInt,
        ("INTEGER" | "INT" | "INT4", None) => SqlType::Integer,
        ("BIGINT" | "INT8", None) => SqlType::BigInt,
        ("REAL" | "FLOAT4", None) => SqlType::Real,
        ("DOUBLE PRECISION" | "FLOAT8", None) => SqlType::Double,
        ("BOOLEAN" | "BOOL", None) => SqlType::Boolean,
        ("TEXT", None) => SqlType::Text,
        ("VARCHAR" | "CHARACTER VARYING", Some(n)) => match n.trim().parse() {
            Ok(n) => SqlType::Varchar(n),
            Err(_) => SqlType::Custom(norm.into()),
        },
        ("BLOB", None) => SqlType::Blob,
        ("DATE", None) => SqlType::Date,
        ("TIME", None) => SqlType::Time,
        ("TIMESTAMP", None) => SqlType::Timestamp,
        ("TIMESTAMP WITH TIME ZONE" | "TIMESTAMPTZ", None) => SqlType::TimestampTz,
        ("UUID", None) => SqlType::Uuid,
        ("NUMERIC" | "DECIMAL", Some(args)) => {
            parse_decimal_args(args).unwrap_or_else(|| SqlType::Custom(norm.clone().into()))
        }
        _ => SqlType::Custom(norm.into()),
    }
}

/// `10,2` or `10` (scale 0) → [`SqlType::Decimal`].
pub(crate) fn parse_decimal_args(args: &str) -> Option<SqlType> {
    let (precision, scale) = args.split_once(',').unwrap_or((args, "0"));
    Some(SqlType::Decimal {
        precision: precision.trim().parse().ok()?,
        scale: scale.trim().parse().ok()?,
    })
}

/// Shared reading of type names: upper case, single spaces, no spaces around
/// parentheses and commas. Returns `(normalised, base, args)`.
pub(crate) fn normalise_type_name(name: &str) -> (String, String, Option<String>) {
    let norm = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(", ", ",")
        .replace(" ,", ",");
    match norm.find('(') {
        Some(i) if norm.ends_with(')') => {
            let base = norm[..i].trim().to_owned();
            let args = norm[i + 1..norm.len() - 1].to_owned();
            (norm, base, Some(args))
        }
        _ => (norm.clone(), norm, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_types_per_dialect() {
        let col = |ty: SqlType| Column::new("c", ty);
        let decimal = SqlType::Decimal {
            precision: 10,
            scale: 2,
        };
        let dialects: [&dyn Dialect; 3] = [&Sqlite, &Postgres, &Mysql];
        let names: Vec<[String; 3]> = dialects
            .iter()
            .map(|d| [SqlType::Uuid, SqlType::Json, decimal.clone()].map(|t| d.type_name(&col(t))))
            .collect();
        assert_eq!(names[0], ["CHAR(36)", "TEXT", "NUMERIC(10,2)"]);
        assert_eq!(names[1], ["UUID", "JSONB", "NUMERIC(10,2)"]);
        assert_eq!(names[2], ["CHAR(36)", "JSON", "DECIMAL(10,2)"]);
        for d in dialects {
            for ty in [SqlType::Uuid, SqlType::Json, decimal.clone()] {
                let table = Table::new("t").column(col(ty.clone()));
                assert_eq!(
                    d.canonical_type(&table, &col(ty.clone())),
                    ty,
                    "{}",
                    d.name()
                );
            }
            // What catalogs print.
            assert_eq!(
                d.parse_type("numeric(12, 4)"),
                SqlType::Decimal {
                    precision: 12,
                    scale: 4
                }
            );
            assert_eq!(
                d.parse_type("decimal(5)"),
                SqlType::Decimal {
                    precision: 5,
                    scale: 0
                }
            );
        }
        assert_eq!(
            Mysql.parse_type("uuid"),
            SqlType::Uuid,
            "MariaDB 10.7's own type"
        );
        assert_eq!(
            Postgres.parse_type("json"),
            SqlType::custom("JSON"),
            "not JSONB"
        );
        assert_eq!(
            Sqlite
                .column_sql(&Table::new("t"), &col(SqlType::Json).nullable())
                .unwrap(),
            "\"c\" TEXT CHECK (json_valid(\"c\"))"
        );
        let uuid_default =
            |d: &dyn Dialect| d.default_sql(&ServerDefault::NewUuid, &col(SqlType::Uuid));
        assert_eq!(uuid_default(&Postgres), "gen_random_uuid()");
        assert_eq!(uuid_default(&Mysql), "(uuid())");
        assert!(uuid_default(&Sqlite).contains("randomblob"));
        let id = Value::uuid("67E55044-10B1-426F-9247-BB680E5FE0C8").unwrap();
        assert_eq!(
            Postgres.value_sql(&id).unwrap(),
            "'67e55044-10b1-426f-9247-bb680e5fe0c8'"
        );
        assert_eq!(
            Mysql.value_sql(&Value::decimal("+1.50").unwrap()).unwrap(),
            "1.50"
        );
        assert!(Mysql
            .value_sql(&Value::Decimal("1; DROP TABLE t".into()))
            .is_err());
    }

    #[test]
    fn enum_types_per_dialect() {
        let status = Column::new(
            "status",
            SqlType::enumeration("order_status", ["a", "it's"]),
        );
        assert_eq!(Postgres.type_name(&status), "\"order_status\"");
        assert_eq!(Mysql.type_name(&status), "ENUM('a', 'it''s')");
        assert_eq!(Sqlite.type_name(&status), "TEXT");
        assert_eq!(
            Sqlite.column_constraint(&status).as_deref(),
            Some("CHECK (\"status\" IN ('a', 'it''s'))")
        );
        assert_eq!(
            Mysql.parse_type("enum('a','it''s','x,y')"),
            SqlType::enumeration("", ["a", "it's", "x,y"])
        );
        assert_eq!(
            parse_string_list("'a' , 'b'"),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(parse_string_list("'a', b"), None);
        assert_eq!(parse_string_list("'a"), None);
        // Compared by name where the database keeps one, values apart.
        let t = Table::new("t");
        let other = Column::new("status", SqlType::enumeration("order_status", ["b"]));
        assert_eq!(
            Postgres.canonical_type(&t, &status),
            Postgres.canonical_type(&t, &other)
        );
        let renamed = Column::new("status", SqlType::enumeration("state", ["a"]));
        assert_ne!(
            Postgres.canonical_type(&t, &status),
            Postgres.canonical_type(&t, &renamed)
        );
        assert_eq!(
            Mysql.canonical_type(&t, &status),
            Mysql.canonical_type(&t, &renamed)
        );
    }

    #[test]
    fn placeholders_skip_quotes_and_comments() {
        let sql = substitute_placeholders(
            "UPDATE t SET a = ?, b = '?' -- what?\nWHERE \"c?\" = ?",
            &["1".into(), "'x'".into()],
        )
        .unwrap();
        assert_eq!(
            sql,
            "UPDATE t SET a = 1, b = '?' -- what?\nWHERE \"c?\" = 'x'"
        );
        let err = substitute_placeholders("SELECT ?", &[]).unwrap_err();
        assert!(err.to_string().contains("more `?` placeholders"), "{err}");
        let err = substitute_placeholders("SELECT 1", &["1".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "execute: 1 parameter(s) given for 0 `?` placeholder(s)"
        );
    }

    #[test]
    fn scans_block_comments_dollar_quotes_and_statements() {
        let scan = scan_sql(
            "SELECT ? /* what? */, $$ a ? $$, $x$ ? $x$, $1 -- ?\n; UPDATE t SET a = ?;  ",
        );
        assert_eq!(scan.placeholders.len(), 2);
        assert_eq!(scan.statements, 2);
        assert_eq!(scan_sql("SELECT 'a;b', \"c;\"").statements, 1);
        assert_eq!(scan_sql("  ;  ").statements, 0);
        assert_eq!(scan_sql("SELECT 'it''s ?'").placeholders.len(), 0);
        // Unterminated text ends the scan rather than panicking.
        assert_eq!(scan_sql("SELECT 'open ? ").placeholders.len(), 0);
        assert_eq!(scan_sql("/* open ?").placeholders.len(), 0);
        assert_eq!(scan_sql("$").statements, 1);
    }

    #[test]
    fn bulk_insert_batches_rows() {
        let op = BulkInsert {
            table: "t".into(),
            columns: vec!["a".into()],
            rows: (0..12001).map(|i| vec![Value::Int(i)]).collect(),
        };
        let statements = Sqlite.bulk_insert_sql(&op).unwrap();
        assert_eq!(statements.len(), 3);
        assert!(statements[0].starts_with("INSERT INTO \"t\" (\"a\") VALUES (0), (1), "));
        assert!(statements[2].ends_with("(12000)"));
    }

    #[test]
    fn values_as_literals() {
        assert_eq!(Postgres.value_sql(&Value::Float(2.0)).unwrap(), "2.0");
        assert!(Postgres.value_sql(&Value::Float(f64::NAN)).is_err());
        // Backslashes in E'' strings mean the same whatever
        // standard_conforming_strings says.
        assert_eq!(
            Postgres.value_sql(&Value::Bytes(vec![0, 255])).unwrap(),
            "E'\\\\x00ff'::bytea"
        );
        assert_eq!(
            Postgres
                .value_sql(&Value::Text("\\'); DROP TABLE victim; -- ".into()))
                .unwrap(),
            "E'\\\\''); DROP TABLE victim; -- '"
        );
        assert_eq!(
            Postgres.value_sql(&Value::Text("it's".into())).unwrap(),
            "'it''s'"
        );
        assert_eq!(
            Mysql.value_sql(&Value::Text("a\\'b".into())).unwrap(),
            "'a\\\\''b'"
        );
        assert_eq!(Sqlite.value_sql(&Value::Bool(true)).unwrap(), "1");
    }
}
