//! What an operation does to a table that others are using: the lock it takes,
//! whether it scans or rewrites the table, whether it destroys data or breaks
//! code still running against the old schema ([`classify`]), per database and
//! server version; and the rules a revision is linted against ([`Rule`],
//! [`lint`]), after squawk's for PostgreSQL and their MySQL/MariaDB counterparts.
//!
//! Everything here reads ops, never SQL text: raw `op.execute(..)` SQL is only
//! recognised by its leading words (DML, or DDL that is reported as unknown).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use retort::ops::{AlterColumn, AlterEnum, Op};
use retort::schema::{Column, Constraint, ServerDefault, SqlType};
use retort::{Backend, Connection};

/// Whom an operation's lock keeps waiting while it is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Blocks {
    /// Readers and writers go on.
    Nothing,
    /// Readers go on; writers wait.
    Writes,
    /// Everyone waits (and, on PostgreSQL, everyone queued behind it too).
    Everything,
}

/// How long the lock is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Held {
    /// A catalog change: briefly, once granted (it still waits for running
    /// transactions on the table first).
    Briefly,
    /// While every row is read (a constraint validated, an index built).
    WhileScanning,
    /// While the table is written anew.
    WhileRewriting,
}

/// What one operation does to a table in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Safety {
    /// The lock as the database names it: `ACCESS EXCLUSIVE`, `SHARE`,
    /// `ALGORITHM=INSTANT`, `ALGORITHM=COPY, LOCK=SHARED`, …
    pub lock: String,
    /// The table it locks (`None`: a type, or raw SQL).
    pub table: Option<String>,
    /// Whom the lock keeps waiting.
    pub blocks: Blocks,
    /// For how long.
    pub held: Held,
    /// Rows or columns are gone afterwards.
    pub destroys_data: bool,
    /// Code written for the old schema fails afterwards (a column or table it
    /// reads is gone or renamed, a column it does not write became required).
    pub breaks_old_code: bool,
    /// The table was created by the same revision: nobody else uses it yet.
    pub new_table: bool,
    /// Raw SQL that could not be classified.
    pub unknown: bool,
}

impl Safety {
    fn new(lock: &str, table: Option<&str>, blocks: Blocks, held: Held) -> Safety {
        Safety {
            lock: lock.to_owned(),
            table: table.map(str::to_owned),
            blocks,
            held,
            destroys_data: false,
            breaks_old_code: false,
            new_table: false,
            unknown: false,
        }
    }

    fn destroys(mut self) -> Safety {
        self.destroys_data = true;
        self.breaks_old_code = true;
        self
    }

    fn breaks(mut self) -> Safety {
        self.breaks_old_code = true;
        self
    }

    /// Whether there is something to say: a lock others wait for on a table in
    /// use, data destroyed, old code broken, or SQL not understood.
    pub fn is_notable(&self) -> bool {
        self.unknown
            || (!self.new_table
                && (self.blocks != Blocks::Nothing || self.destroys_data || self.breaks_old_code))
    }

    /// Whether the lock is held longer than a catalog change.
    pub fn is_long(&self) -> bool {
        self.held != Held::Briefly && self.blocks != Blocks::Nothing && !self.new_table
    }

    /// The worse of two (a batch of changes to one table).
    fn join(self, other: Safety) -> Safety {
        let (mut worse, better) = if (other.blocks, other.held) > (self.blocks, self.held) {
            (other, self)
        } else {
            (self, other)
        };
        worse.destroys_data |= better.destroys_data;
        worse.breaks_old_code |= better.breaks_old_code;
        worse.unknown |= better.unknown;
        worse
    }
}

impl fmt::Display for Safety {
    /// `ACCESS EXCLUSIVE on `orders`: blocks reads and writes while it rewrites
    /// the table; destroys data`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unknown {
            return f.write_str(
                "raw SQL that changes the schema: not classified, review its locks by hand",
            );
        }
        let on = self
            .table
            .as_deref()
            .map(|t| format!(" on `{t}`"))
            .unwrap_or_default();
        if self.new_table {
            return write!(
                f,
                "{}{on}, a table this revision creates: nobody waits",
                self.lock
            );
        }
        let blocks = match self.blocks {
            Blocks::Nothing => "blocks neither reads nor writes",
            Blocks::Writes => "blocks writes",
            Blocks::Everything => "blocks reads and writes",
        };
        let held = match (self.blocks, self.held) {
            (Blocks::Nothing, Held::WhileScanning) => " (it reads the whole table)",
            (Blocks::Nothing, Held::WhileRewriting) => " (it rewrites the table)",
            (Blocks::Nothing, Held::Briefly) => "",
            (_, Held::Briefly) => " briefly",
            (_, Held::WhileScanning) => " while it reads the whole table",
            (_, Held::WhileRewriting) => " while it rewrites the table",
        };
        write!(f, "{}{on}: {blocks}{held}", self.lock)?;
        if self.destroys_data {
            f.write_str("; destroys data")?;
        }
        if self.breaks_old_code {
            f.write_str("; breaks code still using the old schema")?;
        }
        Ok(())
    }
}

/// The server a revision runs on, as far as the classification depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Server {
    /// MariaDB rather than MySQL (for `Backend::Mysql`).
    pub mariadb: bool,
    /// `(major, minor, patch)`; `None`: unknown, a current release assumed
    /// (PostgreSQL 12+, MySQL 8.0.29+, MariaDB 10.6+).
    pub version: Option<(u32, u32, u32)>,
}

/// The row count the server estimates for each table of the current schema
/// (others as `schema.table`), in one query: PostgreSQL `pg_class.reltuples`
/// (tables never analysed left out), MySQL `information_schema.TABLES`. Nothing
/// on SQLite, which keeps no estimate.
pub fn table_sizes(conn: &mut Connection) -> retort::Result<BTreeMap<String, i64>> {
    #[derive(diesel::QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = match conn.backend() {
        Backend::Sqlite => return Ok(BTreeMap::new()),
        Backend::Postgres => {
            "SELECT CASE WHEN s.nspname = current_schema() THEN c.relname \
             ELSE s.nspname || '.' || c.relname END AS t, c.reltuples::bigint AS n \
             FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND c.reltuples >= 0 \
             AND s.nspname NOT IN ('pg_catalog', 'information_schema')"
        }
        Backend::Mysql => {
            "SELECT TABLE_NAME AS t, CAST(COALESCE(TABLE_ROWS, 0) AS SIGNED) AS n \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
        }
    };
    Ok(conn
        .query::<Size>(sql)?
        .into_iter()
        .map(|s| (s.t, s.n))
        .collect())
}

