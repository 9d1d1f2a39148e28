//! Get Games (<https://dev.twitch.tv/docs/api/reference/#get-games>): categories by id, 100 a request.
//! App or user token; no scope; no pagination.

use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, GameId};
use crate::error::Result;

/// Path under the Helix base.
pub const PATH: &str = "games";

/// A game or category.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Game {
    pub id: GameId,
    pub name: String,
    /// With `{width}x{height}` placeholders.
    #[serde(default)]
    pub box_art_url: String,
    /// "" when unknown.
    #[serde(default)]
    pub igdb_id: String,
}

/// Fetches games by id, each with its raw JSON.
pub async fn fetch_games(client: &Client, ids: &[GameId]) -> Result<Vec<(Game, Value)>> {
    let keys: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
    super::lookup_by(client, PATH, "id", &keys).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let games: Vec<Game> = super::super::parse_fixture("games");
        assert_eq!(games[0].name, "Fortnite");
        assert_eq!(games[0].igdb_id, "1905");
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn sends_ids_repeated() {
        let recorder = crate::client::helix::recorder::Recorder::start(vec![]).await;
        fetch_games(&recorder.client, &[GameId::from("33214"), GameId::from("509670")])
            .await
            .unwrap();
        assert_eq!(recorder.requests(), ["/helix/games?id=33214&id=509670"]);
    }
}
