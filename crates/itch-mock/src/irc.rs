//! The fake Twitch chat server's connections (IRC over plain TCP, for `TWITCH_IRC_URL=irc://...`): enough of
//! `irc.chat.twitch.tv` for an anonymous reader. It acknowledges capabilities, welcomes any `justinfan` nick
//! (and refuses others with Twitch's NOTICE, as no token is accepted here), answers PING, and answers a JOIN
//! (`JOIN #a` or `JOIN #a,#b`) as Twitch does: the JOIN echoed, the room's NAMES list when
//! `twitch.tv/membership` was asked for (the channel's chatters now, the same people Helix Get Chatters lists,
//! 300 names a line as Twitch splits them, ending with 366), then the room's full ROOMSTATE; a suspended
//! channel gets `msg_channel_suspended` instead. PART leaves a room.
//!
//! Once joined, the connection relays its rooms' chat ([`irc_rooms`](crate::irc_rooms) makes it, with
//! [`irc_events`](crate::irc_events) writing each line): PRIVMSG always, USERNOTICE, CLEARCHAT, CLEARMSG and
//! ROOMSTATE changes only to readers that asked for `twitch.tv/commands`, as Twitch sends them. The connection
//! also sends `PING :tmi.twitch.tv` now and then, and `:tmi.twitch.tv RECONNECT` before it closes when told to
//! (after N live messages, or after some time); a reader that falls far behind is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::irc_rooms::{Batch, Kind, QUEUE, Reader};
use crate::state::{Shared, lock};

/// Names per 353 line.
const NAMES_PER_LINE: usize = 300;

/// How often a connection checks its timers (PING, RECONNECT after a time, dropped for lagging).
const TIMERS_EVERY: Duration = Duration::from_millis(20);

const RECONNECT: &str = ":tmi.twitch.tv RECONNECT\r\n";

/// Accepts chat connections and runs the chat clock until the task is aborted.
pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    tokio::select! {
        () = accept(listener, shared.clone()) => {}
        () = crate::irc_clock::clock(shared) => {}
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Err(error) = connection(stream, &shared).await {
                tracing::debug!(%error, "mock irc connection");
            }
        });
    }
}

/// One reader's connection: who it is, what it asked for, where it is joined, and its timers.
struct Conn {
    id: u64,
    nick: Option<String>,
    membership: bool,
    commands: bool,
    rooms: Vec<String>,
    tx: mpsc::Sender<Batch>,
    lagged: Arc<AtomicBool>,
    /// Live messages (PRIVMSG) written so far, for RECONNECT after N.
    sent: u64,
    opened: Instant,
    pinged: Instant,
}

/// What to write after a line from the reader, and whether to close then.
struct Reply {
    text: String,
    close: bool,
}

impl Reply {
    fn send(text: String) -> Reply {
        Reply { text, close: false }
    }

    fn close(text: &str) -> Reply {
        Reply {
            text: text.to_owned(),
            close: true,
        }
    }
}

async fn connection(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let (tx, mut rx) = mpsc::channel::<Batch>(QUEUE);
    let now = Instant::now();
    let mut conn = Conn {
        id: shared.irc_conns.fetch_add(1, Ordering::Relaxed),
        nick: None,
        membership: false,
        commands: false,
        rooms: Vec::new(),
        tx,
        lagged: Arc::new(AtomicBool::new(false)),
        sent: 0,
        opened: now,
        pinged: now,
    };
    let mut timers = tokio::time::interval(TIMERS_EVERY);
    loop {
        let reply = tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) => conn.command(shared, &line),
                None => return Ok(()),
            },
            Some(batch) = rx.recv() => conn.relay(shared, &batch),
            _ = timers.tick() => conn.timers(shared),
        };
        if !reply.text.is_empty() {
            write.write_all(reply.text.as_bytes()).await?;
        }
        if reply.close {
            return Ok(());
        }
    }
}

