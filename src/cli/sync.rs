//! `itch sync <login>...`: the main job. Checks the logins, takes the archive's lock, resolves the channels
//! (an unknown one stops everything before anything is written), syncs them and prints one summary line each.
//! Exit 1 when a channel failed (the others still completed). `--every`/`--cron` keep it in the foreground,
//! syncing on a schedule. Ctrl-C or SIGTERM stops after the page in hand, cutting any wait (rate budget, 429,
//! backoff), and prints what each channel got so far (exit 130/143); a second one stops at once.

use clap::Args;
use std::collections::{BTreeSet, HashSet};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::archive::Archive;
use crate::client::{Client, Login};
use crate::config::Config;
use crate::sync::lock::ArchiveLock;
use crate::sync::run::RunStatus;
use crate::sync::schedule::Schedule;
use crate::sync::{self, Part, Progress, SyncOptions};

/// Archive channels: profile, followers, videos, live stream, chatters.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  itch sync burkeblack\n  itch sync --only followers,videos burkeblack lirik\n  itch sync --full burkeblack\n  itch sync --every 15m --jitter 30s burkeblack\n  itch sync --cron \"0 */15 * * * *\" burkeblack\n  itch sync --json burkeblack | jq .status"
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
    #[arg(long, default_value_t = crate::sync::chat::DEFAULT_SEGMENTS as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    chat_segments: u16,
    /// Hydrated follower accounts merged into the archive at a time while a walk goes on (0: at its end only).
    #[arg(long, hide = true, value_name = "ACCOUNTS", default_value_t = crate::sync::DEFAULT_ACCOUNT_RUN)]
    account_run: usize,
    /// If another sync holds the archive, wait this many seconds for it (default: refuse at once).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    wait: u64,
    /// Stay in the foreground and sync again this long after each run started, e.g. 15m.
    #[arg(long, value_parser = parse_duration, conflicts_with = "cron")]
    every: Option<Duration>,
    /// Stay in the foreground and sync on this cron schedule: six fields with seconds first
    /// ("0 */15 * * * *"), or the five-field crontab form.
    #[arg(long)]
    cron: Option<String>,
    /// Start each scheduled run up to this much later, at random, e.g. 30s (spreads many crawlers out).
    #[arg(long, value_parser = parse_duration, default_value = "0s")]
    jitter: Duration,
    /// Print one JSON object per channel on stdout instead of the summary line: its status, every part's
    /// outcome and the counts, stamped with the run's id and times (for cron wrappers and monitoring).
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Config, args: SyncArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let logins = args
        .logins
        .iter()
        .map(|l| Login::parse(l))
        .collect::<crate::Result<Vec<_>>>()?;
    let mut seen = HashSet::new();
    let logins: Vec<Login> = logins.into_iter().filter(|l| seen.insert(l.clone())).collect();
    let schedule = match (&args.every, &args.cron) {
        (Some(every), _) => Some(Schedule::every(*every)?),
        (None, Some(expression)) => Some(Schedule::cron(expression)?),
        (None, None) => None,
    };
    let jitter = Schedule::check_jitter(args.jitter)?;
    crate::archive::db::check(&config.db)?;
    let cancel = CancellationToken::new();
    let stop = super::signals::install(cancel.clone());
    let mut options = SyncOptions {
        parts: parts(&args),
        full: args.full,
        full_every: args.full_every,
        limit: args.limit,
        concurrency: args.concurrency,
        chat_segments: usize::from(args.chat_segments),
        account_run: args.account_run,
        command: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
        cancel: cancel.clone(),
    };
    let print = if args.json { Print::Json } else { Print::Lines };
    let Some(schedule) = schedule else {
        let failed = sync_once(config, &logins, &options, args.wait, quiet, print).await?;
        return Ok(exit_code(&stop, failed));
    };
    let print = match print {
        Print::Lines => Print::StampedLines,
        other => other,
    };
    loop {
        let started = Utc::now();
        match sync_once(config, &logins, &options, args.wait, quiet, print).await {
            Ok(_) => {}
            // A scheduled crawler keeps going: this run's error is logged, the next run tries again.
            Err(error) if stop.exit_code().is_none() => tracing::error!("sync failed: {error:#}"),
            Err(error) => return Err(error),
        }
        if let Some(code) = stop.exit_code() {
            return Ok(ExitCode::from(code));
        }
        let Some(next) = schedule.next_start(started, Utc::now(), jitter) else {
            eprintln!("the schedule never fires again");
            return Ok(exit_code(&stop, false));
        };
        eprintln!("next sync at {}", crate::archive::timestamp(next));
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = cancel.cancelled() => return Ok(ExitCode::from(stop.exit_code().unwrap_or(130))),
        }
        // A full walk is only forced on the first run; later runs follow --full-every.
        options.full = false;
    }
}

