//! Rust types for Retort's field types, and their diesel conversions.
//!
//! Each comes with a feature of `retort`:
//!
//! - `uuid`: `Uuid` (a transparent wrapper of `uuid::Uuid`) reads and writes
//!   [`retort::sql_types::Uuid`](crate::sql_types::Uuid): PostgreSQL `UUID`; the
//!   hyphenated text of a `CHAR(36)` on MySQL/MariaDB and SQLite, read with or
//!   without hyphens (and on MySQL also from a `BINARY(16)`).
//! - `json`: `Json<T>` (any serde type, stored as a JSON document; `T` may be
//!   `serde_json::Value`) reads and writes
//!   [`retort::sql_types::Json`](crate::sql_types::Json): PostgreSQL `JSONB` (a
//!   `JSON` column reads too), MySQL `JSON`, SQLite `TEXT`.
//! - `decimal`: `bigdecimal::BigDecimal` reads and writes diesel's
//!   `diesel::sql_types::Numeric` (diesel's own `numeric` support). On SQLite
//!   diesel goes through an `f64` both ways: `12.5` comes back as written, `-0.05`
//!   as the double's exact expansion (`-0.05000000000000000277…`); round to the
//!   column's scale (`.round(2)`).
//!
//! `Uuid` and `Json<T>` work wherever diesel's own types do: `Queryable`,
//! `Selectable` and `Insertable` fields, `Option<…>` in `Nullable` columns,
//! `.filter(column.eq(value))`.
//!
//! `uuid::Uuid` and `serde_json::Value` themselves are read too (a `Queryable`
//! field, `sql_query(…).bind::<retort::sql_types::Uuid, _>(id)`), but they cannot
//! be *expressions*: diesel's blanket `impl<T: Expression> AsExpression<_> for T`
//! lets no crate but diesel implement `AsExpression` for a type of another crate.
//! So they are no `Insertable` fields and do not compare with a column unwrapped:
//! write `retort::types::Uuid(id)` / `Json(value)`, or keep the field's type and
//! add `#[diesel(serialize_as = retort::types::Uuid)]` to it.
//!
//! ```
//! # #[cfg(feature = "uuid")] {
//! use diesel::prelude::*;
//! use retort::types::Uuid;
//!
//! diesel::table! {
//!     accounts (id) {
//!         id -> retort::sql_types::Uuid,
//!         parent -> Nullable<retort::sql_types::Uuid>,
//!         name -> Text,
//!     }
//! }
//!
//! #[derive(Queryable, Selectable, Insertable)]
//! #[diesel(table_name = accounts)]
//! struct Account {
//!     id: Uuid,
//!     parent: Option<Uuid>,
//!     name: String,
//! }
//!
//! let id = Uuid(uuid::Uuid::from_u128(0x67e5_5044_10b1_426f_9247_bb68_0e5f_e0c8));
//! let _by_id = accounts::table.filter(accounts::id.eq(id));
//! let _children = accounts::table.filter(accounts::parent.eq(id));
//!
//! // A plain `uuid::Uuid` field reads; to insert it, convert it.
//! #[derive(Queryable, Selectable, Insertable)]
//! #[diesel(table_name = accounts)]
//! struct PlainAccount {
//!     #[diesel(serialize_as = Uuid)]
//!     id: uuid::Uuid,
//!     parent: Option<Uuid>,
//!     name: String,
//! }
//! # }
//! ```

#[allow(unused_imports)]
use diesel::deserialize::{self, FromSql};
#[allow(unused_imports)]
use diesel::serialize::{self, IsNull, Output, ToSql};

#[allow(unused_imports)]
use crate::sql_types;

