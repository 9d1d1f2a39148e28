//! Chaos (issue 11): `kill -9` at random moments of a first sync and of a full re-sync after the world changed,
//! under a fault plan (5xx, resets, truncated and malformed bodies, 429 bursts). Every archive must end equal to
//! an uninterrupted run's, with one snapshot per run carrying its total, and SQLite's own checks clean.
//!
//! The killed archive may merge its follower accounts in runs of 150 while a walk goes on (when the writer has
//! mostly waited); the uninterrupted one merges them only at the walk's end. A test of its own makes sure of runs.
//!
//! Small by default so CI runs it; `ITCH_CHAOS_KILLS=100` (per phase) and `ITCH_CHAOS_SEED=n` to dig deeper. A
//! failure names its seed.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, login_as_with, mock_with, rows, run, sync, text};
use itch::mock::{Advance, Fault, FaultPlan, MockConfig, MockServer};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::path::Path;
use std::time::{Duration, Instant};

/// What a killed and resumed archive must hold exactly as an uninterrupted one: every part's rows. Snapshot tables
/// (clip views, subscriber lists) are compared by their latest state, since killed runs add runs of their own.
const COMPARED: &[&str] = &[
    "SELECT broadcaster_id, user_id, followed_at, unfollowed_seen_at IS NULL, episode FROM follows ORDER BY 1, 2",
    "SELECT broadcaster_id, user_id, episode, followed_at, ended_before, unfollowed_seen_at IS NULL
     FROM earlier_follows ORDER BY 1, 2, 3",
    "SELECT id, login, display_name, description, created_at, hydrated_at IS NOT NULL FROM users ORDER BY id",
    "SELECT id, title, duration_seconds, deleted_seen_at IS NOT NULL, chat_status, chat_messages FROM videos ORDER BY id",
    "SELECT id, video_id, offset_seconds, text FROM chat_messages ORDER BY id",
    "SELECT count(*) FROM chat_messages",
    "SELECT id, broadcaster_id, video_id, vod_offset, duration, created_at, view_count FROM clips_latest ORDER BY id",
    "SELECT video_id, position_ms, duration_ms, game_id, gone_seen_at IS NULL FROM video_chapters ORDER BY 1, 2",
    "SELECT video_id, status FROM video_chapter_fetches ORDER BY 1",
    // Segments well inside the four weeks read ahead: the edges move with the clock between the two archives' runs.
    "SELECT id, start_time, title, canceled_until, gone_seen_at IS NULL FROM schedule_segments
     WHERE start_time BETWEEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+1 hour')
                          AND strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+20 days')
     ORDER BY id",
    "SELECT u.user_id, u.tier, u.is_gift, u.gifter_id FROM subscription_snapshot_users u
     WHERE u.snapshot_id = (SELECT max(id) FROM subscription_snapshots WHERE complete) ORDER BY 1",
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Starts `itch sync <args>` and kills it (SIGKILL) after `after`, unless it ended first.
async fn sync_killed_after(mock: &MockServer, dir: &Path, args: &[&str], after: Duration) {
    let mut cmd = itch(mock, dir);
    cmd.arg("sync")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + after;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Checks the archive's own consistency and the run record: one snapshot per channel and run, and a total in
/// each snapshot of a run whose followers part got its first page.
fn check_record(dir: &Path, seed: u64) {
    let db = archive(dir);
    let integrity: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok", "seed {seed}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM pragma_foreign_key_check"),
        0,
        "seed {seed}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM (SELECT 1 FROM channel_snapshots GROUP BY sync_run_id, broadcaster_id HAVING count(*) > 1)"
        ),
        0,
        "one snapshot per channel and run (seed {seed})"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_run_parts p WHERE p.part = 'followers' AND p.status = 'ok' AND NOT EXISTS (
                 SELECT 1 FROM channel_snapshots s
                 WHERE s.sync_run_id = p.sync_run_id AND s.broadcaster_id = p.broadcaster_id
                   AND s.follower_total IS NOT NULL)"
        ),
        0,
        "every run whose followers part finished has its total (seed {seed})"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM channel_snapshots s WHERE s.follower_total IS NULL AND EXISTS (
                 SELECT 1 FROM sync_checkpoints c WHERE c.broadcaster_id = s.broadcaster_id AND c.walk_sync_run_id = s.sync_run_id)"
        ),
        0,
        "a run that committed follower pages recorded the total (seed {seed})"
    );
}

