//! `import`: take over a database Retort did not build. Its tables become models
//! (Rust source), its schema a baseline revision, and the database is stamped at
//! that revision: from then on it is a Retort project like any other.

use std::path::PathBuf;

use super::{connect, version_table, write};
use crate::autogenerate::{self, Changes};
use crate::backend;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::graph::RevisionMap;
use crate::import::{models_source, ImportedModels};
use crate::introspect;
use crate::runner;
use crate::versions::{other_tools, OtherTool};
use retort::model::RenameHints;
use retort::schema::Schema;

/// Options of [`import`].
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The file the models are written to (it must not exist).
    pub models_file: PathBuf,
    /// Write a baseline revision and stamp the database at it (default), or
    /// only the models.
    pub baseline: bool,
    /// The baseline revision's message.
    pub message: String,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            models_file: PathBuf::from("models.rs"),
            baseline: true,
            message: "baseline".to_owned(),
        }
    }
}

/// What [`import`] did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The models file written.
    pub models_file: PathBuf,
    /// The models, with what they approximate and what was left out.
    pub models: ImportedModels,
    /// The baseline revision, when one was written: the database is stamped at it.
    pub baseline: Option<write::GeneratedRevision>,
    /// Other tools' history tables found (Alembic's, Django's, ...): left in place
    /// and out of every comparison.
    pub other_tools: Vec<OtherTool>,
}

/// Reads the database of `config` and writes its models to
/// `options.models_file`; with `options.baseline`, writes a revision whose upgrade
/// creates the same schema (for new databases) into the versions folder, and
/// stamps the database at it. Refuses a project that has revisions already or a
/// database Retort manages: the models file is written first, the baseline only
/// into an empty history.
pub fn import(config: &Config, options: &ImportOptions) -> Result<ImportReport> {
    config.install_naming()?;
    let mut conn = connect(config)?;
    let versions = version_table(config);
    let current = versions.read(&mut conn)?;
    if options.baseline && !current.is_empty() {
        return Err(Error::Import {
            reason: format!(
                "the database is at revision {} already: Retort manages it; autogenerate the difference instead",
                current.join(", ")
            ),
        });
    }
    let map = RevisionMap::of(&config.migrations)?;
    let on_disk = retort_vocab::revision_files(&config.versions_dir).unwrap_or_default();
    if options.baseline && (!map.is_empty() || !on_disk.is_empty()) {
        return Err(Error::Import {
            reason: format!(
                "{} has revisions already: a baseline starts an empty history (use --no-baseline to write only the models)",
                config.versions_dir.display()
            ),
        });
    }
    let filter = autogenerate::table_filter(config);
    let schema = introspect::read(&mut conn, &filter)?;
    let others = introspect::other_objects(&mut conn)?;
    let backend = conn.backend();
    let models = models_source(&schema, backend, &config.database, &others);
    if let Some(dir) = options.models_file.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
    }
    write::write_new_file(&options.models_file, &models.source)?;
    let other_tools = other_tools(&mut conn)?;
    let baseline = if options.baseline {
        // What the models hold: the tables they could express.
        let mut target = schema.clone();
        for table in &models.skipped_tables {
            target.tables.remove(table);
        }
        let dialect = backend::of(&conn).dialect();
        let changes: Changes = autogenerate::compare_schemas(
            &Schema::new(),
            &target,
            &RenameHints::default(),
            dialect,
            &filter,
        );
        let revision = write::baseline_revision(config, &map, &options.message, changes)?;
        runner::stamp_baseline(&mut conn, versions, &revision.id, config.run)?;
        Some(revision)
    } else {
        None
    };
    Ok(ImportReport {
        models_file: options.models_file.clone(),
        models,
        baseline,
        other_tools,
    })
}
