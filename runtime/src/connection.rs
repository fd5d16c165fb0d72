//! Database URLs, and a live connection of any supported backend.
//!
//! Each backend is a cargo feature of `retort`: `sqlite` (default, the library is
//! compiled in), `postgres` (links libpq) and `mysql` (links libmysqlclient or
//! MariaDB's libmariadb). Only connecting needs the feature: the engine's dialects
//! (the SQL) are always compiled, so `--sql` prints for every database.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
#[allow(unused_imports)]
use diesel::Connection as _;
use diesel::RunQueryDsl;

use std::path::Path;

use crate::error::{Error, Result};
use crate::schema::Value;

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("retort needs at least one of its features `sqlite`, `postgres`, `mysql`");

/// The database servers Retort can talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (or `:memory:`).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
    /// A MySQL or MariaDB server.
    Mysql,
}

impl Backend {
    /// The name of the cargo feature (and of the dialect).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// Reads `sqlite`, `postgres`/`postgresql`, `mysql`/`mariadb`.
    pub fn parse(name: &str) -> Option<Backend> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Some(Backend::Sqlite),
            "postgres" | "postgresql" | "pg" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::Mysql),
            _ => None,
        }
    }
}

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// Which database.
    pub backend: Backend,
    /// What the driver connects to: for SQLite, a file path or `:memory:`; for the
    /// servers, the URL with its user name and password percent-encoded (it holds
    /// the password: never print it; [`DatabaseUrl::display`] is for messages).
    pub target: String,
    /// The URL as given, password masked (for messages).
    pub display: String,
    /// The password as written, as the driver gets it (percent-encoded) and
    /// decoded: what to scrub out of drivers' messages.
    password: Vec<String>,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("backend", &self.backend)
            .field("url", &self.display)
            .finish_non_exhaustive()
    }
}

impl DatabaseUrl {
    /// Parses `sqlite://relative.db`, `sqlite:///abs/path.db`, `sqlite::memory:`,
    /// `postgres://user:password@host:port/db` (also `postgresql://`) and
    /// `mysql://user:password@host:port/db` (also `mariadb://`). A server URL is
    /// read by a URL parser: special characters in the user name or password are
    /// percent-encoded (`@` is `%40`, `/` is `%2F`, `:` is `%3A`); a raw `@` in the
    /// password is accepted (the last `@` ends it).
    pub fn parse(url: &str) -> Result<DatabaseUrl> {
        let display = mask_password(url);
        let bad = |reason: String| Error::Url {
            url: display.clone(),
            reason,
        };
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(bad(
                "it has no scheme; write sqlite://path/to/file.db (or postgres://…, mysql://…)"
                    .to_owned(),
            ));
        };
        let backend = Backend::parse(scheme).ok_or_else(|| {
            bad(format!(
                "unknown scheme `{scheme}`; Retort speaks sqlite://, postgres:// and mysql://"
            ))
        })?;
        if backend == Backend::Sqlite {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split_once('?').map_or(path, |(p, _)| p);
            if path.is_empty() {
                return Err(bad(
                    "it names no file; write sqlite://path/to/file.db".to_owned()
                ));
            }
            return Ok(DatabaseUrl {
                backend,
                target: path.to_owned(),
                display,
                password: Vec::new(),
            });
        }
        let form = || format!("write {scheme}://user:password@host:port/database");
        if !rest.starts_with("//") || rest.len() == 2 {
            return Err(bad(form()));
        }
        let normal = if backend == Backend::Mysql {
            "mysql"
        } else {
            "postgres"
        };
        let mut parsed = url::Url::parse(&format!("{normal}:{rest}")).map_err(|e| {
            bad(format!(
                "{e}; {}, with special characters of the user name and password percent-encoded \
                 (`@` is %40, `/` is %2F, `:` is %3A, `#` is %23)",
                form()
            ))
        })?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad(format!("it names no host; {}", form())));
        }
        // The user name and password as written: up to the last `@`. A parser
        // that reads them otherwise (a raw `?`, `#` or `/` ends the authority
        // early) would send another password and show the rest of this one.
        let decode = |t: &str| {
            percent_encoding::percent_decode_str(t)
                .decode_utf8_lossy()
                .into_owned()
        };
        let written = rest[2..].rfind('@').map(|at| &rest[2..2 + at]).map(|info| {
            info.split_once(':')
                .map_or((info, None), |(u, p)| (u, Some(p)))
        });
        let read = (decode(parsed.username()), parsed.password().map(decode));
        let agrees = match written {
            Some((user, password)) => decode(user) == read.0 && password.map(decode) == read.1,
            None => read.0.is_empty() && read.1.is_none(),
        };
        if !agrees {
            return Err(bad(format!(
                "the user name or password holds characters a URL cannot hold raw; percent-encode them \
                 (`@` is %40, `/` is %2F, `:` is %3A, `?` is %3F, `#` is %23): {}",
                form()
            )));
        }
        let mut password: Vec<String> = written
            .and_then(|(_, p)| p)
            .into_iter()
            .map(str::to_owned)
            .chain(
                parsed
                    .password()
                    .map(|p| [p.to_owned(), decode(p)])
                    .into_iter()
                    .flatten(),
            )
            .filter(|p| !p.is_empty())
            .collect();
        // The longest first, so a form inside another is not replaced half-way.
        password.sort_by_key(|p| std::cmp::Reverse(p.len()));
        password.dedup();
        parsed.set_fragment(None);
        Ok(DatabaseUrl {
            backend,
            target: parsed.to_string(),
            display,
            password,
        })
    }

    /// For SQLite, whether the target is a file (not `:memory:`).
    pub fn file(&self) -> Option<&Path> {
        match self.backend {
            Backend::Sqlite if self.target != ":memory:" => Some(Path::new(&self.target)),
            _ => None,
        }
    }

    /// `message` with this URL's password (as given and as percent-encoded)
    /// replaced by `***`: for a driver's error, which may quote what it was given.
    pub fn scrub(&self, message: &str) -> String {
        self.password.iter().fold(message.to_owned(), |text, form| {
            text.replace(form.as_str(), "***")
        })
    }
}

