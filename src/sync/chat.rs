//! Chat replay, before Twitch deletes it: each archive VOD whose chat is not complete is downloaded in time
//! segments fetched in parallel (each seeks by offset, then pages by cursor until it passes its end; the last
//! runs to the end, since a VOD can be longer than its reported length), stored once per message id. Segments
//! that finish early split the busiest remaining one, so the download ends when the messages do, not when the
//! densest stretch of time does. Every page is committed with its segment's cursor, and every split before it
//! is used, so an interrupted download resumes each segment where it stopped.

use std::sync::Mutex;

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

/// Workers of a chat download by default (`--chat-segments`). In `examples/chat_replay` on a 2-core machine
/// (200,000 messages), 12 workers took 1.3x less time than 8 at 20 ms per request and 1.4x less at 50 ms, and the
/// same at 0 ms, where the machine bounds it; 16 gained a little more with latency but lost at 0 ms and held more
/// pages at once, and each worker is one more request in flight at Twitch.
pub const DEFAULT_SEGMENTS: usize = 12;

/// Pages saved in one transaction at most, and pages that may wait for the writer: enough to make commits (and
/// the FTS index's flushes) rare when the writer falls behind (64 costs a fifth more time than 128 at 200,000
/// messages), few enough that a transaction stays short and the queue small (about 10,000 messages).
const PAGES_PER_COMMIT: usize = 128;

/// A segment is split only when it has about this many messages left: a split costs a seek (a page that may
/// start up to half a page early) and the page the shortened segment fetches past its new end, so splitting
/// a few pages' worth would add more requests than it saves.
const MIN_SPLIT_MESSAGES: f64 = 400.0;

/// Downloads (or resumes) the chat of one VOD into the archive with `segments` parallel workers. The first plan
/// is `segments` equal stretches of time; a worker whose stretch is done takes a stored segment nobody has
/// started, else splits the running segment with the most messages left (by its own density so far) at the
/// middle of what it has left, and takes the second half. Chat is uneven (silences, bursts), so equal time is
/// not equal work: splitting where the messages are keeps every worker busy to the end. Each split is committed
/// before either half relies on it. The workers hand their pages to one writer, which saves whatever has queued
/// up in a single transaction, each page with its segment's cursor: fetching never waits on the disk, and the
/// disk never waits on one request.
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
    let download = Download {
        client,
        archive,
        video,
        board: Mutex::new(Board::new(plan, video.duration_seconds)),
        splitting: tokio::sync::Mutex::new(()),
        cancel,
    };
    let (pages, queue) = mpsc::channel(PAGES_PER_COMMIT);
    let fetch = async {
        let workers = (0..segments.max(1)).map(|_| download.work(pages.clone()));
        let result = try_join_all(workers).await.map(drop);
        drop(pages);
        result
    };
    let (fetched, saved) = tokio::join!(fetch, save_pages(archive, video, video_start, run, queue));
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
    let splits = {
        let board = download.board.lock().expect("board lock");
        debug_assert!(board.slots.iter().all(|s| s.state == State::Finished));
        board.splits
    };
    let (id, at) = (video.id.clone(), Timestamp::now());
    let count = archive
        .write("finishing a chat download", move |tx| chat::finish_chat(tx, &id, &at))
        .await?;
    tracing::info!(video = %video.id, messages = count, splits, seconds = started.elapsed().as_secs_f64(), "chat downloaded");
    Ok(ChatOutcome::Complete(count))
}

/// One download's shared state.
struct Download<'a> {
    client: &'a Client,
    archive: &'a Archive,
    video: &'a ChatVideo,
    board: Mutex<Board>,
    /// One split at a time, so two idle workers never split the same segment.
    splitting: tokio::sync::Mutex<()>,
    cancel: &'a CancellationToken,
}

/// Where every segment of a download stands, as the workers know it. A segment's `end` here is always the
/// stored one: a split shortens it only after its commit.
struct Board {
    slots: Vec<Slot>,
    duration: u64,
    next_segment: i64,
    splits: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    Finished,
}

#[derive(Debug)]
struct Slot {
    segment: Segment,
    state: State,
    /// The furthest offset its pages reached in this run; `None` before its first page (a resumed segment's
    /// cursor may be anywhere inside it).
    reached: Option<u64>,
    /// Its messages fetched in this run.
    messages: u64,
}

impl Board {
    fn new(plan: Vec<Segment>, duration: u64) -> Board {
        let next_segment = plan.iter().map(|s| s.segment + 1).max().unwrap_or(0);
        let slots = plan
            .into_iter()
            .map(|segment| Slot {
                state: if segment.done { State::Finished } else { State::Waiting },
                segment,
                reached: None,
                messages: 0,
            })
            .collect();
        Board {
            slots,
            duration,
            next_segment,
            splits: 0,
        }
    }

