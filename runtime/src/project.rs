//! What `retort::project!()` compiles in from a migrations crate's `Retort.toml`:
//! the file's path and each database's revisions. The engine reads the file again
//! when the program runs, for URLs and settings (`retort_engine::project`).

use std::path::Path;

use crate::migration::Migrations;

/// A migrations crate's databases, as `retort::project!()` compiles them in.
#[derive(Debug, Clone, Copy)]
pub struct Project {
    /// Absolute path of `Retort.toml`, as it was at compile time.
    pub config_file: &'static str,
    /// `(name, revisions)` of each database, in the file's order.
    pub databases: &'static [(&'static str, Migrations)],
}

impl Project {
    /// The folder of `Retort.toml`: relative paths in the file start here.
    pub fn dir(&self) -> &Path {
        Path::new(self.config_file)
            .parent()
            .unwrap_or(Path::new("."))
    }

    /// The revisions of the database called `name`.
    pub fn migrations(&self, name: &str) -> Option<Migrations> {
        self.databases
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m)
    }
}
