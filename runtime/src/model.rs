//! The `Model` trait, the static metadata `#[derive(Model)]` emits, and the registry
//! that collects every linked model into one [`Schema`], once.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicPtr, Ordering};

use once_cell::sync::OnceCell;

use crate::schema::{
    naming, Check, Column, ForeignKey, Generated, Identity, Index, IndexKey, NullsOrder, Schema,
    ServerDefault, SqlType, Table, Unique,
};
use crate::schema::{Deferrable, FkAction};

/// A struct that describes a table. Implemented by `#[derive(Model)]`; do not
/// implement it by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a retort model",
    label = "not a model",
    note = "add `#[derive(retort::Model)]` to `{Self}`, or reference a table by name: `references = \"table.column\"`"
)]
pub trait Model {
    /// The primary key's Rust type (a tuple for a composite key): what a
    /// `references = Model` field is checked against.
    type Key;

    /// The model's static description.
    fn meta() -> &'static ModelMeta;
}

/// What `#[derive(Model)]` knows about one struct, as static data.
#[derive(Debug)]
pub struct ModelMeta {
    /// Full Rust path of the struct (`shop::models::User`), for error messages.
    pub rust_path: &'static str,
    /// Table name: `schema.table` for a table in another PostgreSQL schema
    /// (`#[model(schema = "billing")]`).
    pub table: &'static str,
    /// Columns, in field order.
    pub columns: &'static [ColumnMeta],
    /// Composite indexes declared on the struct (`index(name = .., columns(..))`).
    pub indexes: &'static [IndexMeta],
    /// Unique constraints declared on the struct (`unique(name = .., columns(..))`).
    pub uniques: &'static [UniqueMeta],
    /// Foreign keys declared on the struct (`foreign_key(columns(..), references = ..)`).
    pub foreign_keys: &'static [ForeignKeyMeta],
    /// Check constraints declared on the struct (`check(name = .., sql = ..)`).
    pub checks: &'static [CheckMeta],
    /// `renamed_from = "old_table"`: autogenerate renames instead of drop + create.
    pub renamed_from: Option<&'static str>,
    /// `database = "analytics"`: which of the project's databases the table is
    /// in (`main` by default).
    pub database: &'static str,
    /// The struct's doc comment: the table's comment.
    pub comment: Option<&'static str>,
    /// The registry's link to the next model (`RegistryLink::NEW` in a
    /// model's static; the registry sets it).
    #[doc(hidden)]
    pub registry_next: RegistryLink,
}

/// The registry's link from one model to the next: models are registered by a
/// constructor that runs before `main`, without allocating.
#[doc(hidden)]
#[derive(Debug)]
pub struct RegistryLink(AtomicPtr<ModelMeta>);

impl RegistryLink {
    /// Not linked yet.
    #[allow(clippy::declare_interior_mutable_const)]
    pub const NEW: RegistryLink = RegistryLink(AtomicPtr::new(std::ptr::null_mut()));
}

/// A struct-level check constraint.
#[derive(Debug)]
pub struct CheckMeta {
    /// Constraint name.
    pub name: &'static str,
    /// The SQL condition.
    pub sql: &'static str,
    /// The model left it unnamed: `name` is `ck_<table>_<suffix>`, named again
    /// after the project's naming convention.
    pub generated: bool,
}

/// One field of a model.
#[derive(Debug)]
pub struct ColumnMeta {
    /// Rust field name.
    pub field: &'static str,
    /// Column name (the field name unless `column = "..."`).
    pub name: &'static str,
    /// SQL type (of the elements, for an array).
    pub sql_type: SqlType,
    /// A `Vec<T>` field: a PostgreSQL array of `sql_type`.
    pub array: bool,
    /// `Option<T>` field.
    pub nullable: bool,
    /// `primary_key`.
    pub primary_key: bool,
    /// Autoincrement: `None` lets the registry decide (single integer key: yes).
    pub autoincrement: Option<bool>,
    /// `unique`.
    pub unique: bool,
    /// `unique(name = "...")`: its name (`None`: `uq_<table>_<column>`).
    pub unique_name: Option<&'static str>,
    /// `index`.
    pub index: bool,
    /// `index(name = "...")`: its name (`None`: `ix_<table>_<column>`).
    pub index_name: Option<&'static str>,
    /// `default = ...`.
    pub default: Option<ServerDefault>,
    /// `references = ...`.
    pub references: Option<Reference>,
    /// `fk_name = "..."`: the foreign key's name (`None`:
    /// `fk_<table>_<column>_<ref_table>`).
    pub fk_name: Option<&'static str>,
    /// `on_delete = "..."`.
    pub on_delete: FkAction,
    /// `on_update = "..."`.
    pub on_update: FkAction,
    /// `deferrable` / `initially_deferred`.
    pub deferrable: Deferrable,
    /// `renamed_from = "old_column"`: autogenerate renames instead of drop + add.
    pub renamed_from: Option<&'static str>,
    /// The field's type is a `#[derive(DbEnum)]` enum (`sql_type` is then
    /// ignored): its name and values.
    pub db_enum: Option<&'static EnumMeta>,
    /// The field's doc comment: the column's comment.
    pub comment: Option<&'static str>,
    /// `on_update = now()`: MySQL's `ON UPDATE CURRENT_TIMESTAMP`.
    pub on_update_now: bool,
    /// `generated = "…"`: a generated column's expression.
    pub generated: Option<&'static str>,
    /// `stored`: the generated column is kept, not computed on read.
    pub generated_stored: bool,
    /// `collation = "…"`.
    pub collation: Option<&'static str>,
    /// `identity(always, start = .., increment = ..)`.
    pub identity: Option<Identity>,
}

