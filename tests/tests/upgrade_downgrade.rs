//! Upgrade and downgrade on SQLite, PostgreSQL and MariaDB: every kind of target,
//! `current` after each step, data kept, a failing revision, and bad input
//! leaving the database untouched.

use retort::{Backend, Direction};
use retort_engine::command;
use retort_engine::Error;
use retort_engine::RevisionError;
use retort_tests::support::current;
use retort_tests::{link_shop, on_every_backend, TestDb, FAILING, LINEAR, SHOP};

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn columns(db: &TestDb, table: &str) -> Vec<String> {
    db.schema()
        .table(table)
        .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default()
}

fn every_kind_of_target(db: &TestDb) {
    let config = db.config(LINEAR);
    assert!(current(&config).is_empty());

    assert_eq!(command::upgrade(&config, "+1").unwrap().len(), 1);
    assert_eq!(current(&config), ids(&["a1b2c3000001"]));
    assert_eq!(columns(db, "notes"), ["id", "body"]);

    command::upgrade(&config, "+1").unwrap();
    assert_eq!(current(&config), ids(&["a1b2c3000002"]));
    assert_eq!(columns(db, "notes"), ["id", "body", "tag"]);

    command::downgrade(&config, "-1").unwrap();
    assert_eq!(current(&config), ids(&["a1b2c3000001"]));
    assert_eq!(columns(db, "notes"), ["id", "body"]);

    command::downgrade(&config, "base").unwrap();
    assert!(current(&config).is_empty());
    assert!(db.tables().is_empty(), "{:?}", db.tables());

    // A full id, then a unique prefix.
    command::upgrade(&config, "a1b2c3000002").unwrap();
    assert_eq!(current(&config), ids(&["a1b2c3000002"]));
    command::upgrade(&config, "b7e9").unwrap();
    assert_eq!(current(&config), ids(&["b7e9d1000003"]));

    command::downgrade(&config, "a1b2c3000001").unwrap();
    assert_eq!(current(&config), ids(&["a1b2c3000001"]));

    let steps = command::upgrade(&config, "head").unwrap();
    assert_eq!(
        steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["a1b2c3000002", "b7e9d1000003"]
    );
    assert_eq!(current(&config), ids(&["b7e9d1000003"]));
    // At head, upgrading again does nothing.
    assert!(command::upgrade(&config, "head").unwrap().is_empty());

    command::downgrade(&config, "-3").unwrap();
    assert!(current(&config).is_empty());
}

fn users(db: &TestDb) -> Vec<String> {
    db.strings("SELECT CONCAT(username, ' ', email) AS v FROM users ORDER BY id")
}

fn rows_survive_an_unrelated_revision_up_and_down(db: &TestDb) {
    link_shop();
    let config = db.config(SHOP);
    command::upgrade(&config, "+1").unwrap();
    db.connect()
        .execute(
            "INSERT INTO users (username, email) VALUES ('ada', 'ada@example.com'), ('bob', 'bob@example.com')",
        )
        .unwrap();
    let before = users(db);
    assert_eq!(before, ["ada ada@example.com", "bob bob@example.com"]);

    command::upgrade(&config, "head").unwrap();
    assert!(columns(db, "products").contains(&"description".to_owned()));
    assert_eq!(users(db), before);

    command::downgrade(&config, "-5").unwrap();
    assert!(!columns(db, "products").contains(&"description".to_owned()));
    assert_eq!(users(db), before);
}

fn data_migration_runs_in_order_and_reverts(db: &TestDb) {
    let config = db.config(LINEAR);
    command::upgrade(&config, "head").unwrap();
    assert_eq!(db.count("notes"), 2);
    command::downgrade(&config, "-1").unwrap();
    assert_eq!(db.count("notes"), 0);
}

/// Runs `f`, expects an error, and checks the database did not change.
fn fails_untouched(
    db: &TestDb,
    f: impl FnOnce() -> retort_engine::Result<Vec<retort_engine::StepReport>>,
) -> Error {
    let before = db.snapshot();
    let err = f().expect_err("must fail");
    assert!(db.snapshot() == before, "the database changed: {err}");
    err
}

