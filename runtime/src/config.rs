//! Where the database is and where revisions live.
//!
//! Precedence for the URL: an explicit [`Config::url`] (the CLI's `--url`), then
//! the `DATABASE_URL` environment variable, then the program's default.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::migration::Migrations;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// Which database.
    pub backend: Backend,
    /// What the driver connects to: for SQLite, a file path or `:memory:`; for the
    /// servers, the URL.
    pub target: String,
    /// The URL as given, password masked (for messages).
    pub display: String,
}

impl DatabaseUrl {
    /// Parses `sqlite://relative.db`, `sqlite:///abs/path.db`, `sqlite::memory:`,
    /// `postgres://user:password@host:port/db` (also `postgresql://`) and
    /// `mysql://user:password@host:port/db` (also `mariadb://`).
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
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                let path = path.split_once('?').map_or(path, |(p, _)| p);
                if path.is_empty() {
                    return Err(bad(
                        "it names no file; write sqlite://path/to/file.db".to_owned()
                    ));
                }
                Ok(DatabaseUrl {
                    backend: Backend::Sqlite,
                    target: path.to_owned(),
                    display,
                })
            }
            "postgres" | "postgresql" | "mysql" | "mariadb" => {
                let Some(rest) = rest.strip_prefix("//").filter(|r| !r.is_empty()) else {
                    return Err(bad(format!(
                        "write {scheme}://user:password@host:port/database"
                    )));
                };
                let backend = Backend::parse(scheme).expect("matched above");
                let target = match backend {
                    Backend::Mysql => format!("mysql://{rest}"),
                    _ => format!("postgres://{rest}"),
                };
                Ok(DatabaseUrl {
                    backend,
                    target,
                    display,
                })
            }
            other => Err(bad(format!(
                "unknown scheme `{other}`; Retort speaks sqlite://, postgres:// and mysql://"
            ))),
        }
    }

    /// For SQLite, whether the target is a file (not `:memory:`).
    pub fn file(&self) -> Option<&Path> {
        match self.backend {
            Backend::Sqlite if self.target != ":memory:" => Some(Path::new(&self.target)),
            _ => None,
        }
    }
}

/// Replaces the password of `scheme://user:password@host` with `***`.
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => match authority[..at].split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{}", &rest[at + 1..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
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
    /// PostgreSQL schema to work in (`SET search_path`); default: the server's.
    pub schema: Option<String>,
    /// Lock timeout and transaction mode of `upgrade`, `downgrade`, `stamp`.
    pub run: crate::runner::RunOptions,
    /// The database's name (`main` unless `Retort.toml` names several); models
    /// with `#[model(database = "...")]` belong to it.
    pub database: String,
    /// The environment variable whose value overrides the URL (`DATABASE_URL`
    /// unless configured; `None`: none).
    pub url_env: Option<String>,
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
            schema: None,
            run: crate::runner::RunOptions::default(),
            database: "main".to_owned(),
            url_env: Some("DATABASE_URL".to_owned()),
        }
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
            .ok_or_else(|| Error::Url {
                url: String::new(),
                reason: "no database configured: pass --url or set DATABASE_URL".to_owned(),
            })?;
        DatabaseUrl::parse(&url)
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
    fn masks_passwords() {
        assert_eq!(
            mask_password("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(mask_password("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(mask_password("sqlite://a.db"), "sqlite://a.db");
    }
}