impl Server {
    /// The connected server's kind and version (one query).
    pub fn read(conn: &mut Connection) -> retort::Result<Server> {
        #[derive(diesel::QueryableByName)]
        struct Version {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let sql = match conn.backend() {
            Backend::Sqlite => "SELECT sqlite_version() AS v",
            Backend::Postgres => "SELECT current_setting('server_version') AS v",
            Backend::Mysql => "SELECT VERSION() AS v",
        };
        let text = conn
            .query::<Version>(sql)?
            .into_iter()
            .next()
            .map(|r| r.v)
            .unwrap_or_default();
        Ok(Server::parse(&text))
    }

    /// From a version string: `15.4 (Debian 15.4-1)`, `10.11.6-MariaDB-0+deb12u1`.
    pub fn parse(text: &str) -> Server {
        let numbers: Vec<u32> = text
            .split(|c: char| !c.is_ascii_digit())
            .take_while(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        let version = match numbers.as_slice() {
            [major, minor, patch, ..] => Some((*major, *minor, *patch)),
            [major, minor] => Some((*major, *minor, 0)),
            [major] => Some((*major, 0, 0)),
            [] => None,
        };
        Server {
            mariadb: text.to_ascii_lowercase().contains("mariadb"),
            version,
        }
    }

    /// Whether the server is at least `version` (an unknown one is).
    fn at_least(&self, version: (u32, u32, u32)) -> bool {
        self.version.is_none_or(|v| v >= version)
    }
}

/// What `op` does on `backend`, on a table created by the same revision or not
/// (`new_table`). A batch is the worst of its changes.
pub fn classify(op: &Op, backend: Backend, server: &Server, new_table: bool) -> Safety {
    let mut safety = match op {
        Op::Batch(batch) => batch
            .ops
            .iter()
            .map(|o| classify(o, backend, server, new_table))
            .reduce(Safety::join)
            .unwrap_or_else(|| {
                Safety::new(
                    "no lock",
                    Some(&batch.table),
                    Blocks::Nothing,
                    Held::Briefly,
                )
            }),
        _ => match backend {
            Backend::Postgres => postgres(op, server),
            Backend::Mysql => mysql(op, server),
            Backend::Sqlite => sqlite(op),
        },
    };
    if new_table && op.table().is_some() && !matches!(op, Op::Execute(_)) {
        safety.new_table = true;
    }
    safety
}

const ACCESS_EXCLUSIVE: &str = "ACCESS EXCLUSIVE";

fn postgres(op: &Op, server: &Server) -> Safety {
    use Blocks::*;
    use Held::*;
    let brief = |table: &str| Safety::new(ACCESS_EXCLUSIVE, Some(table), Everything, Briefly);
    match op {
        Op::CreateTable(create) => {
            // Foreign keys lock their referenced tables against writes, briefly.
            let lock = if create.table.foreign_keys.is_empty() {
                ACCESS_EXCLUSIVE
            } else {
                "ACCESS EXCLUSIVE (and SHARE ROW EXCLUSIVE on the referenced tables, briefly)"
            };
            let mut s = Safety::new(lock, Some(&create.table.name), Everything, Briefly);
            s.new_table = true;
            s
        }
        Op::DropTable(drop) => brief(&drop.name).destroys(),
        Op::RenameTable(rename) => brief(&rename.name).breaks(),
        Op::AddColumn(add) => {
            let mut s = brief(&add.table);
            if pg_add_rewrites(&add.column, server) {
                s.held = WhileRewriting;
            }
            s.breaks_old_code = required_without_default(&add.column);
            s
        }
        Op::DropColumn(drop) => brief(&drop.table).destroys(),
        Op::AlterColumn(alter) => {
            let mut s = brief(&alter.table);
            if alter.sql_type.as_ref().is_some_and(|to| {
                !pg_binary_coercible(alter.existing.as_ref().map(|c| &c.sql_type), to)
            }) {
                s.held = WhileRewriting;
            } else if alter.nullable == Some(false) || alter.collation.is_some() {
                // Every row is checked, or the column's indexes are rebuilt.
                s.held = WhileScanning;
            }
            if alter.new_name.is_some() || alter.nullable == Some(false) {
                s.breaks_old_code = true;
            }
            if narrows(alter) {
                s.destroys_data = true;
            }
            s
        }
        Op::CreateIndex(create) if create.concurrently => Safety::new(
            "SHARE UPDATE EXCLUSIVE (CONCURRENTLY)",
            Some(&create.table),
            Nothing,
            WhileScanning,
        ),
        Op::CreateIndex(create) => Safety::new("SHARE", Some(&create.table), Writes, WhileScanning),
        Op::DropIndex(drop) if drop.concurrently => Safety::new(
            "SHARE UPDATE EXCLUSIVE (CONCURRENTLY)",
            Some(&drop.table),
            Nothing,
            Briefly,
        ),
        Op::DropIndex(drop) => brief(&drop.table),
        Op::AddConstraint(add) => match &add.constraint {
            Constraint::ForeignKey(_) => Safety::new(
                if add.not_valid {
                    "SHARE ROW EXCLUSIVE (on both tables; NOT VALID)"
                } else {
                    "SHARE ROW EXCLUSIVE (on both tables)"
                },
                Some(&add.table),
                Writes,
                if add.not_valid {
                    Briefly
                } else {
                    WhileScanning
                },
            ),
            Constraint::Check(_) => Safety::new(
                ACCESS_EXCLUSIVE,
                Some(&add.table),
                Everything,
                if add.not_valid {
                    Briefly
                } else {
                    WhileScanning
                },
            ),
            Constraint::Unique(_) if add.concurrently => Safety::new(
                "SHARE UPDATE EXCLUSIVE while the index builds (CONCURRENTLY), then ACCESS EXCLUSIVE",
                Some(&add.table),
                Everything,
                Briefly,
            ),
            Constraint::Unique(_) | Constraint::PrimaryKey { .. } => Safety::new(
                ACCESS_EXCLUSIVE,
                Some(&add.table),
                Everything,
                WhileScanning,
            ),
        },
        Op::DropConstraint(drop) => brief(&drop.table),
        Op::Execute(execute) => raw_sql_on(&execute.sql, Backend::Postgres, server),
        Op::BulkInsert(insert) => {
            Safety::new("ROW EXCLUSIVE", Some(&insert.table), Nothing, Briefly)
        }
        Op::CreateEnum(create) => {
            Safety::new("no table lock", None, Nothing, Briefly).named(&create.name)
        }
        Op::DropEnum(drop) => {
            Safety::new("no table lock", None, Nothing, Briefly).named(&drop.name)
        }
        Op::AlterEnum(alter) => {
            if alter_enum_appends_only(alter) {
                Safety::new("no table lock", None, Nothing, Briefly).named(&alter.name)
            } else {
                // The type is made anew and every column of it converted.
                let table = alter.columns.first().map(|(t, _)| t.as_str());
                let mut s = Safety::new(ACCESS_EXCLUSIVE, table, Everything, WhileRewriting);
                s.destroys_data = !alter.removed().is_empty();
                s
            }
        }
        Op::SetComment(comment) => Safety::new(
            "SHARE UPDATE EXCLUSIVE",
            Some(&comment.table),
            Nothing,
            Briefly,
        ),
        Op::ValidateConstraint(v) => Safety::new(
            "SHARE UPDATE EXCLUSIVE",
            Some(&v.table),
            Nothing,
            WhileScanning,
        ),
        Op::RenameConstraint(rename) => {
            if rename.kind.is_none() {
                Safety::new(
                    "SHARE UPDATE EXCLUSIVE",
                    Some(&rename.table),
                    Nothing,
                    Briefly,
                )
            } else {
                brief(&rename.table)
            }
        }
        Op::Batch(_) => unreachable!("classify takes batches apart"),
    }
}

impl Safety {
    /// A type's op: no table, the type's name shown as the subject.
    fn named(mut self, name: &str) -> Safety {
        self.lock = format!("{} (type `{name}`)", self.lock);
        self
    }
}

/// PostgreSQL 11+ adds a column with a constant (or stable) default in the
/// catalog; a volatile default, an identity or serial column and a stored
/// generated column fill every row.
fn pg_add_rewrites(column: &Column, server: &Server) -> bool {
    if column.identity.is_some() || column.autoincrement {
        return true;
    }
    if column.generated.as_ref().is_some_and(|g| g.stored) {
        return true;
    }
    match &column.default {
        None => false,
        Some(default) => volatile_default(default) || !server.at_least((11, 0, 0)),
    }
}

/// A default whose value differs row by row: each row is written.
pub fn volatile_default(default: &ServerDefault) -> bool {
    match default {
        ServerDefault::NewUuid => true,
        ServerDefault::Sql(sql) => {
            let sql = sql.to_ascii_lowercase();
            [
                "random(",
                "gen_random_uuid(",
                "uuid_generate",
                "clock_timestamp(",
                "timeofday(",
                "nextval(",
                "uuid()",
                "rand(",
            ]
            .iter()
            .any(|f| sql.contains(f))
        }
        _ => false,
    }
}

/// Whether the old code's `INSERT`s fail: `NOT NULL` with no default and
/// nothing that fills it.
fn required_without_default(column: &Column) -> bool {
    !column.nullable
        && column.default.is_none()
        && column.generated.is_none()
        && column.identity.is_none()
        && !column.autoincrement
}

/// PostgreSQL changes a column's type without rewriting only when the old one
/// is binary-coercible to the new: a longer (or no) length limit of text, more
/// digits of the same scale.
fn pg_binary_coercible(from: Option<&SqlType>, to: &SqlType) -> bool {
    match (from, to) {
        (Some(SqlType::Varchar(a)), SqlType::Varchar(b)) => b >= a,
        (Some(SqlType::Varchar(_)), SqlType::Text) => true,
        (
            Some(SqlType::Decimal {
                precision: p1,
                scale: s1,
            }),
            SqlType::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => s1 == s2 && p2 >= p1,
        (Some(from), to) => from == to,
        (None, _) => false,
    }
}

/// A type change that may not hold every old value.
fn narrows(alter: &AlterColumn) -> bool {
    match (
        alter.existing.as_ref().map(|c| &c.sql_type),
        &alter.sql_type,
    ) {
        (Some(from), Some(to)) => from.narrows_to(to),
        _ => false,
    }
}

fn alter_enum_appends_only(alter: &AlterEnum) -> bool {
    alter.removed().is_empty()
        && alter.renames.is_empty()
        && alter.values.starts_with(&alter.existing)
}

fn mysql(op: &Op, server: &Server) -> Safety {
    use Blocks::*;
    use Held::*;
    let instant = |table: &str| Safety::new("ALGORITHM=INSTANT", Some(table), Nothing, Briefly);
    let metadata = |table: &str| Safety::new("metadata lock", Some(table), Everything, Briefly);
    let inplace =
        |table: &str, held| Safety::new("ALGORITHM=INPLACE, LOCK=NONE", Some(table), Nothing, held);
    let copy = |table: &str| {
        Safety::new(
            "ALGORITHM=COPY, LOCK=SHARED",
            Some(table),
            Writes,
            WhileRewriting,
        )
    };
    // MySQL 8.0.12 / MariaDB 10.3 add a column in place of nothing; 8.0.29 /
    // 10.4 drop one so too.
    let instant_add = if server.mariadb {
        server.at_least((10, 3, 2))
    } else {
        server.at_least((8, 0, 12))
    };
    let instant_drop = if server.mariadb {
        server.at_least((10, 4, 0))
    } else {
        server.at_least((8, 0, 29))
    };
    match op {
        Op::CreateTable(create) => {
            let mut s = metadata(&create.table.name);
            s.new_table = true;
            s
        }
        Op::DropTable(drop) => metadata(&drop.name).destroys(),
        Op::RenameTable(rename) => metadata(&rename.name).breaks(),
        Op::AddColumn(add) => {
            let column = &add.column;
            let mut s = if column.autoincrement {
                Safety::new(
                    "ALGORITHM=INPLACE, LOCK=SHARED",
                    Some(&add.table),
                    Writes,
                    WhileRewriting,
                )
            } else if column.generated.as_ref().is_some_and(|g| g.stored) {
                copy(&add.table)
            } else if instant_add {
                instant(&add.table)
            } else {
                inplace(&add.table, WhileRewriting)
            };
            s.breaks_old_code = required_without_default(column);
            s
        }
        Op::DropColumn(drop) => if instant_drop {
            instant(&drop.table)
        } else {
            inplace(&drop.table, WhileRewriting)
        }
        .destroys(),
        Op::AlterColumn(alter) => {
            let existing = alter.existing.as_ref();
            let type_changes = alter
                .sql_type
                .as_ref()
                .is_some_and(|to| !mysql_varchar_in_place(existing.map(|c| &c.sql_type), to));
            let mut s =
                if type_changes || alter.collation.is_some() || alter.autoincrement.is_some() {
                    copy(&alter.table)
                } else if alter.nullable.is_some() || alter.sql_type.is_some() {
                    inplace(&alter.table, WhileRewriting)
                } else {
                    instant(&alter.table)
                };
            if alter.new_name.is_some() || alter.nullable == Some(false) {
                s.breaks_old_code = true;
            }
            if narrows(alter) {
                s.destroys_data = true;
            }
            s
        }
        Op::CreateIndex(create) => {
            let special = create.index.using.as_deref().is_some_and(|u| {
                u.eq_ignore_ascii_case("fulltext") || u.eq_ignore_ascii_case("spatial")
            });
            if special {
                Safety::new(
                    "ALGORITHM=INPLACE, LOCK=SHARED",
                    Some(&create.table),
                    Writes,
                    WhileScanning,
                )
            } else {
                inplace(&create.table, WhileScanning)
            }
        }
        Op::DropIndex(drop) => inplace(&drop.table, Briefly),
        Op::AddConstraint(add) => match &add.constraint {
            // With foreign_key_checks on, the server copies the table to check
            // every row.
            Constraint::ForeignKey(_) | Constraint::Check(_) => {
                let mut s = copy(&add.table);
                s.held = WhileRewriting;
                s
            }
            Constraint::Unique(_) => inplace(&add.table, WhileScanning),
            Constraint::PrimaryKey { .. } => inplace(&add.table, WhileRewriting),
        },
        Op::DropConstraint(drop) => match drop.kind {
            retort::schema::ConstraintKind::PrimaryKey => copy(&drop.table),
            _ => inplace(&drop.table, Briefly),
        },
        Op::Execute(execute) => raw_sql_on(&execute.sql, Backend::Mysql, server),
        Op::BulkInsert(insert) => Safety::new("row locks", Some(&insert.table), Nothing, Briefly),
        Op::CreateEnum(_) | Op::DropEnum(_) => Safety::new("no lock", None, Nothing, Briefly),
        Op::AlterEnum(alter) => {
            let table = alter
                .columns
                .first()
                .map(|(t, _)| t.as_str())
                .unwrap_or("?");
            if alter_enum_appends_only(alter) {
                instant(table)
            } else {
                let mut s = copy(table);
                s.destroys_data = !alter.removed().is_empty();
                s
            }
        }
        Op::SetComment(comment) => instant(&comment.table),
        // Checked when added.
        Op::ValidateConstraint(v) => Safety::new("no lock", Some(&v.table), Nothing, Briefly),
        Op::RenameConstraint(rename) => inplace(&rename.table, Briefly),
        Op::Batch(_) => unreachable!("classify takes batches apart"),
    }
}

/// MySQL lengthens a `VARCHAR` in place while its length prefix keeps its size
/// (under 256 bytes, or from 256 up: 63 characters of utf8mb4).
fn mysql_varchar_in_place(from: Option<&SqlType>, to: &SqlType) -> bool {
    match (from, to) {
        (Some(SqlType::Varchar(a)), SqlType::Varchar(b)) => b >= a && ((*b <= 63) == (*a <= 63)),
        _ => false,
    }
}

fn sqlite(op: &Op) -> Safety {
    use Blocks::*;
    use Held::*;
    let table = op.table();
    let lock = "the database's write lock";
    let mut s = match op {
        Op::Execute(execute) => {
            return raw_sql_on(&execute.sql, Backend::Sqlite, &Server::default())
        }
        Op::CreateEnum(_) | Op::DropEnum(_) | Op::SetComment(_) => {
            Safety::new("no lock", table, Nothing, Briefly)
        }
        // The enum is each column's CHECK: every table of it is rebuilt.
        Op::AlterEnum(alter) => match alter.columns.first() {
            Some((t, _)) => {
                let mut s = Safety::new(lock, Some(t), Writes, WhileRewriting);
                s.destroys_data = !alter.removed().is_empty();
                s
            }
            None => Safety::new("no lock", None, Nothing, Briefly),
        },
        _ if crate::dialect::Dialect::needs_table(&crate::dialect::Sqlite, op) => {
            Safety::new(lock, table, Writes, WhileRewriting)
        }
        Op::CreateIndex(_) => Safety::new(lock, table, Writes, WhileScanning),
        // A catalog change holds the write lock for an instant: not worth a word.
        _ => Safety::new(lock, table, Nothing, Briefly),
    };
    match op {
        Op::CreateTable(_) => s.new_table = true,
        Op::DropTable(_) | Op::DropColumn(_) => s = s.destroys(),
        Op::RenameTable(_) => s = s.breaks(),
        Op::AddColumn(add) => s.breaks_old_code = required_without_default(&add.column),
        Op::AlterColumn(alter) => {
            s.breaks_old_code = alter.new_name.is_some() || alter.nullable == Some(false);
            s.destroys_data = narrows(alter);
        }
        _ => {}
    }
    s
}

/// Raw SQL as the typed ops it amounts to (see [`crate::raw_sql`]), the worst
/// of them; by its leading words where it does not parse.
fn raw_sql_on(sql: &str, backend: Backend, server: &Server) -> Safety {
    let Some(ops) = expanded_sql(sql, backend) else {
        return raw_sql(sql);
    };
    ops.iter()
        .map(|op| match op {
            Op::Execute(unknown) => raw_sql(&unknown.sql),
            op => classify(op, backend, server, false),
        })
        .reduce(Safety::join)
        .unwrap_or_else(|| Safety::new("row locks", None, Blocks::Nothing, Held::Briefly))
}

/// The schema changes of raw SQL as typed ops, a statement not understood as an
/// `Execute` of its first words (data changes left out); `None`: it does not parse.
fn expanded_sql(sql: &str, backend: Backend) -> Option<Vec<Op>> {
    let raws = crate::raw_sql::read(sql, backend)?;
    Some(
        raws.into_iter()
            .filter_map(|raw| match raw {
                crate::raw_sql::Raw::Op(op) => Some(op),
                crate::raw_sql::Raw::Data => None,
                crate::raw_sql::Raw::Unknown(words) => Some(Op::Execute(retort::ops::Execute {
                    sql: words,
                    params: Vec::new(),
                })),
            })
            .collect(),
    )
}

/// Raw SQL by its leading word: data changes take row locks; anything else is
/// schema and is not classified.
fn raw_sql(sql: &str) -> Safety {
    if statements(sql).all(|s| is_dml(&s)) {
        return Safety::new("row locks", None, Blocks::Nothing, Held::Briefly);
    }
    if statements(sql).all(|s| is_dml(&s) || is_concurrent_index(&s)) {
        return Safety::new(
            "SHARE UPDATE EXCLUSIVE",
            None,
            Blocks::Nothing,
            Held::WhileScanning,
        );
    }
    let mut s = Safety::new("unknown", None, Blocks::Everything, Held::Briefly);
    s.unknown = true;
    s
}

/// The statements of raw SQL, upper-cased, comments and blanks left out.
fn statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    sql.split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_ascii_uppercase()
        })
        .filter(|s| !s.is_empty())
}

