//! The tools Retort is compared to, installed under `target/bench/peers` and
//! driven as a user drives them: Alembic (autogenerate from SQLAlchemy models,
//! upgrade, downgrade) in a virtualenv of its own, and diesel_cli (`diesel
//! migration run/revert/list` over SQL migrations) built with `cargo install`.
//!
//! The Alembic project holds the benchmark's N tables as SQLAlchemy Core tables,
//! the same schema as [`crate::generate`]'s models, constraint and index names
//! included (a naming convention that gives Retort's names); the diesel_cli
//! migrations are the harness's small revisions written as SQL.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use retort::Backend;

use crate::db::Result;
use crate::generate::{parent, table, write};

/// The Alembic release measured.
pub const ALEMBIC_VERSION: &str = "1.20.1";

/// The diesel_cli release measured.
pub const DIESEL_CLI_VERSION: &str = "2.3.14";

/// Installed peers under `dir` (target/bench/peers).
pub struct Peers {
    /// The folder they are installed in (absolute).
    dir: PathBuf,
    /// Alembic's virtualenv.
    venv: PathBuf,
    /// The `diesel` binary.
    diesel: PathBuf,
}

impl Peers {
    /// Creates `dir/alembic-venv` (`python3 -m venv`) and pip-installs
    /// `alembic==1.20.1`, `psycopg2-binary` and `pymysql` into it unless the venv
    /// already has that Alembic (and both drivers); installs diesel_cli 2.3.14 with
    /// `cargo install diesel_cli --version 2.3.14 --no-default-features --features
    /// postgres,sqlite-bundled --locked --root dir/diesel` unless
    /// `dir/diesel/bin/diesel` exists and `diesel --version` reports 2.3.14.
    /// Prints progress lines to stderr.
    pub fn install(dir: &Path) -> Result<Peers> {
        let peers = Peers::at(dir)?;
        peers.install_alembic()?;
        peers.install_diesel()?;
        Ok(peers)
    }

