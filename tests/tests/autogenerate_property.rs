//! Property test on SQLite, PostgreSQL and MariaDB: for random model sets and
//! random changes to them, autogenerate then upgrade leaves nothing to
//! autogenerate, and the downgrade (the reversed ops) restores the database's
//! previous schema exactly. Seeds are fixed; a failure prints its seed.

use retort::ops::reverse_all;
use retort::schema::{
    split_schema, Check, Column, Deferrable, FkAction, ForeignKey, Index, Schema, ServerDefault,
    SqlType, Table, Unique,
};
use retort::Backend;
use retort_engine::introspect::Filter;
use retort_engine::{autogenerate, command};
use retort_tests::support::{comparable, summaries, user_tables};
use retort_tests::{on_every_backend, TestDb};
use std::cell::Cell;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TYPES: &[SqlType] = &[
    SqlType::SmallInt,
    SqlType::Integer,
    SqlType::BigInt,
    SqlType::Real,
    SqlType::Double,
    SqlType::Boolean,
    SqlType::Text,
    SqlType::Varchar(40),
    SqlType::Date,
    SqlType::Timestamp,
    SqlType::Uuid,
    SqlType::Json,
    SqlType::Decimal {
        precision: 10,
        scale: 2,
    },
];

/// Columns that can carry an index on every database (MySQL cannot index TEXT).
fn indexable(c: &Column) -> bool {
    !matches!(
        c.sql_type,
        SqlType::Text | SqlType::Blob | SqlType::Real | SqlType::Double | SqlType::Json
    )
}

fn default_for(rng: &mut Rng, ty: &SqlType) -> Option<ServerDefault> {
    if !rng.chance(40) {
        return None;
    }
    Some(match ty {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => {
            ServerDefault::number(rng.below(100))
        }
        SqlType::Real | SqlType::Double => ServerDefault::number(1.5),
        SqlType::Boolean => ServerDefault::Bool(rng.chance(50)),
        SqlType::Text | SqlType::Varchar(_) => ServerDefault::text(*rng.pick(&["", "x", "it's"])),
        SqlType::Date => ServerDefault::CurrentDate,
        SqlType::Timestamp => ServerDefault::CurrentTimestamp,
        SqlType::Uuid if rng.chance(50) => ServerDefault::NewUuid,
        SqlType::Uuid => ServerDefault::text("67e55044-10b1-426f-9247-bb680e5fe0c8"),
        SqlType::Json => ServerDefault::text(*rng.pick(&["{}", "[]"])),
        SqlType::Decimal { .. } => ServerDefault::number(*rng.pick(&["0", "2.50", "-1"])),
        _ => return None,
    })
}

/// When a foreign key is checked: at each statement mostly; deferrable or
/// deferred sometimes where the database has it (not MySQL).
fn deferral(rng: &mut Rng) -> Deferrable {
    if !PARTIAL_INDEXES.with(Cell::get) {
        return Deferrable::No;
    }
    *rng.pick(&[
        Deferrable::No,
        Deferrable::No,
        Deferrable::Immediate,
        Deferrable::Deferred,
    ])
}

/// A collation of the database under test for a text column, sometimes.
fn collation_for(rng: &mut Rng, ty: &SqlType) -> Option<String> {
    let text = matches!(ty, SqlType::Text | SqlType::Varchar(_));
    (text && rng.chance(20)).then(|| COLLATION.with(Cell::get).to_owned())
}

fn column(rng: &mut Rng, name: String) -> Column {
    let ty = rng.pick(TYPES).clone();
    let default = default_for(rng, &ty);
    // Some columns carry a comment (a field's doc comment), with a quote in it.
    let comment = rng
        .chance(30)
        .then(|| format!("what {name} holds, 'quoted'"));
    Column {
        name,
        nullable: rng.chance(50),
        default,
        autoincrement: false,
        comment,
        on_update_now: false,
        generated: None,
        collation: collation_for(rng, &ty),
        identity: None,
        sql_type: ty,
    }
}

