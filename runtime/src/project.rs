//! A migrations crate with a `Retort.toml`: one or several named databases, each
//! with its URL, versions folder and version table.
//!
//! ```toml
//! # Retort.toml, single database: top-level keys.
//! url = "sqlite://app.db"          # relative to this file; DATABASE_URL overrides
//! versions = "versions"
//!
//! # Several databases: one [[databases]] table each, in the order they run.
//! [[databases]]
//! name = "main"
//! url = "sqlite://shop.db"
//! url_env = "DATABASE_URL"
//! versions = "versions/main"
//! ```
//!
//! `retort::project!()` reads the file when the crate compiles (to compile each
//! versions folder in); [`Project::configs`] reads it again when the program
//! runs (URLs and settings can change without a rebuild).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::migration::Migrations;
use crate::runner::TransactionMode;

/// What `retort::project!()` compiles in: the config file and each database's
/// revisions.
#[derive(Debug, Clone, Copy)]
pub struct Project {
    /// Absolute path of `Retort.toml`.
    pub config_file: &'static str,
    /// `(name, revisions)` of each database, in the file's order.
    pub databases: &'static [(&'static str, Migrations)],
}

/// Settings shared by every database, or given for one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    url: Option<String>,
    url_env: Option<String>,
    versions: Option<String>,
    version_table: Option<String>,
    exclude_tables: Option<Vec<String>>,
    transaction: Option<TransactionMode>,
    lock_timeout: Option<u64>,
    schema: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    name: String,
    #[serde(flatten)]
    settings: Settings,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(flatten)]
    defaults: Settings,
    #[serde(default)]
    databases: Vec<DatabaseSection>,
}

impl Project {
    /// The folder of `Retort.toml`.
    pub fn dir(&self) -> &Path {
        Path::new(self.config_file)
            .parent()
            .unwrap_or(Path::new("."))
    }

    /// One config per database, from `Retort.toml` as it is now. Precedence for
    /// each setting: the command line (applied later) > the environment
    /// (`url_env`, default `DATABASE_URL` for the first database; `.env` is read
    /// by the CLI) > the file > the default.
    pub fn configs(&self) -> Result<Vec<Config>> {
        let text = std::fs::read_to_string(self.config_file)
            .map_err(|e| Error::io(self.config_file, e))?;
        let file: FileConfig = toml::from_str(&text).map_err(|e| Error::ConfigFile {
            path: PathBuf::from(self.config_file),
            reason: e.to_string(),
        })?;
        if !file.databases.is_empty() && file.defaults.versions.is_some() {
            return Err(Error::ConfigFile {
                path: PathBuf::from(self.config_file),
                reason: "a top-level `versions` applies to a single database; with [[databases]], give each its own `versions` (default versions/<name>)".to_owned(),
            });
        }
        let sections: Vec<DatabaseSection> = if file.databases.is_empty() {
            vec![DatabaseSection {
                name: "main".to_owned(),
                settings: Settings::default(),
            }]
        } else {
            file.databases.clone()
        };
        let mut configs = Vec::new();
        for (i, section) in sections.iter().enumerate() {
            let migrations = self
                .databases
                .iter()
                .find(|(name, _)| *name == section.name)
                .map(|(_, m)| *m)
                .ok_or_else(|| Error::ConfigFile {
                    path: PathBuf::from(self.config_file),
                    reason: format!(
                        "database `{}` was added after this program was compiled; rebuild it (`cargo run` does)",
                        section.name
                    ),
                })?;
            let s = &section.settings;
            let d = &file.defaults;
            // The same rule as `project!`, which compiled the folders in.
            let expected = if file.databases.is_empty() {
                d.versions.clone().unwrap_or_else(|| "versions".to_owned())
            } else {
                s.versions
                    .clone()
                    .unwrap_or_else(|| format!("versions/{}", section.name))
            };
            if Path::new(migrations.versions_dir) != self.dir().join(&expected) {
                return Err(Error::ConfigFile {
                    path: PathBuf::from(self.config_file),
                    reason: format!(
                        "the versions folder of `{}` is now {expected}, but this program was compiled with {}; rebuild it (`cargo run` does)",
                        section.name, migrations.versions_dir
                    ),
                });
            }
            let mut config = Config::new(migrations);
            config.database = section.name.clone();
            config.url_env = s.url_env.clone().or_else(|| {
                (i == 0).then(|| {
                    d.url_env
                        .clone()
                        .unwrap_or_else(|| "DATABASE_URL".to_owned())
                })
            });
            config.default_url = s
                .url
                .clone()
                .or_else(|| d.url.clone())
                .map(|u| self.resolve_url(&u));
            if let Some(table) = s.version_table.clone().or_else(|| d.version_table.clone()) {
                config.version_table = table;
            }
            config.exclude_tables = s
                .exclude_tables
                .clone()
                .or_else(|| d.exclude_tables.clone())
                .unwrap_or_default();
            config.schema = s.schema.clone().or_else(|| d.schema.clone());
            if let Some(seconds) = s.lock_timeout.or(d.lock_timeout) {
                config.run.lock_timeout = Duration::from_secs(seconds);
            }
            if let Some(mode) = s.transaction.or(d.transaction) {
                config.run.transactions = mode;
            }
            configs.push(config);
        }
        Ok(configs)
    }

