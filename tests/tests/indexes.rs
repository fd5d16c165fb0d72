//! Indexes as real schemas have them: per-key order and NULLs placement,
//! partial (`where = ..`) and expression indexes, methods (`using = ..`) with
//! operator classes, covering `include(..)`, `nulls_not_distinct`, MySQL prefix
//! lengths and full-text indexes. Each database's model is created from an empty
//! database, enforced, read back as written (expressions and predicates compared
//! in the server's own form), changed one index at a time and restored; what a
//! database lacks is refused with the index, the attribute and the database
//! named.

use retort::model::registered_schema_for;
use retort::ops::{reverse_all, CreateIndex, Op};
use retort::schema::{Index, IndexKey, NullsOrder, Schema};
use retort::{Backend, Model};
use retort_engine::command;
use retort_engine::dialect::{Dialect, Mysql, Postgres, Sqlite};
use retort_tests::support::{comparable, summaries};
use retort_tests::{on_every_backend, TestDb};

/// Orders, with everything PostgreSQL's indexes can say.
#[derive(Model)]
#[model(
    table = "ixp_orders",
    database = "indexes_pg",
    diesel = false,
    index(columns(placed_at desc nulls last, id)),
    index(
        name = "ixp_orders_open_email",
        columns("lower(email)"),
        unique,
        where = "status = 'open'"
    ),
    index(name = "ixp_orders_code_pattern", columns(code opclass = "text_pattern_ops")),
    index(name = "ixp_orders_customer_covering", columns(customer_id), include(total)),
    index(columns(status), using = "hash"),
    index(columns(region, code), unique, nulls_not_distinct),
    index(name = "ixp_orders_placed_brin", columns(placed_at), using = "brin")
)]
pub struct PgOrder {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// Whose.
    #[model(max_length = 100)]
    pub email: String,
    /// A code, searched by prefix.
    pub code: String,
    /// The customer.
    pub customer_id: i32,
    /// Total, read with the customer.
    pub total: i64,
    /// `open` or `closed`.
    #[model(max_length = 10)]
    pub status: String,
    /// Region, when known.
    pub region: Option<String>,
    /// When.
    pub placed_at: i64,
}

/// Orders, with what SQLite's indexes can say.
#[derive(Model)]
#[model(
    table = "ixs_orders",
    database = "indexes_sqlite",
    diesel = false,
    index(columns(placed_at desc, id)),
    index(
        name = "ixs_orders_open_email",
        columns("lower(email)"),
        unique,
        where = "status = 'open'"
    ),
    index(columns(customer_id), where = "deleted_at IS NULL")
)]
pub struct SqliteOrder {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// Whose.
    pub email: String,
    /// The customer.
    pub customer_id: i32,
    /// `open` or `closed`.
    pub status: String,
    /// When.
    pub placed_at: i64,
    /// When it was deleted.
    pub deleted_at: Option<i64>,
}

/// Articles, with what MySQL's indexes can say.
#[derive(Model)]
#[model(
    table = "ixm_articles",
    database = "indexes_mysql",
    diesel = false,
    index(columns(published desc, id)),
    index(name = "ixm_articles_title_prefix", columns(title(10)), unique),
    index(name = "ixm_articles_body_text", columns(body), using = "fulltext"),
    index(columns(author), using = "hash")
)]
pub struct MysqlArticle {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// Title; unique on its first ten characters.
    #[model(max_length = 200)]
    pub title: String,
    /// Body, searched by words.
    pub body: String,
    /// Author.
    #[model(max_length = 50)]
    pub author: String,
    /// Publication, newest first.
    pub published: i64,
}

/// One edit to an index, named.
type Change = (&'static str, Box<dyn Fn(&mut Index)>);

fn models(backend: Backend) -> &'static Schema {
    let _ = (PgOrder::meta(), SqliteOrder::meta(), MysqlArticle::meta());
    registered_schema_for(match backend {
        Backend::Postgres => "indexes_pg",
        Backend::Sqlite => "indexes_sqlite",
        Backend::Mysql => "indexes_mysql",
    })
    .unwrap()
}

fn index<'a>(schema: &'a Schema, table: &str, name: &str) -> &'a Index {
    schema.tables[table]
        .get_index(name)
        .unwrap_or_else(|| panic!("{table} has no index {name}: {:#?}", schema.tables[table]))
}

