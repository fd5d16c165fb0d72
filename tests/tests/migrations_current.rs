//! `retort_engine::testing::assert_migrations_current`: the shop's revisions build its
//! models; another history does not, and the report says what is missing.

use retort_tests::{link_shop, LINEAR, SHOP};

#[test]
fn shop_migrations_are_current() {
    link_shop();
    retort_engine::testing::assert_migrations_current(&SHOP);
}

#[test]
fn a_stale_history_is_reported_with_its_missing_operations() {
    link_shop();
    let report = retort_engine::testing::migrations_current(&LINEAR).unwrap_err();
    assert!(
        report.starts_with("the models changed without a revision: "),
        "{report}"
    );
    assert!(report.contains("  - add table `users`\n"), "{report}");
    assert!(report.contains("  - remove table `notes`\n"), "{report}");
    assert!(
        report.contains("  note: revision b7e9d1000003 (b7e9d1000003_seed_notes.rs) runs raw SQL"),
        "{report}"
    );
    let panic =
        std::panic::catch_unwind(|| retort_engine::testing::assert_migrations_current(&LINEAR));
    assert!(panic.is_err());
}
