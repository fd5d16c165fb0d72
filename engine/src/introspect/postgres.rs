//! PostgreSQL introspection: four queries over `pg_catalog` for the tables of
//! `current_schema()` (columns with their enum types' labels, constraints,
//! indexes) and its enum types, whatever the number of tables.

use std::collections::BTreeMap;

use diesel::sql_types::{Bool, Nullable, Text};
use diesel::QueryableByName;

use super::{json_names, read_default, strip_casts, unquote, Filter};
use retort::Connection;

use crate::dialect::Dialect;
use retort::schema::{
    split_schema, Check, Column, Deferrable, FkAction, ForeignKey, Generated, Identity, Index,
    IndexKey, NullsOrder, Schema, ServerDefault, SqlType, Table, Unique,
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
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
    #[diesel(sql_type = Text)]
    identity: String,
    /// `s` for a generated (stored) column.
    #[diesel(sql_type = Text)]
    generated: String,
    /// The column's collation where it is not its type's default.
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    /// An identity column's `START WITH` and `INCREMENT BY`.
    #[diesel(sql_type = Nullable<diesel::sql_types::BigInt>)]
    identity_start: Option<i64>,
    #[diesel(sql_type = Nullable<diesel::sql_types::BigInt>)]
    identity_increment: Option<i64>,
    /// The enum type's name, for a column of an enum type.
    #[diesel(sql_type = Nullable<Text>)]
    enum_name: Option<String>,
    /// Its labels in order, as a JSON array.
    #[diesel(sql_type = Nullable<Text>)]
    enum_values: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    comment: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    table_comment: Option<String>,
}

#[derive(QueryableByName)]
struct EnumRow {
    #[diesel(sql_type = Text)]
    name: String,
    /// A JSON array of labels, in order.
    #[diesel(sql_type = Text)]
    labels: String,
}

/// The labels of enum type `oid` in order, as a JSON array.
const LABELS: &str =
    "COALESCE(array_to_json(ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e \
     WHERE e.enumtypid = {oid} ORDER BY e.enumsortorder))::text, '[]')";

#[derive(QueryableByName)]
struct ConstraintRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    /// A JSON array of names.
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Nullable<Text>)]
    ref_table: Option<String>,
    /// A JSON array of names.
    #[diesel(sql_type = Text)]
    ref_columns: String,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// One key (or included column) of an index.
#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    /// A key rather than an `INCLUDE` column.
    #[diesel(sql_type = Bool)]
    is_key: bool,
    /// The column, or `None` for an expression.
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
    /// `pg_get_indexdef` of an expression key (deparsed only for expressions:
    /// at 1000 tables that is a third of the query); empty for a column.
    #[diesel(sql_type = Text)]
    key_sql: String,
    /// `indoption`: 1 DESC, 2 NULLS FIRST.
    #[diesel(sql_type = Nullable<diesel::sql_types::SmallInt>)]
    options: Option<i16>,
    /// A non-default operator class.
    #[diesel(sql_type = Nullable<Text>)]
    opclass: Option<String>,
    #[diesel(sql_type = Text)]
    method: String,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
    #[diesel(sql_type = Bool)]
    nulls_not_distinct: bool,
}

/// The name a table of `pg_class` row `c` (schema `n`) is known by: bare in
/// the current schema (and the session's temporary one), `schema.table` in any
/// other.
pub(crate) fn qualified(c: &str, n: &str) -> String {
    format!(
        "CASE WHEN {n}.nspname = current_schema() OR {n}.oid = pg_catalog.pg_my_temp_schema() \
         THEN {c}.relname::text ELSE {n}.nspname::text || '.' || {c}.relname::text END"
    )
}

/// The condition on `n` (a `pg_namespace` row) that selects the current schema
/// and `schemas`.
fn in_schemas(dialect: &dyn Dialect, schemas: &[&str]) -> String {
    let mut condition = "n.nspname = current_schema()".to_owned();
    if !schemas.is_empty() {
        let list: Vec<String> = schemas.iter().map(|s| dialect.string_literal(s)).collect();
        condition = format!("({condition} OR n.nspname IN ({}))", list.join(", "));
    }
    condition
}

