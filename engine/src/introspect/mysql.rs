//! MySQL/MariaDB introspection: five queries over `information_schema` for the
//! current database (columns, tables, indexes, foreign keys, checks), whatever the number
//! of tables.

use std::collections::BTreeMap;

use diesel::sql_types::{Nullable, Text};
use diesel::QueryableByName;

use super::{read_default, Filter};
use retort::Connection;

use crate::dialect::Dialect;
use retort::schema::{
    Check, Column, Deferrable, FkAction, ForeignKey, Generated, Index, IndexKey, Schema,
    ServerDefault, SqlType, Table, Unique,
};
use retort::Result;

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
    #[diesel(sql_type = Text)]
    extra: String,
    /// A generated column's expression.
    #[diesel(sql_type = Nullable<Text>)]
    generation: Option<String>,
    /// The column's collation (kept where it is not its table's).
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Text)]
    comment: String,
}

/// A table's default collation and comment.
#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Text)]
    comment: String,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Text)]
    is_unique: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
    /// A prefix length.
    #[diesel(sql_type = Nullable<diesel::sql_types::Integer>)]
    sub_part: Option<i32>,
    /// `A`, `D` (descending) or NULL.
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    /// `BTREE`, `HASH`, `FULLTEXT`, `SPATIAL`.
    #[diesel(sql_type = Text)]
    index_type: String,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    ref_column: String,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    expr: String,
}

