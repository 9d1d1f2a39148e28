//! `itch chat <video-id>...`: archive individual VODs' chat (and the videos and their channels) by id, for
//! VODs of channels that are not synced, or to fetch one before Twitch deletes it. `itch chat --live
//! <login>...`: record channels' live chat over IRC as it is sent.

use clap::Args;
use std::process::ExitCode;
use std::time::Duration;

use crate::archive::Archive;
use crate::client::{Client, Login, VideoId};
use crate::config::Config;
use crate::sync::chat::ChatOutcome;
use crate::sync::live::{LiveOptions, record_live_run};
use crate::sync::lock::ArchiveLock;
use crate::sync::run::{RunStatus, exit_code};
use crate::sync::video_chat::{VideoChat, VideoChatOptions, archive_video_chat};

/// Archive the chat replay of VODs by id, or record channels' live chat.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  itch chat 2277158219\n  itch chat --chat-segments 8 2277158219 2276000001\n  itch chat --live burkeblack --for 4h"
)]
pub struct ChatArgs {
    /// Video ids (the number in https://www.twitch.tv/videos/<id>); with --live, channel logins.
    #[arg(required = true, value_name = "VIDEO_ID|LOGIN")]
    videos: Vec<String>,
    /// Record the channels' live chat over IRC (anonymously) until --for, --messages or Ctrl-C: messages, and
    /// subs, gifts, raids, announcements, timeouts, bans, deletions and room settings beside them.
    #[arg(long)]
    live: bool,
    /// With --live: stop after this long (e.g. 90m, 4h).
    #[arg(long = "for", value_name = "DURATION", value_parser = super::sync::parse_duration, requires = "live")]
    duration: Option<Duration>,
    /// With --live: stop once this many messages are stored.
    #[arg(long, requires = "live")]
    messages: Option<u64>,
    /// Segments each VOD's chat is split into, fetched in parallel.
    #[arg(long, default_value_t = crate::sync::chat::DEFAULT_SEGMENTS as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    chat_segments: u16,
    /// If another sync holds the archive, wait this many seconds for it (not used by --live, which runs beside
    /// syncs).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    wait: u64,
}

pub async fn run(config: &Config, args: ChatArgs) -> anyhow::Result<ExitCode> {
    if args.live {
        return run_live(config, args).await;
    }
    // The same rule as `itch report chatlog`: digits, `v123`, or the VOD's URL.
    let ids: Vec<VideoId> = args
        .videos
        .iter()
        .map(|v| VideoId::parse(v))
        .collect::<crate::Result<_>>()?;
    crate::archive::db::check(&config.db)?;
    let _lock = ArchiveLock::acquire(&config.db, Duration::from_secs(args.wait))?;
    let mut client = Client::new(config.client_config())?;
    // The videos are looked up through Helix: without a token to do it with, say so before an archive is created.
    client.token_user_id().await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let stop = super::signals::install(cancel.clone());
    let archive = Archive::open(&config.db)?;
    // The video and owner look-ups go through the response cache, as a sync's do (`--cache`).
    client.set_cache(config.open_cache()?);
    let options = VideoChatOptions {
        segments: usize::from(args.chat_segments),
        command: format!("chat {}", ids.iter().map(VideoId::as_str).collect::<Vec<_>>().join(" ")),
        cancel,
    };
    let status = archive_video_chat(&client, &archive, &ids, &options, print_video).await?;
    Ok(ExitCode::from(exit_code(status, stop.exit_code())))
}

/// One line per video: on stdout what was archived, on stderr what was not and why.
fn print_video(video: &VideoChat) -> crate::Result<()> {
    match (&video.outcome, &video.channel) {
        (Ok(ChatOutcome::Complete(messages)), Some((login, day))) => crate::outln!(
            "video {} ({login}, {day}): {messages} messages, {} requests",
            video.video,
            video.requests
        ),
        (Ok(ChatOutcome::Unavailable), Some((login, _))) => {
            crate::outln!("video {} ({login}): chat no longer available on Twitch", video.video)
        }
        (Ok(_), None) => Ok(()),
        (Err(error), _) => {
            super::print_error_line(&format!("video {}", video.video), error);
            Ok(())
        }
    }
}

/// `itch chat --live`: records until a limit or Ctrl-C, then prints one line per channel.
async fn run_live(config: &Config, args: ChatArgs) -> anyhow::Result<ExitCode> {
    let logins: Vec<Login> = args
        .videos
        .iter()
        .map(|l| Login::parse(l))
        .collect::<crate::Result<_>>()?;
    crate::archive::db::check(&config.db)?;
    // No archive lock: a recording lasts hours, and scheduled syncs must go on beside it. Its writes touch only
    // chat messages and partial users, once per id, and wait their turn for SQLite's write lock.
    let client = Client::new(config.client_config())?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let stop = super::signals::install(cancel.clone());
    let channels = crate::sync::resolve_channels(&client, &logins).await?;
    let archive = Archive::open(&config.db)?;
    let logins: Vec<String> = channels.iter().map(|(user, _)| user.login.clone()).collect();
    eprintln!("recording the live chat of {} (Ctrl-C stops)", logins.join(", "));
    let options = LiveOptions {
        duration: args.duration,
        max_messages: args.messages,
        cancel,
    };
    let command = format!("chat --live {}", args.videos.join(" "));
    let summary = record_live_run(&client, &archive, channels, &options, command).await?;
    for login in &logins {
        let stored = summary.messages.get(login).copied().unwrap_or(0);
        let events = summary.events.get(login).copied().unwrap_or(0);
        match summary.unavailable.get(login) {
            Some(why) => crate::outln!("{login}: {stored} live messages, {events} events (Twitch said: {why})")?,
            None => crate::outln!("{login}: {stored} live messages, {events} events")?,
        }
    }
    if summary.reconnects > 0 {
        eprintln!(
            "note: the chat connection was opened again {} time(s); each gap is in chat_gaps (itch report \
             chat-gaps), and a VOD's chat replay (itch sync) fills it",
            summary.reconnects
        );
    }
    let status = RunStatus::of(stop.exit_code().is_some(), false);
    Ok(ExitCode::from(exit_code(status, stop.exit_code())))
}
