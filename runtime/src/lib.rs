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
pub mod sql_types;
pub mod types;

pub use connection::{Backend, Connection, DatabaseUrl};
pub use error::{BoxError, Error, RenderError, Result};
pub use migration::{Direction, Migration, Migrations};
pub use model::{registered_schema, Model};
pub use project::Project;
pub use replay::ReplayError;
/// `retort::project!()`: reads the crate's `Retort.toml` and compiles each
/// database's versions folder into a [`Project`].
pub use retort_macros::project;
/// `retort::revisions!("versions")`: compiles every revision file of a folder (relative
/// to the crate's `Cargo.toml`) into a [`Migrations`] value.
pub use retort_macros::revisions;
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
