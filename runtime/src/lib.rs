//! Retort: the database schema written once, as Rust structs with
//! `#[derive(Model)]`; Alembic-style revisions whose `upgrade`/`downgrade` are
//! Rust functions.
//!
//! This crate is what a models crate and revision files link: the derive and the
//! registry it fills, the schema vocabulary, operations as data, the `op` handle a
//! revision receives, revision metadata, a connection of any compiled backend, and
//! the `revisions!`, `project!` and `link!` macros. Comparing, rendering and
//! running revisions is `retort-engine`; the command line is `retort-cli`.
//!
//! # Two ways in
//!
//! **Models and the CLI.** Describe tables as structs; a migrations binary
//! (`retort init` writes one) compiles the revision files in and hands them to
//! `retort_cli::main_project`:
//!
//! ```
//! use retort::Model;
//!
//! #[derive(Model)]
//! #[model(table = "users")]
//! pub struct User {
//!     #[model(primary_key)]
//!     pub id: i32,
//!     #[model(max_length = 50, unique)]
//!     pub username: String,
//! }
//!
//! let schema = retort::registered_schema().expect("the models are consistent");
//! assert!(schema.table("users").is_some());
//! ```
//!
//! **The `command` API.** Everything the CLI does is a function of
//! `retort_engine::command` (`upgrade(&config, "head")`, `autogenerate`, `check`…)
//! returning typed results, for tests and deploy tools.
//!
//! # A revision file
//!
//! ```
//! use retort::migration::prelude::*;
//!
//! pub const REVISION: Revision = Revision::new("ae1027a6acf0", &[], "add products");
//!
//! pub fn upgrade(op: &mut Operations) -> Result {
//!     op.create_table(
//!         Table::new("products")
//!             .column(Column::new("id", SqlType::Integer).autoincrement())
//!             .column(Column::new("name", SqlType::Varchar(100)))
//!             .primary_key(["id"]),
//!     )?;
//!     Ok(())
//! }
//!
//! pub fn downgrade(op: &mut Operations) -> Result {
//!     op.drop_table("products")?;
//!     Ok(())
//! }
//! ```
//!
//! # Field types beyond diesel's portable ones
//!
//! Features of this crate add UUID, JSON and decimal fields, with diesel
//! conversions on every compiled backend: `uuid` (`retort::types::Uuid`, a
//! wrapper of `uuid::Uuid`, in a [`sql_types::Uuid`] column), `json`
//! (`retort::types::Json<T>` in a [`sql_types::Json`] column), `decimal`
//! (`bigdecimal::BigDecimal` in a `diesel::sql_types::Numeric` column). The
//! [`types`] module says why the wrappers (diesel lets only itself make
//! `uuid::Uuid` or `serde_json::Value` an expression; both still read as they
//! are). The SQL type markers are always there; [`schema::Value`] holds all
//! three without any feature.
//!
//! ```
//! diesel::table! {
//!     invoices (id) {
//!         id -> retort::sql_types::Uuid,
//!         lines -> retort::sql_types::Json,
//!         total -> Numeric,
//!     }
//! }
//! ```

#![warn(missing_docs)]

extern crate self as retort;

pub mod connection;
mod error;
pub mod migration;
pub mod model;
pub mod operations;
pub mod ops;
pub mod project;
mod replay;
pub mod revision;
pub mod schema;
pub mod snapshot;
pub mod sql_types;
pub mod types;

