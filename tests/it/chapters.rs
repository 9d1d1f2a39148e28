//! VOD chapters against the fake's GQL (`VideoPlayer_ChapterSelectButtonVideo`): every archive VOD's chapters on
//! the first sync (a single-game VOD is one chapter), no request on a re-sync with no change, a refused hash
//! noted while the other parts complete, kill -9 then resume exact, `report chapters`, and the chapter bands on
//! `plot chat-activity`.

use itch::mock::{Advance, MockChapter, MockConfig, MockServer, MockVideo};

use crate::util::{archive, count, itch, kill_when, mock_with, run, sync, text};

const OPERATION: &str = "VideoPlayer_ChapterSelectButtonVideo";

/// Rows of a query, each `a|b|c` with NULL as `NULL`.
fn rows(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    use rusqlite::types::Value;
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..columns)
            .map(|i| match r.get::<_, Value>(i).unwrap() {
                Value::Null => "NULL".to_owned(),
                Value::Integer(n) => n.to_string(),
                Value::Real(x) => x.to_string(),
                Value::Text(t) => t,
                Value::Blob(b) => format!("{b:?}"),
            })
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}

/// Chapter requests the fake answered since its stats were reset.
fn chapter_requests(mock: &MockServer) -> u64 {
    mock.stats().gql_operations.get(OPERATION).copied().unwrap_or(0)
}

fn largest(mock: &MockServer) -> String {
    mock.channels().remove(0).login
}

/// The channel's archive VODs Helix lists (not deleted), newest first.
fn archives(mock: &MockServer, login: &str) -> Vec<MockVideo> {
    let mut videos = mock.videos(login);
    videos.retain(|v| v.video_type == "archive" && !v.deleted);
    videos
}

/// What the archive should hold for `video`: `position|duration|game id|game name`, by start.
fn expected(mock: &MockServer, video: &str) -> Vec<String> {
    mock.chapters(video)
        .unwrap()
        .iter()
        .map(|c: &MockChapter| format!("{}|{}|{}|{}", c.position_ms, c.duration_ms, c.game_id, c.game_name))
        .collect()
}

fn stored(conn: &rusqlite::Connection, video: &str) -> Vec<String> {
    rows(
        conn,
        &format!(
            "SELECT position_ms, duration_ms, game_id, game_name FROM video_chapters
             WHERE video_id = '{video}' AND gone_seen_at IS NULL ORDER BY position_ms"
        ),
    )
}

#[tokio::test]
async fn the_first_sync_stores_every_archive_vods_chapters_and_a_resync_asks_nothing() {
    let mock = mock_with(MockConfig {
        followers: 100,
        ..MockConfig::default()
    })
    .await;
    let login = largest(&mock);
    let dir = tempfile::tempdir().unwrap();
    let out = sync(&mock, dir.path(), &["--only", "videos,stream,chapters", &login]).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    let vods = archives(&mock, &login);
    assert_eq!(
        chapter_requests(&mock),
        vods.len() as u64,
        "one request per archive VOD"
    );
    let conn = archive(dir.path());
    let (mut single, mut several) = (0, 0);
    for v in &vods {
        assert_eq!(stored(&conn, &v.id), expected(&mock, &v.id), "video {}", v.id);
        let sources = rows(
            &conn,
            &format!("SELECT DISTINCT source FROM video_chapters WHERE video_id = '{}'", v.id),
        );
        match mock.chapters(&v.id).unwrap().len() {
            1 => {
                single += 1;
                assert_eq!(sources, vec!["video"], "a single game is one whole-VOD chapter");
            }
            _ => {
                several += 1;
                assert_eq!(sources, vec!["moment"]);
            }
        }
    }
    assert!(single > 0 && several > 0, "{single} single-game, {several} several");
    let chapters: i64 = vods.iter().map(|v| mock.chapters(&v.id).unwrap().len() as i64).sum();
    assert_eq!(count(&conn, "SELECT count(*) FROM video_chapters"), chapters);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM video_chapter_fetches WHERE status = 'final'"
        ),
        vods.len() as i64
    );
    assert!(
        stdout.contains(&format!("chapters of {} VODs (+{chapters})", vods.len())),
        "{stdout}"
    );
    assert_eq!(
        rows(
            &conn,
            "SELECT status, requests FROM sync_run_parts WHERE part = 'chapters'"
        ),
        vec![format!("ok|{}", vods.len())]
    );
    drop(conn);

    // Nothing changed: not one chapter request.
    mock.reset_stats();
    let out = sync(&mock, dir.path(), &["--only", "videos,stream,chapters", &login]).await;
    assert!(out.status.success());
    assert_eq!(chapter_requests(&mock), 0);
    assert!(
        !text(&out).0.contains("chapters of"),
        "nothing to say: {}",
        text(&out).0
    );

    // A new VOD costs one request, and only it.
    mock.advance(Advance {
        new_videos: 3,
        hours: 12,
        ..Advance::default()
    });
    let now = archives(&mock, &login);
    let new = now.len() - vods.len();
    assert!(new > 0, "the step adds an archive");
    mock.reset_stats();
    assert!(
        sync(&mock, dir.path(), &["--only", "videos,stream,chapters", &login])
            .await
            .status
            .success()
    );
    assert_eq!(chapter_requests(&mock), new as u64);
    let conn = archive(dir.path());
    for v in &now {
        assert_eq!(stored(&conn, &v.id), expected(&mock, &v.id), "video {}", v.id);
    }
}

