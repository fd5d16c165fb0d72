//! Rust field types → neutral SQL types.

use syn::{GenericArgument, PathArguments, Type};

/// What the derive knows about a field's Rust type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SmallInt,
    Integer,
    BigInt,
    Real,
    Double,
    Boolean,
    String,
    Bytes,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Uuid,
    Json,
    /// `NUMERIC(p, s)`: the precision and scale come from attributes.
    Decimal,
    /// `u8`…`u64`: MySQL's unsigned integers, of this many bits.
    Unsigned(u8),
}

impl Kind {
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Kind::SmallInt | Kind::Integer | Kind::BigInt | Kind::Unsigned(_)
        )
    }

    pub fn is_number(self) -> bool {
        self.is_integer() || matches!(self, Kind::Real | Kind::Double | Kind::Decimal)
    }

    pub fn is_temporal(self) -> bool {
        matches!(
            self,
            Kind::Date | Kind::Time | Kind::Timestamp | Kind::TimestampTz
        )
    }

    /// The `SqlType` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            Kind::SmallInt => "SmallInt",
            Kind::Integer => "Integer",
            Kind::BigInt => "BigInt",
            Kind::Real => "Real",
            Kind::Double => "Double",
            Kind::Boolean => "Boolean",
            Kind::String => "Text",
            Kind::Bytes => "Blob",
            Kind::Date => "Date",
            Kind::Time => "Time",
            Kind::Timestamp => "Timestamp",
            Kind::TimestampTz => "TimestampTz",
            Kind::Uuid => "Uuid",
            Kind::Json => "Json",
            Kind::Decimal => "Decimal",
            Kind::Unsigned(_) => "Unsigned",
        }
    }
}

/// The diesel SQL type of a kind, as `(crate, type)`: `("diesel", "Integer")` is
/// `::diesel::sql_types::Integer`, `("retort", "Uuid")` is
/// `::retort::sql_types::Uuid` (`None`: no portable one).
pub fn diesel_type(kind: Option<Kind>) -> Option<(&'static str, &'static str)> {
    let diesel = |name| ("diesel", name);
    Some(match kind? {
        Kind::SmallInt => diesel("SmallInt"),
        Kind::Integer => diesel("Integer"),
        Kind::BigInt => diesel("BigInt"),
        Kind::Real => diesel("Float"),
        Kind::Double => diesel("Double"),
        Kind::Boolean => diesel("Bool"),
        Kind::String => diesel("Text"),
        Kind::Bytes => diesel("Binary"),
        Kind::Date => diesel("Date"),
        Kind::Time => diesel("Time"),
        Kind::Timestamp => diesel("Timestamp"),
        Kind::Decimal => diesel("Numeric"),
        Kind::Uuid => ("retort", "Uuid"),
        Kind::Unsigned(_) => return None,
        Kind::Json => ("retort", "Json"),
        Kind::TimestampTz => return None,
    })
}

/// The types a field may have, for error messages.
pub const SUPPORTED: &str = "i16, i32, i64, u8, u16, u32, u64 (MySQL), f32, f64, bool, String, Vec<u8>, chrono::NaiveDate, \
chrono::NaiveTime, chrono::NaiveDateTime, chrono::DateTime<Utc>, time::Date, time::Time, \
time::PrimitiveDateTime, time::OffsetDateTime, uuid::Uuid, retort::types::Uuid, serde_json::Value, \
retort::types::Json<T>, bigdecimal::BigDecimal, rust_decimal::Decimal, or an Option of one of them";

/// `Option<T>` → `(T, true)`; anything else → `(ty, false)`.
pub fn unwrap_option(ty: &Type) -> (&Type, bool) {
    match single_generic(ty, "Option") {
        Some(inner) => (inner, true),
        None => (ty, false),
    }
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

fn single_generic<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let seg = last_segment(ty)?;
    if seg.ident != name {
        return None;
    }
    match &seg.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// The element type of a `Vec<T>` that is an array column (`T` is not `u8`:
/// `Vec<u8>` is bytes).
pub fn array_element(ty: &Type) -> Option<&Type> {
    let inner = single_generic(ty, "Vec")?;
    match last_segment(inner) {
        Some(seg) if seg.ident == "u8" && matches!(seg.arguments, PathArguments::None) => None,
        _ => Some(inner),
    }
}

/// Whether the type's path names `krate` (`serde_json::Value`).
fn names_crate(ty: &Type, krate: &str) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.iter().any(|s| s.ident == krate),
        Type::Group(g) => names_crate(&g.elem, krate),
        Type::Paren(p) => names_crate(&p.elem, krate),
        _ => false,
    }
}

