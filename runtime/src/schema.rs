//! The dialect-neutral schema model.
//!
//! Three producers build a [`Schema`]: the registry (from `#[derive(Model)]`),
//! introspection (from a live database) and, later, replaying revisions in memory.
//! `compare` turns two of them into operations. The same types are the builders a
//! revision file uses (`Column::new("id", SqlType::Integer)`), so what autogenerate
//! writes is what a person would write.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A whole database schema: tables by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    /// Tables keyed by their name.
    pub tables: BTreeMap<String, Table>,
    /// Enum types keyed by their name, with their values in order: every enum the
    /// models use, and what PostgreSQL's catalog (`pg_enum`) holds. MySQL and
    /// SQLite keep no enum types of their own (an enum is a column's type), so
    /// their introspected schemas leave this empty.
    pub enums: BTreeMap<String, Vec<String>>,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table called `name`, if any.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// The PostgreSQL schemas its tables name (`billing` of `billing.invoices`),
    /// each once, in order.
    pub fn schemas(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in self.tables.keys() {
            if let (Some(schema), _) = split_schema(name) {
                if !out.iter().any(|s| s == schema) {
                    out.push(schema.to_owned());
                }
            }
        }
        out
    }

    /// The same schema with `schema.` taken off the names of the tables in
    /// `schema` (and the foreign keys to them): what a database whose current
    /// schema is `schema` calls them.
    pub fn unqualified_in(&self, schema: &str) -> Schema {
        let strip = |name: &str| match split_schema(name) {
            (Some(s), bare) if s == schema => bare.to_owned(),
            _ => name.to_owned(),
        };
        let mut out = Schema {
            tables: BTreeMap::new(),
            enums: self.enums.clone(),
        };
        for table in self.tables.values() {
            let mut table = table.clone();
            table.name = strip(&table.name);
            for fk in &mut table.foreign_keys {
                fk.ref_table = strip(&fk.ref_table);
            }
            out.tables.insert(table.name.clone(), table);
        }
        out
    }

    /// The columns whose type is the enum `name`, as `(table, column)`.
    pub fn enum_users(&self, name: &str) -> Vec<(String, String)> {
        let mut users = Vec::new();
        for table in self.tables.values() {
            for column in &table.columns {
                if matches!(&column.sql_type, SqlType::Enum { name: n, .. } if n == name) {
                    users.push((table.name.clone(), column.name.clone()));
                }
            }
        }
        users
    }

    /// Adds (or replaces) a table.
    pub fn insert(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), table);
    }

    /// Names of all tables, sorted.
    pub fn table_names(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }
}

/// One table: columns in order, primary key, unique constraints, indexes and
/// foreign keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Table name, unquoted.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    /// Names of the primary key columns, in key order (empty: no primary key).
    pub primary_key: Vec<String>,
    /// The primary key constraint's name, where the database keeps one
    /// (PostgreSQL); `None` lets the database choose.
    pub primary_key_name: Option<String>,
    /// Unique constraints (a column's `unique` is one of these).
    pub uniques: Vec<Unique>,
    /// Indexes, created by separate `create_index` operations.
    pub indexes: Vec<Index>,
    /// Foreign keys from this table's columns to other tables (or itself).
    pub foreign_keys: Vec<ForeignKey>,
    /// Check constraints: SQL conditions every row satisfies.
    pub checks: Vec<Check>,
    /// The table's comment (PostgreSQL `COMMENT ON TABLE`, MySQL `COMMENT=`): a
    /// model's doc comment.
    pub comment: Option<String>,
}

impl Table {
    /// A table with no columns yet; add them with [`Table::column`].
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            ..Table::default()
        }
    }

    /// Sets the table's comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Appends a column.
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Sets the primary key columns.
    pub fn primary_key<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.primary_key = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the primary key columns and the constraint's name.
    pub fn primary_key_named<I, S>(mut self, name: impl Into<String>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.primary_key = columns.into_iter().map(Into::into).collect();
        self.primary_key_name = Some(name.into());
        self
    }

    /// Adds a unique constraint.
    pub fn unique(mut self, unique: Unique) -> Self {
        self.uniques.push(unique);
        self
    }

    /// Adds an index (only used when comparing; `create_table` never creates indexes,
    /// `create_index` does).
    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    /// Adds a foreign key.
    pub fn foreign_key(mut self, foreign_key: ForeignKey) -> Self {
        self.foreign_keys.push(foreign_key);
        self
    }

    /// Adds a check constraint.
    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    /// Puts indexes and constraints in name order, so that two descriptions of
    /// one table compare equal whatever order their source listed them in.
    pub fn sort_constraints(&mut self) {
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.uniques
            .sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
        self.foreign_keys
            .sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
        self.checks
            .sort_by(|a, b| (&a.name, &a.expr).cmp(&(&b.name, &b.expr)));
    }

    /// The mutable column called `name`, if any.
    pub fn get_column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// Whether a named constraint of any kind exists on the table.
    pub fn has_constraint(&self, name: &str) -> bool {
        let named = |n: &Option<String>| n.as_deref() == Some(name);
        self.uniques.iter().any(|u| named(&u.name))
            || self.foreign_keys.iter().any(|f| named(&f.name))
            || self.checks.iter().any(|c| named(&c.name))
    }

    /// The column called `name`, if any.
    pub fn get_column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The index called `name`, if any.
    pub fn get_index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// Names of the tables this table's foreign keys point to (itself excluded).
    pub fn referenced_tables(&self) -> impl Iterator<Item = &str> {
        self.foreign_keys
            .iter()
            .map(|fk| fk.ref_table.as_str())
            .filter(move |t| *t != self.name)
    }

    /// Whether `column` is the table's only primary key column.
    pub fn is_single_primary_key(&self, column: &str) -> bool {
        self.primary_key.len() == 1 && self.primary_key[0] == column
    }
}

/// One column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Column name, unquoted.
    pub name: String,
    /// Neutral SQL type.
    pub sql_type: SqlType,
    /// `true` when NULL is allowed. Columns are NOT NULL unless made nullable, as a
    /// Rust field is unless it is an `Option`.
    pub nullable: bool,
    /// Server default, if any.
    pub default: Option<ServerDefault>,
    /// The database generates values (an integer primary key that counts up).
    pub autoincrement: bool,
    /// The column's comment (PostgreSQL `COMMENT ON COLUMN`, MySQL `COMMENT`): a
    /// field's doc comment.
    pub comment: Option<String>,
    /// MySQL's `ON UPDATE CURRENT_TIMESTAMP`: every `UPDATE` of the row sets the
    /// column to the current time (`on_update = now()`).
    pub on_update_now: bool,
    /// A generated (computed) column: the database computes its value from the
    /// row's other columns.
    pub generated: Option<Generated>,
    /// The column's collation (`C`, `utf8mb4_bin`, `NOCASE`); `None`: the
    /// table's or database's default.
    pub collation: Option<String>,
    /// How an autoincrementing column counts (PostgreSQL identity options);
    /// `None`: the database's default (by default, from 1, by 1).
    pub identity: Option<Identity>,
}

