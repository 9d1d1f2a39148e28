//! `itch sync` against the fake: first sync, changes, no-change re-syncs, kill -9 and resume, faults,
//! concurrency, and bad input that leaves the archive alone.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, mock_with, mock_with_followers, rows, run, sync, text};
use itch::mock::{Advance, FaultPlan, MockConfig};

const FOLLOWS: &str = "SELECT broadcaster_id, user_id, followed_at, unfollowed_seen_at FROM follows ORDER BY 1, 2";
const USERS: &str = "SELECT id, login, created_at FROM users ORDER BY id";
const VIDEOS: &str =
    "SELECT id, title, view_count, duration_seconds, deleted_seen_at IS NOT NULL FROM videos ORDER BY id";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_archives_the_channel_whole() {
    let mock = mock_with_followers(2_500).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    let output = sync(&mock, dir.path(), &[&login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains(&format!("{login}: followers +2500 -0 (total 2500)")),
        "{stdout}"
    );

    let db = archive(dir.path());
    let channel = id.as_str();
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM follows WHERE broadcaster_id = '{channel}'")
        ),
        2_500
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM channel_followers WHERE account_created_at IS NULL"
        ),
        0,
        "all hydrated"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM channel_followers WHERE seconds_to_follow < 0"
        ),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM follows_staging") + count(&db, "SELECT count(*) FROM users_staging"),
        0
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT follower_total FROM latest_channel_snapshots WHERE broadcaster_id = '{channel}'")
        ),
        2_500
    );
    assert_eq!(count(&db, "SELECT count(*) FROM channels"), 1);
    assert!(count(&db, "SELECT count(*) FROM videos") > 0);
    assert!(count(&db, "SELECT count(*) FROM games") > 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_runs WHERE status = 'ok' AND finished_at IS NOT NULL"
        ),
        1
    );
    let chat_left = "SELECT count(*) FROM videos WHERE type = 'archive' AND deleted_seen_at IS NULL AND chat_status IS NOT 'complete'";
    assert_eq!(count(&db, chat_left), 0, "chat replay is part of a default sync");
    assert!(count(&db, "SELECT count(*) FROM chat_messages") > 0);
    assert_eq!(count(&db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sync_records_exactly_what_changed() {
    let mock = mock_with_followers(1_200).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    assert!(sync(&mock, dir.path(), &[&login]).await.status.success());
    let videos_before = count(&archive(dir.path()), "SELECT count(*) FROM videos");

    mock.advance(Advance {
        new_followers: 30,
        unfollows: 7,
        new_videos: 1,
        deleted_videos: 1,
        go_live: vec![login.clone()],
        ..Advance::default()
    });
    // An incremental sync sees the new follows (not the unfollows: only a full walk can).
    let output = sync(&mock, dir.path(), &[&login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("followers +30 -0 (total 1223)"), "{stdout}");
    assert!(stdout.contains("videos +1 ") && stdout.contains(" -1,"), "{stdout}");
    assert!(stdout.contains("live ("), "{stdout}");
    // A full one finds the unfollows.
    let output = sync(&mock, dir.path(), &["--full", &login]).await;
    let (stdout, _) = text(&output);
    assert!(stdout.contains("followers +0 -7 (total 1223)"), "{stdout}");

    let db = archive(dir.path());
    let channel = id.as_str();
    let current =
        format!("SELECT count(*) FROM follows WHERE broadcaster_id = '{channel}' AND unfollowed_seen_at IS NULL");
    assert_eq!(count(&db, &current), 1_223);
    assert_eq!(
        count(&db, "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NOT NULL"),
        7
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM videos"),
        videos_before + 1,
        "deleted videos are kept"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM videos WHERE deleted_seen_at IS NOT NULL"),
        1
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM streams WHERE user_id = '{channel}'")
        ),
        1
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM stream_snapshots"),
        2,
        "one snapshot per sync while live"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM sync_runs"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_no_change_resync_costs_one_request_per_part() {
    let mock = mock_with_followers(5_000).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    assert!(sync(&mock, dir.path(), &[&login]).await.status.success());
    mock.reset_stats();
    let output = sync(&mock, dir.path(), &[&login]).await;
    let (stdout, _) = text(&output);
    assert!(stdout.contains("followers +0 -0"), "{stdout}");
    let by_path = mock.stats().by_path;
    for path in [
        "/helix/users",
        "/helix/channels",
        "/helix/channels/followers",
        "/helix/videos",
        "/helix/streams",
    ] {
        assert_eq!(by_path.get(path), Some(&1), "{path}: {by_path:?}");
    }
    assert_eq!(by_path.get("/helix/games"), None, "games already known: {by_path:?}");
}

/// A summary speaks only of the parts that ran: an `--only chatters` line said "followers +0 -0, videos +0 ~0
/// -0, offline" of parts it never looked at (issue 15's README walk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_sync_summary_names_only_the_parts_it_ran() {
    let mock = mock_with_followers(300).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    let output = sync(&mock, dir.path(), &["--only", "chatters", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("{login}: ")))
        .unwrap_or_default();
    assert!(line.contains("chatters"), "{stdout}");
    for absent in ["followers", "videos", "offline", "live ("] {
        assert!(!line.contains(absent), "{absent:?} in {line:?}");
    }
    let output = sync(&mock, dir.path(), &["--only", "videos,stream", &login]).await;
    let (stdout, _) = text(&output);
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("{login}: ")))
        .unwrap_or_default();
    assert!(line.starts_with(&format!("{login}: videos +")), "{line:?}");
    assert!(line.contains(", offline, ") && !line.contains("followers"), "{line:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_token_records_the_follower_total_and_says_why_once() {
    let mock = mock_with_followers(800).await;
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = broadcaster(&mock);
    let second = mock.channels()[1].login.clone();
    let output = sync(&mock, dir.path(), &[&first, &second]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("followers +0 -0 (total 800, list not visible)"),
        "{stdout}"
    );
    assert_eq!(
        stderr.matches("follower lists need `itch auth login`").count(),
        1,
        "one note for the run: {stderr}"
    );
    let db = archive(dir.path());
    assert_eq!(count(&db, "SELECT count(*) FROM follows"), 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM channel_snapshots WHERE follower_total IS NOT NULL"
        ),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_moderator_login_chatters_come_from_chat_presence() {
    let mock = mock_with_followers(800).await;
    let (login, _) = broadcaster(&mock);
    let chatters = |dir: &std::path::Path, source: &str| -> Vec<String> {
        rows(
            &archive(dir),
            &format!(
                "SELECT u.user_id FROM chatter_snapshots s JOIN chatter_snapshot_users u ON u.snapshot_id = s.id
                 WHERE s.source = '{source}' ORDER BY u.user_id"
            ),
        )
    };
    // The app token cannot list chatters; the room's NAMES list over IRC can.
    let anonymous = tempfile::tempdir().unwrap();
    let output = sync(&mock, anonymous.path(), &["--no-chat", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let from_irc = chatters(anonymous.path(), "irc");
    assert!(stdout.contains(&format!("{} chatters", from_irc.len())), "{stdout}");
    // A moderator sees the same room through Helix.
    let moderator = tempfile::tempdir().unwrap();
    login_as(&mock, moderator.path(), &login);
    assert!(
        sync(&mock, moderator.path(), &["--no-chat", &login])
            .await
            .status
            .success()
    );
    let from_helix = chatters(moderator.path(), "helix");
    assert!(from_helix.len() > 10, "the broadcaster is live: {from_helix:?}");
    assert_eq!(from_irc, from_helix);

    // No chat server: a note, and the rest of the sync stands.
    let unreachable = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut cmd = itch(&mock, unreachable.path());
    cmd.env("TWITCH_IRC_URL", format!("irc://{closed}"))
        .args(["sync", "--no-chat", &login]);
    let output = run(cmd).await;
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("chatters of") && stderr.contains("cannot connect"),
        "{stderr}"
    );
    assert_eq!(
        count(&archive(unreachable.path()), "SELECT count(*) FROM chatter_snapshots"),
        0
    );
    assert!(count(&archive(unreachable.path()), "SELECT count(*) FROM videos") > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_channels_sync_concurrently_into_one_archive() {
    let mock = mock_with(MockConfig {
        followers: 3_000,
        channels: 3,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let channels = mock.channels();
    login_as(&mock, dir.path(), &channels[0].login);
    // The login is the first channel's broadcaster: only its own follower list is visible in full.
    let output = sync(&mock, dir.path(), &[&channels[0].login, &channels[1].login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT count(DISTINCT broadcaster_id) FROM channel_snapshots"),
        2
    );
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM follows WHERE broadcaster_id = '{}'",
                channels[0].id
            )
        ),
        3_000
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_percent_errors_give_an_identical_archive() {
    let config = MockConfig {
        followers: 4_000,
        ..MockConfig::default()
    };
    let mock = mock_with(config).await;
    let (clean, faulty) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (login, _) = broadcaster(&mock);
    login_as(&mock, clean.path(), &login);
    login_as(&mock, faulty.path(), &login);
    assert!(
        sync(&mock, clean.path(), &["--only", "followers,videos", &login])
            .await
            .status
            .success()
    );
    mock.set_faults(FaultPlan {
        server_error: 0.07,
        reset: 0.03,
        truncate: 0.01,
        malformed: 0.01,
        ..FaultPlan::default()
    });
    let output = sync(&mock, faulty.path(), &["--only", "followers,videos", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(mock.stats().faults > 0);
    let (a, b) = (archive(clean.path()), archive(faulty.path()));
    assert_eq!(rows(&a, FOLLOWS), rows(&b, FOLLOWS));
    assert_eq!(rows(&a, USERS), rows(&b, USERS));
    assert_eq!(rows(&a, VIDEOS), rows(&b, VIDEOS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_walk_resumes_without_gap_or_duplicate() {
    let mock = mock_with(MockConfig {
        followers: 20_000,
        latency: std::time::Duration::from_millis(3),
        ..MockConfig::default()
    })
    .await;
    let (killed, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (login, _) = broadcaster(&mock);
    login_as(&mock, killed.path(), &login);
    login_as(&mock, clean.path(), &login);

    let mut cmd = itch(&mock, killed.path());
    cmd.args(["sync", "--only", "followers", &login]);
    let mut child = cmd.spawn().unwrap();
    // Wait until some pages are committed, then kill -9 (SIGKILL: no chance to clean up).
    let db_path = killed.path().join("itch.db");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let pages = rusqlite::Connection::open_with_flags(&db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()
            .and_then(|c| {
                c.query_row("SELECT max(pages) FROM sync_checkpoints", [], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .ok()
                .flatten()
            })
            .unwrap_or(0);
        if pages >= 40 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the sync never got going");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    {
        let db = archive(killed.path());
        assert!(
            count(&db, "SELECT count(*) FROM follows_staging") > 0,
            "killed mid-walk"
        );
        assert!(count(&db, "SELECT count(*) FROM sync_runs WHERE finished_at IS NULL") == 1);
    }

    let output = sync(&mock, killed.path(), &["--only", "followers", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("followers +20000 -0"), "{stdout}");
    assert!(
        sync(&mock, clean.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    let (a, b) = (archive(killed.path()), archive(clean.path()));
    assert_eq!(count(&a, "SELECT count(*) FROM follows"), 20_000);
    assert_eq!(
        rows(&a, FOLLOWS),
        rows(&b, FOLLOWS),
        "same follows as an uninterrupted sync"
    );
    assert_eq!(rows(&a, USERS), rows(&b, USERS), "same accounts, all hydrated");
    assert_eq!(
        count(&a, "SELECT count(*) FROM sync_runs WHERE status = 'interrupted'"),
        1,
        "the killed run is marked"
    );
    let check: String = a.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_login_changes_nothing() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let output = sync(&mock, dir.path(), &["nosuchchannel"]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("no Twitch user 'nosuchchannel'"), "{stderr}");
    assert!(!dir.path().join("itch.db").exists(), "no archive was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_an_archive_is_refused_untouched() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    std::fs::write(dir.path().join("itch.db"), "my notes").unwrap();
    let output = sync(&mock, dir.path(), &[&login]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("is not an itch archive"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("itch.db")).unwrap(), "my notes");
    assert_eq!(mock.stats().requests, 0, "refused before any request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_in_a_missing_directory_is_a_clear_error() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["--db", "no/such/dir/itch.db", "sync", &login]);
    let output = run(cmd).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("no/such/dir/itch.db") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sync_on_a_busy_archive_refuses_saying_who_holds_it() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let _held = itch::sync::lock::ArchiveLock::acquire(&dir.path().join("itch.db"), std::time::Duration::ZERO).unwrap();
    let output = sync(&mock, dir.path(), &[&login]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("another itch sync is writing") && stderr.contains(&format!("process {}", std::process::id())),
        "{stderr}"
    );
}
