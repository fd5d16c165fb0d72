//! Helpers for the integration tests: a fresh database per test on SQLite,
//! PostgreSQL and MariaDB, and the revision folders the tests run.
//!
//! The servers default to this machine's: `postgres://postgres@127.0.0.1:5432/test`
//! and `mysql://root@127.0.0.1:3306/test` (override with `RETORT_TEST_POSTGRES_URL`
//! and `RETORT_TEST_MYSQL_URL`). Each test creates its own uniquely named database
//! and drops it afterwards. When a server is missing, a test is skipped with a
//! loud message, except under `CI=true`, where it fails.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use retort::schema::Schema;
use retort::DatabaseUrl;
use retort::{Backend, Connection, Migrations};
use retort_engine::Config;

/// The shop's whole project: both databases, as `migrations-cli` compiles it.
pub static SHOP_PROJECT: retort::Project = retort::project!("../migrations-cli/Retort.toml");

/// The shop example's `main` revisions (the project's first database).
pub static SHOP: Migrations = SHOP_PROJECT.databases[0].1;

/// The shop's `analytics` database revisions (the project's second database).
pub static ANALYTICS: Migrations = SHOP_PROJECT.databases[1].1;

retort::revisions!(
    /// Three linear revisions with predictable ids: `a1b2c3000001`, `a1b2c3000002`,
    /// `b7e9d1000003` (a data migration). (The item form of `revisions!`; the
    /// others below are the expression form.)
    pub static LINEAR = "fixtures/linear";
);

/// A good revision, then one that fails half-way (`c0ffee000002`).
pub static FAILING: Migrations = retort::revisions!("fixtures/failing");

retort::revisions!(
    /// One revision per kind of operation, each with its downgrade.
    pub static OPS = "fixtures/ops";
);

/// `f…01` core, then two labelled branches (`alpha`: `f…02`, `f…04`; `beta`:
/// `f…03`) and the merge `f…05`.
pub static BRANCHES: Migrations = retort::revisions!("fixtures/branches");

/// Two independent labelled branches: `accounts` (`e…01`, `e…02`) and
/// `billing` (`e…03`, `e…04`), where `e…03` depends on `e…02`.
pub static LABELLED: Migrations = retort::revisions!("fixtures/labelled");

/// `d…01`, then `d…02` which creates a table, writes the file named by
/// `RETORT_TEST_MARKER`, and sleeps `RETORT_TEST_SLEEP_MS`.
pub static SLOW: Migrations = retort::revisions!("fixtures/slow");

/// Eight linear revisions, `c4a100000001` … `c4a100000008`, each creating
/// `chain_<n>` and pausing `RETORT_TEST_SLEEP_MS` (up and down).
pub static CHAIN: Migrations = retort::revisions!("fixtures/chain");

/// One revision writing hostile values (quotes, backslashes, SQL) every way a
/// revision can: `e5c000000001`.
pub static HOSTILE: Migrations = retort::revisions!("fixtures/hostile");

/// `9a…01` creates `base_t`; `9a…02` runs four statements, the third of which
/// (`INSERT INTO gate`) fails until a table `gate` exists.
pub static PARTIAL: Migrations = retort::revisions!("fixtures/partial");

/// Two revisions that revise each other.
pub static CYCLE: Migrations = retort::revisions!("fixtures/cycle");

/// A revision whose parent does not exist.
pub static ORPHAN: Migrations = retort::revisions!("fixtures/orphan");

/// Two files with one revision id.
pub static DUPLICATE: Migrations = retort::revisions!("fixtures/duplicate");

/// One revision that takes 20,000 locks (PostgreSQL only): past the default
/// `max_locks_per_transaction` in one transaction, fine statement by statement.
pub static LOCKS: Migrations = retort::revisions!("fixtures/locks");

/// One revision that leaves a child row without its parent (`da0000000001`).
pub static DANGLING: Migrations = retort::revisions!("fixtures/dangling");