fn bad_targets_are_clear_errors_and_touch_nothing(db: &TestDb) {
    let config = db.config(LINEAR);
    command::upgrade(&config, "a1b2c3000002").unwrap();

    let err = fails_untouched(db, || command::upgrade(&config, "ffff"));
    assert_eq!(
        err.to_string(),
        "no revision matches `ffff`; `history` lists them"
    );

    let err = fails_untouched(db, || command::upgrade(&config, "a1b2c3"));
    assert_eq!(
        err.to_string(),
        "`a1b2c3` is ambiguous: it matches a1b2c3000001, a1b2c3000002"
    );

    let err = fails_untouched(db, || command::downgrade(&config, "-5"));
    assert_eq!(
        err.to_string(),
        "relative target -5 goes below base: only 2 revision(s) to revert"
    );

    let err = fails_untouched(db, || command::upgrade(&config, "+2"));
    assert_eq!(
        err.to_string(),
        "relative target +2 goes past head: only 1 revision(s) to apply"
    );

    let err = fails_untouched(db, || command::upgrade(&config, "a1b2c3000001"));
    assert!(
        matches!(
            err,
            Error::Revision(RevisionError::WrongDirection {
                direction: Direction::Upgrade,
                ..
            })
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "a1b2c3000001 is not above the current revision a1b2c3000002; use `downgrade` instead"
    );

    let err = fails_untouched(db, || command::downgrade(&config, "b7e9d1000003"));
    assert!(
        matches!(
            err,
            Error::Revision(RevisionError::WrongDirection {
                direction: Direction::Downgrade,
                ..
            })
        ),
        "{err}"
    );

    let bad_url = config.clone().url("mysqlx://root@localhost/db");
    let err = fails_untouched(db, || command::upgrade(&bad_url, "head"));
    assert_eq!(
        err.to_string(),
        "database URL `mysqlx://root@localhost/db`: unknown scheme `mysqlx`; Retort speaks sqlite://, postgres:// and mysql://"
    );
    assert_eq!(current(&config), ids(&["a1b2c3000002"]));
}

fn unknown_revision_in_the_database_is_reported(db: &TestDb) {
    let config = db.config(LINEAR);
    command::upgrade(&config, "head").unwrap();
    db.connect()
        .execute("UPDATE retort_version SET version_num = 'deadbeef0000'")
        .unwrap();
    let err = fails_untouched(db, || command::upgrade(&config, "head"));
    assert!(
        err.to_string()
            .starts_with("the database is at revision deadbeef0000, which is not among"),
        "{err}"
    );
    assert!(command::current(&config).is_err());
}

/// PostgreSQL and SQLite roll the failed revision back; MariaDB commits DDL as
/// it goes, so it says what stays, and the version table tells the truth.
fn a_failing_revision_is_reported_with_what_stays(db: &TestDb) {
    let config = db.config(FAILING);
    let err = command::upgrade(&config, "head").unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("INSERT INTO no_such_table VALUES (1)"),
        "{message}"
    );
    // The first revision stays applied.
    assert_eq!(current(&config), ids(&["c0ffee000001"]));
    if db.backend == Backend::Mysql {
        assert!(
            message.starts_with(
                "upgrade of revision c0ffee000002 (c0ffee000002_broken.rs) failed; mysql commits DDL at once, \
                 so its statements before the failing one stay applied, and the version table still says c0ffee000001:"
            ),
            "{message}"
        );
        assert!(db.tables().contains(&"half_done".to_owned()));
    } else {
        assert!(
            message.starts_with("upgrade of revision c0ffee000002 (c0ffee000002_broken.rs) failed; nothing of it was kept:"),
            "{message}"
        );
        assert!(!db.tables().contains(&"half_done".to_owned()));
        assert_eq!(columns(db, "logs"), ["id"]);
    }
}

on_every_backend!(
    every_kind_of_target,
    rows_survive_an_unrelated_revision_up_and_down,
    data_migration_runs_in_order_and_reverts,
    bad_targets_are_clear_errors_and_touch_nothing,
    unknown_revision_in_the_database_is_reported,
    a_failing_revision_is_reported_with_what_stays,
);

/// SQLite checks foreign keys when a revision ends (they are off during it, so
/// tables can be rebuilt): a violation fails that revision by name, and nothing of
/// it stays.
#[test]
fn a_foreign_key_violation_names_its_revision_on_sqlite() {
    let db = TestDb::sqlite();
    let config = db.config(retort_tests::DANGLING);
    let err = command::upgrade(&config, "head").unwrap_err().to_string();
    assert_eq!(
        err,
        "upgrade of revision da0000000001 (da0000000001_dangling_row.rs) failed; nothing of it was kept: \
         1 row(s) of table `children` reference missing rows of `parents`"
    );
    assert!(db.tables().is_empty());
    assert!(current(&config).is_empty());
}

/// A version table name taken by an application table is named as such, and a
/// lock timeout past SQLite's 32-bit milliseconds still waits and runs.
fn version_table_name_taken_and_a_huge_lock_timeout(db: &TestDb) {
    let mut conn = db.connect();
    conn.execute("CREATE TABLE app_versions (id INTEGER)")
        .unwrap();
    let mut config = db.config(LINEAR);
    config.version_table = "app_versions".to_owned();
    let err = command::upgrade(&config, "head").unwrap_err();
    assert!(matches!(err, Error::NotAVersionTable { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "table `app_versions` exists but is not a version table (it has no version_num column); set version_table in Retort.toml to another name"
    );
    let mut config = db.config(LINEAR);
    config.run.lock_timeout = std::time::Duration::from_secs(3_000_000);
    command::upgrade(&config, "head").unwrap();
    assert_eq!(current(&config), ["b7e9d1000003"]);
}

on_every_backend!(version_table_name_taken_and_a_huge_lock_timeout);