/// A PostgreSQL identity column's options: `GENERATED ALWAYS|BY DEFAULT AS
/// IDENTITY (START WITH s INCREMENT BY i)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// `ALWAYS`: an `INSERT` may not give the value (`BY DEFAULT` may).
    pub always: bool,
    /// `START WITH` (`None`: 1).
    pub start: Option<i64>,
    /// `INCREMENT BY` (`None`: 1).
    pub increment: Option<i64>,
}

impl Identity {
    /// The options with the database's defaults left out; `None` when nothing
    /// is left (`BY DEFAULT`, from 1, by 1).
    pub fn normalized(self) -> Option<Identity> {
        let out = Identity {
            always: self.always,
            start: self.start.filter(|s| *s != 1),
            increment: self.increment.filter(|i| *i != 1),
        };
        (out != Identity::default()).then_some(out)
    }
}

/// A generated column's definition: `GENERATED ALWAYS AS (expr) STORED|VIRTUAL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The SQL expression, over the row's other columns.
    pub expr: String,
    /// Computed on write and kept (`STORED`), rather than on read (`VIRTUAL`).
    pub stored: bool,
}

impl Column {
    /// A NOT NULL column without default.
    pub fn new(name: impl Into<String>, sql_type: SqlType) -> Self {
        Column {
            name: name.into(),
            sql_type,
            nullable: false,
            default: None,
            autoincrement: false,
            comment: None,
            on_update_now: false,
            generated: None,
            collation: None,
            identity: None,
        }
    }

    /// Counts up with these identity options (PostgreSQL); makes it autoincrement.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.autoincrement = true;
        self.identity = Some(identity);
        self
    }

    /// Sets the collation.
    pub fn collation(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    /// A generated column: `expr` computed on read (`VIRTUAL`) or, `stored`, on
    /// write.
    pub fn generated(mut self, expr: impl Into<String>, stored: bool) -> Self {
        self.generated = Some(Generated {
            expr: expr.into(),
            stored,
        });
        self
    }

    /// Allows NULL.
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// Sets the server default.
    pub fn default(mut self, default: ServerDefault) -> Self {
        self.default = Some(default);
        self
    }

    /// Sets the comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// MySQL's `ON UPDATE CURRENT_TIMESTAMP`.
    pub fn on_update_now(mut self) -> Self {
        self.on_update_now = true;
        self
    }

    /// Marks the column as generated by the database (integer primary keys).
    pub fn autoincrement(mut self) -> Self {
        self.autoincrement = true;
        self
    }
}

/// Neutral SQL types. Each dialect names them in its own way.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SqlType {
    /// 16-bit integer (`i16`).
    SmallInt,
    /// 32-bit integer (`i32`).
    Integer,
    /// 64-bit integer (`i64`).
    BigInt,
    /// Single precision float (`f32`).
    Real,
    /// Double precision float (`f64`).
    Double,
    /// Boolean (`bool`).
    Boolean,
    /// Unbounded text (`String`).
    Text,
    /// Text of at most N characters (`String` with `max_length = N`).
    Varchar(u32),
    /// Bytes (`Vec<u8>`).
    Blob,
    /// Calendar date (`chrono::NaiveDate`).
    Date,
    /// Time of day (`chrono::NaiveTime`).
    Time,
    /// Date and time without zone (`chrono::NaiveDateTime`).
    Timestamp,
    /// Date and time with zone (`chrono::DateTime<Utc>`).
    TimestampTz,
    /// A UUID (`uuid::Uuid`): PostgreSQL `UUID`, `CHAR(36)` (the hyphenated text)
    /// on MySQL/MariaDB and SQLite.
    Uuid,
    /// A JSON document (`serde_json::Value`, `retort::types::Json<T>`):
    /// PostgreSQL `JSONB`, MySQL/MariaDB `JSON`, SQLite `TEXT` checked by
    /// `json_valid`.
    Json,
    /// An exact decimal number of `precision` digits, `scale` of them after the
    /// point (`bigdecimal::BigDecimal`, `rust_decimal::Decimal`): `NUMERIC(p, s)`,
    /// MySQL `DECIMAL(p, s)`.
    Decimal {
        /// Total number of digits.
        precision: u16,
        /// Digits after the decimal point.
        scale: u16,
    },
    /// An unsigned integer of 8, 16, 32 or 64 bits (`u8`…`u64`): MySQL/MariaDB
    /// `TINYINT UNSIGNED` … `BIGINT UNSIGNED`. Only MySQL has them: the other
    /// dialects refuse such a column, naming it.
    Unsigned(u8),
    /// A PostgreSQL array of the element type (`Vec<i32>`: `INTEGER[]`). Only
    /// PostgreSQL has them: the other dialects refuse such a column, naming it.
    Array(Box<SqlType>),
    /// A Rust enum of unit variants (`#[derive(DbEnum)]`): the values in
    /// declaration order. PostgreSQL: the named type `CREATE TYPE name AS ENUM
    /// (…)`; MySQL/MariaDB: the column type `ENUM(…)`; SQLite: `TEXT` with a
    /// `CHECK (column IN (…))`. Read from MySQL or SQLite the name is empty:
    /// only PostgreSQL keeps it.
    Enum {
        /// The type's name (PostgreSQL's type; empty where the database keeps none).
        name: String,
        /// The values, in order.
        values: Vec<String>,
    },
    /// A type given verbatim by `sql_type = "..."`.
    Custom(Cow<'static, str>),
}

impl SqlType {
    /// `Custom` from any string.
    pub fn custom(name: impl Into<Cow<'static, str>>) -> Self {
        SqlType::Custom(name.into())
    }

    /// `Decimal { precision, scale }`: `NUMERIC(precision, scale)`.
    pub const fn decimal(precision: u16, scale: u16) -> Self {
        SqlType::Decimal { precision, scale }
    }

    /// `Array(element)`: a PostgreSQL array (`INTEGER[]`).
    pub fn array(element: SqlType) -> Self {
        SqlType::Array(Box::new(element))
    }

