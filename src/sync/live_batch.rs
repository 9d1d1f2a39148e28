//! One batch of live chat, from what the IRC client read ([`LiveEvent`]) to the archive's rows: messages (a
//! shared-chat copy stored once under its original's id, and linked to each room it was read in), events,
//! moderation (saved after the batch's messages, so a timeout marks a message read a moment before it), room
//! settings, notices, and the gaps between a lost connection and the next JOIN of each room.

use std::collections::{HashMap, HashSet};

use super::chat::{BadgeJson, EmoteJson, FragmentJson, to_json};
use crate::archive::chat::{self, ChatMessage};
use crate::archive::chat_events::{self, Account, ChatEvent, ModerationEvent, RoomSettings, Seen};
use crate::archive::{Timestamp, timestamp};
use crate::client::helix::users::User;
use crate::client::irc::{LiveEvent, LiveMessage, Moderation, ModerationAction, RoomState, UserNotice};

/// What a recording came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveSummary {
    /// Messages stored per channel login.
    pub messages: HashMap<String, u64>,
    /// Events (subs, gifts, raids, ... and timeouts, bans, deletions) stored per channel login.
    pub events: HashMap<String, u64>,
    /// What Twitch said about a channel it would not let us read (e.g. "This channel has been suspended.").
    pub unavailable: HashMap<String, String>,
    /// Times a room was joined again after the connection was lost (Twitch's RECONNECT or a drop), in the
    /// busiest room: each such hole is a row of `chat_gaps`.
    pub reconnects: u32,
}

/// The recorded rooms: login → the channel's user id.
pub(super) struct Rooms {
    ids: HashMap<String, String>,
    recorded: HashSet<String>,
}

impl Rooms {
    pub fn new(channels: &[User]) -> Rooms {
        let ids: HashMap<String, String> = channels.iter().map(|c| (c.login.clone(), c.id.to_string())).collect();
        let recorded = ids.values().cloned().collect();
        Rooms { ids, recorded }
    }

    pub fn id(&self, login: &str) -> Option<&str> {
        self.ids.get(login).map(String::as_str)
    }

    pub fn logins(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(String::as_str)
    }
}

/// Rooms whose connection was lost and that were not joined again yet: login → (since, why).
#[derive(Default)]
pub(super) struct OpenGaps(HashMap<String, (Timestamp, String)>);

/// A batch, as the archive saves it.
pub(super) struct LiveBatch {
    /// Per room's user id: messages with when each was read.
    messages: HashMap<String, Vec<(ChatMessage, Timestamp)>>,
    /// Shared chat: (stored message id, room's user id, the id it had there).
    copies: Vec<(String, String, String)>,
    events: Vec<ChatEvent>,
    moderation: Vec<ModerationEvent>,
    room_states: Vec<(String, RoomSettings, String)>,
    /// (room's user id, msg-id, text, line)
    notices: Vec<(String, Option<String>, String, String)>,
    /// (room's user id, from, to, why)
    gaps: Vec<(String, Timestamp, Timestamp, String)>,
    /// Per login: messages and events, for the summary; Twitch's word on rooms it would not serve.
    counts: HashMap<String, (u64, u64)>,
    unavailable: Vec<(String, String)>,
    /// When the batch was read: its rows' `first_seen_at`.
    seen_at: Timestamp,
}

impl LiveBatch {
    /// The batch of `events` about the recorded rooms or the connection (others are left out), taking at most
    /// `left` messages: reading stops at the one that reaches the limit.
    pub fn of(
        events: impl Iterator<Item = LiveEvent>,
        rooms: &Rooms,
        gaps: &mut OpenGaps,
        mut left: Option<u64>,
    ) -> LiveBatch {
        let mut batch = LiveBatch {
            messages: HashMap::new(),
            copies: Vec::new(),
            events: Vec::new(),
            moderation: Vec::new(),
            room_states: Vec::new(),
            notices: Vec::new(),
            gaps: Vec::new(),
            counts: HashMap::new(),
            unavailable: Vec::new(),
            seen_at: Timestamp::now(),
        };
        for event in events {
            if left == Some(0) {
                break;
            }
            if event.channel().is_some_and(|login| rooms.id(login).is_none()) {
                continue; // a room this recording did not join
            }
            let is_message = matches!(&event, LiveEvent::Message(_))
                || matches!(&event, LiveEvent::Notice(n) if n.message.is_some());
            batch.add(event, rooms, gaps);
            if is_message {
                left = left.map(|l| l - 1);
            }
        }
        batch
    }

