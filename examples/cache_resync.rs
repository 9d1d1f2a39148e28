//! Benchmark: what each cache backend saves on a re-sync, and what it costs.
//!
//!   eval "$(.ci/services)"      # Redis and memcached on loopback (or set REDIS_* / MEMCACHE_SERVERS)
//!   cargo run --release --example cache_resync -- --followers 50000
//!
//! For each backend (none, sqlite, file, redis, memcache), with a fresh archive and a fresh cache:
//! 1. the first sync of the channel's followers (hydration included), which fills the cache;
//! 2. a fresh fake world of the same seed, on the same port (cache keys include the URL), every follower's
//!    account marked as never looked up (as an interrupted first sync leaves them), and a re-sync with `--full`
//!    semantics (`SyncOptions { full: true, .. }`): the whole follower list again (list pages are never cached:
//!    each decides what is new or gone) and every account hydrated again, which is what the cache serves.
//!
//! Printed per backend and phase: requests that reached the fake, wall time, and the backend's own hit rate
//! (hits / lookups, from its counters). `none` is the baseline: its first sync is the same work without the
//! cost of writing the cache, its re-sync the same work without the savings. `sqlite` lives in the archive,
//! which keeps every account the walk hydrated, so it stores no second copy of them: its two phases are
//! `none`'s (the archive losing its accounts and keeping its cache is the one case it would have served). The
//! backends outside the archive keep them, for a lost archive or another one. Redis and memcached come from
//! `ITCH_TEST_REDIS` / `ITCH_TEST_MEMCACHE` when set (what `.ci/services` exports), else from the usual
//! variables; a backend that cannot be reached is reported and skipped.

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::archive::Archive;
use itch::cache::CacheSettings;
use itch::cache::{Backend, Cache, CacheStats};
use itch::mock::{MockConfig, MockServer};
use itch::sync::{Part, Progress, SyncOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Followers of the channel to sync.
    #[arg(long, default_value_t = 50_000)]
    followers: u64,
    /// Delay the fake adds to every request, in milliseconds (Twitch's own is some tens).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Backends to measure, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "none,sqlite,file,redis,memcache")]
    backends: Vec<Backend>,
}

/// One phase's figures.
struct Phase {
    requests: u64,
    wall: Duration,
    hits: u64,
    lookups: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let config = MockConfig {
        followers: args.followers,
        latency: Duration::from_millis(args.latency_ms),
        bucket_size: u32::MAX / 2,
        refill_per_minute: u32::MAX / 2,
        ..MockConfig::default()
    };
    // One port for every world, so the second world's URLs (and cache keys) are the first one's.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
    let scratch = common::scratch_dir("cache-resync")?;
    let prefix = format!("itch-bench:{}:", std::process::id());

    println!(
        "{} followers, fake latency {} ms; phase 1 = first sync, phase 2 = full re-sync re-hydrating every account",
        args.followers, args.latency_ms
    );
    println!(
        "{:<9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "backend", "1:reqs", "1:wall s", "2:reqs", "2:wall s", "2:hits", "2:hit %"
    );
    for (run, backend) in args.backends.into_iter().enumerate() {
        let dir = scratch.join(format!("{run}-{backend}"));
        std::fs::create_dir_all(&dir)?;
        let db = dir.join("bench.db");
        let archive = Archive::open(&db)?;
        let settings = CacheSettings::from_vars(backend, |name| variable(name, &dir, &prefix))
            .map_err(|problem| anyhow::anyhow!("{backend}: {problem}"))?;
        let cache = settings.open(&db)?;
        if let Some(cache) = &cache {
            let probe = cache.clone();
            let ready = tokio::task::spawn_blocking(move || probe.clear().and_then(|_| probe.stats())).await?;
            if let Err(error) = ready {
                println!(
                    "{:<9} unavailable: {}",
                    backend.name(),
                    itch::error::display_chain(&error)
                );
                continue;
            }
        }
        let first = phase(&config, port, &dir, &archive, &cache, false).await?;
        let again = phase(&config, port, &dir, &archive, &cache, true).await?;
        let rate = if again.lookups == 0 {
            "-".to_owned()
        } else {
            format!("{:.1}", 100.0 * again.hits as f64 / again.lookups as f64)
        };
        println!(
            "{:<9} {:>9} {:>9.2} {:>9} {:>9.2} {:>9} {:>9}",
            backend.name(),
            first.requests,
            first.wall.as_secs_f64(),
            again.requests,
            again.wall.as_secs_f64(),
            again.hits,
            rate
        );
        if let Some(cache) = cache {
            tokio::task::spawn_blocking(move || cache.clear()).await??;
        }
    }
    println!(
        "peak RSS {} MB (fake, client, archives and caches in one process)",
        common::peak_rss_mb()
    );
    std::fs::remove_dir_all(scratch).ok();
    Ok(())
}