/// `f…01`, `f…02`, `f…03`, each creating a table (`bypass_a`, `_b`, `_c`);
/// during `f…02`'s upgrade another connection, bypassing the run lock, writes the
/// version table as `RETORT_TEST_BYPASS` says (`claim`: `f…02` is applied;
/// `reset`: nothing is). PostgreSQL only (elsewhere the step holds the table).
pub static BYPASS: Migrations = retort::revisions!("fixtures/bypass");

/// The revision autogenerate writes for the models of `tests/native_types.rs`
/// (UUID, JSON and decimal columns) on an empty database.
pub static TYPES: Migrations = retort::revisions!("fixtures/types");

/// `5afe00000001` creates `accounts`, `payments`, `scratch` and the enum `tier`;
/// each later revision breaks one safety rule (named in its message), then one
/// acknowledges its finding and one acknowledges a rule that does not exist.
pub static LINT: Migrations = retort::revisions!("fixtures/lint");

/// `b10c…01` creates `busy`; `…02` and `…03` add a column to it (`…03` with a
/// lock timeout of its own, 150 ms); `…04` sleeps 3 s under a statement timeout
/// of 300 ms (PostgreSQL, MySQL).
pub static BLOCKED: Migrations = retort::revisions!("fixtures/blocked");

/// `c0c…01` creates `events`; `…02` indexes `kind` concurrently; `…03` updates
/// a row, then builds a unique index on `seq` concurrently (it fails, leaving
/// an invalid index, while `seq` has duplicates); `…04` adds a unique constraint
/// from an index built concurrently.
pub static CONCURRENT: Migrations = retort::revisions!("fixtures/concurrent");

/// `0a1d…01` creates `parents` and `children`; `…02` adds a foreign key and a
/// check `NOT VALID`, then validates them.
pub static NOT_VALID: Migrations = retort::revisions!("fixtures/not_valid");

/// `1a57…01` creates `big`; `…02` adds a nullable column; `…03` widens `v`
/// (a copy on MySQL); `…04`, a second head on `…02`, widens it acknowledged.
pub static INSTANT: Migrations = retort::revisions!("fixtures/instant");

/// `b0d…01` creates `items` with an index; `…02` drops the index and its
/// downgrade does not build it again (what the test kit's stairway catches).
pub static BROKEN_DOWN: Migrations = retort::revisions!("fixtures/broken_down");

/// `5a0a…01` creates `authors`; `…02`–`…05` (emails, seed data, renames and
/// `books`, a batch and a comment) are squashed by `5a0a…aa`; `…06` comes after.
pub static SQUASH: Migrations = retort::revisions!("fixtures/squash");

/// `5b0a…01` creates `people`; `…02`, written with `--with-snapshot people`,
/// upper-cases the names and copies the rows through its snapshot; `…03` renames
/// `name` and drops `nickname`.
pub static SNAPSHOT: Migrations = retort::revisions!("fixtures/snapshot");

/// `5b5a00000001`: the shop's whole history squashed (`squash base:3b3d9845ddf8`),
/// alone in its folder; `tests/tests/squash.rs` runs it next to the shop's.
pub static SHOP_SQUASH: Migrations = retort::revisions!("fixtures/shop_squash");

/// The fixture named `name` (`linear`, `branches`, …).
pub fn fixture(name: &str) -> Option<Migrations> {
    Some(match name {
        "shop" => SHOP,
        "analytics" => ANALYTICS,
        "linear" => LINEAR,
        "failing" => FAILING,
        "ops" => OPS,
        "branches" => BRANCHES,
        "labelled" => LABELLED,
        "slow" => SLOW,
        "cycle" => CYCLE,
        "orphan" => ORPHAN,
        "duplicate" => DUPLICATE,
        "locks" => LOCKS,
        "dangling" => DANGLING,
        "chain" => CHAIN,
        "hostile" => HOSTILE,
        "partial" => PARTIAL,
        "bypass" => BYPASS,
        "types" => TYPES,
        "lint" => LINT,
        "blocked" => BLOCKED,
        "concurrent" => CONCURRENT,
        "not_valid" => NOT_VALID,
        "instant" => INSTANT,
        "broken_down" => BROKEN_DOWN,
        "squash" => SQUASH,
        "snapshot" => SNAPSHOT,
        _ => return None,
    })
}

