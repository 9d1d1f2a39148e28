//! Twitch chat over IRC, read-only and anonymous (`NICK justinfan<digits>`, no token is ever sent):
//! - who is in a channel's chat now ([`chat_presence`]), for channels where Helix Get Chatters is out of reach
//!   (it needs a moderator's token): with the `twitch.tv/membership` capability, Twitch answers a JOIN with the
//!   room's NAMES list (for rooms over about 1,000 users, only the moderators);
//! - live chat as it is sent ([`read_live_chat`]): PRIVMSG lines with their IRCv3 tags (message id, user id,
//!   colour, badges, emotes, server time).
//!
//! Facts: shared/reference/twitch-chat.md, section 3. The few lines this reads are parsed here (tags, prefix,
//! command, params, IRCv3 tag escapes); a full IRC client crate would bring a second connection stack.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
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

/// One IRC line, split: the raw tags, the prefix's nick, the command and its params (the trailing one last).
#[derive(Debug, PartialEq, Eq)]
struct Line<'a> {
    tags: &'a str,
    nick: &'a str,
    command: &'a str,
    params: Vec<&'a str>,
}

fn parse_line(line: &str) -> Option<Line<'_>> {
    let mut rest = line.trim_end_matches(['\r', '\n']);
    let (mut tags, mut nick) = ("", "");
    if let Some(tagged) = rest.strip_prefix('@') {
        (tags, rest) = tagged.split_once(' ')?;
    }
    if let Some(prefixed) = rest.strip_prefix(':') {
        let prefix;
        (prefix, rest) = prefixed.split_once(' ')?;
        nick = prefix.split(['!', '@']).next().unwrap_or_default();
    }
    let (head, trailing) = match rest.split_once(" :") {
        Some((head, trailing)) => (head, Some(trailing)),
        None => (rest, None),
    };
    let mut words = head.split(' ').filter(|w| !w.is_empty());
    let command = words.next()?;
    let mut params: Vec<&str> = words.collect();
    params.extend(trailing);
    Some(Line {
        tags,
        nick,
        command,
        params,
    })
}

/// The value of tag `key`, unescaped (IRCv3: `\s` space, `\:` semicolon, `\\` backslash, `\r`, `\n`); `None`
/// when absent or empty.
fn tag(tags: &str, key: &str) -> Option<String> {
    let raw = tags
        .split(';')
        .find_map(|pair| pair.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v))?;
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some(':') => out.push(';'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    (!out.is_empty()).then_some(out)
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

/// One chat message seen live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveMessage {
    /// Twitch's message id (the same id chat replay gives the message later).
    pub id: String,
    /// The channel's login (the room joined).
    pub channel: String,
    /// The channel's user id (`room-id`).
    pub room_id: Option<String>,
    pub user_id: Option<String>,
    pub login: String,
    pub display_name: Option<String>,
    /// `#RRGGBB`, or `None` when the user never chose one.
    pub color: Option<String>,
    /// `(set, version)`, e.g. `("subscriber", "12")`.
    pub badges: Vec<(String, String)>,
    /// `(emote id, first, last)`: inclusive character (code point) positions in `text`.
    pub emotes: Vec<(String, usize, usize)>,
    /// The message; a `/me` action without its `ACTION` wrapper.
    pub text: String,
    /// When Twitch's server received it (`tmi-sent-ts`), or when it was read if the tag is missing.
    pub sent_at: DateTime<Utc>,
    /// The IRC line as received.
    pub line: String,
}

/// Reads `PRIVMSG #channel :text` with its tags as a [`LiveMessage`]; `None` for any other line.
fn live_message(raw: &str) -> Option<LiveMessage> {
    let line = parse_line(raw)?;
    let (command, [room, text]) = (line.command, line.params.as_slice()) else {
        return None;
    };
    if command != "PRIVMSG" {
        return None;
    }
    let text = match text.strip_prefix("\u{1}ACTION ") {
        Some(action) => action.trim_end_matches('\u{1}'),
        None => text,
    };
    let pairs = |value: Option<String>, split: char| -> Vec<(String, String)> {
        value
            .unwrap_or_default()
            .split(',')
            .filter_map(|item| item.split_once(split))
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    };
    // `emotes=25:0-4,12-16/1902:6-10`
    let mut emotes: Vec<(String, usize, usize)> = tag(line.tags, "emotes")
        .unwrap_or_default()
        .split('/')
        .filter_map(|emote| emote.split_once(':'))
        .flat_map(|(id, ranges)| {
            ranges.split(',').filter_map(move |range| {
                let (first, last) = range.split_once('-')?;
                Some((id.to_owned(), first.parse().ok()?, last.parse().ok()?))
            })
        })
        .collect();
    emotes.sort_by_key(|e| e.1);
    let sent_at = tag(line.tags, "tmi-sent-ts")
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_else(Utc::now);
    Some(LiveMessage {
        id: tag(line.tags, "id")?,
        channel: room.trim_start_matches('#').to_owned(),
        room_id: tag(line.tags, "room-id"),
        user_id: tag(line.tags, "user-id"),
        login: line.nick.to_owned(),
        display_name: tag(line.tags, "display-name"),
        color: tag(line.tags, "color"),
        badges: pairs(tag(line.tags, "badges"), '/'),
        emotes,
        text: text.to_owned(),
        sent_at,
        line: raw.to_owned(),
    })
}

