//! Benchmark: `itch sync` of a channel with many followers from the in-process fake, hydration included,
//! then a no-change re-sync of the same archive. Prints wall time, requests and peak RSS of each.
//!
//!   cargo run --release --example sync_followers -- --followers 1000000
//!
//! The fake runs in this process, so the peak RSS covers client, archive writer and fake together.

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::archive::Archive;
use itch::mock::{MockConfig, MockServer};
use itch::sync::{Progress, SyncOptions};
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Followers of the channel to sync.
    #[arg(long, default_value_t = 1_000_000)]
    followers: u64,
    /// Use the response cache in the archive (itch's default), or not.
    #[arg(long, value_enum, default_value = "sqlite")]
    cache: itch::cache::Backend,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let mock = MockServer::start(MockConfig {
        followers: args.followers,
        bucket_size: u32::MAX / 2,
        refill_per_minute: u32::MAX / 2,
        ..MockConfig::default()
    })
    .await?;
    let channel = mock.channels().remove(0);
    let dir = common::scratch_dir("sync")?;
    let mut client = common::broadcaster_client(&mock, &channel, &dir)?;
    let archive = Archive::open(&dir.join("bench.db"))?;
    if args.cache == itch::cache::Backend::Sqlite {
        client.set_cache(Some(Arc::new(itch::cache::sqlite::SqliteCache::open(
            &dir.join("bench.db"),
        )?)));
    }
    let client = Arc::new(client);
    let login = itch::client::Login::parse(&channel.login)?;

    println!("{} followers, cache {:?}", args.followers, args.cache);
    for label in ["first sync", "no-change re-sync"] {
        let before = client.stats().requests;
        let started = Instant::now();
        let channels = itch::sync::resolve_channels(&client, std::slice::from_ref(&login)).await?;
        let report = itch::sync::sync_channels(
            client.clone(),
            archive.clone(),
            channels,
            SyncOptions::default(),
            &Progress::hidden(),
        )
        .await?;
        let wall = started.elapsed().as_secs_f64();
        let summary = &report.channels[0];
        anyhow::ensure!(summary.error.is_none(), "sync failed: {:?}", summary.error);
        println!("{label}:");
        println!("  {summary}");
        println!("  wall time:  {wall:.2} s");
        println!(
            "  requests:   {} (users hydrated: {})",
            client.stats().requests - before,
            summary.users_hydrated
        );
        println!(
            "  peak RSS:   {} MB so far (client, archive and fake together)",
            common::peak_rss_mb()
        );
    }
    let size = std::fs::metadata(dir.join("bench.db"))?.len()
        + std::fs::metadata(dir.join("bench.db-wal")).map_or(0, |m| m.len());
    println!("archive size: {} MB", size / 1_000_000);
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
