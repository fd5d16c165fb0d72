//! The one step executor: what the `op` handle of a revision step hands its ops
//! to, online and in `--sql` alike (Alembic's `_exec(as_sql)`). Each op is
//! rendered by the dialect against the schema as the executor knows it, its SQL
//! goes to a [`Sink`] (the connection, a script, or nowhere), and its effect is
//! followed on that schema ([`SchemaState`]). Online, a table is read from the
//! catalog the first time an op needs it and followed from then on, so a revision
//! introspects each table at most once (again only after raw SQL or a data
//! migration's own queries, whose effect cannot be followed).

use std::collections::BTreeSet;

use retort::operations::Executor;
use retort::ops::{AlterColumn, AlterEnum, Op};
use retort::schema::{Schema, Table};
use retort::{Backend, Connection, RenderError};

use crate::backend::{Condition, Session};
use crate::dialect::{enum_columns_by_table, Dialect, EnumSql};
use crate::introspect;
use crate::safety::{self, NewTables, RecordedOp, Server};

/// Where a step's SQL goes.
pub enum Sink<'a> {
    /// Run on the connection.
    Execute(&'a mut Connection),
    /// Appended to a script.
    Print(&'a mut Vec<String>),
    /// Nowhere: only the schema is followed (replaying the history).
    Discard,
    /// Listed as the online run would send them (values bound where they can
    /// be), without running: how many statements each op is, for a step that
    /// stopped half-way.
    Plan(&'a mut Vec<String>),
}

/// The schema as far as a step knows it.
#[derive(Debug, Clone, Default)]
pub struct SchemaState {
    /// Tables whose definition is known.
    known: Schema,
    /// Tables known not to exist.
    absent: BTreeSet<String>,
    /// Every table is known: one that is not in `known` does not exist (a schema
    /// replayed in memory). Otherwise an unknown table is read from the catalog.
    complete: bool,
}

impl SchemaState {
    /// Nothing known yet: tables are read from the live database as needed.
    pub fn live() -> Self {
        SchemaState::default()
    }

    /// Exactly `schema`: what replaying revisions in memory knows.
    pub fn replayed(schema: Schema) -> Self {
        SchemaState {
            known: schema,
            absent: BTreeSet::new(),
            complete: true,
        }
    }

    /// The schema, once every table is known (a replay).
    pub fn into_schema(self) -> Schema {
        self.known
    }

    /// The table as known, reading it from `conn` first when it is not (and a
    /// connection is there to read it).
    fn table(
        &mut self,
        conn: Option<&mut Connection>,
        name: &str,
    ) -> retort::Result<Option<Table>> {
        if let Some(table) = self.known.table(name) {
            return Ok(Some(table.clone()));
        }
        if self.complete || self.absent.contains(name) {
            return Ok(None);
        }
        let Some(conn) = conn else {
            return Ok(None);
        };
        match introspect::table(conn, name)? {
            Some(table) => {
                self.known.insert(table.clone());
                Ok(Some(table))
            }
            None => {
                self.absent.insert(name.to_owned());
                Ok(None)
            }
        }
    }

    /// Forgets what the database may have changed behind the executor's back (raw
    /// SQL, a data migration's queries). A replayed schema is kept: nothing else
    /// can change it.
    fn forget(&mut self) {
        if !self.complete {
            self.known = Schema::new();
            self.absent.clear();
        }
    }

    /// Follows `op`'s effect.
    fn follow(&mut self, op: &Op) {
        match op {
            Op::CreateEnum(_) | Op::DropEnum(_) | Op::AlterEnum(_) if self.complete => {
                self.apply(op)
            }
            // Online, only the enum's known columns and the type are followed.
            Op::CreateEnum(create) => {
                self.known
                    .enums
                    .insert(create.name.clone(), create.values.clone());
            }
            Op::DropEnum(drop) => {
                self.known.enums.remove(&drop.name);
            }
            Op::AlterEnum(alter) => {
                let mut known = alter.clone();
                known
                    .columns
                    .retain(|(t, _)| self.known.tables.contains_key(t));
                self.apply(&Op::AlterEnum(known));
            }
            Op::Execute(_) => self.forget(),
            Op::BulkInsert(_) => {}
            Op::CreateTable(create) => {
                self.absent.remove(&create.table.name);
                self.apply(op);
            }
            Op::DropTable(drop) => {
                self.known.tables.remove(&drop.name);
                self.absent.insert(drop.name.clone());
            }
            Op::RenameTable(rename) if !self.known.tables.contains_key(&rename.name) => {
                // Neither name's definition is known now; references to the old
                // name in known tables would go stale, so start over.
                self.forget();
            }
            _ => {
                let table = op.table().unwrap_or_default();
                if self.known.tables.contains_key(table) {
                    self.apply(op);
                } else if renames_a_column(op) {
                    // Known tables' foreign keys may name the column.
                    self.forget();
                }
            }
        }
    }

    fn apply(&mut self, op: &Op) {
        if let Err(e) = self.known.apply(op) {
            if self.complete {
                log::warn!("{e}; later operations that need this table's definition may fail");
            } else {
                // The database did it, so the catalog knows better.
                self.forget();
            }
        }
        if let Op::RenameTable(rename) = op {
            self.absent.remove(&rename.new_name);
            self.absent.insert(rename.name.clone());
        }
    }
}

/// The statements an op is online: bound with their values where it can be,
/// else its SQL text with no values.
fn online_statements<'a>(
    dialect: &dyn Dialect,
    op: &'a Op,
    current: Option<&Table>,
) -> retort::Result<Vec<crate::dialect::BoundStatement<'a>>> {
    Ok(match dialect.bound_sql(op)? {
        Some(bound) => bound,
        None => dialect
            .op_sql(op, current)?
            .into_iter()
            .map(|sql| (sql, Vec::new()))
            .collect(),
    })
}

