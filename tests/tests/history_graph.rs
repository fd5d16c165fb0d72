//! `history --graph`: the revision graph drawn as `git log --graph` draws
//! commits — branch points, merges, labels, independent branches with their
//! dependencies, and (with a database) which revisions are applied.

use std::collections::HashSet;

use retort_engine::command::{self, HistoryOptions};
use retort_tests::{TestDb, BRANCHES, LABELLED};

fn graph(config: &retort_engine::Config, applied: Option<&HashSet<String>>) -> String {
    let entries = command::history(config, &HistoryOptions::default()).unwrap();
    command::graph_lines(&entries, applied).join("\n")
}

#[test]
fn branches_and_a_merge() {
    let db = TestDb::sqlite();
    let config = db.config(BRANCHES);
    assert_eq!(
        graph(&config, None),
        "* f00000000005 (head) (mergepoint), merge alpha and beta\n\
         |\\\n\
         * | f00000000004, alpha more\n\
         | * f00000000003 (beta), beta\n\
         * | f00000000002 (alpha), alpha\n\
         |/\n\
         * f00000000001 (branchpoint), core"
    );

    // What the database has applied is `*`, the rest `o`.
    command::upgrade(&config, "f00000000002").unwrap();
    let applied: HashSet<String> = command::status(&config)
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| e.applied)
        .map(|e| e.id)
        .collect();
    let drawn = graph(&config, Some(&applied));
    assert!(drawn.starts_with("o f00000000005"), "{drawn}");
    assert!(
        drawn.contains("\n| o f00000000003 (beta), beta\n"),
        "{drawn}"
    );
    assert!(
        drawn.contains("\n* | f00000000002 (alpha), alpha\n"),
        "{drawn}"
    );
    assert!(
        drawn.ends_with("\n* f00000000001 (branchpoint), core"),
        "{drawn}"
    );
}

#[test]
fn independent_branches_apart_with_their_dependency() {
    let db = TestDb::sqlite();
    assert_eq!(
        graph(&db.config(LABELLED), None),
        "* e00000000004 (head), billing total\n\
         * e00000000003 (billing) (depends on e00000000002), billing\n\
         \n\
         * e00000000002 (head), accounts email\n\
         * e00000000001 (accounts), accounts"
    );
}