    /// The peers' paths under `dir` (created), nothing installed.
    fn at(dir: &Path) -> Result<Peers> {
        let dir = std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Peers {
            venv: dir.join("alembic-venv"),
            diesel: dir.join("diesel/bin/diesel"),
            dir,
        })
    }

    /// The virtualenv's Python.
    fn python(&self) -> PathBuf {
        self.venv.join("bin/python")
    }

    /// The versions of Alembic, SQLAlchemy, psycopg2 and PyMySQL in the venv, or
    /// why they could not be read (no venv, a package missing).
    fn alembic_versions(&self) -> std::result::Result<[String; 4], String> {
        let python = self.python();
        if !python.exists() {
            return Err(format!("{} does not exist", python.display()));
        }
        let out = Command::new(&python)
            .args([
                "-c",
                "import alembic, sqlalchemy, psycopg2, pymysql; \
                 print(alembic.__version__, sqlalchemy.__version__, \
                 psycopg2.__version__.split()[0], pymysql.__version__)",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", python.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} cannot import alembic, sqlalchemy, psycopg2 and pymysql: {}",
                python.display(),
                tail(&out.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let words: Vec<&str> = text.split_whitespace().collect();
        match words[..] {
            [a, s, p, m] => Ok([a, s, p, m].map(str::to_owned)),
            _ => Err(format!(
                "{}: unexpected version line `{}`",
                python.display(),
                text.trim()
            )),
        }
    }

    /// The venv with Alembic, unless it is there.
    fn install_alembic(&self) -> Result<()> {
        if let Ok([alembic, sqlalchemy, psycopg2, pymysql]) = self.alembic_versions() {
            if alembic == ALEMBIC_VERSION {
                eprintln!(
                    "peers: alembic {alembic} (SQLAlchemy {sqlalchemy}, psycopg2 {psycopg2}, \
                     PyMySQL {pymysql}) in {}",
                    self.venv.display()
                );
                return Ok(());
            }
        }
        if !self.python().exists() {
            eprintln!("peers: creating the virtualenv {}", self.venv.display());
            run_quietly(
                Command::new("python3").args(["-m", "venv"]).arg(&self.venv),
                "python3 -m venv",
            )?;
        }
        eprintln!(
            "peers: pip install alembic=={ALEMBIC_VERSION} psycopg2-binary pymysql into {}",
            self.venv.display()
        );
        run_quietly(
            Command::new(self.python())
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg(format!("alembic=={ALEMBIC_VERSION}"))
                .args(["psycopg2-binary", "pymysql"]),
            "pip install alembic",
        )?;
        let [alembic, sqlalchemy, psycopg2, pymysql] = self.alembic_versions()?;
        if alembic != ALEMBIC_VERSION {
            return Err(format!(
                "{}: pip installed alembic {alembic}, not {ALEMBIC_VERSION}",
                self.venv.display()
            ));
        }
        eprintln!(
            "peers: alembic {alembic} (SQLAlchemy {sqlalchemy}, psycopg2 {psycopg2}, \
             PyMySQL {pymysql}) installed in {}",
            self.venv.display()
        );
        Ok(())
    }

    /// What `diesel --version` says, if the binary is there and runs.
    fn diesel_version(&self) -> Option<String> {
        let out = Command::new(&self.diesel)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// diesel_cli, unless it is there.
    fn install_diesel(&self) -> Result<()> {
        // `diesel \n Version: 2.3.14\n Supported Backends: postgres sqlite`.
        let reports = |text: &str| text.split_whitespace().any(|w| w == DIESEL_CLI_VERSION);
        if self.diesel_version().is_some_and(|v| reports(&v)) {
            eprintln!(
                "peers: diesel_cli {DIESEL_CLI_VERSION} at {}",
                self.diesel.display()
            );
            return Ok(());
        }
        let root = self.dir.join("diesel");
        eprintln!(
            "peers: cargo install diesel_cli {DIESEL_CLI_VERSION} into {} (a few minutes)",
            root.display()
        );
        let status = Command::new(env!("CARGO"))
            .args(["install", "diesel_cli", "--version", DIESEL_CLI_VERSION])
            .args([
                "--no-default-features",
                "--features",
                "postgres,sqlite-bundled",
                "--locked",
                "--root",
            ])
            .arg(&root)
            .stdin(Stdio::null())
            // Cargo's progress goes to stderr, with ours.
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("cargo install diesel_cli: {e}"))?;
        if !status.success() {
            return Err(format!(
                "cargo install diesel_cli {DIESEL_CLI_VERSION} into {} failed ({status})",
                root.display()
            ));
        }
        match self.diesel_version() {
            Some(v) if reports(&v) => {
                eprintln!(
                    "peers: diesel_cli {DIESEL_CLI_VERSION} installed at {}",
                    self.diesel.display()
                );
                Ok(())
            }
            Some(v) => Err(format!(
                "{}: reports `{}`, not {DIESEL_CLI_VERSION}",
                self.diesel.display(),
                v.split_whitespace().collect::<Vec<_>>().join(" ")
            )),
            None => Err(format!(
                "{}: not runnable after cargo install",
                self.diesel.display()
            )),
        }
    }

    /// `alembic` of the venv, in project `project` (cwd = its folder, `-c
    /// alembic.ini`), on database `url` (a Retort URL: `sqlite://PATH`,
    /// `postgres://...`, `mysql://...`, passed to `env.py` in SQLAlchemy's form
    /// with `-x url=...`), with `args` (the command: `revision --autogenerate -m
    /// x`, `upgrade head`, `downgrade -1`, `check`, ...).
    pub fn alembic(&self, project: &AlembicProject, url: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.venv.join("bin/alembic"));
        cmd.current_dir(project.dir())
            .args(["-c", "alembic.ini", "-x"])
            .arg(format!("url={}", sqlalchemy_url(url)))
            .args(args);
        cmd
    }

    /// `diesel` with `args` (`migration run`, `migration revert --all`, `migration
    /// list`, ...), `--database-url` (SQLite: the plain file path) and
    /// `--migration-dir` of `migrations`.
    ///
    /// diesel_cli looks for its project root from the working directory up (the
    /// first folder with a `diesel.toml`, else with a `Cargo.toml`), reads the
    /// `diesel.toml` there, and after `migration run`/`revert`/`redo` regenerates
    /// every `[print_schema] file` it names. The command runs in `migrations`'
    /// folder, which holds a `diesel.toml` naming no schema file, and names that
    /// file with `--config-file` as well: it does the migration work only.
    ///
    /// The diesel_cli installed speaks PostgreSQL and SQLite, not MySQL.
    pub fn diesel(&self, migrations: &DieselMigrations, url: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.diesel);
        cmd.current_dir(migrations.dir())
            .args(args)
            .arg("--database-url")
            .arg(diesel_url(url))
            .arg("--migration-dir")
            .arg(migrations.migrations())
            .arg("--config-file")
            .arg(migrations.config())
            // What would otherwise stand in for the options above, or add to them.
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_DIRECTORY")
            .env_remove("DIESEL_CONFIG_FILE")
            .env_remove("DIESEL_LOG");
        cmd
    }
}

