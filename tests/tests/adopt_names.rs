//! Adopting a database another tool built (issue 15, "compare by meaning"): unique
//! constraints, foreign keys and indexes the server or another tool named
//! (`makers_code_key`, `items_ibfk_1`, `items_name_idx`) are the model's objects of
//! the same definition when the model leaves them unnamed (their names are the
//! naming convention's), on SQLite, PostgreSQL and MariaDB: the first
//! autogenerate reports nothing, a model edit gives only that edit, and removing
//! such an object drops it by the database's own name.

use retort::model::RenameHints;
use retort::schema::{Column, ForeignKey, Index, Schema, SqlType, Table, Unique};
use retort_engine::{autogenerate, command};
use retort_tests::support::{summaries, user_tables};
use retort_tests::{on_every_backend, TestDb};

/// What the models say: every object unnamed by the model (the convention's
/// names).
fn models() -> Schema {
    let mut s = Schema::new();
    s.insert(
        Table::new("makers")
            .column(Column::new("id", SqlType::Integer))
            .column(Column::new("code", SqlType::Varchar(10)))
            .primary_key(["id"])
            .unique(Unique::new("uq_makers_code", ["code"])),
    );
    s.insert(
        Table::new("items")
            .column(Column::new("id", SqlType::Integer))
            .column(Column::new("name", SqlType::Varchar(50)))
            .column(Column::new("maker_id", SqlType::Integer).nullable())
            .primary_key(["id"])
            .index(Index::new("ix_items_name", ["name"]))
            .foreign_key(ForeignKey::new(
                "fk_items_maker_id_makers",
                ["maker_id"],
                "makers",
                ["id"],
            )),
    );
    s
}

fn ops(db: &TestDb, models: &Schema) -> Vec<retort::ops::Op> {
    let mut conn = db.connect();
    autogenerate::compare_database(&mut conn, models, &RenameHints::default(), &user_tables())
        .unwrap()
        .ops
}

fn server_named_objects_are_the_models(db: &TestDb) {
    // Built by hand, as another tool would: constraints without names, an index
    // named by someone else.
    let mut conn = db.connect();
    for sql in [
        "CREATE TABLE makers (id INTEGER NOT NULL PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE)",
        "CREATE TABLE items (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, \
         maker_id INTEGER, FOREIGN KEY (maker_id) REFERENCES makers (id))",
        "CREATE INDEX items_name_idx ON items (name)",
    ] {
        conn.execute(sql).unwrap();
    }
    drop(conn);
    let first = ops(db, &models());
    assert!(first.is_empty(), "{:#?}", summaries(&first));

    // A model edit gives only that edit.
    let mut edited = models();
    edited
        .tables
        .get_mut("items")
        .unwrap()
        .columns
        .push(Column::new("sku", SqlType::Varchar(20)).nullable());
    assert_eq!(summaries(&ops(db, &edited)), ["add column `items.sku`"]);

    // Removing them drops the database's own objects, by their names.
    let mut fewer = models();
    let items = fewer.tables.get_mut("items").unwrap();
    items.indexes.clear();
    items.foreign_keys.clear();
    fewer.tables.get_mut("makers").unwrap().uniques.clear();
    let removal = ops(db, &fewer);
    let said = summaries(&removal);
    assert!(
        said.iter()
            .any(|s| s.starts_with("remove index `items_name_idx`")),
        "{said:?}"
    );
    let mut conn = db.connect();
    command::apply(&mut conn, &removal).unwrap_or_else(|e| panic!("{e}\n{said:#?}"));
    drop(conn);
    let left = ops(db, &fewer);
    assert!(left.is_empty(), "{:#?}", summaries(&left));

    // An object the model names itself is compared by name: a rename shows.
    let mut named = models();
    named.tables.get_mut("items").unwrap().indexes = vec![Index::new("items_by_name", ["name"])];
    named.tables.get_mut("items").unwrap().foreign_keys.clear();
    named.tables.get_mut("makers").unwrap().uniques.clear();
    let mut conn = db.connect();
    conn.execute("CREATE INDEX items_name_idx ON items (name)")
        .unwrap();
    drop(conn);
    assert_eq!(
        summaries(&ops(db, &named)),
        [
            "remove index `items_name_idx` on `items`",
            "add index `items_by_name` on `items` (name)"
        ]
    );
}

on_every_backend!(server_named_objects_are_the_models);
