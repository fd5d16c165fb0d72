//! `cargo run -p retort-bench --release`: Retort at 100 and 1000 tables on SQLite,
//! PostgreSQL and MariaDB, each figure next to the database's own client doing the
//! same work where there is one. `--smoke` (10 tables, one run) keeps the harness
//! from rotting in CI. See BENCHMARKS.md.
//!
//! Every figure is a whole process (start-up included), timed from spawn to exit,
//! with its peak resident memory; median, min and max over `--runs` runs.

mod bulk;
mod db;
mod generate;
mod measure;
mod peers;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{Parser, Subcommand};
use retort::Backend;

use db::{Result, Server};
use generate::Workspace;
use measure::{fmt_bytes, fmt_duration, Run, Stats};

/// Retort's benchmark harness.
#[derive(Debug, Parser)]
#[command(name = "retort-bench")]
struct Args {
    /// A worker step (used by the harness itself).
    #[command(subcommand)]
    worker: Option<Worker>,
    /// 10 tables, one run, few rows: checks that every step works, quickly.
    #[arg(long)]
    smoke: bool,
    /// Numbers of tables.
    #[arg(long, value_delimiter = ',', default_values_t = [100, 1000])]
    sizes: Vec<usize>,
    /// Runs per figure.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Databases.
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_owned(), "postgres".to_owned(), "mysql".to_owned()])]
    databases: Vec<String>,
    /// Rows of the bulk insert.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// Skip the build-time figures (each build of 1000 tables takes minutes).
    #[arg(long)]
    no_build_times: bool,
    /// Only the edit loop (edit → revision written → applied, and the peers' with
    /// `--peers`) and `check`: a few minutes, for measuring a change to the derive.
    #[arg(long)]
    edit_loop_only: bool,
    /// Small revisions applied and reverted.
    #[arg(long, default_value_t = 200)]
    small: usize,
    /// The server databases are created on.
    #[arg(
        long,
        env = "RETORT_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// The MariaDB/MySQL server databases are created on.
    #[arg(
        long,
        env = "RETORT_BENCH_MYSQL_URL",
        default_value = "mysql://root@127.0.0.1:3306/test"
    )]
    mysql_url: String,
    /// Also run the peers, interleaved with Retort run by run: Alembic 1.20.1 (the
    /// edit loop, `check`) and diesel_cli 2.3.14 (small revisions, `migration
    /// list`), installed under target/bench/peers on first use (pip, cargo install).
    #[arg(long)]
    peers: bool,
    /// Also time diesel's own build at 32, 64 and 128 columns per table (its
    /// `N-column-tables` features, which retort's `64-column-tables` and
    /// `128-column-tables` turn on for wide models): about 10 minutes and 11 GB
    /// of memory for the 128 build on a 2-core machine.
    #[arg(long)]
    diesel_widths: bool,
    /// Also write the report here (default: target/bench/results.md).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Worker {
    /// Create the bulk table and insert rows with `op.bulk_insert` (one process).
    BulkInsert(bulk::BulkArgs),
    /// Run a command and print its wall time, peak memory and exit code.
    Measure(measure::MeasureArgs),
}

/// One line of the report.
struct Line {
    n: Option<usize>,
    database: &'static str,
    work: String,
    result: std::result::Result<Stats, String>,
    queries: Option<usize>,
    limit: Option<(String, std::result::Result<Stats, String>)>,
    /// The same work done by a peer tool (`--peers`).
    peer: Option<(String, std::result::Result<Stats, String>)>,
}

