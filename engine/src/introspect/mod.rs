//! Reads a live database into a [`Schema`], with a fixed number of bulk catalog
//! queries whatever the number of tables (SQLite: 3, PostgreSQL: 4, MySQL: 5).

pub(crate) mod mysql;
pub(crate) mod postgres;
pub(crate) mod sqlite;
mod sqlite_ddl;

use retort::schema::{
    normalize_sql, portable_time_default, Column, Schema, ServerDefault, SqlType, Table,
};
use retort::Connection;

use crate::backend;
use retort::Result;

/// Which tables to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Tables to leave out: names, or patterns where `*` matches any run of
    /// characters (`audit_*`).
    pub exclude: Vec<String>,
    /// Read only this table.
    pub only: Option<String>,
    /// Columns to leave out: `table.column` (either part may be a `*` pattern),
    /// or `column` in any table (`legacy_*`). An index, unique constraint or
    /// foreign key over such a column is left out with it.
    pub exclude_columns: Vec<String>,
    /// Indexes, unique constraints, foreign keys and checks to leave out, by name
    /// (or `*` pattern): objects another tool or a DBA keeps, which the models do
    /// not describe.
    pub exclude_objects: Vec<String>,
    /// Leave table and column comments out of the comparison (`comments = false`
    /// in `Retort.toml`).
    pub ignore_comments: bool,
    /// PostgreSQL schemas read besides the current one (the schemas the models
    /// name); their tables are read as `schema.table`.
    pub schemas: Vec<String>,
}

impl Filter {
    /// Whether `column` of `table` is left out.
    pub fn excludes_column(&self, table: &str, column: &str) -> bool {
        self.exclude_columns
            .iter()
            .any(|pattern| match pattern.rsplit_once('.') {
                Some((t, c)) => glob_match(t, table) && glob_match(c, column),
                None => glob_match(pattern, column),
            })
    }

    /// Whether the index or constraint called `name` is left out.
    pub fn excludes_object(&self, name: &str) -> bool {
        self.exclude_objects
            .iter()
            .any(|pattern| glob_match(pattern, name))
    }

    /// `schema` without what the filter leaves out: tables, columns (with the
    /// indexes, uniques and foreign keys over them, and foreign keys to them) and
    /// objects by name. Applied to both sides of every comparison.
    pub fn prune(&self, schema: &mut Schema) {
        schema.tables.retain(|name, _| !self.excludes(name));
        if self.ignore_comments {
            for table in schema.tables.values_mut() {
                table.comment = None;
                table.columns.iter_mut().for_each(|c| c.comment = None);
            }
        }
        if self.exclude_columns.is_empty() && self.exclude_objects.is_empty() {
            return;
        }
        for table in schema.tables.values_mut() {
            let t = table.name.clone();
            let gone = |c: &String| self.excludes_column(&t, c);
            let named_out = |n: Option<&str>| n.is_some_and(|n| self.excludes_object(n));
            table.columns.retain(|c| !gone(&c.name));
            table
                .uniques
                .retain(|u| !u.columns.iter().any(gone) && !named_out(u.name.as_deref()));
            table.indexes.retain(|i| {
                !i.columns.iter().any(|k| !k.expression && gone(&k.column))
                    && !i.include.iter().any(gone)
                    && !named_out(Some(&i.name))
            });
            table.foreign_keys.retain(|f| {
                !f.columns.iter().any(gone)
                    && !f
                        .ref_columns
                        .iter()
                        .any(|c| self.excludes_column(&f.ref_table, c))
                    && !named_out(f.name.as_deref())
            });
            table.checks.retain(|c| !named_out(c.name.as_deref()));
        }
    }

    /// Whether `table` is left out.
    pub fn excludes(&self, table: &str) -> bool {
        self.exclude
            .iter()
            .any(|pattern| glob_match(pattern, table))
    }

    /// The SQL condition on the table-name column `column`, quoting with `quote`.
    pub(crate) fn condition(&self, column: &str, quote: impl Fn(&str) -> String) -> String {
        let mut parts = Vec::new();
        for name in &self.exclude {
            if name.contains('*') {
                let like: String = name
                    .chars()
                    .flat_map(|c| match c {
                        '*' => vec!['%'],
                        '!' | '%' | '_' => vec!['!', c],
                        c => vec![c],
                    })
                    .collect();
                parts.push(format!("{column} NOT LIKE {} ESCAPE '!'", quote(&like)));
            } else {
                parts.push(format!("{column} <> {}", quote(name)));
            }
        }
        if let Some(only) = &self.only {
            parts.push(format!("{column} = {}", quote(only)));
        }
        if parts.is_empty() {
            "1 = 1".to_owned()
        } else {
            parts.join(" AND ")
        }
    }
}

