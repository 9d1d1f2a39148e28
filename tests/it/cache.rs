//! The sqlite response cache: a repeated look-up is served from it, it holds no token, `itch cache` reports and
//! tidies it, and `--cache none` turns it off. List pages are never served from it, and a follower walk's
//! hydration is not stored in it (the archive it lives in keeps those accounts already).

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, mock_with_followers, newest_archive, run, sync, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_walks_hydration_is_kept_once_in_the_archive_not_again_in_its_cache() {
    let mock = mock_with_followers(3_000).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    assert!(
        sync(&mock, dir.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    let db = archive(dir.path());
    assert_eq!(count(&db, "SELECT count(*) FROM follows"), 3_000);
    assert_eq!(count(&db, "SELECT count(*) FROM users WHERE hydrated_at IS NULL"), 0);
    assert_eq!(
        count(&db, "SELECT count(*) FROM http_cache"),
        0,
        "the 30 Get Users answers are in `users` already: the cache inside the archive does not hold them again"
    );
    // So accounts the archive forgot are asked again: the archive, not its cache, is where they live.
    forget_hydration(dir.path());
    mock.reset_stats();
    let output = sync(&mock, dir.path(), &["--full", "--only", "followers", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(mock.stats().by_path.get("/helix/channels/followers"), Some(&30));
    assert_eq!(
        mock.stats().by_path.get("/helix/users"),
        Some(&31),
        "the login lookup and the 30 batches"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM users WHERE hydrated_at IS NULL"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_lookup_is_served_from_the_cache_without_any_token_in_it() {
    let mock = mock_with_followers(100).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let token = login_as(&mock, dir.path(), &login)
        .load()
        .unwrap()
        .unwrap()
        .access_token;
    let video = newest_archive(&mock).id;
    for _ in 0..2 {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(["chat", &video]);
        let output = run(cmd).await;
        assert!(output.status.success(), "{}", text(&output).1);
    }
    // The video and its owner, looked up by id: stored by the first `itch chat`, served to the second.
    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT count(*) FROM http_cache WHERE kind IN ('video', 'user')"),
        2
    );
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
    assert!(!bodies.is_empty() && bodies.iter().all(|b| !String::from_utf8_lossy(b).contains(secret)));

    let mut cmd = itch(&mock, dir.path());
    cmd.args(["cache", "stats"]);
    let (stdout, _) = text(&run(cmd).await);
    assert!(
        stdout.contains("backend\tsqlite") && stdout.contains("hits\t2"),
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
