//! Diesel SQL types for Retort's field types that diesel has no portable type
//! for: [`Uuid`], [`Json`] and [`Enum<E>`](Enum).
//!
//! Diesel's own `Uuid` and `Jsonb` exist on PostgreSQL only; these markers work
//! on every compiled backend, matching the columns Retort's dialects create:
//!
//! | marker    | PostgreSQL | MySQL / MariaDB                         | SQLite                          |
//! |-----------|------------|-----------------------------------------|---------------------------------|
//! | [`Uuid`]  | `UUID`     | `CHAR(36)`, the hyphenated text         | `CHAR(36)`, the hyphenated text |
//! | [`Json`]  | `JSONB`    | `JSON` (MariaDB: `LONGTEXT` + check)    | `TEXT` checked by `json_valid`  |
//! | [`Enum<E>`](Enum) | the enum type (`CREATE TYPE … AS ENUM`) | `ENUM('a', 'b')` | `TEXT` |
//!
//! They are always compiled (a `diesel::table!` can name them without any
//! feature); the Rust types that read and write them come with features:
//! `uuid` ([`retort::types::Uuid`](crate::types), and `uuid::Uuid` for reading),
//! `json` ([`retort::types::Json<T>`](crate::types), and `serde_json::Value` for
//! reading). Decimal columns use diesel's own
//! `diesel::sql_types::Numeric` (feature `decimal`: `bigdecimal::BigDecimal`).
//!
//! ```
//! diesel::table! {
//!     accounts (id) {
//!         id -> retort::sql_types::Uuid,
//!         settings -> retort::sql_types::Json,
//!         parent -> Nullable<retort::sql_types::Uuid>,
//!         balance -> Numeric,
//!     }
//! }
//! ```

use std::marker::PhantomData;

// The derives expand to items named after `diesel`; the metadata of each backend
// is written below by hand, each under Retort's own feature for that backend
// (diesel's derive attributes would follow diesel's features instead).

/// A UUID column: PostgreSQL `UUID` (binary, 16 bytes), `CHAR(36)` holding the
/// hyphenated lower-case text on MySQL/MariaDB (a MariaDB `UUID` column works
/// too, it speaks text) and on SQLite.
///
/// With the `uuid` feature, [`retort::types::Uuid`](crate::types) (and its
/// `Option` for `Nullable<Uuid>`) reads and writes it; `uuid::Uuid` reads it (and
/// binds in `sql_query`).
///
/// ```
/// diesel::table! {
///     sessions (id) {
///         id -> retort::sql_types::Uuid,
///         user_id -> Integer,
///     }
/// }
/// ```
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
pub struct Uuid;

/// A JSON document column: PostgreSQL `JSONB`, MySQL `JSON` (MariaDB: `LONGTEXT`
/// with a `json_valid` check), SQLite `TEXT` with a `json_valid` check.
///
/// With the `json` feature, [`retort::types::Json<T>`](crate::types) reads and
/// writes it (`T` any serde type, `serde_json::Value` too); a bare
/// `serde_json::Value` reads it.
///
/// ```
/// diesel::table! {
///     events (id) {
///         id -> Integer,
///         payload -> retort::sql_types::Json,
///     }
/// }
/// ```
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
pub struct Json;