impl Conn {
    /// Answers one line from the reader.
    fn command(&mut self, shared: &Shared, line: &str) -> Reply {
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        match command {
            "CAP" => {
                let asked = rest.split_once(':').map_or("", |(_, caps)| caps);
                self.membership |= asked.split(' ').any(|c| c == "twitch.tv/membership");
                self.commands |= asked.split(' ').any(|c| c == "twitch.tv/commands");
                Reply::send(format!(":tmi.twitch.tv CAP * ACK :{asked}\r\n"))
            }
            "NICK" if rest.starts_with("justinfan") => {
                self.nick = Some(rest.to_owned());
                Reply::send(format!(
                    ":tmi.twitch.tv 001 {rest} :Welcome, GLHF!\r\n:tmi.twitch.tv 376 {rest} :>\r\n"
                ))
            }
            "NICK" => Reply::close(":tmi.twitch.tv NOTICE * :Login authentication failed\r\n"),
            "PING" => Reply::send(format!(":tmi.twitch.tv PONG tmi.twitch.tv {rest}\r\n")),
            "JOIN" => Reply::send(channels(rest).map(|room| self.join(shared, &room)).collect()),
            "PART" => Reply::send(channels(rest).map(|room| self.part(shared, &room)).collect()),
            "QUIT" => Reply::close(""),
            _ => Reply::send(String::new()),
        }
    }

    /// The answer to `JOIN #room`: the JOIN echoed, the NAMES list (with membership, the reader included), the
    /// full ROOMSTATE (with commands); or Twitch's NOTICE for a suspended channel. Then the room's chat flows.
    fn join(&mut self, shared: &Shared, room: &str) -> String {
        let Some(nick) = self.nick.clone() else {
            return String::new();
        };
        let mut out = format!(":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN #{room}\r\n");
        if self.membership {
            out.push_str(&names(shared, &nick, room));
        }
        let room_id = {
            let world = lock(&shared.world);
            world.channels.iter().find(|c| c.login == room).map(|c| c.id)
        };
        let mut rooms = lock(&shared.irc_rooms);
        if rooms.is_suspended(room) {
            return format!(
                "@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #{room} :This channel has been suspended.\r\n"
            );
        }
        if let (true, Some(id)) = (self.commands, room_id) {
            out.push_str(&rooms.mode(room).full(room, id));
        }
        if !self.rooms.iter().any(|r| r == room) {
            let reader = Reader {
                conn: self.id,
                tx: self.tx.clone(),
                lagged: self.lagged.clone(),
            };
            rooms.join(room, reader);
            self.rooms.push(room.to_owned());
        }
        out
    }

    fn part(&mut self, shared: &Shared, room: &str) -> String {
        let Some(nick) = &self.nick else {
            return String::new();
        };
        lock(&shared.irc_rooms).part(room, self.id);
        self.rooms.retain(|r| r != room);
        format!(":{nick}!{nick}@{nick}.tmi.twitch.tv PART #{room}\r\n")
    }

    /// A batch of a room's chat, as this reader may see it; RECONNECT in the middle once it has had its N live
    /// messages.
    fn relay(&mut self, shared: &Shared, batch: &Batch) -> Reply {
        let limit = shared.irc_reconnect_after.load(Ordering::Relaxed);
        let mut out = String::with_capacity(batch.iter().map(|l| l.text.len()).sum());
        for line in batch.iter() {
            if line.commands_only && !self.commands {
                continue;
            }
            if matches!(line.kind, Kind::Privmsg | Kind::Shared) {
                if limit > 0 && self.sent >= limit {
                    out.push_str(RECONNECT);
                    return Reply { text: out, close: true };
                }
                self.sent += 1;
            }
            out.push_str(&line.text);
        }
        Reply::send(out)
    }

