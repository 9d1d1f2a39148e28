//! No panic and no hang, whatever the input: schedules that overflow or never fire, stdout closed or full, a
//! cache server that accepts connections and never answers, a FIFO as the archive. Each is a clear error (exit
//! 2) before any request and without touching the archive, or, for a cache that hangs, one warning and a sync
//! that still completes.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, mock_with_followers, text};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd`, killing it if it has not ended after `limit` (a hang is then a failure, not a stuck test run).
async fn run_within(mut cmd: Command, limit: Duration) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("itch runs");
    let pid = child.id();
    tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + limit;
        loop {
            if child.try_wait().unwrap().is_some() {
                return child.wait_with_output().unwrap();
            }
            if Instant::now() > deadline {
                child.kill().unwrap();
                let output = child.wait_with_output().unwrap();
                panic!(
                    "itch (pid {pid}) still running after {limit:?}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    })
    .await
    .unwrap()
}

/// A clear error: exit 2, no panic, stderr naming `needle`.
fn assert_clear_error(output: &Output, needle: &str, what: &str) {
    let (_, stderr) = text(output);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
    assert!(stderr.contains(needle), "{what}: expected {needle:?} in {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_that_overflow_or_never_fire_are_errors_before_any_request() {
    let mock = mock_with_followers(10).await;
    let (login, _) = broadcaster(&mock);
    for (args, needle) in [
        (&["--every", "999999999w"][..], "999999999w"),
        (&["--every", "1m", "--jitter", "99999999999w"], "99999999999w"),
        (
            &["--cron", "0 */15 * * * *", "--jitter", "99999999999w"],
            "99999999999w",
        ),
        (&["--every", "0s"], "0s"),
        (&["--cron", "0 0 0 30 2 *"], "0 0 0 30 2 *"),
        (&["--cron", "0 0 0 1 1 * 2020"], "0 0 0 1 1 * 2020"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        login_as(&mock, dir.path(), &login);
        let mut cmd = itch(&mock, dir.path());
        cmd.arg("sync").args(args).args(["--only", "channel", &login]);
        let output = run_within(cmd, Duration::from_secs(60)).await;
        assert_clear_error(&output, needle, &format!("{args:?}"));
        assert_eq!(mock.stats().requests, 0, "{args:?}: no request before the error");
        assert!(!dir.path().join("itch.db").exists(), "{args:?}: no archive created");
    }
}

/// `sh -c` runs itch with its stdout closed (`>&-`) or on a full device (`> /dev/full`).
fn itch_with_stdout(mock: &itch::mock::MockServer, dir: &Path, redirect: &str, args: &[&str]) -> Command {
    let inner = itch(mock, dir);
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("exec \"$0\" \"$@\" {redirect}"))
        .arg(inner.get_program())
        .args(args);
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    cmd.current_dir(dir);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_stdout_is_a_clear_error_not_a_panic() {
    let mock = mock_with_followers(30).await;
    let (login, _) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    login_as(&mock, dir.path(), &login);
    for args in [
        &["sync", "--only", "channel", &login][..],
        &["cache", "stats"],
        &["cache", "prune"],
        &["auth", "status"],
        &["report", "--list"],
        &["report", "followers", &login],
        &["sql", "SELECT 1"],
    ] {
        let output = run_within(
            itch_with_stdout(&mock, dir.path(), "> /dev/full", args),
            Duration::from_secs(60),
        )
        .await;
        assert_clear_error(&output, "writing the output", &format!("{args:?} > /dev/full"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_is_a_clear_error_before_anything_is_done() {
    let mock = mock_with_followers(30).await;
    let (login, _) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    login_as(&mock, dir.path(), &login);
    for args in [
        &["sync", "--only", "channel", &login][..],
        &["auth", "status"],
        &["cache", "stats"],
        &["report", "--list"],
    ] {
        let output = run_within(
            itch_with_stdout(&mock, dir.path(), ">&-", args),
            Duration::from_secs(60),
        )
        .await;
        assert_clear_error(&output, "stdout is closed", &format!("{args:?} >&-"));
        assert_eq!(mock.stats().requests, 0, "{args:?}: no request");
        assert!(!dir.path().join("itch.db").exists(), "{args:?}: no archive created");
    }
}

/// A server that accepts every connection and never says a word; the connections stay open.
fn silent_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            match stream {
                Ok(stream) => held.push(stream),
                Err(_) => return,
            }
        }
    });
    (port, handle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_server_that_never_answers_costs_one_warning_not_a_hang() {
    let mock = mock_with_followers(500).await;
    let (login, _) = broadcaster(&mock);
    let (port, _server) = silent_server();
    for (backend, vars) in [
        ("memcache", vec![("MEMCACHE_SERVERS", format!("127.0.0.1:{port}"))]),
        (
            "redis",
            vec![("REDIS_HOST", "127.0.0.1".to_owned()), ("REDIS_PORT", port.to_string())],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        login_as(&mock, dir.path(), &login);
        let mut cmd = itch(&mock, dir.path());
        cmd.env("ITCH_CACHE", backend)
            .envs(vars)
            .args(["sync", "--only", "followers", &login]);
        let output = run_within(cmd, Duration::from_secs(90)).await;
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{backend}: {stderr}");
        assert!(stdout.contains("followers +500"), "{backend}: {stdout}");
        assert_eq!(
            stderr.matches("the response cache failed").count(),
            1,
            "{backend}: one warning: {stderr}"
        );
        assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{backend}: {stderr}");
        assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM follows"), 500);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_as_the_archive_is_refused_before_opening() {
    let mock = mock_with_followers(10).await;
    let (login, _) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    login_as(&mock, dir.path(), &login);
    let fifo = dir.path().join("itch.db");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for args in [
        &["sync", "--only", "channel", &login][..],
        &["report", "followers", &login],
        &["sql", "SELECT 1"],
        &["cache", "stats"],
        &["search", "hello"],
    ] {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(args);
        let output = run_within(cmd, Duration::from_secs(60)).await;
        assert_clear_error(&output, "not a regular file", &format!("{args:?}"));
        assert_eq!(mock.stats().requests, 0, "{args:?}: no request");
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind), "still the FIFO");
    }
}