/// A database for one test: an SQLite file in a temporary folder, or a database
/// created on a server for this test and dropped when the value is dropped.
pub struct TestDb {
    /// Which database.
    pub backend: Backend,
    /// Its URL.
    pub url: String,
    /// A temporary folder (the SQLite file, a versions folder).
    pub dir: tempfile::TempDir,
    server: Option<(String, String)>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The server a backend's test databases are made on (the environment's override, else
/// this machine's).
pub fn server_url(backend: Backend) -> String {
    match backend {
        Backend::Postgres => std::env::var("RETORT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
        Backend::Mysql => std::env::var("RETORT_TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned()),
        Backend::Sqlite => unreachable!("SQLite needs no server"),
    }
}

fn connect_url(url: &str) -> retort::Result<Connection> {
    retort_engine::connect(&DatabaseUrl::parse(url)?)
}

impl TestDb {
    /// A new SQLite file (created on first connection).
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestDb {
            backend: Backend::Sqlite,
            url,
            dir,
            server: None,
        }
    }

    /// A new database on the PostgreSQL server, or `None` (after a loud message)
    /// when the server cannot be reached outside CI.
    pub fn postgres() -> Option<TestDb> {
        TestDb::on_server(Backend::Postgres)
    }

    /// A new database on the MariaDB/MySQL server, or `None` as for `postgres`.
    pub fn mysql() -> Option<TestDb> {
        TestDb::on_server(Backend::Mysql)
    }

    /// A new database of any backend.
    pub fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(TestDb::sqlite()),
            other => TestDb::on_server(other),
        }
    }