/// Whether `op` cannot run inside a transaction on PostgreSQL: an index built
/// or dropped concurrently, or raw SQL that does so.
pub fn outside_transaction(op: &Op) -> bool {
    match op {
        Op::CreateIndex(create) => create.concurrently,
        Op::DropIndex(drop) => drop.concurrently,
        Op::AddConstraint(add) => {
            add.concurrently && matches!(add.constraint, Constraint::Unique(_))
        }
        Op::Execute(execute) => statements(&execute.sql).any(|s| is_concurrent_index(&s)),
        // Not in the transaction whose ADD … NOT VALID took the table's lock.
        Op::ValidateConstraint(_) => true,
        _ => false,
    }
}

/// The column of a check that says only `"col" IS NOT NULL`.
fn not_null_column(expr: &str) -> Option<String> {
    let upper = expr.trim().to_ascii_uppercase();
    let column = upper.strip_suffix("IS NOT NULL")?.trim();
    let len = column.len();
    let original = expr.trim()[..len].trim();
    let bare = original.trim_matches('"').trim_matches('`');
    (!bare.is_empty() && !bare.contains(' ')).then(|| bare.to_owned())
}

/// Whether `op` builds or drops an index concurrently (typed or raw).
fn concurrent_index(op: &Op) -> bool {
    !matches!(op, Op::ValidateConstraint(_)) && outside_transaction(op)
}

