//! Benchmark: the first `itch sync` of a channel's followers (hydration included) from the in-process fake, then
//! a no-change re-sync, beside the two floors it is measured against, in one run:
//! - the **bare walk**: the same follower pages paged through the same client, nothing stored;
//! - the **write floor**: as many follows and hydrated accounts as the sync stores, with ids in no order as the
//!   fake's, staged straight into a fresh archive in large transactions and merged once, with no HTTP at all.
//!
//!   cargo run --release --example sync_followers -- --followers 1000000
//!   cargo run --release --example sync_followers -- --followers 1000000 --latency-ms 20
//!   cargo run --release --example sync_followers -- --followers 1000000 --latency-ms 20 --account-run 0
//!
//! `--account-run 0` merges the hydrated accounts at the walk's end only, as itch did before it merged them in
//! runs while the walk goes on: run both to compare.
//!
//! The fake runs in this process, so each phase's peak RSS covers client, archive writer and fake together (the
//! peak is reset between phases).

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use chrono::{TimeZone, Utc};
use clap::Parser;
use itch::archive::{Archive, Stamp, follows, users};
use itch::client::UserId;
use itch::client::helix::followers::{self, Follower};
use itch::mock::{MockConfig, MockServer};
use itch::sync::{Part, Progress, SyncOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Followers of the channel to sync.
    #[arg(long, default_value_t = 1_000_000)]
    followers: u64,
    /// Per-request latency of the fake, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Use the response cache in the archive (itch's default), or not.
    #[arg(long, value_enum, default_value = "sqlite")]
    cache: itch::cache::Backend,
    /// Hydrated accounts merged at a time while the walk goes on (0: at its end only).
    #[arg(long, default_value_t = itch::sync::DEFAULT_ACCOUNT_RUN)]
    account_run: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let mock = MockServer::start(MockConfig {
        followers: args.followers,
        bucket_size: u32::MAX / 2,
        refill_per_minute: u32::MAX / 2,
        latency: Duration::from_millis(args.latency_ms),
        ..MockConfig::default()
    })
    .await?;
    let channel = mock.channels().remove(0);
    let dir = common::scratch_dir("sync")?;
    let db = dir.join("bench.db");
    let mut client = common::broadcaster_client(&mock, &channel, &dir)?;
    let archive = Archive::open(&db)?;
    if args.cache == itch::cache::Backend::Sqlite {
        client.set_cache(Some(Arc::new(itch::cache::sqlite::SqliteCache::open(&db)?)));
    }
    let client = Arc::new(client);
    let login = itch::client::Login::parse(&channel.login)?;
    let options = || SyncOptions {
        parts: [Part::Followers].into_iter().collect(),
        account_run: args.account_run,
        ..SyncOptions::default()
    };

    println!(
        "{} followers, fake latency {} ms, cache {:?}, account runs of {}",
        args.followers, args.latency_ms, args.cache, args.account_run
    );
    let mut sync_wall = 0.0;
    for label in ["first sync", "no-change re-sync"] {
        common::reset_peak_rss();
        let before = client.stats().requests;
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
        anyhow::ensure!(summary.error.is_none(), "sync failed: {:?}", summary.error);
        if sync_wall == 0.0 {
            sync_wall = wall;
        }
        println!("{label}:");
        println!("  {summary}");
        println!("  wall time:  {wall:.2} s");
        println!(
            "  requests:   {} (users hydrated: {})",
            client.stats().requests - before,
            summary.users_hydrated
        );
        println!(
            "  peak RSS:   {} MB (client, archive and fake together)",
            common::peak_rss_mb()
        );
    }
    let size = std::fs::metadata(&db)?.len() + std::fs::metadata(dir.join("bench.db-wal")).map_or(0, |m| m.len());
    println!("archive size: {} MB", size / 1_000_000);
    drop(archive);

    common::reset_peak_rss();
    let walk = bare_walk(&client, &UserId(channel.id.clone())).await?;
    println!(
        "bare walk:        {walk:.2} s ({} pages, nothing stored; peak RSS {} MB)",
        args.followers.div_ceil(100),
        common::peak_rss_mb()
    );
    common::reset_peak_rss();
    let (floor, staged) = write_floor(&dir.join("floor.db"), args.followers).await?;
    println!(
        "write floor:      {floor:.2} s ({} follows and accounts staged in {staged:.2} s and merged in {:.2} s, no HTTP; \
         peak RSS {} MB)",
        args.followers,
        floor - staged,
        common::peak_rss_mb()
    );
    println!(
        "first sync / bare walk: {:.2}x   first sync / write floor: {:.2}x",
        sync_wall / walk,
        sync_wall / floor
    );
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}

