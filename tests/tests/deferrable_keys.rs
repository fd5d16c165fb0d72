//! Deferrable foreign keys: `initially_deferred` (checked at commit) and
//! `deferrable` (checked at each statement unless deferred), on a field's
//! `references` and in a struct-level `foreign_key(..)`. Created, enforced at the
//! right moment, read back, changed and restored on PostgreSQL and SQLite;
//! refused on MySQL/MariaDB with the key and the database named.

use retort::model::registered_schema_for;
use retort::ops::reverse_all;
use retort::schema::Deferrable;
use retort::{Backend, Model};
use retort_engine::command;
use retort_tests::support::summaries;
use retort_tests::{on_every_backend, TestDb};

/// An author.
#[derive(Model)]
#[model(table = "df_authors", database = "deferrable", diesel = false)]
pub struct Author {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// Edition, second part of the pair.
    pub edition: i32,
    /// Their first book, inserted after them in the same transaction.
    #[model(references = "df_books", initially_deferred)]
    pub first_book: Option<i32>,
}

/// A book.
#[derive(Model)]
#[model(
    table = "df_books",
    database = "deferrable",
    diesel = false,
    unique(columns(id, edition)),
    foreign_key(
        columns(author_id, edition),
        references = "df_pairs(author_id, edition)",
        deferrable
    )
)]
pub struct Book {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// The author.
    #[model(references = Author)]
    pub author_id: i32,
    /// Edition.
    pub edition: i32,
}

/// Pairs the books' composite key points at.
#[derive(Model)]
#[model(table = "df_pairs", database = "deferrable", diesel = false)]
pub struct Pair {
    /// Key, first part.
    #[model(primary_key)]
    pub author_id: i32,
    /// Key, second part.
    #[model(primary_key)]
    pub edition: i32,
}

fn deferrable_foreign_keys(db: &TestDb) {
    let models = registered_schema_for("deferrable").unwrap();
    let _ = (Author::meta(), Book::meta(), Pair::meta());
    assert_eq!(
        models.tables["df_authors"].foreign_keys[0].deferrable,
        Deferrable::Deferred
    );
    let books = &models.tables["df_books"];
    assert_eq!(books.foreign_keys[0].deferrable, Deferrable::No);
    assert_eq!(books.foreign_keys[1].deferrable, Deferrable::Immediate);

    if db.backend == Backend::Mysql {
        let err = db.compare(models).unwrap_err().to_string();
        assert!(
            err.contains("`fk_df_authors_first_book_df_books` on `df_authors`")
                && err.contains("DEFERRABLE INITIALLY DEFERRED")
                && err.contains("MySQL and MariaDB check foreign keys at each row"),
            "{err}"
        );
        return;
    }

    let create = db.compare(models).unwrap();
    let mut conn = db.connect();
    command::apply(&mut conn, &create).unwrap();
    let again = db.compare(models).unwrap();
    assert!(again.is_empty(), "{:#?}", summaries(&again));

    // Deferred: an author whose first book comes later in the transaction.
    conn.transaction_with("BEGIN", |c| {
        c.execute("INSERT INTO df_authors (id, edition, first_book) VALUES (1, 1, 10)")?;
        c.execute("INSERT INTO df_pairs (author_id, edition) VALUES (1, 1)")?;
        c.execute("INSERT INTO df_books (id, author_id, edition) VALUES (10, 1, 1)")
    })
    .unwrap();
    // ... but not one whose book never comes: refused at commit.
    let late = conn.transaction_with("BEGIN", |c| {
        c.execute("INSERT INTO df_authors (id, edition, first_book) VALUES (2, 1, 99)")
    });
    assert!(late.is_err(), "checked at commit");
    assert_eq!(db.count("df_authors"), 1);
    // Deferrable but initially immediate: checked at the statement.
    let now = conn.transaction_with("BEGIN", |c| {
        c.execute("INSERT INTO df_books (id, author_id, edition) VALUES (11, 1, 7)")
    });
    assert!(now.is_err());

    // No longer deferred: that key only is dropped and added again; reversible.
    let mut immediate = models.clone();
    immediate.tables.get_mut("df_authors").unwrap().foreign_keys[0].deferrable = Deferrable::No;
    let change = db.compare(&immediate).unwrap();
    assert_eq!(
        summaries(&change),
        [
            "remove foreign key `fk_df_authors_first_book_df_books` on `df_authors`",
            "add foreign key `fk_df_authors_first_book_df_books` on `df_authors`",
        ]
    );
    command::apply(&mut conn, &change).unwrap();
    assert!(db.compare(&immediate).unwrap().is_empty());
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    let back = db.compare(models).unwrap();
    assert!(back.is_empty(), "{:#?}", summaries(&back));
}

on_every_backend!(deferrable_foreign_keys);

/// A shipment of one edition of a book, by its composite key, `MATCH FULL`.
#[derive(Model)]
#[model(
    table = "mf_shipments",
    database = "match_full",
    diesel = false,
    foreign_key(columns(author_id, edition), references = MfPair, match_full)
)]
pub struct MfShipment {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Part of the key, or none of it.
    pub author_id: Option<i32>,
    /// The other part.
    pub edition: Option<i32>,
}

/// What shipments point at.
#[derive(Model)]
#[model(table = "mf_pairs", database = "match_full", diesel = false)]
pub struct MfPair {
    /// Key, first part.
    #[model(primary_key)]
    pub author_id: i32,
    /// Key, second part.
    #[model(primary_key)]
    pub edition: i32,
}

/// `match_full`: on PostgreSQL a row with some key columns NULL and some not is
/// refused (all NULL passes), the key reads back as such and compares equal;
/// MySQL and SQLite would parse it and check nothing: refused there, named.
fn match_full_foreign_keys(db: &TestDb) {
    let models = registered_schema_for("match_full").unwrap();
    let _ = (MfShipment::meta(), MfPair::meta());
    assert!(models.tables["mf_shipments"].foreign_keys[0].match_full);
    if db.backend != Backend::Postgres {
        let err = db.compare(models).unwrap_err().to_string();
        assert!(
            err.contains("MATCH FULL") && err.contains("only PostgreSQL checks MATCH FULL"),
            "{err}"
        );
        return;
    }
    let create = db.compare(models).unwrap();
    let mut conn = db.connect();
    command::apply(&mut conn, &create).unwrap();
    assert!(db.compare(models).unwrap().is_empty());
    conn.execute("INSERT INTO mf_pairs VALUES (1, 1)").unwrap();
    conn.execute("INSERT INTO mf_shipments VALUES (1, 1, 1), (2, NULL, NULL)")
        .unwrap();
    assert!(conn
        .execute("INSERT INTO mf_shipments VALUES (3, 1, NULL)")
        .is_err());
    let mut simple = models.clone();
    simple.tables.get_mut("mf_shipments").unwrap().foreign_keys[0].match_full = false;
    let change = db.compare(&simple).unwrap();
    assert_eq!(change.len(), 2, "{:#?}", summaries(&change));
    command::apply(&mut conn, &change).unwrap();
    conn.execute("INSERT INTO mf_shipments VALUES (3, 1, NULL)")
        .unwrap();
}

on_every_backend!(match_full_foreign_keys);