/// Replaces the password of `scheme://user:password@host` with `***`, the
/// userinfo ending at the last `@` (a raw `@` or `/` in a password stays hidden).
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some(at) = rest.rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// A diesel connection to one of the supported databases, which logs every
/// statement on the `retort::sql` log target and counts them.
pub struct Connection {
    driver: Driver,
    backend: Backend,
    queries: Arc<AtomicUsize>,
    url: DatabaseUrl,
    /// The transaction [`Connection::transaction_with`] opened, and who knows of it.
    tx: Tx,
    /// Statements queued by [`Connection::before_commit`].
    commit_tail: Option<String>,
}

/// Where the transaction of [`Connection::transaction_with`] stands. On PostgreSQL
/// its `BEGIN` waits for the first statement and goes in the same round trip, and
/// its `COMMIT` goes with the statements queued for it: a step of one statement is
/// two round trips, not four. Diesel's transaction manager is told of such a
/// transaction only when the diesel connection is handed out (it may open
/// transactions of its own, which must nest as savepoints).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tx {
    /// No transaction.
    None,
    /// Opened, its `BEGIN` (this text) not sent yet.
    Deferred(String),
    /// `BEGIN` sent with a statement; diesel's transaction manager does not know.
    Raw,
    /// Diesel's transaction manager knows (depth 1): it commits and rolls back.
    Managed,
}

/// The backend-specific diesel connection.
enum Driver {
    /// SQLite.
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::SqliteConnection),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    /// MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    Mysql(diesel::MysqlConnection),
}

/// Runs `$body` with `$c` bound to whichever diesel connection `$driver` holds.
macro_rules! with_driver {
    ($driver:expr, $c:ident => $body:expr) => {
        match $driver {
            #[cfg(feature = "sqlite")]
            Driver::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            Driver::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            Driver::Mysql($c) => $body,
        }
    };
}

