//! Twitch chat over IRC, read-only and anonymous (`NICK justinfan<digits>`, no token is ever sent):
//! - who is in a channel's chat now ([`chat_presence`]), for channels where Helix Get Chatters is out of reach
//!   (it needs a moderator's token): with the `twitch.tv/membership` capability, Twitch answers a JOIN with the
//!   room's NAMES list (for rooms over about 1,000 users, only the moderators);
//! - live chat as it is sent ([`read_live_chat`]): every line about the rooms read as a [`LiveEvent`] (chat
//!   messages with their IRCv3 tags, subs, gifts, raids and other USERNOTICEs, timeouts, bans and deletions,
//!   room settings, notices), plus when each room was joined and when the connection was lost.
//!
//! Facts: shared/reference/twitch-chat.md, section 3. The few lines this reads are parsed here (tags, prefix,
//! command, params, IRCv3 tag escapes); a full IRC client crate would bring a second connection stack.

use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::error::{Error, Result};
pub use event::live_event as parse_event;
use event::live_event;
pub use event::{LiveEvent, Moderation, ModerationAction, RoomNotice, RoomState, UserNotice};
use line::parse_line;
pub use message::LiveMessage;

#[cfg(test)]
mod corpus;
mod event;
mod line;
mod message;

/// Twitch's chat server (TLS).
pub const DEFAULT_IRC_URL: &str = "ircs://irc.chat.twitch.tv:6697";

/// How long a presence look-up may take, connection included.
pub const PRESENCE_TIMEOUT: Duration = Duration::from_secs(15);

/// Where chat is: `ircs://host:port` (TLS) or `irc://host:port` (plain, as the fake Twitch speaks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrcEndpoint {
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

impl IrcEndpoint {
    /// Parses `TWITCH_IRC_URL`.
    pub fn parse(value: &str) -> Result<IrcEndpoint> {
        let invalid = || Error::InvalidUrl {
            name: "TWITCH_IRC_URL",
            value: value.to_owned(),
        };
        let url = Url::parse(value).map_err(|_| invalid())?;
        let tls = match url.scheme() {
            "ircs" => true,
            "irc" => false,
            _ => return Err(invalid()),
        };
        let host = url.host_str().ok_or_else(invalid)?.to_owned();
        let port = url.port().unwrap_or(if tls { 6697 } else { 6667 });
        Ok(IrcEndpoint { host, port, tls })
    }

    fn url(&self) -> String {
        format!(
            "{}://{}:{}",
            if self.tls { "ircs" } else { "irc" },
            self.host,
            self.port
        )
    }
}

impl Default for IrcEndpoint {
    fn default() -> Self {
        IrcEndpoint::parse(DEFAULT_IRC_URL).expect("the default URL parses")
    }
}

/// The logins in `login`'s chat now, as Twitch's NAMES list gives them (lower case, deduplicated, sorted).
pub async fn chat_presence(endpoint: &IrcEndpoint, login: &crate::client::Login) -> Result<Vec<String>> {
    let failed = |message: String| Error::Irc {
        url: endpoint.url(),
        message,
    };
    let work = async {
        let stream = connect(endpoint).await.map_err(failed)?;
        names(stream, login.as_str()).await.map_err(failed)
    };
    tokio::time::timeout(PRESENCE_TIMEOUT, work)
        .await
        .map_err(|_| failed(format!("no NAMES list within {} s", PRESENCE_TIMEOUT.as_secs())))?
}

/// A connection to the chat server, TLS or plain.
trait ChatStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> ChatStream for T {}

async fn connect(endpoint: &IrcEndpoint) -> std::result::Result<Box<dyn ChatStream>, String> {
    let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    if endpoint.tls {
        let tls = tls_connect(endpoint, tcp).await.map_err(|e| format!("TLS: {e}"))?;
        Ok(Box::new(tls))
    } else {
        Ok(Box::new(tcp))
    }
}

/// `justinfan` and five digits: Twitch's anonymous, read-only nick.
fn anonymous_nick() -> String {
    format!("justinfan{}", 10_000 + rand::random::<u32>() % 90_000)
}

async fn tls_connect(
    endpoint: &IrcEndpoint,
    tcp: TcpStream,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    use rustls_platform_verifier::ConfigVerifierExt;
    let config = tokio_rustls::rustls::ClientConfig::with_platform_verifier().map_err(std::io::Error::other)?;
    let name =
        tokio_rustls::rustls::pki_types::ServerName::try_from(endpoint.host.clone()).map_err(std::io::Error::other)?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
}

