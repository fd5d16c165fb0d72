//! `cargo run -p migrations-cli -- <command>`: Retort's CLI for the shop example.
//! The default database is `migrations-cli/shop.db` (SQLite); `--url` or
//! `DATABASE_URL` name another.

use std::process::ExitCode;

/// Every revision file in `versions/`, compiled in.
static MIGRATIONS: retort::Migrations = retort::revisions!("versions");

fn main() -> ExitCode {
    shop::link();
    let default_url = concat!("sqlite://", env!("CARGO_MANIFEST_DIR"), "/shop.db");
    retort::cli::main(retort::Config::new(MIGRATIONS).default_url(default_url))
}
