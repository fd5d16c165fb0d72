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
//! versions folder in); [`configs`] reads it again when the program runs (URLs
//! and settings can change without a rebuild).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use retort::project::Project;
use retort_vocab::project::{versions_folder, SINGLE_DATABASE, VERSIONS_WITH_DATABASES};

use retort::schema::naming::NamingConvention;

use crate::config::{Config, TransactionMode};
use crate::error::{Error, Result};

/// Settings shared by every database, or given for one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    url: Option<String>,
    url_env: Option<String>,
    versions: Option<String>,
    version_table: Option<String>,
    version_table_schema: Option<String>,
    include_schemas: Option<Vec<String>>,
    exclude_tables: Option<Vec<String>>,
    exclude_columns: Option<Vec<String>>,
    exclude_objects: Option<Vec<String>>,
    lint_exclude: Option<Vec<String>>,
    safety: Option<String>,
    comments: Option<bool>,
    transaction: Option<TransactionMode>,
    lock_timeout: Option<u64>,
    ddl_lock_timeout: Option<String>,
    statement_timeout: Option<String>,
    ddl_lock_retries: Option<u32>,
    schema: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    name: String,
    #[serde(flatten)]
    settings: Settings,
}

/// `[naming_convention]`: SQLAlchemy's keys and tokens.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamingSection {
    ix: Option<String>,
    uq: Option<String>,
    ck: Option<String>,
    fk: Option<String>,
    pk: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    naming_convention: Option<NamingSection>,
    #[serde(flatten)]
    defaults: Settings,
    #[serde(default)]
    databases: Vec<DatabaseSection>,
}

/// `Retort.toml` as it is now, each database's settings merged with the
/// file's defaults.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    path: PathBuf,
    databases: Vec<DatabaseSettings>,
    naming: NamingConvention,
}

/// One database of `Retort.toml`, with the file's defaults applied.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// Its name (`main` for a single database).
    pub name: String,
    /// Its versions folder, relative to the file.
    pub versions: String,
    /// Its URL in the file, `sqlite://` paths made relative to the file's folder.
    pub url: Option<String>,
    /// The environment variable that overrides the URL (`DATABASE_URL` for the
    /// first database unless the file says otherwise).
    pub url_env: Option<String>,
    settings: Settings,
}

