//! Retort's command line: the clap command tree every migrations binary shares,
//! printing, progress bars, fleet summaries, `init`, and the exit codes.
//!
//! A project's migrations binary (what `retort init` writes) is three lines:
//!
//! ```no_run
//! static PROJECT: retort::Project = retort::project!("../migrations-cli/Retort.toml");
//!
//! fn main() -> std::process::ExitCode {
//!     retort_cli::main_project(&PROJECT)
//! }
//! ```
//!
//! or, for one versions folder without a `Retort.toml`:
//!
//! ```no_run
//! static MIGRATIONS: retort::Migrations = retort::revisions!("../migrations-cli/versions/main");
//!
//! fn main() -> std::process::ExitCode {
//!     retort_cli::main(retort_cli::engine::Config::new(MIGRATIONS).default_url("sqlite://app.db"))
//! }
//! ```
//!
//! Exit codes: 0 success, 1 failure (or `check`/`drift` found differences), 2 bad
//! usage.

mod error;
mod init;
mod json;
pub mod tool;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use retort::{Backend, Project};
use retort_engine::command::fleet::{self, FleetCommand};
use retort_engine::command::{self, HistoryEntry, HistoryOptions, RevisionOptions};
use retort_engine::{Config, TransactionMode, Unfinished};

pub use error::{CliError, Result};
pub use init::{init as init_crate, this_retort, InitOptions, InitReport, RetortSource};
/// The engine, for a migrations crate's own tests (`retort_cli::engine::testing`)
/// and tools that call the commands directly.
pub use retort_engine as engine;
/// The checks for a project's own `cargo test` (`engine::testing`).
pub use retort_engine::testing;

use CliError as Error;

/// Alembic's commands for a Rust project.
#[derive(Debug, Parser)]
#[command(version, about = "Database migrations for the models of this program", long_about = None)]
pub struct Cli {
    /// Database URL (sqlite://file.db, postgres://user@host/db, mysql://user@host/db);
    /// overrides DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// Output: `text` (default), `json` (one object per database per line, shape
    /// `retort/1`: current, heads, branches, history, show, status, check, drift,
    /// lint, upgrade, downgrade), or `github` (lint and check --safety findings as
    /// GitHub annotations on the revision files).
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Log every SQL statement (same as RUST_LOG=retort::sql=info).
    #[arg(long, global = true)]
    pub echo: bool,
    /// Leave these tables alone in autogenerate, check and drift (repeatable;
    /// `*` matches any run of characters).
    #[arg(long, global = true, value_name = "TABLE")]
    pub exclude: Vec<String>,
    /// Leave these columns alone too: `table.column`, or `column` in any table
    /// (repeatable; `*` patterns); indexes and keys over them go with them.
    #[arg(long, global = true, value_name = "TABLE.COLUMN")]
    pub exclude_column: Vec<String>,
    /// Leave these indexes and constraints alone, by name (repeatable; `*` patterns).
    #[arg(long, global = true, value_name = "NAME")]
    pub exclude_object: Vec<String>,
    /// PostgreSQL schema to work in (default: the server's search_path).
    #[arg(long, global = true, value_name = "SCHEMA")]
    pub schema: Option<String>,
    /// Read this PostgreSQL schema's tables too in autogenerate, check, drift and
    /// import, besides those the models name (repeatable; `include_schemas`).
    #[arg(long, global = true, value_name = "SCHEMA")]
    pub include_schema: Vec<String>,
    /// Seconds to wait for another migration run on the same database (default 60).
    #[arg(long, global = true, value_name = "SECONDS")]
    pub lock_timeout: Option<u64>,
    /// How long a revision's statement waits for a table's lock before the step
    /// is retried (`500ms`, `2s`; PostgreSQL lock_timeout, MySQL
    /// lock_wait_timeout; a revision's own wins).
    #[arg(long, global = true, value_name = "DURATION", value_parser = retort_engine::parse_duration)]
    pub ddl_lock_timeout: Option<Duration>,
    /// How long one statement may run (`30s`, `5m`; PostgreSQL statement_timeout,
    /// MariaDB max_statement_time; a revision's own wins).
    #[arg(long, global = true, value_name = "DURATION", value_parser = retort_engine::parse_duration)]
    pub statement_timeout: Option<Duration>,
    /// How many times a step that ran out of its lock timeout is tried again
    /// (default 3, waiting 0.2 s, 0.4 s, 0.8 s…).
    #[arg(long, global = true, value_name = "N")]
    pub ddl_lock_retries: Option<u32>,
    /// One transaction per revision (default), one for the whole run
    /// (PostgreSQL, SQLite), or none around a revision (PostgreSQL, MySQL).
    #[arg(long, global = true, value_name = "MODE", value_parser = transaction_mode())]
    pub transaction: Option<TransactionMode>,
    /// Act on this database of Retort.toml only (default: every one, in order).
    #[arg(long, global = true, value_name = "NAME")]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Running one command on many databases (`--urls-file`).
#[derive(Debug, Clone, clap::Args)]
pub struct FleetArgs {
    /// Run on every database listed in FILE (one URL per line, `#` comments,
    /// SQLite globs such as sqlite:///srv/tenants/*.db).
    #[arg(long, value_name = "FILE")]
    pub urls_file: Option<std::path::PathBuf>,
    /// With --urls-file: databases worked on at once.
    #[arg(long, default_value_t = 4, requires = "urls_file")]
    pub jobs: usize,
    /// With --urls-file: start no new database after the first failure.
    #[arg(long, requires = "urls_file")]
    pub fail_fast: bool,
}

impl Command {
    /// The `--urls-file` of a fleet command, if given.
    pub(crate) fn fleet_file(&self) -> Option<&std::path::Path> {
        match self {
            Command::Upgrade { fleet, .. }
            | Command::Current { fleet, .. }
            | Command::Check { fleet, .. } => fleet.urls_file.as_deref(),
            _ => None,
        }
    }
}

/// What `diagram` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagramFormat {
    /// A Mermaid `erDiagram` (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// SVG, laid out by Graphviz's `dot`.
    Svg,
}

