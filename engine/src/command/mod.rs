//! The commands, callable from Rust: what the CLI runs, and what a test suite or a
//! deploy tool calls the way Alembic's `command` module is used
//! (`retort_engine::command::upgrade(&config, "head")`). Each returns a typed
//! result; printing it is the CLI's business.
//!
//! - moving a database: [`upgrade`], [`downgrade`], their scripts
//!   ([`upgrade_sql`], [`downgrade_sql`]), [`stamp`], [`current`] (`mod.rs`);
//! - reading: [`history`], [`heads`], [`branches`], [`show`], [`status`],
//!   [`check`], [`drift`], [`diff`], [`apply`] (`inspect.rs`);
//! - writing revision files: [`revision`], [`autogenerate`], [`merge`]
//!   (`write.rs`);
//! - many databases from a URLs file: [`fleet`].

pub mod fleet;
mod import;
mod inspect;
mod lint;
mod squash;
mod write;

pub use import::{import, ImportOptions, ImportReport};
pub use inspect::{
    apply, branches, check, diagram_schema, diff, drift, graph_lines, heads, history,
    pending_losses, show, status, HistoryEntry, HistoryOptions, Status, StatusEntry,
};
pub use lint::{lint, revision_ops, LintOptions, LintReport, LintedRevision, ShownOp};
pub use squash::{squash, SquashOptions, Squashed};
pub use write::{
    autogenerate, merge, new_revision_id, revision, slug, uncompiled_files, GeneratedRevision,
    RevisionOptions,
};

use retort::{Backend, Connection, Direction};

use crate::backend::{self, Session};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::graph::RevisionMap;
use crate::runner::{self, StepReport};
use crate::versions::VersionTable;

/// Connects to the configured database (and, on PostgreSQL, to the configured
/// schema).
pub fn connect(config: &Config) -> Result<Connection> {
    let url = config.database_url()?;
    let mut conn = backend::connect(&url)?;
    if let Some(schema) = &config.schema {
        let sql = backend::of(&conn)
            .use_schema(schema)
            .map_err(|why| retort::Error::Url {
                url: url.display.clone(),
                reason: format!("--schema {schema}: {why}"),
            })?;
        conn.execute(&sql)?;
    }
    Ok(conn)
}

pub(crate) fn version_table(config: &Config) -> VersionTable<'_> {
    VersionTable {
        name: &config.version_table,
    }
}

/// Applies revisions up to `target`: `head`, `heads`, `label@head`, a full or
/// partial id, `+N`, `REV+N`.
pub fn upgrade(config: &Config, target: &str) -> Result<Vec<StepReport>> {
    migrate(config, target, Direction::Upgrade)
}

/// Reverts revisions down to `target`: `base`, `label@base`, a full or partial
/// id, `-N`, `REV-N`. Only what stands on the target goes; other branches stay.
pub fn downgrade(config: &Config, target: &str) -> Result<Vec<StepReport>> {
    migrate(config, target, Direction::Downgrade)
}

/// What most commands start from: the revision graph, a connection, and the
/// revisions the database is at (checked against the graph).
pub(crate) struct Opened {
    pub(crate) map: RevisionMap,
    pub(crate) conn: Connection,
    pub(crate) current: Vec<String>,
}

/// Builds the graph, connects, reads the version table and checks it.
pub(crate) fn open(config: &Config) -> Result<Opened> {
    let map = RevisionMap::of(&config.migrations)?;
    let mut conn = connect(config)?;
    let current = version_table(config).read(&mut conn)?;
    let map = map.into_current(&current)?;
    map.check_current(&current)?;
    Ok(Opened { map, conn, current })
}

/// `upgrade` or `downgrade` to `target`, resolved under the run lock.
fn migrate(config: &Config, target: &str, direction: Direction) -> Result<Vec<StepReport>> {
    write::warn_if_stale(config);
    let map = RevisionMap::of(&config.migrations)?;
    let mut conn = connect(config)?;
    runner::run(
        &mut conn,
        &config.migrations,
        &map,
        version_table(config),
        target,
        direction,
        config.run,
    )
}

