//! Helpers for a project's own test suite.
//!
//! ```no_run
//! static MIGRATIONS: retort::Migrations = retort::revisions!("versions");
//!
//! #[test]
//! fn migrations_are_current() {
//!     retort::testing::assert_migrations_current(&MIGRATIONS);
//! }
//! ```

use crate::autogenerate::{self, Changes};
use crate::dialect::Sqlite;
use crate::introspect::Filter;
use retort::model::{registered_hints_for, registered_schema_for};
use retort::Migrations;

/// Whether the revision history builds exactly the registered models, replayed
/// in memory (no database). `Err` explains what is missing: the whole-program
/// model errors, or the ops a new revision would need.
pub fn migrations_current(migrations: &Migrations) -> Result<(), String> {
    database_migrations_current(migrations, retort::model::MAIN)
}

/// [`migrations_current`] for the models of one database of a project
/// (`#[model(database = "...")]`).
pub fn database_migrations_current(migrations: &Migrations, database: &str) -> Result<(), String> {
    let models = registered_schema_for(database)
        .map_err(|e| format!("the registered models are inconsistent:\n{e}"))?;
    let (history, notes) = autogenerate::history_schema(migrations, &Sqlite, None)
        .map_err(|e| format!("replaying the revisions failed: {e}"))?;
    let changes: Changes = autogenerate::compare_schemas(
        &history,
        models,
        registered_hints_for(database),
        &Sqlite,
        &Filter::default(),
    );
    if changes.is_empty() {
        return Ok(());
    }
    let mut report = format!(
        "the models changed without a revision: {} operation(s) missing\n",
        changes.ops.len()
    );
    report.push_str(&listed(&changes.ops));
    report.push('\n');
    for hint in changes.suggestions.iter().chain(&notes) {
        report.push_str(&format!("  note: {hint}\n"));
    }
    report.push_str("write it with `autogenerate -m \"...\"` (or `autogenerate --offline`)");
    Err(report)
}

