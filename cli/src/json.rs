//! `--format json`: what a command found, as one JSON object per database per
//! line (JSON Lines), in a documented shape that carries its version:
//!
//! ```json
//! {"format":"retort/1","command":"current","database":"main","result":{…}}
//! ```
//!
//! A failure is `{"format":"retort/1","command":…,"database":…,"error":"…"}` and
//! exit code 1. Fields are only ever added within a format version. The shape of
//! each command's `result` is in README.md ("Machine-readable output") and in
//! the tests (`migrations-cli/tests/json.rs`).

use std::process::ExitCode;
use std::time::Duration;

use retort_engine::command::fleet::{self, FleetCommand};
use retort_engine::command::{self, HistoryEntry, HistoryOptions, LintOptions, LintReport};
use retort_engine::{Config, StepReport, Unfinished};
use serde_json::{json, Value};

use crate::{CliError as Error, Command, Result};

/// The format's name and version, in every object.
pub const FORMAT: &str = "retort/1";

/// The line for one database: the command's result, or its error.
pub fn line(command: &Command, config: &Config) -> (Value, ExitCode) {
    let name = command_name(command);
    let mut out = json!({ "format": FORMAT, "command": name, "database": config.database });
    match result(command, config) {
        Ok((value, code)) => {
            out["result"] = value;
            (out, code)
        }
        Err(e) => {
            out["error"] = Value::String(e.to_string());
            (out, ExitCode::from(1))
        }
    }
}

/// The subcommand's name, as typed.
pub fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Init { .. } => "init",
        Command::Upgrade { .. } => "upgrade",
        Command::Downgrade { .. } => "downgrade",
        Command::Current { .. } => "current",
        Command::History { .. } => "history",
        Command::Heads { .. } => "heads",
        Command::Branches { .. } => "branches",
        Command::Show { .. } => "show",
        Command::Lint { .. } => "lint",
        Command::Status => "status",
        Command::Import { .. } => "import",
        Command::Check { .. } => "check",
        Command::Drift => "drift",
        Command::Diagram { .. } => "diagram",
        Command::Test { .. } => "test",
        Command::Repair { .. } => "repair",
        Command::Stamp { .. } => "stamp",
        Command::Merge { .. } => "merge",
        Command::Squash { .. } => "squash",
        Command::Revision { .. } => "revision",
        Command::Autogenerate { .. } => "autogenerate",
    }
}

/// Whether `--format json` covers the command.
pub fn supported(command: &Command) -> bool {
    matches!(
        command,
        Command::Upgrade { sql: false, .. }
            | Command::Downgrade { sql: false, .. }
            | Command::Current { .. }
            | Command::History { .. }
            | Command::Heads { .. }
            | Command::Branches { .. }
            | Command::Show { .. }
            | Command::Lint { .. }
            | Command::Status
            | Command::Check { .. }
            | Command::Drift
    )
}

fn result(command: &Command, config: &Config) -> Result<(Value, ExitCode)> {
    let ok = |value: Value| Ok((value, ExitCode::SUCCESS));
    // A fleet: the summary of every database.
    let fleet_command = match command {
        Command::Upgrade { target, fleet, .. } => fleet
            .urls_file
            .as_ref()
            .map(|_| (fleet, FleetCommand::Upgrade(target))),
        Command::Current { fleet, .. } => fleet
            .urls_file
            .as_ref()
            .map(|_| (fleet, FleetCommand::Current)),
        Command::Check { fleet, .. } => fleet
            .urls_file
            .as_ref()
            .map(|_| (fleet, FleetCommand::Check)),
        _ => None,
    };
    if let Some((args, fleet_command)) = fleet_command {
        return fleet_summary(config, args, fleet_command);
    }
    match command {
        Command::Upgrade { target, .. } => ok(steps(&command::upgrade(config, target)?)),
        Command::Downgrade { target, .. } => ok(steps(&command::downgrade(config, target)?)),
        Command::Current { .. } => {
            let state = command::current_state(config)?;
            let revisions = state
                .revisions
                .iter()
                .map(|id| command::show(config, id).map(|e| entry(&e)))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            ok(json!({
                "revisions": revisions,
                "unfinished": state.unfinished.as_ref().map(unfinished),
                "other_tools": state.other_tools.iter().map(|t| json!({
                    "tool": t.tool,
                    "table": t.table,
                    "at": t.at,
                })).collect::<Vec<_>>(),
            }))
        }
        Command::History {
            range,
            indicate_current,
            ..
        } => {
            let options = HistoryOptions {
                range: range.clone(),
                indicate_current: *indicate_current,
            };
            ok(json!({ "revisions": entries(&command::history(config, &options)?) }))
        }
        Command::Heads { .. } => ok(json!({ "revisions": entries(&command::heads(config)?) })),
        Command::Branches { .. } => {
            ok(json!({ "revisions": entries(&command::branches(config)?) }))
        }
        Command::Show { revision, dialect } => {
            let e = command::show(config, revision)?;
            let mut value = entry(&e);
            value["upgrade"] = command::revision_ops(config, &e.id, *dialect)?
                .iter()
                .map(|op| {
                    json!({
                        "op": op.summary,
                        "locks": op.safety.as_ref().map(ToString::to_string),
                    })
                })
                .collect();
            ok(value)
        }
        Command::Lint {
            offline,
            from,
            dialect,
            server_version,
        } => {
            let report = command::lint(
                config,
                &LintOptions {
                    offline: *offline,
                    from: from.clone(),
                    dialect: *dialect,
                    server: server_version.clone(),
                },
            )?;
            let code = ExitCode::from(u8::from(report.failing() > 0));
            Ok((lint(&report), code))
        }
        Command::Status => {
            let status = command::status(config)?;
            ok(json!({
                "current": status.current,
                "revisions": status.entries.iter().map(|e| json!({
                    "id": e.id,
                    "message": e.message,
                    "file": e.file,
                    "applied": e.applied,
                    "applied_at": e.applied_at,
                    "edited": e.edited,
                })).collect::<Vec<_>>(),
                "unfinished": status.unfinished.as_ref().map(unfinished),
            }))
        }
        Command::Check { strict, safety, .. } => {
            let losses = if *strict {
                command::pending_losses(config)?
            } else {
                Vec::new()
            };
            let report = if *safety {
                Some(command::lint(config, &LintOptions::default())?)
            } else {
                None
            };
            let mut failed = !losses.is_empty() || report.as_ref().is_some_and(|r| r.failing() > 0);
            let mut value = json!({
                "losses": losses,
                "lint": report.as_ref().map(lint),
            });
            match command::check(config) {
                Err(retort_engine::Error::NotUpToDate { current, head }) if *strict || *safety => {
                    value["up_to_date"] = Value::Bool(false);
                    value["current"] = Value::String(current);
                    value["head"] = Value::String(head);
                }
                other => {
                    let changes = other?;
                    failed |= !changes.is_empty() || !changes.edited.is_empty();
                    value["up_to_date"] = Value::Bool(true);
                    value["changes"] = changes_of(&changes);
                    value["edited"] = json!(changes.edited);
                }
            }
            Ok((value, ExitCode::from(u8::from(failed))))
        }
        Command::Drift => {
            let changes = command::drift(config)?;
            let code = ExitCode::from(u8::from(!changes.is_empty()));
            Ok((
                json!({ "changes": changes_of(&changes), "notes": changes.notes }),
                code,
            ))
        }
        other => Err(Error::Usage(format!(
            "--format json is not available for `{}`",
            command_name(other)
        ))),
    }
}