/// Runs `cmd` to completion, its output captured; an error with the end of its
/// stderr when it fails.
fn run_quietly(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            out.status,
            tail(&out.stderr)
        ))
    }
}

/// The last lines of a process's output, for an error message.
fn tail(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// An SQLite path of a Retort URL made absolute (from the current folder), its
/// `?options` dropped.
fn sqlite_path(rest: &str) -> String {
    let path = rest.strip_prefix("//").unwrap_or(rest);
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    if path == ":memory:" {
        return path.to_owned();
    }
    std::path::absolute(path).map_or_else(|_| path.to_owned(), |p| p.display().to_string())
}

/// A Retort URL in SQLAlchemy's form: `sqlite:////abs/path`,
/// `postgresql+psycopg2://...`, `mysql+pymysql://...`. Anything else is passed
/// as given (Alembic then says what is wrong with it).
fn sqlalchemy_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once(':') else {
        return url.to_owned();
    };
    match Backend::parse(scheme) {
        Some(Backend::Sqlite) => match sqlite_path(rest).as_str() {
            ":memory:" => "sqlite://".to_owned(),
            path => format!("sqlite:///{path}"),
        },
        Some(Backend::Postgres) => format!("postgresql+psycopg2:{rest}"),
        Some(Backend::Mysql) => format!("mysql+pymysql:{rest}"),
        None => url.to_owned(),
    }
}

/// A Retort URL in diesel_cli's form: SQLite, the plain file path; `postgres://`
/// and `mysql://` as they are.
fn diesel_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once(':') else {
        return url.to_owned();
    };
    match Backend::parse(scheme) {
        Some(Backend::Sqlite) => sqlite_path(rest),
        Some(Backend::Postgres) => format!("postgres:{rest}"),
        Some(Backend::Mysql) => format!("mysql:{rest}"),
        None => url.to_owned(),
    }
}

/// An Alembic project whose models are the benchmark's N tables.
///
/// `models.py`: SQLAlchemy Core `Table`s on one `MetaData`, the same schema as
/// the Rust models of [`crate::generate`] (server defaults `sa.true()`,
/// `sa.func.now()`, `sa.text("0")`; foreign keys with `sa.ForeignKey`; indexes
/// with `index=True`/`unique=True`, the two-column one with `sa.Index`), and a
/// naming convention that gives Retort's names (`ix_`, `uq_`, `pk_`, `fk_`); a
/// minimal `alembic.ini`; `migrations/env.py` (online mode on the URL given with
/// `-x url=...`; batch mode on SQLite, which cannot alter a column's type in
/// place); Alembic's generic `script.py.mako`; `migrations/versions/`.
pub struct AlembicProject {
    /// Its folder (absolute).
    dir: PathBuf,
    /// Its number of tables.
    n: usize,
}

