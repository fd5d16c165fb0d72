//! Raw SQL of `op.execute(..)` read as the typed ops it amounts to, for the
//! safety linter: sqlparser parses each statement in the database's dialect,
//! and what is a table, column, index or constraint change becomes the [`Op`]
//! that would do it, carrying what the rules look at (names, nullability,
//! defaults as SQL text, `NOT VALID`, `CONCURRENTLY`). Data changes are data
//! changes; anything else is not understood.

use retort::ops::{AlterColumn, CreateIndex, DropIndex, Op, RenameTable, ValidateConstraint};
use retort::schema::{
    Check, Column, Constraint, ConstraintKind, ForeignKey, Index, ServerDefault, SqlType, Table,
    Unique,
};
use retort::Backend;
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnOption, DataType, ObjectName, ObjectNamePart,
    ObjectType, RenameTableNameKind, Statement, TableConstraint,
};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// One statement of raw SQL, as the linter sees it (short-lived: its size
/// does not matter).
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Raw {
    /// A schema change the typed ops can say.
    Op(Op),
    /// Rows read or written.
    Data,
    /// Not understood (the statement's first words).
    Unknown(String),
}

/// The statements of `sql`, or `None` when it does not parse.
pub fn read(sql: &str, backend: Backend) -> Option<Vec<Raw>> {
    let dialect: Box<dyn Dialect> = match backend {
        Backend::Postgres => Box::new(PostgreSqlDialect {}),
        Backend::Mysql => Box::new(MySqlDialect {}),
        Backend::Sqlite => Box::new(SQLiteDialect {}),
    };
    let statements = Parser::parse_sql(dialect.as_ref(), sql).ok()?;
    let mut out = Vec::new();
    for statement in statements {
        out.extend(statement_ops(&statement));
    }
    Some(out)
}

fn statement_ops(statement: &Statement) -> Vec<Raw> {
    let unknown = || {
        let text = statement.to_string();
        vec![Raw::Unknown(
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        )]
    };
    match statement {
        Statement::Query(_)
        | Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Delete(_) => vec![Raw::Data],
        Statement::CreateTable(create) => {
            let mut table = Table::new(name(&create.name));
            for column in &create.columns {
                table = table.column(column_of(column));
            }
            vec![Raw::Op(Op::CreateTable(retort::ops::CreateTable { table }))]
        }
        Statement::CreateIndex(create) => {
            let columns: Vec<String> = create
                .columns
                .iter()
                .map(|c| c.column.expr.to_string().trim_matches('"').to_owned())
                .collect();
            let mut index = Index::new(create.name.as_ref().map(name).unwrap_or_default(), columns);
            index.unique = create.unique;
            vec![Raw::Op(Op::CreateIndex(CreateIndex {
                table: name(&create.table_name),
                index,
                concurrently: create.concurrently,
            }))]
        }
        Statement::Drop {
            object_type,
            names,
            table,
            ..
        } => match object_type {
            ObjectType::Table => names
                .iter()
                .map(|n| {
                    Raw::Op(Op::DropTable(retort::ops::DropTable {
                        name: name(n),
                        existing: None,
                    }))
                })
                .collect(),
            ObjectType::Index => names
                .iter()
                .map(|n| {
                    Raw::Op(Op::DropIndex(DropIndex {
                        table: table.as_ref().map(name).unwrap_or_default(),
                        name: name(n),
                        existing: None,
                        // `DROP INDEX CONCURRENTLY` is not in sqlparser's tree.
                        concurrently: statement
                            .to_string()
                            .to_ascii_uppercase()
                            .contains("INDEX CONCURRENTLY"),
                    }))
                })
                .collect(),
            _ => unknown(),
        },
        Statement::AlterTable(alter) => {
            let table = name(&alter.name);
            alter
                .operations
                .iter()
                .map(|op| alter_op(&table, op).map_or_else(|| unknown().remove(0), Raw::Op))
                .collect()
        }
        _ => unknown(),
    }
}

