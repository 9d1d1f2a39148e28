//! Get Videos (<https://dev.twitch.tv/docs/api/reference/#get-videos>): a channel's archives (past broadcasts),
//! highlights and uploads, newest first, 100 a page; or up to 100 videos by id. App or user token; no scope.
//! Twitch calls `duration` ISO 8601 but sends Go-style text (`3h8m33s`); we keep it and parse it to seconds.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, Pager, StreamId, UserId, VideoId};
use crate::error::{Error, Result};

/// Path under the Helix base.
pub const PATH: &str = "videos";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 100;

/// A part of a VOD whose sound Twitch muted.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct MutedSegment {
    /// Seconds muted.
    pub duration: u64,
    /// Seconds from the start of the video.
    pub offset: u64,
}

/// A video.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Video {
    pub id: VideoId,
    /// The live stream an archive recorded; `None` for highlights and uploads.
    pub stream_id: Option<StreamId>,
    pub user_id: UserId,
    pub user_login: String,
    pub user_name: String,
    pub title: String,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub url: String,
    #[serde(default)]
    pub thumbnail_url: String,
    #[serde(default)]
    pub viewable: String,
    #[serde(default)]
    pub view_count: u64,
    #[serde(default)]
    pub language: String,
    /// "archive", "highlight" or "upload".
    #[serde(rename = "type")]
    pub video_type: String,
    /// As Twitch sends it, e.g. `3h8m33s`.
    pub duration: String,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub muted_segments: Vec<MutedSegment>,
}

impl Video {
    /// `duration` in seconds, `None` if Twitch sent something we cannot read.
    pub fn duration_seconds(&self) -> Option<u64> {
        parse_duration(&self.duration)
    }
}

/// Parses Twitch's `1h2m3s` durations (any part may be missing, but not all).
pub fn parse_duration(text: &str) -> Option<u64> {
    let (mut total, mut number, mut seen_unit) = (0u64, None::<u64>, 0u8);
    for c in text.chars() {
        if let Some(digit) = c.to_digit(10) {
            number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(u64::from(digit))?);
            continue;
        }
        // Units must come in h, m, s order, each at most once.
        let (rank, scale) = match c {
            'h' => (1, 3600),
            'm' => (2, 60),
            's' => (3, 1),
            _ => return None,
        };
        if rank <= seen_unit {
            return None;
        }
        seen_unit = rank;
        total = total.checked_add(number.take()?.checked_mul(scale)?)?;
    }
    (number.is_none() && seen_unit > 0).then_some(total)
}

/// Which videos of a channel to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VideoType {
    /// Everything.
    #[default]
    All,
    /// Past broadcasts (the ones chat replay exists for).
    Archive,
    Highlight,
    Upload,
}

impl VideoType {
    fn as_param(self) -> &'static str {
        match self {
            VideoType::All => "all",
            VideoType::Archive => "archive",
            VideoType::Highlight => "highlight",
            VideoType::Upload => "upload",
        }
    }
}

/// Pages through a channel's videos, newest first.
pub fn videos<'c>(client: &'c Client, user: &UserId, kind: VideoType) -> Pager<'c, Video> {
    let query = vec![
        ("user_id", user.0.clone()),
        ("type", kind.as_param().to_owned()),
        ("sort", "time".to_owned()),
        ("first", MAX_PAGE.to_string()),
    ];
    Pager::new(client, PATH, query)
}

/// Fetches videos by id. Twitch answers 404 when none of the ids exists; that is an empty list here.
pub async fn fetch_videos_by_id(client: &Client, ids: &[VideoId]) -> Result<Vec<(Video, Value)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(super::MAX_IDS_PER_REQUEST) {
        let keys: Vec<String> = chunk.iter().map(|id| id.0.clone()).collect();
        match super::lookup_by(client, PATH, "id", &keys).await {
            Ok(videos) => found.extend(videos),
            Err(Error::Helix { status: 404, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_style_durations() {
        assert_eq!(parse_duration("3h8m33s"), Some(11313));
        assert_eq!(parse_duration("1h0m0s"), Some(3600));
        assert_eq!(parse_duration("3m21s"), Some(201));
        assert_eq!(parse_duration("45s"), Some(45));
        assert_eq!(parse_duration("2h"), Some(7200));
        for bad in ["", "h", "3", "1s2m", "1h1h", "PT3M", "1x"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_the_reference_example() {
        let videos: Vec<Video> = super::super::parse_fixture("videos");
        assert_eq!(videos[0].id.as_str(), "335921245");
        assert_eq!(videos[0].duration_seconds(), Some(201));
        assert_eq!(videos[0].stream_id, None);
        assert!(videos[0].muted_segments.is_empty());
        assert_eq!(
            videos[1].muted_segments,
            vec![MutedSegment {
                duration: 30,
                offset: 120
            }]
        );
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn pages_a_channel_and_looks_up_ids() {
        use crate::client::helix::recorder::{Recorder, page};
        let recorder = Recorder::start(vec![
            page(serde_json::json!([]), Some("c1")),
            page(serde_json::json!([]), None),
        ])
        .await;
        let mut pager = videos(&recorder.client, &UserId("1".into()), VideoType::Archive);
        while pager.next_page().await.unwrap().is_some() {}
        let ids = [VideoId::parse("335921245").unwrap(), VideoId::parse("2").unwrap()];
        fetch_videos_by_id(&recorder.client, &ids).await.unwrap();
        assert_eq!(
            recorder.requests(),
            [
                "/helix/videos?user_id=1&type=archive&sort=time&first=100",
                "/helix/videos?user_id=1&type=archive&sort=time&first=100&after=c1",
                "/helix/videos?id=335921245&id=2",
            ]
        );
    }
}
