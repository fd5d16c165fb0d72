//! Autogenerate on SQLite, PostgreSQL and MariaDB: each kind of change gives its
//! op and reverses exactly; renames keep rows; introspection sends the same number
//! of queries at 10 and at 200 tables; offline autogenerate and drift.

use retort::model::RenameHints;
use retort::ops::{reverse_all, Op};
use retort::schema::{
    Check, Column, FkAction, ForeignKey, Index, Schema, ServerDefault, SqlType, Table, Unique,
};
use retort_engine::introspect::Filter;
use retort_engine::{autogenerate, command};
use retort_tests::support::summaries;
use retort_tests::{link_shop, on_every_backend, TestDb, LINEAR, SHOP};

fn filter() -> Filter {
    Filter {
        exclude: vec!["retort_version".into()],
        ..Default::default()
    }
}

fn base() -> Schema {
    let mut s = Schema::new();
    s.insert(
        Table::new("makers")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("code", SqlType::Varchar(10)))
            .primary_key(["id"])
            .unique(Unique::new("uq_makers_code", ["code"])),
    );
    s.insert(
        Table::new("items")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("name", SqlType::Varchar(50)))
            .column(
                Column::new("qty", SqlType::Integer)
                    .nullable()
                    .default(ServerDefault::number(0)),
            )
            .column(Column::new("maker_id", SqlType::Integer).nullable())
            .primary_key(["id"])
            .index(Index::new("ix_items_name", ["name"]))
            .check(Check::new("ck_items_qty", "qty >= 0"))
            .foreign_key(ForeignKey::new(
                "fk_items_maker",
                ["maker_id"],
                "makers",
                ["id"],
            )),
    );
    s
}

