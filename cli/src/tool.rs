//! The installable `retort` command: `init` here, every other command forwarded
//! to the project's migrations crate, built with the backend features its
//! databases' URLs need, and linking Retort as a shared library when the crate
//! has the `dynamic-linking` feature (`retort init` writes it).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use retort::DatabaseUrl;
use retort_engine::project::ProjectFile;

use crate::{finish, Cli, CliError, Command, Result};

/// Runs the `retort` command with `args` (without the program name).
pub fn main(args: Vec<OsString>) -> ExitCode {
    let (krate, args) = take_crate_option(args);
    let mut argv = vec![OsString::from("retort")];
    argv.extend(args.iter().cloned());
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        // --help, --version and bad usage, as clap prints them.
        Err(e) => e.exit(),
    };
    if matches!(cli.command, Command::Init { .. }) {
        return finish(crate::parse_done(cli).and_then(|cli| crate::run(cli, Vec::new())));
    }
    finish(forward(&cli, krate.as_deref(), &args))
}

/// `--crate NAME` (or `--crate=NAME`) picks the migrations crate; it is the
/// tool's own option, not forwarded.
fn take_crate_option(args: Vec<OsString>) -> (Option<String>, Vec<OsString>) {
    let mut krate = None;
    let mut rest = Vec::with_capacity(args.len());
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        match arg.to_str() {
            Some("--crate") => krate = iter.next().and_then(|v| v.into_string().ok()),
            Some(s) if s.starts_with("--crate=") => krate = Some(s["--crate=".len()..].to_owned()),
            _ => rest.push(arg),
        }
    }
    (krate, rest)
}

/// A migrations crate: its folder and its `Retort.toml`.
#[derive(Debug, Clone)]
struct MigrationsCrate {
    dir: PathBuf,
    name: String,
    /// Whether its manifest has the `dynamic-linking` feature (`retort init`
    /// writes it): the tool's builds are dev builds, so it is turned on.
    dynamic_linking: bool,
    /// Whether its `retort-dylib` dependency is a `path` one (a checkout of
    /// Retort): cargo then names the library without a hash, so builds with
    /// different backend features overwrite each other's (see [`one_dylib`]).
    dylib_by_path: bool,
}

/// The migrations crate's feature that links Retort as a shared library
/// (`retort-dylib`): a rebuild after a model edit or a new revision links a
/// small binary.
const DYNAMIC_LINKING: &str = "dynamic-linking";

fn forward(cli: &Cli, krate: Option<&str>, args: &[OsString]) -> Result<ExitCode> {
    let cwd = std::env::current_dir().map_err(|e| CliError::io(".", e))?;
    let target = find_crate(&cwd, krate)?;
    // URLs may come from a .env file of the crate or of the current folder; the
    // real environment wins.
    let _ = dotenvy::from_path(target.dir.join(".env"));
    let _ = dotenvy::dotenv();
    let file = ProjectFile::read(&target.dir.join("Retort.toml"))?;
    let mut features = features(cli, &file)?;
    if target.dynamic_linking {
        if target.dylib_by_path {
            one_dylib(&target, &features)?;
        }
        features.insert(DYNAMIC_LINKING);
    }
    let mut cargo =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .arg("run")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(target.dir.join("Cargo.toml"));
    if !features.is_empty() {
        cargo
            .arg("--features")
            .arg(features.into_iter().collect::<Vec<_>>().join(","));
    }
    cargo.arg("--").args(args);
    log::info!(target: "retort::tool", "running {} in {}", target.name, target.dir.display());
    let status = cargo
        .status()
        .map_err(|e| CliError::Usage(format!("cannot run cargo: {e}")))?;
    Ok(match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::from(1),
    })
}

