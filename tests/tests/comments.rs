//! Comments from Rust doc comments: the `///` on a model is its table's comment,
//! on a field its column's. Created with the table, read back, changed one at a
//! time (and only that), restored by the downgrade, and left out with
//! `comments = false`, on PostgreSQL and MySQL/MariaDB; SQLite keeps no comments
//! and compares none.

use retort::model::{registered_schema_for, RenameHints};
use retort::ops::{reverse_all, Op};
use retort::schema::Schema;
use retort::{Backend, Model};
use retort_engine::introspect::Filter;
use retort_engine::{autogenerate, command};
use retort_tests::support::summaries;
use retort_tests::{on_every_backend, TestDb};

/// Money a customer owes.
///
/// Written when an order ships.
#[derive(Model)]
#[model(table = "cm_invoices", database = "comments", diesel = false)]
pub struct Invoice {
    /// Key.
    #[model(primary_key)]
    pub id: i64,
    /// In cents, taxes included.
    #[model(default = 0)]
    pub amount: i32,
    #[model(max_length = 3)]
    pub currency: String,
}

fn filter(ignore_comments: bool) -> Filter {
    Filter {
        exclude: vec!["retort_version*".into()],
        ignore_comments,
        ..Filter::default()
    }
}

fn compare(db: &TestDb, models: &Schema, ignore: bool) -> Vec<Op> {
    let mut conn = db.connect();
    autogenerate::compare_database(&mut conn, models, &RenameHints::default(), &filter(ignore))
        .unwrap()
        .ops
}

fn doc_comments_are_comments(db: &TestDb) {
    let models = registered_schema_for("comments").unwrap();
    let _ = Invoice::meta();
    let invoices = &models.tables["cm_invoices"];
    assert_eq!(
        invoices.comment.as_deref(),
        Some("Money a customer owes.\n\nWritten when an order ships.")
    );
    let comments: Vec<Option<&str>> = invoices
        .columns
        .iter()
        .map(|c| c.comment.as_deref())
        .collect();
    assert_eq!(
        comments,
        [Some("Key."), Some("In cents, taxes included."), None]
    );

    let create = compare(db, models, false);
    assert_eq!(summaries(&create), ["add table `cm_invoices`"]);
    let mut conn = db.connect();
    command::apply(&mut conn, &create).unwrap();
    let live = db.schema();
    let table = &live.tables["cm_invoices"];
    if db.backend == Backend::Sqlite {
        assert_eq!(table.comment, None, "SQLite keeps no comments");
    } else {
        assert_eq!(table.comment, invoices.comment);
        assert_eq!(table.columns[1].comment, invoices.columns[1].comment);
        assert_eq!(table.columns[2].comment, None);
    }
    let again = compare(db, models, false);
    assert!(again.is_empty(), "{:#?}", summaries(&again));

    // One comment changed, one added, the table's removed: those ops only.
    let mut edited = models.clone();
    let t = edited.tables.get_mut("cm_invoices").unwrap();
    t.columns[1].comment = Some("In cents, before taxes.".into());
    t.columns[2].comment = Some("ISO 4217 code.".into());
    t.comment = None;
    let change = compare(db, &edited, false);
    if db.backend == Backend::Sqlite {
        assert!(change.is_empty(), "{:#?}", summaries(&change));
        return;
    }
    assert_eq!(
        summaries(&change),
        [
            "remove the comment on `cm_invoices`",
            "set the comment on `cm_invoices.amount`",
            "set the comment on `cm_invoices.currency`",
        ]
    );
    command::apply(&mut conn, &change).unwrap();
    let settled = compare(db, &edited, false);
    assert!(settled.is_empty(), "{:#?}", summaries(&settled));
    // MySQL changes a comment by repeating the column: nothing else moved.
    let after = db.schema();
    let amount = &after.tables["cm_invoices"].columns[1];
    assert!(!amount.nullable && amount.default.is_some(), "{amount:?}");
    // With comments left out, the difference is not reported.
    assert!(compare(db, models, true).is_empty());
    // The downgrade gives the old comments back.
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    let back = compare(db, models, false);
    assert!(back.is_empty(), "{:#?}", summaries(&back));
}

on_every_backend!(doc_comments_are_comments);
