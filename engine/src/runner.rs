//! Applies and reverts revisions safely, and prints the same steps as a script.
//!
//! - One migration step per revision: the database's step prologue, a
//!   transaction where DDL is transactional (with the version table's update and a
//!   row of the applied-revisions log inside it, and the step's check before the
//!   commit), the epilogue. The SQL of the ops comes from one
//!   [`StepExecutor`](crate::executor::StepExecutor), whether it runs or prints.
//! - Concurrent runners serialise: the database's run lock for the whole run
//!   where it has one (PostgreSQL, MySQL), and every step checks the version table
//!   inside its transaction, so a revision another runner applied meanwhile is
//!   skipped, never applied twice: read first (SQLite, MySQL), or, on PostgreSQL,
//!   checked with the step's bookkeeping in the round trip of its `COMMIT` (a
//!   failed check rolls the step back, and the table is read again).

use std::time::{Duration, Instant};

use retort::migration::Direction;
use retort::operations::Operations;
use retort::{Connection, Migrations};

use crate::backend::{self, Condition, Session};
use crate::config::{RunOptions, TransactionMode};
use crate::dialect::Dialect;
use crate::error::{Error, Kept, Result};
use crate::executor::{SchemaState, Sink, StepExecutor};
use crate::graph::{describe, Node, RevisionError, RevisionMap, Target};
use crate::versions::{Unfinished, VersionTable};

/// One revision applied or reverted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// The revision.
    pub id: String,
    /// Its message.
    pub message: String,
    /// Which way it ran.
    pub direction: Direction,
    /// Version table rows before (`base` when empty).
    pub from: String,
    /// Version table rows after.
    pub to: String,
    /// How long the step took.
    pub duration: Duration,
}

fn plan<'m>(
    map: &'m RevisionMap,
    current: &[String],
    target: &Target,
    direction: Direction,
) -> Result<Vec<&'m Node>> {
    Ok(match direction {
        Direction::Upgrade => map.upgrade_path(current, target)?,
        Direction::Downgrade => map.downgrade_path(current, target)?,
    })
}

/// Runs the revisions that take the database to `target` (`head`, `-1`, an id
/// prefix…), under the run lock: the target is resolved from where the database
/// is once the lock is held, so a run that waited for another resolves `-1` from
/// where that one left the database.
pub fn run(
    conn: &mut Connection,
    migrations: &Migrations,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    target: &str,
    direction: Direction,
    options: RunOptions,
) -> Result<Vec<StepReport>> {
    let session = backend::of(conn);
    session
        .supports(options.transactions)
        .map_err(|reason| Error::TransactionMode {
            mode: options.transactions,
            database: session.dialect().name(),
            reason,
        })?;
    let lock = session.lock(conn, &lock_key(versions), options.lock_timeout)?;
    // A database inside a squashed range goes on with the revisions it replaces.
    let result = versions
        .read(conn)
        .and_then(|current| Ok(map.for_current(&current)?))
        .and_then(|map| {
            let run = Run {
                session,
                migrations,
                map: &map,
                versions,
                direction,
                options,
                resume: None,
                timeouts_set: Default::default(),
            };
            run.all(conn, target).map_err(|e| run.explain(conn, e))
        });
    if let Some(lock) = lock {
        if let Err(e) = session.unlock(conn, lock) {
            // The lock goes with the session anyway.
            log::warn!("releasing the migration lock failed: {e}");
        }
    }
    result
}

fn lock_key(versions: VersionTable<'_>) -> String {
    format!("retort:{}", versions.name)
}

/// What a run needs at every step.
struct Run<'a> {
    session: &'static dyn Session,
    migrations: &'a Migrations,
    map: &'a RevisionMap,
    versions: VersionTable<'a>,
    direction: Direction,
    options: RunOptions,
    /// The step being resumed (`repair --resume`): its statements that ran.
    resume: Option<&'a Unfinished>,
    /// Timeouts set for the session by an earlier step, to put back.
    timeouts_set: std::cell::Cell<bool>,
}

