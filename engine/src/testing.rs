//! Helpers for a project's own test suite.
//!
//! ```no_run
//! static MIGRATIONS: retort::Migrations = retort::revisions!("versions");
//!
//! #[test]
//! fn migrations_are_current() {
//!     retort::testing::assert_migrations_current(&MIGRATIONS);
//! }
//! ```

use crate::autogenerate::{self, Changes};
use crate::dialect::Sqlite;
use crate::introspect::Filter;
use retort::model::{registered_hints_for, registered_schema_for};
use retort::Migrations;

/// Whether the revision history builds exactly the registered models, replayed
/// in memory (no database). `Err` explains what is missing: the whole-program
/// model errors, or the ops a new revision would need.
pub fn migrations_current(migrations: &Migrations) -> Result<(), String> {
    database_migrations_current(migrations, retort::model::MAIN)
}

/// [`migrations_current`] for the models of one database of a project
/// (`#[model(database = "...")]`).
pub fn database_migrations_current(migrations: &Migrations, database: &str) -> Result<(), String> {
    let models = registered_schema_for(database)
        .map_err(|e| format!("the registered models are inconsistent:\n{e}"))?;
    let (history, notes) = autogenerate::history_schema(migrations, &Sqlite, None)
        .map_err(|e| format!("replaying the revisions failed: {e}"))?;
    let changes: Changes = autogenerate::compare_schemas(
        &history,
        models,
        registered_hints_for(database),
        &Sqlite,
        &Filter::default(),
    );
    if changes.is_empty() {
        return Ok(());
    }
    let mut report = format!(
        "the models changed without a revision: {} operation(s) missing\n",
        changes.ops.len()
    );
    for op in &changes.ops {
        report.push_str(&format!("  - {}\n", op.summary()));
    }
    for hint in changes.suggestions.iter().chain(&notes) {
        report.push_str(&format!("  note: {hint}\n"));
    }
    report.push_str("write it with `autogenerate -m \"...\"` (or `autogenerate --offline`)");
    Err(report)
}

/// Panics, listing the missing operations, when the models changed without a new
/// revision. Needs no database.
#[track_caller]
pub fn assert_migrations_current(migrations: &Migrations) {
    if let Err(report) = migrations_current(migrations) {
        panic!("{report}");
    }
}

/// [`assert_migrations_current`] for every database of a project.
#[track_caller]
pub fn assert_project_migrations_current(project: &retort::Project) {
    let mut reports = Vec::new();
    for (name, migrations) in project.databases {
        if let Err(report) = database_migrations_current(migrations, name) {
            reports.push(format!("database `{name}`: {report}"));
        }
    }
    if !reports.is_empty() {
        panic!("{}", reports.join("\n"));
    }
}
