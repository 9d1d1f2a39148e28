//! What an archive's state looks like from outside (issue 14): `itch status` on an archive with a failed part
//! and a walk left open by a kill, and `itch sync --json`'s one object per channel.

use crate::record::{broadcaster_setup, kill_mid_walk_of};
use crate::util::{archive, count, itch, run, sync, text};
use itch::mock::Fault;
use serde_json::Value;

/// `itch status` with `args`, its stdout and the exit code.
async fn itch_status(mock: &itch::mock::MockServer, dir: &std::path::Path, args: &[&str]) -> (String, Option<i32>) {
    let mut cmd = itch(mock, dir);
    cmd.arg("status").args(args);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(stderr.is_empty() || output.status.code() != Some(0), "{stderr}");
    (stdout, output.status.code())
}

fn part<'a>(parts: &'a Value, name: &str) -> &'a Value {
    parts
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part"] == name)
        .unwrap_or_else(|| panic!("no part {name} in {parts}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_a_failed_part_an_open_walk_and_the_counts() {
    let (mock, dir, login) = broadcaster_setup(3_000, 20).await;
    // The first sync's chat replay is refused by Twitch's integrity check: the chat part fails.
    mock.fail_next_gql(10_000, Fault::GqlIntegrity);
    let first = sync(&mock, dir.path(), &[&login]).await;
    assert_eq!(first.status.code(), Some(1), "{:?}", text(&first));
    // Then a full walk is killed after a few pages: it stays open for the next sync.
    let mut walk = itch(&mock, dir.path());
    walk.args(["sync", "--only", "followers", "--full", &login]);
    kill_mid_walk_of(walk, dir.path(), 3).await;

    let (json, code) = itch_status(&mock, dir.path(), &["--format", "json"]).await;
    assert_eq!(code, Some(0));
    let status: Value = serde_json::from_str(&json).unwrap();
    let channel = &status["channels"][0];
    assert_eq!(channel["login"], login.as_str());
    let chat = part(&channel["parts"], "chat");
    assert_eq!(chat["status"], "failed");
    assert!(
        chat["error"].as_str().unwrap().contains("integrity"),
        "the chat part's error is Twitch's: {chat}"
    );
    assert_eq!(chat["last_ok_at"], Value::Null, "chat never worked: {chat}");
    assert!(chat["requests"].as_i64().unwrap() > 0);
    let followers = part(&channel["parts"], "followers");
    assert_eq!(
        followers["status"], "running",
        "the killed walk's part is left running: {followers}"
    );
    assert!(
        followers["last_ok_at"].is_string(),
        "the first sync's walk worked: {followers}"
    );

    let db = archive(dir.path());
    let walk = &channel["followers_walk"];
    assert_eq!(walk["state"], "in progress", "{walk}");
    assert_eq!(walk["walk"], "full");
    let pages = count(&db, "SELECT pages FROM sync_checkpoints WHERE part = 'followers'");
    assert!(pages >= 3, "{pages}");
    assert_eq!(walk["pages"], pages);
    assert_eq!(
        walk["staged"],
        count(&db, "SELECT walk_items FROM sync_checkpoints WHERE part = 'followers'")
    );
    assert_eq!(walk["total"], 3_000);
    assert!(walk["next_full_due"].is_string(), "the first walk was full: {walk}");

    let counts = &channel["counts"];
    assert_eq!(counts["follows"], 3_000);
    assert_eq!(counts["follows_gone"], 0);
    assert_eq!(counts["videos"], count(&db, "SELECT count(*) FROM videos"));
    let archive_vods = count(&db, "SELECT count(*) FROM videos WHERE type = 'archive'");
    assert!(archive_vods > 0);
    assert_eq!(
        counts["vods_chat_pending"], archive_vods,
        "every archive VOD's chat is still to fetch after the failure: {counts}"
    );
    assert_eq!(counts["chat_messages"], 0);
    assert!(status["bytes"].as_u64().unwrap() > 0);
    assert_eq!(
        status["schema_version"],
        count(&db, "SELECT max(version) FROM refinery_schema_history")
    );
    assert_eq!(
        status["last_run"]["status"], "running",
        "the killed run is the last one"
    );

    let (text_view, code) = itch_status(&mock, dir.path(), &[]).await;
    assert_eq!(code, Some(0));
    let chat_line = text_view.lines().find(|l| l.trim_start().starts_with("chat ")).unwrap();
    assert!(
        chat_line.contains("failed") && chat_line.contains("never ok") && chat_line.contains("integrity"),
        "{text_view}"
    );
    assert!(
        text_view.contains("full walk in progress since") && text_view.contains("of 3000"),
        "{text_view}"
    );
    assert!(text_view.contains("follows 3000 (0 gone)"), "{text_view}");

    // The next sync resumes the walk; status then says it is complete.
    let resumed = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    assert_eq!(resumed.status.code(), Some(0), "{:?}", text(&resumed));
    let (json, _) = itch_status(&mock, dir.path(), &["--format", "json"]).await;
    let status: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(status["channels"][0]["followers_walk"]["state"], "complete");
    assert_eq!(part(&status["channels"][0]["parts"], "followers")["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_of_no_archive_is_an_error_that_creates_nothing() {
    let (mock, dir, _login) = broadcaster_setup(10, 0).await;
    let mut cmd = itch(&mock, dir.path());
    cmd.arg("status");
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("itch.db"), "{stderr}");
    assert!(!dir.path().join("itch.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_json_prints_one_object_per_channel_with_every_part() {
    let (mock, dir, login) = broadcaster_setup(300, 0).await;
    mock.fail_next_gql(10_000, Fault::GqlIntegrity);
    let output = sync(&mock, dir.path(), &["--json", &login]).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 1, "one object per channel: {stdout}");
    let summary = &lines[0];
    let db = archive(dir.path());
    assert_eq!(summary["run_id"], count(&db, "SELECT max(id) FROM sync_runs"));
    assert_eq!(summary["login"], login.as_str());
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["follows_new"], 300);
    assert!(summary["started_at"].as_str().unwrap() <= summary["finished_at"].as_str().unwrap());
    assert!(summary["line"].as_str().unwrap().contains("chat failed:"), "{summary}");
    let names: Vec<&str> = summary["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["part"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "channel",
            "followers",
            "videos",
            "stream",
            "chatters",
            "following",
            "chapters",
            "chat",
            "clips",
            "schedule",
            "subscribers"
        ]
    );
    assert_eq!(part(&summary["parts"], "chat")["status"], "failed");
    assert!(
        part(&summary["parts"], "chat")["error"]
            .as_str()
            .unwrap()
            .contains("integrity")
    );
    let followers = part(&summary["parts"], "followers");
    assert_eq!(followers["status"], "ok");
    assert_eq!(
        followers["requests"],
        count(&db, "SELECT requests FROM sync_run_parts WHERE part = 'followers'"),
        "the same count as the archive's record"
    );
}