impl Run<'_> {
    fn all(&self, conn: &mut Connection, target: &str) -> Result<Vec<StepReport>> {
        let current = self.versions.read(conn)?;
        self.map.check_current(&current)?;
        if let Some(unfinished) = self.versions.unfinished(conn)? {
            return Err(unfinished_error(
                self.migrations,
                self.map,
                self.session,
                &current,
                unfinished,
            ));
        }
        let target = match self.direction {
            Direction::Upgrade => self.map.resolve_upgrade(&current, target)?,
            Direction::Downgrade => self.map.resolve_downgrade(&current, target)?,
        };
        let path: Vec<Node> = plan(self.map, &current, &target, self.direction)?
            .into_iter()
            .cloned()
            .collect();
        if path.is_empty() {
            return Ok(Vec::new());
        }
        // Retort's tables, if missing, in one round trip.
        let mut create = self.versions.create_sql(self.session.dialect())?;
        if self.tracked() {
            create.extend(self.versions.create_step_sql(self.session.dialect())?);
        }
        conn.execute(&create.join(";\n"))?;
        let mut reports = Vec::with_capacity(path.len());
        match self.options.transactions {
            TransactionMode::PerRevision => {
                // Where the version table is checked at each commit, the rows this
                // run last read or wrote stand for it.
                let mut known = self.checks_at_commit().then(|| current.clone());
                for node in &path {
                    let mut stepped = self.retrying(node, || {
                        step_wrapped(self.session, conn, |conn| {
                            self.step(conn, node, known.as_deref())
                        })
                    });
                    if stepped.as_ref().is_err_and(needs_no_transaction) {
                        // Rolled back whole: run it again without a transaction.
                        stepped = self.step_without_transaction(conn, node);
                    }
                    match (stepped, &mut known) {
                        (Ok(done), known) => {
                            if let (Some((_, after)), Some(known)) = (&done, known) {
                                known.clone_from(after);
                            }
                            reports.extend(done.map(|(report, _)| report));
                        }
                        (Err(error), Some(known)) => {
                            *known = self.moved_meanwhile(conn, node, known, error)?;
                        }
                        (Err(error), None) => {
                            return Err(self.name_foreign_key_violation(node, error))
                        }
                    }
                }
            }
            TransactionMode::PerStatement => {
                for node in &path {
                    reports.extend(self.step(conn, node, None)?.map(|(report, _)| report));
                }
            }
            TransactionMode::All => {
                let all = self.retrying(&path[0], || {
                    step_wrapped(self.session, conn, |conn| {
                        path.iter()
                            .map(|node| self.step(conn, node, None))
                            .collect::<Result<Vec<_>>>()
                    })
                })?;
                reports.extend(all.into_iter().flatten().map(|(report, _)| report));
            }
        }
        Ok(reports)
    }

    /// Runs a step that rolls back whole when it fails (`attempt`) until it does
    /// not fail for a lock timeout, at most `ddl_lock_retries` more times, waiting
    /// longer each time; says so in the log. Out of retries, the error says what
    /// held the step up. Steps without a transaction retry the statement instead
    /// (see the executor).
    fn retrying<T>(&self, first: &Node, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        let mut retries = 0;
        loop {
            let error = match attempt() {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let timed_out = self.session.autocommit_reason().is_none()
                && error
                    .retort()
                    .and_then(|e| self.session.classify(e))
                    .is_some_and(|c| c == Condition::LockTimeout);
            if !timed_out {
                return Err(error);
            }
            if retries >= self.options.ddl_lock_retries {
                // `explain` says what held it up.
                return Err(error);
            }
            retries += 1;
            let delay = RunOptions::retry_delay(retries);
            log::warn!(
                target: "retort::runner",
                "{} of {} timed out waiting for a lock; retry {retries} of {} in {:.1} s",
                self.direction,
                first.id,
                self.options.ddl_lock_retries,
                delay.as_secs_f64()
            );
            std::thread::sleep(delay);
        }
    }

    /// The statements that set the step's timeouts (its revision's, else the
    /// run's), when there are any to set or to put back.
    fn set_timeouts(
        &self,
        conn: &mut Connection,
        revision: &retort::revision::Revision,
        tracked: bool,
    ) -> Result<()> {
        let lock = revision.ddl_lock_timeout.or(self.options.ddl_lock_timeout);
        let statement = revision
            .statement_timeout
            .or(self.options.statement_timeout);
        let any = lock.is_some() || statement.is_some();
        if !any && !self.timeouts_set.get() {
            return Ok(());
        }
        let transaction = !tracked;
        let sql = self.session.timeouts_sql(lock, statement, transaction);
        if !sql.is_empty() {
            conn.execute(&sql.join(";\n"))?;
        }
        // `SET LOCAL` ends with its revision's transaction; anything else stays
        // until set again.
        let ends_with_step =
            transaction && self.options.transactions == TransactionMode::PerRevision;
        self.timeouts_set.set(any && !ends_with_step);
        Ok(())
    }

    /// Whether steps check the version table with their bookkeeping, at the
    /// commit, instead of reading it first (PostgreSQL, one transaction per
    /// revision).
    fn checks_at_commit(&self) -> bool {
        self.options.transactions == TransactionMode::PerRevision
            && self.resume.is_none()
            && !self.tracked()
            && self
                .session
                .version_guard_sql(self.versions.name, &[])
                .is_some()
    }

    /// After a step that checks at its commit failed (and was rolled back): if the
    /// version table is where the run left it (`expected`), the step's own error
    /// stands. Otherwise another writer moved it: the revision is skipped if that
    /// writer did it (the rows read are returned), and the run stops if it went
    /// elsewhere.
    fn moved_meanwhile(
        &self,
        conn: &mut Connection,
        node: &Node,
        expected: &[String],
        error: Error,
    ) -> Result<Vec<String>> {
        let rows = self.versions.read_rows(conn)?;
        let sorted = |rows: &[String]| {
            let mut rows = rows.to_vec();
            rows.sort();
            rows
        };
        if sorted(&rows) == sorted(expected) {
            return Err(self.name_foreign_key_violation(node, error));
        }
        log::debug!(target: "retort::runner", "step of {} rolled back: {error}", node.id);
        self.map.check_current(&rows)?;
        if self.done_by_another(&rows, node) {
            return Ok(rows);
        }
        Err(Error::VersionTableMoved {
            id: node.id.clone(),
            file: node.file.clone(),
            direction: self.direction,
            expected: describe(expected),
            found: describe(&rows),
        })
    }

    /// Whether the version `rows` say `node` needs no running in this run's
    /// direction (another run did it); says so in the log.
    fn done_by_another(&self, rows: &[String], node: &Node) -> bool {
        let applied = self
            .map
            .ancestors(rows.iter().map(String::as_str))
            .contains(node.id.as_str());
        if applied == self.direction.is_up() {
            log::info!(
                target: "retort::runner",
                "Skipping {} of {}: another run did it",
                self.direction,
                node.id
            );
        }
        applied == self.direction.is_up()
    }

    /// A foreign key violation found when the revision is done (SQLite checks at
    /// the end) is named like any other failure of the revision.
    fn name_foreign_key_violation(&self, node: &Node, error: Error) -> Error {
        match error {
            Error::ForeignKeyViolation { .. } => Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction: self.direction,
                kept: Kept::Nothing,
                source: Box::new(error),
            },
            other => other,
        }
    }

    /// What a failure means for the user: a wait for the write lock that ran out
    /// is the lock timeout; a revision past PostgreSQL's lock limit says which
    /// setting to raise.
    fn explain(&self, conn: &mut Connection, error: Error) -> Error {
        let condition = error.retort().and_then(|e| self.session.classify(e));
        match (condition, error) {
            (Some(Condition::Busy), _) => Error::LockTimeout {
                url: conn.url().to_owned(),
                seconds: self.options.lock_timeout.as_secs(),
            },
            (
                Some(Condition::OutOfLocks),
                Error::Step {
                    id,
                    file,
                    direction,
                    kept: Kept::Nothing,
                    ..
                },
            ) => Error::TooManyLocks {
                id,
                file,
                direction,
                setting: self
                    .session
                    .lock_limit(conn)
                    .unwrap_or_else(|| "?".to_owned()),
            },
            // A step whose statement never got its lock, after the retries: rolled
            // back whole, or (without a transaction) at its first statement.
            (
                Some(Condition::LockTimeout),
                Error::Step {
                    id,
                    file,
                    direction,
                    kept: Kept::Nothing,
                    source,
                },
            ) => Error::DdlLockTimeout {
                id,
                file,
                direction,
                attempts: self.options.ddl_lock_retries + 1,
                source,
            },
            (_, error) => error,
        }
    }

    /// One revision, inside its step, and the version rows it leaves. The version
    /// table is checked inside the step, so a revision another runner applied (or
    /// reverted) meanwhile is skipped — also where the run lock is a no-op (some
    /// PostgreSQL-wire engines) or a writer bypasses it: with `known` (the rows as
    /// the run left them), at the commit (see [`Session::version_guard_sql`]);
    /// without, read here first.
    fn step(
        &self,
        conn: &mut Connection,
        node: &Node,
        known: Option<&[String]>,
    ) -> Result<Option<(StepReport, Vec<String>)>> {
        self.step_as(conn, node, known, self.tracked())
    }

    /// A revision that met an op that cannot run in a transaction (an index
    /// built concurrently) after its transaction was rolled back: run again
    /// without one, each statement committing and counted on its own.
    fn step_without_transaction(
        &self,
        conn: &mut Connection,
        node: &Node,
    ) -> Result<Option<(StepReport, Vec<String>)>> {
        log::info!(
            target: "retort::runner",
            "{} of {} runs without a transaction (it builds or drops an index concurrently)",
            self.direction,
            node.id
        );
        let create = self
            .versions
            .create_step_sql(self.session.dialect())?
            .join(";\n");
        conn.execute(&create)?;
        self.step_as(conn, node, None, true)
    }

    /// [`Run::step`], with or without a transaction around it (`tracked`: each
    /// statement commits and is counted).
    fn step_as(
        &self,
        conn: &mut Connection,
        node: &Node,
        known: Option<&[String]>,
        tracked: bool,
    ) -> Result<Option<(StepReport, Vec<String>)>> {
        let direction = self.direction;
        let heads = match known {
            Some(rows) => rows.to_vec(),
            None => {
                let heads = self.versions.read_rows(conn)?;
                self.map.check_current(&heads)?;
                heads
            }
        };
        // A plain linear step needs no walk over the history (the rows say it
        // needs running); anything else is worked out from every ancestor.
        let after = match self.map.linear_step(&heads, node, direction) {
            Some(after) => after,
            None if self.done_by_another(&heads, node) => return Ok(None),
            None => self.map.heads_after(&heads, node, direction),
        };
        log::info!(
            target: "retort::runner",
            "Running {direction} {} -> {}, {}",
            describe(&heads),
            describe(&after),
            node.message
        );
        let migration = node
            .migration(self.migrations)
            .expect("the revision map is built from these migrations");
        let dialect = self.session.dialect();
        let started = Instant::now();
        // Without a transaction, each statement's commit is counted, so a failure
        // leaves a record of how far the step got (see `repair`).
        let skip = self
            .resume
            .filter(|u| u.revision == node.id)
            .map_or(0, |u| usize::try_from(u.statements).unwrap_or(0));
        if tracked && self.resume.is_none() {
            conn.execute(
                &self
                    .versions
                    .start_step_sql(dialect, &node.id, direction.as_str()),
            )?;
        }
        self.set_timeouts(conn, &migration.revision, tracked)?;
        let mut state = SchemaState::live();
        let mut executor =
            StepExecutor::new(dialect, Sink::Execute(conn), &mut state).online(self.options.online);
        if tracked {
            executor = executor
                .counting(self.versions.count_statement_sql(dialect), skip)
                .retrying(self.session, self.options.ddl_lock_retries);
        }
        let ran = (migration.step(direction))(&mut Operations::new(&mut executor));
        let untouched = executor.touched_nothing();
        if let Err(source) = ran {
            // Stopped before its first statement (a refusal such as an enum value
            // still in use): the database is as it was, so no record is kept.
            if tracked && self.resume.is_none() && untouched {
                conn.execute(&self.versions.end_step_sql(dialect))?;
                return Err(Error::Step {
                    id: node.id.clone(),
                    file: node.file.clone(),
                    direction,
                    kept: Kept::Nothing,
                    source,
                });
            }
            if tracked {
                let record = self.versions.fail_step_sql(dialect, &source.to_string());
                if let Err(e) = conn.execute(&record) {
                    log::error!("recording the failure of {} failed: {e}", node.id);
                }
            }
            return Err(Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction,
                kept: self.kept_after_failure(&heads, tracked),
                source,
            });
        }
        let duration = started.elapsed();
        // The step's end, the version table and the log in one round trip (with
        // the check of the version table and the COMMIT, where checked there).
        let mut done = Vec::new();
        if known.is_some() {
            done.extend(self.session.version_guard_sql(self.versions.name, &heads));
        }
        if tracked {
            done.push(self.versions.end_step_sql(dialect));
        }
        done.extend(self.versions.update_sql(dialect, &heads, &after));
        done.push(self.versions.log_sql(
            dialect,
            &node.id,
            direction.as_str(),
            migration.checksum,
            duration.as_millis(),
        ));
        if known.is_some() {
            conn.before_commit(done.join(";\n"))?;
        } else {
            conn.execute(&done.join(";\n"))?;
        }
        let report = StepReport {
            id: node.id.clone(),
            message: node.message.clone(),
            direction,
            from: describe(&heads),
            to: describe(&after),
            duration,
        };
        Ok(Some((report, after)))
    }

    /// Whether steps run without a transaction, their statements counted as they
    /// commit.
    fn tracked(&self) -> bool {
        self.session.autocommit_reason().is_some()
            || self.options.transactions == TransactionMode::PerStatement
    }

    fn kept_after_failure(&self, heads: &[String], tracked: bool) -> Kept {
        let why = match (self.session.autocommit_reason(), self.options.transactions) {
            (Some(why), _) => why,
            (None, TransactionMode::PerStatement) => {
                "--transaction per-statement ran each statement on its own"
            }
            (None, _) if tracked => {
                "it builds or drops an index concurrently, which runs without a transaction, so each statement committed on its own"
            }
            (None, _) => return Kept::Nothing,
        };
        Kept::Partial {
            why,
            version: describe(heads),
        }
    }
}