/// The column of a `#[derive(DbEnum)]` enum `E`: a PostgreSQL enum type
/// (`CREATE TYPE … AS ENUM`), MySQL/MariaDB `ENUM('a', 'b')`, SQLite `TEXT`.
/// The value travels as its text everywhere: PostgreSQL binds it untyped
/// (oid 0, as [`Value::Null`](crate::schema::Value::Null) is bound), so the
/// server reads it as the column's enum type whatever that type is called;
/// MySQL binds it as an enum string, SQLite as text.
///
/// `#[derive(Model)]` names it for enum fields (`Nullable<Enum<E>>` for an
/// `Option<E>`); the derive of `E` (with retort's `diesel-tables` feature)
/// writes its `ToSql`/`FromSql`/`AsExpression`/`Queryable` impls for every
/// backend retort is compiled with, so `E` is an `Insertable`/`Queryable`
/// field and compares with its column (`.filter(orders::status.eq(Status::Paid))`).
/// A hand-written `table!` names it the same way.
///
/// ```
/// #[derive(retort::DbEnum, Debug, Clone, Copy, PartialEq)]
/// #[db_enum(name = "order_status")]
/// pub enum Status {
///     Pending,
///     Paid,
/// }
///
/// diesel::table! {
///     orders (id) {
///         id -> Integer,
///         status -> retort::sql_types::Enum<crate::Status>,
///     }
/// }
/// # fn main() {}
/// ```
pub struct Enum<E>(PhantomData<E>);

impl<E> std::fmt::Debug for Enum<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Enum<{}>", std::any::type_name::<E>())
    }
}

impl<E> Clone for Enum<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Enum<E> {}

impl<E> Default for Enum<E> {
    fn default() -> Self {
        Enum(PhantomData)
    }
}

impl<E: 'static> diesel::sql_types::SqlType for Enum<E> {
    type IsNull = diesel::sql_types::is_nullable::NotNull;
}

impl<E: 'static> diesel::sql_types::SingleValue for Enum<E> {}

impl<E: 'static> diesel::query_builder::QueryId for Enum<E> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

#[cfg(feature = "postgres")]
impl<E: 'static> diesel::sql_types::HasSqlType<Enum<E>> for diesel::pg::Pg {
    fn metadata(_: &mut Self::MetadataLookup) -> diesel::pg::PgTypeMetadata {
        // Untyped: the server takes the type of wherever the value goes.
        diesel::pg::PgTypeMetadata::new(0, 0)
    }
}

#[cfg(feature = "mysql")]
impl<E: 'static> diesel::sql_types::HasSqlType<Enum<E>> for diesel::mysql::Mysql {
    fn metadata(_: &mut ()) -> diesel::mysql::MysqlType {
        diesel::mysql::MysqlType::Enum
    }
}

#[cfg(feature = "sqlite")]
impl<E: 'static> diesel::sql_types::HasSqlType<Enum<E>> for diesel::sqlite::Sqlite {
    fn metadata(_: &mut ()) -> diesel::sqlite::SqliteType {
        diesel::sqlite::SqliteType::Text
    }
}