/// Pages the whole follower list through the client, storing nothing: the cursor chain alone.
async fn bare_walk(client: &itch::client::Client, broadcaster: &UserId) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut pager = followers::followers(client, broadcaster);
    let mut count = 0;
    while let Some(page) = pager.next_page().await? {
        count += page.items.len();
    }
    anyhow::ensure!(count > 0, "the bare walk read nothing");
    Ok(started.elapsed().as_secs_f64())
}

/// Stages `n` follows and `n` hydrated accounts shaped like the fake's into a fresh archive, 10,000 of each a
/// transaction, and merges them once: what the sync's writes cost with nothing else in the way.
async fn write_floor(path: &std::path::Path, n: u64) -> anyhow::Result<(f64, f64)> {
    const BATCH: u64 = 10_000;
    let archive = Archive::open(path)?;
    let broadcaster = UserId::from("1");
    let started = Instant::now();
    archive
        .write("channel", |tx| {
            tx.execute_batch(
                "INSERT INTO sync_runs (id, started_at, command, itch_version) VALUES (1, 't', 'floor', 'bench');
                 INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('1', 'channel', 't', 't');",
            )
        })
        .await?;
    for start in (0..n).step_by(BATCH as usize) {
        let ids = start..(start + BATCH).min(n);
        let (broadcaster, stamp) = (broadcaster.clone(), Stamp::now(1));
        archive
            .write("staging", move |tx| {
                let follows: Vec<Follower> = ids.clone().map(follower).collect();
                follows::stage_follows(tx, &broadcaster, "floor", &follows, &stamp)?;
                let accounts: Vec<_> = ids.map(account).collect();
                users::stage_users(tx, &accounts, &stamp)
            })
            .await?;
    }
    let staged = started.elapsed().as_secs_f64();
    archive
        .write("merging", move |tx| {
            follows::merge_staged(tx, &broadcaster, "floor", 0, true, &itch::archive::Timestamp::now())
        })
        .await?;
    Ok((started.elapsed().as_secs_f64(), staged))
}

/// The `i`-th follow of the floor. Its account id is scattered over nine digits by a bijection, as the fake's
/// (and Twitch's) are in a list ordered by follow time, so the floor's key-ordered inserts cost what the sync's
/// do. (Before 2026-12-03 the floor used `i * 7919`, which rises for 113,000 follows at a time: nearly sorted
/// keys, an easier floor than the sync's.)
fn follower(i: u64) -> Follower {
    // 2,654,435,761 is prime and does not divide 900,000,000: i -> i * it mod 900,000,000 is one to one.
    Follower {
        user_id: UserId(format!("{}", 100_000_000 + i * 2_654_435_761 % 900_000_000)),
        user_login: format!("viewer{i}"),
        user_name: format!("Viewer{i}"),
        followed_at: Utc.timestamp_opt(1_700_000_000 - i as i64 * 30, 0).unwrap(),
    }
}

fn account(i: u64) -> (itch::client::helix::users::User, serde_json::Value) {
    let f = follower(i);
    let raw = serde_json::json!({
        "id": f.user_id.as_str(), "login": f.user_login, "display_name": f.user_name, "type": "",
        "broadcaster_type": "", "description": "",
        "profile_image_url": format!("https://static-cdn.jtvnw.net/jtv_user_pictures/{}-profile_image-300x300.png", f.user_id.as_str()),
        "offline_image_url": "", "view_count": 0, "created_at": "2019-05-01T12:00:00Z",
    });
    (serde_json::from_value(raw.clone()).expect("an account parses"), raw)
}