/// Reads every table of the database except those in `exclude` (the version table).
pub fn introspect(conn: &mut Connection, exclude: &[&str]) -> Result<Schema> {
    let filter = Filter {
        exclude: exclude.iter().map(|s| (*s).to_owned()).collect(),
        ..Filter::default()
    };
    read(conn, &filter)
}

/// What the database holds besides tables, which models cannot express: views,
/// materialized views, triggers, functions and procedures, one line each
/// (``view `active_users` ``). One catalog query.
pub fn other_objects(conn: &mut Connection) -> Result<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Object {
        #[diesel(sql_type = diesel::sql_types::Text)]
        what: String,
    }
    let sql = match conn.backend() {
        retort::Backend::Sqlite => {
            "SELECT type || ' `' || name || '`' || \
             CASE WHEN type = 'trigger' THEN ' on `' || tbl_name || '`' ELSE '' END AS what FROM sqlite_master \
             WHERE type IN ('view', 'trigger') ORDER BY type, name"
        }
        retort::Backend::Postgres => {
            "SELECT what FROM ( \
               SELECT 'view `' || table_name || '`' AS what FROM information_schema.views \
                 WHERE table_schema = current_schema() \
               UNION ALL SELECT 'materialized view `' || matviewname || '`' FROM pg_matviews \
                 WHERE schemaname = current_schema() \
               UNION ALL SELECT DISTINCT 'trigger `' || trigger_name || '` on `' || event_object_table || '`' \
                 FROM information_schema.triggers WHERE trigger_schema = current_schema() \
               UNION ALL SELECT DISTINCT lower(routine_type) || ' `' || routine_name || '`' \
                 FROM information_schema.routines WHERE routine_schema = current_schema() \
             ) AS o ORDER BY what"
        }
        retort::Backend::Mysql => {
            "SELECT CAST(what AS CHAR) AS what FROM ( \
               SELECT CONCAT('view `', TABLE_NAME, '`') AS what FROM information_schema.VIEWS \
                 WHERE TABLE_SCHEMA = DATABASE() \
               UNION ALL SELECT CONCAT('trigger `', TRIGGER_NAME, '` on `', EVENT_OBJECT_TABLE, '`') \
                 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() \
               UNION ALL SELECT CONCAT(LOWER(ROUTINE_TYPE), ' `', ROUTINE_NAME, '`') \
                 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() \
             ) AS o ORDER BY what"
        }
    };
    Ok(conn
        .query::<Object>(sql)?
        .into_iter()
        .map(|o| o.what)
        .collect())
}

/// Reads one table, or `None` when it does not exist.
pub fn table(conn: &mut Connection, name: &str) -> Result<Option<Table>> {
    let filter = Filter {
        only: Some(name.to_owned()),
        ..Filter::default()
    };
    Ok(read(conn, &filter)?.tables.remove(name))
}

/// The defaults the database keeps for `columns` (each with its model's
/// default), read from a probe table made with them and dropped at once: `None`
/// when the database refuses one of them.
pub(crate) fn probe_defaults(
    conn: &mut Connection,
    dialect: &dyn crate::dialect::Dialect,
    columns: &[Column],
) -> Result<Option<Vec<Option<ServerDefault>>>> {
    if columns.is_empty() {
        return Ok(Some(Vec::new()));
    }
    const PROBE: &str = "retort_defaults_probe";
    let mut probe = Table::new(PROBE);
    for (i, column) in columns.iter().enumerate() {
        let mut c = column.clone();
        c.name = format!("c{i}");
        c.nullable = true;
        c.autoincrement = false;
        probe.columns.push(c);
    }
    let drop = format!("DROP TABLE IF EXISTS {}", dialect.quote(PROBE));
    conn.execute(&drop)?;
    let created = dialect
        .create_table_sql(&probe)
        .map_err(retort::Error::from)
        .and_then(|sql| sql.iter().try_for_each(|s| conn.execute(s)));
    if let Err(e) = created {
        log::info!("the server could not say how it keeps the models' defaults: {e}");
        conn.execute(&drop)?;
        return Ok(None);
    }
    let read = table(conn, PROBE);
    conn.execute(&drop)?;
    let Some(read) = read? else {
        return Ok(None);
    };
    Ok(Some(
        (0..columns.len())
            .map(|i| {
                read.get_column(&format!("c{i}"))
                    .and_then(|c| c.default.clone())
            })
            .collect(),
    ))
}

