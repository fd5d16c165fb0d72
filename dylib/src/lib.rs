//! Retort as one shared library, for the edit loop of a migrations crate.
//!
//! A migrations binary links Retort's engine, its command line and diesel: in
//! a dev build, linking them into the executable is most of what a model edit
//! or a new revision costs before the command runs (~0.9 s of a ~2 s rebuild
//! at 100 tables on a 2-core machine; BENCHMARKS.md). Built as this `dylib`
//! once, the rebuild links a binary of a megabyte against it instead.
//!
//! A migrations crate made by `retort init` has it behind its
//! `dynamic-linking` feature, which the installed `retort` command turns on
//! (it runs `cargo run`, a dev build):
//!
//! ```toml
//! [features]
//! dynamic-linking = ["dep:retort-dylib"]
//!
//! [dependencies]
//! retort-dylib = { version = "0.1", default-features = false, optional = true }
//! ```
//!
//! and names it in `src/main.rs`, so the binary links it:
//!
//! ```ignore
//! #[cfg(feature = "dynamic-linking")]
//! use retort_dylib as _;
//! ```
//!
//! Nothing else changes: the crate's code keeps using `retort` and
//! `retort_cli`, which rustc then takes from this library. Leave the feature
//! off for a binary you ship: it needs `libretort_dylib` and Rust's
//! `libstd` as shared objects at run time; `cargo run` puts both on the
//! library path, a copied executable does not find them.

#![warn(missing_docs)]

pub use retort;
pub use retort_cli;
pub use retort_engine;
