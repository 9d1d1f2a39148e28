//! Get Clips (<https://dev.twitch.tv/docs/api/reference/#get-clips>): a channel's clips made in a time window
//! (`started_at`/`ended_at`, RFC 3339), most viewed first, 100 a page; or up to 100 clips by id. App or user
//! token; no scope.
//!
//! Quirks the parser takes as Twitch sends them: `duration` is an integer or a float (`9`, `14.9`); `video_id` is
//! `""` when the VOD is gone (read as `None`); `vod_offset` is null until Twitch has processed the clip, or when
//! there is no VOD, and some answers leave it out. One listing stops after about 1000 results whatever its pages
//! (and wide windows miss clips, twitchdev/issues#48 and #80), so the sync walks narrow windows.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::client::{Client, Pager, UserId, VideoId};
use crate::error::Result;

/// Path under the Helix base.
pub const PATH: &str = "clips";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 100;
/// About how many results one listing serves across all its pages before it stops (reference, "Get Clips").
pub const RESULT_CAP: u64 = 1000;

/// A clip's id: its slug (`AwkwardHelplessSalamanderSwiftRage`, or since 2021 with a suffix `-zE_cC6LWCl0PB74D`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClipId(pub String);

impl ClipId {
    /// The id as Twitch sends it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClipId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A clip.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Clip {
    pub id: ClipId,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub embed_url: String,
    pub broadcaster_id: UserId,
    #[serde(default)]
    pub broadcaster_name: String,
    #[serde(default)]
    pub creator_id: String,
    #[serde(default)]
    pub creator_name: String,
    /// The VOD the clip was made from; `None` when Twitch sent `""` (the VOD is gone or was never kept).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub video_id: Option<VideoId>,
    #[serde(default)]
    pub game_id: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub view_count: u64,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub thumbnail_url: String,
    /// Seconds, to a tenth; Twitch sends an integer or a float.
    #[serde(default)]
    pub duration: f64,
    /// Seconds into the VOD where the clip starts; `None` when null or missing (not processed yet, or no VOD).
    #[serde(default)]
    pub vod_offset: Option<u64>,
    #[serde(default)]
    pub is_featured: bool,
}

/// `""` (or null) reads as `None`.
fn empty_as_none<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<VideoId>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()).map(VideoId))
}

/// A time as Get Clips takes it: RFC 3339, UTC, whole seconds.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Pages through the clips of `broadcaster` created in `[started_at, ended_at)`, most viewed first.
pub fn clips_in_window<'c>(
    client: &'c Client,
    broadcaster: &UserId,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
) -> Pager<'c, Clip> {
    let query = vec![
        ("broadcaster_id", broadcaster.0.clone()),
        ("started_at", rfc3339(started_at)),
        ("ended_at", rfc3339(ended_at)),
        ("first", MAX_PAGE.to_string()),
    ];
    Pager::new(client, PATH, query)
}

/// Fetches clips by id (100 a request), each with its raw JSON; unknown ids are left out.
pub async fn fetch_clips_by_id(client: &Client, ids: &[ClipId]) -> Result<Vec<(Clip, Value)>> {
    let keys: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
    super::lookup_by(client, PATH, "id", &keys).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let clips: Vec<Clip> = super::super::parse_fixture("clips");
        assert_eq!(clips.len(), 1);
        let clip = &clips[0];
        assert_eq!(clip.id.as_str(), "AwkwardHelplessSalamanderSwiftRage");
        assert_eq!(clip.broadcaster_id.as_str(), "67955580");
        assert_eq!(clip.video_id.as_ref().map(VideoId::as_str), Some("205586603"));
        assert_eq!(clip.vod_offset, Some(480));
        assert_eq!(clip.duration, 60.0);
        assert_eq!(clip.view_count, 10);
        assert!(!clip.is_featured);
        assert_eq!(rfc3339(clip.created_at), "2017-11-30T22:34:18Z");
    }

    #[test]
    fn takes_float_and_integer_durations_and_an_empty_or_missing_vod() {
        let base = serde_json::json!({
            "id": "A", "broadcaster_id": "1", "created_at": "2026-01-01T00:00:00Z",
        });
        let with = |extra: Value| {
            let mut v = base.clone();
            v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            Clip::deserialize(&v).unwrap()
        };
        let float = with(serde_json::json!({"duration": 14.9, "video_id": "", "vod_offset": null}));
        assert_eq!(float.duration, 14.9);
        assert_eq!((float.video_id, float.vod_offset), (None, None));
        let integer = with(serde_json::json!({"duration": 9, "video_id": "42", "vod_offset": 7}));
        assert_eq!(integer.duration, 9.0);
        assert_eq!(integer.video_id, Some(VideoId("42".into())));
        assert_eq!(integer.vod_offset, Some(7));
        let missing = with(serde_json::json!({"duration": 30}));
        assert_eq!((missing.video_id, missing.vod_offset), (None, None));
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn pages_a_window_and_looks_up_ids() {
        use crate::client::helix::recorder::{Recorder, page};
        let recorder = Recorder::start(vec![
            page(serde_json::json!([]), Some("c1")),
            page(serde_json::json!([]), None),
            page(serde_json::json!([]), None),
        ])
        .await;
        let from = "2026-11-01T00:00:00Z".parse().unwrap();
        let to = "2026-11-08T00:00:00Z".parse().unwrap();
        let mut pager = clips_in_window(&recorder.client, &UserId("1".into()), from, to);
        while pager.next_page().await.unwrap().is_some() {}
        fetch_clips_by_id(&recorder.client, &[ClipId("A".into()), ClipId("B".into())])
            .await
            .unwrap();
        assert_eq!(
            recorder.requests(),
            [
                "/helix/clips?broadcaster_id=1&started_at=2026-11-01T00%3A00%3A00Z&ended_at=2026-11-08T00%3A00%3A00Z&first=100",
                "/helix/clips?broadcaster_id=1&started_at=2026-11-01T00%3A00%3A00Z&ended_at=2026-11-08T00%3A00%3A00Z&first=100&after=c1",
                "/helix/clips?id=A&id=B",
            ]
        );
    }
}
