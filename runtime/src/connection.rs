//! A live database connection of any supported backend.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::{Connection as _, SqliteConnection};

use crate::config::{Backend, DatabaseUrl};
use crate::dialect::{self, Dialect};
use crate::error::{Error, Result};

/// A diesel connection to one of the supported databases, which logs every
/// statement on the `retort::sql` log target and counts them.
pub struct Connection {
    driver: Driver,
    queries: Arc<AtomicUsize>,
    url: String,
}

/// The backend-specific diesel connection.
pub(crate) enum Driver {
    /// SQLite.
    Sqlite(SqliteConnection),
}

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

impl Connection {
    /// Connects, and sets up the session as migrations need it (SQLite: foreign keys
    /// enforced, wait up to 5 s for a lock).
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
                let mut conn =
                    SqliteConnection::establish(&url.target).map_err(|source| Error::Connect {
                        url: url.display.clone(),
                        source,
                    })?;
                conn.set_instrumentation(SqlLog(queries.clone()));
                Driver::Sqlite(conn)
            }
        };
        let mut conn = Connection {
            driver,
            queries,
            url: url.display.clone(),
        };
        match conn.driver {
            Driver::Sqlite(_) => {
                conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000")?
            }
        }
        Ok(conn)
    }

    /// The dialect of this connection.
    pub fn dialect(&self) -> &'static dyn Dialect {
        match self.driver {
            Driver::Sqlite(_) => &dialect::Sqlite,
        }
    }

    /// The URL connected to, password masked.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The diesel connection, when this is SQLite.
    pub fn sqlite(&mut self) -> Option<&mut SqliteConnection> {
        match &mut self.driver {
            Driver::Sqlite(c) => Some(c),
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
        let result = match &mut self.driver {
            Driver::Sqlite(c) => c.batch_execute(sql),
        };
        result.map_err(|e| Error::sql(sql, e))
    }

    /// Runs `f` in a transaction (SQLite: `BEGIN IMMEDIATE`, so concurrent
    /// migrators wait instead of failing half-way); rolls back when it fails.
    /// Transactions the closure opens itself on the diesel connection nest as
    /// savepoints.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let begun = match &mut self.driver {
            Driver::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
            }
        };
        begun.map_err(|e| Error::sql("BEGIN IMMEDIATE", e))?;
        match f(self) {
            Ok(value) => {
                let committed = match &mut self.driver {
                    Driver::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
                };
                committed.map_err(|e| Error::sql("COMMIT", e))?;
                Ok(value)
            }
            Err(error) => {
                let rolled_back = match &mut self.driver {
                    Driver::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
                };
                if let Err(rollback) = rolled_back {
                    log::error!("ROLLBACK failed after an error: {rollback}");
                }
                Err(error)
            }
        }
    }
}