/// Whether a step failed on an op that cannot run inside a transaction.
fn needs_no_transaction(error: &Error) -> bool {
    matches!(
        error.retort(),
        Some(retort::Error::NeedsNoTransaction { .. })
    )
}

/// Runs `f` as one migration step of the session's database: its prologue, a
/// transaction where DDL is transactional (with the session's check before the
/// commit), its epilogue whatever happened.
pub(crate) fn step_wrapped<T>(
    session: &dyn Session,
    conn: &mut Connection,
    f: impl FnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    for sql in session.step_prologue() {
        conn.execute(sql)?;
    }
    let result = if session.autocommit_reason().is_none() {
        conn.transaction_with(session.begin(), |conn| {
            let value = f(conn)?;
            session.check_before_commit(conn)?;
            Ok(value)
        })
    } else {
        f(conn)
    };
    let epilogue = session
        .step_epilogue()
        .iter()
        .try_for_each(|sql| conn.execute(sql));
    let value = result?;
    epilogue?;
    Ok(value)
}

/// Sets the version table to `targets` without running any revision (`stamp`):
/// where the database is, the rows the targets make, and the change happen under
/// the run lock, and are logged. `purge` forgets every row first (also for a
/// database at an unknown revision). Returns the rows before and after.
pub fn stamp(
    conn: &mut Connection,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    targets: &[String],
    purge: bool,
    options: RunOptions,
) -> Result<(Vec<String>, Vec<String>)> {
    let resolved = map.resolve_stamp(targets)?;
    set_rows(conn, versions, options, |before| {
        if purge {
            return Ok(map.stamp_rows(&[], &resolved, purge));
        }
        let view = map.for_current(before)?;
        view.check_current(before)?;
        Ok(view.stamp_rows(before, &resolved, purge))
    })
}

