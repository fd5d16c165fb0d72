//! `retort_engine::testing::TestKit`: the shop's history passes every check on
//! SQLite, PostgreSQL and MariaDB; a broken downgrade, a second head, models not
//! linked and a failing data assertion each fail with the right message.

use retort::Backend;
use retort_engine::testing::TestKit;
use retort_tests::{link_shop, server_url, BROKEN_DOWN, LABELLED, LINEAR, SHOP};

fn kit(backend: Backend, migrations: retort::Migrations, database: &str) -> TestKit {
    let server = match backend {
        Backend::Sqlite => None,
        other => Some(server_url(other)),
    };
    TestKit::for_database(migrations, database, server.as_deref()).unwrap()
}

fn the_shop_passes(backend: Backend) {
    link_shop();
    let kit = kit(backend, SHOP, "main");
    kit.assert_all();
    // Data test: a product priced as REAL before the decimal revision keeps its
    // price to the cent after it.
    kit.data_test(
        "ee12ccdbe522",
        |conn| {
            conn.execute(
                "INSERT INTO products (id, name, price, stock) VALUES (1, 'lamp', 19.99, 3)",
            )
            .map_err(|e| e.to_string())
        },
        "25e2c721a6ba",
        |conn| {
            #[derive(diesel::QueryableByName)]
            struct Price {
                #[diesel(sql_type = diesel::sql_types::Text)]
                p: String,
            }
            let rows: Vec<Price> = conn
                .query("SELECT CAST(price AS CHAR(20)) AS p FROM products")
                .or_else(|_| conn.query("SELECT CAST(price AS TEXT) AS p FROM products"))
                .map_err(|e| e.to_string())?;
            match rows.first().map(|r| r.p.trim()) {
                Some("19.99") => Ok(()),
                other => Err(format!("price is {other:?}, not 19.99")),
            }
        },
    )
    .unwrap();
}

#[test]
fn sqlite() {
    the_shop_passes(Backend::Sqlite);
}

#[test]
fn postgres() {
    if retort_tests::TestDb::postgres().is_some() {
        the_shop_passes(Backend::Postgres);
    }
}

#[test]
fn mysql() {
    if retort_tests::TestDb::mysql().is_some() {
        the_shop_passes(Backend::Mysql);
    }
}

#[test]
fn a_downgrade_that_forgets_an_index_fails_the_stairway() {
    let kit = kit(Backend::Sqlite, BROKEN_DOWN, "nobody");
    let err = kit.stairway().unwrap_err();
    assert!(
        err.starts_with("revision b0d000000002 (b0d000000002_drop_the_index.rs): its downgrade does not give back the schema"),
        "{err}"
    );
    assert!(
        err.contains("  - add index `ix_items_code` on `items` (code)"),
        "{err}"
    );
}

#[test]
fn two_heads_unlinked_models_and_failing_data_are_named() {
    let kit = kit(Backend::Sqlite, LABELLED, "nobody");
    let err = kit.single_head().unwrap_err();
    assert_eq!(
        err,
        "the history has 2 heads: e00000000002, e00000000004; join them with `merge heads -m \"merge\"`"
    );

    let kit = kit_linear();
    let err = kit.models_are_linked().unwrap_err();
    assert!(
        err.starts_with("no registered model of database `nobody` declares `notes`"),
        "{err}"
    );
    assert!(
        err.contains("is the crate that declares it linked"),
        "{err}"
    );

    let err = kit
        .data_test(
            "a1b2c3000001",
            |conn| {
                conn.execute("INSERT INTO notes (body) VALUES ('mine')")
                    .map_err(|e| e.to_string())
            },
            "b7e9d1000003",
            |conn| {
                let rows: Vec<Count> = conn
                    .query("SELECT COUNT(*) AS n FROM notes")
                    .map_err(|e| e.to_string())?;
                Err(format!("expected 99 notes, found {}", rows[0].n))
            },
        )
        .unwrap_err();
    assert_eq!(err, "the rows at b7e9d1000003: expected 99 notes, found 3");

    // With everything together, run_all lists each failure.
    let report = kit.run_all().unwrap_err();
    assert!(
        report.contains("models linked: no registered model"),
        "{report}"
    );
    assert!(
        report.contains("head matches the models: at head the database differs"),
        "{report}"
    );
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn kit_linear() -> TestKit {
    kit(Backend::Sqlite, LINEAR, "nobody")
}