/// `--urls-file` in JSON: each database's outcome, and the counts.
fn fleet_summary(
    config: &Config,
    args: &crate::FleetArgs,
    command: FleetCommand<'_>,
) -> Result<(Value, ExitCode)> {
    let Some(file) = &args.urls_file else {
        return Err(Error::Usage("no --urls-file".to_owned()));
    };
    let urls = fleet::read_urls_file(file)?;
    let options = fleet::FleetOptions {
        jobs: args.jobs,
        fail_fast: args.fail_fast,
    };
    let results = fleet::run_reporting(config, &urls, command, options, |_| {});
    let failed = results.iter().filter(|r| !r.ok()).count();
    let value = json!({
        "databases": results.iter().map(|r| json!({
            "url": r.url,
            "from": r.from,
            "to": r.to,
            "duration_ms": millis(r.duration),
            "status": match &r.outcome {
                Some(Ok(_)) => "ok",
                Some(Err(_)) => "failed",
                None => "skipped",
            },
            "detail": match &r.outcome {
                Some(Ok(detail)) | Some(Err(detail)) => Some(detail.clone()),
                None => None,
            },
        })).collect::<Vec<_>>(),
        "ok": results.len() - failed,
        "failed": failed,
    });
    Ok((value, ExitCode::from(u8::from(failed > 0))))
}

fn entry(e: &HistoryEntry) -> Value {
    json!({
        "id": e.id,
        "parents": e.parents,
        "children": e.children,
        "depends_on": e.depends_on,
        "branch_labels": e.branch_labels,
        "message": e.message,
        "file": e.file,
        "is_head": e.is_head,
        "is_branch_point": e.is_branch_point,
        "is_merge_point": e.is_merge_point,
        "is_current": e.is_current,
        "replaces": e.replaces,
    })
}

fn entries(list: &[HistoryEntry]) -> Vec<Value> {
    list.iter().map(entry).collect()
}

fn unfinished(u: &Unfinished) -> Value {
    json!({
        "revision": u.revision,
        "direction": u.direction,
        "statements": u.statements,
        "failure": u.failure,
    })
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn steps(steps: &[StepReport]) -> Value {
    let total: Duration = steps.iter().map(|s| s.duration).sum();
    json!({
        "steps": steps.iter().map(|s| json!({
            "id": s.id,
            "message": s.message,
            "direction": s.direction.as_str(),
            "from": s.from,
            "to": s.to,
            "duration_ms": millis(s.duration),
        })).collect::<Vec<_>>(),
        "duration_ms": millis(total),
    })
}

fn changes_of(changes: &retort_engine::autogenerate::Changes) -> Value {
    json!({
        "ops": changes.ops.iter().enumerate().map(|(i, op)| json!({
            "op": op.summary(),
            "warnings": changes
                .warnings
                .iter()
                .filter(|(at, _)| *at == i)
                .map(|(_, w)| w.clone())
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "suggestions": changes.suggestions,
    })
}

fn lint(report: &LintReport) -> Value {
    json!({
        "backend": crate::backend_name(report.backend),
        "server_version": report.server.version.map(|(a, b, c)| format!("{a}.{b}.{c}")),
        "mariadb": report.server.mariadb,
        "failing": report.failing(),
        "revisions": report.revisions.iter().map(|r| json!({
            "id": r.id,
            "file": r.file,
            "findings": r.findings.iter().map(|f| json!({
                "rule": f.rule.map(|r| r.name()),
                "op": f.op,
                "at": f.at,
                "lock": f.safety,
                "table": f.table,
                "rows": f.rows,
                "problem": f.problem,
                "fix": f.fix,
                "acknowledged": f.acknowledged,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
