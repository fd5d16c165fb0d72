//! The revision graph on real databases: branches and a merge, labelled branches
//! with a cross-branch dependency, stamp, merge, history marks, and the graph's
//! validation errors with their exit codes.

use std::process::{Command, Output};

use retort::Backend;
use retort_engine::command;
use retort_tests::support::{current, stderr, stdout};
use retort_tests::{on_every_backend, TestDb, BRANCHES, LABELLED};

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn branches_and_merge(db: &TestDb) {
    let config = db.config(BRANCHES);
    // One branch only: beta stays out.
    command::upgrade(&config, "f00000000004").unwrap();
    assert_eq!(current(&config), ids(&["f00000000004"]));
    assert!(
        db.tables().contains(&"alpha_t".to_owned()) && !db.tables().contains(&"beta_t".to_owned())
    );
    // The other branch joins as a second head: two rows.
    command::upgrade(&config, "f00000000003").unwrap();
    assert_eq!(current(&config), ids(&["f00000000003", "f00000000004"]));
    // A relative step is ambiguous with two heads applied.
    let err = command::downgrade(&config, "-1").unwrap_err();
    assert!(
        err.to_string().contains("the database is at several heads"),
        "{err}"
    );
    // The merge makes one row again.
    let steps = command::upgrade(&config, "head").unwrap();
    assert_eq!(
        steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["f00000000005"]
    );
    assert_eq!(current(&config), ids(&["f00000000005"]));
    // Down one branch: alpha's revisions and the merge go; beta stays.
    let steps = command::downgrade(&config, "alpha@base").unwrap();
    assert_eq!(
        steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["f00000000005", "f00000000004", "f00000000002"]
    );
    assert_eq!(current(&config), ids(&["f00000000003"]));
    assert!(
        db.tables().contains(&"beta_t".to_owned()) && !db.tables().contains(&"alpha_t".to_owned())
    );
    // Back up through the merge, then down to a revision below the branch point.
    command::upgrade(&config, "heads").unwrap();
    assert_eq!(current(&config), ids(&["f00000000005"]));
    command::downgrade(&config, "f00000000002").unwrap();
    assert_eq!(current(&config), ids(&["f00000000002", "f00000000003"]));
    command::downgrade(&config, "base").unwrap();
    assert!(current(&config).is_empty() && db.tables().is_empty());

    // Stamp moves the version table only.
    command::stamp(&config, &["f00000000003".into()], false).unwrap();
    assert_eq!(current(&config), ids(&["f00000000003"]));
    assert!(db.tables().is_empty());
    command::stamp(&config, &["f00000000004".into()], false).unwrap();
    assert_eq!(current(&config), ids(&["f00000000003", "f00000000004"]));
    command::stamp(&config, &["f00000000002".into()], true).unwrap();
    assert_eq!(current(&config), ids(&["f00000000002"]));
    command::stamp(&config, &["base".into()], true).unwrap();
    assert!(current(&config).is_empty());
    // The log tells what happened, in order.
    let mut conn = db.connect();
    let log = retort_engine::VersionTable {
        name: "retort_version",
    }
    .log(&mut conn)
    .unwrap();
    assert_eq!(log.iter().filter(|e| e.direction == "upgrade").count(), 8);
    assert_eq!(log.iter().filter(|e| e.direction == "downgrade").count(), 8);
    // Stamping to base adds no row, so logs nothing.
    assert_eq!(log.iter().filter(|e| e.direction == "stamp").count(), 3);
}

