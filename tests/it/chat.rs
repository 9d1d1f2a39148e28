//! Chat replay against the fake's GQL: whole with any number of segments, resumable after kill -9, every VOD
//! of a sync, corrected impossible times, and the errors Twitch gives.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, kill_when, login_as, mock_with, newest_archive, rows, run, sync, text};
use itch::mock::{Fault, MockConfig, MockServer};
use std::collections::BTreeSet;

async fn chat(mock: &MockServer, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut cmd = itch(mock, dir);
    cmd.arg("chat").args(args);
    run(cmd).await
}

fn message_ids(dir: &std::path::Path, video: &str) -> BTreeSet<String> {
    rows(
        &archive(dir),
        &format!("SELECT id FROM chat_messages WHERE video_id = '{video}'"),
    )
    .into_iter()
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vods_chat_arrives_whole_with_1_4_and_16_segments() {
    let mock = mock_with(MockConfig {
        followers: 100,
        comments: 3_000,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let expected = mock.comment_count(&video.id).unwrap();
    assert_eq!(expected, 3_000);
    let mut sets = Vec::new();
    for segments in ["1", "4", "16"] {
        let dir = tempfile::tempdir().unwrap();
        let output = chat(&mock, dir.path(), &["--chat-segments", segments, &video.id]).await;
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{segments}: {stderr}");
        assert!(stdout.contains(&format!("{expected} messages")), "{stdout}");
        let db = archive(dir.path());
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT chat_messages FROM videos WHERE id = '{}' AND chat_status = 'complete'",
                    video.id
                )
            ),
            expected as i64
        );
        assert_eq!(
            count(&db, "SELECT count(*) FROM chat_segments WHERE done_at IS NULL"),
            0,
            "every segment finished"
        );
        sets.push(message_ids(dir.path(), &video.id));
    }
    assert_eq!(sets[0].len() as u64, expected);
    assert!(
        sets.iter().all(|s| s == &sets[0]),
        "the same messages whatever the segments"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_archives_the_chat_of_every_vod_and_search_finds_it() {
    let mock = mock_with(MockConfig {
        followers: 100,
        comments: 600,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    let output = sync(&mock, dir.path(), &["--only", "videos,chat", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("chat of "), "{stdout}");
    let db = archive(dir.path());
    for video in mock
        .videos(&login)
        .into_iter()
        .filter(|v| v.video_type == "archive" && !v.deleted)
    {
        let stored = count(
            &db,
            &format!("SELECT count(*) FROM chat_messages WHERE video_id = '{}'", video.id),
        );
        assert_eq!(stored as u64, video.comments, "video {}", video.id);
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM videos WHERE type = 'archive' AND chat_status IS NOT 'complete' AND deleted_seen_at IS NULL"
        ),
        0
    );
    // No message before its VOD started: Twitch's local-time createdAt values were rebuilt.
    assert!(count(&db, "SELECT count(*) FROM chat_messages WHERE created_at_corrected = 1") > 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM chat_messages m JOIN videos v ON v.id = m.video_id WHERE m.created_at < v.created_at"
        ),
        0
    );
    // Comments past a VOD's reported length are kept (the last segment runs to the end).
    assert!(
        count(
            &db,
            "SELECT count(*) FROM chat_messages m JOIN videos v ON v.id = m.video_id WHERE m.offset_seconds >= v.duration_seconds"
        ) > 0
    );
    // Full-text search over the archived chat.
    let word: String = db
        .query_row("SELECT text FROM chat_messages WHERE text <> '' LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let word = word.split_whitespace().next().unwrap().to_owned();
    let hits = count(
        &db,
        &format!("SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH '\"{word}\"'"),
    );
    assert!(hits > 0, "{word}");

    // A second sync finds nothing left to fetch.
    mock.reset_stats();
    assert!(
        sync(&mock, dir.path(), &["--only", "videos,chat", &login])
            .await
            .status
            .success()
    );
    assert_eq!(mock.stats().by_path.get("/gql"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_download_killed_mid_way_resumes_without_gap_or_duplicate() {
    let mock = mock_with(MockConfig {
        followers: 100,
        comments: 20_000,
        latency: std::time::Duration::from_millis(3),
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let (killed, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cmd = itch(&mock, killed.path());
    cmd.args(["chat", "--chat-segments", "4", &video.id]);
    let mut child = cmd.spawn().unwrap();
    let db_path = killed.path().join("itch.db");
    kill_when(
        &mut child,
        &db_path,
        "SELECT count(*) FROM chat_messages",
        3_000,
        std::time::Duration::from_secs(60),
    )
    .await;
    assert!(
        count(
            &archive(killed.path()),
            "SELECT count(*) FROM chat_segments WHERE cursor IS NOT NULL"
        ) > 0
    );

    let output = chat(&mock, killed.path(), &["--chat-segments", "4", &video.id]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(chat(&mock, clean.path(), &[&video.id]).await.status.success());
    let (resumed, uninterrupted) = (
        message_ids(killed.path(), &video.id),
        message_ids(clean.path(), &video.id),
    );
    assert_eq!(resumed.len(), 20_000);
    assert_eq!(resumed, uninterrupted);
    let check: String = archive(killed.path())
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_that_does_not_exist_is_a_clear_error() {
    let mock = mock_with(MockConfig {
        followers: 10,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let output = chat(&mock, dir.path(), &["999999999"]).await;
    let (_, stderr) = text(&output);
    assert_ne!(output.status.code(), Some(0));
    // Issue 12 item 7: the id must be named whichever wording is used.
    assert!(
        stderr.contains("999999999") && (stderr.contains("not found") || stderr.contains("no such video")),
        "{stderr}"
    );
    let output = chat(&mock, dir.path(), &["not-a-number"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("is not a Twitch video id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_integrity_refusal_is_reported_as_such_with_a_hint() {
    let mock = mock_with(MockConfig {
        followers: 10,
        comments: 500,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let dir = tempfile::tempdir().unwrap();
    mock.fail_next(1, Fault::GqlIntegrity);
    let output = chat(&mock, dir.path(), &["--chat-segments", "1", &video.id]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("integrity check"), "{stderr}");
    assert_eq!(
        count(
            &archive(dir.path()),
            "SELECT count(*) FROM videos WHERE chat_status = 'complete'"
        ),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_service_errors_are_retried_and_a_truncated_body_is_never_a_short_chat() {
    let mock = mock_with(MockConfig {
        followers: 10,
        comments: 1_000,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let dir = tempfile::tempdir().unwrap();
    mock.fail_next(2, Fault::GqlServiceError);
    let output = chat(&mock, dir.path(), &["--chat-segments", "1", &video.id]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(message_ids(dir.path(), &video.id).len(), 1_000);

    // Truncated GQL bodies, over and over: the download fails naming the URL and merges nothing.
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    assert!(
        sync(&mock, dir.path(), &["--only", "videos", "--no-chat", &login])
            .await
            .status
            .success()
    );
    let archive_handle = itch::archive::Archive::open(&dir.path().join("itch.db")).unwrap();
    let id = video.id.clone();
    let target = archive_handle
        .read("test", move |c| itch::archive::chat::load_chat_video(c, &id))
        .await
        .unwrap()
        .unwrap();
    let client = crate::util::client(&mock, None);
    mock.fail_next(100, Fault::Truncate);
    let error = itch::sync::chat::download_chat(&client, &archive_handle, &target, 1, None, &Default::default())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("/gql"), "the error names the URL: {error}");
    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT count(*) FROM chat_messages"),
        0,
        "nothing half-merged"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM videos WHERE chat_status = 'complete'"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_chat_is_recorded_until_a_limit_and_found_by_search() {
    let mock = mock_with(MockConfig {
        followers: 100,
        ..MockConfig::default()
    })
    .await;
    let (login, id) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    let output = chat(&mock, dir.path(), &["--live", "--messages", "60", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("{login}: 60 live messages")), "{stdout}");
    let db = archive(dir.path());
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM chat_messages WHERE source = 'live' AND broadcaster_id = '{}'
                 AND video_id IS NULL AND offset_seconds IS NULL AND user_id IS NOT NULL
                 AND created_at LIKE '____-__-__T__:__:__Z' AND json_extract(raw_json, '$.irc') LIKE '@%PRIVMSG%'",
                id.0
            )
        ),
        60
    );
    assert_eq!(count(&db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    // Emotes come with their positions, and the fragments rebuilt from them.
    let kappas = count(
        &db,
        "SELECT count(*) FROM chat_messages WHERE text LIKE '%Kappa' AND emotes_json LIKE '[{\"begin\":%,\"id\":\"25\"}]'
         AND fragments_json LIKE '%{\"emote_id\":\"25\",\"text\":\"Kappa\"}]'",
    );
    assert_eq!(
        kappas,
        count(&db, "SELECT count(*) FROM chat_messages WHERE text LIKE '%Kappa'")
    );
    assert!(kappas > 0);
    let mut search = itch(&mock, dir.path());
    search.args(["search", "Kappa", "--format", "ndjson"]);
    let found = run(search).await;
    assert!(found.status.success());
    assert_eq!(text(&found).0.lines().count() as i64, kappas);

    // A time limit ends it too; an unknown channel is refused before anything is recorded.
    // Beside a sync, which holds the archive's lock, as a recording of hours must.
    let held = itch::sync::lock::ArchiveLock::acquire(&dir.path().join("itch.db"), std::time::Duration::ZERO).unwrap();
    let output = chat(&mock, dir.path(), &["--live", "--for", "1s", &login]).await;
    drop(held);
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(text(&output).0.contains(" live messages"), "{}", text(&output).0);
    assert_eq!(
        count(
            &archive(dir.path()),
            "SELECT count(DISTINCT sync_run_id) FROM chat_messages"
        ),
        2,
        "the second run heard messages the first did not"
    );
    // Twitch restarting its chat servers: each connection is told to reconnect after 20 messages.
    mock.irc_reconnect_after(20);
    let restarted = tempfile::tempdir().unwrap();
    let output = chat(&mock, restarted.path(), &["--live", "--messages", "50", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("{login}: 50 live messages")), "{stdout}");
    let drops: i64 = stderr
        .split("the chat connection was opened again ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(drops >= 2, "three connections at least, each reported: {stderr}");
    assert_eq!(
        count(&archive(restarted.path()), "SELECT count(*) FROM chat_messages"),
        50
    );
    assert_eq!(
        count(
            &archive(restarted.path()),
            "SELECT count(*) FROM chat_gaps WHERE started_at <= ended_at AND reason = 'Twitch asked to reconnect'"
        ),
        drops,
        "each reconnect is a gap in the record, from the RECONNECT to the next JOIN"
    );
    mock.irc_reconnect_after(0);

    let output = chat(&mock, dir.path(), &["--live", "--for", "1s", "nosuchchannelhere"]).await;
    assert!(!output.status.success());
    assert!(text(&output).1.contains("nosuchchannelhere"), "{}", text(&output).1);
}

/// The archive of `dir` after `itch sync --only videos` of the largest channel, the video as the chat download
/// reads it, and a library client.
async fn synced_videos(
    mock: &MockServer,
    dir: &std::path::Path,
    video: &str,
) -> (
    itch::archive::Archive,
    itch::archive::chat::ChatVideo,
    itch::client::Client,
) {
    let (login, _) = broadcaster(mock);
    let output = sync(mock, dir, &["--only", "videos", "--no-chat", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let archive_handle = itch::archive::Archive::open(&dir.join("itch.db")).unwrap();
    let id = video.to_owned();
    let target = archive_handle
        .read("test", move |c| itch::archive::chat::load_chat_video(c, &id))
        .await
        .unwrap()
        .unwrap();
    (archive_handle, target, crate::util::client(mock, None))
}

fn chat_status(dir: &std::path::Path, video: &str) -> Option<String> {
    archive(dir)
        .query_row("SELECT chat_status FROM videos WHERE id = ?1", [video], |r| r.get(0))
        .unwrap()
}

/// Issue 11, item 9: `hasNextPage: true` with no usable cursor is not the end of the chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_without_a_usable_cursor_fails_the_download_and_a_later_sync_completes_it() {
    let mock = mock_with(MockConfig {
        followers: 10,
        comments: 3_000,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let (login, _) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    login_as(&mock, dir.path(), &login);
    // Three pages arrive, the fourth says more follow but carries no cursor.
    mock.fail_gql_after(3, 1, Fault::GqlCursorMissing);
    let output = chat(&mock, dir.path(), &["--chat-segments", "1", &video.id]).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&video.id) && stderr.contains("offset") && stderr.contains("/gql") && stderr.contains("cursor"),
        "the error names the video, the offset and the URL: {stderr}"
    );
    assert_ne!(chat_status(dir.path(), &video.id).as_deref(), Some("complete"));
    let kept = message_ids(dir.path(), &video.id).len() as u64;
    assert!(kept > 0 && kept < video.comments, "{kept}");

    let output = sync(&mock, dir.path(), &["--only", "videos,chat", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(chat_status(dir.path(), &video.id).as_deref(), Some("complete"));
    let clean = tempfile::tempdir().unwrap();
    assert!(chat(&mock, clean.path(), &[&video.id]).await.status.success());
    let (resumed, uninterrupted) = (message_ids(dir.path(), &video.id), message_ids(clean.path(), &video.id));
    assert_eq!(resumed.len() as u64, video.comments, "no gap");
    assert_eq!(resumed, uninterrupted);
    assert_eq!(
        count(
            &archive(dir.path()),
            &format!("SELECT count(*) FROM chat_messages WHERE video_id = '{}'", video.id)
        ) as u64,
        video.comments,
        "no duplicate"
    );
}

/// Issue 11, item 9: a missing, null, empty or repeated cursor each stops the download with an error that names
/// the video, never a complete chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_unusable_cursor_is_an_error() {
    let mock = mock_with(MockConfig {
        followers: 10,
        comments: 2_000,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    for kind in [
        Fault::GqlCursorMissing,
        Fault::GqlCursorNull,
        Fault::GqlCursorEmpty,
        Fault::GqlCursorRepeated,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (archive_handle, target, client) = synced_videos(&mock, dir.path(), &video.id).await;
        // The first page by offset, the second by cursor: a repeated cursor needs one to repeat.
        mock.fail_gql_after(1, 1, kind);
        let error = itch::sync::chat::download_chat(&client, &archive_handle, &target, 1, None, &Default::default())
            .await
            .unwrap_err();
        assert!(
            matches!(error, itch::Error::ChatCursorLost { ref video, .. } if *video == target.id),
            "{kind:?}: {error:?}"
        );
        assert_ne!(
            chat_status(dir.path(), &video.id).as_deref(),
            Some("complete"),
            "{kind:?}"
        );
    }
}

/// Issue 11, item 9: only `video: null` means gone; an answer without `data.video` is an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_without_data_video_is_an_error_not_a_deleted_video() {
    let mock = mock_with(MockConfig {
        followers: 10,
        comments: 500,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let dir = tempfile::tempdir().unwrap();
    mock.fail_next_gql(1, Fault::GqlNoVideo);
    let output = chat(&mock, dir.path(), &["--chat-segments", "1", &video.id]).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stdout.contains("no longer available"), "{stdout}");
    assert!(stderr.contains("data.video"), "{stderr}");
    assert_eq!(chat_status(dir.path(), &video.id).as_deref(), Some("partial"));

    // `data: null` with errors is retried, then an error; never "gone".
    let (archive_handle, target, client) = synced_videos(&mock, dir.path(), &video.id).await;
    mock.fail_next_gql(20, Fault::GqlDataNull);
    let error = itch::sync::chat::download_chat(&client, &archive_handle, &target, 1, None, &Default::default())
        .await
        .unwrap_err();
    assert!(!matches!(error, itch::Error::VideoNotFound { .. }), "{error:?}");
    assert_eq!(chat_status(dir.path(), &video.id).as_deref(), Some("partial"));
}

/// Issue 11, item 9: a VOD whose chat was "gone" while Twitch still lists it is tried again by the next sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vod_marked_unavailable_is_checked_again_by_the_next_sync() {
    let mock = mock_with(MockConfig {
        followers: 10,
        videos: 4,
        comments: 300,
        ..MockConfig::default()
    })
    .await;
    let (login, _) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    login_as(&mock, dir.path(), &login);
    mock.fail_next_gql(1, Fault::GqlVideoNull);
    let output = sync(&mock, dir.path(), &["--only", "videos,chat", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(
        format!("{stdout}{stderr}").contains("is gone from Twitch"),
        "{stdout}{stderr}"
    );
    let unavailable = "SELECT count(*) FROM videos WHERE chat_status = 'unavailable'";
    assert_eq!(count(&archive(dir.path()), unavailable), 1);

    let output = sync(&mock, dir.path(), &["--only", "videos,chat", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let db = archive(dir.path());
    assert_eq!(count(&db, unavailable), 0, "checked again, and found");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM videos WHERE type = 'archive' AND deleted_seen_at IS NULL AND chat_status IS NOT 'complete'"
        ),
        0
    );
}

/// Issue 11, item 9: a video start time that does not parse is an error, never "now" for every comment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_start_time_that_does_not_parse_is_an_error() {
    let mock = mock_with(MockConfig {
        followers: 10,
        comments: 200,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let dir = tempfile::tempdir().unwrap();
    let (archive_handle, mut target, client) = synced_videos(&mock, dir.path(), &video.id).await;
    target.created_at = "yesterday".into();
    let error = itch::sync::chat::download_chat(&client, &archive_handle, &target, 1, None, &Default::default())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("yesterday"), "{error}");
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM chat_messages"), 0);
}