impl ColumnMeta {
    /// Every option at its default: the derive writes a field's
    /// `ColumnMeta { field, name, sql_type, <what the attributes set>, ..BASE }`,
    /// so 1000 models type-check a few fields each instead of all of them. (It must
    /// be a constant, not a `const fn`'s result: a static may drop the fields the
    /// literal replaces only where rustc sees their values need no destructor.)
    pub const BASE: ColumnMeta = ColumnMeta {
        field: "",
        name: "",
        sql_type: SqlType::Integer,
        array: false,
        nullable: false,
        primary_key: false,
        autoincrement: None,
        unique: false,
        unique_name: None,
        index: false,
        index_name: None,
        default: None,
        references: None,
        fk_name: None,
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        deferrable: Deferrable::No,
        renamed_from: None,
        db_enum: None,
        comment: None,
        on_update_now: false,
        generated: None,
        generated_stored: false,
        collation: None,
        identity: None,
    };
}

/// What `#[derive(DbEnum)]` knows about an enum, as static data.
#[derive(Debug)]
pub struct EnumMeta {
    /// Full Rust path of the enum, for error messages.
    pub rust_path: &'static str,
    /// The database type's name (PostgreSQL's `CREATE TYPE` name): the enum's
    /// name in snake_case unless `#[db_enum(name = "...")]`.
    pub name: &'static str,
    /// The values, in declaration order: each variant's name in snake_case
    /// unless `#[db_enum(rename = "...")]`.
    pub values: &'static [&'static str],
    /// `#[db_enum(renamed_from = "old")]` on variants: (old value, new value).
    pub renamed_from: &'static [(&'static str, &'static str)],
}

/// A Rust enum of unit variants stored as a database enum: PostgreSQL's
/// `CREATE TYPE … AS ENUM`, MySQL's `ENUM(…)`, SQLite's text with a check.
/// Implemented by `#[derive(DbEnum)]`, with diesel's `ToSql`/`FromSql` and
/// `From<Self> for Value`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a field type retort knows",
    label = "unknown field type",
    note = "field types: i16, i32, i64, f32, f64, bool, String, Vec<u8>, chrono or time dates and times, uuid::Uuid, serde_json::Value, retort::types::Json<T>, bigdecimal::BigDecimal and rust_decimal::Decimal (with precision), Vec<T> (PostgreSQL arrays), u8 to u64 (MySQL), Option of any of them",
    note = "an enum of unit variants: add #[derive(retort::DbEnum)] to `{Self}`; any other type: give the column's SQL type with #[model(sql_type = \"...\")]"
)]
pub trait DbEnum: Sized + 'static {
    /// The enum's static description.
    const META: EnumMeta;

    /// The value stored for this variant.
    fn as_db_str(&self) -> &'static str;

    /// The variant stored as `value`, if any.
    fn from_db_str(value: &str) -> Option<Self>;
}

/// The target of `references = ...`.
#[derive(Debug)]
pub enum Reference {
    /// `references = User` or `references = User::id`: another model, by Rust type;
    /// `field` is the Rust field (`None`: its primary key).
    Model {
        /// The referenced model's metadata.
        target: fn() -> &'static ModelMeta,
        /// Referenced field, if given.
        field: Option<&'static str>,
    },
    /// `references = "table.column"` or `references = "table"`: a table by name.
    Table {
        /// Referenced table name.
        table: &'static str,
        /// Referenced column (`None`: the table's primary key).
        column: Option<&'static str>,
    },
}

/// A struct-level unique constraint.
#[derive(Debug)]
pub struct UniqueMeta {
    /// Constraint name (`None`: `uq_<table>_<columns>`).
    pub name: Option<&'static str>,
    /// Column names (already mapped from field names).
    pub columns: &'static [&'static str],
}

/// A struct-level foreign key, over one or more columns.
#[derive(Debug)]
pub struct ForeignKeyMeta {
    /// Constraint name (`None`: `fk_<table>_<columns>_<ref_table>`).
    pub name: Option<&'static str>,
    /// This table's columns (already mapped from field names).
    pub columns: &'static [&'static str],
    /// What they reference.
    pub references: KeyReference,
    /// `on_delete = "..."`.
    pub on_delete: FkAction,
    /// `on_update = "..."`.
    pub on_update: FkAction,
    /// `deferrable` / `initially_deferred`.
    pub deferrable: Deferrable,
    /// `match_full`: PostgreSQL's `MATCH FULL`.
    pub match_full: bool,
}

/// The target of a struct-level `foreign_key(.., references = ...)`.
#[derive(Debug)]
pub enum KeyReference {
    /// `references = Order` (its primary key) or `references = Order(id, version)`.
    Model {
        /// The referenced model's metadata.
        target: fn() -> &'static ModelMeta,
        /// Its Rust fields, in order (empty: its primary key).
        fields: &'static [&'static str],
    },
    /// `references = "orders"` or `references = "orders(id, version)"`.
    Table {
        /// Referenced table name.
        table: &'static str,
        /// Its columns, in order (empty: its primary key).
        columns: &'static [&'static str],
    },
}

