//! `init`: adds a migrations crate to an existing Cargo workspace, wired to one
//! of its crates' models.

use std::path::{Component, Path, PathBuf};

use crate::error::{CliError as Error, Result};

/// Where the new crate takes `retort` and `retort-cli` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetortSource {
    /// The root of a Retort source tree (its `runtime/` and `cli/` crates),
    /// written as a path relative to the new crate. Default: the tree this program
    /// was built from.
    Path(PathBuf),
    /// A version from the registry.
    Version(String),
}

/// Options of `init`.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The folder of the new crate (its last component names the package).
    pub dir: PathBuf,
    /// The workspace crate whose models the migrations are for.
    pub models_crate: String,
    /// Where `retort` comes from.
    pub retort: RetortSource,
}

/// What `init` did.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The new crate's package name.
    pub package: String,
    /// Files written.
    pub created: Vec<PathBuf>,
    /// The workspace manifest that gained the new member, if it did.
    pub workspace: Option<PathBuf>,
    /// Whether `[profile.release.package.<package>] opt-level = 0` was added
    /// to the workspace manifest (it was not there).
    pub release_profile: bool,
    /// The packages of the derive (`retort-macros` and the parser it runs on)
    /// given `[profile.dev.package.<name>] opt-level = 3` (they had no profile
    /// there).
    pub macro_profiles: Vec<String>,
    /// The commands to run next.
    pub next: Vec<String>,
}

/// The Retort source tree this program was built from.
pub fn this_retort() -> RetortSource {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"));
    RetortSource::Path(cli.parent().unwrap_or(cli).to_path_buf())
}

fn fail(reason: impl Into<String>) -> Error {
    Error::Init(reason.into())
}

/// Writes the migrations crate: `Cargo.toml`, `build.rs`, `src/main.rs`, a
/// commented `Retort.toml`, an empty `versions` folder; adds it to the workspace.
/// Refuses to overwrite anything.
pub fn init(options: &InitOptions) -> Result<InitReport> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let dir = normalize(&cwd.join(&options.dir));
    let package = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| fail(format!("{} does not end in a folder name", dir.display())))?
        .to_owned();
    let (workspace, manifest) = find_workspace(&dir)?;
    let models = find_member(&workspace, &manifest, &options.models_crate)?;
    let files: Vec<(PathBuf, String)> = vec![
        (
            dir.join("Cargo.toml"),
            cargo_toml(
                &package,
                &dir,
                &models,
                &options.models_crate,
                &options.retort,
            ),
        ),
        (dir.join("build.rs"), BUILD_RS.to_owned()),
        (
            dir.join("src/main.rs"),
            main_rs(&package, &options.models_crate),
        ),
        (dir.join("Retort.toml"), retort_toml(&package)),
        (dir.join("versions/.gitkeep"), String::new()),
    ];
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(fail(format!(
            "{} already exist{}; init writes only new files",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        )));
    }
    let mut created = Vec::new();
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
        created.push(path.clone());
    }
    let member = relative(&workspace, &dir);
    let (added, release_profile, macro_profiles) =
        update_workspace(&workspace.join("Cargo.toml"), &manifest, &member, &package)?;
    Ok(InitReport {
        next: vec![
            format!("cargo run -p {package} -- autogenerate -m \"initial schema\""),
            format!("cargo run -p {package} -- upgrade head"),
            format!("cargo run -p {package} -- check"),
        ],
        package,
        created,
        workspace: added.then(|| workspace.join("Cargo.toml")),
        release_profile,
        macro_profiles,
    })
}

/// The nearest `Cargo.toml` above `dir` with a `[workspace]` table.
fn find_workspace(dir: &Path) -> Result<(PathBuf, toml_edit::DocumentMut)> {
    let mut at = dir.parent();
    while let Some(folder) = at {
        let manifest = folder.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            let doc: toml_edit::DocumentMut = text
                .parse()
                .map_err(|e| fail(format!("{}: {e}", manifest.display())))?;
            if doc.get("workspace").is_some() {
                return Ok((folder.to_path_buf(), doc));
            }
        }
        at = folder.parent();
    }
    Err(fail(format!(
        "no Cargo workspace above {}: init adds a migrations crate to a workspace (a Cargo.toml with [workspace])",
        dir.display()
    )))
}

