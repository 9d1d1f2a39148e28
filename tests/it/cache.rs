//! The sqlite response cache: a repeated hydration is served from it, it holds no token, `itch cache`
//! reports and tidies it, and `--cache none` turns it off. List pages are never served from it.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, mock_with_followers, run, sync, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_hydration_is_served_from_the_cache_without_any_token_in_it() {
    let mock = mock_with_followers(3_000).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let token = login_as(&mock, dir.path(), &login)
        .load()
        .unwrap()
        .unwrap()
        .access_token;
    assert!(
        sync(&mock, dir.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    forget_hydration(dir.path());
    mock.reset_stats();
    let output = sync(&mock, dir.path(), &["--full", "--only", "followers", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    // Every follower page is fetched again (they decide unfollows); the 30 Get Users answers come from the cache.
    assert_eq!(mock.stats().by_path.get("/helix/channels/followers"), Some(&30));
    assert_eq!(
        mock.stats().by_path.get("/helix/users"),
        Some(&1),
        "only the login lookup"
    );

    let db = archive(dir.path());
    assert_eq!(count(&db, "SELECT count(*) FROM http_cache WHERE kind = 'user'"), 30);
    assert_eq!(count(&db, "SELECT count(*) FROM http_cache WHERE kind != 'user'"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM users WHERE hydrated_at IS NULL"), 0);
    let secret = token.expose();
    let leaks = format!("SELECT count(*) FROM http_cache WHERE instr(url, '{secret}') OR instr(key, '{secret}')");
    assert_eq!(count(&db, &leaks), 0);
    let bodies: Vec<Vec<u8>> = db
        .prepare("SELECT key, body FROM http_cache")
        .unwrap()
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .unwrap()
        .map(|row| {
            let (key, body) = row.unwrap();
            let entry = itch::cache::decode_entry(&itch::cache::CacheKey(key), &body).expect("a whole entry");
            entry.response.body
        })
        .collect();
    assert!(bodies.iter().all(|b| !String::from_utf8_lossy(b).contains(secret)));

    let mut cmd = itch(&mock, dir.path());
    cmd.args(["cache", "stats"]);
    let (stdout, _) = text(&run(cmd).await);
    assert!(
        stdout.contains("backend\tsqlite") && stdout.contains("hits\t30"),
        "{stdout}"
    );
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["cache", "clear"]);
    assert!(text(&run(cmd).await).0.starts_with("cleared "));
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM http_cache"), 0);
}

/// Marks every follower account as never looked up, as an interrupted hydration leaves them: the next sync
/// hydrates them again.
pub fn forget_hydration(dir: &std::path::Path) {
    rusqlite::Connection::open(dir.join("itch.db"))
        .unwrap()
        .execute_batch("UPDATE users SET hydrated_at = NULL WHERE id IN (SELECT user_id FROM follows)")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_none_stores_nothing() {
    let mock = mock_with_followers(500).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    assert!(
        sync(&mock, dir.path(), &["--cache", "none", &login])
            .await
            .status
            .success()
    );
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM http_cache"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_stats_without_an_archive_says_so() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["cache", "stats"]);
    let output = run(cmd).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("no archive at"), "{}", text(&output).1);
    assert!(!dir.path().join("itch.db").exists());
}
