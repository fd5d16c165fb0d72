//! `#[derive(DbEnum)]` enums as model fields, through diesel, on SQLite,
//! PostgreSQL and MariaDB: the derive's metadata and defaults, then a table made
//! by hand in each database's own enum column (PostgreSQL `CREATE TYPE … AS
//! ENUM`, MySQL `ENUM(…)`, SQLite `TEXT`), rows inserted through `Insertable`,
//! read back with `Queryable`, filtered with `.eq(Status::X)`, NULL in the
//! optional column, raw `sql_query` binds, and `Value::Enum` through
//! `Connection::execute_params` (untyped on PostgreSQL).

use diesel::prelude::*;
use retort::model::EnumMeta;
use retort::schema::{ServerDefault, SqlType, Value};
use retort::{Backend, DbEnum, Model};
use retort_tests::{on_every_backend, with_diesel, TestDb};

/// A ticket's state: a named type, one renamed value, one former value.
#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[db_enum(name = "ticket_status")]
pub enum Status {
    Open,
    #[db_enum(rename = "in progress")]
    InProgress,
    #[db_enum(renamed_from = "done")]
    Closed,
}

/// The default name (`priority`) and values (`low`, `very_high`).
#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Low,
    VeryHigh,
}

#[derive(Model, Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[model(table = "tickets")]
#[diesel(table_name = tickets)]
pub struct Ticket {
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    #[model(default = Status::Open)]
    pub status: Status,
    pub priority: Option<Priority>,
    #[model(default = "low")]
    pub fallback: Priority,
}

mod inner {
    /// An enum named by a relative path of more than one segment.
    #[derive(retort::DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Level {
        Trace,
        Info,
    }
}

/// Every way of naming the enum type: a relative path, an absolute one,
/// `self::`.
#[derive(Model, Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
#[model(table = "log_lines")]
#[diesel(table_name = log_lines)]
pub struct LogLine {
    #[model(primary_key, autoincrement = false)]
    pub id: i32,
    pub level: inner::Level,
    pub status: crate::Status,
    pub priority: Option<self::Priority>,
}

/// `sql_type` wins over the enum: the column is what it says.
#[derive(Model)]
#[model(table = "legacy_tickets", diesel = false)]
pub struct LegacyTicket {
    #[model(primary_key)]
    pub id: i32,
    #[model(sql_type = "VARCHAR(20)")]
    pub status: Status,
}

#[test]
fn the_derive_describes_the_enum() {
    let meta: &EnumMeta = &<Status as DbEnum>::META;
    assert_eq!(meta.name, "ticket_status");
    assert_eq!(meta.rust_path, "diesel_enums::Status");
    assert_eq!(meta.values, ["open", "in progress", "closed"]);
    assert_eq!(meta.renamed_from, [("done", "closed")]);
    let priority = &<Priority as DbEnum>::META;
    assert_eq!(priority.name, "priority");
    assert_eq!(priority.values, ["low", "very_high"]);
    assert!(priority.renamed_from.is_empty());

    assert_eq!(Status::InProgress.as_db_str(), "in progress");
    assert_eq!(Status::from_db_str("in progress"), Some(Status::InProgress));
    assert_eq!(Status::from_db_str("InProgress"), None);
    assert_eq!(Status::from_db_str("done"), None);
    assert_eq!(Value::from(Status::Closed), Value::Enum("closed".into()));
    assert_eq!(
        Value::from(&Priority::VeryHigh),
        Value::Enum("very_high".into())
    );
    const CLOSED: &str = Status::Closed.__retort_db_value();
    assert_eq!(CLOSED, "closed");
    const HAS: [bool; 3] = [
        Status::__retort_has_value("in progress"),
        Status::__retort_has_value("open"),
        Status::__retort_has_value("ope"),
    ];
    assert_eq!(HAS, [true, true, false]);
}