/// A struct-level index.
#[derive(Debug)]
pub struct IndexMeta {
    /// Index name (`None`: `ix_<table>_<columns>`).
    pub name: Option<&'static str>,
    /// Its keys, in order (columns already mapped from field names).
    pub keys: &'static [IndexKeyMeta],
    /// `unique`.
    pub unique: bool,
    /// `where = "…"`: a partial index's predicate.
    pub predicate: Option<&'static str>,
    /// `using = "gin"`: the index method.
    pub using: Option<&'static str>,
    /// `include(a, b)`: non-key columns.
    pub include: &'static [&'static str],
    /// `nulls_not_distinct`.
    pub nulls_not_distinct: bool,
}

/// One key of a struct-level index: `created_at desc nulls_last`, `"lower(email)"`.
#[derive(Debug)]
pub struct IndexKeyMeta {
    /// The column, or the expression's SQL when `expression`.
    pub column: &'static str,
    /// Written as a string: an SQL expression.
    pub expression: bool,
    /// `desc`.
    pub descending: bool,
    /// `nulls_first` / `nulls_last`.
    pub nulls: Option<NullsOrder>,
    /// `opclass = "…"`.
    pub opclass: Option<&'static str>,
    /// `column(n)`: MySQL's prefix length.
    pub length: Option<u32>,
}

impl IndexKeyMeta {
    fn key(&self) -> IndexKey {
        IndexKey {
            column: self.column.to_owned(),
            expression: self.expression,
            descending: self.descending,
            nulls: self.nulls,
            opclass: self.opclass.map(str::to_owned),
            length: self.length,
        }
    }
}

/// A model's column, as the derive emits it for each field
/// (`User::__retort_col_id`): it carries the field's Rust type, so that a
/// foreign key's type is checked against the column it references at compile
/// time.
pub struct Field<T> {
    /// The column name.
    pub name: &'static str,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<T> Field<T> {
    /// Emitted by the derive.
    pub const fn new(name: &'static str) -> Self {
        Field {
            name,
            _type: std::marker::PhantomData,
        }
    }
}

/// "A field of type `A` may reference this column": the same type, or an
/// `Option` of it.
#[diagnostic::on_unimplemented(
    message = "this foreign key field is `{A}`, but the column it references is not",
    label = "the referenced column: `{Self}`",
    note = "a foreign key field has the type of the column it references, or an Option of it"
)]
pub trait ForeignKeyOf<A> {}

impl<T> ForeignKeyOf<T> for Field<T> {}
impl<T> ForeignKeyOf<Option<T>> for Field<T> {}

/// Emitted by the derive: fails to compile when the types do not fit.
pub const fn check_reference<A, F: ForeignKeyOf<A>>(_column: &F) {}

/// "A composite foreign key of fields `Self` (a tuple) may reference the
/// primary key `K`": as many fields as key columns, each fitting its column.
#[diagnostic::on_unimplemented(
    message = "this foreign key's fields `{Self}` do not fit the primary key `{K}` it references",
    label = "the referenced model",
    note = "a composite foreign key lists one field per key column, in key order, each of the column's type or an Option of it; or name the referenced fields: references = Model(a, b)"
)]
pub trait ForeignKeyOfKey<K> {}

macro_rules! key_tuples {
    ($(($($a:ident $k:ident),+))*) => {$(
        impl<$($a, $k),+> ForeignKeyOfKey<($($k,)+)> for ($($a,)+) where $(Field<$k>: ForeignKeyOf<$a>),+ {}
    )*};
}

key_tuples! {
    (A1 K1, A2 K2)
    (A1 K1, A2 K2, A3 K3)
    (A1 K1, A2 K2, A3 K3, A4 K4)
    (A1 K1, A2 K2, A3 K3, A4 K4, A5 K5)
    (A1 K1, A2 K2, A3 K3, A4 K4, A5 K5, A6 K6)
    (A1 K1, A2 K2, A3 K3, A4 K4, A5 K5, A6 K6, A7 K7)
    (A1 K1, A2 K2, A3 K3, A4 K4, A5 K5, A6 K6, A7 K7, A8 K8)
}

/// Emitted by the derive for `foreign_key(columns(a, b), references = Model)`:
/// fails to compile when the fields do not fit the model's key.
pub const fn check_key<A: ForeignKeyOfKey<K>, K>() {}

/// The diesel table a model's derive emitted (`table!`), for joins.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a retort model",
    label = "not a model",
    note = "add `#[derive(retort::Model)]` to `{Self}` (without `diesel = false`), or reference a table by name: `references = \"table.column\"`"
)]
pub trait ModelTable {
    /// `users::table`.
    type Table: diesel::Table + Default + Copy;
}

