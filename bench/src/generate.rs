//! The generated workspace: for each size N, a models crate of N tables and a
//! migrations binary over it, written under `target/bench/ws` and built with cargo
//! into `target/bench/target`.
//!
//! Each table is what an application has: about eight columns of mixed types (an
//! integer key, a varchar, a text, a bool, a timestamp defaulting to `now()`, a
//! numeric(10,2), an integer with a default; nullable and not-null mixed), one or two
//! indexes, a unique constraint on every fifth table, and a foreign key to an earlier
//! table on nine tables out of ten.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Models per module file (a project keeps its models in several files).
const PER_FILE: usize = 50;

/// The size of the tiny copies of the reference crates built once untimed, so
/// that the dependencies each needs (with its own features) are compiled before
/// the timed builds.
pub const WARM: usize = 3;

/// Package names of size `n`.
pub fn models_package(n: usize) -> String {
    format!("bench-models-{n}")
}

/// The migrations binary of size `n`.
pub fn migrator_package(n: usize) -> String {
    format!("bench-migrator-{n}")
}

/// The crate that queries with diesel through the models of size `n` (so builds
/// them with `retort`'s `diesel-tables` on, as an application does).
pub fn app_package(n: usize) -> String {
    format!("bench-app-{n}")
}

/// The floor: the same structs with only `#[derive(Debug)]`.
pub fn plain_package(n: usize) -> String {
    format!("bench-plain-{n}")
}

/// Diesel's own schema for the same tables, as `diesel print-schema` writes it
/// (`table!`, `joinable!`, `allow_tables_to_appear_in_same_query!`).
pub fn diesel_package(n: usize) -> String {
    format!("bench-diesel-{n}")
}

/// The table of model `i`.
pub fn table(i: usize) -> String {
    format!("t{i:04}")
}

/// The earlier table model `i` references, if it has a foreign key.
pub fn parent(i: usize) -> Option<usize> {
    (i > 0 && !i.is_multiple_of(10)).then(|| i - 1 - (i * 7) % i.min(50))
}

/// The source of model `i`.
fn model(i: usize) -> String {
    let mut s = String::new();
    let mut attrs = vec![format!("table = \"{}\"", table(i))];
    if i.is_multiple_of(3) {
        attrs.push("index(columns(created_at, active))".to_owned());
    }
    let _ = writeln!(s, "/// Table {i} of the benchmark.");
    let _ = writeln!(s, "#[derive(Model)]");
    let _ = writeln!(s, "#[model({})]", attrs.join(", "));
    let _ = writeln!(s, "pub struct T{i:04} {{");
    let _ = writeln!(s, "    #[model(primary_key)]\n    pub id: i64,");
    if i.is_multiple_of(5) {
        let _ = writeln!(
            s,
            "    #[model(max_length = 100, unique)]\n    pub name: String,"
        );
    } else {
        let _ = writeln!(
            s,
            "    #[model(max_length = 100, index)]\n    pub name: String,"
        );
    }
    let _ = writeln!(s, "    pub body: Option<String>,");
    let _ = writeln!(s, "    #[model(default = true)]\n    pub active: bool,");
    let _ = writeln!(
        s,
        "    #[model(default = \"now()\")]\n    pub created_at: Option<NaiveDateTime>,"
    );
    let price = if i.is_multiple_of(2) {
        "f64"
    } else {
        "Option<f64>"
    };
    let _ = writeln!(
        s,
        "    #[model(sql_type = \"NUMERIC(10,2)\", diesel_type = diesel::sql_types::Numeric)]\n    pub price: {price},"
    );
    let _ = writeln!(s, "    #[model(default = 0)]\n    pub quantity: i32,");
    if let Some(p) = parent(i) {
        let _ = writeln!(
            s,
            "    #[model(references = super::m{:02}::T{p:04}, index)]\n    pub parent_id: Option<i64>,",
            p / PER_FILE
        );
    }
    let _ = writeln!(s, "}}\n");
    s
}

/// A package manifest with these `[dependencies]` lines.
fn manifest(name: &str, dependencies: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{dependencies}"
    )
}

/// Writes `path` only when its content changes, so cargo rebuilds only what did.
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// The generated workspace.
pub struct Workspace {
    /// Its folder.
    pub dir: PathBuf,
    /// The cargo target folder it builds into.
    pub target: PathBuf,
    /// The repository (for `retort`'s path and `Cargo.lock`).
    pub repo: PathBuf,
}

impl Workspace {
    /// The models crate folder of size `n`.
    pub fn models_dir(&self, n: usize) -> PathBuf {
        self.dir.join(format!("models_{n}"))
    }

    /// The migrations crate folder of size `n`.
    pub fn migrator_dir(&self, n: usize) -> PathBuf {
        self.dir.join(format!("migrator_{n}"))
    }

    /// Its versions folder.
    pub fn versions(&self, n: usize) -> PathBuf {
        self.migrator_dir(n).join("versions")
    }

