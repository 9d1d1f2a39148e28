//! VOD chapters: for each archive VOD whose chapters are not final, one GQL request
//! (`VideoPlayer_ChapterSelectButtonVideo`), saved in its own transaction, so a stopped or killed part resumes
//! with the VODs it had not reached and a no-change re-sync sends nothing. A VOD still recording is asked
//! again next time (its chapters grow). Chapters are optional: when Twitch refuses the query (an unknown
//! hash after a rotation, or the integrity check), the part says so once and ends without failing the sync.

use super::{ChannelBar, ChannelContext, ChannelSummary};
use crate::archive::chapters::{self, FetchStatus};
use crate::client::gql::chapters as gql_chapters;
use crate::error::{Error, Result};

/// The note a refused chapters query gives, once per run.
fn refused_note(error: &Error) -> String {
    let fix = match error {
        Error::GqlIntegrity { .. } => "Twitch's GQL refused the Client-Id: set ITCH_GQL_CLIENT_ID (--gql-client-id)",
        _ => {
            "the query hash may have rotated: set ITCH_GQL_CHAPTERS_HASH (--gql-chapters-hash) to the one current \
             clients such as TwitchDownloader send"
        }
    };
    format!("chapters skipped: {}; {fix}", crate::error::display_chain(error))
}

pub(crate) async fn sync_chapters(ctx: &ChannelContext, summary: &mut ChannelSummary, bar: &ChannelBar) -> Result<()> {
    let broadcaster = ctx.id().clone();
    let videos = ctx
        .archive
        .read("finding VODs without final chapters", move |c| {
            chapters::load_videos_needing_chapters(c, &broadcaster)
        })
        .await?;
    // One VOD's failure does not keep the others from being asked; the part still fails with the first error.
    let mut first_failure = None;
    let count = videos.len();
    for (n, video) in videos.into_iter().enumerate() {
        ctx.check()?;
        bar.set(format!("chapters: VOD {} of {count}", n + 1));
        let stamp = ctx.stamp();
        match gql_chapters::fetch_chapters(&ctx.client, &video.id).await {
            Ok(found) => {
                let chapters = found.chapters(video.game.clone());
                let status = if video.recording {
                    FetchStatus::Recording
                } else {
                    FetchStatus::Final
                };
                let id = video.id.clone();
                let saved = ctx
                    .archive
                    .write("saving a VOD's chapters", move |tx| {
                        chapters::save_chapters(tx, &id, &chapters, status, &stamp)
                    })
                    .await?;
                summary.chapter_videos += 1;
                summary.chapters_new += saved.new;
            }
            Err(Error::VideoNotFound { .. }) => {
                let id = video.id.clone();
                ctx.archive
                    .write("marking a vanished VOD's chapters", move |tx| {
                        chapters::mark_chapters_unavailable(tx, &id, &stamp)
                    })
                    .await?;
                summary
                    .notes
                    .push(format!("chapters of video {} are gone from Twitch", video.id));
            }
            // Every VOD would meet the same refusal: said once, and the rest of the sync goes on.
            Err(error @ (Error::GqlPersistedQuery { .. } | Error::GqlIntegrity { .. })) => {
                tracing::warn!(channel = %ctx.user.login, "{}", crate::error::display_chain(&error));
                summary.notes.push(refused_note(&error));
                return Ok(());
            }
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(error) if first_failure.is_none() => first_failure = Some(error),
            Err(error) => {
                let text = crate::error::display_chain(&error);
                tracing::warn!(video = %video.id, "{text}");
                summary
                    .notes
                    .push(format!("chapters of video {} failed too: {text}", video.id));
            }
        }
    }
    first_failure.map_or(Ok(()), Err)
}
