//! What a revision file declares about itself. The graph these declarations form
//! (heads, branches, paths, targets) is the engine's (`retort_engine::graph`).
//!
//! A revision has parents (`down_revisions`: none for a base, several for a
//! merge), optional branch labels, and optional `depends_on`: revisions of other
//! branches that must be applied first without being parents.

use std::time::Duration;

/// What a revision file declares about itself:
/// `pub const REVISION: Revision = Revision::new("id", &["parent"], "message");`,
/// optionally `.branch_labels(&["feature"])`, `.depends_on(&["other_id"])`, and
/// the timeouts its step runs with (`.ddl_lock_timeout(Duration::from_secs(2))`,
/// `.statement_timeout(..)`), which win over the project's and the run's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// Revision id (12 hex digits when generated).
    pub id: &'static str,
    /// Parent revisions (empty for a first revision; several for a merge).
    pub down_revisions: &'static [&'static str],
    /// The message given to `revision -m`.
    pub message: &'static str,
    /// Names for the branch this revision starts (`label@head`, `label@base`).
    pub branch_labels: &'static [&'static str],
    /// Revisions of other branches that must be applied before this one.
    pub depends_on: &'static [&'static str],
    /// How long each statement of the step waits for a table's lock before it
    /// fails (and the step is retried): PostgreSQL `lock_timeout`, MySQL
    /// `lock_wait_timeout`. `Duration::ZERO`: no limit. `None`: the run's.
    pub ddl_lock_timeout: Option<Duration>,
    /// How long one statement of the step may run: PostgreSQL
    /// `statement_timeout`, MariaDB `max_statement_time`. `Duration::ZERO`: no
    /// limit. `None`: the run's.
    pub statement_timeout: Option<Duration>,
    /// The revisions this one squashes (`squash FROM:TO`), oldest first: a
    /// database below them runs this revision instead, one inside them goes on
    /// with them, and once they are deleted this one stands alone (a database
    /// whose version table names the last of them is at this one).
    pub replaces: &'static [&'static str],
}

impl Revision {
    /// Declares a revision.
    pub const fn new(
        id: &'static str,
        down_revisions: &'static [&'static str],
        message: &'static str,
    ) -> Self {
        Revision {
            id,
            down_revisions,
            message,
            branch_labels: &[],
            depends_on: &[],
            ddl_lock_timeout: None,
            statement_timeout: None,
            replaces: &[],
        }
    }

    /// The lock timeout of this revision's step (see [`Revision::ddl_lock_timeout`]).
    pub const fn ddl_lock_timeout(mut self, timeout: Duration) -> Self {
        self.ddl_lock_timeout = Some(timeout);
        self
    }

    /// The statement timeout of this revision's step (a long backfill's own).
    pub const fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = Some(timeout);
        self
    }

    /// The revisions this one squashes, oldest first (see [`Revision::replaces`]).
    pub const fn replaces(mut self, revisions: &'static [&'static str]) -> Self {
        self.replaces = revisions;
        self
    }

    /// Labels the branch this revision starts.
    pub const fn branch_labels(mut self, labels: &'static [&'static str]) -> Self {
        self.branch_labels = labels;
        self
    }

    /// Revisions of other branches this one needs.
    pub const fn depends_on(mut self, revisions: &'static [&'static str]) -> Self {
        self.depends_on = revisions;
        self
    }
}
