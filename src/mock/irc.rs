//! The fake Twitch chat server (IRC over plain TCP, for `TWITCH_IRC_URL=irc://...`): enough of
//! `irc.chat.twitch.tv` for an anonymous reader. It acknowledges capabilities, welcomes any `justinfan` nick
//! (and refuses others with Twitch's NOTICE, as no token is accepted here), answers PING, and answers a JOIN
//! with the room's NAMES list when `twitch.tv/membership` was asked for: the channel's chatters now (the same
//! people Helix Get Chatters lists), 300 names a line as Twitch splits them, ending with 366.

use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::state::{Shared, lock};

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
    while let Some(line) = lines.next_line().await? {
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
                Some(nick) => join(shared, nick, rest.trim_start_matches('#'), membership),
                None => continue,
            },
            "QUIT" => return Ok(()),
            _ => continue,
        };
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(())
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
    use crate::mock::{MockConfig, MockServer};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// Sends `hello` and returns every line until the server closes or goes quiet.
    async fn exchange(server: &MockServer, hello: &str) -> Vec<String> {
        let address = server.irc_url().trim_start_matches("irc://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(hello.as_bytes()).await.unwrap();
        let mut lines = BufReader::new(stream).lines();
        let mut out = Vec::new();
        while let Ok(Ok(Some(line))) =
            tokio::time::timeout(std::time::Duration::from_millis(300), lines.next_line()).await
        {
            out.push(line);
        }
        out
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
