//! The stream schedule (`--only schedule`) against the fake: the first sync, changes between syncs kept as history
//! (a cancelled segment, a changed title, a deleted one, a new one), a no-change re-sync costing one request, a
//! channel without a schedule (404) that is "no schedule" and not a failure, the report, and the planned times
//! shaded on `plot follower-count` and `plot viewers`.
//!
//! The subscribers (`--only subscribers`): snapshots with a new and a lost subscriber between syncs, the report
//! and the second line on `plot follower-count`, kill -9 then resume into the same snapshot, and the note when
//! the login lacks the scope while the other parts complete.
//!
//! No kill -9 test for the schedule: the part reads the whole schedule and writes it in one transaction, so a
//! killed sync leaves the read whole or not at all (there is no checkpoint to resume from).

use crate::util::{
    archive, count, itch, kill_when, login_as, mock_with, mock_with_followers, run, store_with_user_token, sync, text,
};
use itch::mock::{MockConfig, MockServer, ScheduleEdit, SubsEdit};

fn login(mock: &MockServer, k: usize) -> String {
    mock.channels().remove(k).login
}

fn schedule_requests(mock: &MockServer) -> u64 {
    mock.stats().by_path.get("/helix/schedule").copied().unwrap_or(0)
}

const VERSIONS: &str =
    "SELECT change || ' ' || count(*) FROM schedule_segment_versions GROUP BY change ORDER BY change";