    /// `sqlite://relative.db` in the file is relative to the file's folder.
    fn resolve_url(&self, url: &str) -> String {
        match url.strip_prefix("sqlite://") {
            Some(path) if !path.starts_with('/') && !path.starts_with(':') => {
                format!("sqlite://{}", self.dir().join(path).display())
            }
            _ => url.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project whose `Retort.toml` is `text` and whose `main` database was
    /// compiled from `compiled` (relative to the file's folder).
    fn project(text: &str, compiled: &str) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Retort.toml");
        std::fs::write(&file, text).unwrap();
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let migrations = Migrations {
            versions_dir: leak(dir.path().join(compiled).display().to_string()),
            revisions: &[],
        };
        let databases = Box::leak(Box::new([("main", migrations)]));
        let project = Project {
            config_file: leak(file.display().to_string()),
            databases,
        };
        (dir, project)
    }

    #[test]
    fn versions_folder_follows_the_same_rule_as_project_macro() {
        let (_d, p) = project("versions = \"migrations\"\n", "migrations");
        assert_eq!(p.configs().unwrap()[0].database, "main");
        let (_d, p) = project("[[databases]]\nname = \"main\"\n", "versions/main");
        assert!(p.configs().is_ok());
        let (_d, p) = project(
            "[[databases]]\nname = \"main\"\nversions = \"db/main\"\n",
            "db/main",
        );
        assert!(p.configs().is_ok());
        // A top-level `versions` next to [[databases]] is refused on both sides,
        // rather than compiled from one folder and expected in another.
        let (_d, p) = project(
            "versions = \"migrations\"\n[[databases]]\nname = \"main\"\n",
            "versions/main",
        );
        let err = p.configs().unwrap_err().to_string();
        assert!(
            err.contains("a top-level `versions` applies to a single database"),
            "{err}"
        );
    }

    #[test]
    fn transaction_mode_is_read_and_a_bad_one_named() {
        let (_d, p) = project("transaction = \"per-statement\"\n", "versions");
        assert_eq!(
            p.configs().unwrap()[0].run.transactions,
            TransactionMode::PerStatement
        );
        let (_d, p) = project("transaction = \"sometimes\"\n", "versions");
        let err = p.configs().unwrap_err().to_string();
        assert!(err.contains("Retort.toml"), "{err}");
        assert!(
            err.contains("unknown variant `sometimes`, expected one of `per-revision`, `all`, `per-statement`"),
            "{err}"
        );
    }
}