/// What the command line prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// JSON Lines, one object per database (see README, "Machine-readable output").
    Json,
    /// Lint findings as GitHub Actions annotations (`::error file=…,line=…::…`).
    Github,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Add a migrations crate for a workspace crate's models (Cargo.toml, src/main.rs,
    /// Retort.toml, versions/).
    Init {
        /// The new crate's folder (default: ./migrations).
        #[arg(default_value = "migrations")]
        dir: std::path::PathBuf,
        /// The workspace crate whose models the migrations are for.
        #[arg(long, value_name = "NAME")]
        models_crate: String,
        /// Take retort from the registry at this version (default: a path to the
        /// retort this program was built from).
        #[arg(long, value_name = "VERSION")]
        retort_version: Option<String>,
    },
    /// Apply revisions up to TARGET (head, heads, label@head, an id or unique prefix, +N, REV+N).
    Upgrade {
        /// Where to go; with --sql also FROM:TO.
        target: String,
        /// Print the SQL instead of running it (no connection).
        #[arg(long)]
        sql: bool,
        /// Dialect of the --sql output (default: the URL's).
        #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend)]
        dialect: Option<Backend>,
        /// Many databases.
        #[command(flatten)]
        fleet: FleetArgs,
    },
    /// Revert revisions down to TARGET (base, label@base, an id or unique prefix, -N, REV-N).
    Downgrade {
        /// Where to go; with --sql, FROM:TO.
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Print the SQL instead of running it (no connection).
        #[arg(long)]
        sql: bool,
        /// Dialect of the --sql output (default: the URL's).
        #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend)]
        dialect: Option<Backend>,
    },
    /// Show the revision(s) the database is at.
    Current {
        /// Show each revision's message and file.
        #[arg(short, long)]
        verbose: bool,
        /// Many databases.
        #[command(flatten)]
        fleet: FleetArgs,
    },
    /// List revisions, newest first, marking heads, branch and merge points.
    History {
        /// Only FROM:TO (ids, base, heads, current; either end may be empty).
        #[arg(
            short = 'r',
            long = "rev-range",
            value_name = "FROM:TO",
            allow_hyphen_values = true
        )]
        range: Option<String>,
        /// Show each revision in full.
        #[arg(short, long)]
        verbose: bool,
        /// Connect and mark the revisions the database is at.
        #[arg(short, long)]
        indicate_current: bool,
        /// Draw the revision graph as `git log --graph` does (with -i: `*`
        /// applied, `o` not yet).
        #[arg(long)]
        graph: bool,
    },
    /// Show the head revisions.
    Heads {
        /// Show each head in full.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Show the branch points.
    Branches {
        /// Show each branch point in full.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Show one revision (an id, prefix, head, label@head).
    Show {
        /// The revision.
        revision: String,
        /// The database whose locks to describe (default: the URL's).
        #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend)]
        dialect: Option<Backend>,
    },
    /// Check revisions for changes that lock a busy table, rewrite it, lose data
    /// or break the running code (squawk's rules and MySQL's): the revisions the
    /// database has not applied, or with --offline those after --from. Exit 1 on
    /// a finding no revision acknowledged (`op.acknowledge(rule, reason)`).
    Lint {
        /// No database: lint the history after --from (default: all of it).
        #[arg(long)]
        offline: bool,
        /// With --offline: lint the revisions after this one.
        #[arg(long, requires = "offline", value_name = "REV")]
        from: Option<String>,
        /// With --offline: the database to lint for (default: the URL's).
        #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend, requires = "offline")]
        dialect: Option<Backend>,
        /// With --offline: the server's version (e.g. 16, 8.0.36, 10.11-mariadb;
        /// default: a current release).
        #[arg(long, value_name = "VERSION", requires = "offline")]
        server_version: Option<String>,
    },
    /// List every revision, applied or pending, and the ones changed since applied.
    Status,
    /// Take over a database Retort did not build: write its models (Rust source),
    /// a baseline revision that creates its schema, and stamp the database at it.
    Import {
        /// The file the models go to (it must not exist yet).
        #[arg(long, value_name = "FILE", default_value = "src/models.rs")]
        out: std::path::PathBuf,
        /// Only write the models: no baseline revision, no stamp (for a project
        /// that has its history already).
        #[arg(long)]
        no_baseline: bool,
        /// The baseline revision's message.
        #[arg(short, long, default_value = "baseline")]
        message: String,
    },
    /// Exit 1 and list the changes when the models differ from the database at head.
    Check {
        /// Also fail (exit 1) when a revision not yet applied to the database
        /// drops or narrows something (for CI, before deploying it); the database
        /// need not be at head then.
        #[arg(long)]
        strict: bool,
        /// Also lint the revisions not yet applied (as `lint` does) and fail on
        /// what no revision acknowledged.
        #[arg(long)]
        safety: bool,
        /// Many databases.
        #[command(flatten)]
        fleet: FleetArgs,
    },
    /// Exit 1 and list what the database has that its revision history does not
    /// say (changes made by hand).
    Drift,
    /// Test the revision history on a throwaway database: one head, the models
    /// linked, every revision up, down and up again with the schema compared,
    /// head matching the models, nothing left at base. Exit 1 naming what failed.
    Test {
        /// Make the throwaway database on this PostgreSQL or MySQL server (any URL
        /// of it); default: an SQLite file in the temporary folder. The database
        /// of --url / DATABASE_URL is never touched.
        #[arg(long, value_name = "URL")]
        on: Option<String>,
    },
    /// Draw the models (or with --live the database) as an entity-relationship
    /// diagram: Mermaid (default), Graphviz DOT, or SVG (needs Graphviz's `dot`).
    Diagram {
        /// The picture's format.
        #[arg(value_enum, default_value_t = DiagramFormat::Mermaid)]
        kind: DiagramFormat,
        /// Draw the live database instead of the models.
        #[arg(long)]
        live: bool,
        /// Write it to FILE instead of the standard output.
        #[arg(short, long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// Get out of a revision that stopped half-way without a transaction (MySQL,
    /// --transaction per-statement): resume it, revert what ran, or mark it done.
    #[command(group(clap::ArgGroup::new("way").required(true).args(["resume", "revert", "done"])))]
    Repair {
        /// Run the rest of the revision, from the statement that failed (fix its
        /// cause first).
        #[arg(long)]
        resume: bool,
        /// Undo the statements that ran (the reverse of their operations).
        #[arg(long)]
        revert: bool,
        /// Mark the revision done, after finishing it by hand.
        #[arg(long)]
        done: bool,
    },
    /// Set the version table without running any revision.
    Stamp {
        /// Revisions (ids, head, heads, label@head, base).
        #[arg(required = true)]
        revisions: Vec<String>,
        /// Forget every row first (also for a database at an unknown revision).
        #[arg(long)]
        purge: bool,
    },
    /// Write a revision that merges several heads (or `heads`: all of them).
    Merge {
        /// The revisions to merge.
        #[arg(required = true)]
        revisions: Vec<String>,
        /// The revision's message.
        #[arg(short, long)]
        message: String,
        /// Use this id instead of a random one.
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
    },
    /// Write one revision equivalent to a line of revisions (FROM:TO, both
    /// included), declaring the ones it replaces: databases before the range run
    /// it, databases inside the range go on with the originals; once every
    /// database is past it, delete the originals.
    Squash {
        /// The range: FROM:TO (ids, prefixes; base:TO from the first revision,
        /// FROM:head up to the head).
        range: String,
        /// The revision's message.
        #[arg(short, long)]
        message: String,
        /// Use this id instead of a random one.
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
        /// Compare as this database stores things (default: the URL's).
        #[arg(long, value_name = "DATABASE", value_parser = parse_backend)]
        dialect: Option<Backend>,
        /// Write the file into this folder instead of the versions folder.
        #[arg(long, value_name = "DIR")]
        version_path: Option<std::path::PathBuf>,
    },
    /// Write a new revision file (empty, or with --autogenerate the model changes).
    Revision {
        /// The revision's message.
        #[arg(short, long)]
        message: String,
        /// Compare the models with the database and write the difference.
        #[arg(long)]
        autogenerate: bool,
        /// Where the revision goes.
        #[command(flatten)]
        new: NewRevision,
    },
    /// Same as `revision --autogenerate`.
    Autogenerate {
        /// The revision's message.
        #[arg(short, long)]
        message: String,
        /// Where the revision goes.
        #[command(flatten)]
        new: NewRevision,
    },
}

/// Where a new revision goes.
#[derive(Debug, Clone, clap::Args)]
pub struct NewRevision {
    /// Use this id instead of a random one.
    #[arg(long, value_name = "ID")]
    rev_id: Option<String>,
    /// Build on this revision (a head, label@head, or any revision to branch from).
    #[arg(long, value_name = "REV")]
    head: Option<String>,
    /// Label the branch the revision starts (repeatable).
    #[arg(long, value_name = "LABEL")]
    branch_label: Vec<String>,
    /// A revision of another branch this one needs (repeatable).
    #[arg(long, value_name = "REV")]
    depends_on: Vec<String>,
    /// Autogenerate against the replayed history instead of a database.
    #[arg(long)]
    offline: bool,
    /// With --offline: the dialect whose types to compare in (default: the URL's).
    #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend, requires = "offline")]
    dialect: Option<Backend>,
    /// Write the file into DIR instead of the versions folder (Alembic's
    /// --version-path); the program compiles in only its versions folder.
    #[arg(long, value_name = "DIR")]
    version_path: Option<std::path::PathBuf>,
    /// With autogenerate: unique constraints, foreign keys and indexes the models
    /// leave unnamed, found in the database under other names (the server's,
    /// another tool's), are dropped and created again under the models' names.
    #[arg(long)]
    rename_constraints: bool,
    /// With autogenerate: write the online variants of blocking changes (indexes
    /// built concurrently, constraints NOT VALID then validated, SET NOT NULL
    /// through a check…), split into several revisions where needed (as
    /// `safety = "online"` in Retort.toml).
    #[arg(long)]
    online: bool,
    /// Write a typed snapshot of tables as the revision leaves them into the
    /// file, for its data migration (`op.rows::<snapshot::Users>()`): the tables
    /// named (comma-separated), or without names those the revision changes.
    #[arg(long, value_name = "TABLES", num_args = 0..=1, require_equals = false, value_delimiter = ',')]
    with_snapshot: Option<Vec<String>>,
}

impl NewRevision {
    fn options(self) -> RevisionOptions {
        RevisionOptions {
            rev_id: self.rev_id,
            head: self.head,
            branch_labels: self.branch_label,
            depends_on: self.depends_on,
            offline: self.offline,
            dialect: self.dialect,
            version_path: self.version_path,
            rename_constraints: self.rename_constraints,
            online: self.online,
            with_snapshot: self.with_snapshot,
        }
    }
}

/// Parses the command line, runs the command on `config`, and exits with its
/// code: the CLI of a program with one database.
pub fn main(config: Config) -> ExitCode {
    finish(parse().and_then(|cli| run(cli, vec![config])))
}

/// The CLI of a program with a `Retort.toml` (`retort::project!()`): commands act
/// on every database in order, or on `--database NAME`.
pub fn main_project(project: &Project) -> ExitCode {
    finish(parse().and_then(|cli| {
        if matches!(cli.command, Command::Init { .. }) {
            return run(cli, Vec::new());
        }
        let configs = retort_engine::project::configs(project)?;
        run(cli, configs)
    }))
}

fn parse() -> Result<Cli> {
    parse_done(Cli::parse())
}

/// Sets up what a parsed command line asks for: logging, and `.env`.
pub(crate) fn parse_done(cli: Cli) -> Result<Cli> {
    init_logging(cli.echo);
    // DATABASE_URL and the like may come from a .env file; the real environment wins.
    let _ = dotenvy::dotenv();
    Ok(cli)
}

pub(crate) fn finish(result: Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{}: {e}", paint("error", "1;31"));
            ExitCode::from(e.exit_code())
        }
    }
}

