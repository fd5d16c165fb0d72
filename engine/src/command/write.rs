//! Commands that write revision files: `revision`, `autogenerate`, `merge`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{inspect, offline_session};
use crate::autogenerate::{self, Changes};
use retort::Backend;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::graph::{RevisionError, RevisionMap};
use crate::render::{revision_file, RevisionHeader};
use retort::model::registered_hints_for;
use retort::ops::reverse_all;

/// A revision file written by `revision`, `autogenerate` or `merge`.
#[derive(Debug, Clone)]
pub struct GeneratedRevision {
    /// The new file.
    pub path: PathBuf,
    /// The new revision's id (12 hex digits unless `--rev-id` gave one).
    pub id: String,
    /// What it does (empty for a hand-written revision), with its warnings.
    pub changes: Changes,
    /// The revisions written after it, each on the one before, when safe mode
    /// split the changes (concurrent index builds after the rest).
    pub then: Vec<GeneratedRevision>,
}

/// Options of `revision` and `autogenerate`.
#[derive(Debug, Clone, Default)]
pub struct RevisionOptions {
    /// Use this id instead of a random one.
    pub rev_id: Option<String>,
    /// The revision to build on: a head, `label@head`, or any revision to start a
    /// branch from (default: the single head).
    pub head: Option<String>,
    /// Labels for the branch the new revision starts.
    pub branch_labels: Vec<String>,
    /// Revisions of other branches the new one needs.
    pub depends_on: Vec<String>,
    /// Autogenerate against the schema the revision history builds, replayed in
    /// memory: no database needed.
    pub offline: bool,
    /// With `offline`, the dialect whose types the comparison uses (default: the
    /// URL's).
    pub dialect: Option<Backend>,
    /// Write the file into this folder instead of the versions folder (Alembic's
    /// `--version-path`): a one-off place the program does not compile in, so
    /// files there do not make it stale.
    pub version_path: Option<PathBuf>,
    /// Give the database's objects that the models leave unnamed the models'
    /// names (see [`retort::model::RenameHints::rename_constraints`]).
    pub rename_constraints: bool,
    /// Write the online variants of blocking changes, split into several
    /// revisions where they must be (as `safety = "online"` in `Retort.toml`).
    pub online: bool,
    /// Write a typed snapshot of these tables, as the revision leaves them,
    /// into the file (`--with-snapshot`; empty: the tables its ops change); see
    /// `retort::snapshot`.
    pub with_snapshot: Option<Vec<String>>,
}

/// The parents of a new revision: `--head`, else the single head.
fn parents(map: &RevisionMap, options: &RevisionOptions) -> Result<Vec<String>> {
    match &options.head {
        // `base` starts a new independent branch; resolve_stamp reads it so.
        Some(spec) => Ok(map.resolve_stamp(std::slice::from_ref(spec))?),
        None => Ok(map.head()?.into_iter().map(str::to_owned).collect()),
    }
}

fn depends_on(map: &RevisionMap, options: &RevisionOptions) -> Result<Vec<String>> {
    Ok(map.resolve_stamp(&options.depends_on)?)
}

/// Writes an empty revision for hand-written operations, on the head (or
/// `--head`), with optional branch labels and dependencies.
pub fn revision(
    config: &Config,
    message: &str,
    options: &RevisionOptions,
) -> Result<GeneratedRevision> {
    let map = RevisionMap::of(&config.migrations)?;
    require_fresh_binary(config)?;
    let parents = parents(&map, options)?;
    write_file(
        config,
        &map,
        message,
        options,
        &parents,
        Changes::default(),
        false,
        None,
    )
}

/// Compares the models with the database (which must be at head), or with the
/// replayed history (`offline`), and writes a revision with the difference.
/// `Ok(None)`: no changes, no file.
pub fn autogenerate(
    config: &Config,
    message: &str,
    options: &RevisionOptions,
) -> Result<Option<GeneratedRevision>> {
    let map = RevisionMap::of(&config.migrations)?;
    require_fresh_binary(config)?;
    let parents = parents(&map, options)?;
    let changes = if options.offline {
        let dialect = offline_session(config, options.dialect)?.dialect();
        dialect
            .unsupported_columns(config.models()?)
            .map_err(retort::Error::from)?;
        let (history, notes) = autogenerate::history_schema(&config.migrations, dialect, None)?;
        let mut hints = registered_hints_for(&config.database).clone();
        hints.rename_constraints = options.rename_constraints;
        let mut changes = autogenerate::compare_schemas(
            &history,
            config.models()?,
            &hints,
            dialect,
            &autogenerate::table_filter(config),
        );
        changes.notes = notes;
        changes
    } else {
        inspect::pending(
            config,
            &mut super::open(config)?,
            options.rename_constraints,
        )?
    };
    if changes.is_empty() {
        return Ok(None);
    }
    let backend = options
        .dialect
        .filter(|_| options.offline)
        .or_else(|| config.database_url().ok().map(|u| u.backend));
    match backend {
        Some(backend) if options.online || config.online => {
            write_online(config, &map, message, options, &parents, changes, backend).map(Some)
        }
        _ => write_file(
            config, &map, message, options, &parents, changes, false, None,
        )
        .map(Some),
    }
}