struct Bench {
    args: Args,
    ws: Workspace,
    profile: &'static str,
    servers: Vec<Server>,
    lines: Vec<Line>,
    /// Failures that are the expected clean stop at PostgreSQL's lock limit.
    expected_stops: usize,
    /// Alembic and diesel_cli, with `--peers`.
    peers: Option<peers::Peers>,
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    let worker = match &args.worker {
        Some(Worker::BulkInsert(bulk)) => Some(bulk::run(bulk)),
        Some(Worker::Measure(measure)) => Some(measure::helper(measure).map_err(|e| e.to_string())),
        None => None,
    };
    if let Some(result) = worker {
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.smoke {
        args.sizes = vec![10];
        args.runs = 1;
        args.rows = 1_000;
        args.small = 20;
    }
    match bench(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(args: Args) -> Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the repository")?
        .to_path_buf();
    let root = repo.join("target/bench");
    let ws = Workspace {
        dir: root.join("ws"),
        target: root.join("target"),
        repo,
    };
    let mut servers = Vec::new();
    for name in &args.databases {
        servers.push(match name.as_str() {
            "sqlite" => Server::sqlite(&root.join("sqlite"))?,
            "postgres" => Server::remote(Backend::Postgres, &args.postgres_url)
                .map_err(|e| format!("PostgreSQL at {}: {e}", args.postgres_url))?,
            "mysql" => Server::remote(Backend::Mysql, &args.mysql_url)
                .map_err(|e| format!("MariaDB at {}: {e}", args.mysql_url))?,
            other => {
                return Err(format!(
                    "--databases: unknown database `{other}` (sqlite, postgres, mysql)"
                ))
            }
        });
    }
    let profile = if args.smoke { "dev" } else { "release" };
    let peers = if args.peers {
        Some(peers::Peers::install(&root.join("peers"))?)
    } else {
        None
    };
    let mut bench = Bench {
        args,
        ws,
        profile,
        servers,
        lines: Vec::new(),
        expected_stops: 0,
        peers,
    };
    bench.prepare()?;
    for n in bench.args.sizes.clone() {
        bench.size(n)?;
    }
    if !bench.args.edit_loop_only {
        bench.bulk()?;
    }
    if bench.args.diesel_widths {
        bench.diesel_widths(&root.join("widths"))?;
    }
    let report = bench.report();
    print!("{report}");
    let out = bench
        .args
        .out
        .clone()
        .unwrap_or_else(|| root.join("results.md"));
    std::fs::write(&out, &report).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("report written to {}", out.display());
    let failed = bench
        .lines
        .iter()
        .filter(|l| l.result.is_err() || matches!(l.limit, Some((_, Err(_)))))
        .count()
        .saturating_sub(bench.expected_stops);
    if failed > 0 {
        return Err(format!("{failed} figure(s) failed; see the report"));
    }
    Ok(())
}

impl Bench {
    /// Writes the generated workspace with empty versions folders and builds it
    /// once (dependencies included), untimed.
    fn prepare(&mut self) -> Result<()> {
        self.ws
            .write(&self.args.sizes)
            .map_err(|e| format!("{}: {e}", self.ws.dir.display()))?;
        for &n in &self.args.sizes {
            clear_versions(&self.ws.versions(n))?;
        }
        let packages: Vec<String> = self
            .args
            .sizes
            .iter()
            .map(|&n| generate::migrator_package(n))
            .collect();
        eprintln!(
            "building the generated workspace ({})…",
            packages.join(", ")
        );
        self.cargo_build(&packages)?;
        if !self.args.no_build_times && !self.args.edit_loop_only {
            // The dependencies of the reference crates, each with its features.
            for package in [
                generate::models_package(generate::WARM),
                generate::app_package(generate::WARM),
                generate::plain_package(generate::WARM),
                generate::diesel_package(generate::WARM),
            ] {
                self.reference_build(&package)?;
            }
        }
        Ok(())
    }

    fn cargo(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(args)
            .current_dir(&self.ws.dir)
            .env("CARGO_TARGET_DIR", &self.ws.target)
            .env_remove("RUSTFLAGS");
        cmd
    }

    fn cargo_build(&self, packages: &[String]) -> Result<Run> {
        self.cargo_build_as(self.profile, packages)
    }

    fn cargo_build_as(&self, profile: &str, packages: &[String]) -> Result<Run> {
        let mut args = vec!["build", "--quiet", "--profile", profile];
        for p in packages {
            args.extend(["-p", p.as_str()]);
        }
        let run = measure::run(&mut self.cargo(&args), None).map_err(|e| format!("cargo: {e}"))?;
        if !run.ok() {
            return Err(format!("cargo build failed:\n{}", run.stderr));
        }
        Ok(run)
    }

    fn binary(&self, n: usize) -> PathBuf {
        let dir = if self.profile == "dev" {
            "debug"
        } else {
            self.profile
        };
        self.ws.target.join(dir).join(generate::migrator_package(n))
    }

    fn record(
        &mut self,
        n: Option<usize>,
        database: &'static str,
        work: &str,
        result: std::result::Result<Stats, String>,
    ) -> usize {
        if let Err(e) = &result {
            eprintln!("  {work} on {database}: FAILED: {e}");
        }
        self.lines.push(Line {
            n,
            database,
            work: work.to_owned(),
            result,
            queries: None,
            limit: None,
            peer: None,
        });
        self.lines.len() - 1
    }

    /// Everything measured at `n` tables.
    fn size(&mut self, n: usize) -> Result<()> {
        eprintln!("== {n} tables ==");
        if !self.args.no_build_times && !self.args.edit_loop_only {
            self.build_times(n)?;
        }
        let bin = self.binary(n);
        let initial = initial_id(n);

        // 2. autogenerate against an empty database.
        for s in 0..self.servers.len() {
            let db = format!("retort_bench_{n}_autogen");
            let versions = self.ws.versions(n);
            let server = &mut self.servers[s];
            let r = measured(self.args.runs, || {
                let url = server.fresh(&db)?;
                let run = exec(
                    &bin,
                    &url,
                    &["autogenerate", "-m", "initial", "--rev-id", &initial],
                )?;
                clear_versions(&versions)?;
                Ok(Ok(run))
            })?;
            let name = self.servers[s].name();
            let i = self.record(Some(n), name, "autogenerate, empty database", r);
            let url = self.servers[s].fresh(&db)?;
            self.lines[i].queries = Some(count_sql(
                &bin,
                &url,
                &["autogenerate", "-m", "initial", "--rev-id", &initial],
            )?);
            clear_versions(&self.ws.versions(n))?;
            self.servers[s].drop(&db);
        }

        // The revision of all N tables, written by autogenerate and compiled in.
        let url = self.servers[0].fresh("retort_bench_initial")?;
        let run = exec(
            &bin,
            &url,
            &["autogenerate", "-m", "initial", "--rev-id", &initial],
        )?;
        if !run.ok() {
            return Err(format!("autogenerate failed: {}", run.stderr));
        }
        self.servers[0].drop("retort_bench_initial");
        self.build_revisions(n, &format!("with the {n}-table revision"))?;
        if !self.args.no_build_times {
            self.edit_loop(n)?;
        }
        if self.args.edit_loop_only {
            return Ok(());
        }

        for s in 0..self.servers.len() {
            self.one_revision(n, s)?;
        }

        // 5. small revisions up and down again.
        let versions = self.ws.versions(n);
        let mut parent = initial.clone();
        for k in 1..=self.args.small {
            let (file, text) = generate::small_revision(k, n, &parent);
            generate::write(&versions.join(file), &text).map_err(|e| e.to_string())?;
            parent = generate::small_id(k);
        }
        self.build_revisions(
            n,
            &format!("after adding {} small revisions", self.args.small),
        )?;
        // One more on top: what a user waits for after `revision`.
        let k = self.args.small + 1;
        let (file, text) = generate::small_revision(k, n, &parent);
        let one_more = versions.join(file);
        generate::write(&one_more, &text).map_err(|e| e.to_string())?;
        self.build_revisions(
            n,
            &format!("after adding one more revision to {}", self.args.small),
        )?;
        std::fs::remove_file(&one_more).map_err(|e| format!("{}: {e}", one_more.display()))?;
        self.build_revisions_untimed(n)?;
        for s in 0..self.servers.len() {
            self.small_revisions(n, s, &initial)?;
        }
        clear_versions(&versions)?;
        Ok(())
    }

    /// The migrations binary built after its versions folder changed, in the
    /// bench's profile and in dev (`cargo run`'s), each timed; `what` says what changed.
    fn build_revisions(&mut self, n: usize, what: &str) -> Result<()> {
        let package = [generate::migrator_package(n)];
        let mut profiles = vec![self.profile];
        if self.profile != "dev" {
            profiles.push("dev");
        }
        for profile in profiles {
            let build = self.cargo_build_as(profile, &package)?;
            self.record(
                Some(n),
                "-",
                &format!("build: migrations binary {what} ({profile})"),
                Ok(Stats::of(&[build])),
            );
        }
        Ok(())
    }

    /// Both profiles brought up to date with the versions folder, untimed.
    fn build_revisions_untimed(&self, n: usize) -> Result<()> {
        let package = [generate::migrator_package(n)];
        self.cargo_build(&package)?;
        if self.profile != "dev" {
            self.cargo_build_as("dev", &package)?;
        }
        Ok(())
    }

    /// The edit loop as a user runs it (dev profile, `cargo run`): one column of one
    /// model changed, then `autogenerate` (which builds first), then `upgrade head`
    /// (which builds the new revision in first); on the first database, at head.
    /// Each run is undone (downgrade, file removed, model restored) untimed.
    fn edit_loop(&mut self, n: usize) -> Result<()> {
        let package = generate::migrator_package(n);
        let db = format!("retort_bench_{n}_edit");
        let url = self.servers[0].fresh(&db)?;
        let name = self.servers[0].name();
        let run = exec(&self.binary(n), &url, &["upgrade", "head"])?;
        if !run.ok() {
            return Err(format!(
                "upgrade head for the edit loop: {}",
                first_line(&run)
            ));
        }
        // `dynamic`: with the crate's `dynamic-linking` feature, as the `retort`
        // tool runs it; else a plain `cargo run`, Retort linked into the binary.
        let dev_with = |dynamic: bool, args: &[&str]| {
            let mut all = vec!["run", "--quiet", "-p", package.as_str()];
            if dynamic {
                all.extend(["--features", "dynamic-linking"]);
            }
            all.extend(["--", "--url", url.as_str()]);
            all.extend_from_slice(args);
            all.into_iter().map(str::to_owned).collect::<Vec<String>>()
        };
        let cargo_run = |bench: &Self, args: &[String]| -> Result<Run> {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            measure::run(&mut bench.cargo(&args), None).map_err(|e| format!("cargo: {e}"))
        };
        // Warm: the dev builds of everything, untimed.
        for dynamic in [true, false] {
            let warm = cargo_run(self, &dev_with(dynamic, &["current"]))?;
            if !warm.ok() {
                return Err(format!("dev build: {}", warm.stderr));
            }
        }
        let file = self.ws.model_file(n, n / 2);
        let original = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        let model = format!("pub struct T{:04} {{", n / 2);
        let at = original.find(&model).ok_or("the edited model")?;
        let mut alembic = self.alembic_at_head(n)?;
        if let Some(a) = &mut alembic {
            // Comparing models and database with nothing to do, side by side.
            let bin = self.binary(n);
            let (mut mine, mut theirs) = (Vec::new(), Vec::new());
            for _ in 0..self.args.runs {
                mine.push(succeeded(exec(&bin, &url, &["check"])?, "check")?);
                theirs.push(a.run(self, &["check"])?);
            }
            let i = self.record(
                Some(n),
                name,
                "check: models against the database, no changes",
                Ok(Stats::of(&mine)),
            );
            self.lines[i].peer = Some(("alembic check".to_owned(), Ok(Stats::of(&theirs))));
        }
        // [dynamic, static] × [written, applied]
        let mut retort: [[Vec<Run>; 2]; 2] = Default::default();
        let (mut alembic_written, mut alembic_applied) = (Vec::new(), Vec::new());
        for _ in 0..self.args.runs.min(3) {
            for (k, dynamic) in [true, false].into_iter().enumerate() {
                let edited = original[..at].to_owned()
                    + &original[at..].replacen("max_length = 100", "max_length = 120", 1);
                std::fs::write(&file, &edited).map_err(|e| e.to_string())?;
                let run = cargo_run(self, &dev_with(dynamic, &["autogenerate", "-m", "edit"]))?;
                if !run.ok() || !run.stdout.contains("Generating") {
                    return Err(format!(
                        "edit loop autogenerate: {}{}",
                        run.stdout, run.stderr
                    ));
                }
                retort[k][0].push(run);
                let run = cargo_run(self, &dev_with(dynamic, &["upgrade", "head"]))?;
                if !run.ok() || !run.stdout.contains("1 revision applied") {
                    return Err(format!("edit loop upgrade: {}{}", run.stdout, run.stderr));
                }
                retort[k][1].push(run);
                // Undone, untimed.
                let undo = cargo_run(self, &dev_with(dynamic, &["downgrade", "-1"]))?;
                if !undo.ok() {
                    return Err(format!("edit loop downgrade: {}", undo.stderr));
                }
                for entry in std::fs::read_dir(self.ws.versions(n)).map_err(|e| e.to_string())? {
                    let path = entry.map_err(|e| e.to_string())?.path();
                    if path.to_string_lossy().ends_with("_edit.rs") {
                        std::fs::remove_file(&path).map_err(|e| e.to_string())?;
                    }
                }
                std::fs::write(&file, &original).map_err(|e| e.to_string())?;
            }
            if let Some(a) = &mut alembic {
                // The same edit made to the SQLAlchemy model, then undone untimed.
                a.project.edit(n / 2, true).map_err(|e| e.to_string())?;
                let run = a.run(self, &["revision", "--autogenerate", "-m", "edit"])?;
                if !run.stdout.contains("Generating") && !run.stderr.contains("Generating") {
                    return Err(format!("alembic revision: {}{}", run.stdout, run.stderr));
                }
                alembic_written.push(run);
                alembic_applied.push(a.run(self, &["upgrade", "head"])?);
                a.run(self, &["downgrade", "-1"])?;
                for entry in std::fs::read_dir(a.project.versions()).map_err(|e| e.to_string())? {
                    let path = entry.map_err(|e| e.to_string())?.path();
                    if path.to_string_lossy().ends_with("_edit.py") {
                        std::fs::remove_file(&path).map_err(|e| e.to_string())?;
                    }
                }
                a.project.edit(n / 2, false).map_err(|e| e.to_string())?;
            }
        }
        // Rebuilt as the other figures run it: without the feature. (In `--smoke`,
        // a dev run, both builds write the same executable, and the dynamic one
        // run directly would load whichever library the environment finds.)
        let rebuild = cargo_run(self, &dev_with(false, &["current"]))?;
        if !rebuild.ok() {
            return Err(format!("dev build after the edit loop: {}", rebuild.stderr));
        }
        self.servers[0].drop(&db);
        let [dynamic, linked] = retort;
        for (runs, how) in [
            (
                dynamic,
                "cargo run --features dynamic-linking, as `retort` runs it",
            ),
            (linked, "cargo run, Retort linked into the binary"),
        ] {
            let [written, applied] = runs;
            let i = self.record(
                Some(n),
                name,
                &format!(
                    "edit loop: one column changed → revision written (autogenerate; {how}; dev)"
                ),
                Ok(Stats::of(&written)),
            );
            let j = self.record(
                Some(n),
                name,
                &format!("edit loop: revision written → applied (upgrade head; {how}; dev)"),
                Ok(Stats::of(&applied)),
            );
            if alembic.is_some() {
                self.lines[i].peer = Some((
                    "alembic revision --autogenerate".to_owned(),
                    Ok(Stats::of(&alembic_written)),
                ));
                self.lines[j].peer = Some((
                    "alembic upgrade head".to_owned(),
                    Ok(Stats::of(&alembic_applied)),
                ));
            }
        }
        if let Some(a) = alembic {
            self.servers[0].drop(&a.database);
        }
        Ok(())
    }

    /// With `--peers`: the Alembic project of `n` tables on a fresh database of the
    /// first server, its initial revision autogenerated and applied (untimed).
    fn alembic_at_head(&mut self, n: usize) -> Result<Option<Alembic>> {
        if self.peers.is_none() {
            return Ok(None);
        }
        let dir = self
            .ws
            .dir
            .with_file_name("peers")
            .join(format!("alembic_{n}"));
        let project =
            peers::AlembicProject::write(&dir, n).map_err(|e| format!("{}: {e}", dir.display()))?;
        let database = format!("retort_bench_{n}_alembic");
        let url = self.servers[0].fresh(&database)?;
        let alembic = Alembic {
            project,
            url,
            database,
        };
        alembic.run(self, &["revision", "--autogenerate", "-m", "initial"])?;
        alembic.run(self, &["upgrade", "head"])?;
        Ok(Some(alembic))
    }

    /// 8. The generated crates built clean, and again after one model file changed.
    fn build_times(&mut self, n: usize) -> Result<()> {
        let models = generate::models_package(n);
        let migrator = generate::migrator_package(n);
        let mut clean = Vec::new();
        let mut touched = Vec::new();
        for _ in 0..self.args.runs.min(2) {
            let run = measure::run(
                &mut self.cargo(&[
                    "clean",
                    "--quiet",
                    "--profile",
                    self.profile,
                    "-p",
                    &models,
                    "-p",
                    &migrator,
                ]),
                None,
            )
            .map_err(|e| e.to_string())?;
            if !run.ok() {
                return Err(format!("cargo clean: {}", run.stderr));
            }
            clean.push(self.cargo_build(std::slice::from_ref(&migrator))?);
            let file = self.ws.model_file(n, n / 2);
            std::fs::File::options()
                .append(true)
                .open(&file)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()))
                .map_err(|e| format!("{}: {e}", file.display()))?;
            touched.push(self.cargo_build(std::slice::from_ref(&migrator))?);
        }
        self.record(
            Some(n),
            "-",
            "build: models + migrations crate, clean",
            Ok(Stats::of(&clean)),
        );
        self.reference_builds(n)?;
        self.record(
            Some(n),
            "-",
            "build: after touching one model file",
            Ok(Stats::of(&touched)),
        );
        Ok(())
    }