/// A UUID field: `uuid::Uuid` in a
/// [`retort::sql_types::Uuid`](crate::sql_types::Uuid) column (PostgreSQL `UUID`,
/// `CHAR(36)` text on MySQL/MariaDB and SQLite). A transparent wrapper (the
/// `uuid::Uuid` is the public field, and it derefs to it) because diesel lets no
/// crate but itself make `uuid::Uuid` an expression (see the [module](self)).
/// Needs the `uuid` feature.
///
/// ```
/// use diesel::prelude::*;
/// use retort::types::Uuid;
///
/// diesel::table! {
///     sessions (id) {
///         id -> retort::sql_types::Uuid,
///         user_id -> Integer,
///     }
/// }
///
/// let id: Uuid = "67e55044-10b1-426f-9247-bb680e5fe0c8".parse().unwrap();
/// assert_eq!(id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
/// assert_eq!(id.get_version_num(), 4); // through `Deref<Target = uuid::Uuid>`
/// let _query = sessions::table.filter(sessions::id.eq(id));
/// ```
#[cfg(feature = "uuid")]
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = crate::sql_types::Uuid)]
pub struct Uuid(pub uuid::Uuid);

#[cfg(feature = "uuid")]
impl Uuid {
    /// The wrapped `uuid::Uuid`.
    ///
    /// ```
    /// let id = retort::types::Uuid(uuid::Uuid::nil());
    /// assert!(id.into_inner().is_nil());
    /// ```
    pub fn into_inner(self) -> uuid::Uuid {
        self.0
    }
}

#[cfg(feature = "uuid")]
impl From<uuid::Uuid> for Uuid {
    fn from(id: uuid::Uuid) -> Self {
        Uuid(id)
    }
}

#[cfg(feature = "uuid")]
impl From<Uuid> for uuid::Uuid {
    fn from(id: Uuid) -> Self {
        id.0
    }
}

#[cfg(feature = "uuid")]
impl From<Uuid> for crate::schema::Value {
    fn from(id: Uuid) -> Self {
        crate::schema::Value::Uuid(id.0.into_bytes())
    }
}

#[cfg(feature = "uuid")]
impl PartialEq<uuid::Uuid> for Uuid {
    fn eq(&self, other: &uuid::Uuid) -> bool {
        self.0 == *other
    }
}

#[cfg(feature = "uuid")]
impl PartialEq<Uuid> for uuid::Uuid {
    fn eq(&self, other: &Uuid) -> bool {
        *self == other.0
    }
}

#[cfg(feature = "uuid")]
impl std::ops::Deref for Uuid {
    type Target = uuid::Uuid;

    fn deref(&self) -> &uuid::Uuid {
        &self.0
    }
}

#[cfg(feature = "uuid")]
impl std::ops::DerefMut for Uuid {
    fn deref_mut(&mut self) -> &mut uuid::Uuid {
        &mut self.0
    }
}

#[cfg(feature = "uuid")]
impl std::fmt::Display for Uuid {
    /// The hyphenated lower-case text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(feature = "uuid")]
impl std::str::FromStr for Uuid {
    type Err = uuid::Error;

    /// Reads the hyphenated, simple (32 digits), braced or URN text.
    fn from_str(text: &str) -> Result<Self, uuid::Error> {
        uuid::Uuid::parse_str(text).map(Uuid)
    }
}

#[cfg(feature = "uuid")]
impl<DB> ToSql<sql_types::Uuid, DB> for Uuid
where
    DB: diesel::backend::Backend,
    uuid::Uuid: ToSql<sql_types::Uuid, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.to_sql(out)
    }
}

#[cfg(feature = "uuid")]
impl<DB> FromSql<sql_types::Uuid, DB> for Uuid
where
    DB: diesel::backend::Backend,
    uuid::Uuid: FromSql<sql_types::Uuid, DB>,
{
    fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
        uuid::Uuid::from_sql(value).map(Uuid)
    }
}

/// The error of a UUID that does not read.
#[cfg(all(feature = "uuid", any(feature = "mysql", feature = "sqlite")))]
fn bad_uuid(bytes: &[u8]) -> Box<dyn std::error::Error + Send + Sync> {
    format!(
        "`{}` is not a UUID (36-character hyphenated or 32-digit hexadecimal text)",
        String::from_utf8_lossy(bytes)
    )
    .into()
}