/// An index of this name left invalid by a concurrent build that did not finish
/// (killed, cancelled, or a duplicate found by a unique one) is dropped, so the
/// build can start again; said in the log.
fn drop_invalid_index(
    dialect: &dyn Dialect,
    conn: &mut Connection,
    table: &str,
    name: &str,
) -> retort::Result<()> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let schema = match retort::schema::split_schema(table) {
        (Some(schema), _) => dialect.string_literal(schema),
        (None, _) => "current_schema()".to_owned(),
    };
    let sql = format!(
        "SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         JOIN pg_namespace s ON s.oid = c.relnamespace \
         WHERE NOT i.indisvalid AND c.relname = {} AND s.nspname = {schema}",
        dialect.string_literal(name)
    );
    let invalid = conn.query::<Count>(&sql)?.first().is_some_and(|c| c.n > 0);
    if invalid {
        log::warn!(
            target: "retort::runner",
            "index `{name}` on `{table}` is invalid (a concurrent build did not finish): dropping it to build it again"
        );
        conn.execute(&format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            dialect.quote_index(table, name)
        ))?;
    }
    Ok(())
}

/// One statement online, with its count where the step counts them: the
/// statement and its count in one round trip (the count runs only if the
/// statement did), a failure naming the statement alone.
fn run_statement(
    conn: &mut Connection,
    sql: &str,
    params: &[&retort::schema::Value],
    count: Option<&str>,
    alone: bool,
) -> retort::Result<()> {
    // `alone`: several statements in one round trip are one transaction to
    // PostgreSQL, which a concurrent index build cannot run in.
    match (count, params.is_empty()) {
        (Some(count), true) if alone => {
            conn.execute(sql)?;
            conn.execute(count)
        }
        (Some(count), true) => conn
            .execute(&format!(
                "{};\n{count}",
                sql.trim_end().trim_end_matches(';')
            ))
            .map_err(|e| match e {
                retort::Error::Sql { source, .. } => retort::Error::sql(sql, source),
                other => other,
            }),
        (None, true) => conn.execute(sql),
        (count, false) => {
            conn.execute_params(sql, params)?;
            if let Some(count) = count {
                conn.execute(count)?;
            }
            Ok(())
        }
    }
}

