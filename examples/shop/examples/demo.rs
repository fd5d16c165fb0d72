//! `cargo run -p shop --example demo [URL]`: brings a database to head with the shop's revisions,
//! then runs the diesel queries of [`shop::demo`] on it and prints what they read.
//! Without a URL, a fresh SQLite file in a temporary folder.

use std::process::ExitCode;

static MIGRATIONS: retort::Migrations = retort::revisions!("../../migrations-cli/versions/main");

use retort_engine::{command, Config};

fn main() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("retort-shop-demo-{}", std::process::id()));
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}/shop.db", dir.display()));
    if url.starts_with("sqlite://") {
        let _ = std::fs::create_dir_all(&dir);
    }
    let config = Config::new(MIGRATIONS).url(&url);
    let result = command::upgrade(&config, "head")
        .and_then(|_| command::connect(&config))
        .map_err(|e| e.to_string())
        .and_then(|mut conn| shop::demo(&mut conn).map_err(|e| e.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(report) => {
            println!("orders (user, product, quantity):");
            for (user, product, quantity) in &report.orders {
                println!("  {user:<6} {product:<4} {quantity}");
            }
            println!("tea in stock after the sale: {:?}", report.tea_stock);
            for (id, status) in &report.statuses {
                println!("order {id}: {status:?}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
