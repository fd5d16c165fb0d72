//! `squash FROM:TO`: one revision equivalent to a line of revisions, declaring
//! those it replaces (Django's `replaces`). The fixture `squash` holds the
//! originals (`5a0a…02`–`…05`: an index, seed data, renames, a batch, a table
//! created and dropped again), the squash `5a0a…aa` that `squash` writes for them
//! (checked below to be exactly what it writes), and `…06` after the range.
//! On each database: one at base or below the range runs the squash, one inside
//! the range goes on with the originals, one past it needs nothing; all end with
//! the same schema and rows as the originals give, and `drift` finds nothing.
//! Once the originals are deleted the squash stands alone: a database at the last
//! of them is at the squash, one inside them is refused with what to do.

use std::path::Path;

use retort::migration::{Migration, Migrations};
use retort::Backend;
use retort_engine::command::{self, HistoryOptions, SquashOptions};
use retort_engine::{Error, RevisionError, StepReport};
use retort_tests::{link_shop, on_every_backend, TestDb, BRANCHES, OPS, SHOP, SHOP_SQUASH, SQUASH};

const SQUASHED: &str = "5a0a000000aa";
const RANGE: [&str; 4] = [
    "5a0a00000002",
    "5a0a00000003",
    "5a0a00000004",
    "5a0a00000005",
];

/// The fixture without the revisions `ids`, as if their files were deleted.
fn without(ids: &[&str]) -> Migrations {
    let kept: Vec<Migration> = SQUASH
        .revisions
        .iter()
        .filter(|m| !ids.contains(&m.revision.id))
        .copied()
        .collect();
    Migrations {
        versions_dir: SQUASH.versions_dir,
        revisions: Box::leak(kept.into_boxed_slice()),
    }
}

/// The history before `squash` ran.
fn originals() -> Migrations {
    without(&[SQUASHED])
}

/// The history once the originals are deleted.
fn alone() -> Migrations {
    without(&RANGE)
}

