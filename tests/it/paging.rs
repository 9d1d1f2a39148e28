//! Lists arrive whole and in order, and the client keeps within the rate budget.

use crate::util::{client, logged_in_broadcaster, store_with_user_token};
use itch::client::helix::followers::{self, Follower};
use itch::client::{Client, UserId};
use itch::mock::{MockConfig, MockServer};
use std::collections::HashSet;

/// Pages a whole follower list, checking order and uniqueness as it goes.
pub async fn all_followers(client: &Client, broadcaster: &UserId) -> itch::Result<(Vec<Follower>, u64)> {
    let mut pager = followers::followers(client, broadcaster);
    let (mut all, mut total) = (Vec::new(), 0);
    while let Some(page) = pager.next_page().await? {
        total = page.total.unwrap_or(total);
        all.extend(page.items);
    }
    Ok((all, total))
}

pub fn assert_whole_and_ordered(followers: &[Follower], total: u64) {
    assert_eq!(followers.len() as u64, total, "every follower arrives");
    let ids: HashSet<&str> = followers.iter().map(|f| f.user_id.as_str()).collect();
    assert_eq!(ids.len(), followers.len(), "no follower twice");
    assert!(
        followers.windows(2).all(|w| w[0].followed_at >= w[1].followed_at),
        "newest first"
    );
}

pub fn broadcaster(mock: &MockServer) -> (String, UserId) {
    let channel = mock.channels().remove(0);
    (channel.login, UserId(channel.id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_25000_follower_list_arrives_whole_and_in_order() {
    let (mock, _dir, id, client) = logged_in_broadcaster(25_000).await;
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_eq!(total, 25_000);
    assert_whole_and_ordered(&all, total);
    assert_eq!(client.stats().requests, 250, "100 a page, no retries");
    assert_eq!(mock.stats().rate_limited, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_paces_itself_to_the_bucket_and_is_never_refused() {
    // 20 points, refilled at 20 a second: 80 pages must wait for refills about 3 s, yet never see a 429.
    let mock = MockServer::start(MockConfig {
        followers: 8_000,
        bucket_size: 20,
        refill_per_minute: 1_200,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    let client = client(
        &mock,
        Some(store_with_user_token(&mock, dir.path(), &login, &[followers::SCOPE])),
    );
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_whole_and_ordered(&all, total);
    assert_eq!(mock.stats().rate_limited, 0, "the fake never had to refuse a request");
    assert_eq!(client.stats().rate_limited, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_arriving_while_paging_do_not_shift_pages() {
    let (mock, _dir, id, client) = logged_in_broadcaster(1_000).await;
    let mut pager = followers::followers(&client, &id);
    let mut seen = pager.next_page().await.unwrap().unwrap().items;
    mock.advance(itch::mock::Advance {
        new_followers: 150,
        ..Default::default()
    });
    while let Some(page) = pager.next_page().await.unwrap() {
        seen.extend(page.items);
    }
    // The walk started before the new followers came, so it sees exactly the 1,000 it started with.
    assert_whole_and_ordered(&seen, 1_000);
}
