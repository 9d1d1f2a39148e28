//! The record around the rows (issue 11): every run leaves its snapshot and per-part status whatever fails,
//! one lock per archive file, fresh pages for walks that decide unfollows and totals, a resumed or restarted
//! walk that keeps its total, and `--limit` trials that leave no trap for the next sync.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, mock_with, rows, run, sync, text};
use itch::mock::{Advance, Fault, MockConfig, MockServer};
use std::path::Path;
use std::time::{Duration, Instant};

const FOLLOWS: &str =
    "SELECT broadcaster_id, user_id, followed_at, unfollowed_seen_at IS NULL FROM follows ORDER BY 1, 2";

async fn mock_of(followers: u64, latency_ms: u64) -> MockServer {
    mock_with(MockConfig {
        followers,
        latency: Duration::from_millis(latency_ms),
        ..MockConfig::default()
    })
    .await
}

/// A fake whose largest channel has `followers` followers, a temp dir logged in as its broadcaster, its login.
pub(crate) async fn broadcaster_setup(followers: u64, latency_ms: u64) -> (MockServer, tempfile::TempDir, String) {
    let mock = mock_of(followers, latency_ms).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    (mock, dir, login)
}

/// Starts a followers-only sync and kills it (SIGKILL) once `pages` pages of its walk are committed.
async fn kill_mid_walk(mock: &MockServer, dir: &Path, login: &str, pages: i64) {
    let mut cmd = itch(mock, dir);
    cmd.args(["sync", "--only", "followers", login]);
    kill_mid_walk_of(cmd, dir, pages).await
}