fn labelled_branches_with_a_dependency(db: &TestDb) {
    let config = db.config(LABELLED);
    let err = command::upgrade(&config, "head").unwrap_err();
    assert_eq!(
        err.to_string(),
        "there are several heads (e00000000002, e00000000004); name one (REV, label@head), use `heads` to upgrade them all, or `merge` them"
    );
    // billing needs accounts' e…02: it comes along.
    let steps = command::upgrade(&config, "billing@head").unwrap();
    assert_eq!(
        steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [
            "e00000000001",
            "e00000000002",
            "e00000000003",
            "e00000000004"
        ]
    );
    assert_eq!(current(&config), ids(&["e00000000002", "e00000000004"]));
    // Reverting billing leaves accounts.
    command::downgrade(&config, "billing@base").unwrap();
    assert_eq!(current(&config), ids(&["e00000000002"]));
    assert_eq!(db.tables(), ["accounts"]);
    // Reverting what billing depends on takes billing with it.
    command::upgrade(&config, "heads").unwrap();
    command::downgrade(&config, "e00000000001").unwrap();
    assert_eq!(current(&config), ids(&["e00000000001"]));
    assert_eq!(db.tables(), ["accounts"]);
    command::downgrade(&config, "accounts@base").unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(branches_and_merge, labelled_branches_with_a_dependency);

#[test]
fn history_marks_and_ranges() {
    let db = TestDb::sqlite();
    let config = db.config(BRANCHES);
    command::upgrade(&config, "f00000000004").unwrap();
    let options = command::HistoryOptions {
        range: None,
        indicate_current: true,
    };
    let lines: Vec<String> = command::history(&config, &options)
        .unwrap()
        .iter()
        .map(|e| format!("{}{}", e.id, e.marks()))
        .collect();
    assert_eq!(
        lines,
        [
            "f00000000005 (head) (mergepoint)",
            "f00000000004 (current)",
            "f00000000003",
            "f00000000002",
            "f00000000001 (branchpoint)",
        ]
    );
    let range = command::HistoryOptions {
        range: Some("f00000000002:current".into()),
        indicate_current: false,
    };
    let ids: Vec<String> = command::history(&config, &range)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["f00000000004", "f00000000002"]);
    let heads: Vec<String> = command::heads(&config)
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(heads, ["f00000000005"]);
    let branches = command::branches(&config).unwrap();
    assert_eq!(branches[0].children, ["f00000000002", "f00000000003"]);
    assert_eq!(
        command::show(&config, "alpha@head").unwrap().id,
        "f00000000005"
    );
}