    /// The models crate as the migrations binary compiles it (metadata only) next
    /// to the floor (the same structs with only `#[derive(Debug)]`), and as an
    /// application that queries compiles it (`diesel-tables` on) next to diesel's
    /// own `print-schema` output for the same tables. One clean build each.
    fn reference_builds(&mut self, n: usize) -> Result<()> {
        let clean_build = |bench: &Self, packages: &[String]| -> Result<Run> {
            let mut args = vec!["clean", "--quiet", "--profile", bench.profile];
            for p in packages {
                args.extend(["-p", p.as_str()]);
            }
            let run = measure::run(&mut bench.cargo(&args), None).map_err(|e| e.to_string())?;
            if !run.ok() {
                return Err(format!("cargo clean: {}", run.stderr));
            }
            bench.reference_build(&packages[packages.len() - 1])
        };
        let models = generate::models_package(n);
        let floor = clean_build(self, &[generate::plain_package(n)])?;
        let metadata = clean_build(self, std::slice::from_ref(&models))?;
        let i = self.record(
            Some(n),
            "-",
            "build: models crate as migrations compile it (metadata only), clean",
            Ok(Stats::of(&[metadata])),
        );
        self.lines[i].limit = Some((
            "the same structs, #[derive(Debug)] only".to_owned(),
            Ok(Stats::of(&[floor])),
        ));
        let schema = clean_build(self, &[generate::diesel_package(n)])?;
        let app = clean_build(self, &[models, generate::app_package(n)])?;
        let i = self.record(
            Some(n),
            "-",
            "build: models crate with diesel-tables (an app that queries), clean",
            Ok(Stats::of(&[app])),
        );
        self.lines[i].limit = Some((
            "diesel print-schema's table!/joinable!/allow_tables…".to_owned(),
            Ok(Stats::of(&[schema])),
        ));
        // The metadata-only models again, untimed, for the builds timed next.
        self.cargo_build(&[generate::migrator_package(n)])?;
        Ok(())
    }

