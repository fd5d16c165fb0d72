//! The command-line interface every migrations binary shares:
//!
//! ```no_run
//! static MIGRATIONS: retort::Migrations = retort::revisions!("versions");
//!
//! fn main() {
//!     retort::cli::main(retort::Config::new(MIGRATIONS).default_url("sqlite://app.db"));
//! }
//! ```
//!
//! Exit codes: 0 success, 1 failure (or `check` found changes), 2 bad usage.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::command::{self, RevisionOptions};
use crate::config::{Backend, Config};
use crate::error::Result;

/// Alembic's commands for a Rust project.
#[derive(Debug, Parser)]
#[command(version, about = "Database migrations for the models of this program", long_about = None)]
pub struct Cli {
    /// Database URL (sqlite://file.db, postgres://user@host/db, mysql://user@host/db);
    /// overrides DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// Log every SQL statement (same as RUST_LOG=retort::sql=info).
    #[arg(long, global = true)]
    pub echo: bool,
    /// Leave these tables alone in autogenerate, check and drift (repeatable;
    /// `*` matches any run of characters).
    #[arg(long, global = true, value_name = "TABLE")]
    pub exclude: Vec<String>,
    /// PostgreSQL schema to work in (default: the server's search_path).
    #[arg(long, global = true, value_name = "SCHEMA")]
    pub schema: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply revisions up to TARGET (head, an id or unique prefix, +N).
    Upgrade {
        /// Where to go; with --sql also FROM:TO.
        target: String,
        /// Print the SQL instead of running it (no connection).
        #[arg(long)]
        sql: bool,
        /// Dialect of the --sql output (default: the URL's).
        #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend)]
        dialect: Option<Backend>,
    },
    /// Revert revisions down to TARGET (base, an id or unique prefix, -N).
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
    },
    /// List revisions, newest first.
    History {
        /// Show each revision's parents and file.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Show the head revision(s).
    Heads {
        /// Show each head's message and file.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Exit 1 and list the changes when the models differ from the database at head.
    Check,
    /// Exit 1 and list what the database has that its revision history does not
    /// say (changes made by hand).
    Drift,
    /// Write a new revision file (empty, or with --autogenerate the model changes).
    Revision {
        /// The revision's message.
        #[arg(short, long)]
        message: String,
        /// Compare the models with the database and write the difference.
        #[arg(long)]
        autogenerate: bool,
        /// Use this id instead of a random one.
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
        /// With --autogenerate: compare with the replayed history, no database.
        #[arg(long, requires = "autogenerate")]
        offline: bool,
        /// With --offline: the dialect whose types to compare in (default: the URL's).
        #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend, requires = "offline")]
        dialect: Option<Backend>,
    },
    /// Same as `revision --autogenerate`.
    Autogenerate {
        /// The revision's message.
        #[arg(short, long)]
        message: String,
        /// Use this id instead of a random one.
        #[arg(long, value_name = "ID")]
        rev_id: Option<String>,
        /// Compare the models with the schema the revision history builds,
        /// replayed in memory: no database needed.
        #[arg(long)]
        offline: bool,
        /// With --offline: the dialect whose types to compare in (default: the URL's).
        #[arg(long, value_name = "sqlite|postgres|mysql", value_parser = parse_backend, requires = "offline")]
        dialect: Option<Backend>,
    },
}

/// Parses the command line, runs the command, and exits with its code.
pub fn main(config: Config) -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.echo);
    match run(cli, config) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{}: {e}", paint("error", "1;31"));
            ExitCode::from(1)
        }
    }
}

