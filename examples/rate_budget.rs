//! Benchmark: three channels synced at once by one `itch` sync (one client, so one rate budget) against the
//! in-process fake's bucket at Twitch's 800 points a minute, for a fixed time. Prints Helix requests per
//! minute as a share of the refill once the first burst (the full bucket) is spent, and the 429s received.
//! Goals: at least 95% of the budget, and no 429.
//!
//!   cargo run --example rate_budget                 # 3 minutes
//!   cargo run --example rate_budget -- --seconds 20 # a short run (CI)
//!
//! Channel 0 has `--followers` followers (its list walked and its followers' accounts fetched, several requests
//! in flight); channels 1 and 2 a tenth and a hundredth, seen with their totals, videos and streams (and
//! chat replay with `--chat`).

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::archive::Archive;
use itch::client::Login;
use itch::mock::{MockConfig, MockServer};
use itch::sync::{Progress, SyncOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
struct Args {
    /// How long to sync before stopping (as Ctrl-C would).
    #[arg(long, default_value_t = 180)]
    seconds: u64,
    /// Followers of channel 0: enough that the sync outlasts `--seconds`.
    #[arg(long, default_value_t = 250_000)]
    followers: u64,
    /// The fake's bucket size, in points.
    #[arg(long, default_value_t = 800)]
    bucket: u32,
    /// The fake's refill, in points per minute.
    #[arg(long, default_value_t = 800)]
    refill: u32,
    /// Download chat replay too (GQL: outside the Helix budget, but it takes CPU from the Helix parts).
    #[arg(long)]
    chat: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let mock = MockServer::start(MockConfig {
        followers: args.followers,
        bucket_size: args.bucket,
        refill_per_minute: args.refill,
        comments: 500,
        ..MockConfig::default()
    })
    .await?;
    let channels = mock.channels();
    let dir = common::scratch_dir("rate-budget")?;
    let mut client = common::broadcaster_client(&mock, &channels[0], &dir)?;
    let cancel = CancellationToken::new();
    client.set_cancel(cancel.clone());
    let client = Arc::new(client);
    let archive = Archive::open(&dir.join("bench.db"))?;
    let logins = channels
        .iter()
        .map(|c| Login::parse(&c.login))
        .collect::<itch::Result<Vec<_>>>()?;
    println!(
        "{} channels at once for {} s, bucket {} points refilled at {} a minute",
        logins.len(),
        args.seconds,
        args.bucket,
        args.refill
    );

    let started = Instant::now();
    let resolved = itch::sync::resolve_channels(&client, &logins).await?;
    let mut options = SyncOptions {
        concurrency: logins.len(),
        cancel: cancel.clone(),
        ..SyncOptions::default()
    };
    if !args.chat {
        options.parts.remove(&itch::sync::Part::Chat);
    }
    let progress = Progress::hidden();
    let sync = itch::sync::sync_channels(client.clone(), archive, resolved, options, &progress);
    let done = CancellationToken::new();
    let sync = async {
        let report = sync.await;
        done.cancel();
        report
    };

    // The first burst ends when the budget first runs dry; from then on the refill is the limit.
    let watch = async {
        let deadline = started + Duration::from_secs(args.seconds);
        let mut steady: Option<(Instant, u64)> = None;
        let mut minutes = Vec::new();
        while Instant::now() < deadline && !done.is_cancelled() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let requests = mock.stats().helix_requests;
            match steady {
                None if client.budget().remaining().is_some_and(|r| r <= 1) => {
                    println!(
                        "first burst:  {requests} requests in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                    steady = Some((Instant::now(), requests));
                }
                Some((since, at)) if since.elapsed() >= Duration::from_secs(60 * (minutes.len() as u64 + 1)) => {
                    let before = minutes.last().copied().unwrap_or(at);
                    println!("minute {}:     {} requests", minutes.len() + 1, requests - before);
                    minutes.push(requests);
                }
                _ => {}
            }
        }
        let finished_early = done.is_cancelled();
        let end = (Instant::now(), mock.stats().helix_requests);
        cancel.cancel();
        (steady, end, finished_early)
    };
    let (report, (steady, (end, requests), finished_early)) = tokio::join!(sync, watch);
    let report = report?;

    let stats = mock.stats();
    if let Some((since, at)) = steady {
        let window = end.duration_since(since).as_secs_f64();
        let per_minute = (requests - at) as f64 / window * 60.0;
        println!(
            "after it:     {} requests in {window:.1} s = {per_minute:.1} a minute = {:.1}% of the budget (goal >= 95%)",
            requests - at,
            100.0 * per_minute / f64::from(args.refill)
        );
    } else {
        println!("the budget never ran dry: no steady state to measure");
    }
    if finished_early {
        println!("(the sync finished before the time was up: raise --followers)");
    }
    println!(
        "429s:         {} sent by the fake, {} seen by the client (goal 0)",
        stats.rate_limited,
        client.stats().rate_limited
    );
    println!(
        "all:          {} Helix and {} GQL requests in {:.1} s",
        stats.helix_requests,
        stats.gql_requests,
        started.elapsed().as_secs_f64()
    );
    println!(
        "peak RSS:     {} MB (client, archive and fake together)",
        common::peak_rss_mb()
    );
    for channel in &report.channels {
        println!("  {channel}");
    }
    std::fs::remove_dir_all(dir).ok();
    anyhow::ensure!(
        stats.rate_limited == 0,
        "the fake refused {} requests",
        stats.rate_limited
    );
    Ok(())
}