    fn on_server(backend: Backend) -> Option<TestDb> {
        let admin = server_url(backend);
        let mut conn = match connect_url(&admin) {
            Ok(conn) => conn,
            Err(e) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "CI=true and the {} server is unreachable: {e}",
                        backend.name()
                    );
                }
                eprintln!(
                    "\n!!! SKIPPED: {} server unreachable ({e}); start it to run this test\n",
                    backend.name()
                );
                return None;
            }
        };
        let name = format!(
            "retort_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            &uuid_like()
        );
        let quote = retort_engine::dialect::of(&conn).quote(&name);
        conn.execute(&format!("CREATE DATABASE {quote}"))
            .expect("create the test database");
        let (base, _) = admin.rsplit_once('/').expect("URL names a database");
        let url = format!("{base}/{name}");
        Some(TestDb {
            backend,
            url,
            dir: tempfile::tempdir().expect("temporary folder"),
            server: Some((admin, name)),
        })
    }

    /// A config running `migrations` on this database, writing new revisions to a
    /// `versions` folder in the temporary folder.
    pub fn config(&self, migrations: Migrations) -> Config {
        let mut config = Config::new(migrations).url(&self.url);
        config.versions_dir = self.dir.path().join("versions");
        config
    }

    /// [`TestDb::config`] for the models of one project database (`types`,
    /// `arrays`…), so tests of different model sets share one binary's registry.
    pub fn config_for(&self, migrations: Migrations, database: &str) -> Config {
        let mut config = self.config(migrations);
        config.database = database.to_owned();
        config
    }
    /// The ops that take this database to `models`, as autogenerate compares
    /// them (Retort's own tables left out, no rename hints).
    pub fn compare(
        &self,
        models: &retort::schema::Schema,
    ) -> retort_engine::Result<Vec<retort::ops::Op>> {
        let mut conn = self.connect();
        retort_engine::autogenerate::compare_database(
            &mut conn,
            models,
            &retort::model::RenameHints::default(),
            &support::user_tables(),
        )
        .map(|c| c.ops)
    }

    /// A connection to this database.
    pub fn connect(&self) -> Connection {
        connect_url(&self.url).expect("connect to the test database")
    }

    /// The schema of the database (version table and its log excluded).
    pub fn schema(&self) -> Schema {
        retort_engine::introspect::introspect(
            &mut self.connect(),
            &[
                "retort_version",
                "retort_version_log",
                "retort_version_step",
            ],
        )
        .expect("introspect")
    }

    /// Names of the tables in the database (version table excluded).
    pub fn tables(&self) -> Vec<String> {
        self.schema().table_names().map(str::to_owned).collect()
    }

    /// The SQLite file, for byte-for-byte comparisons.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        (self.backend == Backend::Sqlite).then(|| self.dir.path().join("test.db"))
    }

    /// Everything a failed command must leave alone: the schema and the version
    /// table's rows (and, on SQLite, the file's bytes).
    pub fn snapshot(&self) -> (Schema, Vec<String>, Vec<u8>) {
        let mut conn = self.connect();
        let schema = retort_engine::introspect::introspect(
            &mut conn,
            &[
                "retort_version",
                "retort_version_log",
                "retort_version_step",
            ],
        )
        .expect("introspect");
        let versions = retort_engine::VersionTable {
            name: "retort_version",
        }
        .read(&mut conn)
        .expect("read versions");
        drop(conn);
        let bytes = self
            .sqlite_path()
            .map(|p| std::fs::read(p).unwrap_or_default())
            .unwrap_or_default();
        (schema, versions, bytes)
    }

    /// Runs `sql` and returns the first column of every row as text (for
    /// checking data).
    pub fn strings(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        use diesel::RunQueryDsl;
        let mut conn = self.connect();
        let rows: Vec<Row> = match self.backend {
            Backend::Sqlite => diesel::sql_query(sql).load(conn.sqlite().unwrap()),
            Backend::Postgres => diesel::sql_query(sql).load(conn.postgres().unwrap()),
            Backend::Mysql => diesel::sql_query(sql).load(conn.mysql().unwrap()),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter().map(|r| r.v).collect()
    }

    /// Feeds an SQL script to the database's own command-line client (`sqlite3`,
    /// `psql`, `mariadb`), stopping at the first error. Panics with the client's
    /// output when it fails.
    pub fn run_client(&self, script: &str) {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut cmd = match self.backend {
            Backend::Sqlite => {
                let mut c = Command::new("sqlite3");
                c.arg("-bail").arg(self.sqlite_path().expect("sqlite file"));
                c
            }
            Backend::Postgres => {
                let mut c = Command::new("psql");
                c.args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &self.url, "-f", "-"]);
                c
            }
            Backend::Mysql => {
                let rest = self.url.strip_prefix("mysql://").expect("mysql URL");
                let (auth, rest) = rest.split_once('@').expect("user@host");
                let (host, db) = rest.split_once('/').expect("host/db");
                let (host, port) = host.split_once(':').unwrap_or((host, "3306"));
                let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
                let mut c = Command::new("mariadb");
                c.args(["-h", host, "-P", port, "-u", user, db]);
                if !password.is_empty() {
                    c.arg(format!("-p{password}"));
                }
                c
            }
        };
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {} client: {e}", self.backend.name()));
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("write the script");
        let out = child.wait_with_output().expect("client output");
        assert!(
            out.status.success(),
            "the {} client failed: {}{}",
            self.backend.name(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `SELECT COUNT(*)` of a table.
    pub fn count(&self, table: &str) -> i64 {
        let q = retort_engine::dialect::of(&self.connect()).quote(table);
        self.strings(&format!("SELECT CAST(COUNT(*) AS CHAR(20)) AS v FROM {q}"))[0]
            .trim()
            .parse()
            .unwrap()
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{nanos:08x}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.server {
            if let Ok(mut conn) = connect_url(admin) {
                let quote = retort_engine::dialect::of(&conn).quote(name);
                let force = if self.backend == Backend::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                if let Err(e) = conn.execute(&format!("DROP DATABASE IF EXISTS {quote}{force}")) {
                    eprintln!("could not drop test database {name}: {e}");
                }
            }
        }
    }
}

/// Runs a test function `fn(&TestDb)` on SQLite, PostgreSQL and MariaDB, as three
/// tests named `<function>::sqlite`, `::postgres`, `::mysql`.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&$crate::TestDb::sqlite());
            }
            #[test]
            fn postgres() {
                if let Some(db) = $crate::TestDb::postgres() {
                    super::$name(&db);
                }
            }
            #[test]
            fn mysql() {
                if let Some(db) = $crate::TestDb::mysql() {
                    super::$name(&db);
                }
            }
        }
    )*};
}