    /// `Enum { name, values }`: a database enum of these values, in this order.
    pub fn enumeration<V: Into<String>>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        SqlType::Enum {
            name: name.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// The enum's name and values, for an enum type.
    pub fn as_enum(&self) -> Option<(&str, &[String])> {
        match self {
            SqlType::Enum { name, values } => Some((name, values)),
            _ => None,
        }
    }

    /// True for the integer types (signed or not).
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::Unsigned(_)
        )
    }

    /// Whether changing a column from this type to `to` can lose or refuse values
    /// (`TEXT` to `VARCHAR(10)`, `BIGINT` to `INTEGER`, a shorter `VARCHAR`, any
    /// change to or from a type given verbatim).
    pub fn narrows_to(&self, to: &SqlType) -> bool {
        use SqlType::*;
        if self == to {
            return false;
        }
        let widening = matches!(
            (self, to),
            (SmallInt, Integer | BigInt | Real | Double)
                | (Integer, BigInt | Double)
                | (Real, Double)
                | (Varchar(_), Text)
                | (Date, Timestamp | TimestampTz)
                | (Timestamp, TimestampTz)
                | (TimestampTz, Timestamp)
        );
        let longer = matches!((self, to), (Varchar(a), Varchar(b)) if b >= a);
        let exact = match (self, to) {
            (
                Decimal {
                    precision: p1,
                    scale: s1,
                },
                Decimal {
                    precision: p2,
                    scale: s2,
                },
            ) => s2 >= s1 && i32::from(*p2) - i32::from(*s2) >= i32::from(*p1) - i32::from(*s1),
            (SmallInt | Integer | BigInt, Decimal { precision, scale }) => {
                let digits = match self {
                    SmallInt => 5,
                    Integer => 10,
                    _ => 19,
                };
                i32::from(*precision) - i32::from(*scale) >= digits
            }
            (Uuid | Json, Text) => true,
            (Uuid, Varchar(n)) => *n >= 36,
            (Array(a), Array(b)) => !a.narrows_to(b),
            (Enum { .. }, Text) => true,
            (Enum { values, .. }, Varchar(n)) => {
                values.iter().all(|v| v.chars().count() <= *n as usize)
            }
            (Enum { values: a, .. }, Enum { values: b, .. }) => a.iter().all(|v| b.contains(v)),
            (Unsigned(a), Unsigned(b)) => b >= a,
            (Unsigned(a), SmallInt) => *a < 16,
            (Unsigned(a), Integer) => *a < 32,
            (Unsigned(a), BigInt) => *a < 64,
            (Unsigned(a), Decimal { precision, scale }) => {
                let digits = match a {
                    8 => 3,
                    16 => 5,
                    32 => 10,
                    _ => 20,
                };
                i32::from(*precision) - i32::from(*scale) >= digits
            }
            _ => false,
        };
        !(widening || longer || exact)
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::SmallInt => f.write_str("SMALLINT"),
            SqlType::Integer => f.write_str("INTEGER"),
            SqlType::BigInt => f.write_str("BIGINT"),
            SqlType::Real => f.write_str("REAL"),
            SqlType::Double => f.write_str("DOUBLE PRECISION"),
            SqlType::Boolean => f.write_str("BOOLEAN"),
            SqlType::Text => f.write_str("TEXT"),
            SqlType::Varchar(n) => write!(f, "VARCHAR({n})"),
            SqlType::Blob => f.write_str("BLOB"),
            SqlType::Date => f.write_str("DATE"),
            SqlType::Time => f.write_str("TIME"),
            SqlType::Timestamp => f.write_str("TIMESTAMP"),
            SqlType::TimestampTz => f.write_str("TIMESTAMP WITH TIME ZONE"),
            SqlType::Uuid => f.write_str("UUID"),
            SqlType::Json => f.write_str("JSON"),
            SqlType::Decimal { precision, scale } => write!(f, "NUMERIC({precision},{scale})"),
            SqlType::Array(element) => write!(f, "{element}[]"),
            SqlType::Unsigned(bits) => {
                let base = match bits {
                    8 => "TINYINT",
                    16 => "SMALLINT",
                    32 => "INT",
                    _ => "BIGINT",
                };
                write!(f, "{base} UNSIGNED")
            }
            SqlType::Enum { name, values } => {
                let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
                if name.is_empty() {
                    write!(f, "ENUM({})", quoted.join(", "))
                } else {
                    write!(f, "ENUM {name}({})", quoted.join(", "))
                }
            }
            SqlType::Custom(name) => f.write_str(name),
        }
    }
}

/// A server default.
///
/// In a model, a Rust literal is a value (`default = 0`, `default = true`,
/// `default = "pending"`), quoted by the dialect. The current-time spellings every
/// database knows (`"now()"`, `"CURRENT_TIMESTAMP"`, `"CURRENT_DATE"`,
/// `"CURRENT_TIME"`) are the portable expressions below, and `default = sql("...")`
/// is any other SQL expression, passed through verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServerDefault {
    /// A numeric literal, kept as written (`0`, `-1`, `2.5`).
    Number(Cow<'static, str>),
    /// A boolean literal.
    Bool(bool),
    /// A string literal (the value, unquoted).
    Text(Cow<'static, str>),
    /// The current date and time (`now()` / `CURRENT_TIMESTAMP`).
    CurrentTimestamp,
    /// The current date.
    CurrentDate,
    /// The current time of day.
    CurrentTime,
    /// A new random UUID for each row (`default = gen_random_uuid()`):
    /// PostgreSQL's `gen_random_uuid()` (13 and later), MySQL/MariaDB's `uuid()`,
    /// and on SQLite an expression of `randomblob` that makes a version-4 UUID.
    NewUuid,
    /// Any other SQL expression, verbatim.
    Sql(Cow<'static, str>),
}

impl ServerDefault {
    /// A string literal default.
    pub fn text(value: impl Into<Cow<'static, str>>) -> Self {
        ServerDefault::Text(value.into())
    }

    /// A numeric literal default; `value` is written as given.
    pub fn number(value: impl fmt::Display) -> Self {
        ServerDefault::Number(Cow::Owned(value.to_string()))
    }

    /// A raw SQL expression default (redundant outer parentheses dropped).
    pub fn sql(expr: impl Into<Cow<'static, str>>) -> Self {
        ServerDefault::Sql(expr.into()).normalized()
    }

    /// The same default with an SQL expression's redundant outer parentheses
    /// dropped: `((1 + 2))` → `1 + 2`.
    pub fn normalized(&self) -> Self {
        match self {
            ServerDefault::Sql(expr) => {
                let inner = strip_outer_parens(expr);
                if inner.len() == expr.len() {
                    self.clone()
                } else {
                    ServerDefault::Sql(Cow::Owned(inner.to_owned()))
                }
            }
            other => other.clone(),
        }
    }

    /// Reads a string default as the model attribute does: the portable current-time
    /// spellings become expressions, anything else is a text value.
    pub fn from_model_str(value: &str) -> Self {
        match portable_time_default(value) {
            Some(default) => default,
            None => ServerDefault::Text(Cow::Owned(value.to_owned())),
        }
    }

    /// Whether two defaults mean the same value (`0` and `0.0` do).
    pub fn same_as(&self, other: &ServerDefault) -> bool {
        match (self, other) {
            (ServerDefault::Number(a), ServerDefault::Number(b)) => {
                if is_decimal(a) && is_decimal(b) {
                    return canonical_decimal(a) == canonical_decimal(b);
                }
                match (a.parse::<f64>(), b.parse::<f64>()) {
                    (Ok(x), Ok(y)) => x == y,
                    _ => a == b,
                }
            }
            (ServerDefault::Sql(a), ServerDefault::Sql(b)) => normalize_sql(a) == normalize_sql(b),
            _ => self == other,
        }
    }
}

/// As a model writes it: `0`, `true`, `"pending"`, `now()`, `current_date()`,
/// `current_time()`, `sql("lower('X')")`.
impl fmt::Display for ServerDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerDefault::Number(n) => f.write_str(n),
            ServerDefault::Bool(b) => write!(f, "{b}"),
            ServerDefault::Text(s) => write!(f, "{s:?}"),
            ServerDefault::CurrentTimestamp => f.write_str("now()"),
            ServerDefault::CurrentDate => f.write_str("current_date()"),
            ServerDefault::CurrentTime => f.write_str("current_time()"),
            ServerDefault::NewUuid => f.write_str("gen_random_uuid()"),
            ServerDefault::Sql(expr) => write!(f, "sql({expr:?})"),
        }
    }
}

