//! What revision files are compiled into, and the prelude they import.

use crate::error::BoxError;
use crate::operations::Operations;
use crate::revision::{Node, Revision, RevisionError, RevisionMap};

/// The signature of a revision's `upgrade` and `downgrade`.
pub type StepFn = fn(&mut Operations<'_>) -> Result<(), BoxError>;

/// One compiled revision file.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The file's `REVISION`.
    pub revision: Revision,
    /// The file's `upgrade`.
    pub upgrade: StepFn,
    /// The file's `downgrade`.
    pub downgrade: StepFn,
    /// File name inside the versions folder.
    pub file: &'static str,
    /// FNV-1a hash of the file's text, computed when it was compiled: the
    /// applied-revisions log keeps it, so an edited file is noticed.
    pub checksum: &'static str,
}

/// Every revision file of a versions folder, compiled in by
/// [`retort::revisions!`](crate::revisions).
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    /// Absolute path of the versions folder, as it was at compile time.
    pub versions_dir: &'static str,
    /// The compiled revisions, sorted by file name.
    pub revisions: &'static [Migration],
}

impl Migrations {
    /// No revisions (a program that only inspects).
    pub const EMPTY: Migrations = Migrations {
        versions_dir: "",
        revisions: &[],
    };

    /// The revision graph, validated.
    pub fn map(&self) -> Result<RevisionMap, RevisionError> {
        let strings = |items: &[&str]| items.iter().map(|p| (*p).to_owned()).collect();
        RevisionMap::new(self.revisions.iter().map(|m| Node {
            id: m.revision.id.to_owned(),
            parents: strings(m.revision.down_revisions),
            depends_on: strings(m.revision.depends_on),
            branch_labels: strings(m.revision.branch_labels),
            message: m.revision.message.to_owned(),
            file: m.file.to_owned(),
        }))
    }

    /// The compiled revision with this id.
    pub fn get(&self, id: &str) -> Option<&'static Migration> {
        self.revisions.iter().find(|m| m.revision.id == id)
    }
}

/// `use retort::migration::prelude::*;` at the top of every revision file.
pub mod prelude {
    pub use crate::operations::{BatchOps, Operations};
    pub use crate::ops::AlterColumn;
    pub use crate::revision::Revision;
    pub use crate::row;
    pub use crate::schema::{
        Check, Column, ConstraintKind, FkAction, ForeignKey, Index, ServerDefault, SqlType, Table,
        Unique, Value,
    };

    /// What `upgrade` and `downgrade` return: `?` works on Retort's errors, diesel's,
    /// and any other error type.
    pub type Result<T = (), E = crate::error::BoxError> = std::result::Result<T, E>;
}