fn renames_a_column(op: &Op) -> bool {
    match op {
        Op::AlterColumn(AlterColumn {
            new_name: Some(_), ..
        }) => true,
        Op::Batch(batch) => batch.ops.iter().any(renames_a_column),
        _ => false,
    }
}

/// Carries out the ops of one revision step: see the module documentation.
pub struct StepExecutor<'a> {
    dialect: &'static dyn Dialect,
    sink: Sink<'a>,
    state: &'a mut SchemaState,
    raw_sql: bool,
    recorded: Option<Vec<RecordedOp>>,
    /// Where the next op was written.
    at: Option<&'static std::panic::Location<'static>>,
    /// `op.acknowledge(..)`s waiting for the next op.
    acknowledged: Vec<(String, String)>,
    /// Tables created by this step (their ops lock nobody out).
    created: NewTables,
    /// An op that cannot run inside a transaction was printed or planned.
    outside_transaction: bool,
    /// The step runs without a transaction (each statement commits).
    untransacted: bool,
    /// MySQL: `ALTER TABLE`s name the algorithm they may use.
    online: bool,
    /// Without a transaction: a statement that runs out of its lock timeout is
    /// tried again, at most this many times, the session telling the error.
    retry: Option<(&'static dyn Session, u32)>,
    progress: Option<Progress>,
    /// Statements sent online.
    sent: usize,
    /// Whether the connection was handed out (`op.connection()`).
    handed_out: bool,
    /// Whether the step asked `op.is_offline()`: it may do something else online.
    asked_offline: std::cell::Cell<bool>,
}

/// A step run without a transaction counts its statements as they commit, so a
/// failure leaves a record of how far it got; a resumed step skips those.
struct Progress {
    /// The statement that adds one to the count.
    count_sql: String,
    /// Statements already applied (by an earlier, failed run): not run again.
    skip: usize,
    /// Statements seen so far.
    seen: usize,
}

impl<'a> StepExecutor<'a> {
    /// An executor for `dialect` sending SQL to `sink` and following `state`.
    pub fn new(dialect: &'static dyn Dialect, sink: Sink<'a>, state: &'a mut SchemaState) -> Self {
        StepExecutor {
            dialect,
            sink,
            state,
            raw_sql: false,
            recorded: None,
            at: None,
            acknowledged: Vec::new(),
            created: NewTables::default(),
            retry: None,
            outside_transaction: false,
            untransacted: false,
            online: false,
            progress: None,
            sent: 0,
            handed_out: false,
            asked_offline: std::cell::Cell::new(false),
        }
    }

    /// Records each statement it runs with `count_sql`, and skips the first
    /// `skip` (already applied by a run that stopped half-way).
    pub fn counting(mut self, count_sql: String, skip: usize) -> Self {
        self.untransacted = true;
        self.progress = Some(Progress {
            count_sql,
            skip,
            seen: 0,
        });
        self
    }

    /// Tries a statement that ran out of its lock timeout again, up to
    /// `retries` times (for steps without a transaction, where nothing is held
    /// while it waits).
    pub fn retrying(mut self, session: &'static dyn Session, retries: u32) -> Self {
        self.retry = Some((session, retries));
        self
    }

    /// On MySQL, makes each `ALTER TABLE` of an op the revision did not
    /// acknowledge name its algorithm (see [`crate::RunOptions::online`]).
    pub fn online(mut self, online: bool) -> Self {
        self.online = online;
        self
    }

    /// For a step that runs without a transaction and keeps no count of its
    /// statements (`command::apply`).
    pub fn without_transaction(mut self) -> Self {
        self.untransacted = true;
        self
    }