/// The settings the benchmark gives each backend: its own file directory and key prefix, the test servers.
fn variable(name: &str, dir: &std::path::Path, prefix: &str) -> Option<String> {
    let test_server = |var: &str| std::env::var(var).ok().filter(|v| !v.is_empty());
    match name {
        "TWITCH_CACHE_TEMP" => Some(dir.join("file-cache").display().to_string()),
        "ITCH_CACHE_PREFIX" => Some(prefix.to_owned()),
        "REDIS_HOST" | "REDIS_PORT" if test_server("ITCH_TEST_REDIS").is_some() => {
            let address = test_server("ITCH_TEST_REDIS")?;
            let (host, port) = address.rsplit_once(':')?;
            Some(if name == "REDIS_HOST" { host } else { port }.to_owned())
        }
        "MEMCACHE_SERVERS" => test_server("ITCH_TEST_MEMCACHE").or_else(|| test_server(name)),
        _ => test_server(name),
    }
}

/// Starts a fresh world on `port`, syncs the largest channel's followers with `cache`, and stops the world.
async fn phase(
    config: &MockConfig,
    port: u16,
    dir: &std::path::Path,
    archive: &Archive,
    cache: &Option<Arc<dyn Cache>>,
    full: bool,
) -> anyhow::Result<Phase> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let mock = MockServer::from_listener(listener, config.clone())?;
    let channel = mock.channels().remove(0);
    let mut client = common::broadcaster_client(&mock, &channel, dir)?;
    client.set_cache(cache.clone());
    let client = Arc::new(client);
    let login = itch::client::Login::parse(&channel.login)?;
    if full {
        archive
            .write("forgetting the hydration", |tx| {
                tx.execute(
                    "UPDATE users SET hydrated_at = NULL WHERE id IN (SELECT user_id FROM follows)",
                    [],
                )
            })
            .await?;
    }
    let before = counters(cache).await?;
    let started = Instant::now();
    let channels = itch::sync::resolve_channels(&client, std::slice::from_ref(&login)).await?;
    let report = itch::sync::sync_channels(
        client.clone(),
        archive.clone(),
        channels,
        SyncOptions {
            parts: [Part::Followers].into_iter().collect(),
            full,
            ..SyncOptions::default()
        },
        &Progress::hidden(),
    )
    .await?;
    let wall = started.elapsed();
    let summary = &report.channels[0];
    anyhow::ensure!(summary.error.is_none(), "sync failed: {:?}", summary.error);
    let after = counters(cache).await?;
    let requests = mock.stats().helix_requests;
    mock.shutdown().await;
    Ok(Phase {
        requests,
        wall,
        hits: after.hits - before.hits,
        lookups: (after.hits + after.misses) - (before.hits + before.misses),
    })
}

async fn counters(cache: &Option<Arc<dyn Cache>>) -> anyhow::Result<CacheStats> {
    let Some(cache) = cache.clone() else {
        return Ok(CacheStats::default());
    };
    Ok(tokio::task::spawn_blocking(move || cache.stats()).await??)
}