/// A table name split into its PostgreSQL schema and the name within it:
/// `billing.invoices` is `(Some("billing"), "invoices")`, `users` is
/// `(None, "users")` (the connection's current schema). A dot in a table's name
/// always separates the schema: `#[model(schema = "billing")]` writes it so.
pub fn split_schema(name: &str) -> (Option<&str>, &str) {
    match name.split_once('.') {
        Some((schema, table)) if !schema.is_empty() && !table.is_empty() => (Some(schema), table),
        _ => (None, name),
    }
}

/// Recognises `now()`, `CURRENT_TIMESTAMP`, `CURRENT_DATE`, `CURRENT_TIME` (any case,
/// optional `()`).
pub fn portable_time_default(value: &str) -> Option<ServerDefault> {
    retort_vocab::TimeDefault::parse(value).map(ServerDefault::from)
}

impl From<retort_vocab::TimeDefault> for ServerDefault {
    fn from(time: retort_vocab::TimeDefault) -> Self {
        match time {
            retort_vocab::TimeDefault::CurrentTimestamp => ServerDefault::CurrentTimestamp,
            retort_vocab::TimeDefault::CurrentDate => ServerDefault::CurrentDate,
            retort_vocab::TimeDefault::CurrentTime => ServerDefault::CurrentTime,
        }
    }
}

/// An SQL expression in a form two spellings of it share: outer parentheses
/// dropped, whitespace collapsed, lower case (`( Price > 0 )` → `price > 0`).
pub fn normalize_sql(s: &str) -> String {
    let s = s.trim();
    let s = strip_outer_parens(s);
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// Strips redundant parentheses around a whole expression: `((1))` → `1`.
pub fn strip_outer_parens(mut s: &str) -> &str {
    loop {
        let t = s.trim();
        if t.starts_with('(') && t.ends_with(')') && closes_at_end(t) {
            s = &t[1..t.len() - 1];
        } else {
            return t;
        }
    }
}

fn closes_at_end(s: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 && i != s.len() - 1 {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

/// A unique constraint over one or more columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unique {
    /// Constraint name (`None`: the database picks one).
    pub name: Option<String>,
    /// Columns, in order.
    pub columns: Vec<String>,
}

impl Unique {
    /// A named unique constraint.
    pub fn new<I, S>(name: impl Into<String>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Unique {
            name: Some(name.into()),
            columns: columns.into_iter().map(Into::into).collect(),
        }
    }

    /// A unique constraint the database names.
    pub fn unnamed<I, S>(columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Unique {
            name: None,
            columns: columns.into_iter().map(Into::into).collect(),
        }
    }
}

/// An index over one or more columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    /// The index's name (`ix_<table>_<columns>` when the model gives none).
    pub name: String,
    /// Its keys, in order: columns or expressions, each with its order.
    pub columns: Vec<IndexKey>,
    /// `true` for a unique index.
    pub unique: bool,
    /// `WHERE …`: a partial index's predicate, as SQL (PostgreSQL, SQLite).
    pub predicate: Option<String>,
    /// The index method (`USING gin`; PostgreSQL's `gin`, `gist`, `brin`, `hash`,
    /// MySQL's `hash`). `None`: the database's default (a B-tree).
    pub using: Option<String>,
    /// `INCLUDE (…)`: columns stored in the index but not keys (PostgreSQL).
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT`: a unique index where NULLs collide (PostgreSQL 15).
    pub nulls_not_distinct: bool,
}

impl Index {
    /// A non-unique index over `columns` (column names, or [`IndexKey`]s).
    pub fn new<I, S>(name: impl Into<String>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<IndexKey>,
    {
        Index {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            unique: false,
            predicate: None,
            using: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        }
    }

    /// Makes it unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// A partial index: only rows where `predicate` (SQL) holds.
    pub fn partial(mut self, predicate: impl Into<String>) -> Self {
        self.predicate = Some(predicate.into());
        self
    }

    /// The index method: `gin`, `gist`, `brin`, `hash` (PostgreSQL), `hash` (MySQL).
    pub fn using(mut self, method: impl Into<String>) -> Self {
        self.using = Some(method.into());
        self
    }

    /// Non-key columns stored in the index (PostgreSQL's `INCLUDE`).
    pub fn include<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include = columns.into_iter().map(Into::into).collect();
        self
    }

    /// `NULLS NOT DISTINCT` (PostgreSQL 15): two NULLs collide in a unique index.
    pub fn nulls_not_distinct(mut self) -> Self {
        self.nulls_not_distinct = true;
        self
    }

    /// The names of the columns its keys are (expressions left out).
    pub fn column_names(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|k| !k.expression)
            .map(|k| k.column.as_str())
            .collect()
    }

    /// Whether it is a plain index over columns: no expression, no order, no
    /// predicate, no method, nothing included (what a unique constraint is).
    pub fn is_plain(&self) -> bool {
        self.columns.iter().all(IndexKey::is_plain)
            && self.predicate.is_none()
            && self.using.is_none()
            && self.include.is_empty()
            && !self.nulls_not_distinct
    }
}

/// Where NULLs sort in an index key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NullsOrder {
    /// `NULLS FIRST`.
    First,
    /// `NULLS LAST`.
    Last,
}

/// One key of an index: a column or an SQL expression, with its order,
/// NULLs placement, operator class and (MySQL) prefix length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexKey {
    /// The column's name, or the expression's SQL when `expression`.
    pub column: String,
    /// `column` is an SQL expression (`lower(email)`), not a column name.
    pub expression: bool,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` / `NULLS LAST` (PostgreSQL); `None`: the database's default
    /// for the direction (last ascending, first descending).
    pub nulls: Option<NullsOrder>,
    /// A PostgreSQL operator class (`text_pattern_ops`, `jsonb_path_ops`).
    pub opclass: Option<String>,
    /// MySQL's prefix length: the first `n` characters of the column.
    pub length: Option<u32>,
}

impl IndexKey {
    /// A column, ascending.
    pub fn column(name: impl Into<String>) -> Self {
        IndexKey {
            column: name.into(),
            expression: false,
            descending: false,
            nulls: None,
            opclass: None,
            length: None,
        }
    }

    /// An SQL expression (`lower(email)`), ascending.
    pub fn expr(sql: impl Into<String>) -> Self {
        IndexKey {
            expression: true,
            ..IndexKey::column(sql)
        }
    }

    /// Descending.
    pub fn desc(mut self) -> Self {
        self.descending = true;
        self
    }

    /// `NULLS FIRST`.
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(NullsOrder::First);
        self
    }

    /// `NULLS LAST`.
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(NullsOrder::Last);
        self
    }

    /// A PostgreSQL operator class.
    pub fn opclass(mut self, name: impl Into<String>) -> Self {
        self.opclass = Some(name.into());
        self
    }

    /// MySQL's prefix length.
    pub fn length(mut self, n: u32) -> Self {
        self.length = Some(n);
        self
    }

    /// A column, ascending, nothing else.
    pub fn is_plain(&self) -> bool {
        !self.expression
            && !self.descending
            && self.nulls.is_none()
            && self.opclass.is_none()
            && self.length.is_none()
    }

    /// The NULLs placement that is the default for its direction made `None`,
    /// so `desc nulls first` and `desc` are one key.
    pub fn normalized_nulls(&self) -> Option<NullsOrder> {
        match (self.descending, self.nulls) {
            (false, Some(NullsOrder::Last)) | (true, Some(NullsOrder::First)) => None,
            (_, n) => n,
        }
    }
}

