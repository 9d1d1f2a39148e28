//! Chat replay, before Twitch deletes it: each archive VOD whose chat is not complete is downloaded in time
//! segments fetched in parallel (each seeks by offset, then pages by cursor until it passes its end; the last
//! runs to the end, since a VOD can be longer than its reported length), stored once per message id. Every page
//! is committed with its segment's cursor, so an interrupted download resumes each segment where it stopped.

use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::archive::chat::{self, ChatMessage, ChatPage, ChatVideo, Segment};
use crate::archive::{Archive, Timestamp, timestamp};
use crate::client::Client;
use crate::client::gql::comments::{self, Comment, From};
use crate::error::{Error, Result};

/// What downloading one VOD's chat came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatOutcome {
    /// Every segment finished; the VOD has this many messages archived.
    Complete(u64),
    /// Twitch no longer has the VOD.
    Unavailable,
}

/// Splits `[0, duration)` into `segments` parts; the last one is open-ended.
pub fn plan_segments(duration_seconds: u64, segments: usize) -> Vec<Segment> {
    let count = if duration_seconds == 0 {
        1
    } else {
        segments.clamp(1, duration_seconds as usize) as u64
    };
    let chunk = duration_seconds.div_ceil(count).max(1);
    (0..count)
        .map(|i| Segment {
            segment: i as i64,
            start: i * chunk,
            end: (i + 1 < count).then(|| (i + 1) * chunk),
            cursor: None,
            done: false,
        })
        .collect()
}

/// Pages saved in one transaction at most, and pages that may wait for the writer: enough to make commits (and
/// the FTS index's flushes) rare when the writer falls behind (64 costs a fifth more time than 128 at 200,000
/// messages), few enough that a transaction stays short and the queue small (about 10,000 messages).
const PAGES_PER_COMMIT: usize = 128;

/// Downloads (or resumes) the chat of one VOD into the archive. The segments fetch in parallel and hand their
/// pages to one writer, which saves whatever has queued up in a single transaction, each page with its
/// segment's cursor: fetching never waits on the disk, and the disk never waits on one request.
pub async fn download_chat(
    client: &Client,
    archive: &Archive,
    video: &ChatVideo,
    segments: usize,
    run: Option<i64>,
    cancel: &CancellationToken,
) -> Result<ChatOutcome> {
    // Every comment whose `createdAt` is impossible is dated from the video's start: a guess ("now") would
    // mis-date them all, so a start that does not parse stops here, before anything is written.
    let video_start: DateTime<Utc> = video.created_at.parse().map_err(|_| Error::BadVideoStart {
        video: video.id.clone(),
        value: video.created_at.clone(),
    })?;
    let plan = plan_segments(video.duration_seconds, segments);
    let (id, at) = (video.id.clone(), Timestamp::now());
    let plan = archive
        .write("planning a chat download", move |tx| {
            chat::save_segment_plan(tx, &id, &plan, &at)
        })
        .await?;
    let started = std::time::Instant::now();
    let (pages, queue) = mpsc::channel(PAGES_PER_COMMIT);
    let fetch = async move {
        let downloads = plan
            .into_iter()
            .filter(|s| !s.done)
            .map(|s| download_segment(client, video, video_start, s, pages.clone(), cancel));
        try_join_all(downloads).await.map(drop)
    };
    let (fetched, saved) = tokio::join!(fetch, save_pages(archive, video, run, queue));
    // Whatever was fetched is saved before an error is reported: it may be the only copy left.
    saved?;
    match fetched {
        Ok(()) => {}
        Err(Error::VideoNotFound { .. }) => {
            let (id, at) = (video.id.clone(), Timestamp::now());
            archive
                .write("marking a vanished VOD's chat", move |tx| {
                    chat::mark_chat_unavailable(tx, &id, &at)
                })
                .await?;
            return Ok(ChatOutcome::Unavailable);
        }
        Err(e) => return Err(e),
    }
    let (id, at) = (video.id.clone(), Timestamp::now());
    let count = archive
        .write("finishing a chat download", move |tx| chat::finish_chat(tx, &id, &at))
        .await?;
    tracing::info!(video = %video.id, messages = count, seconds = started.elapsed().as_secs_f64(), "chat downloaded");
    Ok(ChatOutcome::Complete(count))
}

