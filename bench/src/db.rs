//! Fresh databases for each measured run, and each database's own client.

use std::path::{Path, PathBuf};
use std::process::Command;

use retort::DatabaseUrl;
use retort::{Backend, Connection};

/// One database server (or SQLite, in a folder).
pub struct Server {
    /// Which.
    pub backend: Backend,
    /// SQLite: the folder of the files.
    dir: PathBuf,
    /// PostgreSQL/MySQL: a connection to the administration database.
    admin: Option<(String, Connection)>,
}

/// Errors of the harness: what failed, said plainly.
pub type Result<T> = std::result::Result<T, String>;

impl Server {
    /// SQLite files in `dir`.
    pub fn sqlite(dir: &Path) -> Result<Server> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Server {
            backend: Backend::Sqlite,
            dir: dir.to_path_buf(),
            admin: None,
        })
    }

    /// The server at `admin_url` (a database on it that exists).
    pub fn remote(backend: Backend, admin_url: &str) -> Result<Server> {
        let url = DatabaseUrl::parse(admin_url).map_err(|e| e.to_string())?;
        let conn = retort_engine::connect(&url).map_err(|e| e.to_string())?;
        Ok(Server {
            backend,
            dir: PathBuf::new(),
            admin: Some((admin_url.to_owned(), conn)),
        })
    }

    /// A short name: `sqlite`, `postgres`, `mysql`.
    pub fn name(&self) -> &'static str {
        self.backend.name()
    }

    /// The URL of database `name`, emptied (dropped and created again).
    pub fn fresh(&mut self, name: &str) -> Result<String> {
        match &mut self.admin {
            None => {
                let path = self.dir.join(format!("{name}.db"));
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                Ok(format!("sqlite://{}", path.display()))
            }
            Some((admin, conn)) => {
                let quoted = retort_engine::dialect::of(conn).quote(name);
                let force = if self.backend == Backend::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                conn.execute(&format!("DROP DATABASE IF EXISTS {quoted}{force}"))
                    .map_err(|e| e.to_string())?;
                conn.execute(&format!("CREATE DATABASE {quoted}"))
                    .map_err(|e| e.to_string())?;
                if self.backend == Backend::Postgres {
                    // Dirty pages of earlier runs are written now, not during the next.
                    conn.execute("CHECKPOINT").map_err(|e| e.to_string())?;
                }
                let (base, _) = admin
                    .rsplit_once('/')
                    .ok_or_else(|| format!("{admin}: the URL names no database"))?;
                Ok(format!("{base}/{name}"))
            }
        }
    }

    /// Drops database `name` (SQLite: deletes the file).
    pub fn drop(&mut self, name: &str) {
        match &mut self.admin {
            None => {
                let _ = std::fs::remove_file(self.dir.join(format!("{name}.db")));
            }
            Some((_, conn)) => {
                let quoted = retort_engine::dialect::of(conn).quote(name);
                let _ = conn.execute(&format!("DROP DATABASE IF EXISTS {quoted}"));
            }
        }
    }

    /// The database's own client running `script` on `url` in one process.
    pub fn client(&self, url: &str, script: &Path) -> (Command, Option<PathBuf>) {
        match self.backend {
            Backend::Sqlite => {
                let mut cmd = Command::new("sqlite3");
                cmd.arg("-bail").arg(url.trim_start_matches("sqlite://"));
                (cmd, Some(script.to_path_buf()))
            }
            Backend::Postgres => {
                let mut cmd = Command::new("psql");
                cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
                    .arg(script);
                (cmd, None)
            }
            Backend::Mysql => (mysql_client(url), Some(script.to_path_buf())),
        }
    }

    /// The client loading `csv` into `table` with its bulk loader (`.import`,
    /// `\copy`, `LOAD DATA LOCAL INFILE`).
    pub fn load_csv(&self, url: &str, table: &str, csv: &Path) -> Command {
        match self.backend {
            Backend::Sqlite => {
                let mut cmd = Command::new("sqlite3");
                cmd.arg(url.trim_start_matches("sqlite://"))
                    .arg(".mode csv")
                    .arg(format!(".import {} {table}", csv.display()));
                cmd
            }
            Backend::Postgres => {
                let mut cmd = Command::new("psql");
                cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c"])
                    .arg(format!(
                        "\\copy {table} FROM '{}' WITH (FORMAT csv)",
                        csv.display()
                    ));
                cmd
            }
            Backend::Mysql => {
                let mut cmd = mysql_client(url);
                cmd.arg("--local-infile=1").arg("-e").arg(format!(
                    "LOAD DATA LOCAL INFILE '{}' INTO TABLE {table} FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"'",
                    csv.display()
                ));
                cmd
            }
        }
    }
}

/// `mariadb --host --port --user [--password] DB` from a `mysql://` URL.
fn mysql_client(url: &str) -> Command {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, db) = rest.split_once('/').unwrap_or((rest, ""));
    let (user_info, host_port) = authority.rsplit_once('@').unwrap_or(("root", authority));
    let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
    let mut cmd = Command::new("mariadb");
    cmd.arg(format!("--host={host}"))
        .arg(format!("--port={port}"))
        .arg(format!("--user={user}"));
    if !password.is_empty() {
        cmd.arg(format!("--password={password}"));
    }
    cmd.arg(db);
    cmd
}