/// A model registered on a target without constructors (`inventory`).
#[doc(hidden)]
pub struct Registration(pub &'static ModelMeta);

inventory::collect!(Registration);

/// The first registered model; each links to the next.
static REGISTERED: AtomicPtr<ModelMeta> = AtomicPtr::new(std::ptr::null_mut());

/// Adds `meta` to the registry (lock-free, no allocation: it runs before
/// `main`). The derive's constructor calls it once per model: a plain call,
/// which rustc checks in a fraction of the time an `inventory::submit!` takes
/// (at 1000 models that was a quarter of a model edit's rebuild).
#[doc(hidden)]
pub fn register(meta: &'static ModelMeta) {
    let node = std::ptr::from_ref(meta).cast_mut();
    let mut head = REGISTERED.load(Ordering::Acquire);
    loop {
        meta.registry_next.0.store(head, Ordering::Relaxed);
        match REGISTERED.compare_exchange_weak(head, node, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return,
            Err(now) => head = now,
        }
    }
}

/// Every registered model, by either route.
fn registrations() -> Vec<&'static ModelMeta> {
    let mut out = Vec::new();
    let mut at = REGISTERED.load(Ordering::Acquire);
    // SAFETY: every pointer in the list comes from a `&'static ModelMeta`
    // (`register`), so it is valid for the whole program and never freed.
    while let Some(meta) = unsafe { at.as_ref() } {
        out.push(meta);
        at = meta.registry_next.0.load(Ordering::Acquire);
    }
    out.extend(inventory::iter::<Registration>.into_iter().map(|r| r.0));
    out
}

/// What only the whole program can know is wrong with the models.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two models claim one table.
    #[error("table `{table}` is declared by two models: `{first}` and `{second}`; give one of them #[model(table = \"...\")]")]
    DuplicateTable {
        /// The table.
        table: String,
        /// One model's Rust path.
        first: String,
        /// The other's.
        second: String,
    },
    /// A foreign key points at a table no model declares.
    #[error("`{model}.{field}` references table `{table}`, which no registered model declares")]
    UnknownTable {
        /// Rust path of the referencing model.
        model: String,
        /// Rust field.
        field: String,
        /// Missing table.
        table: String,
    },
    /// A foreign key points at a column the target does not have.
    #[error("`{model}.{field}` references `{target}.{column}`, which has no such column")]
    UnknownColumn {
        /// Rust path of the referencing model.
        model: String,
        /// Rust field.
        field: String,
        /// Referenced model or table.
        target: String,
        /// Missing column or field.
        column: String,
    },
    /// A foreign key points at a model without a single-column primary key.
    #[error("`{model}.{field}` references `{target}`, whose primary key is not one column; name the column: references = {target}::<field>")]
    AmbiguousKey {
        /// Rust path of the referencing model.
        model: String,
        /// Rust field.
        field: String,
        /// Referenced model or table.
        target: String,
    },
    /// A foreign key lists another number of columns than it references.
    #[error("`{model}.{field}` has {found} column(s) but references {expected} of `{target}`; name one referenced column per column, in order")]
    ColumnCount {
        /// Rust path of the referencing model.
        model: String,
        /// Its columns, `(a, b)`.
        field: String,
        /// Referenced model or table.
        target: String,
        /// How many the target's key or list has.
        expected: usize,
        /// How many the foreign key has.
        found: usize,
    },
    /// A foreign key points at columns that are neither the target's primary key
    /// nor one of its unique constraints: PostgreSQL and SQLite refuse it.
    #[error("`{model}.{field}` references `{target}({columns})`, which is neither the primary key nor unique in `{target}`; reference its key, or make those columns unique there (unique(columns(..)) on the struct)")]
    NotAKey {
        /// Rust path of the referencing model.
        model: String,
        /// Its columns.
        field: String,
        /// Referenced table.
        target: String,
        /// The referenced columns, comma-separated.
        columns: String,
    },
    /// A foreign key to a model of another database.
    #[error("`{model}.{field}` references `{target}`, which is in database `{database}`: a foreign key cannot cross databases")]
    OtherDatabase {
        /// Rust path of the referencing model.
        model: String,
        /// Rust field.
        field: String,
        /// The referenced model.
        target: String,
        /// Its database.
        database: String,
    },
    /// Two Rust enums claim one database enum with different values.
    #[error("enum `{name}` is declared by two Rust enums with different values: `{first}` and `{second}`; give one of them #[db_enum(name = \"...\")]")]
    EnumConflict {
        /// The database enum's name.
        name: String,
        /// One Rust enum's path.
        first: String,
        /// The other's.
        second: String,
    },
    /// Several problems at once.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<RegistryError>),
}

/// What `renamed_from` says: renames, not drop + add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenameHints {
    /// New table name → old name.
    pub tables: BTreeMap<String, String>,
    /// (table name in the target, new column) → old column.
    pub columns: BTreeMap<(String, String), String>,
    /// Enum name → its renamed values, (old, new).
    pub enum_values: BTreeMap<String, Vec<(String, String)>>,
    /// `autogenerate --rename-constraints`: a unique constraint, foreign key or
    /// index the model leaves unnamed, found in the database under another name,
    /// is dropped and created again under the model's (the naming convention's)
    /// name, instead of being taken as it is.
    pub rename_constraints: bool,
}

/// The `renamed_from` hints of every linked model, for autogenerate.
pub fn registered_hints() -> &'static RenameHints {
    registered_hints_for(MAIN)
}

