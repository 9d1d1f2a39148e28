//! One rate budget for every request of a client, several channels at once: at a bucket far smaller than the
//! work, the fake never has to refuse a request.

use crate::paging::{all_followers, assert_whole_and_ordered, broadcaster};
use crate::util::{client, login_as, mock_with, store_with_user_token, sync, text};
use itch::client::helix::followers;
use itch::mock::MockConfig;

/// 20 points, refilled at 20 a second: most requests wait for a refill.
fn small_bucket(followers: u64) -> MockConfig {
    MockConfig {
        followers,
        bucket_size: 20,
        refill_per_minute: 1_200,
        ..MockConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_walks_at_once_share_one_budget_and_are_never_refused() {
    let mock = mock_with(small_bucket(3_000)).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    let client = client(
        &mock,
        Some(store_with_user_token(&mock, dir.path(), &login, &[followers::SCOPE])),
    );
    let walks = (0..3).map(|_| all_followers(&client, &id));
    for result in futures::future::join_all(walks).await {
        let (all, total) = result.unwrap();
        assert_whole_and_ordered(&all, total);
    }
    assert_eq!(client.stats().requests, 90, "30 pages each, no retries");
    assert_eq!(mock.stats().rate_limited, 0, "the fake never had to refuse a request");
    assert_eq!(client.stats().rate_limited, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_of_three_channels_draws_no_429_from_a_small_bucket() {
    let mock = mock_with(small_bucket(4_000)).await;
    let dir = tempfile::tempdir().unwrap();
    let logins: Vec<String> = mock.channels().into_iter().map(|c| c.login).collect();
    assert_eq!(logins.len(), 3);
    login_as(&mock, dir.path(), &logins[0]);
    let mut args = vec!["--no-chat", "--concurrency", "3"];
    args.extend(logins.iter().map(String::as_str));
    let output = sync(&mock, dir.path(), &args).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(mock.stats().helix_requests > 100, "{:?}", mock.stats());
    assert_eq!(mock.stats().rate_limited, 0, "no 429: {stdout}");
}