/// The model says what each attribute says.
#[test]
fn the_derive_reads_every_attribute() {
    let pg = models(Backend::Postgres);
    let first = index(pg, "ixp_orders", "ix_ixp_orders_placed_at_id");
    assert_eq!(
        first.columns,
        [
            IndexKey::column("placed_at").desc().nulls_last(),
            IndexKey::column("id")
        ]
    );
    let email = index(pg, "ixp_orders", "ixp_orders_open_email");
    assert_eq!(email.columns, [IndexKey::expr("lower(email)")]);
    assert!(email.unique);
    assert_eq!(email.predicate.as_deref(), Some("status = 'open'"));
    assert_eq!(
        index(pg, "ixp_orders", "ixp_orders_code_pattern").columns[0]
            .opclass
            .as_deref(),
        Some("text_pattern_ops")
    );
    assert_eq!(
        index(pg, "ixp_orders", "ixp_orders_customer_covering").include,
        ["total"]
    );
    assert_eq!(
        index(pg, "ixp_orders", "ix_ixp_orders_status")
            .using
            .as_deref(),
        Some("hash")
    );
    assert!(index(pg, "ixp_orders", "ix_ixp_orders_region_code").nulls_not_distinct);
    let my = models(Backend::Mysql);
    assert_eq!(
        index(my, "ixm_articles", "ixm_articles_title_prefix").columns,
        [IndexKey::column("title").length(10)]
    );
}

/// What `--sql` and the upgrade send, per database.
#[test]
fn create_index_sql_per_database() {
    let op = |table: &str, index: Index| CreateIndex {
        table: table.to_owned(),
        index,
        concurrently: false,
    };
    let pg = Postgres.create_index_sql(&op(
        "orders",
        Index::new(
            "ix_orders_open",
            [
                IndexKey::column("placed_at").desc().nulls_last(),
                IndexKey::expr("lower(email)"),
            ],
        )
        .unique()
        .include(["total"])
        .nulls_not_distinct()
        .partial("status = 'open'"),
    ));
    assert_eq!(
        pg.unwrap(),
        [
            "CREATE UNIQUE INDEX \"ix_orders_open\" ON \"orders\" (\"placed_at\" DESC NULLS LAST, \
             (lower(email))) INCLUDE (\"total\") NULLS NOT DISTINCT WHERE status = 'open'"
        ]
    );
    let gin = Postgres.create_index_sql(&op(
        "docs",
        Index::new(
            "ix_docs_body",
            [IndexKey::column("body").opclass("jsonb_path_ops")],
        )
        .using("gin"),
    ));
    assert_eq!(
        gin.unwrap(),
        ["CREATE INDEX \"ix_docs_body\" ON \"docs\" USING gin (\"body\" jsonb_path_ops)"]
    );
    let my = Mysql.create_index_sql(&op(
        "articles",
        Index::new("ix_title", [IndexKey::column("title").length(10).desc()]).using("hash"),
    ));
    assert_eq!(
        my.unwrap(),
        ["CREATE INDEX `ix_title` USING HASH ON `articles` (`title`(10) DESC)"]
    );
    let text = Mysql.create_index_sql(&op(
        "articles",
        Index::new("ix_body", ["body"]).using("fulltext"),
    ));
    assert_eq!(
        text.unwrap(),
        ["CREATE FULLTEXT INDEX `ix_body` ON `articles` (`body`)"]
    );
    let lite = Sqlite.create_index_sql(&op(
        "orders",
        Index::new("ix_lower", [IndexKey::expr("lower(email)").desc()]).partial("id > 0"),
    ));
    assert_eq!(
        lite.unwrap(),
        ["CREATE INDEX \"ix_lower\" ON \"orders\" ((lower(email)) DESC) WHERE id > 0"]
    );
}

/// On MySQL a unique index is a unique constraint; `USING HASH`, which InnoDB
/// ignores, does not make it another object.
#[test]
fn a_hash_unique_index_is_the_unique_constraint_on_mysql() {
    use retort::schema::{Column, SqlType, Table, Unique};
    let table = |t: Table| {
        let mut s = Schema::default();
        s.insert(
            t.column(Column::new("id", SqlType::Integer))
                .column(Column::new("a", SqlType::Integer))
                .primary_key(["id"]),
        );
        s
    };
    let live = table(Table::new("t").unique(Unique::new("uq_t_a", ["a"])));
    let model = table(Table::new("t").index(Index::new("uq_t_a", ["a"]).unique().using("hash")));
    let changes = retort_engine::autogenerate::compare_schemas(
        &live,
        &model,
        &retort::model::RenameHints::default(),
        &Mysql,
        &retort_engine::introspect::Filter::default(),
    );
    assert!(changes.ops.is_empty(), "{:#?}", summaries(&changes.ops));
}