    /// PING when due, RECONNECT when the connection has lived its time, and the end of a reader left behind.
    fn timers(&mut self, shared: &Shared) -> Reply {
        if self.lagged.load(Ordering::Relaxed) {
            tracing::debug!(conn = self.id, "mock irc: reader fell behind, dropped");
            return Reply::close("");
        }
        if self.nick.is_none() {
            return Reply::send(String::new());
        }
        let every = shared.irc_reconnect_every_ms.load(Ordering::Relaxed);
        if every > 0 && self.opened.elapsed() >= Duration::from_millis(every) {
            return Reply::close(RECONNECT);
        }
        let ping = shared.irc_ping_every_ms.load(Ordering::Relaxed);
        if ping > 0 && self.pinged.elapsed() >= Duration::from_millis(ping) {
            self.pinged = Instant::now();
            return Reply::send("PING :tmi.twitch.tv\r\n".to_owned());
        }
        Reply::send(String::new())
    }
}

/// The rooms of `JOIN #a,#b`, in lower case as Twitch keeps them.
fn channels(rest: &str) -> impl Iterator<Item = String> + '_ {
    rest.split(',')
        .map(|c| c.trim().trim_start_matches('#').to_ascii_lowercase())
        .filter(|c| !c.is_empty())
}

/// The NAMES list of `room`: the reader, then the channel's chatters, ending with 366.
fn names(shared: &Shared, nick: &str, room: &str) -> String {
    let mut names = vec![nick.to_owned()];
    {
        let world = lock(&shared.world);
        if let Some(c) = world.channels.iter().position(|c| c.login == room) {
            names.extend(world.chatters(c).into_iter().map(|u| world.login(u)));
        }
    }
    let mut out = String::new();
    for chunk in names.chunks(NAMES_PER_LINE) {
        out.push_str(&format!(
            ":{nick}.tmi.twitch.tv 353 {nick} = #{room} :{}\r\n",
            chunk.join(" ")
        ));
    }
    out.push_str(&format!(
        ":{nick}.tmi.twitch.tv 366 {nick} #{room} :End of /NAMES list\r\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::{MockConfig, MockServer};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// Sends `hello` and returns the lines of the next 300 ms (a joined room never goes quiet).
    async fn exchange(server: &MockServer, hello: &str) -> Vec<String> {
        read(server.irc_url(), hello.to_owned(), 300).await.0
    }

    /// Connects to `url`, sends `hello`, and returns the lines of the next `ms` milliseconds, and whether the
    /// server closed the connection before then.
    async fn read(url: String, hello: String, ms: u64) -> (Vec<String>, bool) {
        let address = url.trim_start_matches("irc://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(hello.as_bytes()).await.unwrap();
        let mut lines = BufReader::new(stream).lines();
        let mut out = Vec::new();
        let until = tokio::time::Instant::now() + Duration::from_millis(ms);
        loop {
            match tokio::time::timeout_at(until, lines.next_line()).await {
                Ok(Ok(Some(line))) => out.push(line),
                Ok(_) => return (out, true),
                Err(_) => return (out, false),
            }
        }
    }

    /// A reader that asked for tags and commands, as itch does, joined to `rooms`.
    fn hello(rooms: &[&str]) -> String {
        let joins: String = rooms.iter().map(|r| format!("JOIN #{r}\r\n")).collect();
        format!("CAP REQ :twitch.tv/tags twitch.tv/commands\r\nNICK justinfan123\r\n{joins}")
    }

    fn count(lines: &[String], command: &str) -> usize {
        lines.iter().filter(|l| l.contains(&format!(" {command} #"))).count()
    }

    fn tag<'a>(line: &'a str, name: &str) -> Option<&'a str> {
        let tags = line.strip_prefix('@')?.split(' ').next()?;
        tags.split(';').find_map(|t| t.strip_prefix(name)?.strip_prefix('='))
    }

    #[tokio::test]
    async fn a_join_gets_the_full_roomstate_and_events_go_to_readers_with_commands_only() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let room = server.channels().remove(0);
        server.irc_rate(2000);
        let with = tokio::spawn(read(server.irc_url(), hello(&[&room.login]), 1500));
        let plain = read(
            server.irc_url(),
            format!("NICK justinfan1\r\nJOIN #{}\r\n", room.login),
            1500,
        )
        .await;
        let (with, _) = with.await.unwrap();
        let joined = with
            .iter()
            .position(|l| l.ends_with(&format!(" JOIN #{}", room.login)))
            .unwrap();
        assert_eq!(
            with[joined + 1],
            format!(
                "@emote-only=0;followers-only=-1;r9k=0;room-id={};slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #{}",
                room.id, room.login
            )
        );
        for command in ["USERNOTICE", "CLEARMSG", "CLEARCHAT", "PRIVMSG"] {
            assert!(count(&with, command) > 0, "no {command}");
        }
        assert!(count(&plain.0, "PRIVMSG") > 1000);
        // Without commands: the welcome, the JOIN, then chat messages only.
        assert_eq!(
            plain.0.iter().filter(|l| !l.contains(" PRIVMSG #")).count(),
            3,
            "{:?}",
            &plain.0[..4]
        );
        // Both readers of the room see the same messages.
        let ids = |lines: &[String]| -> std::collections::HashSet<String> {
            lines
                .iter()
                .filter(|l| l.contains(" PRIVMSG #"))
                .filter_map(|l| tag(l, "id"))
                .map(str::to_owned)
                .collect()
        };
        assert!(ids(&with).intersection(&ids(&plain.0)).count() > 1000);
    }

    #[tokio::test]
    async fn the_rate_knob_reaches_its_rate() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let room = server.channels().remove(0).login;
        server.irc_rate(3000);
        let (lines, _) = read(server.irc_url(), hello(&[&room]), 1000).await;
        let chat = lines.iter().filter(|l| l.starts_with('@')).count();
        assert!((2000..=3600).contains(&chat), "{chat} lines in a second at 3000/s");
        let sent = &server.irc_sent()[&room];
        assert!(sent.privmsg as usize >= count(&lines, "PRIVMSG"), "{sent:?}");
        assert!(sent.usernotice > 0 && sent.clearmsg > 0, "{sent:?}");
    }

    #[tokio::test]
    async fn a_suspended_channel_says_so_and_nothing_else() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let room = server.channels().remove(0).login;
        server.irc_suspend(&room);
        let (lines, _) = read(server.irc_url(), hello(&[&room]), 300).await;
        let after_welcome: Vec<&String> = lines.iter().skip_while(|l| !l.contains(" 376 ")).skip(1).collect();
        assert_eq!(
            after_welcome,
            [&format!(
                "@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #{room} :This channel has been suspended."
            )]
        );
        assert!(!server.irc_sent().contains_key(&room));
    }

    #[tokio::test]
    async fn a_quiet_room_sends_only_ping_and_reconnect_comes_after_a_time() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let room = server.channels().remove(0).login;
        server.irc_quiet(true);
        server.irc_ping_every(Duration::from_millis(100));
        let (lines, closed) = read(server.irc_url(), hello(&[&room]), 700).await;
        assert!(!closed);
        assert!(
            lines.iter().filter(|l| *l == "PING :tmi.twitch.tv").count() >= 4,
            "{lines:?}"
        );
        let roomstate = lines.iter().position(|l| l.contains(" ROOMSTATE #")).unwrap();
        assert!(
            lines[roomstate + 1..].iter().all(|l| l == "PING :tmi.twitch.tv"),
            "{lines:?}"
        );
        server.irc_reconnect_every(Duration::from_millis(400));
        let started = tokio::time::Instant::now();
        let (lines, closed) = read(server.irc_url(), hello(&[&room]), 2000).await;
        assert!(
            closed && lines.last().is_some_and(|l| l == ":tmi.twitch.tv RECONNECT"),
            "{lines:?}"
        );
        assert!(started.elapsed() >= Duration::from_millis(400));
        assert_eq!(count(&lines, "PRIVMSG"), 0);
    }

    #[tokio::test]
    async fn reconnect_after_n_messages_still_counts_live_messages() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let room = server.channels().remove(0).login;
        server.irc_rate(1000);
        server.irc_reconnect_after(5);
        let (lines, closed) = read(server.irc_url(), hello(&[&room]), 2000).await;
        assert!(closed);
        assert_eq!(count(&lines, "PRIVMSG"), 5);
        assert_eq!(lines.last().unwrap(), ":tmi.twitch.tv RECONNECT");
    }

    #[tokio::test]
    async fn an_injected_line_reaches_every_reader_of_its_room_only() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let rooms: Vec<String> = server.channels().into_iter().map(|c| c.login).collect();
        server.irc_quiet(true);
        let readers: Vec<_> = [&rooms[0], &rooms[0], &rooms[1]]
            .into_iter()
            .map(|r| tokio::spawn(read(server.irc_url(), hello(&[r]), 600)))
            .collect();
        tokio::time::sleep(Duration::from_millis(250)).await;
        let line = format!(
            "@ban-duration=1;room-id=1;target-user-id=2;tmi-sent-ts=3 :tmi.twitch.tv CLEARCHAT #{} :x",
            rooms[0]
        );
        assert_eq!(server.irc_inject(&rooms[0], &line), 2);
        let mut got = Vec::new();
        for reader in readers {
            got.push(reader.await.unwrap().0.contains(&line));
        }
        assert_eq!(got, [true, true, false]);
        assert_eq!(server.irc_sent()[&rooms[0]].clearchat, 1);
    }

    #[tokio::test]
    async fn a_reader_of_two_shared_rooms_gets_both_copies() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let channels = server.channels();
        let (a, b) = (&channels[0], &channels[1]);
        server.share_chat(&a.login, &b.login);
        let (lines, _) = read(server.irc_url(), hello(&[&a.login, &b.login]), 500).await;
        let in_a: Vec<&str> = lines
            .iter()
            .filter(|l| l.contains(&format!(" PRIVMSG #{} :", a.login)))
            .filter_map(|l| tag(l, "id"))
            .collect();
        let copies: Vec<&String> = lines
            .iter()
            .filter(|l| {
                l.contains(&format!(" PRIVMSG #{} :", b.login)) && tag(l, "source-room-id") == Some(a.id.as_str())
            })
            .collect();
        assert!(in_a.len() > 10);
        let relayed = copies
            .iter()
            .filter(|c| in_a.contains(&tag(c, "source-id").unwrap()))
            .count();
        // The last tick's copies may come after the reader stopped.
        assert!(relayed + 10 >= in_a.len(), "{relayed} of {}", in_a.len());
        assert!(
            copies
                .iter()
                .all(|c| tag(c, "room-id") == Some(b.id.as_str()) && tag(c, "id") != tag(c, "source-id"))
        );
        assert!(server.irc_sent()[&b.login].shared > 10);
    }

    #[tokio::test]
    async fn a_joined_room_chats() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let room = server.channels().remove(0).login;
        let lines = exchange(&server, &format!("NICK justinfan123\r\nJOIN #{room}\r\n")).await;
        let chat: Vec<&String> = lines.iter().filter(|l| l.contains(" PRIVMSG ")).collect();
        assert!(chat.len() > 5, "{lines:?}");
        assert!(
            chat.iter().all(|l| l.starts_with("@badge-info=") && l.contains(";id=")),
            "{chat:?}"
        );
    }

    #[tokio::test]
    async fn names_come_only_with_membership_and_only_to_anonymous_readers() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let room = server.channels().remove(0).login;
        let with = exchange(
            &server,
            &format!("CAP REQ :twitch.tv/membership\r\nNICK justinfan123\r\nJOIN #{room}\r\nPING :x\r\n"),
        )
        .await;
        assert!(with.iter().any(|l| l.contains(" 353 justinfan123 = ")), "{with:?}");
        assert!(with.iter().any(|l| l.contains(" 366 ")), "{with:?}");
        assert!(with.iter().any(|l| l.contains("PONG")), "{with:?}");
        let without = exchange(&server, &format!("NICK justinfan123\r\nJOIN #{room}\r\n")).await;
        assert!(without.iter().any(|l| l.contains(" JOIN #")), "{without:?}");
        assert!(!without.iter().any(|l| l.contains(" 353 ")), "{without:?}");
        let named = exchange(&server, "PASS oauth:abc\r\nNICK somebody\r\n").await;
        assert_eq!(named, [":tmi.twitch.tv NOTICE * :Login authentication failed"]);
    }
}