/// Records `revision` as where a database with no Retort history is (`import`'s
/// baseline, not compiled into this program yet), under the run lock; refuses a
/// database that has rows already.
pub fn stamp_baseline(
    conn: &mut Connection,
    versions: VersionTable<'_>,
    revision: &str,
    options: RunOptions,
) -> Result<()> {
    set_rows(conn, versions, options, |before| {
        if !before.is_empty() {
            return Err(Error::Import {
                reason: format!(
                    "the database is at revision {} already; stamp it with `stamp` instead",
                    before.join(", ")
                ),
            });
        }
        Ok(vec![revision.to_owned()])
    })
    .map(drop)
}

/// Under the run lock and in one transaction: the version table's rows before,
/// `rows(before)` written in their place, each new row logged as a stamp.
/// Returns the rows before and after.
fn set_rows(
    conn: &mut Connection,
    versions: VersionTable<'_>,
    options: RunOptions,
    rows: impl FnOnce(&[String]) -> Result<Vec<String>>,
) -> Result<(Vec<String>, Vec<String>)> {
    let session = backend::of(conn);
    let lock = session.lock(conn, &lock_key(versions), options.lock_timeout)?;
    let result = (|| {
        let dialect = session.dialect();
        for sql in versions.create_sql(dialect)? {
            conn.execute(&sql)?;
        }
        conn.transaction_with(session.begin(), |conn| {
            let before = versions.read_rows(conn)?;
            let rows = rows(&before)?;
            for sql in versions.update_sql(dialect, &before, &rows) {
                conn.execute(&sql)?;
            }
            for row in rows.iter().filter(|r| !before.contains(r)) {
                conn.execute(&versions.log_sql(dialect, row, "stamp", "", 0))?;
            }
            Ok((before, rows))
        })
    })();
    if let Some(lock) = lock {
        if let Err(e) = session.unlock(conn, lock) {
            log::warn!("releasing the migration lock failed: {e}");
        }
    }
    result
}

