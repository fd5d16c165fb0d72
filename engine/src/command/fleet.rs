//! Fleets: one schema, many databases (tenants, shards). The same revisions are
//! applied to every database of a URLs file, a bounded number at a time, each
//! under its own migration lock; a failure stops only its database unless asked.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use retort::connection::mask_password;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::graph::describe;

/// How a fleet run goes.
#[derive(Debug, Clone, Copy)]
pub struct FleetOptions {
    /// Databases worked on at once.
    pub jobs: usize,
    /// Stop starting new databases after the first failure.
    pub fail_fast: bool,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            jobs: 4,
            fail_fast: false,
        }
    }
}

/// What happened to one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetResult {
    /// The URL, password masked.
    pub url: String,
    /// Where it was before (`base`, ids).
    pub from: String,
    /// Where it is after.
    pub to: String,
    /// How long it took.
    pub duration: Duration,
    /// `Ok(detail)` or `Err(the error)`; `None`: not started (`fail_fast`).
    pub outcome: Option<std::result::Result<String, String>>,
}

impl FleetResult {
    /// Whether it succeeded.
    pub fn ok(&self) -> bool {
        matches!(self.outcome, Some(Ok(_)))
    }
}

/// The URLs of a fleet file: one per line, `#` comments and blank lines ignored;
/// an SQLite URL may be a glob (`sqlite:///srv/tenants/*.db`), expanded in name
/// order.
pub fn read_urls_file(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut urls = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix("sqlite://") {
            Some(pattern) if pattern.contains(['*', '?', '[']) => {
                let mut matched: Vec<String> = glob::glob(pattern)
                    .map_err(|e| Error::ConfigFile {
                        path: path.to_path_buf(),
                        reason: format!("line {}: {e}", n + 1),
                    })?
                    .filter_map(|p| p.ok())
                    .map(|p| format!("sqlite://{}", p.display()))
                    .collect();
                matched.sort();
                if matched.is_empty() {
                    log::warn!(
                        "{}: line {}: `{line}` matches no file",
                        path.display(),
                        n + 1
                    );
                }
                urls.extend(matched);
            }
            _ => urls.push(line.to_owned()),
        }
    }
    Ok(urls)
}

/// What to do on each database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetCommand<'a> {
    /// `upgrade TARGET`.
    Upgrade(&'a str),
    /// `current`.
    Current,
    /// `check`.
    Check,
}

/// Runs `command` on every URL with `config`'s revisions and settings, `jobs` at a
/// time. The results come back in the URLs' order.
pub fn run(
    config: &Config,
    urls: &[String],
    command: FleetCommand<'_>,
    options: FleetOptions,
) -> Vec<FleetResult> {
    run_reporting(config, urls, command, options, |_| {})
}

/// [`run`], calling `on_done` as each database finishes (from the worker
/// threads): for a progress display.
pub fn run_reporting(
    config: &Config,
    urls: &[String],
    command: FleetCommand<'_>,
    options: FleetOptions,
    on_done: impl Fn(&FleetResult) + Sync,
) -> Vec<FleetResult> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<FleetResult>>> = Mutex::new(vec![None; urls.len()]);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1).min(urls.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(url) = urls.get(i) else { break };
                let result = if stop.load(Ordering::SeqCst) {
                    FleetResult {
                        url: mask_password(url),
                        from: String::new(),
                        to: String::new(),
                        duration: Duration::ZERO,
                        outcome: None,
                    }
                } else {
                    one(config, url, command)
                };
                if options.fail_fast && matches!(result.outcome, Some(Err(_))) {
                    stop.store(true, Ordering::SeqCst);
                }
                on_done(&result);
                results.lock().expect("no worker panics while holding it")[i] = Some(result);
            });
        }
    });
    results
        .into_inner()
        .expect("workers are done")
        .into_iter()
        .map(|r| r.expect("every URL was taken"))
        .collect()
}

fn one(config: &Config, url: &str, command: FleetCommand<'_>) -> FleetResult {
    let config = config.clone().url(url);
    let started = Instant::now();
    let before = super::current(&config).map(|c| describe(&c));
    let outcome = match (&before, command) {
        (Err(e), _) => Err(e.to_string()),
        (Ok(_), FleetCommand::Upgrade(target)) => super::upgrade(&config, target)
            .map(|steps| match steps.len() {
                0 => "already there".to_owned(),
                n => format!("{n} revision(s) applied"),
            })
            .map_err(|e| e.to_string()),
        (Ok(_), FleetCommand::Current) => Ok(String::new()),
        (Ok(_), FleetCommand::Check) => match super::check(&config) {
            Ok(changes) if changes.is_empty() && changes.edited.is_empty() => {
                Ok("models and database agree".to_owned())
            }
            Ok(changes) => {
                let mut problems: Vec<String> = changes.ops.iter().map(|o| o.summary()).collect();
                problems.extend(changes.edited);
                Err(format!("differs: {}", problems.join("; ")))
            }
            Err(e) => Err(e.to_string()),
        },
    };
    // Read again after an upgrade: steps another runner did meanwhile are not in
    // the report, and a failed step may have moved the database (MySQL).
    let after = match (command, &before) {
        (FleetCommand::Upgrade(_), Ok(_)) => Some(
            super::current(&config)
                .map(|c| describe(&c))
                .unwrap_or_else(|_| "?".to_owned()),
        ),
        _ => None,
    };
    let from = before.unwrap_or_else(|_| "?".to_owned());
    FleetResult {
        url: mask_password(url),
        to: after.unwrap_or_else(|| from.clone()),
        from,
        duration: started.elapsed(),
        outcome: Some(outcome),
    }
}