/// Runs a parsed command line on `configs` (one per database): each in turn,
/// labelled when there are several. The exit code is the worst one.
pub fn run(cli: Cli, configs: Vec<Config>) -> Result<ExitCode> {
    if let Command::Init {
        dir,
        models_crate,
        retort_version,
    } = &cli.command
    {
        return init(dir, models_crate, retort_version.as_deref());
    }
    let mut selected: Vec<Config> = match &cli.database {
        Some(name) => {
            let names: Vec<String> = configs.iter().map(|c| c.database.clone()).collect();
            let one = configs
                .into_iter()
                .find(|c| &c.database == name)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--database {name}: no database is called `{name}`; the databases are: {}",
                        names.join(", ")
                    ))
                })?;
            vec![one]
        }
        None => configs,
    };
    let several = selected.len() > 1;
    let ambiguous = if cli.url.is_some() {
        Some("which one --url is for")
    } else if cli.command.fleet_file().is_some() {
        Some("which one the --urls-file fleet runs")
    } else {
        None
    };
    if let (true, Some(what)) = (several, ambiguous) {
        let names: Vec<&str> = selected.iter().map(|c| c.database.as_str()).collect();
        return Err(Error::Usage(format!(
            "there are {} databases ({}): say {what} with --database NAME",
            names.len(),
            names.join(", ")
        )));
    }
    if cli.format == Format::Json && !json::supported(&cli.command) {
        return Err(Error::Usage(format!(
            "--format json is not available for `{}`; it is for current, heads, branches, history, show, status, check, drift, lint, upgrade and downgrade",
            json::command_name(&cli.command)
        )));
    }
    let mut worst = 0u8;
    for config in &mut selected {
        apply_options(&cli, config);
        if cli.format == Format::Json {
            let (line, code) = json::line(&cli.command, config);
            let _ = writeln!(std::io::stdout(), "{line}");
            worst = worst.max(if code == ExitCode::SUCCESS { 0 } else { 1 });
            continue;
        }
        if several {
            let _ = writeln!(std::io::stdout(), "== {} ==", config.database);
        }
        let code = match run_one(cli.command.clone(), config, cli.format) {
            Ok(code) => code,
            // One database's failure does not hide the others' state.
            Err(e) if several => {
                let _ = std::io::stdout().flush();
                let _ = writeln!(
                    std::io::stderr(),
                    "{}: database `{}`: {e}",
                    paint("error", "1;31"),
                    config.database
                );
                ExitCode::from(1)
            }
            Err(e) => return Err(e),
        };
        worst = worst.max(if code == ExitCode::SUCCESS { 0 } else { 1 });
    }
    Ok(ExitCode::from(worst))
}

