//! `import` on databases built by hand with each server's own DDL: unnamed
//! constraints and server-generated names, SERIAL / identity / AUTO_INCREMENT keys,
//! expression defaults, a composite primary key and a composite foreign key to
//! it, a self-reference, a cycle of foreign keys, reserved words as names, an
//! enum, a type Retort has no Rust type for, a table of 60 columns, a table
//! without a key, a view and a trigger.
//!
//! Here: the models file and what it lists, the baseline revision (its ops build
//! the same schema on an empty database, catalog compared), the stamp, and the
//! refusals. `import_compiles.rs` builds the written models with cargo and runs
//! `check` and `drift` against the imported databases.

use retort::Migrations;
use retort_engine::command::{self, ImportOptions};
use retort_tests::support::{comparable, hand_built};
use retort_tests::{on_every_backend, TestDb};

fn import_writes_models_baseline_and_stamp(db: &TestDb) {
    db.run_client(&hand_built(db.backend));
    // Taken over from Alembic: its history table stays, out of the models.
    db.run_client(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);\n\
         INSERT INTO alembic_version VALUES ('1975ea83b712');\n",
    );
    let before = db.schema();
    let mut config = db.config(Migrations::EMPTY);
    if db.backend == retort::Backend::Postgres {
        // Schema `billing`'s tables too.
        config.include_schemas = vec!["billing".into()];
    }
    let models_file = config.versions_dir.parent().unwrap().join("src/models.rs");
    let options = ImportOptions {
        models_file: models_file.clone(),
        ..ImportOptions::default()
    };
    let report = command::import(&config, &options).unwrap();

    // The models: one per keyed table, with what could not be said listed.
    let source = std::fs::read_to_string(&models_file).unwrap();
    assert_eq!(report.models.source, source);
    // PostgreSQL's has `tickets` too (identity options, a collation) and two
    // tables in schema `billing`.
    let keyed = if db.backend == retort::Backend::Postgres {
        10
    } else {
        7
    };
    assert_eq!(report.models.models, keyed, "{source}");
    assert_eq!(report.models.skipped_tables, ["log_lines"]);
    let unsupported = report.models.unsupported.join("\n");
    for what in [
        "view `cheap_items`",
        "trigger `items_touch` on `items`",
        "`log_lines`",
    ] {
        assert!(unsupported.contains(what), "{what} in {unsupported}");
        assert!(
            source.contains(what),
            "{what} listed in the file:\n{source}"
        );
    }
    for expected in [
        "pub struct Maker {",
        "pub struct Region {",
        "pub struct Item {",
        "pub struct User {",
        "column = \"type\"",
        "pub type_: Option<String>,",
        "foreign_key(columns(country, region_code), references = Region, on_update = \"cascade\"",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, DbEnum)]",
        "#[db_enum(rename = \"in-between\")]",
    ] {
        // As written, whatever prettyplease's line breaks.
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        assert!(
            squeeze(&source).contains(&squeeze(expected)),
            "`{expected}` in:\n{source}"
        );
    }
    assert!(!source.contains("struct LogLine"), "{source}");
    // Comments become doc comments (SQLite keeps none).
    if db.backend != retort::Backend::Sqlite {
        assert!(source.contains("/// Who makes items\n"), "{source}");
        assert!(
            source.contains("/// Short code, as printed on labels\n"),
            "{source}"
        );
    }
    // MySQL's ON UPDATE CURRENT_TIMESTAMP.
    if db.backend == retort::Backend::Mysql {
        assert!(source.contains("on_update = now()"), "{source}");
    }
    // PostgreSQL and SQLite keep a deferrable key (MySQL has none).
    if db.backend != retort::Backend::Mysql {
        assert!(source.contains("initially_deferred"), "{source}");
    }
    // Partial, expression, ordered and covering indexes, and prefix lengths,
    // in the database's text of their SQL.
    let squeezed: String = source.split_whitespace().collect();
    let indexes: &[&str] = match db.backend {
        retort::Backend::Postgres => &[
            "index(name=\"items_maker_lower_type\",columns(maker_id,\"lower(type)\"),unique,where=\"flags\")",
            "index(name=\"items_price_desc\",columns(pricedescnulls_last),include(flags))",
        ],
        retort::Backend::Sqlite => &[
            "index(name=\"items_maker_lower_type\",columns(maker_id,\"lower(\\\"type\\\")\"),unique,where=\"flags\")",
            "index(name=\"items_price_desc\",columns(pricedesc))",
        ],
        retort::Backend::Mysql => &[
            "index(name=\"items_country_desc\",columns(countrydesc,region_code))",
            "index(name=\"makers_name_prefix\",columns(name(8)))",
        ],
    };
    // Identity options and collations (PostgreSQL's), and tables in another
    // schema, keys across schemas included.
    if db.backend == retort::Backend::Postgres {
        for expected in [
            "#[model(table=\"invoices\",schema=\"billing\")]pubstructBillingInvoice{",
            "#[model(table=\"invoice_lines\",schema=\"billing\")]pubstructBillingInvoiceLine{",
            "references=BillingInvoice,on_delete=\"cascade\"",
            "#[model(references=Maker",
        ] {
            assert!(squeezed.contains(expected), "{expected} in {source}");
        }
        assert!(squeezed.contains("identity(always,start=500)"), "{source}");
        assert!(squeezed.contains("collation=\"C\""), "{source}");
    }
    // A generated column keeps the server's text of its expression.
    assert!(squeezed.contains("generated="), "{source}");
    assert_eq!(
        squeezed.contains(",stored)"),
        db.backend == retort::Backend::Postgres,
        "{source}"
    );
    for index in indexes {
        assert!(squeezed.contains(index), "`{index}` in:\n{source}");
    }
    assert!(!source.contains("AlembicVersion"), "{source}");
    assert_eq!(report.other_tools.len(), 1);
    assert_eq!(report.other_tools[0].tool, "Alembic");
    assert_eq!(report.other_tools[0].at, ["1975ea83b712"]);

    // The baseline and the stamp.
    let baseline = report.baseline.expect("a baseline revision");
    assert!(baseline.path.starts_with(&config.versions_dir));
    assert_eq!(
        db.strings("SELECT version_num AS v FROM retort_version"),
        std::slice::from_ref(&baseline.id)
    );
    // The database keeps its tables; other tools' objects and data untouched.
    assert_eq!(comparable(db.schema()), comparable(before.clone()));

    // The baseline's ops build the same schema on an empty database.
    let fresh = TestDb::new(db.backend).expect("a second database");
    let mut conn = fresh.connect();
    command::apply(&mut conn, &baseline.changes.ops).unwrap();
    let mut expected = before;
    expected.tables.remove("log_lines");
    expected.tables.remove("alembic_version");
    assert_eq!(comparable(fresh.schema()), comparable(expected));

    // Twice: the database is Retort's now, and the history is not empty.
    let again = ImportOptions {
        models_file: models_file.with_file_name("again.rs"),
        ..ImportOptions::default()
    };
    let err = command::import(&config, &again).unwrap_err().to_string();
    assert!(err.contains("is at revision"), "{err}");
    // Only the models, into a project that has its history.
    let only_models = ImportOptions {
        baseline: false,
        ..again
    };
    command::import(&config, &only_models).unwrap();
    assert!(models_file.with_file_name("again.rs").exists());
}

on_every_backend!(import_writes_models_baseline_and_stamp);