/// Checks that the committed fixture file `dir/<name>` is `written` (but for
/// its creation date); `RETORT_BLESS=1` rewrites it first.
fn assert_committed(dir: &str, written_path: &Path) {
    let written = std::fs::read_to_string(written_path).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(dir)
        .join(written_path.file_name().unwrap());
    if std::env::var_os("RETORT_BLESS").is_some() {
        std::fs::write(&committed, &written).unwrap();
    }
    let stable = |text: &str| {
        text.lines()
            .filter(|l| !l.contains("Create Date:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        stable(&std::fs::read_to_string(&committed).unwrap_or_default()),
        stable(&written),
        "{} is not what `squash` writes now; RETORT_BLESS=1 rewrites it",
        committed.display()
    );
}

fn ids(steps: &[StepReport]) -> Vec<&str> {
    steps.iter().map(|s| s.id.as_str()).collect()
}

fn writers(db: &TestDb) -> Vec<String> {
    db.strings("SELECT full_name || ' <' || email || '>' AS v FROM writers ORDER BY id")
}

/// MySQL has no `||` for strings by default.
fn rows(db: &TestDb) -> Vec<String> {
    if db.backend == Backend::Mysql {
        db.strings("SELECT CONCAT(full_name, ' <', email, '>') AS v FROM writers ORDER BY id")
    } else {
        writers(db)
    }
}

#[test]
fn the_committed_squash_is_what_squash_writes() {
    let db = TestDb::sqlite();
    let config = db.config(originals());
    let squashed = command::squash(
        &config,
        "5a0a00000002:5a0a00000005",
        "emails, seed, books and isbn",
        &SquashOptions {
            rev_id: Some(SQUASHED.to_owned()),
            ..SquashOptions::default()
        },
    )
    .unwrap();
    assert_eq!(squashed.replaces, RANGE);
    // The data steps are carried over, in order.
    assert_eq!(squashed.carried.len(), 2, "{:?}", squashed.carried);
    assert!(squashed.carried[0].starts_with("5a0a00000003: "));
    let written = std::fs::read_to_string(&squashed.revision.path).unwrap();
    let compact: String = written.split_whitespace().collect();
    assert!(
        compact.contains(
            ".replaces(&[\"5a0a00000002\",\"5a0a00000003\",\"5a0a00000004\",\"5a0a00000005\"])"
        ),
        "{written}"
    );
    assert!(
        compact.contains("Revision::new(\"5a0a000000aa\",&[\"5a0a00000001\"]"),
        "{written}"
    );
    // Renames stay renames; a table created and dropped inside the range is gone.
    assert!(
        written.contains("op.rename_table(\"authors\", \"writers\")"),
        "{written}"
    );
    assert!(!written.contains("scratch"), "{written}");
    let (up, down) = written.split_once("pub fn downgrade").unwrap();
    assert!(
        up.find("bulk_insert").unwrap() < up.find("rename_table").unwrap(),
        "{up}"
    );
    assert!(
        down.contains("op.rename_table(\"writers\", \"authors\")"),
        "{down}"
    );

    assert_committed("fixtures/squash", &squashed.revision.path);
}

fn databases_before_inside_and_past_the_range(db: &TestDb) {
    let other = || TestDb::new(db.backend).expect("a second database");
    // The reference: the originals alone.
    let reference = other();
    let original = reference.config(originals());
    assert_eq!(
        ids(&command::upgrade(&original, "head").unwrap()),
        [
            "5a0a00000001",
            RANGE[0],
            RANGE[1],
            RANGE[2],
            RANGE[3],
            "5a0a00000006"
        ]
    );

    // At base: the squash runs in place of the range.
    let both = db.config(SQUASH);
    assert_eq!(
        ids(&command::upgrade(&both, "head").unwrap()),
        ["5a0a00000001", SQUASHED, "5a0a00000006"]
    );
    assert_eq!(db.schema(), reference.schema());
    assert_eq!(rows(db), rows(&reference));
    assert_eq!(
        rows(db),
        ["Ann O'Neil <ann@example.com>", "Bob <unknown@example.com>"]
    );
    assert!(command::drift(&both).unwrap().is_empty());
    let history = command::history(
        &both,
        &HistoryOptions {
            indicate_current: true,
            ..HistoryOptions::default()
        },
    )
    .unwrap();
    let squash = history.iter().find(|e| e.id == SQUASHED).unwrap();
    assert_eq!(squash.replaces, RANGE);
    assert!(history.iter().all(|e| !RANGE.contains(&e.id.as_str())));

    // Below the range: the squash.
    let below = other();
    let config = below.config(SQUASH);
    command::upgrade(&config, "5a0a00000001").unwrap();
    assert_eq!(
        ids(&command::upgrade(&config, "head").unwrap()),
        [SQUASHED, "5a0a00000006"]
    );
    assert_eq!(below.schema(), reference.schema());

    // Inside the range: the originals, up to the end of the range and past it.
    let inside = other();
    command::upgrade(&inside.config(originals()), RANGE[1]).unwrap();
    let config = inside.config(SQUASH);
    assert_eq!(command::current(&config).unwrap(), [RANGE[1]]);
    assert!(command::drift(&config).unwrap().is_empty());
    let status = command::status(&config).unwrap();
    let pending: Vec<&str> = status
        .entries
        .iter()
        .filter(|e| !e.applied)
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(pending, [RANGE[2], RANGE[3], "5a0a00000006"], "{status:?}");
    assert_eq!(
        ids(&command::upgrade(&config, "head").unwrap()),
        [RANGE[2], RANGE[3], "5a0a00000006"]
    );
    assert_eq!(inside.schema(), reference.schema());
    assert_eq!(rows(&inside), rows(&reference));

    // At the end of the range: at the squash.
    let end = other();
    command::upgrade(&end.config(originals()), RANGE[3]).unwrap();
    let config = end.config(SQUASH);
    assert!(command::drift(&config).unwrap().is_empty());
    assert_eq!(
        ids(&command::upgrade(&config, "head").unwrap()),
        ["5a0a00000006"]
    );
    assert_eq!(end.schema(), reference.schema());

    // The originals deleted: the squash stands alone.
    let config = reference.config(alone());
    assert!(command::drift(&config).unwrap().is_empty());
    assert!(command::upgrade(&config, "head").unwrap().is_empty());
    // Down through the squash's downgrade to below the range: the same schema
    // as a database that never went further.
    assert_eq!(
        ids(&command::downgrade(&config, "5a0a00000001").unwrap()),
        ["5a0a00000006", SQUASHED]
    );
    let at_first = other();
    command::upgrade(&at_first.config(alone()), "5a0a00000001").unwrap();
    assert_eq!(reference.schema(), at_first.schema());
    assert_eq!(
        ids(&command::upgrade(&config, "head").unwrap()),
        [SQUASHED, "5a0a00000006"]
    );
    assert_eq!(
        ids(&command::downgrade(&config, "base").unwrap()),
        ["5a0a00000006", SQUASHED, "5a0a00000001"]
    );
    assert!(reference.tables().is_empty(), "{:?}", reference.tables());

    // A database at the last original, the originals gone: at the squash.
    let last = other();
    command::upgrade(&last.config(originals()), RANGE[3]).unwrap();
    let config = last.config(alone());
    let history = command::history(
        &config,
        &HistoryOptions {
            indicate_current: true,
            ..HistoryOptions::default()
        },
    )
    .unwrap();
    assert!(history.iter().any(|e| e.id == SQUASHED && e.is_current));
    assert_eq!(
        ids(&command::upgrade(&config, "head").unwrap()),
        ["5a0a00000006"]
    );
    assert_eq!(command::current(&config).unwrap(), ["5a0a00000006"]);

    // A database inside the range, the originals gone: refused, saying what to do.
    let stuck = other();
    command::upgrade(&stuck.config(originals()), RANGE[1]).unwrap();
    let err = command::upgrade(&stuck.config(alone()), "head").unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Revision(RevisionError::InsideSquash { current, squash })
                if current == RANGE[1] && squash == SQUASHED
        ),
        "{err}"
    );
    assert!(err.to_string().contains("put their files back"), "{err}");
    assert_eq!(
        command::current(&stuck.config(originals())).unwrap(),
        [RANGE[1]]
    );
}

