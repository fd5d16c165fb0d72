//! The commands, callable from Rust: what the CLI runs, and what a test suite
//! calls the way Alembic's `command` module is used
//! (`retort::command::upgrade(&config, "head")`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::autogenerate::{self, Changes};
use crate::compare::RenameHints;
use crate::config::{Backend, Config};
use crate::connection::Connection;
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::introspect::Filter;
use crate::model::{registered_hints, registered_schema};
use crate::operations::Operations;
use crate::ops::{reverse_all, Op};
use crate::render::{revision_file, RevisionHeader};
use crate::revision::{describe, RevisionMap};
use crate::runner::{self, StepReport, VersionTable};
use crate::schema::Schema;

/// Connects to the configured database (and, on PostgreSQL, to the configured
/// schema).
pub fn connect(config: &Config) -> Result<Connection> {
    let mut conn = Connection::establish(&config.database_url()?)?;
    if let Some(schema) = &config.schema {
        if conn.backend() != Backend::Postgres {
            return Err(Error::Url {
                url: conn.url().to_owned(),
                reason: format!("--schema {schema} applies to PostgreSQL only"),
            });
        }
        let sql = format!("SET search_path TO {}", conn.dialect().quote(schema));
        conn.execute(&sql)?;
    }
    Ok(conn)
}

fn version_table(config: &Config) -> VersionTable<'_> {
    VersionTable {
        name: &config.version_table,
    }
}

/// Applies revisions up to `target`: `head`, a full or partial id, `+N`.
pub fn upgrade(config: &Config, target: &str) -> Result<Vec<StepReport>> {
    let map = config.migrations.map()?;
    warn_if_stale(config);
    let mut conn = connect(config)?;
    let current = version_table(config).read(&mut conn)?;
    let target = map.resolve_upgrade(&current, target)?;
    runner::run(
        &mut conn,
        &config.migrations,
        &map,
        version_table(config),
        &target,
        true,
    )
}

/// Reverts revisions down to `target`: `base`, a full or partial id, `-N`.
pub fn downgrade(config: &Config, target: &str) -> Result<Vec<StepReport>> {
    let map = config.migrations.map()?;
    warn_if_stale(config);
    let mut conn = connect(config)?;
    let current = version_table(config).read(&mut conn)?;
    let target = map.resolve_downgrade(&current, target)?;
    runner::run(
        &mut conn,
        &config.migrations,
        &map,
        version_table(config),
        &target,
        false,
    )
}

/// The SQL `upgrade` would run, without connecting: `range` is `TO` (from base)
/// or `FROM:TO`; the dialect is `dialect`, else the URL's.
pub fn upgrade_sql(config: &Config, range: &str, dialect: Option<Backend>) -> Result<String> {
    let map = config.migrations.map()?;
    let (from, to) = match range.split_once(':') {
        Some((from, to)) => (resolve_from(&map, from)?, to),
        None => (Vec::new(), range),
    };
    let target = map.resolve_upgrade(&from, to)?;
    let dialect = offline_dialect(config, dialect)?;
    runner::script(
        &config.migrations,
        &map,
        dialect,
        version_table(config),
        &from,
        &target,
        true,
    )
}

/// The SQL `downgrade` would run, without connecting: `range` is `FROM:TO`.
pub fn downgrade_sql(config: &Config, range: &str, dialect: Option<Backend>) -> Result<String> {
    let map = config.migrations.map()?;
    let Some((from, to)) = range.split_once(':') else {
        return Err(Error::Offline(format!(
            "downgrade --sql needs the revision to start from: FROM:TO, e.g. head:{range}"
        )));
    };
    let from = resolve_from(&map, from)?;
    let target = map.resolve_downgrade(&from, to)?;
    let dialect = offline_dialect(config, dialect)?;
    runner::script(
        &config.migrations,
        &map,
        dialect,
        version_table(config),
        &from,
        &target,
        false,
    )
}

fn resolve_from(map: &RevisionMap, from: &str) -> Result<Vec<String>> {
    Ok(match from.trim() {
        "base" | "" => Vec::new(),
        "head" | "heads" => map.heads().into_iter().map(str::to_owned).collect(),
        id => vec![map.resolve_id(id)?.id.clone()],
    })
}

fn offline_dialect(config: &Config, dialect: Option<Backend>) -> Result<&'static dyn Dialect> {
    let backend = match dialect {
        Some(b) => b,
        None => config.database_url()?.backend,
    };
    Ok(crate::dialect::for_backend(backend))
}