/// As SQL writes it: `created_at DESC NULLS LAST`, `(lower(email))`, `title(20)`.
impl fmt::Display for IndexKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.expression {
            write!(f, "({})", self.column)?;
        } else {
            f.write_str(&self.column)?;
        }
        if let Some(n) = self.length {
            write!(f, "({n})")?;
        }
        if let Some(op) = &self.opclass {
            write!(f, " {op}")?;
        }
        if self.descending {
            f.write_str(" DESC")?;
        }
        match self.nulls {
            Some(NullsOrder::First) => f.write_str(" NULLS FIRST")?,
            Some(NullsOrder::Last) => f.write_str(" NULLS LAST")?,
            None => {}
        }
        Ok(())
    }
}

impl From<&str> for IndexKey {
    fn from(column: &str) -> Self {
        IndexKey::column(column)
    }
}

impl From<String> for IndexKey {
    fn from(column: String) -> Self {
        IndexKey::column(column)
    }
}

impl From<&String> for IndexKey {
    fn from(column: &String) -> Self {
        IndexKey::column(column.as_str())
    }
}

pub use retort_vocab::FkAction;

/// A foreign key from `columns` of this table to `ref_columns` of `ref_table`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    /// Constraint name (`None`: the database picks one).
    pub name: Option<String>,
    /// Referencing columns of this table.
    pub columns: Vec<String>,
    /// The table the key points at.
    pub ref_table: String,
    /// Its columns the key points at, one per column of `columns`, in order.
    pub ref_columns: Vec<String>,
    /// `ON DELETE` action.
    pub on_delete: FkAction,
    /// `ON UPDATE` action.
    pub on_update: FkAction,
    /// When the database checks it: at each statement (the default), or
    /// deferrable (PostgreSQL, SQLite).
    pub deferrable: Deferrable,
    /// `MATCH FULL` (PostgreSQL): a row whose key columns are all NULL is not
    /// checked, one with some NULL and some not is refused (the default, `MATCH
    /// SIMPLE`, lets any row with a NULL through).
    pub match_full: bool,
}

/// When a foreign key is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Deferrable {
    /// At each statement (`NOT DEFERRABLE`, the default everywhere).
    #[default]
    No,
    /// `DEFERRABLE INITIALLY IMMEDIATE`: at each statement, unless a transaction
    /// says `SET CONSTRAINTS … DEFERRED`.
    Immediate,
    /// `DEFERRABLE INITIALLY DEFERRED`: at commit.
    Deferred,
}

impl Deferrable {
    /// The clause after the key's actions (`None`: nothing to write).
    pub fn as_sql(self) -> Option<&'static str> {
        match self {
            Deferrable::No => None,
            Deferrable::Immediate => Some("DEFERRABLE INITIALLY IMMEDIATE"),
            Deferrable::Deferred => Some("DEFERRABLE INITIALLY DEFERRED"),
        }
    }

    /// The variant's name, for generated code.
    pub fn variant(self) -> &'static str {
        match self {
            Deferrable::No => "No",
            Deferrable::Immediate => "Immediate",
            Deferrable::Deferred => "Deferred",
        }
    }
}

impl ForeignKey {
    /// A named foreign key with `NO ACTION` on delete and update.
    pub fn new<I, S, J, T>(
        name: impl Into<String>,
        columns: I,
        ref_table: impl Into<String>,
        ref_columns: J,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ForeignKey {
            name: Some(name.into()),
            columns: columns.into_iter().map(Into::into).collect(),
            ref_table: ref_table.into(),
            ref_columns: ref_columns.into_iter().map(Into::into).collect(),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: Deferrable::No,
            match_full: false,
        }
    }