/// A boxed `sql_query` on `$db` with each of `$params` bound with its own type;
/// `$tz => $tz_type, $tz_value` says how a zoned timestamp is bound there, and
/// `$dec => $dec_type, $dec_value` a decimal number (its text).
macro_rules! bind_all {
    (
        $db:ty, $sql:expr, $params:expr,
        $tz:ident => $tz_type:ty, $tz_value:expr,
        $dec:ident => $dec_type:ty, $dec_value:expr,
        $en:ident => $en_type:ty, $en_value:expr,
        null => $null_type:ty, $null_value:expr
    ) => {{
        use diesel::sql_types::{
            BigInt, Binary, Bool, Date, Double, Nullable, Text, Time, Timestamp,
        };
        let mut query = diesel::sql_query($sql).into_boxed::<$db>();
        for param in $params {
            query = match *param {
                Value::Null => query.bind::<Nullable<$null_type>, _>($null_value),
                Value::Int(i) => query.bind::<BigInt, _>(*i),
                Value::Float(f) => query.bind::<Double, _>(*f),
                Value::Bool(b) => query.bind::<Bool, _>(*b),
                Value::Text(s) => query.bind::<Text, _>(s.as_str()),
                Value::Bytes(b) => query.bind::<Binary, _>(b.as_slice()),
                Value::Date(d) => query.bind::<Date, _>(*d),
                Value::Time(t) => query.bind::<Time, _>(*t),
                Value::Timestamp(t) => query.bind::<Timestamp, _>(*t),
                Value::TimestampTz($tz) => query.bind::<$tz_type, _>($tz_value),
                Value::Uuid(bytes) => {
                    query.bind::<crate::sql_types::Uuid, _>(crate::sql_types::UuidBytes(*bytes))
                }
                Value::Json(text) => {
                    query.bind::<crate::sql_types::Json, _>(crate::sql_types::JsonText(text))
                }
                Value::Decimal($dec) => query.bind::<$dec_type, _>($dec_value),
                Value::Enum($en) => query.bind::<$en_type, _>($en_value),
            };
        }
        query
    }};
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.url.display)
            .finish_non_exhaustive()
    }
}

/// Logs each statement diesel sends and counts it.
struct SqlLog(Arc<AtomicUsize>);

impl Instrumentation for SqlLog {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
            log::info!(target: "retort::sql", "{query}");
        }
    }
}

fn connect<C: diesel::Connection>(
    url: &DatabaseUrl,
    target: &str,
    log: &Arc<AtomicUsize>,
) -> Result<C> {
    let mut conn = C::establish(target).map_err(|source| Error::Connect {
        url: url.display.clone(),
        reason: url.scrub(&source.to_string()),
    })?;
    conn.set_instrumentation(SqlLog(log.clone()));
    Ok(conn)
}