fn table(rng: &mut Rng, name: &str, others: &[String]) -> Table {
    let mut t = Table::new(name)
        .column(Column::new("id", SqlType::Integer).autoincrement())
        .primary_key(["id"]);
    for j in 0..1 + rng.below(4) {
        t.columns.push(column(rng, format!("c{j}")));
    }
    // A stored generated column, sometimes: SQLite's rebuilds leave it out of
    // the copy, every database computes it again (MySQL's may not read an
    // AUTO_INCREMENT column).
    if rng.chance(25) {
        let expr = if PARTIAL_INDEXES.with(Cell::get) {
            "id * 2"
        } else {
            "7 * 6"
        };
        t.columns.push(
            Column::new("g", SqlType::BigInt)
                .nullable()
                .generated(expr, true),
        );
    }
    // A model's doc comment, sometimes.
    t.comment = rng.chance(30).then(|| format!("the {name} table"));
    if let Some(target) = (!others.is_empty() && rng.chance(60)).then(|| rng.pick(others).clone()) {
        let action = *rng.pick(&[FkAction::NoAction, FkAction::Cascade, FkAction::SetNull]);
        let (bare, target_bare) = (split_schema(name).1, split_schema(&target).1);
        t.columns
            .push(Column::new(format!("{target_bare}_id"), SqlType::Integer).nullable());
        t.foreign_keys.push(
            ForeignKey::new(
                format!("fk_{bare}_{target_bare}"),
                [format!("{target_bare}_id")],
                target.clone(),
                ["id"],
            )
            .on_delete(action)
            .deferrable(deferral(rng)),
        );
    }
    add_some_constraints(rng, &mut t);
    t
}

fn add_some_constraints(rng: &mut Rng, t: &mut Table) {
    let candidates: Vec<String> = t
        .columns
        .iter()
        .filter(|c| c.name.starts_with('c') && indexable(c))
        .map(|c| c.name.clone())
        .collect();
    if candidates.is_empty() {
        return;
    }
    let c = rng.pick(&candidates).clone();
    let name = split_schema(&t.name).1.to_owned();
    // A composite unique constraint under a name of the model's own
    // (struct-level `unique(name = "..", columns(a, b))`).
    let other = rng.pick(&candidates).clone();
    if other != c && rng.chance(30) && !t.uniques.iter().any(|u| u.columns.len() > 1) {
        t.uniques.push(Unique::new(
            format!("pair_{name}_{c}_{other}"),
            [c.clone(), other],
        ));
    }
    if rng.chance(50) && t.get_index(&format!("ix_{name}_{c}")).is_none() {
        let mut index = Index::new(format!("ix_{name}_{c}"), [c.clone()]);
        // Descending keys everywhere; partial indexes where the database has them.
        index.columns[0].descending = rng.chance(30);
        if PARTIAL_INDEXES.with(Cell::get) && rng.chance(25) {
            index = index.partial(format!("{c} IS NOT NULL"));
        }
        t.indexes.push(index);
    } else if !t.uniques.iter().any(|u| u.columns == [c.clone()]) {
        t.uniques
            .push(Unique::new(format!("uq_{name}_{c}"), [c.clone()]));
    }
    let ints: Vec<String> = t
        .columns
        .iter()
        .filter(|c| c.name.starts_with('c') && c.sql_type.is_integer())
        .map(|c| c.name.clone())
        .collect();
    if !ints.is_empty() && rng.chance(40) {
        let c = rng.pick(&ints).clone();
        let ck = format!("ck_{name}_{c}");
        if !t
            .checks
            .iter()
            .any(|x| x.name.as_deref() == Some(ck.as_str()))
        {
            t.checks.push(Check::new(ck, format!("{c} >= 0")));
        }
    }
}

/// Sometimes, a foreign key over both columns of another table's composite
/// unique constraint (struct-level `foreign_key(columns(a, b), references =
/// T(a, b))`), its columns of the same types and collations.
fn composite_key(rng: &mut Rng, s: &Schema, t: &mut Table) {
    let targets: Vec<(&Table, &Unique)> = s
        .tables
        .values()
        .filter(|o| o.name != t.name)
        .filter_map(|o| {
            o.uniques
                .iter()
                .find(|u| u.columns.len() == 2)
                .map(|u| (o, u))
        })
        .collect();
    if targets.is_empty() || !rng.chance(80) {
        return;
    }
    let (target, unique) = *rng.pick(&targets);
    let (bare, target_bare) = (split_schema(&t.name).1, split_schema(&target.name).1);
    let mut columns = Vec::new();
    for c in &unique.columns {
        let Some(referenced) = target.get_column(c) else {
            return;
        };
        let mut column =
            Column::new(format!("{target_bare}_{c}"), referenced.sql_type.clone()).nullable();
        column.collation = referenced.collation.clone();
        if t.get_column(&column.name).is_some() {
            return;
        }
        columns.push(column);
    }
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    t.columns.extend(columns);
    let action = *rng.pick(&[FkAction::NoAction, FkAction::Cascade, FkAction::SetNull]);
    t.foreign_keys.push(
        ForeignKey::new(
            format!("fk_{bare}_{target_bare}_pair"),
            names,
            target.name.clone(),
            unique.columns.clone(),
        )
        .on_delete(action)
        .deferrable(deferral(rng)),
    );
}