/// Safe mode: the changes made online ([`crate::safety::online`]), one revision
/// per part, each on the one before.
fn write_online(
    config: &Config,
    map: &RevisionMap,
    message: &str,
    options: &RevisionOptions,
    parents: &[String],
    changes: Changes,
    backend: Backend,
) -> Result<GeneratedRevision> {
    let parts = crate::safety::online(&changes.ops, backend);
    let count = parts.len();
    let mut written: Vec<GeneratedRevision> = Vec::new();
    for (k, part) in parts.into_iter().enumerate() {
        let mut part_changes = Changes {
            warnings: changes
                .warnings
                .iter()
                .filter_map(|(i, w)| {
                    part.from
                        .iter()
                        .position(|from| from == i)
                        .map(|at| (at, w.clone()))
                })
                .collect(),
            ops: part.ops,
            suggestions: if k == 0 {
                changes.suggestions.clone()
            } else {
                Vec::new()
            },
            notes: part.notes,
            edited: Vec::new(),
        };
        if k == 0 {
            part_changes.notes.extend(changes.notes.iter().cloned());
        }
        let part_message = if count > 1 {
            format!("{message} ({} of {count})", k + 1)
        } else {
            message.to_owned()
        };
        // The first part takes the options; the rest follow it.
        let part_options = if k == 0 {
            options.clone()
        } else {
            RevisionOptions {
                version_path: options.version_path.clone(),
                dialect: options.dialect,
                ..RevisionOptions::default()
            }
        };
        let part_parents = match written.last() {
            Some(previous) => vec![previous.id.clone()],
            None => parents.to_vec(),
        };
        written.push(write_file(
            config,
            map,
            &part_message,
            &part_options,
            &part_parents,
            part_changes,
            false,
            None,
        )?);
    }
    let mut first = written.remove(0);
    first.then = written;
    Ok(first)
}

/// Writes a revision whose parents are `revisions` (ids, prefixes,
/// `label@head`, or `heads`): a merge point, with nothing to do unless the
/// branches conflict.
pub fn merge(
    config: &Config,
    message: &str,
    revisions: &[String],
    rev_id: Option<String>,
) -> Result<GeneratedRevision> {
    let map = RevisionMap::of(&config.migrations)?;
    require_fresh_binary(config)?;
    let parents = map.resolve_stamp(revisions)?;
    if parents.len() < 2 {
        return Err(RevisionError::Relative {
            target: revisions.join(" "),
            problem: format!(
                "a merge needs at least two revisions, got {}",
                if parents.is_empty() {
                    "none".to_owned()
                } else {
                    parents.join(", ")
                }
            ),
        }
        .into());
    }
    let options = RevisionOptions {
        rev_id,
        ..RevisionOptions::default()
    };
    write_file(
        config,
        &map,
        message,
        &options,
        &parents,
        Changes::default(),
        false,
        None,
    )
}

/// `import`'s baseline: a first revision (on base) doing `changes`.
pub(super) fn baseline_revision(
    config: &Config,
    map: &RevisionMap,
    message: &str,
    changes: Changes,
) -> Result<GeneratedRevision> {
    write_file(
        config,
        map,
        message,
        &RevisionOptions::default(),
        &[],
        changes,
        true,
        None,
    )
}

