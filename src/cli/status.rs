//! `itch status`: prints the archive's state ([`crate::report::status`]) as an aligned text view or as one JSON
//! object.

use bytesize::ByteSize;
use clap::{Args, ValueEnum};
use std::process::ExitCode;
use std::time::Duration;

use crate::config::Config;
use crate::report::status::{ArchiveStatus, ChannelStatus, WalkStatus, read_status};
use crate::sync::Part;

/// Show the archive's state: each channel's parts (last run, ok or failed, requests), the follower walk, what is
/// archived, and the file's size.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch status
  itch --db itch-demo.db status --format json | jq '.channels[] | {login, walk: .followers_walk.state}'
  itch status --full-every 1d")]
pub struct StatusArgs {
    /// text (for people) or json (one object: the archive, then `channels[]`).
    #[arg(long, value_enum, default_value = "text")]
    format: StatusFormat,
    /// The period of full follower walks the next-due time is counted with (as `itch sync --full-every`).
    #[arg(long, default_value = "7d", value_parser = super::sync::parse_duration)]
    full_every: Duration,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum StatusFormat {
    Text,
    Json,
}

/// Runs `itch status`.
pub async fn run(config: &Config, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let path = config.db.clone();
    let mut status = tokio::task::spawn_blocking(move || {
        let conn = crate::archive::open_read_only(&path)?;
        read_status(&conn, &path, args.full_every)
    })
    .await??;
    // In the order a sync runs them (parts of one run often start within the same second).
    for channel in &mut status.channels {
        channel
            .parts
            .sort_by_key(|p| Part::ALL.iter().position(|known| known.name() == p.part));
    }
    match args.format {
        StatusFormat::Json => crate::outln!("{}", serde_json::to_string_pretty(&status)?)?,
        StatusFormat::Text => print_text(&status)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(status: &ArchiveStatus) -> crate::Result<()> {
    crate::outln!(
        "{}: {} (write-ahead log {}, response cache {}), schema {}",
        status.path,
        ByteSize(status.bytes),
        ByteSize(status.wal_bytes),
        ByteSize(status.cache_bytes),
        status.schema_version
    )?;
    match &status.last_run {
        Some(run) => crate::outln!(
            "last run: #{} {} {} '{}'{}",
            run.id,
            run.status,
            run.started_at,
            run.command,
            run.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
        )?,
        None => crate::outln!("last run: none yet")?,
    }
    if status.channels.is_empty() {
        crate::outln!("no channels yet: `itch sync <login>` archives one")?;
    }
    for channel in &status.channels {
        crate::outln!()?;
        print_channel(channel)?;
    }
    Ok(())
}

fn print_channel(channel: &ChannelStatus) -> crate::Result<()> {
    crate::outln!("{} ({})", channel.login, channel.id)?;
    let width = channel.parts.iter().map(|p| p.part.len()).max().unwrap_or(0);
    for part in &channel.parts {
        let mut line = format!(
            "  {:width$}  {:11}  {}  {} request{}",
            part.part,
            part.status,
            part.started_at,
            part.requests,
            if part.requests == 1 { "" } else { "s" }
        );
        if part.status != "ok" {
            match &part.last_ok_at {
                Some(at) => line.push_str(&format!(", last ok {at}")),
                None => line.push_str(", never ok"),
            }
        }
        if let Some(error) = &part.error {
            line.push_str(&format!(": {error}"));
        }
        crate::outln!("{line}")?;
    }
    crate::outln!("  follower walk: {}", walk_line(&channel.followers_walk))?;
    let c = &channel.counts;
    crate::outln!(
        "  follows {} ({} gone), videos {} ({} deleted), chat messages {}, VODs with chat pending {}, live chat gaps {}",
        c.follows,
        c.follows_gone,
        c.videos,
        c.videos_deleted,
        c.chat_messages,
        c.vods_chat_pending,
        c.live_chat_gaps
    )
}

fn walk_line(walk: &WalkStatus) -> String {
    let mut line = match (walk.state, walk.walk) {
        ("in progress", Some(kind)) => {
            let of = walk.total.map(|t| format!(" of {t}")).unwrap_or_default();
            format!(
                "{kind} walk in progress since {}: {} pages, {} follows staged{of}; the next sync resumes it",
                walk.started_at.as_deref().unwrap_or("?"),
                walk.pages,
                walk.staged
            )
        }
        ("complete", _) => format!("complete {}", walk.last_complete_at.as_deref().unwrap_or("?")),
        _ => "never walked".to_owned(),
    };
    if let Some(full) = &walk.last_full_at {
        line.push_str(&format!(", last full walk {full}"));
    }
    match &walk.next_full_due {
        Some(due) => line.push_str(&format!(", next full walk due {due}")),
        None => line.push_str(", the next walk is full"),
    }
    line
}