/// One row per key and included column of every index of the relations that
/// `relations` (a condition on `c`, the table, and `n`, its schema) selects;
/// primary keys and the indexes of constraints left out.
pub(crate) fn index_query(relations: &str) -> String {
    format!(
        "SELECT {} AS table_name, i.relname::text AS index_name, ix.indisunique AS is_unique, \
         k.n <= ix.indnkeyatts AS is_key, \
         CASE WHEN ix.indkey[k.n - 1] <> 0 THEN a.attname::text END AS column_name, \
         COALESCE(CASE WHEN ix.indkey[k.n - 1] = 0 THEN pg_catalog.pg_get_indexdef(ix.indexrelid, k.n, true) END, '') AS key_sql, \
         CASE WHEN k.n <= ix.indnkeyatts THEN ix.indoption[k.n - 1] END AS options, \
         CASE WHEN NOT oc.opcdefault THEN oc.opcname::text END AS opclass, \
         am.amname::text AS method, \
         pg_catalog.pg_get_expr(ix.indpred, ix.indrelid, true) AS predicate, \
         COALESCE((to_jsonb(ix) ->> 'indnullsnotdistinct')::bool, false) AS nulls_not_distinct \
         FROM pg_catalog.pg_index ix JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_catalog.pg_am am ON am.oid = i.relam \
         JOIN pg_catalog.pg_class c ON c.oid = ix.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         CROSS JOIN LATERAL generate_series(1, ix.indnatts::int) AS k(n) \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k.n - 1] \
         LEFT JOIN pg_catalog.pg_opclass oc ON k.n <= ix.indnkeyatts AND oc.oid = ix.indclass[k.n - 1] \
         WHERE NOT ix.indisprimary AND {relations} \
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = ix.indexrelid AND con.contype IN ('u', 'p', 'x')) \
         ORDER BY table_name, i.relname, k.n",
        qualified("c", "n")
    )
}

/// Indexes (table name, index) from [`index_query`]'s rows.
fn indexes_of(rows: Vec<IndexRow>) -> Vec<(String, Index)> {
    let mut out: Vec<(String, Index)> = Vec::new();
    for row in rows {
        let fresh = out
            .last()
            .is_none_or(|(t, i)| *t != row.table_name || i.name != row.index_name);
        if fresh {
            let mut index = Index::new(row.index_name.clone(), Vec::<IndexKey>::new());
            index.unique = row.is_unique;
            index.predicate = row.predicate.clone();
            index.using = Some(row.method.clone()).filter(|m| m != "btree");
            index.nulls_not_distinct = row.nulls_not_distinct;
            out.push((row.table_name.clone(), index));
        }
        let Some((_, index)) = out.last_mut() else {
            continue;
        };
        if !row.is_key {
            index.include.push(row.column_name.unwrap_or(row.key_sql));
            continue;
        }
        let mut key = match row.column_name {
            Some(column) => IndexKey::column(column),
            None => IndexKey::expr(row.key_sql),
        };
        let options = row.options.unwrap_or(0);
        key.descending = options & 1 != 0;
        let nulls_first = options & 2 != 0;
        key.nulls = Some(if nulls_first {
            NullsOrder::First
        } else {
            NullsOrder::Last
        });
        key.nulls = key.normalized_nulls();
        key.opclass = row.opclass;
        index.columns.push(key);
    }
    out
}

/// Names of `attnums` of relation `rel`, in array order, as a JSON array (so the
/// row reads on any diesel backend).
fn names(attnums: &str, rel: &str) -> String {
    format!(
        "COALESCE(array_to_json(ARRAY(SELECT a.attname::text FROM unnest({attnums}) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum ORDER BY k.ord))::text, '[]')"
    )
}

