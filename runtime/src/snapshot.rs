//! Typed history: a table as it is at one revision, for that revision's data
//! migration (Django's historical models).
//!
//! `autogenerate --with-snapshot` (or `revision --with-snapshot TABLE,…`) writes a
//! `snapshot` module into the new revision file: one struct per table, with the
//! columns the table has once the revision's schema changes are made (a table the
//! revision drops: as it was). The data migration reads and writes the table
//! through it, so it keeps compiling, and means the same, when the models change
//! later:
//!
//! ```ignore
//! pub fn upgrade(op: &mut Operations) -> Result {
//!     for person in op.rows::<snapshot::People>()? {
//!         op.execute_with(
//!             "UPDATE people SET name = ? WHERE id = ?",
//!             row![person.name.to_uppercase(), person.id],
//!         )?;
//!     }
//!     Ok(())
//! }
//!
//! mod snapshot {
//!     retort::snapshot! {
//!         /// `people` at this revision.
//!         pub struct People in "people" {
//!             id: i64 = column("id") as BigInt,
//!             name: String = column("name") as Text,
//!             /// DECIMAL(10, 2), read as text.
//!             score: Option<String> = text("score") as Nullable<Text>,
//!         }
//!     }
//! }
//! ```
//!
//! Integers, booleans, floating-point numbers, strings and bytes read as their
//! Rust types on every database; a column of any other type (dates, decimals,
//! UUIDs, JSON, enums, arrays) is read as its text (`text("…")`), which writes
//! back unchanged.

use crate::connection::{Backend, Row};
use crate::error::Result;
use crate::operations::Operations;
use crate::schema::Value;

/// The diesel SQL types a snapshot's columns are read as.
pub mod sql {
    pub use diesel::sql_types::{
        BigInt, Binary, Bool, Double, Float, Integer, Nullable, SmallInt, Text,
    };
}

/// A table as one revision saw it: what [`snapshot!`](crate::snapshot!) implements.
pub trait Snapshot: Row + Sized {
    /// The table.
    const TABLE: &'static str;
    /// Its columns, in order, each with whether it is read as text.
    const COLUMNS: &'static [(&'static str, bool)];
    /// A row's values, in the order of [`Snapshot::COLUMNS`].
    fn values(&self) -> Vec<Value>;
}

/// `SELECT` of a snapshot's columns (those read as text cast to it) from its
/// table, followed by `rest` (`WHERE …`, `ORDER BY …`).
pub fn select_sql<T: Snapshot>(op: &Operations<'_>, rest: &str) -> String {
    let backend = op.backend();
    let columns: Vec<String> = T::COLUMNS
        .iter()
        .map(|(name, as_text)| {
            let quoted = op.quote(name);
            if *as_text {
                let text = if backend == Backend::Mysql {
                    "CHAR"
                } else {
                    "TEXT"
                };
                format!("CAST({quoted} AS {text}) AS {quoted}")
            } else {
                quoted
            }
        })
        .collect();
    let mut sql = format!(
        "SELECT {} FROM {}",
        columns.join(", "),
        op.quote_table(T::TABLE)
    );
    if !rest.trim().is_empty() {
        sql.push(' ');
        sql.push_str(rest.trim());
    }
    sql
}

impl Operations<'_> {
    /// Every row of a snapshot's table, typed as the table is at this revision
    /// (see [`crate::snapshot`](mod@crate::snapshot)). Reads the live database: not in `--sql` mode.
    #[track_caller]
    pub fn rows<T: Snapshot>(&mut self) -> Result<Vec<T>> {
        self.rows_where::<T>("")
    }

    /// The rows of a snapshot's table that `rest` selects (`WHERE active`,
    /// `ORDER BY id`), typed as the table is at this revision.
    #[track_caller]
    pub fn rows_where<T: Snapshot>(&mut self, rest: &str) -> Result<Vec<T>> {
        let sql = select_sql::<T>(self, rest);
        self.connection()?.query(&sql)
    }

    /// Inserts snapshot rows into their table (as [`Operations::bulk_insert`]:
    /// printed with `--sql`).
    #[track_caller]
    pub fn insert_rows<T: Snapshot>(&mut self, rows: &[T]) -> Result<()> {
        let columns: Vec<&str> = T::COLUMNS.iter().map(|(name, _)| *name).collect();
        self.bulk_insert(T::TABLE, &columns, rows.iter().map(T::values).collect())
    }
}

/// Declares a table as one revision saw it: a struct whose fields are its
/// columns, loadable on every database and implementing [`Snapshot`]. Written
/// by `autogenerate --with-snapshot`; see [`crate::snapshot`](mod@crate::snapshot).
#[macro_export]
macro_rules! snapshot {
    ($(
        $(#[$meta:meta])*
        $vis:vis struct $name:ident in $table:literal {
            $(
                $(#[$field_meta:meta])*
                $field:ident : $ty:ty = $how:ident ( $column:literal ) as $sql:ty
            ),* $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $(
                $(#[$field_meta])*
                pub $field: $ty,
            )*
        }

        const _: () = {
            use $crate::snapshot::sql::*;

            impl<DB> $crate::__private::diesel::deserialize::QueryableByName<DB> for $name
            where
                DB: $crate::__private::diesel::backend::Backend,
                $($ty: $crate::__private::diesel::deserialize::FromSql<$sql, DB>,)*
            {
                fn build<'a>(
                    row: &impl $crate::__private::diesel::row::NamedRow<'a, DB>,
                ) -> $crate::__private::diesel::deserialize::Result<Self> {
                    Ok($name {
                        $($field: $crate::__private::diesel::row::NamedRow::get::<$sql, $ty>(row, $column)?,)*
                    })
                }
            }
        };

        impl $crate::snapshot::Snapshot for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static [(&'static str, bool)] =
                &[$(($column, $crate::__snapshot_as_text!($how))),*];
            fn values(&self) -> ::std::vec::Vec<$crate::schema::Value> {
                ::std::vec![$($crate::__snapshot_value!($how, ::std::clone::Clone::clone(&self.$field))),*]
            }
        }
    )*};
}

/// A [`snapshot!`](crate::snapshot!) field's value to write: a column read as
/// text is written as untyped text, which each database reads as the column's
/// type (a date, a decimal…).
#[doc(hidden)]
#[macro_export]
macro_rules! __snapshot_value {
    (column, $value:expr) => {
        $crate::schema::Value::from($value)
    };
    (text, $value:expr) => {
        $crate::snapshot::untyped($value)
    };
}

/// Text to be written as the column's own type: bound untyped on PostgreSQL (as
/// an enum's value is), so the server parses it as the column's type; a string
/// elsewhere, which MySQL and SQLite convert. `None` is `NULL`.
pub fn untyped(text: impl Into<Option<String>>) -> Value {
    match text.into() {
        Some(text) => Value::Enum(text),
        None => Value::Null,
    }
}

/// Whether a [`snapshot!`](crate::snapshot!) column is read as its text.
#[doc(hidden)]
#[macro_export]
macro_rules! __snapshot_as_text {
    (column) => {
        false
    };
    (text) => {
        true
    };
}
