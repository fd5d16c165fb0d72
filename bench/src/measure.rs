//! Whole processes, timed from spawn to exit, with their peak memory (the
//! child's maximum resident set, from `wait4`).

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One finished process.
#[derive(Debug, Clone)]
pub struct Run {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak resident memory, in bytes.
    pub peak_rss: u64,
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Whether it exited 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `cmd` to completion (stdin from `stdin` when given), timing it.
pub fn run(cmd: &mut Command, stdin: Option<&Path>) -> std::io::Result<Run> {
    let out = tempfile_in_target("stdout")?;
    let err = tempfile_in_target("stderr")?;
    cmd.stdout(Stdio::from(out.reopen()?))
        .stderr(Stdio::from(err.reopen()?));
    match stdin {
        Some(path) => cmd.stdin(Stdio::from(File::open(path)?)),
        None => cmd.stdin(Stdio::null()),
    };
    let started = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; both out-pointers point
    // to live locals of the right types.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if waited != pid {
        return Err(std::io::Error::last_os_error());
    }
    // The child is reaped: `Child` must not wait for it again.
    std::mem::forget(child);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Run {
        wall,
        // Linux reports ru_maxrss in kilobytes.
        peak_rss: usage.ru_maxrss.max(0) as u64 * 1024,
        code,
        stdout: std::fs::read_to_string(out.path()).unwrap_or_default(),
        stderr: std::fs::read_to_string(err.path()).unwrap_or_default(),
    })
}

/// A temporary file for a child's output.
struct TempOut {
    path: std::path::PathBuf,
    file: File,
}

impl TempOut {
    fn reopen(&self) -> std::io::Result<File> {
        self.file.try_clone()
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempOut {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn tempfile_in_target(kind: &str) -> std::io::Result<TempOut> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "retort-bench-{}-{}-{kind}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = File::create(&path)?;
    Ok(TempOut { path, file })
}

/// Median, min and max of several runs.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Median wall time.
    pub median: Duration,
    /// Fastest.
    pub min: Duration,
    /// Slowest.
    pub max: Duration,
    /// Largest peak memory of the runs, bytes.
    pub peak_rss: u64,
}

impl Stats {
    /// Over `runs` (at least one).
    pub fn of(runs: &[Run]) -> Stats {
        let mut walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
        walls.sort();
        let median = if walls.is_empty() {
            Duration::ZERO
        } else if walls.len() % 2 == 1 {
            walls[walls.len() / 2]
        } else {
            (walls[walls.len() / 2 - 1] + walls[walls.len() / 2]) / 2
        };
        Stats {
            median,
            min: walls.first().copied().unwrap_or_default(),
            max: walls.last().copied().unwrap_or_default(),
            peak_rss: runs.iter().map(|r| r.peak_rss).max().unwrap_or(0),
        }
    }
}

/// `12.3 ms`, `1.52 s`.
pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// `14.2 MB`.
pub fn fmt_bytes(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1_000_000.0)
}
