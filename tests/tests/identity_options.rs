//! Identity options (`identity(always, start = .., increment = ..)`) on an
//! autoincrementing key: PostgreSQL's `GENERATED ALWAYS|BY DEFAULT AS IDENTITY
//! (START WITH .. INCREMENT BY ..)`, created, enforced, read back, altered in
//! place and restored; refused on MySQL/MariaDB and SQLite, naming the column.

use retort::model::registered_schema_for;
use retort::ops::reverse_all;
use retort::schema::Identity;
use retort::{Backend, Model};
use retort_engine::command;
use retort_tests::support::{comparable, summaries};
use retort_tests::{on_every_backend, TestDb};

/// Invoices numbered from 1000 by tens, by the database only.
#[derive(Model)]
#[model(table = "id_invoices", database = "identity", diesel = false)]
pub struct Invoice {
    /// The number.
    #[model(primary_key, identity(always, start = 1000, increment = 10))]
    pub id: i64,
    /// Whose.
    pub customer: String,
}

fn identity_options(db: &TestDb) {
    let _ = Invoice::meta();
    let models = registered_schema_for("identity").unwrap();
    let id = models.tables["id_invoices"].get_column("id").unwrap();
    assert!(id.autoincrement);
    assert_eq!(
        id.identity,
        Some(Identity {
            always: true,
            start: Some(1000),
            increment: Some(10)
        })
    );
    if db.backend != Backend::Postgres {
        let err = db.compare(models).unwrap_err().to_string();
        assert!(
            err.contains("`id_invoices.id`") && err.contains("identity options are PostgreSQL's"),
            "{err}"
        );
        return;
    }
    let mut conn = db.connect();
    let create = db.compare(models).unwrap();
    command::apply(&mut conn, &create).unwrap();
    let again = db.compare(models).unwrap();
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    assert_eq!(
        db.schema().tables["id_invoices"]
            .get_column("id")
            .unwrap()
            .identity,
        id.identity
    );
    conn.execute("INSERT INTO id_invoices (customer) VALUES ('a'), ('b')")
        .unwrap();
    assert_eq!(
        db.strings("SELECT id::text AS v FROM id_invoices ORDER BY id"),
        ["1000", "1010"]
    );
    // ALWAYS: the database alone numbers them.
    assert!(conn
        .execute("INSERT INTO id_invoices (id, customer) VALUES (5, 'c')")
        .is_err());

    // By default, from 1 by 1: one alter_column, in place, reversible.
    let before = comparable(db.schema());
    let mut plain = models.clone();
    plain
        .tables
        .get_mut("id_invoices")
        .unwrap()
        .columns
        .iter_mut()
        .find(|c| c.name == "id")
        .unwrap()
        .identity = None;
    let change = db.compare(&plain).unwrap();
    assert_eq!(
        summaries(&change),
        ["alter column `id_invoices.id`: default identity"]
    );
    command::apply(&mut conn, &change).unwrap();
    assert!(db.compare(&plain).unwrap().is_empty());
    conn.execute("INSERT INTO id_invoices (id, customer) VALUES (5, 'c')")
        .unwrap();
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    assert_eq!(comparable(db.schema()), before);
    assert!(db.compare(models).unwrap().is_empty());

    command::apply(&mut conn, &reverse_all(&create).unwrap()).unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(identity_options);
