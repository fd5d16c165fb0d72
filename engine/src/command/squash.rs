//! `squash FROM:TO -m MSG`: one revision equivalent to a line of revisions,
//! declaring the ones it replaces (Django's `replaces`).
//!
//! The range is replayed in memory. Its schema changes between two data steps
//! become the comparison of the schema before them with the schema after them
//! (renames carried as renames, names kept exactly), so a column added and then
//! altered is created as it ends up, and a table created and then dropped is not
//! there at all; its data steps (`execute`, `bulk_insert`) are carried over in
//! their place. A step that reads the live database (`op.connection()`) or does
//! something else online (`op.is_offline()`) cannot be carried: the squash is
//! refused, naming each. The downgrade is built the same way from the range's
//! downgrades, newest first.
//!
//! How databases meet it is the graph's ([`RevisionMap::for_current`]): one
//! before the range runs the squash, one inside it goes on with the replaced
//! revisions, one past it is at the squash; once every database is past it, the
//! replaced files can be deleted.

use std::collections::BTreeSet;

use retort::model::RenameHints;
use retort::ops::{AlterColumn, Batch, Op, RenameTable};
use retort::schema::Schema;
use retort::{Backend, Direction};

use super::offline_session;
use super::write::{
    require_fresh_binary, write_file, GeneratedRevision, RevisionOptions, SquashParts,
};
use crate::autogenerate::Changes;
use crate::config::Config;
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::executor::SchemaState;
use crate::graph::{Node, RevisionError, RevisionMap};
use crate::runner::{recorded_step, replayed_below, RecordedStep};

/// Options of `squash`.
#[derive(Debug, Clone, Default)]
pub struct SquashOptions {
    /// Use this id instead of a random one.
    pub rev_id: Option<String>,
    /// The database whose stored forms the comparison uses (default: the URL's).
    pub dialect: Option<Backend>,
    /// Write the file into this folder instead of the versions folder.
    pub version_path: Option<std::path::PathBuf>,
}

/// What `squash` wrote.
#[derive(Debug, Clone)]
pub struct Squashed {
    /// The new revision file.
    pub revision: GeneratedRevision,
    /// The revisions it replaces, oldest first.
    pub replaces: Vec<String>,
    /// The data steps carried over, in order (`revision: what`).
    pub carried: Vec<String>,
}

