//! Values reach the database as written whatever the server's settings:
//! PostgreSQL with `standard_conforming_strings = off` (where `\'` would end a
//! literal) and MariaDB with `NO_BACKSLASH_ESCAPES` (where doubled backslashes
//! would be stored doubled), online (bound parameters, and literals where a
//! statement list cannot be bound) and through `--sql` scripts.

use retort::Backend;
use retort_engine::command;
use retort_tests::{TestDb, HOSTILE};

/// The values the hostile revision writes, in order.
const EXPECTED: [&str; 5] = [
    "\\'); DROP TABLE victim; -- ",
    "a\\b",
    "x\\'); DROP TABLE victim; --",
    "two\\'; DROP TABLE victim; --",
    "back\\\\slash",
];

fn assert_intact(db: &TestDb, how: &str) {
    assert!(
        db.tables().contains(&"victim".to_owned()),
        "{:?} {how}: the victim table was dropped",
        db.backend
    );
    assert_eq!(
        db.strings("SELECT body AS v FROM notes ORDER BY id"),
        EXPECTED,
        "{:?} {how}",
        db.backend
    );
}

/// Makes every new session of this PostgreSQL database start with
/// `standard_conforming_strings = off`.
fn non_conforming(db: &TestDb) {
    let name = db.strings("SELECT current_database() AS v").remove(0);
    db.run_client(&format!(
        "ALTER DATABASE \"{name}\" SET standard_conforming_strings = off;"
    ));
    // A new session, without Retort's set-up, sees it.
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let mut raw =
        retort::Connection::establish(&retort::DatabaseUrl::parse(&db.url).unwrap()).unwrap();
    let rows: Vec<Setting> = raw
        .query("SELECT current_setting('standard_conforming_strings') AS v")
        .unwrap();
    assert_eq!(rows[0].v, "off");
}

#[test]
fn postgres_without_standard_conforming_strings() {
    let Some(online) = TestDb::postgres() else {
        return;
    };
    non_conforming(&online);
    command::upgrade(&online.config(HOSTILE), "head").unwrap();
    assert_intact(&online, "online");

    let Some(offline) = TestDb::postgres() else {
        return;
    };
    non_conforming(&offline);
    let script =
        command::upgrade_sql(&offline.config(HOSTILE), "head", Some(Backend::Postgres)).unwrap();
    // The session psql opens starts with the database's `off`; the script's header
    // sets what its literals rely on.
    offline.run_client(&script);
    assert_intact(&offline, "--sql");
}

#[test]
fn mariadb_with_no_backslash_escapes() {
    let Some(online) = TestDb::mysql() else {
        return;
    };
    command::upgrade(&online.config(HOSTILE), "head").unwrap();
    assert_intact(&online, "online");

    let Some(offline) = TestDb::mysql() else {
        return;
    };
    let script =
        command::upgrade_sql(&offline.config(HOSTILE), "head", Some(Backend::Mysql)).unwrap();
    // As if the server's sql_mode had NO_BACKSLASH_ESCAPES (and ANSI_QUOTES): the
    // script's header must take them back out.
    offline.run_client(&format!(
        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES,ANSI_QUOTES');\n{script}"
    ));
    assert_intact(&offline, "--sql");
}

#[test]
fn sqlite_online_and_offline() {
    let online = TestDb::sqlite();
    command::upgrade(&online.config(HOSTILE), "head").unwrap();
    assert_intact(&online, "online");
    let offline = TestDb::sqlite();
    let script =
        command::upgrade_sql(&offline.config(HOSTILE), "head", Some(Backend::Sqlite)).unwrap();
    offline.run_client(&script);
    assert_intact(&offline, "--sql");
}
