//! `itch chat <video-id>...`: the chat replay of individual VODs, fetched by id (their videos and channels are
//! archived too), for VODs of channels that are not synced or to save one before Twitch deletes it. One run;
//! one VOD failing does not stop the others.

use chrono::NaiveDate;
use tokio_util::sync::CancellationToken;

use super::chat::{ChatOutcome, download_chat};
use super::run::{Run, RunStatus};
use crate::archive::{self, Archive, chat as archive_chat};
use crate::client::helix::{users, videos};
use crate::client::{Client, UserId, VideoId, metered};
use crate::error::{Error, Result};

/// How to fetch.
#[derive(Clone, Debug)]
pub struct VideoChatOptions {
    /// Segments each VOD's chat is split into, fetched in parallel.
    pub segments: usize,
    /// What ran, for the sync_runs table.
    pub command: String,
    /// Cancelled to stop after the page in hand.
    pub cancel: CancellationToken,
}

/// What became of one asked-for video.
#[derive(Debug)]
pub struct VideoChat {
    pub video: VideoId,
    /// The channel's login and the VOD's day, when Twitch still has the video.
    pub channel: Option<(String, NaiveDate)>,
    /// Its chat, or why not (`Error::VideoNotFound` when Twitch has no such video).
    pub outcome: Result<ChatOutcome>,
    /// Requests its download sent.
    pub requests: u64,
}

impl VideoChat {
    /// Complete, or failed (not found, chat no longer available, an error).
    pub fn failed(&self) -> bool {
        !matches!(self.outcome, Ok(ChatOutcome::Complete(_)))
    }
}

/// Archives the chat of `ids` in one run, calling `done` as each video is finished (so a long list shows its
/// progress). Returns how the run ended. Nothing is written when none of the videos exists: that is
/// [`Error::VideoNotFound`].
pub async fn archive_video_chat(
    client: &Client,
    archive: &Archive,
    ids: &[VideoId],
    options: &VideoChatOptions,
    mut done: impl FnMut(&VideoChat) -> Result<()>,
) -> Result<RunStatus> {
    let found = videos::fetch_videos_by_id(client, ids).await?;
    let missing: Vec<&VideoId> = ids
        .iter()
        .filter(|id| !found.iter().any(|(v, _)| &v.id == *id))
        .collect();
    if found.is_empty() {
        return Err(not_found(&missing));
    }
    let owners: Vec<UserId> = found.iter().map(|(v, _)| v.user_id.clone()).collect();
    let owners = users::fetch_users_by_id(client, &owners).await?;

    let run = Run::start(archive, client, options.command.clone()).await?;
    let (saved, stamp) = (found.clone(), run.stamp());
    archive
        .write("saving videos", move |tx| {
            archive::users::save_users(tx, &owners, &stamp)?;
            archive::videos::save_videos(tx, &saved, &stamp).map(|_| ())
        })
        .await?;

    let mut failed = false;
    for id in missing {
        let result = VideoChat {
            video: id.clone(),
            channel: None,
            outcome: Err(not_found(&[id])),
            requests: 0,
        };
        failed = true;
        done(&result)?;
    }
    for (video, _) in &found {
        let (outcome, requests) = metered(download(client, archive, &video.id, options, run.id())).await;
        let result = VideoChat {
            video: video.id.clone(),
            channel: Some((video.user_login.clone(), video.created_at.date_naive())),
            outcome,
            requests,
        };
        failed |= result.failed();
        done(&result)?;
        if options.cancel.is_cancelled() {
            break;
        }
    }
    let status = RunStatus::of(options.cancel.is_cancelled(), failed);
    run.finish(client, status, "[]".into(), None).await?;
    Ok(status)
}

/// Downloads the chat of one video, just archived.
async fn download(
    client: &Client,
    archive: &Archive,
    video: &VideoId,
    options: &VideoChatOptions,
    run: i64,
) -> Result<ChatOutcome> {
    let key = video.to_string();
    let chat_video = archive
        .read("reading a video", move |c| archive_chat::load_chat_video(c, &key))
        .await?
        // Saved in this run a moment ago: gone only if something else deleted it from the archive since.
        .ok_or_else(|| Error::UnknownVideo {
            video: video.to_string(),
        })?;
    download_chat(
        client,
        archive,
        &chat_video,
        options.segments,
        Some(run),
        &options.cancel,
    )
    .await
}

/// The one way "no such video" is said, for one id or several.
fn not_found(ids: &[&VideoId]) -> Error {
    Error::VideoNotFound {
        video: ids.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", "),
    }
}