#[test]
fn the_model_has_enum_columns() {
    let meta = Ticket::meta();
    let column = |name: &str| {
        meta.columns
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let status = column("status");
    assert_eq!(status.db_enum.map(|e| e.name), Some("ticket_status"));
    assert!(!status.nullable);
    assert_eq!(
        status.default,
        Some(ServerDefault::Text("open".into())),
        "a variant default is its value"
    );
    let priority = column("priority");
    assert_eq!(priority.db_enum.map(|e| e.name), Some("priority"));
    assert!(priority.nullable);
    assert_eq!(priority.default, None);
    assert_eq!(
        column("fallback").default,
        Some(ServerDefault::Text("low".into()))
    );
    assert!(column("id").db_enum.is_none());
    let legacy = &LegacyTicket::meta().columns[1];
    assert!(legacy.db_enum.is_none());
    assert_eq!(legacy.sql_type, SqlType::Custom("VARCHAR(20)".into()));

    let schema = retort::model::schema_from_models(&[meta]).expect("a consistent model");
    let table = schema.table("tickets").expect("the table");
    let ty = |name: &str| {
        table
            .columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.sql_type.clone())
    };
    assert_eq!(
        ty("status"),
        Some(SqlType::enumeration(
            "ticket_status",
            ["open", "in progress", "closed"]
        ))
    );
    assert_eq!(
        ty("priority"),
        Some(SqlType::enumeration("priority", ["low", "very_high"]))
    );
}

/// The enum types, however they are written, reach the diesel table, also
/// from a model declared in a function (the enums being the module's).
#[test]
fn enum_paths_reach_the_table() {
    #[derive(Model, Queryable, Selectable, Insertable, Debug, Clone, PartialEq)]
    #[model(table = "notes")]
    #[diesel(table_name = notes)]
    struct Note {
        #[model(primary_key, autoincrement = false)]
        id: i32,
        status: Status,
        priority: Option<crate::Priority>,
    }

    let db = TestDb::sqlite();
    let mut conn = db.connect();
    conn.execute(
        "CREATE TABLE log_lines (id INTEGER PRIMARY KEY, level TEXT NOT NULL, \
         status TEXT NOT NULL, priority TEXT); \
         CREATE TABLE notes (id INTEGER PRIMARY KEY, status TEXT NOT NULL, priority TEXT)",
    )
    .unwrap();
    let line = LogLine {
        id: 1,
        level: inner::Level::Info,
        status: Status::Closed,
        priority: Some(Priority::Low),
    };
    let note = Note {
        id: 1,
        status: Status::InProgress,
        priority: None,
    };
    let c = conn.sqlite().unwrap();
    diesel::insert_into(log_lines::table)
        .values(&line)
        .execute(c)
        .unwrap();
    diesel::insert_into(notes::table)
        .values(&note)
        .execute(c)
        .unwrap();
    let lines = log_lines::table
        .filter(log_lines::level.eq(inner::Level::Info))
        .select(LogLine::as_select())
        .load(c)
        .unwrap();
    assert_eq!(lines, [line]);
    let notes = notes::table
        .filter(notes::status.eq(Status::InProgress))
        .select(Note::as_select())
        .load(c)
        .unwrap();
    assert_eq!(notes, [note]);
    assert_eq!(
        db.strings("SELECT level || ' ' || status AS v FROM log_lines"),
        ["info closed"]
    );
}

/// The table in each database's own enum columns.
fn create_table(db: &TestDb) {
    let sql = match db.backend {
        Backend::Postgres => {
            "CREATE TYPE ticket_status AS ENUM ('open', 'in progress', 'closed'); \
             CREATE TYPE priority AS ENUM ('low', 'very_high'); \
             CREATE TABLE tickets (id INTEGER PRIMARY KEY, \
             status ticket_status NOT NULL DEFAULT 'open', priority priority, \
             fallback priority NOT NULL DEFAULT 'low')"
        }
        Backend::Mysql => {
            "CREATE TABLE tickets (id INTEGER PRIMARY KEY, \
             status ENUM('open', 'in progress', 'closed') NOT NULL DEFAULT 'open', \
             priority ENUM('low', 'very_high'), \
             fallback ENUM('low', 'very_high') NOT NULL DEFAULT 'low')"
        }
        Backend::Sqlite => {
            "CREATE TABLE tickets (id INTEGER PRIMARY KEY, \
             status TEXT NOT NULL DEFAULT 'open', priority TEXT, \
             fallback TEXT NOT NULL DEFAULT 'low')"
        }
    };
    db.connect().execute(sql).unwrap();
}

