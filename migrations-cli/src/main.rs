//! `cargo run -p migrations-cli -- <command>`: Retort's CLI for the shop example,
//! with two databases (Retort.toml): `main` (migrations-cli/shop.db) and
//! `analytics` (migrations-cli/analytics.db), SQLite by default; `--url` (with
//! `--database NAME`), `DATABASE_URL` and `ANALYTICS_DATABASE_URL` name others.

use std::process::ExitCode;

// With the `dynamic-linking` feature (dev builds), Retort is linked as a shared
// library instead of into this binary: naming the crate links it.
#[cfg(feature = "dynamic-linking")]
use retort_dylib as _;

// The databases of Retort.toml, each with its revision files compiled in (a
// module per file: a new revision compiles alone).
retort::project!(static PROJECT);

fn main() -> ExitCode {
    // The models register themselves when their crate is linked: name it.
    retort::link!(shop);
    retort_cli::main_project(&PROJECT)
}
