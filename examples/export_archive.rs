//! Benchmark: `itch export` of a big archive. The archive is made the honest way: `itch sync` of the fake's
//! largest channel (followers with their accounts, videos, chat replay of its VODs) from the in-process fake, through
//! the sync engine and the archive's own writers. Then, at two sizes (a tenth, and the full size), the export runs
//! in a child process (this example run again with `--child`, calling `itch::export::export` as `itch export`
//! does), so its peak RSS is the export's alone; then a second export with nothing new; the export's bytes beside
//! the `.db`; and one question (follows per day) asked of the Parquet files through DuckDB and of the archive
//! through `itch sql`'s query path, with both answers compared.
//!
//!   eval "$(.ci/services)"   # for DuckDB ($ITCH_TEST_VENV)
//!   cargo run --release --example export_archive -- --followers 1000000 --comments 1000000

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::archive::Archive;
use itch::export::{ExportOptions, Format};
use itch::mock::{MockConfig, MockServer};
use itch::sync::{Progress, SyncOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Followers of the channel.
    #[arg(long, default_value_t = 1_000_000)]
    followers: u64,
    /// Chat messages of its newest VOD.
    #[arg(long, default_value_t = 1_000_000)]
    comments: u64,
    /// Internal: export `<db>` into `<dir>` and print the peak RSS (the child process).
    #[arg(long, num_args = 2, value_names = ["DB", "DIR"])]
    child: Option<Vec<PathBuf>>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    if let Some(paths) = args.child {
        let summary = itch::export::export(
            &paths[0],
            &ExportOptions {
                dir: paths[1].clone(),
                format: Format::Parquet,
                tables: None,
            },
        )?;
        let rows: u64 = summary.tables.iter().map(|t| t.rows).sum();
        let files: u64 = summary.tables.iter().map(|t| t.files).sum();
        println!("{rows} {files} {}", common::peak_rss_mb());
        return Ok(());
    }
    let python = std::env::var_os("ITCH_TEST_VENV")
        .map(|venv| PathBuf::from(venv).join("bin/python"))
        .ok_or_else(|| anyhow::anyhow!("ITCH_TEST_VENV is not set: run `eval \"$(.ci/services)\"` first (DuckDB)"))?;
    let runtime = tokio::runtime::Runtime::new()?;
    let mut figures = Vec::new();
    for (followers, comments) in [
        (args.followers / 10, args.comments / 10),
        (args.followers, args.comments),
    ] {
        let dir = common::scratch_dir(&format!("export{followers}"))?;
        let db = dir.join("bench.db");
        let started = Instant::now();
        let login = runtime.block_on(build(&db, &dir, followers, comments))?;
        println!(
            "archive: {followers} followers, {comments} comments of the newest VOD: synced in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let conn = rusqlite::Connection::open(&db)?;
        let count = |table: &str| -> rusqlite::Result<i64> {
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        };
        println!(
            "  rows: follows {}, users {}, chat_messages {}, videos {}",
            count("follows")?,
            count("users")?,
            count("chat_messages")?,
            count("videos")?
        );
        drop(conn);
        let db_bytes = size(&db) + size(&dir.join("bench.db-wal"));
        let out = dir.join("export");
        for label in ["first export", "no-change re-export"] {
            let started = Instant::now();
            let child = Command::new(std::env::current_exe()?)
                .arg("--child")
                .arg(&db)
                .arg(&out)
                .output()?;
            anyhow::ensure!(
                child.status.success(),
                "export failed: {}",
                String::from_utf8_lossy(&child.stderr)
            );
            let wall = started.elapsed().as_secs_f64();
            let printed = String::from_utf8_lossy(&child.stdout);
            let fields: Vec<&str> = printed.split_whitespace().collect();
            println!(
                "  {label}: {wall:.2} s wall, {} rows in {} files, peak RSS {} MB",
                fields[0], fields[1], fields[2]
            );
            if label == "first export" {
                figures.push((followers, comments, wall, fields[2].to_owned()));
            }
        }
        let export_bytes = tree_size(&out);
        println!(
            "  bytes: export {:.1} MB (Parquet, zstd) vs archive {:.1} MB (.db and -wal): {:.0}%",
            export_bytes as f64 / 1e6,
            db_bytes as f64 / 1e6,
            100.0 * export_bytes as f64 / db_bytes as f64
        );
        // Follows per day, both ways: DuckDB over the files, `itch sql`'s query path over the archive.
        let duck = Command::new(&python)
            .args([
                "-c",
                "import duckdb, sys, time
con = duckdb.connect(config={'autoinstall_known_extensions': False, 'autoload_known_extensions': False})
con.execute('SET enable_progress_bar = false')
t = time.perf_counter()
rows = con.execute(\"SELECT (followed_at AT TIME ZONE 'UTC')::DATE AS day, count(*) AS follows FROM read_parquet(?, hive_partitioning = true) WHERE channel = ? GROUP BY day ORDER BY day\", [sys.argv[1], sys.argv[2]]).fetchall()
print(len(rows), sum(r[1] for r in rows), f'{time.perf_counter() - t:.3f}')",
            ])
            .arg(format!("{}/follows/**/*.parquet", out.display()))
            .arg(&login)
            .output()?;
        anyhow::ensure!(
            duck.status.success(),
            "duckdb: {}",
            String::from_utf8_lossy(&duck.stderr)
        );
        let duck = String::from_utf8_lossy(&duck.stdout).trim().to_owned();
        let sql = format!(
            "SELECT substr(f.followed_at, 1, 10) AS day, count(*) AS follows FROM follows f JOIN users u ON u.id = \
             f.broadcaster_id WHERE u.login = '{login}' GROUP BY day ORDER BY day"
        );
        let started = Instant::now();
        let conn = itch::archive::open_read_only(&db)?;
        let mut printed = Vec::new();
        let options = itch::report::OutputOptions {
            format: itch::report::Format::Tsv,
            header: false,
            epoch: false,
        };
        let days = itch::report::write_query(&conn, &sql, &options, &mut printed)?;
        let sql_wall = started.elapsed().as_secs_f64();
        let total: u64 = String::from_utf8_lossy(&printed)
            .lines()
            .filter_map(|l| l.split('\t').nth(1)?.parse::<u64>().ok())
            .sum();
        let duck: Vec<&str> = duck.split_whitespace().collect();
        println!(
            "  follows per day of {login}: DuckDB over the Parquet files {} s ({} days, {} follows); itch sql {sql_wall:.3} s ({days} days, {total} follows)",
            duck[2], duck[0], duck[1]
        );
        anyhow::ensure!(
            duck[0] == days.to_string() && duck[1] == total.to_string(),
            "DuckDB and itch sql disagree"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
    println!("memory in table size:");
    for (followers, comments, wall, rss) in figures {
        println!("  {followers} followers + {comments} comments: export {wall:.2} s, peak RSS {rss} MB");
    }
    Ok(())
}

/// Syncs the fake's largest channel into `db`, chat included; returns its login.
async fn build(db: &Path, dir: &Path, followers: u64, comments: u64) -> anyhow::Result<String> {
    let mock = MockServer::start(MockConfig {
        followers,
        comments,
        bucket_size: u32::MAX / 2,
        refill_per_minute: u32::MAX / 2,
        ..MockConfig::default()
    })
    .await?;
    let channel = mock.channels().remove(0);
    let client = Arc::new(common::broadcaster_client(&mock, &channel, dir)?);
    let archive = Archive::open(db)?;
    let login = itch::client::Login::parse(&channel.login)?;
    let channels = itch::sync::resolve_channels(&client, std::slice::from_ref(&login)).await?;
    let options = SyncOptions {
        chat_segments: 8,
        ..SyncOptions::default()
    };
    let report = itch::sync::sync_channels(client, archive, channels, options, &Progress::hidden()).await?;
    let summary = &report.channels[0];
    anyhow::ensure!(summary.error.is_none(), "sync failed: {:?}", summary.error);
    Ok(channel.login)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn tree_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| {
                let path = e.path();
                if path.is_dir() { tree_size(&path) } else { size(&path) }
            })
            .sum()
    })
}
