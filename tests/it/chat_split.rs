//! Chat replay split by messages (issue 16, goal 3): a download splits its busiest segments while it runs, the
//! segments stay a partition of the VOD's time, and an interrupted download resumes exactly, whether its plan
//! was split or is a 0.4.0 plan of equal stretches still in progress.

use crate::util::{archive, client, count, itch, kill_when, mock_with, newest_archive, rows, run, text};
use itch::archive::Archive;
use itch::archive::Timestamp;
use itch::archive::chat::{self, ChatMessage, ChatPage, ChatVideo};
use itch::client::gql::comments::{From, fetch_comments};
use itch::mock::{MockConfig, MockServer};
use itch::sync::chat::{ChatOutcome, download_chat, plan_segments};
use std::collections::BTreeSet;
use std::path::Path;

async fn chat(mock: &MockServer, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = itch(mock, dir);
    cmd.arg("chat").args(args);
    run(cmd).await
}

fn message_ids(dir: &Path, video: &str) -> BTreeSet<String> {
    rows(
        &archive(dir),
        &format!("SELECT id FROM chat_messages WHERE video_id = '{video}'"),
    )
    .into_iter()
    .collect()
}

/// The stored segments as `(start, end)`, by start.
fn bounds(dir: &Path, video: &str) -> Vec<(i64, Option<i64>)> {
    let db = archive(dir);
    let mut stmt = db
        .prepare("SELECT start_seconds, end_seconds FROM chat_segments WHERE video_id = ?1 ORDER BY start_seconds")
        .unwrap();
    stmt.query_map([video], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The segments cover `[0, ...)` with neither a gap nor an overlap, the last open-ended.
fn assert_partition(segments: &[(i64, Option<i64>)]) {
    assert_eq!(segments.first().map(|s| s.0), Some(0), "{segments:?}");
    for pair in segments.windows(2) {
        assert_eq!(pair[0].1, Some(pair[1].0), "{segments:?}");
    }
    assert_eq!(segments.last().unwrap().1, None, "{segments:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_splits_where_the_messages_are_and_still_stores_each_once() {
    let mock = mock_with(MockConfig {
        followers: 100,
        comments: 12_000,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let dir = tempfile::tempdir().unwrap();
    let output = chat(&mock, dir.path(), &["--chat-segments", "4", &video.id]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let segments = bounds(dir.path(), &video.id);
    assert_partition(&segments);
    assert!(segments.len() > 4, "the plan of 4 was split: {segments:?}");
    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT count(*) FROM chat_segments WHERE done_at IS NULL"),
        0
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM chat_messages WHERE video_id = '{}'", video.id)
        ) as u64,
        video.comments
    );
    // The fake's chat is uneven (silent stretches, bursts): equal quarters of time hold very different numbers
    // of messages, and the splits went where the messages are, so no stored segment holds most of the chat
    // alone the way the busiest quarter does.
    let per_quarter: Vec<i64> = plan_segments(video.duration_seconds, 4)
        .iter()
        .map(|s| {
            let end = s.end.map_or(i64::MAX, |e| e as i64);
            count(
                &db,
                &format!(
                    "SELECT count(*) FROM chat_messages WHERE video_id = '{}' AND offset_seconds >= {} AND offset_seconds < {end}",
                    video.id, s.start
                ),
            )
        })
        .collect();
    let (busiest, quietest) = (*per_quarter.iter().max().unwrap(), *per_quarter.iter().min().unwrap());
    assert!(
        busiest > quietest * 3 / 2,
        "the fake's density is uneven: {per_quarter:?}"
    );
    let largest_segment = segments
        .iter()
        .map(|(start, end)| {
            count(
                &db,
                &format!(
                    "SELECT count(*) FROM chat_messages WHERE video_id = '{}' AND offset_seconds >= {start} AND offset_seconds < {}",
                    video.id,
                    end.unwrap_or(i64::MAX)
                ),
            )
        })
        .max()
        .unwrap();
    assert!(
        largest_segment < busiest,
        "{largest_segment} vs quarters {per_quarter:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_killed_after_splitting_resumes_without_gap_or_duplicate() {
    let mock = mock_with(MockConfig {
        followers: 100,
        comments: 30_000,
        latency: std::time::Duration::from_millis(5),
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let (killed, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cmd = itch(&mock, killed.path());
    cmd.args(["chat", "--chat-segments", "4", &video.id]);
    let mut child = cmd.spawn().unwrap();
    // More stored segments than the plan of 4: a split is committed.
    let db_path = killed.path().join("itch.db");
    kill_when(
        &mut child,
        &db_path,
        "SELECT count(*) FROM chat_segments",
        5,
        std::time::Duration::from_secs(120),
    )
    .await;
    let db = archive(killed.path());
    assert!(count(&db, "SELECT count(*) FROM chat_segments") > 4);
    assert!(
        count(&db, "SELECT count(*) FROM chat_segments WHERE done_at IS NULL") > 0,
        "killed mid-way"
    );
    assert_partition(&bounds(killed.path(), &video.id));
    drop(db);

    // Resumed with another number of workers: the stored plan, split or not, is what it goes on from.
    let output = chat(&mock, killed.path(), &["--chat-segments", "3", &video.id]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(chat(&mock, clean.path(), &[&video.id]).await.status.success());
    let (resumed, uninterrupted) = (
        message_ids(killed.path(), &video.id),
        message_ids(clean.path(), &video.id),
    );
    assert_eq!(resumed.len() as u64, video.comments);
    assert_eq!(resumed, uninterrupted);
    let db = archive(killed.path());
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM chat_messages WHERE video_id = '{}'", video.id)
        ) as u64,
        video.comments
    );
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT chat_messages FROM videos WHERE id = '{}' AND chat_status = 'complete'",
                video.id
            )
        ) as u64,
        video.comments
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM chat_segments WHERE done_at IS NULL"),
        0
    );
    assert_partition(&bounds(killed.path(), &video.id));
}

/// What 0.4.0 stored for one page: the segment's own comments, and its cursor unless it passed its end.
async fn old_page(
    client: &itch::client::Client,
    video: &ChatVideo,
    from: &From,
    (start, end): (u64, Option<u64>),
    segment: i64,
) -> (ChatPage, Option<String>) {
    let page = fetch_comments(client, &video.id, from).await.unwrap();
    let last = page.comments.iter().map(|(c, _)| c.content_offset_seconds).max();
    let passed = end.zip(last).is_some_and(|(e, l)| l >= e);
    let next = if page.has_next && !passed {
        page.cursor.clone()
    } else {
        None
    };
    let messages = page
        .comments
        .into_iter()
        .filter(|(c, _)| c.content_offset_seconds >= start && end.is_none_or(|e| c.content_offset_seconds < e))
        .map(|(c, raw)| ChatMessage {
            text: c.text(),
            id: c.id,
            user_id: c.commenter.as_ref().map(|u| u.id.clone()),
            user_login: c.commenter.as_ref().map(|u| u.login.clone()),
            user_name: c.commenter.as_ref().and_then(|u| u.display_name.clone()),
            offset_seconds: Some(c.content_offset_seconds),
            created_at: itch::archive::timestamp(c.created_at),
            created_at_corrected: false,
            fragments_json: "[]".into(),
            emotes_json: "[]".into(),
            badges_json: "[]".into(),
            color: None,
            raw_json: raw.get().to_owned(),
            kind: "chat".into(),
            source_room_id: None,
        })
        .collect();
    let page = ChatPage {
        segment,
        messages,
        next_cursor: next.clone(),
        seen_at: Timestamp::now(),
    };
    (page, next)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_left_in_progress_by_0_4_0_resumes_exactly() {
    let mock = mock_with(MockConfig {
        followers: 100,
        comments: 8_000,
        ..MockConfig::default()
    })
    .await;
    let video = newest_archive(&mock);
    let (old, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert!(chat(&mock, clean.path(), &[&video.id]).await.status.success());
    // The video and its channel archived (as `itch chat` does first), its chat not started yet.
    assert!(chat(&mock, old.path(), &[&video.id]).await.status.success());
    {
        let db = rusqlite::Connection::open(old.path().join("itch.db")).unwrap();
        db.execute_batch(&format!(
            "DELETE FROM chat_messages WHERE video_id = '{0}'; DELETE FROM chat_segments WHERE video_id = '{0}';
             UPDATE videos SET chat_status = NULL, chat_messages = NULL WHERE id = '{0}'",
            video.id
        ))
        .unwrap();
    }

    // 0.4.0 at work: four equal stretches, stopped with the first three pages in, the second done, the third
    // not started, the last two pages in.
    let archive_db = Archive::open(&old.path().join("itch.db")).unwrap();
    let key = video.id.clone();
    let target = archive_db
        .read("video", move |c| chat::load_chat_video(c, &key))
        .await
        .unwrap()
        .unwrap();
    let plan = plan_segments(target.duration_seconds, 4);
    let (id, at, stored) = (target.id.clone(), Timestamp::now(), plan.clone());
    archive_db
        .write("old plan", move |tx| chat::save_segment_plan(tx, &id, &stored, &at))
        .await
        .unwrap();
    let client = client(&mock, None);
    for (segment, pages) in [(0usize, Some(3)), (1, None), (3, Some(2))] {
        let s = &plan[segment];
        let mut from = From::Offset(s.start);
        let mut n = 0;
        loop {
            let (page, next) = old_page(&client, &target, &from, (s.start, s.end), s.segment).await;
            let v = target.clone();
            archive_db
                .write("old page", move |tx| chat::save_chat_pages(tx, &v, &[page], None))
                .await
                .unwrap();
            n += 1;
            match next {
                Some(c) if pages.is_none_or(|p| n < p) => from = From::Cursor(c),
                _ => break,
            }
        }
    }
    let db = archive(old.path());
    assert_eq!(
        rows(
            &db,
            &format!(
                "SELECT segment, cursor IS NOT NULL, done_at IS NOT NULL FROM chat_segments WHERE video_id = '{}' ORDER BY segment",
                video.id
            )
        ),
        vec![
            "Integer(0)|Integer(1)|Integer(0)",
            "Integer(1)|Integer(0)|Integer(1)",
            "Integer(2)|Integer(0)|Integer(0)",
            "Integer(3)|Integer(1)|Integer(0)"
        ]
    );
    let before = count(&db, "SELECT count(*) FROM chat_messages");
    assert!(before > 0 && (before as u64) < video.comments);
    drop(db);

    // The new code goes on from there, with more workers than the old plan has segments left.
    let outcome = download_chat(&client, &archive_db, &target, 8, None, &Default::default())
        .await
        .unwrap();
    assert_eq!(outcome, ChatOutcome::Complete(video.comments));
    assert_eq!(message_ids(old.path(), &video.id), message_ids(clean.path(), &video.id));
    let segments = bounds(old.path(), &video.id);
    assert_partition(&segments);
    // The old rows keep their numbers and starts; the done one was not fetched again (its bounds are intact).
    let db = archive(old.path());
    let second = &plan[1];
    assert_eq!(
        rows(
            &db,
            &format!(
                "SELECT start_seconds, end_seconds FROM chat_segments WHERE video_id = '{}' AND segment = 1",
                video.id
            )
        ),
        vec![format!("Integer({})|Integer({})", second.start, second.end.unwrap())]
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM chat_segments WHERE done_at IS NULL"),
        0
    );
}
