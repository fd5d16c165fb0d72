//! SQL dialects: quoting, type names, and the DDL for each [`Op`].
//!
//! Shared SQL lives in the trait's provided methods; a dialect implements only what
//! really differs (type names, autoincrement, what its `ALTER TABLE` can do).

mod sqlite;

pub use sqlite::Sqlite;

use crate::ops::{
    AddColumn, CreateIndex, CreateTable, DropColumn, DropIndex, DropTable, Execute, Op,
};
use crate::schema::{Column, ForeignKey, ServerDefault, SqlType, Table};

/// Why an op cannot become SQL for a dialect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The dialect cannot do this (yet); `hint` says what to do instead.
    #[error("{dialect} cannot {op}: {hint}")]
    Unsupported {
        /// Dialect name.
        dialect: &'static str,
        /// What was asked, e.g. "add foreign key `fk_x` to table `orders`".
        op: String,
        /// What to do instead.
        hint: String,
    },
    /// An identifier is empty or too long.
    #[error("{what} `{name}` {problem}")]
    BadIdentifier {
        /// "table", "column", "index"…
        what: &'static str,
        /// The identifier.
        name: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// One SQL dialect.
pub trait Dialect: Send + Sync {
    /// Name for messages (`sqlite`, `postgresql`, `mysql`).
    fn name(&self) -> &'static str;

    /// Whether DDL runs inside transactions (a failed revision rolls back).
    fn transactional_ddl(&self) -> bool;

    /// Longest identifier the database accepts, in bytes (`None`: no limit).
    fn max_identifier_len(&self) -> Option<usize>;

    /// The stored type name of a column. `inline_key` is true for a single-column
    /// autoincrement primary key rendered inline.
    fn type_name(&self, column: &Column, inline_key: bool) -> String;

    /// Reads a stored type name back (inverse of [`Dialect::type_name`]).
    fn parse_type(&self, name: &str) -> SqlType;

    /// The SQL of a server default, as it follows `DEFAULT`.
    fn default_sql(&self, default: &ServerDefault, sql_type: &SqlType) -> String;

    /// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` (or the dialect's refusal).
    fn create_foreign_key_sql(
        &self,
        table: &str,
        foreign_key: &ForeignKey,
    ) -> Result<Vec<String>, RenderError>;

    /// Extra checks before `ADD COLUMN` (SQLite refuses some columns).
    fn check_add_column(&self, _table: &str, _column: &Column) -> Result<(), RenderError> {
        Ok(())
    }

    /// Quotes an identifier: `"a""b"`.
    fn quote(&self, ident: &str) -> String {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }

    /// Quotes a string literal: `'it''s'`.
    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    /// The type as this dialect stores it, for comparing a model with a database:
    /// two types are the same when they render to the same stored type.
    fn canonical_type(&self, table: &Table, column: &Column) -> SqlType {
        self.parse_type(&self.type_name(column, self.is_inline_key(table, column)))
    }

    /// Whether `column` is the single autoincrement key, rendered inline.
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

    /// `"name" TYPE [NOT NULL] [DEFAULT …]` (and the inline key clause).
    fn column_sql(&self, table: &Table, column: &Column) -> Result<String, RenderError> {
        self.check_identifier("column", &column.name)?;
        let inline_key = self.is_inline_key(table, column);
        let mut sql = format!(
            "{} {}",
            self.quote(&column.name),
            self.type_name(column, inline_key)
        );
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
        if inline_key {
            sql.push_str(&self.inline_key_clause());
        }
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&self.default_sql(default, &column.sql_type));
        }
        Ok(sql)
    }

    /// What follows an inline autoincrement key column (`PRIMARY KEY AUTOINCREMENT`).
    fn inline_key_clause(&self) -> String {
        " PRIMARY KEY".to_owned()
    }

    /// `CONSTRAINT "fk" FOREIGN KEY (…) REFERENCES "t" (…) [ON DELETE …] [ON UPDATE …]`.
    fn foreign_key_clause(&self, foreign_key: &ForeignKey) -> Result<String, RenderError> {
        let mut sql = String::new();
        if let Some(name) = &foreign_key.name {
            self.check_identifier("foreign key", name)?;
            sql.push_str(&format!("CONSTRAINT {} ", self.quote(name)));
        }
        sql.push_str(&format!(
            "FOREIGN KEY ({}) REFERENCES {} ({})",
            self.quote_list(&foreign_key.columns),
            self.quote(&foreign_key.ref_table),
            self.quote_list(&foreign_key.ref_columns)
        ));
        if foreign_key.on_delete != crate::schema::FkAction::NoAction {
            sql.push_str(" ON DELETE ");
            sql.push_str(foreign_key.on_delete.as_sql());
        }
        if foreign_key.on_update != crate::schema::FkAction::NoAction {
            sql.push_str(" ON UPDATE ");
            sql.push_str(foreign_key.on_update.as_sql());
        }
        Ok(sql)
    }

    /// `"a", "b"`.
    fn quote_list(&self, names: &[String]) -> String {
        names
            .iter()
            .map(|n| self.quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `CREATE TABLE` with columns, key, uniques and foreign keys.
    fn create_table_sql(&self, table: &Table) -> Result<Vec<String>, RenderError> {
        self.check_identifier("table", &table.name)?;
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
        let inline_key = table.columns.iter().any(|c| self.is_inline_key(table, c));
        if !table.primary_key.is_empty() && !inline_key {
            parts.push(format!(
                "PRIMARY KEY ({})",
                self.quote_list(&table.primary_key)
            ));
        }
        for unique in &table.uniques {
            let mut sql = String::new();
            if let Some(name) = &unique.name {
                self.check_identifier("unique constraint", name)?;
                sql.push_str(&format!("CONSTRAINT {} ", self.quote(name)));
            }
            sql.push_str(&format!("UNIQUE ({})", self.quote_list(&unique.columns)));
            parts.push(sql);
        }
        for foreign_key in &table.foreign_keys {
            parts.push(self.foreign_key_clause(foreign_key)?);
        }
        Ok(vec![format!(
            "CREATE TABLE {} (\n    {}\n)",
            self.quote(&table.name),
            parts.join(",\n    ")
        )])
    }

    /// `CREATE [UNIQUE] INDEX`.
    fn create_index_sql(&self, op: &CreateIndex) -> Result<Vec<String>, RenderError> {
        self.check_identifier("index", &op.index.name)?;
        Ok(vec![format!(
            "CREATE {}INDEX {} ON {} ({})",
            if op.index.unique { "UNIQUE " } else { "" },
            self.quote(&op.index.name),
            self.quote(&op.table),
            self.quote_list(&op.index.columns)
        )])
    }

    /// `DROP INDEX`.
    fn drop_index_sql(&self, op: &DropIndex) -> Result<Vec<String>, RenderError> {
        Ok(vec![format!("DROP INDEX {}", self.quote(&op.name))])
    }

    /// The statements for one op.
    fn op_sql(&self, op: &Op) -> Result<Vec<String>, RenderError> {
        match op {
            Op::CreateTable(CreateTable { table }) => self.create_table_sql(table),
            Op::DropTable(DropTable { name, .. }) => {
                Ok(vec![format!("DROP TABLE {}", self.quote(name))])
            }
            Op::AddColumn(AddColumn { table, column }) => {
                self.check_add_column(table, column)?;
                let host = Table::new(table.clone());
                Ok(vec![format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    self.quote(table),
                    self.column_sql(&host, column)?
                )])
            }
            Op::DropColumn(DropColumn { table, name, .. }) => Ok(vec![format!(
                "ALTER TABLE {} DROP COLUMN {}",
                self.quote(table),
                self.quote(name)
            )]),
            Op::CreateIndex(op) => self.create_index_sql(op),
            Op::DropIndex(op) => self.drop_index_sql(op),
            Op::CreateForeignKey(op) => self.create_foreign_key_sql(&op.table, &op.foreign_key),
            Op::Execute(Execute { sql }) => Ok(vec![sql.clone()]),
        }
    }

    /// DDL of the version table (`version_num`, one row per head).
    fn version_table_sql(&self, table: &str) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    {} VARCHAR(32) NOT NULL,\n    CONSTRAINT {} PRIMARY KEY ({})\n)",
            self.quote(table),
            self.quote("version_num"),
            self.quote(&format!("{table}_pkc")),
            self.quote("version_num")
        )
    }
}

/// The dialect for a URL scheme name.
pub fn for_backend(backend: crate::config::Backend) -> &'static dyn Dialect {
    match backend {
        crate::config::Backend::Sqlite => &Sqlite,
    }
}