/// The `renamed_from` hints of the models of one database.
pub fn registered_hints_for(database: &str) -> &'static RenameHints {
    static HINTS: OnceCell<BTreeMap<String, RenameHints>> = OnceCell::new();
    static EMPTY: once_cell::sync::Lazy<RenameHints> = once_cell::sync::Lazy::new(Default::default);
    let all = HINTS.get_or_init(|| {
        let models = registered_models();
        databases(&models)
            .into_iter()
            .map(|db| (db.to_owned(), hints_from_models(&of_database(&models, db))))
            .collect()
    });
    all.get(database).unwrap_or(&EMPTY)
}

/// The database a model without `database = ".."` is in.
pub const MAIN: &str = "main";

fn databases<'a>(models: &[&'a ModelMeta]) -> std::collections::BTreeSet<&'a str> {
    models.iter().map(|m| m.database).collect()
}

fn of_database(models: &[&'static ModelMeta], database: &str) -> Vec<&'static ModelMeta> {
    models
        .iter()
        .copied()
        .filter(|m| m.database == database)
        .collect()
}

/// The `renamed_from` hints of these models.
pub fn hints_from_models(models: &[&'static ModelMeta]) -> RenameHints {
    let mut hints = RenameHints::default();
    for model in models {
        if let Some(old) = model.renamed_from {
            hints.tables.insert(model.table.to_owned(), old.to_owned());
        }
        for column in model.columns {
            if let Some(old) = column.renamed_from {
                hints.columns.insert(
                    (model.table.to_owned(), column.name.to_owned()),
                    old.to_owned(),
                );
            }
            if let Some(meta) = column.db_enum {
                let renames = meta
                    .renamed_from
                    .iter()
                    .map(|(old, new)| ((*old).to_owned(), (*new).to_owned()))
                    .collect();
                hints.enum_values.insert(meta.name.to_owned(), renames);
            }
        }
    }
    hints
}

/// Every model linked into this program.
pub fn registered_models() -> Vec<&'static ModelMeta> {
    let mut models = registrations();
    models.sort_by_key(|m| (m.table, m.rust_path));
    models
}

/// The schema of every linked model, built and checked once per process.
pub fn registered_schema() -> Result<&'static Schema, RegistryError> {
    registered_schema_for(MAIN)
}

/// The schema of the linked models of one database (`#[model(database = ..)]`).
pub fn registered_schema_for(database: &str) -> Result<&'static Schema, RegistryError> {
    static SCHEMAS: OnceCell<BTreeMap<String, Result<Schema, RegistryError>>> = OnceCell::new();
    static EMPTY: once_cell::sync::Lazy<Schema> = once_cell::sync::Lazy::new(Schema::new);
    let all = SCHEMAS.get_or_init(|| {
        let models = registered_models();
        databases(&models)
            .into_iter()
            .map(|db| (db.to_owned(), schema_from_models(&of_database(&models, db))))
            .collect()
    });
    match all.get(database) {
        Some(result) => result.as_ref().map_err(Clone::clone),
        None => Ok(&EMPTY),
    }
}

/// Builds a schema from model metadata, reporting every whole-program error.
pub fn schema_from_models(models: &[&'static ModelMeta]) -> Result<Schema, RegistryError> {
    let mut errors = Vec::new();
    let mut owners: BTreeMap<&str, &ModelMeta> = BTreeMap::new();
    for model in models {
        if let Some(first) = owners.insert(model.table, model) {
            errors.push(RegistryError::DuplicateTable {
                table: model.table.to_owned(),
                first: first.rust_path.to_owned(),
                second: model.rust_path.to_owned(),
            });
        }
    }
    let mut schema = Schema::new();
    let mut enums: BTreeMap<&str, &EnumMeta> = BTreeMap::new();
    for model in models {
        for meta in model.columns.iter().filter_map(|c| c.db_enum) {
            match enums.insert(meta.name, meta) {
                Some(first) if first.values != meta.values => {
                    errors.push(RegistryError::EnumConflict {
                        name: meta.name.to_owned(),
                        first: first.rust_path.to_owned(),
                        second: meta.rust_path.to_owned(),
                    })
                }
                _ => {}
            }
            schema.enums.insert(
                meta.name.to_owned(),
                meta.values.iter().map(|v| (*v).to_owned()).collect(),
            );
        }
        match table_from_model(model, &owners) {
            Ok(table) => schema.insert(table),
            Err(mut e) => errors.append(&mut e),
        }
    }
    match errors.len() {
        0 => Ok(schema),
        1 => Err(errors.remove(0)),
        _ => Err(RegistryError::Many(errors)),
    }
}

fn primary_key_of(model: &ModelMeta) -> Vec<&'static ColumnMeta> {
    model.columns.iter().filter(|c| c.primary_key).collect()
}

