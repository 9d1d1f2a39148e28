//! Benchmark: page a whole follower list from the fake Twitch through the real client, and print what it took.
//!
//!   cargo run --release --example page_followers -- --followers 1000000 --bucket 1000000000
//!   cargo run --release --example page_followers -- --followers 150000     # Twitch's 800 points a minute
//!
//! The fake runs in this process on 127.0.0.1, so the peak RSS printed covers client and fake together.

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::client::UserId;
use itch::client::helix::followers;
use itch::mock::{MockConfig, MockServer};
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Followers of the channel to page.
    #[arg(long, default_value_t = 1_000_000)]
    followers: u64,
    /// The fake's bucket size, in points.
    #[arg(long, default_value_t = 800)]
    bucket: u32,
    /// The fake's refill, in points per minute.
    #[arg(long, default_value_t = 800)]
    refill: u32,
    /// Per-request latency of the fake, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let mock = MockServer::start(MockConfig {
        followers: args.followers,
        bucket_size: args.bucket,
        refill_per_minute: args.refill,
        latency: std::time::Duration::from_millis(args.latency_ms),
        ..MockConfig::default()
    })
    .await?;
    let channel = mock.channels().remove(0);
    let dir = common::scratch_dir("page")?;
    let client = common::broadcaster_client(&mock, &channel, &dir)?;

    let started = Instant::now();
    let mut pager = followers::followers(&client, &UserId(channel.id.clone()));
    let (mut count, mut total) = (0u64, 0u64);
    while let Some(page) = pager.next_page().await? {
        count += page.items.len() as u64;
        total = page.total.unwrap_or(total);
    }
    let wall = started.elapsed().as_secs_f64();
    let stats = client.stats();
    println!("followers paged:  {count} of {total}");
    println!(
        "bucket:           {} points, refill {} per minute",
        args.bucket, args.refill
    );
    println!("requests:         {} ({} retries)", stats.requests, stats.retries);
    println!("429s from fake:   {}", mock.stats().rate_limited);
    println!(
        "wall time:        {wall:.2} s ({:.0} followers/s, {:.1} requests/s)",
        count as f64 / wall,
        stats.requests as f64 / wall
    );
    println!(
        "peak RSS:         {} MB (client and fake together)",
        common::peak_rss_mb()
    );
    std::fs::remove_dir_all(dir).ok();
    anyhow::ensure!(count == total, "lost followers: {count} of {total}");
    Ok(())
}
