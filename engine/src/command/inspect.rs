//! Commands that read: the revision graph (`history`, `heads`, `branches`,
//! `show`), the database against it (`status`, `check`, `drift`).

use std::collections::HashSet;

use super::{open, version_table, write, Opened};
use crate::autogenerate::{self, Changes};
use crate::config::Config;
use retort::model::registered_hints_for;
use retort::model::RenameHints;
use retort::ops::Op;
use retort::schema::Schema;
use retort::Connection;

use crate::backend;
use crate::error::{Error, Result};
use crate::executor::{SchemaState, Sink, StepExecutor};
use crate::graph::{describe, Node, RevisionMap};
use crate::introspect::Filter;
use crate::versions::VersionTable;

/// One revision as `history`, `heads`, `branches` and `show` list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The revision's id.
    pub id: String,
    /// The revisions it revises (none for a first revision, several for a merge).
    pub parents: Vec<String>,
    /// The revisions that revise it (several at a branch point).
    pub children: Vec<String>,
    /// Cross-branch dependencies.
    pub depends_on: Vec<String>,
    /// The names of the branch it starts (`label@head` resolves to that branch's head).
    pub branch_labels: Vec<String>,
    /// The message given to `revision -m`.
    pub message: String,
    /// Its file's name in the versions folder.
    pub file: String,
    /// Whether no revision revises it.
    pub is_head: bool,
    /// Whether several revisions revise it.
    pub is_branch_point: bool,
    /// Whether it revises several revisions.
    pub is_merge_point: bool,
    /// Whether the database is at it (only when asked to look).
    pub is_current: bool,
    /// The revisions it squashes, oldest first (`squash`).
    pub replaces: Vec<String>,
}

impl HistoryEntry {
    fn of(map: &RevisionMap, node: &Node, current: &HashSet<String>) -> HistoryEntry {
        HistoryEntry {
            id: node.id.clone(),
            parents: node.parents.clone(),
            children: map.children(&node.id).to_vec(),
            depends_on: node.depends_on.clone(),
            branch_labels: node.branch_labels.clone(),
            message: node.message.clone(),
            file: node.file.clone(),
            is_head: map.children(&node.id).is_empty(),
            is_branch_point: map.is_branch_point(&node.id),
            is_merge_point: map.is_merge_point(&node.id),
            is_current: current.contains(&node.id),
            replaces: node.replaces.clone(),
        }
    }

    /// ` (head) (branchpoint) (mergepoint) (current)`, as `history` marks it.
    pub fn marks(&self) -> String {
        let mut out = String::new();
        for (on, mark) in [
            (self.is_head, " (head)"),
            (self.is_branch_point, " (branchpoint)"),
            (self.is_merge_point, " (mergepoint)"),
            (self.is_current, " (current)"),
        ] {
            if on {
                out.push_str(mark);
            }
        }
        out
    }
}

/// Options of `history`.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// `FROM:TO` (either end may be empty, `base`, `heads`, `current`).
    pub range: Option<String>,
    /// Connect and mark the revisions the database is at.
    pub indicate_current: bool,
}

/// Revisions, newest first. Connects only to resolve `current` or to mark it.
pub fn history(config: &Config, options: &HistoryOptions) -> Result<Vec<HistoryEntry>> {
    let map = RevisionMap::of(&config.migrations)?;
    let needs_current = options.indicate_current
        || options
            .range
            .as_deref()
            .is_some_and(|r| r.contains("current"));
    let current: Vec<String> = if needs_current {
        super::current(config)?
    } else {
        Vec::new()
    };
    // A database inside a squashed range sees the revisions the squash replaces.
    let map = map.into_current(&current)?;
    let marked: HashSet<String> = if options.indicate_current {
        current
            .iter()
            .map(|c| map.canonical(c).to_owned())
            .collect()
    } else {
        HashSet::new()
    };
    let (from, to) = match options.range.as_deref() {
        None => ("base".to_owned(), "heads".to_owned()),
        Some(range) => {
            let (from, to) = range.split_once(':').ok_or_else(|| {
                Error::Revision(crate::graph::RevisionError::Unknown(format!(
                    "{range} (a range is FROM:TO, e.g. base:head or ae10:current)"
                )))
            })?;
            let current_one = || match current.as_slice() {
                [one] => one.clone(),
                [] => "base".to_owned(),
                many => many[0].clone(),
            };
            let end = |s: &str, default: &str| match s.trim() {
                "" => default.to_owned(),
                "current" => current_one(),
                other => other.to_owned(),
            };
            (end(from, "base"), end(to, "heads"))
        }
    };
    Ok(map
        .range(&from, &to)?
        .into_iter()
        .map(|n| HistoryEntry::of(&map, n, &marked))
        .collect())
}

