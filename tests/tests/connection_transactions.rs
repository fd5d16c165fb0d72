//! `Connection::transaction` on every database: commit, rollback, a failing first
//! statement, diesel transactions opened inside it (savepoints, never a commit of
//! the outer one), statements queued for the commit — and, on PostgreSQL, that a
//! transaction's `BEGIN` and `COMMIT` travel with its statements (a step of one
//! statement is two round trips).

use diesel::connection::SimpleConnection;
use diesel::Connection as _;
use retort::{Backend, Connection};
use retort_tests::{on_every_backend, TestDb};

/// A diesel transaction opened on the driver's connection, inside whatever
/// Retort's connection holds open.
fn diesel_transaction(conn: &mut Connection, sql: &str) -> diesel::QueryResult<()> {
    match conn.backend() {
        Backend::Sqlite => conn.sqlite().unwrap().transaction(|c| c.batch_execute(sql)),
        Backend::Postgres => conn
            .postgres()
            .unwrap()
            .transaction(|c| c.batch_execute(sql)),
        Backend::Mysql => conn.mysql().unwrap().transaction(|c| c.batch_execute(sql)),
    }
}

fn rows(db: &TestDb) -> Vec<String> {
    db.strings("SELECT CAST(n AS CHAR(10)) AS v FROM tx_t ORDER BY n")
        .into_iter()
        .map(|s| s.trim().to_owned())
        .collect()
}

fn transactions_commit_roll_back_and_nest(db: &TestDb) {
    let mut conn = db.connect();
    conn.execute("CREATE TABLE tx_t (n INTEGER)").unwrap();
    let insert = |n: u32| format!("INSERT INTO tx_t VALUES ({n})");
    let missing = "INSERT INTO tx_missing VALUES (1)";

    // Committed.
    conn.transaction(|c| c.execute(&insert(1))).unwrap();
    assert_eq!(rows(db), ["1"]);

    // A later statement fails: the earlier one is rolled back.
    let failed = conn.transaction(|c| {
        c.execute(&insert(2))?;
        c.execute(missing)
    });
    assert!(failed.unwrap_err().to_string().contains("tx_missing"));
    assert_eq!(rows(db), ["1"]);

    // The first statement fails: nothing stays open, the connection goes on.
    assert!(conn.transaction(|c| c.execute(missing)).is_err());
    conn.execute(&insert(3)).unwrap();
    conn.transaction(|c| c.execute(&insert(4))).unwrap();
    assert_eq!(rows(db), ["1", "3", "4"]);

    // A diesel transaction inside is a savepoint: the outer failure undoes it.
    let failed = conn.transaction(|c| {
        c.execute(&insert(5))?;
        diesel_transaction(c, &insert(6)).unwrap();
        c.execute(missing)
    });
    assert!(failed.is_err());
    assert_eq!(rows(db), ["1", "3", "4"]);
    // Even as the transaction's first statement; the outer commit keeps both.
    conn.transaction(|c| {
        diesel_transaction(c, &insert(5)).unwrap();
        c.execute(&insert(6))
    })
    .unwrap();
    assert_eq!(rows(db), ["1", "3", "4", "5", "6"]);

    // Statements queued for the commit run with it, and fail it.
    conn.transaction(|c| {
        c.execute(&insert(7))?;
        c.before_commit(insert(8))
    })
    .unwrap();
    assert!(conn
        .transaction(|c| {
            c.execute(&insert(9))?;
            c.before_commit(missing.to_owned())
        })
        .is_err());
    conn.transaction(|c| c.before_commit(insert(10))).unwrap();
    // Outside a transaction, at once.
    conn.before_commit(insert(11)).unwrap();
    assert_eq!(rows(db), ["1", "3", "4", "5", "6", "7", "8", "10", "11"]);
}

on_every_backend!(transactions_commit_roll_back_and_nest);

/// PostgreSQL: a transaction that runs nothing sends nothing; one statement and a
/// queued tail are two round trips (`BEGIN` + statement, tail + `COMMIT`).
#[test]
fn postgres_transactions_ride_on_their_statements() {
    let Some(db) = TestDb::postgres() else { return };
    let mut conn = db.connect();
    conn.execute("CREATE TABLE tx_t (n INTEGER)").unwrap();
    let before = conn.queries_sent();
    conn.transaction(|_| Ok(())).unwrap();
    assert_eq!(conn.queries_sent() - before, 0);
    let before = conn.queries_sent();
    conn.transaction(|c| {
        c.execute("INSERT INTO tx_t VALUES (1)")?;
        c.before_commit("INSERT INTO tx_t VALUES (2)".to_owned())
    })
    .unwrap();
    assert_eq!(conn.queries_sent() - before, 2);
    assert_eq!(rows(&db), ["1", "2"]);
}
