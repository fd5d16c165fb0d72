//! Autogenerate against real SQLite files: from an empty database, after model
//! changes, with nothing to do, and when the database is not at head.

use retort::{registered_schema, Migrations};
use retort_engine::command::{self, RevisionOptions};
use retort_engine::dialect::Sqlite;
use retort_engine::Error;
use retort_tests::support::summaries;
use retort_tests::{as_stored, link_shop, TestDb, SHOP};

#[test]
fn registry_is_not_empty() {
    link_shop();
    let schema = registered_schema().expect("shop models are consistent");
    assert_eq!(
        schema.table_names().collect::<Vec<_>>(),
        vec!["orders", "products", "users"]
    );
}

#[test]
fn from_empty_creates_tables_in_foreign_key_order_then_nothing() {
    link_shop();
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    let models = registered_schema().unwrap();

    let ops = command::diff(&mut conn, models, "retort_version").unwrap();
    let names = summaries(&ops);
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        names[0].starts_with("add enum `order_status`"),
        "the enum before its table: {names:?}"
    );
    let position = |t: &str| {
        names
            .iter()
            .position(|n| n == &format!("add table `{t}`"))
            .unwrap()
    };
    assert!(position("users") < position("orders"), "{names:?}");
    assert!(position("products") < position("orders"), "{names:?}");

    command::apply(&mut conn, &ops).unwrap();
    let live =
        retort_engine::introspect::introspect(&mut conn, &["retort_version", "retort_version_log"])
            .unwrap();
    assert_eq!(live, as_stored(models, &Sqlite));
    assert!(command::diff(&mut conn, models, "retort_version")
        .unwrap()
        .is_empty());
}

#[test]
fn autogenerate_writes_a_reversible_revision_file_once() {
    link_shop();
    let db = TestDb::sqlite();
    let config = db.config(Migrations::EMPTY);
    let generated = command::autogenerate(&config, "initial schema", &RevisionOptions::default())
        .unwrap()
        .expect("an empty database differs from the models");
    let text = std::fs::read_to_string(&generated.path).unwrap();
    let file_name = generated.path.file_name().unwrap().to_str().unwrap();
    assert_eq!(file_name, format!("{}_initial_schema.rs", generated.id));
    assert!(
        text.contains(&format!(
            "Revision::new(\"{}\", &[], \"initial schema\")",
            generated.id
        )),
        "{text}"
    );
    for table in ["users", "products", "orders"] {
        assert!(text.contains(&format!("Table::new(\"{table}\")")), "{text}");
        assert!(
            text.contains(&format!("op.drop_table(\"{table}\")?;")),
            "{text}"
        );
    }
    let up = text.find("pub fn upgrade").unwrap();
    let down = text.find("pub fn downgrade").unwrap();
    // Downgrade drops in reverse order: orders before the tables it references.
    assert!(text[down..].find("\"orders\"").unwrap() < text[down..].find("\"users\"").unwrap());
    assert!(text[up..down].find("\"users\"").unwrap() < text[up..down].find("\"orders\"").unwrap());
    // The layout is prettyplease's, whatever toolchain is installed: laying the
    // file out again changes nothing but comments and blank lines, which it drops.
    let code = |t: &str| -> Vec<String> {
        t.lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty() && !l.trim_start().starts_with("//"))
            .map(str::to_owned)
            .collect()
    };
    let again = prettyplease::unparse(&syn::parse_file(&text).expect("the file parses"));
    assert_eq!(code(&again), code(&text));
    // Nothing ran against the database.
    assert!(db.tables().is_empty());

    // The new file is not compiled into this program: a second run must not write
    // a duplicate revision from a stale list.
    let err = command::autogenerate(&config, "again", &RevisionOptions::default()).unwrap_err();
    assert!(matches!(err, Error::StaleBinary { .. }), "{err}");
    assert!(err.to_string().contains(file_name), "{err}");
}

#[test]
fn no_changes_writes_no_file() {
    link_shop();
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    let ops = command::diff(&mut conn, registered_schema().unwrap(), "retort_version").unwrap();
    command::apply(&mut conn, &ops).unwrap();
    let config = db.config(Migrations::EMPTY);
    let generated = command::autogenerate(&config, "nothing", &RevisionOptions::default()).unwrap();
    assert!(generated.is_none());
    assert!(!config.versions_dir.exists());
    assert!(command::check(&config).unwrap().is_empty());
}

#[test]
fn refuses_when_the_database_is_not_at_head() {
    link_shop();
    let db = TestDb::sqlite();
    let config = db.config(SHOP);
    let err = command::autogenerate(&config, "too early", &RevisionOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::NotUpToDate { .. }), "{message}");
    assert!(
        message.starts_with("target database is not up to date: it is at base, the head is "),
        "{message}"
    );
    assert!(!config.versions_dir.exists(), "no file may be written");
    assert!(matches!(
        command::check(&config),
        Err(Error::NotUpToDate { .. })
    ));
}

#[test]
fn check_lists_what_differs() {
    link_shop();
    let db = TestDb::sqlite();
    let config = db.config(SHOP);
    command::upgrade(&config, "head").unwrap();
    assert!(command::check(&config).unwrap().is_empty());
    // Someone drops a column by hand: check reports the op that restores it.
    db.connect()
        .execute("ALTER TABLE products DROP COLUMN description")
        .unwrap();
    let ops = command::check(&config).unwrap();
    assert_eq!(
        summaries(&ops.ops),
        vec!["add column `products.description`"]
    );
}
