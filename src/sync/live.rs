//! Live chat: channels' chat read over IRC as it is sent, until a time limit, a message count or Ctrl-C. Every
//! line about a room is kept: messages in `chat_messages` (`source = 'live'`), and subs, raids, moderation,
//! room settings and notices in their tables (see [`super::live_batch`]). One connection reads every channel;
//! a writer saves whatever has queued up every fifth of a second, waiting its turn when a sync is writing to
//! the same archive. When Twitch asks to reconnect, or a connection that worked drops, the next one opens at
//! once; only connections that fail in a row back off, and give up after [`MAX_FAILURES`]. What was said
//! between two connections is not seen (IRC has no replay): each such hole is recorded in `chat_gaps`, and the
//! VOD's chat replay, fetched by `itch sync`, fills it under the same message ids.

use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use super::live_batch::LiveSummary;
use super::live_batch::{LiveBatch, OpenGaps, Rooms};
use super::run::{Run, RunStatus};
use crate::archive::Archive;
use crate::archive::users as archive_users;
use crate::client::helix::users::User;
use crate::client::irc::{self, Ended, LiveEvent};
use crate::client::{Client, Login};
use crate::error::{Error, Result};

/// When to stop reading.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Stop once this many messages are stored.
    pub max_messages: Option<u64>,
    /// Ctrl-C / SIGTERM: stop reading, save what was read.
    pub cancel: CancellationToken,
}

/// Records the live chat of `channels` in a run of its own (`command` is what ran, for the record): the
/// channels are archived first, then [`record_live_chat`] reads until `options` says stop.
pub async fn record_live_run(
    client: &Client,
    archive: &Archive,
    channels: Vec<(User, serde_json::Value)>,
    options: &LiveOptions,
    command: String,
) -> Result<LiveSummary> {
    let run = Run::start(archive, client, command).await?;
    let (saved, stamp) = (channels.clone(), run.stamp());
    archive
        .write("saving channels", move |tx| {
            archive_users::save_users(tx, &saved, &stamp)
        })
        .await?;
    let users: Vec<User> = channels.into_iter().map(|(user, _)| user).collect();
    let outcome = record_live_chat(client, archive, &users, options, Some(run.id())).await;
    let (status, error) = match &outcome {
        Ok(_) => (RunStatus::of(options.cancel.is_cancelled(), false), None),
        Err(error) => (RunStatus::Failed, Some(crate::error::display_chain(error))),
    };
    run.finish(client, status, "[]".into(), error).await?;
    outcome
}

/// Connection attempts in a row that may fail before the recording gives up. Twitch's RECONNECT is not a
/// failure, nor is a connection that was read and then dropped: only connections that never got as far as
/// joining a room count.
const MAX_FAILURES: u32 = 5;

/// Records the live chat of `channels` (already in the archive) until `options` says stop.
pub async fn record_live_chat(
    client: &Client,
    archive: &Archive,
    channels: &[User],
    options: &LiveOptions,
    run: Option<i64>,
) -> Result<LiveSummary> {
    let logins: Vec<Login> = channels.iter().map(|c| Login::parse(&c.login)).collect::<Result<_>>()?;
    let rooms = Rooms::new(channels);
    let stop = options.cancel.child_token();
    if let Some(duration) = options.duration {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            stop.cancel();
        });
    }
    let (events, queue) = mpsc::channel(QUEUE);
    let endpoint = client.endpoints().irc.clone();
    let read = read_until_stopped(endpoint, logins, events, stop.clone());
    let write = save_live(archive, &rooms, queue, options.max_messages, &stop, run);
    let (read, stored) = tokio::join!(read, write);
    read?;
    stored
}