fn placeholders(db: &TestDb, n: usize) -> String {
    (1..=n)
        .map(|i| match db.backend {
            Backend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn ticket(id: i32, status: Status, priority: Option<Priority>) -> Ticket {
    Ticket {
        id,
        status,
        priority,
        fallback: Priority::VeryHigh,
    }
}

fn round_trip(db: &TestDb) {
    create_table(db);
    let mut conn = db.connect();
    let rows = vec![
        ticket(1, Status::Open, Some(Priority::Low)),
        ticket(2, Status::InProgress, None),
        ticket(3, Status::Closed, Some(Priority::VeryHigh)),
        ticket(4, Status::InProgress, Some(Priority::VeryHigh)),
    ];
    let inserted = with_diesel!(&mut conn, |c| {
        diesel::insert_into(tickets::table).values(&rows).execute(c)
    });
    assert_eq!(inserted, 4);

    let loaded = with_diesel!(&mut conn, |c| {
        tickets::table
            .order(tickets::id)
            .select(Ticket::as_select())
            .load(c)
    });
    assert_eq!(loaded, rows);

    // Filters: by value, by reference, on the nullable column, NULL.
    let in_progress = with_diesel!(&mut conn, |c| {
        tickets::table
            .filter(tickets::status.eq(Status::InProgress))
            .order(tickets::id)
            .select(tickets::id)
            .load::<i32>(c)
    });
    assert_eq!(in_progress, [2, 4]);
    let open = with_diesel!(&mut conn, |c| {
        tickets::table
            .filter(tickets::status.eq(&Status::Open))
            .select(tickets::id)
            .load::<i32>(c)
    });
    assert_eq!(open, [1]);
    let urgent = with_diesel!(&mut conn, |c| {
        tickets::table
            .filter(tickets::priority.eq(Priority::VeryHigh))
            .order(tickets::id)
            .select(tickets::id)
            .load::<i32>(c)
    });
    assert_eq!(urgent, [3, 4]);
    let unsorted = with_diesel!(&mut conn, |c| {
        tickets::table
            .filter(tickets::priority.is_null())
            .select(tickets::status)
            .load::<Status>(c)
    });
    assert_eq!(unsorted, [Status::InProgress]);
    let not_closed = with_diesel!(&mut conn, |c| {
        tickets::table
            .filter(tickets::status.ne_all([Status::Closed, Status::Open]))
            .count()
            .get_result::<i64>(c)
    });
    assert_eq!(not_closed, 2);

    // The database's defaults, and NULL into the optional column.
    with_diesel!(&mut conn, |c| {
        diesel::insert_into(tickets::table)
            .values((tickets::id.eq(5), tickets::priority.eq(None::<Priority>)))
            .execute(c)
    });
    let fifth = with_diesel!(&mut conn, |c| {
        tickets::table.find(5).select(Ticket::as_select()).first(c)
    });
    assert_eq!(
        fifth,
        Ticket {
            id: 5,
            status: Status::Open,
            priority: None,
            fallback: Priority::Low,
        }
    );

    // An update, of both columns.
    with_diesel!(&mut conn, |c| {
        diesel::update(tickets::table.find(2))
            .set((
                tickets::status.eq(Status::Closed),
                tickets::priority.eq(Some(Priority::Low)),
            ))
            .execute(c)
    });
    let second = with_diesel!(&mut conn, |c| {
        tickets::table
            .find(2)
            .select((tickets::status, tickets::priority))
            .first::<(Status, Option<Priority>)>(c)
    });
    assert_eq!(second, (Status::Closed, Some(Priority::Low)));

    // A raw query binds the enum with its SQL type.
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    let sql = format!(
        "SELECT id FROM tickets WHERE status = {} ORDER BY id",
        placeholders(db, 1)
    );
    let raw = with_diesel!(&mut conn, |c| {
        diesel::sql_query(&sql)
            .bind::<retort::sql_types::Enum<Status>, _>(Status::Closed)
            .load::<Id>(c)
    });
    assert_eq!(raw.iter().map(|r| r.id).collect::<Vec<_>>(), [2, 3]);

    // What the database holds: the values' text.
    let stored = match db.backend {
        Backend::Postgres => "SELECT status::text AS v FROM tickets ORDER BY id",
        _ => "SELECT status AS v FROM tickets ORDER BY id",
    };
    assert_eq!(
        db.strings(stored),
        ["open", "closed", "closed", "in progress", "open"]
    );
}

/// `Value::Enum` (from the enum) through `execute_params`: on PostgreSQL bound
/// untyped, so the server reads it as the column's enum type.
fn execute_params_binds_enums(db: &TestDb) {
    create_table(db);
    let mut conn = db.connect();
    let insert = format!(
        "INSERT INTO tickets (id, status, priority, fallback) VALUES ({})",
        placeholders(db, 4)
    );
    let sent = conn
        .execute_params(
            &insert,
            &[
                &Value::Int(1),
                &Value::from(Status::InProgress),
                &Value::Null,
                &Value::from(&Priority::VeryHigh),
            ],
        )
        .unwrap();
    assert_eq!(sent, 1);
    conn.execute_params(
        &insert,
        &[
            &Value::Int(2),
            &Value::Enum("closed".into()),
            &Value::from(Priority::Low),
            &Value::Enum("low".into()),
        ],
    )
    .unwrap();
    let loaded = with_diesel!(&mut conn, |c| {
        tickets::table
            .order(tickets::id)
            .select(Ticket::as_select())
            .load(c)
    });
    assert_eq!(
        loaded,
        [
            Ticket {
                id: 1,
                status: Status::InProgress,
                priority: None,
                fallback: Priority::VeryHigh,
            },
            Ticket {
                id: 2,
                status: Status::Closed,
                priority: Some(Priority::Low),
                fallback: Priority::Low,
            },
        ]
    );
    // A value the type does not have is the database's error (SQLite's text
    // column takes anything).
    let bad = conn.execute_params(
        &insert,
        &[
            &Value::Int(3),
            &Value::Enum("lost".into()),
            &Value::Null,
            &Value::Enum("low".into()),
        ],
    );
    match db.backend {
        Backend::Sqlite => assert!(bad.is_ok(), "{bad:?}"),
        _ => assert!(bad.is_err(), "{bad:?}"),
    }
    if db.backend == Backend::Postgres {
        // Untyped, the parameter also compares with the enum column.
        let sql = format!("DELETE FROM tickets WHERE status = {}", placeholders(db, 1));
        let deleted = conn
            .execute_params(&sql, &[&Value::from(Status::Closed)])
            .unwrap();
        assert_eq!(deleted, 1);
    }
}

on_every_backend!(round_trip, execute_params_binds_enums);

/// A value no variant has (SQLite's text column holds anything) is an error
/// naming the value and the enum, not a panic or a wrong variant.
#[test]
fn an_unknown_value_is_an_error() {
    let db = TestDb::sqlite();
    create_table(&db);
    let mut conn = db.connect();
    conn.execute("INSERT INTO tickets (id, status) VALUES (1, 'done')")
        .unwrap();
    let err = with_diesel!(&mut conn, |c| {
        Ok::<_, diesel::result::Error>(
            tickets::table
                .select(Ticket::as_select())
                .first(c)
                .unwrap_err(),
        )
    });
    let cause = format!("{err:?}");
    assert!(
        cause.contains("`done` is not a value of the enum `ticket_status` (diesel_enums::Status)"),
        "{cause}"
    );
    assert!(cause.contains("`open`, `in progress`, `closed`"), "{cause}");
}
