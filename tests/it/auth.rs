//! Token rules: what an app token and a moderator token see, renewal of expired tokens, bad secrets, and the
//! device code login through the binary.

use crate::paging::{all_followers, assert_whole_and_ordered, broadcaster};
use crate::util::{client, client_with_secret, itch, login_as, mock_with_followers, run, store_with_user_token, text};
use itch::client::TokenStore;
use itch::client::helix::followers;
use itch::mock::OAuthQuirks;

/// A 401 for a scope the token lacks is not a stale token: renewing cannot add the scope, and a login held in
/// memory only (`itch demo`) was replaced by an app token, so every later request lost the user's rights (the
/// demo's follower list turned "not visible" after its first sync asked for subscribers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scope_keeps_the_login_it_was_refused_for() {
    let mock = mock_with_followers(300).await;
    let (_, id) = broadcaster(&mock);
    let client = client(&mock, None);
    let scopes = vec![followers::SCOPE.to_owned()];
    let code = client.auth().start_device_flow(client.http(), &scopes).await.unwrap();
    client
        .auth()
        .finish_device_flow(client.http(), &code, &scopes)
        .await
        .unwrap();
    let requests = mock.stats().requests;

    let refused = itch::client::helix::subscriptions::subscriptions(&client, &id)
        .next_page()
        .await;
    assert!(
        matches!(refused, Err(itch::Error::Unauthorized { ref message, .. }) if message.contains("Missing scope")),
        "{refused:?}"
    );
    assert_eq!(
        mock.stats().requests,
        requests + 1,
        "refused once, not renewed and asked again"
    );
    let (all, total) = all_followers(&client, &id).await.unwrap();
    assert_eq!(
        (all.len() as u64, total),
        (300, 300),
        "still the broadcaster's own login"
    );
}

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

/// Issue 11, item 10: `expires_in: 0` from `/validate` is a token that does not expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_says_a_token_with_expires_in_0_does_not_expire() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    mock.set_oauth_quirks(OAuthQuirks {
        validate_expires_in_zero: true,
        ..OAuthQuirks::default()
    });
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["auth", "status"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("valid: yes, does not expire"), "{stdout}");
    assert!(!stdout.contains("0 more minutes"), "{stdout}");
}

/// Issue 11, item 10: a login whose token `/validate` describes without a user is refused, and nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refuses_a_token_validate_describes_without_a_user() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    mock.set_oauth_quirks(OAuthQuirks {
        validate_without_user: true,
        ..OAuthQuirks::default()
    });
    let mut cmd = itch(&mock, dir.path());
    cmd.env_remove("TWITCH_CLIENT_SECRET").args(["auth", "login"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(!stdout.contains("logged in as"), "{stdout}");
    assert!(stderr.contains("without a login or user id"), "{stderr}");
    assert!(!dir.path().join("config/token.json").exists(), "nothing stored");
}

/// Issue 11, item 10: Twitch's "missing client secret" on a refresh points at TWITCH_CLIENT_SECRET.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_refused_for_a_missing_secret_hints_at_the_secret() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let store = login_as(&mock, dir.path(), &login);
    mock.expire_token(store.load().unwrap().unwrap().access_token.expose());
    mock.set_oauth_quirks(OAuthQuirks {
        refresh_requires_secret: true,
        ..OAuthQuirks::default()
    });
    let mut cmd = itch(&mock, dir.path());
    cmd.env_remove("TWITCH_CLIENT_SECRET")
        .args(["api", "following", "--limit", "1"]);
    let output = run(cmd).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("missing client secret"), "{stderr}");
    let hint = stderr.lines().find(|l| l.starts_with("hint:")).unwrap_or_default();
    assert!(hint.contains("TWITCH_CLIENT_SECRET"), "{stderr}");
    assert!(!hint.contains("login again"), "{stderr}");

    // Any other refusal still says to log in again.
    let client = client(&mock, Some(store));
    mock.set_oauth_quirks(OAuthQuirks::default());
    mock.fail_next_oauth(1, itch::mock::Fault::ServerError(400));
    let (_, id) = broadcaster(&mock);
    let error = followers::fetch_follower_total(&client, &id).await.unwrap_err();
    assert!(matches!(error, itch::Error::RefreshRefused { .. }), "{error:?}");
    assert!(error.hint().unwrap().contains("itch auth login"));
}

/// Issue 11, item 10: OAuth answers 5xx and resets are retried, as Helix ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_5xx_and_resets_are_retried() {
    let mock = mock_with_followers(300).await;
    let (_, id) = broadcaster(&mock);
    let client = client(&mock, None);
    mock.fail_next_oauth(1, itch::mock::Fault::ServerError(503));
    mock.fail_next_oauth(1, itch::mock::Fault::Reset);
    mock.fail_next_oauth(1, itch::mock::Fault::ServerError(502));
    assert_eq!(followers::fetch_follower_total(&client, &id).await.unwrap(), 300);
    assert_eq!(mock.stats().by_path.get("/oauth2/token"), Some(&4));

    // Validate too (auth status), through the binary.
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    mock.fail_next_oauth(2, itch::mock::Fault::ServerError(500));
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["auth", "status"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(stdout.contains("valid: yes"), "{stdout}{stderr}");
}

/// Issue 11, item 10: a token file others can read is made private again, with a warning.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_file_readable_by_others_is_made_private_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let store = login_as(&mock, dir.path(), &login);
    std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["auth", "status"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("login: {login}")), "{stdout}");
    assert!(
        stderr.contains("readable by others") && stderr.contains("0600"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o777,
        0o600
    );
}