/// The revision graph drawn as `git log --graph` draws commits, one or more
/// lines per revision of `entries` (as `history` lists them, newest first): `*`
/// is a revision (`o` when `applied` is given and does not hold it), `|` a
/// branch going on, `/` a branch joining its branch point, `\` a merge's second
/// parent; then the id, labels, marks and message.
pub fn graph_lines(entries: &[HistoryEntry], applied: Option<&HashSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    // What each column waits for: the revision that comes next in it.
    let mut columns: Vec<String> = Vec::new();
    // A row of columns: `|` (or the revision's mark) in column i at 2i, a
    // joining `/` or a merge's `\` between two columns at 2i - 1.
    let draw = |cells: &[(usize, char)]| -> String {
        let width = cells.iter().map(|(x, _)| x + 1).max().unwrap_or(0);
        let mut line = vec![' '; width];
        for &(x, c) in cells {
            line[x] = c;
        }
        line.into_iter().collect::<String>().trim_end().to_owned()
    };
    for (n, e) in entries.iter().enumerate() {
        let mut here: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, id)| **id == e.id)
            .map(|(i, _)| i)
            .collect();
        if here.is_empty() {
            columns.push(e.id.clone());
            here.push(columns.len() - 1);
        }
        let at = here[0];
        // Several children: their columns join this one (a branch point).
        if here.len() > 1 {
            let cells: Vec<(usize, char)> = (0..columns.len())
                .map(|i| {
                    if here[1..].contains(&i) {
                        (2 * i - 1, '/')
                    } else {
                        (2 * i, '|')
                    }
                })
                .collect();
            out.push(draw(&cells));
            for &i in here[1..].iter().rev() {
                columns.remove(i);
            }
        }
        let mark = match applied {
            Some(applied) if !applied.contains(&e.id) => 'o',
            _ => '*',
        };
        let cells: Vec<(usize, char)> = (0..columns.len())
            .map(|i| (2 * i, if i == at { mark } else { '|' }))
            .collect();
        let labels = if e.branch_labels.is_empty() {
            String::new()
        } else {
            format!(" ({})", e.branch_labels.join(", "))
        };
        let depends = if e.depends_on.is_empty() {
            String::new()
        } else {
            format!(" (depends on {})", e.depends_on.join(", "))
        };
        out.push(format!(
            "{:<width$} {}{labels}{}{depends}, {}",
            draw(&cells),
            e.id,
            e.marks(),
            e.message,
            width = 2 * columns.len() - 1
        ));
        match e.parents.split_first() {
            None => {
                columns.remove(at);
                // The start of a branch of its own: a gap before the next.
                if columns.is_empty() && n + 1 < entries.len() {
                    out.push(String::new());
                }
            }
            Some((first, rest)) => {
                columns[at] = first.clone();
                for (k, parent) in rest.iter().enumerate() {
                    if columns.contains(parent) {
                        continue;
                    }
                    columns.insert(at + 1 + k, parent.clone());
                    let cells: Vec<(usize, char)> = (0..columns.len())
                        .map(|i| {
                            if i <= at {
                                (2 * i, '|')
                            } else {
                                (2 * i - 1, '\\')
                            }
                        })
                        .collect();
                    out.push(draw(&cells));
                }
            }
        }
    }
    out
}

/// The schema to draw: the models of this database, or (`live`) the database
/// itself, as `check` reads it (Retort's tables and the excluded ones left out).
pub fn diagram_schema(config: &Config, live: bool) -> Result<Schema> {
    if !live {
        return Ok(config.models()?.clone());
    }
    let mut conn = super::connect(config)?;
    let filter = autogenerate::table_filter(config);
    Ok(backend::of(&conn).introspect(&mut conn, &filter)?)
}

/// The head revisions. Needs no database.
pub fn heads(config: &Config) -> Result<Vec<HistoryEntry>> {
    Ok(history(config, &HistoryOptions::default())?
        .into_iter()
        .filter(|e| e.is_head)
        .collect())
}

