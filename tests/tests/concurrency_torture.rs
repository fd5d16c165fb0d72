//! Concurrency torture: several processes at once give one database random
//! `upgrade`/`downgrade` targets (absolute and relative), for a bounded number of
//! rounds, on each database. After every round the version table agrees with the
//! schema (exactly the tables of the applied revisions exist, and `drift` finds
//! nothing), and the applied-revisions log reads as one serial history.
//!
//! `RETORT_TORTURE_ROUNDS` (default 4) and `RETORT_TORTURE_PROCESSES` (default 4)
//! make it longer.

use std::process::{Child, Command, Stdio};

use retort_engine::{command, VersionTable};
use retort_tests::support::stderr;
use retort_tests::{on_every_backend, TestDb, CHAIN};

const TARGETS: &[&str] = &[
    "upgrade head",
    "upgrade +1",
    "upgrade +2",
    "upgrade c4a100000006",
    "downgrade -1",
    "downgrade -2",
    "downgrade c4a100000003",
    "downgrade base",
];

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator, so a failing round can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn spawn(db: &TestDb, command: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_fixture_cli"))
        .env("RETORT_FIXTURE", "chain")
        .env("RETORT_TEST_SLEEP_MS", "30")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .args(["--url", &db.url, "--lock-timeout", "120"])
        .args(command.split(' '))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fixture_cli")
}

/// The log replayed from base: each upgrade's revision is the next one, each
/// downgrade's the current one.
fn serial(db: &TestDb) -> Result<usize, String> {
    let log = VersionTable {
        name: "retort_version",
    }
    .log(&mut db.connect())
    .map_err(|e| e.to_string())?;
    let mut at = 0usize;
    for entry in &log {
        let n: usize = entry.revision[entry.revision.len() - 1..]
            .parse()
            .map_err(|_| format!("unknown revision {}", entry.revision))?;
        match entry.direction.as_str() {
            "upgrade" if n == at + 1 => at = n,
            "downgrade" if n == at => at = n - 1,
            other => {
                return Err(format!(
                    "{other} of {} while at step {at}: not one serial history ({log:?})",
                    entry.revision
                ))
            }
        }
    }
    Ok(at)
}

fn torture(db: &TestDb) {
    let config = db.config(CHAIN);
    let rounds = setting("RETORT_TORTURE_ROUNDS", 4);
    let processes = setting("RETORT_TORTURE_PROCESSES", 4);
    let mut random = Lcg(0x5eed ^ db.url.len() as u64);
    for round in 0..rounds {
        let commands: Vec<&str> = (0..processes)
            .map(|_| TARGETS[random.next(TARGETS.len())])
            .collect();
        let children: Vec<Child> = commands.iter().map(|c| spawn(db, c)).collect();
        for (child, command) in children.into_iter().zip(&commands) {
            let out = child.wait_with_output().unwrap();
            // A target past either end, or on the other side of where the
            // database is by then, is refused, touching nothing; anything else must
            // succeed.
            let said = stderr(&out);
            let refused = said.contains("relative target")
                || said.contains("use `upgrade` instead")
                || said.contains("use `downgrade` instead");
            assert!(
                out.status.success() || refused,
                "{:?} round {round}, `{command}`: {}",
                db.backend,
                stderr(&out)
            );
        }
        let current = command::current(&config).unwrap();
        let step = match current.as_slice() {
            [] => 0,
            [one] => one[one.len() - 1..].parse::<usize>().unwrap(),
            many => panic!(
                "{:?} round {round}: several rows on a linear history: {many:?}",
                db.backend
            ),
        };
        let mut want: Vec<String> = (1..=step).map(|n| format!("chain_{n}")).collect();
        want.sort();
        assert_eq!(
            db.tables(),
            want,
            "{:?} round {round} after {commands:?}: the version table says step {step}",
            db.backend
        );
        let drift = command::drift(&config).unwrap();
        assert!(
            drift.is_empty(),
            "{:?} round {round}: {:?}",
            db.backend,
            drift.ops
        );
        assert_eq!(serial(db), Ok(step), "{:?} round {round}", db.backend);
    }
}

/// Issue's race, item by item: `upgrade head` of eight slow revisions starts;
/// `downgrade -1` starts once the first is applied and waits for the lock. It
/// resolves `-1` from where the upgrade left the database (step 8), so it reverts
/// exactly one revision, not seven.
fn relative_target_is_resolved_under_the_lock(db: &TestDb) {
    let config = db.config(CHAIN);
    let slow = |command: &str| {
        Command::new(env!("CARGO_BIN_EXE_fixture_cli"))
            .env("RETORT_FIXTURE", "chain")
            .env("RETORT_TEST_SLEEP_MS", "150")
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .args(["--url", &db.url, "--lock-timeout", "120"])
            .args(command.split(' '))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run fixture_cli")
    };
    let upgrade = slow("upgrade head");
    let started = std::time::Instant::now();
    while command::current(&config)
        .map(|c| c.is_empty())
        .unwrap_or(true)
    {
        assert!(
            started.elapsed().as_secs() < 60,
            "the upgrade never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let downgrade = slow("downgrade -1");
    for child in [upgrade, downgrade] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{:?}: {}", db.backend, stderr(&out));
    }
    assert_eq!(
        command::current(&config).unwrap(),
        ["c4a100000007"],
        "{:?}",
        db.backend
    );
    assert_eq!(db.tables().len(), 7, "{:?}: {:?}", db.backend, db.tables());
}

on_every_backend!(torture, relative_target_is_resolved_under_the_lock);
