//! `itch report clips <login>`: the channel's archived clips with their latest view count, newest first or (with
//! `--by-views`) most viewed first; and the place of a clip in its VOD, which `itch report chatlog <clip-id>`
//! reads the chat around.

use rusqlite::{Connection, OptionalExtension};

use super::{Direction, Params, Report, SeedForm, Subject};
use crate::client::VideoId;
use crate::error::{Error, Result};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "clips",
    help: "the channel's clips with their latest view count, newest first (--by-views: most viewed first)",
    subject: Subject::Channel,
    time_columns: &["created_at", "view_count_at"],
    filter_column: Some("created_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("clips.sql"),
    notes_sql: None,
    reducer: None,
};

/// `params` with its clip (`chatlog <clip-id>`) turned into the clip's VOD and the offset of the clip's middle:
/// the report then reads the chat around that moment (`--at` given too wins). A clip the archive does not hold is
/// [`Error::UnknownClip`]; one without a VOD, or whose offset Twitch has not processed, [`Error::ClipWithoutVod`].
pub fn resolve_clip(conn: &Connection, mut params: Params) -> Result<Params> {
    let Some(clip) = params.clip.take() else {
        return Ok(params);
    };
    let place: Option<(Option<String>, Option<i64>, f64)> = conn
        .query_row(
            "SELECT video_id, vod_offset, coalesce(duration, 0) FROM clips WHERE id = ?1",
            [clip.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|source| Error::Database {
            path: conn.path().unwrap_or_default().into(),
            action: "reading",
            source,
        })?;
    match place {
        None => Err(Error::UnknownClip { input: clip }),
        Some((None, _, _)) => Err(Error::ClipWithoutVod {
            clip,
            why: "no VOD (Twitch sent an empty video_id: the VOD is gone or was never kept)",
        }),
        Some((Some(_), None, _)) => Err(Error::ClipWithoutVod {
            clip,
            why: "no offset in its VOD yet (Twitch had not processed it when it was last synced)",
        }),
        Some((Some(video), Some(offset), duration)) => {
            // Centred on the middle of the clip: the moment someone found worth clipping.
            params.video = Some(VideoId(video));
            params.at = params.at.or(Some(offset.max(0) as u64 + (duration / 2.0).round() as u64));
            Ok(params)
        }
    }
}
