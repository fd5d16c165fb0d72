//! Fleets through the real binary: one schema applied to 20 PostgreSQL databases
//! and 20 SQLite files from a URLs file (with a glob), one database prepared to
//! fail; the others reach head, the failing one stays where it was and is named in
//! the summary; a rerun after fixing it resumes.

use std::process::{Command, Output};

use retort_tests::support::{stderr, stdout};
use retort_tests::{TestDb, SHOP};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .args(["--database", "main"])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("run migrations-cli")
}

/// Where `url` is, read from its version table.
fn current(url: &str) -> Vec<String> {
    retort_engine::command::current(&retort_engine::Config::new(SHOP).url(url))
        .expect("read the version table")
}

fn head() -> Vec<String> {
    retort_tests::support::heads(&SHOP)
}

/// The summary line of `url` in a fleet run's output.
fn line_of<'a>(out: &'a str, url: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(url))
        .unwrap_or_else(|| panic!("no line for {url} in:\n{out}"))
}

#[test]
fn twenty_postgres_and_twenty_sqlite_with_one_failure_then_resume() {
    let Some(first) = TestDb::postgres() else {
        return;
    };
    let mut postgres = vec![first];
    postgres.extend((1..20).map(|_| TestDb::postgres().expect("the server answered once")));
    let bad = &postgres[7];
    bad.connect()
        .execute("CREATE TABLE users (id integer PRIMARY KEY, made_by_hand text)")
        .expect("the conflicting table");

    // Twenty SQLite files (empty files are empty databases), listed by a glob.
    let dir = tempfile::tempdir().unwrap();
    let tenants = dir.path().join("tenants");
    std::fs::create_dir(&tenants).unwrap();
    let sqlite: Vec<String> = (0..20)
        .map(|i| {
            let path = tenants.join(format!("tenant_{i:02}.db"));
            std::fs::write(&path, b"").unwrap();
            format!("sqlite://{}", path.display())
        })
        .collect();
    let urls_file = dir.path().join("fleet.txt");
    let mut listing = String::from("# every tenant of the shop\n");
    for db in &postgres {
        listing.push_str(&db.url);
        listing.push('\n');
    }
    listing.push_str(&format!("\nsqlite://{}/*.db\n", tenants.display()));
    std::fs::write(&urls_file, listing).unwrap();
    let file = urls_file.to_str().unwrap();

    let out = cli(&["upgrade", "head", "--urls-file", file, "--jobs", "8"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.ends_with("40 database(s): 39 ok, 1 not\n"),
        "the summary counts every database:\n{text}"
    );
    let failed = line_of(&text, &bad.url);
    assert!(failed.starts_with("failed"), "{failed}");
    assert!(failed.contains("base -> base"), "{failed}");
    assert!(
        failed.contains("users"),
        "the error names the table: {failed}"
    );
    let head = head();
    for url in postgres
        .iter()
        .map(|d| d.url.as_str())
        .chain(sqlite.iter().map(String::as_str))
    {
        if url == bad.url {
            continue;
        }
        let line = line_of(&text, url);
        assert!(
            line.starts_with("ok") && line.contains("6 revision(s) applied"),
            "{line}"
        );
        assert_eq!(current(url), head, "{url}");
    }
    // Nothing of the failed revision stayed behind, and the hand-made table is intact.
    assert!(current(&bad.url).is_empty());
    assert_eq!(bad.tables(), ["users"]);
    assert!(bad
        .strings("SELECT column_name AS v FROM information_schema.columns WHERE table_name = 'users' ORDER BY column_name")
        .contains(&"made_by_hand".to_owned()));

    // `current` and `check` report per database, with the same exit-code rule.
    let out = cli(&["current", "--urls-file", file]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(line_of(&text, &bad.url).contains("base -> base"), "{text}");
    assert!(line_of(&text, &sqlite[3]).contains(&format!("{0} -> {0}", head[0])));

    let out = cli(&["check", "--urls-file", file]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.ends_with("40 database(s): 39 ok, 1 not\n"), "{text}");
    assert!(line_of(&text, &bad.url).starts_with("failed"), "{text}");

    // Fixed by hand, a rerun upgrades only what is behind.
    bad.connect().execute("DROP TABLE users").unwrap();
    let out = cli(&["upgrade", "head", "--urls-file", file, "--jobs", "8"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.ends_with("40 database(s): 40 ok, 0 not\n"), "{text}");
    assert!(
        line_of(&text, &bad.url).contains("6 revision(s) applied"),
        "{text}"
    );
    assert!(
        line_of(&text, &sqlite[0]).contains("already there"),
        "{text}"
    );
    assert_eq!(
        text.matches("already there").count(),
        39,
        "every other database was skipped:\n{text}"
    );
    assert_eq!(current(&bad.url), head);

    let out = cli(&["check", "--urls-file", file]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn fail_fast_starts_nothing_after_the_first_failure() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("a_bad.db");
    let bad_url = format!("sqlite://{}", bad.display());
    retort::Connection::establish(&retort::DatabaseUrl::parse(&bad_url).unwrap())
        .unwrap()
        .execute("CREATE TABLE users (id integer)")
        .unwrap();
    for name in ["b.db", "c.db", "d.db"] {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let urls_file = dir.path().join("fleet.txt");
    std::fs::write(
        &urls_file,
        format!("sqlite://{}/*.db\n", dir.path().display()),
    )
    .unwrap();

    let out = cli(&[
        "upgrade",
        "head",
        "--urls-file",
        urls_file.to_str().unwrap(),
        "--jobs",
        "1",
        "--fail-fast",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(line_of(&text, &bad_url).starts_with("failed"), "{text}");
    assert_eq!(text.matches("skipped").count(), 3, "{text}");
    assert!(text.ends_with("4 database(s): 0 ok, 4 not\n"), "{text}");
    for name in ["b.db", "c.db", "d.db"] {
        let url = format!("sqlite://{}", dir.path().join(name).display());
        assert!(current(&url).is_empty(), "{url} was not touched");
    }
}

#[test]
fn bad_urls_files_are_named() {
    let out = cli(&["upgrade", "head", "--urls-file", "/nonexistent/fleet.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("/nonexistent/fleet.txt"),
        "{}",
        stderr(&out)
    );

    // Two databases and no --database: which one the fleet is for is ambiguous.
    let out = Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .args(["upgrade", "head", "--urls-file", "/nonexistent/fleet.txt"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("say which one the --urls-file fleet runs with --database NAME"),
        "{}",
        stderr(&out)
    );
}