    fn add(&mut self, event: LiveEvent, rooms: &Rooms, gaps: &mut OpenGaps) {
        let room = event.channel().and_then(|login| rooms.id(login)).map(str::to_owned);
        match (event, room) {
            (LiveEvent::Lost { at, reason }, _) => {
                for login in rooms.logins() {
                    gaps.0
                        .entry(login.to_owned())
                        .or_insert((Timestamp::from(at), reason.clone()));
                }
            }
            (LiveEvent::Joined { channel, at }, Some(room)) => {
                if let Some((from, why)) = gaps.0.remove(&channel) {
                    self.gaps.push((room, from, Timestamp::from(at), why));
                }
            }
            (LiveEvent::Message(message), Some(room)) => self.add_message(message, room, rooms),
            (LiveEvent::Notice(notice), Some(room)) => self.add_notice(*notice, room, rooms),
            (LiveEvent::Moderation(moderation), Some(room)) => {
                self.counts.entry(moderation.channel.clone()).or_default().1 += 1;
                self.moderation.push(moderation_row(moderation, room));
            }
            (LiveEvent::RoomState(state), Some(room)) => {
                let line = state.line.clone();
                self.room_states.push((room, settings(state), line));
            }
            (LiveEvent::RoomNotice(notice), Some(room)) => {
                if notice.room_unavailable() {
                    self.unavailable.push((notice.channel.clone(), notice.text.clone()));
                }
                self.notices.push((room, notice.kind, notice.text, notice.line));
            }
            _ => {}
        }
    }

    /// A message read in `room`. A shared-chat copy is stored under the original's id, in the room it was
    /// sent in when that room is recorded too, and linked to the room it was read in.
    fn add_message(&mut self, message: LiveMessage, room: String, rooms: &Rooms) {
        self.counts.entry(message.channel.clone()).or_default().0 += 1;
        let owner = match (&message.source_id, &message.source_room_id) {
            (Some(original), source) => {
                self.copies.push((original.clone(), room.clone(), message.id.clone()));
                source.clone().filter(|s| rooms.recorded.contains(s)).unwrap_or(room)
            }
            (None, _) => room,
        };
        let seen_at = self.seen_at.clone();
        let mut row = row(message);
        // Stored in the room it was sent in: no other room to name.
        row.source_room_id.take_if(|source| *source == owner);
        self.messages.entry(owner).or_default().push((row, seen_at));
    }

    fn add_notice(&mut self, mut notice: UserNotice, room: String, rooms: &Rooms) {
        self.counts.entry(notice.channel.clone()).or_default().1 += 1;
        let text = notice.message.take();
        let has_message = text.is_some();
        if let Some(message) = text {
            self.add_message(message, room.clone(), rooms);
        }
        self.events.push(event_row(notice, room, has_message));
    }

    /// Adds the batch's counts to `summary`.
    pub fn count(&self, summary: &mut LiveSummary) {
        for (login, (messages, events)) in &self.counts {
            *summary.messages.entry(login.clone()).or_default() += messages;
            *summary.events.entry(login.clone()).or_default() += events;
        }
        let mut gaps: HashMap<&str, u32> = HashMap::new();
        for (room, ..) in &self.gaps {
            *gaps.entry(room).or_default() += 1;
        }
        summary.reconnects += gaps.values().copied().max().unwrap_or(0);
        for (login, text) in &self.unavailable {
            summary.unavailable.insert(login.clone(), text.clone());
        }
    }

