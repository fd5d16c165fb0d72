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
use retort::ops::{AlterColumn, Op};
use retort::schema::{Schema, Table};
use retort::{Backend, Connection};

use crate::dialect::Dialect;
use crate::introspect;

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
    recorded: Option<Vec<(Op, usize)>>,
    progress: Option<Progress>,
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
            progress: None,
        }
    }

    /// Records each statement it runs with `count_sql`, and skips the first
    /// `skip` (already applied by a run that stopped half-way).
    pub fn counting(mut self, count_sql: String, skip: usize) -> Self {
        self.progress = Some(Progress {
            count_sql,
            skip,
            seen: 0,
        });
        self
    }

    /// Keeps a copy of every op it carries out (see [`StepExecutor::into_ops`]).
    pub fn recording(mut self) -> Self {
        self.recorded = Some(Vec::new());
        self
    }

    /// The ops carried out, when [`StepExecutor::recording`].
    pub fn into_ops(self) -> Vec<Op> {
        self.into_planned_ops()
            .into_iter()
            .map(|(op, _)| op)
            .collect()
    }

    /// The ops carried out, each with the number of statements it was (online,
    /// or planned with [`Sink::Plan`]), when [`StepExecutor::recording`].
    pub fn into_planned_ops(self) -> Vec<(Op, usize)> {
        self.recorded.unwrap_or_default()
    }

    /// Whether the step ran raw SQL (`execute`), whose effect on the schema
    /// cannot be followed.
    pub fn ran_raw_sql(&self) -> bool {
        self.raw_sql
    }
}

impl Executor for StepExecutor<'_> {
    fn run(&mut self, op: Op) -> retort::Result<()> {
        self.raw_sql |= matches!(op, Op::Execute(_));
        let current = match (self.dialect.needs_table(&op), op.table()) {
            (true, Some(name)) => self.table(name)?,
            _ => None,
        };
        let produced;
        match &mut self.sink {
            // Values travel as bound parameters where they can, never as SQL text.
            Sink::Execute(conn) => {
                let statements = online_statements(self.dialect, &op, current.as_ref())?;
                produced = statements.len();
                for (sql, params) in &statements {
                    if let Some(progress) = &mut self.progress {
                        progress.seen += 1;
                        if progress.seen <= progress.skip {
                            continue;
                        }
                    }
                    match (&self.progress, params.is_empty()) {
                        // The statement and its count in one round trip: the count
                        // runs only if the statement did.
                        // A failure names the statement alone.
                        (Some(progress), true) => conn
                            .execute(&format!(
                                "{};\n{}",
                                sql.trim_end().trim_end_matches(';'),
                                progress.count_sql
                            ))
                            .map_err(|e| match e {
                                retort::Error::Sql { source, .. } => {
                                    retort::Error::sql(sql, source)
                                }
                                other => other,
                            })?,
                        (None, true) => conn.execute(sql)?,
                        (progress, false) => {
                            conn.execute_params(sql, params)?;
                            if let Some(progress) = progress {
                                conn.execute(&progress.count_sql)?;
                            }
                        }
                    }
                }
            }
            Sink::Print(out) => {
                let statements = self.dialect.op_sql(&op, current.as_ref())?;
                produced = statements.len();
                out.extend(statements);
            }
            Sink::Plan(out) => {
                let statements = online_statements(self.dialect, &op, current.as_ref())?;
                produced = statements.len();
                out.extend(statements.into_iter().map(|(sql, _)| sql));
            }
            Sink::Discard => {
                produced = self.dialect.op_sql(&op, current.as_ref())?.len();
            }
        }
        self.state.follow(&op);
        if let Some(recorded) = &mut self.recorded {
            recorded.push((op, produced));
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

    fn is_offline(&self) -> bool {
        !matches!(self.sink, Sink::Execute(_))
    }
}