/// Runs a parsed command line against `config`.
pub fn run(cli: Cli, mut config: Config) -> Result<ExitCode> {
    if let Some(url) = cli.url {
        config.url = Some(url);
    }
    config.echo = cli.echo;
    config.exclude_tables.extend(cli.exclude);
    if cli.schema.is_some() {
        config.schema = cli.schema;
    }
    let mut out = std::io::stdout().lock();
    let ok = ExitCode::SUCCESS;
    match cli.command {
        Command::Upgrade {
            target,
            sql: true,
            dialect,
        } => {
            let _ = out.write_all(command::upgrade_sql(&config, &target, dialect)?.as_bytes());
        }
        Command::Downgrade {
            target,
            sql: true,
            dialect,
        } => {
            let _ = out.write_all(command::downgrade_sql(&config, &target, dialect)?.as_bytes());
        }
        Command::Upgrade { target, .. } => {
            let steps = command::upgrade(&config, &target)?;
            report_steps(&mut out, &config, steps.len(), "applied")?;
        }
        Command::Downgrade { target, .. } => {
            let steps = command::downgrade(&config, &target)?;
            report_steps(&mut out, &config, steps.len(), "reverted")?;
        }
        Command::Current { verbose } => {
            let current = command::current(&config)?;
            let history = command::history(&config)?;
            if current.is_empty() && verbose {
                let _ = writeln!(out, "base (no revision applied)");
            }
            for id in current {
                let entry = history.iter().find(|e| e.id == id);
                let head = if entry.is_some_and(|e| e.is_head) {
                    " (head)"
                } else {
                    ""
                };
                match entry {
                    Some(e) if verbose => {
                        let _ = writeln!(out, "{id}{head}, {}\n  file: {}", e.message, e.file);
                    }
                    _ => {
                        let _ = writeln!(out, "{id}{head}");
                    }
                }
            }
        }
        Command::History { verbose } => {
            for e in command::history(&config)? {
                print_entry(&mut out, &e, verbose);
            }
        }
        Command::Heads { verbose } => {
            for e in command::heads(&config)? {
                if verbose {
                    print_entry(&mut out, &e, true);
                } else {
                    let _ = writeln!(out, "{} (head)", e.id);
                }
            }
        }
        Command::Check => {
            let changes = command::check(&config)?;
            if changes.is_empty() {
                let _ = writeln!(out, "No new upgrade operations detected.");
            } else {
                let _ = writeln!(
                    out,
                    "New upgrade operations detected ({}):",
                    changes.ops.len()
                );
                print_changes(&mut out, &changes, "  - ");
                let _ = writeln!(
                    out,
                    "Run `autogenerate -m \"...\"` to write a revision for them."
                );
                return Ok(ExitCode::from(1));
            }
        }
        Command::Drift => {
            let changes = command::drift(&config)?;
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
        Command::Revision {
            message,
            autogenerate: true,
            rev_id,
            offline,
            dialect,
        }
        | Command::Autogenerate {
            message,
            rev_id,
            offline,
            dialect,
        } => {
            let options = RevisionOptions {
                rev_id,
                offline,
                dialect,
            };
            match command::autogenerate(&config, &message, &options)? {
                None => {
                    let _ = writeln!(out, "No changes detected");
                }
                Some(generated) => {
                    for note in &generated.changes.notes {
                        let _ = writeln!(out, "note: {note}");
                    }
                    print_changes(&mut out, &generated.changes, "Detected ");
                    let _ = writeln!(out, "Generating {} ... done", generated.path.display());
                }
            }
        }
        Command::Revision {
            message, rev_id, ..
        } => {
            let options = RevisionOptions {
                rev_id,
                ..RevisionOptions::default()
            };
            let generated = command::revision(&config, &message, &options)?;
            let _ = writeln!(out, "Generating {} ... done", generated.path.display());
        }
    }
    Ok(ok)
}

/// `  - add column …`, each op's warnings under it, then the suggestions.
fn print_changes(out: &mut impl Write, changes: &crate::autogenerate::Changes, prefix: &str) {
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

fn report_steps(out: &mut impl Write, config: &Config, steps: usize, verb: &str) -> Result<()> {
    let current = command::current(config)?;
    let at = crate::revision::describe(&current);
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

fn print_entry(out: &mut impl Write, e: &command::HistoryEntry, verbose: bool) {
    let parents = if e.parents.is_empty() {
        "<base>".to_owned()
    } else {
        e.parents.join(", ")
    };
    let head = if e.is_head { " (head)" } else { "" };
    if verbose {
        let _ = writeln!(
            out,
            "Rev: {}{head}\nParent: {parents}\nPath: {}\n\n    {}\n",
            e.id, e.file, e.message
        );
    } else {
        let _ = writeln!(out, "{parents} -> {}{head}, {}", e.id, e.message);
    }
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
