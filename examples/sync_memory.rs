//! Benchmark: the peak memory of `itch sync --only followers` by itself (issue 16 goal 2: the client side under
//! 50 MB whatever the channel's size). Each size runs the real binaries as a user would: `itch mock-api` in a
//! process of its own, `itch auth login` against it, then the first sync of its largest channel (hydration
//! included) into a fresh archive; the sync's peak RSS (VmHWM, read from /proc while it runs) is the itch
//! process's alone, and the fake's is printed beside it.
//!
//!   cargo build --release --bins --examples
//!   cargo run --release --example sync_memory -- --followers 100000,1000000,3000000

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

use anyhow::{Context, bail, ensure};
use clap::Parser;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Channel sizes (followers) to sync, one fresh fake and archive each.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000,3000000")]
    followers: Vec<u64>,
    /// Per-request latency of the fake, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// The itch binary to measure (another build, to compare); the one beside this example by default.
    #[arg(long)]
    itch: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let itch = match args.itch {
        Some(path) => path,
        None => itch_binary()?,
    };
    println!(
        "itch sync --only followers, first sync, the fake in its own process, latency {} ms",
        args.latency_ms
    );
    for &followers in &args.followers {
        let dir = std::env::temp_dir().join(format!("itch-sync-memory-{}-{followers}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let result = one_size(&itch, &dir, followers, args.latency_ms);
        std::fs::remove_dir_all(&dir).ok();
        result?;
    }
    Ok(())
}

/// `itch` beside this example: target/release/itch for target/release/examples/sync_memory.
fn itch_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let itch = exe
        .parent()
        .and_then(Path::parent)
        .map(|release| release.join("itch"))
        .context("no directory above the example")?;
    ensure!(
        itch.exists(),
        "{} is missing: build it first with `cargo build --release --bins --examples`",
        itch.display()
    );
    Ok(itch)
}

fn one_size(itch: &Path, dir: &Path, followers: u64, latency_ms: u64) -> anyhow::Result<()> {
    let budget = (u32::MAX / 2).to_string();
    let mut fake = Command::new(itch)
        .args(["mock-api", "--port", "0", "--followers", &followers.to_string()])
        .args([
            "--latency-ms",
            &latency_ms.to_string(),
            "--bucket-size",
            &budget,
            "--refill-per-minute",
            &budget,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut run = || -> anyhow::Result<()> {
        let (env, login) = read_fake(&mut fake)?;
        let run_itch = |extra: &[&str]| {
            let mut cmd = Command::new(itch);
            cmd.env_clear()
                .envs(std::env::vars().filter(|(k, _)| !k.starts_with("ITCH_") && !k.starts_with("TWITCH_")))
                .envs(env.iter().cloned())
                .env("ITCH_CONFIG_DIR", dir.join("config"))
                .env("ITCH_DB", dir.join("bench.db"))
                .args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            cmd
        };
        let login_done = run_itch(&["auth", "login"]).output()?;
        ensure!(
            login_done.status.success(),
            "itch auth login: {}",
            String::from_utf8_lossy(&login_done.stderr)
        );
        let started = Instant::now();
        let sync = run_itch(&["-q", "sync", &login, "--only", "followers"]).spawn()?;
        let (peak, status, stderr) = watch_peak(sync)?;
        let wall = started.elapsed().as_secs_f64();
        ensure!(status.success(), "itch sync: {stderr}");
        let archive = std::fs::metadata(dir.join("bench.db"))?.len() / 1_000_000;
        println!(
            "{followers:>9} followers: itch sync peak RSS {peak} MB (the itch process alone), {wall:.1} s, \
             {archive} MB archive; the fake's peak RSS {} MB",
            peak_rss_mb(fake.id())
        );
        Ok(())
    };
    let result = run();
    fake.kill().ok();
    fake.wait().ok();
    result
}

/// The fake's `export` lines (its URLs and credentials) and its largest channel's login, from what it prints.
fn read_fake(fake: &mut Child) -> anyhow::Result<(Vec<(String, String)>, String)> {
    let stdout = fake.stdout.take().context("the fake's stdout")?;
    let (mut env, mut login, mut table) = (Vec::new(), None, false);
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        if let Some(pairs) = line.strip_prefix("export ") {
            env.extend(pairs.split_whitespace().filter_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                Some((key.to_owned(), value.to_owned()))
            }));
        } else if line.starts_with("login ") {
            table = true;
        } else if table && login.is_none() {
            login = line.split_whitespace().next().map(str::to_owned);
        } else if line.starts_with("Ctrl-C") {
            break;
        }
    }
    // Whatever it prints later is read and dropped: a closed pipe would fail its writes.
    std::thread::spawn(move || lines.for_each(drop));
    match login {
        Some(login) if !env.is_empty() => Ok((env, login)),
        _ => bail!("itch mock-api did not print its URLs and channels"),
    }
}

/// Waits for `child`, reading its VmHWM every 20 ms (a high-water mark, so the last reading is its peak but for
/// the last few milliseconds of shutting down).
fn watch_peak(mut child: Child) -> anyhow::Result<(u64, std::process::ExitStatus, String)> {
    let mut peak = 0;
    let status = loop {
        peak = peak.max(peak_rss_mb(child.id()));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr)?;
    }
    Ok((peak, status, stderr))
}

/// VmHWM of process `pid` in MB (Linux); 0 when it cannot be read.
fn peak_rss_mb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
