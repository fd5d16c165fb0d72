//! `check = "…"` on a field: a check constraint named `ck_<table>_<column>`, created
//! by autogenerate, enforced, compared silent afterwards and dropped with the
//! attribute, on SQLite, PostgreSQL and MariaDB.

use retort::model::{registered_schema_for, RenameHints};
use retort::ops::reverse_all;
use retort::Model;
use retort_engine::{autogenerate, command};
use retort_tests::support::{summaries, user_tables};
use retort_tests::{on_every_backend, TestDb};

/// A product whose price and stock cannot go below zero.
#[derive(Model)]
#[model(table = "priced", database = "field_checks", diesel = false)]
pub struct Priced {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// In cents.
    #[model(check = "price >= 0")]
    pub price: i32,
    /// Units.
    #[model(column = "in_stock", check = "in_stock >= 0", default = 0)]
    pub stock: i32,
}

fn field_checks_are_created_enforced_and_compared(db: &TestDb) {
    let models = registered_schema_for("field_checks").unwrap();
    let checks: Vec<&str> = models.tables["priced"]
        .checks
        .iter()
        .filter_map(|c| c.name.as_deref())
        .collect();
    assert_eq!(checks, ["ck_priced_price", "ck_priced_in_stock"]);
    let mut conn = db.connect();
    let hints = RenameHints::default();
    let create = autogenerate::compare_database(&mut conn, models, &hints, &user_tables())
        .unwrap()
        .ops;
    assert_eq!(summaries(&create), ["add table `priced`"]);
    command::apply(&mut conn, &create).unwrap();
    conn.execute("INSERT INTO priced (id, price) VALUES (1, 250)")
        .unwrap();
    let refused = conn
        .execute("INSERT INTO priced (id, price) VALUES (2, -1)")
        .unwrap_err()
        .to_string();
    assert!(
        refused.to_lowercase().contains("ck_priced_price"),
        "{refused}"
    );
    assert!(conn
        .execute("INSERT INTO priced (id, price, in_stock) VALUES (3, 1, -5)")
        .is_err());
    let again = autogenerate::compare_database(&mut conn, models, &hints, &user_tables())
        .unwrap()
        .ops;
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    // Without the attribute: the check is dropped (and the downgrade adds it back).
    let mut fewer = models.clone();
    fewer.tables.get_mut("priced").unwrap().checks.remove(0);
    let drop = autogenerate::compare_database(&mut conn, &fewer, &hints, &user_tables())
        .unwrap()
        .ops;
    assert_eq!(
        summaries(&drop),
        ["remove check constraint `ck_priced_price` on `priced`"]
    );
    command::apply(&mut conn, &drop).unwrap();
    conn.execute("INSERT INTO priced (id, price) VALUES (4, -1)")
        .unwrap();
    conn.execute("DELETE FROM priced WHERE id = 4").unwrap();
    command::apply(&mut conn, &reverse_all(&drop).unwrap()).unwrap();
    let back = autogenerate::compare_database(&mut conn, models, &hints, &user_tables())
        .unwrap()
        .ops;
    assert!(back.is_empty(), "{:#?}", summaries(&back));
    let _ = Priced::meta();
}

on_every_backend!(field_checks_are_created_enforced_and_compared);

/// Struct-level checks without a name: named after the first column they name.
#[derive(Model)]
#[model(
    table = "stocked",
    database = "struct_checks",
    diesel = false,
    check(sql = "qty >= 0 AND qty < 1000"),
    check(sql = "qty <> 13"),
    check(sql = "'on' <> 'off'"),
    check(name = "ck_stocked_shelf_named", sql = "shelf > 0")
)]
pub struct Stocked {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Units.
    #[model(check = "qty <> 7")]
    pub qty: i32,
    /// Where.
    pub shelf: i32,
}

fn unnamed_struct_checks_are_named_after_their_column(db: &TestDb) {
    let models = registered_schema_for("struct_checks").unwrap();
    let mut names: Vec<&str> = models.tables["stocked"]
        .checks
        .iter()
        .filter_map(|c| c.name.as_deref())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "ck_stocked_check",
            "ck_stocked_qty",
            "ck_stocked_qty_2",
            "ck_stocked_qty_3",
            "ck_stocked_shelf_named",
        ]
    );
    let mut conn = db.connect();
    let hints = RenameHints::default();
    let create = autogenerate::compare_database(&mut conn, models, &hints, &user_tables())
        .unwrap()
        .ops;
    command::apply(&mut conn, &create).unwrap();
    conn.execute("INSERT INTO stocked (id, qty, shelf) VALUES (1, 5, 1)")
        .unwrap();
    for bad in ["(2, 13, 1)", "(3, 7, 1)", "(4, -1, 1)", "(5, 1, 0)"] {
        assert!(conn
            .execute(&format!(
                "INSERT INTO stocked (id, qty, shelf) VALUES {bad}"
            ))
            .is_err());
    }
    let again = autogenerate::compare_database(&mut conn, models, &hints, &user_tables())
        .unwrap()
        .ops;
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    let _ = Stocked::meta();
}

on_every_backend!(unnamed_struct_checks_are_named_after_their_column);