    /// Diesel itself (with the three backends and chrono, as Retort builds it)
    /// compiled at each column width, in its own scratch crate: the one-time cost
    /// of a wide model's diesel table, next to the default 32.
    fn diesel_widths(&mut self, dir: &Path) -> Result<()> {
        eprintln!("== diesel at 32, 64, 128 columns per table ==");
        let mut base = None;
        for width in [32, 64, 128] {
            let krate = dir.join(format!("diesel{width}"));
            generate::write(
                &krate.join("Cargo.toml"),
                &format!(
                    "[package]\nname = \"diesel{width}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                     [dependencies]\ndiesel = {{ version = \"2.3\", default-features = false, features = \
                     [\"chrono\", \"sqlite\", \"postgres\", \"mysql\", \"{width}-column-tables\"] }}\n\
                     libsqlite3-sys = {{ version = \"0.38\", features = [\"bundled\"] }}\n\n[workspace]\n"
                ),
            )
            .map_err(|e| format!("{}: {e}", krate.display()))?;
            generate::write(&krate.join("src/lib.rs"), "pub use diesel;\n")
                .map_err(|e| format!("{}: {e}", krate.display()))?;
            let cargo = |args: &[&str]| -> Result<Run> {
                let mut cmd = Command::new(env!("CARGO"));
                cmd.args(args)
                    .current_dir(&krate)
                    .env("CARGO_TARGET_DIR", krate.join("target"))
                    .env_remove("RUSTFLAGS");
                let run = measure::run(&mut cmd, None).map_err(|e| format!("cargo: {e}"))?;
                succeeded(
                    run,
                    &format!("cargo {} in {}", args.join(" "), krate.display()),
                )
            };
            // Dependencies first, untimed; then diesel alone from clean.
            cargo(&["build", "--quiet"])?;
            cargo(&["clean", "--quiet", "-p", "diesel"])?;
            let run = cargo(&["build", "--quiet"])?;
            let stats = Stats::of(&[run]);
            let i = self.record(
                None,
                "-",
                &format!("build: diesel with {width}-column-tables, clean (dev)"),
                Ok(stats),
            );
            match &base {
                None => base = Some(stats),
                Some(b) => {
                    self.lines[i].limit = Some((
                        "diesel with 32-column-tables (the default)".to_owned(),
                        Ok(*b),
                    ))
                }
            }
        }
        Ok(())
    }