/// The columns of `table` other tables' foreign keys reference (besides `id`).
fn referenced_columns(s: &Schema, table: &str) -> Vec<String> {
    s.tables
        .values()
        .flat_map(|t| &t.foreign_keys)
        .filter(|f| f.ref_table == table)
        .flat_map(|f| f.ref_columns.iter().cloned())
        .filter(|c| c != "id")
        .collect()
}

fn schema(rng: &mut Rng) -> Schema {
    let mut s = Schema::new();
    let mut names = Vec::new();
    for i in 0..1 + rng.below(4) {
        let name = format!("{}t{i}", in_schema(rng));
        let mut t = table(rng, &name, &names);
        composite_key(rng, &s, &mut t);
        s.insert(t);
        names.push(name);
    }
    s
}

/// Whether another table's foreign key points at `table`.
fn referenced(s: &Schema, table: &str) -> bool {
    s.tables
        .values()
        .any(|t| t.name != table && t.foreign_keys.iter().any(|f| f.ref_table == table))
}

fn mutate(rng: &mut Rng, s: &mut Schema, serial: &mut usize) {
    let names: Vec<String> = s.tables.keys().cloned().collect();
    let name = rng.pick(&names).clone();
    match rng.below(9) {
        0 => {
            *serial += 1;
            let new = format!("{}n{serial}", in_schema(rng));
            let mut t = table(rng, &new, &names);
            composite_key(rng, s, &mut t);
            s.insert(t);
        }
        1 if !referenced(s, &name) && s.tables.len() > 1 => {
            s.tables.remove(&name);
        }
        2 => {
            *serial += 1;
            let mut c = column(rng, format!("c{}", 10 + *serial));
            if !c.nullable && c.default.is_none() {
                c.nullable = true;
            }
            s.tables.get_mut(&name).unwrap().columns.push(c);
        }
        3 => {
            let pinned = referenced_columns(s, &name);
            let t = s.tables.get_mut(&name).unwrap();
            let plain: Vec<String> = t
                .columns
                .iter()
                .filter(|c| c.name.starts_with('c') && !pinned.contains(&c.name))
                .map(|c| c.name.clone())
                .collect();
            if plain.len() > 1 {
                let c = rng.pick(&plain).clone();
                t.columns.retain(|x| x.name != c);
                t.indexes
                    .retain(|i| !i.columns.iter().any(|k| k.column == c));
                t.uniques.retain(|u| !u.columns.contains(&c));
                t.checks.retain(|k| !k.expr.starts_with(&format!("{c} ")));
            }
        }
        4..=6 => {
            let pinned = referenced_columns(s, &name);
            let t = s.tables.get_mut(&name).unwrap();
            let plain: Vec<usize> = (0..t.columns.len())
                .filter(|i| t.columns[*i].name.starts_with('c'))
                .collect();
            if plain.is_empty() {
                return;
            }
            let i = *rng.pick(&plain);
            let constrained = {
                let n = &t.columns[i].name;
                t.indexes
                    .iter()
                    .any(|x| x.columns.iter().any(|k| k.column == *n))
                    || t.uniques.iter().any(|x| x.columns.contains(n))
                    || t.checks
                        .iter()
                        .any(|k| k.expr.starts_with(&format!("{n} ")))
            };
            let c = &mut t.columns[i];
            match rng.below(4) {
                // A collation set or removed (not under another table's key:
                // MySQL wants both sides' collations equal).
                3 if !pinned.contains(&c.name) => {
                    let ty = c.sql_type.clone();
                    c.collation = match c.collation {
                        Some(_) => None,
                        None => collation_for(rng, &ty),
                    };
                }
                // Widening keeps every value; only on unconstrained columns.
                0 if !constrained => {
                    let wider = match c.sql_type {
                        SqlType::SmallInt => Some(SqlType::Integer),
                        SqlType::Integer => Some(SqlType::BigInt),
                        SqlType::Real => Some(SqlType::Double),
                        SqlType::Varchar(n) => Some(SqlType::Varchar(n + 60)),
                        SqlType::Decimal { precision, scale } => Some(SqlType::Decimal {
                            precision: precision + 2,
                            scale,
                        }),
                        _ => None,
                    };
                    if let Some(w) = wider {
                        c.sql_type = w;
                    }
                }
                1 => c.nullable = !c.nullable,
                _ => {
                    let ty = c.sql_type.clone();
                    c.default = default_for(rng, &ty);
                }
            }
        }
        7 => {
            let t = s.tables.get_mut(&name).unwrap();
            add_some_constraints(rng, t);
            // A doc comment written, changed or removed.
            t.comment = match (&t.comment, rng.chance(50)) {
                (Some(_), true) => None,
                _ => Some(format!("{name}, as of change {}", rng.below(100))),
            };
        }
        _ => {
            let pinned = !referenced_columns(s, &name).is_empty();
            let t = s.tables.get_mut(&name).unwrap();
            if let Some(fk) = t.foreign_keys.first_mut() {
                fk.on_delete = if fk.on_delete == FkAction::Cascade {
                    FkAction::SetNull
                } else {
                    FkAction::Cascade
                };
                // And, where keys can wait, when it is checked.
                fk.deferrable = deferral(rng);
            } else if !pinned {
                t.indexes.clear();
                t.uniques.clear();
                t.checks.clear();
            }
        }
    }
}