/// Ops as report lines: `  - add column `t.c``, one per line.
fn listed(ops: &[retort::ops::Op]) -> String {
    ops.iter()
        .map(|op| format!("  - {}", op.summary()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Panics, listing the missing operations, when the models changed without a new
/// revision. Needs no database.
#[track_caller]
pub fn assert_migrations_current(migrations: &Migrations) {
    if let Err(report) = migrations_current(migrations) {
        panic!("{report}");
    }
}

/// [`assert_migrations_current`] for every database of a project.
#[track_caller]
pub fn assert_project_migrations_current(project: &retort::Project) {
    let mut reports = Vec::new();
    for (name, migrations) in project.databases {
        if let Err(report) = database_migrations_current(migrations, name) {
            reports.push(format!("database `{name}`: {report}"));
        }
    }
    if !reports.is_empty() {
        panic!("{}", reports.join("\n"));
    }
}

/// A throwaway database to test a revision history on, from a project's own
/// `cargo test` or `migrations-cli test`: an SQLite file in the system's
/// temporary folder, or (`on`) a database created on a PostgreSQL or MySQL
/// server and dropped with the kit. Its checks are what teams write by hand
/// around Alembic (pytest-alembic's): one head, the history builds the models,
/// every revision reverses ([`TestKit::stairway`]), down to base leaves nothing,
/// the models are linked; data tests move it to a revision and look at the rows.
///
/// ```no_run
/// static MIGRATIONS: retort::Migrations = retort::revisions!("versions");
///
/// #[test]
/// fn migrations() {
///     let kit = retort_engine::testing::TestKit::new(MIGRATIONS).unwrap();
///     kit.assert_all();
/// }
/// ```
pub struct TestKit {
    config: crate::Config,
    /// The server's admin URL and the database to drop, or the SQLite file.
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Server { admin: String, name: String },
}

impl TestKit {
    /// The history of the `main` database's models on a new SQLite file.
    pub fn new(migrations: Migrations) -> Result<TestKit, String> {
        TestKit::for_database(migrations, retort::model::MAIN, None)
    }

    /// The history of `database`'s models (`#[model(database = "…")]`), on a new
    /// SQLite file, or on a database created on the server of `server` (any URL
    /// of a PostgreSQL or MySQL server the user may create databases on).
    pub fn for_database(
        migrations: Migrations,
        database: &str,
        server: Option<&str>,
    ) -> Result<TestKit, String> {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let unique = format!(
            "retort_kit_{}_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default()
        );
        let (url, cleanup) = match server {
            None => {
                let path = std::env::temp_dir().join(format!("{unique}.db"));
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Some(admin) => {
                let parsed = retort::DatabaseUrl::parse(admin).map_err(|e| e.to_string())?;
                if parsed.backend == retort::Backend::Sqlite {
                    return Err(format!(
                        "{admin}: a throwaway database is made on a PostgreSQL or MySQL server; leave the URL out for SQLite"
                    ));
                }
                let mut conn = crate::connect(&parsed).map_err(|e| e.to_string())?;
                let quoted = crate::dialect::for_backend(parsed.backend).quote(&unique);
                conn.execute(&format!("CREATE DATABASE {quoted}"))
                    .map_err(|e| e.to_string())?;
                let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
                (
                    format!("{base}/{unique}"),
                    Cleanup::Server {
                        admin: admin.to_owned(),
                        name: unique,
                    },
                )
            }
        };
        let mut config = crate::Config::new(migrations).url(url);
        config.database = database.to_owned();
        Ok(TestKit { config, cleanup })
    }

    /// The config every check runs with (its URL is the throwaway database's).
    pub fn config(&self) -> &crate::Config {
        &self.config
    }

    /// A connection to the throwaway database, for data tests.
    pub fn connection(&self) -> Result<retort::Connection, String> {
        crate::command::connect(&self.config).map_err(|e| e.to_string())
    }

    /// Moves the database to `target` (an id, `head`, `base`…), up or down.
    pub fn migrate_to(&self, target: &str) -> Result<(), String> {
        let map = crate::RevisionMap::of(&self.config.migrations).map_err(|e| e.to_string())?;
        let current = crate::command::current(&self.config).map_err(|e| e.to_string())?;
        let map = map.into_current(&current).map_err(|e| e.to_string())?;
        let wanted = if target == "base" {
            Vec::new()
        } else {
            map.resolve_stamp(&[target.to_owned()])
                .map_err(|e| e.to_string())?
        };
        let below = map.ancestors(current.iter().map(String::as_str));
        let up = wanted.iter().any(|w| !below.contains(w.as_str()));
        let result = if up {
            crate::command::upgrade(&self.config, target)
        } else {
            crate::command::downgrade(&self.config, target)
        };
        result.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Data test: moves to `before`, runs `seed` on the database, moves to
    /// `after`, and runs `check` (pytest-alembic's `migrate_up_before` /
    /// `migrate_up_to`). `Err` names the step that failed.
    pub fn data_test(
        &self,
        before: &str,
        seed: impl FnOnce(&mut retort::Connection) -> Result<(), String>,
        after: &str,
        check: impl FnOnce(&mut retort::Connection) -> Result<(), String>,
    ) -> Result<(), String> {
        self.migrate_to(before)?;
        seed(&mut self.connection()?).map_err(|e| format!("seeding at {before}: {e}"))?;
        self.migrate_to(after)?;
        check(&mut self.connection()?).map_err(|e| format!("the rows at {after}: {e}"))
    }

    /// One head: several fail, named, with the way out.
    pub fn single_head(&self) -> Result<(), String> {
        let map = crate::RevisionMap::of(&self.config.migrations).map_err(|e| e.to_string())?;
        match map.heads().as_slice() {
            [] | [_] => Ok(()),
            heads => Err(format!(
                "the history has {} heads: {}; join them with `merge heads -m \"merge\"`",
                heads.len(),
                heads.join(", ")
            )),
        }
    }

    /// Upgrades to head and compares the models with the database: `Err` lists
    /// the operations a new revision would need.
    pub fn head_matches_models(&self) -> Result<(), String> {
        self.migrate_to("heads")?;
        let changes = crate::command::check(&self.config).map_err(|e| e.to_string())?;
        if changes.is_empty() {
            return Ok(());
        }
        Err(format!(
            "at head the database differs from the models ({} operation(s)):\n{}",
            changes.ops.len(),
            listed(&changes.ops)
        ))
    }

    /// Every revision, in order from base: upgraded, downgraded, the schema
    /// compared with the one before the upgrade, and upgraded again. A downgrade
    /// that does not restore the schema (an index not recreated, a default lost,
    /// a type changed) fails, naming the revision and what differs. Merge
    /// revisions are upgraded only.
    pub fn stairway(&self) -> Result<(), String> {
        self.migrate_to("base")?;
        let map = crate::RevisionMap::of(&self.config.migrations).map_err(|e| e.to_string())?;
        let dialect = crate::dialect::for_backend(
            self.config
                .database_url()
                .map_err(|e| e.to_string())?
                .backend,
        );
        for node in map.in_order() {
            let before = self.snapshot()?;
            crate::command::upgrade(&self.config, &node.id).map_err(|e| {
                format!("revision {} ({}): upgrade failed: {e}", node.id, node.file)
            })?;
            if node.parents.len() > 1 {
                continue;
            }
            let back = node.parents.first().map_or("base", String::as_str);
            crate::command::downgrade(&self.config, back).map_err(|e| {
                format!(
                    "revision {} ({}): downgrade failed: {e}",
                    node.id, node.file
                )
            })?;
            let after = self.snapshot()?;
            let changes = autogenerate::compare_schemas(
                &after,
                &before,
                &retort::model::RenameHints::default(),
                dialect,
                &Filter::default(),
            );
            if !changes.is_empty() {
                return Err(format!(
                    "revision {} ({}): its downgrade does not give back the schema from before its upgrade; \
                     what would bring it back:\n{}",
                    node.id,
                    node.file,
                    listed(&changes.ops)
                ));
            }
            crate::command::upgrade(&self.config, &node.id).map_err(|e| {
                format!(
                    "revision {} ({}): upgrade after its downgrade failed: {e}",
                    node.id, node.file
                )
            })?;
        }
        Ok(())
    }

    /// Down to base: nothing but Retort's own tables is left.
    pub fn base_is_empty(&self) -> Result<(), String> {
        self.migrate_to("base")?;
        let left: Vec<String> = self.snapshot()?.tables.keys().cloned().collect();
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "after downgrade to base these tables are left: {}; a downgrade misses their drop",
                left.join(", ")
            ))
        }
    }

    /// The models of this database are in the program: a table the history
    /// builds that no registered model declares means the crate that declares it
    /// is not linked (or the model was removed without a revision).
    pub fn models_are_linked(&self) -> Result<(), String> {
        let models = registered_schema_for(&self.config.database)
            .map_err(|e| format!("the registered models are inconsistent:\n{e}"))?;
        let (history, _) = autogenerate::history_schema(&self.config.migrations, &Sqlite, None)
            .map_err(|e| format!("replaying the revisions failed: {e}"))?;
        let missing: Vec<&String> = history
            .tables
            .keys()
            .filter(|t| models.table(t).is_none())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(format!(
            "no registered model of database `{}` declares {}: is the crate that declares {} linked into this program \
             (a `use models as _;` in the test or main)?",
            self.config.database,
            missing.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        ))
    }

    /// Every check, in order, each with its name and result.
    pub fn run_each(&self) -> Vec<(&'static str, Result<(), String>)> {
        vec![
            ("single head", self.single_head()),
            ("models linked", self.models_are_linked()),
            ("stairway (each revision up, down, up)", self.stairway()),
            ("head matches the models", self.head_matches_models()),
            ("base is empty", self.base_is_empty()),
        ]
    }

    /// Every check, in order; `Err` lists each that failed.
    pub fn run_all(&self) -> Result<(), String> {
        let failures: Vec<String> = self
            .run_each()
            .into_iter()
            .filter_map(|(name, result)| result.err().map(|e| format!("{name}: {e}")))
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("\n"))
        }
    }

    /// [`TestKit::run_all`], panicking with what failed.
    #[track_caller]
    pub fn assert_all(&self) {
        if let Err(report) = self.run_all() {
            panic!("{report}");
        }
    }

    /// The schema as `check` reads it (Retort's tables left out).
    fn snapshot(&self) -> Result<retort::schema::Schema, String> {
        crate::command::diagram_schema(&self.config, true).map_err(|e| e.to_string())
    }
}

impl Drop for TestKit {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                let _ = std::fs::remove_file(path);
                let _ = std::fs::remove_file(
                    path.with_extension(format!("db.{}.lock", self.config.version_table)),
                );
            }
            Cleanup::Server { admin, name } => {
                if let Ok(url) = retort::DatabaseUrl::parse(admin) {
                    if let Ok(mut conn) = crate::connect(&url) {
                        let quoted = crate::dialect::for_backend(url.backend).quote(name);
                        let _ = conn.execute(&format!("DROP DATABASE IF EXISTS {quoted}"));
                    }
                }
            }
        }
    }
}