    /// One reference package built alone (each with the features it has in an
    /// application: the models crate with one database, as the migrations binary
    /// sees it, without `diesel-tables`).
    fn reference_build(&self, package: &str) -> Result<Run> {
        let mut args = vec!["build", "--quiet", "--profile", self.profile, "-p", package];
        if package.starts_with("bench-models-") {
            args.extend(["--features", "retort/sqlite"]);
        }
        let run = measure::run(&mut self.cargo(&args), None).map_err(|e| format!("cargo: {e}"))?;
        if !run.ok() {
            return Err(format!("cargo build -p {package} failed:\n{}", run.stderr));
        }
        Ok(run)
    }

    /// 4, 1, 3, 6: the revision creating N tables, then `current`, autogenerate
    /// with nothing to do, and `downgrade base`.
    fn one_revision(&mut self, n: usize, s: usize) -> Result<()> {
        let bin = self.binary(n);
        let name = self.servers[s].name();
        let db = format!("retort_bench_{n}");
        eprintln!("  {name}: upgrade head ({n} tables)");

        // The same SQL as a script for the client.
        let script = self.ws.dir.join(format!("upgrade_{n}_{name}.sql"));
        let url = self.servers[s].fresh(&db)?;
        let run = exec(&bin, &url, &["upgrade", "head", "--sql", "--dialect", name])?;
        if !run.ok() {
            return Err(format!("upgrade head --sql: {}", run.stderr));
        }
        std::fs::write(&script, &run.stdout).map_err(|e| e.to_string())?;

        // Retort and the client take turns, each on a fresh database after a
        // checkpoint, so slow drifts of the server (checkpoints, the catalog of the
        // databases dropped before) weigh on both alike.
        let (mut runs, mut limit) = (Vec::new(), Vec::new());
        let (mut failure, mut limit_failure) = (None, None);
        for _ in 0..self.args.runs {
            if failure.is_none() {
                let url = self.servers[s].fresh(&db)?;
                let run = exec(&bin, &url, &["upgrade", "head"])?;
                if run.ok() {
                    runs.push(run);
                } else {
                    failure = Some(first_line(&run));
                }
            }
            if limit_failure.is_none() {
                let url = self.servers[s].fresh(&db)?;
                let (mut cmd, stdin) = self.servers[s].client(&url, &script);
                let run = measure::run(&mut cmd, stdin.as_deref())
                    .map_err(|e| format!("{name} client: {e}"))?;
                if run.ok() {
                    limit.push(run);
                } else {
                    limit_failure = Some(first_line(&run));
                }
            }
        }
        let i = self.record(
            Some(n),
            name,
            &format!("upgrade head: 1 revision, {n} tables"),
            stats(runs, failure),
        );
        self.lines[i].limit = Some((
            format!("{} (same SQL)", client_name(self.servers[s].backend)),
            stats(limit, limit_failure),
        ));

        // At head from here on.
        let url = self.servers[s].fresh(&db)?;
        let run = exec(&bin, &url, &["upgrade", "head"])?;
        if !run.ok() {
            self.servers[s].drop(&db);
            return Err(format!("upgrade head on {name}: {}", first_line(&run)));
        }
        let r = self.repeat(&bin, &url, &["current"]);
        let i = self.record(Some(n), name, "current", r);
        self.lines[i].queries = Some(count_sql(&bin, &url, &["current"])?);

        let r = self.repeat(&bin, &url, &["autogenerate", "-m", "nothing"]);
        let i = self.record(Some(n), name, "autogenerate, no changes", r);
        self.lines[i].queries = Some(count_sql(&bin, &url, &["autogenerate", "-m", "nothing"])?);
        if std::fs::read_dir(self.ws.versions(n))
            .map(|d| d.count())
            .unwrap_or(0)
            != 1
        {
            return Err(format!(
                "autogenerate at head found changes on {name} at {n} tables: a comparison bug"
            ));
        }

        let r = self.downgrades(&bin, &url, &[])?;
        let limit_hit = matches!(&r, Err(e) if e.contains("max_locks_per_transaction"));
        if limit_hit {
            // The run must have stopped with nothing changed: still at head.
            let current = exec(&bin, &url, &["current"])?;
            if !current.stdout.starts_with(&initial_id(n)) {
                return Err(format!(
                    "downgrade base on {name} stopped at the lock limit but the database moved: {}",
                    current.stdout
                ));
            }
            self.expected_stops += 1;
        }
        self.record(Some(n), name, &format!("downgrade base: {n} tables"), r);
        if limit_hit {
            let r = self.downgrades(&bin, &url, &["--transaction", "per-statement"])?;
            self.record(
                Some(n),
                name,
                &format!("downgrade base --transaction per-statement: {n} tables"),
                r,
            );
        }
        self.servers[s].drop(&db);
        Ok(())
    }

