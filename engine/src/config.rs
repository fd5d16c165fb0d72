//! One database as the commands see it: where it is, where its revisions live,
//! and how runs on it behave.
//!
//! Precedence for the URL: an explicit [`Config::url`] (the CLI's `--url`), then
//! the environment variable [`Config::url_env`] (`DATABASE_URL`), then the
//! program's default.

use std::path::PathBuf;
use std::time::Duration;

use retort::schema::naming::NamingConvention;
use retort::{DatabaseUrl, Migrations};

use crate::error::Result;

/// Whether revisions get a transaction each, share one, or have none:
/// `--transaction`, and `transaction = "..."` in Retort.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransactionMode {
    /// One transaction per revision (the default): a failure keeps the revisions
    /// before it.
    #[default]
    PerRevision,
    /// One transaction around the whole run (PostgreSQL, SQLite): all or nothing.
    All,
    /// No transaction around a revision: each statement commits on its own, as
    /// MySQL always does (PostgreSQL, MySQL). For revisions that take more locks
    /// than one transaction may hold (PostgreSQL's `max_locks_per_transaction`).
    /// A failure keeps the statements before it; the version table still names the
    /// last complete revision.
    PerStatement,
}

/// How a run behaves.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// How long to wait for another runner to finish.
    pub lock_timeout: Duration,
    /// Transaction per revision, or one for the run.
    pub transactions: TransactionMode,
    /// How long a statement of a step waits for a table's lock (PostgreSQL
    /// `lock_timeout`, MySQL `lock_wait_timeout`) before the step is retried;
    /// `None`: the server's setting. A revision's own wins.
    pub ddl_lock_timeout: Option<Duration>,
    /// How long one statement may run (PostgreSQL `statement_timeout`, MariaDB
    /// `max_statement_time`); `None`: the server's. A revision's own wins.
    pub statement_timeout: Option<Duration>,
    /// How many times a step whose statement ran out of `ddl_lock_timeout` is
    /// tried again, after 0.2 s, 0.4 s, 0.8 s… (at most 10 s) of waiting.
    pub ddl_lock_retries: u32,
    /// MySQL/MariaDB: each `ALTER TABLE` says the algorithm it may use
    /// (`ALGORITHM=INSTANT`, or `INPLACE, LOCK=NONE`), so the server refuses at
    /// once what it would do by copying the table (`safety = "online"`); an op
    /// the revision acknowledges (`op.acknowledge(..)`) runs as it would.
    pub online: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lock_timeout: Duration::from_secs(60),
            transactions: TransactionMode::PerRevision,
            ddl_lock_timeout: None,
            statement_timeout: None,
            ddl_lock_retries: 3,
            online: false,
        }
    }
}

impl RunOptions {
    /// The wait before retry number `attempt` (from 1): 0.2 s doubled each time,
    /// at most 10 s.
    pub fn retry_delay(attempt: u32) -> Duration {
        let millis = 200u64.saturating_mul(1u64 << attempt.saturating_sub(1).min(16));
        Duration::from_millis(millis.min(10_000))
    }
}

/// A duration as `Retort.toml` and the command line write it: a number and a
/// unit, `500ms`, `2s`, `5m`, `1h` (`0`: no limit).
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. 500ms, 2s, 5m"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        "" if value == 0.0 => 0.0,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}`; write e.g. 500ms, 2s, 5m"
            ))
        }
    };
    Ok(Duration::from_secs_f64(seconds))
}

impl TransactionMode {
    /// Every mode, as `--transaction` and `Retort.toml` spell them.
    pub const ALL: [TransactionMode; 3] = [
        TransactionMode::PerRevision,
        TransactionMode::All,
        TransactionMode::PerStatement,
    ];

    /// `per-revision`, `all` or `per-statement`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionMode::PerRevision => "per-revision",
            TransactionMode::All => "all",
            TransactionMode::PerStatement => "per-statement",
        }
    }
}

impl std::fmt::Display for TransactionMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TransactionMode {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        TransactionMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown transaction mode `{s}`; expected per-revision, all or per-statement"
                )
            })
    }
}