fn fixture_cli(fixture: &str, db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fixture_cli"))
        .env("RETORT_FIXTURE", fixture)
        .env("RETORT_VERSIONS_DIR", db.dir.path().join("versions"))
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .args(["--url", &db.url])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn merge_writes_a_revision_on_both_heads() {
    let db = TestDb::sqlite();
    let out = fixture_cli(
        "labelled",
        &db,
        &[
            "merge",
            "heads",
            "-m",
            "join accounts and billing",
            "--rev-id",
            "ab0000000001",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let file = db
        .dir
        .path()
        .join("versions/ab0000000001_join_accounts_and_billing.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(
            "Revision::new(\n    \"ab0000000001\",\n    &[\"e00000000002\", \"e00000000004\"],"
        ),
        "{text}"
    );
    // The new file is not compiled into this program: writing another is refused.
    let out = fixture_cli("labelled", &db, &["revision", "-m", "next"]);
    assert!(
        stderr(&out).contains("is not compiled into this program"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(&file).unwrap();
    let out = fixture_cli("linear", &db, &["merge", "head", "-m", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a merge needs at least two revisions"),
        "{}",
        stderr(&out)
    );
    // A new branch with a label and a dependency.
    let out = fixture_cli(
        "labelled",
        &db,
        &[
            "revision",
            "-m",
            "reports",
            "--head",
            "base",
            "--branch-label",
            "reports",
            "--depends-on",
            "billing@head",
            "--rev-id",
            "ab0000000002",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let reports = db.dir.path().join("versions/ab0000000002_reports.rs");
    let text = std::fs::read_to_string(&reports).unwrap();
    std::fs::remove_file(&reports).unwrap();
    assert!(
        text.contains(".branch_labels(&[\"reports\"])")
            && text.contains(".depends_on(&[\"e00000000004\"])"),
        "{text}"
    );
    let out = fixture_cli(
        "labelled",
        &db,
        &[
            "revision",
            "-m",
            "dup",
            "--head",
            "base",
            "--branch-label",
            "billing",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("branch label `billing` is on two revisions"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn graph_errors_are_named_with_exit_codes() {
    let db = TestDb::sqlite();
    let cases: &[(&str, &[&str], &str)] = &[
        ("cycle", &["history"], "error: revisions form a cycle: c10000000001 -> c10000000002"),
        (
            "orphan",
            &["upgrade", "head"],
            "error: revision b10000000001 (b10000000001_a.rs) revises b19999999999, which is not among the revision files",
        ),
        (
            "duplicate",
            &["heads"],
            "error: revision id a10000000001 is declared twice: in a10000000001_a.rs and in a10000000001_again.rs",
        ),
        ("labelled", &["upgrade", "head"], "error: there are several heads (e00000000002, e00000000004)"),
        ("labelled", &["upgrade", "e0000000000"], "error: `e0000000000` is ambiguous: it matches e00000000001, e00000000002, e00000000003, e00000000004"),
        ("labelled", &["upgrade", "nobody@head"], "error: no branch is labelled `nobody`"),
        ("branches", &["upgrade", "f00000000001+1"], "error: relative target f00000000001+1: f00000000001 has several children"),
    ];
    for (fixture, args, message) in cases {
        let out = fixture_cli(fixture, &db, args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{fixture} {args:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).starts_with(message),
            "{fixture} {args:?}: {}",
            stderr(&out)
        );
    }
    // A database at a revision the code does not know.
    assert!(fixture_cli("linear", &db, &["upgrade", "head"])
        .status
        .success());
    let out = fixture_cli("branches", &db, &["current"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "the database is at revision b7e9d1000003, which is not among the revision files"
        ),
        "{}",
        stderr(&out)
    );
    let out = fixture_cli("branches", &db, &["stamp", "--purge", "f00000000001"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Stamped: b7e9d1000003 -> f00000000001\n");
    let out = fixture_cli("branches", &db, &["history", "-i"]);
    assert!(
        stdout(&out).contains("<base> -> f00000000001 (branchpoint) (current), core"),
        "{}",
        stdout(&out)
    );
    let out = fixture_cli("branches", &db, &["status"]);
    assert!(
        stdout(&out).starts_with("Database at: f00000000001\n  [applied] f00000000001, core"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn one_transaction_for_the_whole_run() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = TestDb::new(backend) else {
            continue;
        };
        let mut config = db.config(retort_tests::FAILING);
        config.run.transactions = retort_engine::TransactionMode::All;
        command::upgrade(&config, "head").unwrap_err();
        // The good first revision went too: all or nothing.
        assert!(current(&config).is_empty(), "{backend:?}");
        assert!(db.tables().is_empty(), "{backend:?}: {:?}", db.tables());
    }
    if let Some(db) = TestDb::mysql() {
        let mut config = db.config(BRANCHES);
        config.run.transactions = retort_engine::TransactionMode::All;
        let err = command::upgrade(&config, "head").unwrap_err();
        assert_eq!(
            err.to_string(),
            "one transaction for the whole run is impossible on mysql: its DDL commits implicitly"
        );
    }
}

/// Revision ids: one rule where they are made (`--rev-id`) and where they are
/// compiled; nothing written outside the versions folder; an empty target
/// matches nothing.
#[test]
fn bad_revision_ids_are_refused_where_they_are_made() {
    let db = TestDb::sqlite();
    for (id, why) in [
        ("../../escape", "`.` is not allowed"),
        ("", "it is empty"),
        (
            "a123456789012345678901234567890123",
            "the version table holds at most 32",
        ),
        ("rel-1", "`-` is not allowed"),
    ] {
        let out = fixture_cli("linear", &db, &["revision", "-m", "x", "--rev-id", id]);
        assert_eq!(out.status.code(), Some(1), "{id}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("revision id `{id}` in --rev-id is not valid"))
                && stderr(&out).contains(why),
            "{id}: {}",
            stderr(&out)
        );
    }
    let written: Vec<_> = std::fs::read_dir(db.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(
        !db.dir.path().join("versions").exists()
            || std::fs::read_dir(db.dir.path().join("versions"))
                .unwrap()
                .next()
                .is_none(),
        "{written:?}"
    );
    assert!(!db.dir.path().join("escape_x.rs").exists());
    // `stamp ""` names no revision, rather than matching every one as a prefix.
    let out = fixture_cli("linear", &db, &["stamp", ""]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no revision matches ``"),
        "{}",
        stderr(&out)
    );
}

/// `check --strict` fails, for CI, when a revision not yet applied loses data,
/// wherever the database is; without such a revision it passes.
#[test]
fn check_strict_fails_on_pending_losses() {
    let db = TestDb::sqlite();
    let out = fixture_cli("ops", &db, &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("destructive: revision 0a0000000007 (0a0000000007_drops.rs): removes table `audit` and all its rows"),
        "{said}"
    );
    assert!(
        said.contains("the pending revisions above lose data"),
        "{said}"
    );
    let out = fixture_cli("linear", &db, &["check", "--strict"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("no pending revision loses data"),
        "{}",
        stdout(&out)
    );
}