/// Cargo names a `dylib` of a `path` package without the hash that keeps the
/// builds of each feature set apart, so a build with other backend features
/// overwrites the shared library another build of the binary still uses and
/// cargo still thinks fresh (the next link fails with "cannot satisfy
/// dependencies so `std` only shows up once", or the binary loads a library it
/// was not built against). The tool records the backends of its last build in
/// the target folder and, when they change, removes `retort-dylib`'s artifacts
/// first (`cargo clean -p retort-dylib`), so it is built again for these.
/// A registry `retort-dylib` has the hash in its name and needs none of this.
fn one_dylib(target: &MigrationsCrate, features: &BTreeSet<&'static str>) -> Result<()> {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root(&target.dir).join("target"));
    let stamp = target_dir.join("debug").join(".retort-dylib-features");
    let want = features.iter().copied().collect::<Vec<_>>().join(",");
    let built = std::fs::read_to_string(&stamp).ok();
    let library = target_dir.join("debug/deps").join(format!(
        "{}retort_dylib{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let stale = match &built {
        Some(built) => built.trim() != want,
        // Built before the tool kept the record, or by hand.
        None => library.exists(),
    };
    if stale {
        log::info!(
            target: "retort::tool",
            "backends changed ({} -> {want}): retort-dylib is built again for them",
            built.as_deref().map(str::trim).unwrap_or("unknown")
        );
        let status =
            std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .args(["clean", "--quiet", "-p", "retort-dylib", "--manifest-path"])
                .arg(target.dir.join("Cargo.toml"))
                .status()
                .map_err(|e| CliError::Usage(format!("cannot run cargo: {e}")))?;
        if !status.success() {
            return Err(CliError::Usage(
                "`cargo clean -p retort-dylib` failed: remove the target folder's retort-dylib artifacts by hand".to_owned(),
            ));
        }
    }
    if stale || built.is_none() {
        std::fs::create_dir_all(stamp.parent().unwrap_or(&target_dir))
            .and_then(|()| std::fs::write(&stamp, &want))
            .map_err(|e| CliError::io(&stamp, e))?;
    }
    Ok(())
}

/// The workspace folder around `dir` (`dir` itself outside one): where cargo
/// puts `target` by default.
fn workspace_root(dir: &Path) -> PathBuf {
    find_workspace(dir).map_or_else(|| dir.to_path_buf(), |(folder, _)| folder)
}

/// The cargo features the command's databases need: the backend of `--url`, of
/// each URL of `--urls-file`, or of each selected database's URL.
fn features(cli: &Cli, file: &ProjectFile) -> Result<BTreeSet<&'static str>> {
    let mut urls: Vec<String> = Vec::new();
    if let Some(url) = &cli.url {
        urls.push(url.clone());
    } else if let Some(list) = cli.command.fleet_file() {
        urls.extend(retort_engine::command::fleet::read_urls_file(list)?);
    } else {
        for db in file.databases() {
            if cli.database.as_deref().is_none_or(|name| name == db.name) {
                urls.extend(db.url_now());
            }
        }
    }
    let mut features = BTreeSet::new();
    for url in urls {
        // A URL that does not parse is the program's to report, with its context.
        if let Ok(url) = DatabaseUrl::parse(&url) {
            // The backend's name is its cargo feature's.
            features.insert(url.backend.name());
        }
    }
    Ok(features)
}

/// The migrations crate to run: the current folder's if it has a `Retort.toml`,
/// else the one member of the workspace around it that has one (or `--crate`).
fn find_crate(cwd: &Path, wanted: Option<&str>) -> Result<MigrationsCrate> {
    if wanted.is_none() && cwd.join("Retort.toml").is_file() {
        return crate_at(cwd);
    }
    let mut candidates = Vec::new();
    for dir in workspace_members(cwd) {
        if dir.join("Retort.toml").is_file() {
            candidates.push(crate_at(&dir)?);
        }
    }
    let names = || {
        candidates
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(name) => candidates
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "--crate {name}: no migrations crate of this workspace is called `{name}`; the migrations crates are: {}",
                    if candidates.is_empty() { "none".to_owned() } else { names() }
                ))
            }),
        None => match candidates.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(CliError::Usage(format!(
                "no Retort.toml in {} or in a member of its workspace; `retort init --models-crate NAME` adds a migrations crate",
                cwd.display()
            ))),
            _ => Err(CliError::Usage(format!(
                "this workspace has several migrations crates ({}): say which with --crate NAME",
                names()
            ))),
        },
    }
}

