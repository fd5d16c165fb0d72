//! The bulk-insert worker: one process that creates the table and inserts the
//! rows with `op.bulk_insert` in one migration step, as a data migration does.

use std::path::PathBuf;

use diesel::QueryableByName;
use retort::ops::{BulkInsert, CreateTable, Op};
use retort::schema::{Column, SqlType, Table, Value};
use retort::{Backend, Connection, DatabaseUrl};

/// The table rows go to.
pub const TABLE: &str = "bulk_rows";

/// `retort-bench bulk-insert`.
#[derive(Debug, clap::Args)]
pub struct BulkArgs {
    /// The database.
    #[arg(long)]
    url: String,
    /// How many rows.
    #[arg(long)]
    rows: usize,
    /// Only create the table.
    #[arg(long)]
    create_only: bool,
    /// Write the SQL (one transaction) to this file instead of running it.
    #[arg(long, requires = "dialect")]
    sql: Option<PathBuf>,
    /// The dialect of `--sql`.
    #[arg(long)]
    dialect: Option<String>,
}

fn table() -> Table {
    Table::new(TABLE)
        .column(Column::new("id", SqlType::BigInt))
        .column(Column::new("name", SqlType::Varchar(100)))
        .column(Column::new("amount", SqlType::custom("NUMERIC(10,2)")))
        .column(Column::new("created_at", SqlType::Timestamp))
        .column(Column::new("flag", SqlType::Boolean))
        .primary_key(["id"])
}

const COLUMNS: [&str; 5] = ["id", "name", "amount", "created_at", "flag"];

fn rows(n: usize) -> Vec<Vec<Value>> {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date");
    (0..n)
        .map(|i| {
            vec![
                Value::Int(i as i64),
                Value::Text(format!("row {i}")),
                Value::Float((i % 100_000) as f64 / 100.0),
                Value::Timestamp(start + chrono::Duration::seconds(i as i64)),
                Value::Bool(i % 2 == 0),
            ]
        })
        .collect()
}

/// The same rows as CSV, for the clients' bulk loaders.
pub fn csv(n: usize) -> String {
    let mut out = String::with_capacity(n * 48);
    for row in rows(n) {
        let fields: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Int(i) => i.to_string(),
                Value::Text(t) => format!("\"{t}\""),
                Value::Float(f) => format!("{f:.2}"),
                Value::Timestamp(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                Value::Bool(b) => u8::from(*b).to_string(),
                _ => String::new(),
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

fn connect(url: &str) -> Result<Connection, String> {
    retort_engine::connect(&DatabaseUrl::parse(url).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())
}

fn insert(n: usize) -> Op {
    Op::BulkInsert(BulkInsert {
        table: TABLE.to_owned(),
        columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows: rows(n),
    })
}

/// Runs the worker.
pub fn run(args: &BulkArgs) -> Result<(), String> {
    if let Some(path) = &args.sql {
        let name = args.dialect.as_deref().unwrap_or_default();
        let backend = Backend::parse(name).ok_or_else(|| format!("unknown dialect `{name}`"))?;
        let dialect = retort_engine::dialect::for_backend(backend);
        let out = dialect
            .op_sql(&insert(args.rows), None)
            .map_err(|e| e.to_string())?;
        let (begin, commit) = match backend {
            Backend::Mysql => ("START TRANSACTION;\n", "COMMIT;\n"),
            _ => ("BEGIN;\n", "COMMIT;\n"),
        };
        let mut text = String::from(begin);
        for statement in out {
            text.push_str(&statement);
            text.push_str(";\n");
        }
        text.push_str(commit);
        return std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()));
    }
    let mut conn = connect(&args.url)?;
    let create_only = args.create_only;
    let n = args.rows;
    let mut ops = vec![Op::CreateTable(CreateTable { table: table() })];
    if !create_only {
        ops.push(insert(n));
    }
    retort_engine::command::apply(&mut conn, &ops).map_err(|e| e.to_string())?;
    if !create_only {
        let counted = count(&args.url)?;
        if counted != n as i64 {
            return Err(format!("{counted} rows of {n} arrived"));
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The rows in the bulk table.
pub fn count(url: &str) -> Result<i64, String> {
    let mut conn = connect(url)?;
    let sql = format!(
        "SELECT CAST(COUNT(*) AS {}) AS n FROM {}",
        if conn.backend() == Backend::Mysql {
            "SIGNED"
        } else {
            "BIGINT"
        },
        retort_engine::dialect::of(&conn).quote(TABLE)
    );
    conn.query::<Count>(&sql)
        .map_err(|e| e.to_string())?
        .first()
        .map(|c| c.n)
        .ok_or_else(|| "COUNT(*) returned no row".to_owned())
}
