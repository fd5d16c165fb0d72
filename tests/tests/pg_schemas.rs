//! Several PostgreSQL schemas in one database (`#[model(schema = "billing")]`):
//! tables created in their schemas (`CREATE SCHEMA IF NOT EXISTS` first),
//! foreign keys across schemas, introspection over the schemas the models name
//! (tables read as `schema.table`), one change = one op, a table moved between
//! schemas by a rename hint and back, the version table in a schema of its own
//! (`version_table_schema`), diesel queries on a qualified table; refused on
//! MySQL/MariaDB and SQLite, naming the table and the schema.

use diesel::prelude::*;
use retort::model::{registered_schema_for, RenameHints};
use retort::ops::reverse_all;
use retort::schema::{Column, SqlType};
use retort::{Backend, Model};
use retort_engine::introspect::Filter;
use retort_engine::{autogenerate, command};
use retort_tests::support::{comparable, summaries, user_tables};
use retort_tests::{fixture, on_every_backend, with_diesel, TestDb};

/// Who is billed, in the connection's current schema.
#[derive(Model)]
#[model(table = "sc_customers", database = "pg_schemas")]
pub struct Customer {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Name.
    pub name: String,
}

/// A table of the current schema with the same name as one in `billing`.
#[derive(Model)]
#[model(table = "sc_invoices", database = "pg_schemas", diesel = false)]
pub struct Draft {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Free text.
    pub body: Option<String>,
}

/// An invoice, in schema `billing`.
#[derive(Model, Queryable, Insertable)]
#[model(table = "sc_invoices", schema = "billing", database = "pg_schemas")]
#[diesel(table_name = sc_invoices)]
pub struct Invoice {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Its number, unique in the schema.
    #[model(unique, max_length = 20)]
    pub number: String,
    /// Whose (a key into the current schema).
    #[model(references = Customer, index)]
    pub customer_id: i32,
    /// The sum.
    #[model(check = "total >= 0")]
    pub total: i64,
}

/// A line of an invoice, in `billing` too.
#[derive(Model)]
#[model(
    table = "sc_lines",
    schema = "billing",
    database = "pg_schemas",
    diesel = false
)]
#[model(index(columns(invoice_id, amount desc)))]
pub struct Line {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Which invoice.
    #[model(references = Invoice, on_delete = "cascade")]
    pub invoice_id: i32,
    /// How much.
    pub amount: i64,
}

/// What happened to an invoice, in schema `audit` (a key into `billing`).
#[derive(Model)]
#[model(
    table = "sc_events",
    schema = "audit",
    database = "pg_schemas",
    diesel = false
)]
pub struct Event {
    /// Key.
    #[model(primary_key)]
    pub id: i64,
    /// Which invoice.
    #[model(references = Invoice)]
    pub invoice_id: i32,
}

/// Every schema the test reads.
fn everything() -> Filter {
    Filter {
        schemas: vec!["billing".into(), "audit".into(), "archive".into()],
        ..user_tables()
    }
}

fn read(db: &TestDb) -> retort::schema::Schema {
    retort_engine::introspect::read(&mut db.connect(), &everything()).unwrap()
}

