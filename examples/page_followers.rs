//! Benchmark: page a whole follower list from the fake Twitch through the real client, and print what it took.
//!
//!   cargo run --release --example page_followers -- --followers 1000000 --bucket 1000000000
//!   cargo run --release --example page_followers -- --followers 150000     # Twitch's 800 points a minute
//!   cargo run --release --example page_followers -- --helix-url http://127.0.0.1:8000/helix/   # another server
//!
//! The fake runs in this process on 127.0.0.1, so the peak RSS and CPU time printed cover client and fake
//! together; the fake's own share is its busy time (`busy_micros` of `/_mock/stats`, time spent answering). With
//! `--helix-url` the same client pages another server instead (`benches/peers/standin.py`, or `itch mock-api`),
//! which any token and client id must do; its share is read from its `/_mock/stats` when it has one.

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::client::helix::followers;
use itch::client::{Client, ClientConfig, Endpoints, StoredToken, TokenStore, UserId};
use itch::mock::{MockConfig, MockServer};
use itch::secret::Secret;
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
    /// Page this Helix base (e.g. `http://127.0.0.1:8000/helix/`) instead of an in-process fake; the fake's
    /// knobs above are then the server's business.
    #[arg(long)]
    helix_url: Option<String>,
    /// The broadcaster to page with `--helix-url`.
    #[arg(long, default_value = "1")]
    broadcaster_id: String,
}

/// The server's `/_mock/stats` counters this benchmark reads.
#[derive(Clone, Copy, Default)]
struct ServerStats {
    requests: u64,
    busy_micros: u64,
}

impl ServerStats {
    fn since(self, before: ServerStats) -> ServerStats {
        ServerStats {
            requests: self.requests - before.requests,
            busy_micros: self.busy_micros - before.busy_micros,
        }
    }
}

/// `GET {origin}/_mock/stats`, if the server has it.
async fn server_stats(http: &reqwest::Client, origin: &str) -> Option<ServerStats> {
    let v: serde_json::Value = http
        .get(format!("{origin}/_mock/stats"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    Some(ServerStats {
        requests: v["helix_requests"].as_u64()?,
        busy_micros: v["busy_micros"].as_u64()?,
    })
}

/// User and system CPU time of this process so far, in seconds (Linux, 100 ticks a second); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
}

/// A client for a server that takes any token: a made-up user token with the followers scope.
fn external_client(helix: &str, dir: &std::path::Path) -> anyhow::Result<Client> {
    let origin = origin_of(helix)?;
    let store = TokenStore::new(dir.join("token.json"));
    store.save(&StoredToken {
        client_id: "standin".to_owned(),
        refresh_token: None,
        access_token: Secret::new("standin-token".to_owned()),
        login: None,
        user_id: None,
        scopes: vec!["moderator:read:followers".to_owned()],
        expires_at: None,
    })?;
    Ok(Client::new(ClientConfig {
        endpoints: Endpoints::parse(helix, &format!("{origin}/oauth2/"), &format!("{origin}/gql"))?,
        client_id: Some("standin".to_owned()),
        client_secret: None,
        token_store: Some(store),
        ..ClientConfig::default()
    })?)
}

/// `http://host:port` of a URL.
fn origin_of(url: &str) -> anyhow::Result<String> {
    let u = url::Url::parse(url)?;
    Ok(u.origin().ascii_serialization())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let dir = common::scratch_dir("page")?;
    let mock = match &args.helix_url {
        Some(_) => None,
        None => Some(
            MockServer::start(MockConfig {
                followers: args.followers,
                bucket_size: args.bucket,
                refill_per_minute: args.refill,
                latency: std::time::Duration::from_millis(args.latency_ms),
                ..MockConfig::default()
            })
            .await?,
        ),
    };
    let (client, broadcaster, origin) = match (&mock, &args.helix_url) {
        (Some(mock), _) => {
            let channel = mock.channels().remove(0);
            let client = common::broadcaster_client(mock, &channel, &dir)?;
            (client, channel.id, mock.url())
        }
        (None, Some(helix)) => (
            external_client(helix, &dir)?,
            args.broadcaster_id.clone(),
            origin_of(helix)?,
        ),
        (None, None) => unreachable!("no fake without --helix-url"),
    };
    let http = reqwest::Client::new();
    let before = server_stats(&http, &origin).await;

    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut pager = followers::followers(&client, &UserId(broadcaster));
    let (mut count, mut total) = (0u64, 0u64);
    while let Some(page) = pager.next_page().await? {
        count += page.items.len() as u64;
        total = page.total.unwrap_or(total);
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let stats = client.stats();
    let server = match (before, server_stats(&http, &origin).await) {
        (Some(b), Some(a)) => Some(a.since(b)),
        _ => None,
    };
    println!(
        "server:           {}",
        args.helix_url.as_deref().unwrap_or("in-process fake")
    );
    println!("followers paged:  {count} of {total}");
    if mock.is_some() {
        println!(
            "bucket:           {} points, refill {} per minute, latency {} ms",
            args.bucket, args.refill, args.latency_ms
        );
        println!(
            "429s from fake:   {}",
            mock.as_ref().map_or(0, |m| m.stats().rate_limited)
        );
    }
    println!("requests:         {} ({} retries)", stats.requests, stats.retries);
    println!(
        "wall time:        {wall:.2} s ({:.0} followers/s, {:.1} requests/s)",
        count as f64 / wall,
        stats.requests as f64 / wall
    );
    let whose = if mock.is_some() {
        "client and fake"
    } else {
        "client only"
    };
    println!(
        "CPU time:         {cpu:.2} s ({whose}, {:.0}% of wall)",
        100.0 * cpu / wall
    );
    match server {
        Some(s) if s.requests > 0 => {
            let busy = s.busy_micros as f64 / 1e6;
            println!(
                "server busy:      {busy:.2} s ({:.0} us per request, {:.0}% of wall)",
                s.busy_micros as f64 / s.requests as f64,
                100.0 * busy / wall
            );
        }
        _ => println!("server busy:      unknown (no /_mock/stats)"),
    }
    let rss = if mock.is_some() {
        "client and fake together"
    } else {
        "client only"
    };
    println!("peak RSS:         {} MB ({rss})", common::peak_rss_mb());
    std::fs::remove_dir_all(dir).ok();
    anyhow::ensure!(count == total, "lost followers: {count} of {total}");
    Ok(())
}
