//! Filters beyond tables, as Alembic's `include_object`/`include_name`: columns
//! (`exclude_columns`, `table.column` or `column` patterns) and indexes or
//! constraints by name (`exclude_objects`) are left out of both sides of the
//! comparison, on the three databases; through `Retort.toml` and the CLI flags.

use retort::model::RenameHints;
use retort::schema::{Column, Index, Schema, SqlType, Table, Unique};
use retort_engine::introspect::Filter;
use retort_engine::{autogenerate, command};
use retort_tests::support::summaries;
use retort_tests::{on_every_backend, TestDb};

fn models() -> Schema {
    let mut schema = Schema::new();
    schema.insert(
        Table::new("fl_users")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("email", SqlType::Varchar(80)))
            .column(Column::new("nickname", SqlType::Varchar(40)).nullable())
            .primary_key(["id"])
            .unique(Unique::new("uq_fl_users_email", ["email"])),
    );
    schema
}

fn filter(columns: &[&str], objects: &[&str]) -> Filter {
    Filter {
        exclude: vec!["retort_version*".into()],
        exclude_columns: columns.iter().map(|s| (*s).to_owned()).collect(),
        exclude_objects: objects.iter().map(|s| (*s).to_owned()).collect(),
        ..Filter::default()
    }
}

fn ops(db: &TestDb, models: &Schema, filter: &Filter) -> Vec<String> {
    let mut conn = db.connect();
    let changes =
        autogenerate::compare_database(&mut conn, models, &RenameHints::default(), filter).unwrap();
    summaries(&changes.ops)
}

fn columns_and_objects_are_left_out(db: &TestDb) {
    let models = models();
    let mut conn = db.connect();
    let create = autogenerate::compare_database(
        &mut conn,
        &models,
        &RenameHints::default(),
        &filter(&[], &[]),
    )
    .unwrap();
    command::apply(&mut conn, &create.ops).unwrap();
    // What a DBA or another tool added by hand: a column, an index on it, an
    // index of their own.
    for sql in [
        "ALTER TABLE fl_users ADD COLUMN legacy_score INTEGER",
        "CREATE INDEX ix_legacy_score ON fl_users (legacy_score)",
        "CREATE INDEX dba_email_lookup ON fl_users (email, id)",
    ] {
        conn.execute(sql).unwrap();
    }
    assert_eq!(
        ops(db, &models, &filter(&[], &[])),
        [
            "remove index `dba_email_lookup` on `fl_users`",
            "remove index `ix_legacy_score` on `fl_users`",
            "remove column `fl_users.legacy_score`",
        ]
    );
    // Left out, they are not the models' to drop.
    let both = filter(&["fl_users.legacy_*"], &["dba_*"]);
    assert_eq!(ops(db, &models, &both), Vec::<String>::new());
    // A bare column pattern matches in any table.
    assert_eq!(
        ops(
            db,
            &models,
            &filter(&["legacy_score"], &["dba_email_lookup"])
        ),
        Vec::<String>::new()
    );
    // Model side: an excluded column or index is not added either.
    let mut more = models.clone();
    let users = more.tables.get_mut("fl_users").unwrap();
    users
        .columns
        .push(Column::new("search_vector", SqlType::Text).nullable());
    users.indexes.push(Index::new("dba_nickname", ["nickname"]));
    let both = filter(&["fl_users.legacy_*", "*.search_vector"], &["dba_*"]);
    assert_eq!(ops(db, &more, &both), Vec::<String>::new());
    // Without the filter, exactly those objects differ.
    let unfiltered = ops(db, &more, &filter(&["fl_users.legacy_*"], &[]));
    assert_eq!(
        unfiltered,
        [
            "remove index `dba_email_lookup` on `fl_users`",
            "add column `fl_users.search_vector`",
            "add index `dba_nickname` on `fl_users` (nickname)",
        ]
    );
}

on_every_backend!(columns_and_objects_are_left_out);

#[test]
fn patterns() {
    let f = filter(&["users.legacy_*", "tmp_*"], &["*_trgm"]);
    assert!(f.excludes_column("users", "legacy_flag"));
    assert!(!f.excludes_column("orders", "legacy_flag"));
    assert!(f.excludes_column("orders", "tmp_x"));
    assert!(f.excludes_object("users_name_trgm"));
    assert!(!f.excludes_object("users_name_idx"));
}
