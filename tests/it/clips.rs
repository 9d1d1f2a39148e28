//! Clips (issue 17): `itch sync --only clips` against the fake, which caps every Get Clips listing at 1000 results
//! like Helix; changes between syncs, a no-change re-sync, kill -9 and resume, a refused or failing endpoint; and
//! the clips and chatlog reports.

use std::collections::BTreeSet;

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, kill_when, mock_with, rows, run, sync, text};

use itch::mock::{Advance, MockClip, MockConfig, MockServer};

/// A fake whose channels have `clips` clips each (few followers and videos: the clips are the point).
async fn mock_with_clips(clips: u32) -> MockServer {
    mock_with(MockConfig {
        followers: 50,
        clips,
        ..MockConfig::default()
    })
    .await
}

/// The first column of a query's rows, as text.
fn strings(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn archived_ids(dir: &std::path::Path) -> BTreeSet<String> {
    strings(&archive(dir), "SELECT id FROM clips ORDER BY id")
        .into_iter()
        .collect()
}

fn fake_ids(clips: &[MockClip]) -> BTreeSet<String> {
    clips.iter().map(|c| c.id.clone()).collect()
}

fn clip_requests(mock: &MockServer) -> u64 {
    mock.stats().by_path.get("/helix/clips").copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_archives_every_clip_and_a_no_change_resync_costs_one_request() {
    let mock = mock_with_clips(60).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    let output = sync(&mock, dir.path(), &["--only", "clips", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("clips +60 (60 view counts)"), "{stdout}");

    let fake = mock.clips(&login);
    assert_eq!(fake.len(), 60);
    assert_eq!(archived_ids(dir.path()), fake_ids(&fake));
    let db = archive(dir.path());
    // The fake's quirks arrive as the archive models them: "" is NULL, null offsets stay NULL.
    let without_vod = fake.iter().filter(|c| c.video_id.is_empty()).count() as i64;
    assert!(without_vod > 0 && without_vod < 60, "{without_vod}");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM clips WHERE video_id IS NULL AND vod_offset IS NULL"
        ),
        without_vod
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM clips WHERE duration != CAST(duration AS INTEGER)"
        ) > 0
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM clips WHERE duration = CAST(duration AS INTEGER)"
        ) > 0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM clip_snapshots"), 60);
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM clips WHERE broadcaster_id = '{}' AND raw_json LIKE '%\"view_count\"%'",
                id.as_str()
            )
        ),
        60,
        "every clip keeps its raw JSON"
    );
    for clip in &fake {
        let latest = count(
            &db,
            &format!("SELECT view_count FROM clips_latest WHERE id = '{}'", clip.id),
        );
        assert_eq!(latest as u64, clip.view_count, "{}", clip.id);
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_checkpoints WHERE part = 'clips' AND walk IS NULL AND last_full_at IS NOT NULL"
        ),
        1
    );

    mock.reset_stats();
    let output = sync(&mock, dir.path(), &["--only", "clips", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(clip_requests(&mock) <= 1, "{:?}", mock.stats());
    assert_eq!(
        count(&archive(dir.path()), "SELECT count(*) FROM clip_snapshots"),
        60,
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_clips_and_changed_view_counts_between_syncs_are_recorded() {
    let mock = mock_with_clips(40).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    assert!(
        sync(&mock, dir.path(), &["--only", "clips", &login])
            .await
            .status
            .success()
    );
    let before = mock.clips(&login);

    mock.advance(Advance {
        new_clips: 3,
        hours: 6,
        ..Advance::default()
    });
    let after = mock.clips(&login);
    assert_eq!(after.len(), 43);
    // An incremental sync finds the new clips.
    let output = sync(&mock, dir.path(), &["--only", "clips", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("clips +3 "), "{stdout}");
    assert_eq!(archived_ids(dir.path()), fake_ids(&after));

    // A full walk refreshes every view count: one new snapshot for each clip whose count moved, none for the others.
    let changed = before
        .iter()
        .filter(|b| after.iter().any(|a| a.id == b.id && a.view_count != b.view_count))
        .count() as i64;
    assert!(changed > 0 && changed < 40, "{changed}");
    let output = sync(&mock, dir.path(), &["--only", "clips", "--full", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let db = archive(dir.path());
    assert_eq!(count(&db, "SELECT count(*) FROM clip_snapshots"), 40 + 3 + changed);
    for clip in &after {
        let latest = count(
            &db,
            &format!("SELECT view_count FROM clips_latest WHERE id = '{}'", clip.id),
        );
        assert_eq!(latest as u64, clip.view_count, "{}", clip.id);
    }
    // The history is kept: the first count of a changed clip is still there.
    let moved = before
        .iter()
        .find(|b| after.iter().any(|a| a.id == b.id && a.view_count != b.view_count))
        .unwrap();
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT view_count FROM clip_snapshots WHERE clip_id = '{}' ORDER BY taken_at LIMIT 1",
                moved.id
            )
        ) as u64,
        moved.view_count
    );
}

/// Issue 17: a clip made just before a sync is listed by Twitch only once processed (the fake: 15 s after it was
/// made), after that sync read its window. A later incremental sync, which re-reads only the minutes before its
/// frontier (one request when nothing changed, however busy the hour before), must still archive it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clip_listed_after_the_sync_that_read_its_time_is_archived_by_the_next() {
    let mock = mock_with_clips(40).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    assert!(
        sync(&mock, dir.path(), &["--only", "clips", &login])
            .await
            .status
            .success()
    );
    // 300 clips in an hour: the last is made 12 s before the clock, and is still being processed at the sync.
    mock.advance(Advance {
        new_clips: 300,
        hours: 1,
        ..Advance::default()
    });
    let now = mock.now().timestamp();
    let made_at = |c: &MockClip| chrono::DateTime::parse_from_rfc3339(&c.created_at).unwrap().timestamp();
    let fake = mock.clips(&login);
    let processing: Vec<&MockClip> = fake.iter().filter(|c| now - made_at(c) < 15).collect();
    assert_eq!(processing.len(), 1, "one clip not listed yet");
    let output = sync(&mock, dir.path(), &["--only", "clips", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let archived = archived_ids(dir.path());
    assert!(!archived.contains(&processing[0].id), "not listed at that sync");
    assert_eq!(archived.len(), fake.len() - 1);

    // A re-sync with nothing new costs one request, though the hour before the frontier holds 300 clips (three
    // pages: what re-reading an hour cost before issue 17's change).
    mock.reset_stats();
    let output = sync(&mock, dir.path(), &["--only", "clips", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(clip_requests(&mock), 1, "{:?}", mock.stats());
    assert_eq!(archived_ids(dir.path()), archived, "still being processed");

    // An hour on, with no new clip: the late clip is listed, behind the frontier, and the re-read finds it.
    mock.advance(Advance {
        hours: 1,
        ..Advance::default()
    });
    mock.reset_stats();
    let output = sync(&mock, dir.path(), &["--only", "clips", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("clips +1 "), "{stdout}");
    assert_eq!(archived_ids(dir.path()), fake_ids(&fake));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_over_the_cap_is_narrowed_and_no_clip_is_missed() {
    // Three VODs a few days apart hold half the clips: their week has more than Helix lists.
    let mock = mock_with(MockConfig {
        followers: 50,
        videos: 3,
        clips: 3_000,
        ..MockConfig::default()
    })
    .await;
    let (login, _) = broadcaster(&mock);
    let fake = mock.clips(&login);
    let busiest_week = fake
        .iter()
        .map(|c| {
            let t = chrono::DateTime::parse_from_rfc3339(&c.created_at).unwrap().timestamp();
            fake.iter()
                .filter(|o| {
                    let u = chrono::DateTime::parse_from_rfc3339(&o.created_at).unwrap().timestamp();
                    (t..t + 7 * 86_400).contains(&u)
                })
                .count()
        })
        .step_by(50)
        .max()
        .unwrap();
    assert!(busiest_week > 1000, "{busiest_week}");

    let dir = tempfile::tempdir().unwrap();
    let output = sync(&mock, dir.path(), &["--only", "clips", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let (archived, all) = (archived_ids(dir.path()), fake_ids(&fake));
    let missing: Vec<&String> = all.difference(&archived).collect();
    assert!(
        missing.is_empty(),
        "{} of {} clips missing, e.g. {:?}",
        missing.len(),
        all.len(),
        missing.first()
    );
    assert_eq!(archived, all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clips_walk_killed_mid_way_resumes_exactly() {
    let mock = mock_with(MockConfig {
        followers: 50,
        clips: 3_000,
        latency: std::time::Duration::from_millis(5),
        ..MockConfig::default()
    })
    .await;
    let (login, _) = broadcaster(&mock);
    let (killed, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cmd = itch(&mock, killed.path());
    cmd.args(["sync", "--only", "clips", &login]);
    let mut child = cmd.spawn().unwrap();
    kill_when(
        &mut child,
        &killed.path().join("itch.db"),
        "SELECT count(*) FROM clips",
        300,
        std::time::Duration::from_secs(60),
    )
    .await;
    let db = archive(killed.path());
    assert!(
        count(&db, "SELECT count(*) FROM clips") < 3_000,
        "killed before the end"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sync_checkpoints WHERE part = 'clips' AND walk = 'full'"
        ),
        1,
        "a walk in progress"
    );
    drop(db);

    mock.reset_stats();
    let output = sync(&mock, killed.path(), &["--only", "clips", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(
        sync(&mock, clean.path(), &["--only", "clips", &login])
            .await
            .status
            .success()
    );
    let query = "SELECT id, broadcaster_id, video_id, vod_offset, duration, created_at FROM clips ORDER BY id";
    let (resumed, uninterrupted) = (
        rows(&archive(killed.path()), query),
        rows(&archive(clean.path()), query),
    );
    assert_eq!(resumed.len(), 3_000);
    assert_eq!(resumed, uninterrupted);
    // The world did not change: one snapshot per clip, none twice for a window read again.
    assert_eq!(
        count(&archive(killed.path()), "SELECT count(*) FROM clip_snapshots"),
        3_000
    );
    assert_eq!(
        count(
            &archive(killed.path()),
            "SELECT count(*) FROM sync_checkpoints WHERE part = 'clips' AND walk IS NULL"
        ),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_or_refused_clips_endpoint_leaves_the_other_parts_complete() {
    let mock = mock_with_clips(20).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, id) = broadcaster(&mock);
    mock.fail_clips(Some(503));
    let output = sync(&mock, dir.path(), &["--only", "channel,videos,clips", &login]).await;
    let (stdout, _) = text(&output);
    assert!(!output.status.success());
    assert!(stdout.contains("; clips failed: "), "{stdout}");
    let parts = format!(
        "SELECT part || ':' || status FROM sync_run_parts WHERE broadcaster_id = '{}' ORDER BY part",
        id.as_str()
    );
    assert_eq!(
        strings(&archive(dir.path()), &parts),
        ["channel:ok", "clips:failed", "videos:ok"]
    );
    assert!(count(&archive(dir.path()), "SELECT count(*) FROM videos") > 0);
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM clips"), 0);

    // Refused (403): a note, the part is not a failure, and the next sync asks again.
    mock.fail_clips(Some(403));
    let output = sync(&mock, dir.path(), &["--only", "videos,clips", &login]).await;
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("Twitch refused Get Clips"), "{stderr}");
    mock.fail_clips(None);
    assert!(
        sync(&mock, dir.path(), &["--only", "clips", &login])
            .await
            .status
            .success()
    );
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM clips"), 20);
}

async fn report(mock: &MockServer, dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let mut cmd = itch(mock, dir);
    cmd.arg("report").args(args);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    (output.status.success(), stdout, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_clips_orders_by_time_or_views_and_takes_since() {
    let mock = mock_with_clips(30).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    // The channel part makes it an archived channel, which reports by login need.
    let output = sync(&mock, dir.path(), &["--only", "channel,clips", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let fake = mock.clips(&login);

    let column = |tsv: &str, name: &str| -> Vec<String> {
        let mut lines = tsv.lines();
        let i = lines.next().unwrap().split('\t').position(|c| c == name).unwrap();
        lines.map(|l| l.split('\t').nth(i).unwrap().to_owned()).collect()
    };
    let (ok, newest, stderr) = report(&mock, dir.path(), &["clips", &login]).await;
    assert!(ok, "{stderr}");
    let mut by_time: Vec<&MockClip> = fake.iter().collect();
    by_time.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    assert_eq!(
        column(&newest, "id"),
        by_time.iter().map(|c| c.id.clone()).collect::<Vec<_>>()
    );

    let (ok, viewed, _) = report(&mock, dir.path(), &["clips", &login, "--by-views"]).await;
    assert!(ok);
    let views: Vec<u64> = column(&viewed, "view_count")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(views.len(), 30);
    assert!(views.windows(2).all(|w| w[0] >= w[1]), "{views:?}");
    assert_eq!(views[0], fake.iter().map(|c| c.view_count).max().unwrap());

    let middle = &by_time[15].created_at;
    let (ok, since, _) = report(&mock, dir.path(), &["clips", &login, "--since", middle]).await;
    assert!(ok);
    let expected = fake.iter().filter(|c| &c.created_at >= middle).count();
    assert_eq!(column(&since, "id").len(), expected);
    assert!(column(&since, "created_at").iter().all(|t| t >= middle));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chatlog_reads_the_chat_around_a_moment_or_a_clip() {
    let mock = mock_with_clips(30).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    assert!(
        sync(&mock, dir.path(), &["--only", "videos,chat,clips", &login])
            .await
            .status
            .success()
    );
    let fake = mock.clips(&login);
    let db = archive(dir.path());
    // The middle of a clip, and the archived chat messages within a minute of it.
    let middle = |c: &MockClip| c.vod_offset.unwrap() as i64 + (c.duration / 2.0).round() as i64;
    let around = |c: &MockClip, at: i64| {
        count(
            &db,
            &format!(
                "SELECT count(*) FROM chat_messages WHERE video_id = '{}' AND offset_seconds BETWEEN {} AND {}",
                c.video_id,
                at - 60,
                at + 60
            ),
        )
    };
    // A clip of a VOD whose chat around it is archived.
    let clip = fake
        .iter()
        .find(|c| !c.video_id.is_empty() && around(c, middle(c)) > 0)
        .expect("a clip with chat around it");
    let at = middle(clip);
    let expected = around(clip, at);
    let offsets = |tsv: &str| -> Vec<i64> {
        tsv.lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().parse().unwrap())
            .collect()
    };
    let (ok, by_clip, stderr) = report(&mock, dir.path(), &["chatlog", &clip.id]).await;
    assert!(ok, "{stderr}");
    assert_eq!(offsets(&by_clip).len() as i64, expected);
    assert!(offsets(&by_clip).iter().all(|o| (at - 60..=at + 60).contains(o)));

    let at_text = format!("{}:{:02}:{:02}", at / 3600, at / 60 % 60, at % 60);
    let (ok, by_moment, _) = report(
        &mock,
        dir.path(),
        &["chatlog", &clip.video_id, "--at", &at_text, "--around", "60s"],
    )
    .await;
    assert!(ok);
    assert_eq!(by_moment, by_clip);
    let (ok, narrow, _) = report(
        &mock,
        dir.path(),
        &["chatlog", &clip.video_id, "--at", &at.to_string(), "--around", "5s"],
    )
    .await;
    assert!(ok);
    assert!(offsets(&narrow).iter().all(|o| (at - 5..=at + 5).contains(o)));

    // A clip with no VOD says so.
    let lost = fake.iter().find(|c| c.video_id.is_empty()).unwrap();
    let (ok, _, stderr) = report(&mock, dir.path(), &["chatlog", &lost.id]).await;
    assert!(!ok);
    assert!(stderr.contains(&format!("clip {} has no VOD", lost.id)), "{stderr}");
    let (ok, _, stderr) = report(&mock, dir.path(), &["chatlog", "NoSuchClipAnywhere"]).await;
    assert!(!ok);
    assert!(
        stderr.contains("is neither a Twitch video id nor a clip in the archive"),
        "{stderr}"
    );
}
