//! Wide tables on SQLite, PostgreSQL and MariaDB: a 60-column model through
//! diesel (retort's `64-column-tables` feature, which this crate turns on), and a
//! 100-column model's migrations (`diesel = false`: its migrations need no diesel
//! table; with diesel, a model past 64 columns needs `128-column-tables`, and a
//! compile error names it: `tests/ui/wide_without_feature.rs`).

use diesel::prelude::*;
use retort::model::{registered_schema_for, RenameHints};
use retort::Model;
use retort_engine::introspect::Filter;
use retort_engine::{autogenerate, command};
use retort_tests::{on_every_backend, with_diesel, TestDb};

/// Sixty columns, queried with diesel.
#[derive(Debug, Clone, PartialEq, Model, Queryable, Selectable, Insertable)]
#[model(table = "wide60", database = "wide")]
#[diesel(table_name = wide60)]
pub struct Wide60 {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// Column 1.
    pub c01: Option<String>,
    /// Column 2.
    pub c02: f64,
    /// Column 3.
    pub c03: i32,
    /// Column 4.
    pub c04: Option<String>,
    /// Column 5.
    pub c05: f64,
    /// Column 6.
    pub c06: i32,
    /// Column 7.
    pub c07: Option<String>,
    /// Column 8.
    pub c08: f64,
    /// Column 9.
    pub c09: i32,
    /// Column 10.
    pub c10: Option<String>,
    /// Column 11.
    pub c11: f64,
    /// Column 12.
    pub c12: i32,
    /// Column 13.
    pub c13: Option<String>,
    /// Column 14.
    pub c14: f64,
    /// Column 15.
    pub c15: i32,
    /// Column 16.
    pub c16: Option<String>,
    /// Column 17.
    pub c17: f64,
    /// Column 18.
    pub c18: i32,
    /// Column 19.
    pub c19: Option<String>,
    /// Column 20.
    pub c20: f64,
    /// Column 21.
    pub c21: i32,
    /// Column 22.
    pub c22: Option<String>,
    /// Column 23.
    pub c23: f64,
    /// Column 24.
    pub c24: i32,
    /// Column 25.
    pub c25: Option<String>,
    /// Column 26.
    pub c26: f64,
    /// Column 27.
    pub c27: i32,
    /// Column 28.
    pub c28: Option<String>,
    /// Column 29.
    pub c29: f64,
    /// Column 30.
    pub c30: i32,
    /// Column 31.
    pub c31: Option<String>,
    /// Column 32.
    pub c32: f64,
    /// Column 33.
    pub c33: i32,
    /// Column 34.
    pub c34: Option<String>,
    /// Column 35.
    pub c35: f64,
    /// Column 36.
    pub c36: i32,
    /// Column 37.
    pub c37: Option<String>,
    /// Column 38.
    pub c38: f64,
    /// Column 39.
    pub c39: i32,
    /// Column 40.
    pub c40: Option<String>,
    /// Column 41.
    pub c41: f64,
    /// Column 42.
    pub c42: i32,
    /// Column 43.
    pub c43: Option<String>,
    /// Column 44.
    pub c44: f64,
    /// Column 45.
    pub c45: i32,
    /// Column 46.
    pub c46: Option<String>,
    /// Column 47.
    pub c47: f64,
    /// Column 48.
    pub c48: i32,
    /// Column 49.
    pub c49: Option<String>,
    /// Column 50.
    pub c50: f64,
    /// Column 51.
    pub c51: i32,
    /// Column 52.
    pub c52: Option<String>,
    /// Column 53.
    pub c53: f64,
    /// Column 54.
    pub c54: i32,
    /// Column 55.
    pub c55: Option<String>,
    /// Column 56.
    pub c56: f64,
    /// Column 57.
    pub c57: i32,
    /// Column 58.
    pub c58: Option<String>,
    /// Column 59.
    pub c59: f64,
}

