//! `itch chat <video-id>...`: archive individual VODs' chat (and the videos and their channels) by id, for
//! VODs of channels that are not synced, or to fetch one before Twitch deletes it. `itch chat --live
//! <login>...`: record channels' live chat over IRC as it is sent.

use clap::Args;
use std::process::ExitCode;
use std::time::Duration;

use crate::archive::{Archive, chat as archive_chat, runs, users as archive_users, videos as archive_videos};
use crate::client::helix::{users, videos};
use crate::client::{Client, Login, UserId, VideoId, metered};
use crate::config::Config;
use crate::sync::chat::{ChatOutcome, download_chat};
use crate::sync::live::{LiveOptions, record_live_chat};
use crate::sync::lock::ArchiveLock;

/// Archive the chat replay of VODs by id, or record channels' live chat.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  itch chat 2277158219\n  itch chat --chat-segments 8 2277158219 2276000001\n  itch chat --live burkeblack --for 4h"
)]
pub struct ChatArgs {
    /// Video ids (the number in https://www.twitch.tv/videos/<id>); with --live, channel logins.
    #[arg(required = true, value_name = "VIDEO_ID|LOGIN")]
    videos: Vec<String>,
    /// Record the channels' live chat over IRC (anonymously) until --for, --messages or Ctrl-C.
    #[arg(long)]
    live: bool,
    /// With --live: stop after this long (e.g. 90m, 4h).
    #[arg(long = "for", value_name = "DURATION", value_parser = super::sync::parse_duration, requires = "live")]
    duration: Option<Duration>,
    /// With --live: stop once this many messages are stored.
    #[arg(long, requires = "live")]
    messages: Option<u64>,
    /// Segments each VOD's chat is split into, fetched in parallel.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
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
    let video_ids: Vec<String> = args
        .videos
        .iter()
        .map(|v| crate::report::parse_video_id(v))
        .collect::<crate::Result<_>>()?;
    crate::archive::db::check(&config.db)?;
    let _lock = ArchiveLock::acquire(&config.db, Duration::from_secs(args.wait))?;
    let client = Client::new(config.client_config())?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let stop = super::signals::install(cancel.clone());
    let ids: Vec<VideoId> = video_ids.iter().map(|v| VideoId(v.clone())).collect();
    let found = videos::fetch_videos_by_id(&client, &ids).await?;
    let missing: Vec<&str> = video_ids
        .iter()
        .filter(|id| !found.iter().any(|(v, _)| v.id.as_str() == id.as_str()))
        .map(String::as_str)
        .collect();
    if found.is_empty() {
        anyhow::bail!("no such video on Twitch: {} (deleted or expired?)", missing.join(", "));
    }
    let owners: Vec<UserId> = found.iter().map(|(v, _)| v.user_id.clone()).collect();
    let owners = users::fetch_users_by_id(&client, &owners).await?;

    let archive = Archive::open(&config.db)?;
    let (command, at) = (format!("chat {}", video_ids.join(" ")), crate::sync::now());
    let run = archive
        .write("starting a run", move |tx| runs::save_run_start(tx, &command, &at))
        .await?;
    let at = crate::sync::now();
    let saved = found.clone();
    archive
        .write("saving videos", move |tx| {
            archive_users::save_users(tx, &owners, &at, run)?;
            archive_videos::save_videos(tx, &saved, &at, run).map(|_| ())
        })
        .await?;

    let mut failed = !missing.is_empty();
    for id in &missing {
        eprintln!("video {id}: not found on Twitch (deleted or expired?)");
    }
    for (video, _) in &found {
        let key = video.id.to_string();
        let chat_video = archive
            .read("reading a video", move |c| archive_chat::load_chat_video(c, &key))
            .await?
            .expect("just saved");
        let (outcome, requests) = metered(download_chat(
            &client,
            &archive,
            &chat_video,
            usize::from(args.chat_segments),
            Some(run),
            &cancel,
        ))
        .await;
        match outcome {
            Ok(ChatOutcome::Complete(messages)) => crate::outln!(
                "video {} ({}, {}): {messages} messages, {requests} requests",
                video.id,
                video.user_login,
                video.created_at.date_naive()
            )?,
            Ok(ChatOutcome::Unavailable) => {
                failed = true;
                crate::outln!(
                    "video {} ({}): chat no longer available on Twitch",
                    video.id,
                    video.user_login
                )?;
            }
            Err(error) => {
                failed = true;
                eprintln!("video {}: {}", video.id, crate::error::display_chain(&error));
                if let Some(hint) = error.hint() {
                    eprintln!("hint: {hint}");
                }
            }
        }
    }
    let end = runs::RunEnd {
        status: if stop.exit_code().is_some() {
            "interrupted"
        } else if failed {
            "failed"
        } else {
            "ok"
        },
        requests: client.stats().requests,
        summary_json: "[]".into(),
        error: None,
    };
    let at = crate::sync::now();
    archive
        .write("finishing the run", move |tx| runs::save_run_end(tx, run, &end, &at))
        .await?;
    Ok(match stop.exit_code() {
        Some(code) => ExitCode::from(code),
        None if failed => ExitCode::from(1),
        None => ExitCode::SUCCESS,
    })
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
    let (command, at) = (format!("chat --live {}", args.videos.join(" ")), crate::sync::now());
    let run = archive
        .write("starting a run", move |tx| runs::save_run_start(tx, &command, &at))
        .await?;
    let (saved, at) = (channels.clone(), crate::sync::now());
    archive
        .write("saving channels", move |tx| {
            archive_users::save_users(tx, &saved, &at, run)
        })
        .await?;
    let users: Vec<_> = channels.into_iter().map(|(user, _)| user).collect();
    eprintln!(
        "recording the live chat of {} (Ctrl-C stops)",
        users.iter().map(|u| u.login.as_str()).collect::<Vec<_>>().join(", ")
    );
    let options = LiveOptions {
        duration: args.duration,
        max_messages: args.messages,
        cancel,
    };
    let outcome = record_live_chat(&client, &archive, &users, &options, Some(run)).await;
    let (status, error) = match &outcome {
        Ok(summary) => {
            for user in &users {
                let stored = summary.messages.get(&user.login).copied().unwrap_or(0);
                crate::outln!("{}: {stored} live messages", user.login)?;
            }
            if summary.reconnects > 0 {
                eprintln!(
                    "note: the chat connection dropped {} time(s); messages sent while it was down are not in the log",
                    summary.reconnects
                );
            }
            (
                if stop.exit_code().is_some() {
                    "interrupted"
                } else {
                    "ok"
                },
                None,
            )
        }
        Err(error) => ("failed", Some(crate::error::display_chain(error))),
    };
    let end = runs::RunEnd {
        status,
        requests: client.stats().requests,
        summary_json: "[]".into(),
        error,
    };
    let at = crate::sync::now();
    archive
        .write("finishing the run", move |tx| runs::save_run_end(tx, run, &end, &at))
        .await?;
    outcome?;
    Ok(stop.exit_code().map_or(ExitCode::SUCCESS, ExitCode::from))
}
