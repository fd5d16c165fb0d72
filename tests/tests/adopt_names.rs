//! Adopting a database another tool built (issue 15, "compare by meaning"): unique
//! constraints, foreign keys and indexes the server or another tool named
//! (`makers_code_key`, `items_ibfk_1`, `items_name_idx`) are the model's objects of
//! the same definition when the model leaves them unnamed (their names are the
//! naming convention's), on SQLite, PostgreSQL and MariaDB: the first
//! autogenerate reports nothing, a model edit gives only that edit, and removing
//! such an object drops it by the database's own name.

use retort::model::RenameHints;
use retort::ops::reverse_all;
use retort::schema::{Column, ForeignKey, Index, Schema, ServerDefault, SqlType, Table, Unique};
use retort::Backend;
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

    // `--rename-constraints`: the same objects, under the models' names.
    let hints = RenameHints {
        rename_constraints: true,
        ..Default::default()
    };
    let mut conn = db.connect();
    let renaming = autogenerate::compare_database(&mut conn, &models(), &hints, &user_tables())
        .unwrap()
        .ops;
    let said = summaries(&renaming);
    // Renamed in place where the database can (PostgreSQL: all three; MySQL:
    // indexes and unique constraints), dropped and added again elsewhere.
    let (unique, index, fk) = match db.backend {
        Backend::Postgres => (
            "rename unique constraint `makers_code_key` on `makers` to `uq_makers_code`",
            "rename index `items_name_idx` on `items` to `ix_items_name`",
            "rename foreign key `items_maker_id_fkey` on `items` to `fk_items_maker_id_makers`",
        ),
        Backend::Mysql => (
            "rename unique constraint `code` on `makers` to `uq_makers_code`",
            "rename index `items_name_idx` on `items` to `ix_items_name`",
            "add foreign key `fk_items_maker_id_makers` on `items`",
        ),
        Backend::Sqlite => (
            "add unique constraint `uq_makers_code` on `makers`",
            "add index `ix_items_name` on `items` (name)",
            "add foreign key `fk_items_maker_id_makers` on `items`",
        ),
    };
    for wanted in [unique, index, fk] {
        assert!(said.iter().any(|s| s == wanted), "{wanted}: {said:#?}");
    }
    let before = db.schema();
    command::apply(&mut conn, &renaming).unwrap_or_else(|e| panic!("{e}\n{said:#?}"));
    let after = autogenerate::compare_database(&mut conn, &models(), &hints, &user_tables())
        .unwrap()
        .ops;
    assert!(after.is_empty(), "{:#?}", summaries(&after));
    command::apply(&mut conn, &reverse_all(&renaming).unwrap()).unwrap();
    drop(conn);
    if db.backend != Backend::Sqlite {
        // (SQLite's unnamed constraints come back unnamed, as they were.)
        assert_eq!(
            db.schema(),
            before,
            "the downgrade gives the old names back"
        );
    }
    assert!(ops(db, &models()).is_empty());

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
    let expected: &[&str] = if db.backend == Backend::Sqlite {
        &[
            "remove index `items_name_idx` on `items`",
            "add index `items_by_name` on `items` (name)",
        ]
    } else {
        &["rename index `items_name_idx` on `items` to `items_by_name`"]
    };
    let renamed = ops(db, &named);
    assert_eq!(summaries(&renamed), expected);
    let mut conn = db.connect();
    command::apply(&mut conn, &renamed).unwrap();
    drop(conn);
    assert!(ops(db, &named).is_empty());
}

fn counters(autoincrement: bool) -> Schema {
    let mut id = Column::new("id", SqlType::Integer);
    id.autoincrement = autoincrement;
    let mut s = Schema::new();
    s.insert(
        Table::new("counters")
            .column(id)
            .column(Column::new("n", SqlType::Integer).nullable())
            .primary_key(["id"]),
    );
    s
}