/// A table named `name` with `table`'s plain columns (nullable, no default, key
/// or counter) and `column`: what a generated column's expression is made in to
/// ask the server how it keeps it.
pub(crate) fn generation_probe(name: &str, table: &Table, column: &Column) -> Table {
    let mut probe = Table::new(name);
    for c in table
        .columns
        .iter()
        .filter(|c| c.generated.is_none() && c.name != column.name)
    {
        probe.columns.push(Column {
            nullable: true,
            default: None,
            autoincrement: false,
            comment: None,
            on_update_now: false,
            ..c.clone()
        });
    }
    probe.columns.push(Column {
        comment: None,
        ..column.clone()
    });
    probe
}

/// The generation MySQL keeps for each `(table, column)`: a probe table per
/// column (MySQL's catalog shows no temporary table), read as introspection
/// reads any table and dropped. `None` when the server refuses one.
pub(crate) fn probe_generated(
    conn: &mut Connection,
    dialect: &dyn crate::dialect::Dialect,
    asked: &[(&Table, &Column)],
) -> Result<Option<Vec<Option<retort::schema::Generated>>>> {
    const PROBE: &str = "retort_generated_probe";
    let drop = format!("DROP TABLE IF EXISTS {}", dialect.quote(PROBE));
    let mut out = Vec::new();
    for (table, column) in asked {
        conn.execute(&drop)?;
        let probe = generation_probe(PROBE, table, column);
        let created = dialect
            .create_table_sql(&probe)
            .map_err(retort::Error::from)
            .and_then(|sql| sql.iter().try_for_each(|s| conn.execute(s)));
        if let Err(e) = created {
            log::info!("the server could not say how it keeps a generated column: {e}");
            conn.execute(&drop)?;
            return Ok(None);
        }
        let read = self::table(conn, PROBE);
        conn.execute(&drop)?;
        let Some(read) = read? else {
            return Ok(None);
        };
        out.push(
            read.get_column(&column.name)
                .and_then(|c| c.generated.clone()),
        );
    }
    Ok(Some(out))
}

/// Whether a table exists (one catalog query).
pub fn has_table(conn: &mut Connection, name: &str) -> Result<bool> {
    backend::has_table(conn, name)
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            let Some(tail) = name.strip_prefix(prefix) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| glob_match(rest, &tail[i..]))
        }
    }
}

/// Reads the tables the filter lets through, with the database's fixed number of
/// catalog queries.
pub fn read(conn: &mut Connection, filter: &Filter) -> Result<Schema> {
    let session = backend::of(conn);
    let mut schema = session.introspect(conn, filter)?;
    schema.tables.values_mut().for_each(absorb_json_checks);
    let dialect = session.dialect();
    schema
        .tables
        .values_mut()
        .for_each(|t| absorb_enum_checks(t, dialect));
    schema.tables.values_mut().for_each(Table::sort_constraints);
    filter.prune(&mut schema);
    Ok(schema)
}

/// A text column checked by `json_valid(column)` and nothing else is a JSON
/// column: MariaDB keeps `JSON` so (a `LONGTEXT` and that check, named after the
/// column), and Retort makes SQLite's so (an unnamed column check). The check is
/// the type's, not the model's, so it leaves the table's checks; a named check of
/// the model's own (`ck_docs_body`) stays one.
fn absorb_json_checks(table: &mut Table) {
    let mut json = Vec::new();
    table.checks.retain(|check| {
        let Some(column) = json_valid_column(&check.expr) else {
            return true;
        };
        if check.name.as_ref().is_some_and(|name| *name != column) {
            return true;
        }
        let text = table
            .columns
            .iter()
            .any(|c| c.name == column && matches!(c.sql_type, SqlType::Text | SqlType::Json));
        if text {
            json.push(column);
        }
        !text
    });
    for column in &mut table.columns {
        if json.contains(&column.name) {
            column.sql_type = SqlType::Json;
            // MariaDB's `JSON` comes in utf8mb4_bin: the type's, not the model's.
            column.collation = None;
        }
    }
}