/// The first column of every row, as text.
fn rows(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_is_archived_and_its_changes_kept_as_history() {
    let mock = mock_with_followers(50).await;
    let dir = tempfile::tempdir().unwrap();
    let channel = login(&mock, 0);
    let listed = mock.schedule(&channel).expect("the largest channel has a schedule");
    assert!(listed.len() > 4 && listed.len() <= 25, "{}", listed.len());
    assert!(listed.iter().any(|s| s.canceled), "the seed cancels one week");

    let output = sync(&mock, dir.path(), &["--only", "channel,schedule", &channel]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let n = listed.len();
    assert!(
        stdout.contains(&format!("schedule {n} segments (+{n} ~0 -0)")),
        "{stdout}"
    );
    let db = archive(dir.path());
    assert_eq!(count(&db, "SELECT count(*) FROM schedule_segments"), n as i64);
    assert_eq!(rows(&db, VERSIONS), [format!("new {n}")]);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM schedule_segments WHERE canceled_until IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT series_id) FROM schedule_segments WHERE is_recurring"
        ),
        count(
            &db,
            "SELECT count(DISTINCT title) FROM schedule_segments WHERE is_recurring"
        ),
        "the weeks of a recurring segment share its series id"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    drop(db);

    // The broadcaster cancels one, retitles one, deletes one and adds one.
    let canceled = (0..n).find(|&i| !listed[i].canceled && i > 0).unwrap();
    let canceled_id = mock.edit_schedule(&channel, ScheduleEdit::Cancel(canceled));
    let retitled_id = mock.edit_schedule(&channel, ScheduleEdit::Retitle(canceled + 1, "Moved to Friday".into()));
    let removed_id = mock.edit_schedule(&channel, ScheduleEdit::Remove(canceled + 2));
    mock.edit_schedule(
        &channel,
        ScheduleEdit::Add {
            hours: 30,
            title: "Surprise stream".into(),
        },
    );
    let output = sync(&mock, dir.path(), &["--only", "channel,schedule", &channel]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains(&format!("schedule {n} segments (+1 ~2 -1)")),
        "{stdout}"
    );

    let db = archive(dir.path());
    let history = |id: &str| {
        rows(
            &db,
            &format!(
                "SELECT change || '|' || title || '|' || (canceled_until IS NOT NULL) FROM schedule_segment_versions
                 WHERE segment_id = '{id}' ORDER BY id"
            ),
        )
    };
    assert_eq!(
        history(&canceled_id)[1],
        format!("canceled|{}|1", listed[canceled].title)
    );
    let retitled = history(&retitled_id);
    assert_eq!(retitled.len(), 2, "{retitled:?}");
    assert!(
        retitled[0].contains(&listed[canceled + 1].title),
        "the old title is kept: {retitled:?}"
    );
    assert!(retitled[1].starts_with("changed|Moved to Friday|"), "{retitled:?}");
    assert_eq!(history(&removed_id).len(), 2);
    assert!(history(&removed_id)[1].starts_with("gone|"));
    assert_eq!(
        count(
            &db,
            &format!("SELECT count(*) FROM schedule_segments WHERE id = '{removed_id}' AND gone_seen_at IS NOT NULL")
        ),
        1,
        "a deleted segment is kept, marked gone"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM schedule_segments"), n as i64 + 1);
    drop(db);

    // The report shows the history: the cancellation, the old and new title, the deletion.
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["report", "schedule", &channel]);
    let output = run(cmd).await;
    let (report, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let header = report.lines().next().unwrap();
    assert_eq!(
        header,
        "start_time\tend_time\tchange\tseen_at\ttitle\tcategory\tis_recurring\tcanceled_until\tsegment_id"
    );
    for needle in ["\tcanceled\t", "\tgone\t", "Moved to Friday", "Surprise stream"] {
        assert!(report.contains(needle), "{needle} in\n{report}");
    }
    assert_eq!(report.lines().count(), 1 + n + 1 + 3, "{report}");
    let mut cmd = itch(&mock, dir.path());
    cmd.args([
        "report",
        "schedule",
        &channel,
        "--format",
        "json",
        "--since",
        "2100-01-01",
    ]);
    let (json, _) = text(&run(cmd).await);
    assert_eq!(json.trim(), "[]");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_resync_with_no_change_costs_one_request_and_records_nothing_new() {
    let mock = mock_with_followers(50).await;
    let dir = tempfile::tempdir().unwrap();
    let channel = login(&mock, 0);
    assert!(
        sync(&mock, dir.path(), &["--only", "channel,schedule", &channel])
            .await
            .status
            .success()
    );
    let versions = rows(&archive(dir.path()), VERSIONS);
    mock.reset_stats();
    let output = sync(&mock, dir.path(), &["--only", "channel,schedule", &channel]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("(+0 ~0 -0)"), "{stdout}");
    assert_eq!(schedule_requests(&mock), 1, "one page of 25 holds the whole schedule");
    let db = archive(dir.path());
    assert_eq!(rows(&db, VERSIONS), versions, "no version added");
    assert_eq!(count(&db, "SELECT count(*) FROM schedule_reads WHERE pages = 1"), 2);
    assert_eq!(
        count(
            &db,
            "SELECT requests FROM sync_run_parts WHERE part = 'schedule' ORDER BY sync_run_id DESC LIMIT 1"
        ),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_without_a_schedule_is_no_schedule_not_a_failure() {
    let mock = mock_with_followers(50).await;
    let dir = tempfile::tempdir().unwrap();
    let (with_vacation, without) = (login(&mock, 1), login(&mock, 2));
    assert!(mock.schedule(&without).is_none());
    let output = sync(
        &mock,
        dir.path(),
        &["--only", "schedule,channel", &with_vacation, &without],
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("{without}: no schedule, ")), "{stdout}");
    let db = archive(dir.path());
    assert_eq!(
        rows(
            &db,
            "SELECT u.login || ' ' || p.status FROM sync_run_parts p JOIN users u ON u.id = p.broadcaster_id
             WHERE p.part = 'schedule' ORDER BY u.login"
        )
        .len(),
        2
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM sync_run_parts WHERE status != 'ok'"),
        0,
        "both channels' parts are ok"
    );
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT has_schedule FROM schedule_reads r JOIN users u ON u.id = r.broadcaster_id
                 WHERE u.login = '{without}'"
            )
        ),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM schedule_vacations WHERE gone_seen_at IS NULL"
        ),
        1
    );
    let report = text(
        &run({
            let mut cmd = itch(&mock, dir.path());
            cmd.args(["report", "schedule", &with_vacation]);
            cmd
        })
        .await,
    )
    .0;
    assert!(report.contains("\tvacation\t"), "{report}");
}

