//! `lint`: one fixture revision per safety rule (`tests/fixtures/lint`, each
//! named after its rule), each firing exactly its rule on the databases where
//! the rule applies; acknowledgements; `lint_exclude`; online, only the
//! revisions the database has not applied, classified for the server it reads.

use std::collections::BTreeMap;

use retort::Backend;
use retort_engine::command::{self, LintOptions, LintReport};
use retort_engine::safety::Rule;
use retort_engine::Config;
use retort_tests::{on_every_backend, TestDb, LINT};

fn offline(config: &Config, backend: Backend) -> LintReport {
    let options = LintOptions {
        offline: true,
        dialect: Some(backend),
        ..LintOptions::default()
    };
    command::lint(config, &options).unwrap()
}

/// The project runs revisions with a lock timeout: only `5afe00000023`, which
/// turns it off, breaks `require-timeout-settings`.
fn offline_config() -> Config {
    with_timeout(Config::new(LINT).url("sqlite://unused-by-offline-lint.db"))
}

fn with_timeout(mut config: Config) -> Config {
    config.run.ddl_lock_timeout = Some(std::time::Duration::from_secs(2));
    config
}

/// Revision id (last two digits) → the rules it breaks that no acknowledgement
/// accepts (`?` for an acknowledgement naming no rule).
fn failing(report: &LintReport) -> BTreeMap<String, Vec<String>> {
    report
        .revisions
        .iter()
        .map(|r| {
            let rules = r
                .findings
                .iter()
                .filter(|f| f.acknowledged.is_none())
                .map(|f| f.rule.map_or("?".to_owned(), |r| r.name().to_owned()))
                .collect();
            (r.id[10..].to_owned(), rules)
        })
        .collect()
}

/// What each revision must break on `backend`: the rule its message names,
/// where that rule applies to the database, or what the database does instead.
fn expected(backend: Backend) -> BTreeMap<String, Vec<String>> {
    let pg_only = ["03", "07", "13", "14", "15", "17", "18"];
    let mut out = BTreeMap::new();
    for migration in LINT.revisions {
        let id = &migration.revision.id[10..];
        let named = migration.revision.message.replace(' ', "-");
        let rules: Vec<String> = match (backend, id) {
            (_, "01" | "21") => vec![],
            (_, "22") => vec!["ban-drop-column".into(), "?".into()],
            (_, "24") => vec!["ban-drop-column".into()],
            (Backend::Postgres, _) => vec![named],
            // SQLite rebuilds the table for these; its auto-numbered key is the
            // 64-bit rowid.
            (Backend::Sqlite, "03" | "07") => vec!["blocking-table-rewrite".into()],
            (Backend::Sqlite, "16" | "23") if id == "16" => vec![],
            // SQLite waits for no table lock, and changes a default by a rebuild.
            (Backend::Sqlite, "23") => vec!["blocking-table-rewrite".into()],
            (_, id) if pg_only.contains(&id) => vec![],
            _ => vec![named],
        };
        out.insert(id.to_owned(), rules);
    }
    out
}

#[test]
fn each_revision_breaks_exactly_its_rule_on_each_database() {
    let config = offline_config();
    for backend in [Backend::Postgres, Backend::Mysql, Backend::Sqlite] {
        assert_eq!(
            failing(&offline(&config, backend)),
            expected(backend),
            "{backend:?}"
        );
    }
    // Every rule has its revision.
    let fired: std::collections::BTreeSet<String> = failing(&offline(&config, Backend::Postgres))
        .into_values()
        .flatten()
        .collect();
    for rule in Rule::ALL {
        assert!(fired.contains(rule.name()), "{rule} has no fixture");
    }
}

#[test]
fn findings_name_the_file_line_lock_and_fix() {
    let report = offline(&offline_config(), Backend::Postgres);
    let finding = |id: &str| {
        report
            .revisions
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .findings[0]
            .clone()
    };
    let required = finding("5afe00000002");
    let at = required.at.as_deref().unwrap();
    assert!(
        at.ends_with("fixtures/lint/5afe00000002_adding_required_field.rs:8"),
        "{at}"
    );
    assert_eq!(required.op, "add column `accounts.region`");
    assert_eq!(
        required.safety,
        "ACCESS EXCLUSIVE on `accounts`: blocks reads and writes briefly; breaks code still using the old schema"
    );
    assert!(required
        .problem
        .contains("the ADD fails if the table has rows"));
    assert!(required.fix.contains("backfill it, then make it NOT NULL"));

    let index = finding("5afe00000013");
    assert_eq!(
        index.safety,
        "SHARE on `charges`: blocks writes while it reads the whole table"
    );
    assert!(index.fix.contains("CONCURRENTLY"));

    // Acknowledged: listed with its reason, not failing.
    let acknowledged = finding("5afe00000021");
    assert_eq!(acknowledged.rule, Some(Rule::BanDropColumn));
    assert_eq!(
        acknowledged.acknowledged.as_deref(),
        Some("handle was never read")
    );
    assert!(acknowledged
        .at
        .unwrap()
        .ends_with("5afe00000021_acknowledged.rs:9"));
    // A misspelt rule is a finding of its own, and accepts nothing.
    let typo = &report
        .revisions
        .iter()
        .find(|r| r.id == "5afe00000022")
        .unwrap()
        .findings;
    assert!(typo[1].problem.contains("\"ban-drop-colum\""), "{typo:?}");
    assert!(typo[1].fix.contains("ban-drop-column"));
    assert_eq!(report.failing(), 23);
}

