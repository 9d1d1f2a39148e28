//! Live chat as a complete record (issue 13), through the real binary: reconnects in a quiet room, and the events
//! of a room kept beside its messages.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::util::{archive, count, itch, mock_with, run, text};
use itch::mock::MockConfig;

/// A chat server for one quiet room: every connection gets its JOIN echoed (when `joins`), no message at all,
/// and 50 ms later `RECONNECT` (Twitch restarting its servers). Returns its URL and the number of connections
/// it took.
async fn quiet_room_that_keeps_restarting(joins: bool) -> (String, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("irc://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicU64::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let mut nick = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(name) = line.strip_prefix("NICK ") {
                        nick = name.to_owned();
                    }
                    if let Some(room) = line.strip_prefix("JOIN ") {
                        if joins {
                            let echo = format!(":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {room}\r\n");
                            let _ = write.write_all(echo.as_bytes()).await;
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        let _ = write.write_all(b":tmi.twitch.tv RECONNECT\r\n").await;
                        return;
                    }
                }
            });
        }
    });
    (url, connections)
}

/// A chat server that answers the JOIN of a room with its echo, then `lines` (each `#room` in them made the
/// joined room), then stays open and quiet.
async fn room_that_says(lines: Vec<String>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("irc://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let lines = lines.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut input = BufReader::new(read).lines();
                let mut nick = String::new();
                while let Ok(Some(line)) = input.next_line().await {
                    if let Some(name) = line.strip_prefix("NICK ") {
                        nick = name.to_owned();
                    }
                    if let Some(room) = line.strip_prefix("JOIN ") {
                        let mut out = format!(":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {room}\r\n");
                        for said in &lines {
                            out.push_str(&said.replace("#room", room));
                            out.push_str("\r\n");
                        }
                        let _ = write.write_all(out.as_bytes()).await;
                    }
                }
            });
        }
    });
    url
}

