//! `op.concurrently()`: on PostgreSQL the index is built with `CREATE INDEX
//! CONCURRENTLY` outside the revision's transaction, while a writer keeps
//! inserting; a build that fails half-way leaves the version table telling the
//! truth and an invalid index that `repair --resume` drops and builds again. On
//! MariaDB the build is `ALGORITHM=INPLACE LOCK=NONE`; SQLite builds as usual.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use retort::Backend;
use retort_engine::{command, Kept, Repair};
use retort_tests::{on_every_backend, TestDb, CONCURRENT};

fn index_is_valid(db: &TestDb, name: &str) -> Option<bool> {
    db.strings(&format!(
        "SELECT CASE WHEN i.indisvalid THEN 'yes' ELSE 'no' END AS v FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = '{name}'"
    ))
    .first()
    .map(|v| v == "yes")
}

/// A writer inserting one row per transaction until told to stop: the times
/// its commits took.
fn writer(db: &TestDb, stop: Arc<AtomicBool>) -> thread::JoinHandle<Vec<(Instant, Duration)>> {
    let mut conn = db.connect();
    thread::spawn(move || {
        let mut commits = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            conn.execute("INSERT INTO events (kind, seq) VALUES ('writer', -1)")
                .unwrap();
            commits.push((Instant::now(), started.elapsed()));
            thread::sleep(Duration::from_millis(2));
        }
        commits
    })
}

