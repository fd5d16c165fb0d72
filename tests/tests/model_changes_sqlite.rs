//! Model changes under a live SQLite database: each change gives exactly its op.
//! This binary declares two versions of one model, so its registry is also the
//! place to prove that whole-program errors name both models.

use retort::model::schema_from_models;
use retort::schema::{Schema, Table};
use retort::{registered_schema, Model};
use retort_engine::command;
use retort_engine::dialect::Sqlite;
use retort_tests::support::summaries;
use retort_tests::{as_stored, TestDb};

/// Two versions of a small model set, to change the models under a live database.
mod v1 {
    use retort::Model;

    #[derive(Model)]
    #[model(
        table = "gadgets",
        index(name = "ix_gadgets_kind_size", columns(kind, size))
    )]
    #[allow(dead_code)]
    pub struct Gadget {
        #[model(primary_key)]
        pub id: i64,
        #[model(max_length = 30)]
        pub kind: String,
        pub size: i32,
    }
}

mod v2 {
    use retort::Model;

    #[derive(Model)]
    #[model(table = "gadgets")]
    #[allow(dead_code)]
    pub struct Gadget {
        #[model(primary_key)]
        pub id: i64,
        #[model(max_length = 30)]
        pub kind: String,
        pub size: i32,
        #[model(default = "blue")]
        pub colour: String,
    }

    #[derive(Model)]
    #[allow(dead_code)]
    pub struct Widget {
        #[model(primary_key)]
        pub id: i32,
        #[model(references = Gadget, on_delete = "cascade")]
        pub gadget_id: i64,
    }
}

fn database_with(schema: &Schema) -> (TestDb, retort::Connection) {
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    let ops = command::diff(&mut conn, schema, "retort_version").unwrap();
    command::apply(&mut conn, &ops).unwrap();
    (db, conn)
}

#[test]
fn each_model_change_gives_exactly_its_op() {
    let before = schema_from_models(&[v1::Gadget::meta()]).unwrap();
    let (_db, mut conn) = database_with(&before);

    // Added field.
    let mut added_field = before.clone();
    let gadgets = added_field.tables.get_mut("gadgets").unwrap();
    let after = schema_from_models(&[v2::Gadget::meta()]).unwrap();
    gadgets.columns.push(
        after
            .table("gadgets")
            .unwrap()
            .get_column("colour")
            .unwrap()
            .clone(),
    );
    let ops = command::diff(&mut conn, &added_field, "retort_version").unwrap();
    assert_eq!(summaries(&ops), vec!["add column `gadgets.colour`"]);

    // Removed index (v2 has no struct-level index).
    let mut removed_index = before.clone();
    removed_index
        .tables
        .get_mut("gadgets")
        .unwrap()
        .indexes
        .clear();
    let ops = command::diff(&mut conn, &removed_index, "retort_version").unwrap();
    assert_eq!(
        summaries(&ops),
        vec!["remove index `ix_gadgets_kind_size` on `gadgets`"]
    );

    // New model.
    let mut new_model = before.clone();
    let widgets: Table = schema_from_models(&[v2::Gadget::meta(), v2::Widget::meta()])
        .unwrap()
        .table("widgets")
        .unwrap()
        .clone();
    new_model.insert(widgets);
    let ops = command::diff(&mut conn, &new_model, "retort_version").unwrap();
    assert_eq!(summaries(&ops), vec!["add table `widgets`"]);

    // All of v2 at once, applied, then nothing left.
    let v2 = schema_from_models(&[v2::Gadget::meta(), v2::Widget::meta()]).unwrap();
    let ops = command::diff(&mut conn, &v2, "retort_version").unwrap();
    assert_eq!(
        summaries(&ops),
        vec![
            "add table `widgets`",
            "remove index `ix_gadgets_kind_size` on `gadgets`",
            "add column `gadgets.colour`",
        ]
    );
    command::apply(&mut conn, &ops).unwrap();
    assert!(command::diff(&mut conn, &v2, "retort_version")
        .unwrap()
        .is_empty());

    // And back: the reverse ops restore v1 exactly.
    let back = retort::ops::reverse_all(&ops).unwrap();
    command::apply(&mut conn, &back).unwrap();
    assert!(command::diff(&mut conn, &before, "retort_version")
        .unwrap()
        .is_empty());
}

