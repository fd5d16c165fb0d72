//! `--format json` (shape `retort/1`, one object per database per line) and
//! `--format github`, from the binary, validated against the documented shape.

use retort_tests::support::{stderr, stdout};
use serde_json::Value;
use std::process::{Command, Output};

fn cli(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .args(["--database", "main", "--url", url, "--format", "json"])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The one line of a single-database command, checked for the envelope.
fn object(out: &Output, command: &str) -> Value {
    let text = stdout(out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}{}", stderr(out));
    let value: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(value["format"], "retort/1");
    assert_eq!(value["command"], command);
    assert_eq!(value["database"], "main");
    value
}

/// `value[key]` has the JSON type `kind` ("string", "array", "bool", "number",
/// "object", "null", or "string|null").
fn has(value: &Value, key: &str, kind: &str) {
    let v = &value[key];
    let ok = kind.split('|').any(|k| match k {
        "string" => v.is_string(),
        "array" => v.is_array(),
        "bool" => v.is_boolean(),
        "number" => v.is_number(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => false,
    });
    assert!(ok, "`{key}` should be {kind}: {value}");
}

fn revision_entry(e: &Value) {
    for key in ["id", "message", "file"] {
        has(e, key, "string");
    }
    for key in [
        "parents",
        "children",
        "depends_on",
        "branch_labels",
        "replaces",
    ] {
        has(e, key, "array");
    }
    for key in ["is_head", "is_branch_point", "is_merge_point", "is_current"] {
        has(e, key, "bool");
    }
}

#[test]
fn every_command_prints_its_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("json.db").display());

    let current = object(&cli(&url, &["current"]), "current")["result"].clone();
    assert_eq!(current["revisions"], serde_json::json!([]));
    has(&current, "unfinished", "null");
    has(&current, "other_tools", "array");

    let out = cli(&url, &["upgrade", "head"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let up = object(&out, "upgrade")["result"].clone();
    has(&up, "duration_ms", "number");
    let steps = up["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    for step in steps {
        for key in ["id", "message", "direction", "from", "to"] {
            has(step, key, "string");
        }
        has(step, "duration_ms", "number");
    }
    assert_eq!(steps[0]["from"], "base");
    assert_eq!(steps[0]["direction"], "upgrade");

    let history = object(&cli(&url, &["history", "-i"]), "history")["result"].clone();
    let revisions = history["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 6);
    revisions.iter().for_each(revision_entry);
    assert_eq!(revisions[0]["is_current"], true);
    for command in ["heads", "branches"] {
        let result = object(&cli(&url, &[command]), command)["result"].clone();
        result["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .for_each(revision_entry);
    }

    let show = object(
        &cli(&url, &["show", "25e2", "--dialect", "postgres"]),
        "show",
    )["result"]
        .clone();
    revision_entry(&show);
    let ops = show["upgrade"].as_array().unwrap();
    assert_eq!(
        ops[0]["op"],
        "alter column `products.price`: type NUMERIC(10,2)"
    );
    has(&ops[0], "locks", "string|null");

    let status = object(&cli(&url, &["status"]), "status")["result"].clone();
    has(&status, "current", "array");
    for e in status["revisions"].as_array().unwrap() {
        for key in ["id", "message", "file"] {
            has(e, key, "string");
        }
        has(e, "applied", "bool");
        has(e, "edited", "bool");
        has(e, "applied_at", "string|null");
    }

    let out = cli(&url, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let check = object(&out, "check")["result"].clone();
    assert_eq!(check["up_to_date"], true);
    assert_eq!(check["changes"]["ops"], serde_json::json!([]));
    has(&check["changes"], "suggestions", "array");
    has(&check, "losses", "array");
    has(&check, "edited", "array");

    let drift = object(&cli(&url, &["drift"]), "drift")["result"].clone();
    has(&drift["changes"], "ops", "array");
    has(&drift, "notes", "array");

    let out = cli(&url, &["lint", "--offline", "--dialect", "postgres"]);
    assert_eq!(out.status.code(), Some(1));
    let lint = object(&out, "lint")["result"].clone();
    assert_eq!(lint["backend"], "PostgreSQL");
    has(&lint, "failing", "number");
    let finding = lint["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .find(|f| f["rule"] == "changing-column-type")
        .unwrap();
    assert_eq!(finding["rule"], "changing-column-type");
    for key in ["op", "lock", "problem", "fix"] {
        has(finding, key, "string");
    }
    assert!(finding["at"]
        .as_str()
        .unwrap()
        .contains("25e2c721a6ba_prices_as_decimals.rs:"));
    has(finding, "acknowledged", "string|null");

    let down = object(&cli(&url, &["downgrade", "-1"]), "downgrade")["result"].clone();
    assert_eq!(down["steps"][0]["direction"], "downgrade");

    // A failure: the error in the object, exit 1.
    let out = cli(&url, &["upgrade", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let failed = object(&out, "upgrade");
    has(&failed, "error", "string");
    assert!(failed.get("result").is_none());

    // A command without a JSON form is refused before anything runs.
    let out = cli(&url, &["stamp", "head"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format json is not available for `stamp`"));
}

#[test]
fn several_databases_print_one_line_each_and_github_annotates() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .args(["--format", "json", "history"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = stdout(&out);
    let databases: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["database"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(databases, ["main", "analytics"]);

    let out = Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .args([
            "--database",
            "main",
            "--format",
            "github",
            "lint",
            "--offline",
            "--dialect",
            "postgres",
        ])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("changing-column-type"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.starts_with("::error file=") && line.contains("25e2c721a6ba_prices_as_decimals.rs,line=17,title=changing-column-type (revision 25e2c721a6ba)::alter column `products.price`"),
        "{line}"
    );

    // A fleet: one object with every database's outcome.
    let urls = dir.path().join("urls.txt");
    std::fs::write(
        &urls,
        format!(
            "sqlite://{}\nsqlite://{}\n",
            dir.path().join("a.db").display(),
            dir.path().join("b.db").display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_migrations-cli"))
        .args([
            "--database",
            "main",
            "--format",
            "json",
            "upgrade",
            "head",
            "--urls-file",
        ])
        .arg(&urls)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = object(&out, "upgrade")["result"].clone();
    assert_eq!(summary["ok"], 2);
    assert_eq!(summary["failed"], 0);
    for database in summary["databases"].as_array().unwrap() {
        assert_eq!(database["status"], "ok");
        assert_eq!(database["from"], "base");
        has(database, "url", "string");
        has(database, "duration_ms", "number");
    }
}