/// The variant of `E` stored as `bytes` (what `retort::__db_enum_diesel!`'s
/// `FromSql` impls read): an error names the value and the enum.
#[doc(hidden)]
pub fn __enum_from_text<E: crate::DbEnum>(bytes: &[u8]) -> diesel::deserialize::Result<E> {
    let meta = &E::META;
    let text = std::str::from_utf8(bytes).map_err(|_| {
        format!(
            "a value of the enum `{}` ({}) is not UTF-8 text: {}",
            meta.name,
            meta.rust_path,
            String::from_utf8_lossy(bytes)
        )
    })?;
    E::from_db_str(text).ok_or_else(|| {
        format!(
            "`{text}` is not a value of the enum `{}` ({}): it has {}",
            meta.name,
            meta.rust_path,
            meta.values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .into()
    })
}

/// PostgreSQL arrays (`Vec<i32>` fields: `INTEGER[]`), diesel's own type: only
/// PostgreSQL has them.
#[cfg(feature = "postgres")]
pub use diesel::sql_types::Array;

/// MySQL's unsigned integers (`u8`…`u64` fields: `Unsigned<TinyInt>`…), diesel's
/// own type: only MySQL/MariaDB have them.
#[cfg(feature = "mysql")]
pub use diesel::sql_types::Unsigned;

/// PostgreSQL's `uuid` type oid and its array's.
#[cfg(feature = "postgres")]
const PG_UUID: (u32, u32) = (2950, 2951);
/// PostgreSQL's `jsonb` type oid and its array's.
#[cfg(feature = "postgres")]
const PG_JSONB: (u32, u32) = (3802, 3807);
/// PostgreSQL's `json` type oid (read too: a hand-made `JSON` column).
#[cfg(all(feature = "postgres", feature = "json"))]
pub(crate) const PG_JSON_OID: u32 = 114;

#[cfg(feature = "postgres")]
impl diesel::sql_types::HasSqlType<Uuid> for diesel::pg::Pg {
    fn metadata(_: &mut Self::MetadataLookup) -> diesel::pg::PgTypeMetadata {
        diesel::pg::PgTypeMetadata::new(PG_UUID.0, PG_UUID.1)
    }
}

#[cfg(feature = "postgres")]
impl diesel::sql_types::HasSqlType<Json> for diesel::pg::Pg {
    fn metadata(_: &mut Self::MetadataLookup) -> diesel::pg::PgTypeMetadata {
        diesel::pg::PgTypeMetadata::new(PG_JSONB.0, PG_JSONB.1)
    }
}

#[cfg(feature = "mysql")]
impl diesel::sql_types::HasSqlType<Uuid> for diesel::mysql::Mysql {
    fn metadata(_: &mut ()) -> diesel::mysql::MysqlType {
        diesel::mysql::MysqlType::String
    }
}

#[cfg(feature = "mysql")]
impl diesel::sql_types::HasSqlType<Json> for diesel::mysql::Mysql {
    fn metadata(_: &mut ()) -> diesel::mysql::MysqlType {
        diesel::mysql::MysqlType::String
    }
}

#[cfg(feature = "sqlite")]
impl diesel::sql_types::HasSqlType<Uuid> for diesel::sqlite::Sqlite {
    fn metadata(_: &mut ()) -> diesel::sqlite::SqliteType {
        diesel::sqlite::SqliteType::Text
    }
}

#[cfg(feature = "sqlite")]
impl diesel::sql_types::HasSqlType<Json> for diesel::sqlite::Sqlite {
    fn metadata(_: &mut ()) -> diesel::sqlite::SqliteType {
        diesel::sqlite::SqliteType::Text
    }
}

/// A parameter whose type the server infers from where it is used (PostgreSQL's
/// "unknown", oid 0): how `Value::Null` is bound there, so a NULL goes into a
/// column of any type (a NULL typed as text would not go into an integer or UUID
/// column).
#[cfg(feature = "postgres")]
#[derive(Debug, Clone, Copy, Default, diesel::sql_types::SqlType)]
pub(crate) struct Untyped;

#[cfg(feature = "postgres")]
impl diesel::sql_types::HasSqlType<Untyped> for diesel::pg::Pg {
    fn metadata(_: &mut Self::MetadataLookup) -> diesel::pg::PgTypeMetadata {
        diesel::pg::PgTypeMetadata::new(0, 0)
    }
}

/// The value of an [`Untyped`] parameter: only ever bound as `None`.
#[cfg(feature = "postgres")]
#[derive(Debug)]
pub(crate) struct NoValue;

/// An enum value's text, bound as [`Untyped`]: PostgreSQL infers the column's
/// enum type from where the parameter goes.
#[cfg(feature = "postgres")]
#[derive(Debug)]
pub(crate) struct UntypedText<'a>(pub(crate) &'a str);

/// A UUID's 16 bytes, bound as [`Uuid`] (for `Value::Uuid`, with no feature).
#[derive(Debug)]
pub(crate) struct UuidBytes(pub(crate) [u8; 16]);

/// A JSON document's text, bound as [`Json`] (for `Value::Json`).
#[derive(Debug)]
pub(crate) struct JsonText<'a>(pub(crate) &'a str);

#[cfg(feature = "postgres")]
mod pg {
    use std::io::Write;

    use diesel::pg::Pg;
    use diesel::serialize::{self, IsNull, Output, ToSql};