fn init(
    dir: &std::path::Path,
    models_crate: &str,
    retort_version: Option<&str>,
) -> Result<ExitCode> {
    let options = InitOptions {
        dir: dir.to_path_buf(),
        models_crate: models_crate.to_owned(),
        retort: match retort_version {
            Some(v) => RetortSource::Version(v.to_owned()),
            None => this_retort(),
        },
    };
    let report = init::init(&options)?;
    let mut out = std::io::stdout().lock();
    for file in &report.created {
        let _ = writeln!(out, "Created {}", file.display());
    }
    if let Some(workspace) = &report.workspace {
        let _ = writeln!(
            out,
            "Added {} to the members of {}",
            report.package,
            workspace.display()
        );
    }
    if report.release_profile {
        let _ = writeln!(
            out,
            "Set [profile.release.package.{}] opt-level = 0 in the workspace Cargo.toml (revisions build fast; dependencies stay optimized)",
            report.package
        );
    }
    if !report.macro_profiles.is_empty() {
        let _ = writeln!(
            out,
            "Set [profile.dev.package.<name>] opt-level = 3 for {} in the workspace Cargo.toml (the derive expands models faster; proc macros rebuild once)",
            report.macro_profiles.join(", ")
        );
    }
    let _ = writeln!(out, "\nNext:");
    for step in &report.next {
        let _ = writeln!(out, "  {step}");
    }
    Ok(ExitCode::SUCCESS)
}

fn apply_options(cli: &Cli, config: &mut Config) {
    if let Some(url) = &cli.url {
        config.url = Some(url.clone());
    }
    config.echo = cli.echo;
    config.exclude_tables.extend(cli.exclude.iter().cloned());
    config
        .exclude_columns
        .extend(cli.exclude_column.iter().cloned());
    config
        .exclude_objects
        .extend(cli.exclude_object.iter().cloned());
    if cli.schema.is_some() {
        config.schema = cli.schema.clone();
    }
    for schema in &cli.include_schema {
        if !config.include_schemas.contains(schema) {
            config.include_schemas.push(schema.clone());
        }
    }
    if let Some(seconds) = cli.lock_timeout {
        config.run.lock_timeout = Duration::from_secs(seconds);
    }
    if let Some(mode) = cli.transaction {
        config.run.transactions = mode;
    }
    if let Some(timeout) = cli.ddl_lock_timeout {
        config.run.ddl_lock_timeout = Some(timeout);
    }
    if let Some(timeout) = cli.statement_timeout {
        config.run.statement_timeout = Some(timeout);
    }
    if let Some(retries) = cli.ddl_lock_retries {
        config.run.ddl_lock_retries = retries;
    }
}

/// `--urls-file`: the command on every listed database, then a summary.
fn run_fleet(
    config: &Config,
    fleet: &FleetArgs,
    command: FleetCommand<'_>,
) -> Result<Option<ExitCode>> {
    let Some(file) = &fleet.urls_file else {
        return Ok(None);
    };
    use std::io::IsTerminal;
    let urls = fleet::read_urls_file(file)?;
    if std::env::var_os("RUST_LOG").is_none() && !config.echo {
        // Per-revision lines from many databases at once would bury the summary.
        log::set_max_level(log::LevelFilter::Warn);
    }
    let options = fleet::FleetOptions {
        jobs: fleet.jobs,
        fail_fast: fleet.fail_fast,
    };
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(urls.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} databases {msg}")
    {
        bar.set_style(style);
    }
    let results = fleet::run_reporting(config, &urls, command, options, |_| bar.inc(1));
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    let width = results.iter().map(|r| r.url.len()).max().unwrap_or(0);
    for r in &results {
        let (status, detail) = match &r.outcome {
            Some(Ok(detail)) => (paint_out("ok", "32"), detail.clone()),
            Some(Err(e)) => (
                paint_out("failed", "1;31"),
                e.split_whitespace().collect::<Vec<_>>().join(" "),
            ),
            None => (
                "skipped".to_owned(),
                "not started after a failure (--fail-fast)".to_owned(),
            ),
        };
        let _ = writeln!(
            out,
            "{status:<7} {:<width$}  {} -> {}  {:>7.2?}  {detail}",
            r.url, r.from, r.to, r.duration
        );
    }
    let failed = results.iter().filter(|r| !r.ok()).count();
    let _ = writeln!(
        out,
        "{} database(s): {} ok, {failed} not",
        results.len(),
        results.len() - failed
    );
    Ok(Some(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }))
}