    /// `runs` times: `downgrade base` (with `extra` options) from head.
    fn downgrades(
        &self,
        bin: &Path,
        url: &str,
        extra: &[&str],
    ) -> Result<std::result::Result<Stats, String>> {
        let mut args = vec!["downgrade", "base"];
        args.extend_from_slice(extra);
        measured(self.args.runs, || {
            // `current` prints nothing at base.
            let at = exec(bin, url, &["current"])?;
            if at.stdout.trim().is_empty() || at.stdout.starts_with("base") {
                let up = exec(bin, url, &["upgrade", "head"])?;
                if !up.ok() {
                    return Ok(Err(first_line(&up)));
                }
            }
            Ok(Ok(exec(bin, url, &args)?))
        })
    }

    /// 5. `small` revisions of one column each, up then down.
    fn small_revisions(&mut self, n: usize, s: usize, initial: &str) -> Result<()> {
        let bin = self.binary(n);
        let name = self.servers[s].name();
        let db = format!("retort_bench_{n}_small");
        let k = self.args.small;
        eprintln!("  {name}: {k} small revisions");
        let url = self.servers[s].fresh(&db)?;
        let run = exec(&bin, &url, &["upgrade", initial])?;
        if !run.ok() {
            return Err(format!("upgrade {initial}: {}", run.stderr));
        }
        // diesel_cli (`--peers`; it speaks PostgreSQL and SQLite) on its own
        // database, from the same state: the N tables, by Retort.
        let diesel = match (&self.peers, self.servers[s].backend) {
            (Some(_), Backend::Sqlite | Backend::Postgres) => {
                let dir = self
                    .ws
                    .dir
                    .with_file_name("peers")
                    .join(format!("diesel_{n}_{name}"));
                let migrations =
                    peers::DieselMigrations::write(&dir, n, k, self.servers[s].backend)
                        .map_err(|e| format!("{}: {e}", dir.display()))?;
                let database = format!("retort_bench_{n}_diesel");
                let url = self.servers[s].fresh(&database)?;
                succeeded(exec(&bin, &url, &["upgrade", initial])?, "upgrade")?;
                Some((migrations, url, database))
            }
            _ => None,
        };
        let diesel_run = |bench: &Self, args: &[&str]| -> Result<Run> {
            let (Some(peers), Some((migrations, url, _))) = (&bench.peers, &diesel) else {
                return Err("diesel_cli is not set up".to_owned());
            };
            let run = measure::run(&mut peers.diesel(migrations, url, args), None)
                .map_err(|e| format!("diesel: {e}"))?;
            succeeded(run, &format!("diesel {}", args.join(" ")))
        };
        let (mut up, mut down) = (Vec::new(), Vec::new());
        let (mut peer_up, mut peer_down) = (Vec::new(), Vec::new());
        let mut failure = None;
        for _ in 0..self.args.runs {
            let run = exec(&bin, &url, &["upgrade", "head"])?;
            if !run.ok() {
                failure = Some(first_line(&run));
                break;
            }
            up.push(run);
            let run = exec(&bin, &url, &["downgrade", initial])?;
            if !run.ok() {
                failure = Some(first_line(&run));
                break;
            }
            down.push(run);
            if diesel.is_some() {
                peer_up.push(diesel_run(self, &["migration", "run"])?);
                peer_down.push(diesel_run(self, &["migration", "revert", "--all"])?);
            }
        }
        let i = self.record(
            Some(n),
            name,
            &format!("{k} small revisions up"),
            stats(up, failure.clone()),
        );
        let j = self.record(
            Some(n),
            name,
            &format!("{k} small revisions down"),
            stats(down, failure),
        );
        if let Some((_, _, database)) = &diesel {
            self.lines[i].peer = Some(("diesel migration run".to_owned(), Ok(Stats::of(&peer_up))));
            self.lines[j].peer = Some((
                "diesel migration revert --all".to_owned(),
                Ok(Stats::of(&peer_down)),
            ));
            // Start-up and reading the version table, both at head of the small
            // revisions.
            succeeded(exec(&bin, &url, &["upgrade", "head"])?, "upgrade head")?;
            diesel_run(self, &["migration", "run"])?;
            let (mut mine, mut theirs) = (Vec::new(), Vec::new());
            for _ in 0..self.args.runs {
                mine.push(succeeded(exec(&bin, &url, &["current"])?, "current")?);
                theirs.push(diesel_run(self, &["migration", "list"])?);
            }
            succeeded(exec(&bin, &url, &["downgrade", initial])?, "downgrade")?;
            let i = self.record(
                Some(n),
                name,
                &format!("current, at head of {k} small revisions"),
                Ok(Stats::of(&mine)),
            );
            self.lines[i].peer = Some(("diesel migration list".to_owned(), Ok(Stats::of(&theirs))));
            self.servers[s].drop(database);
        }
        // The client on the same SQL (`--sql` of the same ranges), from the same
        // states: at the first revision for up, at head for down.
        let up_sql = self.ws.dir.join(format!("small_up_{n}_{name}.sql"));
        let down_sql = self.ws.dir.join(format!("small_down_{n}_{name}.sql"));
        for (script, args) in [
            (&up_sql, ["upgrade", &format!("{initial}:head")]),
            (&down_sql, ["downgrade", &format!("head:{initial}")]),
        ] {
            let run = exec(&bin, &url, &[args[0], args[1], "--sql", "--dialect", name])?;
            if !run.ok() {
                return Err(format!("{} --sql: {}", args[0], run.stderr));
            }
            std::fs::write(script, &run.stdout).map_err(|e| e.to_string())?;
        }
        let (mut up, mut down) = (Vec::new(), Vec::new());
        let mut failure = None;
        for _ in 0..self.args.runs {
            for (script, runs) in [(&up_sql, &mut up), (&down_sql, &mut down)] {
                let (mut cmd, stdin) = self.servers[s].client(&url, script);
                let run = measure::run(&mut cmd, stdin.as_deref()).map_err(|e| e.to_string())?;
                if !run.ok() {
                    failure = Some(first_line(&run));
                    break;
                }
                runs.push(run);
            }
            if failure.is_some() {
                break;
            }
        }
        let client = format!("{} (same SQL)", client_name(self.servers[s].backend));
        self.lines[i].limit = Some((client.clone(), stats(up, failure.clone())));
        self.lines[j].limit = Some((client, stats(down, failure)));
        self.servers[s].drop(&db);
        Ok(())
    }

