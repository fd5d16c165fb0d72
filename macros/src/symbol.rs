//! Attribute names, in one place.

/// The attribute namespace: `#[model(..)]`.
pub const MODEL: &str = "model";

/// Keys allowed on the struct.
pub const STRUCT_KEYS: &[&str] = &[
    TABLE,
    INDEX,
    UNIQUE,
    FOREIGN_KEY,
    CHECK,
    RENAMED_FROM,
    DIESEL,
    DATABASE,
    SCHEMA,
];
/// Keys allowed on a field.
pub const FIELD_KEYS: &[&str] = &[
    PRIMARY_KEY,
    COLUMN,
    MAX_LENGTH,
    PRECISION,
    SCALE,
    SQL_TYPE,
    UNIQUE,
    INDEX,
    DEFAULT,
    REFERENCES,
    FK_NAME,
    ON_DELETE,
    ON_UPDATE,
    DEFERRABLE,
    INITIALLY_DEFERRED,
    AUTOINCREMENT,
    RENAMED_FROM,
    DIESEL_TYPE,
    CHECK,
    GENERATED,
    STORED,
    COLLATION,
    IDENTITY,
];
/// Keys allowed inside `index(..)`.
pub const INDEX_KEYS: &[&str] = &[
    NAME,
    COLUMNS,
    UNIQUE,
    WHERE,
    USING,
    INCLUDE,
    NULLS_NOT_DISTINCT,
];
/// Keys allowed inside a struct's `unique(..)`.
pub const UNIQUE_KEYS: &[&str] = &[NAME, COLUMNS];
/// Keys allowed inside a field's `unique(..)` and `index(..)`.
pub const FIELD_NAME_KEYS: &[&str] = &[NAME];
/// Keys allowed inside `foreign_key(..)`.
pub const FOREIGN_KEY_KEYS: &[&str] = &[
    NAME,
    COLUMNS,
    REFERENCES,
    ON_DELETE,
    ON_UPDATE,
    DEFERRABLE,
    INITIALLY_DEFERRED,
    MATCH_FULL,
];
/// Keys allowed inside `check(..)`.
pub const CHECK_KEYS: &[&str] = &[NAME, SQL];

pub const TABLE: &str = "table";
pub const CHECK: &str = "check";
pub const SQL: &str = "sql";
pub const RENAMED_FROM: &str = "renamed_from";
pub const DIESEL: &str = "diesel";
pub const DATABASE: &str = "database";
pub const SCHEMA: &str = "schema";
pub const DIESEL_TYPE: &str = "diesel_type";
pub const INDEX: &str = "index";
pub const PRIMARY_KEY: &str = "primary_key";
pub const COLUMN: &str = "column";
pub const MAX_LENGTH: &str = "max_length";
pub const PRECISION: &str = "precision";
pub const SCALE: &str = "scale";
pub const SQL_TYPE: &str = "sql_type";
pub const UNIQUE: &str = "unique";
pub const DEFAULT: &str = "default";
pub const REFERENCES: &str = "references";
pub const FK_NAME: &str = "fk_name";
pub const DEFERRABLE: &str = "deferrable";
pub const INITIALLY_DEFERRED: &str = "initially_deferred";
pub const MATCH_FULL: &str = "match_full";
pub const FOREIGN_KEY: &str = "foreign_key";
pub const ON_DELETE: &str = "on_delete";
pub const ON_UPDATE: &str = "on_update";
pub const AUTOINCREMENT: &str = "autoincrement";
pub const NAME: &str = "name";
pub const COLUMNS: &str = "columns";
/// `generated = "price * quantity"` on a field: a generated column.
pub const GENERATED: &str = "generated";
/// `identity(always, start = 1000, increment = 10)` on an autoincrementing key.
pub const IDENTITY: &str = "identity";
/// Keys allowed inside a field's `identity(..)`.
pub const IDENTITY_KEYS: &[&str] = &["always", "start", "increment"];
/// `collation = "C"` on a text field.
pub const COLLATION: &str = "collation";
/// `stored` next to `generated`: computed on write and kept.
pub const STORED: &str = "stored";
/// `where = "…"` on a struct index: a partial index.
pub const WHERE: &str = "where";
/// `using = "gin"` on a struct index.
pub const USING: &str = "using";
/// `include(a, b)` on a struct index.
pub const INCLUDE: &str = "include";
/// `nulls_not_distinct` on a unique struct index.
pub const NULLS_NOT_DISTINCT: &str = "nulls_not_distinct";

/// The enum attribute namespace: `#[db_enum(..)]`.
pub const DB_ENUM: &str = "db_enum";
/// Keys allowed on a `#[derive(DbEnum)]` enum.
pub const ENUM_KEYS: &[&str] = &[NAME];
/// Keys allowed on its variants.
pub const VARIANT_KEYS: &[&str] = &[RENAME, RENAMED_FROM];
pub const RENAME: &str = "rename";
