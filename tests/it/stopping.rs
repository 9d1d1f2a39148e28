//! Ends that are clean: Ctrl-C and SIGTERM cut any wait (a rate-limit pause, a 429) at once and print the
//! summary so far, `itch demo` stops the same way, and a sync that exits 0 leaves a `.db` that holds every
//! commit on its own.

use crate::paging::broadcaster;
use crate::schedule::{signal, wait_for};
use crate::util::{count, itch, login_as, mock_with, rows, sync, text};
use itch::client::helix::followers;
use itch::client::{Client, ClientConfig, RetryPolicy};
use itch::mock::{Fault, MockConfig};
use itch::secret::Secret;
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Waits for `child` to exit, at most `limit` (then kills it and fails): the waits these tests cut are a
/// minute or more long, so a generous limit still tells a cut wait from one waited out.
async fn exits_within(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!("still running {limit:?} after the signal: {:?}", text(&output));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

/// Waits until the fake has answered `at_least` Helix requests.
async fn requests_reach(mock: &itch::mock::MockServer, at_least: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while mock.stats().helix_requests < at_least {
        assert!(Instant::now() < deadline, "the sync never sent {at_least} requests");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn assert_stopped(output: &Output, code: i32) {
    let (stdout, stderr) = text(output);
    assert_eq!(output.status.code(), Some(code), "{stdout}{stderr}");
    assert!(
        stdout.contains("stopped, the next sync resumes"),
        "the summary so far: {stdout}{stderr}"
    );
    assert!(!stdout.contains("failed"), "an interrupted run did not fail: {stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_cuts_a_rate_limit_pause_and_keeps_the_page_in_hand() {
    // Two points and one more a minute: after the login lookup and the first page the sync must pause.
    let mock = mock_with(MockConfig {
        followers: 2_000,
        bucket_size: 2,
        refill_per_minute: 1,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["sync", "--only", "followers", &login])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    requests_reach(&mock, 2).await;
    wait_for(dir.path(), "SELECT max(pages) FROM sync_checkpoints", 1).await;
    // Well inside the minute-long pause for the next point.
    tokio::time::sleep(Duration::from_millis(500)).await;
    signal(&child, "INT");
    let output = exits_within(child, Duration::from_secs(20)).await;
    assert_stopped(&output, 130);
    let db = crate::util::archive(dir.path());
    assert_eq!(
        count(&db, "SELECT max(pages) FROM sync_checkpoints"),
        1,
        "the page in hand is kept"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM sync_runs WHERE status = 'interrupted'"),
        1
    );
    assert_eq!(mock.stats().rate_limited, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_cuts_the_wait_after_429s() {
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
    cmd.args(["sync", "--only", "followers", &login])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    wait_for(dir.path(), "SELECT max(pages) FROM sync_checkpoints", 3).await;
    // From now on Twitch refuses everything: 20 refusals in a row take half a minute to wait out.
    mock.fail_next(10_000, Fault::RateLimit);
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.stats().rate_limited < 3 {
        assert!(Instant::now() < deadline, "no 429 reached the sync");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    signal(&child, "TERM");
    let output = exits_within(child, Duration::from_secs(8)).await;
    assert_stopped(&output, 143);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_demo_with_its_summary_so_far() {
    let mock = mock_with(MockConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    let archive = dir.path().join("itch.db");
    cmd.args(["demo", "--followers", "200000", "--comments", "100", "--archive"])
        .arg(&archive)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    wait_for(dir.path(), "SELECT max(pages) FROM sync_checkpoints", 5).await;
    signal(&child, "INT");
    let output = exits_within(child, Duration::from_secs(20)).await;
    assert_stopped(&output, 130);
    // The hint resumes the same fake world: another one would be refused as a mix.
    let (stdout, _) = text(&output);
    let hint = stdout
        .lines()
        .find(|l| l.starts_with("run the demo again to resume:"))
        .unwrap_or_default();
    assert!(hint.ends_with("--seed 0 --followers 200000 --comments 100"), "{stdout}");
}

/// Every row of every ordinary table, sorted, table by table.
fn every_row(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut all = Vec::new();
    for name in tables {
        let mut table_rows = rows(&conn, &format!("SELECT * FROM \"{name}\""));
        table_rows.sort();
        all.push(format!("{name}: {}", table_rows.len()));
        all.extend(table_rows.into_iter().map(|r| format!("{name}: {r}")));
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_exit_0_the_db_file_alone_holds_every_commit() {
    let mock = mock_with(MockConfig {
        followers: 5_000,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    let output = sync(&mock, dir.path(), &[&login]).await;
    assert!(output.status.success(), "{:?}", text(&output));
    let db = dir.path().join("itch.db");
    let wal = dir.path().join("itch.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the last checkpoint is done: {} bytes of WAL left",
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0)
    );
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(&db, copy.path().join("itch.db")).unwrap();
    let copied = every_row(&copy.path().join("itch.db"));
    // The run's last commit (its end) is in the copy.
    let copied_db = rusqlite::Connection::open(copy.path().join("itch.db")).unwrap();
    assert_eq!(
        count(&copied_db, "SELECT count(*) FROM sync_runs WHERE status = 'ok'"),
        1
    );
    assert!(count(&copied_db, "SELECT count(*) FROM follows") >= 5_000);
    assert_eq!(copied, every_row(&db));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_client_cuts_a_retry_backoff() {
    let mock = mock_with(MockConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    let store = crate::util::store_with_user_token(&mock, dir.path(), &login, &[followers::SCOPE]);
    // A minute between retries.
    let mut client = Client::new(ClientConfig {
        endpoints: crate::util::endpoints(&mock),
        client_id: Some(mock.client_id().to_owned()),
        client_secret: Some(Secret::new(mock.client_secret())),
        token_store: Some(store),
        retry: RetryPolicy {
            base_delay: Duration::from_secs(120),
            max_delay: Duration::from_secs(120),
            ..RetryPolicy::default()
        },
        ..ClientConfig::default()
    })
    .unwrap();
    let cancel = CancellationToken::new();
    client.set_cancel(cancel.clone());
    mock.fail_next(1, Fault::ServerError(503));
    let stopper = async {
        while mock.stats().helix_requests < 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cancel.cancel();
    };
    let page = async { followers::followers(&client, &id).next_page().await };
    let (result, ()) = tokio::time::timeout(Duration::from_secs(20), async { tokio::join!(page, stopper) })
        .await
        .expect("the backoff was cut");
    assert!(matches!(result, Err(itch::Error::Interrupted)), "{result:?}");
    assert_eq!(mock.stats().helix_requests, 1, "no retry after the stop");
}
