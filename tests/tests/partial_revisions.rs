//! A revision that fails half-way where DDL cannot be rolled back (MariaDB, and
//! PostgreSQL with `--transaction per-statement`): how far it got is recorded,
//! `current`/`status` and every further run say so and name the ways out, and
//! each way out works: resume once the cause is fixed, revert what ran, or mark
//! it done after finishing by hand.

use std::process::Command;

use retort_engine::{command, Error, Repair, TransactionMode};
use retort_tests::support::{current, stdout};
use retort_tests::{TestDb, PARTIAL};

/// A fresh database where `9a…02` stopped after its first two statements.
fn stopped(db: &TestDb) -> retort_engine::Config {
    let mut config = db.config(PARTIAL);
    if db.backend == retort::Backend::Postgres {
        config.run.transactions = TransactionMode::PerStatement;
    }
    let err = command::upgrade(&config, "head").unwrap_err();
    assert!(
        err.to_string()
            .contains("its statements before the failing one stay applied"),
        "{err}"
    );
    assert_eq!(current(&config), ["9a0000000001"]);
    let unfinished = command::unfinished(&config).unwrap().expect("recorded");
    assert_eq!(
        (unfinished.revision.as_str(), unfinished.statements),
        ("9a0000000002", 2)
    );
    // The two statements stayed: the table and its column.
    assert!(db.tables().contains(&"parts".to_owned()));
    config
}

fn refuses_and_names_the_ways_out(db: &TestDb) {
    let config = stopped(db);
    let err = command::upgrade(&config, "head").unwrap_err();
    assert!(
        matches!(&err, Error::Unfinished(stopped) if stopped.statements == 2),
        "{err}"
    );
    let said = err.to_string();
    for part in [
        "the upgrade of revision 9a0000000002 (9a0000000002_gated.rs) stopped half-way: 2 of its statements ran and stayed",
        "The version table still says 9a0000000001.",
        "What ran:",
        "repair --resume",
        "repair --revert",
        "repair --done",
    ] {
        assert!(said.contains(part), "{part}: {said}");
    }
    assert!(
        said.contains("CREATE TABLE") && said.contains("ADD COLUMN"),
        "{said}"
    );
    // A downgrade is refused the same way.
    assert!(matches!(
        command::downgrade(&config, "base").unwrap_err(),
        Error::Unfinished(_)
    ));
    // `current` says it too.
    let out = Command::new(env!("CARGO_BIN_EXE_fixture_cli"))
        .env("RETORT_FIXTURE", "partial")
        .env("NO_COLOR", "1")
        .args(["--url", &db.url, "current"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(
            "unfinished: the upgrade of 9a0000000002 stopped half-way after 2 statement(s)"
        ),
        "{}",
        stdout(&out)
    );
}

fn resume_after_fixing_the_cause(db: &TestDb) {
    let config = stopped(db);
    db.connect()
        .execute("CREATE TABLE gate (n INTEGER)")
        .unwrap();
    let said = command::repair(&config, Repair::Resume).unwrap();
    assert!(said.contains("after its 2 applied statement(s)"), "{said}");
    assert_eq!(current(&config), ["9a0000000002"]);
    assert!(command::unfinished(&config).unwrap().is_none());
    assert_eq!(db.count("gate"), 1);
    let parts = db.schema().tables["parts"].clone();
    assert!(parts.get_column("label").is_some() && parts.get_index("ix_parts_label").is_some());
    // And the history goes on from there.
    command::downgrade(&config, "base").unwrap();
}

fn revert_what_ran(db: &TestDb) {
    let config = stopped(db);
    command::repair(&config, Repair::Revert).unwrap();
    assert_eq!(current(&config), ["9a0000000001"]);
    assert!(command::unfinished(&config).unwrap().is_none());
    let mut tables = db.tables();
    tables.retain(|t| t != "gate");
    assert_eq!(tables, ["base_t"]);
    db.connect()
        .execute("CREATE TABLE gate (n INTEGER)")
        .unwrap();
    command::upgrade(&config, "head").unwrap();
    assert_eq!(current(&config), ["9a0000000002"]);
}

fn mark_done_after_finishing_by_hand(db: &TestDb) {
    let config = stopped(db);
    let mut conn = db.connect();
    conn.execute("CREATE TABLE gate (n INTEGER)").unwrap();
    conn.execute("INSERT INTO gate (n) VALUES (1)").unwrap();
    conn.execute("CREATE INDEX ix_parts_label ON parts (label)")
        .unwrap();
    command::repair(&config, Repair::Done).unwrap();
    assert_eq!(current(&config), ["9a0000000002"]);
    // `gate` is the application's (the revision writes to it), not the history's.
    let mut config = config;
    config.exclude_tables.push("gate".into());
    assert!(command::upgrade(&config, "head").unwrap().is_empty());
    assert!(command::drift(&config).unwrap().ops.is_empty());
    // Nothing left to repair.
    assert!(matches!(
        command::repair(&config, Repair::Done).unwrap_err(),
        Error::NothingToRepair
    ));
}

macro_rules! on_servers {
    ($($name:ident),*) => {$(
        mod $name {
            #[test]
            fn mariadb() {
                if let Some(db) = retort_tests::TestDb::mysql() {
                    super::$name(&db);
                }
            }
            #[test]
            fn postgres_per_statement() {
                if let Some(db) = retort_tests::TestDb::postgres() {
                    super::$name(&db);
                }
            }
        }
    )*};
}

on_servers!(
    refuses_and_names_the_ways_out,
    resume_after_fixing_the_cause,
    revert_what_ran,
    mark_done_after_finishing_by_hand
);