    /// Saves the batch in the caller's transaction: messages first, so the batch's moderation finds them.
    pub fn save(&self, tx: &rusqlite::Transaction<'_>, run: Option<i64>) -> rusqlite::Result<()> {
        let seen = Seen { at: &self.seen_at, run };
        for (room, messages) in &self.messages {
            chat::save_live_messages(tx, room, messages, run)?;
        }
        chat_events::save_room_copies(tx, &self.copies)?;
        chat_events::save_chat_events(tx, &self.events, seen)?;
        for event in &self.moderation {
            chat_events::save_moderation(tx, event, seen)?;
        }
        for (room, state, line) in &self.room_states {
            chat_events::save_room_state(tx, room, state, line, seen)?;
        }
        for (room, kind, text, line) in &self.notices {
            chat_events::save_room_notice(tx, room, kind.as_deref(), text, line, seen)?;
        }
        for (room, from, to, why) in &self.gaps {
            chat_events::save_gap(tx, room, from, to, why, run)?;
        }
        Ok(())
    }
}

fn account(id: Option<String>, login: Option<String>, name: Option<String>) -> Option<Account> {
    Some((id?, login?, name))
}

fn event_row(n: UserNotice, room: String, has_message: bool) -> ChatEvent {
    let params: serde_json::Map<String, serde_json::Value> = n
        .params
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    ChatEvent {
        id: n.id,
        broadcaster_id: room,
        kind: n.kind,
        user: account(n.user_id, n.login, n.display_name),
        created_at: timestamp(n.sent_at),
        months: n.months,
        streak_months: n.streak_months,
        tier: n.tier,
        gift_count: n.gift_count,
        recipient: n.recipient,
        viewer_count: n.viewer_count,
        threshold: n.threshold,
        system_message: n.system_message,
        has_message,
        source_room_id: n.source_room_id,
        source_kind: n.source_kind,
        params_json: to_json(&params),
        irc_line: n.line,
    }
}

fn moderation_row(m: Moderation, room: String) -> ModerationEvent {
    ModerationEvent {
        broadcaster_id: room,
        action: m.action.name(),
        created_at: timestamp(m.sent_at),
        target_user_id: m.target_user_id,
        target_login: m.target_login,
        duration_seconds: match m.action {
            ModerationAction::Timeout { seconds } => Some(seconds),
            _ => None,
        },
        target_message_id: m.target_message_id,
        deleted_text: m.deleted_text,
        irc_line: m.line,
    }
}

fn settings(state: RoomState) -> RoomSettings {
    RoomSettings {
        emote_only: state.emote_only,
        followers_only: state.followers_only,
        r9k: state.r9k,
        slow_seconds: state.slow,
        subs_only: state.subs_only,
    }
}

/// The fragments of `text` cut by emote positions (code points, inclusive). A range that runs past the end of
/// the text is clamped to it, as Twitch's clients do (`Kappa` at 41-45 of a 44-character text shows `ppa`);
/// one that starts past the end, or overlaps the one before, shows nothing; the emotes keep Twitch's
/// positions as sent.
fn fragments(text: &str, emotes: &[(String, usize, usize)]) -> Vec<(Option<String>, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut fragments = Vec::new();
    let mut at = 0;
    for (id, first, last) in emotes {
        let last = (*last).min(chars.len().saturating_sub(1));
        if *first < at || *first >= chars.len() || *first > last {
            continue;
        }
        if *first > at {
            fragments.push((None, chars[at..*first].iter().collect::<String>()));
        }
        fragments.push((Some(id.clone()), chars[*first..=last].iter().collect()));
        at = last + 1;
    }
    if at < chars.len() || fragments.is_empty() {
        fragments.push((None, chars[at..].iter().collect()));
    }
    fragments
}

