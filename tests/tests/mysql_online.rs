//! MariaDB with `safety = "online"`: each `ALTER TABLE` names its algorithm. An
//! `ALGORITHM=INSTANT` column added to a million rows takes no longer than to
//! none; a change the server can only make by copying the table fails at once
//! with the server's reason and leaves the table as it was; acknowledged, it runs.

use std::time::{Duration, Instant};

use retort::schema::SqlType;
use retort_engine::command;
use retort_tests::{TestDb, INSTANT};

fn timed_upgrade(db: &TestDb, target: &str) -> Duration {
    let mut config = db.config(INSTANT);
    config.run.online = true;
    let started = Instant::now();
    command::upgrade(&config, target).unwrap();
    started.elapsed()
}

#[test]
fn mysql() {
    let Some(empty) = TestDb::mysql() else { return };
    let big = TestDb::mysql().expect("a second database on the same server");
    for db in [&empty, &big] {
        command::upgrade(&db.config(INSTANT), "1a5700000001").unwrap();
    }
    big.connect()
        .execute("INSERT INTO big (id, v) SELECT seq, seq FROM seq_1_to_1000000")
        .unwrap();
    assert_eq!(big.count("big"), 1_000_000);

    let on_empty = timed_upgrade(&empty, "1a5700000002");
    let on_big = timed_upgrade(&big, "1a5700000002");
    assert!(
        on_big < on_empty + Duration::from_millis(500),
        "instant add column: {on_big:?} on a million rows, {on_empty:?} on none"
    );

    // The copy is refused before it starts, with the server's reason.
    let mut config = big.config(INSTANT);
    config.run.online = true;
    let started = Instant::now();
    let err = command::upgrade(&config, "1a5700000003")
        .unwrap_err()
        .to_string();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("ALGORITHM=INPLACE, LOCK=NONE"), "{err}");
    assert!(err.contains("ALGORITHM=INPLACE is not supported"), "{err}");
    let v = big
        .schema()
        .table("big")
        .unwrap()
        .get_column("v")
        .unwrap()
        .sql_type
        .clone();
    assert_eq!(v, SqlType::Integer);

    // `--sql` prints the same clauses.
    let script = command::upgrade_sql(&config, "1a5700000001:1a5700000003", None).unwrap();
    assert!(
        script.contains("ALTER TABLE `big` ADD COLUMN `note` LONGTEXT, ALGORITHM=INSTANT;"),
        "{script}"
    );
    assert!(
        script.contains(", ALGORITHM=INPLACE, LOCK=NONE;"),
        "{script}"
    );

    // Acknowledged, the same change copies the table (on the other head).
    assert_eq!(command::current(&config).unwrap(), ["1a5700000002"]);
    let mut config = empty.config(INSTANT);
    config.run.online = true;
    command::upgrade(&config, "1a5700000004").unwrap();
    let v = empty
        .schema()
        .table("big")
        .unwrap()
        .get_column("v")
        .unwrap()
        .sql_type
        .clone();
    assert_eq!(v, SqlType::BigInt);
}
