//! Get Broadcaster Subscriptions (<https://dev.twitch.tv/docs/api/reference/#get-broadcaster-subscriptions>): who
//! subscribes to the channel, with tier, gift and gifter, and at the top level the `total` and the sub `points`
//! (tier 1 = 1, tier 2 = 2, tier 3 = 6). Only the broadcaster's own user token with `channel:read:subscriptions`
//! may read it (a 401 without the scope, a 403 for another channel); 100 a page at most.

use serde::Deserialize;

use crate::client::{Client, Pager, UserId};

/// Path under the Helix base.
pub const PATH: &str = "subscriptions";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 100;
/// The scope it needs (`itch auth login --scopes subs` asks for it).
pub const SCOPE: &str = "channel:read:subscriptions";

/// One subscription.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Subscription {
    pub broadcaster_id: UserId,
    pub user_id: UserId,
    pub user_login: String,
    pub user_name: String,
    /// `1000`, `2000` or `3000`.
    pub tier: String,
    #[serde(default)]
    pub plan_name: String,
    pub is_gift: bool,
    /// `""` unless a gift.
    #[serde(default)]
    pub gifter_id: String,
    #[serde(default)]
    pub gifter_login: String,
    #[serde(default)]
    pub gifter_name: String,
}

impl Subscription {
    /// The gifter's id, `None` unless a gift.
    pub fn gifter(&self) -> Option<&str> {
        Some(self.gifter_id.as_str()).filter(|id| !id.is_empty())
    }
}

/// Pages through the subscriptions of `broadcaster` (the token's own user).
pub fn subscriptions<'c>(client: &'c Client, broadcaster: &UserId) -> Pager<'c, Subscription> {
    Pager::new(
        client,
        PATH,
        vec![
            ("broadcaster_id", broadcaster.0.clone()),
            ("first", MAX_PAGE.to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_example_with_total_and_points() {
        let page = super::super::fixture("subscriptions");
        assert_eq!(page["total"], 13);
        assert_eq!(page["points"], 13);
        let subs: Vec<Subscription> = super::super::parse_fixture("subscriptions");
        assert_eq!(subs[0].tier, "1000");
        assert!(subs[0].is_gift);
        assert_eq!(subs[0].gifter(), Some("12826"));
        assert_eq!(subs[0].gifter_login, "twitch");
        assert_eq!(subs[0].user_login, "twitchgaming");
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md.
    #[tokio::test]
    async fn pages_with_first_100_and_the_after_cursor_and_reads_total_and_points() {
        use crate::client::helix::recorder::{Recorder, page};
        let mut first = page(serde_json::json!([]), Some("c1"));
        first["total"] = 3.into();
        first["points"] = 8.into();
        let recorder = Recorder::start(vec![first, page(serde_json::json!([]), None)]).await;
        let mut pager = subscriptions(&recorder.client, &UserId("1".into()));
        let p = pager.next_page().await.unwrap().unwrap();
        assert_eq!((p.total, p.points), (Some(3), Some(8)));
        while pager.next_page().await.unwrap().is_some() {}
        assert_eq!(
            recorder.requests(),
            [
                "/helix/subscriptions?broadcaster_id=1&first=100",
                "/helix/subscriptions?broadcaster_id=1&first=100&after=c1",
            ]
        );
    }
}