/// A live message as the archive stores it: the IRC line verbatim in `raw_json` (`{"irc": line}`), the parts
/// reports use in columns, fragments rebuilt from the emote positions. A shared-chat copy is stored under
/// its original's id.
fn row(message: LiveMessage) -> ChatMessage {
    let fragments = fragments(&message.text, &message.emotes);
    let fragments: Vec<FragmentJson<'_>> = fragments
        .iter()
        .map(|(emote_id, text)| FragmentJson {
            emote_id: emote_id.as_deref(),
            text: Some(text),
        })
        .collect();
    let emotes: Vec<EmoteJson> = message
        .emotes
        .iter()
        .map(|(id, first, last)| EmoteJson {
            begin: Some(*first as i64),
            end: Some(*last as i64),
            id: id.clone(),
        })
        .collect();
    let badges: Vec<BadgeJson<'_>> = message
        .badges
        .iter()
        .map(|(set_id, version)| BadgeJson { set_id, version })
        .collect();
    let (fragments_json, emotes_json, badges_json) = (to_json(&fragments), to_json(&emotes), to_json(&badges));
    ChatMessage {
        raw_json: to_json(&serde_json::json!({ "irc": message.line })),
        id: message.source_id.unwrap_or(message.id),
        user_login: Some(message.login),
        user_id: message.user_id,
        user_name: message.display_name,
        offset_seconds: None,
        created_at: timestamp(message.sent_at),
        created_at_corrected: false,
        text: message.text,
        fragments_json,
        emotes_json,
        badges_json,
        color: message.color,
        kind: message.kind,
        source_room_id: message.source_room_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::irc::parse_event;
    use rusqlite::Connection;

    /// An archive with two recorded channels, `rig` (id 7) and `pal` (id 8), and the rooms for a batch.
    fn archive() -> (tempfile::TempDir, Connection, Rooms) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES
                 ('7', 'rig', 't', 't'), ('8', 'pal', 't', 't');",
        )
        .unwrap();
        let ids = [("rig", "7"), ("pal", "8")].map(|(l, i)| (l.to_owned(), i.to_owned()));
        let rooms = Rooms {
            recorded: ids.iter().map(|(_, id)| id.clone()).collect(),
            ids: ids.into_iter().collect(),
        };
        (dir, conn, rooms)
    }

    /// Saves `lines` (IRC lines, in order) as one batch.
    fn save(conn: &mut Connection, rooms: &Rooms, gaps: &mut OpenGaps, lines: &[String]) {
        let events = lines.iter().map(|l| parse_event(l).unwrap_or_else(|| panic!("{l}")));
        let batch = LiveBatch::of(events, rooms, gaps, None);
        let tx = conn.transaction().unwrap();
        batch.save(&tx, None).unwrap();
        tx.commit().unwrap();
    }

    /// `PRIVMSG` `id` by user `user` in `room` at second `at` of 2026-12-01T10:00.
    fn said(room: &str, id: &str, user: u32, at: u32) -> String {
        format!(
            "@id={id};room-id=7;tmi-sent-ts={};user-id={user} :u{user}!u{user}@u{user}.tmi.twitch.tv PRIVMSG #{room} :hello {id}",
            1_796_119_200_000u64 + u64::from(at) * 1000
        )
    }

    fn ms(at: u32) -> u64 {
        1_796_119_200_000u64 + u64::from(at) * 1000
    }

    fn column(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn a_timeout_marks_exactly_the_users_earlier_messages_and_a_deletion_exactly_one() {
        let (_dir, mut conn, rooms) = archive();
        let mut gaps = OpenGaps::default();
        let timeout = format!(
            "@ban-duration=600;room-id=7;target-user-id=1;tmi-sent-ts={} :tmi.twitch.tv CLEARCHAT #rig :u1",
            ms(3)
        );
        save(
            &mut conn,
            &rooms,
            &mut gaps,
            &[said("rig", "a", 1, 0), said("rig", "b", 2, 1)],
        );
        // The timeout comes in the same batch as one of the messages it takes out, and before one said after it.
        save(
            &mut conn,
            &rooms,
            &mut gaps,
            &[said("rig", "c", 1, 2), timeout, said("rig", "d", 1, 4)],
        );
        save(&mut conn, &rooms, &mut gaps, &[said("pal", "e", 1, 2)]);
        let deleted = "SELECT id FROM chat_messages WHERE deleted_at IS NOT NULL ORDER BY id";
        assert_eq!(column(&conn, deleted), ["a", "c"], "u1's earlier messages in rig only");
        let marked: i64 = conn
            .query_row("SELECT messages_marked FROM chat_moderation", [], |r| r.get(0))
            .unwrap();
        assert_eq!(marked, 2);
        let by: Vec<String> = column(
            &conn,
            "SELECT DISTINCT deleted_at || ' ' || deleted_by FROM chat_messages WHERE deleted_by IS NOT NULL",
        );
        assert_eq!(by, ["2026-12-01T10:00:03Z 1"], "when, and by which event");

        let clearmsg = format!(
            "@login=u2;room-id=;target-msg-id=b;tmi-sent-ts={} :tmi.twitch.tv CLEARMSG #rig :hello b",
            ms(5)
        );
        save(
            &mut conn,
            &rooms,
            &mut gaps,
            &[said("rig", "f", 2, 5), clearmsg.clone()],
        );
        assert_eq!(column(&conn, deleted), ["a", "b", "c"], "exactly the one deleted");
        save(&mut conn, &rooms, &mut gaps, &[clearmsg]);
        let events: i64 = conn
            .query_row("SELECT count(*) FROM chat_moderation", [], |r| r.get(0))
            .unwrap();
        assert_eq!(events, 2, "the same line read twice is one event");
        let author: String = conn
            .query_row(
                "SELECT target_user_id FROM chat_moderation WHERE action = 'delete'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(author, "2", "a deletion's author, from the archived message");
    }

    #[test]
    fn a_chat_clear_marks_every_message_of_the_room_since_the_last_clear() {
        let (_dir, mut conn, rooms) = archive();
        let clear = |at: u32| format!("@room-id=7;tmi-sent-ts={} :tmi.twitch.tv CLEARCHAT #rig", ms(at));
        save(
            &mut conn,
            &rooms,
            &mut OpenGaps::default(),
            &[
                said("rig", "a", 1, 0),
                said("rig", "b", 2, 1),
                said("pal", "p", 1, 1),
                clear(2),
            ],
        );
        save(
            &mut conn,
            &rooms,
            &mut OpenGaps::default(),
            &[said("rig", "c", 3, 3), clear(4), said("rig", "d", 1, 5)],
        );
        let marks = column(
            &conn,
            "SELECT id || ' ' || coalesce(deleted_by, '-') FROM chat_messages ORDER BY id",
        );
        assert_eq!(
            marks,
            ["a 1", "b 1", "c 2", "d -", "p -"],
            "each clear takes what the room showed, not another room's"
        );
        let counts = column(
            &conn,
            "SELECT CAST(messages_marked AS TEXT) FROM chat_moderation ORDER BY seq",
        );
        assert_eq!(counts, ["2", "1"]);
    }

    #[test]
    fn a_shared_chat_message_is_stored_once_and_linked_to_each_room() {
        let (_dir, mut conn, rooms) = archive();
        let original = "@id=orig;room-id=7;source-id=orig;source-room-id=7;tmi-sent-ts=1796119200000;user-id=1 :u1!u1@u1.tmi.twitch.tv PRIVMSG #rig :together";
        let copy = "@id=copy;room-id=8;source-id=orig;source-room-id=7;tmi-sent-ts=1796119200000;user-id=1 :u1!u1@u1.tmi.twitch.tv PRIVMSG #pal :together";
        save(
            &mut conn,
            &rooms,
            &mut OpenGaps::default(),
            &[copy.to_owned(), original.to_owned()],
        );
        let stored = column(
            &conn,
            "SELECT id || ' ' || broadcaster_id || ' ' || coalesce(source_room_id, '-') FROM chat_messages",
        );
        assert_eq!(
            stored,
            ["orig 7 -"],
            "once, under the original's id, in the room it was sent in"
        );
        let rooms_of = column(
            &conn,
            "SELECT broadcaster_id || ' ' || room_message_id FROM chat_message_rooms ORDER BY 1",
        );
        assert_eq!(rooms_of, ["7 orig", "8 copy"]);
        let delete_copy =
            "@login=u1;room-id=;target-msg-id=copy;tmi-sent-ts=1796119201000 :tmi.twitch.tv CLEARMSG #pal :together";
        save(&mut conn, &rooms, &mut OpenGaps::default(), &[delete_copy.to_owned()]);
        assert_eq!(
            column(&conn, "SELECT id FROM chat_messages WHERE deleted_at IS NOT NULL"),
            ["orig"],
            "deleted by its id in that room"
        );
    }

    #[test]
    fn events_keep_their_typed_columns_and_the_viewers_text_is_a_message() {
        let (_dir, mut conn, rooms) = archive();
        let resub = "@id=r1;login=fan;display-name=Fan;msg-id=resub;msg-param-cumulative-months=14;\
                     msg-param-sub-plan=2000;room-id=7;system-msg=Fan\\ssubscribed;tmi-sent-ts=1796119200000;user-id=5 \
                     :tmi.twitch.tv USERNOTICE #rig :still here";
        let raid = "@id=r2;login=friend;msg-id=raid;msg-param-viewerCount=430;room-id=7;tmi-sent-ts=1796119260000;\
                    user-id=6 :tmi.twitch.tv USERNOTICE #rig";
        save(
            &mut conn,
            &rooms,
            &mut OpenGaps::default(),
            &[resub.to_owned(), raid.to_owned()],
        );
        let events = column(
            &conn,
            "SELECT kind || ' ' || user_login || ' ' || coalesce(months, '-') || ' ' || coalesce(tier, '-') || ' ' ||
                 coalesce(viewer_count, '-') || ' ' || has_message || ' ' || coalesce(system_message, '-') FROM chat_events ORDER BY id",
        );
        assert_eq!(
            events,
            ["resub fan 14 2000 - 1 Fan subscribed", "raid friend - - 430 0 -"]
        );
        let text = column(&conn, "SELECT id || ' ' || kind || ' ' || text FROM chat_messages");
        assert_eq!(
            text,
            ["r1 resub still here"],
            "searchable like any message, with its kind"
        );
        let params: String = conn
            .query_row("SELECT params_json FROM chat_events WHERE id = 'r1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(params, r#"{"cumulative-months":"14","sub-plan":"2000"}"#);
    }

    #[test]
    fn room_settings_are_a_history_of_changes_and_gaps_run_from_the_loss_to_the_join() {
        let (_dir, mut conn, rooms) = archive();
        let mut gaps = OpenGaps::default();
        let full = "@emote-only=0;followers-only=-1;r9k=0;room-id=7;slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #rig";
        let slow = "@room-id=7;slow=30 :tmi.twitch.tv ROOMSTATE #rig";
        save(
            &mut conn,
            &rooms,
            &mut gaps,
            &[full.to_owned(), full.to_owned(), slow.to_owned()],
        );
        save(&mut conn, &rooms, &mut gaps, &[full.replace("slow=0", "slow=30")]);
        let states = column(
            &conn,
            "SELECT emote_only || followers_only || r9k || ' ' || slow_seconds FROM room_states ORDER BY seq",
        );
        assert_eq!(
            states,
            ["0-10 0", "0-10 30"],
            "a change holds the whole state; a repeat is no change"
        );

        let lost = chrono::DateTime::from_timestamp(1_796_119_200, 0).unwrap();
        let joined = lost + chrono::Duration::seconds(3);
        let events = [
            LiveEvent::Lost {
                at: lost,
                reason: "Twitch asked to reconnect".into(),
            },
            LiveEvent::Joined {
                channel: "rig".into(),
                at: joined,
            },
        ];
        let batch = LiveBatch::of(events.into_iter(), &rooms, &mut gaps, None);
        let tx = conn.transaction().unwrap();
        batch.save(&tx, None).unwrap();
        tx.commit().unwrap();
        let holes = column(
            &conn,
            "SELECT broadcaster_id || ' ' || started_at || ' ' || ended_at FROM chat_gaps",
        );
        assert_eq!(
            holes,
            ["7 2026-12-01T10:00:00Z 2026-12-01T10:00:03Z"],
            "pal is not joined again yet: its gap is open"
        );
        assert_eq!(gaps.0.len(), 1);
    }

    #[test]
    fn a_vods_replay_fills_the_live_records_gap_once_and_is_marked_by_what_was_seen_live() {
        let (_dir, mut conn, rooms) = archive();
        conn.execute_batch(
            "INSERT INTO videos (id, user_id, type, created_at, duration_seconds, first_seen_at, last_seen_at)
             VALUES ('v1', '7', 'archive', '2026-12-01T10:00:00Z', 60, 't', 't');",
        )
        .unwrap();
        let mut gaps = OpenGaps::default();
        let timeout = format!(
            "@room-id=7;target-user-id=2;tmi-sent-ts={} :tmi.twitch.tv CLEARCHAT #rig :u2",
            ms(30)
        );
        save(
            &mut conn,
            &rooms,
            &mut gaps,
            &[said("rig", "a", 1, 0), said("rig", "d", 1, 20), timeout],
        );
        // The replay has every message: the two heard live, and the two said while the connection was down.
        let replayed = |id: &str, user: u32, at: u64| ChatMessage {
            id: id.into(),
            user_id: Some(user.to_string()),
            user_login: Some(format!("u{user}")),
            user_name: None,
            offset_seconds: Some(at),
            created_at: format!("2026-12-01T10:00:{at:02}Z"),
            created_at_corrected: false,
            text: format!("hello {id}"),
            fragments_json: "[]".into(),
            emotes_json: "[]".into(),
            badges_json: "[]".into(),
            color: None,
            raw_json: "{}".into(),
            kind: "chat".into(),
            source_room_id: None,
        };
        let video = chat::load_chat_video(&conn, "v1").unwrap().unwrap();
        let page = chat::ChatPage {
            segment: 0,
            messages: vec![
                replayed("a", 1, 0),
                replayed("b", 2, 5),
                replayed("c", 2, 10),
                replayed("d", 1, 20),
            ],
            next_cursor: None,
            seen_at: Timestamp::now(),
        };
        let tx = conn.transaction().unwrap();
        tx.execute(
            "INSERT INTO chat_segments (video_id, segment, start_seconds, updated_at) VALUES ('v1', 0, 0, 't')",
            [],
        )
        .unwrap();
        chat::save_chat_pages(&tx, &video, &[page], None).unwrap();
        chat::finish_chat(&tx, "v1", &Timestamp::now()).unwrap();
        tx.commit().unwrap();
        let stored = column(
            &conn,
            "SELECT id || ' ' || source || ' ' || (deleted_at IS NOT NULL) FROM chat_messages ORDER BY id",
        );
        assert_eq!(
            stored,
            ["a live 0", "b replay 1", "c replay 1", "d live 0"],
            "once each by id; the gap filled; the timeout seen live marks u2's replayed messages"
        );
    }

    use super::fragments;

    #[test]
    fn emote_ranges_past_the_end_are_clamped_as_twitch_clients_do() {
        let text = "Då kan du begära skadestånd och förtal Kappa"; // 44 code points
        let cut = |first, last| fragments(text, &[("25".into(), first, last)]);
        let emote = |f: Vec<(Option<String>, String)>| f.into_iter().find(|(id, _)| id.is_some()).map(|(_, t)| t);
        assert_eq!(emote(cut(39, 43)).as_deref(), Some("Kappa"), "in range");
        assert_eq!(emote(cut(41, 45)).as_deref(), Some("ppa"), "clamped to the text's end");
        assert_eq!(emote(cut(45, 49)), None, "starts past the end: nothing to show");
        let joined: String = cut(41, 45).into_iter().map(|(_, t)| t).collect();
        assert_eq!(joined, text, "no character lost or repeated");
    }
}
