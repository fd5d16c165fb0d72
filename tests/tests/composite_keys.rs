//! Composite and named keys: struct-level `foreign_key(columns(..), references = ..)`
//! to a composite primary key and to a composite unique constraint, struct-level
//! `unique(name = .., columns(..))`, and `name`s on a field's `unique`, `index`
//! and foreign key (`fk_name`). Created by autogenerate, enforced, compared
//! silent afterwards, changed one object at a time and restored by the downgrade,
//! on SQLite, PostgreSQL and MariaDB.

use retort::model::{registered_schema_for, RenameHints};
use retort::ops::{reverse_all, Op};
use retort::schema::{FkAction, Schema};
use retort::Model;
use retort_engine::{autogenerate, command, dialect};
use retort_tests::support::{comparable, summaries, user_tables};
use retort_tests::{on_every_backend, TestDb};

/// An order, keyed by region and number within it.
#[derive(Model)]
#[model(
    table = "ck_orders",
    database = "composite_keys",
    diesel = false,
    unique(name = "uq_ck_orders_code", columns(region, code))
)]
pub struct Order {
    /// Key, first part.
    #[model(primary_key, max_length = 8)]
    pub region: String,
    /// Key, second part.
    #[model(primary_key)]
    pub id: i64,
    /// Unique within its region.
    #[model(max_length = 20)]
    pub code: String,
    /// Unique everywhere, under a name of ours.
    #[model(unique(name = "uq_order_reference"), max_length = 20)]
    pub reference: String,
    /// Indexed under a name of ours.
    #[model(index(name = "ix_order_placed"))]
    pub placed: i32,
}

/// A line of an order.
#[derive(Model)]
#[model(
    table = "ck_lines",
    database = "composite_keys",
    diesel = false,
    foreign_key(
        columns(order_region, order_id),
        references = Order,
        on_delete = "cascade",
        name = "fk_lines_order"
    ),
    foreign_key(columns(order_region, order_code), references = Order(region, code)),
    unique(columns(order_region, order_id, position))
)]
pub struct Line {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// The order's region.
    #[model(max_length = 8)]
    pub order_region: String,
    /// The order's id in it.
    pub order_id: i64,
    /// The order's code, when known.
    #[model(max_length = 20)]
    pub order_code: Option<String>,
    /// Position in the order.
    pub position: i32,
    /// The order by its reference, under a foreign key name of ours.
    #[model(references = Order::reference, fk_name = "fk_line_reference", max_length = 20)]
    pub order_reference: Option<String>,
}

fn compare(db: &TestDb, models: &Schema) -> Vec<Op> {
    let mut conn = db.connect();
    autogenerate::compare_database(&mut conn, models, &RenameHints::default(), &user_tables())
        .unwrap()
        .ops
}