fn assert_same_archive(killed: &Path, clean: &Path, seed: u64) {
    let (a, b) = (archive(killed), archive(clean));
    for sql in COMPARED {
        assert_eq!(rows(&a, sql), rows(&b, sql), "{sql} (seed {seed})");
    }
    // Killed runs leave snapshots too (that is the point): each total any run recorded is one Twitch served.
    let totals = "SELECT DISTINCT broadcaster_id, follower_total FROM channel_snapshots
                  WHERE follower_total IS NOT NULL ORDER BY 1, 2";
    assert_eq!(rows(&a, totals), rows(&b, totals), "the totals recorded (seed {seed})");
}

/// `args` after the hidden option that sets how many follower accounts a walk merges at a time (0: at its end).
fn with_runs<'a>(accounts: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    [&["--account-run", accounts][..], args].concat()
}

/// Kills `kills` syncs at random moments within `span`, 429 bursts now and then, then lets one finish.
async fn killed_then_finished(
    mock: &MockServer,
    dir: &Path,
    args: &[&str],
    kills: u64,
    span: Duration,
    rng: &mut StdRng,
) {
    for _ in 0..kills {
        if rng.random_bool(0.3) {
            mock.fail_next(rng.random_range(1..4), Fault::RateLimit);
        }
        let after = Duration::from_millis(rng.random_range(20..span.as_millis().max(40) as u64));
        sync_killed_after(mock, dir, args, after).await;
    }
    let output = sync(mock, dir, args).await;
    assert!(output.status.success(), "{}", text(&output).1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_moments_under_faults_ends_equal_to_an_uninterrupted_run() {
    let seed = env_number("ITCH_CHAOS_SEED", rand::random::<u32>() as u64);
    let kills = env_number("ITCH_CHAOS_KILLS", 10);
    let mut rng = StdRng::seed_from_u64(seed);
    let mock = mock_with(MockConfig {
        followers: 2_000,
        latency: Duration::from_millis(2),
        ..MockConfig::default()
    })
    .await;
    mock.set_faults(FaultPlan {
        server_error: 0.03,
        reset: 0.02,
        truncate: 0.01,
        malformed: 0.01,
        ..FaultPlan::default()
    });
    let (killed, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (login, _) = broadcaster(&mock);
    // With the subscriptions scope, so the subscribers part runs (and is killed) too.
    login_as_with(&mock, killed.path(), &login, &["channel:read:subscriptions"]);
    login_as_with(&mock, clean.path(), &login, &["channel:read:subscriptions"]);
    let logins: Vec<String> = mock.channels().into_iter().map(|c| c.login).collect();
    let mut args: Vec<&str> = logins.iter().map(String::as_str).collect();

    // A first sync.
    let started = Instant::now();
    let output = sync(&mock, clean.path(), &with_runs("0", &args)).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let span = started.elapsed();
    killed_then_finished(&mock, killed.path(), &with_runs("150", &args), kills, span, &mut rng).await;
    check_record(killed.path(), seed);
    assert_same_archive(killed.path(), clean.path(), seed);

    // The world moves on; a full re-sync records follows, unfollows and re-follows, new and deleted videos.
    mock.advance(Advance {
        new_followers: 300,
        unfollows: 200,
        new_videos: 1,
        deleted_videos: 1,
        ..Advance::default()
    });
    // Some of those come back at once: a re-follow no walk saw the unfollow of starts a second episode.
    mock.advance(Advance {
        refollows: 50,
        ..Advance::default()
    });
    args.insert(0, "--full");
    let started = Instant::now();
    let output = sync(&mock, clean.path(), &with_runs("0", &args)).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let span = started.elapsed();
    killed_then_finished(&mock, killed.path(), &with_runs("150", &args), kills, span, &mut rng).await;
    check_record(killed.path(), seed);
    assert_same_archive(killed.path(), clean.path(), seed);
    // The fake may pick its unfollowers among the new followers too: the world's own total is the measure.
    let db = archive(killed.path());
    let current = "SELECT count(*) FROM follows f JOIN users u ON u.id = f.broadcaster_id
                   WHERE u.login = ?1 AND f.unfollowed_seen_at IS NULL";
    let current: i64 = db.query_row(current, [&login], |r| r.get(0)).unwrap();
    let world = mock.channels().remove(0).followers as i64;
    assert_eq!(current, world, "seed {seed}");
    assert!(count(&db, "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NOT NULL") > 0);
    // Every part's comparison above compared rows, not two empty tables.
    for table in [
        "earlier_follows",
        "clips",
        "video_chapters",
        "schedule_segments",
        "subscription_snapshot_users",
    ] {
        assert!(
            count(&db, &format!("SELECT count(*) FROM {table}")) > 0,
            "{table} (seed {seed})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_that_merges_accounts_in_runs_killed_anywhere_ends_equal_to_one_that_merges_at_its_end() {
    let seed = env_number("ITCH_CHAOS_SEED", rand::random::<u32>() as u64);
    let mut rng = StdRng::seed_from_u64(seed);
    // Latency that leaves the writer waiting most of the time, as Twitch's does: it merges runs then. Get Users
    // leaves out one follower in seven, whose accounts only the follower pages name.
    let mock = mock_with(MockConfig {
        followers: 3_000,
        latency: Duration::from_millis(25),
        gone_every: 7,
        ..MockConfig::default()
    })
    .await;
    let (login, _) = broadcaster(&mock);
    let [at_the_end, in_runs, killed] = [(); 3].map(|()| tempfile::tempdir().unwrap());
    for dir in [&at_the_end, &in_runs, &killed] {
        login_as(&mock, dir.path(), &login);
    }
    let args = |accounts: &'static str| ["--only", "followers", "--account-run", accounts, login.as_str()];
    let output = sync(&mock, at_the_end.path(), &args("0")).await;
    assert!(output.status.success(), "{}", text(&output).1);

    let mut cmd = itch(&mock, in_runs.path());
    cmd.env("RUST_LOG", "itch=debug").arg("sync").args(args("100"));
    let output = run(cmd).await;
    let log = text(&output).1;
    assert!(output.status.success(), "{log}");
    let runs = log.matches("accounts run merged").count();
    assert!(runs >= 2, "the walk merged {runs} runs: {log}");
    assert_same_archive(in_runs.path(), at_the_end.path(), seed);

    // Killed anywhere, in a run or between runs, then resumed.
    for _ in 0..5 {
        let after = Duration::from_millis(rng.random_range(20..1000));
        sync_killed_after(&mock, killed.path(), &args("100"), after).await;
    }
    let output = sync(&mock, killed.path(), &args("100")).await;
    assert!(output.status.success(), "{}", text(&output).1);
    check_record(killed.path(), seed);
    assert_same_archive(killed.path(), at_the_end.path(), seed);
    let db = archive(killed.path());
    assert_eq!(count(&db, "SELECT count(*) FROM follows"), 3_000);
    let gone = "SELECT count(*) FROM users WHERE hydrated_at IS NOT NULL AND created_at IS NULL";
    assert!(
        count(&db, gone) >= 400,
        "the accounts Get Users left out are archived as such"
    );
}
