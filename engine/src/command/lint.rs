//! `lint`: the safety rules on revisions not yet applied (online) or on a range
//! of the history (offline), and `show`'s list of a revision's ops with what
//! each locks.

use retort::Backend;

use super::{offline_session, open, Opened};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::graph::RevisionMap;
use crate::runner::{pending_ops, recorded_upgrade, replayed_below};
use crate::safety::{self, Finding, Rule, Safety, Server};

/// What `lint` reads.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// No database: the revisions after `from` (default: all of them), for the
    /// database `dialect` (default: the configured URL's).
    pub offline: bool,
    /// Offline, the revision after which to start (`base`: the whole history).
    pub from: Option<String>,
    /// Offline, the database to classify for.
    pub dialect: Option<Backend>,
    /// The server's version, offline (`15`, `8.0.36`, `10.11-mariadb`); online it
    /// is read from the server.
    pub server: Option<String>,
}

/// One revision's findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintedRevision {
    /// The revision's id.
    pub id: String,
    /// Its file in the versions folder.
    pub file: String,
    /// What its ops break, acknowledged or not.
    pub findings: Vec<Finding>,
}

/// What `lint` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintReport {
    /// The database the ops were classified for.
    pub backend: Backend,
    /// Its server, as far as known.
    pub server: Server,
    /// The revisions linted, oldest first.
    pub revisions: Vec<LintedRevision>,
    /// Rules left out by `lint_exclude`.
    pub excluded: Vec<Rule>,
}

impl LintReport {
    /// Findings no revision acknowledged: what makes `lint` fail.
    pub fn failing(&self) -> usize {
        self.revisions
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.acknowledged.is_none())
            .count()
    }
}

/// Lints the revisions the database has not applied (online), or those after
/// `options.from` (offline), against every rule but the config's `lint_exclude`.
pub fn lint(config: &Config, options: &LintOptions) -> Result<LintReport> {
    let mut sizes = std::collections::BTreeMap::new();
    let (map, dialect, server, current) = if options.offline {
        let map = RevisionMap::of(&config.migrations)?;
        let dialect = offline_session(config, options.dialect)?.dialect();
        let from = match options.from.as_deref() {
            None | Some("base") => Vec::new(),
            Some(spec) => map.resolve_stamp(&[spec.to_owned()])?,
        };
        let server = options
            .server
            .as_deref()
            .map(Server::parse)
            .unwrap_or_default();
        (map, dialect, server, from)
    } else {
        let Opened {
            map,
            mut conn,
            current,
        } = open(config)?;
        let server = Server::read(&mut conn)?;
        sizes = safety::table_sizes(&mut conn)?;
        let dialect = crate::backend::of(&conn).dialect();
        (map, dialect, server, current)
    };
    let backend = dialect.backend();
    let mut revisions = Vec::new();
    for (node, recorded) in pending_ops(&config.migrations, &map, dialect, &current)? {
        let revision = node.migration(&config.migrations).map(|m| m.revision);
        let lock_timeout = revision
            .and_then(|r| r.ddl_lock_timeout)
            .or(config.run.ddl_lock_timeout)
            .is_some_and(|t| !t.is_zero());
        revisions.push(LintedRevision {
            id: node.id.clone(),
            file: node.file.clone(),
            findings: safety::lint(
                &recorded,
                backend,
                &server,
                &config.lint_exclude,
                lock_timeout,
            )
            .into_iter()
            .map(|mut f| {
                f.rows = f.table.as_ref().and_then(|t| sizes.get(t)).copied();
                f
            })
            .collect(),
        });
    }
    Ok(LintReport {
        backend,
        server,
        revisions,
        excluded: config.lint_exclude.clone(),
    })
}

/// One op of a revision as `show` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownOp {
    /// What it does.
    pub summary: String,
    /// What it locks on the database, when there is something to say.
    pub safety: Option<Safety>,
}

/// The ops of revision `id`'s upgrade, replayed in memory on the history below
/// it, each with what it locks on `dialect` (default: the configured URL's
/// database). Ops after a read of the live database are not known offline.
pub fn revision_ops(config: &Config, id: &str, dialect: Option<Backend>) -> Result<Vec<ShownOp>> {
    let map = RevisionMap::of(&config.migrations)?;
    let dialect = offline_session(config, dialect)?.dialect();
    let node = map
        .get(id)
        .ok_or_else(|| Error::Revision(crate::graph::RevisionError::Unknown(id.to_owned())))?;
    let mut state = replayed_below(&config.migrations, &map, dialect, &node.parents)?;
    let recorded = recorded_upgrade(&config.migrations, node, dialect, &mut state)?;
    let mut created = safety::NewTables::default();
    Ok(recorded
        .into_iter()
        .map(|r| {
            let new_table = created.holds(&r.op);
            created.follow(&r.op);
            let safety = safety::classify(&r.op, dialect.backend(), &Server::default(), new_table);
            ShownOp {
                summary: r.op.summary(),
                safety: safety.is_notable().then_some(safety),
            }
        })
        .collect())
}
