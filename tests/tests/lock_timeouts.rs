//! Timeouts and retries on PostgreSQL and MariaDB: a step whose statement waits
//! for a lock another session holds fails fast with a lock timeout (nothing of it
//! kept), is retried with back-off until the other session lets go, a revision's
//! own timeout wins over the project's, and a statement timeout stops a long
//! statement without a retry.

use std::process::{Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use retort::Backend;
use retort_engine::{command, Error};
use retort_tests::{TestDb, BLOCKED};

/// Another session holding `busy` for `hold`: PostgreSQL `LOCK TABLE … IN ACCESS
/// SHARE MODE` in an open transaction (what any reader holds), MySQL `LOCK
/// TABLES … READ` (a shared metadata lock). Returns once the lock is held.
fn block(db: &TestDb, hold: Duration) -> JoinHandle<()> {
    let mut conn = db.connect();
    let (lock, unlock) = match db.backend {
        Backend::Postgres => ("BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE", "COMMIT"),
        _ => ("LOCK TABLES busy READ", "UNLOCK TABLES"),
    };
    conn.execute(lock).unwrap();
    thread::spawn(move || {
        thread::sleep(hold);
        conn.execute(unlock).unwrap();
    })
}

fn columns(db: &TestDb) -> Vec<String> {
    db.schema()
        .table("busy")
        .unwrap()
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect()
}

fn timeouts_and_retries(db: &TestDb) {
    let mut config = db.config(BLOCKED);
    command::upgrade(&config, "b10c00000001").unwrap();
    // MySQL counts lock waits in whole seconds.
    let wait = if db.backend == Backend::Postgres {
        200
    } else {
        1000
    };
    config.run.ddl_lock_timeout = Some(Duration::from_millis(wait));

    // Without retries: fails after the lock timeout, nothing kept.
    config.run.ddl_lock_retries = 0;
    let blocker = block(db, Duration::from_secs(5));
    let started = Instant::now();
    let err = command::upgrade(&config, "b10c00000002").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(wait + 2000),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err, Error::DdlLockTimeout { attempts: 1, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message
            .contains("revision b10c00000002 (b10c00000002_extra.rs) could not get a table's lock"),
        "{message}"
    );
    assert!(
        message.contains("raise ddl_lock_timeout or ddl_lock_retries"),
        "{message}"
    );
    assert_eq!(command::current(&config).unwrap(), ["b10c00000001"]);
    assert!(command::status(&config).unwrap().unfinished.is_none());
    assert_eq!(columns(db), ["id"]);

    // With retries, from the command line: it waits, backs off, and goes through
    // once the other session lets go (≈5 s after it took the lock).
    let out = Command::new(env!("CARGO_BIN_EXE_fixture_cli"))
        .env("RETORT_FIXTURE", "blocked")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .args(["--url", &db.url])
        .args([
            "--ddl-lock-timeout",
            &format!("{wait}ms"),
            "--ddl-lock-retries",
            "8",
        ])
        .args(["upgrade", "b10c00000002"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("timed out waiting for a lock; retry 1 of 8 in 0.2 s"),
        "{text}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    blocker.join().unwrap();
    assert_eq!(command::current(&config).unwrap(), ["b10c00000002"]);
    assert_eq!(columns(db), ["id", "extra"]);

    // The revision's own 150 ms wins over the run's 30 s.
    config.run.ddl_lock_timeout = Some(Duration::from_secs(30));
    let blocker = block(db, Duration::from_secs(4));
    let started = Instant::now();
    let err = command::upgrade(&config, "b10c00000003").unwrap_err();
    assert!(matches!(err, Error::DdlLockTimeout { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    blocker.join().unwrap();
    command::upgrade(&config, "b10c00000003").unwrap();

    // A statement timeout stops the 3 s statement at 300 ms, once: no retry.
    config.run.ddl_lock_retries = 5;
    let started = Instant::now();
    let err = command::upgrade(&config, "b10c00000004").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    let message = err.to_string();
    assert!(
        message.contains("statement timeout") || message.contains("max_statement_time"),
        "{message}"
    );
    assert_eq!(command::current(&config).unwrap(), ["b10c00000003"]);
}

#[test]
fn postgres() {
    if let Some(db) = TestDb::postgres() {
        timeouts_and_retries(&db);
    }
}

#[test]
fn mysql() {
    if let Some(db) = TestDb::mysql() {
        timeouts_and_retries(&db);
    }
}
