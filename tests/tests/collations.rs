//! Column collations (`collation = "…"`): created with the column, read back
//! where the column's differs from its type's or table's default, compared and
//! altered (`alter_column(..).collation(..)`), reversed, on each database with a
//! collation of its own (PostgreSQL `C`, MariaDB `utf8mb4_bin`, SQLite `NOCASE`).

use retort::model::registered_schema_for;
use retort::ops::reverse_all;
use retort::{Backend, Model};
use retort_engine::command;
use retort_tests::support::{comparable, summaries};
use retort_tests::{on_every_backend, TestDb};

/// Codes sorted byte by byte.
#[derive(Model)]
#[model(table = "co_codes", database = "collation_pg", diesel = false)]
pub struct PgCode {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// The code.
    #[model(max_length = 20, collation = "C")]
    pub code: String,
    /// A label in the default collation.
    pub label: Option<String>,
}

/// Codes that differ in case only are different codes.
#[derive(Model)]
#[model(table = "co_codes", database = "collation_mysql", diesel = false)]
pub struct MysqlCode {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// The code.
    #[model(max_length = 20, collation = "utf8mb4_bin", unique)]
    pub code: String,
    /// A label in the table's collation.
    #[model(max_length = 50)]
    pub label: Option<String>,
}

/// Codes that differ in case only are one code.
#[derive(Model)]
#[model(table = "co_codes", database = "collation_sqlite", diesel = false)]
pub struct SqliteCode {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// The code.
    #[model(collation = "NOCASE", unique)]
    pub code: String,
    /// A label in the default collation.
    pub label: Option<String>,
}

fn collations(db: &TestDb) {
    let _ = (PgCode::meta(), MysqlCode::meta(), SqliteCode::meta());
    let (database, collation) = match db.backend {
        Backend::Postgres => ("collation_pg", "C"),
        Backend::Mysql => ("collation_mysql", "utf8mb4_bin"),
        Backend::Sqlite => ("collation_sqlite", "NOCASE"),
    };
    let models = registered_schema_for(database).unwrap();
    let mut conn = db.connect();
    let create = db.compare(models).unwrap();
    command::apply(&mut conn, &create).unwrap();
    let again = db.compare(models).unwrap();
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    let live = db.schema();
    let table = &live.tables["co_codes"];
    assert_eq!(
        table.get_column("code").unwrap().collation.as_deref(),
        Some(collation)
    );
    assert_eq!(table.get_column("label").unwrap().collation, None);

    // The collation decides.
    match db.backend {
        Backend::Postgres => {
            conn.execute("INSERT INTO co_codes (id, code) VALUES (1, 'b'), (2, 'B'), (3, 'a')")
                .unwrap();
            assert_eq!(
                db.strings("SELECT code AS v FROM co_codes ORDER BY code"),
                ["B", "a", "b"]
            );
        }
        Backend::Mysql => {
            conn.execute("INSERT INTO co_codes (id, code) VALUES (1, 'abc'), (2, 'ABC')")
                .unwrap();
        }
        Backend::Sqlite => {
            conn.execute("INSERT INTO co_codes (id, code) VALUES (1, 'abc')")
                .unwrap();
            assert!(conn
                .execute("INSERT INTO co_codes (id, code) VALUES (2, 'ABC')")
                .is_err());
        }
    }
    conn.execute("DELETE FROM co_codes").unwrap();

    // Back to the default: one alter_column, reversible.
    let before = comparable(db.schema());
    let mut plain = models.clone();
    plain
        .tables
        .get_mut("co_codes")
        .unwrap()
        .columns
        .iter_mut()
        .find(|c| c.name == "code")
        .unwrap()
        .collation = None;
    let change = db.compare(&plain).unwrap();
    assert_eq!(
        summaries(&change),
        ["alter column `co_codes.code`: default collation"]
    );
    command::apply(&mut conn, &change).unwrap();
    let settled = db.compare(&plain).unwrap();
    assert!(settled.is_empty(), "{:#?}", summaries(&settled));
    assert_eq!(
        db.schema().tables["co_codes"]
            .get_column("code")
            .unwrap()
            .collation,
        None
    );
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    assert_eq!(comparable(db.schema()), before);
    assert!(db.compare(models).unwrap().is_empty());

    command::apply(&mut conn, &reverse_all(&create).unwrap()).unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(collations);
