//! A revision that needs more locks than one PostgreSQL transaction may hold:
//! the run stops with nothing changed and an error naming the setting and
//! `--transaction per-statement`, which then applies it. Alone in its test binary,
//! so no other test shares the server's lock table while it is full.

use retort_engine::command;
use retort_engine::TransactionMode;
use retort_tests::{TestDb, LOCKS};

#[test]
fn too_many_locks_names_the_setting_and_the_way_around_it() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let mut config = db.config(LOCKS);
    let err = command::upgrade(&config, "head").unwrap_err().to_string();
    assert!(
        err.starts_with("upgrade of revision 10c4ed000001 (10c4ed000001_lock_hungry.rs) takes more locks than one PostgreSQL transaction may hold (out of shared memory; max_locks_per_transaction = "),
        "{err}"
    );
    assert!(err.contains("nothing of it was kept"), "{err}");
    assert!(err.contains("--transaction per-statement"), "{err}");
    assert!(db.tables().is_empty(), "the table was rolled back");
    assert!(command::current(&config).unwrap().is_empty());

    config.run.transactions = TransactionMode::PerStatement;
    let steps = command::upgrade(&config, "head").unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(db.tables(), ["lock_hungry"]);
    assert_eq!(command::current(&config).unwrap(), ["10c4ed000001"]);
    command::downgrade(&config, "base").unwrap();
    assert!(db.tables().is_empty());
}

#[test]
fn per_statement_is_refused_on_sqlite() {
    let db = TestDb::sqlite();
    let mut config = db.config(retort_tests::LINEAR);
    config.run.transactions = TransactionMode::PerStatement;
    let err = command::upgrade(&config, "head").unwrap_err().to_string();
    assert!(
        err.contains("--transaction per-statement is for PostgreSQL and MySQL"),
        "{err}"
    );
    assert!(command::current(&config).unwrap().is_empty());
}