    /// `runs` runs of one command on a database left as it is.
    fn repeat(&self, bin: &Path, url: &str, args: &[&str]) -> std::result::Result<Stats, String> {
        measured(self.args.runs, || Ok(Ok(exec(bin, url, args)?)))?
    }

    /// Bulk insert (item 7): `op.bulk_insert` of `rows` rows, next to the client
    /// running the same INSERTs and the client's bulk loader on the same rows as CSV.
    fn bulk(&mut self) -> Result<()> {
        let rows = self.args.rows;
        let me = std::env::current_exe().map_err(|e| e.to_string())?;
        let csv = self.ws.dir.join("bulk_rows.csv");
        std::fs::write(&csv, bulk::csv(rows)).map_err(|e| e.to_string())?;
        for s in 0..self.servers.len() {
            let name = self.servers[s].name();
            eprintln!("  {name}: bulk insert of {rows} rows");
            let db = "retort_bench_bulk";
            let worker = |url: &str, extra: &[&str]| {
                let mut cmd = Command::new(&me);
                cmd.args(["bulk-insert", "--url", url, "--rows", &rows.to_string()])
                    .args(extra);
                measure::run(&mut cmd, None).map_err(|e| e.to_string())
            };
            let script = self.ws.dir.join(format!("bulk_{name}.sql"));
            let url = self.servers[s].fresh(db)?;
            let run = worker(
                &url,
                &["--sql", script.to_str().ok_or("path")?, "--dialect", name],
            )?;
            if !run.ok() {
                return Err(format!("bulk-insert --sql: {}", run.stderr));
            }
            let backend = self.servers[s].backend;
            let server = &mut self.servers[s];
            let retort = measured(self.args.runs, || Ok(Ok(worker(&server.fresh(db)?, &[])?)))?;
            // The client on an empty table, as the worker creates it.
            let empty_table = |server: &mut Server| -> Result<std::result::Result<String, String>> {
                let url = server.fresh(db)?;
                let create = worker(&url, &["--create-only"])?;
                Ok(if create.ok() {
                    Ok(url)
                } else {
                    Err(first_line(&create))
                })
            };
            let same = measured(self.args.runs, || {
                let url = match empty_table(server)? {
                    Ok(url) => url,
                    Err(e) => return Ok(Err(e)),
                };
                let (mut cmd, stdin) = server.client(&url, &script);
                Ok(Ok(
                    measure::run(&mut cmd, stdin.as_deref()).map_err(|e| e.to_string())?
                ))
            })?;
            let load = measured(self.args.runs, || {
                let url = match empty_table(server)? {
                    Ok(url) => url,
                    Err(e) => return Ok(Err(e)),
                };
                let run = measure::run(&mut server.load_csv(&url, bulk::TABLE, &csv), None)
                    .map_err(|e| e.to_string())?;
                let counted = bulk::count(&url)?;
                if run.ok() && counted != rows as i64 {
                    return Ok(Err(format!("the loader kept {counted} rows of {rows}")));
                }
                Ok(Ok(run))
            })?;
            let work = format!("bulk_insert: {rows} rows");
            let i = self.record(None, name, &work, retort);
            self.lines[i].limit = Some((format!("{} (same INSERTs)", client_name(backend)), same));
            self.record(
                None,
                name,
                &format!(
                    "{work}: {} (CSV bulk loader, for scale)",
                    loader_name(backend)
                ),
                load,
            );
            self.servers[s].drop(db);
        }
        Ok(())
    }

