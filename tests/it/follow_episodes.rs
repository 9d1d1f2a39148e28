//! Follow episodes (issue 17 item 3): a follower who unfollows and follows again keeps both follows in the
//! archive, whether a full walk saw the unfollow or only the new `followed_at` showed it; reports read the latest
//! episode by default and the history on request.

use crate::paging::broadcaster;
use crate::util::{archive, count, itch, login_as, mock_with_followers, rows, run, sync, text};
use itch::mock::Advance;

/// Syncs only the followers of `login` (the part under test), `--full` when asked, and returns stdout.
async fn sync_followers(mock: &itch::mock::MockServer, dir: &std::path::Path, login: &str, full: bool) -> String {
    let mut args = vec!["--only", "followers", login];
    if full {
        args.insert(0, "--full");
    }
    let output = sync(mock, dir, &args).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    stdout
}

/// The report `args` as TSV rows without the header.
async fn report(mock: &itch::mock::MockServer, dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let mut cmd = itch(mock, dir);
    cmd.arg("report").args(args).args(["--format", "tsv", "--no-header"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    stdout.lines().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refollow_after_a_seen_unfollow_keeps_both_episodes() {
    let mock = mock_with_followers(600).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    sync_followers(&mock, dir.path(), &login, false).await;
    mock.advance(Advance {
        unfollows: 20,
        ..Advance::default()
    });
    let stdout = sync_followers(&mock, dir.path(), &login, true).await;
    assert!(stdout.contains("followers +0 -20 (total 580)"), "{stdout}");
    let first: Vec<String> = rows(
        &archive(dir.path()),
        "SELECT user_id || ' ' || followed_at FROM follows WHERE unfollowed_seen_at IS NOT NULL ORDER BY user_id",
    );

    // Five of them follow again: an incremental walk meets them on top, with a new followed_at.
    mock.advance(Advance {
        refollows: 5,
        ..Advance::default()
    });
    let stdout = sync_followers(&mock, dir.path(), &login, false).await;
    assert!(stdout.contains("followers +5 -0 (total 585)"), "{stdout}");

    let db = archive(dir.path());
    assert_eq!(
        count(&db, "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NULL"),
        585
    );
    // Each of the five has two episodes: the first, ended by the unfollow the full walk saw, and the new one.
    let episodes = rows(
        &db,
        "SELECT e.user_id, e.episode, e.unfollowed_seen_at IS NOT NULL, e.ended_before IS NOT NULL, e.is_latest
         FROM follow_episodes e WHERE e.user_id IN (SELECT user_id FROM follow_episodes WHERE episode = 2)
         ORDER BY e.user_id, e.episode",
    );
    assert_eq!(episodes.len(), 10, "{episodes:?}");
    for pair in episodes.chunks(2) {
        assert!(
            pair[0].ends_with("|Integer(1)|Integer(1)|Integer(1)|Integer(0)"),
            "{pair:?}"
        );
        assert!(
            pair[1].ends_with("|Integer(2)|Integer(0)|Integer(0)|Integer(1)"),
            "{pair:?}"
        );
    }
    // The first episodes are the follows archived before, unchanged: nothing was overwritten.
    let earlier = rows(
        &db,
        "SELECT user_id || ' ' || followed_at FROM earlier_follows ORDER BY user_id",
    );
    assert_eq!(earlier.len(), 5);
    assert!(
        earlier.iter().all(|e| first.contains(e)),
        "{earlier:?} not in {first:?}"
    );
    // The new follow is later than the first, and first seen by the later sync (in the same second, maybe).
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM follows f JOIN earlier_follows e USING (broadcaster_id, user_id)
             WHERE f.followed_at > e.followed_at AND f.first_seen_at >= e.last_seen_at
               AND e.ended_before = f.followed_at AND f.episode = 2"
        ),
        5
    );
    assert_eq!(count(&db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);

    // The reports: current followers once each; the unfollows history keeps all 20 (five came back);
    // refollows lists the five.
    assert_eq!(report(&mock, dir.path(), &["followers", &login]).await.len(), 585);
    let unfollows = report(&mock, dir.path(), &["unfollows", &login]).await;
    assert_eq!(unfollows.len(), 20, "{unfollows:?}");
    assert_eq!(
        unfollows.iter().filter(|r| !r.ends_with('\t')).count(),
        5,
        "five say when they followed again: {unfollows:?}"
    );
    let refollows = report(&mock, dir.path(), &["refollows", &login]).await;
    assert_eq!(refollows.len(), 5, "{refollows:?}");

    // A full walk again changes nothing: no new episode, no unfollow.
    let stdout = sync_followers(&mock, dir.path(), &login, true).await;
    assert!(stdout.contains("followers +0 -0 (total 585)"), "{stdout}");
    assert_eq!(count(&archive(dir.path()), "SELECT count(*) FROM earlier_follows"), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfollow_no_walk_saw_still_ends_its_episode() {
    let mock = mock_with_followers(300).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    login_as(&mock, dir.path(), &login);
    sync_followers(&mock, dir.path(), &login, false).await;
    // Ten unfollow and all ten follow again before the next sync: only their new followed_at tells.
    mock.advance(Advance {
        unfollows: 10,
        ..Advance::default()
    });
    mock.advance(Advance {
        refollows: 10,
        ..Advance::default()
    });
    let stdout = sync_followers(&mock, dir.path(), &login, true).await;
    assert!(stdout.contains("followers +10 -0 (total 300)"), "{stdout}");
    let db = archive(dir.path());
    assert_eq!(count(&db, "SELECT count(*) FROM follows"), 300);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM earlier_follows e JOIN follows f USING (broadcaster_id, user_id)
             WHERE e.unfollowed_seen_at IS NULL AND e.ended_before = f.followed_at AND f.episode = 2
               AND f.unfollowed_seen_at IS NULL"
        ),
        10,
        "the unfollow itself was never seen: the episode ends before the new follow"
    );
    // `report unfollows` knows only that they ended before the new follow.
    let unfollows = report(&mock, dir.path(), &["unfollows", &login]).await;
    assert_eq!(unfollows.len(), 10, "{unfollows:?}");
}
