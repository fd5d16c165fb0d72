//! The vocabulary Retort's derive (`retort-macros`, at compile time) and its
//! runtime (`retort`, `retort-engine`) both speak, defined once: foreign key
//! actions, the portable time defaults, where a database's revision files live
//! according to `Retort.toml`, and which files of that folder are revisions.
//!
//! No dependencies: the proc-macro crate links it without pulling in the runtime.

#![warn(missing_docs)]

use std::path::Path;

/// What a foreign key does when the referenced row is deleted or updated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum FkAction {
    /// `NO ACTION` (the SQL default): the statement fails if rows still refer to
    /// the row, checked at the end of the statement.
    #[default]
    NoAction,
    /// `RESTRICT`: as `NO ACTION`, checked at once.
    Restrict,
    /// `CASCADE`: referring rows are deleted (or updated) too.
    Cascade,
    /// `SET NULL`: referring columns become NULL.
    SetNull,
    /// `SET DEFAULT`: referring columns take their default.
    SetDefault,
}

impl FkAction {
    /// Every action, in declaration order.
    pub const ALL: [FkAction; 5] = [
        FkAction::NoAction,
        FkAction::Restrict,
        FkAction::Cascade,
        FkAction::SetNull,
        FkAction::SetDefault,
    ];

    /// Reads an action as a model attribute or a catalog spells it: any case,
    /// words separated by spaces, `_` or `-` (`cascade`, `SET_NULL`, `no action`).
    pub fn parse(s: &str) -> Option<FkAction> {
        let words: Vec<String> = s
            .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        FkAction::ALL.into_iter().find(|a| {
            a.as_sql()
                .split(' ')
                .map(str::to_ascii_lowercase)
                .eq(words.iter().cloned())
        })
    }

    /// The SQL words (`SET NULL`).
    pub fn as_sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    /// The Rust variant name (`SetNull`), for code that names the variant.
    pub fn variant(self) -> &'static str {
        match self {
            FkAction::NoAction => "NoAction",
            FkAction::Restrict => "Restrict",
            FkAction::Cascade => "Cascade",
            FkAction::SetNull => "SetNull",
            FkAction::SetDefault => "SetDefault",
        }
    }

    /// What a model may write, for error messages.
    pub const EXPECTED: &'static str =
        "\"cascade\", \"set null\", \"set default\", \"restrict\" or \"no action\"";
}

/// A server default every database spells its own way: the current time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeDefault {
    /// The current date and time (`now()`, `CURRENT_TIMESTAMP`).
    CurrentTimestamp,
    /// The current date (`CURRENT_DATE`).
    CurrentDate,
    /// The current time of day (`CURRENT_TIME`).
    CurrentTime,
}

impl TimeDefault {
    /// Recognises `now`, `current_timestamp`, `current_date`, `current_time`: any
    /// case, with or without `()`, as a model's `default = "now()"` or a catalog
    /// writes them.
    pub fn parse(value: &str) -> Option<TimeDefault> {
        let v = value.trim().to_ascii_lowercase();
        let v = v.strip_suffix("()").unwrap_or(&v).trim();
        Self::from_function(v)
    }

    /// The same, for a function name without parentheses (`now`), as the derive
    /// reads `default = now()`.
    pub fn from_function(name: &str) -> Option<TimeDefault> {
        match name {
            "now" | "current_timestamp" => Some(TimeDefault::CurrentTimestamp),
            "current_date" => Some(TimeDefault::CurrentDate),
            "current_time" => Some(TimeDefault::CurrentTime),
            _ => None,
        }
    }

    /// The Rust variant name, shared by `TimeDefault` and `ServerDefault`.
    pub fn variant(self) -> &'static str {
        match self {
            TimeDefault::CurrentTimestamp => "CurrentTimestamp",
            TimeDefault::CurrentDate => "CurrentDate",
            TimeDefault::CurrentTime => "CurrentTime",
        }
    }
}

/// `Retort.toml`: where each database's revision files are.
pub mod project {
    /// The database of a `Retort.toml` without `[[databases]]`.
    pub const SINGLE_DATABASE: &str = "main";