    /// A stored segment nobody works on, now taken.
    fn take(&mut self) -> Option<usize> {
        let i = self.slots.iter().position(|s| s.state == State::Waiting)?;
        self.slots[i].state = State::Running;
        Some(i)
    }

    /// The running segment with the most messages left, and where to split it: `(slot, at)`. Messages left are
    /// the seconds left times the segment's own density so far (the download's when it has seen too little);
    /// the cut is the middle of the seconds left, the best guess for where half of them lie.
    fn choose_split(&self) -> Option<(usize, u64)> {
        let (seconds, messages) = self
            .slots
            .iter()
            .filter_map(|s| Some((s.reached? - s.segment.start, s.messages)))
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
        let overall = if seconds == 0 {
            0.0
        } else {
            messages as f64 / seconds as f64
        };
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.state == State::Running)
            .filter_map(|(i, s)| {
                let reached = s.reached?;
                // The open-ended last segment is guessed to end with the video; chat past its length is short.
                let end = s.segment.end.unwrap_or(self.duration);
                let left = end.checked_sub(reached + 1).filter(|l| *l >= 2)?;
                let covered = reached - s.segment.start;
                let density = if covered >= 30 && s.messages > 0 {
                    s.messages as f64 / covered as f64
                } else {
                    overall
                };
                let at = reached + 1 + left / 2;
                Some((i, at, left as f64 * density))
            })
            .filter(|(_, _, messages)| *messages >= MIN_SPLIT_MESSAGES)
            .max_by(|a, b| a.2.total_cmp(&b.2))
            .map(|(i, at, _)| (i, at))
    }
}

impl Download<'_> {
    /// One worker: runs segments until none is waiting and none is worth splitting.
    async fn work(&self, pages: mpsc::Sender<FetchedPage>) -> Result<()> {
        loop {
            let taken = self.board.lock().expect("board lock").take();
            let slot = match taken {
                Some(i) => i,
                None => match self.split().await? {
                    Some(i) => i,
                    None => return Ok(()),
                },
            };
            if !self.download_segment(slot, &pages).await? {
                return Ok(());
            }
        }
    }

    /// Splits the running segment with the most left, commits the split, and returns the new half (taken).
    async fn split(&self) -> Result<Option<usize>> {
        let _one = self.splitting.lock().await;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Error::Interrupted);
            }
            let (victim, at, number) = {
                let mut board = self.board.lock().expect("board lock");
                if let Some(i) = board.take() {
                    return Ok(Some(i));
                }
                let Some((victim, at)) = board.choose_split() else {
                    return Ok(None);
                };
                let number = board.next_segment;
                board.next_segment += 1;
                (board.slots[victim].segment.segment, at, number)
            };
            let (id, now) = (self.video.id.clone(), Timestamp::now());
            let new = self
                .archive
                .write("splitting a chat segment", move |tx| {
                    chat::split_segment(tx, &id, victim, at, number, &now)
                })
                .await?;
            let mut board = self.board.lock().expect("board lock");
            // `None`: the segment's last page was committed while the split waited for the disk; try another.
            let Some(new) = new else { continue };
            if let Some(slot) = board.slots.iter_mut().find(|s| s.segment.segment == victim) {
                slot.segment.end = Some(at);
            }
            board.splits += 1;
            board.slots.push(Slot {
                segment: new,
                state: State::Running,
                reached: None,
                messages: 0,
            });
            return Ok(Some(board.slots.len() - 1));
        }
    }

    /// One segment: seeks by offset (or resumes from its cursor), then pages by cursor until it passes its end
    /// (read afresh for every page: a split may have brought it closer). Returns false when the writer hung up.
    async fn download_segment(&self, slot: usize, pages: &mpsc::Sender<FetchedPage>) -> Result<bool> {
        let (video, client) = (self.video, self.client);
        let segment = self.board.lock().expect("board lock").slots[slot].segment.clone();
        let mut from = match &segment.cursor {
            Some(cursor) => From::Cursor(cursor.clone()),
            None => From::Offset(segment.start),
        };
        // The furthest offset this segment has seen, for an error that says where the chat stopped.
        let mut reached = segment.start;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Error::Interrupted);
            }
            let page = comments::fetch_comments(client, &video.id, &from).await?;
            let last_offset = page.comments.iter().map(|(c, _)| c.content_offset_seconds).max();
            reached = reached.max(last_offset.unwrap_or(0));
            let end = self.board.lock().expect("board lock").slots[slot].segment.end;
            // An offset seek can answer with earlier comments; the segment after this one owns the later ones.
            let mine = |c: &Comment| {
                c.content_offset_seconds >= segment.start && end.is_none_or(|e| c.content_offset_seconds < e)
            };
            let (has_next, cursor) = (page.has_next, page.cursor);
            let mut comments = page.comments;
            comments.retain(|(c, _)| mine(c));
            let passed_end = end.zip(last_offset).is_some_and(|(end, last)| last >= end);
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
            {
                let mut board = self.board.lock().expect("board lock");
                let s = &mut board.slots[slot];
                s.reached = Some(reached);
                s.messages += comments.len() as u64;
                if next.is_none() {
                    s.state = State::Finished;
                }
            }
            let page = FetchedPage {
                segment: segment.segment,
                comments,
                next_cursor: next.clone(),
                seen_at: Timestamp::now(),
            };
            if pages.send(page).await.is_err() {
                // The writer stopped on an error of its own, which is the one reported.
                return Ok(false);
            }
            match next {
                Some(cursor) => from = From::Cursor(cursor),
                None => return Ok(true),
            }
        }
    }
}