    /// A foreign key the database names.
    pub fn unnamed<I, S, J, T>(columns: I, ref_table: impl Into<String>, ref_columns: J) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ForeignKey {
            name: None,
            ..ForeignKey::new("", columns, ref_table, ref_columns)
        }
    }

    /// Sets `ON DELETE`.
    pub fn on_delete(mut self, action: FkAction) -> Self {
        self.on_delete = action;
        self
    }

    /// Sets `ON UPDATE`.
    pub fn on_update(mut self, action: FkAction) -> Self {
        self.on_update = action;
        self
    }

    /// `MATCH FULL` (PostgreSQL).
    pub fn match_full(mut self) -> Self {
        self.match_full = true;
        self
    }

    /// Makes it deferrable (`Deferrable::Deferred`: checked at commit).
    pub fn deferrable(mut self, deferrable: Deferrable) -> Self {
        self.deferrable = deferrable;
        self
    }
}

/// A check constraint: an SQL boolean expression every row satisfies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Constraint name (`None`: the database picks one).
    pub name: Option<String>,
    /// The expression, verbatim (`price > 0`).
    pub expr: String,
}

impl Check {
    /// A named check constraint.
    pub fn new(name: impl Into<String>, expr: impl Into<String>) -> Self {
        Check {
            name: Some(name.into()),
            expr: expr.into(),
        }
    }

    /// A check constraint the database names.
    pub fn unnamed(expr: impl Into<String>) -> Self {
        Check {
            name: None,
            expr: expr.into(),
        }
    }
}

/// The kinds of table constraints `drop_constraint` can remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConstraintKind {
    /// `PRIMARY KEY`.
    PrimaryKey,
    /// `UNIQUE`.
    Unique,
    /// `FOREIGN KEY`.
    ForeignKey,
    /// `CHECK`.
    Check,
}

impl ConstraintKind {
    /// Lower-case words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique constraint",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::Check => "check constraint",
        }
    }
}

/// One table constraint, as `create_*` operations add it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constraint {
    /// A primary key over `columns`; `name` is used where the database keeps one.
    PrimaryKey {
        /// Constraint name.
        name: Option<String>,
        /// Key columns.
        columns: Vec<String>,
    },
    /// A unique constraint.
    Unique(Unique),
    /// A foreign key.
    ForeignKey(ForeignKey),
    /// A check constraint.
    Check(Check),
}

impl Constraint {
    /// Its kind.
    pub fn kind(&self) -> ConstraintKind {
        match self {
            Constraint::PrimaryKey { .. } => ConstraintKind::PrimaryKey,
            Constraint::Unique(_) => ConstraintKind::Unique,
            Constraint::ForeignKey(_) => ConstraintKind::ForeignKey,
            Constraint::Check(_) => ConstraintKind::Check,
        }
    }

    /// Its name, if it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Constraint::PrimaryKey { name, .. } => name.as_deref(),
            Constraint::Unique(u) => u.name.as_deref(),
            Constraint::ForeignKey(f) => f.name.as_deref(),
            Constraint::Check(c) => c.name.as_deref(),
        }
    }
}

/// A value for `bulk_insert` and for the parameters of `execute`. Each dialect
/// writes it as an SQL literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `NULL`.
    Null,
    /// An integer.
    Int(i64),
    /// A floating point number (finite).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A date.
    Date(chrono::NaiveDate),
    /// A time of day.
    Time(chrono::NaiveTime),
    /// A date and time without zone.
    Timestamp(chrono::NaiveDateTime),
    /// A date and time in UTC.
    TimestampTz(chrono::DateTime<chrono::Utc>),
    /// A UUID, as its 16 bytes ([`Value::uuid`] reads the text form; with the
    /// `uuid` feature, `uuid::Uuid` converts).
    Uuid([u8; 16]),
    /// A JSON document, as its text ([`Value::json`] checks it; with the `json`
    /// feature, `serde_json::Value` converts).
    Json(String),
    /// An exact decimal number, as its text: digits, an optional sign and point
    /// ([`Value::decimal`] checks it; with the `decimal` feature,
    /// `bigdecimal::BigDecimal` converts).
    Decimal(String),
    /// A value of a database enum, as its text (a `#[derive(DbEnum)]` enum
    /// converts): untyped text, which the database reads as the column's type
    /// (a literal in `execute_with` and `bulk_insert`; bound untyped on
    /// PostgreSQL by [`Connection::execute_params`](crate::Connection::execute_params)).
    /// Snapshots write the columns they read as text so (dates, decimals…).
    Enum(String),
}

impl Value {
    /// A UUID from its text form (`"67e55044-10b1-426f-9247-bb680e5fe0c8"`, with or
    /// without hyphens, any case).
    pub fn uuid(text: &str) -> Result<Value, ValueError> {
        parse_uuid(text)
            .map(Value::Uuid)
            .ok_or_else(|| ValueError::new("UUID", text))
    }

    /// A decimal number from its text (`"12.50"`, `"-3"`, `"0.001"`).
    pub fn decimal(text: &str) -> Result<Value, ValueError> {
        if is_decimal(text) {
            Ok(Value::Decimal(text.to_owned()))
        } else {
            Err(ValueError::new("decimal number", text))
        }
    }

    /// A JSON document from its text. Only the outline is checked here (it is not
    /// empty and is one document); the database checks the rest.
    pub fn json(text: impl Into<String>) -> Result<Value, ValueError> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(ValueError::new("JSON document", &text));
        }
        Ok(Value::Json(text))
    }
}

/// A value's text is not what its type needs ([`Value::uuid`], [`Value::decimal`],
/// [`Value::json`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a {what}")]
pub struct ValueError {
    what: &'static str,
    text: String,
}

impl ValueError {
    fn new(what: &'static str, text: &str) -> Self {
        ValueError {
            what,
            text: text.to_owned(),
        }
    }
}

/// The 16 bytes of a UUID's text form (hyphens optional, either case).
pub fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let hex: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
    let hyphens = text.len() - hex.len();
    let shape_ok = match hyphens {
        0 => text.len() == 32,
        4 => text.len() == 36 && [8, 13, 18, 23].iter().all(|&i| text.as_bytes()[i] == b'-'),
        _ => false,
    };
    if !shape_ok {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(out)
}