/// `CREATE [UNIQUE] INDEX CONCURRENTLY …`, `DROP INDEX CONCURRENTLY …`.
fn is_concurrent_index(statement: &str) -> bool {
    let words: Vec<&str> = statement.split_whitespace().take(4).collect();
    matches!(
        words.as_slice(),
        ["CREATE", "INDEX", "CONCURRENTLY", ..]
            | ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY"]
            | ["DROP", "INDEX", "CONCURRENTLY", ..]
    )
}

fn is_dml(statement: &str) -> bool {
    [
        "INSERT ", "UPDATE ", "DELETE ", "SELECT ", "WITH ", "SET ", "ANALYZE",
    ]
    .iter()
    .any(|w| statement.starts_with(w))
}

/// A lint rule: a kind of change that blocks, breaks or loses something, with
/// its safer way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A `NOT NULL` column without a default added to a table in use.
    AddingRequiredField,
    /// A column added with a default that fills each row differently (or an
    /// identity, serial or stored generated column): the table is rewritten.
    AddingFieldWithVolatileDefault,
    /// `SET NOT NULL` on a column of a table in use.
    AddingNotNullableField,
    /// A foreign key added to a table in use, validated at once.
    AddingForeignKeyConstraint,
    /// A check constraint added to a table in use, validated at once.
    ConstraintMissingNotValid,
    /// A unique constraint or primary key added to a table in use.
    DisallowedUniqueConstraint,
    /// A column's type changed in a way that rewrites the table.
    ChangingColumnType,
    /// A column renamed.
    RenamingColumn,
    /// A table renamed.
    RenamingTable,
    /// A column dropped.
    BanDropColumn,
    /// A table dropped.
    BanDropTable,
    /// An index built on a table in use, blocking writes (PostgreSQL).
    RequireConcurrentIndexCreation,
    /// An index dropped under an `ACCESS EXCLUSIVE` lock (PostgreSQL).
    RequireConcurrentIndexDeletion,
    /// An index built or dropped concurrently beside other ops: none of the
    /// revision's ops then runs in a transaction.
    BanConcurrentIndexCreationInTransaction,
    /// An auto-numbered key of 16 or 32 bits.
    PreferBigintOverInt,
    /// `VARCHAR(n)` on PostgreSQL, where `TEXT` and a check change without a rewrite.
    PreferTextField,
    /// `TIMESTAMP` without time zone on PostgreSQL.
    PreferTimestamptz,
    /// Any other change that rewrites a table in use under a lock that blocks
    /// writes (MySQL's `ALGORITHM=COPY`, an enum's values removed or reordered).
    BlockingTableRewrite,
    /// Raw SQL that changes the schema and cannot be classified.
    UnclassifiedSql,
    /// A lock others wait for taken with no lock timeout: while it waits behind
    /// a long transaction, every query on the table waits behind it.
    RequireTimeoutSettings,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 20] = [
        Rule::AddingRequiredField,
        Rule::AddingFieldWithVolatileDefault,
        Rule::AddingNotNullableField,
        Rule::AddingForeignKeyConstraint,
        Rule::ConstraintMissingNotValid,
        Rule::DisallowedUniqueConstraint,
        Rule::ChangingColumnType,
        Rule::RenamingColumn,
        Rule::RenamingTable,
        Rule::BanDropColumn,
        Rule::BanDropTable,
        Rule::RequireConcurrentIndexCreation,
        Rule::RequireConcurrentIndexDeletion,
        Rule::BanConcurrentIndexCreationInTransaction,
        Rule::PreferBigintOverInt,
        Rule::PreferTextField,
        Rule::PreferTimestamptz,
        Rule::BlockingTableRewrite,
        Rule::UnclassifiedSql,
        Rule::RequireTimeoutSettings,
    ];

    /// Its name in `Retort.toml`, `op.acknowledge(..)` and reports (squawk's
    /// where squawk has the rule).
    pub fn name(self) -> &'static str {
        match self {
            Rule::AddingRequiredField => "adding-required-field",
            Rule::AddingFieldWithVolatileDefault => "adding-field-with-volatile-default",
            Rule::AddingNotNullableField => "adding-not-nullable-field",
            Rule::AddingForeignKeyConstraint => "adding-foreign-key-constraint",
            Rule::ConstraintMissingNotValid => "constraint-missing-not-valid",
            Rule::DisallowedUniqueConstraint => "disallowed-unique-constraint",
            Rule::ChangingColumnType => "changing-column-type",
            Rule::RenamingColumn => "renaming-column",
            Rule::RenamingTable => "renaming-table",
            Rule::BanDropColumn => "ban-drop-column",
            Rule::BanDropTable => "ban-drop-table",
            Rule::RequireConcurrentIndexCreation => "require-concurrent-index-creation",
            Rule::RequireConcurrentIndexDeletion => "require-concurrent-index-deletion",
            Rule::BanConcurrentIndexCreationInTransaction => {
                "ban-concurrent-index-creation-in-transaction"
            }
            Rule::PreferBigintOverInt => "prefer-bigint-over-int",
            Rule::PreferTextField => "prefer-text-field",
            Rule::PreferTimestamptz => "prefer-timestamptz",
            Rule::BlockingTableRewrite => "blocking-table-rewrite",
            Rule::UnclassifiedSql => "unclassified-sql",
            Rule::RequireTimeoutSettings => "require-timeout-settings",
        }
    }

    /// The rule of a name.
    pub fn named(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Every rule's name, for messages.
    pub fn names() -> String {
        Rule::ALL.map(Rule::name).join(", ")
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `op` waits for a lock that others then queue behind, on a table in
/// use: on PostgreSQL a lock that blocks anything, on MySQL any DDL (each takes
/// an exclusive metadata lock, at least briefly).
fn waits_for_lock(op: &Op, safety: &Safety, backend: Backend) -> bool {
    if safety.new_table || safety.table.is_none() && !safety.unknown {
        return false;
    }
    match backend {
        Backend::Postgres => safety.blocks != Blocks::Nothing,
        Backend::Mysql => match op {
            Op::BulkInsert(_) => false,
            Op::Execute(_) => safety.unknown,
            _ => true,
        },
        Backend::Sqlite => false,
    }
}

/// A comment for each op of a revision that locks, rewrites, destroys or
/// breaks something on `backend` (a current server assumed): `(index into ops,
/// text)`, the text naming the lint rules the op breaks.
///
/// `lock_timeout`: whether the revision will run with one (see [`lint`]).
pub fn annotate(ops: &[Op], backend: Backend, lock_timeout: bool) -> Vec<(usize, String)> {
    let findings = lint(
        &RecordedOp::of(ops),
        backend,
        &Server::default(),
        &[],
        lock_timeout,
    );
    let mut created = NewTables::default();
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let safety = classify(op, backend, &Server::default(), created.holds(op));
        created.follow(op);
        let rules: Vec<&str> = findings
            .iter()
            .filter(|f| f.index == i)
            .filter_map(|f| f.rule.map(Rule::name))
            .collect();
        let text = match (safety.is_notable(), rules.is_empty()) {
            (false, true) => continue,
            (true, true) => format!("{}: {safety}", backend_name(backend)),
            (true, false) => format!(
                "{}: {safety} (lint: {})",
                backend_name(backend),
                rules.join(", ")
            ),
            // A table created here: only what the lint says of its columns.
            (false, false) => format!("{} (lint: {})", backend_name(backend), rules.join(", ")),
        };
        out.push((i, text));
    }
    out
}

/// The database's name as people write it: `PostgreSQL`, `MySQL/MariaDB`, `SQLite`.
pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
        Backend::Mysql => "MySQL/MariaDB",
    }
}

