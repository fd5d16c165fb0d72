//! `on_update = now()` on a date-time field: MySQL's `ON UPDATE CURRENT_TIMESTAMP`
//! (every UPDATE of the row sets the column to the current time), created, read
//! back, compared, turned off and on again on MariaDB; refused on PostgreSQL and
//! SQLite, naming the column and the database.

use chrono::NaiveDateTime;
use retort::model::registered_schema_for;
use retort::ops::reverse_all;
use retort::{Backend, Model};
use retort_engine::command;
use retort_tests::support::summaries;
use retort_tests::{on_every_backend, TestDb};

/// A document and when it last changed.
#[derive(Model)]
#[model(table = "ou_documents", database = "on_update_now", diesel = false)]
pub struct Document {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// The text.
    pub body: String,
    /// Set by the database on every change.
    #[model(default = now(), on_update = now())]
    pub updated_at: NaiveDateTime,
}

fn updated_at_follows_updates(db: &TestDb) {
    let models = registered_schema_for("on_update_now").unwrap();
    let _ = Document::meta();
    assert!(models.tables["ou_documents"].columns[2].on_update_now);
    if db.backend != Backend::Mysql {
        let err = db.compare(models).unwrap_err().to_string();
        assert!(
            err.contains("`ou_documents.updated_at` ON UPDATE CURRENT_TIMESTAMP")
                && err.contains("only MySQL/MariaDB set a column on every UPDATE"),
            "{err}"
        );
        return;
    }
    let create = db.compare(models).unwrap();
    let mut conn = db.connect();
    command::apply(&mut conn, &create).unwrap();
    assert!(db.compare(models).unwrap().is_empty());
    conn.execute(
        "INSERT INTO ou_documents (id, body, updated_at) VALUES (1, 'a', '2001-01-01 00:00:00')",
    )
    .unwrap();
    conn.execute("UPDATE ou_documents SET body = 'b' WHERE id = 1")
        .unwrap();
    let year = || db.strings("SELECT CAST(YEAR(updated_at) AS CHAR) AS v FROM ou_documents");
    assert_ne!(year(), ["2001"], "the UPDATE set the time");

    // Off: that column alone is altered (the default kept); back on by the downgrade.
    let mut off = models.clone();
    off.tables.get_mut("ou_documents").unwrap().columns[2].on_update_now = false;
    let change = db.compare(&off).unwrap();
    assert_eq!(
        summaries(&change),
        ["alter column `ou_documents.updated_at`: no longer set on update"]
    );
    command::apply(&mut conn, &change).unwrap();
    assert!(db.compare(&off).unwrap().is_empty());
    conn.execute("UPDATE ou_documents SET updated_at = '2001-01-01 00:00:00'")
        .unwrap();
    conn.execute("UPDATE ou_documents SET body = 'c'").unwrap();
    assert_eq!(year(), ["2001"]);
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    assert!(db.compare(models).unwrap().is_empty());
}

on_every_backend!(updated_at_follows_updates);