/// The kind of a (non-Option) Rust type, or `None` when unsupported.
pub fn kind_of(ty: &Type) -> Option<Kind> {
    let seg = last_segment(ty)?;
    let plain = matches!(seg.arguments, PathArguments::None);
    let name = seg.ident.to_string();
    Some(match name.as_str() {
        "i16" if plain => Kind::SmallInt,
        "i32" if plain => Kind::Integer,
        "i64" if plain => Kind::BigInt,
        "u8" if plain => Kind::Unsigned(8),
        "u16" if plain => Kind::Unsigned(16),
        "u32" if plain => Kind::Unsigned(32),
        "u64" if plain => Kind::Unsigned(64),
        "f32" if plain => Kind::Real,
        "f64" if plain => Kind::Double,
        "bool" if plain => Kind::Boolean,
        "String" if plain => Kind::String,
        "NaiveDate" if plain => Kind::Date,
        "NaiveTime" if plain => Kind::Time,
        "NaiveDateTime" if plain => Kind::Timestamp,
        // The `time` crate's.
        "Date" if plain => Kind::Date,
        "Time" if plain => Kind::Time,
        "PrimitiveDateTime" if plain => Kind::Timestamp,
        "OffsetDateTime" | "UtcDateTime" if plain => Kind::TimestampTz,
        "Uuid" if plain => Kind::Uuid,
        "BigDecimal" | "Decimal" if plain => Kind::Decimal,
        // `serde_json::Value` (a bare `Value` could be anything) or its alias.
        "Value" if plain && names_crate(ty, "serde_json") => Kind::Json,
        "JsonValue" if plain => Kind::Json,
        "Json" if single_generic(ty, "Json").is_some() => Kind::Json,
        "Vec" => match single_generic(ty, "Vec").and_then(last_segment) {
            Some(inner) if inner.ident == "u8" => Kind::Bytes,
            _ => return None,
        },
        "DateTime" => match single_generic(ty, "DateTime").and_then(last_segment) {
            Some(inner) if inner.ident == "Utc" => Kind::TimestampTz,
            _ => return None,
        },
        _ => return None,
    })
}

/// Rust's types that no field has (the others are kinds above).
const PRIMITIVES: &[&str] = &[
    "i8", "i128", "u128", "isize", "usize", "f16", "f128", "char", "str",
];

/// Names the derive knows only with their type arguments.
const GENERIC: &[&str] = &["Option", "Vec", "Json", "DateTime"];

/// Whether a type the derive does not know may be a `#[derive(DbEnum)]` enum:
/// a path without type arguments or `<T as Trait>` (an enum is never
/// generic), naming no primitive nor a type the derive knows by name.
pub fn enum_candidate(ty: &Type) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            p.path
                .segments
                .iter()
                .all(|s| matches!(s.arguments, PathArguments::None))
                && !PRIMITIVES.contains(&name.as_str())
                && !GENERIC.contains(&name.as_str())
        }
        Type::Group(g) => enum_candidate(&g.elem),
        Type::Paren(p) => enum_candidate(&p.elem),
        _ => false,
    }
}

/// The path of a type that is one (`Status`, `crate::enums::Status`).
pub fn plain_path(ty: &Type) -> Option<&syn::Path> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Some(&p.path),
        Type::Group(g) => plain_path(&g.elem),
        Type::Paren(p) => plain_path(&p.elem),
        _ => None,
    }
}

/// A bare `Value`: `serde_json::Value` imported, most likely (the derive
/// recognises it by its crate's name).
pub fn is_bare_value(ty: &Type) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.is_ident("Value"),
        Type::Group(g) => is_bare_value(&g.elem),
        Type::Paren(p) => is_bare_value(&p.elem),
        _ => false,
    }
}