    /// Keeps a copy of every op it carries out (see [`StepExecutor::into_ops`]).
    pub fn recording(mut self) -> Self {
        self.recorded = Some(Vec::new());
        self
    }

    /// The ops carried out, each with the number of statements it was (online,
    /// or planned with [`Sink::Plan`]), when [`StepExecutor::recording`].
    pub fn into_planned_ops(self) -> Vec<(Op, usize)> {
        self.into_recorded()
            .into_iter()
            .map(|r| (r.op, r.statements))
            .collect()
    }

    /// The ops carried out with where each was written and what the revision
    /// acknowledged for it, when [`StepExecutor::recording`].
    pub fn into_recorded(self) -> Vec<RecordedOp> {
        self.recorded.unwrap_or_default()
    }

    /// Whether the step sent no statement of its own and never handed out the
    /// connection: the database is as it was before it.
    pub fn touched_nothing(&self) -> bool {
        self.sent == 0 && !self.handed_out
    }

    /// Whether the step printed or planned an op that cannot run inside a
    /// transaction (PostgreSQL's `CONCURRENTLY`): its script has none.
    pub fn needs_no_transaction(&self) -> bool {
        self.outside_transaction
    }

    /// Whether the step ran raw SQL (`execute`), whose effect on the schema
    /// cannot be followed.
    pub fn ran_raw_sql(&self) -> bool {
        self.raw_sql
    }

    /// Whether the step asked `op.is_offline()` (so what it does online may
    /// differ from what it did here).
    pub fn asked_offline(&self) -> bool {
        self.asked_offline.get()
    }

    /// Where the last op, or the last `op.connection()`, was written.
    pub fn last_location(&self) -> Option<&'static std::panic::Location<'static>> {
        self.at
    }
}

impl StepExecutor<'_> {
    /// An `alter_enum`'s statements (those that may run before the transaction
    /// first), given its columns' tables as they are now; online, first makes
    /// sure no row holds a value it removes.
    fn alter_enum_sql(&mut self, alter: &AlterEnum) -> retort::Result<EnumSql> {
        let mut tables = Vec::new();
        let needed = self.dialect.alter_enum_needs_tables(alter);
        for (table, _) in enum_columns_by_table(alter).into_iter().filter(|_| needed) {
            match self.table(table)? {
                Some(t) => tables.push(t),
                None if self.state.complete || matches!(self.sink, Sink::Execute(_)) => {
                    return Err(RenderError::NoTable {
                        op: Op::AlterEnum(alter.clone()).summary(),
                        table: table.to_owned(),
                    }
                    .into())
                }
                None => {}
            }
        }
        let removed = alter.removed();
        if let (Sink::Execute(conn), false) = (&mut self.sink, removed.is_empty()) {
            let values = removed
                .iter()
                .map(|v| self.dialect.string_literal(v))
                .collect::<Vec<_>>()
                .join(", ");
            for (table, column) in &alter.columns {
                let condition = format!("{} IN ({values})", self.dialect.quote(column));
                let held = crate::autogenerate::count_where(conn, table, &condition)?;
                if held > 0 {
                    return Err(RenderError::BadValue(format!(
                        "alter_enum `{}`: {held} row(s) of `{table}.{column}` hold {}, which this change removes; \
                         update or delete them first (an op.execute(\"UPDATE …\") before the alter_enum), \
                         or keep the value",
                        alter.name,
                        removed.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
                    ))
                    .into());
                }
            }
        }
        Ok(self.dialect.alter_enum_sql(alter, &tables)?)
    }
}