pub(crate) fn introspect(
    conn: &mut Connection,
    dialect: &dyn Dialect,
    filter: &Filter,
) -> Result<Schema> {
    // The current schema, the schemas the models name, and the one of a table
    // read on its own.
    let mut schemas: Vec<&str> = filter.schemas.iter().map(String::as_str).collect();
    if let Some((Some(schema), _)) = filter.only.as_deref().map(split_schema) {
        schemas.push(schema);
    }
    let name = qualified("c", "n");
    let tables = format!(
        "c.relkind IN ('r', 'p') AND {} AND {}",
        in_schemas(dialect, &schemas),
        filter.condition(&format!("({name})"), |n| dialect.string_literal(n))
    );
    let columns: Vec<ColumnRow> = conn.query(&format!(
            "SELECT {name} AS table_name, a.attname::text AS column_name, \
             format_type(a.atttypid, a.atttypmod) AS column_type, a.attnotnull AS not_null, \
             pg_get_expr(d.adbin, d.adrelid) AS default_value, a.attidentity::text AS identity, a.attgenerated::text AS generated, \
             CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN \
               (SELECT co.collname::text FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) END AS collation, \
             s.seqstart AS identity_start, s.seqincrement AS identity_increment, \
             CASE WHEN t.typtype = 'e' THEN t.typname::text END AS enum_name, \
             CASE WHEN t.typtype = 'e' THEN {} END AS enum_values, \
             col_description(c.oid, a.attnum) AS comment, \
             obj_description(c.oid, 'pg_class') AS table_comment \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
             LEFT JOIN pg_catalog.pg_depend dep ON a.attidentity <> '' AND dep.refobjid = c.oid \
               AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'i' \
             LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid \
             WHERE {tables} ORDER BY table_name, a.attnum",
            LABELS.replace("{oid}", "t.oid")
        ),
    )?;
    // Enum types, used by a column or not: what create_enum and drop_enum follow.
    let enums: Vec<EnumRow> = conn.query(&format!(
        "SELECT t.typname::text AS name, {} AS labels FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         WHERE t.typtype = 'e' AND n.nspname = current_schema() ORDER BY t.typname",
        LABELS.replace("{oid}", "t.oid")
    ))?;
    let constraints: Vec<ConstraintRow> = conn.query(&format!(
            "SELECT {name} AS table_name, con.conname::text AS name, con.contype::text AS kind, \
             {} AS columns, {} AS ref_table, \
             {} AS ref_columns, \
             con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, \
             pg_get_constraintdef(con.oid) AS definition \
             FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
             LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
             WHERE con.contype IN ('p', 'u', 'f', 'c') AND {tables} ORDER BY table_name, con.conname",
            names("con.conkey", "con.conrelid"),
            qualified("rc", "rn"),
            names("con.confkey", "con.confrelid"),
        ),
    )?;
    let indexes: Vec<IndexRow> = conn.query(&index_query(&tables))?;

    let mut out: BTreeMap<String, Table> = BTreeMap::new();
    for row in columns {
        let table = out
            .entry(row.table_name.clone())
            .or_insert_with(|| Table::new(&row.table_name));
        let sql_type = match (&row.enum_name, &row.enum_values) {
            (Some(name), Some(values)) => SqlType::Enum {
                name: name.clone(),
                values: json_names(values),
            },
            _ => dialect.parse_type(&row.column_type),
        };
        let serial = row
            .default_value
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
        let generated = match (&row.default_value, row.generated.as_str()) {
            (Some(expr), "s") => Some(Generated {
                expr: expr.clone(),
                stored: true,
            }),
            _ => None,
        };
        let default = match &row.default_value {
            Some(d) if !serial && generated.is_none() => parse_default(d, &sql_type),
            _ => None,
        };
        table.comment = row.table_comment;
        table.columns.push(Column {
            name: row.column_name,
            sql_type,
            nullable: !row.not_null,
            default,
            autoincrement: serial || !row.identity.is_empty(),
            comment: row.comment,
            on_update_now: false,
            generated,
            collation: row.collation,
            identity: Identity {
                always: row.identity == "a",
                start: row.identity_start,
                increment: row.identity_increment,
            }
            .normalized()
            .filter(|_| !row.identity.is_empty()),
        });
    }
    for row in constraints {
        let Some(table) = out.get_mut(&row.table_name) else {
            continue;
        };
        match row.kind.as_str() {
            "p" => {
                table.primary_key = json_names(&row.columns);
                table.primary_key_name = Some(row.name);
            }
            "u" => table.uniques.push(Unique {
                name: Some(row.name),
                columns: json_names(&row.columns),
            }),
            "f" => table.foreign_keys.push(ForeignKey {
                name: Some(row.name),
                columns: json_names(&row.columns),
                ref_table: row.ref_table.unwrap_or_default(),
                ref_columns: json_names(&row.ref_columns),
                on_delete: action(&row.on_delete),
                on_update: action(&row.on_update),
                deferrable: deferrable_in(&row.definition),
                match_full: row.definition.contains(" MATCH FULL"),
            }),
            _ => {
                let expr = row.definition.trim_start_matches("CHECK").trim();
                let expr = expr.strip_suffix(" NOT VALID").unwrap_or(expr);
                table.checks.push(Check {
                    name: Some(row.name),
                    expr: retort::schema::strip_outer_parens(expr).to_owned(),
                });
            }
        }
    }
    for (table, index) in indexes_of(indexes) {
        if let Some(table) = out.get_mut(&table) {
            table.indexes.push(index);
        }
    }
    // The key's columns are never NULL.
    for table in out.values_mut() {
        let key = table.primary_key.clone();
        for c in table.columns.iter_mut().filter(|c| key.contains(&c.name)) {
            c.nullable = false;
        }
    }
    Ok(Schema {
        tables: out,
        enums: enums
            .into_iter()
            .map(|row| (row.name, json_names(&row.labels)))
            .collect(),
    })
}