type Change = (&'static str, fn(&mut Table), &'static [&'static str]);

const CHANGES: &[Change] = &[
    (
        "type",
        |t| t.columns[1].sql_type = SqlType::Varchar(100),
        &["alter column `items.name`: type VARCHAR(100)"],
    ),
    (
        "nullability",
        |t| t.columns[2].nullable = false,
        &["alter column `items.qty`: not null"],
    ),
    (
        "default",
        |t| t.columns[2].default = Some(ServerDefault::number(5)),
        &["alter column `items.qty`: default 5"],
    ),
    (
        "no default",
        |t| t.columns[2].default = None,
        &["alter column `items.qty`: no default"],
    ),
    (
        "add unique",
        |t| t.uniques.push(Unique::new("uq_items_name", ["name"])),
        &["add unique constraint `uq_items_name` on `items`"],
    ),
    (
        "add index",
        |t| t.indexes.push(Index::new("ix_items_qty", ["qty"]).unique()),
        &["add unique index `ix_items_qty` on `items` (qty)"],
    ),
    (
        "remove index",
        |t| t.indexes.clear(),
        &["remove index `ix_items_name` on `items`"],
    ),
    (
        "remove check",
        |t| t.checks.clear(),
        &["remove check constraint `ck_items_qty` on `items`"],
    ),
    (
        "add check",
        |t| t.checks.push(Check::new("ck_items_name", "name <> ''")),
        &["add check constraint `ck_items_name` on `items`"],
    ),
    (
        "remove foreign key",
        |t| t.foreign_keys.clear(),
        &["remove foreign key `fk_items_maker` on `items`"],
    ),
    (
        "foreign key action",
        |t| t.foreign_keys[0].on_delete = FkAction::SetNull,
        &[
            "remove foreign key `fk_items_maker` on `items`",
            "add foreign key `fk_items_maker` on `items`",
        ],
    ),
];

fn each_change_kind_gives_its_op_and_reverses(db: &TestDb) {
    let mut conn = db.connect();
    let ops = command::diff(&mut conn, &base(), "retort_version").unwrap();
    command::apply(&mut conn, &ops).unwrap();
    let before = db.schema();
    for (what, change, expected) in CHANGES {
        let mut target = base();
        change(target.tables.get_mut("items").unwrap());
        let ops = command::diff(&mut conn, &target, "retort_version").unwrap();
        // The ops carry the model's own objects on every database (MySQL keeps a
        // unique index as a unique constraint, but the model said index).
        assert_eq!(summaries(&ops), *expected, "{what}");
        command::apply(&mut conn, &ops).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            command::diff(&mut conn, &target, "retort_version")
                .unwrap()
                .is_empty(),
            "{what}"
        );
        command::apply(&mut conn, &reverse_all(&ops).unwrap())
            .unwrap_or_else(|e| panic!("{what} back: {e}"));
        assert_eq!(
            db.schema(),
            before,
            "{what}: the reverse did not restore the schema"
        );
    }
    // Destructive and narrowing changes are flagged.
    let mut narrower = base();
    narrower.tables.get_mut("items").unwrap().columns[1].sql_type = SqlType::Varchar(5);
    narrower.tables.get_mut("items").unwrap().columns.remove(2);
    let changes =
        autogenerate::compare_database(&mut conn, &narrower, &RenameHints::default(), &filter())
            .unwrap();
    let warnings: Vec<&str> = changes.warnings.iter().map(|(_, w)| w.as_str()).collect();
    assert!(
        warnings.contains(&"removes column `items.qty` and its values"),
        "{warnings:?}"
    );
    assert!(
        warnings.contains(&"narrows `items.name` from VARCHAR(50) to VARCHAR(5): values that do not fit are refused or cut"),
        "{warnings:?}"
    );
}

fn not_null_with_nulls_is_counted(db: &TestDb) {
    let mut conn = db.connect();
    let ops = command::diff(&mut conn, &base(), "retort_version").unwrap();
    command::apply(&mut conn, &ops).unwrap();
    conn.execute("INSERT INTO items (name, qty) VALUES ('a', NULL), ('b', NULL), ('c', 1)")
        .unwrap();
    let mut target = base();
    target.tables.get_mut("items").unwrap().columns[2].nullable = false;
    let changes =
        autogenerate::compare_database(&mut conn, &target, &RenameHints::default(), &filter())
            .unwrap();
    assert_eq!(
        changes.warnings,
        [(0, "makes `items.qty` NOT NULL, but 2 row(s) hold NULL there: the upgrade fails until they get a value".to_owned())]
    );
}

/// The warnings that would have saved data: a NOT NULL column without a default
/// added to a table with rows (counted), and a drop + add of one type in a table
/// (a rename without `renamed_from`).
fn data_saving_warnings_are_counted(db: &TestDb) {
    let mut conn = db.connect();
    let ops = command::diff(&mut conn, &base(), "retort_version").unwrap();
    command::apply(&mut conn, &ops).unwrap();
    conn.execute("INSERT INTO items (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3)")
        .unwrap();
    let mut target = base();
    let items = target.tables.get_mut("items").unwrap();
    items.columns.push(Column::new("sku", SqlType::Varchar(20)));
    let changes =
        autogenerate::compare_database(&mut conn, &target, &RenameHints::default(), &filter())
            .unwrap();
    let said: Vec<&str> = changes.warnings.iter().map(|(_, w)| w.as_str()).collect();
    assert!(
        said.contains(&"adds NOT NULL column `items.sku` without a default, but `items` has 3 row(s): \
             PostgreSQL and SQLite refuse the upgrade and MySQL fills them with '' or 0; give it a default"),
        "{said:?}"
    );
    let mut target = base();
    let items = target.tables.get_mut("items").unwrap();
    items.columns[1].name = "title".into();
    items.indexes.clear();
    let changes =
        autogenerate::compare_database(&mut conn, &target, &RenameHints::default(), &filter())
            .unwrap();
    let said: Vec<&str> = changes.warnings.iter().map(|(_, w)| w.as_str()).collect();
    assert!(
        said.iter().any(|w| w
            .starts_with("drops `items.name` and adds `items.title` of the same type")
            && w.contains("#[model(renamed_from = \"name\")]")),
        "{said:?}"
    );
}

fn renames_keep_rows(db: &TestDb) {
    let mut conn = db.connect();
    let mut before = Schema::new();
    before.insert(
        Table::new("people")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("full_name", SqlType::Varchar(80)))
            .primary_key(["id"])
            .index(Index::new("ix_people_full_name", ["full_name"])),
    );
    let ops = command::diff(&mut conn, &before, "retort_version").unwrap();
    command::apply(&mut conn, &ops).unwrap();
    conn.execute("INSERT INTO people (full_name) VALUES ('Ada Lovelace'), ('Grace Hopper')")
        .unwrap();

    let mut after = Schema::new();
    after.insert(
        Table::new("persons")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("name", SqlType::Varchar(80)))
            .primary_key(["id"])
            .index(Index::new("ix_people_full_name", ["name"])),
    );
    let hints = RenameHints {
        tables: [("persons".to_owned(), "people".to_owned())].into(),
        columns: [(
            ("persons".to_owned(), "name".to_owned()),
            "full_name".to_owned(),
        )]
        .into(),
        ..Default::default()
    };
    let changes = autogenerate::compare_database(&mut conn, &after, &hints, &filter()).unwrap();
    assert_eq!(
        summaries(&changes.ops),
        [
            "rename table `people` to `persons`",
            "alter column `persons.full_name`: renamed to `name`"
        ]
    );
    command::apply(&mut conn, &changes.ops).unwrap();
    assert_eq!(
        db.strings("SELECT name AS v FROM persons ORDER BY id"),
        ["Ada Lovelace", "Grace Hopper"]
    );
    assert!(
        autogenerate::compare_database(&mut conn, &after, &hints, &filter())
            .unwrap()
            .is_empty()
    );
    command::apply(&mut conn, &reverse_all(&changes.ops).unwrap()).unwrap();
    assert_eq!(
        db.strings("SELECT full_name AS v FROM people ORDER BY id"),
        ["Ada Lovelace", "Grace Hopper"]
    );

    // Without the hint: drop + add, and a suggestion to add it.
    let plain =
        autogenerate::compare_database(&mut conn, &after, &RenameHints::default(), &filter())
            .unwrap();
    assert!(plain.ops.iter().any(|o| matches!(o, Op::DropTable(_))));
    assert!(
        plain.suggestions[0].contains("add #[model(renamed_from = \"people\")]"),
        "{:?}",
        plain.suggestions
    );
}

