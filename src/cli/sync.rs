//! `itch sync <login>...`: the main job. Checks the logins, takes the archive's lock, resolves the channels
//! (an unknown one stops everything before anything is written), syncs them and prints one summary line each.
//! Exit 1 when a channel failed (the others still completed).

use clap::Args;
use std::collections::{BTreeSet, HashSet};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::archive::Archive;
use crate::client::{Client, Login};
use crate::config::Config;
use crate::sync::lock::ArchiveLock;
use crate::sync::{self, Part, Progress, SyncOptions};

/// Archive channels: profile, followers, videos, live stream, chatters.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  itch sync burkeblack\n  itch sync --only followers,videos burkeblack lirik\n  itch sync --full burkeblack"
)]
pub struct SyncArgs {
    /// Channels to sync, by login.
    #[arg(required = true)]
    logins: Vec<String>,
    /// Only these parts (comma separated).
    #[arg(long, value_delimiter = ',', value_enum)]
    only: Vec<Part>,
    /// Walk the whole follower list and record unfollows (otherwise only new follows are fetched).
    #[arg(long)]
    full: bool,
    /// Walk the whole follower list at least this often, e.g. 7d, 12h, 30m.
    #[arg(long, default_value = "7d", value_parser = parse_duration)]
    full_every: Duration,
    /// Stop each list after this many items (for trials); such a walk does not count as complete.
    #[arg(long)]
    limit: Option<u64>,
    /// Channels synced at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Skip chat replay.
    #[arg(long)]
    no_chat: bool,
    /// Segments each VOD's chat is split into, fetched in parallel.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    chat_segments: u16,
    /// If another sync holds the archive, wait this many seconds for it (default: refuse at once).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    wait: u64,
}

pub async fn run(config: &Config, args: SyncArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let logins = args
        .logins
        .iter()
        .map(|l| Login::parse(l))
        .collect::<crate::Result<Vec<_>>>()?;
    let mut seen = HashSet::new();
    let logins: Vec<Login> = logins.into_iter().filter(|l| seen.insert(l.clone())).collect();
    crate::archive::db::check(&config.db)?;
    let lock = ArchiveLock::acquire(&config.db, Duration::from_secs(args.wait))?;
    let mut client = Client::new(config.client_config())?;
    // Resolve first: an unknown login stops the sync before the archive is created or changed.
    let channels = sync::resolve_channels(&client, &logins).await?;
    let archive = Archive::open(&config.db)?;
    client.set_cache(config.open_cache()?);
    let client = Arc::new(client);
    let parts: BTreeSet<Part> = if args.only.is_empty() {
        Part::ALL.into_iter().collect()
    } else {
        args.only.into_iter().collect()
    };
    let options = SyncOptions {
        parts,
        full: args.full,
        full_every: args.full_every,
        limit: args.limit,
        concurrency: args.concurrency,
        chat_segments: usize::from(args.chat_segments),
        command: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
    };
    let report = sync::sync_channels(client, archive, channels, options, &Progress::new(quiet)).await?;
    drop(lock);
    let mut notes = BTreeSet::new();
    for channel in &report.channels {
        println!("{channel}");
        notes.extend(channel.notes.iter().cloned());
    }
    for note in notes {
        eprintln!("note: {note}");
    }
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Parses `7d`, `12h`, `30m`, `45s` (one number and one unit).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let error = || format!("'{text}' is not a duration like 7d, 12h, 30m or 45s");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(error)?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| error())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(error()),
    };
    number.checked_mul(seconds).map(Duration::from_secs).ok_or_else(error)
}