/// The revisions the database is at (empty: base).
pub fn current(config: &Config) -> Result<Vec<String>> {
    let map = config.migrations.map()?;
    let mut conn = connect(config)?;
    let current = version_table(config).read(&mut conn)?;
    map.check_current(&current)?;
    Ok(current)
}

/// One revision as `history` and `heads` list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Revision id.
    pub id: String,
    /// Parents.
    pub parents: Vec<String>,
    /// Message.
    pub message: String,
    /// File name.
    pub file: String,
    /// Whether no revision revises it.
    pub is_head: bool,
}

/// Every revision, newest first. Needs no database.
pub fn history(config: &Config) -> Result<Vec<HistoryEntry>> {
    let map = config.migrations.map()?;
    let heads: BTreeSet<&str> = map.heads().into_iter().collect();
    Ok(map
        .in_order()
        .rev()
        .map(|n| HistoryEntry {
            id: n.id.clone(),
            parents: n.parents.clone(),
            message: n.message.clone(),
            file: n.file.clone(),
            is_head: heads.contains(n.id.as_str()),
        })
        .collect())
}

/// The head revisions. Needs no database.
pub fn heads(config: &Config) -> Result<Vec<HistoryEntry>> {
    Ok(history(config)?.into_iter().filter(|e| e.is_head).collect())
}

/// The changes that would bring the database (which must be at head) in line
/// with the models; empty when they agree.
pub fn check(config: &Config) -> Result<Changes> {
    let map = config.migrations.map()?;
    require_fresh_binary(config)?;
    let mut conn = connect(config)?;
    pending(config, &map, &mut conn)
}

/// The ops that take the live database to `models` (the version table ignored):
/// introspection, then [`compare`](crate::compare::compare). No rename hints.
pub fn diff(conn: &mut Connection, models: &Schema, version_table: &str) -> Result<Vec<Op>> {
    let filter = Filter {
        exclude: vec![version_table.to_owned()],
        only: None,
    };
    Ok(autogenerate::compare_database(conn, models, &RenameHints::default(), &filter)?.ops)
}

/// Runs `ops` on the database as one migration step (one transaction where DDL is
/// transactional).
pub fn apply(conn: &mut Connection, ops: &[Op]) -> Result<()> {
    conn.migration_step(|conn| {
        let mut op = Operations::online(conn);
        ops.iter().try_for_each(|o| op.run(o.clone()))
    })
}

fn require_at_head(config: &Config, map: &RevisionMap, conn: &mut Connection) -> Result<()> {
    let current = version_table(config).read(conn)?;
    map.check_current(&current)?;
    let mut head: Vec<String> = map.heads().into_iter().map(str::to_owned).collect();
    head.sort();
    if current != head {
        return Err(Error::NotUpToDate {
            current: describe(&current),
            head: describe(&head),
        });
    }
    Ok(())
}

fn pending(config: &Config, map: &RevisionMap, conn: &mut Connection) -> Result<Changes> {
    require_at_head(config, map, conn)?;
    autogenerate::compare_database(
        conn,
        registered_schema()?,
        registered_hints(),
        &autogenerate::table_filter(config),
    )
}

/// What the live database has that its revision history does not say (changes
/// made by hand): the ops that would bring it back to what the history built up
/// to the database's current revision.
pub fn drift(config: &Config) -> Result<Changes> {
    let map = config.migrations.map()?;
    let mut conn = connect(config)?;
    let current = version_table(config).read(&mut conn)?;
    map.check_current(&current)?;
    let applied = map.ancestors(current.iter().map(String::as_str));
    let dialect = conn.dialect();
    let (history, notes) =
        autogenerate::history_schema(&config.migrations, dialect, Some(&applied))?;
    let mut changes = autogenerate::compare_database(
        &mut conn,
        &history,
        &RenameHints::default(),
        &autogenerate::table_filter(config),
    )?;
    changes.notes = notes;
    Ok(changes)
}

/// A revision file written by `revision` or `autogenerate`.
#[derive(Debug, Clone)]
pub struct GeneratedRevision {
    /// The new file.
    pub path: PathBuf,
    /// Its id.
    pub id: String,
    /// What it does (empty for a hand-written revision), with its warnings.
    pub changes: Changes,
}

/// Options of `revision` and `autogenerate`.
#[derive(Debug, Clone, Default)]
pub struct RevisionOptions {
    /// Use this id instead of a random one.
    pub rev_id: Option<String>,
    /// Autogenerate against the schema the revision history builds, replayed in
    /// memory: no database needed.
    pub offline: bool,
    /// With `offline`, the dialect whose types the comparison uses (default: the
    /// URL's).
    pub dialect: Option<Backend>,
}