/// A hundred columns, migrated only.
#[derive(Debug, Model)]
#[model(table = "wide100", database = "wide", diesel = false)]
pub struct Wide100 {
    /// Key.
    #[model(primary_key)]
    pub id: i64,
    /// Column 1.
    pub c001: Option<i64>,
    /// Column 2.
    pub c002: Option<i64>,
    /// Column 3.
    pub c003: Option<i64>,
    /// Column 4.
    pub c004: Option<i64>,
    /// Column 5.
    pub c005: Option<i64>,
    /// Column 6.
    pub c006: Option<i64>,
    /// Column 7.
    pub c007: Option<i64>,
    /// Column 8.
    pub c008: Option<i64>,
    /// Column 9.
    pub c009: Option<i64>,
    /// Column 10.
    pub c010: Option<i64>,
    /// Column 11.
    pub c011: Option<i64>,
    /// Column 12.
    pub c012: Option<i64>,
    /// Column 13.
    pub c013: Option<i64>,
    /// Column 14.
    pub c014: Option<i64>,
    /// Column 15.
    pub c015: Option<i64>,
    /// Column 16.
    pub c016: Option<i64>,
    /// Column 17.
    pub c017: Option<i64>,
    /// Column 18.
    pub c018: Option<i64>,
    /// Column 19.
    pub c019: Option<i64>,
    /// Column 20.
    pub c020: Option<i64>,
    /// Column 21.
    pub c021: Option<i64>,
    /// Column 22.
    pub c022: Option<i64>,
    /// Column 23.
    pub c023: Option<i64>,
    /// Column 24.
    pub c024: Option<i64>,
    /// Column 25.
    pub c025: Option<i64>,
    /// Column 26.
    pub c026: Option<i64>,
    /// Column 27.
    pub c027: Option<i64>,
    /// Column 28.
    pub c028: Option<i64>,
    /// Column 29.
    pub c029: Option<i64>,
    /// Column 30.
    pub c030: Option<i64>,
    /// Column 31.
    pub c031: Option<i64>,
    /// Column 32.
    pub c032: Option<i64>,
    /// Column 33.
    pub c033: Option<i64>,
    /// Column 34.
    pub c034: Option<i64>,
    /// Column 35.
    pub c035: Option<i64>,
    /// Column 36.
    pub c036: Option<i64>,
    /// Column 37.
    pub c037: Option<i64>,
    /// Column 38.
    pub c038: Option<i64>,
    /// Column 39.
    pub c039: Option<i64>,
    /// Column 40.
    pub c040: Option<i64>,
    /// Column 41.
    pub c041: Option<i64>,
    /// Column 42.
    pub c042: Option<i64>,
    /// Column 43.
    pub c043: Option<i64>,
    /// Column 44.
    pub c044: Option<i64>,
    /// Column 45.
    pub c045: Option<i64>,
    /// Column 46.
    pub c046: Option<i64>,
    /// Column 47.
    pub c047: Option<i64>,
    /// Column 48.
    pub c048: Option<i64>,
    /// Column 49.
    pub c049: Option<i64>,
    /// Column 50.
    pub c050: Option<i64>,
    /// Column 51.
    pub c051: Option<i64>,
    /// Column 52.
    pub c052: Option<i64>,
    /// Column 53.
    pub c053: Option<i64>,
    /// Column 54.
    pub c054: Option<i64>,
    /// Column 55.
    pub c055: Option<i64>,
    /// Column 56.
    pub c056: Option<i64>,
    /// Column 57.
    pub c057: Option<i64>,
    /// Column 58.
    pub c058: Option<i64>,
    /// Column 59.
    pub c059: Option<i64>,
    /// Column 60.
    pub c060: Option<i64>,
    /// Column 61.
    pub c061: Option<i64>,
    /// Column 62.
    pub c062: Option<i64>,
    /// Column 63.
    pub c063: Option<i64>,
    /// Column 64.
    pub c064: Option<i64>,
    /// Column 65.
    pub c065: Option<i64>,
    /// Column 66.
    pub c066: Option<i64>,
    /// Column 67.
    pub c067: Option<i64>,
    /// Column 68.
    pub c068: Option<i64>,
    /// Column 69.
    pub c069: Option<i64>,
    /// Column 70.
    pub c070: Option<i64>,
    /// Column 71.
    pub c071: Option<i64>,
    /// Column 72.
    pub c072: Option<i64>,
    /// Column 73.
    pub c073: Option<i64>,
    /// Column 74.
    pub c074: Option<i64>,
    /// Column 75.
    pub c075: Option<i64>,
    /// Column 76.
    pub c076: Option<i64>,
    /// Column 77.
    pub c077: Option<i64>,
    /// Column 78.
    pub c078: Option<i64>,
    /// Column 79.
    pub c079: Option<i64>,
    /// Column 80.
    pub c080: Option<i64>,
    /// Column 81.
    pub c081: Option<i64>,
    /// Column 82.
    pub c082: Option<i64>,
    /// Column 83.
    pub c083: Option<i64>,
    /// Column 84.
    pub c084: Option<i64>,
    /// Column 85.
    pub c085: Option<i64>,
    /// Column 86.
    pub c086: Option<i64>,
    /// Column 87.
    pub c087: Option<i64>,
    /// Column 88.
    pub c088: Option<i64>,
    /// Column 89.
    pub c089: Option<i64>,
    /// Column 90.
    pub c090: Option<i64>,
    /// Column 91.
    pub c091: Option<i64>,
    /// Column 92.
    pub c092: Option<i64>,
    /// Column 93.
    pub c093: Option<i64>,
    /// Column 94.
    pub c094: Option<i64>,
    /// Column 95.
    pub c095: Option<i64>,
    /// Column 96.
    pub c096: Option<i64>,
    /// Column 97.
    pub c097: Option<i64>,
    /// Column 98.
    pub c098: Option<i64>,
    /// Column 99.
    pub c099: Option<i64>,
}