/// The writer: saves queued pages until every segment has hung up.
async fn save_pages(
    archive: &Archive,
    video: &ChatVideo,
    run: Option<i64>,
    mut queue: mpsc::Receiver<ChatPage>,
) -> Result<()> {
    let mut batch = Vec::with_capacity(PAGES_PER_COMMIT);
    while queue.recv_many(&mut batch, PAGES_PER_COMMIT).await > 0 {
        let (v, pages) = (video.clone(), std::mem::take(&mut batch));
        archive
            .write("saving pages of chat", move |tx| {
                chat::save_chat_pages(tx, &v, &pages, run)
            })
            .await?;
    }
    Ok(())
}

/// One segment: seeks by offset (or resumes from its cursor), then pages by cursor until it passes its end.
async fn download_segment(
    client: &Client,
    video: &ChatVideo,
    video_start: DateTime<Utc>,
    segment: Segment,
    pages: mpsc::Sender<ChatPage>,
    cancel: &CancellationToken,
) -> Result<()> {
    let mut from = match &segment.cursor {
        Some(cursor) => From::Cursor(cursor.clone()),
        None => From::Offset(segment.start),
    };
    // The furthest offset this segment has seen, for an error that says where the chat stopped.
    let mut reached = segment.start;
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Interrupted);
        }
        let page = comments::fetch_comments(client, &video.id, &from).await?;
        let last_offset = page.comments.iter().map(|(c, _)| c.content_offset_seconds).max();
        // An offset seek can answer with earlier comments; the segment after this one owns the later ones.
        let mine = |c: &Comment| {
            c.content_offset_seconds >= segment.start && segment.end.is_none_or(|e| c.content_offset_seconds < e)
        };
        let (has_next, cursor) = (page.has_next, page.cursor);
        let messages: Vec<ChatMessage> = page
            .comments
            .into_iter()
            .filter(|(c, _)| mine(c))
            .map(|(c, raw)| message(c, raw, video_start))
            .collect();
        let passed_end = segment.end.zip(last_offset).is_some_and(|(end, last)| last >= end);
        reached = reached.max(last_offset.unwrap_or(0));
        // `hasNextPage: true` without a cursor to go on with is not the end of the chat (issue 11): the segment
        // stays where its last saved page left it, and the next sync goes on from there.
        let next = if has_next && !passed_end {
            let problem = match (&cursor, &from) {
                (None, _) => Some("no cursor"),
                (Some(c), _) if c.is_empty() => Some("an empty cursor"),
                (Some(c), From::Cursor(current)) if c == current => Some("the cursor it was asked with"),
                _ => None,
            };
            if let Some(problem) = problem {
                return Err(Error::ChatCursorLost {
                    video: video.id.clone(),
                    offset: reached,
                    url: client.endpoints().gql.to_string(),
                    problem,
                });
            }
            cursor
        } else {
            None
        };
        let page = ChatPage {
            segment: segment.segment,
            messages,
            next_cursor: next.clone(),
            seen_at: Timestamp::now(),
        };
        if pages.send(page).await.is_err() {
            // The writer stopped on an error of its own, which is the one reported.
            return Ok(());
        }
        match next {
            Some(cursor) => from = From::Cursor(cursor),
            None => return Ok(()),
        }
    }
}

// The stored JSON columns, keys in alphabetical order as itch has always written them.
#[derive(Serialize)]
pub(super) struct FragmentJson<'a> {
    pub emote_id: Option<&'a str>,
    pub text: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct EmoteJson {
    pub begin: Option<i64>,
    pub end: Option<i64>,
    pub id: String,
}

#[derive(Serialize)]
pub(super) struct BadgeJson<'a> {
    pub set_id: &'a str,
    pub version: &'a str,
}

pub(super) fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("plain structs serialise")
}