pub(crate) fn introspect(
    conn: &mut Connection,
    dialect: &dyn Dialect,
    filter: &Filter,
) -> Result<Schema> {
    let only = |column: &str| filter.condition(column, |n| dialect.string_literal(n));
    let columns: Vec<ColumnRow> = conn.query(&format!(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(COLUMN_NAME AS CHAR) AS column_name, \
             CAST(COLUMN_TYPE AS CHAR) AS column_type, CAST(IS_NULLABLE AS CHAR) AS is_nullable, \
             CAST(COLUMN_DEFAULT AS CHAR) AS default_value, CAST(EXTRA AS CHAR) AS extra, \
             CAST(NULLIF(GENERATION_EXPRESSION, '') AS CHAR) AS generation, \
             CAST(c.COLLATION_NAME AS CHAR) AS collation, CAST(COLUMN_COMMENT AS CHAR) AS comment \
             FROM information_schema.COLUMNS c WHERE TABLE_SCHEMA = DATABASE() AND {} \
             AND TABLE_NAME NOT IN (SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()) \
             ORDER BY TABLE_NAME, ORDINAL_POSITION",
        only("TABLE_NAME")
    ))?;
    // Each table's collation and comment in a query of their own: as
    // subqueries per column, MariaDB opened a table per lookup (98 s at 1000
    // tables); joined, 2 s; alone, 10 ms.
    let tables: Vec<TableRow> = conn.query(&format!(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(TABLE_COLLATION AS CHAR) AS collation, \
             CAST(TABLE_COMMENT AS CHAR) AS comment FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND {}",
        only("TABLE_NAME")
    ))?;
    let tables: BTreeMap<String, TableRow> = tables
        .into_iter()
        .map(|t| (t.table_name.clone(), t))
        .collect();
    let indexes: Vec<IndexRow> = conn.query(&format!(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(INDEX_NAME AS CHAR) AS index_name, \
             IF(NON_UNIQUE = 0, 'Y', 'N') AS is_unique, CAST(COLUMN_NAME AS CHAR) AS column_name, \
             CAST(SUB_PART AS SIGNED) AS sub_part, CAST(COLLATION AS CHAR) AS collation, \
             CAST(INDEX_TYPE AS CHAR) AS index_type \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND {} \
             ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        only("TABLE_NAME")
    ))?;
    let foreign_keys: Vec<ForeignKeyRow> = conn.query(&format!(
            "SELECT CAST(k.TABLE_NAME AS CHAR) AS table_name, CAST(k.CONSTRAINT_NAME AS CHAR) AS name, \
             CAST(k.COLUMN_NAME AS CHAR) AS column_name, CAST(k.REFERENCED_TABLE_NAME AS CHAR) AS ref_table, \
             CAST(k.REFERENCED_COLUMN_NAME AS CHAR) AS ref_column, CAST(r.UPDATE_RULE AS CHAR) AS on_update, \
             CAST(r.DELETE_RULE AS CHAR) AS on_delete \
             FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
             ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
             AND r.TABLE_NAME = k.TABLE_NAME \
             WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL AND {} \
             ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            only("k.TABLE_NAME")
        ),
    )?;
    let checks: Vec<CheckRow> = conn.query(&format!(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(CONSTRAINT_NAME AS CHAR) AS name, \
             CAST(CHECK_CLAUSE AS CHAR) AS expr FROM information_schema.CHECK_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = DATABASE() AND {} ORDER BY TABLE_NAME, CONSTRAINT_NAME",
        only("TABLE_NAME")
    ))?;

    let mut out: BTreeMap<String, Table> = BTreeMap::new();
    for row in columns {
        let table = out
            .entry(row.table_name.clone())
            .or_insert_with(|| Table::new(&row.table_name));
        let sql_type = dialect.parse_type(&row.column_type);
        // MariaDB's JSON is LONGTEXT in utf8mb4_bin, a collation no model wrote.
        let facts = tables.get(&row.table_name);
        let collation = row
            .collation
            .filter(|c| facts.and_then(|t| t.collation.as_ref()) != Some(c))
            .filter(|_| matches!(sql_type, SqlType::Text | SqlType::Varchar(_)));
        let extra = row.extra.to_ascii_lowercase();
        let generated = row
            .generation
            .filter(|_| extra.contains("virtual generated") || extra.contains("stored generated"))
            .map(|expr| Generated {
                expr,
                stored: extra.contains("stored generated"),
            });
        let default = row
            .default_value
            .as_deref()
            .filter(|_| generated.is_none())
            .and_then(|d| parse_default(d, &sql_type, extra.contains("default_generated")));
        // MySQL keeps no comment as an empty one.
        let some = |text: String| (!text.is_empty()).then_some(text);
        table.comment = facts.and_then(|t| some(t.comment.clone()));
        table.columns.push(Column {
            name: row.column_name,
            sql_type,
            nullable: row.is_nullable == "YES",
            default,
            autoincrement: extra.contains("auto_increment"),
            comment: some(row.comment),
            on_update_now: extra.contains("on update current_timestamp"),
            generated,
            collation,
            identity: None,
        });
    }
    for row in foreign_keys {
        let Some(table) = out.get_mut(&row.table_name) else {
            continue;
        };
        match table.foreign_keys.last_mut() {
            Some(fk) if fk.name.as_deref() == Some(row.name.as_str()) => {
                fk.columns.push(row.column_name);
                fk.ref_columns.push(row.ref_column);
            }
            _ => table.foreign_keys.push(ForeignKey {
                name: Some(row.name),
                columns: vec![row.column_name],
                ref_table: row.ref_table,
                ref_columns: vec![row.ref_column],
                on_delete: action(&row.on_delete),
                on_update: action(&row.on_update),
                deferrable: Deferrable::No,
                match_full: false,
            }),
        }
    }
    let mut grouped: Vec<(String, Index)> = Vec::new();
    for row in indexes {
        let key = row.column_name.map(|column| {
            let mut key = IndexKey::column(column);
            key.descending = row.collation.as_deref() == Some("D");
            key.length = row.sub_part.and_then(|n| u32::try_from(n).ok());
            key
        });
        match grouped.last_mut() {
            Some((table, index)) if *table == row.table_name && index.name == row.index_name => {
                index.columns.extend(key)
            }
            _ => {
                let mut index = Index::new(row.index_name, key);
                index.unique = row.is_unique == "Y";
                index.using = Some(row.index_type.to_ascii_lowercase())
                    .filter(|m| m == "fulltext" || m == "spatial");
                grouped.push((row.table_name, index));
            }
        }
    }
    for (table_name, mut index) in grouped {
        let Some(table) = out.get_mut(&table_name) else {
            continue;
        };
        // A key on a TEXT or BLOB column written without a length gets the
        // longest prefix the server allows (768 characters of utf8mb4): that is
        // the index the model wrote.
        for key in &mut index.columns {
            let long = table
                .get_column(&key.column)
                .is_some_and(|c| matches!(c.sql_type, SqlType::Text | SqlType::Blob));
            if long && matches!(key.length, Some(768 | 1024 | 3072)) {
                key.length = None;
            }
        }
        let unique = index.unique;
        let plain = index.is_plain();
        let columns: Vec<String> = index.columns.iter().map(|k| k.column.clone()).collect();
        let index_name = index.name.clone();
        if index_name == "PRIMARY" {
            table.primary_key = columns;
        } else if unique && plain {
            // MySQL keeps a unique constraint as a unique index.
            table.uniques.push(Unique {
                name: Some(index_name),
                columns,
            });
        } else if !table.foreign_keys.iter().any(|fk| {
            fk.columns == columns
                && (fk.name.as_deref() == Some(index_name.as_str())
                    || made_for_unnamed_key(&index_name, &columns))
        }) {
            // (An index named after a foreign key, or after the first column of an
            // unnamed one, is the one MySQL made for it.)
            table.indexes.push(index);
        }
    }
    for row in checks {
        if let Some(table) = out.get_mut(&row.table_name) {
            table.checks.push(Check {
                name: Some(row.name),
                expr: row.expr,
            });
        }
    }
    Ok(Schema {
        tables: out,
        enums: Default::default(),
    })
}