impl Connection {
    /// Connects, with nothing set up beyond what the driver does: the migration
    /// engine (`retort_engine::connect`) then sets the session up as migrations
    /// need it. For SQLite, the file's folder must exist (the file is created).
    pub fn establish(url: &DatabaseUrl) -> Result<Connection> {
        let queries = Arc::new(AtomicUsize::new(0));
        let driver = match url.backend {
            Backend::Sqlite => {
                if let Some(parent) = url.file().and_then(Path::parent) {
                    if !parent.as_os_str().is_empty() && !parent.is_dir() {
                        return Err(Error::Url {
                            url: url.display.clone(),
                            reason: format!("folder {} does not exist", parent.display()),
                        });
                    }
                }
                #[cfg(feature = "sqlite")]
                {
                    Driver::Sqlite(connect(url, &url.target, &queries)?)
                }
                #[cfg(not(feature = "sqlite"))]
                return Err(not_compiled(url, "sqlite"));
            }
            Backend::Postgres => {
                #[cfg(feature = "postgres")]
                {
                    Driver::Postgres(connect(url, &url.target, &queries)?)
                }
                #[cfg(not(feature = "postgres"))]
                return Err(not_compiled(url, "postgres"));
            }
            Backend::Mysql => {
                #[cfg(feature = "mysql")]
                {
                    Driver::Mysql(connect(url, &url.target, &queries)?)
                }
                #[cfg(not(feature = "mysql"))]
                return Err(not_compiled(url, "mysql"));
            }
        };
        Ok(Connection {
            driver,
            backend: url.backend,
            queries,
            url: url.clone(),
            tx: Tx::None,
            commit_tail: None,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL connected to, password masked.
    pub fn url(&self) -> &str {
        &self.url.display
    }

    /// What was connected to (for SQLite, [`DatabaseUrl::file`] is the file).
    pub fn database_url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The diesel connection, when this is SQLite: for diesel's query DSL in a data
    /// migration.
    #[cfg(feature = "sqlite")]
    pub fn sqlite(&mut self) -> Option<&mut diesel::SqliteConnection> {
        self.hand_over();
        match &mut self.driver {
            Driver::Sqlite(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The diesel connection, when this is PostgreSQL.
    #[cfg(feature = "postgres")]
    pub fn postgres(&mut self) -> Option<&mut diesel::PgConnection> {
        self.hand_over();
        match &mut self.driver {
            Driver::Postgres(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The diesel connection, when this is MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    pub fn mysql(&mut self) -> Option<&mut diesel::MysqlConnection> {
        self.hand_over();
        match &mut self.driver {
            Driver::Mysql(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// How many statements this connection has sent (catalog queries included).
    pub fn queries_sent(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }

    /// Runs one or more statements without results.
    pub fn execute(&mut self, sql: &str) -> Result<()> {
        // A deferred BEGIN goes in the same round trip. Should the statement fail,
        // the transaction is open and aborted, as if sent apart.
        let batch = self.take_begin().map(|begin| format!("{begin};\n{sql}"));
        let sent = batch.as_deref().unwrap_or(sql);
        with_driver!(&mut self.driver, c => c.batch_execute(sent)).map_err(|e| Error::sql(sql, e))
    }

    /// Runs `sql` ahead of the open transaction when nothing has run in it yet
    /// (PostgreSQL sends a transaction's `BEGIN` with its first statement), so it
    /// commits on its own; otherwise inside the transaction, as
    /// [`Connection::execute`] does. Returns whether it ran ahead. For statements
    /// whose effect a transaction cannot use before it commits (PostgreSQL's
    /// `ALTER TYPE … ADD VALUE`); they must be safe to run again.
    pub fn execute_early(&mut self, sql: &str) -> Result<bool> {
        if matches!(self.tx, Tx::Deferred(_)) {
            with_driver!(&mut self.driver, c => c.batch_execute(sql))
                .map_err(|e| Error::sql(sql, e))?;
            return Ok(true);
        }
        self.execute(sql).map(|()| false)
    }

    /// The deferred `BEGIN`, if one waits: the caller sends it (`Tx::Raw` from now).
    fn take_begin(&mut self) -> Option<String> {
        if !matches!(self.tx, Tx::Deferred(_)) {
            return None;
        }
        match std::mem::replace(&mut self.tx, Tx::Raw) {
            Tx::Deferred(begin) => Some(begin),
            _ => None,
        }
    }

    /// Sends a deferred `BEGIN` on its own, before a statement that cannot carry it
    /// (one with parameters or results).
    fn begin_now(&mut self) -> Result<()> {
        match self.take_begin() {
            Some(begin) => with_driver!(&mut self.driver, c => c.batch_execute(&begin))
                .map_err(|e| Error::sql(&begin, e)),
            None => Ok(()),
        }
    }

    /// Tells diesel's transaction manager of the open transaction before the
    /// diesel connection is handed out, so that transactions opened on it nest as
    /// savepoints instead of committing this one.
    fn hand_over(&mut self) {
        let sql = match &self.tx {
            Tx::Deferred(begin) => begin.clone(),
            // Already open: diesel sends this in it and counts depth 1.
            Tx::Raw => "SAVEPOINT retort_handover".to_owned(),
            Tx::None | Tx::Managed => return,
        };
        let told = with_driver!(&mut self.driver, c => AnsiTransactionManager::begin_transaction_sql(c, &sql));
        match told {
            Ok(()) => self.tx = Tx::Managed,
            // Diesel was not told (the transaction failed already, say): it stays
            // Retort's to end, and diesel's own transactions fail as they would.
            Err(e) => {
                if matches!(self.tx, Tx::Deferred(_)) {
                    self.tx = Tx::Raw;
                }
                log::error!(target: "retort::sql", "{sql} failed: {e}");
            }
        }
    }

    /// Queues `sql` (statements without results) for the commit of the open
    /// transaction: on PostgreSQL it goes in the same round trip as the `COMMIT`
    /// (and as the `BEGIN`, if nothing else ran). Its failure fails the commit, and
    /// the transaction is rolled back. Outside a transaction it runs at once.
    pub fn before_commit(&mut self, sql: String) -> Result<()> {
        if self.tx == Tx::None {
            return self.execute(&sql);
        }
        self.commit_tail = Some(match self.commit_tail.take() {
            Some(earlier) => format!("{earlier};\n{sql}"),
            None => sql,
        });
        Ok(())
    }

    /// Runs one statement whose placeholders (the database's own: `?`, or `$1`,
    /// `$2`… on PostgreSQL) take `params`, sent to the server as bound parameters,
    /// never as SQL text. Each value is bound with its own type (`Value::Int` as
    /// BIGINT, `Value::Text` as TEXT…): `Value::Uuid` as
    /// [`sql_types::Uuid`](crate::sql_types::Uuid) (PostgreSQL `uuid`, the
    /// hyphenated text elsewhere), `Value::Json` as
    /// [`sql_types::Json`](crate::sql_types::Json) (PostgreSQL `jsonb`, text
    /// elsewhere), `Value::Decimal` as PostgreSQL `numeric` and as its text on
    /// MySQL and SQLite (which store it in a DECIMAL or NUMERIC column as the
    /// number), `Value::Enum` as its text (untyped on PostgreSQL: the server reads
    /// it as the column's enum type). Returns the number of rows affected.
    pub fn execute_params(&mut self, sql: &str, params: &[&Value]) -> Result<usize> {
        self.begin_now()?;
        match &mut self.driver {
            #[cfg(feature = "sqlite")]
            Driver::Sqlite(c) => {
                // The decimal's text: a NUMERIC column stores it as a number.
                bind_all!(
                    diesel::sqlite::Sqlite, sql, params,
                    tz => diesel::sql_types::TimestamptzSqlite, *tz,
                    dec => Text, dec.as_str(),
                    en => Text, en.as_str(),
                    null => Text, None::<&str>
                )
                .execute(c)
            }
            #[cfg(feature = "postgres")]
            Driver::Postgres(c) => bind_all!(
                diesel::pg::Pg, sql, params,
                tz => diesel::sql_types::Timestamptz, *tz,
                dec => diesel::sql_types::Numeric, crate::sql_types::PgDecimal(dec),
                en => crate::sql_types::Untyped, crate::sql_types::UntypedText(en),
                null => crate::sql_types::Untyped, None::<crate::sql_types::NoValue>
            )
            .execute(c),
            #[cfg(feature = "mysql")]
            Driver::Mysql(c) => {
                // MySQL has no zoned type: the UTC wall-clock time.
                // The decimal's text: the server converts it exactly.
                bind_all!(
                    diesel::mysql::Mysql, sql, params,
                    tz => diesel::sql_types::Timestamp, tz.naive_utc(),
                    dec => Text, dec.as_str(),
                    en => Text, en.as_str(),
                    null => Text, None::<&str>
                )
                .execute(c)
            }
        }
        .map_err(|e| Error::sql(sql, e))
    }

    /// Runs a query and loads its rows into `T`, on whichever database this is:
    /// `T` is a `#[derive(diesel::QueryableByName)]` struct. For the
    /// fetch-transform-update pattern of data migrations:
    /// `let rows: Vec<Note> = op.connection()?.query("SELECT id, body FROM notes")?;`
    pub fn query<T>(&mut self, sql: &str) -> Result<Vec<T>>
    where
        T: Row,
    {
        self.begin_now()?;
        with_driver!(&mut self.driver, c => diesel::sql_query(sql).load::<T>(c))
            .map_err(|e| Error::sql(sql, e))
    }

    /// Runs `f` in a transaction (`BEGIN`), committed when it returns `Ok` and
    /// rolled back when it fails. Transactions the closure opens itself on the
    /// diesel connection nest as savepoints.
    ///
    /// On PostgreSQL the `BEGIN` is sent with the transaction's first statement
    /// (`--echo` shows `BEGIN;` before it) and the `COMMIT` with the statements
    /// queued by [`Connection::before_commit`]: a transaction that runs nothing
    /// sends nothing, one of a statement and a queued tail is two round trips.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        self.transaction_with("BEGIN", f)
    }

    /// [`Connection::transaction`], opened with `begin` instead of `BEGIN` (SQLite's
    /// `BEGIN IMMEDIATE` takes the write lock at once). Any error type that a
    /// failed `BEGIN` or `COMMIT` converts into works.
    pub fn transaction_with<T, E>(
        &mut self,
        begin: &str,
        f: impl FnOnce(&mut Connection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<Error>,
    {
        if self.tx != Tx::None {
            return Err(Error::sql(begin, diesel::result::Error::AlreadyInTransaction).into());
        }
        if self.backend == Backend::Postgres {
            self.tx = Tx::Deferred(begin.to_owned());
        } else {
            with_driver!(&mut self.driver, c => AnsiTransactionManager::begin_transaction_sql(c, begin))
                .map_err(|e| Error::sql(begin, e))?;
            self.tx = Tx::Managed;
        }
        let result = f(self);
        let tail = self.commit_tail.take();
        let tx = std::mem::replace(&mut self.tx, Tx::None);
        match result {
            Ok(value) => self.commit(tx, tail).map(|()| value).map_err(E::from),
            Err(error) => {
                self.roll_back(tx);
                Err(error)
            }
        }
    }

    /// Commits `tx` with the statements queued for its commit.
    fn commit(&mut self, tx: Tx, tail: Option<String>) -> Result<()> {
        let mut batch = Vec::new();
        match tx {
            Tx::None => return Ok(()),
            // Nothing ran: nothing to commit.
            Tx::Deferred(_) if tail.is_none() => return Ok(()),
            Tx::Deferred(begin) => batch.push(begin),
            Tx::Raw => {}
            Tx::Managed => {
                if let Some(tail) = &tail {
                    if let Err(e) = self.execute(tail) {
                        self.roll_back(Tx::Managed);
                        return Err(e);
                    }
                }
                let committed = with_driver!(&mut self.driver, c => AnsiTransactionManager::commit_transaction(c));
                if let Err(e) = committed {
                    // A failed COMMIT leaves the transaction open on some databases.
                    self.roll_back(Tx::Managed);
                    return Err(Error::sql("COMMIT", e));
                }
                return Ok(());
            }
        }
        batch.extend(tail.clone());
        batch.push("COMMIT".to_owned());
        let sql = batch.join(";\n");
        if let Err(e) = with_driver!(&mut self.driver, c => c.batch_execute(&sql)) {
            // A statement before the COMMIT failed (the transaction is aborted) or
            // the COMMIT did (it is over): ROLLBACK ends either.
            self.roll_back(Tx::Raw);
            return Err(Error::sql(tail.as_deref().unwrap_or("COMMIT"), e));
        }
        Ok(())
    }

    /// Rolls `tx` back after an error.
    fn roll_back(&mut self, tx: Tx) {
        let rolled_back = match tx {
            Tx::None | Tx::Deferred(_) => return,
            Tx::Raw => with_driver!(&mut self.driver, c => c.batch_execute("ROLLBACK")),
            Tx::Managed => {
                with_driver!(&mut self.driver, c => AnsiTransactionManager::rollback_transaction(c))
            }
        };
        if let Err(rollback) = rolled_back {
            log::error!("ROLLBACK failed after an error: {rollback}");
        }
    }
}

/// Declares `$name`: implemented by every row type loadable from `$backend` when
/// its feature is on, and by every type when it is off.
macro_rules! backend_row {
    ($name:ident, $feature:literal, $backend:ty) => {
        #[cfg(feature = $feature)]
        #[doc(hidden)]
        pub trait $name: diesel::QueryableByName<$backend> {}
        #[cfg(feature = $feature)]
        impl<T: diesel::QueryableByName<$backend>> $name for T {}
        #[cfg(not(feature = $feature))]
        #[doc(hidden)]
        pub trait $name {}
        #[cfg(not(feature = $feature))]
        impl<T> $name for T {}
    };
}
backend_row!(SqliteRow, "sqlite", diesel::sqlite::Sqlite);
backend_row!(PgRow, "postgres", diesel::pg::Pg);
backend_row!(MysqlRow, "mysql", diesel::mysql::Mysql);

/// A row type loadable from every compiled backend: implemented by every
/// `#[derive(diesel::QueryableByName)]` struct whose fields read on each of them.
pub trait Row: SqliteRow + PgRow + MysqlRow + 'static {}
impl<T: SqliteRow + PgRow + MysqlRow + 'static> Row for T {}

#[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "mysql")))]
fn not_compiled(url: &DatabaseUrl, feature: &str) -> Error {
    Error::Url {
        url: url.display.clone(),
        reason: format!(
            "this program was built without {feature} support; build it with the `{feature}` feature \
             (for the example: cargo run -p migrations-cli --features {feature} -- …)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://app.db").unwrap().target,
            "app.db"
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x/app.db").unwrap().target,
            "/tmp/x/app.db"
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:").unwrap().target,
            ":memory:"
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://app.db?mode=rwc")
                .unwrap()
                .target,
            "app.db"
        );
    }

    #[test]
    fn server_urls() {
        let pg = DatabaseUrl::parse("postgresql://u:pw@127.0.0.1:5432/db").unwrap();
        assert_eq!(
            (pg.backend, pg.target.as_str()),
            (Backend::Postgres, "postgres://u:pw@127.0.0.1:5432/db")
        );
        assert_eq!(pg.display, "postgresql://u:***@127.0.0.1:5432/db");
        let my = DatabaseUrl::parse("mariadb://root@localhost/test").unwrap();
        assert_eq!(
            (my.backend, my.target.as_str()),
            (Backend::Mysql, "mysql://root@localhost/test")
        );
        assert!(DatabaseUrl::parse("postgres:")
            .unwrap_err()
            .to_string()
            .contains("postgres://user:password@host"));
    }

    #[test]
    fn bad_urls_say_why() {
        let err = DatabaseUrl::parse("oracle://scott:tiger@db/x")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "database URL `oracle://scott:***@db/x`: unknown scheme `oracle`; Retort speaks sqlite://, postgres:// and mysql://"
        );
        assert!(DatabaseUrl::parse("app.db")
            .unwrap_err()
            .to_string()
            .contains("no scheme"));
        assert!(DatabaseUrl::parse("sqlite://")
            .unwrap_err()
            .to_string()
            .contains("names no file"));
    }

    #[test]
    fn passwords_with_special_characters_never_show() {
        // A raw `@` in the password: the last `@` ends it.
        let url = DatabaseUrl::parse("postgres://u:p@ss@db.example:5432/app").unwrap();
        assert_eq!(url.display, "postgres://u:***@db.example:5432/app");
        assert!(
            url.target
                .starts_with("postgres://u:p%40ss@db.example:5432/app"),
            "{}",
            url.target
        );
        assert_eq!(
            url.scrub("auth failed for u with p@ss (p%40ss)"),
            "auth failed for u with *** (***)"
        );
        assert!(!format!("{url:?}").contains("ss"), "{url:?}");
        // A raw `/` cannot be read by any URL parser: refused, and not shown.
        let err = DatabaseUrl::parse("mysql://root:p@ss:w/rd@host/db")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("database URL `mysql://root:***@host/db`"),
            "{err}"
        );
        assert!(!err.contains("ss:w") && !err.contains("w/rd"), "{err}");
        assert!(err.contains("%2F"), "{err}");
        // Percent-encoded, it works.
        let url = DatabaseUrl::parse("mysql://root:p%40ss%3Aw%2Frd@host/db").unwrap();
        assert_eq!(url.display, "mysql://root:***@host/db");
        assert_eq!(url.scrub("x p@ss:w/rd y"), "x *** y");
        assert!(DatabaseUrl::parse("postgres://")
            .unwrap_err()
            .to_string()
            .contains("postgres://user:password@host"));
        assert!(DatabaseUrl::parse("mysql://u:pw@/db")
            .unwrap_err()
            .to_string()
            .contains("u:***@/db"));
    }

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_password("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(mask_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(mask_password("sqlite://a.db"), "sqlite://a.db");
    }
}