/// Reads the live chat of `channels` on one connection, handing each message to `messages` (and counting it in
/// `delivered`), until `cancel` (then `Ok`) or until the connection ends, Twitch asks to reconnect, or
/// `messages` is closed (then `Err` naming why; the caller reconnects). Chat sent while no connection is open is not seen again: IRC has no
/// replay (a VOD's chat replay has those messages, under the same ids).
pub async fn read_live_chat(
    endpoint: &IrcEndpoint,
    channels: &[crate::client::Login],
    messages: &mpsc::Sender<LiveMessage>,
    delivered: &mut u64,
    cancel: &CancellationToken,
) -> Result<()> {
    let failed = |message: String| Error::Irc {
        url: endpoint.url(),
        message,
    };
    let stream = connect(endpoint).await.map_err(failed)?;
    let (read, mut write) = tokio::io::split(stream);
    let joins: String = channels.iter().map(|c| format!("JOIN #{}\r\n", c.as_str())).collect();
    let hello = format!(
        "CAP REQ :twitch.tv/tags twitch.tv/commands\r\nNICK {}\r\n{joins}",
        anonymous_nick()
    );
    write
        .write_all(hello.as_bytes())
        .await
        .map_err(|e| failed(e.to_string()))?;
    let mut lines = BufReader::new(read).lines();
    loop {
        let text = tokio::select! {
            () = cancel.cancelled() => {
                let _ = write.write_all(b"QUIT\r\n").await;
                return Ok(());
            }
            line = lines.next_line() => match line.map_err(|e| failed(e.to_string()))? {
                Some(text) => text,
                None => return Err(failed("the chat server closed the connection".into())),
            },
        };
        if let Some(message) = live_message(&text) {
            if messages.send(message).await.is_err() {
                return Err(failed("nobody is reading the messages any more".into()));
            }
            *delivered += 1;
            continue;
        }
        let Some(line) = parse_line(&text) else { continue };
        match (line.command, line.params.as_slice()) {
            ("PING", params) => write
                .write_all(pong(params).as_bytes())
                .await
                .map_err(|e| failed(e.to_string()))?,
            ("NOTICE", [.., message]) if line.tags.is_empty() || message.contains("Login") => {
                return Err(failed(format!("Twitch said: {message}")));
            }
            ("RECONNECT", _) => return Err(failed(RECONNECT.into())),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_command_and_params() {
        assert_eq!(
            parse_line(":justinfan1.tmi.twitch.tv 353 justinfan1 = #rig :alice bob\r\n"),
            Some(Line {
                tags: "",
                nick: "justinfan1.tmi.twitch.tv",
                command: "353",
                params: vec!["justinfan1", "=", "#rig", "alice bob"]
            })
        );
        assert_eq!(
            parse_line("@badge-info=;color=#FF0000 :tmi.twitch.tv NOTICE * :Login unsuccessful"),
            Some(Line {
                tags: "badge-info=;color=#FF0000",
                nick: "tmi.twitch.tv",
                command: "NOTICE",
                params: vec!["*", "Login unsuccessful"]
            })
        );
        assert_eq!(
            parse_line("PING :tmi.twitch.tv"),
            Some(Line {
                tags: "",
                nick: "",
                command: "PING",
                params: vec!["tmi.twitch.tv"]
            })
        );
        assert_eq!(parse_line(""), None);
    }

    #[test]
    fn a_privmsg_reads_with_its_tags() {
        let line = "@badge-info=subscriber/14;badges=subscriber/12,premium/1;color=#1E90FF;display-name=Some\\sOne;\
            emotes=25:6-10/1902:0-4,12-16;id=7bb3b0e8-2b13-4bbd-9e3a-4a7c0b3d0b11;room-id=22484632;\
            tmi-sent-ts=1760000000123;user-id=12345 :someone!someone@someone.tmi.twitch.tv PRIVMSG #rig \
            :Keepo Kappa Keepo";
        let m = live_message(line).unwrap();
        assert_eq!(m.id, "7bb3b0e8-2b13-4bbd-9e3a-4a7c0b3d0b11");
        assert_eq!((m.channel.as_str(), m.room_id.as_deref()), ("rig", Some("22484632")));
        assert_eq!((m.login.as_str(), m.user_id.as_deref()), ("someone", Some("12345")));
        assert_eq!(m.display_name.as_deref(), Some("Some One"), "\\s is a space");
        assert_eq!(m.color.as_deref(), Some("#1E90FF"));
        assert_eq!(
            m.badges,
            [("subscriber".into(), "12".into()), ("premium".into(), "1".into())]
        );
        assert_eq!(
            m.emotes,
            [("1902".into(), 0, 4), ("25".into(), 6, 10), ("1902".into(), 12, 16)],
            "in text order"
        );
        assert_eq!(m.text, "Keepo Kappa Keepo");
        assert_eq!(m.sent_at.timestamp_millis(), 1_760_000_000_123);

        let action = live_message("@id=a;color= :x!x@x PRIVMSG #rig :\u{1}ACTION waves\u{1}").unwrap();
        assert_eq!((action.text.as_str(), action.color), ("waves", None));
        assert_eq!(live_message(":tmi.twitch.tv PING"), None);
        assert_eq!(
            live_message(":x!x@x PRIVMSG #rig :no id tag"),
            None,
            "Twitch always tags an id"
        );
    }

    /// The chat lines of the conformance corpus (tests/fixtures/real/irc, provenance in its README), each with
    /// what itch must make of it. Every file needs a row and every row a file.
    mod real {
        use super::super::*;

        /// What a stored line must come to.
        enum Real {
            /// A chat message, delivered by live chat, then checked.
            Message(fn(&LiveMessage)),
            /// A line live chat reads past (moderation, events, notices for a room): not a message, and
            /// reading goes on. The command it parses to.
            Passes(&'static str),
            /// A line that ends live chat with an error saying this.
            Ends(&'static str),
            /// A NAMES line (353) of `#channel` listing these logins.
            Names(&'static str, &'static [&'static str]),
            /// A whole login session: the presence look-up of the channel finds these logins.
            Presence(&'static str, &'static [&'static str]),
        }

        const REAL: &[(&str, Real)] = &[
            (
                "privmsg_basic.txt",
                Real::Message(|m| {
                    assert_eq!(
                        (m.login.as_str(), m.display_name.as_deref()),
                        ("jun1orrrr", Some("JuN1oRRRR"))
                    );
                    assert_eq!(
                        (m.channel.as_str(), m.room_id.as_deref()),
                        ("pajlada", Some("11148817"))
                    );
                    assert_eq!((m.text.as_str(), m.color.as_deref()), ("dank cam", Some("#0000FF")));
                    assert_eq!(m.sent_at.timestamp_millis(), 1_594_545_155_039);
                    assert!(m.badges.is_empty() && m.emotes.is_empty());
                }),
            ),
            (
                "privmsg_action_badges.txt",
                Real::Message(|m| {
                    assert_eq!(m.text, "-tags", "the ACTION wrapper is taken off");
                    assert_eq!(
                        m.badges,
                        [("moderator".into(), "1".into()), ("subscriber".into(), "12".into())]
                    );
                    assert!(m.line.contains("\u{1}ACTION -tags\u{1}"), "the raw line keeps it");
                }),
            ),
            (
                "privmsg_greyname_historical.txt",
                Real::Message(|m| {
                    assert_eq!((m.color.as_deref(), m.text.as_str()), (None, "NaM"), "no colour chosen");
                    assert_eq!(m.id, "c9b941d9-a0ab-4534-9903-971768fcdf10");
                }),
            ),
            (
                "privmsg_display_name_trailing_space.txt",
                Real::Message(|m| assert_eq!(m.display_name.as_deref(), Some("CarvedTaleare "))),
            ),
            (
                "privmsg_display_name_middle_space.txt",
                Real::Message(|m| {
                    assert_eq!(
                        (m.login.as_str(), m.display_name.as_deref()),
                        ("riotgames", Some("Riot Games"))
                    );
                }),
            ),
            (
                "privmsg_korean_display_name.txt",
                Real::Message(|m| {
                    assert_eq!(m.display_name.as_deref(), Some("테스트계정420"));
                    assert_eq!(m.login, "testaccount_420");
                }),
            ),
            (
                "privmsg_emotes.txt",
                Real::Message(|m| {
                    let found: Vec<(&str, usize, usize)> =
                        m.emotes.iter().map(|(i, a, b)| (i.as_str(), *a, *b)).collect();
                    assert_eq!(
                        found,
                        [
                            ("25", 0, 4),
                            ("1902", 6, 10),
                            ("25", 12, 16),
                            ("25", 18, 22),
                            ("1902", 29, 33),
                            ("1902", 35, 39),
                            ("499", 45, 46),
                            ("499", 48, 49),
                            ("490", 51, 52)
                        ],
                        "in text order"
                    );
                }),
            ),
            (
                "privmsg_emote_non_numeric_id.txt",
                Real::Message(|m| assert_eq!(m.emotes, [("300196486_TK".into(), 0, 7)])),
            ),
            (
                "privmsg_emote_after_emoji.txt",
                Real::Message(|m| {
                    let chars: Vec<char> = m.text.chars().collect();
                    for (id, first, last) in &m.emotes {
                        let code: String = chars[*first..=*last].iter().collect();
                        assert_eq!(
                            (id.as_str(), code.as_str()),
                            ("483", "<3"),
                            "positions count code points"
                        );
                    }
                    assert_eq!(m.emotes.len(), 3);
                }),
            ),
            ("privmsg_bits.txt", Real::Message(|m| assert_eq!(m.text, "trihard1"))),
            (
                "privmsg_emote_index_off_by_one.txt",
                Real::Message(|m| {
                    assert_eq!(m.emotes, [("425618".into(), 49, 51)], "kept as Twitch sent it");
                    assert_eq!(m.text, "Я не такой красивый. Не урод, но до тебя далеко LUL");
                }),
            ),
            (
                "privmsg_emote_index_out_of_range.txt",
                Real::Message(|m| {
                    assert_eq!(
                        m.emotes,
                        [("25".into(), 45, 49)],
                        "past the text's end, kept, never indexed"
                    );
                    assert_eq!(m.text.chars().count(), 44);
                }),
            ),
            (
                "privmsg_broadcaster_first_msg.txt",
                Real::Message(|m| {
                    assert_eq!(m.badges, [("broadcaster".into(), "1".into())]);
                    assert_eq!(
                        (m.room_id.as_deref(), m.user_id.as_deref()),
                        (Some("713936733"), Some("713936733"))
                    );
                }),
            ),
            (
                "privmsg_shared_chat_reply.txt",
                Real::Message(|m| {
                    assert_eq!(
                        m.id, "e16cc51a-7fce-4a92-8387-4ac8b7794ee7",
                        "its own id, not source-id"
                    );
                    assert_eq!(
                        (m.channel.as_str(), m.text.as_str()),
                        ("shared_chat_test_01", "@OGprodigy test3")
                    );
                    assert!(
                        m.line.contains("source-room-id=1025597036"),
                        "the mirror's origin is in the raw line"
                    );
                }),
            ),
            ("clearchat_timeout.txt", Real::Passes("CLEARCHAT")),
            ("clearchat_permaban.txt", Real::Passes("CLEARCHAT")),
            ("clearchat_chat_cleared.txt", Real::Passes("CLEARCHAT")),
            ("clearmsg.txt", Real::Passes("CLEARMSG")),
            ("clearmsg_action.txt", Real::Passes("CLEARMSG")),
            ("notice_msg_banned.txt", Real::Passes("NOTICE")),
            (
                "notice_pre_login.txt",
                Real::Ends("Twitch said: Improperly formatted auth"),
            ),
            ("usernotice_resub_prime.txt", Real::Passes("USERNOTICE")),
            ("usernotice_raid.txt", Real::Passes("USERNOTICE")),
            ("usernotice_subgift_anonymous.txt", Real::Passes("USERNOTICE")),
            ("usernotice_viewermilestone.txt", Real::Passes("USERNOTICE")),
            ("reconnect.txt", Real::Ends(RECONNECT)),
            (
                "names_353_anonymous.txt",
                Real::Names(
                    "#pajlada",
                    &[
                        "vissb",
                        "ogprodigy",
                        "supabridge",
                        "zneix",
                        "suslada",
                        "beatz",
                        "pajbot",
                    ],
                ),
            ),
            ("session_join_names.txt", Real::Presence("museun", &["museun"])),
        ];

        fn corpus() -> std::path::PathBuf {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/irc")
        }

        fn lines(file: &str) -> Vec<String> {
            let text = std::fs::read_to_string(corpus().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            text.lines().map(str::to_owned).collect()
        }

        #[test]
        fn every_file_has_an_expectation_and_a_readme_row() {
            let files: std::collections::BTreeSet<String> = std::fs::read_dir(corpus())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n != "README.md")
                .collect();
            let listed: std::collections::BTreeSet<String> = REAL.iter().map(|(f, _)| f.to_string()).collect();
            assert_eq!(files, listed, "files and expectations differ");
            let readme = std::fs::read_to_string(corpus().join("README.md")).unwrap();
            for file in &files {
                assert!(readme.contains(file.as_str()), "README.md does not list {file}");
            }
        }

        #[test]
        fn every_line_parses_to_what_it_is() {
            for (file, expect) in REAL {
                let lines = lines(file);
                for raw in &lines {
                    let line = parse_line(raw).unwrap_or_else(|| panic!("{file}: does not parse"));
                    match expect {
                        Real::Message(check) => {
                            let message = live_message(raw).unwrap_or_else(|| panic!("{file}: not a message"));
                            assert_eq!(message.line, *raw, "{file}: the raw line is kept");
                            check(&message);
                        }
                        Real::Passes(command) => {
                            assert_eq!(line.command, *command, "{file}");
                            assert!(live_message(raw).is_none(), "{file}: read as a chat message");
                        }
                        Real::Ends(_) => assert!(live_message(raw).is_none(), "{file}"),
                        Real::Names(room, names) => {
                            assert_eq!(line.command, "353", "{file}");
                            let listed: Vec<&str> = line.params.last().unwrap().split(' ').collect();
                            assert_eq!((line.params[2], listed.as_slice()), (*room, *names), "{file}");
                        }
                        Real::Presence(..) => {}
                    }
                }
            }
        }

        /// Serves `lines` to one live-chat connection on 127.0.0.1, then closes it; returns what was delivered
        /// and how reading ended.
        async fn live_chat_over(lines: Vec<String>) -> (Vec<LiveMessage>, Result<()>) {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let server = tokio::spawn(async move {
                let (mut socket, _) = listener.accept().await.unwrap();
                for line in lines {
                    socket.write_all(format!("{line}\r\n").as_bytes()).await.unwrap();
                }
                // Close the sending side; keep reading so the client's hello never meets a reset.
                socket.shutdown().await.unwrap();
                let mut rest = Vec::new();
                let _ = tokio::io::AsyncReadExt::read_to_end(&mut socket, &mut rest).await;
            });
            let endpoint = IrcEndpoint::parse(&format!("irc://127.0.0.1:{port}")).unwrap();
            let (tx, mut rx) = mpsc::channel(64);
            let mut delivered = 0;
            let channels = [crate::client::Login::parse("pajlada").unwrap()];
            let ended = read_live_chat(&endpoint, &channels, &tx, &mut delivered, &CancellationToken::new()).await;
            drop(tx);
            let mut messages = Vec::new();
            while let Some(m) = rx.recv().await {
                messages.push(m);
            }
            assert_eq!(delivered, messages.len() as u64);
            server.abort();
            (messages, ended)
        }

        #[tokio::test]
        async fn live_chat_reads_every_line_as_twitch_sends_it() {
            for (file, expect) in REAL {
                let lines = lines(file);
                let (messages, ended) = match expect {
                    Real::Message(_) | Real::Passes(_) | Real::Ends(_) => live_chat_over(lines.clone()).await,
                    Real::Names(..) | Real::Presence(..) => continue,
                };
                let why = match ended {
                    Err(Error::Irc { message, .. }) => message,
                    other => panic!("{file}: reading ended with {other:?}"),
                };
                match expect {
                    Real::Message(check) => {
                        assert_eq!(messages.len(), lines.len(), "{file}: delivered");
                        check(&messages[0]);
                        assert_eq!(why, "the chat server closed the connection", "{file}");
                    }
                    Real::Passes(_) => {
                        assert!(messages.is_empty(), "{file}: delivered as a message");
                        assert_eq!(why, "the chat server closed the connection", "{file}: read past");
                    }
                    Real::Ends(text) => assert_eq!(why, *text, "{file}"),
                    _ => unreachable!(),
                }
            }
        }

        #[tokio::test]
        async fn a_real_login_session_gives_the_names_list() {
            for (file, expect) in REAL {
                let Real::Presence(login, expected) = expect else {
                    continue;
                };
                let (client, mut server) = tokio::io::duplex(64 * 1024);
                let session = lines(file).iter().map(|l| format!("{l}\r\n")).collect::<String>();
                server.write_all(session.as_bytes()).await.unwrap();
                let found = names(client, login).await.unwrap_or_else(|e| panic!("{file}: {e}"));
                assert_eq!(found, *expected, "{file}");
            }
        }
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
