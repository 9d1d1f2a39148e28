//! Live chat: channels' chat read over IRC as it is sent, into `chat_messages` (`source = 'live'`), until a
//! time limit, a message count or Ctrl-C. One connection reads every channel; a writer saves whatever has
//! queued up every fifth of a second, waiting its turn when a sync is writing to the same archive. A dropped connection is opened again with backoff; what was said while it
//! was down is not seen (IRC has no replay; the VOD's chat replay, fetched by `itch sync`, has it).

use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::chat::{BadgeJson, EmoteJson, FragmentJson, to_json};
use super::run::{Run, RunStatus};
use crate::archive::chat::{self, ChatMessage};
use crate::archive::users as archive_users;
use crate::archive::{Archive, Timestamp, timestamp};
use crate::client::helix::users::User;
use crate::client::irc::{self, LiveMessage};
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

/// What a recording came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveSummary {
    /// Messages stored per channel login.
    pub messages: HashMap<String, u64>,
    /// Connections that dropped and were opened again (each a gap in the log).
    pub reconnects: u32,
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

/// Connection attempts in a row that may fail before the recording gives up.
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
    let ids: HashMap<String, String> = channels.iter().map(|c| (c.login.clone(), c.id.to_string())).collect();
    let stop = options.cancel.child_token();
    if let Some(duration) = options.duration {
        let stop = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(duration).await;
            stop.cancel();
        });
    }
    let (messages, queue) = mpsc::channel(4096);
    let endpoint = client.endpoints().irc.clone();
    let read = {
        let stop = stop.clone();
        async move {
            let mut reconnects = 0u32;
            let (mut failures, mut delivered, mut seen) = (0u32, 0u64, 0u64);
            loop {
                let error = match irc::read_live_chat(&endpoint, &logins, &messages, &mut delivered, &stop).await {
                    Ok(()) => return Ok(reconnects),
                    Err(_) if stop.is_cancelled() => return Ok(reconnects),
                    Err(error) => error,
                };
                // A connection that delivered something was a good one: count failures in a row only.
                failures = if delivered > seen { 1 } else { failures + 1 };
                seen = delivered;
                if failures > MAX_FAILURES {
                    return Err(error);
                }
                tracing::warn!(%error, "live chat connection lost; reconnecting");
                reconnects += 1;
                let backoff = Duration::from_secs(1 << (failures - 1).min(5));
                tokio::select! {
                    () = stop.cancelled() => return Ok(reconnects),
                    () = tokio::time::sleep(backoff) => {}
                }
            }
        }
    };
    let write = save_live(archive, &ids, queue, options.max_messages, &stop, run);
    let (reconnects, stored) = tokio::join!(read, write);
    let messages = stored?;
    Ok(LiveSummary {
        messages,
        reconnects: reconnects?,
    })
}

/// The writer: saves queued messages in batches until the reader hangs up; stops the reader at `max`.
async fn save_live(
    archive: &Archive,
    ids: &HashMap<String, String>,
    mut queue: mpsc::Receiver<LiveMessage>,
    max: Option<u64>,
    stop: &CancellationToken,
    run: Option<i64>,
) -> Result<HashMap<String, u64>> {
    let mut stored: HashMap<String, u64> = ids.keys().map(|login| (login.clone(), 0)).collect();
    let mut total = 0u64;
    let mut batch = Vec::new();
    while queue.recv_many(&mut batch, 1024).await > 0 {
        // Let a fifth of a second's worth gather: one transaction for a busy chat, not one per message.
        tokio::time::sleep(Duration::from_millis(200)).await;
        while let Ok(message) = queue.try_recv() {
            batch.push(message);
        }
        if let Some(max) = max {
            batch.truncate(max.saturating_sub(total) as usize);
        }
        let mut by_channel: HashMap<String, Vec<(ChatMessage, Timestamp)>> = HashMap::new();
        let at = Timestamp::now();
        for message in batch.drain(..) {
            if ids.contains_key(&message.channel) {
                let channel = message.channel.clone();
                by_channel.entry(channel).or_default().push((row(message), at.clone()));
            }
        }
        for (login, messages) in by_channel {
            let count = messages.len() as u64;
            save_batch(archive, &ids[&login], messages, run).await?;
            *stored.entry(login).or_default() += count;
            total += count;
        }
        if max.is_some_and(|max| total >= max) {
            stop.cancel();
        }
    }
    Ok(stored)
}

/// How long a batch may wait for the archive while another process (a scheduled `itch sync`) writes to it.
const BUSY_PATIENCE: Duration = Duration::from_secs(600);

/// Saves one channel's batch. A recording runs for hours and holds no lock on the archive, so a sync can
/// hold SQLite's write lock for longer than the busy timeout (a large follower merge): then the batch waits
/// and tries again rather than losing what was read.
async fn save_batch(
    archive: &Archive,
    broadcaster: &str,
    messages: Vec<(ChatMessage, Timestamp)>,
    run: Option<i64>,
) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        let (broadcaster, batch) = (broadcaster.to_owned(), messages.clone());
        let saved = archive
            .write("saving live chat", move |tx| {
                chat::save_live_messages(tx, &broadcaster, &batch, run)
            })
            .await;
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

/// A live message as the archive stores it: the IRC line verbatim in `raw_json` (`{"irc": line}`), the parts
/// reports use in columns, fragments rebuilt from the emote positions.
fn row(message: LiveMessage) -> ChatMessage {
    let chars: Vec<char> = message.text.chars().collect();
    let mut fragments = Vec::new();
    let mut at = 0;
    for (id, first, last) in &message.emotes {
        if *first < at || *last >= chars.len() || first > last {
            continue; // overlapping or out of range: Twitch's positions do not fit this text
        }
        if *first > at {
            fragments.push((None, chars[at..*first].iter().collect::<String>()));
        }
        fragments.push((Some(id.as_str()), chars[*first..=*last].iter().collect()));
        at = last + 1;
    }
    if at < chars.len() || fragments.is_empty() {
        fragments.push((None, chars[at..].iter().collect()));
    }
    let fragments: Vec<FragmentJson<'_>> = fragments
        .iter()
        .map(|(emote_id, text)| FragmentJson {
            emote_id: *emote_id,
            text: Some(text),
        })
        .collect();
    let emotes: Vec<EmoteJson> = message
        .emotes
        .iter()
        .map(|(id, first, last)| EmoteJson {
            begin: Some(*first as i64),
            end: Some(*last as i64),
            id: id.clone(),
        })
        .collect();
    let badges: Vec<BadgeJson<'_>> = message
        .badges
        .iter()
        .map(|(set_id, version)| BadgeJson { set_id, version })
        .collect();
    let (fragments_json, emotes_json, badges_json) = (to_json(&fragments), to_json(&emotes), to_json(&badges));
    ChatMessage {
        raw_json: to_json(&serde_json::json!({ "irc": message.line })),
        id: message.id,
        user_login: Some(message.login),
        user_id: message.user_id,
        user_name: message.display_name,
        offset_seconds: None,
        created_at: timestamp(message.sent_at),
        created_at_corrected: false,
        text: message.text,
        fragments_json,
        emotes_json,
        badges_json,
        color: message.color,
    }
}
