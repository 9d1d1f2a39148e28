//! The chat lines of the conformance corpus (tests/fixtures/real/irc, provenance in its README), each with
//! what itch must make of it. Every file needs a row and every row a file.

use super::*;

/// What a stored line must come to. Every event is delivered by live chat, which then reads on.
enum Real {
    /// A chat message (PRIVMSG), then checked.
    Message(fn(&LiveMessage)),
    /// A USERNOTICE (sub, gift, raid, announcement, ...), then checked.
    Notice(fn(&UserNotice)),
    /// A CLEARCHAT or CLEARMSG, then checked.
    Moderation(fn(&Moderation)),
    /// A ROOMSTATE, then checked.
    RoomState(fn(&RoomState)),
    /// A NOTICE about a room, then checked.
    RoomNotice(fn(&RoomNotice)),
    /// Twitch's RECONNECT: reading ends, without an error.
    Reconnect,
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
            assert_eq!(
                (m.source_id.as_deref(), m.source_room_id.as_deref()),
                (Some("0b1e60f3-5990-4b26-94e2-885231614e07"), Some("1025597036")),
                "the mirror's origin"
            );
        }),
    ),
    (
        "clearchat_timeout.txt",
        Real::Moderation(|m| {
            assert_eq!(m.action, ModerationAction::Timeout { seconds: 1 });
            assert_eq!(
                (
                    m.channel.as_str(),
                    m.target_login.as_deref(),
                    m.target_user_id.as_deref()
                ),
                ("pajlada", Some("fabzeef"), Some("148973258"))
            );
            assert_eq!(m.sent_at.timestamp_millis(), 1_594_553_828_245);
        }),
    ),
    (
        "clearchat_permaban.txt",
        Real::Moderation(|m| {
            assert_eq!(m.action, ModerationAction::Ban);
            assert_eq!(
                (m.target_login.as_deref(), m.target_user_id.as_deref()),
                (Some("weeb123"), Some("70948394"))
            );
        }),
    ),
    (
        "clearchat_chat_cleared.txt",
        Real::Moderation(|m| {
            assert_eq!(
                (m.action.clone(), m.target_login.as_deref()),
                (ModerationAction::Clear, None)
            );
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("randers", Some("40286300"))
            );
        }),
    ),
    (
        "clearmsg.txt",
        Real::Moderation(|m| {
            assert_eq!(m.action, ModerationAction::Delete);
            assert_eq!(m.room_id, None, "room-id= is empty on CLEARMSG");
            assert_eq!(
                (
                    m.target_message_id.as_deref(),
                    m.target_login.as_deref(),
                    m.deleted_text.as_deref()
                ),
                (
                    Some("3c92014f-340a-4dc3-a9c9-e5cf182f4a84"),
                    Some("alazymeme"),
                    Some("NIGHT CUNT")
                )
            );
        }),
    ),
    (
        "clearmsg_action.txt",
        Real::Moderation(|m| {
            assert_eq!(
                m.target_message_id.as_deref(),
                Some("15e5164d-f8e6-4aec-baf4-2d6a330760c4")
            );
            assert_eq!(
                m.deleted_text.as_deref(),
                Some("test"),
                "a deleted /me, without its ACTION wrapper"
            );
        }),
    ),
    (
        "notice_msg_banned.txt",
        Real::RoomNotice(|n| {
            assert_eq!((n.channel.as_str(), n.kind.as_deref()), ("forsen", Some("msg_banned")));
            assert_eq!(n.text, "You are permanently banned from talking in forsen.");
            assert!(!n.room_unavailable(), "a ban on talking does not stop reading");
        }),
    ),
    (
        "notice_pre_login.txt",
        Real::Ends("Twitch said: Improperly formatted auth"),
    ),
    (
        "usernotice_resub_prime.txt",
        Real::Notice(|n| {
            assert_eq!((n.kind.as_str(), n.login.as_deref()), ("resub", Some("rene_rs")));
            assert_eq!(
                (n.months, n.streak_months, n.tier.as_deref()),
                (Some(11), None, Some("Prime"))
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("rene_rs subscribed with Twitch Prime. They've subscribed for 11 months!")
            );
            assert_eq!(n.message, None, "no text typed");
        }),
    ),
    (
        "usernotice_raid.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.login.as_deref(), n.viewer_count),
                ("raid", Some("iamelisabete"), Some(430))
            );
            assert_eq!((n.channel.as_str(), n.room_id.as_deref()), ("xqcow", Some("71092938")));
            assert!(
                n.params
                    .iter()
                    .any(|(k, v)| k == "profileImageURL" && v.starts_with("https://static-cdn"))
            );
        }),
    ),
    (
        "usernotice_subgift_anonymous.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.login.as_deref()),
                ("subgift", Some("ananonymousgifter"))
            );
            assert_eq!(
                n.recipient,
                Some(("151784015".into(), "dot0422".into(), Some("Dot0422".into())))
            );
            assert_eq!(
                (n.months, n.gift_count, n.tier.as_deref()),
                (Some(13), Some(1), Some("1000"))
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("An anonymous user gifted a Tier 1 sub to Dot0422! ")
            );
        }),
    ),
    (
        "usernotice_viewermilestone.txt",
        Real::Notice(|n| {
            assert_eq!((n.kind.as_str(), n.threshold), ("viewermilestone", Some(7)));
            assert_eq!(
                n.id, "107473b2-01c2-49a5-9fe5-a4d7ffe54e5f",
                "the id tag, last in this line"
            );
            let text = n.message.as_ref().expect("the viewer's text");
            assert_eq!(
                (text.kind.as_str(), text.text.as_str(), text.login.as_str()),
                ("viewermilestone", "ive done it", "baughbby")
            );
        }),
    ),
    ("reconnect.txt", Real::Reconnect),
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
        .filter(|n| !n.ends_with(".md"))
        .collect();
    let listed: std::collections::BTreeSet<String> = REAL.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(files, listed, "files and expectations differ");
    let readme = std::fs::read_to_string(corpus().join("README.md")).unwrap();
    for file in &files {
        assert!(readme.contains(file.as_str()), "README.md does not list {file}");
    }
}

