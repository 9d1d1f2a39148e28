//! Get Streams (<https://dev.twitch.tv/docs/api/reference/#get-streams>): the live broadcasts of up to 100 users;
//! an offline user is simply absent. App or user token; no scope.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, Page, StreamId, UserId};
use crate::error::Result;

/// Path under the Helix base.
pub const PATH: &str = "streams";

/// A live broadcast, as of the request.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Stream {
    pub id: StreamId,
    pub user_id: UserId,
    pub user_login: String,
    pub user_name: String,
    #[serde(default)]
    pub game_id: String,
    #[serde(default)]
    pub game_name: String,
    /// "live", or "" on error.
    #[serde(rename = "type", default)]
    pub stream_type: String,
    #[serde(default)]
    pub title: String,
    pub viewer_count: u64,
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub language: String,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub tags: Vec<String>,
}

/// The live streams among `users` (any number; 100 a request). Unlike the other lookups, Get Streams pages its
/// answer (20 streams unless `first` says more), so each request asks for a page as large as its batch.
pub async fn fetch_streams(client: &Client, users: &[UserId]) -> Result<Vec<(Stream, Value)>> {
    let mut found = Vec::with_capacity(users.len());
    for chunk in users.chunks(super::MAX_IDS_PER_REQUEST) {
        let mut query: Vec<(&str, String)> = chunk.iter().map(|id| ("user_id", id.0.clone())).collect();
        query.push(("first", super::MAX_IDS_PER_REQUEST.to_string()));
        let page: Page<Stream> = client.helix_page(PATH, &query).await?;
        found.extend(page.items.into_iter().zip(page.raw));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let streams: Vec<Stream> = super::super::parse_fixture("streams");
        assert_eq!(streams[0].user_login, "lirik");
        assert_eq!(streams[0].viewer_count, 78365);
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn sends_user_ids_repeated_with_a_full_page() {
        let recorder = crate::client::helix::recorder::Recorder::start(vec![]).await;
        fetch_streams(&recorder.client, &[UserId("1".into()), UserId("2".into())])
            .await
            .unwrap();
        // Get Streams answers 20 streams a page unless `first` says more: 100 user ids need `first=100`.
        assert_eq!(recorder.requests(), ["/helix/streams?user_id=1&user_id=2&first=100"]);
    }
}
