//! Helpers for the integration tests: a fresh SQLite file per test, and the
//! revision folders the tests run.

use std::path::PathBuf;

use retort::dialect::Dialect;
use retort::schema::Schema;
use retort::{Config, Connection, Migrations};

/// The shop example's revisions, as `migrations-cli` compiles them.
pub static SHOP: Migrations = retort::revisions!("../migrations-cli/versions");

/// Three linear revisions with predictable ids: `a1b2c3000001`, `a1b2c3000002`,
/// `b7e9d1000003` (a data migration).
pub static LINEAR: Migrations = retort::revisions!("fixtures/linear");

/// A good revision, then one that fails half-way (`c0ffee000002`).
pub static FAILING: Migrations = retort::revisions!("fixtures/failing");

/// A temporary folder holding one SQLite database file; removed on drop.
pub struct TempDb {
    /// The folder (also usable for a versions folder).
    pub dir: tempfile::TempDir,
    /// `sqlite:///…/test.db`.
    pub url: String,
    /// The database file.
    pub path: PathBuf,
}

impl TempDb {
    /// A new, empty (not yet created) database file in a fresh folder.
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("test.db");
        let url = format!("sqlite://{}", path.display());
        TempDb { dir, url, path }
    }

    /// A config running `migrations` on this database, writing new revisions to a
    /// `versions` folder next to it.
    pub fn config(&self, migrations: Migrations) -> Config {
        let mut config = Config::new(migrations).url(&self.url);
        config.versions_dir = self.dir.path().join("versions");
        config
    }

    /// A connection to this database.
    pub fn connect(&self) -> Connection {
        Connection::establish(&retort::config::DatabaseUrl::parse(&self.url).expect("url"))
            .expect("connect")
    }

    /// Names of the tables in the database (SQLite's own excluded).
    pub fn tables(&self) -> Vec<String> {
        let mut conn = self.connect();
        let schema = retort::introspect::introspect(&mut conn, &[]).expect("introspect");
        schema.table_names().map(str::to_owned).collect()
    }

    /// The whole file, to prove a failed command left it untouched.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap_or_default()
    }
}

impl Default for TempDb {
    fn default() -> Self {
        TempDb::new()
    }
}

/// Links the shop models into the test binary (the registry is filled at link time).
pub fn link_shop() {
    shop::link();
}

/// A schema as a dialect stores it (types canonical, indexes sorted by name), to
/// compare a model schema with an introspected one.
pub fn as_stored(schema: &Schema, dialect: &dyn Dialect) -> Schema {
    let mut out = schema.clone();
    for table in out.tables.values_mut() {
        let copy = table.clone();
        for column in &mut table.columns {
            column.sql_type = dialect.canonical_type(&copy, column);
        }
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    out
}
