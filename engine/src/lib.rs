//! Retort's migration engine: everything between the models (`retort`) and the
//! command line (`retort-cli`).
//!
//! Data flows one way:
//!
//! ```text
//! #[derive(Model)] ─► retort::model (registry) ─► Schema (target)
//! live database ──► introspect (through backend::Session) ─► Schema (current)
//! revision history ─► runner::replay (executor, in memory) ─► Schema (history)
//! compare(current, target) ─► Vec<Op> ─► render ─► versions/<id>_<slug>.rs
//! revision file ─► upgrade(&mut Operations) ─► executor ─► dialect SQL ─► connection or script
//! runner (lock, steps, version table) ─► command (typed results) ─► retort-cli
//! ```
//!
//! - [`command`]: what the CLI runs, as functions returning typed results
//!   (`command::upgrade(&config, "head")`);
//! - [`dialect`]: the SQL of each op per database (`backend/`, private: everything
//!   else that differs — session set-up, step wrapping, run lock, catalog, error
//!   classes);
//! - [`testing`]: checks for a project's own `cargo test`.

#![warn(missing_docs)]

pub mod autogenerate;
mod backend;
pub mod command;
mod compare;
mod config;
pub mod diagram;
pub mod dialect;
mod error;
mod executor;
pub mod graph;
pub mod import;
pub mod introspect;
pub mod project;
mod raw_sql;
mod render;
mod runner;
pub mod safety;
pub mod testing;
mod versions;

pub use backend::connect;
pub use config::{parse_duration, Config, RunOptions, TransactionMode};
pub use error::{Error, Kept, Result, Stopped};
pub use graph::{RevisionError, RevisionMap};
pub use runner::{Repair, StepReport};
pub use versions::{other_tools, LogEntry, OtherTool, Unfinished, VersionTable, OTHER_TOOLS};