/// Runs one command on one database.
fn run_one(command: Command, config: &Config, format: Format) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Init { .. } => unreachable!("handled before any database"),
        Command::Upgrade {
            target,
            sql: true,
            dialect,
            ..
        } => {
            let _ = out.write_all(command::upgrade_sql(config, &target, dialect)?.as_bytes());
        }
        Command::Downgrade {
            target,
            sql: true,
            dialect,
        } => {
            let _ = out.write_all(command::downgrade_sql(config, &target, dialect)?.as_bytes());
        }
        Command::Upgrade { target, fleet, .. } => {
            if let Some(code) = run_fleet(config, &fleet, FleetCommand::Upgrade(&target))? {
                return Ok(code);
            }
            let steps = command::upgrade(config, &target)?;
            report_steps(&mut out, config, &steps, "applied")?;
        }
        Command::Downgrade { target, .. } => {
            let steps = command::downgrade(config, &target)?;
            report_steps(&mut out, config, &steps, "reverted")?;
        }
        Command::Current { verbose, fleet } => {
            if let Some(code) = run_fleet(config, &fleet, FleetCommand::Current)? {
                return Ok(code);
            }
            let state = command::current_state(config)?;
            let current = state.revisions;
            if current.is_empty() && verbose {
                let _ = writeln!(out, "base (no revision applied)");
            }
            for id in current {
                let entry = command::show(config, &id)?;
                if verbose {
                    print_entry(&mut out, &entry, true);
                } else if entry.id != id {
                    // The version table names the last revision a squash replaced.
                    let _ = writeln!(
                        out,
                        "{}{} (the version table names {id}, the last revision it squashes)",
                        entry.id,
                        entry.marks()
                    );
                } else {
                    let _ = writeln!(out, "{id}{}", entry.marks());
                }
            }
            print_unfinished(&mut out, state.unfinished.as_ref());
            for other in &state.other_tools {
                let at = if other.at.is_empty() {
                    String::new()
                } else {
                    format!(", at {}", other.at.join(", "))
                };
                eprintln!(
                    "note: this database carries `{}` ({}'s history{at}) and no Retort revision: \
                     to take it over, `import` writes its models and a baseline and stamps it, \
                     or write the models yourself, `autogenerate --offline -m baseline`, \
                     `stamp head`, then `check` (README: \"Switching from another tool\")",
                    other.table, other.tool
                );
            }
        }
        Command::History {
            range,
            verbose,
            indicate_current,
            graph,
        } => {
            let options = HistoryOptions {
                range,
                indicate_current,
            };
            let entries = command::history(config, &options)?;
            if graph {
                let applied: Option<std::collections::HashSet<String>> = if indicate_current {
                    Some(
                        command::status(config)?
                            .entries
                            .into_iter()
                            .filter(|e| e.applied)
                            .map(|e| e.id)
                            .collect(),
                    )
                } else {
                    None
                };
                for line in command::graph_lines(&entries, applied.as_ref()) {
                    let _ = writeln!(out, "{line}");
                }
            } else {
                for e in entries {
                    print_entry(&mut out, &e, verbose);
                }
            }
        }
        Command::Heads { verbose } => {
            for e in command::heads(config)? {
                if verbose {
                    print_entry(&mut out, &e, true);
                } else {
                    let _ = writeln!(out, "{}{}{}", e.id, labels(&e), e.marks());
                }
            }
        }
        Command::Branches { verbose } => {
            for e in command::branches(config)? {
                if verbose {
                    print_entry(&mut out, &e, true);
                } else {
                    let _ = writeln!(out, "{}{}{}, {}", e.id, labels(&e), e.marks(), e.message);
                    for child in &e.children {
                        let child = command::show(config, child)?;
                        let _ = writeln!(
                            out,
                            "  -> {}{}{}, {}",
                            child.id,
                            labels(&child),
                            child.marks(),
                            child.message
                        );
                    }
                }
            }
        }
        Command::Show { revision, dialect } => {
            let entry = command::show(config, &revision)?;
            print_entry(&mut out, &entry, true);
            let ops = command::revision_ops(config, &entry.id, dialect)?;
            let database = dialect
                .or_else(|| config.database_url().ok().map(|u| u.backend))
                .map(|b| format!(" (locks on {})", backend_name(b)))
                .unwrap_or_default();
            let _ = writeln!(out, "    Upgrade{database}:");
            if ops.is_empty() {
                let _ = writeln!(out, "      nothing");
            }
            for op in &ops {
                let _ = writeln!(out, "      - {}", op.summary);
                if let Some(safety) = &op.safety {
                    let _ = writeln!(out, "          {safety}");
                }
            }
        }
        Command::Lint {
            offline,
            from,
            dialect,
            server_version,
        } => {
            let options = command::LintOptions {
                offline,
                from,
                dialect,
                server: server_version,
            };
            let report = command::lint(config, &options)?;
            return Ok(if format == Format::Github {
                annotate_lint(&mut out, &report)
            } else {
                print_lint(&mut out, &report)
            });
        }
        Command::Status => {
            let status = command::status(config)?;
            let _ = writeln!(
                out,
                "Database at: {}",
                retort_engine::graph::describe(&status.current)
            );
            print_unfinished(&mut out, status.unfinished.as_ref());
            for e in &status.entries {
                let mark = if e.applied { "applied" } else { "pending" };
                let at = e
                    .applied_at
                    .as_deref()
                    .filter(|_| e.applied)
                    .map(|a| format!(" on {a}"))
                    .unwrap_or_default();
                let edited = if e.edited {
                    format!(
                        "  {}: the file changed since it was applied",
                        paint_out("warning", "1;33")
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(out, "  [{mark}] {}, {}{at}{edited}", e.id, e.message);
            }
        }
        Command::Import {
            out: models_file,
            no_baseline,
            message,
        } => {
            let options = command::ImportOptions {
                models_file,
                baseline: !no_baseline,
                message,
            };
            let report = command::import(config, &options)?;
            print_import(&mut out, &report);
        }
        Command::Check {
            fleet,
            strict,
            safety,
        } => {
            if let Some(code) = run_fleet(config, &fleet, FleetCommand::Check)? {
                return Ok(code);
            }
            let losses = if strict {
                command::pending_losses(config)?
            } else {
                Vec::new()
            };
            for loss in &losses {
                let _ = writeln!(out, "{}: {loss}", paint_out("destructive", "1;31"));
            }
            let mut failed = !losses.is_empty();
            if safety {
                let report = command::lint(config, &command::LintOptions::default())?;
                let code = if format == Format::Github {
                    annotate_lint(&mut out, &report)
                } else {
                    print_lint(&mut out, &report)
                };
                failed |= code != ExitCode::SUCCESS;
            }
            return match command::check(config) {
                // Not at head: with --strict or --safety the pending revisions
                // were what to check.
                Err(retort_engine::Error::NotUpToDate { current, head }) if strict || safety => {
                    let verdict = match (failed, safety) {
                        (true, false) => "the pending revisions above lose data",
                        (true, true) => "the pending revisions above have findings",
                        (false, false) => "no pending revision loses data",
                        (false, true) => "the pending revisions pass",
                    };
                    let _ = writeln!(
                        out,
                        "The database is at {current}, the head is {head}: {verdict}."
                    );
                    Ok(ExitCode::from(u8::from(failed)))
                }
                other => Ok(report_check(&mut out, &other?, failed)),
            };
        }
        Command::Test { on } => {
            if std::env::var_os("RUST_LOG").is_none() && !config.echo {
                // The checks' own upgrades and downgrades would bury the verdicts.
                log::set_max_level(log::LevelFilter::Warn);
            }
            let kit = retort_engine::testing::TestKit::for_database(
                config.migrations,
                &config.database,
                on.as_deref(),
            )
            .map_err(Error::Usage)?;
            let place = match &on {
                None => "a throwaway SQLite file".to_owned(),
                Some(_) => format!(
                    "a throwaway database on the {} server",
                    kit.config()
                        .database_url()
                        .map(|u| u.backend.name())
                        .unwrap_or("given")
                ),
            };
            let _ = writeln!(out, "Testing the revisions on {place}:");
            let mut failed = 0;
            for (name, result) in kit.run_each() {
                match result {
                    Ok(()) => {
                        let _ = writeln!(out, "  {} {name}", paint_out("ok", "32"));
                    }
                    Err(e) => {
                        failed += 1;
                        let _ = writeln!(out, "  {} {name}: {e}", paint_out("FAILED", "1;31"));
                    }
                }
            }
            return Ok(ExitCode::from(u8::from(failed > 0)));
        }
        Command::Diagram {
            kind,
            live,
            out: file,
        } => {
            let schema = command::diagram_schema(config, live)?;
            let bytes = match kind {
                DiagramFormat::Mermaid => retort_engine::diagram::mermaid(&schema).into_bytes(),
                DiagramFormat::Dot => retort_engine::diagram::dot(&schema).into_bytes(),
                DiagramFormat::Svg => retort_engine::diagram::svg(&retort_engine::diagram::dot(
                    &schema,
                ))
                .map_err(|source| Error::Io {
                    path: "dot".into(),
                    source,
                })?,
            };
            match file {
                Some(path) => {
                    std::fs::write(&path, &bytes).map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                    let _ = writeln!(
                        out,
                        "Writing {} ({} tables) ... done",
                        path.display(),
                        schema.tables.len()
                    );
                }
                None => {
                    let _ = out.write_all(&bytes);
                }
            }
        }
        Command::Drift => {
            let changes = command::drift(config)?;
            for note in &changes.notes {
                let _ = writeln!(out, "note: {note}");
            }
            if changes.is_empty() {
                let _ = writeln!(out, "No drift: the database matches its revision history.");
            } else {
                let _ = writeln!(
                    out,
                    "The database differs from what its revision history built ({} change(s) would bring it back):",
                    changes.ops.len()
                );
                print_changes(&mut out, &changes, "  - ");
                return Ok(ExitCode::from(1));
            }
        }
        Command::Repair { resume, revert, .. } => {
            let action = if resume {
                retort_engine::Repair::Resume
            } else if revert {
                retort_engine::Repair::Revert
            } else {
                retort_engine::Repair::Done
            };
            let done = command::repair(config, action)?;
            let _ = writeln!(out, "Repaired: {done}.");
        }
        Command::Stamp { revisions, purge } => {
            let (before, after) = command::stamp(config, &revisions, purge)?;
            let _ = writeln!(
                out,
                "Stamped: {} -> {}",
                retort_engine::graph::describe(&before),
                retort_engine::graph::describe(&after)
            );
        }
        Command::Merge {
            revisions,
            message,
            rev_id,
        } => {
            let generated = command::merge(config, &message, &revisions, rev_id)?;
            let _ = writeln!(out, "Generating {} ... done", generated.path.display());
        }
        Command::Squash {
            range,
            message,
            rev_id,
            dialect,
            version_path,
        } => {
            let squashed = command::squash(
                config,
                &range,
                &message,
                &command::SquashOptions {
                    rev_id,
                    dialect,
                    version_path,
                },
            )?;
            let _ = writeln!(
                out,
                "Squashing {} revision(s): {}",
                squashed.replaces.len(),
                squashed.replaces.join(", ")
            );
            print_changes(&mut out, &squashed.revision.changes, "  ");
            for data in &squashed.carried {
                let _ = writeln!(out, "  carried over: {data}");
            }
            let _ = writeln!(
                out,
                "Generating {} ... done",
                squashed.revision.path.display()
            );
            let _ = writeln!(
                out,
                "Databases below the range run {}; databases inside it go on with the replaced revisions. Once every database is past {}, delete their files.",
                squashed.revision.id,
                squashed.replaces.last().map_or("", String::as_str)
            );
        }
        Command::Revision {
            message,
            autogenerate: true,
            new,
        }
        | Command::Autogenerate { message, new } => {
            match command::autogenerate(config, &message, &new.options())? {
                None => {
                    let _ = writeln!(out, "No changes detected");
                }
                Some(generated) => {
                    for revision in std::iter::once(&generated).chain(&generated.then) {
                        for note in &revision.changes.notes {
                            let _ = writeln!(out, "note: {note}");
                        }
                        print_changes(&mut out, &revision.changes, "Detected ");
                        let _ = writeln!(out, "Generating {} ... done", revision.path.display());
                    }
                }
            }
        }
        Command::Revision { message, new, .. } => {
            let generated = command::revision(config, &message, &new.options())?;
            let _ = writeln!(out, "Generating {} ... done", generated.path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `import` wrote, what it left out, and what comes next.
fn print_import(out: &mut impl Write, report: &command::ImportReport) {
    let models = &report.models;
    let _ = writeln!(
        out,
        "Writing {} ({} model{}) ... done",
        report.models_file.display(),
        models.models,
        if models.models == 1 { "" } else { "s" }
    );
    for note in &models.approximations {
        let _ = writeln!(out, "{}: {note}", paint_out("approximated", "1;33"));
    }
    for what in &models.unsupported {
        let _ = writeln!(out, "{}: {what}", paint_out("not imported", "1;33"));
    }
    if !models.features.is_empty() || !models.crates.is_empty() {
        let list = |items: Vec<&str>| items.join(", ");
        let _ = writeln!(
            out,
            "The models need retort's features [{}] and the crates [{}] in Cargo.toml",
            list(models.features.iter().copied().collect()),
            list(models.crates.iter().copied().collect())
        );
    }
    for tool in &report.other_tools {
        let _ = writeln!(
            out,
            "{}'s history table `{}` is left as it is and out of every comparison; drop it once no deployment runs {} any more",
            tool.tool, tool.table, tool.tool
        );
    }
    match &report.baseline {
        Some(revision) => {
            let _ = writeln!(
                out,
                "Generating {} ... done\nStamped the database at {} (the baseline); build the program with the models, then `check` should find nothing",
                revision.path.display(),
                revision.id
            );
        }
        None => {
            let _ = writeln!(out, "No baseline written (--no-baseline)");
        }
    }
}

/// A revision step that stopped half-way, under `current` and `status`.
fn print_unfinished(out: &mut impl Write, unfinished: Option<&Unfinished>) {
    if let Some(u) = unfinished {
        let _ = writeln!(
            out,
            "{}: the {} of {} stopped half-way after {} statement(s){}; `repair --resume`, `--revert` or `--done`",
            paint_out("unfinished", "1;31"),
            u.direction,
            u.revision,
            u.statements,
            u.failure
                .as_deref()
                .map(|f| format!(" ({})", f.lines().next().unwrap_or_default()))
                .unwrap_or_default()
        );
    }
}

/// `check`'s report: edited revisions, then the changes the models want; exit 1
/// when anything is wrong (`failed` already).
fn report_check(
    out: &mut impl Write,
    changes: &retort_engine::autogenerate::Changes,
    failed: bool,
) -> ExitCode {
    for edited in &changes.edited {
        let _ = writeln!(out, "{}: {edited}", paint_out("warning", "1;33"));
    }
    if changes.is_empty() {
        let _ = writeln!(out, "No new upgrade operations detected.");
    } else {
        let _ = writeln!(
            out,
            "New upgrade operations detected ({}):",
            changes.ops.len()
        );
        print_changes(out, changes, "  - ");
        let _ = writeln!(
            out,
            "Run `autogenerate -m \"...\"` to write a revision for them."
        );
    }
    ExitCode::from(u8::from(
        failed || !changes.is_empty() || !changes.edited.is_empty(),
    ))
}

/// `lint`'s report: each finding with where it was written, the lock, the
/// problem and the fix; acknowledged ones with their reason. Exit 1 when one is
/// not acknowledged.
fn print_lint(out: &mut impl Write, report: &command::LintReport) -> ExitCode {
    let database = match (report.server.version, report.server.mariadb) {
        (Some((a, b, c)), mariadb) => format!(
            "{} {a}.{b}.{c}",
            if mariadb {
                "MariaDB"
            } else {
                backend_name(report.backend)
            }
        ),
        (None, _) => format!("{} (a current release)", backend_name(report.backend)),
    };
    let mut acknowledged = 0;
    for revision in &report.revisions {
        for finding in &revision.findings {
            let rule = finding.rule.map_or("acknowledge", |r| r.name());
            let at = finding
                .at
                .as_deref()
                .map(relative_to_cwd)
                .unwrap_or_else(|| revision.file.clone());
            if let Some(reason) = &finding.acknowledged {
                acknowledged += 1;
                let _ = writeln!(
                    out,
                    "{at}: {} [{rule}] revision {}: {} (acknowledged: {reason})",
                    paint_out("ok", "1;32"),
                    revision.id,
                    finding.op
                );
                continue;
            }
            let _ = writeln!(
                out,
                "{at}: {} [{rule}] revision {}: {}",
                paint_out("error", "1;31"),
                revision.id,
                finding.op
            );
            if !finding.safety.is_empty() {
                let rows = finding
                    .rows
                    .map(|n| format!(" (the table holds ~{n} rows)"))
                    .unwrap_or_default();
                let _ = writeln!(out, "    lock: {}{rows}", finding.safety);
            }
            let _ = writeln!(out, "    problem: {}", finding.problem);
            let _ = writeln!(out, "    fix: {}", finding.fix);
        }
    }
    let failing = report.failing();
    let _ = writeln!(
        out,
        "Linted {} revision(s) for {database}: {failing} finding(s), {acknowledged} acknowledged.",
        report.revisions.len()
    );
    if failing > 0 {
        let _ = writeln!(
            out,
            "Acknowledge one on purpose with op.acknowledge(\"<rule>\", \"<why>\") before the op, or leave a rule out with lint_exclude in Retort.toml."
        );
    }
    ExitCode::from(u8::from(failing > 0))
}

/// `--format github`: each finding as a GitHub Actions annotation on the revision
/// file's line (`::error` when it fails the lint, `::notice` when acknowledged).
/// Exit 1 when one is not acknowledged.
fn annotate_lint(out: &mut impl Write, report: &command::LintReport) -> ExitCode {
    // Annotation values escape `%`, CR and LF; properties also `:` and `,`.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    for revision in &report.revisions {
        for finding in &revision.findings {
            let rule = finding.rule.map_or("acknowledge", |r| r.name());
            let (file, line) = match finding.at.as_deref().and_then(|at| at.rsplit_once(':')) {
                Some((file, line)) => (relative_to_cwd(file), line.to_owned()),
                None => (revision.file.clone(), "1".to_owned()),
            };
            let (level, message) = match &finding.acknowledged {
                Some(reason) => ("notice", format!("{} (acknowledged: {reason})", finding.op)),
                None if finding.safety.is_empty() => (
                    "error",
                    format!("{}: {}. Fix: {}", finding.op, finding.problem, finding.fix),
                ),
                None => (
                    "error",
                    format!(
                        "{}: {}. Lock: {}. Fix: {}",
                        finding.op, finding.problem, finding.safety, finding.fix
                    ),
                ),
            };
            let _ = writeln!(
                out,
                "::{level} file={},line={line},title={}::{}",
                property(&file),
                property(&format!("{rule} (revision {})", revision.id)),
                data(&message)
            );
        }
    }
    ExitCode::from(u8::from(report.failing() > 0))
}

/// A path under the current folder without it (as compilers print them).
fn relative_to_cwd(path: &str) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            std::path::Path::new(path)
                .strip_prefix(cwd)
                .ok()
                .map(|p| p.display().to_string())
        })
        .unwrap_or_else(|| path.to_owned())
}

