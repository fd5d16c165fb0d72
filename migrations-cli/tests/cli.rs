//! The `migrations-cli` binary against temporary SQLite files: output, exit codes,
//! URL precedence, and bad input leaving the database untouched.

use retort_tests::support::{stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
    url: String,
}

fn db() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cli.db");
    let url = format!("sqlite://{}", path.display());
    Db {
        _dir: dir,
        path,
        url,
    }
}

fn cli(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrations-cli"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    cmd
}

/// The command on the `main` database only, at `db`.
fn run(db: &Db, args: &[&str]) -> Output {
    let mut all = vec!["--database", "main", "--url", db.url.as_str()];
    all.extend_from_slice(args);
    cli(&all).output().unwrap()
}

fn head_id(db: &Db) -> String {
    let out = run(db, &["heads"]);
    stdout(&out).split_whitespace().next().unwrap().to_owned()
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

#[test]
fn upgrade_current_history_check() {
    let db = db();
    let out = run(&db, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("INFO  [retort::runner] Running upgrade base -> "),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).starts_with("6 revisions applied; the database is at "),
        "{}",
        stdout(&out)
    );

    let head = head_id(&db);
    let out = run(&db, &["current"]);
    assert_eq!(stdout(&out), format!("{head} (head)\n"));

    let out = run(&db, &["history"]);
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert!(
        lines[0].ends_with(&format!("-> {head} (head), comments from doc comments")),
        "{lines:?}"
    );
    assert!(lines[1].ends_with(", cancelled orders"), "{lines:?}");
    assert!(lines[2].ends_with(", order status"), "{lines:?}");
    assert!(lines[3].ends_with(", prices as decimals"), "{lines:?}");
    assert!(lines[4].ends_with(", add product description"), "{lines:?}");
    assert!(
        lines[5].starts_with("<base> -> ") && lines[5].ends_with(", initial schema"),
        "{lines:?}"
    );

    let out = run(&db, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "No new upgrade operations detected.\n");

    // Into a folder of the test's, so a failure cannot leave a file in the
    // shop's versions folder.
    let versions = db._dir.path().join("versions");
    let versions = versions.to_str().unwrap();
    let out = run(
        &db,
        &[
            "autogenerate",
            "-m",
            "nothing new",
            "--version-path",
            versions,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "No changes detected\n");

    let out = run(&db, &["downgrade", "-1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("1 revision reverted; the database is at "),
        "{}",
        stdout(&out)
    );
    let out = run(&db, &["current"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = lines[1]
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(',');
    assert_eq!(stdout(&out), format!("{first}\n"));
}

#[test]
fn check_fails_when_models_and_database_differ() {
    let db = db();
    assert!(run(&db, &["upgrade", "head"]).status.success());
    // Someone drops a column by hand.
    let url = retort::DatabaseUrl::parse(&db.url).unwrap();
    let mut conn = retort::Connection::establish(&url).unwrap();
    conn.execute("ALTER TABLE products DROP COLUMN description")
        .unwrap();
    let out = run(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "New upgrade operations detected (1):\n  - add column `products.description`\n\
         Run `autogenerate -m \"...\"` to write a revision for them.\n"
    );
}

#[test]
fn bad_input_exits_non_zero_and_touches_nothing() {
    let db = db();
    assert!(run(&db, &["upgrade", "+1"]).status.success());
    let before = bytes(&db.path);
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["upgrade", "0123456789ab"],
            1,
            "error: no revision matches `0123456789ab`; `history` lists them",
        ),
        (
            &["downgrade", "-5"],
            1,
            "error: relative target -5 goes below base: only 1 revision(s) to revert",
        ),
        (
            &[
                "autogenerate",
                "-m",
                "early",
                "--version-path",
                "/nonexistent/retort",
            ],
            1,
            "error: target database is not up to date: it is at ",
        ),
        (&["check"], 1, "error: target database is not up to date"),
        (
            &["upgrade"],
            2,
            "error: the following required arguments were not provided",
        ),
        (&["explode"], 2, "error: unrecognized subcommand 'explode'"),
    ];
    for (args, code, message) in cases {
        let out = run(&db, args);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with(message),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(bytes(&db.path), before, "{args:?} changed the database");
    }
    let out = cli(&[
        "--database",
        "main",
        "--url",
        "oracle://scott:tiger@db/x",
        "current",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: database URL `oracle://scott:***@db/x`: unknown scheme `oracle`; Retort speaks sqlite://, postgres:// and mysql://\n"
    );
}

#[test]
fn url_flag_wins_over_database_url() {
    let chosen = db();
    let ignored = db();
    let out = cli(&["--database", "main", "--url", &chosen.url, "upgrade", "+1"])
        .env("DATABASE_URL", &ignored.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(chosen.path.exists());
    assert!(!ignored.path.exists());

    let out = cli(&["--database", "main", "upgrade", "+1"])
        .env("DATABASE_URL", &ignored.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(ignored.path.exists());
}

#[test]
fn dot_env_is_read_but_the_environment_wins() {
    let from_file = db();
    let from_env = db();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "# local settings\nDATABASE_URL={}\nANALYTICS_DATABASE_URL=sqlite://{}/a.db\n",
            from_file.url,
            dir.path().display()
        ),
    )
    .unwrap();
    let out = cli(&["--database", "main", "upgrade", "+1"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(from_file.path.exists(), ".env names the database");

    let out = cli(&["--database", "main", "upgrade", "+1"])
        .current_dir(dir.path())
        .env("DATABASE_URL", &from_env.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        from_env.path.exists(),
        "the real environment wins over .env"
    );
    assert!(!dir.path().join("a.db").exists(), "analytics untouched");
}

#[test]
fn echo_shows_the_sql() {
    let db = db();
    let out = run(&db, &["--echo", "upgrade", "head"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("INFO  [retort::sql] CREATE TABLE \"users\""),
        "{err}"
    );
    assert!(
        err.contains("ALTER TABLE \"products\" ADD COLUMN \"description\" TEXT"),
        "{err}"
    );
    let quiet = run(&db, &["downgrade", "base"]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert!(!stderr(&quiet).contains("[retort::sql]"));
}

#[test]
fn sql_mode_prints_without_connecting() {
    let db = db();
    let out = run(&db, &["upgrade", "head", "--sql"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sql = stdout(&out);
    assert!(
        sql.starts_with("CREATE TABLE IF NOT EXISTS \"retort_version\""),
        "{sql}"
    );
    assert!(sql.contains("BEGIN;\nCREATE TABLE \"users\""), "{sql}");
    assert!(
        sql.contains("ALTER TABLE \"products\" ADD COLUMN \"description\" TEXT;"),
        "{sql}"
    );
    assert!(!db.path.exists(), "--sql must not touch the database");

    let out = run(&db, &["upgrade", "head", "--sql", "--dialect", "mysql"]);
    assert!(
        stdout(&out).contains("CREATE TABLE `users`"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("BEGIN;"));

    let out = run(&db, &["downgrade", "base", "--sql"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("downgrade --sql needs the revision to start from: FROM:TO"));
    let out = run(
        &db,
        &["downgrade", "head:base", "--sql", "--dialect", "postgres"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("DROP TABLE \"orders\";"),
        "{}",
        stdout(&out)
    );
    let out = run(&db, &["upgrade", "head", "--sql", "--dialect", "oracle"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn drift_and_offline_autogenerate() {
    let db = db();
    assert!(run(&db, &["upgrade", "head"]).status.success());
    let out = run(&db, &["drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "No drift: the database matches its revision history.\n"
    );
    let url = retort::DatabaseUrl::parse(&db.url).unwrap();
    retort::Connection::establish(&url)
        .unwrap()
        .execute("CREATE INDEX ix_by_hand ON users (email)")
        .unwrap();
    let out = run(&db, &["drift"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "The database differs from what its revision history built (1 change(s) would bring it back):\n  \
         - remove index `ix_by_hand` on `users`\n"
    );
    let out = run(&db, &["drift", "--exclude", "users"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // The shop's history builds its models: nothing to autogenerate, offline.
    let versions = db._dir.path().join("versions");
    let out = cli(&[
        "autogenerate",
        "-m",
        "x",
        "--offline",
        "--dialect",
        "postgres",
        "--version-path",
        versions.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(
        stdout(&out),
        "== main ==\nNo changes detected\n== analytics ==\nNo changes detected\n",
        "{}",
        stderr(&out)
    );
}

#[test]
fn version_path_writes_the_new_file_elsewhere() {
    let db = db();
    assert!(run(&db, &["upgrade", "head"]).status.success());
    let dir = db._dir.path().join("elsewhere");
    let out = run(
        &db,
        &[
            "revision",
            "-m",
            "by hand",
            "--version-path",
            dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with("_by_hand.rs"), "{files:?}");
    assert!(
        stdout(&out).contains(&dir.display().to_string()),
        "{}",
        stdout(&out)
    );
    // A file written elsewhere is not one this program should have compiled in:
    // the next one is written too.
    let out = run(
        &db,
        &[
            "revision",
            "-m",
            "again",
            "--version-path",
            dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[test]
fn squash_writes_one_revision_for_a_range() {
    let db = db();
    let dir = db._dir.path().join("squashed");
    let out = run(
        &db,
        &[
            "squash",
            "e0bf0e82c5f9:ee12ccdbe522",
            "-m",
            "first two",
            "--rev-id",
            "5abc00000001",
            "--version-path",
            dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Squashing 2 revision(s): e0bf0e82c5f9, ee12ccdbe522"),
        "{text}"
    );
    assert!(text.contains("add table `products`"), "{text}");
    let file = dir.join("5abc00000001_first_two.rs");
    let written = std::fs::read_to_string(&file).unwrap();
    let compact: String = written.split_whitespace().collect();
    assert!(
        compact.contains(".replaces(&[\"e0bf0e82c5f9\",\"ee12ccdbe522\"])"),
        "{written}"
    );
    // The description column the second revision adds is in the table created.
    assert!(written.contains("\"description\""), "{written}");
    assert!(!written.contains("add_column"), "{written}");

    // Not a line: refused, naming why; nothing written.
    let out = run(&db, &["squash", "e0bf0e82c5f9", "-m", "x"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("FROM:TO"), "{}", stderr(&out));
    let out = run(&db, &["squash", "ee12ccdbe522:e0bf0e82c5f9", "-m", "x"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("reversed"), "{}", stderr(&out));
}

#[test]
fn revision_with_a_snapshot_of_tables() {
    let db = db();
    let dir = db._dir.path().join("snap");
    let out = run(
        &db,
        &[
            "revision",
            "-m",
            "backfill",
            "--with-snapshot",
            "users,orders",
            "--version-path",
            dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let written = std::fs::read_to_string(file).unwrap();
    assert!(
        written.contains("pub struct Users in \"users\" {"),
        "{written}"
    );
    assert!(
        written.contains("pub struct Orders in \"orders\" {"),
        "{written}"
    );
    assert!(
        written.contains("username: String = column(\"username\") as Text,"),
        "{written}"
    );
}

/// A database Alembic ran: `current` prints no revision and says on stderr what it
/// found and how to take the database over.
#[test]
fn current_names_another_tools_history() {
    let db = db();
    let url = retort::DatabaseUrl::parse(&db.url).unwrap();
    let mut conn = retort::Connection::establish(&url).unwrap();
    conn.execute(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); \
         INSERT INTO alembic_version VALUES ('1975ea83b712')",
    )
    .unwrap();
    drop(conn);
    let out = run(&db, &["current"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains(
            "note: this database carries `alembic_version` (Alembic's history, at 1975ea83b712)"
        ) && stderr(&out).contains("stamp head"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_writes_models_and_keeps_a_baseline_out_of_a_history() {
    let db = db();
    let url = retort::DatabaseUrl::parse(&db.url).unwrap();
    let mut conn = retort::Connection::establish(&url).unwrap();
    conn.execute(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); \
         INSERT INTO alembic_version VALUES ('1975ea83b712'); \
         CREATE TABLE accounts (id INTEGER PRIMARY KEY, email VARCHAR(80) NOT NULL UNIQUE); \
         CREATE TABLE notes (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts(id), body TEXT); \
         CREATE VIEW recent AS SELECT id FROM notes",
    )
    .unwrap();
    drop(conn);
    let models = db.path.with_file_name("models.rs");
    let out_arg = models.display().to_string();

    // This program has its history: no baseline goes into it.
    let out = run(&db, &["import", "--out", &out_arg]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("has revisions already: a baseline starts an empty history"),
        "{}",
        stderr(&out)
    );
    assert!(!models.exists(), "nothing written when refused");

    let out = run(&db, &["import", "--out", &out_arg, "--no-baseline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("(2 models) ... done"), "{said}");
    assert!(said.contains("not imported: view `recent`"), "{said}");
    assert!(
        said.contains("Alembic's history table `alembic_version` is left as it is"),
        "{said}"
    );
    let source = std::fs::read_to_string(&models).unwrap();
    assert!(source.contains("pub struct Account {"), "{source}");
    assert!(source.contains("pub struct Note {"), "{source}");
    assert!(!source.contains("AlembicVersion"), "{source}");
    // Nothing was stamped.
    let out = run(&db, &["current"]);
    assert_eq!(stdout(&out), "");
}

#[test]
fn lint_show_and_check_safety() {
    let db = db();
    // Offline, for PostgreSQL: the shop's REAL → NUMERIC(10,2) rewrites `products`.
    let out = run(&db, &["lint", "--offline", "--dialect", "postgres"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("25e2c721a6ba_prices_as_decimals.rs:17: error [changing-column-type] revision 25e2c721a6ba: alter column `products.price`: type NUMERIC(10,2)\n    lock: ACCESS EXCLUSIVE on `products`: blocks reads and writes while it rewrites the table; destroys data\n"),
        "{text}"
    );
    assert!(
        text.contains("Linted 6 revision(s) for PostgreSQL (a current release):"),
        "{text}"
    );
    assert!(!db.path.exists(), "--offline must not touch the database");
    assert!(text.contains("[require-timeout-settings]"), "{text}");
    // After the revision, with a lock timeout: nothing left.
    let out = run(
        &db,
        &[
            "--ddl-lock-timeout",
            "2s",
            "lint",
            "--offline",
            "--dialect",
            "postgres",
            "--from",
            "25e2c721a6ba",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out = run(&db, &["show", "25e2", "--dialect", "postgres"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("    Upgrade (locks on PostgreSQL):\n      - alter column `products.price`: type NUMERIC(10,2)\n          ACCESS EXCLUSIVE on `products`: blocks reads and writes while it rewrites the table; destroys data\n"),
        "{}",
        stdout(&out)
    );

    // --sql says above each op what it locks.
    let out = run(&db, &["upgrade", "head", "--sql", "--dialect", "postgres"]);
    assert!(
        stdout(&out).contains("-- ACCESS EXCLUSIVE on `products`: blocks reads and writes while it rewrites the table; destroys data\nALTER TABLE \"products\" ALTER COLUMN \"price\" TYPE NUMERIC(10,2)"),
        "{}",
        stdout(&out)
    );

    // Online on SQLite, at base: the pending rebuild is a finding; at head,
    // nothing is pending and check passes.
    let out = run(&db, &["check", "--safety"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("[changing-column-type]"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("the pending revisions above have findings"),
        "{}",
        stdout(&out)
    );
    assert!(run(&db, &["upgrade", "head"]).status.success());
    let out = run(&db, &["check", "--safety"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Linted 0 revision(s) for SQLite"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn diagram_of_the_models_and_of_the_database() {
    let db = db();
    let out = run(&db, &["diagram"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mermaid = stdout(&out);
    assert!(
        mermaid.starts_with(
            "erDiagram\n    orders {\n        integer id PK\n        integer user_id FK\n"
        ),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("    orders }o--|| users : \"user_id\"\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("        varchar_50 username UK\n"),
        "{mermaid}"
    );

    // The live database after upgrade head: the same tables and keys.
    assert!(run(&db, &["upgrade", "head"]).status.success());
    let live = stdout(&run(&db, &["diagram", "--live"]));
    for line in [
        "    orders {",
        "    products {",
        "    users {",
        "    orders }o--|| products : \"product_id\"",
    ] {
        assert!(live.contains(line), "{line} not in {live}");
    }
    assert!(!live.contains("retort_version"), "{live}");

    let dot = stdout(&run(&db, &["diagram", "dot"]));
    assert!(dot.starts_with("digraph schema {"), "{dot}");
    assert!(
        dot.contains("\"orders\":\"user_id.out\":e -> \"users\":\"id\":w;"),
        "{dot}"
    );

    let file = db.path.with_extension("svg");
    let out = run(&db, &["diagram", "svg", "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("(3 tables) ... done"));
    let svg = std::fs::read_to_string(&file).unwrap();
    assert!(svg.contains("<svg") && svg.contains(">orders<"), "{svg}");
}

#[test]
fn test_runs_the_kit_on_a_throwaway_database() {
    let db = db();
    let out = run(&db, &["test"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("Testing the revisions on a throwaway SQLite file:\n"),
        "{text}"
    );
    for check in [
        "single head",
        "models linked",
        "stairway (each revision up, down, up)",
        "head matches the models",
        "base is empty",
    ] {
        assert!(text.contains(&format!("  ok {check}\n")), "{check}: {text}");
    }
    assert!(!db.path.exists(), "the database of --url is never touched");
}