/// The one text column of a query's rows.
fn texts(db: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = db.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// A real line of the corpus (tests/fixtures/real/irc), its room renamed `#room`.
fn real(file: &str, room: &str) -> String {
    let path = format!("{}/tests/fixtures/real/irc/{file}", env!("CARGO_MANIFEST_DIR"));
    let line = std::fs::read_to_string(path).unwrap();
    line.trim_end().replace(&format!("#{room}"), "#room")
}

/// `itch chat --live --for 2s <login>` against the chat server at `irc`; stdout, and the archive.
async fn record(irc: &str) -> (String, rusqlite::Connection, tempfile::TempDir) {
    let mock = mock_with(MockConfig::default()).await;
    let login = mock.channels().remove(0).login;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.env("TWITCH_IRC_URL", irc)
        .args(["chat", "--live", "--for", "2s", &login]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    (stdout, archive(dir.path()), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rooms_events_are_kept_and_moderation_marks_what_it_took_out() {
    let irc = room_that_says(vec![
        real("privmsg_basic.txt", "pajlada"),
        real("usernotice_resub_streak_message.txt", "xqcow"),
        real("usernotice_raid.txt", "xqcow"),
        real("usernotice_submysterygift.txt", "xqcow"),
        real("roomstate_full.txt", "randers"),
        // The first message's author timed out (the real line names another user and room).
        real("clearchat_timeout.txt", "pajlada").replace("target-user-id=148973258", "target-user-id=29803735"),
    ])
    .await;
    let (stdout, db, _dir) = record(&irc).await;
    assert!(stdout.contains(": 2 live messages, 4 events"), "{stdout}");
    let messages = texts(
        &db,
        "SELECT kind || ' ' || text || ' ' || (deleted_at IS NOT NULL) FROM chat_messages ORDER BY kind",
    );
    assert_eq!(
        messages,
        ["chat dank cam 1", "resub xqcL 0"],
        "the resub's text kept; the timed-out user's message marked"
    );
    let events = texts(
        &db,
        "SELECT kind || ' ' || coalesce(viewer_count, gift_count, months) FROM chat_events ORDER BY kind",
    );
    assert_eq!(events, ["raid 430", "resub 2", "submysterygift 20"]);
    assert_eq!(count(&db, "SELECT count(*) FROM room_states"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT messages_marked FROM chat_moderation WHERE action = 'timeout'"
        ),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_channel_says_why_nothing_was_recorded() {
    let irc = room_that_says(vec![real("notice_msg_channel_suspended.txt", "foretack")]).await;
    let (stdout, db, _dir) = record(&irc).await;
    assert!(stdout.contains("0 live messages, 0 events (Twitch said: "), "{stdout}");
    assert_eq!(count(&db, "SELECT count(*) FROM chat_notices"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_room_that_keeps_asking_to_reconnect_is_recorded_to_the_end() {
    let mock = mock_with(MockConfig::default()).await;
    let login = mock.channels().remove(0).login;
    let (irc, connections) = quiet_room_that_keeps_restarting(true).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.env("TWITCH_IRC_URL", &irc)
        .args(["chat", "--live", "--for", "3s", &login]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "a RECONNECT is no failure: {stderr}");
    assert!(stdout.contains(&format!("{login}: 0 live messages")), "{stdout}");
    let opened = connections.load(Ordering::Relaxed) as i64;
    assert!(
        opened >= 10,
        "each RECONNECT is followed at once by a new connection, not a backoff: {opened}"
    );
    let gaps = count(&archive(dir.path()), "SELECT count(*) FROM chat_gaps");
    assert!(
        (opened - 2..opened).contains(&gaps),
        "every reconnect but a last unfinished one is a gap: {gaps} of {opened} connections"
    );
}

/// `itch chat --live <args>` against `mock`'s own chat server, in `dir`.
async fn record_from(mock: &itch::mock::MockServer, dir: &std::path::Path, args: &[&str]) -> (String, String) {
    let mut cmd = itch(mock, dir);
    cmd.args(["chat", "--live"]).args(args);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    (stdout, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_of_the_fakes_quiet_room_keeps_going_across_its_reconnects() {
    let mock = mock_with(MockConfig {
        irc_quiet: true,
        ..MockConfig::default()
    })
    .await;
    mock.irc_reconnect_every(std::time::Duration::from_millis(500));
    let login = mock.channels().remove(0).login;
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = record_from(&mock, dir.path(), &["--for", "2500ms", &login]).await;
    assert!(
        stdout.contains(&format!("{login}: 0 live messages, 0 events")),
        "{stdout}"
    );
    let gaps = count(&archive(dir.path()), "SELECT count(*) FROM chat_gaps");
    assert!(
        gaps >= 3,
        "three RECONNECTs at least, each a gap, none a failure: {gaps}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_room_of_the_fake_lands_every_kind_of_line_in_the_archive() {
    let mock = mock_with(MockConfig {
        irc_rate: 2000,
        ..MockConfig::default()
    })
    .await;
    let login = mock.channels().remove(0).login;
    let dir = tempfile::tempdir().unwrap();
    record_from(&mock, dir.path(), &["--messages", "4000", &login]).await;
    let db = archive(dir.path());
    let kinds = texts(&db, "SELECT DISTINCT kind FROM chat_events ORDER BY kind");
    for kind in [
        "announcement",
        "bitsbadgetier",
        "giftpaidupgrade",
        "primepaidupgrade",
        "resub",
        "ritual",
        "sub",
        "subgift",
        "submysterygift",
        "viewermilestone",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} not in {kinds:?}");
    }
    let texts_of_events = count(
        &db,
        "SELECT count(*) FROM chat_messages m JOIN chat_events e ON e.id = m.id AND m.kind = e.kind",
    );
    assert_eq!(
        texts_of_events,
        count(&db, "SELECT count(*) FROM chat_events WHERE has_message"),
        "every text typed with an event is a message of its kind"
    );
    let actions = texts(&db, "SELECT DISTINCT action FROM chat_moderation ORDER BY action");
    assert!(
        actions.contains(&"delete".to_owned()) && actions.contains(&"timeout".to_owned()),
        "{actions:?}"
    );
    assert!(
        count(
            &db,
            "SELECT count(*) FROM chat_moderation WHERE action = 'delete' AND messages_marked = 1"
        ) >= count(&db, "SELECT count(*) FROM chat_moderation WHERE action = 'delete'") / 2,
        "a deletion marks the message it names (unless a timeout marked it first)"
    );
    assert!(count(&db, "SELECT count(*) FROM chat_messages WHERE deleted_by IS NOT NULL") > 0);
    assert!(count(&db, "SELECT count(*) FROM room_states") >= 1);
    assert_eq!(count(&db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_chat_is_stored_once_and_a_suspended_room_says_why() {
    let mock = mock_with(MockConfig::default()).await;
    let channels = mock.channels();
    let (a, b, gone) = (&channels[0].login, &channels[1].login, &channels[2].login);
    mock.share_chat(a, b);
    mock.irc_suspend(gone);
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = record_from(&mock, dir.path(), &["--messages", "600", a, b, gone]).await;
    assert!(
        stdout.contains(&format!(
            "{gone}: 0 live messages, 0 events (Twitch said: This channel has been suspended.)"
        )),
        "{stdout}"
    );
    let db = archive(dir.path());
    let relayed = count(
        &db,
        &format!(
            "SELECT count(*) FROM chat_message_rooms r JOIN users u ON u.id = r.broadcaster_id
             WHERE u.login = '{b}' AND r.room_message_id != r.message_id"
        ),
    );
    assert!(relayed > 0, "copies relayed into {b} are linked to it");
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM chat_messages m JOIN users u ON u.id = m.broadcaster_id
                 WHERE u.login = '{b}' AND m.id IN (SELECT message_id FROM chat_message_rooms WHERE room_message_id != message_id)"
            )
        ),
        0,
        "a copy is stored in the room it was sent in, {a}, never again in {b}"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM chat_notices WHERE kind = 'msg_channel_suspended'"
        ),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raid_followed_by_a_follow_wave_shows_in_report_raids() {
    let mock = mock_with(MockConfig {
        followers: 5_000,
        ..MockConfig::default()
    })
    .await;
    let channels = mock.channels();
    let (login, raider) = (channels[0].login.clone(), channels[1].clone());
    let dir = tempfile::tempdir().unwrap();
    crate::util::login_as(&mock, dir.path(), &login);
    let synced = crate::util::sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    assert!(synced.status.success(), "{}", text(&synced).1);
    let mut waves = itch(&mock, dir.path());
    waves.args([
        "report",
        "bot-waves",
        &login,
        "--direction",
        "asc",
        "--limit",
        "1",
        "--epoch",
        "--no-header",
    ]);
    let waves = text(&run(waves).await).0;
    let fields: Vec<&str> = waves.trim().split('\t').collect();
    let (start, size): (i64, i64) = (fields[0].parse().unwrap(), fields[2].parse().unwrap());
    // Twitch's raid line (tests/fixtures/real/irc/usernotice_raid.txt), from another channel of the fake, sent
    // a minute before the wave began.
    let raid = real("usernotice_raid.txt", "xqcow")
        .replace("#room", &format!("#{login}"))
        .replace("iamelisabete", &raider.login)
        .replace(
            "tmi-sent-ts=1594517796120",
            &format!("tmi-sent-ts={}", (start - 60) * 1000),
        );
    let recording = {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(["chat", "--live", "--for", "2s", &login]);
        tokio::spawn(run(cmd))
    };
    let mut sent = 0;
    for _ in 0..100 {
        sent = mock.irc_inject(&login, &raid);
        if sent > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sent, 1, "the recording joined the room");
    assert!(recording.await.unwrap().status.success());
    let mut raids = itch(&mock, dir.path());
    raids.args(["report", "raids", &login, "--format", "json"]);
    let raids: serde_json::Value = serde_json::from_str(&text(&run(raids).await).0).unwrap();
    let ours = raids
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["raider"] == raider.login.as_str())
        .unwrap_or_else(|| panic!("{raids}"));
    assert_eq!(ours["viewer_count"], 430);
    let follows = ours["follows_next_half_hour"].as_i64().unwrap();
    assert!(
        follows >= size,
        "the wave of {size} came within half an hour of the raid: {follows}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_asks_to_reconnect_before_any_join_is_not_hammered() {
    let mock = mock_with(MockConfig::default()).await;
    let login = mock.channels().remove(0).login;
    let (irc, connections) = quiet_room_that_keeps_restarting(false).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.env("TWITCH_IRC_URL", &irc)
        .args(["chat", "--live", "--for", "3s", &login]);
    let output = run(cmd).await;
    assert!(output.status.success(), "still no failure: {}", text(&output).1);
    let opened = connections.load(Ordering::Relaxed);
    assert!(
        (2..=4).contains(&opened),
        "backing off (1 s, 2 s) when a connection never got as far as a JOIN: {opened} in 3 s"
    );
}
