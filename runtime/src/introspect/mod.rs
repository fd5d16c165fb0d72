//! Reads a live database into a [`Schema`], with a fixed number of bulk catalog
//! queries whatever the number of tables.

mod sqlite;
mod sqlite_ddl;

use crate::connection::{Connection, Driver};
use crate::error::Result;
use crate::schema::Schema;

/// Reads every table of the database except those in `exclude` (the version table).
pub fn introspect(conn: &mut Connection, exclude: &[&str]) -> Result<Schema> {
    let dialect = conn.dialect();
    match conn.driver() {
        Driver::Sqlite(c) => sqlite::introspect(c, dialect, exclude),
    }
}

/// Whether a table exists (one catalog query).
pub fn has_table(conn: &mut Connection, table: &str) -> Result<bool> {
    match conn.driver() {
        Driver::Sqlite(c) => sqlite::has_table(c, table),
    }
}
