//! Get Streams (<https://dev.twitch.tv/docs/api/reference/#get-streams>): the live broadcasts of up to 100 users;
//! an offline user is simply absent. App or user token; no scope.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, StreamId, UserId};
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

/// The live streams among `users` (any number; 100 a request).
pub async fn fetch_streams(client: &Client, users: &[UserId]) -> Result<Vec<(Stream, Value)>> {
    let keys: Vec<String> = users.iter().map(|id| id.0.clone()).collect();
    super::lookup_by(client, PATH, "user_id", &keys).await
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
}