/// A step's ops, each with how many statements it is online, and those
/// statements.
pub(crate) type PlannedStep = (Vec<(retort::ops::Op, usize)>, Vec<String>);

/// The ops of `node`'s step in `direction`, each with how many statements it is
/// online, and those statements, planned on the schema the revisions `applied`
/// (and what they need) build. What a revision does after reading the live
/// database (`op.connection()`) cannot be planned and is left out.
pub(crate) fn plan_step(
    migrations: &Migrations,
    map: &RevisionMap,
    dialect: &'static dyn Dialect,
    applied: &[String],
    node: &Node,
    direction: Direction,
) -> Result<PlannedStep> {
    let mut state = replayed_below(migrations, map, dialect, applied)?;
    let migration = node
        .migration(migrations)
        .expect("the revision map is built from these migrations");
    let mut statements = Vec::new();
    let mut executor =
        StepExecutor::new(dialect, Sink::Plan(&mut statements), &mut state).recording();
    let result = (migration.step(direction))(&mut Operations::new(&mut executor));
    let ops = executor.into_planned_ops();
    if let Err(e) = result {
        if !matches!(e.downcast_ref(), Some(retort::Error::NoConnection)) {
            return Err(Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction,
                kept: Kept::Nothing,
                source: e,
            });
        }
    }
    Ok((ops, statements))
}