    use super::{Json, JsonText, NoValue, Untyped, UntypedText, Uuid, UuidBytes};

    impl ToSql<Untyped, Pg> for NoValue {
        fn to_sql<'b>(&'b self, _: &mut Output<'b, '_, Pg>) -> serialize::Result {
            Ok(IsNull::Yes)
        }
    }

    impl ToSql<Untyped, Pg> for UntypedText<'_> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            // An enum's binary form is its label's text.
            out.write_all(self.0.as_bytes())?;
            Ok(IsNull::No)
        }
    }

    impl ToSql<Uuid, Pg> for UuidBytes {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            out.write_all(&self.0)?;
            Ok(IsNull::No)
        }
    }

    impl ToSql<Json, Pg> for JsonText<'_> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
            // jsonb's binary format: a version byte, then the text.
            out.write_all(&[1])?;
            out.write_all(self.0.as_bytes())?;
            Ok(IsNull::No)
        }
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use std::io::Write;

    use diesel::mysql::Mysql;
    use diesel::serialize::{self, IsNull, Output, ToSql};

    use super::{Json, JsonText, Uuid, UuidBytes};

    impl ToSql<Uuid, Mysql> for UuidBytes {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
            out.write_all(crate::schema::format_uuid(&self.0).as_bytes())?;
            Ok(IsNull::No)
        }
    }

    impl ToSql<Json, Mysql> for JsonText<'_> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
            out.write_all(self.0.as_bytes())?;
            Ok(IsNull::No)
        }
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use diesel::serialize::{self, IsNull, Output, ToSql};
    use diesel::sqlite::Sqlite;

    use super::{Json, JsonText, Uuid, UuidBytes};

    impl ToSql<Uuid, Sqlite> for UuidBytes {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(crate::schema::format_uuid(&self.0));
            Ok(IsNull::No)
        }
    }

    impl ToSql<Json, Sqlite> for JsonText<'_> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
            out.set_value(self.0);
            Ok(IsNull::No)
        }
    }
}

/// A decimal number's text (`"-12.50"`), bound as PostgreSQL `NUMERIC` in its
/// binary form (for `Value::Decimal`; no decimal library needed).
#[cfg(feature = "postgres")]
#[derive(Debug)]
pub(crate) struct PgDecimal<'a>(pub(crate) &'a str);

#[cfg(feature = "postgres")]
impl diesel::serialize::ToSql<diesel::sql_types::Numeric, diesel::pg::Pg> for PgDecimal<'_> {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
    ) -> diesel::serialize::Result {
        let numeric = pg_numeric(self.0)?;
        diesel::serialize::ToSql::<diesel::sql_types::Numeric, diesel::pg::Pg>::to_sql(
            &numeric,
            &mut out.reborrow(),
        )
    }
}

/// The largest display scale PostgreSQL's binary `numeric` input takes.
const PG_NUMERIC_MAX_DSCALE: usize = 0x3FFF;

/// A decimal number as PostgreSQL's binary `NUMERIC` holds it (what diesel's
/// `PgNumeric` writes): base-10000 digit groups without leading or trailing zero
/// groups, the weight of the first group (the power of 10000 it counts), the
/// sign, and the display scale (digits written after the point, so `1.50` stays
/// `1.50`). Zero has no groups. Compiled without the `postgres` feature too, for
/// its tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) struct PgNumericParts {
    negative: bool,
    weight: i16,
    scale: u16,
    digits: Vec<i16>,
}

#[cfg(feature = "postgres")]
impl From<PgNumericParts> for diesel::pg::data_types::PgNumeric {
    fn from(n: PgNumericParts) -> Self {
        let PgNumericParts {
            negative,
            weight,
            scale,
            digits,
        } = n;
        if negative {
            Self::Negative {
                weight,
                scale,
                digits,
            }
        } else {
            Self::Positive {
                weight,
                scale,
                digits,
            }
        }
    }
}