/// Each database refuses what it does not have, naming the index, the
/// attribute and itself.
#[test]
fn refusals_name_the_index_and_the_attribute() {
    let op = |index: Index| CreateIndex {
        table: "orders".to_owned(),
        index,
        concurrently: false,
    };
    let cases: Vec<(&dyn Dialect, Index, &str)> = vec![
        (
            &Mysql,
            Index::new("ix_a", ["a"]).partial("a > 0"),
            "MySQL and MariaDB have no partial indexes",
        ),
        (
            &Mysql,
            Index::new("ix_a", [IndexKey::expr("lower(a)")]),
            "add a generated column holding the expression",
        ),
        (
            &Mysql,
            Index::new("ix_a", [IndexKey::column("a").nulls_last()]),
            "only PostgreSQL places NULLs",
        ),
        (
            &Sqlite,
            Index::new("ix_a", ["a"]).include(["b"]),
            "INCLUDE is PostgreSQL's",
        ),
        (
            &Sqlite,
            Index::new("ix_a", ["a"]).using("gin"),
            "this database has one index method",
        ),
        (
            &Sqlite,
            Index::new("ix_a", [IndexKey::column("a").opclass("text_pattern_ops")]),
            "operator classes are PostgreSQL's",
        ),
        (
            &Postgres,
            Index::new("ix_a", [IndexKey::column("a").length(4)]),
            "prefix lengths are MySQL's",
        ),
        (
            &Mysql,
            Index::new("ix_a", ["a"]).unique().nulls_not_distinct(),
            "NULLS NOT DISTINCT is PostgreSQL's",
        ),
        (
            &Postgres,
            Index::new("ix_a", ["a"]).using("fulltext"),
            "index methods are btree, hash, gin, gist, brin, spgist",
        ),
    ];
    for (dialect, index, hint) in cases {
        let err = dialect
            .create_index_sql(&op(index))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`ix_a` on `orders`")
                && err.contains(hint)
                && err.contains(dialect.name()),
            "{}: {err}",
            dialect.name()
        );
    }
}

/// The other databases' models on this one, where they say what it lacks:
/// refused before anything runs (PostgreSQL has all SQLite's model says).
fn foreign_models_are_refused(db: &TestDb) {
    let lacking: &[Backend] = match db.backend {
        Backend::Postgres => &[Backend::Mysql],
        Backend::Sqlite => &[Backend::Postgres, Backend::Mysql],
        Backend::Mysql => &[Backend::Postgres, Backend::Sqlite],
    };
    for &backend in lacking {
        let err = db.compare(models(backend)).map(|ops| summaries(&ops));
        let err = match err {
            Err(e) => e.to_string(),
            Ok(ops) => panic!("{backend:?}'s model accepted on {:?}: {ops:#?}", db.backend),
        };
        assert!(err.contains("create index"), "{err}");
    }
}

on_every_backend!(foreign_models_are_refused);