fn registry_holds_the_keys_and_names() -> &'static Schema {
    let models = registered_schema_for("composite_keys").unwrap();
    let orders = &models.tables["ck_orders"];
    assert_eq!(orders.primary_key, ["region", "id"]);
    assert!(orders.columns.iter().all(|c| !c.autoincrement));
    let uniques: Vec<(Option<&str>, Vec<&str>)> = orders
        .uniques
        .iter()
        .map(|u| {
            (
                u.name.as_deref(),
                u.columns.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        uniques,
        [
            (Some("uq_order_reference"), vec!["reference"]),
            (Some("uq_ck_orders_code"), vec!["region", "code"]),
        ]
    );
    assert_eq!(orders.indexes[0].name, "ix_order_placed");
    let lines = &models.tables["ck_lines"];
    let fks: Vec<(&str, Vec<&str>, Vec<&str>, FkAction)> = lines
        .foreign_keys
        .iter()
        .map(|f| {
            (
                f.name.as_deref().unwrap(),
                f.columns.iter().map(String::as_str).collect(),
                f.ref_columns.iter().map(String::as_str).collect(),
                f.on_delete,
            )
        })
        .collect();
    assert_eq!(
        fks,
        [
            (
                "fk_line_reference",
                vec!["order_reference"],
                vec!["reference"],
                FkAction::NoAction
            ),
            (
                "fk_lines_order",
                vec!["order_region", "order_id"],
                vec!["region", "id"],
                FkAction::Cascade
            ),
            (
                "fk_ck_lines_order_region_order_code_ck_orders",
                vec!["order_region", "order_code"],
                vec!["region", "code"],
                FkAction::NoAction
            ),
        ]
    );
    assert_eq!(
        lines.uniques[0].name.as_deref(),
        Some("uq_ck_lines_order_region_order_id_position")
    );
    let _ = (Order::meta(), Line::meta());
    models
}

fn composite_and_named_keys(db: &TestDb) {
    let models = registry_holds_the_keys_and_names();
    let create = compare(db, models);
    assert_eq!(
        summaries(&create),
        [
            "add table `ck_orders`",
            "add index `ix_order_placed` on `ck_orders` (placed)",
            "add table `ck_lines`"
        ]
    );
    // The SQL names both columns of each composite key, on this database.
    let sql = dialect::for_backend(db.backend)
        .op_sql(&create[2], None)
        .unwrap()
        .join(";\n");
    let flat = sql.replace(['"', '`'], "");
    assert!(
        flat.contains("FOREIGN KEY(order_region, order_id) REFERENCES ck_orders (region, id)")
            || flat
                .contains("FOREIGN KEY (order_region, order_id) REFERENCES ck_orders (region, id)"),
        "{sql}"
    );
    let mut conn = db.connect();
    command::apply(&mut conn, &create).unwrap();

    // Enforced: a line of a missing order is refused; deleting the order
    // deletes its lines (on_delete = "cascade" on the composite key).
    conn.execute(
        "INSERT INTO ck_orders (region, id, code, reference, placed) VALUES ('eu', 1, 'A-1', 'R-1', 0)",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO ck_lines (id, order_region, order_id, order_code, position) \
         VALUES (1, 'eu', 1, 'A-1', 1)",
    )
    .unwrap();
    assert!(conn
        .execute(
            "INSERT INTO ck_lines (id, order_region, order_id, position, order_reference) VALUES (5, 'eu', 1, 9, 'R-9')"
        )
        .is_err(), "the named field-level foreign key holds");
    assert!(conn
        .execute(
            "INSERT INTO ck_lines (id, order_region, order_id, position) VALUES (2, 'us', 1, 1)"
        )
        .is_err());
    assert!(conn
        .execute(
            "INSERT INTO ck_lines (id, order_region, order_id, order_code, position) VALUES (3, 'eu', 1, 'B-2', 2)"
        )
        .is_err());
    assert!(
        conn.execute(
            "INSERT INTO ck_lines (id, order_region, order_id, position) VALUES (4, 'eu', 1, 1)"
        )
        .is_err(),
        "the composite unique constraint holds"
    );
    assert!(conn
        .execute(
            "INSERT INTO ck_orders (region, id, code, reference, placed) VALUES ('eu', 2, 'A-1', 'R-2', 0)"
        )
        .is_err());
    conn.execute("DELETE FROM ck_orders WHERE region = 'eu' AND id = 1")
        .unwrap();
    assert_eq!(db.count("ck_lines"), 0);

    let again = compare(db, models);
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    let before = comparable(db.schema());

    // One change at a time: that object only, reversible.
    let mut changes: Vec<(Schema, Vec<&str>)> = Vec::new();
    let mut fewer = models.clone();
    fewer
        .tables
        .get_mut("ck_lines")
        .unwrap()
        .foreign_keys
        .remove(1);
    changes.push((
        fewer,
        vec!["remove foreign key `fk_lines_order` on `ck_lines`"],
    ));
    let sqlite = db.backend == retort::Backend::Sqlite;
    // A new name for a unique constraint a foreign key references: renamed in
    // place (PostgreSQL, MySQL), the key untouched; SQLite rebuilds.
    let mut renamed = models.clone();
    renamed.tables.get_mut("ck_orders").unwrap().uniques[1].name = Some("uq_orders_code".into());
    let expected = if sqlite {
        vec![
            "remove unique constraint `uq_ck_orders_code` on `ck_orders`",
            "add unique constraint `uq_orders_code` on `ck_orders`",
        ]
    } else {
        vec!["rename unique constraint `uq_ck_orders_code` on `ck_orders` to `uq_orders_code`"]
    };
    changes.push((renamed, expected));
    // The same key as a unique index instead of a constraint: PostgreSQL and
    // MySQL refuse to drop the constraint under the foreign key, which goes
    // first and comes back last.
    let mut as_index = models.clone();
    let orders = as_index.tables.get_mut("ck_orders").unwrap();
    orders.uniques.remove(1);
    orders
        .indexes
        .push(retort::schema::Index::new("ix_orders_region_code", ["region", "code"]).unique());
    let fk = "foreign key `fk_ck_lines_order_region_order_code_ck_orders` on `ck_lines`";
    let (drop_fk, add_fk) = (format!("remove {fk}"), format!("add {fk}"));
    let mut expected = vec![
        "remove unique constraint `uq_ck_orders_code` on `ck_orders`",
        "add unique index `ix_orders_region_code` on `ck_orders` (region, code)",
    ];
    if !sqlite {
        expected.insert(0, &drop_fk);
        expected.push(&add_fk);
    }
    changes.push((as_index, expected));
    let mut renamed_index = models.clone();
    renamed_index.tables.get_mut("ck_orders").unwrap().indexes[0].name = "ix_orders_placed".into();
    changes.push((
        renamed_index,
        if sqlite {
            vec![
                "remove index `ix_order_placed` on `ck_orders`",
                "add index `ix_orders_placed` on `ck_orders` (placed)",
            ]
        } else {
            vec!["rename index `ix_order_placed` on `ck_orders` to `ix_orders_placed`"]
        },
    ));
    for (target, expected) in changes {
        let ops = compare(db, &target);
        let got = summaries(&ops);
        assert_eq!(got, expected);
        command::apply(&mut conn, &ops).unwrap();
        let settled = compare(db, &target);
        assert!(settled.is_empty(), "{:#?}", summaries(&settled));
        command::apply(&mut conn, &reverse_all(&ops).unwrap()).unwrap();
        assert_eq!(comparable(db.schema()), before);
    }
}

on_every_backend!(composite_and_named_keys);