/// PostgreSQL's binary `NUMERIC` of a plain decimal text (an optional sign,
/// digits, an optional point and digits).
#[cfg(feature = "postgres")]
pub(crate) fn pg_numeric(text: &str) -> Result<diesel::pg::data_types::PgNumeric, String> {
    pg_numeric_parts(text).map(Into::into)
}

/// The parts of PostgreSQL's binary `NUMERIC` of a plain decimal text.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn pg_numeric_parts(text: &str) -> Result<PgNumericParts, String> {
    let bad = || format!("`{text}` is not a decimal number");
    if !crate::schema::is_decimal(text) {
        return Err(bad());
    }
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if frac.len() > PG_NUMERIC_MAX_DSCALE {
        return Err(format!(
            "`{text}` has more digits after the point than PostgreSQL's NUMERIC holds"
        ));
    }
    let scale = u16::try_from(frac.len()).map_err(|_| bad())?;
    let int = int.trim_start_matches('0');
    // Each side padded with zeros to whole groups of four digits: the integer
    // part on the left, the fraction on the right.
    let int_groups = int.len().div_ceil(4);
    let mut digits: Vec<i16> = Vec::with_capacity(int_groups + frac.len().div_ceil(4));
    let value = |s: &str| -> i16 {
        s.bytes()
            .fold(0i16, |acc, b| acc * 10 + i16::from(b - b'0'))
    };
    if int_groups > 0 {
        // The first group holds what is left over of the integer part.
        let head = int.len() - (int_groups - 1) * 4;
        digits.push(value(&int[..head]));
        digits.extend(
            (head..int.len())
                .step_by(4)
                .map(|at| value(&int[at..at + 4])),
        );
    }
    for at in (0..frac.len()).step_by(4) {
        let end = (at + 4).min(frac.len());
        // A last short group is the left of its four digits: ".5" is 5000.
        // (`end - at` is 1 to 4.)
        let pad = [1, 1000, 100, 10, 1][end - at];
        digits.push(value(&frac[at..end]) * pad);
    }
    let too_big = || format!("`{text}` is beyond the range of PostgreSQL's NUMERIC");
    let leading = digits.iter().take_while(|&&d| d == 0).count();
    digits.drain(..leading);
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        // Zero (also "-0", "0.000"): PostgreSQL has no negative zero.
        return Ok(PgNumericParts {
            negative: false,
            weight: 0,
            scale,
            digits,
        });
    }
    let weight = i64::try_from(int_groups).map_err(|_| too_big())?
        - 1
        - i64::try_from(leading).map_err(|_| too_big())?;
    let weight = i16::try_from(weight).map_err(|_| too_big())?;
    if u16::try_from(digits.len()).is_err() {
        return Err(too_big());
    }
    Ok(PgNumericParts {
        negative,
        weight,
        scale,
        digits,
    })
}

#[cfg(test)]
mod tests {
    use super::{pg_numeric_parts, PgNumericParts};

    fn pos(weight: i16, scale: u16, digits: &[i16]) -> PgNumericParts {
        PgNumericParts {
            negative: false,
            weight,
            scale,
            digits: digits.to_vec(),
        }
    }

    fn neg(weight: i16, scale: u16, digits: &[i16]) -> PgNumericParts {
        PgNumericParts {
            negative: true,
            ..pos(weight, scale, digits)
        }
    }

    fn parts(text: &str) -> PgNumericParts {
        pg_numeric_parts(text).unwrap()
    }