/// What a squash writes besides its upgrade.
pub(super) struct SquashParts {
    /// The revisions it replaces, oldest first.
    pub(super) replaces: Vec<String>,
    /// Its downgrade, or why there is none.
    pub(super) downgrade: std::result::Result<Vec<retort::ops::Op>, String>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn write_file(
    config: &Config,
    map: &RevisionMap,
    message: &str,
    options: &RevisionOptions,
    parents: &[String],
    changes: Changes,
    baseline: bool,
    squash: Option<SquashParts>,
) -> Result<GeneratedRevision> {
    let replaces = squash
        .as_ref()
        .map(|s| s.replaces.clone())
        .unwrap_or_default();
    for label in &options.branch_labels {
        if let Some(owner) = map
            .labels()
            .get(label)
            .filter(|owner| !replaces.contains(owner))
        {
            return Err(RevisionError::DuplicateLabel {
                label: label.clone(),
                first: owner.clone(),
                second: "the new revision".to_owned(),
            }
            .into());
        }
    }
    let id = match &options.rev_id {
        Some(id) => {
            if let Some(problem) = retort_vocab::revision_id_problem(id) {
                return Err(RevisionError::BadId {
                    id: id.clone(),
                    file: "--rev-id".to_owned(),
                    problem,
                }
                .into());
            }
            if map.get(id).is_some() {
                return Err(RevisionError::DuplicateId {
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
    let depends = depends_on(map, options)?;
    let snapshot = match &options.with_snapshot {
        Some(tables) => snapshot_tables(config, options, tables, &changes.ops)?,
        None => Vec::new(),
    };
    let (down, irreversible) = match squash.map(|s| s.downgrade) {
        None => (reverse_all(&changes.ops)?, None),
        Some(Ok(down)) => (down, None),
        Some(Err(reason)) => (Vec::new(), Some(reason)),
    };
    let created = chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string();
    let text = revision_file(
        &RevisionHeader {
            id: &id,
            down_revisions: parents,
            branch_labels: &options.branch_labels,
            depends_on: &depends,
            message,
            created: &created,
            // A baseline describes tables that exist, a squash is run mostly by
            // new databases: nothing to lock.
            backend: if baseline || !replaces.is_empty() {
                None
            } else {
                options
                    .dialect
                    .or_else(|| config.database_url().ok().map(|u| u.backend))
            },
            lock_timeout: config.run.ddl_lock_timeout.is_some_and(|t| !t.is_zero()),
            replaces: &replaces,
            irreversible: irreversible.as_deref(),
            snapshot: &snapshot,
        },
        &changes,
        &down,
    )?;
    let dir = options
        .version_path
        .as_ref()
        .unwrap_or(&config.versions_dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let slug = slug(message);
    let file_name = if slug.is_empty() {
        format!("{id}.rs")
    } else {
        format!("{id}_{slug}.rs")
    };
    let path = dir.join(file_name);
    write_new_file(&path, &text)?;
    Ok(GeneratedRevision {
        path,
        id,
        changes,
        then: Vec::new(),
    })
}

/// The tables a `--with-snapshot` revision describes, as it leaves them: the
/// replayed history with `ops` applied (a table `ops` drop: as it was).
fn snapshot_tables(
    config: &Config,
    options: &RevisionOptions,
    names: &[String],
    ops: &[retort::ops::Op],
) -> Result<Vec<retort::schema::Table>> {
    let dialect = offline_session(config, options.dialect)?.dialect();
    let (before, _) = autogenerate::history_schema(&config.migrations, dialect, None)?;
    let mut after = before.clone();
    for op in ops {
        if let Err(e) = after.apply(op) {
            log::warn!("snapshot: {e}");
        }
    }
    let mut names: Vec<String> = names.to_vec();
    if names.is_empty() {
        for table in ops.iter().filter_map(|op| op.table()) {
            if !names.iter().any(|n| n == table) {
                names.push(table.to_owned());
            }
        }
    }
    if names.is_empty() {
        return Err(Error::Revision(RevisionError::Relative {
            target: "--with-snapshot".to_owned(),
            problem:
                "the revision changes no table: name the tables (--with-snapshot people,orders)"
                    .to_owned(),
        }));
    }
    names
        .iter()
        .map(|name| {
            after
                .table(name)
                .or_else(|| before.table(name))
                .cloned()
                .ok_or_else(|| {
                    Error::Revision(RevisionError::Relative {
                        target: format!("--with-snapshot {name}"),
                        problem: format!(
                            "the history has no table `{name}` (tables: {})",
                            after.table_names().collect::<Vec<_>>().join(", ")
                        ),
                    })
                })
        })
        .collect()
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

pub(super) fn write_new_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(path, e))
}

/// `.rs` files in the versions folder that this program was not compiled with.
pub fn uncompiled_files(config: &Config) -> Vec<String> {
    let compiled: BTreeSet<&str> = config.migrations.revisions.iter().map(|m| m.file).collect();
    retort_vocab::revision_files(&config.versions_dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|name| !compiled.contains(name.as_str()))
        .collect()
}

pub(super) fn require_fresh_binary(config: &Config) -> Result<()> {
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

pub(super) fn warn_if_stale(config: &Config) {
    if let Err(e) = require_fresh_binary(config) {
        log::warn!("{e}");
    }
}