/// A comment as the archive stores it: Twitch's node verbatim in `raw_json`, the parts reports use in columns.
fn message(comment: Comment, raw: Box<RawValue>, video_start: DateTime<Utc>) -> ChatMessage {
    let (created_at, corrected) = comment.created_at_fixed(video_start);
    let fragments: Vec<FragmentJson<'_>> = comment
        .message
        .fragments
        .iter()
        .map(|f| FragmentJson {
            emote_id: f.emote.as_ref().and_then(|e| e.emote_id.as_deref()),
            text: f.text.as_deref(),
        })
        .collect();
    let emotes: Vec<EmoteJson> = comment
        .emotes()
        .into_iter()
        .map(|(id, begin, end)| EmoteJson { begin, end, id })
        .collect();
    let badges: Vec<BadgeJson<'_>> = comment
        .message
        .user_badges
        .iter()
        .filter(|b| !(b.set_id.is_empty() && b.version.is_empty()))
        .map(|b| BadgeJson {
            set_id: &b.set_id,
            version: &b.version,
        })
        .collect();
    let (fragments_json, emotes_json, badges_json) = (to_json(&fragments), to_json(&emotes), to_json(&badges));
    let text = comment.text();
    let (user_id, user_login, user_name) = match comment.commenter {
        Some(c) => (Some(c.id), Some(c.login), c.display_name),
        None => (None, None, None),
    };
    ChatMessage {
        id: comment.id,
        user_id,
        user_login,
        user_name,
        offset_seconds: Some(comment.content_offset_seconds),
        created_at: timestamp(created_at),
        created_at_corrected: corrected,
        kind: "chat".into(),
        source_room_id: None,
        text,
        fragments_json,
        emotes_json,
        badges_json,
        color: comment.message.user_color,
        raw_json: String::from(Box::<str>::from(raw)),
    }
}

/// The chat part of a channel sync: every archive VOD whose chat is not complete, oldest first.
pub(crate) async fn sync_chat(
    ctx: &super::ChannelContext,
    summary: &mut super::ChannelSummary,
    bar: &super::ChannelBar,
) -> Result<()> {
    let broadcaster = ctx.id().clone();
    let videos = ctx
        .archive
        .read("finding VODs without chat", move |c| {
            chat::load_videos_needing_chat(c, &broadcaster)
        })
        .await?;
    // One VOD's failure does not keep the others from downloading; the part still fails with the first error.
    // A refusal that every VOD would meet (the Client-Id or the query hash) or a stop ends the part at once.
    let mut first_failure = None;
    let count = videos.len();
    for (n, video) in videos.into_iter().enumerate() {
        bar.set(format!(
            "chat replay: VOD {} of {count} ({} messages so far)",
            n + 1,
            summary.chat_messages
        ));
        let outcome = download_chat(
            &ctx.client,
            &ctx.archive,
            &video,
            ctx.options.chat_segments,
            Some(ctx.run),
            &ctx.options.cancel,
        )
        .await;
        match outcome {
            Ok(ChatOutcome::Complete(messages)) => {
                summary.chat_videos += 1;
                summary.chat_messages += messages;
            }
            Ok(ChatOutcome::Unavailable) => summary
                .notes
                .push(format!("chat of video {} is gone from Twitch", video.id)),
            Err(error @ (Error::Interrupted | Error::GqlIntegrity { .. } | Error::GqlPersistedQuery { .. })) => {
                return Err(error);
            }
            Err(error) if first_failure.is_none() => first_failure = Some(error),
            Err(error) => {
                let text = crate::error::display_chain(&error);
                tracing::warn!(video = %video.id, "{text}");
                summary
                    .notes
                    .push(format!("chat of video {} failed too: {text}", video.id));
            }
        }
    }
    first_failure.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_video_and_the_last_runs_to_the_end() {
        let plan = plan_segments(3600, 4);
        let bounds: Vec<(u64, Option<u64>)> = plan.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(
            bounds,
            vec![(0, Some(900)), (900, Some(1800)), (1800, Some(2700)), (2700, None)]
        );
        assert_eq!(plan_segments(0, 8).len(), 1, "an unknown length is one open segment");
        assert_eq!(plan_segments(3, 16).len(), 3, "never more segments than seconds");
        let odd = plan_segments(10, 3);
        assert_eq!(
            odd.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(),
            vec![(0, Some(4)), (4, Some(8)), (8, None)]
        );
    }
}
