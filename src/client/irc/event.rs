//! Everything a live chat connection reads besides chat messages, each into a type of its own:
//! - `USERNOTICE` (subs, gifts, raids, announcements, rituals, watch streaks, ...): a [`UserNotice`], with the
//!   viewer's own text, when there is one, as a [`LiveMessage`] of the notice's kind;
//! - `CLEARCHAT` (a timeout, a ban, the whole chat cleared) and `CLEARMSG` (one message deleted): a
//!   [`Moderation`];
//! - `ROOMSTATE` (slow mode, followers-only, subs-only, emote-only, r9k): a [`RoomState`], full on JOIN and
//!   only the changed settings afterwards;
//! - a `NOTICE` about a room (`msg-id`), e.g. a suspended channel: a [`RoomNotice`].
//!
//! Facts: shared/reference/twitch-chat.md, section 3; the lines of tests/fixtures/real/irc.

use chrono::{DateTime, Utc};

use super::line::{Line, parse_line, tag};
use super::message::{LiveMessage, live_message, message_of, sent_at};

/// One thing read from live chat, in the order Twitch sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveEvent {
    /// A chat message (`PRIVMSG`).
    Message(LiveMessage),
    /// A `USERNOTICE` (boxed: it is the largest by far, and the rarest).
    Notice(Box<UserNotice>),
    /// A `CLEARCHAT` or `CLEARMSG`.
    Moderation(Moderation),
    /// A `ROOMSTATE`.
    RoomState(RoomState),
    /// A `NOTICE` about one room.
    RoomNotice(RoomNotice),
    /// Twitch confirmed the JOIN of `channel` (its echo): the room is read from `at` on.
    Joined { channel: String, at: DateTime<Utc> },
    /// The connection ended at `at` (`reason` says why); the rooms are not read until they are joined again.
    Lost { at: DateTime<Utc>, reason: String },
}

impl LiveEvent {
    /// The room (channel login) the event is about, if one.
    pub fn channel(&self) -> Option<&str> {
        match self {
            LiveEvent::Message(m) => Some(&m.channel),
            LiveEvent::Notice(n) => Some(&n.channel),
            LiveEvent::Moderation(m) => Some(&m.channel),
            LiveEvent::RoomState(r) => Some(&r.channel),
            LiveEvent::RoomNotice(n) => Some(&n.channel),
            LiveEvent::Joined { channel, .. } => Some(channel),
            LiveEvent::Lost { .. } => None,
        }
    }
}

/// A `USERNOTICE`: an event in a room, with the fields people ask about read out of its `msg-param-*` tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserNotice {
    /// Twitch's id for the notice (also the id of the viewer's text, when there is one).
    pub id: String,
    /// `msg-id`: `sub`, `resub`, `subgift`, `submysterygift`, `raid`, `announcement`, ... (any kind is kept).
    pub kind: String,
    pub channel: String,
    pub room_id: Option<String>,
    /// Who: the subscriber, the gifter, the raiding channel, the announcer (`AnAnonymousGifter` for anonymous
    /// gifts, as Twitch sends them).
    pub user_id: Option<String>,
    pub login: Option<String>,
    pub display_name: Option<String>,
    /// Twitch's sentence for it (`system-msg`), e.g. "430 raiders from iamelisabete have joined!".
    pub system_message: Option<String>,
    /// What the viewer typed with it (a resub's message, an announcement), if anything.
    pub message: Option<LiveMessage>,
    /// Months subscribed in all (`cumulative-months`; a gift's `months`).
    pub months: Option<i64>,
    /// Months in a row, when the viewer shares it (`streak-months`).
    pub streak_months: Option<i64>,
    /// `Prime`, `1000`, `2000` or `3000` (`sub-plan`).
    pub tier: Option<String>,
    /// Subs given at once (`mass-gift-count`), or months given with one gift (`gift-months`).
    pub gift_count: Option<i64>,
    /// A gift's recipient: id, login, display name.
    pub recipient: Option<(String, String, Option<String>)>,
    /// A raid's viewers (`viewerCount`).
    pub viewer_count: Option<i64>,
    /// A Bits badge's tier (`threshold`), or a milestone's value (`value`, e.g. a watch streak of 7).
    pub threshold: Option<i64>,
    /// Every `msg-param-*` tag, without the prefix and unescaped, in the line's order.
    pub params: Vec<(String, String)>,
    /// Shared chat: the room the notice came from, when not this one.
    pub source_room_id: Option<String>,
    /// Shared chat: the original notice's id (`source-id`).
    pub source_id: Option<String>,
    /// Shared chat: the kind of the event relayed from the other room, for a `sharedchatnotice`
    /// (`source-msg-id`: `resub`, `announcement`, ...).
    pub source_kind: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub line: String,
}

