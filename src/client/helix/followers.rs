//! Get Channel Followers (<https://dev.twitch.tv/docs/api/reference/#get-channel-followers>): who follows a
//! channel, newest first, 100 a page, with the `total`. The list needs a user token of the broadcaster or one
//! of their moderators with `moderator:read:followers`; any other token gets the `total` and an empty `data`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::client::{Client, Pager, UserId};
use crate::error::Result;

/// Path under the Helix base.
pub const PATH: &str = "channels/followers";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 100;
/// The scope that unlocks the list.
pub const SCOPE: &str = "moderator:read:followers";

/// One follow of the channel.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Follower {
    pub user_id: UserId,
    pub user_login: String,
    pub user_name: String,
    pub followed_at: DateTime<Utc>,
}

/// Pages through a channel's followers, newest first, `MAX_PAGE` at a time.
pub fn followers<'c>(client: &'c Client, broadcaster: &UserId) -> Pager<'c, Follower> {
    Pager::new(
        client,
        PATH,
        vec![
            ("broadcaster_id", broadcaster.0.clone()),
            ("first", MAX_PAGE.to_string()),
        ],
    )
}

/// The follower total alone: one request for one item (works with any token).
pub async fn fetch_follower_total(client: &Client, broadcaster: &UserId) -> Result<u64> {
    let query = [("broadcaster_id", broadcaster.0.clone()), ("first", "1".to_owned())];
    let page = client.helix_page::<Follower>(PATH, &query).await?;
    Ok(page.total.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let page = super::super::fixture("followers");
        let followers: Vec<Follower> = super::super::parse_fixture("followers");
        assert_eq!(page["total"], 8);
        assert_eq!(followers[0].user_login, "userloginname");
        assert_eq!(followers[0].followed_at.to_rfc3339(), "2022-05-24T22:22:08+00:00");
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn pages_with_first_100_and_the_after_cursor() {
        use crate::client::helix::recorder::{Recorder, page};
        let recorder = Recorder::start(vec![
            page(serde_json::json!([]), Some("c1")),
            page(serde_json::json!([]), None),
        ])
        .await;
        let mut pager = followers(&recorder.client, &UserId("1".into()));
        while pager.next_page().await.unwrap().is_some() {}
        fetch_follower_total(&recorder.client, &UserId("1".into()))
            .await
            .unwrap();
        assert_eq!(
            recorder.requests(),
            [
                "/helix/channels/followers?broadcaster_id=1&first=100",
                "/helix/channels/followers?broadcaster_id=1&first=100&after=c1",
                "/helix/channels/followers?broadcaster_id=1&first=1",
            ]
        );
    }
}