/// The folder of the workspace member whose package is `name`.
fn find_member(workspace: &Path, manifest: &toml_edit::DocumentMut, name: &str) -> Result<PathBuf> {
    let members: Vec<String> = manifest
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    for pattern in members {
        let full = workspace.join(&pattern);
        let paths: Vec<PathBuf> = match glob::glob(&full.to_string_lossy()) {
            Ok(paths) => paths.filter_map(|p| p.ok()).collect(),
            Err(_) => vec![full],
        };
        for path in paths {
            let Ok(text) = std::fs::read_to_string(path.join("Cargo.toml")) else {
                continue;
            };
            let package = text
                .parse::<toml_edit::DocumentMut>()
                .ok()
                .and_then(|d| d.get("package")?.get("name")?.as_str().map(str::to_owned));
            if let Some(package) = package {
                if package == name {
                    return Ok(path);
                }
                found.push(package);
            }
        }
    }
    Err(fail(format!(
        "no member of the workspace is called `{name}`; its members are: {}",
        if found.is_empty() {
            "none".to_owned()
        } else {
            found.join(", ")
        }
    )))
}

/// The derive and what it runs on: optimized in dev builds, `#[derive(Model)]`
/// expands a 1000-model crate in a third less time, which is most of what a model
/// edit costs before `autogenerate` runs (sqlx asks the same for its macros).
pub const MACRO_PACKAGES: [&str; 4] = ["retort-macros", "syn", "proc-macro2", "quote"];

/// Adds `member` to `[workspace] members` unless a member pattern covers it;
/// builds `package` without optimizations in release unless the manifest already
/// sets its profile: a revision's code only describes operations (the database
/// does the work), and optimizing thousands of them is most of a release build
/// (a 1000-table revision: 25 s optimized, under 7 s not; dependencies stay
/// optimized); and builds [`MACRO_PACKAGES`] optimized in dev, each unless the
/// manifest sets its profile. Writes the manifest when it changed; says what
/// changed.
fn update_workspace(
    path: &Path,
    manifest: &toml_edit::DocumentMut,
    member: &str,
    package: &str,
) -> Result<(bool, bool, Vec<String>)> {
    let mut doc = manifest.clone();
    let member_added = add_member(path, &mut doc, member)?;
    let profile_added = add_package_profile(
        &mut doc,
        "release",
        package,
        0,
        "Revisions describe operations; the database does the work: building them\n\
         # unoptimized keeps release builds of the migrations fast (dependencies stay optimized).",
    );
    let mut macros = Vec::new();
    for name in MACRO_PACKAGES {
        let comment = if macros.is_empty() {
            "#[derive(Model)] runs at every build of the models: optimized, it expands them\n\
             # faster (a one-time rebuild of proc macros; sqlx asks the same of its macros)."
        } else {
            ""
        };
        if add_package_profile(&mut doc, "dev", name, 3, comment) {
            macros.push(name.to_owned());
        }
    }
    if member_added || profile_added || !macros.is_empty() {
        std::fs::write(path, doc.to_string()).map_err(|e| Error::io(path, e))?;
    }
    Ok((member_added, profile_added, macros))
}