on_every_backend!(databases_before_inside_and_past_the_range);

#[test]
fn some_originals_deleted_is_refused() {
    let err = retort_engine::RevisionMap::of(&without(&[RANGE[1]])).unwrap_err();
    assert!(
        matches!(&err, RevisionError::PartialSquash { missing, .. } if missing == &[RANGE[1]]),
        "{err}"
    );
}

#[test]
fn what_cannot_be_carried_is_refused_naming_it() {
    let db = TestDb::sqlite();
    // 0a…08 reads the live database through op.connection().
    let config = db.config(OPS);
    let err = command::squash(
        &config,
        "0a0000000006:0a0000000008",
        "x",
        &SquashOptions::default(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Squash { .. }), "{text}");
    assert!(text.contains("0a0000000008"), "{text}");
    assert!(text.contains("op.connection()"), "{text}");
    assert!(text.contains("0a0000000008_transform.rs:"), "{text}");
    assert!(std::fs::read_dir(db.dir.path().join("versions"))
        .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound));

    // A range with a branch leaving it from inside is not a line.
    let config = db.config(BRANCHES);
    let map = retort_engine::RevisionMap::of(&BRANCHES).unwrap();
    let point = map
        .in_order()
        .find(|n| map.is_branch_point(&n.id))
        .unwrap()
        .id
        .clone();
    let child = map.children(&point)[0].clone();
    let err = command::squash(
        &config,
        &format!("{point}:{child}"),
        "x",
        &SquashOptions::default(),
    );
    let text = err.map(|_| ()).unwrap_err().to_string();
    assert!(text.contains("branch point"), "{text}");
}