impl StepExecutor<'_> {
    /// The algorithm clause an op's `ALTER TABLE`s get in online mode on MySQL:
    /// `INSTANT` where the server does it so, else `INPLACE, LOCK=NONE` (which
    /// the server refuses, with its reason, for what it can only copy). None for
    /// an op the revision acknowledged, a table it created, or what is no
    /// column, index or constraint change.
    fn algorithm_clause(&self, op: &Op) -> Option<&'static str> {
        if !self.online || self.dialect.backend() != Backend::Mysql || !self.acknowledged.is_empty()
        {
            return None;
        }
        if self.created.holds(op)
            || !matches!(
                op,
                Op::AddColumn(_)
                    | Op::DropColumn(_)
                    | Op::AlterColumn(_)
                    | Op::CreateIndex(_)
                    | Op::DropIndex(_)
                    | Op::AddConstraint(_)
                    | Op::DropConstraint(_)
                    | Op::Batch(_)
            )
        {
            return None;
        }
        let safety = safety::classify(op, Backend::Mysql, &Server::default(), false);
        Some(if safety.lock == "ALGORITHM=INSTANT" {
            "ALGORITHM=INSTANT"
        } else {
            "ALGORITHM=INPLACE, LOCK=NONE"
        })
    }
}

/// `ALTER TABLE …, ALGORITHM=…` (a statement that names one already, or is no
/// `ALTER TABLE`, stays).
fn with_algorithm(sql: &mut String, clause: &str) {
    if sql.starts_with("ALTER TABLE") && !sql.contains("ALGORITHM=") {
        let trimmed = sql.trim_end().trim_end_matches(';').len();
        sql.truncate(trimmed);
        sql.push_str(", ");
        sql.push_str(clause);
    }
}

