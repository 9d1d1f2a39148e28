//! Get Chatters (<https://dev.twitch.tv/docs/api/reference/#get-chatters>): who is in a channel's chat now,
//! up to 1,000 a page. Needs a user token with `moderator:read:chatters` of the broadcaster or a moderator;
//! `moderator_id` must be the token's user. Twitch updates the list with a delay and may repeat names across
//! pages, so callers dedupe by id.

use serde::Deserialize;

use crate::client::{Client, Pager, UserId};

/// Path under the Helix base.
pub const PATH: &str = "chat/chatters";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 1000;
/// The scope it needs.
pub const SCOPE: &str = "moderator:read:chatters";

/// A user in chat.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Chatter {
    pub user_id: UserId,
    pub user_login: String,
    pub user_name: String,
}

/// Pages through the chatters of `broadcaster`, seen by `moderator` (the token's user).
pub fn chatters<'c>(client: &'c Client, broadcaster: &UserId, moderator: &UserId) -> Pager<'c, Chatter> {
    let query = vec![
        ("broadcaster_id", broadcaster.0.clone()),
        ("moderator_id", moderator.0.clone()),
        ("first", MAX_PAGE.to_string()),
    ];
    Pager::new(client, PATH, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example() {
        let page = super::super::fixture("chatters");
        let chatters: Vec<Chatter> = super::super::parse_fixture("chatters");
        assert_eq!(chatters[0].user_login, "smittysmithers");
        assert_eq!(page["total"], 8);
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn pages_1000_a_request_with_the_after_cursor() {
        use crate::client::helix::recorder::{Recorder, page};
        let recorder = Recorder::start(vec![
            page(serde_json::json!([]), Some("c1")),
            page(serde_json::json!([]), None),
        ])
        .await;
        let mut pager = chatters(&recorder.client, &UserId("1".into()), &UserId("2".into()));
        while pager.next_page().await.unwrap().is_some() {}
        assert_eq!(
            recorder.requests(),
            [
                "/helix/chat/chatters?broadcaster_id=1&moderator_id=2&first=1000",
                "/helix/chat/chatters?broadcaster_id=1&moderator_id=2&first=1000&after=c1",
            ]
        );
    }
}