/// A page as fetched, the segment's own comments only; the writer turns it into rows, off the fetch path.
struct FetchedPage {
    segment: i64,
    comments: Vec<(Comment, Box<RawValue>)>,
    next_cursor: Option<String>,
    seen_at: Timestamp,
}

/// The writer: saves queued pages until every worker has hung up. Turning comments into rows happens here, on
/// the blocking pool, so a worker goes on to its next request as soon as it has the cursor.
async fn save_pages(
    archive: &Archive,
    video: &ChatVideo,
    video_start: DateTime<Utc>,
    run: Option<i64>,
    mut queue: mpsc::Receiver<FetchedPage>,
) -> Result<()> {
    let mut batch = Vec::with_capacity(PAGES_PER_COMMIT);
    while queue.recv_many(&mut batch, PAGES_PER_COMMIT).await > 0 {
        let (v, fetched) = (video.clone(), std::mem::take(&mut batch));
        archive
            .write("saving pages of chat", move |tx| {
                let pages: Vec<ChatPage> = fetched
                    .into_iter()
                    .map(|p| ChatPage {
                        segment: p.segment,
                        messages: p
                            .comments
                            .into_iter()
                            .map(|(c, raw)| message(c, raw, video_start))
                            .collect(),
                        next_cursor: p.next_cursor,
                        seen_at: p.seen_at,
                    })
                    .collect();
                chat::save_chat_pages(tx, &v, &pages, run)
            })
            .await?;
    }
    Ok(())
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

    fn running(segment: i64, start: u64, end: Option<u64>, reached: u64, messages: u64) -> Slot {
        Slot {
            segment: Segment {
                segment,
                start,
                end,
                cursor: None,
                done: false,
            },
            state: State::Running,
            reached: Some(reached),
            messages,
        }
    }

    #[test]
    fn the_split_goes_to_the_segment_with_the_most_messages_left_not_the_most_time() {
        let mut board = Board::new(Vec::new(), 4000);
        board.slots = vec![
            // A quiet stretch with much time left: 1 message a second, 1,800 seconds left.
            running(0, 0, Some(2000), 200, 200),
            // A burst with less time left: 10 a second, 900 seconds left.
            running(1, 2000, Some(3000), 2100, 1000),
            // Finished and waiting segments are not split.
            Slot {
                state: State::Finished,
                ..running(2, 3000, None, 3000, 50_000)
            },
        ];
        let (victim, at) = board.choose_split().unwrap();
        assert_eq!(victim, 1);
        assert!(2100 < at && at < 3000, "{at}");
        assert_eq!(at, 2100 + 1 + 899 / 2, "the middle of what is left");

        // The open-ended last segment is split before the video's end, never past it.
        board.slots = vec![running(0, 0, None, 1000, 3000)];
        let (_, at) = board.choose_split().unwrap();
        assert!(1000 < at && at < 4000, "{at}");
        board.slots = vec![running(0, 0, None, 3999, 3000)];
        assert_eq!(board.choose_split(), None, "nothing left before the end");

        // Too few messages left to be worth a seek.
        board.slots = vec![running(0, 0, Some(1000), 900, 900)];
        assert_eq!(board.choose_split(), None);
        // A segment that has not reported a page (a resumed cursor may be anywhere in it) is left alone.
        board.slots = vec![Slot {
            reached: None,
            ..running(0, 0, Some(100_000), 0, 0)
        }];
        assert_eq!(board.choose_split(), None);
    }
}
