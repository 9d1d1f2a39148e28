//! Benchmark: sustained live chat. The fake Twitch runs in a child process (this example started again with
//! `--serve`), its rooms talking at `--rate` lines a second each; this process records `--rooms` of them at once
//! with `itch chat --live`'s code for `--seconds`, then prints what was stored against what the fake sent, the
//! recorder's memory over the run, and the write lag (server time to saved, whole seconds).
//!
//!   cargo run --release --example live_chat_load -- --rooms 5 --rate 2000 --seconds 60
//!
//! The fake is in its own process so the RSS figures are the recorder's alone. When the time is up the fake's
//! rooms go quiet first and the recording drains for two seconds, so every line sent was also delivered:
//! stored = sent is the goal.

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

// Only the RSS and scratch-dir helpers: the fake here is another process.
#[allow(dead_code)]
mod common;

use clap::Parser;
use itch::archive::Archive;
use itch::client::{Client, ClientConfig, Endpoints, Login};
use itch::mock::{MockConfig, MockServer};
use itch::secret::Secret;
use itch::sync::live::{LiveOptions, record_live_run};
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
struct Args {
    /// Rooms recorded at once (channels of the fake).
    #[arg(long, default_value_t = 5)]
    rooms: usize,
    /// Lines a second in each room.
    #[arg(long, default_value_t = 2000)]
    rate: u32,
    /// How long the rooms talk.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Run the fake Twitch only, printing its URLs (the child process).
    #[arg(long, hide = true)]
    serve: bool,
}