/// How the summaries are printed.
#[derive(Clone, Copy, Debug)]
enum Print {
    /// One line per channel, for people.
    Lines,
    /// One line per channel, stamped with the time the run finished: a scheduled crawler's output is a log.
    StampedLines,
    /// One JSON object per channel, for programs.
    Json,
}

/// A channel's summary as `--json` prints it: the run, its times, the channel's status and its summary's text
/// line, then the summary's own keys (those of `sync_runs.summary_json`).
#[derive(serde::Serialize)]
struct JsonSummary<'a> {
    run_id: i64,
    started_at: &'a str,
    finished_at: &'a str,
    status: RunStatus,
    line: String,
    #[serde(flatten)]
    channel: &'a sync::ChannelSummary,
}

/// One sync of every channel, under the archive's lock; prints the summaries. Returns true if a channel
/// failed.
async fn sync_once(
    config: &Config,
    logins: &[Login],
    options: &SyncOptions,
    wait: u64,
    quiet: bool,
    print: Print,
) -> anyhow::Result<bool> {
    let lock = ArchiveLock::acquire(&config.db, Duration::from_secs(wait))?;
    let mut client = Client::new(config.client_config())?;
    // Ctrl-C and SIGTERM cut the client's waits (rate budget, 429s, backoff) too, not only the page loops.
    client.set_cancel(options.cancel.clone());
    // Resolve first: an unknown login stops the sync before the archive is created or changed.
    let channels = match sync::resolve_channels(&client, logins).await {
        Err(crate::Error::Interrupted) => {
            let message = "stopped before any channel was synced, nothing written; the next sync starts afresh";
            match print {
                Print::Lines | Print::StampedLines => crate::outln!("{message}")?,
                // stdout holds only summaries.
                Print::Json => eprintln!("{message}"),
            }
            return Ok(false);
        }
        resolved => resolved?,
    };
    let archive = Archive::open(&config.db)?;
    client.set_cache(config.open_cache()?);
    let report = sync::sync_channels(
        Arc::new(client),
        archive,
        channels,
        options.clone(),
        &Progress::new(quiet),
    )
    .await?;
    drop(lock);
    let (mut notes, mut hints) = (BTreeSet::new(), BTreeSet::new());
    let finished_at = &report.finished_at;
    for channel in &report.channels {
        match print {
            Print::Lines => crate::outln!("{channel}")?,
            Print::StampedLines => crate::outln!("{finished_at} {channel}")?,
            Print::Json => {
                let summary = JsonSummary {
                    run_id: report.run_id,
                    started_at: &report.started_at,
                    finished_at,
                    status: channel.status(),
                    line: channel.to_string(),
                    channel,
                };
                crate::outln!("{}", serde_json::to_string(&summary)?)?;
            }
        }
        notes.extend(channel.notes.iter().cloned());
        hints.extend(channel.errors().filter_map(|e| super::hint(e.error())));
    }
    for note in notes {
        eprintln!("note: {note}");
    }
    // A failure's fix (a rotated GQL hash, an expired login) is said once, however many channels met it.
    for hint in hints {
        eprintln!("hint: {hint}");
    }
    Ok(report.failed())
}

fn parts(args: &SyncArgs) -> BTreeSet<Part> {
    let mut parts: BTreeSet<Part> = if args.only.is_empty() {
        Part::ALL.into_iter().collect()
    } else {
        args.only.iter().copied().collect()
    };
    if args.no_chat {
        parts.remove(&Part::Chat);
    }
    parts
}

/// The run's exit code (see [`sync::run::exit_code`]).
fn exit_code(stop: &super::signals::StopSignal, failed: bool) -> ExitCode {
    let status = RunStatus::of(stop.exit_code().is_some(), failed);
    ExitCode::from(sync::run::exit_code(status, stop.exit_code()))
}

/// Parses a duration as people write it: `7d`, `12h`, `30m`, `45s`, `2w`, `1h30m`, `1h 30m`, `15min`, `2 days`
/// (humantime's units). A bare number is refused: minutes or seconds would be a guess.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("'{text}' is not a duration like 7d, 12h, 1h30m, 15min or 45s ({e})"))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_are_taken_as_people_write_them() {
        for (text, seconds) in [
            ("7d", 7 * 86_400),
            ("12h", 43_200),
            ("30m", 1_800),
            ("45s", 45),
            ("2w", 14 * 86_400),
            ("0s", 0),
            ("1h30m", 5_400),
            ("1h 30m", 5_400),
            ("15min", 900),
            ("90 minutes", 5_400),
            ("2days", 2 * 86_400),
        ] {
            assert_eq!(parse_duration(text), Ok(Duration::from_secs(seconds)), "{text}");
        }
        for bad in ["", "15", "abc", "-5m", "7 parsecs", "99999999999999999999w"] {
            let error = parse_duration(bad).unwrap_err();
            assert!(
                error.contains(&format!("'{bad}'")) && error.contains("1h30m"),
                "{bad}: {error}"
            );
        }
    }
}