/// Autoincrement is compared: a plain integer key against a counting model is an
/// `alter_column` (PostgreSQL identity, started past the rows; MySQL
/// `AUTO_INCREMENT`), and the reverse takes it away. SQLite's single `INTEGER`
/// key always counts (the rowid): nothing to change there. PostgreSQL's `SERIAL`
/// is the same thing as an identity.
fn autoincrement_is_compared(db: &TestDb) {
    let mut conn = db.connect();
    conn.execute("CREATE TABLE counters (id INTEGER NOT NULL PRIMARY KEY, n INTEGER)")
        .unwrap();
    conn.execute("INSERT INTO counters (id, n) VALUES (1, 10), (2, 20)")
        .unwrap();
    drop(conn);
    let add = ops(db, &counters(true));
    if db.backend == Backend::Sqlite {
        assert!(add.is_empty(), "{:#?}", summaries(&add));
        return;
    }
    assert_eq!(
        summaries(&add),
        ["alter column `counters.id`: autoincrement"]
    );
    let mut conn = db.connect();
    command::apply(&mut conn, &add).unwrap();
    conn.execute("INSERT INTO counters (n) VALUES (30)")
        .unwrap();
    drop(conn);
    assert_eq!(
        db.strings("SELECT 'yes' AS v FROM counters WHERE id = 3 AND n = 30"),
        ["yes"]
    );
    assert!(ops(db, &counters(true)).is_empty());
    // Back: the key no longer counts, and the model that counts sees it again.
    let mut conn = db.connect();
    command::apply(&mut conn, &reverse_all(&add).unwrap()).unwrap();
    assert!(conn
        .execute("INSERT INTO counters (n) VALUES (40)")
        .is_err());
    drop(conn);
    assert!(ops(db, &counters(false)).is_empty());
    assert_eq!(ops(db, &counters(true)).len(), 1);
    if db.backend == Backend::Postgres {
        let mut conn = db.connect();
        conn.execute("CREATE TABLE serials (id SERIAL PRIMARY KEY)")
            .unwrap();
        drop(conn);
        let mut models = counters(false);
        let mut id = Column::new("id", SqlType::Integer);
        id.autoincrement = true;
        models.insert(Table::new("serials").column(id).primary_key(["id"]));
        assert!(
            ops(db, &models).is_empty(),
            "SERIAL is an autoincrement key"
        );
        let mut plain = counters(false);
        plain.insert(
            Table::new("serials")
                .column(Column::new("id", SqlType::Integer))
                .primary_key(["id"]),
        );
        let drop_serial = ops(db, &plain);
        assert_eq!(
            summaries(&drop_serial),
            ["alter column `serials.id`: no autoincrement"]
        );
        let mut conn = db.connect();
        command::apply(&mut conn, &drop_serial).unwrap();
        assert!(conn.execute("INSERT INTO serials DEFAULT VALUES").is_err());
        drop(conn);
        assert!(ops(db, &plain).is_empty());
    }
}

/// Defaults compare by value: a quoted number is the number, a quoted boolean
/// the boolean.
fn literal_defaults_compare_by_value(db: &TestDb) {
    let mut conn = db.connect();
    conn.execute(
        "CREATE TABLE stock (id INTEGER NOT NULL PRIMARY KEY, qty INTEGER DEFAULT '0', \
         price NUMERIC(10, 2) DEFAULT '1.50', code VARCHAR(5) DEFAULT 'x', flag BOOLEAN DEFAULT '1')",
    )
    .unwrap();
    drop(conn);
    let mut s = Schema::new();
    s.insert(
        Table::new("stock")
            .column(Column::new("id", SqlType::Integer))
            .column(
                Column::new("qty", SqlType::Integer)
                    .nullable()
                    .default(ServerDefault::number(0)),
            )
            .column(
                Column::new("price", SqlType::decimal(10, 2))
                    .nullable()
                    .default(ServerDefault::number(1.5)),
            )
            .column(
                Column::new("code", SqlType::Varchar(5))
                    .nullable()
                    .default(ServerDefault::text("x")),
            )
            .column(
                Column::new("flag", SqlType::Boolean)
                    .nullable()
                    .default(ServerDefault::Bool(true)),
            )
            .primary_key(["id"]),
    );
    let found = ops(db, &s);
    assert!(found.is_empty(), "{:#?}", summaries(&found));
}

