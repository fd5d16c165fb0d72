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
    recorded: Option<Vec<Op>>,
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
        }
    }

    /// Keeps a copy of every op it carries out (see [`StepExecutor::into_ops`]).
    pub fn recording(mut self) -> Self {
        self.recorded = Some(Vec::new());
        self
    }

    /// The ops carried out, when [`StepExecutor::recording`].
    pub fn into_ops(self) -> Vec<Op> {
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
        match &mut self.sink {
            // Values travel as bound parameters where they can, never as SQL text.
            Sink::Execute(conn) => match self.dialect.bound_sql(&op)? {
                Some(bound) => {
                    for (sql, params) in &bound {
                        conn.execute_params(sql, params)?;
                    }
                }
                None => {
                    for sql in &self.dialect.op_sql(&op, current.as_ref())? {
                        conn.execute(sql)?;
                    }
                }
            },
            Sink::Print(out) => out.extend(self.dialect.op_sql(&op, current.as_ref())?),
            Sink::Discard => {
                self.dialect.op_sql(&op, current.as_ref())?;
            }
        }
        self.state.follow(&op);
        if let Some(recorded) = &mut self.recorded {
            recorded.push(op);
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
