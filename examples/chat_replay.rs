//! Benchmark: download one VOD's chat replay from the in-process fake with 1, 4, 8 and 16 parallel segments and
//! with itch's default (marked), each into a fresh archive, and print wall time, requests, splits of the plan,
//! messages per second and peak RSS.
//!
//!   cargo run --release --example chat_replay -- --comments 200000 --latency-ms 20
//!   cargo run --release --example chat_replay -- --comments 200000 --latency-ms 0 --segments 8
//!
//! The fake runs in this process, so the peak RSS covers client, archive writer and fake together.

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

mod common;

use clap::Parser;
use itch::archive::{Archive, chat};
use itch::mock::{MockConfig, MockServer};
use itch::sync::chat::{ChatOutcome, download_chat};
use itch::sync::{Part, Progress, SyncOptions};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Comments of the VOD.
    #[arg(long, default_value_t = 200_000)]
    comments: u64,
    /// Per-request latency of the fake, in milliseconds.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Segment counts to try (itch's default is added when missing).
    #[arg(long, value_delimiter = ',', default_value = "1,4,8,16")]
    segments: Vec<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    let mock = MockServer::start(MockConfig {
        followers: 100,
        comments: args.comments,
        latency: Duration::from_millis(args.latency_ms),
        ..MockConfig::default()
    })
    .await?;
    let channel = mock.channels().remove(0);
    let video = mock
        .videos(&channel.login)
        .into_iter()
        .filter(|v| v.video_type == "archive" && !v.deleted)
        .max_by_key(|v| v.created_at.clone())
        .expect("the fake's largest channel has archives");
    println!(
        "VOD {} ({} s long, {} comments), fake latency {} ms",
        video.id, video.duration_seconds, video.comments, args.latency_ms
    );
    let default = SyncOptions::default().chat_segments;
    let mut counts = args.segments.clone();
    if !counts.contains(&default) {
        counts.push(default);
    }
    let mut single = None;
    for segments in counts {
        let dir = common::scratch_dir(&format!("chat{segments}"))?;
        let client = Arc::new(common::broadcaster_client(&mock, &channel, &dir)?);
        let archive = Archive::open(&dir.join("bench.db"))?;
        // The video's metadata first (the chat refers to it), as `itch sync --only videos` would.
        let channels = itch::sync::resolve_channels(&client, &[itch::client::Login::parse(&channel.login)?]).await?;
        let options = SyncOptions {
            parts: [Part::Videos].into_iter().collect(),
            ..SyncOptions::default()
        };
        itch::sync::sync_channels(client.clone(), archive.clone(), channels, options, &Progress::hidden()).await?;
        let id = video.id.clone();
        let target = archive
            .read("reading the video", move |c| chat::load_chat_video(c, &id))
            .await?
            .expect("video archived");

        let before = client.stats().requests;
        let planned =
            |c: &rusqlite::Connection| c.query_row("SELECT count(*) FROM chat_segments", [], |r| r.get::<_, i64>(0));
        let started = Instant::now();
        let outcome = download_chat(&client, &archive, &target, segments, None, &Default::default()).await?;
        let wall = started.elapsed().as_secs_f64();
        let ChatOutcome::Complete(messages) = outcome else {
            anyhow::bail!("chat unavailable")
        };
        anyhow::ensure!(
            messages == video.comments,
            "got {messages} of {} messages",
            video.comments
        );
        let stored = archive.read("counting segments", planned).await?;
        let baseline = *single.get_or_insert(wall);
        println!(
            "{segments:>2} segments{}: {wall:6.2} s, {:>5} requests, {:>3} splits, {:>7.0} messages/s, {:.1}x vs the first, peak RSS {} MB",
            if segments == default { " (default)" } else { "" },
            client.stats().requests - before,
            stored as usize - segments.min(video.duration_seconds.max(1) as usize),
            messages as f64 / wall,
            baseline / wall,
            common::peak_rss_mb()
        );
        std::fs::remove_dir_all(dir).ok();
    }
    Ok(())
}