pub use connection::{Backend, Connection, DatabaseUrl};
pub use error::{BoxError, Error, RenderError, Result};
pub use migration::{Direction, Migration, Migrations};
pub use model::{registered_schema, DbEnum, Model};
pub use project::Project;
pub use replay::ReplayError;
/// `retort::project!(static PROJECT);`: reads the crate's `Retort.toml` and
/// compiles each database's versions folder into a [`Project`] static
/// (`project!(static PROJECT = "Other.toml");` names another file).
///
/// Each revision file becomes a module of the crate, declared beside the
/// static, and rustc compiles each module as its own codegen unit: a new
/// revision compiles that file alone. The expression form, `static PROJECT:
/// Project = project!();`, gives the same value, but its modules sit inside the
/// static's initializer, where rustc compiles them all as one unit: every new
/// revision recompiles the whole history (seconds for a large one).
pub use retort_macros::project;
/// `retort::revisions!(static MIGRATIONS = "versions");`: compiles every revision
/// file of a folder (relative to the crate's `Cargo.toml`) into a [`Migrations`]
/// static; `revisions!("versions")` is the same as an expression (see
/// [`project!`] for why the item form rebuilds faster).
pub use retort_macros::revisions;
/// `#[derive(DbEnum)]`: a Rust enum of unit variants is a database enum
/// (PostgreSQL `CREATE TYPE … AS ENUM`, MySQL `ENUM(…)`, SQLite text), usable
/// as a model field's type. It implements the [`DbEnum`](trait@DbEnum) trait,
/// `From<E> for` [`schema::Value`] and, with the `diesel-tables` feature,
/// diesel's conversions for [`sql_types::Enum<E>`](sql_types::Enum).
///
/// - `#[db_enum(name = "order_status")]` on the enum: the database type's
///   name (default: the enum's name in snake_case).
/// - `#[db_enum(rename = "x")]` on a variant: its value (default: the
///   variant's name in snake_case).
/// - `#[db_enum(renamed_from = "old")]` on a variant: the value it had
///   before; autogenerate renames the value instead of removing and adding
///   it. Remove it once the revision is written.
///
/// On a model field (`Option<E>` is nullable), `default = Status::Pending` or
/// `default = "pending"` (both checked when the crate compiles) or
/// `default = sql("…")`. With `diesel-tables`, the enum needs `Debug` (diesel's
/// `ToSql` does), and the model's `table!` module must be able to name it: an
/// enum declared at module level (a model declared inside a function may use
/// it by its name or a `crate::` path).
///
/// ```
/// use retort::{DbEnum, Model};
///
/// #[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
/// #[db_enum(name = "order_status")]
/// pub enum Status {
///     Pending,
///     #[db_enum(renamed_from = "payed")]
///     Paid,
///     #[db_enum(rename = "sent")]
///     Shipped,
/// }
///
/// #[derive(Model)]
/// #[model(table = "orders")]
/// pub struct Order {
///     #[model(primary_key)]
///     pub id: i32,
///     #[model(default = Status::Pending)]
///     pub status: Status,
///     pub previous: Option<Status>,
/// }
///
/// # fn main() {
/// assert_eq!(Status::Shipped.as_db_str(), "sent");
/// assert_eq!(Status::from_db_str("paid"), Some(Status::Paid));
/// assert_eq!(<Status as DbEnum>::META.values, ["pending", "paid", "sent"]);
/// # }
/// ```
pub use retort_macros::DbEnum;
/// `#[derive(Model)]`: a struct describes a table. See the README for the
/// attributes.
pub use retort_macros::Model;

/// `retort::link!(models_crate)`: makes sure a crate whose models register
/// themselves is linked into this binary (the registry is filled at link time,
/// and a crate the program never names is not linked).
#[macro_export]
macro_rules! link {
    ($($krate:ident),+ $(,)?) => {
        $(
            #[allow(unused_imports)]
            use $krate as _;
        )+
    };
}

#[doc(hidden)]
pub mod __private {
    pub use diesel;
    pub use inventory;
}

/// What `#[derive(Model)]` emits for diesel (`table!`, joins): kept when the
/// `diesel-tables` feature is on somewhere in the build, dropped unexpanded
/// otherwise (the migrations binary needs none of it).
#[cfg(feature = "diesel-tables")]
#[doc(hidden)]
#[macro_export]
macro_rules! __diesel_tables {
    ($($items:tt)*) => { $($items)* };
}

/// What `#[derive(Model)]` emits for diesel (`table!`, joins): kept when the
/// `diesel-tables` feature is on somewhere in the build, dropped unexpanded
/// otherwise (the migrations binary needs none of it).
#[cfg(not(feature = "diesel-tables"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __diesel_tables {
    ($($items:tt)*) => {};
}

/// Emitted by `#[derive(Model)]` (inside its diesel items) for each array field:
/// arrays are PostgreSQL's, so without retort's `postgres` feature the diesel
/// table cannot have them.
#[cfg(feature = "postgres")]
#[doc(hidden)]
#[macro_export]
macro_rules! __array_column {
    ($model:ident, $field:ident) => {};
}

#[cfg(not(feature = "postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __array_column {
    ($model:ident, $field:ident) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($model), ".", ::core::stringify!($field),
            "` is an array, and only PostgreSQL has array columns: turn on retort's `postgres` feature \
             in the crate that runs the queries, or say #[model(diesel = false)]"
        ));
    };
}

/// Emitted by `#[derive(Model)]` (inside its diesel items) for each unsigned
/// field: MySQL's types, so without retort's `mysql` feature the diesel table
/// cannot have them.
#[cfg(feature = "mysql")]
#[doc(hidden)]
#[macro_export]
macro_rules! __unsigned_column {
    ($model:ident, $field:ident) => {};
}