#[test]
fn sql_scripts_take_the_same_paths() {
    let db = TestDb::sqlite();
    let config = db.config(SQUASH);
    // From base: the squash.
    let script = command::upgrade_sql(&config, "head", None).unwrap();
    assert!(script.contains(SQUASHED), "{script}");
    assert!(!script.contains(RANGE[2]), "{script}");
    // From inside the range: the originals.
    let script = command::upgrade_sql(&config, &format!("{}:head", RANGE[1]), None).unwrap();
    assert!(
        script.contains(RANGE[2]) && script.contains(RANGE[3]),
        "{script}"
    );
    assert!(!script.contains(SQUASHED), "{script}");
    // A revision inside the range is no target once the squash stands for it.
    let err = command::upgrade(&config, RANGE[1]).unwrap_err();
    assert!(err.to_string().contains("inside the range squash"), "{err}");
}

const SHOP_SQUASHED: &str = "5b5a00000001";

/// The shop's revisions and the squash of all of them.
fn shop_and_squash() -> Migrations {
    let all: Vec<Migration> = SHOP
        .revisions
        .iter()
        .chain(SHOP_SQUASH.revisions)
        .copied()
        .collect();
    Migrations {
        versions_dir: SHOP.versions_dir,
        revisions: Box::leak(all.into_boxed_slice()),
    }
}

#[test]
fn the_committed_shop_squash_is_what_squash_writes() {
    let db = TestDb::sqlite();
    let config = db.config(SHOP);
    let squashed = command::squash(
        &config,
        "base:3b3d9845ddf8",
        "the shop so far",
        &SquashOptions {
            rev_id: Some(SHOP_SQUASHED.to_owned()),
            ..SquashOptions::default()
        },
    )
    .unwrap();
    assert_eq!(squashed.replaces.len(), SHOP.revisions.len());
    assert_committed("fixtures/shop_squash", &squashed.revision.path);
}

/// The shop's whole history squashed: a new database runs the squash alone, and
/// `check` (models against the database) and `drift` find nothing; a database at
/// the old head is at the squash.
fn shop_squashed_matches_the_models(db: &TestDb) {
    link_shop();
    let config = db.config(shop_and_squash());
    assert_eq!(
        ids(&command::upgrade(&config, "head").unwrap()),
        [SHOP_SQUASHED]
    );
    assert!(command::check(&config).unwrap().is_empty());
    assert!(command::drift(&config).unwrap().is_empty());

    let old = TestDb::new(db.backend).expect("a second database");
    command::upgrade(&old.config(SHOP), "head").unwrap();
    let config = old.config(shop_and_squash());
    assert!(command::upgrade(&config, "head").unwrap().is_empty());
    assert!(command::check(&config).unwrap().is_empty());
    assert_eq!(old.schema(), db.schema());
    // Down through the squash: nothing left but the version table.
    let config = db.config(shop_and_squash());
    assert_eq!(
        ids(&command::downgrade(&config, "base").unwrap()),
        [SHOP_SQUASHED]
    );
    assert!(db.tables().is_empty(), "{:?}", db.tables());
}

on_every_backend!(shop_squashed_matches_the_models);

fn fixture_cli(db: &TestDb, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fixture_cli"))
        .env("RETORT_FIXTURE", "squash")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .args(["--url", &db.url])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn current_and_history_on_the_command_line() {
    // Inside the range: the revision it is at, among the originals.
    let inside = TestDb::sqlite();
    command::upgrade(&inside.config(originals()), RANGE[1]).unwrap();
    let current = fixture_cli(&inside, &["current"]);
    assert_eq!(current.trim(), RANGE[1], "{current}");
    // At the last original: the squash, saying what the version table names.
    let end = TestDb::sqlite();
    command::upgrade(&end.config(originals()), RANGE[3]).unwrap();
    let current = fixture_cli(&end, &["current"]);
    assert!(current.starts_with(SQUASHED), "{current}");
    assert!(
        current.contains(&format!("the version table names {}", RANGE[3])),
        "{current}"
    );
    let history = fixture_cli(&end, &["history", "-i"]);
    assert!(
        history.contains(&format!("{SQUASHED} (current)")),
        "{history}"
    );
    assert!(
        history.contains("(squash of 5a0a00000002, 5a0a00000003, 5a0a00000004, 5a0a00000005)"),
        "{history}"
    );
}