/// A text column checked by `column IN ('a', 'b')` and nothing else, where the
/// dialect writes an enum so (SQLite), is an enum column of those values: the
/// check is the type's, so it leaves the table's checks. Elsewhere such a check
/// is the model's own and stays.
fn absorb_enum_checks(table: &mut Table, dialect: &dyn crate::dialect::Dialect) {
    let mut enums: Vec<(String, Vec<String>)> = Vec::new();
    table.checks.retain(|check| {
        let Some((column, values)) = in_list(&check.expr) else {
            return true;
        };
        if check.name.as_ref().is_some_and(|name| *name != column) {
            return true;
        }
        let candidate = Column::new(column.clone(), SqlType::enumeration("", values.clone()));
        let absorbed = dialect.column_constraint(&candidate).is_some()
            && table
                .columns
                .iter()
                .any(|c| c.name == column && c.sql_type == SqlType::Text)
            && !enums.iter().any(|(c, _)| *c == column);
        if absorbed {
            enums.push((column, values));
        }
        !absorbed
    });
    for column in &mut table.columns {
        if let Some((_, values)) = enums.iter().find(|(c, _)| *c == column.name) {
            column.sql_type = SqlType::enumeration("", values.iter().cloned());
        }
    }
}

/// `"x" IN ('a', 'b')` → (`x`, [`a`, `b`]).
fn in_list(expr: &str) -> Option<(String, Vec<String>)> {
    let expr = retort::schema::strip_outer_parens(expr.trim());
    let upper = expr.to_ascii_uppercase();
    let at = upper.find(" IN ")?;
    let column = unquote_ident(expr[..at].trim())?;
    let list = expr[at + 4..].trim();
    let inner = list.strip_prefix('(')?.strip_suffix(')')?;
    let values = crate::dialect::parse_string_list(inner)?;
    Some((column, values))
}

/// `` `x` ``, `"x"`, `[x]` or a bare `x` → `x`.
fn unquote_ident(arg: &str) -> Option<String> {
    let unquoted = [('`', '`'), ('"', '"'), ('[', ']')]
        .iter()
        .find_map(|(l, r)| arg.strip_prefix(*l)?.strip_suffix(*r))
        .map(|inner| inner.replace("``", "`").replace("\"\"", "\""));
    match unquoted {
        Some(name) => Some(name),
        None if arg.chars().all(|c| c.is_alphanumeric() || c == '_') => Some(arg.to_owned()),
        None => None,
    }
}

/// `json_valid(`x`)`, `json_valid("x")`, `json_valid(x)` → `x`.
fn json_valid_column(expr: &str) -> Option<String> {
    let expr = retort::schema::strip_outer_parens(expr.trim());
    let open = expr.find('(')?;
    if !expr[..open].trim().eq_ignore_ascii_case("json_valid") || !expr.ends_with(')') {
        return None;
    }
    unquote_ident(expr[open + 1..expr.len() - 1].trim())
}

/// A JSON array of strings (`["a","b \"c\""]`) as PostgreSQL's `array_to_json`
/// writes names; anything else reads as no names.
pub(crate) fn json_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.trim().chars().peekable();
    if chars.next() != Some('[') {
        return out;
    }
    loop {
        match chars.next() {
            Some('"') => {}
            Some(',' | ' ') => continue,
            _ => return out,
        }
        let mut name = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => name.push('\n'),
                    Some('t') => name.push('\t'),
                    Some('r') => name.push('\r'),
                    Some('b') => name.push('\u{8}'),
                    Some('f') => name.push('\u{c}'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        let unit = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
                        let code = if (0xd800..0xdc00).contains(&unit) {
                            // A surrogate pair: the low half follows as \uXXXX.
                            let low: String = chars.by_ref().skip(2).take(4).collect();
                            let low = u32::from_str_radix(&low, 16).unwrap_or(0xdc00);
                            0x10000 + ((unit - 0xd800) << 10) + (low.saturating_sub(0xdc00) & 0x3ff)
                        } else {
                            unit
                        };
                        name.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    Some(other) => name.push(other),
                    None => break,
                },
                c => name.push(c),
            }
        }
        out.push(name);
    }
}

