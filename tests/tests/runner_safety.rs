//! Running migrations from real processes: eight at once on one database, a run
//! killed in the middle of a revision, a lock held too long, and a revision file
//! edited after it was applied.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use retort_engine::command;
use retort_engine::VersionTable;
use retort_tests::{on_every_backend, TestDb, LINEAR, SLOW};

fn fixture_cli(fixture: &str, db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fixture_cli"));
    cmd.env("RETORT_FIXTURE", fixture)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .args(["--url", &db.url])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn log(db: &TestDb) -> Vec<(String, String)> {
    VersionTable {
        name: "retort_version",
    }
    .log(&mut db.connect())
    .unwrap()
    .into_iter()
    .map(|e| (e.revision, e.direction))
    .collect()
}

/// Eight processes run `upgrade head` at once: every revision is applied exactly
/// once (the data migration inserts its two rows once), and all exit 0.
fn eight_runners_at_once(db: &TestDb) {
    let children: Vec<Child> = (0..8)
        .map(|_| {
            fixture_cli("linear", db, &["upgrade", "head"])
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    let config = db.config(LINEAR);
    assert_eq!(command::current(&config).unwrap(), ["b7e9d1000003"]);
    assert_eq!(
        db.count("notes"),
        2,
        "the data migration ran more than once"
    );
    let upgrades: Vec<String> = log(db)
        .into_iter()
        .filter(|(_, d)| d == "upgrade")
        .map(|(r, _)| r)
        .collect();
    assert_eq!(upgrades, ["a1b2c3000001", "a1b2c3000002", "b7e9d1000003"]);
}

on_every_backend!(eight_runners_at_once);

/// A run killed with SIGKILL in the middle of a revision: the revision's
/// transaction dies with it, and the next run completes it, once.
fn killed_run_is_completed_by_the_next(db: &TestDb) {
    let marker = db.dir.path().join("marker");
    let mut child = fixture_cli("slow", db, &["upgrade", "head"])
        .env("RETORT_TEST_MARKER", &marker)
        .env("RETORT_TEST_SLEEP_MS", "60000")
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !marker.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the slow revision never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let config = db.config(SLOW);
    assert_eq!(command::current(&config).unwrap(), ["d00000000001"]);
    assert!(
        !db.tables().contains(&"slow_t".to_owned()),
        "the killed revision left its table"
    );

    let out = fixture_cli("slow", db, &["upgrade", "head"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(command::current(&config).unwrap(), ["d00000000002"]);
    assert_eq!(
        log(db),
        [
            ("d00000000001".to_owned(), "upgrade".to_owned()),
            ("d00000000002".to_owned(), "upgrade".to_owned())
        ]
    );
}

#[test]
fn killed_run_sqlite() {
    killed_run_is_completed_by_the_next(&TestDb::sqlite());
}

#[test]
fn killed_run_postgres() {
    if let Some(db) = TestDb::postgres() {
        killed_run_is_completed_by_the_next(&db);
    }
}

/// A writer that does not take the run lock (a hand-made UPDATE, a tool of its
/// own) moves the version table while a revision runs. PostgreSQL checks the
/// table at each step's commit: when the other writer marked the revision applied,
/// the step is rolled back and skipped, and the run goes on; when it moved the
/// table elsewhere, the run stops, nothing of the step kept, and says so.
#[test]
fn a_writer_bypassing_the_lock_cannot_make_a_revision_run_twice() {
    let Some(db) = TestDb::postgres() else { return };
    let out = fixture_cli("bypass", &db, &["upgrade", "head"])
        .env("RETORT_TEST_BYPASS", "claim")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Skipping upgrade of f00000000002: another run did it"),
        "{}",
        text(&out)
    );
    assert_eq!(
        db.strings("SELECT version_num AS v FROM retort_version"),
        ["f00000000003"]
    );
    let tables = db.tables();
    assert!(tables.contains(&"bypass_a".to_owned()), "{tables:?}");
    assert!(tables.contains(&"bypass_c".to_owned()), "{tables:?}");
    assert!(
        !tables.contains(&"bypass_b".to_owned()),
        "the skipped step was rolled back: {tables:?}"
    );
    assert_eq!(
        log(&db),
        [
            ("f00000000001".to_owned(), "upgrade".to_owned()),
            ("f00000000003".to_owned(), "upgrade".to_owned()),
        ]
    );

    let db = TestDb::postgres().unwrap();
    let out = fixture_cli("bypass", &db, &["upgrade", "head"])
        .env("RETORT_TEST_BYPASS", "reset")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(
            "upgrade of revision f00000000002 (f00000000002_claimed.rs) was rolled back: \
             the version table changed during the run, from f00000000001 to base"
        ),
        "{}",
        text(&out)
    );
    assert!(db
        .strings("SELECT version_num AS v FROM retort_version")
        .is_empty());
    assert!(!db.tables().contains(&"bypass_b".to_owned()));
}

/// A second run waits for the lock, and gives up with a clear message after
/// --lock-timeout.
fn lock_timeout_is_clear(db: &TestDb) {
    let marker = db.dir.path().join("marker");
    let mut holder = fixture_cli("slow", db, &["upgrade", "head"])
        .env("RETORT_TEST_MARKER", &marker)
        .env("RETORT_TEST_SLEEP_MS", "4000")
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !marker.exists() {
        assert!(
            holder.try_wait().unwrap().is_none(),
            "the lock holder exited before taking the lock"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the lock holder never took the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let waited = Instant::now();
    let out = fixture_cli("slow", db, &["--lock-timeout", "1", "upgrade", "head"])
        .output()
        .unwrap();
    assert!(
        waited.elapsed() >= Duration::from_millis(900),
        "the second run gave up without waiting for the lock: {:?}",
        waited.elapsed()
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("could not get the migration lock on")
            && text(&out).contains("within 1 s: another migration is running (or hung); wait for it, or raise --lock-timeout"),
        "{}",
        text(&out)
    );
    holder.kill().unwrap();
    holder.wait().unwrap();
}

on_every_backend!(lock_timeout_is_clear);

#[test]
fn an_edited_revision_file_is_reported() {
    let db = TestDb::sqlite();
    let config = db.config(LINEAR);
    command::upgrade(&config, "head").unwrap();
    assert!(command::status(&config).unwrap().edited().is_empty());
    // The log records the checksum each revision was compiled with, and files
    // differ in it.
    let log = VersionTable {
        name: "retort_version",
    }
    .log(&mut db.connect())
    .unwrap();
    for entry in &log {
        let compiled = LINEAR.get(&entry.revision).unwrap().checksum;
        assert_eq!(entry.checksum, compiled, "{}", entry.revision);
    }
    assert_ne!(
        LINEAR.get("a1b2c3000001").unwrap().checksum,
        LINEAR.get("a1b2c3000002").unwrap().checksum
    );
    // As if a2's file had been edited after it ran: its checksum no longer matches.
    db.connect()
        .execute("UPDATE retort_version_log SET checksum = 'ffffffffffffffff' WHERE revision = 'a1b2c3000002'")
        .unwrap();
    let status = command::status(&config).unwrap();
    let edited: Vec<&str> = status.edited().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(edited, ["a1b2c3000002"]);
    let out = fixture_cli("linear", &db, &["status"]).output().unwrap();
    assert!(
        text(&out).contains("[applied] a1b2c3000002, add notes.tag on ")
            && text(&out).contains("the file changed since it was applied"),
        "{}",
        text(&out)
    );
    let out = fixture_cli("linear", &db, &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains(
            "revision a1b2c3000002 (a1b2c3000002_add_tag.rs) changed after it was applied on "
        ),
        "{}",
        text(&out)
    );
    // Each compiled revision carries the checksum of its file.
    let m = LINEAR.get("a1b2c3000002").unwrap();
    assert_eq!(m.checksum.len(), 16);
}
