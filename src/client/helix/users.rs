//! Get Users (<https://dev.twitch.tv/docs/api/reference/#get-users>): accounts by id or login, 100 a request.
//! App or user token; no scope (email needs `user:read:email` and is not used). Unknown ids and logins are
//! silently dropped by Twitch, so a login lookup that comes back empty means "no such user".

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, Login, UserId};
use crate::error::Result;

/// Path under the Helix base.
pub const PATH: &str = "users";

/// A Twitch account.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    /// "admin", "global_mod", "staff" or "".
    #[serde(rename = "type", default)]
    pub user_type: String,
    /// "partner", "affiliate" or "".
    #[serde(default)]
    pub broadcaster_type: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub profile_image_url: String,
    #[serde(default)]
    pub offline_image_url: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// Fetches users by id (any number; sent 100 a request), each with its raw JSON.
pub async fn fetch_users_by_id(client: &Client, ids: &[UserId]) -> Result<Vec<(User, Value)>> {
    let keys: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
    super::lookup_by(client, PATH, "id", &keys).await
}

/// Fetches users by id (any number; sent 100 a request) for an archive that keeps them whole (a follower
/// walk's hydration): the cache inside the archive leaves these answers alone (see [`Client::helix_page_with`]).
pub async fn fetch_users_to_keep(client: &Client, ids: &[UserId]) -> Result<Vec<(User, Value)>> {
    let keys: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
    super::lookup_kept(client, PATH, "id", &keys, crate::client::Kept::InTheArchive).await
}

/// Fetches users by login (any number; sent 100 a request).
pub async fn fetch_users_by_login(client: &Client, logins: &[Login]) -> Result<Vec<(User, Value)>> {
    let keys: Vec<String> = logins.iter().map(|l| l.as_str().to_owned()).collect();
    super::lookup_by(client, PATH, "login", &keys).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let users: Vec<User> = super::super::parse_fixture("users");
        assert_eq!(users[0].id.as_str(), "141981764");
        assert_eq!(users[0].login, "twitchdev");
        assert_eq!(users[0].broadcaster_type, "partner");
        assert_eq!(users[0].created_at.to_rfc3339(), "2016-12-14T20:32:28+00:00");
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn sends_ids_and_logins_repeated_100_a_request() {
        use crate::client::helix::recorder::{Recorder, repeated};
        let recorder = Recorder::start(vec![]).await;
        let ids: Vec<UserId> = (1..=150).map(|n| UserId(n.to_string())).collect();
        fetch_users_by_id(&recorder.client, &ids).await.unwrap();
        let logins = [Login::parse("twitchdev").unwrap(), Login::parse("rig").unwrap()];
        fetch_users_by_login(&recorder.client, &logins).await.unwrap();
        assert_eq!(
            recorder.requests(),
            [
                format!("/helix/users?{}", repeated("id", 1..=100)),
                format!("/helix/users?{}", repeated("id", 101..=150)),
                "/helix/users?login=twitchdev&login=rig".to_owned(),
            ]
        );
    }
}