/// The chart's SVG, and whether it has the planned bands (their fill colour, and the legend entry).
fn planned_bands_in(svg: &str, dark: bool) -> bool {
    let colour = if dark { "#BE8CFF" } else { "#9650DC" };
    svg.to_ascii_uppercase().contains(colour) && svg.contains("planned (stream schedule)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planned_times_are_shaded_on_the_follower_count_and_viewer_charts() {
    let mock = mock_with_followers(50).await;
    let dir = tempfile::tempdir().unwrap();
    // The second channel is live from the start and has a schedule.
    let channel = login(&mock, 1);
    for _ in 0..2 {
        let output = sync(&mock, dir.path(), &["--only", "followers,stream,schedule", &channel]).await;
        assert!(output.status.success(), "{}", text(&output).1);
    }
    // The fake's clock (its schedule, its streams) starts in November 2026; the syncs are now.
    let until = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    for (chart, theme, file) in [
        ("follower-count", "light", "fc.svg"),
        ("follower-count", "dark", "fc-dark.svg"),
        ("viewers", "light", "v.svg"),
        ("viewers", "dark", "v-dark.svg"),
        ("follower-count", "light", "fc.png"),
        ("viewers", "dark", "v.png"),
    ] {
        let mut cmd = itch(&mock, dir.path());
        cmd.args([
            "plot",
            chart,
            &channel,
            "--theme",
            theme,
            "-m",
            "2026-10-25",
            "-M",
            &until,
            "-o",
            file,
        ]);
        let output = run(cmd).await;
        assert!(output.status.success(), "{chart} {theme}: {}", text(&output).1);
        let path = dir.path().join(file);
        if file.ends_with(".svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(
                planned_bands_in(&svg, theme == "dark"),
                "{chart} {theme}: no planned bands"
            );
            if chart == "follower-count" {
                // Drawn under the data: the first band comes before the follower line (its own colour).
                let svg = svg.to_ascii_uppercase();
                let band = svg.find(if theme == "dark" { "#BE8CFF" } else { "#9650DC" }).unwrap();
                let line = svg
                    .find(if theme == "dark" { "#4F9DFF" } else { "#2B6CD4" })
                    .expect("the line");
                assert!(band < line, "{chart} {theme}: the bands are drawn before the data");
            }
        } else {
            assert!(std::fs::metadata(&path).unwrap().len() > 2_000);
        }
    }
    // --no-streams leaves the bands out, so the check above can fail.
    let mut cmd = itch(&mock, dir.path());
    cmd.args([
        "plot",
        "follower-count",
        &channel,
        "--no-streams",
        "-m",
        "2026-10-25",
        "-M",
        &until,
        "-o",
        "bare.svg",
    ]);
    assert!(run(cmd).await.status.success());
    let svg = std::fs::read_to_string(dir.path().join("bare.svg")).unwrap();
    assert!(!planned_bands_in(&svg, false));
}

/// Logs the binary in as `login` with every scope itch uses and `channel:read:subscriptions` (`--scopes subs`).
fn login_with_subs(mock: &MockServer, dir: &std::path::Path, login: &str) {
    let scopes = [
        "moderator:read:followers",
        "user:read:follows",
        "moderator:read:chatters",
        "channel:read:subscriptions",
    ];
    store_with_user_token(mock, &dir.join("config"), login, &scopes);
}

const SNAPSHOTS: &str = "SELECT count(*) FROM subscription_snapshots WHERE complete";

fn users_of(db: &rusqlite::Connection, snapshot: i64) -> Vec<String> {
    rows(
        db,
        &format!("SELECT user_id FROM subscription_snapshot_users WHERE snapshot_id = {snapshot} ORDER BY user_id"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_are_snapshotted_each_sync_with_the_new_and_the_lost() {
    let mock = mock_with_followers(600).await;
    let dir = tempfile::tempdir().unwrap();
    let channel = login(&mock, 0);
    login_with_subs(&mock, dir.path(), &channel);
    let (total, points) = mock.subscription_total(&channel);
    assert_eq!(total, 250);
    let output = sync(&mock, dir.path(), &["--only", "channel,subscribers", &channel]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains(&format!("{channel}: {total} subscribers ({points} points)")),
        "{stdout}"
    );
    let db = archive(dir.path());
    assert_eq!(count(&db, SNAPSHOTS), 1);
    assert_eq!(users_of(&db, 1).len(), 250);
    assert_eq!(count(&db, "SELECT points FROM subscription_snapshots"), points as i64);
    assert!(
        count(
            &db,
            "SELECT count(*) FROM subscription_snapshot_users WHERE is_gift AND gifter_id IS NOT NULL"
        ) > 0,
        "some are gifts, with their gifter"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM subscription_snapshot_users WHERE is_gift != (gifter_id IS NOT NULL)"
        ),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(DISTINCT tier) FROM subscription_snapshot_users"),
        3,
        "tiers 1000, 2000 and 3000"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    drop(db);

    // A no-change re-sync reads the first page only (issue 17: it used to read all 3 pages) and records the
    // total and points without a list.
    mock.reset_stats();
    assert!(
        sync(&mock, dir.path(), &["--only", "subscribers", &channel])
            .await
            .status
            .success()
    );
    assert_eq!(mock.stats().by_path.get("/helix/subscriptions").copied(), Some(1));
    let db = archive(dir.path());
    assert_eq!(count(&db, SNAPSHOTS), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM subscription_snapshots WHERE NOT list_read AND listed = 0"
        ),
        1
    );
    assert!(users_of(&db, 2).is_empty(), "no list recorded");
    drop(db);

    let gained = mock.edit_subscriptions(&channel, SubsEdit::New);
    let lost = mock.edit_subscriptions(&channel, SubsEdit::Lose(3));
    assert!(
        sync(&mock, dir.path(), &["--only", "subscribers", &channel])
            .await
            .status
            .success()
    );
    let db = archive(dir.path());
    assert_eq!(count(&db, SNAPSHOTS), 2, "history: one snapshot per list read");
    let (before, after) = (users_of(&db, 1), users_of(&db, 3));
    assert!(before.contains(&lost) && !after.contains(&lost), "the lost subscriber");
    assert!(
        !before.contains(&gained) && after.contains(&gained),
        "the new subscriber"
    );
    assert_eq!(after.len(), 250);
    drop(db);

    let mut cmd = itch(&mock, dir.path());
    cmd.args(["report", "subscribers", &channel]);
    let output = run(cmd).await;
    let (report, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        report.lines().next().unwrap(),
        "taken_at\tuser\ttier\tis_gift\tgifter\tplan_name"
    );
    assert_eq!(report.lines().count(), 251);
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["report", "subscriber-count", &channel]);
    let (counts, _) = text(&run(cmd).await);
    // A row for each sync: the first-page-only one has its total and points, and no `listed`.
    assert_eq!(counts.lines().count(), 4, "{counts}");
    assert!(counts.lines().nth(2).unwrap().ends_with('\t'), "{counts}");
    assert!(
        counts
            .lines()
            .all(|l| l.starts_with("taken_at") || l.contains("\t250\t")),
        "{counts}"
    );

    // The subscriber total is a second line on the follower-count chart.
    assert!(
        sync(&mock, dir.path(), &["--only", "followers", &channel])
            .await
            .status
            .success()
    );
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["plot", "follower-count", &channel, "-o", "fc.svg"]);
    let output = run(cmd).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let svg = std::fs::read_to_string(dir.path().join("fc.svg")).unwrap();
    assert!(
        svg.contains("subscriber total (right axis)"),
        "the second line's legend"
    );
}