/// The tables created by one revision's ops so far: changes to them lock
/// nobody out.
#[derive(Debug, Clone, Default)]
pub struct NewTables(std::collections::BTreeSet<String>);

impl NewTables {
    /// Whether `op` changes a table the revision created.
    pub fn holds(&self, op: &Op) -> bool {
        op.table().is_some_and(|t| self.0.contains(t))
    }

    /// Follows `op` (a table created, or renamed after it was).
    pub fn follow(&mut self, op: &Op) {
        match op {
            Op::CreateTable(create) => {
                self.0.insert(create.table.name.clone());
            }
            Op::RenameTable(rename) if self.0.remove(&rename.name) => {
                self.0.insert(rename.new_name.clone());
            }
            _ => {}
        }
    }
}

/// One op as a revision ran it, with what the linter needs besides the op.
#[derive(Debug, Clone)]
pub struct RecordedOp {
    /// The op.
    pub op: Op,
    /// The statements it was.
    pub statements: usize,
    /// Where it was written: `(file, line)` of the `op.…(..)` call.
    pub at: Option<(&'static str, u32)>,
    /// `(rule, reason)` pairs given with `op.acknowledge(..)` before it.
    pub acknowledged: Vec<(String, String)>,
}

impl RecordedOp {
    /// Ops as a revision of their own would record them: no file, nothing
    /// acknowledged (an autogenerated revision before it is written).
    pub fn of(ops: &[Op]) -> Vec<RecordedOp> {
        ops.iter()
            .map(|op| RecordedOp {
                op: op.clone(),
                statements: 0,
                at: None,
                acknowledged: Vec::new(),
            })
            .collect()
    }
}

/// A rule broken by one op of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which op of the revision (from 0).
    pub index: usize,
    /// The rule (`None`: an acknowledgement naming no rule).
    pub rule: Option<Rule>,
    /// What the op does (`add column `orders.note``).
    pub op: String,
    /// The table it locks, if one.
    pub table: Option<String>,
    /// Online: how many rows that table holds, as the server estimates them
    /// (PostgreSQL `reltuples`, MySQL `TABLE_ROWS`); `None` offline, on SQLite,
    /// or before the server has looked.
    pub rows: Option<i64>,
    /// Where the op was written, `file:line`, when known.
    pub at: Option<String>,
    /// The lock and what it does.
    pub safety: String,
    /// What goes wrong.
    pub problem: String,
    /// The safer way.
    pub fix: String,
    /// The reason given with `op.acknowledge(..)`, if the revision accepts it.
    pub acknowledged: Option<String>,
}

