//! Reports, `itch sql` and a chart on an archive synced from the fake, checked against what the fake serves
//! (read independently through the client, not through the archive).

use crate::paging::{all_followers, broadcaster};
use crate::util::{archive, count, itch, login_as, mock_with, run, store_with_user_token, sync, text};
use itch::client::helix::followers;
use itch::mock::MockConfig;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_match_what_twitch_served() {
    let mock = mock_with(MockConfig {
        followers: 1_500,
        comments: 400,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    assert!(
        sync(&mock, dir.path(), &["--cache", "none", &login])
            .await
            .status
            .success()
    );

    // What Twitch says, read straight from the fake.
    let token_dir = tempfile::tempdir().unwrap();
    let client = crate::util::client(
        &mock,
        Some(store_with_user_token(
            &mock,
            token_dir.path(),
            &login,
            &[followers::SCOPE],
        )),
    );
    let (served, total) = all_followers(&client, &id).await.unwrap();

    let report = |args: Vec<String>| {
        let mut cmd = itch(&mock, dir.path());
        cmd.arg("report").args(args);
        run(cmd)
    };
    let output = report(vec![
        "followers".into(),
        login.clone(),
        "--format".into(),
        "json".into(),
    ])
    .await;
    assert!(output.status.success(), "{}", text(&output).1);
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len() as u64, total);
    for (row, follow) in rows.iter().zip(&served) {
        assert_eq!(row["follower"], follow.user_login.as_str());
        assert_eq!(
            row["followed_at"],
            itch::archive::timestamp(follow.followed_at).as_str()
        );
        assert_eq!(row["follower_count"], total);
        let created: chrono::DateTime<chrono::Utc> = row["account_created_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(row["seconds_to_follow"], (follow.followed_at - created).num_seconds());
    }

    // --since at its edge: a follow exactly at the bound is included.
    let edge = itch::archive::timestamp(served[100].followed_at);
    let output = report(vec![
        "followers".into(),
        login.clone(),
        "--since".into(),
        edge.clone(),
        "--format".into(),
        "csv".into(),
    ])
    .await;
    let (csv, _) = text(&output);
    let expected = served
        .iter()
        .filter(|f| itch::archive::timestamp(f.followed_at) >= edge)
        .count();
    assert_eq!(csv.lines().count(), expected + 1, "a header and the rows");

    // --since as a span back from now (0.4.0 refused `7d`), reaching back to about the 100th newest follow: the
    // rows since then, counted on both sides of the command's run so the second it ran in cannot flip an edge.
    let minutes = (chrono::Utc::now() - served[100].followed_at).num_minutes() + 1;
    let span = chrono::Duration::minutes(minutes);
    let followed_since = |start: chrono::DateTime<chrono::Utc>| {
        let bound = itch::archive::timestamp(start - span);
        served
            .iter()
            .filter(|f| itch::archive::timestamp(f.followed_at) >= bound)
            .count()
    };
    assert!(
        followed_since(chrono::Utc::now()) > 0,
        "the span holds follows, so the count below can fail"
    );
    let before = chrono::Utc::now();
    let since = format!("{minutes}m");
    let output = report(vec![
        "followers".into(),
        login.clone(),
        "--since".into(),
        since,
        "--no-header".into(),
    ])
    .await;
    let after = chrono::Utc::now() + chrono::Duration::seconds(1);
    assert!(output.status.success(), "{}", text(&output).1);
    let got = text(&output).0.lines().count();
    assert!(
        (followed_since(after)..=followed_since(before - chrono::Duration::seconds(1))).contains(&got),
        "{got} rows in the last {minutes} minutes"
    );
    let output = report(vec![
        "followers".into(),
        login.clone(),
        "--since".into(),
        "tomorrow".into(),
    ])
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).1.contains("'tomorrow' is not a date"),
        "{}",
        text(&output).1
    );

    let videos = mock.videos(&login).into_iter().filter(|v| !v.deleted).count();
    assert!(videos > 0, "the fake serves videos, so the count below can fail");
    let output = report(vec!["videos".into(), login.clone(), "--format".into(), "ndjson".into()]).await;
    assert_eq!(text(&output).0.lines().count(), videos);

    let vod = mock
        .videos(&login)
        .into_iter()
        .filter(|v| v.video_type == "archive" && !v.deleted)
        .max_by_key(|v| v.created_at.clone())
        .unwrap();
    let comments = mock.comment_count(&vod.id).unwrap();
    assert!(comments > 0, "the newest VOD has chat, so the count below can fail");
    let output = report(vec!["chatlog".into(), vod.id.clone(), "--no-header".into()]).await;
    assert_eq!(text(&output).0.lines().count() as u64, comments);

    let output = report(vec!["num_followers".into(), login.clone(), "--no-header".into()]).await;
    assert_eq!(text(&output).0.trim(), format!("{login}\t{total}"));

    // A chart from the synced archive is a real PNG.
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["plot", "followers", &login, "--density", "-o", "chart.png"]);
    let output = run(cmd).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let png = std::fs::read(dir.path().join("chart.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    // itch sql reads, and refuses to write.
    let users = count(&archive(dir.path()), "SELECT count(*) FROM users");
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["sql", "DELETE FROM users"]);
    let output = run(cmd).await;
    assert_ne!(output.status.code(), Some(0));
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM users"), users);
}

/// A chart's subject is checked where it enters, before anything is opened: a bad video id (or login) is that
/// error, whether or not there is an archive, with a non-zero exit and no picture.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_of_a_bad_subject_is_that_error_and_draws_nothing() {
    let mock = mock_with(MockConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    for (args, problem) in [
        (["chat-activity", "burkeblack"], "'burkeblack' is not a Twitch video id"),
        (["followers", "not-a-login"], "'not-a-login' is not a Twitch login"),
    ] {
        let mut cmd = itch(&mock, dir.path());
        cmd.arg("plot").args(args);
        let output = run(cmd).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(problem), "{args:?}: {stderr}");
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            files.is_empty(),
            "{args:?}: nothing written, no archive made: {files:?}"
        );
    }
}
