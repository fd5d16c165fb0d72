//! Edges every dialect must handle: 100,000 rows in a few statements, hostile
//! identifiers, names over the database's limit, unreachable servers.

use retort::ops::{BulkInsert, CreateIndex, CreateTable, Op};
use retort::schema::{
    Column, ForeignKey, Index, Schema, ServerDefault, SqlType, Table, Unique, Value,
};
use retort::DatabaseUrl;
use retort::{Backend, Connection};
use retort_engine::command;
use retort_tests::{on_every_backend, TestDb};

fn bulk_insert_of_100_000_rows(db: &TestDb) {
    let table = Table::new("big")
        .column(Column::new("id", SqlType::Integer).autoincrement())
        .column(Column::new("name", SqlType::Varchar(50)))
        .column(Column::new("n", SqlType::BigInt))
        .column(Column::new("ratio", SqlType::Double).nullable())
        .column(Column::new("flag", SqlType::Boolean))
        .primary_key(["id"]);
    let rows: Vec<Vec<Value>> = (0..100_000i64)
        .map(|i| {
            vec![
                Value::from(format!("row '{i}'")),
                Value::from(i),
                if i % 10 == 0 {
                    Value::Null
                } else {
                    Value::from(i as f64 / 4.0)
                },
                Value::from(i % 2 == 0),
            ]
        })
        .collect();
    let mut conn = db.connect();
    command::apply(&mut conn, &[Op::CreateTable(CreateTable { table })]).unwrap();
    let before = conn.queries_sent();
    let insert = Op::BulkInsert(BulkInsert {
        table: "big".into(),
        columns: ["name", "n", "ratio", "flag"].map(String::from).to_vec(),
        rows,
    });
    command::apply(&mut conn, &[insert]).unwrap();
    let statements = conn.queries_sent() - before;
    assert!(statements <= 40, "{statements} statements for 100,000 rows");
    assert_eq!(db.count("big"), 100_000);
    assert_eq!(
        db.strings("SELECT name AS v FROM big WHERE n = 99999"),
        ["row '99999'"]
    );
}

/// Names with quotes of every kind, spaces, reserved words and non-ASCII letters.
fn hostile_schema() -> Schema {
    let mut schema = Schema::new();
    schema.insert(
        Table::new("user")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(
                Column::new("select", SqlType::Varchar(20))
                    .default(ServerDefault::text("it's \"quoted\"")),
            )
            .column(Column::new("naïve col", SqlType::Text).nullable())
            .primary_key(["id"])
            .unique(Unique::new("uq user \"select\"", ["select"])),
    );
    schema.insert(
        Table::new("we\"ird `table`")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("user id", SqlType::Integer))
            .column(Column::new("a'b", SqlType::Varchar(10)).nullable())
            .primary_key(["id"])
            .foreign_key(ForeignKey::new(
                "fk weird→user",
                ["user id"],
                "user",
                ["id"],
            ))
            .index(Index::new("ix weird 'a'", ["a'b"])),
    );
    schema
}

fn hostile_identifiers(db: &TestDb) {
    let schema = hostile_schema();
    let mut conn = db.connect();
    let ops = command::diff(&mut conn, &schema, "retort_version").unwrap();
    assert_eq!(ops.len(), 3, "{ops:?}");
    command::apply(&mut conn, &ops).unwrap();
    let dialect = retort_engine::dialect::of(&conn);
    assert_eq!(db.schema(), dialect.as_stored(&schema));
    let rows = Op::BulkInsert(BulkInsert {
        table: "user".into(),
        columns: vec!["naïve col".into()],
        rows: vec![vec![Value::from("x'); DROP TABLE \"user\"; --")]],
    });
    command::apply(&mut conn, &[rows]).unwrap();
    assert_eq!(
        db.strings(&format!(
            "SELECT {} AS v FROM {}",
            dialect.quote("naïve col"),
            dialect.quote("user")
        )),
        ["x'); DROP TABLE \"user\"; --"]
    );
    assert!(command::diff(&mut conn, &schema, "retort_version")
        .unwrap()
        .is_empty());
    let back = retort::ops::reverse_all(&ops).unwrap();
    command::apply(&mut conn, &back).unwrap();
    assert!(db.tables().is_empty());
}