fn table_from_model(
    model: &ModelMeta,
    owners: &BTreeMap<&str, &ModelMeta>,
) -> Result<Table, Vec<RegistryError>> {
    let mut errors = Vec::new();
    let mut table = Table::new(model.table);
    table.comment = model.comment.map(str::to_owned);
    let pk = primary_key_of(model);
    table.primary_key = pk.iter().map(|c| c.name.to_owned()).collect();
    let key: Vec<&str> = pk.iter().map(|c| c.name).collect();
    table.primary_key_name = naming::convention_primary_key(model.table, &key);
    for meta in model.columns {
        let single_key = pk.len() == 1 && meta.primary_key;
        let autoincrement = meta
            .autoincrement
            .unwrap_or(single_key && meta.sql_type.is_integer());
        table.columns.push(Column {
            name: meta.name.to_owned(),
            sql_type: {
                let scalar = match meta.db_enum {
                    Some(e) => SqlType::enumeration(e.name, e.values.iter().copied()),
                    None => meta.sql_type.clone(),
                };
                if meta.array {
                    SqlType::Array(Box::new(scalar))
                } else {
                    scalar
                }
            },
            nullable: meta.nullable,
            default: meta.default.as_ref().map(ServerDefault::normalized),
            autoincrement,
            comment: meta.comment.map(str::to_owned),
            on_update_now: meta.on_update_now,
            generated: meta.generated.map(|expr| Generated {
                expr: expr.to_owned(),
                stored: meta.generated_stored,
            }),
            collation: meta.collation.map(str::to_owned),
            identity: meta.identity,
        });
        if meta.unique {
            table.uniques.push(Unique::new(
                meta.unique_name
                    .map_or_else(|| naming::unique(model.table, &[meta.name]), str::to_owned),
                [meta.name],
            ));
        }
        if meta.index {
            table.indexes.push(Index::new(
                meta.index_name
                    .map_or_else(|| naming::index(model.table, &[meta.name]), str::to_owned),
                [meta.name],
            ));
        }
        if let Some(reference) = &meta.references {
            match resolve_reference(model, meta, reference, owners) {
                Ok((ref_table, ref_column)) => table.foreign_keys.push(
                    ForeignKey::new(
                        meta.fk_name.map_or_else(
                            || naming::foreign_key(model.table, &[meta.name], &ref_table),
                            str::to_owned,
                        ),
                        [meta.name],
                        ref_table,
                        [ref_column],
                    )
                    .on_delete(meta.on_delete)
                    .on_update(meta.on_update)
                    .deferrable(meta.deferrable),
                ),
                Err(e) => errors.push(e),
            }
        }
    }
    for unique in model.uniques {
        let name = unique.name.map_or_else(
            || naming::unique(model.table, unique.columns),
            str::to_owned,
        );
        table
            .uniques
            .push(Unique::new(name, unique.columns.iter().copied()));
    }
    for fk in model.foreign_keys {
        match resolve_key(model, fk, owners) {
            Ok((ref_table, ref_columns)) => table.foreign_keys.push(
                ForeignKey {
                    match_full: fk.match_full,
                    ..ForeignKey::new(
                        fk.name.map_or_else(
                            || naming::foreign_key(model.table, fk.columns, &ref_table),
                            str::to_owned,
                        ),
                        fk.columns.iter().copied(),
                        ref_table,
                        ref_columns,
                    )
                }
                .on_delete(fk.on_delete)
                .on_update(fk.on_update)
                .deferrable(fk.deferrable),
            ),
            Err(e) => errors.push(e),
        }
    }
    for check in model.checks {
        let prefix = format!("ck_{}_", crate::schema::split_schema(model.table).1);
        let name = match check.name.strip_prefix(&prefix) {
            Some(suffix) if check.generated => naming::check(model.table, suffix),
            _ => check.name.to_owned(),
        };
        table.checks.push(Check::new(name, check.sql));
    }
    for index in model.indexes {
        let name = match index.name {
            Some(name) => name.to_owned(),
            None => {
                let columns: Vec<&str> = index.keys.iter().map(|k| k.column).collect();
                naming::index(model.table, &columns)
            }
        };
        table.indexes.push(Index {
            name,
            columns: index.keys.iter().map(IndexKeyMeta::key).collect(),
            unique: index.unique,
            predicate: index.predicate.map(str::to_owned),
            using: index.using.map(str::to_owned),
            include: index.include.iter().map(|c| (*c).to_owned()).collect(),
            nulls_not_distinct: index.nulls_not_distinct,
        });
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(errors)
    }
}

/// Whether `columns` are `target`'s primary key or unique there (a unique
/// constraint or unique index over the same columns, in any order).
fn is_key(target: &ModelMeta, columns: &[String]) -> bool {
    fn set<'a>(cols: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let mut v: Vec<&str> = cols.into_iter().collect();
        v.sort_unstable();
        v
    }
    let wanted = set(columns.iter().map(String::as_str));
    wanted == set(primary_key_of(target).into_iter().map(|c| c.name))
        || target
            .columns
            .iter()
            .any(|c| c.unique && wanted == [c.name])
        || target
            .uniques
            .iter()
            .any(|u| set(u.columns.iter().copied()) == wanted)
        || target.indexes.iter().any(|i| {
            i.unique
                && i.predicate.is_none()
                && i.keys.iter().all(|k| !k.expression)
                && set(i.keys.iter().map(|k| k.column)) == wanted
        })
}

