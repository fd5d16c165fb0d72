//! `op.not_valid()` and `op.validate_constraint(..)`: on PostgreSQL a foreign
//! key and a check are added without reading the table (`NOT VALID`: new rows are
//! checked at once), then validated outside the transaction that added them; a
//! row that fails stops the revision at the validation with the version table
//! telling the truth, and `repair --resume` finishes it once the row is fixed.
//! MySQL and SQLite add them checked, as usual.

use retort::Backend;
use retort_engine::command::{self, LintOptions};
use retort_engine::{Kept, Repair};
use retort_tests::{on_every_backend, TestDb, NOT_VALID};

fn validated(db: &TestDb, name: &str) -> String {
    db.strings(&format!(
        "SELECT CASE WHEN convalidated THEN 'valid' ELSE 'not valid' END AS v \
         FROM pg_constraint WHERE conname = '{name}'"
    ))
    .join(",")
}

fn constraints_added_then_validated(db: &TestDb) {
    let mut config = db.config(NOT_VALID);
    command::upgrade(&config, "0a1d00000001").unwrap();
    let mut conn = db.connect();
    conn.execute("INSERT INTO parents (id) VALUES (1)").unwrap();
    // An orphan: the foreign key's validation refuses it, its addition does not.
    conn.execute("INSERT INTO children (id, parent_id, qty) VALUES (1, 1, 3), (2, 99, 1)")
        .unwrap();

    if db.backend != Backend::Postgres {
        // Checked when added: the orphan stops the foreign key itself.
        assert!(command::upgrade(&config, "0a1d00000002").is_err());
        conn.execute("DELETE FROM children WHERE id = 2").unwrap();
        if db.backend == Backend::Mysql {
            command::repair(&config, Repair::Resume).unwrap();
        } else {
            command::upgrade(&config, "0a1d00000002").unwrap();
        }
        assert_eq!(command::current(&config).unwrap(), ["0a1d00000002"]);
        return;
    }

    // The lint has nothing against it (with a lock timeout set).
    config.run.ddl_lock_timeout = Some(std::time::Duration::from_secs(2));
    let lint = command::lint(&config, &LintOptions::default()).unwrap();
    assert_eq!(lint.failing(), 0, "{lint:?}");

    let err = command::upgrade(&config, "0a1d00000002").unwrap_err();
    match &err {
        retort_engine::Error::Step { kept, .. } => assert!(matches!(kept, Kept::Partial { .. })),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("VALIDATE CONSTRAINT"), "{err}");
    assert_eq!(command::current(&config).unwrap(), ["0a1d00000001"]);
    let unfinished = command::status(&config).unwrap().unfinished.unwrap();
    assert_eq!(unfinished.statements, 2);
    assert_eq!(validated(db, "fk_children_parent"), "not valid");
    // New rows are checked already.
    assert!(conn
        .execute("INSERT INTO children (id, parent_id, qty) VALUES (3, 98, 1)")
        .is_err());

    conn.execute("DELETE FROM children WHERE id = 2").unwrap();
    command::repair(&config, Repair::Resume).unwrap();
    assert_eq!(command::current(&config).unwrap(), ["0a1d00000002"]);
    assert_eq!(validated(db, "fk_children_parent"), "valid");
    assert_eq!(validated(db, "ck_children_qty"), "valid");
    assert!(command::check(&config).is_ok());

    // The script: NOT VALID, then VALIDATE, with no transaction around them.
    let script = command::upgrade_sql(&db.config(NOT_VALID), "0a1d00000002", None).unwrap();
    let step = &script[script.find("-> 0a1d00000002").unwrap()..];
    assert!(
        step.contains("REFERENCES \"parents\" (\"id\") NOT VALID;"),
        "{script}"
    );
    assert!(
        step.contains("ALTER TABLE \"children\" VALIDATE CONSTRAINT \"ck_children_qty\";"),
        "{script}"
    );
    assert!(!step.contains("BEGIN"), "{script}");

    command::downgrade(&config, "base").unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(constraints_added_then_validated);
