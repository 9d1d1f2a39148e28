//! Token rules: what an app token and a moderator token see, renewal of expired tokens, bad secrets, and the
//! device code login through the binary.

use crate::paging::{all_followers, assert_whole_and_ordered, broadcaster};
use crate::util::{client, client_with_secret, itch, mock_with_followers, run, store_with_user_token, text};
use itch::client::TokenStore;
use itch::client::helix::followers;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_token_sees_the_follower_total_only() {
    let mock = mock_with_followers(3_000).await;
    let (_, id) = broadcaster(&mock);
    let client = client(&mock, None);
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_eq!(total, 3_000);
    assert!(all.is_empty());
    assert_eq!(followers::fetch_follower_total(&client, &id).await.unwrap(), 3_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_token_sees_the_whole_list() {
    let mock = mock_with_followers(3_000).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    let moderator = mock.moderator_of(&login);
    let client = client(
        &mock,
        Some(store_with_user_token(
            &mock,
            dir.path(),
            &moderator,
            &[followers::SCOPE],
        )),
    );
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_whole_and_ordered(&all, total);
    assert_eq!(total, 3_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_token_without_the_scope_sees_the_total_only() {
    let mock = mock_with_followers(500).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    let client = client(
        &mock,
        Some(store_with_user_token(&mock, dir.path(), &login, &["user:read:follows"])),
    );
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_eq!((all.len(), total), (0, 500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_user_token_is_refreshed_once_and_stored() {
    let mock = mock_with_followers(300).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    let store = store_with_user_token(&mock, dir.path(), &login, &[followers::SCOPE]);
    let old = store.load().unwrap().unwrap();
    mock.expire_token(old.access_token.expose());
    let client = client(&mock, Some(store.clone()));
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_whole_and_ordered(&all, total);
    let new = store.load().unwrap().unwrap();
    assert_ne!(new.access_token, old.access_token, "the refreshed token is stored");
    assert_ne!(
        new.refresh_token, old.refresh_token,
        "the rotated refresh token is stored"
    );
    assert_eq!(mock.stats().by_path.get("/oauth2/token"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_app_token_is_minted_again_once() {
    let mock = mock_with_followers(300).await;
    let (_, id) = broadcaster(&mock);
    let client = client(&mock, None);
    followers::fetch_follower_total(&client, &id).await.unwrap();
    mock.expire_all_tokens();
    assert_eq!(followers::fetch_follower_total(&client, &id).await.unwrap(), 300);
    assert_eq!(mock.stats().by_path.get("/oauth2/token"), Some(&2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_refused_twice_is_an_error_with_a_hint() {
    let mock = mock_with_followers(300).await;
    let (_, id) = broadcaster(&mock);
    let client = client(&mock, None);
    followers::fetch_follower_total(&client, &id).await.unwrap();
    // Every request from now on fails with 401: a fresh token does not help, so the client stops after one renewal.
    mock.fail_next(10, itch::mock::Fault::ServerError(401));
    let error = followers::fetch_follower_total(&client, &id).await.unwrap_err();
    assert!(matches!(error, itch::Error::Unauthorized { .. }), "{error:?}");
    assert!(error.hint().unwrap().contains("itch auth login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_client_secret_is_a_clear_error() {
    let mock = mock_with_followers(10).await;
    let (_, id) = broadcaster(&mock);
    let client = client_with_secret(&mock, "notthesecret", None);
    let error = followers::fetch_follower_total(&client, &id).await.unwrap_err();
    let shown = error.to_string();
    assert!(matches!(error, itch::Error::Auth { .. }), "{error:?}");
    assert!(shown.contains("minting an app token was refused"), "{shown}");
    assert!(!shown.contains("notthesecret"), "the secret never shows: {shown}");

    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.env("TWITCH_CLIENT_SECRET", "notthesecret")
        .args(["api", "users", "anyone"]);
    let output = run(cmd).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("minting an app token was refused") && stderr.contains("hint:"),
        "{stderr}"
    );
    assert!(!stderr.contains("notthesecret"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_login_stores_a_private_token_that_status_describes_and_logout_removes() {
    let mock = mock_with_followers(200).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);

    let mut cmd = itch(&mock, dir.path());
    cmd.env_remove("TWITCH_CLIENT_SECRET").args(["auth", "login"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("enter the code"), "{stderr}");
    assert!(stdout.contains(&format!("logged in as {login}")), "{stdout}");

    let token_file = dir.path().join("config/token.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let stored = TokenStore::new(&token_file).load().unwrap().unwrap();
    let secret = stored.access_token.expose().to_owned();

    let mut cmd = itch(&mock, dir.path());
    cmd.args(["-vvv", "auth", "status"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(
        stdout.contains(&format!("login: {login}")) && stdout.contains("valid: yes"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&secret) && !stderr.contains(&secret),
        "the token never shows"
    );

    let mut cmd = itch(&mock, dir.path());
    cmd.args(["-vvv", "api", "following", "--limit", "5"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    assert!(
        !stdout.contains(&secret) && !stderr.contains(&secret),
        "the token never shows, even at -vvv"
    );

    let mut cmd = itch(&mock, dir.path());
    cmd.args(["auth", "logout"]);
    assert!(run(cmd).await.status.success());
    assert!(!token_file.exists());
}