fn action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// Reads `pg_get_expr`'s default back: `'pending'::character varying` → text,
/// `'-1'::integer` → -1, `now()` → the current time.
#[derive(QueryableByName)]
struct DefaultRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    expr: Option<String>,
}

/// The defaults PostgreSQL keeps for `columns`, each with its model's default:
/// a temporary table made with them, its catalog read as introspection reads
/// it, in a transaction that drops it. `None` when the server refuses one of
/// them (or a transaction is already open): the texts are compared then.
pub(crate) fn stored_defaults(
    conn: &mut Connection,
    dialect: &dyn Dialect,
    columns: &[Column],
) -> Result<Option<Vec<Option<ServerDefault>>>> {
    if columns.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let definitions: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let default = c
                .default
                .as_ref()
                .map(|d| format!(" DEFAULT {}", dialect.default_sql(d, c)))
                .unwrap_or_default();
            format!("c{i} {}{default}", dialect.type_name(c))
        })
        .collect();
    let read = conn.transaction(|conn| {
        conn.execute(&format!(
            "CREATE TEMPORARY TABLE retort_defaults ({}) ON COMMIT DROP",
            definitions.join(", ")
        ))?;
        conn.query::<DefaultRow>(
            "SELECT a.attname::text AS name, pg_get_expr(d.adbin, d.adrelid) AS expr \
             FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d \
             ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid = 'pg_temp.retort_defaults'::regclass AND a.attnum > 0",
        )
    });
    let rows = match read {
        Ok(rows) => rows,
        Err(e) => {
            log::info!("the server could not say how it keeps the models' defaults: {e}");
            return Ok(None);
        }
    };
    Ok(Some(
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = format!("c{i}");
                rows.iter()
                    .find(|r| r.name == name)
                    .and_then(|r| r.expr.as_deref())
                    .and_then(|text| parse_default(text, &c.sql_type))
            })
            .collect(),
    ))
}

/// The indexes PostgreSQL keeps for each `(table, index)`: every index made on
/// an empty temporary table of its table's columns, read back with
/// [`index_query`], in a transaction that drops them. `None` when the server
/// refuses one (or a transaction is already open): the texts are compared then.
pub(crate) fn stored_indexes(
    conn: &mut Connection,
    dialect: &dyn Dialect,
    asked: &[(&Table, &Index)],
) -> Result<Option<Vec<Option<Index>>>> {
    if asked.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let read = conn.transaction(|conn| {
        for (i, (table, index)) in asked.iter().enumerate() {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| format!("{} {}", dialect.quote(&c.name), dialect.type_name(c)))
                .collect();
            let temp = format!("retort_ix_{i}");
            conn.execute(&format!(
                "CREATE TEMPORARY TABLE {temp} ({}) ON COMMIT DROP",
                columns.join(", ")
            ))?;
            let op = retort::ops::CreateIndex {
                table: temp.clone(),
                index: Index {
                    name: format!("{temp}_ix"),
                    ..(*index).clone()
                },
                concurrently: false,
            };
            let sql = dialect.create_index_sql(&op).map_err(retort::Error::from)?;
            for statement in sql {
                conn.execute(&statement)?;
            }
        }
        conn.query::<IndexRow>(&index_query(
            "n.oid = pg_catalog.pg_my_temp_schema() AND c.relname LIKE 'retort\\_ix\\_%'",
        ))
    });
    let rows = match read {
        Ok(rows) => rows,
        Err(e) => {
            log::info!("the server could not say how it keeps the models' indexes: {e}");
            return Ok(None);
        }
    };
    let kept = indexes_of(rows);
    Ok(Some(
        (0..asked.len())
            .map(|i| {
                let name = format!("retort_ix_{i}_ix");
                kept.iter()
                    .find(|(_, ix)| ix.name == name)
                    .map(|(_, ix)| ix.clone())
            })
            .collect(),
    ))
}