/// What a moderator did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModerationAction {
    /// A user timed out for this many seconds (`CLEARCHAT` with `ban-duration`).
    Timeout { seconds: i64 },
    /// A user banned (`CLEARCHAT` naming a user, no duration).
    Ban,
    /// The whole chat cleared (`CLEARCHAT` naming nobody).
    Clear,
    /// One message deleted (`CLEARMSG`).
    Delete,
}

impl ModerationAction {
    /// The name the archive keeps: `timeout`, `ban`, `clear`, `delete`.
    pub fn name(&self) -> &'static str {
        match self {
            ModerationAction::Timeout { .. } => "timeout",
            ModerationAction::Ban => "ban",
            ModerationAction::Clear => "clear",
            ModerationAction::Delete => "delete",
        }
    }
}

/// A `CLEARCHAT` or `CLEARMSG`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moderation {
    pub action: ModerationAction,
    pub channel: String,
    /// Empty on `CLEARMSG` (Twitch sends `room-id=`).
    pub room_id: Option<String>,
    pub target_user_id: Option<String>,
    pub target_login: Option<String>,
    /// `CLEARMSG`: the deleted message's id.
    pub target_message_id: Option<String>,
    /// `CLEARMSG`: the deleted message's text, as Twitch repeats it.
    pub deleted_text: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub line: String,
}

/// A `ROOMSTATE`: the settings it names (all of them on JOIN, only the changed ones after).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomState {
    pub channel: String,
    pub room_id: Option<String>,
    pub emote_only: Option<bool>,
    /// `-1` off, `0` any follower, else minutes followed.
    pub followers_only: Option<i64>,
    pub r9k: Option<bool>,
    /// Seconds between a user's messages; `0` off.
    pub slow: Option<i64>,
    pub subs_only: Option<bool>,
    /// When it was read (ROOMSTATE has no server time).
    pub seen_at: DateTime<Utc>,
    pub line: String,
}

/// A `NOTICE` about a room: `msg-id` and Twitch's text (e.g. `msg_channel_suspended`, "This channel has been
/// suspended.").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomNotice {
    pub channel: String,
    pub kind: Option<String>,
    pub text: String,
    pub seen_at: DateTime<Utc>,
    pub line: String,
}

impl RoomNotice {
    /// True when Twitch says the room cannot be read at all (the channel is suspended, gone or unknown).
    pub fn room_unavailable(&self) -> bool {
        matches!(
            self.kind.as_deref(),
            Some("msg_channel_suspended" | "msg_room_not_found" | "tos_ban" | "msg_channel_blocked")
        )
    }
}

/// Reads one line as a [`LiveEvent`] of a room; `None` for a line about no room (PING, welcome, CAP, a NOTICE
/// to `*`, ...), which the connection handles itself. Public as `irc::parse_event`, for lines read elsewhere
/// (a log of raw lines).
pub fn live_event(raw: &str) -> Option<LiveEvent> {
    if let Some(message) = live_message(raw) {
        return Some(LiveEvent::Message(message));
    }
    let line = parse_line(raw)?;
    let room = line.params.first().filter(|room| room.starts_with('#'))?;
    let channel = room.trim_start_matches('#').to_owned();
    match line.command {
        "USERNOTICE" => user_notice(&line, raw, channel).map(|n| LiveEvent::Notice(Box::new(n))),
        "CLEARCHAT" | "CLEARMSG" => moderation(&line, raw, channel).map(LiveEvent::Moderation),
        "ROOMSTATE" => Some(LiveEvent::RoomState(room_state(&line, raw, channel))),
        "NOTICE" => Some(LiveEvent::RoomNotice(RoomNotice {
            channel,
            kind: tag(&line.tags, "msg-id"),
            text: line.params.get(1).copied().unwrap_or_default().to_owned(),
            seen_at: Utc::now(),
            line: raw.to_owned(),
        })),
        _ => None,
    }
}

