//! A chat message seen live: `PRIVMSG #channel :text` with its IRCv3 tags (message id, user id, colour,
//! badges, emotes, server time, the shared-chat origin) read into a [`LiveMessage`]. The text a viewer types
//! with a USERNOTICE (a resub, an announcement) is read the same way, by [`message_of`].

use chrono::{DateTime, Utc};

use super::line::{Line, Tags, parse_line, tag};

/// One chat message seen live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveMessage {
    /// Twitch's message id (the same id chat replay gives the message later). In a shared chat each room gets
    /// its own copy under its own id; [`LiveMessage::source_id`] is the original's.
    pub id: String,
    /// `chat` for a plain PRIVMSG, or the special kind Twitch tags it with (`msg-id`: `highlighted-message`,
    /// `user-intro`, `gigantified-emote-message`, ...); for the text typed with a USERNOTICE, the notice's kind
    /// (`resub`, `announcement`, ...).
    pub kind: String,
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
    /// `(emote id, first, last)`: inclusive character (code point) positions in `text`, as Twitch sent them
    /// (they can run past the end of the text, or be off by one around a `/me`: never index `text` blindly).
    pub emotes: Vec<(String, usize, usize)>,
    /// The message; a `/me` action without its `ACTION` wrapper.
    pub text: String,
    /// Shared chat: the room the message was sent in (`source-room-id`), when it is not this one.
    pub source_room_id: Option<String>,
    /// Shared chat: the original message's id (`source-id`), when this is a copy relayed from another room.
    pub source_id: Option<String>,
    /// When Twitch's server received it (`tmi-sent-ts`), or when it was read if the tag is missing.
    pub sent_at: DateTime<Utc>,
    /// The IRC line as received.
    pub line: String,
}

/// Reads `PRIVMSG #channel :text` with its tags as a [`LiveMessage`]; `None` for any other line.
pub(super) fn live_message(raw: &str) -> Option<LiveMessage> {
    let line = parse_line(raw)?;
    let (command, [_, text]) = (line.command, line.params.as_slice()) else {
        return None;
    };
    if command != "PRIVMSG" {
        return None;
    }
    let login = line.nick.to_owned();
    let kind = tag(&line.tags, "msg-id").unwrap_or_else(|| "chat".into());
    message_of(&line, raw, &kind, login, text)
}

/// A message of kind `kind` said by `login` in `line`'s room: `text` with the line's tags.
pub(super) fn message_of(line: &Line<'_>, raw: &str, kind: &str, login: String, text: &str) -> Option<LiveMessage> {
    let room = line.params.first()?;
    let text = match text.strip_prefix("\u{1}ACTION ") {
        Some(action) => action.trim_end_matches('\u{1}'),
        None => text,
    };
    let tags = &line.tags;
    let room_id = tag(tags, "room-id");
    Some(LiveMessage {
        id: tag(tags, "id")?,
        kind: kind.to_owned(),
        channel: room.trim_start_matches('#').to_owned(),
        source_room_id: tag(tags, "source-room-id").filter(|source| Some(source) != room_id.as_ref()),
        source_id: tag(tags, "source-id"),
        room_id,
        user_id: tag(tags, "user-id"),
        login,
        display_name: tag(tags, "display-name"),
        color: tag(tags, "color"),
        badges: badges(tag(tags, "badges")),
        emotes: emotes(tag(tags, "emotes")),
        text: text.to_owned(),
        sent_at: sent_at(tags),
        line: raw.to_owned(),
    })
}

/// When Twitch's server received the line (`tmi-sent-ts`), or now if the tag is missing.
pub(super) fn sent_at(tags: &Tags<'_>) -> DateTime<Utc> {
    tag(tags, "tmi-sent-ts")
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_else(Utc::now)
}

/// `badges=subscriber/12,premium/1` as `(set, version)` pairs.
pub(super) fn badges(value: Option<String>) -> Vec<(String, String)> {
    value
        .unwrap_or_default()
        .split(',')
        .filter_map(|item| item.split_once('/'))
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

/// `emotes=25:0-4,12-16/1902:6-10` as `(id, first, last)` in text order, positions as Twitch sent them.
fn emotes(value: Option<String>) -> Vec<(String, usize, usize)> {
    let mut emotes: Vec<(String, usize, usize)> = value
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
    emotes
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
