//! Get Channel Information (<https://dev.twitch.tv/docs/api/reference/#get-channel-information>): title, game,
//! language and tags of up to 100 broadcasters a request. App or user token; no scope.

use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, GameId, UserId};
use crate::error::Result;

/// Path under the Helix base.
pub const PATH: &str = "channels";

/// A channel's current settings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Channel {
    pub broadcaster_id: UserId,
    pub broadcaster_login: String,
    pub broadcaster_name: String,
    /// ISO 639-1, or "other".
    #[serde(default)]
    pub broadcaster_language: String,
    /// "" when the channel never streamed.
    #[serde(default)]
    pub game_id: String,
    #[serde(default)]
    pub game_name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub tags: Vec<String>,
}

impl Channel {
    /// The game, when the channel has one.
    pub fn game(&self) -> Option<GameId> {
        (!self.game_id.is_empty()).then(|| GameId(self.game_id.clone()))
    }
}

/// Fetches channels by broadcaster id, each with its raw JSON.
pub async fn fetch_channels(client: &Client, ids: &[UserId]) -> Result<Vec<(Channel, Value)>> {
    let keys: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
    super::lookup_by(client, PATH, "broadcaster_id", &keys).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let channels: Vec<Channel> = super::super::parse_fixture("channels");
        assert_eq!(channels[0].broadcaster_login, "twitchdev");
        assert_eq!(channels[0].game(), Some(GameId::from("509670")));
        assert_eq!(channels[0].tags, vec!["DevsInTheKnow".to_string()]);
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn sends_broadcaster_ids_repeated() {
        let recorder = crate::client::helix::recorder::Recorder::start(vec![]).await;
        let ids = [UserId("141981764".into()), UserId("2".into())];
        fetch_channels(&recorder.client, &ids).await.unwrap();
        assert_eq!(
            recorder.requests(),
            ["/helix/channels?broadcaster_id=141981764&broadcaster_id=2"]
        );
    }
}