#[test]
fn foreign_key_actions_and_defaults_survive_the_round_trip() {
    let v2 = schema_from_models(&[v2::Gadget::meta(), v2::Widget::meta()]).unwrap();
    let (_db, mut conn) = database_with(&v2);
    let live = retort_engine::introspect::introspect(&mut conn, &[]).unwrap();
    let widgets = live.table("widgets").unwrap();
    assert_eq!(
        widgets.foreign_keys,
        v2.table("widgets").unwrap().foreign_keys
    );
    assert_eq!(
        widgets.foreign_keys[0].on_delete,
        retort::schema::FkAction::Cascade
    );
    let colour = live.table("gadgets").unwrap().get_column("colour").unwrap();
    assert_eq!(
        colour.default,
        Some(retort::schema::ServerDefault::text("blue"))
    );
}

/// Every attribute form at once: composite key, references by field and by table
/// name, actions, `sql_type`, `column`, literal and time defaults.
mod v3 {
    use retort::Model;

    /// No diesel table: its NUMERIC and DateTime<Utc> columns have no portable
    /// diesel type.
    #[derive(Model)]
    #[model(
        table = "line_items",
        index(columns(order_ref, position), unique),
        diesel = false
    )]
    #[allow(dead_code)]
    pub struct LineItem {
        #[model(primary_key)]
        pub order_ref: i64,
        #[model(primary_key)]
        pub position: i16,
        #[model(references = super::v2::Gadget::id, on_update = "cascade")]
        pub gadget_id: i64,
        #[model(references = "widgets.id", on_delete = "set null")]
        pub widget_id: Option<i32>,
        #[model(sql_type = "NUMERIC(10,2)")]
        pub amount: String,
        #[model(column = "qty", default = 1)]
        pub quantity: i32,
        #[model(default = true)]
        pub active: bool,
        #[model(default = -0.5)]
        pub ratio: f32,
        #[model(default = now())]
        pub created: chrono::DateTime<chrono::Utc>,
        #[model(default = sql("(date('now'))"), index)]
        pub day: chrono::NaiveDate,
        pub payload: Option<Vec<u8>>,
    }

    /// References a table no model declares.
    #[derive(Model)]
    #[allow(dead_code)]
    pub struct Orphan {
        #[model(primary_key)]
        pub id: i32,
        #[model(references = "nowhere")]
        pub nowhere_id: i32,
    }
}

#[test]
fn every_attribute_round_trips_through_sqlite() {
    let schema =
        schema_from_models(&[v2::Gadget::meta(), v2::Widget::meta(), v3::LineItem::meta()])
            .unwrap();
    let items = schema.table("line_items").unwrap();
    assert_eq!(items.primary_key, ["order_ref", "position"]);
    assert!(
        items.columns.iter().all(|c| !c.autoincrement),
        "a composite key does not count up"
    );
    let index = |name: &str| items.get_index(name).unwrap();
    assert!(index("ix_line_items_order_ref_position").unique);
    assert_eq!(
        index("ix_line_items_order_ref_position").column_names(),
        ["order_ref", "position"]
    );
    assert!(!index("ix_line_items_day").unique);
    assert_eq!(
        items.get_column("qty").unwrap().default,
        Some(retort::schema::ServerDefault::number(1))
    );
    let fks: Vec<(&str, &str, &str)> = items
        .foreign_keys
        .iter()
        .map(|f| {
            (
                f.name.as_deref().unwrap(),
                f.ref_table.as_str(),
                f.ref_columns[0].as_str(),
            )
        })
        .collect();
    assert_eq!(
        fks,
        [
            ("fk_line_items_gadget_id_gadgets", "gadgets", "id"),
            ("fk_line_items_widget_id_widgets", "widgets", "id"),
        ]
    );

    let (_db, mut conn) = database_with(&schema);
    let live = retort_engine::introspect::introspect(&mut conn, &[]).unwrap();
    assert_eq!(live, as_stored(&schema, &Sqlite));
    assert!(command::diff(&mut conn, &schema, "retort_version")
        .unwrap()
        .is_empty());
}

