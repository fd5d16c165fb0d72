//! `retort`: the command a developer installs (`cargo install --path cli`).
//!
//! - `retort init [DIR] --models-crate NAME` adds a migrations crate to the
//!   workspace of the current folder.
//! - Any other command runs in the project's migrations crate: the one whose
//!   `Retort.toml` is in the current folder or a workspace member (`--crate NAME`
//!   picks one of several). It is built and run with `cargo run` and the backend
//!   feature of its database URL (`--url`, the database's `url_env`, `.env`, or
//!   `Retort.toml`), so `retort upgrade head` on a PostgreSQL project needs no
//!   `--features postgres`; and with the crate's `dynamic-linking` feature when
//!   it has one (Retort linked as a shared library: a model edit relinks a small
//!   binary).

use std::process::ExitCode;

fn main() -> ExitCode {
    retort_cli::tool::main(std::env::args_os().skip(1).collect())
}
