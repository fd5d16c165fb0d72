//! The shop example on SQLite, PostgreSQL and MariaDB: upgrade, models equal to
//! the database, rows kept across a revision, downgrade to base.

use retort::registered_schema;
use retort_engine::command;
use retort_tests::{link_shop, on_every_backend, TestDb, SHOP};

fn shop_up_and_down(db: &TestDb) {
    link_shop();
    let config = db.config(SHOP);
    let steps = command::upgrade(&config, "head").unwrap();
    assert_eq!(steps.len(), 6);
    let pending = command::check(&config).unwrap();
    assert!(
        pending.is_empty(),
        "models and database differ: {pending:#?}"
    );
    let dialect = retort_engine::dialect::of(&db.connect());
    assert_eq!(db.schema(), dialect.as_stored(registered_schema().unwrap()));

    db.connect()
        .execute("INSERT INTO users (username, email) VALUES ('ada', 'ada@example.com')")
        .unwrap();
    db.connect()
        .execute("INSERT INTO products (name, price, description) VALUES ('tea', 2.5, 'green')")
        .unwrap();
    let price = || {
        let conn = db.connect();
        let text = retort_engine::dialect::of(&conn).as_text("price");
        db.strings(&format!("SELECT {text} AS v FROM products"))
    };
    let decimal = |text: &[String]| -> Vec<String> {
        text.iter()
            .map(|t| retort::schema::canonical_decimal(t))
            .collect()
    };
    assert_eq!(decimal(&price()), ["2.5"], "an exact NUMERIC(10,2)");
    db.connect()
        .execute("INSERT INTO orders (user_id, product_id, quantity) VALUES (1, 1, 3)")
        .unwrap();
    let status = || db.strings("SELECT status AS v FROM orders");
    assert_eq!(status(), ["pending"], "the enum's default");
    // The comments (from the models' doc comments) go first.
    command::downgrade(&config, "-1").unwrap();
    // Going back before 'cancelled' while an order holds it: refused, counted.
    db.connect()
        .execute("UPDATE orders SET status = 'cancelled'")
        .unwrap();
    let refused = command::downgrade(&config, "-1").unwrap_err().to_string();
    assert!(
        refused.contains("1 row(s) of `orders.status` hold 'cancelled'"),
        "{refused}"
    );
    assert_eq!(command::current(&config).unwrap(), [steps[4].id.clone()]);
    db.connect()
        .execute("UPDATE orders SET status = 'shipped'")
        .unwrap();
    command::downgrade(&config, "-1").unwrap();
    assert_eq!(status(), ["shipped"]);
    // The status column and its enum gone (PostgreSQL's type too).
    command::downgrade(&config, "-1").unwrap();
    assert!(db.schema().enums.is_empty());
    assert_eq!(db.count("orders"), 1);
    // Prices back to doubles, then the description column gone: rows kept.
    command::downgrade(&config, "-1").unwrap();
    assert_eq!(price(), ["2.5"]);
    command::downgrade(&config, "-1").unwrap();
    assert_eq!(db.count("orders"), 1);
    assert_eq!(db.strings("SELECT name AS v FROM products"), ["tea"]);
    assert!(db
        .schema()
        .table("products")
        .unwrap()
        .get_column("description")
        .is_none());

    command::upgrade(&config, "head").unwrap();
    assert_eq!(db.count("users"), 1);
    command::downgrade(&config, "base").unwrap();
    assert!(db.tables().is_empty(), "{:?}", db.tables());
    assert!(command::current(&config).unwrap().is_empty());
}

on_every_backend!(shop_up_and_down);