/// Sets the version table to `targets` (revisions, `head`, `heads`,
/// `label@head`, `base`) without running anything, as Alembic's `stamp`: each
/// target's branch is set to it, other branches kept unless `purge` (which also
/// works on a database at an unknown revision). Returns the rows before and after,
/// both read under the run lock.
pub fn stamp(
    config: &Config,
    targets: &[String],
    purge: bool,
) -> Result<(Vec<String>, Vec<String>)> {
    let map = RevisionMap::of(&config.migrations)?;
    let mut conn = connect(config)?;
    runner::stamp(
        &mut conn,
        &map,
        version_table(config),
        targets,
        purge,
        config.run,
    )
}

/// The SQL `upgrade` would run, without connecting: `range` is `TO` (from base)
/// or `FROM:TO`; the dialect is `dialect`, else the URL's.
pub fn upgrade_sql(config: &Config, range: &str, dialect: Option<Backend>) -> Result<String> {
    script(config, range, dialect, Direction::Upgrade)
}

/// The SQL `downgrade` would run, without connecting: `range` is `FROM:TO`.
pub fn downgrade_sql(config: &Config, range: &str, dialect: Option<Backend>) -> Result<String> {
    script(config, range, dialect, Direction::Downgrade)
}

fn script(
    config: &Config,
    range: &str,
    dialect: Option<Backend>,
    direction: Direction,
) -> Result<String> {
    let map = RevisionMap::of(&config.migrations)?;
    let (from, to) = match (range.split_once(':'), direction) {
        (Some((from, to)), _) => (from.trim(), to),
        (None, Direction::Upgrade) => ("", range),
        // A downgrade script cannot know where the database is.
        (None, Direction::Downgrade) => {
            return Err(Error::DowngradeSqlNeedsStart {
                target: range.to_owned(),
            })
        }
    };
    // A start inside a squashed range: the revisions the squash replaces.
    let map = match from {
        "" => map,
        spec => map.into_current(&[spec.to_owned()])?,
    };
    let from = match from {
        "" => Vec::new(),
        spec => map.resolve_stamp(&[spec.to_owned()])?,
    };
    let target = match direction {
        Direction::Upgrade => map.resolve_upgrade(&from, to)?,
        Direction::Downgrade => map.resolve_downgrade(&from, to)?,
    };
    runner::script(
        &config.migrations,
        &map,
        offline_session(config, dialect)?,
        version_table(config),
        &from,
        &target,
        direction,
        config.run,
    )
}

/// The database whose SQL `--sql` prints: `--dialect`, else the URL's.
pub(crate) fn offline_session(
    config: &Config,
    dialect: Option<Backend>,
) -> Result<&'static dyn Session> {
    let backend = match dialect {
        Some(b) => b,
        None => config.database_url()?.backend,
    };
    Ok(backend::for_backend(backend))
}

/// Gets the database out of a revision step that stopped half-way (it ran
/// without a transaction: MySQL, `--transaction per-statement`): resume it, revert
/// what ran, or mark it done. Returns what was done, in words.
pub fn repair(config: &Config, action: runner::Repair) -> Result<String> {
    let map = RevisionMap::of(&config.migrations)?;
    let mut conn = connect(config)?;
    runner::repair(
        &mut conn,
        &config.migrations,
        &map,
        version_table(config),
        action,
        config.run,
    )
}

/// The revision step that stopped half-way on this database, if one did.
pub fn unfinished(config: &Config) -> Result<Option<crate::versions::Unfinished>> {
    let mut conn = connect(config)?;
    version_table(config).unfinished(&mut conn)
}

/// What `current` shows, read over one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// The revisions the database is at (empty: base).
    pub revisions: Vec<String>,
    /// A revision step that stopped half-way, if one did.
    pub unfinished: Option<crate::Unfinished>,
    /// At base: the history tables of other migration tools the database has
    /// (a database to take over).
    pub other_tools: Vec<crate::versions::OtherTool>,
}

/// The revisions the database is at and the step that stopped half-way, if any.
pub fn current_state(config: &Config) -> Result<Current> {
    let Opened {
        mut conn, current, ..
    } = open(config)?;
    let other_tools = if current.is_empty() {
        crate::versions::other_tools(&mut conn)?
    } else {
        Vec::new()
    };
    Ok(Current {
        revisions: current,
        unfinished: version_table(config).unfinished(&mut conn)?,
        other_tools,
    })
}

/// The revisions the database is at (empty: base).
pub fn current(config: &Config) -> Result<Vec<String>> {
    Ok(open(config)?.current)
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