/// Runs the same diesel code on whichever database a `retort::Connection` is:
/// `with_diesel!(&mut conn, |c| users::table.load::<User>(c))` (the closure's
/// result is a `QueryResult`, unwrapped).
#[macro_export]
macro_rules! with_diesel {
    ($conn:expr, |$c:ident| $body:expr) => {{
        let conn: &mut ::retort::Connection = $conn;
        let result = match conn.backend() {
            ::retort::Backend::Sqlite => {
                let $c = conn.sqlite().expect("an SQLite connection");
                $body
            }
            ::retort::Backend::Postgres => {
                let $c = conn.postgres().expect("a PostgreSQL connection");
                $body
            }
            ::retort::Backend::Mysql => {
                let $c = conn.mysql().expect("a MySQL connection");
                $body
            }
        };
        result.unwrap_or_else(|e| panic!("{e}"))
    }};
}

/// Links the shop models into the test binary (the registry is filled at link time).
pub fn link_shop() {
    retort::link!(shop);
}

/// A schema as a dialect stores it, to compare a model schema with an introspected
/// one.
pub fn as_stored(schema: &Schema, dialect: &dyn retort_engine::dialect::Dialect) -> Schema {
    dialect.as_stored(schema)
}

/// Small helpers the test files share.
pub mod support {
    /// What Alembic's upgrade builds from the seed tutorial's "Complete
    /// Example" models (the DDL SQLAlchemy emits for its autogenerated
    /// `op.create_table` calls: unnamed keys and uniques, `SERIAL` on PostgreSQL,
    /// `AUTO_INCREMENT` on MySQL), with `alembic_version` at a revision.
    pub fn alembic_seed(backend: retort::Backend) -> String {
        let (serial, float, datetime) = match backend {
            retort::Backend::Postgres => {
                ("SERIAL NOT NULL", "FLOAT", "TIMESTAMP WITHOUT TIME ZONE")
            }
            retort::Backend::Mysql => ("INTEGER NOT NULL AUTO_INCREMENT", "FLOAT", "DATETIME"),
            retort::Backend::Sqlite => ("INTEGER NOT NULL", "FLOAT", "DATETIME"),
        };
        format!(
            r#"
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE products (id {serial}, name VARCHAR(200) NOT NULL, price {float} NOT NULL, stock INTEGER, PRIMARY KEY (id));
CREATE TABLE users (id {serial}, username VARCHAR(50) NOT NULL, email VARCHAR(100) NOT NULL, created_at {datetime}, PRIMARY KEY (id), UNIQUE (email), UNIQUE (username));
CREATE TABLE orders (id {serial}, user_id INTEGER NOT NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL, order_date {datetime}, PRIMARY KEY (id), FOREIGN KEY(product_id) REFERENCES products (id), FOREIGN KEY(user_id) REFERENCES users (id));
INSERT INTO alembic_version (version_num) VALUES ('1975ea83b712');
"#
        )
    }

