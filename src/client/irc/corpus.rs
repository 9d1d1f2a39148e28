//! The chat lines of the conformance corpus (tests/fixtures/real/irc, provenance in its README), each with
//! what itch must make of it. Every file needs a row and every row a file.

use super::line::tag;
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
        "privmsg_shared_chat.txt",
        Real::Message(|m| {
            assert_eq!(
                (m.id.as_str(), m.kind.as_str()),
                ("a5517da5-24c9-48ae-aa59-69763c5d8292", "chat")
            );
            assert_eq!(
                (m.login.as_str(), m.user_id.as_deref(), m.display_name.as_deref()),
                ("iamageeam", Some("31721778"), Some("IAmAGeeAm"))
            );
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("cdawgva", Some("45098797")),
                "the room it was delivered in"
            );
            assert_eq!(
                (m.source_room_id.as_deref(), m.source_id.as_deref()),
                (Some("92038375"), Some("b1d05b12-e1ee-4538-bdcf-ccd9a4419d1c")),
                "the room it was sent in, and its id there"
            );
            assert_eq!(
                m.badges,
                [("no_audio".into(), "1".into())],
                "the room's badges, not source-badges"
            );
            assert_eq!((m.text.as_str(), m.color.as_deref()), ("HUHH", Some("#1E90FF")));
            assert_eq!(m.sent_at.timestamp_millis(), 1_741_081_026_619);
        }),
    ),
    (
        "privmsg_reply.txt",
        Real::Message(|m| {
            assert_eq!(m.id, "99d64122-2006-4e46-a43f-2b43f0ff9341");
            assert_eq!(
                (m.login.as_str(), m.user_id.as_deref(), m.display_name.as_deref()),
                ("tpanax", Some("732098026"), Some("tpanax"))
            );
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("mistermv", Some("28575692"))
            );
            assert_eq!(m.text, "@Brankhorst eve s'est inspiré du homeworld 1");
            assert_eq!(m.text.chars().count(), 44, "code points");
            assert!(m.badges.is_empty() && m.emotes.is_empty(), "badges= and emotes= empty");
            assert_eq!(
                (m.color.as_deref(), m.source_room_id.as_deref()),
                (Some("#B22222"), None)
            );
            assert_eq!(m.sent_at.timestamp_millis(), 1_661_281_318_667);
        }),
    ),
    (
        "privmsg_reply_equals_in_tag_value.txt",
        Real::Message(|m| {
            assert_eq!(m.id, "0b4c70e4-9a47-4ce1-9c3e-8f78111cdc19");
            assert_eq!(
                (m.login.as_str(), m.user_id.as_deref(), m.display_name.as_deref()),
                ("dixtor334", Some("73714767"), Some("Dixtor334"))
            );
            assert_eq!((m.channel.as_str(), m.room_id.as_deref()), ("anny", Some("56418014")));
            assert_eq!(m.text, "@minosura @anny");
            assert_eq!(
                (m.color.as_deref(), m.badges.as_slice()),
                (None, &[][..]),
                "no color or badges tags"
            );
            assert_eq!(
                m.sent_at.timestamp_millis(),
                1_686_049_636_367,
                "a tag after the one with `=`"
            );
            let tags = parse_line(&m.line).unwrap().tags;
            assert_eq!(
                tag(&tags, "reply-parent-msg-body").as_deref(),
                Some("https://youtu.be/-ek4MFjz_eM?list=PL91C6439FD45DE2F3 annytfDinkDonk strimmer korean one"),
                "a tag splits on its first `=` only"
            );
        }),
    ),
    (
        "privmsg_highlighted_message.txt",
        Real::Message(|m| {
            assert_eq!(m.id, "68d0ad7e-7743-4b51-b8fd-3d995eb17fd5");
            assert_eq!(
                (m.login.as_str(), m.user_id.as_deref(), m.display_name.as_deref()),
                ("florianpremier", Some("137824138"), Some("FlorianPremier"))
            );
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("antoinedaniel", Some("135468063"))
            );
            assert_eq!(m.text, "vive l'argent");
            assert_eq!(
                m.kind, "highlighted-message",
                "Twitch's msg-id on a PRIVMSG is its kind"
            );
            assert_eq!(
                m.badges,
                [("subscriber".into(), "18".into()), ("premium".into(), "1".into())]
            );
            assert_eq!(m.sent_at.timestamp_millis(), 1_661_452_379_625);
        }),
    ),
    (
        "privmsg_emote_index_one_past_end.txt",
        Real::Message(|m| {
            assert_eq!(m.id, "744f9c58-b180-4f46-bd9e-b515b5ef75c1");
            assert_eq!(
                (m.login.as_str(), m.user_id.as_deref(), m.display_name.as_deref()),
                ("linkoping", Some("91673457"), Some("Linkoping"))
            );
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("queenqarro", Some("188442366"))
            );
            assert_eq!(m.text, "Då kan du begära skadestånd och förtal Kappa");
            assert_eq!(m.text.chars().count(), 44);
            assert_eq!(
                m.emotes,
                [("25".into(), 40, 44)],
                "one past the last code point, kept as sent"
            );
            assert_eq!(m.sent_at.timestamp_millis(), 1_566_335_866_017);
        }),
    ),
    (
        "privmsg_emote_index_same_text_correct.txt",
        Real::Message(|m| {
            assert_eq!(m.id, "3ea97f01-abb2-4acf-bdb8-f52e79cd0324");
            assert_eq!(
                (m.login.as_str(), m.user_id.as_deref(), m.display_name.as_deref()),
                ("randers", Some("40286300"), Some("randers"))
            );
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("pajlada", Some("11148817"))
            );
            assert_eq!(m.emotes, [("25".into(), 39, 43)]);
            let code: String = m.text.chars().skip(39).take(5).collect();
            assert_eq!(code, "Kappa", "code points 39-43");
            assert_eq!(m.sent_at.timestamp_millis(), 1_588_837_097_115);
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
        "clearchat_timeout_600.txt",
        Real::Moderation(|m| {
            assert_eq!(m.action, ModerationAction::Timeout { seconds: 600 });
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("mithrain", Some("79442833"))
            );
            assert_eq!(
                (m.target_login.as_deref(), m.target_user_id.as_deref()),
                (Some("14ahmetkerim"), Some("447000332"))
            );
            assert_eq!(
                (m.target_message_id.as_deref(), m.deleted_text.as_deref()),
                (None, None)
            );
            assert_eq!(m.sent_at.timestamp_millis(), 1_569_007_534_501);
        }),
    ),
    (
        "clearmsg_non_ascii.txt",
        Real::Moderation(|m| {
            assert_eq!(m.action, ModerationAction::Delete);
            assert_eq!(
                (m.channel.as_str(), m.room_id.as_deref()),
                ("squeezielive", None),
                "room-id= empty"
            );
            assert_eq!(
                (m.target_message_id.as_deref(), m.target_login.as_deref()),
                (Some("e5fb3fd2-8c0f-4468-b45a-c70f0e615507"), Some("xinotv"))
            );
            assert_eq!(m.deleted_text.as_deref(), Some("25 euros de cashprize à gagner me mp"));
            assert_eq!(m.deleted_text.as_deref().map(|t| t.chars().count()), Some(36));
            assert_eq!(m.sent_at.timestamp_millis(), 1_569_010_639_801);
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
        "notice_msg_channel_suspended.txt",
        Real::RoomNotice(|n| {
            assert_eq!(
                (n.channel.as_str(), n.kind.as_deref()),
                ("foretack", Some("msg_channel_suspended"))
            );
            assert_eq!(n.text, "This channel does not exist or has been suspended.");
            assert!(n.room_unavailable(), "the room cannot be read");
        }),
    ),
    (
        "notice_subs_on.txt",
        Real::RoomNotice(|n| {
            assert_eq!(
                (n.channel.as_str(), n.kind.as_deref()),
                ("clippyassistant", Some("subs_on"))
            );
            assert_eq!(n.text, "This room is now in subscribers-only mode.");
            assert!(!n.room_unavailable(), "a room mode, still readable");
        }),
    ),
    (
        "notice_color_changed.txt",
        Real::RoomNotice(|n| {
            assert_eq!(
                (n.channel.as_str(), n.kind.as_deref()),
                ("zorael", Some("color_changed"))
            );
            assert_eq!(n.text, "Your color has been changed.");
            assert!(!n.room_unavailable());
        }),
    ),
    (
        "notice_host_on.txt",
        Real::RoomNotice(|n| {
            assert_eq!((n.channel.as_str(), n.kind.as_deref()), ("kungentv", Some("host_on")));
            assert_eq!(n.text, "Now hosting EsfandTV.");
            assert!(!n.room_unavailable(), "hosting another channel, still readable");
        }),
    ),
    (
        "roomstate_full.txt",
        Real::RoomState(|r| {
            assert_eq!(
                (r.channel.as_str(), r.room_id.as_deref()),
                ("randers", Some("40286300"))
            );
            assert_eq!(
                modes(r),
                (Some(false), Some(-1), Some(false), Some(0), Some(false)),
                "all off"
            );
        }),
    ),
    (
        "roomstate_full_modes_on.txt",
        Real::RoomState(|r| {
            assert_eq!(
                (r.channel.as_str(), r.room_id.as_deref()),
                ("randers", Some("40286300"))
            );
            assert_eq!(
                modes(r),
                (Some(true), Some(0), Some(true), Some(5), Some(true)),
                "all on"
            );
        }),
    ),
    (
        "roomstate_full_broadcaster_lang.txt",
        Real::RoomState(|r| {
            assert_eq!(
                (r.channel.as_str(), r.room_id.as_deref()),
                ("clippyassistant", Some("408892348"))
            );
            assert_eq!(modes(r), (Some(false), Some(-1), Some(true), Some(0), Some(false)));
        }),
    ),
    (
        "roomstate_mercury_empty_lang.txt",
        Real::RoomState(|r| {
            assert_eq!((r.channel.as_str(), r.room_id.as_deref()), ("zorael", Some("22216721")));
            assert_eq!(modes(r), (Some(false), Some(-1), Some(false), Some(0), Some(false)));
        }),
    ),
    (
        "roomstate_slow_only.txt",
        Real::RoomState(|r| {
            assert_eq!(
                (r.channel.as_str(), r.room_id.as_deref()),
                ("randers", Some("40286300"))
            );
            assert_eq!(
                modes(r),
                (None, None, None, Some(5), None),
                "the others unknown, not off"
            );
        }),
    ),
    (
        "roomstate_emote_only.txt",
        Real::RoomState(|r| {
            assert_eq!(
                (r.channel.as_str(), r.room_id.as_deref()),
                ("randers", Some("40286300"))
            );
            assert_eq!(
                modes(r),
                (Some(true), None, None, None, None),
                "the others unknown, not off"
            );
        }),
    ),
    (
        "roomstate_followers_only_10.txt",
        Real::RoomState(|r| {
            assert_eq!(
                (r.channel.as_str(), r.room_id.as_deref()),
                ("clippyassistant", Some("408892348"))
            );
            assert_eq!(modes(r), (None, Some(10), None, None, None), "ten minutes followed");
        }),
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
    (
        "usernotice_sub_prime.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("sub", "2a9bea11-a80a-49a0-a498-1642d457f775")
            );
            assert_eq!(
                who(n),
                (Some("fallenseraphhh"), Some("224005980"), Some("fallenseraphhh"))
            );
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(
                counts(n),
                (Some(1), None, Some("Prime"), None, None, None),
                "months=0 is not used"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("fallenseraphhh subscribed with Twitch Prime.")
            );
            assert_eq!(param(n, "sub-plan-name"), Some("Channel Subscription (xqcow)"));
            assert_eq!((n.message.as_ref(), n.recipient.as_ref()), (None, None));
            assert_eq!(n.sent_at.timestamp_millis(), 1_582_685_713_242);
        }),
    ),
    (
        "usernotice_resub_streak_message.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("resub", "e0975c76-054c-4954-8cb0-91b8867ec1ca")
            );
            assert_eq!(who(n), (Some("gutrin"), Some("21156217"), Some("Gutrin")));
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(
                counts(n),
                (Some(2), Some(2), Some("1000"), None, None, None),
                "a shared streak"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("Gutrin subscribed at Tier 1. They've subscribed for 2 months, currently on a 2 month streak!")
            );
            let text = n.message.as_ref().expect("the viewer's text");
            assert_eq!(text_of(n), ("resub", "gutrin", "xqcL"));
            assert_eq!(
                (text.id.as_str(), text.emotes.as_slice()),
                (n.id.as_str(), &[("1035663".into(), 0, 3)][..])
            );
            assert_eq!(n.sent_at.timestamp_millis(), 1_581_713_640_019);
        }),
    ),
    (
        "usernotice_resub_long_message.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("resub", "b59b84a2-ae2a-437b-81c2-d049f71448d7")
            );
            assert_eq!(who(n), (Some("lordgrox"), Some("38584526"), Some("LordGrox")));
            assert_eq!(room(n), ("mande", Some("128856353"), None));
            assert_eq!(
                counts(n),
                (Some(14), None, Some("1000"), None, None, None),
                "streak not shared"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("LordGrox subscribed at Tier 1. They've subscribed for 14 months!")
            );
            let said = "obama: good day mande and chat, I hope everyone has a banger day. (silence) witch: Aint no way \
                        lil bro (bong)";
            assert_eq!(text_of(n), ("resub", "lordgrox", said), "`:` and `(` inside the text");
            assert_eq!(said.chars().count(), 109);
            assert_eq!(
                (param(n, "multimonth-duration"), param(n, "was-gifted")),
                (Some("0"), Some("false"))
            );
            assert_eq!(n.sent_at.timestamp_millis(), 1_678_873_250_647);
        }),
    ),
    (
        "usernotice_resub_action_emote_offset.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("resub", "8c2918c2-adf4-4208-a554-8a72d016de70")
            );
            assert_eq!(who(n), (Some("randers"), Some("40286300"), Some("randers")));
            assert_eq!(room(n), ("pajlada", Some("11148817"), None));
            assert_eq!(counts(n), (Some(23), Some(23), Some("1000"), None, None, None));
            assert_eq!(
                n.system_message.as_deref(),
                Some("randers subscribed at Tier 1. They've subscribed for 23 months, currently on a 23 month streak!")
            );
            assert_eq!(
                param(n, "sub-plan-name"),
                Some("look at those shitty emotes, rip $5 LUL")
            );
            assert_eq!(
                text_of(n),
                ("resub", "randers", "Kappa TEST TEST Kappa :)"),
                "the ACTION wrapper is taken off"
            );
            assert!(
                n.line.ends_with(":\u{1}ACTION Kappa TEST TEST Kappa :)\u{1}"),
                "the raw line keeps it"
            );
            assert_eq!(
                n.message.as_ref().unwrap().emotes,
                [("25".into(), 7, 11), ("25".into(), 23, 27), ("499".into(), 29, 30)],
                "kept as Twitch sent them (one off)"
            );
            assert_eq!(n.sent_at.timestamp_millis(), 1_595_497_450_553);
        }),
    ),
    (
        "usernotice_subgift.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("subgift", "e21409b1-d25d-4a1a-b5cf-ef27d8b7030e")
            );
            assert_eq!(
                who(n),
                (
                    Some("adamatreflectstudios"),
                    Some("211711554"),
                    Some("AdamAtReflectStudios")
                )
            );
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(
                counts(n),
                (Some(2), None, Some("1000"), Some(1), None, None),
                "months=2, gift-months=1"
            );
            assert_eq!(
                n.recipient,
                Some(("236653628".into(), "qatarking24xd".into(), Some("qatarking24xd".into())))
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("AdamAtReflectStudios gifted a Tier 1 sub to qatarking24xd!")
            );
            assert_eq!(
                (param(n, "origin-id"), param(n, "sender-count")),
                (
                    Some("da 39 a3 ee 5e 6b 4b 0d 32 55 bf ef 95 60 18 90 af d8 07 09"),
                    Some("0")
                )
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_594_583_782_376);
        }),
    ),
    (
        "usernotice_anonsubgift.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("anonsubgift", "b1818e3c-0005-490f-ad0a-804957ddd760")
            );
            assert_eq!(
                who(n),
                (Some("qa_subs_partner"), Some("196450059"), Some("qa_subs_partner"))
            );
            assert_eq!(room(n), ("qa_subs_partner", Some("196450059"), None));
            assert_eq!(counts(n), (Some(3), None, Some("1000"), None, None, None));
            assert_eq!(
                n.recipient,
                Some((
                    "135054130".into(),
                    "tenurecalculator".into(),
                    Some("TenureCalculator".into())
                ))
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("An anonymous user gifted a Tier 1 sub to TenureCalculator! "),
                "the escaped space at the end kept"
            );
            assert_eq!(param(n, "sub-plan-name"), Some("t111"));
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_542_063_432_068);
        }),
    ),
    (
        "usernotice_submysterygift.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("submysterygift", "049e6371-7023-4fca-8605-7dec60e72e12")
            );
            assert_eq!(
                who(n),
                (
                    Some("adamatreflectstudios"),
                    Some("211711554"),
                    Some("AdamAtReflectStudios")
                )
            );
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(counts(n), (None, None, Some("1000"), Some(20), None, None));
            assert_eq!(
                (n.recipient.as_ref(), n.message.as_ref()),
                (None, None),
                "a gift to the community"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some(
                    "AdamAtReflectStudios is gifting 20 Tier 1 Subs to xQcOW's community! They've gifted a total of \
                     100 in the channel!"
                )
            );
            assert_eq!(param(n, "sender-count"), Some("100"));
            assert_eq!(n.sent_at.timestamp_millis(), 1_594_583_777_669);
        }),
    ),
    (
        "usernotice_submysterygift_anonymous.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("submysterygift", "8db97752-3dee-460b-9001-e925d0e2ba5b")
            );
            assert_eq!(
                who(n),
                (Some("ananonymousgifter"), Some("274598607"), Some("AnAnonymousGifter"))
            );
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(counts(n), (None, None, Some("1000"), Some(10), None, None));
            assert_eq!((n.recipient.as_ref(), param(n, "sender-count")), (None, None));
            assert_eq!(
                n.system_message.as_deref(),
                Some("An anonymous user is gifting 10 Tier 1 Subs to xQcOW's community!")
            );
            assert_eq!(n.sent_at.timestamp_millis(), 1_585_447_099_603);
        }),
    ),
    (
        "usernotice_giftpaidupgrade.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("giftpaidupgrade", "7006f242-a45c-4e07-83b3-11f9c6d1ee28")
            );
            assert_eq!(
                who(n),
                (Some("crazycrackanimal"), Some("86082877"), Some("CrazyCrackAnimal"))
            );
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(counts(n), (None, None, None, None, None, None));
            assert_eq!(
                n.params,
                [
                    ("sender-login".into(), "stridezgum".into()),
                    ("sender-name".into(), "Stridezgum".into())
                ],
                "the original gifter"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("CrazyCrackAnimal is continuing the Gift Sub they got from Stridezgum!")
            );
            assert_eq!((n.recipient.as_ref(), n.message.as_ref()), (None, None));
            assert_eq!(n.sent_at.timestamp_millis(), 1_594_518_849_459);
        }),
    ),
    (
        "usernotice_anongiftpaidupgrade.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("anongiftpaidupgrade", "144ee636-0c1d-404e-8b29-35449a045a7e")
            );
            assert_eq!(
                who(n),
                (Some("samura1jack_ttv"), Some("102707709"), Some("samura1jack_ttv"))
            );
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(
                (counts(n), n.params.as_slice()),
                ((None, None, None, None, None, None), &[][..]),
                "no msg-param"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("samura1jack_ttv is continuing the Gift Sub they got from an anonymous user!")
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_594_327_421_732);
        }),
    ),
    (
        "usernotice_primepaidupgrade.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("primepaidupgrade", "8e88f9b5-840d-4ca4-9dc3-88c4fed21f42")
            );
            assert_eq!(who(n), (Some("drdisrespexs"), Some("99687275"), Some("DrDisRespexs")));
            assert_eq!(room(n), ("forsen", Some("22484632"), None));
            assert_eq!(counts(n), (None, None, Some("1000"), None, None, None));
            assert_eq!(n.params, [("sub-plan".into(), "1000".into())]);
            assert_eq!(
                n.system_message.as_deref(),
                Some("DrDisRespexs converted from a Prime sub to a Tier 1 sub!")
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_677_696_547_747);
        }),
    ),
    (
        "usernotice_communitypayforward.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("communitypayforward", "41ab23ee-4728-4f8b-9d72-8fa92300cc94")
            );
            assert_eq!(who(n), (Some("pazza_cr4"), Some("757980712"), Some("pazza_cr4")));
            assert_eq!(room(n), ("dillydilby", Some("629935431"), None));
            assert_eq!(
                (counts(n), n.recipient.as_ref()),
                ((None, None, None, None, None, None), None)
            );
            assert_eq!(
                n.params,
                [
                    ("prior-gifter-anonymous".into(), "false".into()),
                    ("prior-gifter-display-name".into(), "dillydilby".into()),
                    ("prior-gifter-id".into(), "629935431".into()),
                    ("prior-gifter-user-name".into(), "dillydilby".into())
                ],
                "the prior gifter, here the channel itself"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("pazza_cr4 is paying forward the Gift they got from dillydilby to the community!")
            );
            assert_eq!(n.sent_at.timestamp_millis(), 1_642_853_857_868);
        }),
    ),
    (
        "usernotice_standardpayforward.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("standardpayforward", "4417af02-11f7-4da8-8118-8fc2913b841c")
            );
            assert_eq!(
                who(n),
                (Some("gissihathunger"), Some("449423975"), Some("GissihatHunger"))
            );
            assert_eq!(room(n), ("carl_the_legend", Some("180980116"), None));
            assert_eq!(
                n.recipient,
                Some(("693345558".into(), "cutemaggi".into(), Some("cuteMaggi".into())))
            );
            assert_eq!(
                (param(n, "prior-gifter-id"), param(n, "prior-gifter-user-name")),
                (Some("609956744"), Some("benenator_007"))
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("GissihatHunger is paying forward the Gift they got from Benenator_007 to cuteMaggi!")
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_642_857_017_198);
        }),
    ),
    (
        "usernotice_standardpayforward_vip_tag.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("standardpayforward", "0d4e779c-11e7-44ad-8aab-cea7fbdf4b02")
            );
            assert_eq!(who(n), (Some("real_poke"), Some("44296768"), Some("Real_Poke")));
            assert_eq!(room(n), ("wtii", Some("23693840"), None));
            assert_eq!(
                n.recipient,
                Some(("733645508".into(), "maxrightder".into(), Some("maxrightder".into())))
            );
            assert_eq!(
                (param(n, "prior-gifter-id"), param(n, "prior-gifter-user-name")),
                (Some("113804728"), Some("croyvile"))
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("Real_Poke is paying forward the Gift they got from croyvile to maxrightder!")
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_711_206_920_479, "`vip=0` after it");
        }),
    ),
    (
        "usernotice_unraid.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("unraid", "06e33f48-c728-4332-b4bc-b7eae6f59f3c")
            );
            assert_eq!(
                who(n),
                (Some("fletchercodes"), Some("269899575"), Some("FletcherCodes"))
            );
            assert_eq!(room(n), ("fletchercodes", Some("269899575"), None));
            assert_eq!(
                (counts(n), n.params.as_slice()),
                ((None, None, None, None, None, None), &[][..])
            );
            assert_eq!(n.system_message.as_deref(), Some("The raid has been cancelled."));
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_551_518_456_143);
        }),
    ),
    (
        "usernotice_raid_escaped_newline.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("raid", "7a61cd41-f049-466b-9654-43e5bfc554aa")
            );
            assert_eq!(
                who(n),
                (Some("fletchercodes"), Some("269899575"), Some("FletcherCodes")),
                "the raider"
            );
            assert_eq!(room(n), ("clippyassistant", Some("269899575"), None));
            assert_eq!(counts(n), (None, None, None, None, Some(538), None));
            assert_eq!(
                (param(n, "displayName"), param(n, "login")),
                (Some("FletcherCodes"), Some("fletchercodes"))
            );
            assert_eq!(
                param(n, "profileImageURL"),
                Some(
                    "https://static-cdn.jtvnw.net/jtv_user_pictures/herr_currywurst-profile_image-e6c037c9d321b955-\
                     70x70.jpeg"
                )
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("538 raiders from FletcherCodes have joined\n!"),
                "`\\n` is a line feed"
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_551_490_358_542);
        }),
    ),
    (
        "usernotice_ritual_new_chatter.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("ritual", "37feed0f-b9c7-4c3a-b475-21c6c6d21c3d")
            );
            assert_eq!(who(n), (Some("seventest1"), Some("131260580"), Some("SevenTest1")));
            assert_eq!(room(n), ("seventoes", Some("6316121"), None));
            assert_eq!(n.params, [("ritual-name".into(), "new_chatter".into())]);
            assert_eq!(n.system_message.as_deref(), Some("Seventoes is new here!"));
            assert_eq!(text_of(n), ("ritual", "seventest1", "HeyGuys"));
            assert_eq!(n.message.as_ref().unwrap().emotes, [("30259".into(), 0, 6)]);
            assert_eq!(n.sent_at.timestamp_millis(), 1_508_363_903_826);
        }),
    ),
    (
        "usernotice_ritual_at_mention.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("ritual", "e4090aa9-8079-41ff-904d-64c7a2193ee0")
            );
            assert_eq!(
                who(n),
                (Some("fletchercodes"), Some("412636239"), Some("FletcherCodes"))
            );
            assert_eq!(room(n), ("clippyassistant", Some("408892348"), None));
            assert_eq!(n.params, [("ritual-name".into(), "new_chatter".into())]);
            assert_eq!(
                n.system_message.as_deref(),
                Some("@FletcherCodes is new here. Say hello!")
            );
            assert_eq!(text_of(n), ("ritual", "fletchercodes", "SeemsGood"));
            assert_eq!(n.message.as_ref().unwrap().emotes, [("64138".into(), 0, 8)]);
            assert_eq!(n.sent_at.timestamp_millis(), 1_551_487_438_943);
        }),
    ),
    (
        "usernotice_bitsbadgetier.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("bitsbadgetier", "d2b32a02-3071-4c52-b2ce-bc3716acdc44")
            );
            assert_eq!(who(n), (Some("whoopiix"), Some("104252055"), Some("whoopiix")));
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(
                counts(n),
                (None, None, None, None, None, Some(1000)),
                "the badge's tier"
            );
            assert_eq!(n.system_message.as_deref(), Some("bits badge tier notification"));
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_594_520_403_813);
        }),
    ),
    (
        "usernotice_rewardgift.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("rewardgift", "7f1336e4-f84a-4510-809d-e57bf50af0cc")
            );
            assert_eq!(
                who(n),
                (
                    Some("adamatreflectstudios"),
                    Some("211711554"),
                    Some("AdamAtReflectStudios")
                )
            );
            assert_eq!(room(n), ("xqcow", Some("71092938"), None));
            assert_eq!(
                n.params,
                [
                    ("domain".into(), "pride_megacommerce_2020".into()),
                    ("selected-count".into(), "100".into()),
                    ("total-reward-count".into(), "100".into()),
                    ("trigger-amount".into(), "20".into()),
                    ("trigger-type".into(), "SUBGIFT".into())
                ],
                "an unknown kind keeps all its params"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("AdamAtReflectStudios's Gift shared rewards to 100 others in Chat!")
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_594_583_778_756);
        }),
    ),
    (
        "usernotice_primecommunitygiftreceived.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("primecommunitygiftreceived", "3ced021d-adab-4278-845d-4c8f2c5d6306")
            );
            assert_eq!(
                who(n),
                (Some("norddeutscherjunge"), Some("39548541"), Some("NorddeutscherJunge"))
            );
            assert_eq!(room(n), ("gabepeixe", Some("59799994"), None));
            assert_eq!(
                n.params,
                [
                    ("gift-name".into(), "World of Tanks: Care Package".into()),
                    ("middle-man".into(), "gabepeixe".into()),
                    ("recipient".into(), "m4ggusbruno".into()),
                    ("sender".into(), "NorddeutscherJunge".into())
                ]
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("A viewer was gifted a World of Tanks: Care Package, courtesy of a Prime member!")
            );
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_570_346_408_346);
        }),
    ),
    (
        "usernotice_announcement_primary.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("announcement", "50f06104-1425-4e61-8d69-19b2e910cc92")
            );
            assert_eq!(who(n), (Some("pajbot"), Some("82008718"), Some("pajbot")));
            assert_eq!(room(n), ("pajlada", Some("11148817"), None));
            assert_eq!(n.params, [("color".into(), "PRIMARY".into())]);
            assert_eq!(n.system_message, None, "system-msg= empty");
            assert_eq!(text_of(n), ("announcement", "pajbot", "guh"));
            let text = n.message.as_ref().unwrap();
            assert_eq!(
                (text.id.as_str(), text.badges.as_slice()),
                (
                    n.id.as_str(),
                    &[("moderator".into(), "1".into()), ("subscriber".into(), "3072".into())][..]
                )
            );
            assert_eq!(text.sent_at.timestamp_millis(), 1_678_652_624_650);
            assert_eq!(n.sent_at.timestamp_millis(), 1_678_652_624_650);
        }),
    ),
    (
        "usernotice_announcement_blue.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("announcement", "c10d18ca-c15b-4294-bf17-fe316acd21ff")
            );
            assert_eq!(who(n), (Some("occluder"), Some("783267696"), Some("occluder")));
            assert_eq!(room(n), ("occluder", Some("783267696"), None));
            assert_eq!(n.params, [("color".into(), "BLUE".into())]);
            assert_eq!(n.system_message, None, "system-msg= empty");
            assert_eq!(text_of(n), ("announcement", "occluder", "kek"));
            assert_eq!(n.sent_at.timestamp_millis(), 1_678_880_148_283);
        }),
    ),
    (
        "usernotice_announcement_no_color.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("announcement", "fb6f330a-b47e-4394-bdae-34c545143a1e")
            );
            assert_eq!(who(n), (Some("notkarar"), Some("89954186"), Some("NotKarar")));
            assert_eq!(room(n), ("notkarar", Some("89954186"), None));
            assert!(n.params.is_empty(), "no msg-param-color");
            assert_eq!(n.system_message, None, "system-msg= empty");
            assert_eq!(text_of(n), ("announcement", "notkarar", "test"));
            assert_eq!(n.sent_at.timestamp_millis(), 1_651_337_290_447);
        }),
    ),
    (
        "usernotice_sharedchatnotice_announcement.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("sharedchatnotice", "01cd601f-bc3f-49d5-ab4b-136fa9d6ec22")
            );
            assert_eq!(who(n), (Some("lahoooo"), Some("612865661"), Some("lahoooo")));
            assert_eq!(
                room(n),
                ("shared_chat_test_02", Some("1025597036"), Some("1025594235")),
                "delivered here, made in another room"
            );
            assert_eq!(n.params, [("color".into(), "PRIMARY".into())]);
            assert_eq!(
                (n.source_kind.as_deref(), n.source_id.as_deref()),
                (Some("announcement"), Some("4083dadc-9f20-40f9-ba92-949ebf6bc294")),
                "the relayed event"
            );
            assert_eq!(n.system_message, None, "system-msg= empty");
            assert_eq!(
                text_of(n),
                ("sharedchatnotice", "lahoooo", "hi this is an announcement from 1")
            );
            let text = n.message.as_ref().unwrap();
            assert_eq!(
                (
                    text.id.as_str(),
                    text.source_room_id.as_deref(),
                    text.source_id.as_deref()
                ),
                (
                    n.id.as_str(),
                    Some("1025594235"),
                    Some("4083dadc-9f20-40f9-ba92-949ebf6bc294")
                ),
                "the text's origin"
            );
            assert_eq!(
                text.badges,
                [("staff".into(), "1".into()), ("raging-wolf-helm".into(), "1".into())],
                "this room's badges"
            );
            assert_eq!(n.sent_at.timestamp_millis(), 1_726_118_378_465);
        }),
    ),
    (
        "usernotice_sharedchatnotice_resub.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("sharedchatnotice", "120537f4-0261-4c25-b52f-fa41683ed47c")
            );
            assert_eq!(who(n), (Some("naronu"), Some("106354170"), Some("naronu")));
            assert_eq!(
                room(n),
                ("cdawgva", Some("45098797"), Some("92038375")),
                "a resub of another room"
            );
            assert_eq!(
                counts(n),
                (Some(16), Some(14), Some("1000"), None, None, None),
                "the resub's params"
            );
            assert_eq!(
                n.system_message.as_deref(),
                Some("naronu subscribed at Tier 1. They've subscribed for 16 months, currently on a 14 month streak!")
            );
            assert_eq!(
                (
                    param(n, "multimonth-duration"),
                    param(n, "multimonth-tenure"),
                    param(n, "was-gifted")
                ),
                (Some("9"), Some("9"), Some("false"))
            );
            assert_eq!(n.message, None);
            assert_eq!(
                (n.source_kind.as_deref(), n.source_id.as_deref()),
                (Some("resub"), Some("b119fb84-ecb6-4543-99bb-b797a335083c")),
                "the relayed event, without a text to carry it"
            );
            assert_eq!(n.sent_at.timestamp_millis(), 1_741_080_304_993);
        }),
    ),
    (
        "usernotice_resub_shared_chat_source_room.txt",
        Real::Notice(|n| {
            assert_eq!(
                (n.kind.as_str(), n.id.as_str()),
                ("resub", "676aa8bb-2a81-4348-aee2-c92f57409634")
            );
            assert_eq!(who(n), (Some("kxmiixdd"), Some("193342839"), Some("kxmiixdd")));
            assert_eq!(
                room(n),
                ("caedrel", Some("92038375"), None),
                "source-room-id is this room"
            );
            assert_eq!(counts(n), (Some(16), None, Some("Prime"), None, None, None));
            assert_eq!(
                n.system_message.as_deref(),
                Some("kxmiixdd subscribed with Prime. They've subscribed for 16 months!")
            );
            assert_eq!(param(n, "multimonth-duration"), Some("1"));
            assert_eq!(n.message, None);
            assert_eq!(n.sent_at.timestamp_millis(), 1_741_083_498_145);
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

/// A notice's `(login, user id, display name)`.
fn who(n: &UserNotice) -> (Option<&str>, Option<&str>, Option<&str>) {
    (n.login.as_deref(), n.user_id.as_deref(), n.display_name.as_deref())
}

/// A notice's `(channel, room id, source room id)`.
fn room(n: &UserNotice) -> (&str, Option<&str>, Option<&str>) {
    (&n.channel, n.room_id.as_deref(), n.source_room_id.as_deref())
}

/// What a notice counts: `(months, streak months, tier, gift count, viewer count, threshold)`.
type Counts<'a> = (
    Option<i64>,
    Option<i64>,
    Option<&'a str>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn counts(n: &UserNotice) -> Counts<'_> {
    (
        n.months,
        n.streak_months,
        n.tier.as_deref(),
        n.gift_count,
        n.viewer_count,
        n.threshold,
    )
}

/// A notice's `msg-param-<key>`, unescaped.
fn param<'a>(n: &'a UserNotice, key: &str) -> Option<&'a str> {
    n.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The viewer's text with a notice: `(kind, login, text)`.
fn text_of(n: &UserNotice) -> (&str, &str, &str) {
    let text = n
        .message
        .as_ref()
        .unwrap_or_else(|| panic!("{}: no viewer's text", n.kind));
    (&text.kind, &text.login, &text.text)
}

/// A room state's `(emote-only, followers-only, r9k, slow, subs-only)`.
type Modes = (Option<bool>, Option<i64>, Option<bool>, Option<i64>, Option<bool>);

fn modes(r: &RoomState) -> Modes {
    (r.emote_only, r.followers_only, r.r9k, r.slow, r.subs_only)
}

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