impl ProjectFile {
    /// Reads and checks the file.
    pub fn read(path: &Path) -> Result<ProjectFile> {
        let bad = |reason: String| Error::ConfigFile {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let file: FileConfig = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let several = !file.databases.is_empty();
        if several && file.defaults.versions.is_some() {
            return Err(bad(VERSIONS_WITH_DATABASES.to_owned()));
        }
        let sections: Vec<DatabaseSection> = if several {
            file.databases.clone()
        } else {
            vec![DatabaseSection {
                name: SINGLE_DATABASE.to_owned(),
                settings: file.defaults.clone(),
            }]
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let d = &file.defaults;
        for section in &sections {
            let table = section
                .settings
                .version_table
                .as_ref()
                .or(d.version_table.as_ref());
            if let Some(problem) = table.and_then(|t| version_table_problem(t)) {
                return Err(bad(format!(
                    "version_table of `{}`: {problem}",
                    section.name
                )));
            }
            let schema = section
                .settings
                .version_table_schema
                .as_ref()
                .or(d.version_table_schema.as_ref());
            if let Some(problem) = schema.and_then(|s| schema_problem(s)) {
                return Err(bad(format!(
                    "version_table_schema of `{}`: {problem}",
                    section.name
                )));
            }
            let included = section
                .settings
                .include_schemas
                .as_ref()
                .or(d.include_schemas.as_ref());
            for schema in included.into_iter().flatten() {
                if let Some(problem) = schema_problem(schema) {
                    return Err(bad(format!(
                        "include_schemas of `{}`: {problem}",
                        section.name
                    )));
                }
            }
            for (key, value) in [
                ("ddl_lock_timeout", &section.settings.ddl_lock_timeout),
                ("statement_timeout", &section.settings.statement_timeout),
                ("ddl_lock_timeout", &d.ddl_lock_timeout),
                ("statement_timeout", &d.statement_timeout),
            ] {
                if let Some(Err(problem)) = value.as_deref().map(crate::config::parse_duration) {
                    return Err(bad(format!("{key} of `{}`: {problem}", section.name)));
                }
            }
            for value in [&section.settings.safety, &d.safety].into_iter().flatten() {
                if value != "online" && value != "default" {
                    return Err(bad(format!(
                        "safety of `{}`: `{value}`; write \"online\" (autogenerate writes the online variants of blocking changes) or \"default\"",
                        section.name
                    )));
                }
            }
            let lint_exclude = section
                .settings
                .lint_exclude
                .as_ref()
                .or(d.lint_exclude.as_ref());
            for rule in lint_exclude.into_iter().flatten() {
                if crate::safety::Rule::named(rule).is_none() {
                    return Err(bad(format!(
                        "lint_exclude of `{}`: `{rule}` is no rule; the rules are {}",
                        section.name,
                        crate::safety::Rule::names()
                    )));
                }
            }
        }
        let databases = sections
            .into_iter()
            .enumerate()
            .map(|(i, section)| {
                let s = section.settings;
                DatabaseSettings {
                    // The same rule as `project!`, which compiled the folders in.
                    versions: versions_folder(&section.name, s.versions.as_deref(), several),
                    url: s
                        .url
                        .clone()
                        .or_else(|| d.url.clone())
                        .map(|u| resolve_url(dir, &u)),
                    url_env: s.url_env.clone().or_else(|| {
                        (i == 0).then(|| {
                            d.url_env
                                .clone()
                                .unwrap_or_else(|| "DATABASE_URL".to_owned())
                        })
                    }),
                    name: section.name,
                    settings: Settings {
                        version_table: s.version_table.or_else(|| d.version_table.clone()),
                        version_table_schema: s
                            .version_table_schema
                            .or_else(|| d.version_table_schema.clone()),
                        include_schemas: s.include_schemas.or_else(|| d.include_schemas.clone()),
                        exclude_tables: s.exclude_tables.or_else(|| d.exclude_tables.clone()),
                        exclude_columns: s.exclude_columns.or_else(|| d.exclude_columns.clone()),
                        exclude_objects: s.exclude_objects.or_else(|| d.exclude_objects.clone()),
                        lint_exclude: s.lint_exclude.or_else(|| d.lint_exclude.clone()),
                        safety: s.safety.or_else(|| d.safety.clone()),
                        comments: s.comments.or(d.comments),
                        schema: s.schema.or_else(|| d.schema.clone()),
                        lock_timeout: s.lock_timeout.or(d.lock_timeout),
                        ddl_lock_timeout: s.ddl_lock_timeout.or_else(|| d.ddl_lock_timeout.clone()),
                        statement_timeout: s
                            .statement_timeout
                            .or_else(|| d.statement_timeout.clone()),
                        ddl_lock_retries: s.ddl_lock_retries.or(d.ddl_lock_retries),
                        transaction: s.transaction.or(d.transaction),
                        ..Settings::default()
                    },
                }
            })
            .collect();
        let naming = naming_convention(file.naming_convention.unwrap_or_default()).map_err(bad)?;
        Ok(ProjectFile {
            path: path.to_path_buf(),
            databases,
            naming,
        })
    }

    /// The databases, in the file's order.
    pub fn databases(&self) -> &[DatabaseSettings] {
        &self.databases
    }

    /// The project's naming convention (Retort's own where the file says nothing).
    pub fn naming(&self) -> &NamingConvention {
        &self.naming
    }
}

/// `[naming_convention]` over Retort's own, each template's tokens checked.
fn naming_convention(section: NamingSection) -> std::result::Result<NamingConvention, String> {
    let mut out = NamingConvention::default();
    let given = [
        ("ix", section.ix, &mut out.index),
        ("uq", section.uq, &mut out.unique),
        ("ck", section.ck, &mut out.check),
        ("fk", section.fk, &mut out.foreign_key),
    ];
    for (key, template, slot) in given {
        if let Some(template) = template {
            check_template(key, &template)?;
            *slot = template;
        }
    }
    if let Some(template) = section.pk {
        check_template("pk", &template)?;
        out.primary_key = Some(template);
    }
    Ok(out)
}

fn check_template(key: &str, template: &str) -> std::result::Result<(), String> {
    if template.trim().is_empty() {
        return Err(format!("naming_convention.{key} is empty"));
    }
    if let Some(token) = NamingConvention::unknown_token(template) {
        return Err(format!(
            "naming_convention.{key} = {template:?}: unknown token `%({token})s`; the tokens are {}",
            retort::schema::naming::TOKENS
                .iter()
                .map(|t| format!("%({t})s"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !template.contains("%(table_name)s") && key != "pk" {
        return Err(format!(
            "naming_convention.{key} = {template:?} has no %(table_name)s: two tables would give \
             their {key} objects the same name"
        ));
    }
    Ok(())
}

impl DatabaseSettings {
    /// The URL this database connects to unless the command line gives one: the
    /// environment variable, else the file's.
    pub fn url_now(&self) -> Option<String> {
        self.url_env
            .as_deref()
            .and_then(|name| std::env::var(name).ok())
            .filter(|u| !u.trim().is_empty())
            .or_else(|| self.url.clone())
    }
}

/// One config per database, from `Retort.toml` as it is now. Precedence for each
/// setting: the command line (applied later) > the environment (`url_env`,
/// default `DATABASE_URL` for the first database; `.env` is read by the CLI) > the
/// file > the default.
pub fn configs(project: &Project) -> Result<Vec<Config>> {
    let file = ProjectFile::read(Path::new(project.config_file))?;
    let bad = |reason: String| Error::ConfigFile {
        path: file.path.clone(),
        reason,
    };
    let mut configs = Vec::new();
    for db in file.databases() {
        let migrations = project.migrations(&db.name).ok_or_else(|| {
            bad(format!(
                "database `{}` was added after this program was compiled; rebuild it (`cargo run` does)",
                db.name
            ))
        })?;
        if Path::new(migrations.versions_dir) != project.dir().join(&db.versions) {
            return Err(bad(format!(
                "the versions folder of `{}` is now {}, but this program was compiled with {}; rebuild it (`cargo run` does)",
                db.name, db.versions, migrations.versions_dir
            )));
        }
        let s = &db.settings;
        let mut config = Config::new(migrations);
        config.naming = file.naming().clone();
        config.database = db.name.clone();
        config.url_env = db.url_env.clone();
        config.default_url = db.url.clone();
        if let Some(table) = &s.version_table {
            config.version_table = table.clone();
        }
        if let Some(schema) = &s.version_table_schema {
            config.version_table = format!("{schema}.{}", config.version_table);
        }
        config.exclude_tables = s.exclude_tables.clone().unwrap_or_default();
        config.exclude_columns = s.exclude_columns.clone().unwrap_or_default();
        config.exclude_objects = s.exclude_objects.clone().unwrap_or_default();
        config.online = s.safety.as_deref() == Some("online");
        config.run.online = config.online;
        config.lint_exclude = s
            .lint_exclude
            .iter()
            .flatten()
            .filter_map(|name| crate::safety::Rule::named(name))
            .collect();
        config.comments = s.comments.unwrap_or(true);
        config.schema = s.schema.clone();
        config.include_schemas = s.include_schemas.clone().unwrap_or_default();
        if let Some(seconds) = s.lock_timeout {
            config.run.lock_timeout = Duration::from_secs(seconds);
        }
        if let Some(mode) = s.transaction {
            config.run.transactions = mode;
        }
        // Checked when the file was read.
        let duration = |v: &Option<String>| {
            v.as_deref()
                .and_then(|t| crate::config::parse_duration(t).ok())
        };
        config.run.ddl_lock_timeout = duration(&s.ddl_lock_timeout);
        config.run.statement_timeout = duration(&s.statement_timeout);
        if let Some(retries) = s.ddl_lock_retries {
            config.run.ddl_lock_retries = retries;
        }
        configs.push(config);
    }
    Ok(configs)
}

/// What is wrong with a version table's name: it and its log (`<name>_log`) must
/// be names every database takes.
fn version_table_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("the name is empty".to_owned())
    } else if name.len() + "_log".len() > 63 {
        Some(format!(
            "`{name}` is too long: with `_log` it must fit in 63 bytes (PostgreSQL's limit)"
        ))
    } else if name.contains('\0') {
        Some("the name holds a NUL character".to_owned())
    } else if let Some((schema, _)) = name.split_once('.') {
        Some(format!(
            "`{name}` holds a dot; for a version table in PostgreSQL schema `{schema}` write \
             version_table_schema = \"{schema}\""
        ))
    } else {
        None
    }
}

/// What is wrong with `version_table_schema`: one PostgreSQL schema name.
fn schema_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("the name is empty (leave it out for the connection's current schema)".to_owned())
    } else if name.contains('.') || name.contains('\0') {
        Some(format!(
            "`{name}` is not one schema name (it holds a dot or a NUL)"
        ))
    } else if name.len() > 63 {
        Some(format!("`{name}` is longer than PostgreSQL's 63 bytes"))
    } else {
        None
    }
}

/// `sqlite://relative.db` in the file is relative to the file's folder.
fn resolve_url(dir: &Path, url: &str) -> String {
    match url.strip_prefix("sqlite://") {
        Some(path) if !path.starts_with('/') && !path.starts_with(':') => {
            format!("sqlite://{}", dir.join(path).display())
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use retort::Migrations;

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
        assert_eq!(configs(&p).unwrap()[0].database, "main");
        let (_d, p) = project("[[databases]]\nname = \"main\"\n", "versions/main");
        assert!(configs(&p).is_ok());
        let (_d, p) = project(
            "[[databases]]\nname = \"main\"\nversions = \"db/main\"\n",
            "db/main",
        );
        assert!(configs(&p).is_ok());
        // A top-level `versions` next to [[databases]] is refused on both sides,
        // rather than compiled from one folder and expected in another.
        let (_d, p) = project(
            "versions = \"migrations\"\n[[databases]]\nname = \"main\"\n",
            "versions/main",
        );
        let err = configs(&p).unwrap_err().to_string();
        assert!(
            err.contains("a top-level `versions` applies to a single database"),
            "{err}"
        );
    }

    #[test]
    fn schemas_are_read_and_checked() {
        let (_d, p) = project(
            "url = \"postgres://x\"\nversion_table_schema = \"meta\"\ninclude_schemas = [\"billing\", \"audit\"]\n",
            "versions",
        );
        let config = &configs(&p).unwrap()[0];
        assert_eq!(config.version_table, "meta.retort_version");
        assert_eq!(config.include_schemas, ["billing", "audit"]);
        for (text, says) in [
            (
                "version_table = \"meta.v\"\n",
                "write version_table_schema = \"meta\"",
            ),
            (
                "version_table_schema = \"\"\n",
                "version_table_schema of `main`: the name is empty",
            ),
            (
                "include_schemas = [\"a.b\"]\n",
                "include_schemas of `main`: `a.b` is not one schema name",
            ),
        ] {
            let (_d, p) = project(text, "versions");
            let err = configs(&p).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn safety_settings_are_read_and_checked() {
        let (_d, p) = project(
            "url = \"postgres://x\"\nddl_lock_timeout = \"500ms\"\nstatement_timeout = \"5m\"\n\
             ddl_lock_retries = 7\nsafety = \"online\"\nlint_exclude = [\"prefer-text-field\"]\n",
            "versions",
        );
        let config = &configs(&p).unwrap()[0];
        assert_eq!(
            config.run.ddl_lock_timeout,
            Some(Duration::from_millis(500))
        );
        assert_eq!(config.run.statement_timeout, Some(Duration::from_secs(300)));
        assert_eq!(config.run.ddl_lock_retries, 7);
        assert!(config.online && config.run.online);
        assert_eq!(config.lint_exclude, [crate::safety::Rule::PreferTextField]);
        for (text, says) in [
            (
                "ddl_lock_timeout = \"2 weeks\"\n",
                "ddl_lock_timeout of `main`: `2 weeks`: unknown unit",
            ),
            (
                "statement_timeout = \"fast\"\n",
                "statement_timeout of `main`: `fast` is not a duration",
            ),
            (
                "safety = \"paranoid\"\n",
                "safety of `main`: `paranoid`; write \"online\"",
            ),
            (
                "lint_exclude = [\"no-such-rule\"]\n",
                "lint_exclude of `main`: `no-such-rule` is no rule",
            ),
        ] {
            let (_d, p) = project(text, "versions");
            let err = configs(&p).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn the_naming_convention_is_read_and_checked() {
        let (_d, p) = project(
            "url = \"sqlite://x.db\"\n[naming_convention]\nix = \"%(table_name)s_%(column_0_N_name)s_idx\"\n\
             pk = \"pk_%(table_name)s\"\n",
            "versions",
        );
        let config = &configs(&p).unwrap()[0];
        assert_eq!(
            config.naming.index,
            "%(table_name)s_%(column_0_N_name)s_idx"
        );
        assert_eq!(
            config.naming.primary_key.as_deref(),
            Some("pk_%(table_name)s")
        );
        // What the file leaves out stays Retort's own.
        assert_eq!(config.naming.unique, NamingConvention::default().unique);
        let (_d, p) = project(
            "[naming_convention]\nuq = \"uq_%(table)s_%(column_0_name)s\"\n",
            "versions",
        );
        let err = configs(&p).unwrap_err().to_string();
        assert!(
            err.contains("naming_convention.uq") && err.contains("unknown token `%(table)s`"),
            "{err}"
        );
        let (_d, p) = project(
            "[naming_convention]\nfk = \"fk_%(column_0_name)s\"\n",
            "versions",
        );
        let err = configs(&p).unwrap_err().to_string();
        assert!(err.contains("has no %(table_name)s"), "{err}");
        let (_d, p) = project("[naming_convention]\nix_name = \"x\"\n", "versions");
        assert!(configs(&p).is_err());
    }

    #[test]
    fn column_and_object_filters_are_read() {
        let (_d, p) = project(
            "exclude_columns = [\"users.legacy_*\"]\nexclude_objects = [\"*_trgm\"]\n",
            "versions",
        );
        let config = &configs(&p).unwrap()[0];
        assert_eq!(config.exclude_columns, ["users.legacy_*"]);
        assert_eq!(config.exclude_objects, ["*_trgm"]);
        let filter = crate::autogenerate::table_filter(config);
        assert!(filter.excludes_column("users", "legacy_flag"));
        assert!(filter.excludes_object("users_name_trgm"));
    }

    #[test]
    fn version_table_names_are_checked() {
        let (_d, p) = project("version_table = \"\"\n", "versions");
        let err = configs(&p).unwrap_err().to_string();
        assert!(
            err.contains("version_table of `main`: the name is empty"),
            "{err}"
        );
        let (_d, p) = project(
            &format!("version_table = \"{}\"\n", "v".repeat(60)),
            "versions",
        );
        assert!(configs(&p).unwrap_err().to_string().contains("too long"));
    }

    #[test]
    fn transaction_mode_is_read_and_a_bad_one_named() {
        let (_d, p) = project("transaction = \"per-statement\"\n", "versions");
        assert_eq!(
            configs(&p).unwrap()[0].run.transactions,
            TransactionMode::PerStatement
        );
        let (_d, p) = project("transaction = \"sometimes\"\n", "versions");
        let err = configs(&p).unwrap_err().to_string();
        assert!(err.contains("Retort.toml"), "{err}");
        assert!(
            err.contains("unknown variant `sometimes`, expected one of `per-revision`, `all`, `per-statement`"),
            "{err}"
        );
    }
}