/// Expression defaults settle after one upgrade: the database is asked how it
/// keeps the model's expression (PostgreSQL prints `substring('name',1,3)` as
/// `"substring"('name'::text, 1, 3)`), whether the table was made by Retort or by
/// hand with the same expression.
fn expression_defaults_settle(db: &TestDb) {
    let mut s = Schema::new();
    s.insert(
        Table::new("labels")
            .column(Column::new("id", SqlType::Integer))
            .column(
                Column::new("code", SqlType::Varchar(10))
                    .nullable()
                    .default(ServerDefault::sql("substring('name',1,3)")),
            )
            .column(
                Column::new("shout", SqlType::Varchar(10))
                    .nullable()
                    .default(ServerDefault::sql("UPPER('x')")),
            )
            .primary_key(["id"]),
    );
    let create = ops(db, &s);
    let mut conn = db.connect();
    command::apply(&mut conn, &create).unwrap();
    drop(conn);
    let again = ops(db, &s);
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    // A different expression is still a change.
    let mut other = s.clone();
    other.tables.get_mut("labels").unwrap().columns[1].default =
        Some(ServerDefault::sql("substring('name',1,4)"));
    assert_eq!(
        summaries(&ops(db, &other)),
        ["alter column `labels.code`: default sql(\"substring('name',1,4)\")"]
    );
    if db.backend == Backend::Postgres {
        let mut conn = db.connect();
        conn.execute(
            "CREATE TABLE stamps (id INTEGER NOT NULL PRIMARY KEY, \
             at TIMESTAMP DEFAULT TIMEZONE('utc', CURRENT_TIMESTAMP))",
        )
        .unwrap();
        drop(conn);
        let mut with_stamps = s.clone();
        with_stamps.insert(
            Table::new("stamps")
                .column(Column::new("id", SqlType::Integer))
                .column(
                    Column::new("at", SqlType::Timestamp)
                        .nullable()
                        .default(ServerDefault::sql("TIMEZONE('utc', CURRENT_TIMESTAMP)")),
                )
                .primary_key(["id"]),
        );
        let found = ops(db, &with_stamps);
        assert!(found.is_empty(), "{:#?}", summaries(&found));
    }
}

on_every_backend!(
    server_named_objects_are_the_models,
    autoincrement_is_compared,
    literal_defaults_compare_by_value,
    expression_defaults_settle
);

/// MySQL/MariaDB columns other tools make for a string, bytes, a date and time
/// (`TEXT`, `MEDIUMTEXT`, `BLOB`, `DATETIME` without fractions, `TIME`) are the
/// model's `String`, `Vec<u8>`, `NaiveDateTime`, `NaiveTime`: nothing to change.
#[test]
fn other_tools_mysql_types_are_the_models() {
    let Some(db) = TestDb::mysql() else {
        return;
    };
    let mut conn = db.connect();
    conn.execute(
        "CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY, body TEXT NOT NULL, \
         longer MEDIUMTEXT, data BLOB, at DATETIME NOT NULL, alarm TIME)",
    )
    .unwrap();
    drop(conn);
    let mut s = Schema::new();
    s.insert(
        Table::new("notes")
            .column(Column::new("id", SqlType::Integer))
            .column(Column::new("body", SqlType::Text))
            .column(Column::new("longer", SqlType::Text).nullable())
            .column(Column::new("data", SqlType::Blob).nullable())
            .column(Column::new("at", SqlType::Timestamp))
            .column(Column::new("alarm", SqlType::Time).nullable())
            .primary_key(["id"]),
    );
    let found = ops(&db, &s);
    assert!(found.is_empty(), "{:#?}", summaries(&found));
}