/// The generation PostgreSQL keeps for each `(table, column)`: the column made
/// in an empty temporary table of its table's plain columns, its expression read
/// back, in a transaction that drops them. `None` when the server refuses one.
pub(crate) fn stored_generated(
    conn: &mut Connection,
    dialect: &dyn Dialect,
    asked: &[(&Table, &Column)],
) -> Result<Option<Vec<Option<Generated>>>> {
    #[derive(QueryableByName)]
    struct GeneratedRow {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        expr: String,
    }
    if asked.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let read = conn.transaction(|conn| {
        for (i, (table, column)) in asked.iter().enumerate() {
            let probe = super::generation_probe(&format!("retort_gen_{i}"), table, column);
            let sql = dialect.create_table_sql(&probe).map_err(retort::Error::from)?;
            for statement in sql {
                let temporary = statement
                    .replacen("CREATE TABLE", "CREATE TEMPORARY TABLE", 1);
                conn.execute(&temporary)?;
            }
        }
        conn.query::<GeneratedRow>(
            "SELECT c.relname::text AS table_name, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expr \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid \
             JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
             WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND a.attgenerated = 's' \
             AND c.relname LIKE 'retort\\_gen\\_%'",
        )
    });
    let rows = match read {
        Ok(rows) => rows,
        Err(e) => {
            log::info!("the server could not say how it keeps the models' generated columns: {e}");
            return Ok(None);
        }
    };
    Ok(Some(
        (0..asked.len())
            .map(|i| {
                let name = format!("retort_gen_{i}");
                rows.iter()
                    .find(|r| r.table_name == name)
                    .map(|r| Generated {
                        expr: r.expr.clone(),
                        stored: true,
                    })
            })
            .collect(),
    ))
}

fn parse_default(text: &str, sql_type: &SqlType) -> Option<ServerDefault> {
    read_default(strip_casts(text), sql_type, unquote, |_| {
        ServerDefault::sql(text.to_owned())
    })
}

/// What `pg_get_constraintdef` says of a foreign key's checking time.
fn deferrable_in(definition: &str) -> Deferrable {
    if definition.contains("INITIALLY DEFERRED") {
        Deferrable::Deferred
    } else if definition.contains(" DEFERRABLE") && !definition.contains("NOT DEFERRABLE") {
        Deferrable::Immediate
    } else {
        Deferrable::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_read_back() {
        assert_eq!(
            parse_default("'pending'::character varying", &SqlType::Varchar(20)),
            Some(ServerDefault::text("pending"))
        );
        assert_eq!(
            parse_default("'-1'::integer", &SqlType::Integer),
            Some(ServerDefault::number(-1))
        );
        assert_eq!(
            parse_default("0", &SqlType::Integer),
            Some(ServerDefault::number(0))
        );
        assert_eq!(
            parse_default("true", &SqlType::Boolean),
            Some(ServerDefault::Bool(true))
        );
        assert_eq!(
            parse_default("now()", &SqlType::Timestamp),
            Some(ServerDefault::CurrentTimestamp)
        );
        assert_eq!(
            parse_default("CURRENT_DATE", &SqlType::Date),
            Some(ServerDefault::CurrentDate)
        );
        assert_eq!(
            parse_default("lower('X'::text)", &SqlType::Text),
            Some(ServerDefault::sql("lower('X'::text)"))
        );
    }
}