/// The error a run meets on a database where a step stopped half-way.
fn unfinished_error(
    migrations: &Migrations,
    map: &RevisionMap,
    session: &'static dyn Session,
    current: &[String],
    unfinished: Unfinished,
) -> Error {
    let direction = if unfinished.direction == "downgrade" {
        Direction::Downgrade
    } else {
        Direction::Upgrade
    };
    let node = map.get(&unfinished.revision);
    let done = usize::try_from(unfinished.statements).unwrap_or(0);
    let ran = node
        .and_then(|node| {
            plan_step(migrations, map, session.dialect(), current, node, direction).ok()
        })
        .map(|(_, statements)| statements.into_iter().take(done).collect())
        .unwrap_or_default();
    Error::Unfinished(Box::new(crate::error::Stopped {
        id: unfinished.revision.clone(),
        file: node.map_or_else(|| "?".to_owned(), |n| n.file.clone()),
        direction,
        statements: done,
        failure: unfinished
            .failure
            .unwrap_or_else(|| "the run stopped (killed?) without saying why".to_owned()),
        version: describe(current),
        ran,
    }))
}

/// The ways out of a step that stopped half-way ([`crate::command::repair`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    /// Run the rest of the step, from the statement that failed, once its cause
    /// is fixed.
    Resume,
    /// Undo the statements that ran (the reverse ops of the ops they were).
    Revert,
    /// Mark the step done (after finishing it by hand).
    Done,
}

/// Gets a database out of a step that stopped half-way, under the run lock.
/// Returns what was done, in words.
pub fn repair(
    conn: &mut Connection,
    migrations: &Migrations,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    action: Repair,
    options: RunOptions,
) -> Result<String> {
    let session = backend::of(conn);
    let lock = session.lock(conn, &lock_key(versions), options.lock_timeout)?;
    let result = repair_locked(conn, session, migrations, map, versions, action, options);
    if let Some(lock) = lock {
        if let Err(e) = session.unlock(conn, lock) {
            log::warn!("releasing the migration lock failed: {e}");
        }
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn repair_locked(
    conn: &mut Connection,
    session: &'static dyn Session,
    migrations: &Migrations,
    map: &RevisionMap,
    versions: VersionTable<'_>,
    action: Repair,
    options: RunOptions,
) -> Result<String> {
    let Some(unfinished) = versions.unfinished(conn)? else {
        return Err(Error::NothingToRepair);
    };
    let mut rows = versions.read(conn)?;
    rows.push(unfinished.revision.clone());
    let map = &*map.for_current(&rows)?;
    let node = map
        .get(&unfinished.revision)
        .ok_or_else(|| RevisionError::UnknownCurrent(unfinished.revision.clone()))?
        .clone();
    let direction = if unfinished.direction == "downgrade" {
        Direction::Downgrade
    } else {
        Direction::Upgrade
    };
    let dialect = session.dialect();
    let heads = versions.read(conn)?;
    let done = usize::try_from(unfinished.statements).unwrap_or(0);
    match action {
        Repair::Resume => {
            let run = Run {
                session,
                migrations,
                map,
                versions,
                direction,
                options,
                resume: Some(&unfinished),
                timeouts_set: Default::default(),
            };
            // A step that stopped half-way ran without a transaction: so does
            // the rest of it.
            run.step_as(conn, &node, None, true)?;
            Ok(format!(
                "resumed the {direction} of {} after its {done} applied statement(s); the database is at {}",
                node.id,
                describe(&versions.read(conn)?)
            ))
        }
        Repair::Revert => {
            let (ops, _) = plan_step(migrations, map, dialect, &heads, &node, direction)?;
            let mut ran = Vec::new();
            let mut counted = 0;
            for (op, statements) in ops {
                if counted + statements <= done {
                    counted += statements;
                    ran.push(op);
                } else if counted < done {
                    return Err(Error::PartialOp {
                        id: node.id.clone(),
                        op: op.summary(),
                        ran: done - counted,
                        of: statements,
                    });
                } else {
                    break;
                }
            }
            let undo = retort::ops::reverse_all(&ran)?;
            let mut state = SchemaState::live();
            let mut executor = StepExecutor::new(dialect, Sink::Execute(conn), &mut state);
            let mut op = Operations::new(&mut executor);
            for reverse in &undo {
                op.run(reverse.clone())?;
            }
            conn.execute(&versions.end_step_sql(dialect))?;
            conn.execute(&versions.log_sql(dialect, &node.id, "repair", "", 0))?;
            Ok(format!(
                "reverted the {} statement(s) the {direction} of {} had applied ({} op(s)); the database is at {}",
                done,
                node.id,
                undo.len(),
                describe(&heads)
            ))
        }
        Repair::Done => {
            let after = map.heads_after(&heads, &node, direction);
            for sql in versions.update_sql(dialect, &heads, &after) {
                conn.execute(&sql)?;
            }
            let checksum = node.migration(migrations).map_or("", |m| m.checksum);
            conn.execute(&versions.log_sql(dialect, &node.id, direction.as_str(), checksum, 0))?;
            conn.execute(&versions.end_step_sql(dialect))?;
            Ok(format!(
                "marked the {direction} of {} done; the database is at {}",
                node.id,
                describe(&after)
            ))
        }
    }
}

/// What replay does with a revision that reads the live database
/// (`op.connection()`), which no replay can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LiveRead {
    /// Note it, and go on without the rest of its upgrade.
    Note,
    /// Fail, naming the revision.
    Fail,
}

/// Runs the upgrades of `nodes`, in order, in memory on `state` (no database):
/// the one replay behind `--sql`, offline autogenerate, `drift` and the testing
/// helpers. Returns what could not be followed: revisions that run raw SQL, and
/// (with [`LiveRead::Note`]) those that read the live database.
pub(crate) fn replay<'n>(
    migrations: &Migrations,
    nodes: impl IntoIterator<Item = &'n Node>,
    dialect: &'static dyn Dialect,
    state: &mut SchemaState,
    live_read: LiveRead,
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for node in nodes {
        let migration = node
            .migration(migrations)
            .expect("the revision map is built from these migrations");
        let mut executor = StepExecutor::new(dialect, Sink::Discard, state);
        let result = (migration.upgrade)(&mut Operations::new(&mut executor));
        if executor.ran_raw_sql() {
            notes.push(format!(
                "revision {} ({}) runs raw SQL; its effect on the schema is not replayed",
                node.id, node.file
            ));
        }
        match result {
            Ok(()) => {}
            Err(e)
                if live_read == LiveRead::Note
                    && matches!(e.downcast_ref(), Some(retort::Error::NoConnection)) =>
            {
                notes.push(format!(
                    "revision {} ({}) reads the live database; the rest of its upgrade is not replayed",
                    node.id, node.file
                ));
            }
            Err(source) => {
                return Err(Error::Step {
                    id: node.id.clone(),
                    file: node.file.clone(),
                    direction: Direction::Upgrade,
                    kept: Kept::Nothing,
                    source,
                })
            }
        }
    }
    Ok(notes)
}