#[cfg(not(feature = "mysql"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __unsigned_column {
    ($model:ident, $field:ident) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($model), ".", ::core::stringify!($field),
            "` is unsigned, and only MySQL/MariaDB have unsigned columns: turn on retort's `mysql` feature \
             in the crate that runs the queries, use a signed type, or say #[model(diesel = false)]"
        ));
    };
}

/// Emitted by `#[derive(Model)]` (inside its diesel items) for a model of 33 to 64
/// columns: nothing when diesel takes tables that wide, else an error that says
/// which feature to turn on.
#[cfg(any(feature = "64-column-tables", feature = "128-column-tables"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __wide_table_64 {
    ($model:ident, $columns:literal) => {};
}

#[cfg(not(any(feature = "64-column-tables", feature = "128-column-tables")))]
#[doc(hidden)]
#[macro_export]
macro_rules! __wide_table_64 {
    ($model:ident, $columns:literal) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($model), "` has ", $columns,
            " columns, and diesel's table! takes 32: turn on retort's feature `64-column-tables` \
             (or `128-column-tables`) in the crate that runs the queries, or say #[model(diesel = false)]"
        ));
    };
}

/// As [`__wide_table_64!`], for 65 to 128 columns.
#[cfg(feature = "128-column-tables")]
#[doc(hidden)]
#[macro_export]
macro_rules! __wide_table_128 {
    ($model:ident, $columns:literal) => {};
}

#[cfg(not(feature = "128-column-tables"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __wide_table_128 {
    ($model:ident, $columns:literal) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($model), "` has ", $columns,
            " columns, and diesel's table! takes fewer: turn on retort's feature `128-column-tables` \
             in the crate that runs the queries, or say #[model(diesel = false)]"
        ));
    };
}

/// One `AsExpression<$st>` impl for `$self`, as diesel's `#[derive(AsExpression)]`
/// writes it (for [`__db_enum_diesel!`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_as_expression {
    ($(#[$attr:meta])* [$($lt:lifetime),*] $self:ty => $st:ty) => {
        $(#[$attr])*
        impl<$($lt),*> ::diesel::expression::AsExpression<$st> for $self {
            type Expression = ::diesel::internal::derives::as_expression::Bound<$st, Self>;

            fn as_expression(self) -> Self::Expression {
                ::diesel::internal::derives::as_expression::Bound::new(self)
            }
        }
    };
}

/// Emitted by `#[derive(DbEnum)]` (inside its diesel items, so only with the
/// `diesel-tables` feature): diesel's conversions of the enum `$enum` for
/// [`sql_types::Enum<$enum>`](sql_types::Enum). The expression and row impls
/// are what diesel's `#[derive(AsExpression, FromSqlRow)]` write; `ToSql` and
/// `FromSql` come per backend retort is compiled with
/// (`__db_enum_sqlite!`, `__db_enum_postgres!`, `__db_enum_mysql!`, each
/// empty without its feature). The orphan rule puts them in the enum's crate,
/// which names `diesel` (as `#[derive(Model)]`'s tables do).
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_diesel {
    ($enum:ident) => {
        $crate::__db_enum_as_expression!(['__expr] &'__expr $enum => $crate::sql_types::Enum<$enum>);
        $crate::__db_enum_as_expression!(
            #[diagnostic::do_not_recommend]
            ['__expr] &'__expr $enum => ::diesel::sql_types::Nullable<$crate::sql_types::Enum<$enum>>
        );
        $crate::__db_enum_as_expression!(
            #[diagnostic::do_not_recommend]
            ['__expr, '__expr2] &'__expr2 &'__expr $enum => $crate::sql_types::Enum<$enum>
        );
        $crate::__db_enum_as_expression!(
            #[diagnostic::do_not_recommend]
            ['__expr, '__expr2] &'__expr2 &'__expr $enum
                => ::diesel::sql_types::Nullable<$crate::sql_types::Enum<$enum>>
        );
        $crate::__db_enum_as_expression!([] $enum => $crate::sql_types::Enum<$enum>);
        $crate::__db_enum_as_expression!(
            [] $enum => ::diesel::sql_types::Nullable<$crate::sql_types::Enum<$enum>>
        );

        impl<__DB>
            ::diesel::serialize::ToSql<
                ::diesel::sql_types::Nullable<$crate::sql_types::Enum<$enum>>,
                __DB,
            > for $enum
        where
            __DB: ::diesel::backend::Backend,
            Self: ::diesel::serialize::ToSql<$crate::sql_types::Enum<$enum>, __DB>,
        {
            fn to_sql<'__b>(
                &'__b self,
                out: &mut ::diesel::serialize::Output<'__b, '_, __DB>,
            ) -> ::diesel::serialize::Result {
                ::diesel::serialize::ToSql::<$crate::sql_types::Enum<$enum>, __DB>::to_sql(
                    self, out,
                )
            }
        }

        impl<__DB, __ST> ::diesel::deserialize::Queryable<__ST, __DB> for $enum
        where
            __DB: ::diesel::backend::Backend,
            __ST: ::diesel::sql_types::SingleValue,
            Self: ::diesel::deserialize::FromSql<__ST, __DB>,
        {
            type Row = Self;

            fn build(row: Self) -> ::diesel::deserialize::Result<Self> {
                ::core::result::Result::Ok(row)
            }
        }

        $crate::__db_enum_sqlite!($enum);
        $crate::__db_enum_postgres!($enum);
        $crate::__db_enum_mysql!($enum);
    };
}

/// `ToSql`/`FromSql` of a `#[derive(DbEnum)]` enum on SQLite: text.
#[cfg(feature = "sqlite")]
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_sqlite {
    ($enum:ident) => {
        impl ::diesel::serialize::ToSql<$crate::sql_types::Enum<$enum>, ::diesel::sqlite::Sqlite>
            for $enum
        {
            fn to_sql<'__b>(
                &'__b self,
                out: &mut ::diesel::serialize::Output<'__b, '_, ::diesel::sqlite::Sqlite>,
            ) -> ::diesel::serialize::Result {
                out.set_value(<Self as $crate::DbEnum>::as_db_str(self));
                ::core::result::Result::Ok(::diesel::serialize::IsNull::No)
            }
        }

        impl
            ::diesel::deserialize::FromSql<$crate::sql_types::Enum<$enum>, ::diesel::sqlite::Sqlite>
            for $enum
        {
            fn from_sql(
                mut value: ::diesel::sqlite::SqliteValue<'_, '_, '_>,
            ) -> ::diesel::deserialize::Result<Self> {
                $crate::sql_types::__enum_from_text(value.read_text().as_bytes())
            }
        }
    };
}

/// Without the `sqlite` feature: nothing.
#[cfg(not(feature = "sqlite"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_sqlite {
    ($enum:ident) => {};
}