/// Everything a command needs: the compiled revisions, the versions folder, and the
/// database.
#[derive(Debug, Clone)]
pub struct Config {
    /// The compiled revisions.
    pub migrations: Migrations,
    /// The folder new revision files are written to.
    pub versions_dir: PathBuf,
    /// URL given explicitly (`--url`); wins over `DATABASE_URL`.
    pub url: Option<String>,
    /// URL used when neither `--url` nor `DATABASE_URL` is set.
    pub default_url: Option<String>,
    /// Name of the version table.
    pub version_table: String,
    /// Log every SQL statement (also on with `RUST_LOG=retort::sql=info`).
    pub echo: bool,
    /// Tables autogenerate, `check` and `drift` leave alone (names, or patterns
    /// with `*`), besides the version table.
    pub exclude_tables: Vec<String>,
    /// Columns they leave alone: `table.column` or `column` (in any table), with
    /// `*` patterns; indexes, uniques and foreign keys over them go with them.
    pub exclude_columns: Vec<String>,
    /// Indexes, unique constraints, foreign keys and checks they leave alone, by
    /// name or `*` pattern.
    pub exclude_objects: Vec<String>,
    /// Safety rules `lint` leaves out (`lint_exclude` in `Retort.toml`).
    pub lint_exclude: Vec<crate::safety::Rule>,
    /// Autogenerate writes online variants of blocking changes (`safety =
    /// "online"` in `Retort.toml`; see [`crate::safety::online`]).
    pub online: bool,
    /// Compare (and autogenerate) table and column comments, from the models'
    /// doc comments (default); `comments = false` in `Retort.toml` turns it off.
    pub comments: bool,
    /// PostgreSQL schema to work in (`SET search_path`); default: the server's.
    pub schema: Option<String>,
    /// PostgreSQL schemas the project owns besides the current one
    /// (`include_schemas`): autogenerate, `check` and `drift` read their tables
    /// even when no model names the schema any more, so a table whose last model
    /// is gone is dropped. The schemas the models name are always read.
    pub include_schemas: Vec<String>,
    /// Lock timeout and transaction mode of `upgrade`, `downgrade`, `stamp`.
    pub run: RunOptions,
    /// The database's name (`main` unless `Retort.toml` names several); models
    /// with `#[model(database = "...")]` belong to it.
    pub database: String,
    /// The environment variable whose value overrides the URL (`DATABASE_URL`
    /// unless configured; `None`: none).
    pub url_env: Option<String>,
    /// The names of what the models leave unnamed (`[naming_convention]`).
    pub naming: NamingConvention,
}

impl Config {
    /// A config for these compiled revisions, writing new ones to their folder.
    pub fn new(migrations: Migrations) -> Self {
        Config {
            migrations,
            versions_dir: PathBuf::from(migrations.versions_dir),
            url: None,
            default_url: None,
            version_table: "retort_version".to_owned(),
            echo: false,
            exclude_tables: Vec::new(),
            exclude_columns: Vec::new(),
            exclude_objects: Vec::new(),
            lint_exclude: Vec::new(),
            online: false,
            comments: true,
            schema: None,
            include_schemas: Vec::new(),
            run: RunOptions::default(),
            database: "main".to_owned(),
            url_env: Some("DATABASE_URL".to_owned()),
            naming: NamingConvention::default(),
        }
    }

    /// The models of this database, named after the project's convention (set
    /// for the process first; a second, different convention is refused).
    pub fn models(&self) -> crate::error::Result<&'static retort::schema::Schema> {
        self.install_naming()?;
        Ok(retort::model::registered_schema_for(&self.database)?)
    }

    /// Makes the project's naming convention the process's (before any model's
    /// schema is built); a second, different one is refused.
    pub fn install_naming(&self) -> crate::error::Result<()> {
        retort::schema::naming::set_convention(self.naming.clone()).map_err(|current| {
            crate::error::Error::ConfigFile {
                path: PathBuf::from("Retort.toml"),
                reason: format!(
                    "this process already names objects after another naming convention \
                     ({current:?}); run one project per process"
                ),
            }
        })
    }

    /// Sets the database URL explicitly.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the URL used when nothing else names one.
    pub fn default_url(mut self, url: impl Into<String>) -> Self {
        self.default_url = Some(url.into());
        self
    }

    /// The URL this config connects to: explicit, else the environment variable
    /// (`DATABASE_URL`), else the default.
    pub fn database_url(&self) -> Result<DatabaseUrl> {
        let from_env = self
            .url_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .filter(|u| !u.trim().is_empty());
        let url = self
            .url
            .clone()
            .or(from_env)
            .or_else(|| self.default_url.clone())
            .ok_or_else(|| retort::Error::Url {
                url: String::new(),
                reason: "no database configured: pass --url or set DATABASE_URL".to_owned(),
            })?;
        Ok(DatabaseUrl::parse(&url)?)
    }
}
