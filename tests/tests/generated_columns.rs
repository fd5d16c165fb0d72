//! Generated (computed) columns: `generated = "…"`, `stored` or computed on
//! read, on the three databases. Created from an empty database, computed by
//! the server, read back and compared in the server's own text (PostgreSQL's
//! casts, MariaDB's quoted names), an expression change is the column dropped
//! and added again with what is built on it, and the reverse restores the
//! catalog and the values. PostgreSQL refuses a column computed on read.

use retort::model::registered_schema_for;
use retort::ops::reverse_all;
use retort::schema::Generated;
use retort::{Backend, Model};
use retort_engine::command;
use retort_tests::support::{comparable, summaries};
use retort_tests::{on_every_backend, TestDb};

/// Order lines with a stored total.
#[derive(Model)]
#[model(
    table = "gc_lines",
    database = "generated_stored",
    diesel = false,
    index(columns(total))
)]
pub struct Line {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// Unit price, in cents.
    pub price: i64,
    /// How many.
    pub quantity: i32,
    /// Price times quantity, computed on write.
    #[model(generated = "price * quantity", stored)]
    pub total: i64,
    /// The product's name.
    #[model(max_length = 50)]
    pub name: String,
    /// The name in capitals.
    #[model(generated = "upper(name)", stored)]
    pub label: Option<String>,
}

/// People whose full name is computed on read.
#[derive(Model)]
#[model(table = "gc_people", database = "generated_virtual", diesel = false)]
pub struct Person {
    /// Key.
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    /// Given name.
    #[model(max_length = 40)]
    pub first: String,
    /// Family name.
    #[model(max_length = 40)]
    pub last: String,
    /// Both, computed when read.
    #[model(generated = "first || ' ' || last")]
    pub full: Option<String>,
}

fn totals(db: &TestDb) -> Vec<String> {
    db.strings(if db.backend == Backend::Postgres {
        "SELECT total::text AS v FROM gc_lines ORDER BY id"
    } else {
        "SELECT CAST(total AS CHAR) AS v FROM gc_lines ORDER BY id"
    })
}