/// A UUID from its text, with or without hyphens.
#[cfg(all(feature = "uuid", any(feature = "mysql", feature = "sqlite")))]
fn uuid_from_text(text: &[u8]) -> deserialize::Result<uuid::Uuid> {
    let text = text.trim_ascii();
    if !matches!(text.len(), 32 | 36) {
        return Err(bad_uuid(text));
    }
    uuid::Uuid::try_parse_ascii(text).map_err(|_| bad_uuid(text))
}

#[cfg(all(feature = "uuid", feature = "postgres"))]
mod uuid_pg {
    use std::io::Write;

    use diesel::pg::{Pg, PgValue};

    use super::*;

    impl ToSql<sql_types::Uuid, Pg> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            out.write_all(self.as_bytes())?;
            Ok(IsNull::No)
        }
    }

    impl FromSql<sql_types::Uuid, Pg> for uuid::Uuid {
        fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
            let bytes = value.as_bytes();
            uuid::Uuid::from_slice(bytes)
                .map_err(|_| format!("a PostgreSQL UUID is 16 bytes, got {}", bytes.len()).into())
        }
    }
}

#[cfg(all(feature = "uuid", feature = "mysql"))]
mod uuid_mysql {
    use std::io::Write;

    use diesel::mysql::{Mysql, MysqlValue};

    use super::*;

    impl ToSql<sql_types::Uuid, Mysql> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
            let mut buffer = uuid::Uuid::encode_buffer();
            out.write_all(self.hyphenated().encode_lower(&mut buffer).as_bytes())?;
            Ok(IsNull::No)
        }
    }

    impl FromSql<sql_types::Uuid, Mysql> for uuid::Uuid {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            let bytes = value.as_bytes();
            match bytes.len() {
                // A BINARY(16) column.
                16 => uuid::Uuid::from_slice(bytes).map_err(|_| bad_uuid(bytes)),
                _ => uuid_from_text(bytes),
            }
        }
    }
}

#[cfg(all(feature = "uuid", feature = "sqlite"))]
mod uuid_sqlite {
    use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};

    use super::*;

    impl ToSql<sql_types::Uuid, Sqlite> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(self.hyphenated().to_string());
            Ok(IsNull::No)
        }
    }

    impl FromSql<sql_types::Uuid, Sqlite> for uuid::Uuid {
        fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            if value.value_type() == Some(SqliteType::Binary) {
                let bytes = value.read_blob();
                return uuid::Uuid::from_slice(bytes).map_err(|_| bad_uuid(bytes));
            }
            uuid_from_text(value.read_text().as_bytes())
        }
    }
}

/// A Rust value stored as a JSON document: any type serde serializes, in a
/// [`retort::sql_types::Json`](crate::sql_types::Json) column (PostgreSQL
/// `JSONB`, MySQL `JSON`, SQLite `TEXT`). Like `sqlx::types::Json`: the value is
/// the public field, and the wrapper derefs to it. Needs the `json` feature.
///
/// ```
/// use diesel::prelude::*;
/// use retort::types::Json;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
/// struct Settings {
///     theme: String,
///     volume: u8,
/// }
///
/// diesel::table! {
///     profiles (id) {
///         id -> Integer,
///         settings -> retort::sql_types::Json,
///     }
/// }
///
/// #[derive(Queryable, Selectable, Insertable)]
/// #[diesel(table_name = profiles)]
/// struct Profile {
///     id: i32,
///     settings: Json<Settings>,
/// }
///
/// let mut profile = Profile {
///     id: 1,
///     settings: Json(Settings { theme: "dark".into(), volume: 7 }),
/// };
/// profile.settings.volume += 1; // through `DerefMut`
/// assert_eq!(profile.settings.0.volume, 8);
/// let _insert = diesel::insert_into(profiles::table).values(&profile);
/// ```
#[cfg(feature = "json")]
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[serde(transparent)]
#[diesel(sql_type = crate::sql_types::Json)]
pub struct Json<T>(pub T);