impl AlembicProject {
    /// Writes the project of `n` tables in `dir`, with no revisions (any revision
    /// files already there are removed).
    pub fn write(dir: &Path, n: usize) -> std::io::Result<AlembicProject> {
        let project = AlembicProject {
            dir: std::path::absolute(dir)?,
            n,
        };
        let dir = &project.dir;
        write(&dir.join("alembic.ini"), ALEMBIC_INI)?;
        write(&dir.join("migrations/env.py"), ENV_PY)?;
        write(&dir.join("migrations/script.py.mako"), SCRIPT_PY_MAKO)?;
        std::fs::create_dir_all(project.versions())?;
        project.clear_versions()?;
        project.write_models(None)?;
        Ok(project)
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its revision files' folder, `migrations/versions`.
    pub fn versions(&self) -> PathBuf {
        self.dir.join("migrations/versions")
    }

    /// Writes `models.py` with table `i`'s `sa.String(100)` changed to
    /// `sa.String(120)` when `edited` (the edit the harness makes to the Rust
    /// model: `max_length` 100 → 120), as written by [`AlembicProject::write`]
    /// when not.
    pub fn edit(&self, i: usize, edited: bool) -> std::io::Result<()> {
        self.write_models(edited.then_some(i))
    }

    /// Removes every revision file (and `__pycache__`) of `migrations/versions`.
    pub fn clear_versions(&self) -> std::io::Result<()> {
        let versions = self.versions();
        for entry in std::fs::read_dir(&versions)? {
            let path = entry?.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
        Ok(())
    }

    /// `models.py`, table `edited` (if any) with its name 120 long. Python's
    /// cached bytecode of it is removed: an edit keeps the file's size and may
    /// keep its modification second, which is all the cache checks.
    fn write_models(&self, edited: Option<usize>) -> std::io::Result<()> {
        write(&self.dir.join("models.py"), &models_py(self.n, edited))?;
        match std::fs::remove_dir_all(self.dir.join("__pycache__")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The source of `models.py`: tables `0..n`, table `edited` with `String(120)`.
fn models_py(n: usize, edited: Option<usize>) -> String {
    let mut s = format!(
        r#""""The {n} tables of Retort's benchmark (generated by retort-bench)."""

import sqlalchemy as sa

# Retort's names of constraints and indexes.
metadata = sa.MetaData(
    naming_convention={{
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    }}
)
"#
    );
    for i in 0..n {
        let t = table(i);
        let length = if edited == Some(i) { 120 } else { 100 };
        let name_index = if i.is_multiple_of(5) {
            "unique=True"
        } else {
            "index=True"
        };
        let price_nullable = if i.is_multiple_of(2) { "False" } else { "True" };
        let _ = write!(
            s,
            r#"
{t} = sa.Table(
    "{t}",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.String({length}), nullable=False, {name_index}),
    sa.Column("body", sa.Text, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime, nullable=True, server_default=sa.func.now()),
    sa.Column("price", sa.Numeric(10, 2), nullable={price_nullable}),
    sa.Column("quantity", sa.Integer, nullable=False, server_default=sa.text("0")),
"#
        );
        if let Some(p) = parent(i) {
            let _ = writeln!(
                s,
                r#"    sa.Column("parent_id", sa.BigInteger, sa.ForeignKey("{}.id"), nullable=True, index=True),"#,
                table(p)
            );
        }
        if i.is_multiple_of(3) {
            let _ = writeln!(
                s,
                r#"    sa.Index("ix_{t}_created_at_active", "created_at", "active"),"#
            );
        }
        s.push_str(")\n");
    }
    s
}

/// `alembic.ini`: where the scripts are, and the project folder on `sys.path`
/// (for `models.py`).
const ALEMBIC_INI: &str = "\
# Generated by retort-bench.
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
";

/// `env.py`: online mode only, on the URL of `-x url=...`.
const ENV_PY: &str = r#""""Alembic's environment of the benchmark project (generated by retort-bench)."""

import sqlalchemy as sa
from alembic import context

from models import metadata

url = context.get_x_argument(as_dictionary=True).get("url")
if not url:
    raise SystemExit("pass the database with -x url=...")

engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters a column by copying its table.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
"#;

/// Alembic's `generic` template's `script.py.mako`.
const SCRIPT_PY_MAKO: &str = r#""""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
"#;

/// diesel_cli migrations equivalent to the harness's `small` small revisions at
/// N tables, for one backend: `migrations/<version>_small_<k>/{up,down}.sql`, the
/// versions in the harness's order, and a `diesel.toml` beside `migrations` that
/// names no schema file.
pub struct DieselMigrations {
    /// Its folder (absolute): `diesel.toml` and `migrations/`.
    dir: PathBuf,
}

impl DieselMigrations {
    /// Writes, in `dir`, small revisions `1..=small` at `n` tables: revision `k`
    /// adds the nullable INTEGER column `extra_{k}` to table `(k * 37) % n`, its
    /// down drops it. Migration folders already there are removed.
    pub fn write(
        dir: &Path,
        n: usize,
        small: usize,
        backend: Backend,
    ) -> std::io::Result<DieselMigrations> {
        let migrations = DieselMigrations {
            dir: std::path::absolute(dir)?,
        };
        write(&migrations.config(), DIESEL_TOML)?;
        let root = migrations.migrations();
        match std::fs::remove_dir_all(&root) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let quote = |name: &str| match backend {
            Backend::Mysql => format!("`{name}`"),
            Backend::Sqlite | Backend::Postgres => format!("\"{name}\""),
        };
        for k in 1..=small {
            let folder = root.join(diesel_folder(k));
            let t = quote(&table((k * 37) % n));
            let c = quote(&format!("extra_{k}"));
            write(
                &folder.join("up.sql"),
                &format!("ALTER TABLE {t} ADD COLUMN {c} INTEGER;\n"),
            )?;
            write(
                &folder.join("down.sql"),
                &format!("ALTER TABLE {t} DROP COLUMN {c};\n"),
            )?;
        }
        Ok(migrations)
    }

    /// Its folder (the working directory of [`Peers::diesel`]).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The migrations folder, `migrations`.
    pub fn migrations(&self) -> PathBuf {
        self.dir.join("migrations")
    }

    /// Its `diesel.toml`.
    pub fn config(&self) -> PathBuf {
        self.dir.join("diesel.toml")
    }
}

/// The folder of small revision `k`: diesel orders migrations by the version
/// before the first `_`, as strings; fixed-width digits keep the harness's order.
fn diesel_folder(k: usize) -> String {
    format!("20260101{k:06}_small_{k}")
}

/// `diesel.toml`: no `[print_schema] file`, so `migration run`/`revert` write no
/// `schema.rs`.
const DIESEL_TOML: &str = "\
# Generated by retort-bench: migrations only, no schema.rs.
[migrations_directory]
dir = \"migrations\"
";

#[cfg(test)]
mod tests {
    //! `cargo test -p retort-bench --release -- --ignored peers`: installs the
    //! peers (minutes, the first time) and drives them at 10 tables on SQLite and,
    //! when reachable, PostgreSQL and MariaDB/MySQL (`RETORT_BENCH_POSTGRES_URL`,
    //! `RETORT_BENCH_MYSQL_URL`, as the harness).

    use super::*;
    use crate::db::Server;
    use std::time::Instant;

    const N: usize = 10;
    const SMALL: usize = 20;

    /// The repository's `target/bench`.
    fn bench_root() -> PathBuf {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the repository");
        repo.join("target/bench")
    }

    /// Runs `cmd`, printing it with its time; its stdout, or why it failed.
    fn run(what: &str, cmd: &mut Command) -> Result<String> {
        let started = Instant::now();
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{what}: {e}"))?;
        let wall = started.elapsed();
        eprintln!("  {:>8.1} ms  {what}", wall.as_secs_f64() * 1000.0);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(stdout)
        } else {
            Err(format!(
                "{what} failed ({}):\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// The revision files of `project`.
    fn revisions(project: &AlembicProject) -> Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(project.versions())
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .collect();
        files.sort();
        Ok(files)
    }

    /// The body of `def upgrade()` of a revision file.
    fn upgrade_body(text: &str) -> &str {
        let start = text.find("def upgrade()").unwrap_or(0);
        let end = text.find("def downgrade()").unwrap_or(text.len());
        &text[start..end]
    }

    /// The servers to try: SQLite always, the others when reachable.
    fn servers() -> Vec<Server> {
        let root = bench_root().join("peers-test");
        let mut servers = vec![Server::sqlite(&root.join("sqlite")).expect("sqlite folder")];
        let postgres = std::env::var("RETORT_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let mysql = std::env::var("RETORT_BENCH_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned());
        for (backend, url) in [(Backend::Postgres, postgres), (Backend::Mysql, mysql)] {
            match Server::remote(backend, &url) {
                Ok(server) => servers.push(server),
                Err(e) => eprintln!("{}: skipped ({e})", backend.name()),
            }
        }
        servers
    }

    fn alembic_on(peers: &Peers, server: &mut Server) -> Result<()> {
        let name = format!("retort_peers_alembic_{}", server.name());
        let url = server.fresh(&name)?;
        let dir = bench_root().join(format!("peers-test/alembic-{}", server.name()));
        let project = AlembicProject::write(&dir, N).map_err(|e| e.to_string())?;
        let alembic = |args: &[&str]| {
            run(
                &format!("{}: alembic {}", server.name(), args.join(" ")),
                &mut peers.alembic(&project, &url, args),
            )
        };

        alembic(&["revision", "--autogenerate", "-m", "initial"])?;
        let files = revisions(&project)?;
        let initial = std::fs::read_to_string(&files[0]).map_err(|e| e.to_string())?;
        assert_eq!(files.len(), 1);
        assert_eq!(initial.matches("op.create_table(").count(), N);
        alembic(&["upgrade", "head"])?;
        alembic(&["current"])?;
        // Nothing changed: nothing to generate.
        alembic(&["check"])?;

        project.edit(N / 2, true).map_err(|e| e.to_string())?;
        assert!(alembic(&["check"]).is_err(), "the edit is seen");
        alembic(&["revision", "--autogenerate", "-m", "edit"])?;
        let files = revisions(&project)?;
        assert_eq!(files.len(), 2);
        let edit = files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap_or_default())
            .find(|t| t.contains("Revises: ") && !t.contains("Revises: \n"))
            .ok_or("no edit revision")?;
        eprintln!("--- the edit revision's upgrade:\n{}", upgrade_body(&edit));
        let ops: Vec<&str> = upgrade_body(&edit)
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("op.") || l.starts_with("batch_op."))
            .collect();
        assert_eq!(ops.len(), 1, "{ops:?}");
        assert!(ops[0].contains("alter_column('name'") || ops[0].contains("'t0005', 'name'"));
        assert!(upgrade_body(&edit).contains("String(length=120)"));
        alembic(&["upgrade", "head"])?;
        alembic(&["check"])?;
        alembic(&["downgrade", "-1"])?;
        // Back to the initial revision, models and database: nothing to generate.
        project.edit(N / 2, false).map_err(|e| e.to_string())?;
        let edit_file = revisions(&project)?
            .into_iter()
            .find(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains("String(length=120)")))
            .ok_or("no edit revision")?;
        std::fs::remove_file(&edit_file).map_err(|e| e.to_string())?;
        alembic(&["check"])?;
        let base = alembic(&["downgrade", "base"]);
        if server.backend == Backend::Mysql {
            // The autogenerated downgrade drops a table's indexes before the table,
            // and MySQL keeps an index a foreign key needs: error 1553.
            let error = base.expect_err("MySQL refuses the generated downgrade");
            assert!(error.contains("1553"), "{error}");
        } else {
            base?;
        }
        server.drop(&name);
        Ok(())
    }

    fn diesel_on(peers: &Peers, server: &mut Server) -> Result<()> {
        let name = format!("retort_peers_diesel_{}", server.name());
        let url = server.fresh(&name)?;
        let root = bench_root().join(format!("peers-test/diesel-{}", server.name()));
        let script = root.join("tables.sql");
        let tables: String = (0..N)
            .map(|i| format!("CREATE TABLE {} (id BIGINT PRIMARY KEY);\n", table(i)))
            .collect();
        write(&script, &tables).map_err(|e| e.to_string())?;
        let (mut client, stdin) = server.client(&url, &script);
        if let Some(stdin) = stdin {
            let file = std::fs::File::open(stdin).map_err(|e| e.to_string())?;
            client.stdin(file);
        }
        let out = client.output().map_err(|e| e.to_string())?;
        assert!(out.status.success(), "{out:?}");
        let migrations = DieselMigrations::write(&root.join("project"), N, SMALL, server.backend)
            .map_err(|e| e.to_string())?;
        let diesel = |args: &[&str]| {
            run(
                &format!("{}: diesel {}", server.name(), args.join(" ")),
                &mut peers.diesel(&migrations, &url, args),
            )
        };
        let ran = diesel(&["migration", "run"])?;
        assert_eq!(ran.matches("Running migration").count(), SMALL, "{ran}");
        let listed = diesel(&["migration", "list"])?;
        assert_eq!(listed.matches("[X]").count(), SMALL, "{listed}");
        eprintln!("--- diesel migration list:\n{listed}");
        diesel(&["migration", "pending"])?;
        let reverted = diesel(&["migration", "revert", "--all"])?;
        assert_eq!(
            reverted.matches("Rolling back").count(),
            SMALL,
            "{reverted}"
        );
        let listed = diesel(&["migration", "list"])?;
        assert_eq!(listed.matches("[ ]").count(), SMALL, "{listed}");
        diesel(&["migration", "run"])?;
        server.drop(&name);
        Ok(())
    }

    /// The peers, `install` of which ones (`Peers::install` does both).
    fn peers(install: fn(&Peers) -> Result<()>) -> Peers {
        let peers = Peers::at(&bench_root().join("peers")).unwrap_or_else(|e| panic!("{e}"));
        install(&peers).unwrap_or_else(|e| panic!("{e}"));
        peers
    }

    #[test]
    fn urls() {
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(sqlalchemy_url("sqlite:///a/b.db"), "sqlite:////a/b.db");
        assert_eq!(
            sqlalchemy_url("sqlite://b.db"),
            format!("sqlite:///{}", cwd.join("b.db").display())
        );
        assert_eq!(sqlalchemy_url("sqlite::memory:"), "sqlite://");
        assert_eq!(
            sqlalchemy_url("postgres://u:p%40x@h:5432/d"),
            "postgresql+psycopg2://u:p%40x@h:5432/d"
        );
        assert_eq!(
            sqlalchemy_url("mariadb://root@h:3306/d"),
            "mysql+pymysql://root@h:3306/d"
        );
        assert_eq!(diesel_url("sqlite:///a/b.db?mode=rwc"), "/a/b.db");
        assert_eq!(diesel_url("postgresql://h/d"), "postgres://h/d");
        assert_eq!(diesel_url("mariadb://h/d"), "mysql://h/d");
    }

    #[test]
    fn diesel_orders_as_the_harness() {
        let folders: Vec<String> = (1..=200).map(diesel_folder).collect();
        let mut sorted = folders.clone();
        sorted.sort();
        assert_eq!(folders, sorted);
        assert_eq!(folders[0], "20260101000001_small_1");
    }

    #[test]
    fn models_py_edits_one_table() {
        let plain = models_py(10, None);
        let edited = models_py(10, Some(5));
        assert_eq!(plain.matches("sa.Table(").count(), 10);
        assert_eq!(plain.matches("sa.String(120)").count(), 0);
        assert_eq!(edited.matches("sa.String(120)").count(), 1);
        assert_eq!(plain.len(), edited.len());
        let t0005 = &edited[edited.find("t0005 = ").expect("t0005")..];
        assert!(t0005[..t0005.find(")\n\n").unwrap_or(t0005.len())].contains("String(120)"));
    }

    #[test]
    #[ignore = "installs Alembic, uses the database servers"]
    fn peers_alembic_at_10_tables() {
        let peers = peers(Peers::install_alembic);
        for mut server in servers() {
            alembic_on(&peers, &mut server).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    #[ignore = "installs diesel_cli, uses the database servers"]
    fn peers_diesel_at_10_tables() {
        let peers = peers(Peers::install_diesel);
        for mut server in servers() {
            // diesel_cli is built without MySQL.
            if server.backend != Backend::Mysql {
                diesel_on(&peers, &mut server).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
}
