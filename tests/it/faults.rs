//! Nothing lost: 429s are waited out, 5xx and resets retried, and a broken answer is an error naming the URL,
//! never a shorter list.

use crate::paging::{all_followers, assert_whole_and_ordered, broadcaster};
use crate::util::{client, logged_in_broadcaster, mock_with_followers};
use itch::client::helix::followers;
use itch::mock::{Fault, FaultPlan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_percent_5xx_and_resets_still_give_the_identical_list() {
    let (mock, _dir, id, client) = logged_in_broadcaster(10_000).await;
    let (clean, _) = all_followers(&client, &id).await.unwrap();

    mock.set_faults(FaultPlan {
        server_error: 0.1,
        reset: 0.05,
        truncate: 0.02,
        malformed: 0.02,
        ..FaultPlan::default()
    });
    let before = client.stats();
    let (faulty, total) = all_followers(&client, &id).await.unwrap();
    assert_whole_and_ordered(&faulty, total);
    assert_eq!(faulty, clean, "the same followers in the same order");
    assert!(mock.stats().faults > 0, "faults were injected");
    assert!(client.stats().retries > before.retries, "and retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_waited_out_and_nothing_is_lost() {
    let (mock, _dir, id, client) = logged_in_broadcaster(2_000).await;
    mock.fail_next(2, Fault::RateLimit);
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_whole_and_ordered(&all, total);
    assert_eq!(total, 2_000);
    assert_eq!(client.stats().rate_limited, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stays_truncated_is_an_error_naming_the_url() {
    let (mock, _dir, id, client) = logged_in_broadcaster(2_000).await;
    let mut pager = followers::followers(&client, &id);
    assert_eq!(pager.next_page().await.unwrap().unwrap().items.len(), 100);
    mock.fail_next(100, Fault::Truncate);
    let error = pager.next_page().await.unwrap_err();
    let shown = error.to_string();
    assert!(shown.contains("/helix/channels/followers"), "{shown}");
    assert!(
        matches!(
            error,
            itch::Error::Transport { attempts: 7, .. } | itch::Error::Decode { .. }
        ),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_truncated_or_malformed_body_is_retried() {
    let (mock, _dir, id, client) = logged_in_broadcaster(1_000).await;
    mock.fail_next(1, Fault::Truncate);
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_whole_and_ordered(&all, total);
    mock.fail_next(1, Fault::Malformed);
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_whole_and_ordered(&all, total);
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_keeps_failing_is_given_up_on_with_the_url() {
    let mock = mock_with_followers(100).await;
    let (_, id) = broadcaster(&mock);
    let client = client(&mock, None);
    mock.fail_next(100, Fault::ServerError(503));
    let error = followers::fetch_follower_total(&client, &id).await.unwrap_err();
    assert!(
        matches!(
            error,
            itch::Error::GaveUp {
                status: 503,
                attempts: 7,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("/helix/channels/followers?broadcaster_id="),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_error_is_not_retried() {
    let mock = mock_with_followers(100).await;
    let client = client(&mock, None);
    let error = client
        .helix_page::<serde_json::Value>(
            followers::PATH,
            &[("broadcaster_id", "1".into()), ("first", "0".into())],
        )
        .await
        .unwrap_err();
    assert!(matches!(error, itch::Error::Helix { status: 400, .. }), "{error:?}");
    assert_eq!(client.stats().requests, 1);
}