use retort_engine::safety::backend_name;

/// `{prefix}add column …`, each op's warnings under it, then the suggestions.
fn print_changes(
    out: &mut impl Write,
    changes: &retort_engine::autogenerate::Changes,
    prefix: &str,
) {
    for (i, op) in changes.ops.iter().enumerate() {
        let _ = writeln!(out, "{prefix}{}", op.summary());
        for (_, warning) in changes.warnings.iter().filter(|(at, _)| *at == i) {
            let _ = writeln!(out, "    {}: {warning}", paint_out("warning", "1;33"));
        }
    }
    for suggestion in &changes.suggestions {
        let _ = writeln!(out, "  {}: {suggestion}", paint_out("hint", "1;36"));
    }
}

fn parse_backend(name: &str) -> std::result::Result<Backend, String> {
    Backend::parse(name)
        .ok_or_else(|| format!("unknown dialect `{name}`; expected sqlite, postgres or mysql"))
}

/// `--transaction`: one of the modes, listed in `--help` and in the error.
fn transaction_mode() -> impl clap::builder::TypedValueParser<Value = TransactionMode> {
    let names: Vec<&'static str> = TransactionMode::ALL.iter().map(|m| m.as_str()).collect();
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).try_map(|s| s.parse::<TransactionMode>())
}