fn many_tables(n: usize) -> Schema {
    let mut s = Schema::new();
    for i in 0..n {
        let mut t = Table::new(format!("t{i:03}"))
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("name", SqlType::Varchar(40)).default(ServerDefault::text("x")))
            .column(
                Column::new("at", SqlType::Timestamp)
                    .nullable()
                    .default(ServerDefault::CurrentTimestamp),
            )
            .primary_key(["id"])
            .index(Index::new(format!("ix_t{i:03}_name"), ["name"]))
            .unique(Unique::new(format!("uq_t{i:03}_at"), ["at"]));
        if i > 0 {
            t.columns
                .push(Column::new("prev_id", SqlType::Integer).nullable());
            t.foreign_keys.push(ForeignKey::new(
                format!("fk_t{i:03}_prev"),
                ["prev_id"],
                format!("t{:03}", i - 1),
                ["id"],
            ));
        }
        s.insert(t);
    }
    s
}

fn introspection_queries_do_not_grow_with_tables(db: &TestDb) {
    let mut conn = db.connect();
    let mut counts = Vec::new();
    for n in [10, 200] {
        let schema = many_tables(n);
        let ops = command::diff(&mut conn, &schema, "retort_version").unwrap();
        command::apply(&mut conn, &ops).unwrap();
        let before = conn.queries_sent();
        let live = retort_engine::introspect::introspect(
            &mut conn,
            &[
                "retort_version",
                "retort_version_log",
                "retort_version_step",
            ],
        )
        .unwrap();
        counts.push(conn.queries_sent() - before);
        assert_eq!(live.tables.len(), n);
        assert_eq!(live, retort_engine::dialect::of(&conn).as_stored(&schema));
    }
    assert_eq!(
        counts[0], counts[1],
        "queries at 10 and at 200 tables: {counts:?}"
    );
    // SQLite 3, PostgreSQL 4, MySQL 5 (tables' collations and comments apart).
    assert!(counts[0] <= 5, "{counts:?}");
}