/// A UUID's hyphenated lower-case text.
pub fn format_uuid(bytes: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A plain decimal number's shortest spelling of the same value, exactly
/// (`0.50` → `0.5`, `-000` → `0`, `+3.` → `3`); other text is returned as is.
pub fn canonical_decimal(text: &str) -> String {
    if !is_decimal(text) {
        return text.to_owned();
    }
    let negative = text.starts_with('-');
    let body = text.trim_start_matches(['-', '+']);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if negative && !(int.is_empty() && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Whether `text` is a plain decimal number: an optional sign, digits, an
/// optional point and digits (at least one digit in all).
pub fn is_decimal(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

macro_rules! value_from {
    ($($t:ty => $v:ident $(as $cast:ty)?),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$v(v $(as $cast)?)
            }
        })*
    };
}

value_from! {
    i16 => Int as i64,
    i32 => Int as i64,
    i64 => Int,
    u8 => Int as i64,
    u16 => Int as i64,
    u32 => Int as i64,
    f32 => Float as f64,
    f64 => Float,
    bool => Bool,
    String => Text,
    Vec<u8> => Bytes,
    chrono::NaiveDate => Date,
    chrono::NaiveTime => Time,
    chrono::NaiveDateTime => Timestamp,
    chrono::DateTime<chrono::Utc> => TimestampTz,
}

#[cfg(feature = "uuid")]
impl From<uuid::Uuid> for Value {
    fn from(v: uuid::Uuid) -> Self {
        Value::Uuid(v.into_bytes())
    }
}

#[cfg(feature = "json")]
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Value::Json(v.to_string())
    }
}

#[cfg(feature = "time")]
mod time_values {
    use super::Value;

    // The `time` crate's dates (±9999 years) are all within chrono's.
    fn date(d: time::Date) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(
            d.year(),
            u32::from(u8::from(d.month())),
            u32::from(d.day()),
        )
        .expect("a time::Date is a chrono date")
    }

    fn time_of_day(t: time::Time) -> chrono::NaiveTime {
        let (h, m, s, nanos) = t.as_hms_nano();
        chrono::NaiveTime::from_hms_nano_opt(u32::from(h), u32::from(m), u32::from(s), nanos)
            .expect("a time::Time is a chrono time")
    }

    impl From<time::Date> for Value {
        fn from(v: time::Date) -> Self {
            Value::Date(date(v))
        }
    }

    impl From<time::Time> for Value {
        fn from(v: time::Time) -> Self {
            Value::Time(time_of_day(v))
        }
    }

    impl From<time::PrimitiveDateTime> for Value {
        fn from(v: time::PrimitiveDateTime) -> Self {
            Value::Timestamp(date(v.date()).and_time(time_of_day(v.time())))
        }
    }

    impl From<time::OffsetDateTime> for Value {
        fn from(v: time::OffsetDateTime) -> Self {
            let utc = v.to_offset(time::UtcOffset::UTC);
            Value::TimestampTz(date(utc.date()).and_time(time_of_day(utc.time())).and_utc())
        }
    }
}

#[cfg(feature = "decimal")]
impl From<bigdecimal::BigDecimal> for Value {
    fn from(v: bigdecimal::BigDecimal) -> Self {
        Value::Decimal(v.to_plain_string())
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// A row for `bulk_insert`: `row![1, "ada", None::<String>]`.
#[macro_export]
macro_rules! row {
    ($($value:expr),* $(,)?) => {
        ::std::vec![$($crate::schema::Value::from($value)),*]
    };
}

/// The names Retort gives what a model leaves unnamed, after the project's
/// naming convention (SQLAlchemy's `naming_convention`): set once per process
/// with [`naming::set_convention`] before the models' schema is built (the engine
/// does so from `Retort.toml`'s `[naming_convention]`); Retort's own by default,
/// so names are stable across databases.
pub mod naming {

    use once_cell::sync::OnceCell;

    /// Templates for each kind of generated name, in SQLAlchemy's tokens:
    /// `%(table_name)s`, `%(column_0_name)s`, `%(column_0_N_name)s` (every column,
    /// joined by `_`), `%(column_0N_name)s` (joined without separator),
    /// `%(referred_table_name)s` (foreign keys), `%(constraint_name)s` (checks:
    /// the column the condition names first, `check` when none).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct NamingConvention {
        /// Indexes (`ix`): `ix_%(table_name)s_%(column_0_N_name)s`.
        pub index: String,
        /// Unique constraints (`uq`): `uq_%(table_name)s_%(column_0_N_name)s`.
        pub unique: String,
        /// Check constraints (`ck`): `ck_%(table_name)s_%(constraint_name)s`.
        pub check: String,
        /// Foreign keys (`fk`):
        /// `fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s`.
        pub foreign_key: String,
        /// Primary keys (`pk`); `None`: the database names them (`users_pkey`).
        pub primary_key: Option<String>,
    }

    impl Default for NamingConvention {
        fn default() -> Self {
            NamingConvention {
                index: "ix_%(table_name)s_%(column_0_N_name)s".to_owned(),
                unique: "uq_%(table_name)s_%(column_0_N_name)s".to_owned(),
                check: "ck_%(table_name)s_%(constraint_name)s".to_owned(),
                foreign_key: "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s"
                    .to_owned(),
                primary_key: None,
            }
        }
    }

    /// The tokens a template may use.
    pub const TOKENS: &[&str] = &[
        "table_name",
        "column_0_name",
        "column_0_N_name",
        "column_0N_name",
        "referred_table_name",
        "constraint_name",
    ];

    impl NamingConvention {
        /// The first unknown `%(token)s` of a template, or an unclosed one.
        pub fn unknown_token(template: &str) -> Option<String> {
            let mut rest = template;
            while let Some(at) = rest.find("%(") {
                let after = &rest[at + 2..];
                let Some(close) = after.find(")s") else {
                    return Some(after.to_owned());
                };
                let token = &after[..close];
                if !TOKENS.contains(&token) {
                    return Some(token.to_owned());
                }
                rest = &after[close + 2..];
            }
            None
        }
    }

    /// `%(table_name)s` and `%(referred_table_name)s` are the names within their
    /// schemas, as SQLAlchemy's are.
    fn fill(template: &str, table: &str, columns: &[&str], referred: &str, name: &str) -> String {
        let (_, table) = super::split_schema(table);
        let (_, referred) = super::split_schema(referred);
        template
            .replace("%(table_name)s", table)
            .replace("%(column_0_N_name)s", &columns.join("_"))
            .replace("%(column_0N_name)s", &columns.concat())
            .replace("%(column_0_name)s", columns.first().copied().unwrap_or(""))
            .replace("%(referred_table_name)s", referred)
            .replace("%(constraint_name)s", name)
    }

    static CONVENTION: OnceCell<NamingConvention> = OnceCell::new();

    /// Sets the process's naming convention. Once set it stays: setting another
    /// one afterwards is refused (the models' names are already built with the
    /// first), with the one in force.
    pub fn set_convention(convention: NamingConvention) -> Result<(), NamingConvention> {
        let current = CONVENTION.get_or_init(|| convention.clone());
        if *current == convention {
            Ok(())
        } else {
            Err(current.clone())
        }
    }

    /// The convention in force (Retort's own unless [`set_convention`] said otherwise).
    pub fn convention() -> &'static NamingConvention {
        CONVENTION.get_or_init(NamingConvention::default)
    }