/// MySQL names the index it makes for an unnamed foreign key after the key's
/// first column (`maker_id`, `maker_id_2` when taken).
fn made_for_unnamed_key(index: &str, columns: &[String]) -> bool {
    let Some(first) = columns.first() else {
        return false;
    };
    index == first
        || index
            .strip_prefix(first.as_str())
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// MySQL's `RESTRICT` and `NO ACTION` are the same thing.
fn action(rule: &str) -> FkAction {
    match FkAction::parse(rule) {
        Some(FkAction::Restrict) | None => FkAction::NoAction,
        Some(a) => a,
    }
}

/// Reads `COLUMN_DEFAULT` back. MariaDB quotes string defaults (`'pending'`) and
/// prints functions as calls (`current_timestamp(6)`, `curdate()`); MySQL 8
/// prints strings bare and flags expressions with `DEFAULT_GENERATED`.
fn parse_default(text: &str, sql_type: &SqlType, generated: bool) -> Option<ServerDefault> {
    // MySQL's own spellings of the current time (`current_timestamp(6)`, `curdate()`).
    let lower = text.trim().to_ascii_lowercase();
    match lower.split('(').next().unwrap_or_default().trim() {
        "current_timestamp" | "now" | "localtimestamp" => {
            return Some(ServerDefault::CurrentTimestamp)
        }
        "curdate" | "current_date" => return Some(ServerDefault::CurrentDate),
        "curtime" | "current_time" => return Some(ServerDefault::CurrentTime),
        _ => {}
    }
    let unquote = |t: &str| {
        t.strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
            .map(unescape)
    };
    read_default(text, sql_type, unquote, |t| {
        if generated || t.contains('(') {
            ServerDefault::sql(t.to_owned())
        } else {
            ServerDefault::Text(t.to_owned().into())
        }
    })
}

/// Undoes MySQL string escapes: `''`, `\\`, `\'`, `\0`, `\n`, `\t`, `\r`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            '\\' => match chars.next() {
                Some('0') => out.push('\0'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_read_back() {
        assert_eq!(
            parse_default("'it''s\\\\'", &SqlType::Text, false),
            Some(ServerDefault::text("it's\\"))
        );
        assert_eq!(
            parse_default("1", &SqlType::Boolean, false),
            Some(ServerDefault::Bool(true))
        );
        assert_eq!(
            parse_default("-0.5", &SqlType::Double, false),
            Some(ServerDefault::number(-0.5))
        );
        assert_eq!(
            parse_default("current_timestamp(6)", &SqlType::Timestamp, false),
            Some(ServerDefault::CurrentTimestamp)
        );
        assert_eq!(
            parse_default("curdate()", &SqlType::Date, false),
            Some(ServerDefault::CurrentDate)
        );
        assert_eq!(parse_default("NULL", &SqlType::Text, false), None);
        assert_eq!(
            parse_default("pending", &SqlType::Text, false),
            Some(ServerDefault::text("pending"))
        );
    }
}