#[test]
fn without_a_lock_timeout_the_first_op_that_waits_says_so() {
    let config = Config::new(LINT).url("sqlite://unused-by-offline-lint.db");
    let report = offline(&config, Backend::Postgres);
    let postgres = failing(&report);
    // Once per revision, besides the rule of the revision.
    assert_eq!(
        postgres["11"],
        ["ban-drop-column", "require-timeout-settings"]
    );
    assert_eq!(
        postgres["19"],
        ["blocking-table-rewrite", "require-timeout-settings"]
    );
    // Adding a column to a table created in the same revision waits for nobody.
    assert_eq!(postgres["16"], ["prefer-bigint-over-int"]);
    // On MySQL even an instant change takes the metadata lock.
    let mysql = failing(&offline(&config, Backend::Mysql));
    assert_eq!(mysql["17"], ["require-timeout-settings"]);
    // SQLite has no table locks to wait for.
    let sqlite = failing(&offline(&config, Backend::Sqlite));
    assert!(!sqlite
        .values()
        .flatten()
        .any(|r| r == "require-timeout-settings"));
}

#[test]
fn lint_exclude_leaves_rules_out() {
    let mut config = offline_config();
    config.lint_exclude = vec![Rule::BanDropColumn, Rule::PreferTextField];
    let failing = failing(&offline(&config, Backend::Postgres));
    assert_eq!(failing["11"], Vec::<String>::new());
    assert_eq!(failing["17"], Vec::<String>::new());
    assert_eq!(failing["22"], ["?"]);
    assert_eq!(failing["12"], ["ban-drop-table"]);
}

#[test]
fn offline_from_a_revision_and_for_an_older_server() {
    let config = offline_config();
    let options = LintOptions {
        offline: true,
        from: Some("5afe00000019".into()),
        dialect: Some(Backend::Postgres),
        server: Some("10.5".into()),
    };
    let report = command::lint(&config, &options).unwrap();
    let ids: Vec<&str> = report.revisions.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "5afe00000020",
            "5afe00000021",
            "5afe00000022",
            "5afe00000023",
            "5afe00000024"
        ]
    );
    assert_eq!(report.server.version, Some((10, 5, 0)));
}

fn online_lints_what_is_pending(db: &TestDb) {
    let config = with_timeout(db.config(LINT));
    command::upgrade(&config, "5afe00000010").unwrap();
    // Rows, and the server's estimate of them.
    let mut conn = db.connect();
    for i in 1..=50 {
        conn.execute(&format!(
            "INSERT INTO accounts (id, email, nickname, region) VALUES ({i}, 'a{i}@example.com', 'n', 'eu')"
        ))
        .unwrap();
    }
    match db.backend {
        Backend::Postgres => conn.execute("ANALYZE accounts").unwrap(),
        Backend::Mysql => {
            #[derive(diesel::QueryableByName)]
            struct Analyzed {
                #[diesel(sql_type = diesel::sql_types::Text, column_name = "Msg_text")]
                _text: String,
            }
            conn.query::<Analyzed>("ANALYZE TABLE accounts").unwrap();
        }
        Backend::Sqlite => {}
    }
    let report = command::lint(&config, &LintOptions::default()).unwrap();
    let drop = &report
        .revisions
        .iter()
        .find(|r| r.id == "5afe00000011")
        .unwrap()
        .findings[0];
    assert_eq!(drop.table.as_deref(), Some("accounts"));
    match db.backend {
        Backend::Sqlite => assert_eq!(drop.rows, None),
        _ => assert!(drop.rows.is_some_and(|n| n > 0), "{drop:?}"),
    }
    assert_eq!(report.backend, db.backend);
    assert!(report.server.version.is_some(), "{:?}", report.server);
    if db.backend == Backend::Mysql {
        assert_eq!(
            report.server.mariadb,
            db.strings("SELECT VERSION() AS v")[0]
                .to_lowercase()
                .contains("mariadb")
        );
    }
    let online = failing(&report);
    let expected: BTreeMap<String, Vec<String>> = expected(db.backend)
        .into_iter()
        .filter(|(id, _)| id.as_str() > "10")
        .collect();
    assert_eq!(online, expected);
}

on_every_backend!(online_lints_what_is_pending);
