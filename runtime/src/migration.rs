//! What revision files are compiled into, and the prelude they import.

use std::fmt;

use crate::error::BoxError;
use crate::operations::Operations;
use crate::revision::Revision;

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

impl Migration {
    /// Its `upgrade` or its `downgrade`.
    pub fn step(&self, direction: Direction) -> StepFn {
        match direction {
            Direction::Upgrade => self.upgrade,
            Direction::Downgrade => self.downgrade,
        }
    }
}

/// Which way a revision runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Its `upgrade`: towards the heads.
    Upgrade,
    /// Its `downgrade`: towards base.
    Downgrade,
}

impl Direction {
    /// `upgrade` or `downgrade`, as messages and the applied-revisions log say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }

    /// Whether this is [`Direction::Upgrade`].
    pub fn is_up(self) -> bool {
        self == Direction::Upgrade
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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

    /// The compiled revision with this id.
    pub fn get(&self, id: &str) -> Option<&'static Migration> {
        self.revisions.iter().find(|m| m.revision.id == id)
    }
}

/// `use retort::migration::prelude::*;` at the top of every revision file.
pub mod prelude {
    pub use crate::operations::{BatchOps, Operations};
    pub use crate::ops::{AlterColumn, AlterEnum};
    pub use crate::revision::Revision;
    pub use crate::row;
    pub use crate::schema::{
        Check, Column, Constraint, ConstraintKind, Deferrable, FkAction, ForeignKey, Identity,
        Index, IndexKey, ServerDefault, SqlType, Table, Unique, Value,
    };
    pub use std::time::Duration;

    /// What `upgrade` and `downgrade` return: `?` works on Retort's errors, diesel's,
    /// and any other error type.
    pub type Result<T = (), E = crate::error::BoxError> = std::result::Result<T, E>;
}
