//! The `op` handle a revision's `upgrade` and `downgrade` receive.
//!
//! Every method builds an [`Op`] and runs it at once, in the revision's transaction,
//! so a data migration can mix schema changes with queries on
//! [`Operations::connection`]. Arguments name the table first, then the thing:
//! `op.add_column("products", Column::new(..))`, `op.drop_index("users", "ix_..")`.

use crate::connection::Connection;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::ops::{
    AddColumn, CreateForeignKey, CreateIndex, CreateTable, DropColumn, DropIndex, DropTable,
    Execute, Op,
};
use crate::schema::{Column, ForeignKey, Index, Table};

/// Schema operations for one revision step.
pub struct Operations<'a> {
    conn: &'a mut Connection,
    executed: usize,
}

impl<'a> Operations<'a> {
    /// Operations that run on `conn` as they are called.
    pub fn online(conn: &'a mut Connection) -> Self {
        Operations { conn, executed: 0 }
    }

    /// Runs any op.
    pub fn run(&mut self, op: Op) -> Result<()> {
        let dialect = self.conn.dialect();
        for sql in dialect.op_sql(&op)? {
            self.conn.execute(&sql)?;
            self.executed += 1;
        }
        Ok(())
    }

    /// Number of statements run so far.
    pub fn statements_executed(&self) -> usize {
        self.executed
    }

    /// The dialect of the database being migrated.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.conn.dialect()
    }

    /// The live connection, inside the revision's transaction: for data migrations
    /// (`diesel::sql_query`, the query DSL).
    pub fn connection(&mut self) -> &mut Connection {
        self.conn
    }

    /// `CREATE TABLE` with columns, primary key, unique constraints and foreign keys.
    pub fn create_table(&mut self, table: Table) -> Result<()> {
        self.run(Op::CreateTable(CreateTable { table }))
    }

    /// `DROP TABLE`.
    pub fn drop_table(&mut self, name: &str) -> Result<()> {
        self.run(Op::DropTable(DropTable {
            name: name.to_owned(),
            existing: None,
        }))
    }

    /// `ALTER TABLE … ADD COLUMN`.
    pub fn add_column(&mut self, table: &str, column: Column) -> Result<()> {
        self.run(Op::AddColumn(AddColumn {
            table: table.to_owned(),
            column,
        }))
    }

    /// `ALTER TABLE … DROP COLUMN`.
    pub fn drop_column(&mut self, table: &str, name: &str) -> Result<()> {
        self.run(Op::DropColumn(DropColumn {
            table: table.to_owned(),
            name: name.to_owned(),
            existing: None,
        }))
    }

    /// `CREATE [UNIQUE] INDEX`.
    pub fn create_index(&mut self, table: &str, index: Index) -> Result<()> {
        self.run(Op::CreateIndex(CreateIndex {
            table: table.to_owned(),
            index,
        }))
    }

    /// `DROP INDEX`.
    pub fn drop_index(&mut self, table: &str, name: &str) -> Result<()> {
        self.run(Op::DropIndex(DropIndex {
            table: table.to_owned(),
            name: name.to_owned(),
            existing: None,
        }))
    }

    /// Adds a foreign key to an existing table. SQLite declares foreign keys only in
    /// `CREATE TABLE`: pass them to [`Table::foreign_key`] there.
    pub fn create_foreign_key(&mut self, table: &str, foreign_key: ForeignKey) -> Result<()> {
        self.run(Op::CreateForeignKey(CreateForeignKey {
            table: table.to_owned(),
            foreign_key,
        }))
    }

    /// Runs SQL verbatim (several statements separated by `;` are fine).
    pub fn execute(&mut self, sql: &str) -> Result<()> {
        self.run(Op::Execute(Execute {
            sql: sql.to_owned(),
        }))
    }
}