/// The ops of each revision between `current` and the heads, replayed in memory
/// on the schema the revisions below `current` build (what `check --strict`
/// examines).
pub(crate) fn pending_ops(
    migrations: &Migrations,
    map: &RevisionMap,
    dialect: &'static dyn Dialect,
    current: &[String],
) -> Result<Vec<(Node, Vec<crate::safety::RecordedOp>)>> {
    let mut state = replayed_below(migrations, map, dialect, current)?;
    let heads = Target::Revisions(map.heads().into_iter().map(str::to_owned).collect());
    let mut out = Vec::new();
    for node in map.upgrade_path(current, &heads)? {
        let recorded = recorded_upgrade(migrations, node, dialect, &mut state)?;
        out.push((node.clone(), recorded));
    }
    Ok(out)
}

/// The schema the revisions below `applied` build, replayed in memory.
pub(crate) fn replayed_below(
    migrations: &Migrations,
    map: &RevisionMap,
    dialect: &'static dyn Dialect,
    applied: &[String],
) -> Result<SchemaState> {
    let below = map.ancestors(applied.iter().map(String::as_str));
    let mut state = SchemaState::replayed(Default::default());
    replay(
        migrations,
        map.in_order().filter(|n| below.contains(n.id.as_str())),
        dialect,
        &mut state,
        LiveRead::Note,
    )?;
    Ok(state)
}

/// `node`'s upgrade replayed on `state`, its ops recorded with where they were
/// written; what ran before a read of the live database (which cannot run
/// offline) is what can be examined.
pub(crate) fn recorded_upgrade(
    migrations: &Migrations,
    node: &Node,
    dialect: &'static dyn Dialect,
    state: &mut SchemaState,
) -> Result<Vec<crate::safety::RecordedOp>> {
    recorded_step(migrations, node, Direction::Upgrade, dialect, state).map(|r| r.ops)
}

/// One step of a revision replayed in memory, its ops recorded.
pub(crate) struct RecordedStep {
    /// The ops it carried out, each with where it was written.
    pub(crate) ops: Vec<crate::safety::RecordedOp>,
    /// Where it asked for the live connection (`op.connection()`), which stopped
    /// it: what follows is not known.
    pub(crate) live_read: Option<Option<&'static std::panic::Location<'static>>>,
    /// It asked `op.is_offline()`: online it may do something else.
    pub(crate) asked_offline: bool,
    /// It failed (an irreversible downgrade, say), with this error.
    pub(crate) failed: Option<String>,
}