#[cfg(feature = "json")]
impl<T> Json<T> {
    /// The wrapped value.
    ///
    /// ```
    /// let json = retort::types::Json(vec![1, 2]);
    /// assert_eq!(json.into_inner(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[cfg(feature = "json")]
impl<T> From<T> for Json<T> {
    /// Wraps a value.
    ///
    /// ```
    /// let json: retort::types::Json<&str> = "hello".into();
    /// assert_eq!(*json, "hello");
    /// ```
    fn from(value: T) -> Self {
        Json(value)
    }
}

#[cfg(feature = "json")]
impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(feature = "json")]
impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

#[cfg(feature = "json")]
impl<T> AsRef<T> for Json<T> {
    fn as_ref(&self) -> &T {
        &self.0
    }
}

#[cfg(feature = "json")]
impl<T> AsMut<T> for Json<T> {
    fn as_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// The error of a JSON document that does not read into the field's type.
#[cfg(feature = "json")]
fn bad_json(e: serde_json::Error) -> Box<dyn std::error::Error + Send + Sync> {
    format!("the JSON document does not read: {e}").into()
}

/// The document of a PostgreSQL `jsonb` (a version byte, 1, then the text) or
/// `json` (the text) value.
#[cfg(all(feature = "json", feature = "postgres"))]
fn pg_json_text<'a>(value: &diesel::pg::PgValue<'a>) -> deserialize::Result<&'a [u8]> {
    let bytes = value.as_bytes();
    if value.get_oid().get() == sql_types::PG_JSON_OID {
        return Ok(bytes);
    }
    match bytes.split_first() {
        Some((1, text)) => Ok(text),
        Some((version, _)) => Err(format!("unsupported jsonb format version {version}").into()),
        None => Err("an empty jsonb value".into()),
    }
}

/// `ToSql`/`FromSql` of `$rust` as [`sql_types::Json`] on every compiled backend.
#[cfg(feature = "json")]
macro_rules! json_impls {
    ([$($gen:tt)*] $rust:ty, [$($ser:tt)*], [$($de:tt)*]) => {
        #[cfg(feature = "postgres")]
        impl<$($gen)*> ToSql<sql_types::Json, diesel::pg::Pg> for $rust where $($ser)* {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::pg::Pg>) -> serialize::Result {
                use std::io::Write;
                out.write_all(&[1])?;
                serde_json::to_writer(out, self)?;
                Ok(IsNull::No)
            }
        }

        #[cfg(feature = "postgres")]
        impl<$($gen)*> FromSql<sql_types::Json, diesel::pg::Pg> for $rust where $($de)* {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> deserialize::Result<Self> {
                serde_json::from_slice(pg_json_text(&value)?).map_err(bad_json)
            }
        }

        #[cfg(feature = "mysql")]
        impl<$($gen)*> ToSql<sql_types::Json, diesel::mysql::Mysql> for $rust where $($ser)* {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::mysql::Mysql>) -> serialize::Result {
                serde_json::to_writer(out, self)?;
                Ok(IsNull::No)
            }
        }

        #[cfg(feature = "mysql")]
        impl<$($gen)*> FromSql<sql_types::Json, diesel::mysql::Mysql> for $rust where $($de)* {
            fn from_sql(value: diesel::mysql::MysqlValue<'_>) -> deserialize::Result<Self> {
                serde_json::from_slice(value.as_bytes()).map_err(bad_json)
            }
        }

        #[cfg(feature = "sqlite")]
        impl<$($gen)*> ToSql<sql_types::Json, diesel::sqlite::Sqlite> for $rust where $($ser)* {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::sqlite::Sqlite>) -> serialize::Result {
                out.set_value(serde_json::to_string(self)?);
                Ok(IsNull::No)
            }
        }

        #[cfg(feature = "sqlite")]
        impl<$($gen)*> FromSql<sql_types::Json, diesel::sqlite::Sqlite> for $rust where $($de)* {
            fn from_sql(mut value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                serde_json::from_str(value.read_text()).map_err(bad_json)
            }
        }
    };
}

#[cfg(feature = "json")]
json_impls!([] serde_json::Value, [], []);

#[cfg(feature = "json")]
json_impls!(
    [T] Json<T>,
    [T: serde::Serialize + std::fmt::Debug],
    [T: serde::de::DeserializeOwned]
);
