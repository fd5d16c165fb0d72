//! `import` end to end, as a team taking over a database runs it: import the
//! hand-built database of each server (see `support::hand_built`), with the
//! tables Alembic built from the seed tutorial's models beside them
//! (`support::alembic_seed`, `alembic_version` included), build a
//! migrations program with the written models and baseline, and then
//! - `check` and `drift` find nothing on the imported database;
//! - `upgrade head` of the baseline on an empty database builds the same schema;
//! - one model edit autogenerates that edit and nothing else.
//!
//! The scratch crate builds in `target/e2e`, like `new_revision_is_compiled.rs`.

use std::path::Path;
use std::process::Output;

use retort::{Backend, Migrations};
use retort_engine::command::{self, ImportOptions};
use retort_tests::support::{alembic_seed, cargo_run, comparable, hand_built, repo, stdout};
use retort_tests::TestDb;

fn scratch_crate(dir: &Path, bins: &[&str]) {
    let ws = repo();
    std::fs::create_dir_all(dir.join("src/bin")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            r#"[package]
name = "scratch-import"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
retort = {{ path = "{ws}/runtime", features = ["diesel-tables", "decimal"] }}
retort-cli = {{ path = "{ws}/cli", features = ["postgres", "mysql"] }}
bigdecimal = "0.4"
chrono = {{ version = "0.4", default-features = false, features = ["clock", "std"] }}
diesel = {{ version = "2.3", default-features = false }}

[workspace]
"#,
            ws = ws.display()
        ),
    )
    .unwrap();
    std::fs::copy(ws.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let mut rerun = String::new();
    for bin in bins {
        rerun.push_str(&format!(
            "    println!(\"cargo::rerun-if-changed=versions_{bin}\");\n"
        ));
        std::fs::create_dir_all(dir.join(format!("versions_{bin}"))).unwrap();
        std::fs::write(
            dir.join(format!("src/bin/{bin}.rs")),
            format!(
                r#"#[path = "../models_{bin}.rs"]
#[allow(dead_code)]
mod models;

static MIGRATIONS: retort::Migrations = retort::revisions!("versions_{bin}");

fn main() -> std::process::ExitCode {{
    retort_cli::main(retort_cli::engine::Config::new(MIGRATIONS))
}}
"#
            ),
        )
        .unwrap();
    }
    std::fs::write(dir.join("build.rs"), format!("fn main() {{\n{rerun}}}\n")).unwrap();
}

/// The table without a key stays out of the models: excluded, as import says.
fn run(dir: &Path, bin: &str, url: &str, args: &[&str]) -> Output {
    cargo_run(
        dir,
        &["--bin", bin],
        &[&["--url", url, "--exclude", "log_lines"], args].concat(),
    )
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::Mysql => "mysql",
    }
}

#[test]
fn imported_models_build_and_match_their_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("takeover");
    let mut dbs = vec![TestDb::sqlite()];
    dbs.extend(TestDb::postgres());
    dbs.extend(TestDb::mysql());
    let bins: Vec<&str> = dbs.iter().map(|db| name(db.backend)).collect();
    scratch_crate(&dir, &bins);

    for db in &dbs {
        let bin = name(db.backend);
        db.run_client(&hand_built(db.backend));
        // And what Alembic built from the seed tutorial's models, next to it.
        db.run_client(&alembic_seed(db.backend));
        let mut config = db.config(Migrations::EMPTY);
        config.versions_dir = dir.join(format!("versions_{bin}"));
        if db.backend == Backend::Postgres {
            // The tables of schema `billing` too (`include_schemas`).
            config.include_schemas = vec!["billing".into()];
        }
        let options = ImportOptions {
            models_file: dir.join(format!("src/models_{bin}.rs")),
            ..ImportOptions::default()
        };
        command::import(&config, &options).unwrap();
    }

    for db in &dbs {
        let bin = name(db.backend);
        let out = run(&dir, bin, &db.url, &["check"]);
        assert_eq!(out.status.code(), Some(0), "{bin}: check after import");
        assert!(
            stdout(&out).contains("No new upgrade operations detected."),
            "{bin}"
        );
        let out = run(&dir, bin, &db.url, &["drift"]);
        assert_eq!(out.status.code(), Some(0), "{bin}: drift after import");

        // The baseline builds the same schema on an empty database.
        let fresh = TestDb::new(db.backend).unwrap();
        let out = run(&dir, bin, &fresh.url, &["upgrade", "head"]);
        assert!(out.status.success(), "{bin}: upgrade head of the baseline");
        let mut expected = db.schema();
        expected.tables.remove("log_lines");
        expected.tables.remove("alembic_version");
        assert_eq!(comparable(fresh.schema()), comparable(expected), "{bin}");
    }

    // One edit to the imported models: that edit only.
    for db in &dbs {
        let bin = name(db.backend);
        let file = dir.join(format!("src/models_{bin}.rs"));
        let source = std::fs::read_to_string(&file).unwrap();
        let edited = source.replacen(
            "pub struct Region {",
            "pub struct Region {\n    pub population: Option<i64>,",
            1,
        );
        assert_ne!(edited, source);
        std::fs::write(&file, edited).unwrap();
        let out = run(&dir, bin, &db.url, &["autogenerate", "-m", "population"]);
        assert!(out.status.success(), "{bin}: autogenerate after an edit");
        let said = stdout(&out);
        let detected: Vec<&str> = said.lines().filter(|l| l.starts_with("Detected")).collect();
        assert_eq!(
            detected,
            ["Detected add column `regions.population`"],
            "{bin}: {said}"
        );
    }
}
