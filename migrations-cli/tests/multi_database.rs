//! The shop's two databases (`main`, `analytics`, Retort.toml) through the real
//! binary: main on PostgreSQL with analytics on MariaDB, and both on SQLite files.
//! Without `--database` every command runs on both, in order, labelled; with it,
//! on one. Each database holds only its own models' tables.

use std::process::{Command, Output};

use retort_tests::support::{stderr, stdout};
use retort_tests::{TestDb, ANALYTICS, SHOP, SHOP_PROJECT};

fn cli(main: &TestDb, analytics: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .args(args)
        .env("DATABASE_URL", &main.url)
        .env("ANALYTICS_DATABASE_URL", &analytics.url)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("run migrations-cli")
}

fn head(migrations: retort::Migrations) -> String {
    retort_tests::support::heads(&migrations).join(", ")
}

fn two_databases(main: &TestDb, analytics: &TestDb) {
    assert_eq!(SHOP_PROJECT.databases[0].0, "main");
    assert_eq!(SHOP_PROJECT.databases[1].0, "analytics");
    let (main_head, analytics_head) = (head(SHOP), head(ANALYTICS));

    let out = cli(main, analytics, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let (first, second) = text
        .split_once("== analytics ==\n")
        .unwrap_or_else(|| panic!("labelled per database:\n{text}"));
    assert!(
        first.starts_with("== main ==\n6 revisions applied"),
        "{text}"
    );
    assert!(second.starts_with("2 revisions applied"), "{text}");

    // Each database has its own models' tables and version table, nothing else.
    assert_eq!(main.tables(), ["orders", "products", "users"]);
    assert_eq!(analytics.tables(), ["page_views"]);

    let out = cli(main, analytics, &["current"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("== main ==\n{main_head} (head)\n== analytics ==\n{analytics_head} (head)\n")
    );

    // Autogenerate and check compare each database with its own models only.
    let versions = main.dir.path().join("versions");
    let versions = versions.to_str().unwrap();
    for args in [
        &["check"][..],
        &["autogenerate", "-m", "nothing", "--version-path", versions][..],
    ] {
        let out = cli(main, analytics, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.starts_with("== main ==\n") && text.matches("== analytics ==\n").count() == 1,
            "{text}"
        );
        assert!(
            !text.contains("page_views") && !text.contains("drop"),
            "{text}"
        );
    }

    let out = cli(main, analytics, &["history", "--database", "analytics"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("=="), "one database, unlabelled");
    assert!(stdout(&out).contains(&analytics_head), "{}", stdout(&out));
    assert!(!stdout(&out).contains(&main_head), "{}", stdout(&out));

    // One database by name leaves the other alone.
    let out = cli(
        main,
        analytics,
        &["downgrade", "base", "--database", "analytics"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(analytics.tables().is_empty());
    assert_eq!(main.tables(), ["orders", "products", "users"]);
    let out = cli(main, analytics, &["current"]);
    assert_eq!(
        stdout(&out),
        format!("== main ==\n{main_head} (head)\n== analytics ==\n")
    );

    // With one database behind, `check` fails for it alone and says which.
    let out = cli(main, analytics, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "== main ==\nNo new upgrade operations detected.\n== analytics ==\n"
    );
    assert!(
        stderr(&out).contains("database `analytics`: target database is not up to date"),
        "{}",
        stderr(&out)
    );

    // --url names one database: which, when there are two?
    let out = cli(main, analytics, &["--url", &main.url, "current"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("say which one --url is for with --database NAME"),
        "{}",
        stderr(&out)
    );

    let out = cli(main, analytics, &["--database", "billing", "current"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("no database is called `billing`; the databases are: main, analytics"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn main_on_postgres_analytics_on_mariadb() {
    let (Some(main), Some(analytics)) = (TestDb::postgres(), TestDb::mysql()) else {
        return;
    };
    two_databases(&main, &analytics);
}

#[test]
fn both_on_sqlite() {
    two_databases(&TestDb::sqlite(), &TestDb::sqlite());
}