/// What the child prints once its fake is up: URLs, credentials, the rooms' logins.
struct Fake {
    helix: String,
    oauth: String,
    gql: String,
    irc: String,
    control: String,
    client_id: String,
    client_secret: String,
    logins: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    common::init_tracing();
    if args.serve {
        return serve(&args).await;
    }
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args([
            "--serve",
            "--rooms",
            &args.rooms.to_string(),
            "--rate",
            &args.rate.to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let fake = parse_ready(&line)?;
    let result = record(&args, &fake).await;
    drop(child.stdin.take()); // the child stops when its stdin closes
    child.wait()?;
    result
}

/// The child: the fake Twitch with `--rooms` channels talking at `--rate`, until stdin closes.
async fn serve(args: &Args) -> anyhow::Result<()> {
    let mock = MockServer::start(MockConfig {
        channels: args.rooms.max(3),
        followers: 1_000,
        irc_rate: args.rate,
        ..MockConfig::default()
    })
    .await?;
    let logins: Vec<String> = mock.channels().into_iter().take(args.rooms).map(|c| c.login).collect();
    println!(
        "READY {} {} {} {} {} {} {} {}",
        mock.helix_url(),
        mock.oauth_url(),
        mock.gql_url(),
        mock.irc_url(),
        mock.url(),
        mock.client_id(),
        mock.client_secret(),
        logins.join(",")
    );
    std::io::stdout().flush()?;
    tokio::task::spawn_blocking(|| std::io::stdin().lock().lines().count()).await?;
    Ok(())
}

fn parse_ready(line: &str) -> anyhow::Result<Fake> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [
        "READY",
        helix,
        oauth,
        gql,
        irc,
        control,
        client_id,
        client_secret,
        logins,
    ] = words.as_slice()
    else {
        anyhow::bail!("the fake did not start: {line:?}");
    };
    Ok(Fake {
        helix: helix.to_string(),
        oauth: oauth.to_string(),
        gql: gql.to_string(),
        irc: irc.to_string(),
        control: control.to_string(),
        client_id: client_id.to_string(),
        client_secret: client_secret.to_string(),
        logins: logins.split(',').map(str::to_owned).collect(),
    })
}

/// VmRSS from /proc/self/status in MB (Linux); 0 elsewhere.
fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

async fn record(args: &Args, fake: &Fake) -> anyhow::Result<()> {
    let client = Client::new(ClientConfig {
        endpoints: Endpoints::parse(&fake.helix, &fake.oauth, &fake.gql)?.with_irc(&fake.irc)?,
        client_id: Some(fake.client_id.clone()),
        client_secret: Some(Secret::new(fake.client_secret.clone())),
        ..ClientConfig::default()
    })?;
    let logins: Vec<Login> = fake
        .logins
        .iter()
        .map(|l| Login::parse(l))
        .collect::<itch::Result<_>>()?;
    let channels = itch::sync::resolve_channels(&client, &logins).await?;
    let dir = common::scratch_dir("live")?;
    let path = dir.join("itch.db");
    let archive = Archive::open(&path)?;
    let cancel = CancellationToken::new();
    let options = LiveOptions {
        duration: None,
        max_messages: None,
        cancel: cancel.clone(),
    };
    println!(
        "{} rooms at {} lines/s each ({} lines/s) for {} s, fake in its own process",
        args.rooms,
        args.rate,
        args.rooms as u64 * u64::from(args.rate),
        args.seconds
    );
    let started = Instant::now();
    let recording = record_live_run(&client, &archive, channels, &options, "live_chat_load".into());
    let timeline = async {
        let mut samples = Vec::new();
        let end = Duration::from_secs(args.seconds);
        while started.elapsed() < end {
            tokio::time::sleep(Duration::from_secs(5).min(end.saturating_sub(started.elapsed()))).await;
            samples.push((started.elapsed().as_secs(), rss_mb()));
        }
        // Rooms go quiet, what is in flight is read and saved, then the recording stops.
        let http = reqwest::Client::new();
        http.post(format!("{}/_mock/irc", fake.control))
            .body(r#"{"quiet":true}"#)
            .send()
            .await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        cancel.cancel();
        let sent: serde_json::Value = http
            .get(format!("{}/_mock/irc", fake.control))
            .send()
            .await?
            .json()
            .await?;
        anyhow::Ok((samples, sent))
    };
    let (summary, timeline) = tokio::join!(recording, timeline);
    let (summary, (samples, sent)) = (summary?, timeline?);
    print_figures(&path, &sent, &summary, &samples)?;
    println!(
        "recorder peak RSS {} MB; {} reconnects",
        common::peak_rss_mb(),
        summary.reconnects
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn print_figures(
    path: &std::path::Path,
    sent: &serde_json::Value,
    summary: &itch::sync::live::LiveSummary,
    samples: &[(u64, u64)],
) -> anyhow::Result<()> {
    let total = |field: &str| -> u64 {
        sent["sent"]
            .as_object()
            .map_or(0, |rooms| rooms.values().map(|r| r[field].as_u64().unwrap_or(0)).sum())
    };
    let conn = itch::archive::open_read_only(path)?;
    let count = |sql: &str| -> rusqlite::Result<i64> { conn.query_row(sql, [], |r| r.get(0)) };
    let privmsg = count("SELECT count(*) FROM chat_messages WHERE id NOT IN (SELECT id FROM chat_events)")?;
    let events = count("SELECT count(*) FROM chat_events")?;
    let moderation = count("SELECT count(*) FROM chat_moderation")?;
    println!(
        "chat messages: {privmsg} stored of {} sent; events: {events} of {}; moderation: {moderation} of {}",
        total("privmsg"),
        total("usernotice"),
        total("clearchat") + total("clearmsg")
    );
    println!(
        "stored per room: {:?}",
        summary.messages.values().copied().collect::<Vec<_>>()
    );
    let lag = |quantile: f64| -> rusqlite::Result<i64> {
        conn.query_row(
            "SELECT CAST(round((julianday(first_seen_at) - julianday(created_at)) * 86400) AS INTEGER) AS lag
             FROM chat_messages ORDER BY lag LIMIT 1 OFFSET (SELECT CAST(count(*) * ?1 AS INTEGER) FROM chat_messages)",
            [quantile.min(0.999_999)],
            |r| r.get(0),
        )
    };
    println!(
        "write lag (server time to saved, whole seconds): median {} s, p99 {} s, max {} s",
        lag(0.5)?,
        lag(0.99)?,
        lag(1.0)?
    );
    let rss: Vec<String> = samples.iter().map(|(t, mb)| format!("{t}s {mb} MB")).collect();
    println!("recorder RSS over the run: {}", rss.join(", "));
    Ok(())
}