/// The findings of one revision's ops, in order, acknowledged ones included
/// (with their reason); an acknowledgement naming no rule is a finding too.
///
/// `lock_timeout`: whether the revision's statements wait for locks with a limit
/// (its own `ddl_lock_timeout`, or the project's or run's); without one, the
/// first op that takes a lock others wait for breaks `require-timeout-settings`.
pub fn lint(
    ops: &[RecordedOp],
    backend: Backend,
    server: &Server,
    excluded: &[Rule],
    lock_timeout: bool,
) -> Vec<Finding> {
    let mut created = NewTables::default();
    let mut out = Vec::new();
    let mut waits_reported = lock_timeout || backend == Backend::Sqlite;
    // A concurrent index build takes the whole revision out of its transaction.
    let untransacted = backend == Backend::Postgres
        && ops.len() > 1
        && ops.iter().any(|r| concurrent_index(&r.op));
    // Columns a validated `c IS NOT NULL` check of this revision vouches for:
    // PostgreSQL 12+ sets them NOT NULL without reading the table.
    let mut not_null_checks: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut vouched: BTreeSet<(String, String)> = BTreeSet::new();
    for (index, recorded) in ops.iter().enumerate() {
        let op = &recorded.op;
        let at = recorded.at.map(|(file, line)| format!("{file}:{line}"));
        let mut found: Vec<(Rule, String, String, String)> = Vec::new();
        let mut table: Option<String> = None;
        // Raw SQL is linted as the ops it amounts to, where it parses.
        let parsed = match op {
            Op::Execute(execute) => expanded_sql(&execute.sql, backend),
            _ => None,
        };
        let parts: Vec<&Op> = match (op, &parsed) {
            (Op::Batch(batch), _) => batch.ops.iter().collect(),
            (_, Some(ops)) => ops.iter().collect(),
            _ => vec![op],
        };
        for part in parts {
            let new_table = created.holds(part);
            created.follow(part);
            match part {
                Op::AddConstraint(add) => {
                    if let (Constraint::Check(check), Some(name)) =
                        (&add.constraint, add.constraint.name())
                    {
                        if let Some(column) = not_null_column(&check.expr) {
                            not_null_checks.insert(name.to_owned(), (add.table.clone(), column));
                        }
                    }
                }
                Op::ValidateConstraint(v) => {
                    vouched.extend(not_null_checks.get(&v.name).cloned());
                }
                _ => {}
            }
            let mut safety = classify(part, backend, server, new_table);
            let vouched_for = matches!(part, Op::AlterColumn(a)
                if a.nullable == Some(false)
                    && a.sql_type.is_none()
                    && backend == Backend::Postgres
                    && server.at_least((12, 0, 0))
                    && vouched.contains(&(a.table.clone(), a.name.clone())));
            if vouched_for {
                safety.held = Held::Briefly;
            }
            let mut broken = rules(part, &safety, backend);
            if vouched_for {
                broken.retain(|(rule, ..)| *rule != Rule::AddingNotNullableField);
            }
            if untransacted && concurrent_index(part) {
                broken.push((
                    Rule::BanConcurrentIndexCreationInTransaction,
                    format!(
                        "a concurrent index build cannot run in a transaction, so none of the revision's {} ops does: a failure leaves the ones before it applied",
                        ops.len()
                    ),
                    "build the index concurrently in a revision of its own".to_owned(),
                ));
            }
            if !waits_reported && waits_for_lock(part, &safety, backend) {
                waits_reported = true;
                broken.push((
                    Rule::RequireTimeoutSettings,
                    format!(
                        "no lock timeout: while it waits for its lock on `{}` behind a long transaction, every query on the table waits behind it",
                        safety.table.as_deref().unwrap_or("?")
                    ),
                    "set ddl_lock_timeout (Retort.toml, --ddl-lock-timeout, or Revision::new(..).ddl_lock_timeout(Duration::from_secs(2))); a step that runs out is rolled back and retried".to_owned(),
                ));
            }
            // On a table the revision creates, the lock says nothing.
            let lock = if safety.new_table {
                String::new()
            } else {
                safety.to_string()
            };
            if table.is_none() {
                table.clone_from(&safety.table);
            }
            for (rule, problem, fix) in broken {
                if !excluded.contains(&rule) && !found.iter().any(|(r, ..)| *r == rule) {
                    found.push((rule, lock.clone(), problem, fix));
                }
            }
        }
        for (rule, safety, problem, fix) in found {
            let acknowledged = recorded
                .acknowledged
                .iter()
                .find(|(name, _)| name == rule.name())
                .map(|(_, reason)| reason.clone());
            out.push(Finding {
                index,
                rule: Some(rule),
                op: op.summary(),
                table: table.clone(),
                rows: None,
                at: at.clone(),
                safety,
                problem,
                fix,
                acknowledged,
            });
        }
        for (name, _) in &recorded.acknowledged {
            if Rule::named(name).is_none() {
                out.push(Finding {
                    index,
                    rule: None,
                    op: op.summary(),
                    table: None,
                    rows: None,
                    at: at.clone(),
                    safety: String::new(),
                    problem: format!("op.acknowledge(\"{name}\", ..) names no rule"),
                    fix: format!("the rules are {}", Rule::names()),
                    acknowledged: None,
                });
            }
        }
    }
    out
}

type Broken = Vec<(Rule, String, String)>;

fn push(out: &mut Broken, rule: Rule, problem: String, fix: &str) {
    out.push((rule, problem, fix.to_owned()));
}

