//! Live chat as a complete record (issue 13), through the real binary: reconnects in a quiet room, and the events
//! of a room kept beside its messages.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::util::{archive, count, itch, mock_with, run, text};
use itch::mock::MockConfig;

/// A chat server for one quiet room: every connection gets its JOIN echoed, no message at all, and 50 ms later
/// `RECONNECT` (Twitch restarting its servers). Returns its URL and the number of connections it took.
async fn quiet_room_that_keeps_restarting() -> (String, Arc<AtomicU64>) {
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
                        let echo = format!(":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {room}\r\n");
                        let _ = write.write_all(echo.as_bytes()).await;
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
    let (irc, connections) = quiet_room_that_keeps_restarting().await;
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