/// `[profile.<profile>.package.<package>] opt-level = <level>` with `comment`
/// above it, unless a profile for the package is there already.
fn add_package_profile(
    doc: &mut toml_edit::DocumentMut,
    profile_name: &str,
    package: &str,
    level: i64,
    comment: &str,
) -> bool {
    let has = doc
        .get("profile")
        .and_then(|p| p.get(profile_name))
        .and_then(|r| r.get("package"))
        .and_then(|p| p.get(package))
        .is_some();
    if has {
        return false;
    }
    let mut table = toml_edit::Table::new();
    table.insert("opt-level", toml_edit::value(level));
    if !comment.is_empty() {
        table.decor_mut().set_prefix(format!("\n# {comment}\n"));
    }
    // `profile`, `profile.<name>`, `profile.<name>.package`: made implicit when
    // missing, so only the new table shows.
    let mut at: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for key in ["profile", profile_name, "package"] {
        let item = at.entry(key).or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        });
        let Some(next) = item.as_table_like_mut() else {
            return false;
        };
        at = next;
    }
    let packages = at;
    packages.insert(package, toml_edit::Item::Table(table));
    true
}

/// Adds `member` to `[workspace] members` unless a member pattern covers it.
fn add_member(path: &Path, doc: &mut toml_edit::DocumentMut, member: &str) -> Result<bool> {
    let workspace = doc["workspace"]
        .as_table_like_mut()
        .ok_or_else(|| fail(format!("{}: [workspace] is not a table", path.display())))?;
    if workspace.get("members").is_none() {
        workspace.insert("members", toml_edit::value(toml_edit::Array::new()));
    }
    let members = workspace
        .get_mut("members")
        .and_then(|m| m.as_array_mut())
        .ok_or_else(|| {
            fail(format!(
                "{}: workspace.members is not a list",
                path.display()
            ))
        })?;
    let covered = members.iter().filter_map(|v| v.as_str()).any(|pattern| {
        pattern == member || glob::Pattern::new(pattern).is_ok_and(|p| p.matches(member))
    });
    if covered {
        return Ok(false);
    }
    members.push(member);
    Ok(true)
}