fn schemas(db: &TestDb) {
    let _ = (
        Customer::meta(),
        Draft::meta(),
        Invoice::meta(),
        Line::meta(),
        Event::meta(),
    );
    let models = registered_schema_for("pg_schemas").unwrap();
    assert_eq!(Invoice::meta().table, "billing.sc_invoices");
    let lines = &models.tables["billing.sc_lines"];
    assert_eq!(lines.foreign_keys[0].ref_table, "billing.sc_invoices");
    // Generated names use the table's name within its schema.
    assert_eq!(
        lines.foreign_keys[0].name.as_deref(),
        Some("fk_sc_lines_invoice_id_sc_invoices")
    );
    assert_eq!(models.schemas(), ["audit", "billing"]);
    if db.backend != Backend::Postgres {
        let err = db.compare(models).unwrap_err().to_string();
        assert!(
            err.contains("`audit.sc_events` in schema `audit`") && err.contains("only PostgreSQL"),
            "{err}"
        );
        return;
    }
    let mut conn = db.connect();
    let create = db.compare(models).unwrap();
    let dialect = retort_engine::dialect::of(&conn);
    let sql: Vec<String> = create
        .iter()
        .flat_map(|op| dialect.op_sql(op, None).unwrap())
        .collect();
    assert!(
        sql.iter()
            .any(|s| s == "CREATE SCHEMA IF NOT EXISTS \"billing\""),
        "{sql:#?}"
    );
    command::apply(&mut conn, &create).unwrap();
    let again = db.compare(models).unwrap();
    assert!(again.is_empty(), "{:#?}", summaries(&again));

    // Read back under their qualified names, keys across schemas included.
    let live = read(db);
    let names: Vec<&str> = live.table_names().collect();
    assert_eq!(
        names,
        [
            "audit.sc_events",
            "billing.sc_invoices",
            "billing.sc_lines",
            "sc_customers",
            "sc_invoices"
        ]
    );
    let events = &live.tables["audit.sc_events"];
    assert_eq!(events.foreign_keys[0].ref_table, "billing.sc_invoices");
    assert_eq!(
        live.tables["billing.sc_invoices"].foreign_keys[0].ref_table,
        "sc_customers"
    );
    assert_eq!(
        db.schema().table_names().count(),
        2,
        "the current schema alone"
    );
    assert_eq!(
        db.strings(
            "SELECT schemaname || '.' || indexname AS v FROM pg_indexes \
             WHERE indexname LIKE 'ix_sc_%' ORDER BY v"
        ),
        [
            "billing.ix_sc_invoices_customer_id",
            "billing.ix_sc_lines_invoice_id_amount"
        ]
    );

    // The keys hold across schemas; diesel names the qualified table.
    conn.execute("INSERT INTO sc_customers (id, name) VALUES (1, 'Ada')")
        .unwrap();
    let invoice = Invoice {
        id: 7,
        number: "2026-001".into(),
        customer_id: 1,
        total: 120,
    };
    with_diesel!(&mut conn, |c| diesel::insert_into(sc_invoices::table)
        .values(&invoice)
        .execute(c));
    let loaded: Vec<Invoice> = with_diesel!(&mut conn, |c| sc_invoices::table.load(c));
    assert_eq!(loaded[0].number, "2026-001");
    assert!(conn
        .execute("INSERT INTO audit.sc_events (id, invoice_id) VALUES (1, 8)")
        .is_err());
    conn.execute("INSERT INTO audit.sc_events (id, invoice_id) VALUES (1, 7)")
        .unwrap();
    assert_eq!(
        db.count("sc_invoices"),
        0,
        "the current schema's table is another"
    );

    // One change in a schema: exactly its op, settled, reversed.
    let before = comparable(read(db));
    let mut changed = models.clone();
    changed
        .tables
        .get_mut("billing.sc_invoices")
        .unwrap()
        .columns
        .push(Column::new("note", SqlType::Text).nullable());
    changed
        .tables
        .get_mut("billing.sc_lines")
        .unwrap()
        .indexes
        .clear();
    let change = db.compare(&changed).unwrap();
    assert_eq!(
        summaries(&change),
        [
            "add column `billing.sc_invoices.note`",
            "remove index `ix_sc_lines_invoice_id_amount` on `billing.sc_lines`"
        ]
    );
    command::apply(&mut conn, &change).unwrap();
    assert!(db.compare(&changed).unwrap().is_empty());
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    assert_eq!(comparable(read(db)), before);

    // A table moved to another schema by a rename hint, rows kept, and back.
    let mut moved = models.clone();
    let mut customers = moved.tables.remove("sc_customers").unwrap();
    customers.name = "archive.sc_customers".into();
    moved.tables.insert(customers.name.clone(), customers);
    for table in moved.tables.values_mut() {
        for fk in &mut table.foreign_keys {
            if fk.ref_table == "sc_customers" {
                fk.ref_table = "archive.sc_customers".into();
            }
        }
    }
    let mut hints = RenameHints::default();
    hints
        .tables
        .insert("archive.sc_customers".into(), "sc_customers".into());
    let move_ops = autogenerate::compare_database(&mut conn, &moved, &hints, &user_tables())
        .unwrap()
        .ops;
    assert_eq!(
        summaries(&move_ops),
        ["rename table `sc_customers` to `archive.sc_customers`"]
    );
    command::apply(&mut conn, &move_ops).unwrap();
    assert_eq!(
        db.strings("SELECT name AS v FROM archive.sc_customers"),
        ["Ada"]
    );
    assert!(autogenerate::compare_database(
        &mut conn,
        &moved,
        &RenameHints::default(),
        &user_tables()
    )
    .unwrap()
    .ops
    .is_empty());
    command::apply(&mut conn, &reverse_all(&move_ops).unwrap()).unwrap();
    assert_eq!(db.strings("SELECT name AS v FROM sc_customers"), ["Ada"]);
    assert_eq!(comparable(read(db)), before);

    // The model may name the current schema: it is the bare table.
    let mut explicit = models.clone();
    let mut customers = explicit.tables.remove("sc_customers").unwrap();
    customers.name = "public.sc_customers".into();
    explicit.tables.insert(customers.name.clone(), customers);
    assert!(db.compare(&explicit).unwrap().is_empty());

    // The last model of a schema gone: its table is dropped where the project
    // owns the schema (`include_schemas`); otherwise the schema is not read.
    let mut fewer = models.clone();
    fewer.tables.remove("audit.sc_events");
    assert!(db.compare(&fewer).unwrap().is_empty());
    let owned = Filter {
        schemas: vec!["audit".into()],
        ..user_tables()
    };
    let drop = autogenerate::compare_database(&mut conn, &fewer, &RenameHints::default(), &owned)
        .unwrap()
        .ops;
    assert_eq!(summaries(&drop), ["remove table `audit.sc_events`"]);

    conn.execute(
        "DELETE FROM audit.sc_events; DELETE FROM billing.sc_invoices; DELETE FROM sc_customers",
    )
    .unwrap();
    command::apply(&mut conn, &reverse_all(&create).unwrap()).unwrap();
    assert!(read(db).tables.is_empty());
}