fn names_over_the_limit_are_refused_before_anything_runs(db: &TestDb) {
    let long = "t".repeat(70);
    let mut conn = db.connect();
    let create = Op::CreateTable(CreateTable {
        table: Table::new(long.clone())
            .column(Column::new("id", SqlType::Integer))
            .primary_key(["id"]),
    });
    let result = command::apply(&mut conn, &[create]);
    match db.backend {
        Backend::Sqlite => {
            // SQLite has no limit.
            result.unwrap();
        }
        Backend::Postgres => assert_eq!(
            result.unwrap_err().to_string(),
            format!("table name `{long}` is 70 bytes long; postgresql allows at most 63")
        ),
        Backend::Mysql => assert_eq!(
            result.unwrap_err().to_string(),
            format!("table name `{long}` is 70 bytes long; mysql allows at most 64")
        ),
    }
    let index = Op::CreateIndex(CreateIndex {
        table: "anything".into(),
        index: Index::new("", ["id"]),
        concurrently: false,
    });
    let err = command::apply(&mut conn, &[index]).unwrap_err();
    assert_eq!(err.to_string(), "index name `` is empty");
}

on_every_backend!(
    bulk_insert_of_100_000_rows,
    hostile_identifiers,
    names_over_the_limit_are_refused_before_anything_runs
);

#[test]
fn connection_errors_name_the_url_with_the_password_masked() {
    for url in [
        "postgres://postgres:s3cret@127.0.0.1:1/nowhere",
        "mysql://root:s3cret@127.0.0.1:1/nowhere",
    ] {
        let err = Connection::establish(&DatabaseUrl::parse(url).unwrap())
            .unwrap_err()
            .to_string();
        let masked = url.replace("s3cret", "***");
        assert!(
            err.starts_with(&format!("cannot connect to `{masked}`: ")),
            "{err}"
        );
        assert!(!err.contains("s3cret"), "{err}");
    }
    // Passwords with a raw `@`, `:` or `#`, and a host the drivers cannot
    // resolve: neither our messages nor the drivers' show any of it.
    for (url, secret) in [
        (
            "postgres://postgres:p@ss:w#rd@no-such-host.invalid/x",
            "ss:w",
        ),
        ("mysql://root:p@ss:w#rd@no-such-host.invalid/x", "ss:w"),
        (
            "postgres://postgres:p%40ss%2Fw@no-such-host.invalid/x",
            "ss/w",
        ),
    ] {
        let err = match DatabaseUrl::parse(url) {
            Ok(parsed) => Connection::establish(&parsed).unwrap_err().to_string(),
            Err(e) => e.to_string(),
        };
        assert!(
            !err.contains(secret) && !err.contains("p%40"),
            "{url}: {err}"
        );
        assert!(err.contains(":***@"), "{url}: {err}");
    }
    let err = Connection::establish(&DatabaseUrl::parse("sqlite:///no/such/folder/x.db").unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "database URL `sqlite:///no/such/folder/x.db`: folder /no/such/folder does not exist"
    );
}

/// SQLite's `REFERENCES parents` (no column) means the parent's primary key, read
/// from the parent even when only the child is introspected (as an online op that
/// rebuilds the child does); otherwise the rebuild would write `REFERENCES "p" ()`.
#[test]
fn sqlite_references_without_columns_name_the_parent_key() {
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    conn.execute("CREATE TABLE parents (code TEXT PRIMARY KEY)")
        .unwrap();
    conn.execute("CREATE TABLE children (id INTEGER PRIMARY KEY, parent_code TEXT REFERENCES parents, note TEXT)")
        .unwrap();
    let child = retort_engine::introspect::table(&mut conn, "children")
        .unwrap()
        .unwrap();
    assert_eq!(child.foreign_keys.len(), 1);
    assert_eq!(child.foreign_keys[0].ref_table, "parents");
    assert_eq!(child.foreign_keys[0].ref_columns, ["code"]);

    // An op that rebuilds the child keeps the key.
    command::apply(
        &mut conn,
        &[retort::ops::Op::DropColumn(retort::ops::DropColumn {
            table: "children".into(),
            name: "note".into(),
            existing: None,
        })],
    )
    .unwrap();
    let child = retort_engine::introspect::table(&mut conn, "children")
        .unwrap()
        .unwrap();
    assert_eq!(child.foreign_keys[0].ref_columns, ["code"]);
    assert_eq!(
        child
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["id", "parent_code"]
    );
}