/// `node`'s step in `direction` replayed on `state`, its ops recorded with
/// where they were written, and what could not be followed.
pub(crate) fn recorded_step(
    migrations: &Migrations,
    node: &Node,
    direction: Direction,
    dialect: &'static dyn Dialect,
    state: &mut SchemaState,
) -> Result<RecordedStep> {
    let migration = node
        .migration(migrations)
        .expect("the revision map is built from these migrations");
    let mut executor = StepExecutor::new(dialect, Sink::Discard, state).recording();
    let result = (migration.step(direction))(&mut Operations::new(&mut executor));
    let mut step = RecordedStep {
        ops: Vec::new(),
        live_read: None,
        asked_offline: executor.asked_offline(),
        failed: None,
    };
    match result {
        Ok(()) => {}
        Err(e) if matches!(e.downcast_ref(), Some(retort::Error::NoConnection)) => {
            step.live_read = Some(executor.last_location());
        }
        Err(e) if direction == Direction::Downgrade => step.failed = Some(e.to_string()),
        Err(source) => {
            return Err(Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction,
                kept: Kept::Nothing,
                source,
            })
        }
    }
    step.ops = executor.into_recorded();
    Ok(step)
}

/// The SQL script that takes a database from `current` to `target`, without
/// connecting: each revision's statements, the version table's updates and log
/// rows, wrapped as the database's steps are. The schema the steps need to know
/// (for SQLite rebuilds, MySQL's `CHANGE COLUMN`) comes from replaying the
/// revisions below `current` in memory.
#[allow(clippy::too_many_arguments)]
pub fn script(
    migrations: &Migrations,
    map: &RevisionMap,
    session: &'static dyn Session,
    versions: VersionTable<'_>,
    current: &[String],
    target: &Target,
    direction: Direction,
    run: RunOptions,
) -> Result<String> {
    let mode = run.transactions;
    session
        .supports(mode)
        .map_err(|reason| Error::TransactionMode {
            mode,
            database: session.dialect().name(),
            reason,
        })?;
    let dialect = session.dialect();
    let path = plan(map, current, target, direction)?;
    let below = map.ancestors(current.iter().map(String::as_str));
    let mut state = SchemaState::replayed(Default::default());
    replay(
        migrations,
        map.in_order().filter(|n| below.contains(n.id.as_str())),
        dialect,
        &mut state,
        LiveRead::Fail,
    )?;
    let mut out = String::new();
    let mut emit = |sql: &str| {
        let sql = sql.trim_end();
        if sql.trim_start().starts_with("--") {
            out.push_str(sql);
            out.push('\n');
        } else {
            out.push_str(sql.strip_suffix(';').unwrap_or(sql));
            out.push_str(";\n");
        }
    };
    for sql in session.script_header() {
        emit(&sql);
    }
    for sql in versions.create_sql(dialect)? {
        emit(&sql);
    }
    // As online: a transaction per revision, one around them all, or none.
    let transactional = session.autocommit_reason().is_none();
    let per_revision = transactional && mode == TransactionMode::PerRevision;
    let whole = transactional && mode == TransactionMode::All && !path.is_empty();
    if whole {
        for sql in session.step_prologue() {
            emit(sql);
        }
        emit("BEGIN");
    }
    let mut heads = current.to_vec();
    for node in path {
        let after = map.heads_after(&heads, node, direction);
        let migration = node
            .migration(migrations)
            .expect("the revision map is built from these migrations");
        let mut statements = Vec::new();
        let mut executor =
            StepExecutor::new(dialect, Sink::Print(&mut statements), &mut state).online(run.online);
        (migration.step(direction))(&mut Operations::new(&mut executor)).map_err(|source| {
            Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction,
                kept: Kept::Nothing,
                source,
            }
        })?;
        // An index built concurrently: the revision runs without a transaction.
        let untransacted = executor.needs_no_transaction();
        if untransacted && whole {
            return Err(Error::Step {
                id: node.id.clone(),
                file: node.file.clone(),
                direction,
                kept: Kept::Nothing,
                source: "it builds or drops an index concurrently, which cannot run inside --transaction all"
                    .into(),
            });
        }
        statements.extend(versions.update_sql(dialect, &heads, &after));
        statements.push(versions.log_sql(
            dialect,
            &node.id,
            direction.as_str(),
            migration.checksum,
            0,
        ));
        emit(&format!(
            "\n-- Running {direction} {} -> {}, {}",
            describe(&heads),
            describe(&after),
            node.message.replace('\n', " ")
        ));
        if untransacted {
            emit("-- without a transaction: it builds or drops an index concurrently");
        }
        let wrapped = per_revision && !untransacted;
        if wrapped {
            for sql in session.step_prologue() {
                emit(sql);
            }
            emit("BEGIN");
        }
        for sql in &statements {
            emit(sql);
        }
        if wrapped {
            emit("COMMIT");
            for sql in session.step_epilogue() {
                emit(sql);
            }
        }
        heads = after;
    }
    if whole {
        emit("COMMIT");
        for sql in session.step_epilogue() {
            emit(sql);
        }
    }
    Ok(out)
}