    /// Why a top-level `versions` next to `[[databases]]` is refused.
    pub const VERSIONS_WITH_DATABASES: &str =
        "a top-level `versions` applies to a single database; \
         with [[databases]], give each its own `versions` (default versions/<name>)";

    /// The versions folder of a database, relative to `Retort.toml`: the one
    /// written, else `versions` for a single database and `versions/<name>` for
    /// one of several.
    pub fn versions_folder(database: &str, written: Option<&str>, several: bool) -> String {
        match written {
            Some(dir) => dir.to_owned(),
            None if several => format!("versions/{database}"),
            None => "versions".to_owned(),
        }
    }
}

/// The longest revision id: the version table's `version_num` is `VARCHAR(32)`.
pub const MAX_REVISION_ID: usize = 32;

/// What is wrong with a revision id, if anything: one rule for ids given on the
/// command line (`--rev-id`) and ids compiled from revision files. An id is 1 to
/// 32 ASCII letters, digits and `_` (no `-` or `+`, which targets use: `REV-1`).
pub fn revision_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("it is empty".to_owned());
    }
    if id.len() > MAX_REVISION_ID {
        return Some(format!(
            "it is {} characters long; the version table holds at most {MAX_REVISION_ID}",
            id.len()
        ));
    }
    id.chars()
        .find(|c| !c.is_ascii_alphanumeric() && *c != '_')
        .map(|c| format!("`{c}` is not allowed: use letters, digits and `_` only"))
}

/// Whether a file of a versions folder is a revision: `*.rs`, not starting with
/// `.` or `_` (editors' and helpers' files).
pub fn is_revision_file(name: &str) -> bool {
    name.ends_with(".rs") && !name.starts_with(['.', '_'])
}

/// The revision files of a folder, sorted by name; none when the folder does not
/// exist yet.
pub fn revision_files(dir: &Path) -> std::io::Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if is_revision_file(&name) && entry.file_type()?.is_file() {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fk_actions_parse_every_spelling() {
        assert_eq!(FkAction::parse("cascade"), Some(FkAction::Cascade));
        assert_eq!(FkAction::parse("SET_NULL"), Some(FkAction::SetNull));
        assert_eq!(FkAction::parse("set  default"), Some(FkAction::SetDefault));
        assert_eq!(FkAction::parse("No-Action"), Some(FkAction::NoAction));
        assert_eq!(FkAction::parse("explode"), None);
        assert_eq!(FkAction::parse("set"), None);
        for action in FkAction::ALL {
            assert_eq!(FkAction::parse(action.as_sql()), Some(action));
        }
    }

    #[test]
    fn time_defaults() {
        assert_eq!(
            TimeDefault::parse("now()"),
            Some(TimeDefault::CurrentTimestamp)
        );
        assert_eq!(
            TimeDefault::parse(" CURRENT_TIMESTAMP "),
            Some(TimeDefault::CurrentTimestamp)
        );
        assert_eq!(
            TimeDefault::parse("current_date"),
            Some(TimeDefault::CurrentDate)
        );
        assert_eq!(
            TimeDefault::parse("Current_Time()"),
            Some(TimeDefault::CurrentTime)
        );
        assert_eq!(TimeDefault::parse("pending"), None);
    }

    #[test]
    fn versions_rule() {
        assert_eq!(project::versions_folder("main", None, false), "versions");
        assert_eq!(
            project::versions_folder("analytics", None, true),
            "versions/analytics"
        );
        assert_eq!(project::versions_folder("main", Some("db"), true), "db");
    }

    #[test]
    fn revision_ids() {
        assert_eq!(revision_id_problem("ae1027a6acf0"), None);
        assert_eq!(revision_id_problem("release_2_0"), None);
        assert!(revision_id_problem("").unwrap().contains("empty"));
        assert!(revision_id_problem(&"a".repeat(33))
            .unwrap()
            .contains("at most 32"));
        assert!(revision_id_problem("../../x").unwrap().contains("`.`"));
        assert!(revision_id_problem("abc-1").unwrap().contains("`-`"));
    }

    #[test]
    fn revision_file_names() {
        assert!(is_revision_file("a1_init.rs"));
        assert!(!is_revision_file("_helpers.rs"));
        assert!(!is_revision_file(".a1.rs.swp") && !is_revision_file("notes.md"));
    }
}
