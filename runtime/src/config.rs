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
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// Which database.
    pub backend: Backend,
    /// What the driver connects to: for SQLite, a file path or `:memory:`.
    pub target: String,
    /// The URL as given, password masked (for messages).
    pub display: String,
}

impl DatabaseUrl {
    /// Parses `sqlite://relative.db`, `sqlite:///abs/path.db`, `sqlite::memory:`.
    /// `postgres://` and `mysql://` are recognised and refused for now.
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
            "postgres" | "postgresql" | "mysql" | "mariadb" => Err(bad(format!(
                "{scheme} is not supported yet in this version of Retort; use sqlite://"
            ))),
            other => Err(bad(format!(
                "unknown scheme `{other}`; Retort speaks sqlite://, postgres:// and mysql://"
            ))),
        }
    }

    /// For SQLite, whether the target is a file (not `:memory:`).
    pub fn file(&self) -> Option<&Path> {
        match self.backend {
            Backend::Sqlite if self.target != ":memory:" => Some(Path::new(&self.target)),
            Backend::Sqlite => None,
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

    /// The URL this config connects to: explicit, else `DATABASE_URL`, else the default.
    pub fn database_url(&self) -> Result<DatabaseUrl> {
        let from_env = std::env::var("DATABASE_URL")
            .ok()
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