    /// The text PostgreSQL prints for a `NUMERIC` (what `numeric_out` does).
    fn text_of(n: &PgNumericParts) -> String {
        let group = |i: i32| -> i16 {
            usize::try_from(i)
                .ok()
                .and_then(|i| n.digits.get(i).copied())
                .unwrap_or(0)
        };
        let weight = i32::from(n.weight);
        let mut int = String::new();
        for w in (0..=weight.max(0)).rev() {
            int.push_str(&format!("{:04}", group(weight - w)));
        }
        let int = int.trim_start_matches('0');
        let mut frac = String::new();
        let mut i = weight + 1;
        while frac.len() < usize::from(n.scale) {
            frac.push_str(&format!("{:04}", group(i)));
            i += 1;
        }
        frac.truncate(usize::from(n.scale));
        let mut out = String::new();
        if n.negative {
            out.push('-');
        }
        out.push_str(if int.is_empty() { "0" } else { int });
        if n.scale > 0 {
            out.push('.');
            out.push_str(&frac);
        }
        out
    }

    #[test]
    fn known_values() {
        assert_eq!(parts("0"), pos(0, 0, &[]));
        assert_eq!(parts("0.00"), pos(0, 2, &[]));
        assert_eq!(parts("-0"), pos(0, 0, &[]));
        assert_eq!(parts("-0.5"), neg(-1, 1, &[5000]));
        assert_eq!(parts("12345.6789"), pos(1, 4, &[1, 2345, 6789]));
        assert_eq!(parts("0.0000000001"), pos(-3, 10, &[100]));
        assert_eq!(parts("100000000"), pos(2, 0, &[1]));
        assert_eq!(parts("-12.50"), neg(0, 2, &[12, 5000]));
        assert_eq!(parts("+7"), pos(0, 0, &[7]));
        assert_eq!(parts(".5"), pos(-1, 1, &[5000]));
        assert_eq!(parts("5."), pos(0, 0, &[5]));
        assert_eq!(parts("00010000.0001"), pos(1, 4, &[1, 0, 1]));
        assert_eq!(parts("9999"), pos(0, 0, &[9999]));
        assert_eq!(parts("10000"), pos(1, 0, &[1]));
        assert_eq!(parts("0.00001"), pos(-2, 5, &[1000]));
        assert_eq!(parts("1.234567"), pos(0, 6, &[1, 2345, 6700]));
    }

    #[test]
    fn refuses_what_is_not_a_decimal() {
        for text in [
            "", "-", ".", "1e5", "1.2.3", "abc", "1,5", " 1", "NaN", "--1", "+-1",
        ] {
            assert!(pg_numeric_parts(text).is_err(), "{text:?}");
        }
        let long = format!("0.{}", "1".repeat(0x4000));
        assert!(pg_numeric_parts(&long).is_err());
        assert!(pg_numeric_parts(&format!("0.{}", "1".repeat(0x3FFF))).is_ok());
        let huge = format!("1{}", "0".repeat(4 * 40_000));
        assert!(pg_numeric_parts(&huge).is_err());
    }

    #[test]
    fn prints_back_as_written() {
        for text in [
            "0",
            "1",
            "-1",
            "0.5",
            "-0.5",
            "12.50",
            "-12.50",
            "12345.6789",
            "0.0000000001",
            "100000000",
            "123456789012345678901234567890.123456789",
            "-0.000100",
            "99999999.99",
            "10000.0001",
        ] {
            assert_eq!(text_of(&parts(text)), text);
        }
    }

    /// The same as diesel's own conversion of a `BigDecimal`.
    #[cfg(all(feature = "postgres", feature = "decimal"))]
    #[test]
    fn agrees_with_diesel_bigdecimal() {
        use diesel::pg::data_types::PgNumeric;
        use std::str::FromStr;
        for text in [
            "1",
            "-1",
            "0.5",
            "-0.5",
            "12.50",
            "12345.6789",
            "0.0000000001",
            "100000000",
            "123456789012345678901234567890.123456789",
            "-0.000100",
            "10000.0001",
            "1.234567",
        ] {
            let decimal = bigdecimal::BigDecimal::from_str(text).unwrap();
            assert_eq!(
                super::pg_numeric(text).unwrap(),
                PgNumeric::from(&decimal),
                "{text}"
            );
        }
    }
}
