//! Every operation on SQLite, PostgreSQL and MariaDB, checked by introspecting the
//! real database after each upgrade and after each downgrade, with the rows kept
//! through type changes, renames and SQLite table rebuilds.

use retort::schema::{ConstraintKind, Schema, ServerDefault, SqlType, Table};
use retort::Backend;
use retort_engine::command;
use retort_tests::support::comparable;
use retort_tests::{on_every_backend, TestDb, OPS};

const IDS: [&str; 8] = [
    "0a0000000001",
    "0a0000000002",
    "0a0000000003",
    "0a0000000004",
    "0a0000000005",
    "0a0000000006",
    "0a0000000007",
    "0a0000000008",
];

fn names(db: &TestDb) -> Vec<String> {
    db.strings("SELECT name AS v FROM customers ORDER BY id")
}

fn constraint_names(table: &Table, kind: ConstraintKind) -> Vec<String> {
    let names: Vec<Option<String>> = match kind {
        ConstraintKind::Unique => table.uniques.iter().map(|u| u.name.clone()).collect(),
        ConstraintKind::Check => table.checks.iter().map(|c| c.name.clone()).collect(),
        ConstraintKind::ForeignKey => table.foreign_keys.iter().map(|f| f.name.clone()).collect(),
        ConstraintKind::PrimaryKey => Vec::new(),
    };
    names.into_iter().flatten().collect()
}

/// What must hold after upgrading to revision `step` (1-based).
fn check_step(db: &TestDb, step: usize, schema: &Schema) {
    let customers = schema.table("customers").expect("customers");
    let order = schema.table("order").expect("order");
    let column = |t: &Table, c: &str| t.get_column(c).cloned();
    match step {
        1 => {
            assert_eq!(
                schema.table("tags").unwrap().primary_key,
                ["order_id", "tag"]
            );
            assert_eq!(
                constraint_names(order, ConstraintKind::Check),
                ["ck_order_amount"]
            );
            assert_eq!(
                order.foreign_keys[0].on_delete,
                retort::schema::FkAction::Cascade
            );
            assert!(order.get_index("ix_order_status").is_some());
            assert_eq!(
                constraint_names(customers, ConstraintKind::Unique).len(),
                if db.backend == Backend::Mysql { 2 } else { 1 }
            );
            assert_eq!(
                column(order, "status").unwrap().default,
                Some(ServerDefault::text("pending"))
            );
            assert!(column(order, "id").unwrap().autoincrement);
        }
        2 => {
            assert_eq!(names(db), ["O'Brien", "back\\slash", "Zoë"]);
            let amounts = db.strings(&format!(
                "SELECT CAST(amount AS CHAR(20)) AS v FROM {} ORDER BY id",
                retort_engine::dialect::of(&db.connect()).quote("order")
            ));
            let amounts: Vec<f64> = amounts.iter().map(|a| a.trim().parse().unwrap()).collect();
            assert_eq!(amounts, [20.0, 20.5, 14.5]);
        }
        3 => {
            assert_eq!(
                column(customers, "phone").unwrap().sql_type,
                SqlType::Varchar(20)
            );
            assert!(column(customers, "phone").unwrap().nullable);
            assert_eq!(
                column(customers, "name").unwrap().sql_type,
                SqlType::Varchar(150)
            );
            let status = column(order, "status").unwrap();
            assert!(status.nullable && status.default.is_none(), "{status:?}");
            let note = column(order, "note").unwrap();
            assert!(!note.nullable);
            let q = retort_engine::dialect::of(&db.connect()).quote("order");
            assert_eq!(
                db.strings(&format!("SELECT note AS v FROM {q}")),
                ["none"; 3]
            );
        }
        4 => {
            assert!(column(customers, "email").is_none());
            assert!(column(customers, "email_address").is_some());
            assert!(schema.table("tags").is_none() && schema.table("order_tags").is_some());
            assert!(customers
                .uniques
                .iter()
                .any(|u| u.columns == ["email_address"]));
            assert_eq!(
                db.strings("SELECT email_address AS v FROM customers WHERE email_address IS NOT NULL ORDER BY id"),
                ["ob@example.com", "zoe@example.com"]
            );
        }
        5 => {
            assert!(constraint_names(customers, ConstraintKind::Unique)
                .contains(&"uq_customers_phone".to_owned()));
            assert!(constraint_names(customers, ConstraintKind::Check)
                .contains(&"ck_customers_name".to_owned()));
            let tags = schema.table("order_tags").unwrap();
            assert_eq!(
                constraint_names(tags, ConstraintKind::ForeignKey),
                ["fk_order_tags_order"]
            );
            assert!(order.checks.is_empty(), "{:?}", order.checks);
            assert!(order.get_index("ix_order_status").is_none());
            assert_eq!(schema.table("audit").unwrap().primary_key, ["id"]);
        }
        6 => {
            let vip = column(customers, "vip").unwrap();
            assert_eq!(
                (vip.sql_type, vip.default),
                (SqlType::Boolean, Some(ServerDefault::Bool(false)))
            );
            assert_eq!(
                column(customers, "phone").unwrap().sql_type,
                SqlType::Varchar(40)
            );
            assert!(customers.get_index("ix_customers_vip").is_some());
            assert_eq!(
                db.strings("SELECT CAST(vip AS CHAR(5)) AS v FROM customers")
                    .len(),
                3
            );
        }
        7 => {
            assert!(column(customers, "phone").is_none());
            assert!(column(order, "note").is_none());
            assert!(schema.table("audit").is_none());
            assert!(!constraint_names(customers, ConstraintKind::Unique)
                .contains(&"uq_customers_phone".to_owned()));
        }
        8 => {
            assert_eq!(
                db.strings("SELECT shout AS v FROM customers ORDER BY id"),
                ["O'BRIEN", "BACK\\SLASH", "ZOË"]
            );
        }
        _ => unreachable!(),
    }
    if step >= 2 {
        assert_eq!(
            names(db),
            ["O'Brien", "back\\slash", "Zoë"],
            "rows lost at step {step}"
        );
    }
}

fn every_operation_up_and_down(db: &TestDb) {
    let config = db.config(OPS);
    let mut snapshots = vec![comparable(db.schema())];
    for (i, id) in IDS.iter().enumerate() {
        command::upgrade(&config, "+1").unwrap_or_else(|e| panic!("upgrade to {id}: {e}"));
        assert_eq!(command::current(&config).unwrap(), [*id]);
        let schema = db.schema();
        check_step(db, i + 1, &schema);
        snapshots.push(comparable(schema));
    }
    for i in (0..IDS.len()).rev() {
        command::downgrade(&config, "-1")
            .unwrap_or_else(|e| panic!("downgrade of {}: {e}", IDS[i]));
        assert_eq!(
            comparable(db.schema()),
            snapshots[i],
            "downgrade of {} did not restore the schema",
            IDS[i]
        );
        if i >= 2 {
            assert_eq!(
                names(db),
                ["O'Brien", "back\\slash", "Zoë"],
                "rows lost by downgrade of {}",
                IDS[i]
            );
        }
    }
    assert!(db.tables().is_empty());
}

on_every_backend!(every_operation_up_and_down);