on_every_backend!(schemas);

/// The version table, its log and its step table in a schema of their own; the
/// run's tables where the revisions put them.
#[test]
fn version_table_in_a_schema() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let mut config = db.config(fixture("linear").unwrap());
    config.version_table = "meta.retort_version".into();
    command::upgrade(&config, "head").unwrap();
    let heads = db.strings("SELECT version_num AS v FROM meta.retort_version");
    assert_eq!(heads.len(), 1);
    assert_eq!(
        db.strings(
            "SELECT table_schema || '.' || table_name AS v FROM information_schema.tables \
             WHERE table_name LIKE 'retort_version%' ORDER BY v"
        ),
        ["meta.retort_version", "meta.retort_version_log"]
    );
    assert_eq!(command::current(&config).unwrap().len(), 1);
    // Nothing of Retort's own is a user table, so nothing is to drop.
    let mut filter = autogenerate::table_filter(&config);
    filter.schemas.push("meta".into());
    let live = retort_engine::introspect::read(&mut db.connect(), &filter).unwrap();
    assert!(
        live.tables.keys().all(|t| !t.contains("retort_version")),
        "{:?}",
        live.tables.keys()
    );
    command::downgrade(&config, "base").unwrap();
    assert!(db
        .strings("SELECT version_num AS v FROM meta.retort_version")
        .is_empty());

    // Elsewhere the version table cannot be in a schema.
    let sqlite = TestDb::sqlite();
    let mut config = sqlite.config(fixture("linear").unwrap());
    config.version_table = "meta.retort_version".into();
    let err = command::upgrade(&config, "head").unwrap_err().to_string();
    assert!(err.contains("version_table_schema"), "{err}");
}