    /// The model file that holds model `i` (to touch one model).
    pub fn model_file(&self, n: usize, i: usize) -> PathBuf {
        self.models_dir(n)
            .join(format!("src/m{:02}.rs", i / PER_FILE))
    }

    /// Writes the workspace for `sizes`.
    pub fn write(&self, sizes: &[usize]) -> std::io::Result<()> {
        let members: Vec<String> = sizes
            .iter()
            .flat_map(|n| {
                ["models", "migrator", "app", "plain", "diesel"].map(|k| format!("\"{k}_{n}\""))
            })
            .chain(["models", "app", "plain", "diesel"].map(|k| format!("\"{k}_{WARM}\"")))
            .collect();
        // The profiles `retort init` writes: the migrations crates unoptimized in
        // release, the derive and its parser optimized in dev.
        let mut profiles: String = sizes
            .iter()
            .map(|n| {
                format!(
                    "\n[profile.release.package.{}]\nopt-level = 0\n",
                    migrator_package(*n)
                )
            })
            .collect();
        for name in ["retort-macros", "syn", "proc-macro2", "quote"] {
            profiles += &format!("\n[profile.dev.package.{name}]\nopt-level = 3\n");
        }
        write(
            &self.dir.join("Cargo.toml"),
            &format!(
                "# Generated by retort-bench; rewritten on every run.\n[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n[profile.release]\ndebug = false\n{profiles}",
                members.join(", ")
            ),
        )?;
        if !self.dir.join("Cargo.lock").exists() {
            std::fs::copy(self.repo.join("Cargo.lock"), self.dir.join("Cargo.lock"))?;
        }
        let runtime = self.repo.join("runtime");
        for &n in sizes {
            self.write_models(n, &runtime)?;
            self.write_migrator(n, &runtime)?;
            self.write_references(n, &runtime)?;
        }
        self.write_models(WARM, &runtime)?;
        self.write_references(WARM, &runtime)?;
        Ok(())
    }

    fn write_models(&self, n: usize, runtime: &Path) -> std::io::Result<()> {
        let dir = self.models_dir(n);
        write(
            &dir.join("Cargo.toml"),
            &manifest(
                &models_package(n),
                &format!(
                    r#"retort = {{ path = "{}", default-features = false }}
diesel = {{ version = "2.3", default-features = false, features = ["chrono", "32-column-tables"] }}
chrono = {{ version = "0.4", default-features = false, features = ["clock", "std"] }}
"#,
                    runtime.display()
                ),
            ),
        )?;
        let files = n.div_ceil(PER_FILE);
        let mut lib = String::from("//! Generated benchmark models.\n\n");
        for f in 0..files {
            let _ = writeln!(lib, "pub mod m{f:02};");
            let mut module = String::from(
                "//! Generated benchmark models.\n#![allow(missing_docs)]\n\nuse chrono::NaiveDateTime;\nuse retort::Model;\n\n",
            );
            for i in f * PER_FILE..((f + 1) * PER_FILE).min(n) {
                module.push_str(&model(i));
            }
            write(&dir.join(format!("src/m{f:02}.rs")), &module)?;
        }
        write(&dir.join("src/lib.rs"), &lib)
    }

    fn write_migrator(&self, n: usize, runtime: &Path) -> std::io::Result<()> {
        let dir = self.migrator_dir(n);
        write(
            &dir.join("Cargo.toml"),
            &manifest(
                &migrator_package(n),
                &format!(
                    r#"retort = {{ path = "{}", features = ["sqlite", "postgres", "mysql"] }}
retort-cli = {{ path = "{}", features = ["sqlite", "postgres", "mysql"] }}
retort-dylib = {{ path = "{}", default-features = false, optional = true }}
{} = {{ path = "../models_{n}" }}

# As `retort init` writes it: the edit loop runs with it, as the `retort` tool does.
[features]
dynamic-linking = ["dep:retort-dylib"]
"#,
                    runtime.display(),
                    runtime.with_file_name("cli").display(),
                    runtime.with_file_name("dylib").display(),
                    models_package(n)
                ),
            ),
        )?;
        write(
            &dir.join("build.rs"),
            "fn main() {\n    println!(\"cargo::rerun-if-changed=versions\");\n}\n",
        )?;
        write(
            &dir.join("src/main.rs"),
            &format!(
                r#"//! The migrations binary of the {n}-table benchmark.

#[cfg(feature = "dynamic-linking")]
use retort_dylib as _;

retort::revisions!(static MIGRATIONS = "versions");

fn main() -> std::process::ExitCode {{
    retort::link!({models});
    retort_cli::main(retort_cli::engine::Config::new(MIGRATIONS))
}}
"#,
                models = models_package(n).replace('-', "_")
            ),
        )?;
        std::fs::create_dir_all(dir.join("versions"))
    }
}