/// `ToSql`/`FromSql` of a `#[derive(DbEnum)]` enum as its text's bytes, on a
/// backend whose values are bytes (PostgreSQL: an enum's binary form is its
/// label; MySQL/MariaDB).
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_bytes {
    ($enum:ident, $backend:ty, $value:ty) => {
        impl ::diesel::serialize::ToSql<$crate::sql_types::Enum<$enum>, $backend> for $enum {
            fn to_sql<'__b>(
                &'__b self,
                out: &mut ::diesel::serialize::Output<'__b, '_, $backend>,
            ) -> ::diesel::serialize::Result {
                ::std::io::Write::write_all(
                    out,
                    <Self as $crate::DbEnum>::as_db_str(self).as_bytes(),
                )?;
                ::core::result::Result::Ok(::diesel::serialize::IsNull::No)
            }
        }

        impl ::diesel::deserialize::FromSql<$crate::sql_types::Enum<$enum>, $backend> for $enum {
            fn from_sql(value: $value) -> ::diesel::deserialize::Result<Self> {
                $crate::sql_types::__enum_from_text(value.as_bytes())
            }
        }
    };
}

/// `ToSql`/`FromSql` of a `#[derive(DbEnum)]` enum on PostgreSQL: the label's
/// text (an enum's binary form), bound untyped.
#[cfg(feature = "postgres")]
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_postgres {
    ($enum:ident) => {
        $crate::__db_enum_bytes!($enum, ::diesel::pg::Pg, ::diesel::pg::PgValue<'_>);
    };
}

/// Without the `postgres` feature: nothing.
#[cfg(not(feature = "postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_postgres {
    ($enum:ident) => {};
}

/// `ToSql`/`FromSql` of a `#[derive(DbEnum)]` enum on MySQL/MariaDB: the
/// value's text.
#[cfg(feature = "mysql")]
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_mysql {
    ($enum:ident) => {
        $crate::__db_enum_bytes!(
            $enum,
            ::diesel::mysql::Mysql,
            ::diesel::mysql::MysqlValue<'_>
        );
    };
}

/// Without the `mysql` feature: nothing.
#[cfg(not(feature = "mysql"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __db_enum_mysql {
    ($enum:ident) => {};
}
