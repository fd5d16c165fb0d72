//! The diesel DSL on the tables `#[derive(Model)]` emitted, after `upgrade head`,
//! on SQLite, PostgreSQL and MariaDB: inserts, a three-table join, an update.

use retort_engine::command;
use retort_tests::{link_shop, on_every_backend, TestDb, SHOP};

fn shop_queries(db: &TestDb) {
    link_shop();
    command::upgrade(&db.config(SHOP), "head").unwrap();
    let report = shop::demo(&mut db.connect()).unwrap();
    let orders: Vec<(&str, &str, i32)> = report
        .orders
        .iter()
        .map(|(u, p, q)| (u.as_str(), p.as_str(), *q))
        .collect();
    assert_eq!(
        orders,
        [("ada", "tea", 3), ("grace", "cup", 1), ("ada", "cup", 2)]
    );
    assert_eq!(report.tea_stock, Some(7));
    let statuses: Vec<shop::OrderStatus> = report.statuses.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        statuses,
        [
            shop::OrderStatus::Shipped,
            shop::OrderStatus::Pending,
            shop::OrderStatus::Pending
        ]
    );
    let names: Vec<&str> = report.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["ada", "grace"]);
    assert!(
        report.users.iter().all(|u| u.created_at.is_some()),
        "the server default filled created_at"
    );
}

on_every_backend!(shop_queries);