fn subscription_requests(mock: &MockServer) -> u64 {
    mock.stats().by_path.get("/helix/subscriptions").copied().unwrap_or(0)
}

/// Ids of the complete snapshots, oldest first.
fn complete_snapshots(db: &rusqlite::Connection) -> Vec<i64> {
    rows(
        db,
        "SELECT CAST(id AS TEXT) FROM subscription_snapshots WHERE complete ORDER BY id",
    )
    .iter()
    .map(|id| id.parse().unwrap())
    .collect()
}

/// Issue 17: a no-change re-sync costs one request per part. The first page (with total and points) is read
/// every sync; the whole list when the first page changed, when a full read is due, or with `--full`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscriber_list_is_read_whole_only_when_its_first_page_changed_or_a_full_read_is_due() {
    let mock = mock_with_followers(600).await;
    let dir = tempfile::tempdir().unwrap();
    let channel = login(&mock, 0);
    login_with_subs(&mock, dir.path(), &channel);
    let resync = |extra: &'static [&'static str]| {
        let (mock, dir, channel) = (&mock, dir.path(), channel.clone());
        async move {
            mock.reset_stats();
            let mut args = vec!["--only", "subscribers"];
            args.extend_from_slice(extra);
            args.push(&channel);
            let output = sync(mock, dir, &args).await;
            assert!(output.status.success(), "{}", text(&output).1);
            subscription_requests(mock)
        }
    };
    // The channel part too: reports by login need an archived channel.
    let output = sync(&mock, dir.path(), &["--only", "channel,subscribers", &channel]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert_eq!(
        subscription_requests(&mock),
        3,
        "the first sync reads 250 subscribers, 100 a page"
    );
    let first = users_of(&archive(dir.path()), 1);
    assert_eq!(first.len(), 250);

    assert_eq!(resync(&[]).await, 1, "no change: the first page only");
    let db = archive(dir.path());
    assert_eq!(complete_snapshots(&db), [1]);
    let taken = rows(&db, "SELECT taken_at FROM subscription_snapshots WHERE id = 1");
    drop(db);
    // The report lists the snapshot that read the list, with its own time, not the later first-page-only one.
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["report", "subscribers", &channel]);
    let (report, _) = text(&run(cmd).await);
    assert_eq!(report.lines().count(), 251);
    assert!(report.lines().skip(1).all(|l| l.starts_with(&taken[0])), "{report}");

    // A swap past the first page keeps total, points and the first page: not seen until a full read...
    let totals = mock.subscription_total(&channel);
    let lost_late = mock.edit_subscriptions(&channel, SubsEdit::Swap(150));
    assert_eq!(mock.subscription_total(&channel), totals);
    assert_eq!(resync(&[]).await, 1);
    assert_eq!(complete_snapshots(&archive(dir.path())).len(), 1);
    // ...which is due once the latest complete snapshot is older than `--full-every`.
    assert_eq!(resync(&["--full-every", "0s"]).await, 3);
    let db = archive(dir.path());
    let snapshots = complete_snapshots(&db);
    assert_eq!(snapshots.len(), 2);
    let after = users_of(&db, snapshots[1]);
    assert!(
        first.contains(&lost_late) && !after.contains(&lost_late),
        "the lost subscriber"
    );
    assert_eq!(after.len(), 250);
    drop(db);

    // A change on the first page with the same total and points reads the whole list.
    let lost_early = mock.edit_subscriptions(&channel, SubsEdit::Swap(3));
    assert_eq!(mock.subscription_total(&channel), totals);
    assert_eq!(resync(&[]).await, 3, "the first page differs");
    let db = archive(dir.path());
    let snapshots = complete_snapshots(&db);
    assert_eq!(snapshots.len(), 3);
    assert!(!users_of(&db, snapshots[2]).contains(&lost_early));
    drop(db);
    assert_eq!(resync(&[]).await, 1, "and then no change again");
    assert_eq!(resync(&["--full"]).await, 3, "`--full` reads the list");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_snapshot_killed_mid_way_resumes_into_the_same_snapshot() {
    let mock = mock_with(MockConfig {
        followers: 600,
        latency: std::time::Duration::from_millis(400),
        ..MockConfig::default()
    })
    .await;
    let (killed, clean) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let channel = login(&mock, 0);
    login_with_subs(&mock, killed.path(), &channel);
    login_with_subs(&mock, clean.path(), &channel);
    let mut cmd = itch(&mock, killed.path());
    cmd.args(["sync", "--only", "subscribers", &channel]);
    let mut child = cmd.spawn().unwrap();
    kill_when(
        &mut child,
        &killed.path().join("itch.db"),
        "SELECT count(*) FROM subscription_snapshot_users",
        100,
        std::time::Duration::from_secs(60),
    )
    .await;
    let db = archive(killed.path());
    assert_eq!(count(&db, SNAPSHOTS), 0, "killed before the end");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM subscription_snapshots WHERE next_cursor IS NOT NULL"
        ),
        1
    );
    drop(db);
    assert!(
        sync(&mock, killed.path(), &["--only", "subscribers", &channel])
            .await
            .status
            .success()
    );
    assert!(
        sync(&mock, clean.path(), &["--only", "subscribers", &channel])
            .await
            .status
            .success()
    );
    let (resumed, uninterrupted) = (archive(killed.path()), archive(clean.path()));
    assert_eq!(
        count(&resumed, "SELECT count(*) FROM subscription_snapshots"),
        1,
        "the same snapshot"
    );
    assert_eq!(count(&resumed, SNAPSHOTS), 1);
    let all = "SELECT user_id || ' ' || tier || ' ' || is_gift || ' ' || coalesce(gifter_id, '') FROM subscription_snapshot_users ORDER BY user_id";
    assert_eq!(rows(&resumed, all), rows(&uninterrupted, all), "no gap, no duplicate");
    assert_eq!(count(&resumed, "SELECT listed FROM subscription_snapshots"), 250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_subscriptions_scope_the_sync_says_how_to_log_in_and_the_other_parts_complete() {
    let mock = mock_with_followers(100).await;
    let dir = tempfile::tempdir().unwrap();
    let channel = login(&mock, 0);
    login_as(&mock, dir.path(), &channel);
    let output = sync(&mock, dir.path(), &["--only", "channel,subscribers,schedule", &channel]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("run `itch auth login --scopes subs`"),
        "{stdout}{stderr}"
    );
    // A missing scope is not a stale token: asked once, not renewed and asked again.
    assert_eq!(mock.stats().by_path.get("/helix/subscriptions").copied(), Some(1));
    let db = archive(dir.path());
    assert_eq!(
        rows(&db, "SELECT part || ' ' || status FROM sync_run_parts ORDER BY part"),
        ["channel ok", "schedule ok", "subscribers ok"]
    );
    assert_eq!(count(&db, "SELECT count(*) FROM subscription_snapshots"), 0);
    assert!(
        count(&db, "SELECT count(*) FROM schedule_segments") > 0,
        "the other parts complete"
    );
}
