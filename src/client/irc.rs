//! Twitch chat over IRC, read-only and anonymous (`NICK justinfan<digits>`, no token is ever sent): who is
//! in a channel's chat now, for channels where Helix Get Chatters is out of reach (it needs a moderator's
//! token). With the `twitch.tv/membership` capability, Twitch answers a JOIN with the room's NAMES list (for
//! rooms over about 1,000 users, only the moderators). Facts: shared/reference/twitch-chat.md, section 3.
//!
//! The handful of lines this reads (numerics, PING, NOTICE, RECONNECT) are parsed here; a full IRCv3 client
//! crate would bring a second connection stack for three commands.

use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use url::Url;

use crate::error::{Error, Result};

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

/// One IRC line, split: tags and prefix dropped, the trailing parameter last.
#[derive(Debug, PartialEq, Eq)]
struct Line<'a> {
    command: &'a str,
    params: Vec<&'a str>,
}

fn parse_line(line: &str) -> Option<Line<'_>> {
    let mut rest = line.trim_end_matches(['\r', '\n']);
    for marker in ['@', ':'] {
        if rest.starts_with(marker) {
            rest = rest.split_once(' ')?.1;
        }
    }
    let (head, trailing) = match rest.split_once(" :") {
        Some((head, trailing)) => (head, Some(trailing)),
        None => (rest, None),
    };
    let mut words = head.split(' ').filter(|w| !w.is_empty());
    let command = words.next()?;
    let mut params: Vec<&str> = words.collect();
    params.extend(trailing);
    Some(Line { command, params })
}

/// The logins in `login`'s chat now, as Twitch's NAMES list gives them (lower case, deduplicated, sorted).
pub async fn chat_presence(endpoint: &IrcEndpoint, login: &crate::client::Login) -> Result<Vec<String>> {
    let failed = |message: String| Error::Irc {
        url: endpoint.url(),
        message,
    };
    let work = async {
        let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(|e| failed(format!("cannot connect: {e}")))?;
        if endpoint.tls {
            let tls = tls_connect(endpoint, tcp)
                .await
                .map_err(|e| failed(format!("TLS: {e}")))?;
            names(tls, login.as_str()).await.map_err(failed)
        } else {
            names(tcp, login.as_str()).await.map_err(failed)
        }
    };
    tokio::time::timeout(PRESENCE_TIMEOUT, work)
        .await
        .map_err(|_| failed(format!("no NAMES list within {} s", PRESENCE_TIMEOUT.as_secs())))?
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
    let nick = format!("justinfan{}", 10_000 + rand::random::<u32>() % 90_000);
    let hello = format!("CAP REQ :twitch.tv/membership twitch.tv/commands\r\nNICK {nick}\r\nJOIN #{login}\r\n");
    write.write_all(hello.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut lines = BufReader::new(read).lines();
    let channel = format!("#{login}");
    let mut found = Vec::new();
    while let Some(text) = lines.next_line().await.map_err(|e| e.to_string())? {
        let Some(line) = parse_line(&text) else { continue };
        match (line.command, line.params.as_slice()) {
            ("PING", params) => {
                let pong = format!("PONG :{}\r\n", params.last().copied().unwrap_or("tmi.twitch.tv"));
                write.write_all(pong.as_bytes()).await.map_err(|e| e.to_string())?;
            }
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
            ("RECONNECT", _) => return Err("Twitch asked to reconnect (server restarting)".into()),
            _ => {}
        }
    }
    Err("the connection closed before the NAMES list ended".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_command_and_params() {
        assert_eq!(
            parse_line(":justinfan1.tmi.twitch.tv 353 justinfan1 = #rig :alice bob\r\n"),
            Some(Line {
                command: "353",
                params: vec!["justinfan1", "=", "#rig", "alice bob"]
            })
        );
        assert_eq!(
            parse_line("@badge-info=;color=#FF0000 :tmi.twitch.tv NOTICE * :Login unsuccessful"),
            Some(Line {
                command: "NOTICE",
                params: vec!["*", "Login unsuccessful"]
            })
        );
        assert_eq!(
            parse_line("PING :tmi.twitch.tv"),
            Some(Line {
                command: "PING",
                params: vec!["tmi.twitch.tv"]
            })
        );
        assert_eq!(parse_line(""), None);
    }

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