fn postgres_builds_concurrently(db: &TestDb) {
    let config = db.config(CONCURRENT);
    command::upgrade(&config, "c0c000000001").unwrap();
    db.connect()
        .execute(
            "INSERT INTO events (kind, seq) SELECT 'k' || (g % 1000), g \
             FROM generate_series(1, 1000000) g",
        )
        .unwrap();

    // The build runs while the writer commits row after row.
    let stop = Arc::new(AtomicBool::new(false));
    let writing = writer(db, stop.clone());
    thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    command::upgrade(&config, "c0c000000002").unwrap();
    let ended = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let commits = writing.join().unwrap();
    let during: Vec<&(Instant, Duration)> = commits
        .iter()
        .filter(|(at, _)| *at > started && *at < ended)
        .collect();
    let build = ended - started;
    assert!(
        during.len() >= 5,
        "{} commits during a build of {build:?}",
        during.len()
    );
    let slowest = during.iter().map(|(_, took)| *took).max().unwrap();
    assert!(
        slowest < build / 2,
        "a commit waited {slowest:?} during a build of {build:?}"
    );
    assert_eq!(index_is_valid(db, "ix_events_kind"), Some(true));
    assert_eq!(command::current(&config).unwrap(), ["c0c000000002"]);
    assert!(command::status(&config).unwrap().unfinished.is_none());

    // A unique build that meets a duplicate fails half-way: the UPDATE before it
    // committed, the version table still says …02 and the step says how far it got.
    db.connect()
        .execute("INSERT INTO events (kind, seq) VALUES ('dup', 7)")
        .unwrap();
    let err = command::upgrade(&config, "c0c000000003").unwrap_err();
    match &err {
        retort_engine::Error::Step { kept, .. } => {
            assert!(matches!(kept, Kept::Partial { .. }), "{err}")
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("concurrently"), "{err}");
    assert_eq!(command::current(&config).unwrap(), ["c0c000000002"]);
    let unfinished = command::status(&config).unwrap().unfinished.unwrap();
    assert_eq!(
        (unfinished.revision.as_str(), unfinished.statements),
        ("c0c000000003", 1)
    );
    assert_eq!(index_is_valid(db, "uq_events_seq"), Some(false));

    // Once the duplicates are gone, resuming drops the invalid index and builds it.
    db.connect()
        .execute("DELETE FROM events WHERE seq IN (7, -1) AND kind IN ('dup', 'writer')")
        .unwrap();
    command::repair(&config, Repair::Resume).unwrap();
    assert_eq!(index_is_valid(db, "uq_events_seq"), Some(true));
    assert_eq!(command::current(&config).unwrap(), ["c0c000000003"]);

    // A unique constraint from an index built concurrently, while the writer
    // would go on.
    command::upgrade(&config, "c0c000000004").unwrap();
    assert_eq!(
        db.strings(
            "SELECT contype::text AS v FROM pg_constraint WHERE conname = 'uq_events_seq_id'"
        ),
        ["u"]
    );
    assert_eq!(index_is_valid(db, "uq_events_seq_id"), Some(true));

    // Down again, concurrently.
    command::downgrade(&config, "c0c000000001").unwrap();
    assert_eq!(index_is_valid(db, "uq_events_seq"), None);
    assert_eq!(index_is_valid(db, "ix_events_kind"), None);

    // The script has no transaction around the concurrent revision.
    let script = command::upgrade_sql(&db.config(CONCURRENT), "c0c000000002", None).unwrap();
    let step = &script[script
        .find("-- Running upgrade c0c000000001 -> c0c000000002")
        .unwrap()..];
    assert!(
        step.contains(
            "-- without a transaction: it builds or drops an index concurrently\n\
             CREATE INDEX CONCURRENTLY \"ix_events_kind\" ON \"events\" (\"kind\");"
        ),
        "{script}"
    );
    assert!(!step.contains("BEGIN"), "{script}");
}

/// The run's connection is killed in the middle of the build (as when the
/// process dies): the version table stays at the revision before, `status`
/// says which revision stopped, the half-built index is invalid; `repair
/// --resume` drops it and builds it again.
fn postgres_killed_build(db: &TestDb) {
    let config = db.config(CONCURRENT);
    command::upgrade(&config, "c0c000000001").unwrap();
    db.connect()
        .execute(
            "INSERT INTO events (kind, seq) SELECT md5(g::text), g \
             FROM generate_series(1, 1000000) g",
        )
        .unwrap();
    let run = {
        let config = config.clone();
        thread::spawn(move || command::upgrade(&config, "c0c000000002"))
    };
    let started = Instant::now();
    // Only this test's database: other tests build indexes concurrently too.
    let killed = loop {
        let pids = db.strings(
            "SELECT pid::text AS v FROM pg_stat_activity \
             WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active' \
             AND datname = current_database()",
        );
        if let Some(pid) = pids.first() {
            db.connect()
                .execute(&format!("SELECT pg_terminate_backend({pid})"))
                .unwrap();
            break true;
        }
        if started.elapsed() > Duration::from_secs(20) || run.is_finished() {
            break false;
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert!(killed, "the build was not seen running");
    assert!(run.join().unwrap().is_err());
    assert_eq!(command::current(&config).unwrap(), ["c0c000000001"]);
    let unfinished = command::status(&config).unwrap().unfinished.unwrap();
    assert_eq!(unfinished.revision, "c0c000000002");
    assert_eq!(index_is_valid(db, "ix_events_kind"), Some(false));
    let refused = command::upgrade(&config, "c0c000000002")
        .unwrap_err()
        .to_string();
    assert!(refused.contains("repair"), "{refused}");
    command::repair(&config, Repair::Resume).unwrap();
    assert_eq!(index_is_valid(db, "ix_events_kind"), Some(true));
    assert_eq!(command::current(&config).unwrap(), ["c0c000000002"]);
}

#[test]
fn postgres_killed() {
    if let Some(db) = TestDb::postgres() {
        postgres_killed_build(&db);
    }
}

#[test]
fn postgres() {
    if let Some(db) = TestDb::postgres() {
        postgres_builds_concurrently(&db);
    }
}

/// Everywhere: the concurrent revisions run, and reverse.
fn runs_everywhere(db: &TestDb) {
    let config = db.config(CONCURRENT);
    command::upgrade(&config, "c0c000000004").unwrap();
    let indexes: Vec<String> = db
        .schema()
        .table("events")
        .unwrap()
        .indexes
        .iter()
        .map(|i| i.name.clone())
        .collect();
    assert!(
        indexes.contains(&"ix_events_kind".to_owned()),
        "{indexes:?}"
    );
    assert!(
        indexes.contains(&"uq_events_seq".to_owned()) || db.backend == Backend::Mysql,
        "{indexes:?}"
    );
    command::downgrade(&config, "base").unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(runs_everywhere);
