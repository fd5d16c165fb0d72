//! A project-wide naming convention (`[naming_convention]` in Retort.toml,
//! SQLAlchemy's keys and tokens) names every index, unique constraint, foreign
//! key, check and primary key a model leaves unnamed, on the three databases;
//! names the model gives stay; an object of the same definition under another
//! name still matches, and `--rename-constraints` gives it the convention's.
//! (Its own test binary: a convention is set once per process.)

use retort::model::RenameHints;
use retort::ops::Op;
use retort::schema::naming::NamingConvention;
use retort::schema::Schema;
use retort::{Backend, Migrations, Model};
use retort_engine::{autogenerate, command};
use retort_tests::support::{summaries, user_tables};
use retort_tests::{on_every_backend, TestDb};

/// Authors.
#[derive(Model)]
#[model(table = "nc_authors", database = "naming", diesel = false)]
pub struct Author {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Their e-mail.
    #[model(max_length = 100, unique)]
    pub email: String,
}

/// Books.
#[derive(Model)]
#[model(
    table = "nc_books",
    database = "naming",
    diesel = false,
    unique(columns(author_id, title)),
    index(name = "books_by_year", columns(year))
)]
pub struct Book {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Who wrote it.
    #[model(references = Author, index)]
    pub author_id: i32,
    /// Its title.
    #[model(max_length = 100)]
    pub title: String,
    /// When.
    #[model(check = "year > 1400")]
    pub year: i32,
}

/// PostgreSQL's own names for what it names itself, and a primary key rule.
fn convention() -> NamingConvention {
    NamingConvention {
        index: "%(table_name)s_%(column_0_N_name)s_idx".into(),
        unique: "%(table_name)s_%(column_0_N_name)s_key".into(),
        check: "%(table_name)s_%(constraint_name)s_check".into(),
        foreign_key: "%(table_name)s_%(column_0_name)s_fkey".into(),
        primary_key: Some("pk_%(table_name)s".into()),
    }
}

fn compare(db: &TestDb, models: &Schema, rename: bool) -> Vec<Op> {
    let mut conn = db.connect();
    let hints = RenameHints {
        rename_constraints: rename,
        ..RenameHints::default()
    };
    autogenerate::compare_database(&mut conn, models, &hints, &user_tables())
        .unwrap()
        .ops
}

fn naming_convention(db: &TestDb) {
    let _ = (Author::meta(), Book::meta());
    let mut config = db.config(Migrations::EMPTY);
    config.database = "naming".into();
    config.naming = convention();
    let models = config.models().unwrap();
    // Another convention in the same process is refused.
    let mut other = config.clone();
    other.naming = NamingConvention::default();
    assert!(other
        .models()
        .unwrap_err()
        .to_string()
        .contains("naming convention"));

    let books = &models.tables["nc_books"];
    let names = |v: Vec<Option<&str>>| {
        v.into_iter()
            .flatten()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            books
                .indexes
                .iter()
                .map(|i| Some(i.name.as_str()))
                .collect()
        ),
        ["nc_books_author_id_idx", "books_by_year"]
    );
    assert_eq!(
        names(books.uniques.iter().map(|u| u.name.as_deref()).collect()),
        ["nc_books_author_id_title_key"]
    );
    assert_eq!(
        names(
            books
                .foreign_keys
                .iter()
                .map(|f| f.name.as_deref())
                .collect()
        ),
        ["nc_books_author_id_fkey"]
    );
    assert_eq!(
        names(books.checks.iter().map(|c| c.name.as_deref()).collect()),
        ["nc_books_year_check"]
    );
    assert_eq!(books.primary_key_name.as_deref(), Some("pk_nc_books"));
    assert_eq!(
        models.tables["nc_authors"].uniques[0].name.as_deref(),
        Some("nc_authors_email_key")
    );

    // Created under those names; nothing left to do.
    let mut conn = db.connect();
    let create = compare(db, models, false);
    command::apply(&mut conn, &create).unwrap();
    assert!(compare(db, models, false).is_empty());
    let live = db.schema();
    let t = &live.tables["nc_books"];
    assert!(t.get_index("nc_books_author_id_idx").is_some(), "{t:#?}");
    assert!(t
        .foreign_keys
        .iter()
        .any(|f| f.name.as_deref() == Some("nc_books_author_id_fkey")));
    assert!(t
        .checks
        .iter()
        .any(|c| c.name.as_deref() == Some("nc_books_year_check")));
    if db.backend == Backend::Postgres {
        assert_eq!(t.primary_key_name.as_deref(), Some("pk_nc_books"));
        // Under another name the same index still matches; with
        // --rename-constraints it gets the convention's.
        conn.execute("ALTER INDEX nc_books_author_id_idx RENAME TO books_author")
            .unwrap();
        assert!(compare(db, models, false).is_empty());
        let renamed = compare(db, models, true);
        assert_eq!(
            summaries(&renamed),
            ["rename index `books_author` on `nc_books` to `nc_books_author_id_idx`"]
        );
        command::apply(&mut conn, &renamed).unwrap();
        assert!(compare(db, models, true).is_empty());
    }
    command::apply(&mut conn, &retort::ops::reverse_all(&create).unwrap()).unwrap();
    assert!(db.tables().is_empty());
}

on_every_backend!(naming_convention);
