//! Typed history (`--with-snapshot`): a revision file carries a typed view of a
//! table as that revision leaves it, so its data migration keeps compiling and
//! meaning the same after the models change. The fixture `snapshot`: `5b0a…01`
//! creates `people` (columns of most types); `…02` was written by `revision
//! --with-snapshot people` (checked below to be what it writes) and its upgrade
//! then filled in by hand: it reads every person through the snapshot, upper-cases
//! the names and copies each row back with `insert_rows`; `…03` renames `name` and
//! drops `nickname` afterwards, which the snapshot of `…02` does not notice.

use std::path::Path;

use retort::migration::{Migration, Migrations};
use retort::Backend;
use retort_engine::command::{self, RevisionOptions};
use retort_tests::{on_every_backend, TestDb, SNAPSHOT};

/// The fixture up to `5b0a…01`, as it was when `…02` was written.
fn before_the_data_migration() -> Migrations {
    let kept: Vec<Migration> = SNAPSHOT
        .revisions
        .iter()
        .filter(|m| m.revision.id == "5b0a00000001")
        .copied()
        .collect();
    Migrations {
        versions_dir: SNAPSHOT.versions_dir,
        revisions: Box::leak(kept.into_boxed_slice()),
    }
}

/// The part of a revision file from its snapshot module on.
fn snapshot_part(text: &str) -> &str {
    let start = text
        .find("/// The tables as this revision leaves them")
        .expect("a snapshot module");
    &text[start..]
}

#[test]
fn the_committed_snapshot_is_what_revision_writes() {
    let db = TestDb::sqlite();
    let config = db.config(before_the_data_migration());
    let generated = command::revision(
        &config,
        "upper case names",
        &RevisionOptions {
            rev_id: Some("5b0a00000002".to_owned()),
            with_snapshot: Some(vec!["people".to_owned()]),
            ..RevisionOptions::default()
        },
    )
    .unwrap();
    let written = std::fs::read_to_string(&generated.path).unwrap();
    // Each column as the Rust type every database reads it as; the others as text.
    for field in [
        "id: i64 = column(\"id\") as BigInt",
        "name: String = column(\"name\") as Text",
        "nickname: Option<String> = column(\"nickname\") as Nullable<Text>",
        "born: Option<String> = text(\"born\") as Nullable<Text>",
        "active: bool = column(\"active\") as Bool",
        "weight: Option<f64> = column(\"weight\") as Nullable<Double>",
        "visits: i32 = column(\"visits\") as Integer",
        "avatar: Option<Vec<u8>> = column(\"avatar\") as Nullable<Binary>",
    ] {
        assert!(written.contains(field), "{field}\n{written}");
    }
    let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/snapshot")
        .join(generated.path.file_name().unwrap());
    if !committed.exists() {
        std::fs::write(&committed, &written).unwrap();
    }
    let committed = std::fs::read_to_string(&committed).unwrap();
    assert_eq!(snapshot_part(&committed), snapshot_part(&written));

    // Without names: the tables the revision's ops change; none: refused.
    let db = TestDb::sqlite();
    let config = db.config(before_the_data_migration());
    let err = command::revision(
        &config,
        "nothing",
        &RevisionOptions {
            with_snapshot: Some(Vec::new()),
            ..RevisionOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("name the tables"), "{err}");
    let err = command::revision(
        &config,
        "nothing",
        &RevisionOptions {
            with_snapshot: Some(vec!["ghosts".to_owned()]),
            ..RevisionOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("no table `ghosts`"), "{err}");
}

fn text(db: &TestDb, column: &str, id: i64) -> String {
    let cast = if db.backend == Backend::Mysql {
        "CHAR"
    } else {
        "TEXT"
    };
    db.strings(&format!(
        "SELECT COALESCE(CAST({column} AS {cast}), 'NULL') AS v FROM people WHERE id = {id}"
    ))
    .join(",")
}

fn data_migration_through_the_snapshot(db: &TestDb) {
    let config = db.config(SNAPSHOT);
    command::upgrade(&config, "5b0a00000001").unwrap();
    let mut conn = db.connect();
    let yes = if db.backend == Backend::Postgres {
        "TRUE"
    } else {
        "1"
    };
    conn.execute(&format!(
        "INSERT INTO people (id, name, nickname, born, score, active, weight, visits, avatar) \
         VALUES (1, 'ada lovelace', 'ada', '1815-12-10', 12.50, {yes}, 55.5, 3, NULL), \
                (2, 'alan turing', NULL, NULL, NULL, {yes}, NULL, 0, NULL)"
    ))
    .unwrap();
    // The data migration runs after the models moved on: `name` is `full_name`
    // at head, and `nickname` is gone.
    command::upgrade(&config, "head").unwrap();
    assert_eq!(text(db, "full_name", 1), "ADA LOVELACE");
    assert_eq!(text(db, "full_name", 2), "ALAN TURING");
    // The copies written back through the snapshot carry every value over,
    // those read as text included.
    for column in ["full_name", "born", "score", "weight", "visits", "active"] {
        assert_eq!(text(db, column, 1001), text(db, column, 1), "{column}");
        assert_eq!(text(db, column, 1002), text(db, column, 2), "{column}");
    }
    if db.backend != Backend::Sqlite {
        assert_eq!(text(db, "score", 1001), "12.50");
    }
    // And back down: the copies go.
    command::downgrade(&config, "5b0a00000001").unwrap();
    let cast = if db.backend == Backend::Mysql {
        "CHAR"
    } else {
        "TEXT"
    };
    assert_eq!(
        db.strings(&format!("SELECT CAST(COUNT(*) AS {cast}) AS v FROM people")),
        ["2"]
    );
}

on_every_backend!(data_migration_through_the_snapshot);

#[test]
fn autogenerate_with_snapshot_takes_the_tables_it_changes() {
    retort_tests::link_shop();
    // The shop without its last revision (comments on every table): autogenerate
    // writes that revision again, with a snapshot of the tables it changes.
    let kept: Vec<Migration> = retort_tests::SHOP
        .revisions
        .iter()
        .filter(|m| m.revision.id != "3b3d9845ddf8")
        .copied()
        .collect();
    let migrations = Migrations {
        versions_dir: retort_tests::SHOP.versions_dir,
        revisions: Box::leak(kept.into_boxed_slice()),
    };
    let db = TestDb::sqlite();
    let config = db.config(migrations);
    let generated = command::autogenerate(
        &config,
        "comments",
        &RevisionOptions {
            offline: true,
            // SQLite keeps no comments: compared as PostgreSQL stores things.
            dialect: Some(Backend::Postgres),
            with_snapshot: Some(Vec::new()),
            ..RevisionOptions::default()
        },
    )
    .unwrap()
    .expect("changes");
    let written = std::fs::read_to_string(&generated.path).unwrap();
    for table in [
        "Users in \"users\"",
        "Products in \"products\"",
        "Orders in \"orders\"",
    ] {
        assert!(
            written.contains(&format!("pub struct {table} {{")),
            "{written}"
        );
    }
    // The enum column is read as its text; the decimal price too.
    assert!(
        written.contains("status: String = text(\"status\") as Text,"),
        "{written}"
    );
    assert!(
        written.contains("price: String = text(\"price\") as Text,"),
        "{written}"
    );
}
