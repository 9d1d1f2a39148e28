//! A crawler that runs itself: schedules in the foreground, SIGTERM mid-page then a resume with no gap, and
//! the lock a killed sync leaves behind.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, mock_with, rows, sync, text};
use itch::mock::MockConfig;
use std::process::Stdio;
use std::time::{Duration, Instant};

pub fn signal(child: &std::process::Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until `sql` on the archive answers at least `at_least`.
pub async fn wait_for(dir: &std::path::Path, sql: &str, at_least: i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let value =
            rusqlite::Connection::open_with_flags(dir.join("itch.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .ok()
                .and_then(|c| c.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).ok().flatten())
                .unwrap_or(0);
        if value >= at_least {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {sql} >= {at_least}");
    }
}

/// Runs `itch sync <flags> --every 2s --only channel <login>` until `runs` runs are ok, then SIGTERM; the
/// fake, the archive's dir, the login and what the crawler printed.
async fn scheduled_until_sigterm(
    flags: &[&str],
    runs: i64,
) -> (itch::mock::MockServer, tempfile::TempDir, String, std::process::Output) {
    let mock = mock_with(MockConfig {
        followers: 50,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    let mut cmd = itch(&mock, dir.path());
    cmd.arg("sync")
        .args(flags)
        .args(["--every", "2s", "--only", "channel", &login])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    wait_for(dir.path(), "SELECT count(*) FROM sync_runs WHERE status = 'ok'", runs).await;
    signal(&child, "TERM");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    (mock, dir, login, output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_runs_on_schedule_until_sigterm() {
    let (_mock, dir, login, output) = scheduled_until_sigterm(&[], 3).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("next sync at"), "{stderr}");
    assert!(stdout.lines().count() >= 3, "{stdout}");
    // A scheduled run's summary lines are a log: each starts with the time its run finished.
    for line in stdout.lines() {
        let (stamp, rest) = line.split_once(' ').unwrap();
        assert!(stamp.parse::<chrono::DateTime<chrono::Utc>>().is_ok(), "{line}");
        assert!(rest.starts_with(&format!("{login}: ")), "{line}");
    }
    // Runs start two seconds apart (the archive's times are whole seconds).
    let starts: Vec<i64> = rows(
        &archive(dir.path()),
        "SELECT CAST(strftime('%s', started_at) AS INTEGER) FROM sync_runs WHERE status = 'ok' ORDER BY id",
    )
    .iter()
    .map(|r| r.trim_matches(|c: char| !c.is_ascii_digit()).parse().unwrap())
    .collect();
    assert!(
        starts.windows(2).all(|w| (1..=3).contains(&(w[1] - w[0]))),
        "{starts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_schedule_is_a_clear_error() {
    let mock = mock_with(MockConfig {
        followers: 10,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    for args in [["--every", "soon"], ["--cron", "every tuesday"]] {
        let output = sync(&mock, dir.path(), &[args[0], args[1], "somechannel"]).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(args[1]), "names the bad value: {stderr}");
    }
    assert_eq!(mock.stats().requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_walk_commits_the_page_in_hand_and_a_fresh_start_resumes() {
    let mock = mock_with(MockConfig {
        followers: 20_000,
        latency: Duration::from_millis(3),
        ..MockConfig::default()
    })
    .await;
    let (stopped, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (login, _) = broadcaster(&mock);
    login_as(&mock, stopped.path(), &login);
    login_as(&mock, clean.path(), &login);
    let mut cmd = itch(&mock, stopped.path());
    cmd.args(["sync", "--only", "followers", &login])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    wait_for(stopped.path(), "SELECT max(pages) FROM sync_checkpoints", 30).await;
    signal(&child, "TERM");
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(
        stdout.contains("stopped, the next sync resumes (followers +0 -0 of 20000"),
        "the summary so far, with the total read before the stop: {stdout}"
    );
    assert!(!stdout.contains("failed"), "{stdout}");
    {
        let db = archive(stopped.path());
        assert_eq!(
            count(&db, "SELECT count(*) FROM sync_runs WHERE status = 'interrupted'"),
            1
        );
        let pages = count(&db, "SELECT pages FROM sync_checkpoints");
        assert_eq!(
            count(&db, "SELECT count(*) FROM follows_staging"),
            pages * 100,
            "every committed page is whole"
        );
    }
    let output = sync(&mock, stopped.path(), &["--only", "followers", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(
        sync(&mock, clean.path(), &["--only", "followers", &login])
            .await
            .status
            .success()
    );
    let query = "SELECT broadcaster_id, user_id, followed_at FROM follows ORDER BY 1, 2";
    assert_eq!(count(&archive(stopped.path()), "SELECT count(*) FROM follows"), 20_000);
    assert_eq!(
        rows(&archive(stopped.path()), query),
        rows(&archive(clean.path()), query)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_of_a_killed_sync_does_not_block_the_next() {
    let mock = mock_with(MockConfig {
        followers: 20_000,
        latency: Duration::from_millis(3),
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["sync", "--only", "followers", &login]);
    let mut child = cmd.spawn().unwrap();
    wait_for(dir.path(), "SELECT max(pages) FROM sync_checkpoints", 5).await;
    // While it runs, a second sync is refused...
    let output = sync(&mock, dir.path(), &["--only", "channel", &login]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains(&format!("process {}", child.id())));
    // ...and once it is killed (no chance to clean up), the lock file left behind does not block.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(dir.path().join("itch.db.lock").exists());
    let output = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
}

/// A scheduled `--json` crawler prints one object per channel per run, each stamped with its run and times, and
/// nothing else on stdout (for a wrapper that reads it line by line).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_json_summaries_are_stamped_with_their_run() {
    let (_mock, dir, _login, output) = scheduled_until_sigterm(&["--json"], 2).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    let summaries: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(summaries.len() >= 2, "{stdout}");
    let db = archive(dir.path());
    for (i, summary) in summaries.iter().enumerate() {
        let run = summary["run_id"].as_i64().unwrap();
        let (run_started, run_finished): (String, String) = db
            .query_row(
                "SELECT started_at, finished_at FROM sync_runs WHERE id = ?1",
                [run],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            summary["started_at"],
            run_started.as_str(),
            "the run's own times: {summary}"
        );
        assert_eq!(summary["finished_at"], run_finished.as_str(), "{summary}");
        assert_eq!(summary["status"], "ok");
        assert_eq!(summary["parts"][0]["part"], "channel");
        if i > 0 {
            assert!(run > summaries[i - 1]["run_id"].as_i64().unwrap());
            assert!(summary["started_at"].as_str() > summaries[i - 1]["started_at"].as_str());
        }
    }
}