/// Strips redundant outer parentheses and trailing `::type` casts (PostgreSQL's
/// way of printing defaults and checks): `('0'::integer)` → `'0'`.
pub(crate) fn strip_casts(text: &str) -> &str {
    let mut t = retort::schema::strip_outer_parens(text);
    loop {
        let mut depth = 0i32;
        let mut quote = false;
        let mut cut = None;
        let bytes = t.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\'' => quote = !quote,
                b'(' if !quote => depth += 1,
                b')' if !quote => depth -= 1,
                b':' if !quote && depth == 0 && bytes.get(i + 1) == Some(&b':') => {
                    cut = Some(i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        match cut {
            Some(i) => t = retort::schema::strip_outer_parens(&t[..i]),
            None => return t,
        }
    }
}

/// What a catalog's default means. `bare` is the text with the database's own
/// wrapping taken off (PostgreSQL's casts), `unquote` reads the database's string
/// literals, and `fallback` says what anything else is (an expression, or for
/// MySQL sometimes unquoted text). NULL is no default; a quoted number on a
/// numeric column is that number; `0`/`1` and `true`/`false` on a boolean column
/// are booleans; the current-time spellings are the portable defaults.
pub(crate) fn read_default(
    bare: &str,
    sql_type: &SqlType,
    unquote: impl Fn(&str) -> Option<String>,
    fallback: impl FnOnce(&str) -> ServerDefault,
) -> Option<ServerDefault> {
    let t = bare.trim();
    if t.eq_ignore_ascii_case("NULL") {
        return None;
    }
    if matches!(sql_type, SqlType::Array(_)) {
        // An array literal (`'{1,2}'`) is SQL, as the model writes it.
        return Some(ServerDefault::sql(t.to_owned()));
    }
    let numeric = sql_type.is_integer()
        || matches!(
            sql_type,
            SqlType::Real | SqlType::Double | SqlType::Decimal { .. }
        );
    let boolean = *sql_type == SqlType::Boolean;
    let literal = |s: &str| {
        if boolean && (s == "0" || s == "1") {
            Some(ServerDefault::Bool(s == "1"))
        } else if is_number(s) {
            Some(ServerDefault::Number(
                s.trim_start_matches('+').to_owned().into(),
            ))
        } else if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
            Some(ServerDefault::Bool(s.eq_ignore_ascii_case("true")))
        } else {
            None
        }
    };
    if let Some(text) = unquote(t) {
        return Some(match literal(&text) {
            Some(value) if numeric || boolean => value,
            _ => ServerDefault::Text(text.into()),
        });
    }
    if let Some(value) = literal(t) {
        return Some(value);
    }
    if let Some(time) = portable_time_default(t) {
        return Some(time);
    }
    if is_new_uuid(t) {
        return Some(ServerDefault::NewUuid);
    }
    Some(fallback(t))
}

/// Whether a default is one of the databases' spellings of a fresh UUID:
/// PostgreSQL's `gen_random_uuid()`, MySQL's `uuid()`, SQLite's expression.
fn is_new_uuid(text: &str) -> bool {
    let norm = normalize_sql(text);
    norm == "gen_random_uuid()"
        || norm == "uuid()"
        || norm == normalize_sql(crate::dialect::sqlite::NEW_UUID_SQL)
}

/// `'it''s'` → `it's`, or `None` when `text` is not one quoted string.
pub(crate) fn unquote(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner.replace("''", "").contains('\'') {
        return None;
    }
    Some(inner.replace("''", "'"))
}

/// Whether `text` is a plain number.
pub(crate) fn is_number(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    !t.is_empty()
        && t.parse::<f64>().is_ok()
        && t.chars().all(|c| c.is_ascii_digit() || ".eE-+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_checks_make_json_columns() {
        use retort::schema::{Check, Column};
        let mut table = Table::new("t")
            .column(Column::new("a", SqlType::Text))
            .column(Column::new("b", SqlType::Text))
            .column(Column::new("n", SqlType::Integer))
            .check(Check::unnamed("json_valid(\"a\")"))
            .check(Check::new("b", "json_valid(`b`)"))
            .check(Check::new("ck_n", "json_valid(n)"))
            .check(Check::new("ck_t_a", "json_valid(a)"))
            .check(Check::new("ck_t_other", "length(a) < 10"));
        absorb_json_checks(&mut table);
        let types: Vec<&SqlType> = table.columns.iter().map(|c| &c.sql_type).collect();
        assert_eq!(types, [&SqlType::Json, &SqlType::Json, &SqlType::Integer]);
        let left: Vec<&str> = table.checks.iter().map(|c| c.expr.as_str()).collect();
        assert_eq!(
            left,
            ["json_valid(n)", "json_valid(a)", "length(a) < 10"],
            "only an unnamed or column-named check of a text column is the type's"
        );
        assert_eq!(
            json_valid_column("JSON_VALID([we\"ird])"),
            Some("we\"ird".into())
        );
        assert_eq!(json_valid_column("json_valid(a) AND a <> ''"), None);
    }

    #[test]
    fn new_uuid_defaults_read_back() {
        for text in [
            "gen_random_uuid()",
            "uuid()",
            &format!("({})", crate::dialect::sqlite::NEW_UUID_SQL),
        ] {
            assert_eq!(
                read_default(text, &SqlType::Uuid, unquote, |t| ServerDefault::sql(
                    t.to_owned()
                )),
                Some(ServerDefault::NewUuid),
                "{text}"
            );
        }
        assert_eq!(
            read_default(
                "'0.00'",
                &SqlType::Decimal {
                    precision: 10,
                    scale: 2
                },
                unquote,
                |t| { ServerDefault::sql(t.to_owned()) }
            ),
            Some(ServerDefault::Number("0.00".into()))
        );
    }

    #[test]
    fn globs() {
        assert!(glob_match("audit_*", "audit_2024"));
        assert!(glob_match("*_tmp", "x_tmp") && !glob_match("*_tmp", "x_tmpy"));
        assert!(glob_match("exact", "exact") && !glob_match("exact", "exactly"));
        let f = Filter {
            exclude: vec!["audit_*".into(), "a_b".into()],
            ..Default::default()
        };
        assert_eq!(
            f.condition("t", |s| format!("'{s}'")),
            "t NOT LIKE 'audit!_%' ESCAPE '!' AND t <> 'a_b'"
        );
    }

    #[test]
    fn json_arrays_of_names() {
        assert_eq!(json_names("[]"), Vec::<String>::new());
        assert_eq!(json_names("[\"id\",\"user_id\"]"), ["id", "user_id"]);
        assert_eq!(
            json_names(r#"["we\"ird","a\\b","\u00e9t\u00e9","\ud83d\ude00", "x,y"]"#),
            ["we\"ird", "a\\b", "été", "😀", "x,y"]
        );
    }

    #[test]
    fn casts_and_quotes() {
        assert_eq!(strip_casts("'-1'::integer"), "'-1'");
        assert_eq!(strip_casts("('pending'::character varying)"), "'pending'");
        assert_eq!(strip_casts("'a::b'::text"), "'a::b'");
        assert_eq!(strip_casts("now()"), "now()");
        assert_eq!(unquote("'it''s'"), Some("it's".into()));
        assert_eq!(unquote("'a' || 'b'"), None);
        assert!(is_number("-0.5") && !is_number("1-2") && !is_number("abc"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2_000,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Whatever text a catalog hands back as a default, reading it neither
        /// panics nor loses a plain number or string.
        #[test]
        fn any_default_text_reads(text in proptest::prelude::any::<String>()) {
            for ty in [SqlType::Integer, SqlType::Text, SqlType::Boolean, SqlType::Timestamp] {
                let _ = read_default(strip_casts(&text), &ty, unquote, |t| ServerDefault::sql(t.to_owned()));
            }
            let _ = json_names(&text);
        }

        #[test]
        fn numbers_and_strings_survive(n in -1_000_000i64..1_000_000, s in "[^']{0,20}") {
            proptest::prop_assert_eq!(
                read_default(&n.to_string(), &SqlType::BigInt, unquote, |_| ServerDefault::sql("x")),
                Some(ServerDefault::number(n))
            );
            let quoted = format!("'{}'", s.replace('\'', "''"));
            proptest::prop_assert_eq!(
                read_default(&quoted, &SqlType::Text, unquote, |_| ServerDefault::sql("x")),
                Some(ServerDefault::text(s.clone()))
            );
        }
    }
}
