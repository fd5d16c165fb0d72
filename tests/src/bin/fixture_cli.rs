//! The shared CLI over one of the test fixtures, for tests that need real
//! processes (concurrent runners, a killed run, exit codes):
//! `RETORT_FIXTURE=linear fixture_cli --url … upgrade head`. New revision files go
//! to `RETORT_VERSIONS_DIR` when set.

use std::process::ExitCode;

fn main() -> ExitCode {
    let name = std::env::var("RETORT_FIXTURE").unwrap_or_default();
    let Some(migrations) = retort_tests::fixture(&name) else {
        eprintln!("error: RETORT_FIXTURE must name a fixture (linear, branches, labelled, slow, …), not `{name}`");
        return ExitCode::from(2);
    };
    let mut config = retort_engine::Config::new(migrations);
    if let Ok(dir) = std::env::var("RETORT_VERSIONS_DIR") {
        config.versions_dir = dir.into();
    }
    retort_cli::main(config)
}