/// `N revisions applied; the database is at X.`: where the last step left it
/// (read under the run lock), or where it is when nothing ran.
fn report_steps(
    out: &mut impl Write,
    config: &Config,
    reports: &[retort_engine::StepReport],
    verb: &str,
) -> Result<()> {
    let steps = reports.len();
    let at = match reports.last() {
        Some(last) => last.to.clone(),
        None => retort_engine::graph::describe(&command::current(config)?),
    };
    if steps == 0 {
        let _ = writeln!(out, "Nothing to do: the database is at {at}.");
    } else {
        let plural = if steps == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "{steps} revision{plural} {verb}; the database is at {at}."
        );
    }
    Ok(())
}

fn labels(e: &HistoryEntry) -> String {
    if e.branch_labels.is_empty() {
        String::new()
    } else {
        format!(" ({})", e.branch_labels.join(", "))
    }
}

/// `parents -> id (marks), message`, or the full form.
fn print_entry(out: &mut impl Write, e: &HistoryEntry, verbose: bool) {
    let parents = if e.parents.is_empty() {
        "<base>".to_owned()
    } else {
        e.parents.join(", ")
    };
    if !verbose {
        let _ = writeln!(
            out,
            "{parents} -> {}{}{}{}, {}",
            e.id,
            labels(e),
            e.marks(),
            if e.replaces.is_empty() {
                String::new()
            } else {
                format!(" (squash of {})", e.replaces.join(", "))
            },
            e.message
        );
        return;
    }
    let _ = writeln!(out, "Rev: {}{}", e.id, e.marks());
    let _ = writeln!(out, "Parent: {parents}");
    if e.is_branch_point {
        let _ = writeln!(out, "Branches into: {}", e.children.join(", "));
    }
    if !e.branch_labels.is_empty() {
        let _ = writeln!(out, "Branch names: {}", e.branch_labels.join(", "));
    }
    if !e.depends_on.is_empty() {
        let _ = writeln!(out, "Depends on: {}", e.depends_on.join(", "));
    }
    if !e.replaces.is_empty() {
        let _ = writeln!(out, "Replaces: {}", e.replaces.join(", "));
    }
    let _ = writeln!(out, "Path: {}\n", e.file);
    for line in e.message.lines() {
        let _ = writeln!(out, "    {line}");
    }
    let _ = writeln!(out);
}

