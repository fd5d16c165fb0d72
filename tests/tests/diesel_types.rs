//! The diesel side of UUID, JSON and decimal fields, on SQLite, PostgreSQL and
//! MariaDB, in the columns Retort's dialects create (`UUID` / `CHAR(36)`,
//! `JSONB` / `JSON` / checked `TEXT`, `NUMERIC(10, 2)` / `DECIMAL(10, 2)`): a
//! hand-written `diesel::table!` with `retort::sql_types::{Uuid, Json}` and
//! diesel's `Numeric`, `Insertable`/`Queryable`/`Selectable` structs, filters,
//! and `Connection::execute_params` with `Value::Uuid`/`Json`/`Decimal`.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use retort::schema::Value;
use retort::types::{Json, Uuid};
use retort::Backend;
use retort_tests::{on_every_backend, with_diesel, TestDb};
use serde::{Deserialize, Serialize};

diesel::table! {
    gadgets (id) {
        id -> Integer,
        token -> retort::sql_types::Uuid,
        parent -> Nullable<retort::sql_types::Uuid>,
        doc -> retort::sql_types::Json,
        settings -> retort::sql_types::Json,
        price -> Numeric,
    }
}

/// A typed JSON document.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Settings {
    theme: String,
    volume: u8,
    tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = gadgets)]
struct Gadget {
    id: i32,
    token: Uuid,
    parent: Option<Uuid>,
    doc: Json<serde_json::Value>,
    settings: Json<Settings>,
    price: BigDecimal,
}

/// The same row read into the foreign types themselves (they read; they are no
/// diesel expressions, so an insert converts them with `serialize_as`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = gadgets)]
struct PlainGadget {
    id: i32,
    #[diesel(serialize_as = Uuid)]
    token: uuid::Uuid,
    // `Option<uuid::Uuid>` reads (below); `serialize_as` needs an `Into`, which
    // `Option` has not.
    parent: Option<Uuid>,
    #[diesel(serialize_as = Json<serde_json::Value>)]
    doc: serde_json::Value,
    settings: Json<Settings>,
    price: BigDecimal,
}

const TOKEN_1: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";
const TOKEN_2: &str = "00000000-0000-0000-0000-0000000000ff";
const TOKEN_3: &str = "ffffffff-ffff-4fff-bfff-ffffffffffff";

