//! The chat lines of the conformance corpus (tests/fixtures/real/irc, provenance in its README), each with
//! what itch must make of it. Every file needs a row and every row a file.

use super::*;

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
            let found: Vec<(&str, usize, usize)> = m.emotes.iter().map(|(i, a, b)| (i.as_str(), *a, *b)).collect();
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