/// The reader: one connection after another until `stop`; each end of a connection is told to the writer
/// ([`LiveEvent::Lost`]) so it can record the gap.
async fn read_until_stopped(
    endpoint: irc::IrcEndpoint,
    logins: Vec<Login>,
    events: mpsc::Sender<LiveEvent>,
    stop: CancellationToken,
) -> Result<()> {
    let (mut failures, mut delivered, mut seen) = (0u32, 0u64, 0u64);
    loop {
        let reason = match irc::read_live_chat(&endpoint, &logins, &events, &mut delivered, &stop).await {
            Ok(Ended::Stopped) => return Ok(()),
            Err(_) if stop.is_cancelled() => return Ok(()),
            Ok(Ended::Reconnect) => {
                // A RECONNECT before anything was read (not even our JOIN) is no progress: back off as after a
                // failure, so a server that keeps refusing is not hammered, but never give up for it.
                failures = if delivered > seen {
                    0
                } else {
                    (failures + 1).min(MAX_FAILURES)
                };
                "Twitch asked to reconnect".to_owned()
            }
            Err(error) => {
                // A connection that read something was a good one: count failures in a row only.
                failures = if delivered > seen { 0 } else { failures + 1 };
                if failures > MAX_FAILURES {
                    return Err(error);
                }
                tracing::warn!(%error, "live chat connection lost; reconnecting");
                crate::error::display_chain(&error)
            }
        };
        seen = delivered;
        let lost = LiveEvent::Lost {
            at: chrono::Utc::now(),
            reason,
        };
        if events.send(lost).await.is_err() {
            return Ok(()); // the writer stopped (message limit)
        }
        if failures > 0 {
            let backoff = Duration::from_secs(1 << (failures - 1).min(5));
            tokio::select! {
                () = stop.cancelled() => return Ok(()),
                () = tokio::time::sleep(backoff) => {}
            }
        }
    }
}

/// How long the writer lets events gather between two saves.
const GATHER: Duration = Duration::from_millis(200);

/// Events the reader may be ahead of the writer (a few seconds of a very busy chat; then reading waits, and
/// Twitch's own buffer holds the rest).
const QUEUE: usize = 32_768;

/// The writer: saves queued events in batches until the reader hangs up; stops the reader once `max`
/// messages are stored.
async fn save_live(
    archive: &Archive,
    rooms: &Rooms,
    mut queue: mpsc::Receiver<LiveEvent>,
    max: Option<u64>,
    stop: &CancellationToken,
    run: Option<i64>,
) -> Result<LiveSummary> {
    let mut summary = LiveSummary {
        messages: rooms.logins().map(|login| (login.to_owned(), 0)).collect(),
        ..LiveSummary::default()
    };
    let mut gaps = OpenGaps::default();
    let mut events = Vec::new();
    let mut last_save = tokio::time::Instant::now();
    while queue.recv_many(&mut events, 1024).await > 0 {
        // Let a fifth of a second's worth gather: one transaction for a busy chat, not one per message. A save
        // that took that long already gathered the next batch: waiting more would only fall behind.
        tokio::time::sleep_until(last_save + GATHER).await;
        last_save = tokio::time::Instant::now();
        while let Ok(event) = queue.try_recv() {
            events.push(event);
        }
        let total: u64 = summary.messages.values().sum();
        let left = max.map(|max| max.saturating_sub(total));
        let batch = LiveBatch::of(events.drain(..), rooms, &mut gaps, left);
        batch.count(&mut summary);
        save_batch(archive, batch, run).await?;
        if max.is_some_and(|max| summary.messages.values().sum::<u64>() >= max) {
            stop.cancel();
            break;
        }
    }
    Ok(summary)
}

/// How long a batch may wait for the archive while another process (a scheduled `itch sync`) writes to it.
const BUSY_PATIENCE: Duration = Duration::from_secs(600);

/// Saves one batch. A recording runs for hours and holds no lock on the archive, so a sync can hold SQLite's
/// write lock for longer than the busy timeout (a large follower merge): then the batch waits and tries again
/// rather than losing what was read.
async fn save_batch(archive: &Archive, batch: LiveBatch, run: Option<i64>) -> Result<()> {
    let started = std::time::Instant::now();
    let batch = std::sync::Arc::new(batch);
    loop {
        let saved = {
            let batch = batch.clone();
            archive.write("saving live chat", move |tx| batch.save(tx, run)).await
        };
        match saved {
            Err(Error::Database { source, .. })
                if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_PATIENCE =>
            {
                tracing::info!("the archive is busy (another itch writing); live chat waits");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            other => return other,
        }
    }
}
