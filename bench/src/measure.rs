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
///
/// The process is started by a fresh, small copy of this program (`retort-bench
/// measure`), not by the harness: a child's peak memory counts the memory of the
/// process it was forked from, and the harness holds far more than the programs it
/// measures.
pub fn run(cmd: &mut Command, stdin: Option<&Path>) -> std::io::Result<Run> {
    let out = tempfile_in_target("stdout")?;
    let err = tempfile_in_target("stderr")?;
    let mut helper = Command::new(std::env::current_exe()?);
    helper.arg("measure");
    helper.arg("--stdout").arg(out.path());
    helper.arg("--stderr").arg(err.path());
    if let Some(path) = stdin {
        helper.arg("--stdin").arg(path);
    }
    helper.arg("--").arg(cmd.get_program()).args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        helper.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => helper.env(key, value),
            None => helper.env_remove(key),
        };
    }
    let report = helper.stderr(Stdio::inherit()).output()?;
    let text = String::from_utf8_lossy(&report.stdout);
    let mut fields = text.split_whitespace().map(str::parse::<i64>);
    let (Some(Ok(wall_ns)), Some(Ok(rss_kb)), Some(Ok(code))) =
        (fields.next(), fields.next(), fields.next())
    else {
        return Err(std::io::Error::other(format!(
            "the measuring helper could not run {:?}: {text}",
            cmd.get_program()
        )));
    };
    Ok(Run {
        wall: Duration::from_nanos(wall_ns.max(0) as u64),
        peak_rss: rss_kb.max(0) as u64 * 1024,
        code: (code >= 0).then_some(code as i32),
        stdout: std::fs::read_to_string(out.path()).unwrap_or_default(),
        stderr: std::fs::read_to_string(err.path()).unwrap_or_default(),
    })
}

/// `retort-bench measure`: runs the command, prints `wall_ns peak_rss_kb code`
/// (code -1 when killed by a signal).
#[derive(Debug, clap::Args)]
pub struct MeasureArgs {
    /// File for the command's stdout.
    #[arg(long)]
    stdout: std::path::PathBuf,
    /// File for the command's stderr.
    #[arg(long)]
    stderr: std::path::PathBuf,
    /// File for the command's stdin (default: none).
    #[arg(long)]
    stdin: Option<std::path::PathBuf>,
    /// The command.
    #[arg(last = true, required = true)]
    command: Vec<std::ffi::OsString>,
}

/// Runs the `measure` helper.
pub fn helper(args: &MeasureArgs) -> std::io::Result<()> {
    let mut cmd = Command::new(&args.command[0]);
    cmd.args(&args.command[1..])
        .stdout(Stdio::from(File::create(&args.stdout)?))
        .stderr(Stdio::from(File::create(&args.stderr)?));
    match &args.stdin {
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
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // Linux reports ru_maxrss in kilobytes.
    println!("{} {} {code}", wall.as_nanos(), usage.ru_maxrss);
    Ok(())
}

/// A temporary file for a child's output.
struct TempOut {
    path: std::path::PathBuf,
}

impl TempOut {
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
    File::create(&path)?;
    Ok(TempOut { path })
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