/// The rules `op` breaks, each with the problem and the fix.
fn rules(op: &Op, safety: &Safety, backend: Backend) -> Broken {
    let pg = backend == Backend::Postgres;
    let mut out: Broken = Vec::new();
    let in_use = !safety.new_table;
    // Column types worth a word whatever the table.
    let mut columns: Vec<&Column> = Vec::new();
    match op {
        Op::CreateTable(create) => columns.extend(&create.table.columns),
        Op::AddColumn(add) => columns.push(&add.column),
        _ => {}
    }
    let key_columns: Vec<&str> = match op {
        Op::CreateTable(create) => create
            .table
            .primary_key
            .iter()
            .map(String::as_str)
            .collect(),
        _ => Vec::new(),
    };
    for column in &columns {
        let counted = column.autoincrement || column.identity.is_some();
        // SQLite's auto-numbered key is the 64-bit rowid whatever its type.
        if counted
            && backend != Backend::Sqlite
            && matches!(column.sql_type, SqlType::SmallInt | SqlType::Integer)
            && (key_columns.is_empty() || key_columns.contains(&column.name.as_str()))
        {
            push(
                &mut out,
                Rule::PreferBigintOverInt,
                format!(
                    "`{}` counts up in {} bits: a busy table runs out of numbers, and widening the key later rewrites the table and every foreign key to it",
                    column.name,
                    if column.sql_type == SqlType::SmallInt { 16 } else { 32 }
                ),
                "make it a 64-bit key (an i64 field)",
            );
        }
        if pg {
            if let SqlType::Varchar(n) = column.sql_type {
                push(
                &mut out,
                    Rule::PreferTextField,
                    format!("`{}` is VARCHAR({n}): raising the limit later takes an ACCESS EXCLUSIVE lock", column.name),
                    "use TEXT with a check on its length (#[model(check = \"length(col) <= n\")]), which changes without a lock held long",
                );
            }
            if column.sql_type == SqlType::Timestamp {
                push(
                &mut out,
                    Rule::PreferTimestamptz,
                    format!("`{}` is TIMESTAMP without time zone: its values change meaning with the session's time zone", column.name),
                    "use TIMESTAMP WITH TIME ZONE (a DateTime<Utc> field)",
                );
            }
        }
    }
    if let Op::AlterColumn(alter) = op {
        if pg {
            if let Some(SqlType::Varchar(n)) = alter.sql_type {
                push(
                    &mut out,
                    Rule::PreferTextField,
                    format!("`{}` becomes VARCHAR({n})", alter.name),
                    "use TEXT with a check on its length",
                );
            }
            if alter.sql_type == Some(SqlType::Timestamp) {
                push(
                    &mut out,
                    Rule::PreferTimestamptz,
                    format!("`{}` becomes TIMESTAMP without time zone", alter.name),
                    "use TIMESTAMP WITH TIME ZONE",
                );
            }
        }
    }
    if safety.unknown {
        push(
                &mut out,
            Rule::UnclassifiedSql,
            "raw SQL that changes the schema; its locks are not known".to_owned(),
            "write it with op methods where one exists, or acknowledge it after reviewing its locks",
        );
    }
    // The rest is about tables in use.
    if !in_use {
        return out;
    }
    let specific_before = out.len();
    match op {
        Op::AddColumn(add) => {
            if required_without_default(&add.column) {
                push(
                &mut out,
                    Rule::AddingRequiredField,
                    format!(
                        "`{}` is NOT NULL without a default: {}the old code's INSERTs without it fail",
                        add.column.name,
                        if pg { "the ADD fails if the table has rows, and " } else { "" }
                    ),
                    "add it nullable (or with a default), backfill it, then make it NOT NULL in a later revision",
                );
            } else if pg && safety.held == Held::WhileRewriting {
                push(
                &mut out,
                    Rule::AddingFieldWithVolatileDefault,
                    format!(
                        "`{}` is filled row by row (a volatile default, identity, serial or stored generated column): the table is rewritten under ACCESS EXCLUSIVE",
                        add.column.name
                    ),
                    "add it without the default, set the default in a second op, and backfill existing rows in batches",
                );
            }
        }
        Op::AlterColumn(alter) => {
            if alter.nullable == Some(false) {
                push(
                &mut out,
                    Rule::AddingNotNullableField,
                    format!(
                        "`{}` becomes NOT NULL: {}, and fails if a row holds NULL",
                        alter.name,
                        if pg {
                            "every row is read under ACCESS EXCLUSIVE"
                        } else {
                            "the table is rebuilt"
                        }
                    ),
                    if pg {
                        "add a CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later revision, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check"
                    } else {
                        "backfill the NULLs first and run it when the table is quiet"
                    },
                );
            }
            if alter.sql_type.is_some() && safety.held == Held::WhileRewriting && safety.blocks != Blocks::Nothing {
                push(
                &mut out,
                    Rule::ChangingColumnType,
                    format!("`{}` changes type: the table is rewritten under {}", alter.name, safety.lock),
                    "add a column of the new type, write both from the code, backfill, then switch reads and drop the old one",
                );
            }
            if let Some(new_name) = &alter.new_name {
                push(
                &mut out,
                    Rule::RenamingColumn,
                    format!("`{}` becomes `{new_name}`: running code that uses the old name fails", alter.name),
                    "add the new column and copy (or expose a view), move the code over, then drop the old one",
                );
            }
        }
        Op::DropColumn(drop) => push(
            &mut out,
            Rule::BanDropColumn,
            format!("`{}.{}` and its data are gone; running code that reads it fails", drop.table, drop.name),
            "stop reading and writing it in the code first (deploy), then drop it in a later revision",
        ),
        Op::DropTable(drop) => push(
            &mut out,
            Rule::BanDropTable,
            format!("`{}` and its rows are gone; running code that uses it fails", drop.name),
            "stop using it in the code first (deploy), then drop it in a later revision",
        ),
        Op::RenameTable(rename) => push(
            &mut out,
            Rule::RenamingTable,
            format!("`{}` becomes `{}`: running code that uses the old name fails", rename.name, rename.new_name),
            "create the new table (or a view under the new name), move the code over, then drop the old one",
        ),
        Op::CreateIndex(create) if pg && !create.concurrently => push(
            &mut out,
            Rule::RequireConcurrentIndexCreation,
            format!("building `{}` blocks writes to `{}` until it is done", create.index.name, create.table),
            "build it with CREATE INDEX CONCURRENTLY in a revision of its own, outside a transaction",
        ),
        Op::DropIndex(drop) if pg && !drop.concurrently => push(
            &mut out,
            Rule::RequireConcurrentIndexDeletion,
            format!("dropping `{}` takes ACCESS EXCLUSIVE on `{}`, queued behind every running query", drop.name, drop.table),
            "drop it with DROP INDEX CONCURRENTLY in a revision of its own, outside a transaction",
        ),
        Op::AddConstraint(add) if pg && add.not_valid => {}
        Op::AddConstraint(add) => match &add.constraint {
            Constraint::ForeignKey(fk) => push(
            &mut out,
                Rule::AddingForeignKeyConstraint,
                format!(
                    "`{}` checks every row of `{}` while {}",
                    fk.name.as_deref().unwrap_or("the foreign key"),
                    add.table,
                    if pg { "writes to both tables wait" } else { "the table is copied (writes wait)" }
                ),
                if pg {
                    "add it NOT VALID, then VALIDATE CONSTRAINT in a later revision (which lets writes go on)"
                } else {
                    "add it with foreign_key_checks = 0 (ALGORITHM=INPLACE) after checking the rows yourself, or when the table is quiet"
                },
            ),
            Constraint::Check(check) => push(
            &mut out,
                Rule::ConstraintMissingNotValid,
                format!(
                    "check `{}` reads every row of `{}` while {}",
                    check.name.as_deref().unwrap_or("?"),
                    add.table,
                    if pg { "reads and writes wait" } else { "the table is copied (writes wait)" }
                ),
                if pg {
                    "add it NOT VALID, then VALIDATE CONSTRAINT in a later revision"
                } else {
                    "run it when the table is quiet"
                },
            ),
            Constraint::Unique(_) if add.concurrently => {}
            Constraint::Unique(_) | Constraint::PrimaryKey { .. } if pg => push(
            &mut out,
                Rule::DisallowedUniqueConstraint,
                format!("the constraint's index is built on `{}` under ACCESS EXCLUSIVE", add.table),
                "build a unique index CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX",
            ),
            _ => {}
        },
        _ => {}
    }
    let specific = out.len() > specific_before;
    if !specific && safety.held == Held::WhileRewriting && safety.blocks != Blocks::Nothing {
        out.push((
            Rule::BlockingTableRewrite,
            format!(
                "{} rewrites `{}` while writes wait",
                op.summary(),
                safety.table.as_deref().unwrap_or("?")
            ),
            "run it when the table is quiet, or split it into steps that do not rewrite".to_owned(),
        ));
    }
    out
}

/// The revisions autogenerate writes in safe mode (`safety = "online"`): the
/// ops of one comparison with each blocking change on a table in use replaced
/// by its online variant, split where a change must not share a transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnlinePart {
    /// The ops of this revision.
    pub ops: Vec<Op>,
    /// For each op, the index of the comparison's op it comes from.
    pub from: Vec<usize>,
    /// What the reviewer must do besides (backfills, a later revision).
    pub notes: Vec<String>,
}

