//! The reports over the live chat record (issue 13) through the real binary: an archive holding a raid, a
//! timeout and a gap, written with the archive's own event writers (so the moderation marks the messages as a
//! recording would), then `itch report raids|moderation|chat-gaps|chat-events`, `itch search` and
//! `itch report chatlog` with and without `--hide-deleted`.

use crate::util::{itch, mock_with_followers, run, text};
use itch::archive::Timestamp;
use itch::archive::chat_events::{ChatEvent, ModerationEvent, Seen, save_chat_events, save_gap, save_moderation};
use serde_json::Value;
use std::path::Path;

/// Channel `stage` (id 50) with VOD 5001 (20:00 to 21:00 on 2026-04-01); a raid by raider_one (430 viewers) at
/// 20:10 and four follows: three within the next 30 minutes (the last at 20:40:00 exactly), one at 20:40:01;
/// troll's two replayed messages, then his 600 s timeout at 20:15:30; fan's message after it, at 20:16; a
/// reconnect gap from 20:14 to 20:16 that the replay fills with all three (both ends included).
fn build(dir: &Path) {
    let mut conn = itch::archive::open(&dir.join("itch.db")).unwrap();
    conn.execute_batch(
        "INSERT INTO users (id, login, display_name, first_seen_at, last_seen_at) VALUES
            ('50', 'stage', 'Stage', 'x', 'x'), ('53', 'fan', 'Fan', 'x', 'x'), ('54', 'troll', 'Troll', 'x', 'x'),
            ('61', 'f1', 'f1', 'x', 'x'), ('62', 'f2', 'f2', 'x', 'x'), ('63', 'f3', 'f3', 'x', 'x'),
            ('64', 'f4', 'f4', 'x', 'x');
         INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, first_seen_at, last_seen_at)
         VALUES ('50', 'stage', 'Stage', 'x', 'x');
         INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at) VALUES
            ('50', '61', '2026-04-01T20:10:00Z', 'x', 'x'), ('50', '62', '2026-04-01T20:12:00Z', 'x', 'x'),
            ('50', '63', '2026-04-01T20:40:00Z', 'x', 'x'), ('50', '64', '2026-04-01T20:40:01Z', 'x', 'x');
         INSERT INTO videos (id, user_id, type, title, created_at, duration_seconds, first_seen_at, last_seen_at,
                             chat_status)
         VALUES ('5001', '50', 'archive', 'stage night', '2026-04-01T20:00:00Z', 3600, 'x', 'x', 'complete');
         INSERT INTO chat_messages (id, source, video_id, broadcaster_id, user_id, user_login, offset_seconds,
                                    created_at, text, first_seen_at) VALUES
            ('t1', 'replay', '5001', '50', '54', 'troll', 840, '2026-04-01T20:14:00Z', 'spam line one', 'x'),
            ('t2', 'replay', '5001', '50', '54', 'troll', 900, '2026-04-01T20:15:00Z', 'spam line two', 'x'),
            ('f1', 'replay', '5001', '50', '53', 'fan', 960, '2026-04-01T20:16:00Z', 'a clean line', 'x');",
    )
    .unwrap();
    let at = Timestamp::now();
    let seen = Seen { at: &at, run: None };
    let tx = conn.transaction().unwrap();
    let raid = ChatEvent {
        id: "raid1".into(),
        broadcaster_id: "50".into(),
        kind: "raid".into(),
        user: Some(("51".into(), "raider_one".into(), Some("Raider_One".into()))),
        created_at: "2026-04-01T20:10:00Z".into(),
        viewer_count: Some(430),
        params_json: "{}".into(),
        irc_line: "@msg-id=raid :tmi.twitch.tv USERNOTICE #stage".into(),
        ..ChatEvent::default()
    };
    assert_eq!(save_chat_events(&tx, &[raid], seen).unwrap(), 1);
    let timeout = ModerationEvent {
        broadcaster_id: "50".into(),
        action: "timeout",
        created_at: "2026-04-01T20:15:30Z".into(),
        target_user_id: Some("54".into()),
        target_login: Some("troll".into()),
        duration_seconds: Some(600),
        irc_line: "@ban-duration=600 :tmi.twitch.tv CLEARCHAT #stage :troll".into(),
        ..ModerationEvent::default()
    };
    assert_eq!(save_moderation(&tx, &timeout, seen).unwrap(), 2, "troll's two messages");
    let time = |text: &str| Timestamp::from(text.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    let (start, end) = (time("2026-04-01T20:14:00Z"), time("2026-04-01T20:16:00Z"));
    save_gap(&tx, "50", &start, &end, "reconnect", None).unwrap();
    tx.commit().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_reports_answer_from_the_record_and_deleted_messages_are_marked() {
    let mock = mock_with_followers(1).await;
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let itch_out = |args: &'static [&'static str]| {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(args);
        run(cmd)
    };

    let output = itch_out(&["report", "raids", "stage", "--format", "json"]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let rows: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([{
            "created_at": "2026-04-01T20:10:00Z", "raider": "raider_one", "raider_name": "Raider_One",
            "viewer_count": 430, "follows_next_half_hour": 3,
        }])
    );

    let output = itch_out(&["report", "moderation", "stage", "--no-header"]).await;
    assert_eq!(
        text(&output).0,
        "2026-04-01T20:15:30Z\ttimeout\ttroll\t600\t2\tspam line two\n"
    );
    let output = itch_out(&["report", "chat-gaps", "stage", "--no-header"]).await;
    assert_eq!(
        text(&output).0,
        "2026-04-01T20:14:00Z\t2026-04-01T20:16:00Z\t120\treconnect\t3\t5001\n"
    );
    let output = itch_out(&["report", "chat-events", "v5001", "--no-header"]).await;
    assert_eq!(
        text(&output).0,
        "600\t2026-04-01T20:10:00Z\traid\traider_one\t\t430\t\t\t\t\n"
    );

    // Deleted messages are shown, marked; --hide-deleted leaves exactly them out.
    let output = itch_out(&["search", "line", "--channel", "stage", "--no-header"]).await;
    let deleted: Vec<String> = text(&output)
        .0
        .lines()
        .map(|line| line.rsplit('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(deleted, ["2026-04-01T20:15:30Z", "2026-04-01T20:15:30Z", ""]);
    let output = itch_out(&["search", "line", "--channel", "stage", "--hide-deleted", "--no-header"]).await;
    assert_eq!(text(&output).0.lines().count(), 1);
    assert!(
        text(&output).0.contains("\tfan\ta clean line\t\n"),
        "{}",
        text(&output).0
    );
    let output = itch_out(&["report", "chatlog", "5001", "--hide-deleted", "--format", "seed"]).await;
    assert_eq!(text(&output).0, "fan : a clean line\n");
    let output = itch_out(&["report", "chatlog", "5001", "--format", "seed"]).await;
    assert_eq!(text(&output).0.lines().count(), 3);

    // A report over no chat messages refuses the flag, and prints nothing.
    let output = itch_out(&["report", "raids", "stage", "--hide-deleted"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(
        text(&output).1.contains("report 'raids' takes no --hide-deleted"),
        "{}",
        text(&output).1
    );

    let output = itch_out(&["report", "--list"]).await;
    for line in [
        "raids <login>",
        "subs <login>",
        "moderation <login>",
        "chat-gaps <login>",
        "chat-events <video-id>",
    ] {
        assert!(
            text(&output).0.contains(&format!("\n{line} ")),
            "{line}: {}",
            text(&output).0
        );
    }
}