/// A struct-level foreign key's target table and columns.
fn resolve_key(
    model: &ModelMeta,
    fk: &ForeignKeyMeta,
    owners: &BTreeMap<&str, &ModelMeta>,
) -> Result<(String, Vec<String>), RegistryError> {
    let field = format!("({})", fk.columns.join(", "));
    let (target, label, columns): (&ModelMeta, String, Vec<String>) = match &fk.references {
        KeyReference::Model { target, fields } => {
            let target = target();
            if target.database != model.database {
                return Err(RegistryError::OtherDatabase {
                    model: model.rust_path.to_owned(),
                    field,
                    target: target.rust_path.to_owned(),
                    database: target.database.to_owned(),
                });
            }
            let mut columns = Vec::new();
            for f in *fields {
                match target.columns.iter().find(|c| c.field == *f) {
                    Some(c) => columns.push(c.name.to_owned()),
                    None => {
                        return Err(RegistryError::UnknownColumn {
                            model: model.rust_path.to_owned(),
                            field,
                            target: target.rust_path.to_owned(),
                            column: (*f).to_owned(),
                        })
                    }
                }
            }
            (target, target.rust_path.to_owned(), columns)
        }
        KeyReference::Table { table, columns } => {
            let target = owners
                .get(table)
                .ok_or_else(|| RegistryError::UnknownTable {
                    model: model.rust_path.to_owned(),
                    field: field.clone(),
                    table: (*table).to_owned(),
                })?;
            if let Some(missing) = columns
                .iter()
                .find(|c| !target.columns.iter().any(|t| t.name == **c))
            {
                return Err(RegistryError::UnknownColumn {
                    model: model.rust_path.to_owned(),
                    field,
                    target: (*table).to_owned(),
                    column: (*missing).to_owned(),
                });
            }
            let columns = columns.iter().map(|c| (*c).to_owned()).collect();
            (*target, (*table).to_owned(), columns)
        }
    };
    let columns = if columns.is_empty() {
        primary_key_of(target)
            .iter()
            .map(|c| c.name.to_owned())
            .collect()
    } else {
        columns
    };
    if columns.len() != fk.columns.len() {
        return Err(RegistryError::ColumnCount {
            model: model.rust_path.to_owned(),
            field,
            target: label,
            expected: columns.len(),
            found: fk.columns.len(),
        });
    }
    if !is_key(target, &columns) {
        return Err(RegistryError::NotAKey {
            model: model.rust_path.to_owned(),
            field,
            target: target.table.to_owned(),
            columns: columns.join(", "),
        });
    }
    Ok((target.table.to_owned(), columns))
}

fn resolve_reference(
    model: &ModelMeta,
    meta: &ColumnMeta,
    reference: &Reference,
    owners: &BTreeMap<&str, &ModelMeta>,
) -> Result<(String, String), RegistryError> {
    let unknown_column = |target: &str, column: &str| RegistryError::UnknownColumn {
        model: model.rust_path.to_owned(),
        field: meta.field.to_owned(),
        target: target.to_owned(),
        column: column.to_owned(),
    };
    let key_of = |target: &ModelMeta, label: &str| match primary_key_of(target).as_slice() {
        [only] => Ok(only.name.to_owned()),
        _ => Err(RegistryError::AmbiguousKey {
            model: model.rust_path.to_owned(),
            field: meta.field.to_owned(),
            target: label.to_owned(),
        }),
    };
    let not_a_key = |target: &ModelMeta, column: &str| {
        if is_key(target, &[column.to_owned()]) {
            Ok(())
        } else {
            Err(RegistryError::NotAKey {
                model: model.rust_path.to_owned(),
                field: meta.field.to_owned(),
                target: target.table.to_owned(),
                columns: column.to_owned(),
            })
        }
    };
    match reference {
        Reference::Model { target, field } => {
            let target = target();
            if target.database != model.database {
                return Err(RegistryError::OtherDatabase {
                    model: model.rust_path.to_owned(),
                    field: meta.field.to_owned(),
                    target: target.rust_path.to_owned(),
                    database: target.database.to_owned(),
                });
            }
            let column = match field {
                Some(field) => target
                    .columns
                    .iter()
                    .find(|c| c.field == *field)
                    .map(|c| c.name.to_owned())
                    .ok_or_else(|| unknown_column(target.rust_path, field))?,
                None => key_of(target, target.rust_path)?,
            };
            not_a_key(target, &column)?;
            Ok((target.table.to_owned(), column))
        }
        Reference::Table { table, column } => {
            let target = owners
                .get(table)
                .ok_or_else(|| RegistryError::UnknownTable {
                    model: model.rust_path.to_owned(),
                    field: meta.field.to_owned(),
                    table: (*table).to_owned(),
                })?;
            let column = match column {
                Some(column) => target
                    .columns
                    .iter()
                    .find(|c| c.name == *column)
                    .map(|c| c.name.to_owned())
                    .ok_or_else(|| unknown_column(table, column))?,
                None => key_of(target, table)?,
            };
            not_a_key(target, &column)?;
            Ok(((*table).to_owned(), column))
        }
    }
}