/// `ops` (one comparison, in order) made online for `backend`: indexes and
/// unique constraints built, and indexes dropped, concurrently (PostgreSQL;
/// MySQL `LOCK=NONE`), foreign keys and
/// checks added `NOT VALID` and validated (PostgreSQL), `SET NOT NULL` through a
/// validated check (PostgreSQL 12+), a required column added nullable and a
/// volatile default set after the column is added (with a note to backfill:
/// the next autogenerate makes the column NOT NULL). Concurrent index drops go
/// in a revision before the rest and concurrent builds in one after, so no
/// revision mixes them with other changes. Tables created by the same ops are
/// left as they are. SQLite has no online variants: one part, unchanged.
pub fn online(ops: &[Op], backend: Backend) -> Vec<OnlinePart> {
    if backend == Backend::Sqlite {
        return vec![OnlinePart {
            ops: ops.to_vec(),
            from: (0..ops.len()).collect(),
            notes: Vec::new(),
        }];
    }
    let pg = backend == Backend::Postgres;
    // 0: concurrent drops, 1: the rest, 2: concurrent builds.
    let mut parts: [OnlinePart; 3] = Default::default();
    let mut created = NewTables::default();
    for (i, op) in ops.iter().enumerate() {
        let in_use = !created.holds(op);
        created.follow(op);
        let mut put = |part: usize, op: Op| {
            parts[part].ops.push(op);
            parts[part].from.push(i);
        };
        match op {
            Op::CreateIndex(create) if in_use => {
                let mut create = create.clone();
                create.concurrently = true;
                put(2, Op::CreateIndex(create));
            }
            Op::DropIndex(drop) if in_use => {
                let mut drop = drop.clone();
                drop.concurrently = true;
                put(0, Op::DropIndex(drop));
            }
            Op::AddConstraint(add)
                if pg
                    && in_use
                    && matches!(
                        add.constraint,
                        Constraint::ForeignKey(_) | Constraint::Check(_)
                    )
                    && add.constraint.name().is_some() =>
            {
                let name = add.constraint.name().unwrap_or_default().to_owned();
                let mut add = add.clone();
                add.not_valid = true;
                let table = add.table.clone();
                put(1, Op::AddConstraint(add));
                put(
                    1,
                    Op::ValidateConstraint(retort::ops::ValidateConstraint { table, name }),
                );
            }
            Op::AddConstraint(add)
                if in_use
                    && matches!(add.constraint, Constraint::Unique(_))
                    && add.constraint.name().is_some() =>
            {
                let mut add = add.clone();
                add.concurrently = true;
                put(2, Op::AddConstraint(add));
            }
            Op::AlterColumn(alter) if pg && in_use && alter.nullable == Some(false) => {
                let (_, bare) = retort::schema::split_schema(&alter.table);
                let check = retort::schema::Check::new(
                    format!("ck_{bare}_{}_not_null", alter.name),
                    format!("{} IS NOT NULL", quote_pg(&alter.name)),
                );
                let name = check.name.clone().unwrap_or_default();
                let table = alter.table.clone();
                let mut add = match Op::add_constraint(&table, Constraint::Check(check.clone())) {
                    Op::AddConstraint(add) => add,
                    _ => unreachable!("add_constraint makes an AddConstraint"),
                };
                add.not_valid = true;
                put(1, Op::AddConstraint(add));
                put(
                    1,
                    Op::ValidateConstraint(retort::ops::ValidateConstraint {
                        table: table.clone(),
                        name: name.clone(),
                    }),
                );
                put(1, op.clone());
                put(
                    1,
                    Op::DropConstraint(retort::ops::DropConstraint {
                        table,
                        name,
                        kind: retort::schema::ConstraintKind::Check,
                        existing: Some(Constraint::Check(check)),
                    }),
                );
            }
            Op::AddColumn(add) if in_use && required_without_default(&add.column) => {
                let mut column = add.column.clone();
                column.nullable = true;
                put(1, Op::add_column(&add.table, column));
                parts[1].notes.push(format!(
                    "`{}.{}` is added nullable: fill it in (in batches on a big table), then autogenerate again to make it NOT NULL",
                    add.table, add.column.name
                ));
            }
            Op::AddColumn(add)
                if pg
                    && in_use
                    && add.column.default.as_ref().is_some_and(volatile_default)
                    && add.column.identity.is_none()
                    && !add.column.autoincrement =>
            {
                let mut column = add.column.clone();
                let default = column.default.take();
                let required = !column.nullable;
                column.nullable = true;
                put(1, Op::add_column(&add.table, column.clone()));
                put(
                    1,
                    Op::AlterColumn(AlterColumn {
                        default: Some(default),
                        existing: Some(column),
                        ..AlterColumn::new(add.table.clone(), add.column.name.clone())
                    }),
                );
                parts[1].notes.push(format!(
                    "`{}.{}` gets its default after it is added (no rewrite): existing rows hold NULL; fill them in{}",
                    add.table,
                    add.column.name,
                    if required {
                        ", then autogenerate again to make it NOT NULL"
                    } else {
                        ""
                    }
                ));
            }
            _ => put(1, op.clone()),
        }
    }
    parts.into_iter().filter(|p| !p.ops.is_empty()).collect()
}

fn quote_pg(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use retort::ops::AddColumn;
    use retort::schema::Column;

    #[test]
    fn server_versions_are_read() {
        assert_eq!(
            Server::parse("10.11.6-MariaDB-0+deb12u1"),
            Server {
                mariadb: true,
                version: Some((10, 11, 6))
            }
        );
        assert_eq!(
            Server::parse("15.4 (Debian 15.4-1.pgdg120+1)").version,
            Some((15, 4, 0))
        );
        assert_eq!(Server::parse("").version, None);
    }

    #[test]
    fn a_default_rewrites_before_postgres_11_only() {
        let op = Op::AddColumn(AddColumn {
            table: "t".into(),
            column: Column::new("c", SqlType::Integer).default(ServerDefault::number(0)),
        });
        let old = Server {
            mariadb: false,
            version: Some((10, 5, 0)),
        };
        assert_eq!(
            classify(&op, Backend::Postgres, &old, false).held,
            Held::WhileRewriting
        );
        assert_eq!(
            classify(&op, Backend::Postgres, &Server::default(), false).held,
            Held::Briefly
        );
    }

    #[test]
    fn online_builds_unique_constraints_concurrently_after_the_rest() {
        let ops = vec![
            Op::add_column("t", Column::new("c", SqlType::Text).nullable()),
            Op::add_constraint(
                "t",
                Constraint::Unique(retort::schema::Unique::new("uq_t_c", ["c"])),
            ),
            Op::drop_index("t", "ix_t_old"),
        ];
        let parts = online(&ops, Backend::Postgres);
        let kinds: Vec<Vec<String>> = parts
            .iter()
            .map(|p| p.ops.iter().map(Op::summary).collect())
            .collect();
        assert_eq!(
            kinds,
            [
                vec!["remove index `ix_t_old` on `t` concurrently".to_owned()],
                vec!["add column `t.c`".to_owned()],
                vec!["add unique constraint `uq_t_c` on `t` concurrently".to_owned()],
            ]
        );
        assert_eq!(parts[2].from, [1]);
    }

    #[test]
    fn raw_sql_is_read_by_its_first_words() {
        assert!(!raw_sql("UPDATE t SET a = 1; -- note\nINSERT INTO t VALUES (1)").unknown);
        assert!(raw_sql("update t set a = 1; ALTER TABLE t ADD x int").unknown);
    }
}