    /// A schema built by hand with the server's own DDL, as `import` finds
    /// databases other tools made (`tests/tests/import.rs` lists what it holds).
    pub fn hand_built(backend: retort::Backend) -> String {
        let wide: Vec<String> = (1..60).map(|i| format!("c{i} INTEGER")).collect();
        let wide = wide.join(", ");
        match backend {
            retort::Backend::Postgres => format!(
                r#"
CREATE TYPE mood AS ENUM ('happy', 'sad', 'in-between');
CREATE TABLE makers (id SERIAL PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT substring('name', 1, 3),
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, mood mood DEFAULT 'happy');
CREATE TABLE regions (country VARCHAR(2) NOT NULL, code INTEGER NOT NULL, label TEXT,
  PRIMARY KEY (country, code));
CREATE TABLE items (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  maker_id INTEGER REFERENCES makers(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES items(id), country VARCHAR(2), region_code INTEGER,
  "order" INTEGER NOT NULL DEFAULT 0, "type" TEXT, price NUMERIC(10, 2) CHECK (price >= 0),
  addr INET, flags BOOLEAN NOT NULL DEFAULT false,
  doubled NUMERIC GENERATED ALWAYS AS (price * 2) STORED,
  FOREIGN KEY (country, region_code) REFERENCES regions (country, code) ON UPDATE CASCADE,
  UNIQUE (maker_id, "order"));
CREATE INDEX items_type_idx ON items ("type");
CREATE UNIQUE INDEX items_maker_lower_type ON items (maker_id, lower("type")) WHERE flags;
CREATE INDEX items_price_desc ON items (price DESC NULLS LAST) INCLUDE (flags);
CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER);
CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id) DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b(id);
CREATE TABLE wide (id BIGSERIAL PRIMARY KEY, {wide});
CREATE TABLE "user" (id SERIAL PRIMARY KEY, "select" TEXT, balance DOUBLE PRECISION DEFAULT -1.5);
CREATE TABLE log_lines (line TEXT);
CREATE TABLE tickets (id BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 500) PRIMARY KEY,
  code TEXT COLLATE "C");
CREATE VIEW cheap_items AS SELECT id FROM items WHERE price < 10;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TABLE makers IS 'Who makes items';
COMMENT ON COLUMN makers.code IS 'Short code, as printed on labels';
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id SERIAL PRIMARY KEY, maker_id INTEGER NOT NULL REFERENCES makers(id),
  total NUMERIC(10, 2) NOT NULL DEFAULT 0);
CREATE INDEX invoices_maker_idx ON billing.invoices (maker_id);
CREATE TABLE billing.invoice_lines (id SERIAL PRIMARY KEY,
  invoice_id INTEGER NOT NULL REFERENCES billing.invoices(id) ON DELETE CASCADE);
"#
            ),
            retort::Backend::Mysql => format!(
                r#"
CREATE TABLE makers (id INT AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(10) NOT NULL UNIQUE COMMENT 'Short code, as printed on labels',
  name VARCHAR(50) NOT NULL DEFAULT (substring('name', 1, 3)),
  created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  mood ENUM('happy', 'sad', 'in-between') DEFAULT 'happy',
  touched DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP) COMMENT='Who makes items';
CREATE TABLE regions (country VARCHAR(2) NOT NULL, code INT NOT NULL, label TEXT,
  PRIMARY KEY (country, code));
CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, maker_id INT, parent_id INT,
  country VARCHAR(2), region_code INT, `order` INT NOT NULL DEFAULT 0, `type` VARCHAR(20),
  price DECIMAL(10, 2) CHECK (price >= 0), yr YEAR, flags BOOLEAN NOT NULL DEFAULT false,
  doubled DECIMAL(12, 2) AS (price * 2) VIRTUAL,
  FOREIGN KEY (maker_id) REFERENCES makers(id) ON DELETE CASCADE,
  FOREIGN KEY (parent_id) REFERENCES items(id),
  FOREIGN KEY (country, region_code) REFERENCES regions(country, code) ON UPDATE CASCADE,
  UNIQUE (maker_id, `order`), INDEX items_type_idx (`type`),
  INDEX items_country_desc (country DESC, region_code));