/// A table whose foreign key column has its own index: dropping it (the downgrade
/// of its creation) must not drop the index first, which MySQL refuses ("needed in
/// a foreign key constraint"); the revision file leaves that drop out.
fn dropping_a_table_with_an_indexed_foreign_key(db: &TestDb) {
    let mut schema = Schema::new();
    schema.insert(
        Table::new("owners")
            .column(Column::new("id", SqlType::BigInt).autoincrement())
            .primary_key(["id"]),
    );
    schema.insert(
        Table::new("pets")
            .column(Column::new("id", SqlType::BigInt).autoincrement())
            .column(Column::new("owner_id", SqlType::BigInt).nullable())
            .primary_key(["id"])
            .index(Index::new("ix_pets_owner_id", ["owner_id"]))
            .foreign_key(ForeignKey::new(
                "fk_pets_owner_id_owners",
                ["owner_id"],
                "owners",
                ["id"],
            )),
    );
    let mut conn = db.connect();
    let up = command::diff(&mut conn, &schema, "retort_version").unwrap();
    command::apply(&mut conn, &up).unwrap();
    let down = reverse_all(&up).unwrap();
    assert!(summaries(&down).contains(&"remove index `ix_pets_owner_id` on `pets`".to_owned()));
    assert_eq!(
        retort::ops::dropped_with_its_table(&down)
            .iter()
            .filter(|r| **r)
            .count(),
        1
    );
    command::apply(&mut conn, &down).unwrap();
    assert!(db.tables().is_empty());

    // The same, autogenerated: the models gone, the tables and their index go.
    command::apply(&mut conn, &up).unwrap();
    let drops = command::diff(&mut conn, &Schema::new(), "retort_version").unwrap();
    command::apply(&mut conn, &drops).unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(
    dropping_a_table_with_an_indexed_foreign_key,
    each_change_kind_gives_its_op_and_reverses,
    not_null_with_nulls_is_counted,
    data_saving_warnings_are_counted,
    renames_keep_rows,
    introspection_queries_do_not_grow_with_tables,
);

#[test]
fn offline_autogenerate_compares_with_the_replayed_history() {
    link_shop();
    let db = TestDb::sqlite();
    // The shop's own history builds exactly its models: nothing to do, no database.
    let config = db.config(SHOP);
    let options = command::RevisionOptions {
        offline: true,
        ..Default::default()
    };
    assert!(command::autogenerate(&config, "nothing", &options)
        .unwrap()
        .is_none());
    assert!(
        !db.sqlite_path().unwrap().exists(),
        "offline never connects"
    );

    // Another history: the shop tables are added, `notes` removed, and the data
    // migration is named as opaque to replay.
    let config = db.config(LINEAR);
    let generated = command::autogenerate(&config, "to the shop", &options)
        .unwrap()
        .unwrap();
    let summary = summaries(&generated.changes.ops);
    assert!(
        summary.contains(&"add table `users`".to_owned()),
        "{summary:?}"
    );
    assert!(
        summary.contains(&"remove table `notes`".to_owned()),
        "{summary:?}"
    );
    assert_eq!(
        generated.changes.notes,
        ["revision b7e9d1000003 (b7e9d1000003_seed_notes.rs) runs raw SQL; its effect on the schema is not replayed"]
    );
    let text = std::fs::read_to_string(&generated.path).unwrap();
    assert!(text.contains("// NOTE: revision b7e9d1000003"), "{text}");
    assert!(
        text.contains("// WARNING: removes table `notes` and all its rows"),
        "{text}"
    );
}

fn drift_reports_hand_made_changes(db: &TestDb) {
    link_shop();
    let config = db.config(SHOP);
    command::upgrade(&config, "head").unwrap();
    assert!(command::drift(&config).unwrap().is_empty());
    db.connect()
        .execute("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)")
        .unwrap();
    db.connect()
        .execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY)")
        .unwrap();
    let drift = command::drift(&config).unwrap();
    assert_eq!(
        summaries(&drift.ops),
        ["remove column `users.nickname`", "remove table `scratch`"]
    );
    // Drift compares with the history up to where the database is.
    command::downgrade(&config, "-1").unwrap();
    let drift = command::drift(&config).unwrap();
    assert_eq!(
        summaries(&drift.ops),
        ["remove column `users.nickname`", "remove table `scratch`"],
        "only the hand-made changes, not the reverted revision's"
    );
    // Excluded tables are left alone.
    let mut config = config;
    config.exclude_tables = vec!["scr*".into()];
    assert_eq!(
        summaries(&command::drift(&config).unwrap().ops),
        ["remove column `users.nickname`"]
    );
}

on_every_backend!(drift_reports_hand_made_changes);

#[test]
fn postgres_schema_option_confines_everything_to_that_schema() {
    link_shop();
    let Some(db) = TestDb::postgres() else { return };
    db.connect().execute("CREATE SCHEMA shop_area").unwrap();
    db.connect()
        .execute("CREATE TABLE public.unrelated (id INTEGER PRIMARY KEY)")
        .unwrap();
    let mut config = db.config(SHOP);
    config.schema = Some("shop_area".into());
    command::upgrade(&config, "head").unwrap();
    assert!(
        command::check(&config).unwrap().is_empty(),
        "the public table is not seen"
    );
    assert!(command::drift(&config).unwrap().is_empty());
    let tables = db.strings(
        "SELECT table_schema || '.' || table_name AS v FROM information_schema.tables \
         WHERE table_schema IN ('public', 'shop_area') ORDER BY 1",
    );
    assert_eq!(
        tables,
        [
            "public.unrelated",
            "shop_area.orders",
            "shop_area.products",
            "shop_area.retort_version",
            "shop_area.retort_version_log",
            "shop_area.users"
        ]
    );
}
