//! The fake Twitch chat server (IRC over plain TCP, for `TWITCH_IRC_URL=irc://...`): enough of
//! `irc.chat.twitch.tv` for an anonymous reader. It acknowledges capabilities, welcomes any `justinfan` nick
//! (and refuses others with Twitch's NOTICE, as no token is accepted here), answers PING, and answers a JOIN
//! with the room's NAMES list when `twitch.tv/membership` was asked for: the channel's chatters now (the same
//! people Helix Get Chatters lists), 300 names a line as Twitch splits them, ending with 366. Once a room is
//! joined, its live chat flows: a PRIVMSG every [`LIVE_EVERY`] with Twitch's tags (message id, user id,
//! display name with an escaped space, colour, badges, emote positions, server time), from the room's chatters.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::chat_replay::WORDS;
use crate::seed::{hash, pick};
use crate::state::{Shared, lock};

/// How often each joined room sends a chat message.
pub(super) const LIVE_EVERY: Duration = Duration::from_millis(10);

/// Names per 353 line.
const NAMES_PER_LINE: usize = 300;

/// Accepts chat connections until the task is aborted.
pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Err(error) = connection(stream, &shared).await {
                tracing::debug!(%error, "mock irc connection");
            }
        });
    }
}

async fn connection(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let (mut nick, mut membership) = (None::<String>, false);
    let mut rooms: Vec<String> = Vec::new();
    let mut tick = tokio::time::interval(LIVE_EVERY);
    let mut sent = 0u64;
    loop {
        let line = tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) => line,
                None => return Ok(()),
            },
            _ = tick.tick(), if !rooms.is_empty() => {
                let limit = shared.irc_reconnect_after.load(Ordering::Relaxed);
                if limit > 0 && sent >= limit {
                    write.write_all(b":tmi.twitch.tv RECONNECT\r\n").await?;
                    return Ok(());
                }
                let chat: String = rooms
                    .iter()
                    .filter_map(|room| live_line(shared, room, shared.irc_seq.fetch_add(1, Ordering::Relaxed)))
                    .collect();
                sent += 1;
                write.write_all(chat.as_bytes()).await?;
                continue;
            }
        };
        let (command, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let reply = match command {
            "CAP" => {
                let asked = rest.split_once(':').map_or("", |(_, caps)| caps);
                membership |= asked.split(' ').any(|c| c == "twitch.tv/membership");
                format!(":tmi.twitch.tv CAP * ACK :{asked}\r\n")
            }
            "PASS" => continue,
            "NICK" if rest.starts_with("justinfan") => {
                nick = Some(rest.to_owned());
                format!(":tmi.twitch.tv 001 {rest} :Welcome, GLHF!\r\n:tmi.twitch.tv 376 {rest} :>\r\n")
            }
            "NICK" => {
                write
                    .write_all(b":tmi.twitch.tv NOTICE * :Login authentication failed\r\n")
                    .await?;
                return Ok(());
            }
            "PING" => format!(":tmi.twitch.tv PONG tmi.twitch.tv {rest}\r\n"),
            "JOIN" => match &nick {
                Some(nick) => {
                    let room = rest.trim_start_matches('#').to_owned();
                    let reply = join(shared, nick, &room, membership);
                    rooms.push(room);
                    reply
                }
                None => continue,
            },
            "QUIT" => return Ok(()),
            _ => continue,
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// The server's `k`th live message, in `room` (none for a room that is not a channel of the world): a chatter, a few
/// words and now and then Kappa (emote 25), tagged as Twitch tags it.
fn live_line(shared: &Shared, room: &str, k: u64) -> Option<String> {
    let world = lock(&shared.world);
    let c = world.channels.iter().position(|c| c.login == room)?;
    let chatters = world.chatters(c);
    let h = hash(&[world.seed(), 0x11fe, c as u64, k]);
    let user = chatters[(h % chatters.len() as u64) as usize];
    let (login, id, name) = (world.login(user), world.user_id(user), world.display_name(user));
    let mut text: Vec<&str> = (0..1 + h % 6).map(|i| pick(WORDS, hash(&[h, i]))).collect();
    let emote = h.is_multiple_of(3);
    if emote {
        text.push("Kappa");
    }
    let text = text.join(" ");
    let emotes = if emote {
        let end = text.chars().count() - 1;
        format!("25:{}-{end}", end - 4)
    } else {
        String::new()
    };
    let sent_ms = chrono::Utc::now().timestamp_millis();
    let message_id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        h & 0xffff,
        k & 0xfff,
        c & 0xfff,
        k
    );
    let display = name.replacen(' ', "\\s", 1);
    let room_id = world.channels[c].id;
    Some(format!(
        "@badge-info=;badges=subscriber/{};color=#{:06X};display-name={display};emotes={emotes};id={message_id};\
         room-id={room_id};tmi-sent-ts={sent_ms};user-id={id} :{login}!{login}@{login}.tmi.twitch.tv PRIVMSG #{room} :{text}\r\n",
        h % 24,
        h & 0xff_ffff
    ))
}

/// The answer to `JOIN #room`: the JOIN echoed, then (with membership) the NAMES list, the reader included.
fn join(shared: &Shared, nick: &str, room: &str, membership: bool) -> String {
    let mut out = format!(":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN #{room}\r\n");
    if !membership {
        return out;
    }
    let mut names = vec![nick.to_owned()];
    {
        let world = lock(&shared.world);
        if let Some(c) = world.channels.iter().position(|c| c.login == room) {
            names.extend(world.chatters(c).into_iter().map(|u| world.login(u)));
        }
    }
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
    use crate::{MockConfig, MockServer};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// Sends `hello` and returns the lines of the next 300 ms (a joined room never goes quiet).
    async fn exchange(server: &MockServer, hello: &str) -> Vec<String> {
        let address = server.irc_url().trim_start_matches("irc://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(hello.as_bytes()).await.unwrap();
        let mut lines = BufReader::new(stream).lines();
        let mut out = Vec::new();
        let until = tokio::time::Instant::now() + std::time::Duration::from_millis(300);
        while let Ok(Ok(Some(line))) = tokio::time::timeout_at(until, lines.next_line()).await {
            out.push(line);
        }
        out
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
