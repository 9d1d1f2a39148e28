//! Search Channels (<https://dev.twitch.tv/docs/api/reference/#search-channels>): channels whose login starts
//! with the query (or, live only, whose name or category matches), 100 a page. App or user token; no scope.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::client::{Client, Pager, UserId};

/// Path under the Helix base.
pub const PATH: &str = "search/channels";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 100;

/// A channel found by a search.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct FoundChannel {
    pub id: UserId,
    pub broadcaster_login: String,
    pub display_name: String,
    #[serde(default)]
    pub broadcaster_language: String,
    #[serde(default)]
    pub game_id: String,
    #[serde(default)]
    pub game_name: String,
    pub is_live: bool,
    #[serde(default)]
    pub title: String,
    /// `None` when offline (Twitch sends "").
    #[serde(default, deserialize_with = "super::empty_time_as_none")]
    pub started_at: Option<DateTime<Utc>>,
}

/// Pages through the channels matching `query`.
pub fn search_channels<'c>(client: &'c Client, query: &str, live_only: bool) -> Pager<'c, FoundChannel> {
    let params = vec![
        ("query", query.to_owned()),
        ("live_only", live_only.to_string()),
        ("first", MAX_PAGE.to_string()),
    ];
    Pager::new(client, PATH, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let found: Vec<FoundChannel> = super::super::parse_fixture("search_channels");
        assert_eq!(found[0].broadcaster_login, "loserfruit");
        assert_eq!(found[0].started_at, None);
        assert!(found[1].started_at.is_some());
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn pages_with_the_query_encoded_and_the_after_cursor() {
        use crate::client::helix::recorder::{Recorder, page};
        let recorder = Recorder::start(vec![
            page(serde_json::json!([]), Some("c1")),
            page(serde_json::json!([]), None),
        ])
        .await;
        let mut pager = search_channels(&recorder.client, "rig s&x", true);
        while pager.next_page().await.unwrap().is_some() {}
        assert_eq!(
            recorder.requests(),
            [
                "/helix/search/channels?query=rig+s%26x&live_only=true&first=100",
                "/helix/search/channels?query=rig+s%26x&live_only=true&first=100&after=c1",
            ]
        );
    }
}
