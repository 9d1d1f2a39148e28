//! Chat replay, before Twitch deletes it: each archive VOD whose chat is not complete is downloaded in time
//! segments fetched in parallel (each seeks by offset, then pages by cursor until it passes its end; the last
//! runs to the end, since a VOD can be longer than its reported length), merged by message id. Every page is
//! committed with its segment's cursor, so an interrupted download resumes each segment where it stopped.

use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::archive::chat::{self, ChatVideo, Segment, StagedMessage};
use crate::archive::{Archive, timestamp};
use crate::client::Client;
use crate::client::gql::comments::{self, Comment, From};
use crate::error::{Error, Result};

use super::now;

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

/// Downloads (or resumes) the chat of one VOD into the archive.
pub async fn download_chat(
    client: &Client,
    archive: &Archive,
    video: &ChatVideo,
    segments: usize,
    run: Option<i64>,
    cancel: &CancellationToken,
) -> Result<ChatOutcome> {
    let plan = plan_segments(video.duration_seconds, segments);
    let (id, at) = (video.id.clone(), now());
    let plan = archive
        .write("planning a chat download", move |tx| {
            chat::save_segment_plan(tx, &id, &plan, &at)
        })
        .await?;
    let video_start: DateTime<Utc> = video.created_at.parse().unwrap_or_else(|_| Utc::now());
    let downloads = plan
        .into_iter()
        .filter(|s| !s.done)
        .map(|s| download_segment(client, archive, video, video_start, s, run, cancel));
    let started = std::time::Instant::now();
    match try_join_all(downloads).await {
        Ok(_) => {}
        Err(Error::VideoNotFound { .. }) => {
            // The VOD vanished mid-download: what was fetched may be the only copy left, so keep it.
            let (id, at) = (video.id.clone(), now());
            archive
                .write("keeping the chat of a vanished VOD", move |tx| {
                    chat::merge_chat(tx, &id, &at)?;
                    chat::mark_chat_unavailable(tx, &id, &at)
                })
                .await?;
            return Ok(ChatOutcome::Unavailable);
        }
        Err(e) => return Err(e),
    }
    tracing::info!(video = %video.id, seconds = started.elapsed().as_secs_f64(), "chat pages downloaded");
    let (id, at) = (video.id.clone(), now());
    let count = archive
        .write("merging chat", move |tx| chat::merge_chat(tx, &id, &at))
        .await?;
    tracing::info!(video = %video.id, seconds = started.elapsed().as_secs_f64(), "chat merged");
    Ok(ChatOutcome::Complete(count))
}

async fn download_segment(
    client: &Client,
    archive: &Archive,
    video: &ChatVideo,
    video_start: DateTime<Utc>,
    segment: Segment,
    run: Option<i64>,
    cancel: &CancellationToken,
) -> Result<()> {
    let mut from = match &segment.cursor {
        Some(cursor) => From::Cursor(cursor.clone()),
        None => From::Offset(segment.start),
    };
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
        let messages: Vec<StagedMessage> = page
            .comments
            .iter()
            .filter(|(c, _)| mine(c))
            .map(|(c, raw)| staged(c, raw, video_start))
            .collect();
        let passed_end = segment.end.zip(last_offset).is_some_and(|(end, last)| last >= end);
        let next = page.cursor.clone().filter(|_| page.has_next && !passed_end);
        if let (Some(next), From::Cursor(current)) = (&next, &from)
            && next == current
        {
            return Err(Error::Gql {
                url: client.endpoints().gql.to_string(),
                message: "the comments cursor did not move".into(),
            });
        }
        let (v, at, done, cursor, index) = (video.clone(), now(), next.is_none(), next.clone(), segment.segment);
        archive
            .write("saving a page of chat", move |tx| {
                chat::stage_chat_page(tx, &v, index, &messages, cursor.as_deref(), done, &at, run)
            })
            .await?;
        match next {
            Some(cursor) => from = From::Cursor(cursor),
            None => return Ok(()),
        }
    }
}

fn staged(comment: &Comment, raw: &serde_json::Value, video_start: DateTime<Utc>) -> StagedMessage {
    let (created_at, corrected) = comment.created_at_fixed(video_start);
    let fragments: Vec<_> = comment
        .message
        .fragments
        .iter()
        .map(|f| json!({"text": f.text, "emote_id": f.emote.as_ref().and_then(|e| e.emote_id.clone())}))
        .collect();
    let emotes: Vec<_> = comment
        .emotes()
        .into_iter()
        .map(|(id, begin, end)| json!({"id": id, "begin": begin, "end": end}))
        .collect();
    let badges: Vec<_> = comment
        .message
        .user_badges
        .iter()
        .filter(|b| !(b.set_id.is_empty() && b.version.is_empty()))
        .map(|b| json!({"set_id": b.set_id, "version": b.version}))
        .collect();
    StagedMessage {
        id: comment.id.clone(),
        user_id: comment.commenter.as_ref().map(|c| c.id.clone()),
        user_login: comment.commenter.as_ref().map(|c| c.login.clone()),
        user_name: comment.commenter.as_ref().and_then(|c| c.display_name.clone()),
        offset_seconds: comment.content_offset_seconds,
        created_at: timestamp(created_at),
        created_at_corrected: corrected,
        text: comment.text(),
        fragments_json: serde_json::Value::from(fragments).to_string(),
        emotes_json: serde_json::Value::from(emotes).to_string(),
        badges_json: serde_json::Value::from(badges).to_string(),
        color: comment.message.user_color.clone(),
        raw_json: raw.to_string(),
    }
}

/// The chat part of a channel sync: every archive VOD whose chat is not complete, oldest first.
pub(crate) async fn sync_chat(ctx: &super::ChannelContext, summary: &mut super::ChannelSummary) -> Result<()> {
    let broadcaster = ctx.id().to_string();
    let videos = ctx
        .archive
        .read("finding VODs without chat", move |c| {
            chat::load_videos_needing_chat(c, &broadcaster)
        })
        .await?;
    for video in videos {
        match download_chat(
            &ctx.client,
            &ctx.archive,
            &video,
            ctx.options.chat_segments,
            Some(ctx.run),
            &ctx.options.cancel,
        )
        .await?
        {
            ChatOutcome::Complete(messages) => {
                summary.chat_videos += 1;
                summary.chat_messages += messages;
            }
            ChatOutcome::Unavailable => summary
                .notes
                .push(format!("chat of video {} is gone from Twitch", video.id)),
        }
    }
    Ok(())
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