fn wide_tables(db: &TestDb) {
    let mut conn = db.connect();
    let models = registered_schema_for("wide").unwrap();
    assert_eq!(models.table("wide60").unwrap().columns.len(), 60);
    assert_eq!(models.table("wide100").unwrap().columns.len(), 100);
    let ops = command::diff(&mut conn, models, "retort_version").unwrap();
    command::apply(&mut conn, &ops).unwrap();
    let filter = Filter {
        exclude: vec!["retort_version*".into()],
        ..Default::default()
    };
    let left = autogenerate::compare_database(&mut conn, models, &RenameHints::default(), &filter)
        .unwrap();
    assert!(left.is_empty(), "{:?}", left.ops);

    let row = Wide60 {
        id: 7,
        c01: Some("v1".into()),
        c02: 2.5,
        c03: 3,
        c04: Some("v4".into()),
        c05: 5.5,
        c06: 6,
        c07: Some("v7".into()),
        c08: 8.5,
        c09: 9,
        c10: Some("v10".into()),
        c11: 11.5,
        c12: 12,
        c13: Some("v13".into()),
        c14: 14.5,
        c15: 15,
        c16: Some("v16".into()),
        c17: 17.5,
        c18: 18,
        c19: Some("v19".into()),
        c20: 20.5,
        c21: 21,
        c22: Some("v22".into()),
        c23: 23.5,
        c24: 24,
        c25: Some("v25".into()),
        c26: 26.5,
        c27: 27,
        c28: Some("v28".into()),
        c29: 29.5,
        c30: 30,
        c31: Some("v31".into()),
        c32: 32.5,
        c33: 33,
        c34: Some("v34".into()),
        c35: 35.5,
        c36: 36,
        c37: Some("v37".into()),
        c38: 38.5,
        c39: 39,
        c40: Some("v40".into()),
        c41: 41.5,
        c42: 42,
        c43: Some("v43".into()),
        c44: 44.5,
        c45: 45,
        c46: Some("v46".into()),
        c47: 47.5,
        c48: 48,
        c49: Some("v49".into()),
        c50: 50.5,
        c51: 51,
        c52: Some("v52".into()),
        c53: 53.5,
        c54: 54,
        c55: Some("v55".into()),
        c56: 56.5,
        c57: 57,
        c58: Some("v58".into()),
        c59: 59.5,
    };
    let back = with_diesel!(&mut conn, |c| {
        diesel::insert_into(wide60::table)
            .values(&row)
            .execute(c)
            .and_then(|_| wide60::table.select(Wide60::as_select()).first::<Wide60>(c))
    });
    assert_eq!(back, row);
    assert_eq!(<Wide100 as Model>::meta().columns.len(), 100);
}

on_every_backend!(wide_tables);
