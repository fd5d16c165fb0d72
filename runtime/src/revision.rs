//! What a revision file declares about itself. The graph these declarations form
//! (heads, branches, paths, targets) is the engine's (`retort_engine::graph`).
//!
//! A revision has parents (`down_revisions`: none for a base, several for a
//! merge), optional branch labels, and optional `depends_on`: revisions of other
//! branches that must be applied first without being parents.

/// What a revision file declares about itself:
/// `pub const REVISION: Revision = Revision::new("id", &["parent"], "message");`,
/// optionally `.branch_labels(&["feature"])` and `.depends_on(&["other_id"])`.
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
        }
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