/// Checks `event` against what `expect` says the line is.
fn check(file: &str, expect: &Real, event: &LiveEvent, raw: &str) {
    let line = |kept: &str| assert_eq!(kept, raw, "{file}: the raw line is kept");
    match (expect, event) {
        (Real::Message(check), LiveEvent::Message(m)) => (line(&m.line), check(m)).1,
        (Real::Notice(check), LiveEvent::Notice(n)) => (line(&n.line), check(n)).1,
        (Real::Moderation(check), LiveEvent::Moderation(m)) => (line(&m.line), check(m)).1,
        (Real::RoomState(check), LiveEvent::RoomState(r)) => (line(&r.line), check(r)).1,
        (Real::RoomNotice(check), LiveEvent::RoomNotice(n)) => (line(&n.line), check(n)).1,
        (_, other) => panic!("{file}: read as {other:?}"),
    }
}

fn is_event(expect: &Real) -> bool {
    matches!(
        expect,
        Real::Message(_) | Real::Notice(_) | Real::Moderation(_) | Real::RoomState(_) | Real::RoomNotice(_)
    )
}

#[test]
fn every_line_parses_to_what_it_is() {
    for (file, expect) in REAL {
        for raw in &lines(file) {
            let line = parse_line(raw).unwrap_or_else(|| panic!("{file}: does not parse"));
            match expect {
                expect if is_event(expect) => {
                    let event = live_event(raw).unwrap_or_else(|| panic!("{file}: not an event"));
                    check(file, expect, &event, raw);
                }
                Real::Reconnect | Real::Ends(_) => assert_eq!(live_event(raw), None, "{file}"),
                Real::Names(room, names) => {
                    assert_eq!(line.command, "353", "{file}");
                    let listed: Vec<&str> = line.params.last().unwrap().split(' ').collect();
                    assert_eq!((line.params[2], listed.as_slice()), (*room, *names), "{file}");
                }
                _ => {}
            }
        }
    }
}

/// Serves `lines` to one live-chat connection on 127.0.0.1, then closes it; returns what was delivered
/// and how reading ended.
async fn live_chat_over(lines: Vec<String>) -> (Vec<LiveEvent>, Result<Ended>) {
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
    let mut events = Vec::new();
    while let Some(event) = rx.recv().await {
        events.push(event);
    }
    assert_eq!(delivered, events.len() as u64);
    server.abort();
    (events, ended)
}

#[tokio::test]
async fn live_chat_reads_every_line_as_twitch_sends_it() {
    for (file, expect) in REAL {
        if matches!(expect, Real::Names(..) | Real::Presence(..)) {
            continue;
        }
        let lines = lines(file);
        let (events, ended) = live_chat_over(lines.clone()).await;
        match (expect, ended) {
            (Real::Reconnect, Ok(Ended::Reconnect)) => assert!(events.is_empty(), "{file}"),
            (Real::Ends(text), Err(Error::Irc { message, .. })) => assert_eq!(message, *text, "{file}"),
            (expect, Err(Error::Irc { message, .. })) if is_event(expect) => {
                assert_eq!(
                    message, "the chat server closed the connection",
                    "{file}: read on to the end"
                );
                assert_eq!(events.len(), lines.len(), "{file}: delivered");
                for (event, raw) in events.iter().zip(&lines) {
                    check(file, expect, event, raw);
                }
            }
            (_, other) => panic!("{file}: reading ended with {other:?}"),
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
