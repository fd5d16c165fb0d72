//! Safe mode (`safety = "online"`, `autogenerate --online`): the blocking changes
//! between a database in use and its models become their online variants, split
//! where they must be, and pass the linter; applied on PostgreSQL, a second
//! autogenerate after the backfill makes the new columns NOT NULL through a
//! validated check, and then the models and the database agree.

use retort::model::RenameHints;
use retort::ops::Op;
use retort::types::Uuid;
use retort::{Backend, Model};
use retort_engine::command::{self, RevisionOptions};
use retort_engine::safety::{self, RecordedOp, Server};
use retort_engine::{autogenerate, Config};
use retort_tests::support::user_tables as filter;
use retort_tests::TestDb;

/// A shop.
#[derive(Debug, Model)]
#[model(table = "shops", database = "online", diesel = false)]
pub struct Shop {
    /// Key.
    #[model(primary_key)]
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A sale: everything here but `id`, `day` and `qty`'s type is new to the
/// database.
#[derive(Debug, Model)]
#[model(table = "sales", database = "online", diesel = false)]
pub struct Sale {
    /// Key.
    #[model(primary_key)]
    pub id: i64,
    /// A foreign key added to a table in use.
    #[model(references = Shop)]
    pub shop_id: i64,
    /// NOT NULL now, and checked.
    #[model(check = "qty > 0")]
    pub qty: i32,
    /// A required column added to a table in use.
    pub region: String,
    /// A column with a volatile default.
    #[model(default = gen_random_uuid())]
    pub token: Uuid,
    /// An index built on a table in use.
    #[model(index)]
    pub day: i64,
}

fn config(db: &TestDb) -> Config {
    let mut config = db.config_for(retort::Migrations::EMPTY, "online");
    config.online = true;
    config.run.ddl_lock_timeout = Some(std::time::Duration::from_secs(2));
    config
}

/// The models against the live database.
fn compare(db: &TestDb) -> Vec<Op> {
    let models = retort::model::registered_schema_for("online").unwrap();
    autogenerate::compare_database(
        &mut db.connect(),
        models,
        &RenameHints::default(),
        &filter(),
    )
    .unwrap()
    .ops
}

/// Lints one part as a revision of its own.
fn failing(ops: &[Op]) -> Vec<String> {
    safety::lint(
        &RecordedOp::of(ops),
        Backend::Postgres,
        &Server::default(),
        &[],
        true,
    )
    .into_iter()
    .map(|f| format!("{}: {}", f.rule.map_or("?", |r| r.name()), f.op))
    .collect()
}

#[test]
fn postgres_online_changes_pass_the_linter_and_apply() {
    let Some(db) = TestDb::postgres() else { return };
    let mut conn = db.connect();
    conn.execute(
        "CREATE TABLE shops (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE sales (id BIGINT PRIMARY KEY, shop_id BIGINT NOT NULL, qty INTEGER, day BIGINT NOT NULL);
         INSERT INTO shops VALUES (1, 'north');
         INSERT INTO sales VALUES (1, 1, 2, 20261201), (2, 1, 5, 20261202);",
    )
    .unwrap();

    // The plain comparison breaks the rules that have an online variant.
    let plain = compare(&db);
    let broken = failing(&plain);
    for rule in [
        "adding-foreign-key-constraint",
        "constraint-missing-not-valid",
        "adding-not-nullable-field",
        "adding-required-field",
        "adding-field-with-volatile-default",
        "require-concurrent-index-creation",
    ] {
        assert!(
            broken.iter().any(|f| f.starts_with(rule)),
            "{rule} not in {broken:?}"
        );
    }

    // Online: two parts (the concurrent build after the rest), none breaking a rule.
    let parts = safety::online(&plain, Backend::Postgres);
    assert_eq!(parts.len(), 2, "{parts:?}");
    for part in &parts {
        assert_eq!(failing(&part.ops), Vec::<String>::new(), "{:?}", part.ops);
    }
    assert!(matches!(&parts[1].ops[..], [Op::CreateIndex(c)] if c.concurrently));
    assert_eq!(parts[0].notes.len(), 2, "{:?}", parts[0].notes);
    for part in &parts {
        command::apply(&mut conn, &part.ops).unwrap();
    }

    // What is left: the new columns' NOT NULL, once their rows are filled in.
    conn.execute("UPDATE sales SET region = 'eu', token = gen_random_uuid() WHERE region IS NULL")
        .unwrap();
    let rest = compare(&db);
    assert!(
        rest.iter()
            .all(|op| matches!(op, Op::AlterColumn(a) if a.nullable == Some(false))),
        "{rest:?}"
    );
    assert_eq!(rest.len(), 2, "{rest:?}");
    let parts = safety::online(&rest, Backend::Postgres);
    assert_eq!(parts.len(), 1);
    assert_eq!(failing(&parts[0].ops), Vec::<String>::new());
    command::apply(&mut conn, &parts[0].ops).unwrap();
    assert_eq!(compare(&db), Vec::<Op>::new());
    // The checks that carried NOT NULL are gone; the model's own check stays.
    let checks = db.strings(
        "SELECT conname AS v FROM pg_constraint WHERE contype = 'c' AND conrelid = 'sales'::regclass ORDER BY 1",
    );
    assert_eq!(checks, ["ck_sales_qty"]);
}

#[test]
fn autogenerate_online_writes_the_parts_in_order() {
    let Some(db) = TestDb::postgres() else { return };
    db.connect()
        .execute(
            "CREATE TABLE shops (id BIGINT PRIMARY KEY, name TEXT NOT NULL);
             CREATE TABLE sales (id BIGINT PRIMARY KEY, shop_id BIGINT NOT NULL, qty INTEGER, day BIGINT NOT NULL);",
        )
        .unwrap();
    let written = command::autogenerate(&config(&db), "sales grow", &RevisionOptions::default())
        .unwrap()
        .unwrap();
    assert_eq!(written.then.len(), 1);
    let first = std::fs::read_to_string(&written.path).unwrap();
    let second = std::fs::read_to_string(&written.then[0].path).unwrap();
    assert!(first.contains("//! sales grow (1 of 2)"), "{first}");
    assert!(first.contains("op.not_valid()"), "{first}");
    assert!(first.contains(".create_foreign_key("), "{first}");
    assert!(
        first.contains("op.validate_constraint(\"sales\", \"fk_sales_shop_id_shops\")?;"),
        "{first}"
    );
    assert!(
        first.contains("NOTE: `sales.region` is added nullable"),
        "{first}"
    );
    assert!(second.contains("//! sales grow (2 of 2)"), "{second}");
    assert!(
        second.contains(&format!("//! Revises: {}\n", written.id)),
        "{second}"
    );
    assert!(
        second.contains(&format!("&[\"{}\"]", written.id)),
        "{second}"
    );
    assert!(second.contains("op.concurrently()"), "{second}");
}