/// Logs in anonymously, joins `#login` and reads its NAMES list to the end.
async fn names(stream: impl AsyncRead + AsyncWrite + Unpin, login: &str) -> std::result::Result<Vec<String>, String> {
    let (read, mut write) = tokio::io::split(stream);
    let nick = anonymous_nick();
    let hello = format!("CAP REQ :twitch.tv/membership twitch.tv/commands\r\nNICK {nick}\r\nJOIN #{login}\r\n");
    write.write_all(hello.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut lines = BufReader::new(read).lines();
    let channel = format!("#{login}");
    let mut found = Vec::new();
    while let Some(text) = lines.next_line().await.map_err(|e| e.to_string())? {
        let Some(line) = parse_line(&text) else { continue };
        match (line.command, line.params.as_slice()) {
            ("PING", params) => write
                .write_all(pong(params).as_bytes())
                .await
                .map_err(|e| e.to_string())?,
            // `353 <nick> = #channel :name name ...`
            ("353", [.., room, names]) if *room == channel => {
                found.extend(names.split(' ').filter(|n| !n.is_empty()).map(str::to_ascii_lowercase));
            }
            ("366", [_, room, ..]) if *room == channel => {
                let _ = write.write_all(b"QUIT\r\n").await;
                // Our own anonymous nick is in the list too.
                found.retain(|n| *n != nick);
                found.sort_unstable();
                found.dedup();
                return Ok(found);
            }
            ("CAP", [_, "NAK", ..]) => return Err("Twitch refused the membership capability".into()),
            ("NOTICE", [.., message]) => return Err(format!("Twitch said: {message}")),
            ("RECONNECT", _) => return Err(RECONNECT.into()),
            _ => {}
        }
    }
    Err("the connection closed before the NAMES list ended".into())
}

/// What Twitch's `RECONNECT` means.
const RECONNECT: &str = "Twitch asked to reconnect (server restarting)";

/// The answer to `PING :<token>`: Twitch closes a connection that does not answer.
fn pong(params: &[&str]) -> String {
    format!("PONG :{}\r\n", params.last().copied().unwrap_or("tmi.twitch.tv"))
}

/// How a connection that was read ended, when it did not fail.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// `cancel` was cancelled.
    Stopped,
    /// Twitch asked to reconnect (`RECONNECT`: a server is restarting); a normal event, not a failure.
    Reconnect,
}

/// With no line for this long, the reader sends a PING of its own; with none for twice as long, the connection
/// is taken as dead (Twitch PINGs every few minutes; a silently dropped TCP connection would otherwise hang the
/// recording forever).
pub const LIVENESS: Duration = Duration::from_secs(60);

/// Reads the live chat of `channels` on one connection, handing each event to `events` (and counting it in
/// `delivered`), until `cancel` or Twitch's `RECONNECT` (then `Ok`), or until the connection fails, ends or
/// goes silent, or `events` is closed (then `Err` naming why). The caller reconnects; chat sent while no
/// connection is open is not seen again: IRC has no replay (a VOD's chat replay has those messages, under the
/// same ids).
pub async fn read_live_chat(
    endpoint: &IrcEndpoint,
    channels: &[crate::client::Login],
    events: &mpsc::Sender<LiveEvent>,
    delivered: &mut u64,
    cancel: &CancellationToken,
) -> Result<Ended> {
    let failed = |message: String| Error::Irc {
        url: endpoint.url(),
        message,
    };
    let stream = connect(endpoint).await.map_err(failed)?;
    let (read, mut write) = tokio::io::split(stream);
    let joins: String = channels.iter().map(|c| format!("JOIN #{}\r\n", c.as_str())).collect();
    let nick = anonymous_nick();
    let hello = format!("CAP REQ :twitch.tv/tags twitch.tv/commands\r\nNICK {nick}\r\n{joins}");
    write
        .write_all(hello.as_bytes())
        .await
        .map_err(|e| failed(e.to_string()))?;
    let mut lines = BufReader::new(read).lines();
    let mut pinged = false;
    loop {
        let text = tokio::select! {
            () = cancel.cancelled() => {
                let _ = write.write_all(b"QUIT\r\n").await;
                return Ok(Ended::Stopped);
            }
            line = tokio::time::timeout(LIVENESS, lines.next_line()) => match line {
                Err(_) if pinged => return Err(failed(format!("no answer for {} s", 2 * LIVENESS.as_secs()))),
                Err(_) => {
                    pinged = true;
                    write.write_all(b"PING :itch\r\n").await.map_err(|e| failed(e.to_string()))?;
                    continue;
                }
                Ok(line) => match line.map_err(|e| failed(e.to_string()))? {
                    Some(text) => text,
                    None => return Err(failed("the chat server closed the connection".into())),
                },
            },
        };
        pinged = false;
        let event = match live_event(&text) {
            Some(event) => Some(event),
            None => control(&text, &nick, &mut write).await.map_err(failed)?,
        };
        match event {
            Some(event) => {
                if events.send(event).await.is_err() {
                    return Err(failed("nobody is reading the chat any more".into()));
                }
                *delivered += 1;
            }
            None if is_reconnect(&text) => return Ok(Ended::Reconnect),
            None => {}
        }
    }
}

fn is_reconnect(text: &str) -> bool {
    parse_line(text).is_some_and(|line| line.command == "RECONNECT")
}

/// A line about the connection rather than a room's chat: answers PING, turns the echo of our JOIN into
/// [`LiveEvent::Joined`], and fails on a refused login.
async fn control(
    text: &str,
    nick: &str,
    write: &mut (impl AsyncWrite + Unpin),
) -> std::result::Result<Option<LiveEvent>, String> {
    let Some(line) = parse_line(text) else { return Ok(None) };
    match (line.command, line.params.as_slice()) {
        ("PING", params) => {
            write
                .write_all(pong(params).as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            Ok(None)
        }
        ("JOIN", [room, ..]) if line.nick == nick => Ok(Some(LiveEvent::Joined {
            channel: room.trim_start_matches('#').to_owned(),
            at: chrono::Utc::now(),
        })),
        ("NOTICE", [.., message]) => Err(format!("Twitch said: {message}")),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_need_an_irc_scheme() {
        assert_eq!(
            IrcEndpoint::default(),
            IrcEndpoint {
                host: "irc.chat.twitch.tv".into(),
                port: 6697,
                tls: true
            }
        );
        assert_eq!(IrcEndpoint::parse("irc://127.0.0.1:7000").unwrap().port, 7000);
        assert!(!IrcEndpoint::parse("irc://127.0.0.1").unwrap().tls);
        assert!(matches!(
            IrcEndpoint::parse("https://irc.chat.twitch.tv"),
            Err(Error::InvalidUrl { .. })
        ));
    }
}