/// Created from an empty database, read back as written, enforced, changed one
/// index at a time and restored.
fn indexes_round_trip(db: &TestDb) {
    let models = models(db.backend);
    let mut conn = db.connect();
    let create = db.compare(models).unwrap();
    command::apply(&mut conn, &create).unwrap();
    let again = db.compare(models).unwrap();
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    let live = db.schema();

    match db.backend {
        Backend::Postgres => {
            let first = index(&live, "ixp_orders", "ix_ixp_orders_placed_at_id");
            assert!(first.columns[0].descending);
            assert_eq!(first.columns[0].nulls, Some(NullsOrder::Last));
            let email = index(&live, "ixp_orders", "ixp_orders_open_email");
            assert!(email.columns[0].expression && email.predicate.is_some());
            assert_eq!(
                index(&live, "ixp_orders", "ixp_orders_code_pattern").columns[0]
                    .opclass
                    .as_deref(),
                Some("text_pattern_ops")
            );
            assert_eq!(
                index(&live, "ixp_orders", "ixp_orders_customer_covering").include,
                ["total"]
            );
            assert_eq!(
                index(&live, "ixp_orders", "ixp_orders_placed_brin")
                    .using
                    .as_deref(),
                Some("brin")
            );
            assert!(index(&live, "ixp_orders", "ix_ixp_orders_region_code").nulls_not_distinct);
            // One open order per address, whatever its case; closed ones repeat.
            conn.execute(
                "INSERT INTO ixp_orders (id, email, code, customer_id, total, status, region, placed_at) \
                 VALUES (1, 'A@x.org', 'c1', 1, 5, 'open', NULL, 1), (2, 'a@x.org', 'c2', 1, 5, 'closed', NULL, 2)",
            )
            .unwrap();
            assert!(conn
                .execute(
                    "INSERT INTO ixp_orders (id, email, code, customer_id, total, status, placed_at) \
                     VALUES (3, 'a@X.org', 'c3', 1, 5, 'open', 3)"
                )
                .is_err());
            // NULLS NOT DISTINCT: a second (NULL, 'c1') collides.
            assert!(conn
                .execute(
                    "INSERT INTO ixp_orders (id, email, code, customer_id, total, status, placed_at) \
                     VALUES (4, 'b@x.org', 'c1', 1, 5, 'closed', 4)"
                )
                .is_err());
        }
        Backend::Sqlite => {
            let first = index(&live, "ixs_orders", "ix_ixs_orders_placed_at_id");
            assert!(first.columns[0].descending && !first.columns[1].descending);
            let email = index(&live, "ixs_orders", "ixs_orders_open_email");
            assert_eq!(email.columns, [IndexKey::expr("lower(email)")]);
            assert_eq!(email.predicate.as_deref(), Some("status = 'open'"));
            conn.execute(
                "INSERT INTO ixs_orders VALUES (1, 'A@x.org', 1, 'open', 1, NULL), \
                 (2, 'a@x.org', 1, 'closed', 2, NULL)",
            )
            .unwrap();
            assert!(conn
                .execute("INSERT INTO ixs_orders VALUES (3, 'a@X.org', 1, 'open', 3, NULL)")
                .is_err());
        }
        Backend::Mysql => {
            let first = index(&live, "ixm_articles", "ix_ixm_articles_published_id");
            assert!(first.columns[0].descending);
            assert_eq!(
                index(&live, "ixm_articles", "ixm_articles_title_prefix").columns,
                [IndexKey::column("title").length(10)]
            );
            assert_eq!(
                index(&live, "ixm_articles", "ixm_articles_body_text")
                    .using
                    .as_deref(),
                Some("fulltext")
            );
            conn.execute(
                "INSERT INTO ixm_articles VALUES (1, 'Retort in practice', 'migrations', 'a', 1)",
            )
            .unwrap();
            // The first ten characters collide.
            assert!(conn
                .execute("INSERT INTO ixm_articles VALUES (2, 'Retort in theory', 'b', 'a', 2)")
                .is_err());
        }
    }

    // Each change to one index is that index dropped and created again, and
    // only that; the reverse restores the catalog.
    let before = comparable(db.schema());
    let table = models.tables.keys().next().unwrap().clone();
    let changes: Vec<Change> = {
        let mut v: Vec<Change> = vec![(
            "the order of a key",
            Box::new(|i: &mut Index| i.columns[0].descending = !i.columns[0].descending),
        )];
        match db.backend {
            Backend::Postgres => {
                v.push((
                    "the predicate",
                    Box::new(|i: &mut Index| {
                        if i.name == "ixp_orders_open_email" {
                            i.predicate = Some("status = 'closed'".into());
                        }
                    }),
                ));
                v.push((
                    "the NULLs placement",
                    Box::new(|i: &mut Index| i.columns[0].nulls = None),
                ));
                v.push((
                    "the included columns",
                    Box::new(|i: &mut Index| {
                        if !i.include.is_empty() {
                            i.include = vec!["status".into()];
                        }
                    }),
                ));
                v.push((
                    "the method",
                    Box::new(|i: &mut Index| {
                        if i.using.as_deref() == Some("hash") {
                            i.using = None;
                        }
                    }),
                ));
            }
            Backend::Sqlite => v.push((
                "the expression",
                Box::new(|i: &mut Index| {
                    if i.columns[0].expression {
                        i.columns[0].column = "upper(email)".into();
                    }
                }),
            )),
            Backend::Mysql => v.push((
                "the prefix length",
                Box::new(|i: &mut Index| {
                    if i.columns[0].length.is_some() {
                        i.columns[0].length = Some(12);
                    }
                }),
            )),
        }
        v
    };
    for (what, change) in changes {
        // The first index the change touches.
        let mut edited = models.clone();
        let t = edited.tables.get_mut(&table).unwrap();
        let mut touched = None;
        for i in &mut t.indexes {
            let was = i.clone();
            change(i);
            if *i != was {
                touched = Some(i.name.clone());
                break;
            }
        }
        let name = touched.unwrap_or_else(|| panic!("{what}: no index changed"));
        let ops = db.compare(&edited).unwrap();
        assert_eq!(summaries(&ops).len(), 2, "{what}: {:#?}", summaries(&ops));
        assert!(
            matches!(&ops[0], Op::DropIndex(d) if d.name == name)
                && matches!(&ops[1], Op::CreateIndex(c) if c.index.name == name),
            "{what}: {:#?}",
            summaries(&ops)
        );
        command::apply(&mut conn, &ops).unwrap_or_else(|e| panic!("{what}: {e}"));
        let settled = db.compare(&edited).unwrap();
        assert!(settled.is_empty(), "{what}: {:#?}", summaries(&settled));
        command::apply(&mut conn, &reverse_all(&ops).unwrap()).unwrap();
        assert_eq!(comparable(db.schema()), before, "{what}: the downgrade");
        assert!(db.compare(models).unwrap().is_empty(), "{what}");
    }

    command::apply(&mut conn, &reverse_all(&create).unwrap()).unwrap();
    assert!(db.tables().is_empty(), "{:?}", db.tables());
}

on_every_backend!(indexes_round_trip);