fn user_notice(line: &Line<'_>, raw: &str, channel: String) -> Option<UserNotice> {
    let tags = &line.tags;
    let params: Vec<(String, String)> = tags
        .keys()
        .filter_map(|key| Some((key.strip_prefix("msg-param-")?, tag(tags, key)?)))
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
    let param = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let number = |key: &str| param(key).and_then(|v| v.parse::<i64>().ok());
    let kind = tag(tags, "msg-id").unwrap_or_else(|| "unknown".into());
    let login = tag(tags, "login");
    let message = match (line.params.get(1), &login) {
        (Some(text), Some(login)) if !text.is_empty() => message_of(line, raw, &kind, login.clone(), text),
        _ => None,
    };
    let recipient = param("recipient-id").zip(param("recipient-user-name"));
    let room_id = tag(tags, "room-id");
    Some(UserNotice {
        id: tag(tags, "id")?,
        channel,
        user_id: tag(tags, "user-id"),
        display_name: tag(tags, "display-name"),
        system_message: tag(tags, "system-msg"),
        message,
        months: number("cumulative-months").or_else(|| number("months").filter(|m| *m > 0)),
        streak_months: number("streak-months").filter(|_| param("should-share-streak").as_deref() != Some("0")),
        tier: param("sub-plan"),
        gift_count: number("mass-gift-count").or_else(|| number("gift-months")),
        recipient: recipient.map(|(id, login)| (id, login, param("recipient-display-name"))),
        viewer_count: number("viewerCount"),
        threshold: number("threshold").or_else(|| number("value")),
        source_room_id: tag(tags, "source-room-id").filter(|source| Some(source) != room_id.as_ref()),
        source_id: tag(tags, "source-id"),
        source_kind: tag(tags, "source-msg-id").filter(|_| kind == "sharedchatnotice"),
        room_id,
        login,
        kind,
        params,
        sent_at: sent_at(tags),
        line: raw.to_owned(),
    })
}

fn moderation(line: &Line<'_>, raw: &str, channel: String) -> Option<Moderation> {
    let tags = &line.tags;
    let trailing = line.params.get(1).map(|t| t.to_string()).filter(|t| !t.is_empty());
    let (action, target_login, deleted_text) = if line.command == "CLEARMSG" {
        let text = trailing.map(|t| match t.strip_prefix("\u{1}ACTION ") {
            Some(action) => action.trim_end_matches('\u{1}').to_owned(),
            None => t,
        });
        (ModerationAction::Delete, tag(tags, "login"), text)
    } else {
        let action = match (&trailing, tag(tags, "ban-duration").and_then(|d| d.parse().ok())) {
            (None, _) => ModerationAction::Clear,
            (Some(_), Some(seconds)) => ModerationAction::Timeout { seconds },
            (Some(_), None) => ModerationAction::Ban,
        };
        (action, trailing, None)
    };
    let target_message_id = tag(tags, "target-msg-id");
    if action == ModerationAction::Delete && target_message_id.is_none() {
        return None; // a deletion of nothing named
    }
    Some(Moderation {
        action,
        channel,
        room_id: tag(tags, "room-id"),
        target_user_id: tag(tags, "target-user-id"),
        target_login,
        target_message_id,
        deleted_text,
        sent_at: sent_at(tags),
        line: raw.to_owned(),
    })
}