/// `ps.` (a table in another PostgreSQL schema) one time in three where the
/// database has schemas, else nothing.
fn in_schema(rng: &mut Rng) -> &'static str {
    if SCHEMAS.with(Cell::get) && rng.chance(33) {
        "ps."
    } else {
        ""
    }
}

/// Retort's own tables left out; schema `ps` read (as `include_schemas`
/// does) even when no model names it any more.
fn filter() -> Filter {
    Filter {
        schemas: vec!["ps".into()],
        ..user_tables()
    }
}

/// The database under test's tables, those in schema `ps` included.
fn live(db: &TestDb) -> Schema {
    retort_engine::introspect::read(&mut db.connect(), &filter()).unwrap()
}

/// The ops that take the database to `models`.
fn diff(
    conn: &mut retort::Connection,
    models: &Schema,
) -> retort_engine::Result<Vec<retort::ops::Op>> {
    Ok(autogenerate::compare_database(conn, models, &Default::default(), &filter())?.ops)
}

thread_local! {
    /// Whether the database under test keeps tables in schemas (PostgreSQL).
    static SCHEMAS: Cell<bool> = const { Cell::new(false) };
    /// Whether the database under test is not MySQL: it has partial indexes and
    /// deferrable foreign keys, and a generated column may read the key.
    static PARTIAL_INDEXES: Cell<bool> = const { Cell::new(false) };
    /// A collation the database under test has, other than its default.
    static COLLATION: Cell<&'static str> = const { Cell::new("C") };
}

fn random_changes_round_trip(db: &TestDb) {
    PARTIAL_INDEXES.with(|p| p.set(db.backend != Backend::Mysql));
    SCHEMAS.with(|p| p.set(db.backend == Backend::Postgres));
    COLLATION.with(|c| {
        c.set(match db.backend {
            Backend::Postgres => "C",
            Backend::Mysql => "utf8mb4_bin",
            Backend::Sqlite => "NOCASE",
        })
    });
    let cases = if db.backend == Backend::Sqlite {
        60
    } else {
        40
    };
    let mut conn = db.connect();
    for case in 0..cases {
        let seed = 0x9E37_79B9_7F4A_7C15u64 ^ ((case as u64 + 1) * 0x1000_0001);
        let mut rng = Rng(seed);
        let s0 = schema(&mut rng);
        let ops0 = diff(&mut conn, &s0).unwrap();
        command::apply(&mut conn, &ops0)
            .unwrap_or_else(|e| panic!("seed {seed:#x}: create: {e}\n{:#?}", summaries(&ops0)));
        let again = diff(&mut conn, &s0).unwrap();
        assert!(
            again.is_empty(),
            "seed {seed:#x}: after creating, still {:#?}",
            summaries(&again)
        );
        let l0 = comparable(live(db));

        let mut s1 = s0.clone();
        let mut serial = 0;
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut s1, &mut serial);
        }
        let ops1 = diff(&mut conn, &s1).unwrap();
        command::apply(&mut conn, &ops1)
            .unwrap_or_else(|e| panic!("seed {seed:#x}: change: {e}\n{:#?}", summaries(&ops1)));
        let again = diff(&mut conn, &s1).unwrap();
        assert!(
            again.is_empty(),
            "seed {seed:#x}: after {:#?}\nstill {:#?}",
            summaries(&ops1),
            summaries(&again)
        );

        let back = reverse_all(&ops1).unwrap();
        command::apply(&mut conn, &back)
            .unwrap_or_else(|e| panic!("seed {seed:#x}: downgrade: {e}\n{:#?}", summaries(&back)));
        assert_eq!(
            comparable(live(db)),
            l0,
            "seed {seed:#x}: the downgrade of {:#?} did not restore the schema",
            summaries(&ops1)
        );

        command::apply(&mut conn, &reverse_all(&ops0).unwrap()).unwrap();
        let left = live(db);
        assert!(
            left.tables.is_empty(),
            "seed {seed:#x}: {:?}",
            left.tables.keys()
        );
    }
}

on_every_backend!(random_changes_round_trip);
