//! Get Users (<https://dev.twitch.tv/docs/api/reference/#get-users>): accounts by id or login, 100 a request.
//! App or user token; no scope (email needs `user:read:email` and is not used). Unknown ids and logins are
//! silently dropped by Twitch, so a login lookup that comes back empty means "no such user".

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, Login, UserId};
use crate::error::{Error, Result};

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

/// Fetches users by login (any number; sent 100 a request).
pub async fn fetch_users_by_login(client: &Client, logins: &[Login]) -> Result<Vec<(User, Value)>> {
    let keys: Vec<String> = logins.iter().map(|l| l.as_str().to_owned()).collect();
    super::lookup_by(client, PATH, "login", &keys).await
}

/// Fetches one user by login; an unknown login is [`Error::UnknownUser`].
pub async fn fetch_user(client: &Client, login: &Login) -> Result<(User, Value)> {
    fetch_users_by_login(client, std::slice::from_ref(login))
        .await?
        .into_iter()
        .find(|(user, _)| user.login.eq_ignore_ascii_case(login.as_str()))
        .ok_or_else(|| Error::UnknownUser {
            login: login.to_string(),
        })
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
}
