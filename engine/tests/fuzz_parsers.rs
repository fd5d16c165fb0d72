//! Bounded fuzzing (proptest) of every parser that reads outside input: targets
//! and ranges, `execute_with` placeholders, introspected type names, Retort.toml,
//! revision ids. Any input is accepted or refused with a message; nothing panics.
//! `PROPTEST_CASES` raises the count (default 2,000 here).

use proptest::prelude::*;
use retort_engine::dialect::{for_backend, scan_sql, substitute_placeholders};
use retort_engine::graph::{Node, RevisionMap};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(2_000),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn graph() -> RevisionMap {
    let mut a2 = Node::new("aa2", &["aa1"], "two", "aa2.rs");
    a2.branch_labels = vec!["main".into()];
    let mut b1 = Node::new("bb1", &["aa1"], "branch", "bb1.rs");
    b1.depends_on = vec!["aa2".into()];
    RevisionMap::new([
        Node::new("aa1", &[], "one", "aa1.rs"),
        a2,
        b1,
        Node::new("cc3", &["aa2", "bb1"], "merge", "cc3.rs"),
    ])
    .unwrap()
}

/// Target-like text: ids, prefixes, signs, labels, `@`, `:`, and noise.
fn target() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(aa1|aa2|bb1|cc3|a|b|c|main|head|heads|base|)([+-][0-9]{0,3})?(@(head|base))?",
        "[a-z0-9@+:-]{0,12}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn targets_and_ranges(spec in target(), from in target(), current in prop::sample::subsequence(vec!["aa1", "aa2", "bb1", "cc3"], 0..3)) {
        let map = graph();
        let current: Vec<String> = current.into_iter().map(str::to_owned).collect();
        for result in [
            map.resolve_upgrade(&current, &spec).map(|_| ()),
            map.resolve_downgrade(&current, &spec).map(|_| ()),
            map.resolve_stamp(std::slice::from_ref(&spec)).map(|_| ()),
            map.range(&from, &spec).map(|_| ()),
        ] {
            if let Err(e) = result {
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn placeholders(sql in any::<String>(), n in 0usize..4) {
        let scan = scan_sql(&sql);
        prop_assert!(scan.placeholders.iter().all(|&at| sql.is_char_boundary(at) && sql[at..].starts_with('?')));
        let literals: Vec<String> = (0..n).map(|i| format!("'{i}'")).collect();
        match substitute_placeholders(&sql, &literals) {
            Ok(out) => prop_assert_eq!(scan.placeholders.len(), n, "{}", out),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn type_names(name in prop_oneof![any::<String>(), "(?i)(var)?char(acter)?( varying)?\\( ?[0-9]{0,12} ?\\)( unsigned)?"]) {
        for backend in [retort::Backend::Sqlite, retort::Backend::Postgres, retort::Backend::Mysql] {
            // Any text reads as some type (unknown ones verbatim).
            let _ = for_backend(backend).parse_type(&name);
        }
    }

    #[test]
    fn retort_toml(text in prop_oneof![
        any::<String>(),
        "(url|versions|version_table|transaction|lock_timeout|schema|name|nope) = (\"[a-z/:.]{0,12}\"|[0-9]{1,4}|true)\n(\\[\\[databases\\]\\]\nname = \"[a-z]{0,5}\"\n)?",
    ]) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Retort.toml");
        std::fs::write(&file, &text).unwrap();
        if let Err(e) = retort_engine::project::ProjectFile::read(&file) {
            prop_assert!(e.to_string().contains("Retort.toml"), "{}", e);
        }
    }

    #[test]
    fn revision_ids(id in any::<String>()) {
        match retort_vocab::revision_id_problem(&id) {
            None => prop_assert!(!id.is_empty() && id.len() <= 32),
            Some(problem) => prop_assert!(!problem.is_empty()),
        }
    }
}