fn alter_op(table: &str, op: &AlterTableOperation) -> Option<Op> {
    Some(match op {
        AlterTableOperation::AddColumn { column_def, .. } => {
            Op::add_column(table, column_of(column_def))
        }
        AlterTableOperation::DropColumn { column_names, .. } => {
            Op::drop_column(table, &column_names.first()?.value)
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => Op::AlterColumn(
            AlterColumn::new(table, old_column_name.value.clone())
                .rename_to(new_column_name.value.clone()),
        ),
        AlterTableOperation::RenameTable { table_name } => {
            let new = match table_name {
                RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => name(n),
            };
            Op::RenameTable(RenameTable {
                name: table.to_owned(),
                new_name: new,
            })
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let alter = AlterColumn::new(table, column_name.value.clone());
            Op::AlterColumn(match op {
                AlterColumnOperation::SetNotNull => alter.nullable(false),
                AlterColumnOperation::DropNotNull => alter.nullable(true),
                AlterColumnOperation::SetDefault { value } => AlterColumn {
                    default: Some(Some(ServerDefault::Sql(value.to_string().into()))),
                    ..alter
                },
                AlterColumnOperation::DropDefault => AlterColumn {
                    default: Some(None),
                    ..alter
                },
                AlterColumnOperation::SetDataType { data_type, .. } => {
                    alter.sql_type(sql_type(data_type))
                }
                _ => return None,
            })
        }
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => {
            let constraint = match constraint {
                TableConstraint::ForeignKey(fk) => Constraint::ForeignKey(ForeignKey::new(
                    fk.name
                        .as_ref()
                        .map(|n| n.value.clone())
                        .unwrap_or_default(),
                    fk.columns.iter().map(|c| c.value.clone()),
                    name(&fk.foreign_table),
                    fk.referred_columns.iter().map(|c| c.value.clone()),
                )),
                TableConstraint::Check(check) => Constraint::Check(Check::new(
                    check
                        .name
                        .as_ref()
                        .map(|n| n.value.clone())
                        .unwrap_or_default(),
                    check.expr.to_string(),
                )),
                TableConstraint::Unique(unique) => Constraint::Unique(Unique::new(
                    unique
                        .name
                        .as_ref()
                        .map(|n| n.value.clone())
                        .unwrap_or_default(),
                    unique.columns.iter().map(|c| c.column.expr.to_string()),
                )),
                TableConstraint::PrimaryKey(pk) => Constraint::PrimaryKey {
                    name: pk.name.as_ref().map(|n| n.value.clone()),
                    columns: pk
                        .columns
                        .iter()
                        .map(|c| c.column.expr.to_string())
                        .collect(),
                },
                _ => return None,
            };
            match Op::add_constraint(table, constraint) {
                Op::AddConstraint(mut add) => {
                    add.not_valid = *not_valid;
                    Op::AddConstraint(add)
                }
                other => other,
            }
        }
        AlterTableOperation::DropConstraint { name: n, .. } => {
            Op::drop_constraint(table, &n.value, ConstraintKind::Check)
        }
        AlterTableOperation::ValidateConstraint { name: n } => {
            Op::ValidateConstraint(ValidateConstraint {
                table: table.to_owned(),
                name: n.value.clone(),
            })
        }
        _ => return None,
    })
}

/// A column as the rules see it: its type where Retort has it, nullability, the
/// default as SQL text, an identity or serial column as auto-numbered.
fn column_of(def: &sqlparser::ast::ColumnDef) -> Column {
    let mut column = Column::new(def.name.value.clone(), sql_type(&def.data_type)).nullable();
    let type_name = def.data_type.to_string().to_ascii_uppercase();
    if type_name.contains("SERIAL") {
        column.autoincrement = true;
    }
    for option in &def.options {
        match &option.option {
            ColumnOption::NotNull => column.nullable = false,
            ColumnOption::Default(expr) => {
                column.default = Some(ServerDefault::Sql(expr.to_string().into()))
            }
            ColumnOption::PrimaryKey(_) => column.nullable = false,
            ColumnOption::Identity(_) | ColumnOption::Generated { .. } => {
                column.autoincrement = true
            }
            other => {
                let text = other.to_string().to_ascii_uppercase();
                if text.contains("AUTO_INCREMENT") || text.contains("AUTOINCREMENT") {
                    column.autoincrement = true;
                }
            }
        }
    }
    column
}

fn sql_type(data_type: &DataType) -> SqlType {
    let text = data_type.to_string().to_ascii_uppercase();
    match text.as_str() {
        "SMALLINT" | "INT2" | "SMALLSERIAL" => SqlType::SmallInt,
        "INT" | "INTEGER" | "INT4" | "SERIAL" => SqlType::Integer,
        "BIGINT" | "INT8" | "BIGSERIAL" => SqlType::BigInt,
        "TEXT" => SqlType::Text,
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => SqlType::Timestamp,
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => SqlType::TimestampTz,
        "BOOLEAN" | "BOOL" => SqlType::Boolean,
        "UUID" => SqlType::Uuid,
        _ => match data_type {
            DataType::Varchar(Some(length)) | DataType::CharacterVarying(Some(length)) => {
                match length {
                    sqlparser::ast::CharacterLength::IntegerLength { length, .. } => {
                        SqlType::Varchar(u32::try_from(*length).unwrap_or(u32::MAX))
                    }
                    sqlparser::ast::CharacterLength::Max => SqlType::Text,
                }
            }
            _ => SqlType::Custom(data_type.to_string().into()),
        },
    }
}

/// `schema.table` as written, unquoted.
fn name(object: &ObjectName) -> String {
    object
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident.value.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_reads_as_ops() {
        let raw = read(
            "ALTER TABLE orders ADD COLUMN note varchar(20) NOT NULL; \
             CREATE INDEX CONCURRENTLY ix_o ON orders (note); \
             ALTER TABLE orders ADD CONSTRAINT fk_o FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID; \
             UPDATE orders SET note = 'x'; DROP TABLE legacy; CREATE VIEW v AS SELECT 1",
            Backend::Postgres,
        )
        .unwrap();
        assert!(
            matches!(&raw[0], Raw::Op(Op::AddColumn(a)) if !a.column.nullable && a.column.sql_type == SqlType::Varchar(20))
        );
        assert!(
            matches!(&raw[1], Raw::Op(Op::CreateIndex(c)) if c.concurrently && c.table == "orders")
        );
        assert!(matches!(&raw[2], Raw::Op(Op::AddConstraint(a)) if a.not_valid));
        assert_eq!(raw[3], Raw::Data);
        assert!(matches!(&raw[4], Raw::Op(Op::DropTable(d)) if d.name == "legacy"));
        assert!(matches!(&raw[5], Raw::Unknown(_)));
        assert!(read("ALTER TABLE", Backend::Postgres).is_none());
    }
}