fn create_table(db: &TestDb, name: &str) {
    let (uuid, json, decimal, check) = match db.backend {
        Backend::Postgres => ("UUID", "JSONB", "NUMERIC(10, 2)", false),
        Backend::Mysql => ("CHAR(36)", "JSON", "DECIMAL(10, 2)", false),
        Backend::Sqlite => ("CHAR(36)", "TEXT", "NUMERIC(10, 2)", true),
    };
    let valid = |col: &str| {
        if check {
            format!(" CHECK (json_valid({col}))")
        } else {
            String::new()
        }
    };
    db.connect()
        .execute(&format!(
            "CREATE TABLE {name} (id INTEGER PRIMARY KEY, token {uuid} NOT NULL, \
             parent {uuid}, doc {json} NOT NULL{}, settings {json} NOT NULL{}, \
             price {decimal} NOT NULL)",
            valid("doc"),
            valid("settings"),
        ))
        .unwrap();
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

fn decimal(text: &str) -> BigDecimal {
    BigDecimal::from_str(text).unwrap()
}

fn gadget(id: i32, token: &str, parent: Option<&str>, price: &str) -> Gadget {
    Gadget {
        id,
        token: token.parse().unwrap(),
        parent: parent.map(|p| p.parse().unwrap()),
        doc: Json(serde_json::json!({
            "n": id,
            "nested": {"list": [1, 2.5, null, true], "quote": "o'brien \"x\" \\ ünï"},
        })),
        settings: Json(Settings {
            theme: format!("theme {id}"),
            volume: 7,
            tags: vec!["a".into(), "ß".into()],
        }),
        price: decimal(price),
    }
}

/// The text of a JSON member, read by the database's own JSON functions.
fn json_member(db: &TestDb, column: &str, member: &str, id: i32) -> String {
    let expr = match db.backend {
        Backend::Postgres => format!("{column}->>'{member}'"),
        Backend::Mysql => format!("JSON_VALUE({column}, '$.{member}')"),
        Backend::Sqlite => format!("json_extract({column}, '$.{member}')"),
    };
    db.strings(&format!("SELECT {expr} AS v FROM gadgets WHERE id = {id}"))
        .remove(0)
}

fn diesel_round_trip(db: &TestDb) {
    create_table(db, "gadgets");
    let mut conn = db.connect();
    let rows = vec![
        gadget(1, TOKEN_1, None, "12.50"),
        gadget(2, TOKEN_2, Some(TOKEN_1), "-0.05"),
        gadget(3, TOKEN_3, Some(TOKEN_1), "99999999.99"),
    ];
    let inserted = with_diesel!(&mut conn, |c| {
        diesel::insert_into(gadgets::table).values(&rows).execute(c)
    });
    assert_eq!(inserted, 3);

    let loaded = with_diesel!(&mut conn, |c| {
        gadgets::table
            .order(gadgets::id)
            .select(Gadget::as_select())
            .load(c)
    });
    assert_eq!(loaded.len(), 3);
    for (got, sent) in loaded.iter().zip(&rows) {
        assert_eq!(got.token, sent.token);
        assert_eq!(got.parent, sent.parent);
        assert_eq!(got.doc, sent.doc);
        assert_eq!(got.settings, sent.settings);
        if db.backend == Backend::Sqlite {
            // Diesel reads and writes SQLite's NUMERIC through an f64: exact to
            // 2 places here, but -0.05 comes back as the double's expansion.
            assert_eq!(got.price.round(2), sent.price, "{}", got.price);
        } else {
            // Exact, and with the column's scale.
            assert_eq!(got, sent);
        }
    }
    if db.backend == Backend::Sqlite {
        assert_eq!(loaded[0].price.to_string(), "12.5");
        assert_eq!(
            loaded[1].price.to_string(),
            "-0.05000000000000000277555756156289135105907917022705078125"
        );
    } else {
        let prices: Vec<String> = loaded.iter().map(|g| g.price.to_string()).collect();
        assert_eq!(prices, ["12.50", "-0.05", "99999999.99"]);
    }

    // Filters: a UUID column, a nullable one (a bare value or an Option), NULL.
    let token_2: Uuid = TOKEN_2.parse().unwrap();
    let token_1: Uuid = TOKEN_1.parse().unwrap();
    let found = with_diesel!(&mut conn, |c| {
        gadgets::table
            .filter(gadgets::token.eq(token_2))
            .select(gadgets::id)
            .first::<i32>(c)
    });
    assert_eq!(found, 2);
    let children = with_diesel!(&mut conn, |c| {
        gadgets::table
            .filter(gadgets::parent.eq(token_1))
            .order(gadgets::id)
            .select(gadgets::id)
            .load::<i32>(c)
    });
    assert_eq!(children, [2, 3]);
    let children_of_option = with_diesel!(&mut conn, |c| {
        gadgets::table
            .filter(gadgets::parent.eq(Some(&token_1)))
            .count()
            .get_result::<i64>(c)
    });
    assert_eq!(children_of_option, 2);
    let roots = with_diesel!(&mut conn, |c| {
        gadgets::table
            .filter(gadgets::parent.is_null())
            .select(gadgets::token)
            .load::<Uuid>(c)
    });
    assert_eq!(roots, [token_1]);
    let any_of = with_diesel!(&mut conn, |c| {
        gadgets::table
            .filter(gadgets::token.eq_any([token_1, token_2]))
            .count()
            .get_result::<i64>(c)
    });
    assert_eq!(any_of, 2);

    // The foreign types read as they are.
    let plain = with_diesel!(&mut conn, |c| {
        gadgets::table
            .find(2)
            .select(PlainGadget::as_select())
            .first(c)
    });
    assert_eq!(plain.token, uuid::Uuid::parse_str(TOKEN_2).unwrap());
    assert_eq!(plain.doc, rows[1].doc.0);
    let single: (uuid::Uuid, Option<uuid::Uuid>, serde_json::Value) =
        with_diesel!(&mut conn, |c| {
            gadgets::table
                .find(2)
                .select((gadgets::token, gadgets::parent, gadgets::doc))
                .first(c)
        });
    assert_eq!(single, (*token_2, Some(*token_1), rows[1].doc.0.clone()));

    // ... and insert through `serialize_as`.
    let plain_row = PlainGadget {
        id: 4,
        token: uuid::Uuid::from_u128(4),
        parent: None,
        doc: serde_json::json!([]),
        settings: Json::default(),
        price: decimal("0"),
    };
    with_diesel!(&mut conn, |c| {
        diesel::insert_into(gadgets::table)
            .values(plain_row.clone())
            .execute(c)
    });
    let back = with_diesel!(&mut conn, |c| {
        gadgets::table
            .filter(gadgets::token.eq(Uuid(uuid::Uuid::from_u128(4))))
            .select(PlainGadget::as_select())
            .first(c)
    });
    assert_eq!(back, plain_row);

    // A raw query binds the foreign type itself.
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    let sql = format!(
        "SELECT id FROM gadgets WHERE token = {}",
        placeholders(db, 1)
    );
    let raw = with_diesel!(&mut conn, |c| {
        diesel::sql_query(&sql)
            .bind::<retort::sql_types::Uuid, _>(uuid::Uuid::parse_str(TOKEN_3).unwrap())
            .load::<Id>(c)
    });
    assert_eq!(raw.iter().map(|r| r.id).collect::<Vec<_>>(), [3]);

    // An update of a typed document and of a nullable UUID.
    let louder = Settings {
        volume: 11,
        ..rows[0].settings.0.clone()
    };
    with_diesel!(&mut conn, |c| {
        diesel::update(gadgets::table.find(1))
            .set((
                gadgets::settings.eq(Json(louder.clone())),
                gadgets::parent.eq(Some(token_2)),
            ))
            .execute(c)
    });
    let updated = with_diesel!(&mut conn, |c| {
        gadgets::table.find(1).select(Gadget::as_select()).first(c)
    });
    assert_eq!(updated.settings.0, louder);
    assert_eq!(updated.parent, Some(token_2));

    // What the database holds: the hyphenated lower-case text where the column
    // is text, and documents its JSON functions read.
    let stored = match db.backend {
        Backend::Postgres => "SELECT token::text AS v FROM gadgets WHERE id = 3",
        _ => "SELECT token AS v FROM gadgets WHERE id = 3",
    };
    assert_eq!(db.strings(stored), [TOKEN_3]);
    assert_eq!(json_member(db, "settings", "theme", 2), "theme 2");
    assert_eq!(json_member(db, "settings", "volume", 1), "11");
}

fn execute_params_binds_the_types(db: &TestDb) {
    create_table(db, "gadgets");
    let mut conn = db.connect();
    let insert = format!(
        "INSERT INTO gadgets (id, token, doc, settings, price) VALUES ({})",
        placeholders(db, 5)
    );
    let settings = Settings {
        theme: "it's \"quoted\"".into(),
        volume: 3,
        tags: vec![],
    };
    let token = uuid::Uuid::parse_str(TOKEN_1).unwrap();
    let sent = conn
        .execute_params(
            &insert,
            &[
                &Value::Int(1),
                &Value::from(token),
                &Value::json(r#"{"k": [true, null, 1.5], "s": "ünï"}"#).unwrap(),
                &Value::Json(serde_json::to_string(&settings).unwrap()),
                &Value::decimal("-12.50").unwrap(),
            ],
        )
        .unwrap();
    assert_eq!(sent, 1);
    conn.execute_params(
        &insert,
        &[
            &Value::Int(2),
            &Value::uuid("FFFFFFFFFFFF4FFFBFFFFFFFFFFFFFFF").unwrap(),
            &Value::from(serde_json::json!("just a string")),
            &Value::from(serde_json::json!({"theme": "t", "volume": 0, "tags": ["x"]})),
            &Value::from(decimal("99999999.99")),
        ],
    )
    .unwrap();
    conn.execute_params(
        &insert,
        &[
            &Value::Int(3),
            &Value::Uuid([0; 16]),
            &Value::json("null").unwrap(),
            &Value::json("{\"theme\": \"\", \"volume\": 1, \"tags\": []}").unwrap(),
            &Value::decimal("12.00").unwrap(),
        ],
    )
    .unwrap();

    let loaded = with_diesel!(&mut conn, |c| {
        gadgets::table
            .order(gadgets::id)
            .select(Gadget::as_select())
            .load(c)
    });
    assert_eq!(loaded[0].token, token);
    assert_eq!(
        loaded[0].doc.0,
        serde_json::json!({"k": [true, null, 1.5], "s": "ünï"})
    );
    assert_eq!(loaded[0].settings.0, settings);
    assert_eq!(loaded[1].token.to_string(), TOKEN_3);
    assert_eq!(loaded[1].doc.0, serde_json::json!("just a string"));
    assert_eq!(loaded[1].settings.tags, ["x"]);
    assert!(loaded[2].token.is_nil());
    assert_eq!(loaded[2].doc.0, serde_json::Value::Null);
    assert!(loaded.iter().all(|g| g.parent.is_none()));
    let prices: Vec<String> = loaded.iter().map(|g| g.price.to_string()).collect();

    match db.backend {
        Backend::Sqlite => {
            // The text lands as a number in the NUMERIC-affinity column: a REAL,
            // or an INTEGER when it has no fraction.
            assert_eq!(
                db.strings("SELECT typeof(price) AS v FROM gadgets ORDER BY id"),
                ["real", "real", "integer"]
            );
            assert_eq!(
                db.strings("SELECT CAST(price AS TEXT) AS v FROM gadgets ORDER BY id"),
                ["-12.5", "99999999.99", "12"]
            );
            assert_eq!(
                prices,
                ["-12.5", "99999999.98999999463558197021484375", "12"]
            );
        }
        Backend::Postgres => {
            assert_eq!(
                db.strings("SELECT price::text AS v FROM gadgets ORDER BY id"),
                ["-12.50", "99999999.99", "12.00"]
            );
            assert_eq!(prices, ["-12.50", "99999999.99", "12.00"]);
            assert_eq!(
                db.strings("SELECT jsonb_typeof(doc) AS v FROM gadgets ORDER BY id"),
                ["object", "string", "null"]
            );
        }
        Backend::Mysql => {
            assert_eq!(
                db.strings("SELECT CAST(price AS CHAR) AS v FROM gadgets ORDER BY id"),
                ["-12.50", "99999999.99", "12.00"]
            );
            assert_eq!(prices, ["-12.50", "99999999.99", "12.00"]);
        }
    }

    // A decimal beyond what the column holds is the database's error, not a
    // silent change; text that is no number never reaches PostgreSQL.
    let too_big = conn.execute_params(
        &insert,
        &[
            &Value::Int(4),
            &Value::Uuid([4; 16]),
            &Value::json("{}").unwrap(),
            &Value::json("{}").unwrap(),
            &Value::decimal("123456789012.5").unwrap(),
        ],
    );
    match db.backend {
        // SQLite ignores NUMERIC's precision.
        Backend::Sqlite => assert!(too_big.is_ok()),
        _ => assert!(too_big.is_err(), "{too_big:?}"),
    }
    if db.backend == Backend::Postgres {
        let err = conn
            .execute_params(
                &insert,
                &[
                    &Value::Int(5),
                    &Value::Uuid([5; 16]),
                    &Value::json("{}").unwrap(),
                    &Value::json("{}").unwrap(),
                    &Value::Decimal("1e5".into()),
                ],
            )
            .unwrap_err();
        assert!(err.to_string().contains("not a decimal number"), "{err}");
    }
    // Invalid JSON is refused by the column (its type or its check).
    let bad_json = conn.execute_params(
        &insert,
        &[
            &Value::Int(6),
            &Value::Uuid([6; 16]),
            &Value::Json("{not json".into()),
            &Value::json("{}").unwrap(),
            &Value::decimal("1").unwrap(),
        ],
    );
    assert!(bad_json.is_err(), "{bad_json:?}");
}

/// SQLite: more significant digits than a double holds do not survive the
/// column's NUMERIC affinity (the database rounds, as with any number).
#[test]
fn sqlite_numeric_affinity_rounds_long_decimals() {
    let db = TestDb::sqlite();
    create_table(&db, "gadgets");
    let mut conn = db.connect();
    conn.execute_params(
        "INSERT INTO gadgets (id, token, doc, settings, price) VALUES (?, ?, ?, ?, ?)",
        &[
            &Value::Int(1),
            &Value::Uuid([1; 16]),
            &Value::json("{}").unwrap(),
            &Value::json("{}").unwrap(),
            &Value::decimal("12345678901234567.25").unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(
        db.strings("SELECT typeof(price) || ' ' || CAST(price AS TEXT) AS v FROM gadgets"),
        ["integer 12345678901234568"]
    );
}

/// A UUID stored without hyphens (or in capitals) reads on SQLite and MariaDB.
fn uuid_text_forms_read(db: &TestDb) {
    if db.backend == Backend::Postgres {
        return;
    }
    create_table(db, "gadgets");
    let mut conn = db.connect();
    conn.execute(
        "INSERT INTO gadgets (id, token, parent, doc, settings, price) VALUES \
         (1, '67E5504410B1426F9247BB680E5FE0C8', '67E55044-10B1-426F-9247-BB680E5FE0C8', \
         '{}', '{}', 1)",
    )
    .unwrap();
    let row = with_diesel!(&mut conn, |c| {
        gadgets::table
            .select((gadgets::token, gadgets::parent))
            .first::<(Uuid, Option<Uuid>)>(c)
    });
    let expected: Uuid = TOKEN_1.parse().unwrap();
    assert_eq!(row, (expected, Some(expected)));
    conn.execute("UPDATE gadgets SET token = 'not-a-uuid'")
        .unwrap();
    let err = with_diesel!(&mut conn, |c| {
        Ok::<_, diesel::result::Error>(
            gadgets::table
                .select(gadgets::token)
                .first::<Uuid>(c)
                .unwrap_err(),
        )
    });
    // Diesel's message names the field; the cause says what it held.
    let cause = format!("{err:?}");
    assert!(cause.contains("`not-a-uuid` is not a UUID"), "{cause}");
}

diesel::table! {
    native (id) {
        id -> Integer,
        token -> retort::sql_types::Uuid,
        doc -> retort::sql_types::Json,
    }
}

/// Columns made by hand rather than by Retort: MariaDB's own `UUID` type (10.7+)
/// and a `BINARY(16)` (read), PostgreSQL `JSON` (not `JSONB`).
fn hand_made_columns(db: &TestDb) {
    let mut conn = db.connect();
    let token: Uuid = TOKEN_1.parse().unwrap();
    match db.backend {
        Backend::Sqlite => return,
        Backend::Mysql => {
            conn.execute(
                "CREATE TABLE native (id INTEGER PRIMARY KEY, token UUID NOT NULL, doc JSON NOT NULL)",
            )
            .unwrap();
        }
        Backend::Postgres => {
            conn.execute(
                "CREATE TABLE native (id INTEGER PRIMARY KEY, token UUID NOT NULL, doc JSON NOT NULL)",
            )
            .unwrap();
        }
    }
    let doc = Json(serde_json::json!({"a": [1, "two"]}));
    with_diesel!(&mut conn, |c| {
        diesel::insert_into(native::table)
            .values((
                native::id.eq(1),
                native::token.eq(token),
                native::doc.eq(&doc),
            ))
            .execute(c)
    });
    let back = with_diesel!(&mut conn, |c| {
        native::table
            .filter(native::token.eq(token))
            .select((native::token, native::doc))
            .first::<(Uuid, Json<serde_json::Value>)>(c)
    });
    assert_eq!(back, (token, doc.clone()));
    conn.execute_params(
        &format!(
            "INSERT INTO native (id, token, doc) VALUES ({})",
            placeholders(db, 3)
        ),
        &[
            &Value::Int(2),
            &Value::Uuid([0xab; 16]),
            &Value::json("[1]").unwrap(),
        ],
    )
    .unwrap();
    let second = with_diesel!(&mut conn, |c| {
        native::table
            .find(2)
            .select((native::token, native::doc))
            .first::<(Uuid, serde_json::Value)>(c)
    });
    assert_eq!(second.0.as_bytes(), &[0xab; 16]);
    assert_eq!(second.1, serde_json::json!([1]));

    if db.backend == Backend::Mysql {
        conn.execute(&format!(
            "CREATE TABLE packed (id INTEGER PRIMARY KEY, token BINARY(16) NOT NULL); \
             INSERT INTO packed VALUES (1, UNHEX(REPLACE('{TOKEN_1}', '-', '')))"
        ))
        .unwrap();
        diesel::table! {
            packed (id) {
                id -> Integer,
                token -> retort::sql_types::Uuid,
            }
        }
        let read = conn
            .mysql()
            .unwrap()
            .transaction(|c| packed::table.select(packed::token).first::<Uuid>(c))
            .unwrap();
        assert_eq!(read, token);
    }
}

on_every_backend!(
    diesel_round_trip,
    execute_params_binds_the_types,
    uuid_text_forms_read,
    hand_made_columns
);