/// The branch points: revisions with several children. Needs no database.
pub fn branches(config: &Config) -> Result<Vec<HistoryEntry>> {
    Ok(history(config, &HistoryOptions::default())?
        .into_iter()
        .filter(|e| e.is_branch_point)
        .collect())
}

/// One revision, by id, prefix, `head` or `label@head`.
pub fn show(config: &Config, spec: &str) -> Result<HistoryEntry> {
    // A revision inside a squashed range is shown among the revisions it replaces.
    let map = RevisionMap::of(&config.migrations)?.into_current(&[spec.to_owned()])?;
    let id = map.resolve_stamp(&[spec.to_owned()])?;
    let id = id
        .first()
        .ok_or_else(|| Error::Revision(crate::graph::RevisionError::Unknown(spec.to_owned())))?;
    Ok(HistoryEntry::of(
        &map,
        map.get(id).expect("resolved"),
        &HashSet::new(),
    ))
}

/// One revision in `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The revision's id.
    pub id: String,
    /// The message given to `revision -m`.
    pub message: String,
    /// Its file's name in the versions folder.
    pub file: String,
    /// Whether the database has it.
    pub applied: bool,
    /// When it was last applied, from the log.
    pub applied_at: Option<String>,
    /// Its file differs from the one that was applied (the checksums differ).
    pub edited: bool,
}

/// `status`: every revision in order, applied or pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The version table's rows.
    pub current: Vec<String>,
    /// Every revision, oldest first.
    pub entries: Vec<StatusEntry>,
    /// A revision step that stopped half-way, if one did (see `repair`).
    pub unfinished: Option<crate::Unfinished>,
}

impl Status {
    /// Applied revisions whose file changed since.
    pub fn edited(&self) -> Vec<&StatusEntry> {
        self.entries.iter().filter(|e| e.edited).collect()
    }
}

/// Every revision, oldest first, applied or pending, with when it was applied
/// and whether its file changed since.
pub fn status(config: &Config) -> Result<Status> {
    status_of(config, &mut open(config)?)
}

fn status_of(config: &Config, opened: &mut Opened) -> Result<Status> {
    let Opened { map, conn, current } = opened;
    let applied = map.ancestors(current.iter().map(String::as_str));
    let log = version_table(config).log(conn)?;
    // The last upgrade of each revision, in one pass over the log.
    let last_upgrade: std::collections::HashMap<&str, &crate::LogEntry> = log
        .iter()
        .filter(|e| e.direction == "upgrade")
        .map(|e| (e.revision.as_str(), e))
        .collect();
    let entries = map
        .in_order()
        .map(|n| {
            let last = last_upgrade.get(n.id.as_str()).copied();
            let checksum = n.migration(&config.migrations).map_or("", |m| m.checksum);
            let is_applied = applied.contains(n.id.as_str());
            StatusEntry {
                id: n.id.clone(),
                message: n.message.clone(),
                file: n.file.clone(),
                applied: is_applied,
                applied_at: last.map(|e| e.applied_at.clone()),
                edited: is_applied
                    && last.is_some_and(|e| !e.checksum.is_empty() && e.checksum != checksum),
            }
        })
        .collect();
    Ok(Status {
        current: current.clone(),
        entries,
        unfinished: version_table(config).unfinished(conn)?,
    })
}

/// The changes that would bring the database (which must be at head) in line
/// with the models; empty when they agree. Applied revisions whose file changed
/// since are listed in `edited` of the result's notes.
pub fn check(config: &Config) -> Result<Changes> {
    write::require_fresh_binary(config)?;
    let mut opened = open(config)?;
    let mut changes = pending(config, &mut opened, false)?;
    for entry in status_of(config, &mut opened)?.edited() {
        changes.edited.push(format!(
            "revision {} ({}) changed after it was applied{}",
            entry.id,
            entry.file,
            entry
                .applied_at
                .as_deref()
                .map(|at| format!(" on {at}"))
                .unwrap_or_default()
        ));
    }
    Ok(changes)
}

