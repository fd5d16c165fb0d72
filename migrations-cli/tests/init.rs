//! `init` as a new user runs it: a Cargo workspace of their own with a models
//! crate of two models; `migrations-cli init` adds a migrations crate; then,
//! through that generated crate, `autogenerate -m initial`, `upgrade head` and
//! `check` on SQLite. Also: init never overwrites, and names what is wrong.
//!
//! The user's workspace builds in `target/e2e` (shared with the other end-to-end
//! test) so it never waits for the lock of the build that runs this test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    retort_tests::support::repo()
}

/// A workspace with one member, `models`: `Author` and `Post` (a foreign key).
fn user_workspace(ws: &Path) {
    let repo = repo();
    std::fs::create_dir_all(ws.join("models/src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"models\"]\n",
    )
    .unwrap();
    std::fs::copy(repo.join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();
    std::fs::write(
        ws.join("models/Cargo.toml"),
        format!(
            r#"[package]
name = "models"
version = "0.1.0"
edition = "2021"

[dependencies]
retort = {{ path = "{repo}/runtime" }}
diesel = {{ version = "2.3", default-features = false, features = ["sqlite"] }}
"#,
            repo = repo.display()
        ),
    )
    .unwrap();
    std::fs::write(
        ws.join("models/src/lib.rs"),
        r#"//! A blog.
use retort::Model;

/// Someone who writes.
#[derive(Model)]
pub struct Author {
    #[model(primary_key)]
    pub id: i64,
    #[model(max_length = 80, unique)]
    pub name: String,
}

/// What they write.
#[derive(Model)]
pub struct Post {
    #[model(primary_key)]
    pub id: i64,
    #[model(references = Author, index)]
    pub author_id: i64,
    #[model(max_length = 200)]
    pub title: String,
    pub body: Option<String>,
}
"#,
    )
    .unwrap();
}

fn init(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .arg("init")
        .args(args)
        .current_dir(ws)
        .env("NO_COLOR", "1")
        .output()
        .expect("run migrations-cli init")
}

fn cargo_run(ws: &Path, args: &[&str]) -> Output {
    retort_tests::support::cargo_run(ws, &["-p", "migrations"], args)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn init_then_autogenerate_upgrade_check_in_a_new_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("blog");
    user_workspace(&ws);

    let out = init(&ws, &["migrations", "--models-crate", "models"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    for file in [
        "Cargo.toml",
        "build.rs",
        "src/main.rs",
        "Retort.toml",
        "versions/.gitkeep",
    ] {
        assert!(ws.join("migrations").join(file).exists(), "{file}");
        assert!(
            said.contains(&format!(
                "Created {}",
                ws.join("migrations").join(file).display()
            )),
            "{said}"
        );
    }
    assert!(
        said.contains("Next:\n  cargo run -p migrations -- autogenerate -m \"initial schema\""),
        "{said}"
    );
    let manifest = std::fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("members = [\"models\", \"migrations\"]"),
        "{manifest}"
    );
    // Revisions build unoptimized in release; the user is told.
    assert!(
        manifest.contains("[profile.release.package.migrations]\nopt-level = 0"),
        "{manifest}"
    );
    assert!(said.contains("opt-level = 0"), "{said}");
    // The derive builds optimized in dev; the user is told.
    for name in ["retort-macros", "syn", "proc-macro2", "quote"] {
        assert!(
            manifest.contains(&format!("[profile.dev.package.{name}]\nopt-level = 3")),
            "{manifest}"
        );
    }
    assert!(
        said.contains("opt-level = 3 for retort-macros, syn, proc-macro2, quote"),
        "{said}"
    );
    let cargo_toml = std::fs::read_to_string(ws.join("migrations/Cargo.toml")).unwrap();
    for feature in [
        "default = [\"sqlite\"]",
        "postgres = [\"retort/postgres\"]",
        "mysql = [\"retort/mysql\"]",
    ] {
        assert!(cargo_toml.contains(feature), "{cargo_toml}");
    }
    let retort_toml = std::fs::read_to_string(ws.join("migrations/Retort.toml")).unwrap();
    for setting in [
        "url = ",
        "versions = ",
        "version_table",
        "exclude_tables",
        "transaction",
        "lock_timeout",
    ] {
        assert!(
            retort_toml.contains(setting),
            "Retort.toml documents {setting}"
        );
    }

    let out = cargo_run(&ws, &["autogenerate", "-m", "initial"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("Detected add table `authors`"), "{said}");
    assert!(said.contains("Detected add table `posts`"), "{said}");
    let revisions: Vec<_> = std::fs::read_dir(ws.join("migrations/versions"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .collect();
    assert_eq!(revisions.len(), 1);

    let out = cargo_run(&ws, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 revision applied"));
    // The default URL of Retort.toml: a file next to it.
    assert!(ws.join("migrations/migrations.db").exists());

    let out = cargo_run(&ws, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No new upgrade operations detected.\n"
    );

    // A second init writes nothing and says what is in the way.
    let before = std::fs::read_to_string(ws.join("migrations/src/main.rs")).unwrap();
    let out = init(&ws, &["migrations", "--models-crate", "models"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("already exist; init writes only new files"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(ws.join("migrations/src/main.rs")).unwrap(),
        before
    );
}

#[test]
fn init_names_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("blog");
    user_workspace(&ws);

    let out = init(&ws, &["migrations", "--models-crate", "modles"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out)
            .contains("no member of the workspace is called `modles`; its members are: models"),
        "{}",
        text(&out)
    );
    assert!(!ws.join("migrations").exists(), "nothing written");

    let out = init(tmp.path(), &["migrations", "--models-crate", "models"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("no Cargo workspace above"),
        "{}",
        text(&out)
    );
}

/// The installable `retort` tool, built as `cargo install --path cli` would, in
/// the end-to-end target folder.
fn retort_tool() -> PathBuf {
    let target = repo().join("target/e2e");
    let out = retort_tests::support::quiet(env!("CARGO"))
        .args(["build", "--quiet", "-p", "retort-cli", "--bin", "retort"])
        .current_dir(repo())
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run cargo");
    assert!(out.status.success(), "{}", text(&out));
    target.join("debug/retort")
}

fn tool(retort: &Path, dir: &Path, args: &[&str]) -> Output {
    let out = retort_tests::support::quiet(retort)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo().join("target/e2e"))
        .output()
        .expect("run retort");
    eprintln!("$ retort {}\n{}", args.join(" "), text(&out));
    out
}

#[test]
fn the_retort_tool_inits_and_forwards_with_the_urls_backend() {
    let retort = retort_tool();
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("shelf");
    user_workspace(&ws);

    let out = tool(&retort, &ws, &["init", "db", "--models-crate", "models"]);
    assert!(out.status.success(), "{}", text(&out));
    // The dependencies still resolve when the workspace is cloned elsewhere: no
    // absolute path of this machine.
    let cargo_toml = std::fs::read_to_string(ws.join("db/Cargo.toml")).unwrap();
    for line in cargo_toml.lines().filter(|l| l.contains("path = ")) {
        assert!(
            line.contains("path = \"../") || line.contains("path = \".."),
            "{line}"
        );
    }
    assert!(cargo_toml.contains("retort-cli = {"), "{cargo_toml}");

    assert!(
        cargo_toml.contains("dynamic-linking = [\"dep:retort-dylib\"]"),
        "{cargo_toml}"
    );

    // From the workspace root and from another member, the tool finds `db`.
    let out = tool(&retort, &ws, &["autogenerate", "-m", "initial"]);
    assert!(out.status.success(), "{}", text(&out));
    // The tool's build linked Retort as a shared library (the crate's
    // `dynamic-linking` feature), and the models registered themselves across it:
    // autogenerate found both tables.
    let dylib = repo().join("target/e2e/debug/deps").join(format!(
        "{}retort_dylib{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(dylib.is_file(), "{} was not built", dylib.display());
    let revision = std::fs::read_dir(ws.join("db/versions"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .unwrap_or_default();
    assert!(
        revision.contains("\"authors\"") && revision.contains("\"posts\""),
        "{revision}"
    );
    let out = tool(&retort, &ws.join("models"), &["upgrade", "head"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 revision applied"), "{}", text(&out));
    let out = tool(&retort, &ws.join("db"), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // An unknown crate is named, with the ones there are.
    let out = tool(&retort, &ws, &["--crate", "nope", "current"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("the migrations crates are: db"),
        "{}",
        text(&out)
    );

    // A PostgreSQL URL builds the crate with its `postgres` feature: nobody
    // typed --features. (`current` only reads; the server's `test` database.)
    let Some(pg) = retort_tests::TestDb::postgres() else {
        return;
    };
    let out = tool(&retort, &ws, &["--url", &pg.url, "current"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("built without postgres support"));
    // Back to SQLite: the shared library was built again for the postgres
    // feature set (a path dependency's library has one name for all of them),
    // and the tool builds it again for this one instead of linking a stale one.
    let out = tool(&retort, &ws, &["current"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("(head)"), "{}", text(&out));
}