fn room_state(line: &Line<'_>, raw: &str, channel: String) -> RoomState {
    let tags = &line.tags;
    let number = |key: &str| tag(tags, key).and_then(|v| v.parse::<i64>().ok());
    let flag = |key: &str| number(key).map(|v| v != 0);
    RoomState {
        channel,
        room_id: tag(tags, "room-id"),
        emote_only: flag("emote-only"),
        followers_only: number("followers-only"),
        r9k: flag("r9k"),
        slow: number("slow"),
        subs_only: flag("subs-only"),
        seen_at: Utc::now(),
        line: raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(raw: &str) -> UserNotice {
        match live_event(raw) {
            Some(LiveEvent::Notice(notice)) => *notice,
            other => panic!("not a notice: {other:?}"),
        }
    }

    #[test]
    fn a_gift_bomb_reads_its_count_and_each_gift_its_recipient() {
        let bomb = notice(
            "@badge-info=;badges=;color=;display-name=Giver;emotes=;id=b1;login=giver;msg-id=submysterygift;\
             msg-param-mass-gift-count=5;msg-param-sub-plan=1000;room-id=7;system-msg=Giver\\sis\\sgifting\\s5;\
             tmi-sent-ts=1700000000000;user-id=42 :tmi.twitch.tv USERNOTICE #rig",
        );
        assert_eq!(
            (bomb.kind.as_str(), bomb.gift_count, bomb.tier.as_deref()),
            ("submysterygift", Some(5), Some("1000"))
        );
        assert_eq!(bomb.system_message.as_deref(), Some("Giver is gifting 5"));
        assert_eq!(bomb.message, None, "no text typed");
        let gift = notice(
            "@id=g1;login=giver;msg-id=subgift;msg-param-months=3;msg-param-recipient-display-name=Some\\sOne;\
             msg-param-recipient-id=99;msg-param-recipient-user-name=someone;msg-param-sub-plan=2000;room-id=7;\
             user-id=42 :tmi.twitch.tv USERNOTICE #rig",
        );
        assert_eq!(
            gift.recipient,
            Some(("99".into(), "someone".into(), Some("Some One".into())))
        );
        assert_eq!(gift.months, Some(3));
    }

    #[test]
    fn a_resub_keeps_the_viewers_text_as_a_message_of_its_kind() {
        let resub = notice(
            "@emotes=25:0-4;id=r1;login=fan;display-name=Fan;msg-id=resub;msg-param-cumulative-months=14;\
             msg-param-should-share-streak=1;msg-param-streak-months=6;msg-param-sub-plan=Prime;room-id=7;\
             user-id=5 :tmi.twitch.tv USERNOTICE #rig :Kappa 14 months",
        );
        assert_eq!((resub.months, resub.streak_months), (Some(14), Some(6)));
        let text = resub.message.unwrap();
        assert_eq!(
            (text.id.as_str(), text.kind.as_str(), text.login.as_str()),
            ("r1", "resub", "fan")
        );
        assert_eq!((text.text.as_str(), text.emotes.len()), ("Kappa 14 months", 1));
        let unshared = notice(
            "@id=r2;login=fan;msg-id=resub;msg-param-cumulative-months=3;msg-param-should-share-streak=0;\
             msg-param-streak-months=3 :tmi.twitch.tv USERNOTICE #rig",
        );
        assert_eq!(
            unshared.streak_months, None,
            "a streak the viewer did not share is not recorded"
        );
    }

    #[test]
    fn moderation_reads_timeouts_bans_clears_and_deletions() {
        let read = |raw: &str| match live_event(raw) {
            Some(LiveEvent::Moderation(m)) => m,
            other => panic!("{other:?}"),
        };
        let timeout = read(
            "@ban-duration=600;room-id=7;target-user-id=5;tmi-sent-ts=1700000000000 :tmi.twitch.tv CLEARCHAT #rig :fan",
        );
        assert_eq!(timeout.action, ModerationAction::Timeout { seconds: 600 });
        assert_eq!(
            (timeout.target_user_id.as_deref(), timeout.target_login.as_deref()),
            (Some("5"), Some("fan"))
        );
        let ban = read("@room-id=7;target-user-id=5 :tmi.twitch.tv CLEARCHAT #rig fan");
        assert_eq!(
            ban.action,
            ModerationAction::Ban,
            "the trailing parameter without its colon"
        );
        assert_eq!(
            read("@room-id=7 :tmi.twitch.tv CLEARCHAT #rig").action,
            ModerationAction::Clear
        );
        let deleted = read("@login=fan;room-id=;target-msg-id=m1 :tmi.twitch.tv CLEARMSG #rig :\u{1}ACTION waves\u{1}");
        assert_eq!(
            (
                deleted.action,
                deleted.room_id,
                deleted.target_message_id.as_deref(),
                deleted.deleted_text.as_deref()
            ),
            (ModerationAction::Delete, None, Some("m1"), Some("waves"))
        );
    }

    #[test]
    fn room_state_names_only_what_it_sends() {
        let Some(LiveEvent::RoomState(full)) = live_event(
            "@emote-only=0;followers-only=-1;r9k=0;room-id=7;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #rig",
        ) else {
            panic!()
        };
        assert_eq!(
            (
                full.emote_only,
                full.followers_only,
                full.r9k,
                full.slow,
                full.subs_only
            ),
            (Some(false), Some(-1), Some(false), Some(0), Some(false))
        );
        let Some(LiveEvent::RoomState(change)) = live_event("@room-id=7;slow=30 :tmi.twitch.tv ROOMSTATE #rig") else {
            panic!()
        };
        assert_eq!(
            (change.slow, change.emote_only, change.followers_only),
            (Some(30), None, None)
        );
    }

    #[test]
    fn lines_about_no_room_are_not_events() {
        assert_eq!(live_event("PING :tmi.twitch.tv"), None);
        assert_eq!(live_event(":tmi.twitch.tv NOTICE * :Login authentication failed"), None);
        assert_eq!(live_event(":tmi.twitch.tv 001 justinfan1 :Welcome, GLHF!"), None);
        let Some(LiveEvent::RoomNotice(suspended)) =
            live_event("@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #gone :This channel has been suspended.")
        else {
            panic!()
        };
        assert!(suspended.room_unavailable());
        assert_eq!(suspended.text, "This channel has been suspended.");
    }
}