#[tokio::test]
async fn a_refused_chapters_hash_is_noted_once_and_the_other_parts_complete() {
    let mock = mock_with(MockConfig {
        followers: 100,
        ..MockConfig::default()
    })
    .await;
    let login = largest(&mock);
    let dir = tempfile::tempdir().unwrap();
    // Twitch rotated the hash: every chapters request gets PersistedQueryNotFound.
    mock.refuse_chapters(true);
    let out = sync(&mock, dir.path(), &["--no-chat", &login]).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "the sync does not fail: {stdout}{stderr}");
    assert_eq!(
        stderr.matches("note: chapters skipped").count(),
        1,
        "one note: {stderr}"
    );
    assert!(stderr.contains("PersistedQueryNotFound"), "{stderr}");
    assert!(stderr.contains("ITCH_GQL_CHAPTERS_HASH"), "how to set it: {stderr}");
    assert_eq!(chapter_requests(&mock), 1, "the first refusal ends the part");
    let conn = archive(dir.path());
    assert_eq!(
        rows(
            &conn,
            "SELECT part, status FROM sync_run_parts ORDER BY started_at, part"
        )
        .into_iter()
        .filter(|r| !r.ends_with("|ok"))
        .collect::<Vec<_>>(),
        Vec::<String>::new(),
        "every part ends ok"
    );
    assert!(count(&conn, "SELECT count(*) FROM sync_run_parts WHERE part = 'chapters'") == 1);
    assert!(count(&conn, "SELECT count(*) FROM videos") > 0, "the videos part ran");
    assert_eq!(count(&conn, "SELECT count(*) FROM video_chapters"), 0);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM video_chapter_fetches"),
        0,
        "nothing marked done: the next sync asks again"
    );
    drop(conn);

    // A hash of our own choosing that Twitch does not know: the same note, through the setting.
    mock.refuse_chapters(false);
    let mut cmd = itch(&mock, dir.path());
    cmd.env("ITCH_GQL_CHAPTERS_HASH", "0".repeat(64))
        .args(["sync", "--only", "chapters", &login]);
    let out = run(cmd).await;
    assert!(out.status.success());
    assert!(text(&out).1.contains("note: chapters skipped"), "{}", text(&out).1);

    // Twitch knows the hash again: the chapters come.
    let out = sync(&mock, dir.path(), &["--only", "chapters", &login]).await;
    assert!(out.status.success());
    let vods = archives(&mock, &login).len() as i64;
    assert_eq!(
        count(&archive(dir.path()), "SELECT count(*) FROM video_chapter_fetches"),
        vods
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chapters_killed_mid_part_resume_exactly() {
    let mock = mock_with(MockConfig {
        followers: 50,
        videos: 80,
        latency: std::time::Duration::from_millis(25),
        ..MockConfig::default()
    })
    .await;
    let login = largest(&mock);
    let vods = archives(&mock, &login);
    let (killed, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cmd = itch(&mock, killed.path());
    cmd.args(["sync", "--only", "videos,chapters", &login]);
    let mut child = cmd.spawn().unwrap();
    let db = killed.path().join("itch.db");
    kill_when(
        &mut child,
        &db,
        "SELECT count(*) FROM video_chapter_fetches",
        5,
        std::time::Duration::from_secs(60),
    )
    .await;
    let done = count(&archive(killed.path()), "SELECT count(*) FROM video_chapter_fetches");
    assert!(
        done < vods.len() as i64,
        "killed before the end: {done} of {}",
        vods.len()
    );

    mock.reset_stats();
    let out = sync(&mock, killed.path(), &["--only", "videos,chapters", &login]).await;
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(
        chapter_requests(&mock),
        vods.len() as u64 - done as u64,
        "the resumed part asks only for the VODs the killed one had not saved"
    );
    assert!(
        sync(&mock, clean.path(), &["--only", "videos,chapters", &login])
            .await
            .status
            .success()
    );
    let table = "SELECT video_id, position_ms, duration_ms, type, source, moment_id, game_id, game_name, description,
                        box_art_url, gone_seen_at, raw_json FROM video_chapters ORDER BY video_id, position_ms";
    let resumed = rows(&archive(killed.path()), table);
    assert_eq!(resumed, rows(&archive(clean.path()), table), "no gap, no duplicate");
    assert_eq!(
        resumed.len(),
        vods.iter().map(|v| mock.chapters(&v.id).unwrap().len()).sum::<usize>()
    );
}

/// A synced archive and one of its VODs with several chapters.
async fn synced_with_a_multi_game_vod() -> (MockServer, tempfile::TempDir, MockVideo, Vec<MockChapter>) {
    let mock = mock_with(MockConfig {
        followers: 50,
        comments: 600,
        ..MockConfig::default()
    })
    .await;
    let login = largest(&mock);
    let dir = tempfile::tempdir().unwrap();
    assert!(
        sync(&mock, dir.path(), &["--only", "videos,stream,chapters", &login])
            .await
            .status
            .success()
    );
    let video = archives(&mock, &login)
        .into_iter()
        .find(|v| mock.chapters(&v.id).unwrap().len() >= 2)
        .expect("a VOD with several games");
    let chapters = mock.chapters(&video.id).unwrap();
    (mock, dir, video, chapters)
}

fn hms(seconds: u64) -> String {
    format!("{}:{:02}:{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

#[tokio::test]
async fn report_chapters_prints_offsets_games_and_durations() {
    let (mock, dir, video, chapters) = synced_with_a_multi_game_vod().await;
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["report", "chapters", &video.id]);
    let out = run(cmd).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next().unwrap(),
        "offset\toffset_seconds\tgame\tgame_id\tduration\tduration_seconds\tend_seconds\tsource\tfirst_seen_at"
    );
    let got: Vec<String> = lines.map(|l| l.rsplit_once('\t').unwrap().0.to_owned()).collect();
    let want: Vec<String> = chapters
        .iter()
        .map(|c| {
            let (at, long) = (c.position_ms / 1000, c.duration_ms / 1000);
            format!(
                "{}\t{at}\t{}\t{}\t{}\t{long}\t{}\tmoment",
                hms(at),
                c.game_name,
                c.game_id,
                hms(long),
                at + long
            )
        })
        .collect();
    assert_eq!(got, want);
    let last = chapters.last().unwrap();
    assert_eq!(
        (last.position_ms + last.duration_ms) / 1000,
        video.duration_seconds,
        "the chapters run to the VOD's end"
    );

    // Not in the archive: refused with a message, as for every video report.
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["report", "chapters", "123"]);
    let out = run(cmd).await;
    assert!(!out.status.success());
}

#[tokio::test]
async fn plot_chat_activity_shades_the_chapters_with_their_games() {
    let (mock, dir, video, chapters) = synced_with_a_multi_game_vod().await;
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["chat", &video.id]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", text(&out).1);
    for theme in ["light", "dark"] {
        let svg = dir.path().join(format!("activity-{theme}.svg"));
        let png = dir.path().join(format!("activity-{theme}.png"));
        for output in [&svg, &png] {
            let mut cmd = itch(&mock, dir.path());
            cmd.args(["plot", "chat-activity", &video.id, "--theme", theme, "-o"])
                .arg(output);
            let out = run(cmd).await;
            assert!(out.status.success(), "{}", text(&out).1);
            assert!(std::fs::metadata(output).unwrap().len() > 1000);
        }
        let drawn = std::fs::read_to_string(&svg).unwrap();
        for chapter in &chapters {
            assert!(
                drawn.contains(&format!(">\n{}\n</text>", chapter.game_name)),
                "{theme}: the band of {} is labelled in {:?}",
                chapter.game_name,
                drawn
                    .split("<text")
                    .skip(1)
                    .map(|t| t.split('>').nth(1).unwrap_or(""))
                    .collect::<Vec<_>>()
            );
        }
        assert!(
            drawn.contains(&format!("chapters ({})", chapters.len())),
            "the legend entry"
        );
    }

    // Without chapters in the archive the chart has no bands: the labels come from them.
    let bare = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, bare.path());
    cmd.args(["chat", &video.id]);
    assert!(run(cmd).await.status.success());
    let svg = bare.path().join("bare.svg");
    let mut cmd = itch(&mock, bare.path());
    cmd.args(["plot", "chat-activity", &video.id, "-o"]).arg(&svg);
    assert!(run(cmd).await.status.success());
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(!drawn.contains("chapters ("), "no chapter legend without chapters");
}
