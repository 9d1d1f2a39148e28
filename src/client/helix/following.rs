//! Get Followed Channels (<https://dev.twitch.tv/docs/api/reference/#get-followed-channels>): the channels a user
//! follows, newest first, 100 a page. Needs that user's own token with `user:read:follows`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::client::{Client, Pager, UserId};

/// Path under the Helix base.
pub const PATH: &str = "channels/followed";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 100;
/// The scope it needs.
pub const SCOPE: &str = "user:read:follows";

/// One channel the user follows.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct FollowedChannel {
    pub broadcaster_id: UserId,
    pub broadcaster_login: String,
    pub broadcaster_name: String,
    pub followed_at: DateTime<Utc>,
}

/// Pages through the channels `user` follows (the token's own user).
pub fn followed_channels<'c>(client: &'c Client, user: &UserId) -> Pager<'c, FollowedChannel> {
    Pager::new(
        client,
        PATH,
        vec![("user_id", user.0.clone()), ("first", MAX_PAGE.to_string())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let followed: Vec<FollowedChannel> = super::super::parse_fixture("followed");
        assert_eq!(followed[0].broadcaster_login, "basketweaver101");
        assert_eq!(followed[0].broadcaster_id.as_str(), "654321");
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
        let mut pager = followed_channels(&recorder.client, &UserId("1".into()));
        while pager.next_page().await.unwrap().is_some() {}
        assert_eq!(
            recorder.requests(),
            [
                "/helix/channels/followed?user_id=1&first=100",
                "/helix/channels/followed?user_id=1&first=100&after=c1",
            ]
        );
    }
}