/// Starts `cmd` (a sync) and kills it (SIGKILL) once `pages` pages of its follower walk are committed.
pub(crate) async fn kill_mid_walk_of(mut cmd: std::process::Command, dir: &Path, pages: i64) {
    let mut child = cmd.spawn().unwrap();
    let db_path = dir.join("itch.db");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let committed = rusqlite::Connection::open_with_flags(&db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()
            .and_then(|c| {
                c.query_row(
                    "SELECT max(pages) FROM sync_checkpoints WHERE walk IS NOT NULL",
                    [],
                    |r| r.get::<_, Option<i64>>(0),
                )
                .ok()
                .flatten()
            })
            .unwrap_or(0);
        if committed >= pages {
            break;
        }
        assert!(Instant::now() < deadline, "the sync never got going");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync ended before it was killed"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

fn write(dir: &Path, sql: &str) {
    rusqlite::Connection::open(dir.join("itch.db"))
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

/// The follower totals of the channel's snapshots, oldest first.
fn totals(dir: &Path) -> Vec<String> {
    rows(
        &archive(dir),
        "SELECT follower_total FROM channel_snapshots ORDER BY sync_run_id, id",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_chat_part_keeps_the_snapshot_and_the_other_parts() {
    let (mock, dir, login) = broadcaster_setup(300, 0).await;
    // Every chat replay request is refused by Twitch's integrity check.
    mock.fail_next_gql(10_000, Fault::GqlIntegrity);
    let output = sync(&mock, dir.path(), &[&login]).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("followers +300 -0 (total 300)"), "{stdout}");
    assert!(
        stdout.contains("chat failed:"),
        "the summary names the failed part: {stdout}"
    );
    assert_eq!(
        stderr.matches("hint: Twitch's GQL refused this Client-Id").count(),
        1,
        "a failed part's fix is said once, as for any other command: {stderr}"
    );

    let db = archive(dir.path());
    assert_eq!(
        totals(dir.path()),
        ["Integer(300)"],
        "the run's snapshot, with its total"
    );
    let mut stmt = db
        .prepare("SELECT part || ' ' || status || ' ' || (error IS NOT NULL) FROM sync_run_parts ORDER BY part")
        .unwrap();
    let parts: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(
        parts,
        [
            "channel ok 0",
            "chapters ok 0",
            "chat failed 1",
            "chatters ok 0",
            "clips ok 0",
            "followers ok 0",
            "following ok 0",
            "schedule ok 0",
            "stream ok 0",
            "subscribers ok 0",
            "videos ok 0"
        ]
    );
    assert!(
        count(&db, "SELECT count(*) FROM videos") > 0,
        "videos after the failure were still saved"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_parts_latest WHERE part = 'chat' AND status = 'failed'"
        ),
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM sync_runs WHERE status = 'failed'"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_walk_leaves_its_snapshot_and_the_resume_records_a_total() {
    let (mock, dir, login) = broadcaster_setup(3_000, 3).await;
    kill_mid_walk(&mock, dir.path(), &login, 5).await;
    assert_eq!(
        totals(dir.path()),
        ["Integer(3000)"],
        "the killed run's total was saved from its first page"
    );
    assert_eq!(
        count(
            &archive(dir.path()),
            "SELECT count(*) FROM sync_run_parts WHERE status = 'running'"
        ),
        1
    );
    // All pages read, only the merge left (as after a kill during the merge).
    write(dir.path(), "UPDATE sync_checkpoints SET cursor = NULL");
    let output = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("(total 3000)"), "{stdout}");
    assert_eq!(totals(dir.path()), ["Integer(3000)", "Integer(3000)"]);
    let db = archive(dir.path());
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_run_parts WHERE status = 'interrupted' AND part = 'followers'"
        ),
        1,
        "the killed run's part is marked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_through_a_symlink_takes_the_same_lock() {
    let mock = mock_of(10, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    assert!(sync(&mock, dir.path(), &[&login]).await.status.success());
    std::os::unix::fs::symlink(dir.path().join("itch.db"), dir.path().join("link.db")).unwrap();
    let _held = itch::sync::lock::ArchiveLock::acquire(&dir.path().join("itch.db"), Duration::ZERO).unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["--db", "link.db", "sync", &login]);
    let output = run(cmd).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another itch sync is writing"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_with_two_hard_links_is_refused_untouched() {
    let mock = mock_of(10, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    assert!(sync(&mock, dir.path(), &[&login]).await.status.success());
    std::fs::hard_link(dir.path().join("itch.db"), dir.path().join("other.db")).unwrap();
    let before = std::fs::read(dir.path().join("itch.db")).unwrap();
    mock.reset_stats();
    for db in ["itch.db", "other.db"] {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(["--db", db, "sync", &login]);
        let output = run(cmd).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("has 2 hard links"), "{stderr}");
    }
    assert_eq!(mock.stats().requests, 0, "refused before any request");
    assert!(
        std::fs::read(dir.path().join("itch.db")).unwrap() == before,
        "untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_walk_soon_after_another_reads_fresh_pages() {
    let (mock, dir, login) = broadcaster_setup(3_000, 0).await;
    assert!(
        sync(&mock, dir.path(), &["--only", "followers", "--full", &login])
            .await
            .status
            .success()
    );
    mock.advance(Advance {
        unfollows: 500,
        ..Advance::default()
    });
    // Within the cache's 5 minutes for deeper follower pages.
    let output = sync(&mock, dir.path(), &["--only", "followers", "--full", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("followers +0 -500 (total 2500)"), "{stdout}");
    assert_eq!(totals(dir.path()), ["Integer(3000)", "Integer(2500)"]);
    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NULL"),
        2_500
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_cursor_starts_the_walk_over_with_a_note() {
    let (mock, dir, login) = broadcaster_setup(3_000, 3).await;
    let clean = tempfile::tempdir().unwrap();
    login_as(&mock, clean.path(), &login);
    kill_mid_walk(&mock, dir.path(), &login, 5).await;
    // Twitch's cursors do not last for ever: this one it refuses with 400.
    write(
        dir.path(),
        "UPDATE sync_checkpoints SET cursor = 'eyJiIjpudWxsLCJhIjp7IkN1cnNvciI6ImV4cGlyZWQifX0'",
    );
    let output = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("the walk started over from the top"), "{stderr}");
    assert!(stdout.contains("followers +3000 -0 (total 3000)"), "{stdout}");
    assert!(
        sync(&mock, clean.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    assert_eq!(
        rows(&archive(dir.path()), FOLLOWS),
        rows(&archive(clean.path()), FOLLOWS)
    );
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM follows_staging"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_trial_keeps_an_interrupted_walk_and_says_what_comes_next() {
    let (mock, dir, login) = broadcaster_setup(3_000, 3).await;
    let clean = tempfile::tempdir().unwrap();
    login_as(&mock, clean.path(), &login);
    kill_mid_walk(&mock, dir.path(), &login, 10).await;
    let pages_before = count(&archive(dir.path()), "SELECT pages FROM sync_checkpoints");

    let output = sync(&mock, dir.path(), &["--only", "followers", "--limit", "10", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("the next sync without --limit resumes the interrupted full walk"),
        "{stderr}"
    );
    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT pages FROM sync_checkpoints WHERE walk = 'full'"),
        pages_before,
        "the interrupted walk is still there to resume"
    );
    drop(db);

    mock.reset_stats();
    let output = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    assert!(output.status.success());
    let resumed = mock
        .stats()
        .by_path
        .get("/helix/channels/followers")
        .copied()
        .unwrap_or(0);
    assert!(
        resumed <= 31 - pages_before as u64 + 1,
        "resumed the walk: {resumed} follower pages"
    );
    assert!(
        sync(&mock, clean.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    assert_eq!(
        rows(&archive(dir.path()), FOLLOWS),
        rows(&archive(clean.path()), FOLLOWS)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_trial_does_not_hide_new_follows_from_the_next_sync() {
    let (mock, dir, login) = broadcaster_setup(1_000, 0).await;
    assert!(
        sync(&mock, dir.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    mock.advance(Advance {
        new_followers: 250,
        ..Advance::default()
    });
    let output = sync(&mock, dir.path(), &["--only", "followers", "--limit", "10", &login]).await;
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("the next sync without --limit walks down from the top to the last complete walk"),
        "{stderr}"
    );
    let output = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    let (stdout, _) = text(&output);
    assert!(stdout.contains("followers +240 -0 (total 1250)"), "{stdout}");
    assert_eq!(
        count(
            &archive(dir.path()),
            "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NULL"
        ),
        1_250,
        "no follow left out between the trial's and the archive's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_limit_trial_says_the_next_sync_walks_the_whole_list() {
    let (mock, dir, login) = broadcaster_setup(3_000, 0).await;
    let output = sync(&mock, dir.path(), &["--only", "followers", "--limit", "100", &login]).await;
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("a --limit trial read 100 of 3000 followers; the next sync without --limit walks the whole list (3000 follows, about 30 requests)"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_whose_staged_rows_vanished_records_no_unfollow() {
    let (mock, dir, login) = broadcaster_setup(3_000, 3).await;
    assert!(
        sync(&mock, dir.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["sync", "--only", "followers", "--full", &login]);
    kill_mid_walk_of(cmd, dir.path(), 10).await;
    // Something else took the walk's staged rows (as a second sync through another name of the file did).
    write(dir.path(), "DELETE FROM follows_staging WHERE seq % 2 = 0");
    let output = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("followers failed:") && stdout.contains("no unfollows were recorded"),
        "{stdout}"
    );
    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NOT NULL"),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM sync_checkpoints WHERE walk IS NOT NULL"),
        0,
        "given up"
    );
    drop(db);
    let output = sync(&mock, dir.path(), &["--only", "followers", "--full", &login]).await;
    let (stdout, _) = text(&output);
    assert!(stdout.contains("followers +0 -0 (total 3000)"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_wait_for_a_busy_archive_is_no_panic() {
    let mock = mock_of(10, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let _held = itch::sync::lock::ArchiveLock::acquire(&dir.path().join("itch.db"), Duration::ZERO).unwrap();
    let mut child = itch(&mock, dir.path())
        .args(["sync", "--wait", "18446744073709551615", &login])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Waiting (for ever) is right; it must not have panicked meanwhile.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(child.try_wait().unwrap().is_none(), "it waits for the lock");
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}