impl fmt::Display for ModelMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (table `{}`)", self.rust_path, self.table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn col(field: &'static str, sql_type: SqlType, primary_key: bool) -> ColumnMeta {
        ColumnMeta {
            field,
            name: field,
            sql_type,
            primary_key,
            ..ColumnMeta::BASE
        }
    }

    static A: ModelMeta = ModelMeta {
        rust_path: "app::A",
        table: "things",
        columns: &[col("id", SqlType::Integer, true)],
        indexes: &[],
        uniques: &[],
        foreign_keys: &[],
        checks: &[],
        renamed_from: None,
        database: MAIN,
        comment: None,
        registry_next: RegistryLink::NEW,
    };
    static B: ModelMeta = ModelMeta {
        rust_path: "other::B",
        table: "things",
        columns: &[col("id", SqlType::BigInt, true)],
        indexes: &[],
        uniques: &[],
        foreign_keys: &[],
        checks: &[],
        renamed_from: None,
        database: MAIN,
        comment: None,
        registry_next: RegistryLink::NEW,
    };
    static C: ModelMeta = ModelMeta {
        rust_path: "app::C",
        table: "cs",
        columns: &[
            col("id", SqlType::Integer, true),
            ColumnMeta {
                references: Some(Reference::Table {
                    table: "missing",
                    column: None,
                }),
                field: "missing_id",
                name: "missing_id",
                sql_type: SqlType::Integer,
                ..ColumnMeta::BASE
            },
        ],
        indexes: &[],
        uniques: &[],
        foreign_keys: &[],
        checks: &[],
        renamed_from: None,
        database: MAIN,
        comment: None,
        registry_next: RegistryLink::NEW,
    };

    #[test]
    fn registration_links_each_model_once() {
        static R1: ModelMeta = ModelMeta {
            rust_path: "reg::R1",
            table: "reg_one",
            columns: &[col("id", SqlType::Integer, true)],
            indexes: &[],
            uniques: &[],
            foreign_keys: &[],
            checks: &[],
            renamed_from: None,
            database: "registration_test",
            comment: None,
            registry_next: RegistryLink::NEW,
        };
        static R2: ModelMeta = ModelMeta {
            rust_path: "reg::R2",
            table: "reg_two",
            columns: &[col("id", SqlType::Integer, true)],
            indexes: &[],
            uniques: &[],
            foreign_keys: &[],
            checks: &[],
            renamed_from: None,
            database: "registration_test",
            comment: None,
            registry_next: RegistryLink::NEW,
        };
        // From several threads at once, as constructors never do but could.
        std::thread::scope(|s| {
            s.spawn(|| register(&R1));
            s.spawn(|| register(&R2));
        });
        let mine: Vec<&str> = registered_models()
            .into_iter()
            .filter(|m| m.database == "registration_test")
            .map(|m| m.table)
            .collect();
        assert_eq!(mine, ["reg_one", "reg_two"]);
    }

    static STATUS: EnumMeta = EnumMeta {
        rust_path: "app::Status",
        name: "status",
        values: &["open", "shut"],
        renamed_from: &[("closed", "shut")],
    };
    static OTHER_STATUS: EnumMeta = EnumMeta {
        rust_path: "other::Status",
        name: "status",
        values: &["open"],
        renamed_from: &[],
    };
    const fn enum_col(field: &'static str, meta: &'static EnumMeta) -> ColumnMeta {
        let mut c = col(field, SqlType::Text, false);
        c.db_enum = Some(meta);
        c
    }
    static D: ModelMeta = ModelMeta {
        rust_path: "app::D",
        table: "ds",
        columns: &[
            col("id", SqlType::Integer, true),
            enum_col("state", &STATUS),
        ],
        indexes: &[],
        uniques: &[],
        foreign_keys: &[],
        checks: &[],
        renamed_from: None,
        database: MAIN,
        comment: None,
        registry_next: RegistryLink::NEW,
    };
    static E: ModelMeta = ModelMeta {
        rust_path: "other::E",
        table: "es",
        columns: &[
            col("id", SqlType::Integer, true),
            enum_col("state", &OTHER_STATUS),
        ],
        indexes: &[],
        uniques: &[],
        foreign_keys: &[],
        checks: &[],
        renamed_from: None,
        database: MAIN,
        comment: None,
        registry_next: RegistryLink::NEW,
    };

    #[test]
    fn enum_fields_are_enum_columns_and_types() {
        let schema = schema_from_models(&[&D]).unwrap();
        let state = schema.tables["ds"].get_column("state").unwrap();
        assert_eq!(
            state.sql_type,
            SqlType::enumeration("status", ["open", "shut"])
        );
        assert_eq!(schema.enums["status"], ["open", "shut"]);
        let hints = hints_from_models(&[&D]);
        assert_eq!(
            hints.enum_values["status"],
            [("closed".to_owned(), "shut".to_owned())]
        );
        let err = schema_from_models(&[&D, &E]).unwrap_err().to_string();
        assert!(
            err.contains("enum `status` is declared by two Rust enums with different values")
                && err.contains("app::Status")
                && err.contains("other::Status"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_tables_name_both_models() {
        let err = schema_from_models(&[&A, &B]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("app::A") && msg.contains("other::B") && msg.contains("`things`"),
            "{msg}"
        );
    }

    #[test]
    fn reference_to_unknown_table() {
        let err = schema_from_models(&[&C]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`app::C.missing_id` references table `missing`, which no registered model declares"
        );
    }

    #[test]
    fn single_integer_key_autoincrements() {
        let schema = schema_from_models(&[&A]).unwrap();
        let table = schema.table("things").unwrap();
        assert!(table.columns[0].autoincrement);
        assert_eq!(table.primary_key, vec!["id".to_owned()]);
    }
}