/// Whether a stream gets ANSI colours: a terminal, and `NO_COLOR` unset.
fn use_color(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Colours `text` for stderr.
fn paint(text: &str, code: &str) -> String {
    use std::io::IsTerminal;
    paint_if(use_color(std::io::stderr().is_terminal()), text, code)
}

/// Colours `text` for stdout.
fn paint_out(text: &str, code: &str) -> String {
    use std::io::IsTerminal;
    paint_if(use_color(std::io::stdout().is_terminal()), text, code)
}

fn paint_if(color: bool, text: &str, code: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// `INFO  [retort::runner] Running upgrade …` on stderr, as Alembic prints; SQL too
/// with `--echo`. `RUST_LOG` overrides both.
fn init_logging(echo: bool) {
    let default = if echo {
        "retort=info"
    } else {
        "retort=info,retort::sql=warn"
    };
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default));
    builder.format(|buf, record| {
        let level = record.level();
        let label = format!("{level:<5}");
        let label = match level {
            log::Level::Error => paint(&label, "31"),
            log::Level::Warn => paint(&label, "33"),
            _ => label,
        };
        writeln!(buf, "{label} [{}] {}", record.target(), record.args())
    });
    builder.write_style(env_logger::WriteStyle::Never);
    let _ = builder.try_init();
}