    /// The markdown report.
    fn report(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Runs per figure: {} ({} build). Times are whole processes, median (min–max); memory is the peak resident set.\n\n",
            self.args.runs, self.profile
        ));
        out.push_str("| N | database | work | Retort | peak memory | SQL statements | limit: same work by | limit | Retort ÷ limit | peer | peer's time, memory | Retort ÷ peer |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for line in &self.lines {
            let n = line.n.map_or("-".to_owned(), |n| n.to_string());
            let (time, memory) = match &line.result {
                Ok(s) => (
                    format!(
                        "{} ({}–{})",
                        fmt_duration(s.median),
                        fmt_duration(s.min),
                        fmt_duration(s.max)
                    ),
                    fmt_bytes(s.peak_rss),
                ),
                Err(e) => (format!("failed: {}", e.replace('|', "\\|")), "-".to_owned()),
            };
            let queries = line.queries.map_or("-".to_owned(), |q| q.to_string());
            let (by, limit, ratio) = compared(&line.limit, &line.result, false);
            let (peer, peer_time, peer_ratio) = compared(&line.peer, &line.result, true);
            out.push_str(&format!(
                "| {n} | {} | {} | {time} | {memory} | {queries} | {by} | {limit} | {ratio} | {peer} | {peer_time} | {peer_ratio} |\n",
                line.database, line.work
            ));
        }
        out
    }
}

/// The cells of a comparison: who, their figure (with memory for a peer), and
/// Retort's time over theirs.
fn compared(
    other: &Option<(String, std::result::Result<Stats, String>)>,
    retort: &std::result::Result<Stats, String>,
    memory: bool,
) -> (String, String, String) {
    let figure = |l: &Stats| {
        if memory {
            format!("{}, {}", fmt_duration(l.median), fmt_bytes(l.peak_rss))
        } else {
            fmt_duration(l.median)
        }
    };
    match (other, retort) {
        (Some((by, Ok(l))), Ok(s)) => (
            by.clone(),
            figure(l),
            format!(
                "{:.2}×",
                s.median.as_secs_f64() / l.median.as_secs_f64().max(1e-9)
            ),
        ),
        (Some((by, Ok(l))), Err(_)) => (by.clone(), figure(l), "-".to_owned()),
        (Some((by, Err(e))), _) => (
            by.clone(),
            format!("failed: {}", e.replace('|', "\\|")),
            "-".to_owned(),
        ),
        (None, _) => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
    }
}

/// An Alembic project on its database (`--peers`).
struct Alembic {
    project: peers::AlembicProject,
    url: String,
    database: String,
}

impl Alembic {
    /// One timed `alembic` command; an error when it fails.
    fn run(&self, bench: &Bench, args: &[&str]) -> Result<Run> {
        let peers = bench.peers.as_ref().ok_or("--peers")?;
        let run = measure::run(&mut peers.alembic(&self.project, &self.url, args), None)
            .map_err(|e| format!("alembic: {e}"))?;
        succeeded(run, &format!("alembic {}", args.join(" ")))
    }
}

/// `run` when it exited 0; else an error with what it printed.
fn succeeded(run: Run, what: &str) -> Result<Run> {
    if run.ok() {
        Ok(run)
    } else {
        Err(format!("{what} failed: {}{}", run.stdout, run.stderr))
    }
}

/// The id of the revision creating all `n` tables.
fn initial_id(n: usize) -> String {
    format!("1{n:011}")
}

/// `runs` measured runs of `one`, which prepares what it needs and returns the
/// run, or says what failed before it; the first failure ends the series.
fn measured(
    runs: usize,
    mut one: impl FnMut() -> Result<std::result::Result<Run, String>>,
) -> Result<std::result::Result<Stats, String>> {
    let mut done = Vec::with_capacity(runs);
    for _ in 0..runs {
        match one()? {
            Ok(run) if run.ok() => done.push(run),
            Ok(run) => return Ok(Err(first_line(&run))),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(Stats::of(&done)))
}

fn stats(runs: Vec<Run>, failure: Option<String>) -> std::result::Result<Stats, String> {
    match failure {
        Some(e) => Err(e),
        None => Ok(Stats::of(&runs)),
    }
}

/// The migrations binary on `url`.
fn exec(bin: &Path, url: &str, args: &[&str]) -> Result<Run> {
    let mut cmd = Command::new(bin);
    cmd.args(["--url", url])
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env_remove("DATABASE_URL");
    measure::run(&mut cmd, None).map_err(|e| format!("{}: {e}", bin.display()))
}

/// How many SQL statements the command sends (`--echo` logs each one).
fn count_sql(bin: &Path, url: &str, args: &[&str]) -> Result<usize> {
    let mut all = vec!["--echo"];
    all.extend_from_slice(args);
    let run = exec(bin, url, &all)?;
    if !run.ok() {
        return Err(first_line(&run));
    }
    Ok(run
        .stderr
        .lines()
        .filter(|l| l.contains("[retort::sql]"))
        .count())
}

fn first_line(run: &Run) -> String {
    run.stderr
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| run.stderr.lines().last())
        .unwrap_or("(no message)")
        .trim()
        .to_owned()
}

fn clear_versions(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "rs") {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn client_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite3",
        Backend::Postgres => "psql",
        Backend::Mysql => "mariadb",
    }
}

fn loader_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite3 .import",
        Backend::Postgres => "psql \\copy",
        Backend::Mysql => "mariadb LOAD DATA LOCAL INFILE",
    }
}