/// Writes one revision equivalent to the revisions `range` (`FROM:TO`, both
/// included; `base:TO` from the first) names, which must be a line: no merge
/// or branch point inside it, nothing outside it building on a revision inside
/// it but the last.
pub fn squash(
    config: &Config,
    range: &str,
    message: &str,
    options: &SquashOptions,
) -> Result<Squashed> {
    let map = RevisionMap::of(&config.migrations)?;
    require_fresh_binary(config)?;
    let chain = chain(&map, range)?;
    let refuse = |problems: Vec<String>| Error::Squash {
        range: range.to_owned(),
        problems,
    };
    let dialect = offline_session(config, options.dialect)?.dialect();
    let first = chain[0];
    let parents = first.parents.clone();
    let replaces: Vec<String> = chain.iter().map(|n| n.id.clone()).collect();

    // The upgrades, oldest first, on the schema below the range.
    let mut state = replayed_below(&config.migrations, &map, dialect, &parents)?;
    let before = state.clone().into_schema();
    let mut problems = Vec::new();
    let mut ups = Vec::new();
    for node in &chain {
        let step = recorded_step(
            &config.migrations,
            node,
            Direction::Upgrade,
            dialect,
            &mut state,
        )?;
        problems.extend(cannot_carry(node, Direction::Upgrade, &step));
        ups.push((*node, step.ops));
    }
    let after = state.clone().into_schema();
    // The downgrades, newest first, on the schema the range builds.
    let mut state = SchemaState::replayed(after.clone());
    let mut downs = Vec::new();
    let mut irreversible = None;
    for node in chain.iter().rev() {
        let step = recorded_step(
            &config.migrations,
            node,
            Direction::Downgrade,
            dialect,
            &mut state,
        )?;
        problems.extend(cannot_carry(node, Direction::Downgrade, &step));
        if let Some(failure) = &step.failed {
            irreversible.get_or_insert_with(|| {
                format!(
                    "squash of {}: the downgrade of {} cannot be done: {failure}",
                    replaces.join(", "),
                    node.id
                )
            });
        }
        downs.push((*node, step.ops));
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    let mut carried = Vec::new();
    let upgrade =
        squashed_ops(&before, &ups, dialect, &mut carried).map_err(|p| refuse(vec![p]))?;
    let downgrade =
        match irreversible {
            Some(reason) => Err(reason),
            None => Ok(squashed_ops(&after, &downs, dialect, &mut Vec::new())
                .map_err(|p| refuse(vec![p]))?),
        };

    let mut labels = Vec::new();
    let mut depends = Vec::new();
    for node in &chain {
        labels.extend(node.branch_labels.iter().cloned());
        depends.extend(
            node.depends_on
                .iter()
                .filter(|d| !replaces.contains(d) && !depends.contains(*d))
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    let revision = write_file(
        config,
        &map,
        message,
        &RevisionOptions {
            rev_id: options.rev_id.clone(),
            branch_labels: labels,
            depends_on: depends,
            dialect: options.dialect,
            version_path: options.version_path.clone(),
            offline: true,
            ..RevisionOptions::default()
        },
        &parents,
        Changes {
            ops: upgrade,
            ..Changes::default()
        },
        false,
        Some(SquashParts {
            replaces: replaces.clone(),
            downgrade,
        }),
    )?;
    Ok(Squashed {
        revision,
        replaces,
        carried,
    })
}

/// The revisions `range` names, oldest first, checked to be a line.
fn chain<'m>(map: &'m RevisionMap, range: &str) -> Result<Vec<&'m Node>> {
    let bad = |problem: String| -> Error {
        RevisionError::Relative {
            target: range.to_owned(),
            problem,
        }
        .into()
    };
    let (from, to) = range.split_once(':').ok_or_else(|| {
        bad(
            "a squash names a range FROM:TO (both included; base:TO from the first revision)"
                .to_owned(),
        )
    })?;
    let to = match to {
        "" | "head" => map
            .head()?
            .ok_or_else(|| bad("there are no revisions".to_owned()))?,
        spec => map.resolve_id(spec)?.id.as_str(),
    };
    let from = match from {
        "" | "base" => None,
        spec => Some(map.resolve_id(spec)?.id.as_str()),
    };
    let mut chain = Vec::new();
    let mut at = map.get(to).expect("resolved");
    loop {
        if !at.replaces.is_empty() {
            return Err(bad(format!(
                "{} is a squash itself: squash a range that ends below it or starts above it",
                at.id
            )));
        }
        chain.push(at);
        if Some(at.id.as_str()) == from {
            break;
        }
        match at.parents.as_slice() {
            [] if from.is_none() => break,
            [] => {
                return Err(Error::Revision(RevisionError::ReversedRange {
                    from: from.unwrap_or("base").to_owned(),
                    to: to.to_owned(),
                }))
            }
            [parent] => at = map.get(parent).expect("validated"),
            several => {
                return Err(bad(format!(
                "{} merges {}: a squashed range is a line of revisions; start it at {} or above",
                at.id,
                several.join(", "),
                at.id
            )))
            }
        }
    }
    chain.reverse();
    if chain.len() < 2 {
        return Err(bad("a squash replaces two revisions or more".to_owned()));
    }
    let inside: BTreeSet<&str> = chain.iter().map(|n| n.id.as_str()).collect();
    for window in chain.windows(2) {
        let others: Vec<&String> = map
            .children(&window[0].id)
            .iter()
            .filter(|c| **c != window[1].id)
            .collect();
        if let Some(other) = others.first() {
            return Err(bad(format!(
                "{} is a branch point ({other} revises it too): squash up to {} or merge the branches first",
                window[0].id, window[0].id
            )));
        }
    }
    for node in map.in_order() {
        if inside.contains(node.id.as_str()) {
            continue;
        }
        if let Some(dep) = node
            .depends_on
            .iter()
            .find(|d| inside.contains(d.as_str()) && **d != to)
        {
            return Err(bad(format!(
                "{} depends on {dep}, inside the range: squash up to {dep} or above it",
                node.id
            )));
        }
    }
    Ok(chain)
}

/// Why a step cannot be carried into a squash, if it cannot.
fn cannot_carry(node: &Node, direction: Direction, step: &RecordedStep) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(at) = step.live_read {
        let at = at.map_or_else(
            || node.file.clone(),
            |at| format!("{}:{}", at.file(), at.line()),
        );
        problems.push(format!(
            "the {direction} of {} reads the live database (op.connection(), {at}): Rust code cannot be merged; squash a range that ends before it or starts after it, or write that step as op.execute",
            node.id
        ));
    } else if step.asked_offline {
        problems.push(format!(
            "the {direction} of {} ({}) asks op.is_offline(): what it does online cannot be known here; squash a range without it",
            node.id, node.file
        ));
    }
    problems
}