/// SQLite keeps constraints without names: one the model no longer has is dropped
/// by its definition (a table rebuild), and the downgrade adds it back.
#[test]
fn sqlite_unnamed_constraints_are_dropped_by_definition() {
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    for sql in [
        "CREATE TABLE makers (id INTEGER NOT NULL PRIMARY KEY, code VARCHAR(10) NOT NULL)",
        "CREATE TABLE items (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, \
         maker_id INTEGER, UNIQUE (name), CHECK (length(name) > 0), \
         FOREIGN KEY (maker_id) REFERENCES makers (id))",
        "INSERT INTO makers (id, code) VALUES (1, 'a')",
        "INSERT INTO items (id, name, maker_id) VALUES (1, 'x', 1)",
    ] {
        conn.execute(sql).unwrap();
    }
    drop(conn);
    let before = db.schema();
    let mut bare = Schema::new();
    bare.insert(
        Table::new("makers")
            .column(Column::new("id", SqlType::Integer))
            .column(Column::new("code", SqlType::Varchar(10)))
            .primary_key(["id"]),
    );
    bare.insert(
        Table::new("items")
            .column(Column::new("id", SqlType::Integer))
            .column(Column::new("name", SqlType::Varchar(50)))
            .column(Column::new("maker_id", SqlType::Integer).nullable())
            .primary_key(["id"]),
    );
    let drops = ops(&db, &bare);
    let mut said = summaries(&drops);
    said.sort();
    assert_eq!(
        said,
        [
            "remove unnamed check constraint on `items`",
            "remove unnamed foreign key on `items`",
            "remove unnamed unique constraint on `items`",
        ]
    );
    let mut conn = db.connect();
    command::apply(&mut conn, &drops).unwrap();
    // The foreign key is gone: a row may point nowhere now.
    conn.execute("INSERT INTO items (id, name, maker_id) VALUES (2, 'x', 99)")
        .unwrap();
    conn.execute("DELETE FROM items WHERE id = 2").unwrap();
    drop(conn);
    assert!(ops(&db, &bare).is_empty());
    assert_eq!(db.count("items"), 1);
    let mut conn = db.connect();
    command::apply(&mut conn, &reverse_all(&drops).unwrap()).unwrap();
    drop(conn);
    assert_eq!(db.schema(), before, "the downgrade adds them back");
}

/// A database another tool ran: its history table is named by `current` (with
/// Alembic's revision) and never proposed for dropping; after `stamp head` the
/// models match it.
fn other_tools_history_is_named_and_kept(db: &TestDb) {
    let mut conn = db.connect();
    for sql in [
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO alembic_version (version_num) VALUES ('1975ea83b712')",
        "CREATE TABLE django_migrations (id INTEGER NOT NULL PRIMARY KEY, app VARCHAR(255) NOT NULL)",
    ] {
        conn.execute(sql).unwrap();
    }
    drop(conn);
    let config = db.config(retort::Migrations::EMPTY);
    let state = command::current_state(&config).unwrap();
    let found: Vec<(&str, Vec<String>)> = state
        .other_tools
        .iter()
        .map(|o| (o.tool, o.at.clone()))
        .collect();
    assert_eq!(
        found,
        [
            ("Alembic", vec!["1975ea83b712".to_owned()]),
            ("Django", Vec::new())
        ]
    );
    let mut conn = db.connect();
    let changes = autogenerate::compare_database(
        &mut conn,
        &Schema::new(),
        &RenameHints::default(),
        &autogenerate::table_filter(&config),
    )
    .unwrap();
    assert!(changes.ops.is_empty(), "{:#?}", summaries(&changes.ops));
}

on_every_backend!(other_tools_history_is_named_and_kept);