#[test]
fn the_registry_names_both_models_of_one_table() {
    let err = registered_schema().unwrap_err().to_string();
    assert!(
        err.contains("table `gadgets` is declared by two models: `model_changes_sqlite::v1::Gadget` and `model_changes_sqlite::v2::Gadget`"),
        "{err}"
    );
    assert!(
        err.contains("`model_changes_sqlite::v3::Orphan.nowhere_id` references table `nowhere`, which no registered model declares"),
        "{err}"
    );
}

/// `renamed_from` on the struct and on a field, and a struct-level check.
mod v4 {
    use retort::Model;

    #[derive(Model)]
    #[model(
        table = "gizmos",
        renamed_from = "gadgets",
        check(name = "ck_gizmos_size", sql = "size > 0")
    )]
    #[allow(dead_code)]
    pub struct Gizmo {
        #[model(primary_key)]
        pub id: i64,
        #[model(max_length = 30, renamed_from = "kind")]
        pub category: String,
        pub size: i32,
    }
}

#[test]
fn renamed_from_renames_and_keeps_rows() {
    use retort::model::hints_from_models;
    let hints = hints_from_models(&[v4::Gizmo::meta()]);
    assert_eq!(
        hints.tables.get("gizmos").map(String::as_str),
        Some("gadgets")
    );
    assert_eq!(
        hints
            .columns
            .get(&("gizmos".to_owned(), "category".to_owned()))
            .map(String::as_str),
        Some("kind")
    );
    let before = schema_from_models(&[v1::Gadget::meta()]).unwrap();
    let (db, mut conn) = database_with(&before);
    conn.execute("INSERT INTO gadgets (kind, size) VALUES ('lever', 3)")
        .unwrap();
    let after = schema_from_models(&[v4::Gizmo::meta()]).unwrap();
    let filter = retort_engine::introspect::Filter {
        exclude: vec!["retort_version".into()],
        ..Default::default()
    };
    let changes =
        retort_engine::autogenerate::compare_database(&mut conn, &after, &hints, &filter).unwrap();
    assert_eq!(
        summaries(&changes.ops),
        [
            "rename table `gadgets` to `gizmos`",
            "alter column `gizmos.kind`: renamed to `category`",
            "remove index `ix_gadgets_kind_size` on `gizmos`",
            "add check constraint `ck_gizmos_size` on `gizmos`",
        ]
    );
    command::apply(&mut conn, &changes.ops).unwrap();
    assert_eq!(db.strings("SELECT category AS v FROM gizmos"), ["lever"]);
    assert!(
        retort_engine::autogenerate::compare_database(&mut conn, &after, &hints, &filter)
            .unwrap()
            .is_empty()
    );
}

/// Models of two databases: `Ledger` lives in `archive`, and `Invoice` (in `main`)
/// points at it, which no database could enforce.
mod v5 {
    use retort::Model;

    #[derive(Model)]
    #[model(table = "ledgers", database = "archive")]
    #[allow(dead_code)]
    pub struct Ledger {
        #[model(primary_key)]
        pub id: i64,
        pub total: i64,
    }

    #[derive(Model)]
    #[model(table = "invoices", diesel = false)]
    #[allow(dead_code)]
    pub struct Invoice {
        #[model(primary_key)]
        pub id: i64,
        #[model(references = Ledger)]
        pub ledger_id: i64,
    }
}

#[test]
fn each_database_has_its_own_models_and_no_key_crosses_them() {
    let archive = retort::model::registered_schema_for("archive").unwrap();
    assert_eq!(archive.table_names().collect::<Vec<_>>(), ["ledgers"]);
    assert_eq!(
        retort::model::registered_schema_for("nowhere")
            .unwrap()
            .table_names()
            .count(),
        0
    );

    let err = schema_from_models(&[v5::Invoice::meta(), v5::Ledger::meta()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "`model_changes_sqlite::v5::Invoice.ledger_id` references `model_changes_sqlite::v5::Ledger`, which is in database `archive`: a foreign key cannot cross databases"
    );
    // The whole program's `main` schema reports it too, among its other errors.
    let err = registered_schema().unwrap_err().to_string();
    assert!(
        err.contains("a foreign key cannot cross databases"),
        "{err}"
    );
}