/// The ops of `steps` (recorded on `start`, in order) as few ops as the schema
/// changes between data steps come to, with the data steps between them.
fn squashed_ops(
    start: &Schema,
    steps: &[(&Node, Vec<crate::safety::RecordedOp>)],
    dialect: &dyn Dialect,
    carried: &mut Vec<String>,
) -> std::result::Result<Vec<Op>, String> {
    let mut out = Vec::new();
    let mut segment_start = start.clone();
    let mut now = start.clone();
    let mut hints = exact_names();
    for (node, ops) in steps {
        for recorded in ops {
            let op = &recorded.op;
            match op {
                Op::Execute(_) | Op::BulkInsert(_) => {
                    out.extend(segment(&segment_start, &now, &hints, dialect));
                    out.push(op.clone());
                    carried.push(format!("{}: {}", node.id, op.summary()));
                    segment_start = now.clone();
                    hints = exact_names();
                }
                // Checked in the step that adds it NOT VALID: nothing to carry.
                Op::ValidateConstraint(_) => {}
                _ => {
                    follow_renames(&mut hints, op);
                    now.apply(op)
                        .map_err(|e| format!("{} ({}): {e}", node.id, node.file))?;
                }
            }
        }
    }
    out.extend(segment(&segment_start, &now, &hints, dialect));
    Ok(out)
}

/// The ops from `start` to `end`. An enum type that goes is dropped whatever
/// the dialect (a comparison for a database without enum types, where an enum
/// is a column's type, creates them for the others but never drops them).
fn segment(start: &Schema, end: &Schema, hints: &RenameHints, dialect: &dyn Dialect) -> Vec<Op> {
    let mut ops = crate::compare::compare(start, end, hints, dialect).ops;
    for (name, values) in &start.enums {
        let dropped = ops
            .iter()
            .any(|op| matches!(op, Op::DropEnum(drop) if drop.name == *name));
        if !end.enums.contains_key(name) && !dropped {
            ops.push(Op::DropEnum(retort::ops::DropEnum {
                name: name.clone(),
                existing: Some(values.clone()),
            }));
        }
    }
    ops
}

/// Hints that keep every name as the revisions gave it.
fn exact_names() -> RenameHints {
    RenameHints {
        rename_constraints: true,
        ..RenameHints::default()
    }
}

/// Records a rename of a table or column as a hint, so the comparison renames
/// too (chained renames become one).
fn follow_renames(hints: &mut RenameHints, op: &Op) {
    match op {
        Op::RenameTable(RenameTable { name, new_name }) => {
            let original = hints.tables.remove(name).unwrap_or_else(|| name.clone());
            if original != *new_name {
                hints.tables.insert(new_name.clone(), original);
            }
            let moved: Vec<((String, String), String)> = hints
                .columns
                .iter()
                .filter(|((table, _), _)| table == name)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for ((_, column), old) in moved {
                hints.columns.remove(&(name.clone(), column.clone()));
                hints.columns.insert((new_name.clone(), column), old);
            }
        }
        Op::AlterColumn(alter) => follow_column_rename(hints, alter),
        Op::Batch(Batch { ops, .. }) => {
            for op in ops {
                follow_renames(hints, op);
            }
        }
        _ => {}
    }
}

fn follow_column_rename(hints: &mut RenameHints, alter: &AlterColumn) {
    let Some(new_name) = &alter.new_name else {
        return;
    };
    let key = (alter.table.clone(), alter.name.clone());
    let original = hints
        .columns
        .remove(&key)
        .unwrap_or_else(|| alter.name.clone());
    if original != *new_name {
        hints
            .columns
            .insert((alter.table.clone(), new_name.clone()), original);
    }
}