    /// An index's name: `ix_<table>_<col>[_<col>…]` by default.
    pub fn index(table: &str, columns: &[&str]) -> String {
        fill(&convention().index, table, columns, "", "")
    }

    /// A unique constraint's name: `uq_<table>_<col>[_<col>…]` by default.
    pub fn unique(table: &str, columns: &[&str]) -> String {
        fill(&convention().unique, table, columns, "", "")
    }

    /// A check's name from the column it names first (`name`): `ck_<table>_<name>`
    /// by default.
    pub fn check(table: &str, name: &str) -> String {
        fill(&convention().check, table, &[name], "", name)
    }

    /// `pk_<table>`: the name Retort gives a primary key it names itself.
    pub fn primary_key(table: &str) -> String {
        format!("pk_{}", super::split_schema(table).1)
    }

    /// The convention's primary key name, if it has one.
    pub fn convention_primary_key(table: &str, columns: &[&str]) -> Option<String> {
        convention()
            .primary_key
            .as_deref()
            .map(|t| fill(t, table, columns, "", ""))
    }

    /// A foreign key's name: `fk_<table>_<col>[_<col>…]_<ref_table>` by default.
    pub fn foreign_key(table: &str, columns: &[&str], ref_table: &str) -> String {
        fill(&convention().foreign_key, table, columns, ref_table, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_time_defaults() {
        assert_eq!(
            portable_time_default("now()"),
            Some(ServerDefault::CurrentTimestamp)
        );
        assert_eq!(
            portable_time_default("CURRENT_TIMESTAMP"),
            Some(ServerDefault::CurrentTimestamp)
        );
        assert_eq!(
            portable_time_default("current_date"),
            Some(ServerDefault::CurrentDate)
        );
        assert_eq!(portable_time_default("pending"), None);
        assert_eq!(
            ServerDefault::from_model_str("pending"),
            ServerDefault::text("pending")
        );
    }

    #[test]
    fn values_of_the_new_types() {
        let text = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        let Ok(Value::Uuid(bytes)) = Value::uuid(text) else {
            panic!("a UUID");
        };
        assert_eq!(format_uuid(&bytes), text);
        assert_eq!(
            Value::uuid(&text.replace('-', "").to_ascii_uppercase()),
            Value::uuid(text)
        );
        for bad in [
            "",
            "67e55044",
            "67e55044-10b1-426f-9247-bb680e5fe0cz",
            "67e5504410b1-426f-9247-bb680e5fe0c8--",
        ] {
            assert!(Value::uuid(bad).is_err(), "{bad}");
        }
        assert!(Value::decimal("-12.50").is_ok() && Value::decimal(".5").is_ok());
        for bad in ["", "-", ".", "1e5", "1.2.3", "12,5", "NaN"] {
            assert!(Value::decimal(bad).is_err(), "{bad}");
        }
        assert_eq!(canonical_decimal("0.50"), "0.5");
        assert_eq!(canonical_decimal("-000.000"), "0");
        assert_eq!(canonical_decimal("+3."), "3");
        assert_eq!(canonical_decimal("0010.0100"), "10.01");
        assert!(Value::json("  ").is_err() && Value::json("{}").is_ok());
    }

    #[test]
    fn defaults_compare_by_meaning() {
        // Exactly, past what a double holds.
        assert!(ServerDefault::number("12345678901234567.10")
            .same_as(&ServerDefault::number("12345678901234567.1")));
        assert!(!ServerDefault::number("12345678901234567.01")
            .same_as(&ServerDefault::number("12345678901234567.02")));
        assert!(ServerDefault::number(0).same_as(&ServerDefault::number("0.00")));
        assert!(ServerDefault::number(0).same_as(&ServerDefault::Number("0.0".into())));
        assert!(!ServerDefault::number(0).same_as(&ServerDefault::number(1)));
        assert!(
            ServerDefault::sql("(datetime('now'))").same_as(&ServerDefault::sql("datetime('now')"))
        );
    }

    #[test]
    fn decimal_narrowing() {
        let d = |precision, scale| SqlType::Decimal { precision, scale };
        assert!(!d(10, 2).narrows_to(&d(12, 2)));
        assert!(!d(10, 2).narrows_to(&d(11, 3)));
        assert!(
            d(10, 2).narrows_to(&d(10, 3)),
            "one digit less before the point"
        );
        assert!(
            d(10, 2).narrows_to(&d(10, 1)),
            "one digit less after the point"
        );
        assert!(!SqlType::Integer.narrows_to(&d(10, 0)));
        assert!(SqlType::BigInt.narrows_to(&d(18, 0)));
        assert!(!SqlType::Uuid.narrows_to(&SqlType::Text));
        assert!(SqlType::Text.narrows_to(&SqlType::Uuid));
        assert!(SqlType::Text.narrows_to(&SqlType::Json));
        assert!(!SqlType::Unsigned(16).narrows_to(&SqlType::Unsigned(32)));
        assert!(!SqlType::Unsigned(16).narrows_to(&SqlType::Integer));
        assert!(SqlType::Unsigned(32).narrows_to(&SqlType::Integer));
        assert!(
            SqlType::Integer.narrows_to(&SqlType::Unsigned(32)),
            "negative values"
        );
    }

    #[test]
    fn narrowing() {
        assert!(SqlType::Text.narrows_to(&SqlType::Varchar(10)));
        assert!(SqlType::Varchar(10).narrows_to(&SqlType::Varchar(5)));
        assert!(SqlType::BigInt.narrows_to(&SqlType::Integer));
        assert!(SqlType::Text.narrows_to(&SqlType::Integer));
        assert!(!SqlType::Integer.narrows_to(&SqlType::BigInt));
        assert!(!SqlType::Varchar(10).narrows_to(&SqlType::Text));
    }

    #[test]
    fn outer_parens() {
        assert_eq!(strip_outer_parens("((1))"), "1");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_outer_parens("('(')"), "'('");
    }
}