/// What the revisions not yet applied to the database would lose: one line per
/// op that drops or narrows something, `revision <id> (<file>): <what>` (for
/// `check --strict` in CI). Needs no particular position of the database.
pub fn pending_losses(config: &Config) -> Result<Vec<String>> {
    let Opened {
        map, conn, current, ..
    } = open(config)?;
    let dialect = backend::of(&conn).dialect();
    let mut out = Vec::new();
    for (node, recorded) in crate::runner::pending_ops(&config.migrations, &map, dialect, &current)?
    {
        let ops: Vec<Op> = recorded.into_iter().map(|r| r.op).collect();
        for (_, loss) in autogenerate::losses(&ops, dialect) {
            out.push(format!("revision {} ({}): {loss}", node.id, node.file));
        }
    }
    Ok(out)
}

/// The ops that take the live database to `models` (the version table and its
/// log ignored): introspection, then the comparison autogenerate makes, without
/// rename hints.
pub fn diff(conn: &mut Connection, models: &Schema, version_table: &str) -> Result<Vec<Op>> {
    let filter = Filter {
        exclude: VersionTable {
            name: version_table,
        }
        .own_tables(),
        ..Default::default()
    };
    Ok(autogenerate::compare_database(conn, models, &RenameHints::default(), &filter)?.ops)
}

/// Runs `ops` on the database as one migration step (one transaction where DDL is
/// transactional, none where an op cannot run in one: an index built
/// concurrently, a constraint validated), leaving out index drops that a later
/// table drop makes redundant, as revision files do.
pub fn apply(conn: &mut Connection, ops: &[Op]) -> Result<()> {
    let redundant = retort::ops::dropped_with_its_table(ops);
    let session = backend::of(conn);
    let untransacted = session.dialect().backend() == retort::Backend::Postgres
        && ops.iter().any(crate::safety::outside_transaction);
    if untransacted {
        let mut state = SchemaState::live();
        let mut executor = StepExecutor::new(session.dialect(), Sink::Execute(conn), &mut state)
            .without_transaction();
        let mut op = retort::operations::Operations::new(&mut executor);
        for (o, _) in ops.iter().zip(redundant).filter(|(_, r)| !r) {
            op.run(o.clone())?;
        }
        return Ok(());
    }
    crate::runner::step_wrapped(session, conn, |conn| {
        let mut state = SchemaState::live();
        let mut executor = StepExecutor::new(session.dialect(), Sink::Execute(conn), &mut state);
        let mut op = retort::operations::Operations::new(&mut executor);
        for (o, _) in ops
            .iter()
            .zip(redundant)
            .filter(|(_, redundant)| !redundant)
        {
            op.run(o.clone())?;
        }
        Ok(())
    })
}

fn require_at_head(map: &RevisionMap, current: &[String]) -> Result<()> {
    let mut head: Vec<String> = map.heads().into_iter().map(str::to_owned).collect();
    head.sort();
    // A row may name the last revision a squash replaced: it is the squash.
    let mut at: Vec<String> = current
        .iter()
        .map(|c| map.canonical(c).to_owned())
        .collect();
    at.sort();
    if at != head {
        return Err(Error::NotUpToDate {
            current: describe(current),
            head: describe(&head),
        });
    }
    Ok(())
}

/// What the models want of a database at head.
/// `rename_constraints`: see [`RenameHints::rename_constraints`].
pub(super) fn pending(
    config: &Config,
    opened: &mut Opened,
    rename_constraints: bool,
) -> Result<Changes> {
    require_at_head(&opened.map, &opened.current)?;
    let mut hints = registered_hints_for(&config.database).clone();
    hints.rename_constraints = rename_constraints;
    autogenerate::compare_database(
        &mut opened.conn,
        config.models()?,
        &hints,
        &autogenerate::table_filter(config),
    )
}

/// What the live database has that its revision history does not say (changes
/// made by hand): the ops that would bring it back to what the history built up
/// to the database's current revision.
pub fn drift(config: &Config) -> Result<Changes> {
    let Opened {
        map,
        mut conn,
        current,
    } = open(config)?;
    let applied: HashSet<&str> = map.ancestors(current.iter().map(String::as_str));
    let dialect = backend::of(&conn).dialect();
    let (history, notes) =
        autogenerate::history_schema_in(&config.migrations, &map, dialect, Some(&applied))?;
    let mut changes = autogenerate::compare_database(
        &mut conn,
        &history,
        &RenameHints::default(),
        &autogenerate::table_filter(config),
    )?;
    changes.notes = notes;
    Ok(changes)
}
