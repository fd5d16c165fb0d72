//! A live database connection of any supported backend.
//!
//! Each backend is a cargo feature of `retort`: `sqlite` (default, the library is
//! compiled in), `postgres` (links libpq) and `mysql` (links libmysqlclient or
//! MariaDB's libmariadb). Dialects (the SQL) are always compiled, so `--sql` works
//! for every database; only connecting needs the feature.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
#[allow(unused_imports)]
use diesel::Connection as _;
use diesel::RunQueryDsl;

use crate::config::{Backend, DatabaseUrl};
use crate::dialect::{self, Dialect};
use crate::error::{Error, Result};

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("retort needs at least one of its features `sqlite`, `postgres`, `mysql`");

/// A diesel connection to one of the supported databases, which logs every
/// statement on the `retort::sql` log target and counts them.
pub struct Connection {
    driver: Driver,
    backend: Backend,
    queries: Arc<AtomicUsize>,
    url: String,
}

/// The backend-specific diesel connection.
pub(crate) enum Driver {
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
            $crate::connection::Driver::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            $crate::connection::Driver::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            $crate::connection::Driver::Mysql($c) => $body,
        }
    };
}
pub(crate) use with_driver;

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.url)
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
        source,
    })?;
    conn.set_instrumentation(SqlLog(log.clone()));
    Ok(conn)
}

impl Connection {
    /// Connects, and sets up the session as migrations need it: SQLite waits up to
    /// 5 s for a lock; MySQL uses UTC, ANSI quotes off, and strict mode.
    pub fn establish(url: &DatabaseUrl) -> Result<Connection> {
        let queries = Arc::new(AtomicUsize::new(0));
        let driver = match url.backend {
            Backend::Sqlite => {
                if let Some(parent) = url.file().and_then(|f| f.parent()) {
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
        let mut conn = Connection {
            driver,
            backend: url.backend,
            queries,
            url: url.display.clone(),
        };
        let setup = match conn.backend {
            Backend::Sqlite => "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000",
            Backend::Postgres => "SET client_min_messages = WARNING",
            Backend::Mysql => {
                "SET time_zone = '+00:00', sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')"
            }
        };
        conn.execute(setup)?;
        Ok(conn)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The dialect of this connection.
    pub fn dialect(&self) -> &'static dyn Dialect {
        dialect::for_backend(self.backend)
    }

    /// The URL connected to, password masked.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The diesel connection, when this is SQLite.
    #[cfg(feature = "sqlite")]
    pub fn sqlite(&mut self) -> Option<&mut diesel::SqliteConnection> {
        match &mut self.driver {
            Driver::Sqlite(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The diesel connection, when this is PostgreSQL.
    #[cfg(feature = "postgres")]
    pub fn postgres(&mut self) -> Option<&mut diesel::PgConnection> {
        match &mut self.driver {
            Driver::Postgres(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The diesel connection, when this is MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    pub fn mysql(&mut self) -> Option<&mut diesel::MysqlConnection> {
        match &mut self.driver {
            Driver::Mysql(c) => Some(c),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The backend-specific connection.
    pub(crate) fn driver(&mut self) -> &mut Driver {
        &mut self.driver
    }

    /// How many statements this connection has sent (catalog queries included).
    pub fn queries_sent(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }

    /// Runs one or more statements without results.
    pub fn execute(&mut self, sql: &str) -> Result<()> {
        with_driver!(&mut self.driver, c => c.batch_execute(sql)).map_err(|e| Error::sql(sql, e))
    }

    /// Runs a query and loads its rows into `T`, on whichever database this is:
    /// `T` is a `#[derive(diesel::QueryableByName)]` struct. For the
    /// fetch-transform-update pattern of data migrations:
    /// `let rows: Vec<Note> = op.connection()?.query("SELECT id, body FROM notes")?;`
    pub fn query<T>(&mut self, sql: &str) -> Result<Vec<T>>
    where
        T: Row,
    {
        with_driver!(&mut self.driver, c => diesel::sql_query(sql).load::<T>(c))
            .map_err(|e| Error::sql(sql, e))
    }

    /// Runs `f` in a transaction, rolled back when it fails. Transactions the
    /// closure opens itself on the diesel connection nest as savepoints.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let begin = match self.backend {
            // Concurrent migrators wait for the write lock instead of failing half-way.
            Backend::Sqlite => "BEGIN IMMEDIATE",
            _ => "BEGIN",
        };
        with_driver!(&mut self.driver, c => AnsiTransactionManager::begin_transaction_sql(c, begin))
            .map_err(|e| Error::sql(begin, e))?;
        match f(self) {
            Ok(value) => {
                with_driver!(&mut self.driver, c => AnsiTransactionManager::commit_transaction(c))
                    .map_err(|e| Error::sql("COMMIT", e))?;
                Ok(value)
            }
            Err(error) => {
                let rolled_back = with_driver!(&mut self.driver, c => AnsiTransactionManager::rollback_transaction(c));
                if let Err(rollback) = rolled_back {
                    log::error!("ROLLBACK failed after an error: {rollback}");
                }
                Err(error)
            }
        }
    }

    /// Runs one migration step as the dialect allows: in a transaction where DDL
    /// is transactional (SQLite, with foreign keys checked at the end instead of
    /// enforced statement by statement, so tables can be rebuilt; PostgreSQL), and
    /// statement by statement on MySQL, whose DDL commits implicitly.
    pub fn migration_step<T>(&mut self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        match self.backend {
            Backend::Mysql => f(self),
            Backend::Postgres => self.transaction(f),
            Backend::Sqlite => {
                self.execute("PRAGMA foreign_keys = OFF")?;
                let result = self.transaction(|conn| {
                    let value = f(conn)?;
                    conn.check_foreign_keys()?;
                    Ok(value)
                });
                self.execute("PRAGMA foreign_keys = ON")?;
                result
            }
        }
    }

    /// SQLite: fails when any row violates a foreign key.
    fn check_foreign_keys(&mut self) -> Result<()> {
        #[derive(diesel::QueryableByName)]
        struct Violation {
            #[diesel(sql_type = diesel::sql_types::Text)]
            table_name: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            parent: String,
        }
        let sql = "SELECT \"table\" AS table_name, parent FROM pragma_foreign_key_check";
        let violations: Vec<Violation> = self.query(sql)?;
        match violations.first() {
            None => Ok(()),
            Some(v) => Err(Error::ForeignKeyViolation {
                table: v.table_name.clone(),
                parent: v.parent.clone(),
                rows: violations.len(),
            }),
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