impl Workspace {
    /// The crates the models crate is measured against: an application crate
    /// that turns on `diesel-tables`, the plain structs, and diesel's own schema.
    fn write_references(&self, n: usize, runtime: &Path) -> std::io::Result<()> {
        let app = self.dir.join(format!("app_{n}"));
        write(
            &app.join("Cargo.toml"),
            &manifest(
                &app_package(n),
                &format!(
                    r#"retort = {{ path = "{}", default-features = false, features = ["diesel-tables", "sqlite"] }}
diesel = {{ version = "2.3", default-features = false, features = ["chrono", "32-column-tables"] }}
{} = {{ path = "../models_{n}" }}
"#,
                    runtime.display(),
                    models_package(n)
                ),
            ),
        )?;
        let models = models_package(n).replace('-', "_");
        write(
            &app.join("src/lib.rs"),
            &format!(
                "//! Queries through the generated models (diesel tables compiled in).

                 /// A query the models' diesel tables make possible.
                 pub fn names() -> impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> {{
                     use diesel::QueryDsl as _;
                     {models}::m00::t0000::table.select({models}::m00::t0000::name)
}}
"
            ),
        )?;

        let plain = self.dir.join(format!("plain_{n}"));
        write(
            &plain.join("Cargo.toml"),
            &manifest(
                &plain_package(n),
                "chrono = { version = \"0.4\", default-features = false, features = [\"clock\", \"std\"] }\n",
            ),
        )?;
        let mut lib = String::from("//! The benchmark's structs with only `#[derive(Debug)]`.\n#![allow(missing_docs, dead_code)]\n\nuse chrono::NaiveDateTime;\n\n");
        for i in 0..n {
            lib.push_str(&plain_model(i));
        }
        write(&plain.join("src/lib.rs"), &lib)?;

        let schema = self.dir.join(format!("diesel_{n}"));
        write(
            &schema.join("Cargo.toml"),
            &manifest(
                &diesel_package(n),
                "diesel = { version = \"2.3\", default-features = false, features = [\"chrono\", \"32-column-tables\"] }\n",
            ),
        )?;
        write(&schema.join("src/lib.rs"), &diesel_schema(n))
    }
}

/// Model `i` as a plain struct: the same fields, only `#[derive(Debug)]`.
fn plain_model(i: usize) -> String {
    let price = if i.is_multiple_of(2) {
        "f64"
    } else {
        "Option<f64>"
    };
    let parent = if parent(i).is_some() {
        "    pub parent_id: Option<i64>,\n"
    } else {
        ""
    };
    format!(
        "#[derive(Debug)]\npub struct T{i:04} {{\n    pub id: i64,\n    pub name: String,\n    pub body: Option<String>,\n    pub active: bool,\n    pub created_at: Option<NaiveDateTime>,\n    pub price: {price},\n    pub quantity: i32,\n{parent}}}\n\n"
    )
}

/// The schema of `n` tables as `diesel print-schema` writes it.
fn diesel_schema(n: usize) -> String {
    let mut s = String::from("//! The benchmark's tables as `diesel print-schema` writes them.\n#![allow(missing_docs)]\n// What diesel asks for at this many tables.\n#![recursion_limit = \"4096\"]\n\n");
    for i in 0..n {
        let price = if i.is_multiple_of(2) {
            "Numeric"
        } else {
            "Nullable<Numeric>"
        };
        let parent = if parent(i).is_some() {
            "        parent_id -> Nullable<BigInt>,\n"
        } else {
            ""
        };
        let _ = write!(
            s,
            "diesel::table! {{\n    {t} (id) {{\n        id -> BigInt,\n        name -> Varchar,\n        body -> Nullable<Text>,\n        active -> Bool,\n        created_at -> Nullable<Timestamp>,\n        price -> {price},\n        quantity -> Integer,\n{parent}    }}\n}}\n\n",
            t = table(i)
        );
    }
    for i in 0..n {
        if let Some(p) = parent(i) {
            let _ = writeln!(
                s,
                "diesel::joinable!({} -> {} (parent_id));",
                table(i),
                table(p)
            );
        }
    }
    let all: Vec<String> = (0..n).map(table).collect();
    let _ = writeln!(
        s,
        "\ndiesel::allow_tables_to_appear_in_same_query!(\n    {},\n);",
        all.join(",\n    ")
    );
    s
}

/// Revision `k` (1-based) of the 200 small ones: adds a nullable column to one
/// table, on top of `parent`.
pub fn small_revision(k: usize, n: usize, parent: &str) -> (String, String) {
    let id = small_id(k);
    let table = table((k * 37) % n);
    let text = format!(
        r#"//! small change {k}
use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new("{id}", &["{parent}"], "small change {k}");

pub fn upgrade(op: &mut Operations) -> Result {{
    op.add_column("{table}", Column::new("extra_{k}", SqlType::Integer).nullable())?;
    Ok(())
}}

pub fn downgrade(op: &mut Operations) -> Result {{
    op.drop_column("{table}", "extra_{k}")?;
    Ok(())
}}
"#
    );
    (format!("{id}_small_change_{k}.rs"), text)
}

/// The id of small revision `k`.
pub fn small_id(k: usize) -> String {
    format!("5a11{k:08}")
}