fn stored_generated_columns(db: &TestDb) {
    let _ = Line::meta();
    let models = registered_schema_for("generated_stored").unwrap();
    assert_eq!(
        models.tables["gc_lines"]
            .get_column("total")
            .unwrap()
            .generated,
        Some(Generated {
            expr: "price * quantity".into(),
            stored: true
        })
    );
    let mut conn = db.connect();
    let create = db.compare(models).unwrap();
    command::apply(&mut conn, &create).unwrap();
    let again = db.compare(models).unwrap();
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    let live = db.schema();
    let total = live.tables["gc_lines"].get_column("total").unwrap();
    assert!(
        total.generated.as_ref().is_some_and(|g| g.stored),
        "{total:?}"
    );
    assert!(live.tables["gc_lines"]
        .get_column("price")
        .unwrap()
        .generated
        .is_none());

    conn.execute("INSERT INTO gc_lines (id, price, quantity, name) VALUES (1, 3, 4, 'bolt')")
        .unwrap();
    assert_eq!(totals(db), ["12"]);
    assert_eq!(db.strings("SELECT label AS v FROM gc_lines"), ["BOLT"]);
    // The server computes it: writing it is refused.
    assert!(conn
        .execute(
            "INSERT INTO gc_lines (id, price, quantity, total, name) VALUES (2, 1, 1, 99, 'x')"
        )
        .is_err());

    // A new expression: the column (and its index) dropped and added again,
    // nothing else; the values follow.
    let before = comparable(db.schema());
    let mut doubled = models.clone();
    doubled
        .tables
        .get_mut("gc_lines")
        .unwrap()
        .columns
        .iter_mut()
        .find(|c| c.name == "total")
        .unwrap()
        .generated = Some(Generated {
        expr: "price * quantity * 2".into(),
        stored: true,
    });
    let change = db.compare(&doubled).unwrap();
    assert_eq!(
        summaries(&change),
        [
            "remove index `ix_gc_lines_total` on `gc_lines`",
            "remove column `gc_lines.total`",
            "add column `gc_lines.total`",
            "add index `ix_gc_lines_total` on `gc_lines` (total)",
        ]
    );
    assert!(
        change.iter().all(|op| op.data_loss().is_none()),
        "a generated column's values come back with it"
    );
    command::apply(&mut conn, &change).unwrap();
    assert_eq!(totals(db), ["24"]);
    let settled = db.compare(&doubled).unwrap();
    assert!(settled.is_empty(), "{:#?}", summaries(&settled));
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    assert_eq!(comparable(db.schema()), before);
    assert_eq!(totals(db), ["12"]);
    assert_eq!(db.strings("SELECT name AS v FROM gc_lines"), ["bolt"]);

    // A plain column becoming generated is the same drop and add.
    let mut plain = models.clone();
    plain
        .tables
        .get_mut("gc_lines")
        .unwrap()
        .columns
        .iter_mut()
        .find(|c| c.name == "label")
        .unwrap()
        .generated = None;
    let change = db.compare(&plain).unwrap();
    assert_eq!(
        summaries(&change),
        [
            "remove column `gc_lines.label`",
            "add column `gc_lines.label`"
        ]
    );

    // A generated column and the column it reads, removed together: the
    // generated one goes first (PostgreSQL refuses the other order), and the
    // downgrade adds them back the other way round (on an empty table: the
    // NOT NULL name comes back without values).
    conn.execute("DELETE FROM gc_lines").unwrap();
    let before = comparable(db.schema());
    let mut fewer = models.clone();
    let lines = fewer.tables.get_mut("gc_lines").unwrap();
    lines
        .columns
        .retain(|c| c.name != "name" && c.name != "label");
    let change = db.compare(&fewer).unwrap();
    assert_eq!(
        summaries(&change),
        [
            "remove column `gc_lines.label`",
            "remove column `gc_lines.name`"
        ]
    );
    command::apply(&mut conn, &change).unwrap();
    assert!(db.compare(&fewer).unwrap().is_empty());
    command::apply(&mut conn, &reverse_all(&change).unwrap()).unwrap();
    assert_eq!(comparable(db.schema()), before);

    command::apply(&mut conn, &reverse_all(&create).unwrap()).unwrap();
    assert!(db.tables().is_empty(), "{:?}", db.tables());
}

on_every_backend!(stored_generated_columns);

fn virtual_generated_columns(db: &TestDb) {
    let _ = Person::meta();
    let mut models = registered_schema_for("generated_virtual").unwrap().clone();
    if db.backend == Backend::Mysql {
        // MySQL's `||` is OR unless PIPES_AS_CONCAT: its own spelling.
        models
            .tables
            .get_mut("gc_people")
            .unwrap()
            .columns
            .iter_mut()
            .find(|c| c.name == "full")
            .unwrap()
            .generated = Some(Generated {
            expr: "concat(first, ' ', last)".into(),
            stored: false,
        });
    }
    if db.backend == Backend::Postgres {
        let err = db.compare(&models).unwrap_err().to_string();
        assert!(
            err.contains("`gc_people.full`") && err.contains("add `stored`"),
            "{err}"
        );
        return;
    }
    let mut conn = db.connect();
    let create = db.compare(&models).unwrap();
    command::apply(&mut conn, &create).unwrap();
    let again = db.compare(&models).unwrap();
    assert!(again.is_empty(), "{:#?}", summaries(&again));
    let full = db.schema().tables["gc_people"]
        .get_column("full")
        .unwrap()
        .generated
        .clone();
    assert!(full.is_some_and(|g| !g.stored));
    conn.execute("INSERT INTO gc_people (id, first, last) VALUES (1, 'Ada', 'Lovelace')")
        .unwrap();
    assert_eq!(
        db.strings("SELECT full AS v FROM gc_people"),
        ["Ada Lovelace"]
    );
    command::apply(&mut conn, &reverse_all(&create).unwrap()).unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(virtual_generated_columns);
