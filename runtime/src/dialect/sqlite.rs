//! SQLite.

use super::{Dialect, RenderError};
use crate::schema::{Column, ForeignKey, ServerDefault, SqlType};

/// The SQLite dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn transactional_ddl(&self) -> bool {
        true
    }

    fn max_identifier_len(&self) -> Option<usize> {
        None
    }

    fn type_name(&self, column: &Column, inline_key: bool) -> String {
        // Only a column declared exactly `INTEGER PRIMARY KEY` is SQLite's rowid, the
        // one column that counts up by itself; SQLite integers are 64-bit anyway.
        if inline_key && column.sql_type.is_integer() {
            return "INTEGER".to_owned();
        }
        column.sql_type.to_string()
    }

    fn parse_type(&self, name: &str) -> SqlType {
        parse_type_name(name)
    }

    fn inline_key_clause(&self) -> String {
        " PRIMARY KEY AUTOINCREMENT".to_owned()
    }

    fn default_sql(&self, default: &ServerDefault, sql_type: &SqlType) -> String {
        match default {
            ServerDefault::Number(n) => n.to_string(),
            ServerDefault::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
            ServerDefault::Text(s) => self.string_literal(s),
            ServerDefault::CurrentTimestamp => "CURRENT_TIMESTAMP".to_owned(),
            ServerDefault::CurrentDate => "CURRENT_DATE".to_owned(),
            ServerDefault::CurrentTime => "CURRENT_TIME".to_owned(),
            ServerDefault::Sql(expr) => {
                let _ = sql_type;
                format!("({expr})")
            }
        }
    }

    fn check_add_column(&self, table: &str, column: &Column) -> Result<(), RenderError> {
        if !column.nullable && column.default.is_none() {
            return Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!(
                    "add NOT NULL column `{}` without a default to table `{table}`",
                    column.name
                ),
                hint: "existing rows would have no value; give the column a server default \
                       (#[model(default = ...)]) or make it nullable (Option<T>)"
                    .to_owned(),
            });
        }
        if column.autoincrement {
            return Err(RenderError::Unsupported {
                dialect: self.name(),
                op: format!("add autoincrement column `{}` to table `{table}`", column.name),
                hint: "SQLite's only autoincrement column is the INTEGER PRIMARY KEY given when the table is created"
                    .to_owned(),
            });
        }
        Ok(())
    }

    fn create_foreign_key_sql(
        &self,
        table: &str,
        foreign_key: &ForeignKey,
    ) -> Result<Vec<String>, RenderError> {
        Err(RenderError::Unsupported {
            dialect: self.name(),
            op: format!(
                "add foreign key {}to existing table `{table}`",
                foreign_key.name.as_deref().map(|n| format!("`{n}` ")).unwrap_or_default()
            ),
            hint: "SQLite only declares foreign keys in CREATE TABLE; create the table with the foreign key \
                   (autogenerate does this), or rebuild the table"
                .to_owned(),
        })
    }
}

/// SQLite keeps the declared type text; read it back into a neutral type.
pub(crate) fn parse_type_name(name: &str) -> SqlType {
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
    let (base, args) = match norm.find('(') {
        Some(i) if norm.ends_with(')') => (norm[..i].trim(), Some(&norm[i + 1..norm.len() - 1])),
        _ => (norm.as_str(), None),
    };
    match (base, args) {
        ("SMALLINT" | "INT2", None) => SqlType::SmallInt,
        ("INTEGER" | "INT" | "INT4", None) => SqlType::Integer,
        ("BIGINT" | "INT8", None) => SqlType::BigInt,
        ("REAL" | "FLOAT" | "FLOAT4", None) => SqlType::Real,
        ("DOUBLE" | "DOUBLE PRECISION" | "FLOAT8", None) => SqlType::Double,
        ("BOOLEAN" | "BOOL", None) => SqlType::Boolean,
        ("TEXT", None) => SqlType::Text,
        ("VARCHAR" | "CHARACTER VARYING", Some(n)) => match n.trim().parse() {
            Ok(n) => SqlType::Varchar(n),
            Err(_) => SqlType::Custom(norm.clone().into()),
        },
        ("BLOB", None) => SqlType::Blob,
        ("DATE", None) => SqlType::Date,
        ("TIME", None) => SqlType::Time,
        ("TIMESTAMP" | "DATETIME", None) => SqlType::Timestamp,
        ("TIMESTAMP WITH TIME ZONE" | "TIMESTAMPTZ", None) => SqlType::TimestampTz,
        _ => SqlType::Custom(norm.clone().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{AddColumn, CreateIndex, Op};
    use crate::schema::{FkAction, Index, Table};

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
        });
        assert_eq!(
            Sqlite.op_sql(&op).unwrap(),
            vec!["CREATE UNIQUE INDEX \"ix users\" ON \"users\" (\"a\", \"b\")".to_owned()]
        );
    }

    #[test]
    fn not_null_column_without_default_is_refused_with_a_reason() {
        let op = Op::AddColumn(AddColumn {
            table: "users".into(),
            column: Column::new("age", SqlType::Integer),
        });
        let err = Sqlite.op_sql(&op).unwrap_err().to_string();
        assert!(
            err.contains("`age`") && err.contains("`users`") && err.contains("default"),
            "{err}"
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
        ] {
            assert_eq!(parse_type_name(&ty.to_string()), ty);
        }
        assert_eq!(
            parse_type_name("numeric(10, 2)"),
            SqlType::custom("NUMERIC(10,2)")
        );
    }
}