/// Writes an empty revision on top of the head, for hand-written operations.
pub fn revision(
    config: &Config,
    message: &str,
    options: &RevisionOptions,
) -> Result<GeneratedRevision> {
    let map = config.migrations.map()?;
    require_fresh_binary(config)?;
    let parents: Vec<String> = map.head()?.into_iter().map(str::to_owned).collect();
    write_revision(config, &map, message, options, &parents, Changes::default())
}

/// Compares the models with the database (which must be at head), or with the
/// replayed history (`offline`), and writes a revision with the difference.
/// `Ok(None)`: no changes, no file.
pub fn autogenerate(
    config: &Config,
    message: &str,
    options: &RevisionOptions,
) -> Result<Option<GeneratedRevision>> {
    let map = config.migrations.map()?;
    require_fresh_binary(config)?;
    let parents: Vec<String> = map.head()?.into_iter().map(str::to_owned).collect();
    let changes = if options.offline {
        let dialect = offline_dialect(config, options.dialect)?;
        let (history, notes) = autogenerate::history_schema(&config.migrations, dialect, None)?;
        let mut changes = autogenerate::compare_schemas(
            &history,
            registered_schema()?,
            registered_hints(),
            dialect,
            &autogenerate::table_filter(config),
        );
        changes.notes = notes;
        changes
    } else {
        let mut conn = connect(config)?;
        pending(config, &map, &mut conn)?
    };
    if changes.is_empty() {
        return Ok(None);
    }
    write_revision(config, &map, message, options, &parents, changes).map(Some)
}

fn write_revision(
    config: &Config,
    map: &RevisionMap,
    message: &str,
    options: &RevisionOptions,
    parents: &[String],
    changes: Changes,
) -> Result<GeneratedRevision> {
    let id = match &options.rev_id {
        Some(id) => {
            if map.get(id).is_some() {
                return Err(crate::revision::RevisionError::DuplicateId {
                    id: id.clone(),
                    first: map.get(id).map(|n| n.file.clone()).unwrap_or_default(),
                    second: "--rev-id".to_owned(),
                }
                .into());
            }
            id.clone()
        }
        None => loop {
            let id = new_revision_id();
            if map.get(&id).is_none() {
                break id;
            }
        },
    };
    let down = reverse_all(&changes.ops)?;
    let created = chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string();
    let text = revision_file(
        &RevisionHeader {
            id: &id,
            down_revisions: parents,
            message,
            created: &created,
        },
        &changes,
        &down,
    )?;
    let dir = &config.versions_dir;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let slug = slug(message);
    let file_name = if slug.is_empty() {
        format!("{id}.rs")
    } else {
        format!("{id}_{slug}.rs")
    };
    let path = dir.join(file_name);
    write_new_file(&path, &text)?;
    rustfmt(&path);
    Ok(GeneratedRevision { path, id, changes })
}

/// Twelve hex digits, as Alembic's ids.
pub fn new_revision_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// `add product description` → `add_product_description`.
pub fn slug(message: &str) -> String {
    let mut slug = String::new();
    for word in message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('_');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

fn write_new_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(path, e))
}

/// Lays the file out as the project's `cargo fmt` would, when rustfmt is installed.
fn rustfmt(path: &Path) {
    let status = std::process::Command::new("rustfmt")
        .args(["--edition", "2021"])
        .arg(path)
        .current_dir(path.parent().unwrap_or(Path::new(".")))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        log::debug!(
            "rustfmt not run on {}; the file keeps prettyplease's layout",
            path.display()
        );
    }
}

/// `.rs` files in the versions folder that this program was not compiled with.
pub fn uncompiled_files(config: &Config) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(&config.versions_dir) else {
        return Vec::new();
    };
    let compiled: BTreeSet<&str> = config.migrations.revisions.iter().map(|m| m.file).collect();
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".rs") && !name.starts_with(['.', '_']))
        .filter(|name| !compiled.contains(name.as_str()))
        .collect();
    files.sort();
    files
}

fn require_fresh_binary(config: &Config) -> Result<()> {
    let files = uncompiled_files(config);
    if files.is_empty() {
        Ok(())
    } else {
        Err(Error::StaleBinary {
            dir: config.versions_dir.clone(),
            files,
        })
    }
}

fn warn_if_stale(config: &Config) {
    if let Err(e) = require_fresh_binary(config) {
        log::warn!("{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("add product description"), "add_product_description");
        assert_eq!(slug("  Initial schema!! "), "initial_schema");
        assert_eq!(slug("ümlaut"), "mlaut");
        assert!(slug(&"word ".repeat(30)).len() <= 40);
    }

    #[test]
    fn ids_are_twelve_hex_digits() {
        let id = new_revision_id();
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