/// `a/b/c` relative to `a` is `b/c`; `a/x` relative to `a/b` is `../x`.
fn relative(from: &Path, to: &Path) -> String {
    let (from, to) = (normalize(from), normalize(to));
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Removes `.` and resolves `..` without touching the filesystem.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn cargo_toml(
    package: &str,
    dir: &Path,
    models: &Path,
    models_crate: &str,
    retort: &RetortSource,
) -> String {
    // Paths are relative to the new crate, so the workspace still builds when it
    // is cloned elsewhere with the Retort tree at the same place beside it.
    let source = |crate_dir: &str| match retort {
        RetortSource::Path(root) => format!("path = \"{}\"", relative(dir, &root.join(crate_dir))),
        RetortSource::Version(v) => format!("version = \"{v}\""),
    };
    // The backends are this crate's features, which turn on retort's: the
    // connection is retort's, and the engine and the CLI work with whichever it has.
    let retort = format!("{{ {}, default-features = false }}", source("runtime"));
    let retort_cli = format!("{{ {}, default-features = false }}", source("cli"));
    let retort_dylib = format!(
        "{{ {}, default-features = false, optional = true }}",
        source("dylib")
    );
    format!(
        r#"[package]
name = "{package}"
version = "0.1.0"
edition = "2021"
publish = false
description = "Database migrations for {models_crate} (Retort)"

[features]
default = ["sqlite"]
sqlite = ["retort/sqlite"]
# cargo run -p {package} --features postgres -- --url postgres://... (the `retort`
# tool turns the URL's feature on by itself)
postgres = ["retort/postgres"]
mysql = ["retort/mysql"]
# Links Retort as a shared library (dev builds only: the `retort` tool turns it on,
# or cargo run -p {package} --features dynamic-linking -- ...): a model edit or a new
# revision then relinks a small binary. Leave it off for a binary you ship.
dynamic-linking = ["dep:retort-dylib"]

[dependencies]
retort = {retort}
retort-cli = {retort_cli}
retort-dylib = {retort_dylib}
{models_crate} = {{ path = "{models}" }}
"#,
        models = relative(dir, models)
    )
}

const BUILD_RS: &str = r#"// A new revision file, or a change to Retort.toml, rebuilds the crate, so
// `retort::project!` compiles it in.
fn main() {
    println!("cargo::rerun-if-changed=Retort.toml");
    println!("cargo::rerun-if-changed=versions");
}
"#;

fn main_rs(package: &str, models_crate: &str) -> String {
    let models = models_crate.replace('-', "_");
    format!(
        r#"//! Database migrations for `{models_crate}`: `cargo run -p {package} -- <command>`
//! (`upgrade head`, `autogenerate -m "..."`, `history`, `check`, `--help`).

use std::process::ExitCode;

// With the `dynamic-linking` feature (dev builds), Retort is linked as a shared
// library instead of into this binary: naming the crate links it.
#[cfg(feature = "dynamic-linking")]
use retort_dylib as _;

// `PROJECT`: every database of Retort.toml, with its revision files compiled in
// (a module per file, so a new revision compiles alone).
retort::project!(static PROJECT);

fn main() -> ExitCode {{
    // The models register themselves when their crate is linked: name it.
    retort::link!({models});
    retort_cli::main_project(&PROJECT)
}}
"#
    )
}

fn retort_toml(package: &str) -> String {
    format!(
        r#"# Retort configuration. Precedence for every setting: the command line
# (--url, --lock-timeout, ...) > the environment (DATABASE_URL, also from a .env
# file) > this file > the default.

# The database. sqlite:// paths are relative to this file; also postgres://user:password@host/db
# and mysql://user:password@host/db (build with this crate's `postgres`/`mysql` features:
# cargo run -p {package} --features postgres -- ...).
url = "sqlite://{package}.db"
# The environment variable that overrides the URL.
# url_env = "DATABASE_URL"

# Where revision files live (relative to this file).
versions = "versions"

# The table that records the database's revision (its log is <name>_log).
# version_table = "retort_version"
# PostgreSQL: the schema that table and its log live in (created when missing).
# version_table_schema = "meta"

# Tables autogenerate, check and drift leave alone (* matches any run of characters).
# exclude_tables = ["spatial_ref_sys", "legacy_*"]
# Columns ("table.column", or "column" in any table) and indexes or constraints
# (by name) they leave alone, as Alembic's include_object would.
# exclude_columns = ["users.search_vector", "legacy_*"]
# exclude_objects = ["*_trgm_idx"]

# One transaction per revision ("per-revision"), one for the whole run ("all";
# PostgreSQL and SQLite only), or none around a revision ("per-statement": each
# statement commits on its own; PostgreSQL and MySQL; for revisions that need more
# locks than PostgreSQL's max_locks_per_transaction allows).
# transaction = "per-revision"

# Seconds to wait for another migration run on the same database.
# lock_timeout = 60

# How long a revision's statement waits for a table's lock (a step that runs out
# is rolled back and tried again, ddl_lock_retries times), and how long one
# statement may run. A revision's own (Revision::new(..).ddl_lock_timeout(..)) wins.
# ddl_lock_timeout = "2s"
# statement_timeout = "5m"
# ddl_lock_retries = 3

# "online": autogenerate writes the online variants of blocking changes (indexes
# built concurrently, constraints NOT VALID then validated, ...), and on MySQL each
# ALTER TABLE names its algorithm so a table copy is refused. `lint` checks the
# revisions not yet applied; leave rules out with lint_exclude.
# safety = "online"
# lint_exclude = ["prefer-text-field"]

# PostgreSQL schema to work in (default: the server's search_path).
# schema = "public"
# PostgreSQL schemas this project owns besides that one (models say
# #[model(schema = "billing")]): read even when no model names them any more.
# include_schemas = ["billing"]

# The names of what the models leave unnamed, with SQLAlchemy's naming_convention
# keys and tokens (these are the defaults; pk is unset: the database names keys).
# [naming_convention]
# ix = "ix_%(table_name)s_%(column_0_N_name)s"
# uq = "uq_%(table_name)s_%(column_0_N_name)s"
# ck = "ck_%(table_name)s_%(constraint_name)s"
# fk = "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s"
# pk = "pk_%(table_name)s"

# Several databases: one [[databases]] table each, in the order commands run them,
# and #[model(database = "analytics")] on the models of the others.
# [[databases]]
# name = "main"
# url = "sqlite://main.db"
# versions = "versions/main"
#
# [[databases]]
# name = "analytics"
# url = "sqlite://analytics.db"
# url_env = "ANALYTICS_DATABASE_URL"
# versions = "versions/analytics"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_profile(manifest: &str) -> (bool, String) {
        let mut doc: toml_edit::DocumentMut = manifest.parse().expect("valid TOML");
        let added = add_package_profile(&mut doc, "release", "db", 0, "");
        (added, doc.to_string())
    }

    /// The derive's packages are optimized in dev, each unless the user set its
    /// profile; the manifest is written once, and a second `init` adds nothing.
    #[test]
    fn dev_profiles_of_the_derive() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("Cargo.toml");
        let text = "[workspace]\nmembers = [\"app\"]\n\n[profile.dev.package.syn]\nopt-level = 1\n";
        std::fs::write(&path, text).expect("write");
        let manifest: toml_edit::DocumentMut = text.parse().expect("TOML");
        let (_, release, macros) = update_workspace(&path, &manifest, "db", "db").expect("update");
        assert!(release);
        assert_eq!(macros, ["retort-macros", "proc-macro2", "quote"]);
        let written = std::fs::read_to_string(&path).expect("read");
        let doc: toml::Table = toml::from_str(&written).expect("still TOML");
        let dev = &doc["profile"]["dev"]["package"];
        for name in ["retort-macros", "proc-macro2", "quote"] {
            assert_eq!(dev[name]["opt-level"].as_integer(), Some(3), "{written}");
        }
        assert_eq!(
            dev["syn"]["opt-level"].as_integer(),
            Some(1),
            "the user's stays"
        );
        assert!(
            written.contains("# #[derive(Model)] runs at every build"),
            "{written}"
        );

        let again: toml_edit::DocumentMut = written.parse().expect("TOML");
        let (_, release, macros) = update_workspace(&path, &again, "db", "db").expect("update");
        assert!(!release && macros.is_empty());
    }

    #[test]
    fn release_profile_of_the_migrations_crate() {
        let (added, text) = with_profile("[workspace]\nmembers = [\"app\"]\n");
        assert!(added);
        let doc: toml::Table = toml::from_str(&text).expect("still TOML");
        assert_eq!(
            doc["profile"]["release"]["package"]["db"]["opt-level"].as_integer(),
            Some(0)
        );
        assert!(
            text.contains("[profile.release.package.db]\nopt-level = 0"),
            "{text}"
        );

        // Next to the user's own release settings, which stay.
        let (added, text) = with_profile("[workspace]\n\n[profile.release]\nlto = true\n");
        assert!(added);
        let doc: toml::Table = toml::from_str(&text).expect("still TOML");
        assert_eq!(doc["profile"]["release"]["lto"].as_bool(), Some(true));
        assert_eq!(
            doc["profile"]["release"]["package"]["db"]["opt-level"].as_integer(),
            Some(0)
        );

        // A profile the user set for the crate is theirs.
        let (added, text) =
            with_profile("[workspace]\n\n[profile.release.package.db]\nopt-level = 2\n");
        assert!(!added);
        assert!(text.contains("opt-level = 2") && !text.contains("opt-level = 0"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/w/migrations"), Path::new("/w/models")),
            "../models"
        );
        assert_eq!(relative(Path::new("/w"), Path::new("/w/a/b")), "a/b");
        assert_eq!(relative(Path::new("/w/a"), Path::new("/w/a")), ".");
        assert_eq!(normalize(Path::new("/w/./a/../b")), PathBuf::from("/w/b"));
    }
}