CREATE INDEX makers_name_prefix ON makers (name(8));
CREATE TABLE a (id INT PRIMARY KEY, b_id INT);
CREATE TABLE b (id INT PRIMARY KEY, a_id INT, FOREIGN KEY (a_id) REFERENCES a(id));
ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b(id);
CREATE TABLE wide (id BIGINT AUTO_INCREMENT PRIMARY KEY, {wide});
CREATE TABLE `user` (id INT AUTO_INCREMENT PRIMARY KEY, `select` TEXT, balance DOUBLE DEFAULT -1.5);
CREATE TABLE log_lines (line TEXT);
CREATE VIEW cheap_items AS SELECT id FROM items WHERE price < 10;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW SET NEW.`order` = NEW.`order`;
"#
            ),
            retort::Backend::Sqlite => format!(
                r#"
CREATE TABLE makers (id INTEGER PRIMARY KEY AUTOINCREMENT, code VARCHAR(10) NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT (substr('name', 1, 3)),
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  mood TEXT DEFAULT 'happy' CHECK (mood IN ('happy', 'sad', 'in-between')));
CREATE TABLE regions (country VARCHAR(2) NOT NULL, code INTEGER NOT NULL, label TEXT,
  PRIMARY KEY (country, code));
CREATE TABLE items (id INTEGER PRIMARY KEY,
  maker_id INTEGER REFERENCES makers(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES items(id), country VARCHAR(2), region_code INTEGER,
  "order" INTEGER NOT NULL DEFAULT '0', "type" TEXT, price NUMERIC(10, 2) CHECK (price >= 0),
  flags BOOLEAN NOT NULL DEFAULT 0,
  doubled NUMERIC GENERATED ALWAYS AS (price * 2) VIRTUAL,
  FOREIGN KEY (country, region_code) REFERENCES regions (country, code) ON UPDATE CASCADE,
  UNIQUE (maker_id, "order"));
CREATE INDEX items_type_idx ON items ("type");
CREATE UNIQUE INDEX items_maker_lower_type ON items (maker_id, lower("type")) WHERE flags;
CREATE INDEX items_price_desc ON items (price DESC);
CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));
CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE wide (id INTEGER PRIMARY KEY AUTOINCREMENT, {wide});
CREATE TABLE "user" (id INTEGER PRIMARY KEY AUTOINCREMENT, "select" TEXT, balance REAL DEFAULT -1.5);
CREATE TABLE log_lines (line TEXT);
CREATE VIEW cheap_items AS SELECT id FROM items WHERE price < 10;
CREATE TRIGGER items_touch AFTER UPDATE ON items BEGIN SELECT 1; END;
"#
            ),
        }
    }

    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    use retort::ops::Op;
    use retort::schema::Schema;
    use retort::Migrations;

    /// Every table but Retort's own (`retort_version*`), for comparisons.
    pub fn user_tables() -> retort_engine::introspect::Filter {
        retort_engine::introspect::Filter {
            exclude: vec!["retort_version*".into()],
            ..Default::default()
        }
    }

    /// Each op's one-line summary.
    pub fn summaries(ops: &[Op]) -> Vec<String> {
        ops.iter().map(Op::summary).collect()
    }

    /// `schema` with each table's columns in name order: a dropped and re-added
    /// column cannot get its position back.
    pub fn comparable(mut schema: Schema) -> Schema {
        for table in schema.tables.values_mut() {
            table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
        schema
    }

    /// Where the database of `config` is.
    pub fn current(config: &retort_engine::Config) -> Vec<String> {
        retort_engine::command::current(config).expect("read the version table")
    }

    /// The head revisions of `migrations`.
    pub fn heads(migrations: &Migrations) -> Vec<String> {
        retort_engine::RevisionMap::of(migrations)
            .expect("a valid revision graph")
            .heads()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// A process's standard output.
    pub fn stdout(o: &Output) -> String {
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// A process's standard error.
    pub fn stderr(o: &Output) -> String {
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    /// The repository's root folder.
    pub fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the repository")
            .to_path_buf()
    }

    /// `program` with no database URL or log filter from the environment, and no
    /// colours: what the tests of a binary start from.
    pub fn quiet(program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_remove("DATABASE_URL")
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1");
        command
    }

    /// `cargo run --quiet <before> -- <args>` in `dir`, built in the repository's
    /// `target/e2e`; the output is echoed for a failing test's log.
    pub fn cargo_run(dir: &Path, before: &[&str], args: &[&str]) -> Output {
        let out = quiet(env!("CARGO"))
            .args(["run", "--quiet"])
            .args(before)
            .arg("--")
            .args(args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", repo().join("target/e2e"))
            .output()
            .expect("run cargo");
        eprintln!(
            "$ cargo run {} -- {}\n{}{}",
            before.join(" "),
            args.join(" "),
            stdout(&out),
            stderr(&out)
        );
        out
    }
}
