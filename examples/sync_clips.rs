//! Benchmark: the first `itch sync --only clips` of a channel with 20,000 clips from the in-process fake (whose
//! Get Clips stops every listing after 1000 results, as Helix does, so the walk must narrow its windows), then a
//! no-change re-sync, printing the requests and wall time of each and checking that no clip was missed.
//!
//!   cargo run --release --example sync_clips
//!   cargo run --release --example sync_clips -- --clips 50000 --latency-ms 20

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::archive::Archive;
use itch::mock::{MockConfig, MockServer};
use itch::sync::{Part, Progress, SyncOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Clips of the channel to sync.
    #[arg(long, default_value_t = 20_000)]
    clips: u32,
    /// Per-request latency of the fake, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let mock = MockServer::start(MockConfig {
        channels: 1,
        followers: 100,
        clips: args.clips,
        bucket_size: u32::MAX / 2,
        refill_per_minute: u32::MAX / 2,
        latency: Duration::from_millis(args.latency_ms),
        ..MockConfig::default()
    })
    .await?;
    let channel = mock.channels().remove(0);
    let dir = common::scratch_dir("sync-clips")?;
    let db = dir.join("bench.db");
    let client = Arc::new(common::broadcaster_client(&mock, &channel, &dir)?);
    let archive = Archive::open(&db)?;
    let login = itch::client::Login::parse(&channel.login)?;
    let options = || SyncOptions {
        parts: [Part::Clips].into_iter().collect(),
        ..SyncOptions::default()
    };

    println!("{} clips, fake latency {} ms", args.clips, args.latency_ms);
    for label in ["first sync", "no-change re-sync"] {
        common::reset_peak_rss();
        let before = mock.stats().by_path.get("/helix/clips").copied().unwrap_or(0);
        let started = Instant::now();
        let channels = itch::sync::resolve_channels(&client, std::slice::from_ref(&login)).await?;
        let report = itch::sync::sync_channels(
            client.clone(),
            archive.clone(),
            channels,
            options(),
            &Progress::hidden(),
        )
        .await?;
        let wall = started.elapsed().as_secs_f64();
        let summary = &report.channels[0];
        anyhow::ensure!(!summary.failed(), "sync failed: {summary}");
        let requests = mock.stats().by_path.get("/helix/clips").copied().unwrap_or(0) - before;
        println!("{label}:");
        println!("  {summary}");
        println!("  wall time:  {wall:.2} s");
        println!("  Get Clips requests: {requests}");
        println!(
            "  peak RSS:   {} MB (client, archive and fake together)",
            common::peak_rss_mb()
        );
    }
    let archived: i64 = archive
        .read("counting clips", |c| {
            c.query_row("SELECT count(*) FROM clips", [], |r| r.get(0))
        })
        .await?;
    let fake = mock.clips(&channel.login).len();
    println!("clips archived: {archived} of the fake's {fake}");
    anyhow::ensure!(archived as usize == fake, "clips were missed");
    drop(archive);
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