impl Executor for StepExecutor<'_> {
    fn run(&mut self, op: Op) -> retort::Result<()> {
        self.raw_sql |= matches!(op, Op::Execute(_));
        if self.dialect.backend() == Backend::Postgres && safety::outside_transaction(&op) {
            match &mut self.sink {
                // Inside the revision's transaction: the runner runs the revision
                // again without one.
                Sink::Execute(_) if !self.untransacted => {
                    return Err(retort::Error::NeedsNoTransaction { op: op.summary() })
                }
                Sink::Execute(conn) => match &op {
                    Op::CreateIndex(create) => {
                        drop_invalid_index(self.dialect, conn, &create.table, &create.index.name)?
                    }
                    Op::AddConstraint(add) => {
                        if let Some(name) = add.constraint.name() {
                            drop_invalid_index(self.dialect, conn, &add.table, name)?;
                        }
                    }
                    _ => {}
                },
                _ => self.outside_transaction = true,
            }
        }
        let current = match (self.dialect.needs_table(&op), op.table()) {
            (true, Some(name)) => self.table(name)?,
            _ => None,
        };
        // An enum's change reads the tables of its columns; PostgreSQL's added
        // values may run before the transaction.
        let enum_sql = match &op {
            Op::AlterEnum(alter) => Some(self.alter_enum_sql(alter)?),
            _ => None,
        };
        let early = enum_sql.as_ref().map_or(0, |e| e.early.len());
        let enum_statements =
            enum_sql.map(|e| e.early.into_iter().chain(e.statements).collect::<Vec<_>>());
        let clause = self.algorithm_clause(&op);
        let produced;
        match &mut self.sink {
            // Values travel as bound parameters where they can, never as SQL text.
            Sink::Execute(conn) => {
                let mut statements = match &enum_statements {
                    Some(sql) => sql.iter().map(|s| (s.clone(), Vec::new())).collect(),
                    None => online_statements(self.dialect, &op, current.as_ref())?,
                };
                if let Some(clause) = clause {
                    for (sql, _) in &mut statements {
                        with_algorithm(sql, clause);
                    }
                }
                produced = statements.len();
                for (i, (sql, params)) in statements.iter().enumerate() {
                    self.sent += 1;
                    if i < early && self.progress.is_none() {
                        conn.execute_early(sql)?;
                        continue;
                    }
                    if let Some(progress) = &mut self.progress {
                        progress.seen += 1;
                        if progress.seen <= progress.skip {
                            continue;
                        }
                    }
                    let count = self.progress.as_ref().map(|p| p.count_sql.as_str());
                    let alone = safety::outside_transaction(&op);
                    let mut retries = 0;
                    loop {
                        match run_statement(conn, sql, params, count, alone) {
                            Ok(()) => break,
                            Err(e) => match self.retry {
                                Some((session, most))
                                    if retries < most
                                        && session.classify(&e) == Some(Condition::LockTimeout) =>
                                {
                                    retries += 1;
                                    let delay = crate::config::RunOptions::retry_delay(retries);
                                    log::warn!(
                                        target: "retort::runner",
                                        "a statement timed out waiting for a lock; retry {retries} of {most} in {:.1} s: {}",
                                        delay.as_secs_f64(),
                                        sql.lines().next().unwrap_or_default()
                                    );
                                    std::thread::sleep(delay);
                                }
                                Some((session, _))
                                    if session.classify(&e) == Some(Condition::LockTimeout) =>
                                {
                                    // It never got its lock: it did nothing.
                                    self.sent -= 1;
                                    return Err(e);
                                }
                                _ => return Err(e),
                            },
                        }
                    }
                }
            }
            Sink::Print(out) => {
                let mut statements = match enum_statements {
                    Some(sql) => sql,
                    None => self.dialect.op_sql(&op, current.as_ref())?,
                };
                if let Some(clause) = clause {
                    for sql in &mut statements {
                        with_algorithm(sql, clause);
                    }
                }
                produced = statements.len();
                // What the op locks, for the reader of the script.
                let new_table = self.created.holds(&op);
                let safety =
                    safety::classify(&op, self.dialect.backend(), &Server::default(), new_table);
                if safety.is_notable() && !statements.is_empty() {
                    out.push(format!("-- {safety}"));
                }
                out.extend(statements);
            }
            Sink::Plan(out) => {
                let statements = match enum_statements {
                    Some(sql) => sql,
                    None => online_statements(self.dialect, &op, current.as_ref())?
                        .into_iter()
                        .map(|(sql, _)| sql)
                        .collect(),
                };
                produced = statements.len();
                out.extend(statements);
            }
            Sink::Discard => {
                produced = match enum_statements {
                    Some(sql) => sql.len(),
                    None => self.dialect.op_sql(&op, current.as_ref())?.len(),
                };
            }
        }
        self.state.follow(&op);
        self.created.follow(&op);
        let at = self.at.take();
        let acknowledged = std::mem::take(&mut self.acknowledged);
        if let Some(recorded) = &mut self.recorded {
            recorded.push(RecordedOp {
                op,
                statements: produced,
                at: at.map(|l| (l.file(), l.line())),
                acknowledged,
            });
        }
        Ok(())
    }

    fn table(&mut self, name: &str) -> retort::Result<Option<Table>> {
        let conn = match &mut self.sink {
            Sink::Execute(conn) => Some(&mut **conn),
            _ => None,
        };
        self.state.table(conn, name)
    }

    fn connection(&mut self) -> retort::Result<&mut Connection> {
        // What the caller does with it cannot be followed.
        self.state.forget();
        self.handed_out = true;
        match &mut self.sink {
            Sink::Execute(conn) => Ok(conn),
            _ => Err(retort::Error::NoConnection),
        }
    }

    fn backend(&self) -> Backend {
        self.dialect.backend()
    }

    fn quote(&self, ident: &str) -> String {
        self.dialect.quote(ident)
    }

    fn quote_table(&self, name: &str) -> String {
        self.dialect.quote_table(name)
    }

    fn is_offline(&self) -> bool {
        self.asked_offline.set(true);
        !matches!(self.sink, Sink::Execute(_))
    }

    fn locate(&mut self, at: &'static std::panic::Location<'static>) {
        self.at = Some(at);
    }

    fn acknowledge(&mut self, rule: &str, reason: &str) {
        self.acknowledged.push((rule.to_owned(), reason.to_owned()));
    }
}