fn crate_at(dir: &Path) -> Result<MigrationsCrate> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| CliError::io(&manifest, e))?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e| CliError::Usage(format!("{}: {e}", manifest.display())))?;
    let name = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .ok_or_else(|| CliError::Usage(format!("{} has no [package] name", manifest.display())))?;
    let dynamic_linking = doc
        .get("features")
        .and_then(|f| f.get(DYNAMIC_LINKING))
        .is_some();
    let dylib_by_path = doc
        .get("dependencies")
        .and_then(|d| d.get("retort-dylib"))
        .and_then(|d| d.get("path"))
        .is_some();
    Ok(MigrationsCrate {
        dir: dir.to_path_buf(),
        name: name.to_owned(),
        dynamic_linking,
        dylib_by_path,
    })
}

/// The member folders of the nearest workspace above `cwd` (none outside one).
fn workspace_members(cwd: &Path) -> Vec<PathBuf> {
    let Some((folder, workspace)) = find_workspace(cwd) else {
        return Vec::new();
    };
    let patterns = workspace
        .get("members")
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut members = Vec::new();
    for pattern in patterns.iter().filter_map(toml::Value::as_str) {
        let full = folder.join(pattern).to_string_lossy().into_owned();
        match glob::glob(&full) {
            Ok(paths) => members.extend(paths.filter_map(|p| p.ok())),
            Err(_) => members.push(folder.join(pattern)),
        }
    }
    members.sort();
    members
}

/// The nearest folder at or above `dir` whose `Cargo.toml` has `[workspace]`,
/// with that table.
fn find_workspace(dir: &Path) -> Option<(PathBuf, toml::Value)> {
    let mut at = Some(dir);
    while let Some(folder) = at {
        let workspace = std::fs::read_to_string(folder.join("Cargo.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|doc| doc.get("workspace").cloned());
        if let Some(workspace) = workspace {
            return Some((folder.to_path_buf(), workspace));
        }
        at = folder.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_option_is_taken_out() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        let (krate, rest) = take_crate_option(args(&["--crate", "db", "upgrade", "head"]));
        assert_eq!(krate.as_deref(), Some("db"));
        assert_eq!(rest, args(&["upgrade", "head"]));
        let (krate, rest) = take_crate_option(args(&["upgrade", "--crate=db", "head"]));
        assert_eq!(krate.as_deref(), Some("db"));
        assert_eq!(rest, args(&["upgrade", "head"]));
    }

    #[test]
    fn forwards_to_the_one_migrations_crate() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(
            ws.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"models\", \"db\"]\n",
        )
        .unwrap();
        for (dir, retort) in [("models", false), ("db", true)] {
            std::fs::create_dir_all(ws.path().join(dir)).unwrap();
            let features = if retort {
                "\n[features]\ndynamic-linking = [\"dep:retort-dylib\"]\n"
            } else {
                ""
            };
            std::fs::write(
                ws.path().join(dir).join("Cargo.toml"),
                format!("[package]\nname = \"{dir}\"\n{features}"),
            )
            .unwrap();
            if retort {
                std::fs::write(
                    ws.path().join(dir).join("Retort.toml"),
                    "url = \"postgres://u@h/x\"\n",
                )
                .unwrap();
            }
        }
        let found = find_crate(&ws.path().join("models"), None).unwrap();
        assert_eq!(found.name, "db");
        assert!(found.dynamic_linking);
        assert!(!crate_at(&ws.path().join("models")).unwrap().dynamic_linking);
        let err = find_crate(ws.path(), Some("nope")).unwrap_err().to_string();
        assert!(err.contains("the migrations crates are: db"), "{err}");
        let file = ProjectFile::read(&ws.path().join("db/Retort.toml")).unwrap();
        let cli = Cli::try_parse_from(["retort", "current"]).unwrap();
        // DATABASE_URL may be set by the environment running the test.
        if std::env::var_os("DATABASE_URL").is_none() {
            assert_eq!(features(&cli, &file).unwrap(), BTreeSet::from(["postgres"]));
        }
        let cli = Cli::try_parse_from(["retort", "--url", "mysql://r@h/x", "current"]).unwrap();
        assert_eq!(features(&cli, &file).unwrap(), BTreeSet::from(["mysql"]));
    }
}
