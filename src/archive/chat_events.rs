//! What live chat says besides messages: events (`chat_events`: subs, gifts, raids, announcements), moderation
//! (`chat_moderation`, which marks the messages it took out of the chat in `chat_messages.deleted_at`), the
//! room's settings over time (`room_states`), Twitch's notices about a room (`chat_notices`), the holes in a
//! recording (`chat_gaps`) and the rooms a shared-chat message appeared in (`chat_message_rooms`).

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Timestamp;

/// How far back a timeout, a ban or a chat clear reaches: Twitch takes the messages out of the chat people
/// still see, which a client holds for a few hours at most. A day keeps the mark on this stream's messages
/// without reaching last week's.
pub const MODERATION_REACH_HOURS: i64 = 24;

/// When and by which run a row was written.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    pub at: &'a Timestamp,
    pub run: Option<i64>,
}

/// An account named by a line: id, login, display name.
pub type Account = (String, String, Option<String>);

/// A USERNOTICE, as `chat_events` keeps it.
#[derive(Clone, Debug, Default)]
pub struct ChatEvent {
    pub id: String,
    pub broadcaster_id: String,
    pub kind: String,
    pub user: Option<Account>,
    pub created_at: String,
    pub months: Option<i64>,
    pub streak_months: Option<i64>,
    pub tier: Option<String>,
    pub gift_count: Option<i64>,
    pub recipient: Option<Account>,
    pub viewer_count: Option<i64>,
    pub threshold: Option<i64>,
    pub system_message: Option<String>,
    pub has_message: bool,
    pub source_room_id: Option<String>,
    pub source_kind: Option<String>,
    pub params_json: String,
    pub irc_line: String,
}

/// A CLEARCHAT or CLEARMSG, as `chat_moderation` keeps it.
#[derive(Clone, Debug, Default)]
pub struct ModerationEvent {
    pub broadcaster_id: String,
    /// `timeout`, `ban`, `clear` or `delete`.
    pub action: &'static str,
    pub created_at: String,
    pub target_user_id: Option<String>,
    pub target_login: Option<String>,
    pub duration_seconds: Option<i64>,
    pub target_message_id: Option<String>,
    pub deleted_text: Option<String>,
    pub irc_line: String,
}

/// A room's settings; `None` where Twitch has not said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomSettings {
    pub emote_only: Option<bool>,
    pub followers_only: Option<i64>,
    pub r9k: Option<bool>,
    pub slow_seconds: Option<i64>,
    pub subs_only: Option<bool>,
}

impl RoomSettings {
    /// These settings with `change`'s on top (a ROOMSTATE after JOIN names only what changed).
    fn with(&self, change: &RoomSettings) -> RoomSettings {
        RoomSettings {
            emote_only: change.emote_only.or(self.emote_only),
            followers_only: change.followers_only.or(self.followers_only),
            r9k: change.r9k.or(self.r9k),
            slow_seconds: change.slow_seconds.or(self.slow_seconds),
            subs_only: change.subs_only.or(self.subs_only),
        }
    }
}

/// Saves the accounts events name as partial users (see [`super::users::save_chat_users`]).
fn save_accounts<'a>(
    tx: &Transaction<'_>,
    accounts: impl IntoIterator<Item = &'a Account>,
    seen: Seen<'a>,
) -> rusqlite::Result<()> {
    let accounts = accounts
        .into_iter()
        .map(|(id, login, name)| (id.as_str(), Some(login.as_str()), name.as_deref(), seen.at));
    super::users::save_chat_users(tx, accounts, seen.run)
}

/// Saves events once each by Twitch's id; returns how many were new.
pub fn save_chat_events(tx: &Transaction<'_>, events: &[ChatEvent], seen: Seen<'_>) -> rusqlite::Result<usize> {
    save_accounts(tx, events.iter().flat_map(|e| e.user.iter().chain(&e.recipient)), seen)?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO chat_events (id, broadcaster_id, kind, user_id, user_login, user_name, created_at, months,
             streak_months, tier, gift_count, recipient_id, recipient_login, recipient_name, viewer_count,
             threshold, system_message, has_message, source_room_id, source_kind, params_json, irc_line,
             first_seen_at, sync_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
             ?22, ?23, ?24)
         ON CONFLICT (id) DO NOTHING",
    )?;
    let mut new = 0;
    for e in events {
        let (user, recipient) = (e.user.as_ref(), e.recipient.as_ref());
        new += insert.execute(params![
            e.id,
            e.broadcaster_id,
            e.kind,
            user.map(|u| &u.0),
            user.map(|u| &u.1),
            user.and_then(|u| u.2.as_ref()),
            e.created_at,
            e.months,
            e.streak_months,
            e.tier,
            e.gift_count,
            recipient.map(|r| &r.0),
            recipient.map(|r| &r.1),
            recipient.and_then(|r| r.2.as_ref()),
            e.viewer_count,
            e.threshold,
            e.system_message,
            e.has_message,
            e.source_room_id,
            e.source_kind,
            e.params_json,
            e.irc_line,
            seen.at,
            seen.run,
        ])?;
    }
    Ok(new)
}

/// Saves a moderation event (once: the same line read twice is one event) and marks the messages it took out
/// of the chat; returns how many it marked.
pub fn save_moderation(tx: &Transaction<'_>, event: &ModerationEvent, seen: Seen<'_>) -> rusqlite::Result<usize> {
    let seq: Option<i64> = tx
        .prepare_cached(
            "INSERT INTO chat_moderation (broadcaster_id, action, created_at, target_user_id, target_login,
                 duration_seconds, target_message_id, deleted_text, irc_line, first_seen_at, sync_run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (broadcaster_id, irc_line) DO NOTHING
             RETURNING seq",
        )?
        .query_row(
            params![
                event.broadcaster_id,
                event.action,
                event.created_at,
                event.target_user_id,
                event.target_login,
                event.duration_seconds,
                event.target_message_id,
                event.deleted_text,
                event.irc_line,
                seen.at,
                seen.run
            ],
            |r| r.get(0),
        )
        .optional()?;
    match seq {
        Some(seq) => mark(tx, seq),
        None => Ok(0),
    }
}

/// A timeout's or a ban's marks: the user's messages in the room up to the event, within the reach.
const TIMEOUT_MARKS: &str = "UPDATE chat_messages INDEXED BY chat_messages_user_id SET deleted_at = ?2, deleted_by = ?1
     WHERE user_id = ?5 AND broadcaster_id = ?3 AND deleted_at IS NULL AND created_at <= ?2
       AND created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', ?2, ?4)";

/// Marks the messages moderation event `seq` took out of the chat and are not marked yet:
/// - `delete`: the one message, by the id it had in this room (for a shared-chat copy, the stored original);
/// - `timeout`, `ban`: the user's messages in the room up to the event, as far back as [`MODERATION_REACH_HOURS`];
/// - `clear`: every message in the room in that window, since the room's previous clear.
///
/// One statement per kind, so each reads through an index (by id, by user, or by room and time).
fn mark(tx: &Transaction<'_>, seq: i64) -> rusqlite::Result<usize> {
    let (action, broadcaster, at, user, message): (String, String, String, Option<String>, Option<String>) = tx
        .prepare_cached(
            "SELECT action, broadcaster_id, created_at, target_user_id, target_message_id FROM chat_moderation
             WHERE seq = ?1",
        )?
        .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    let reach = format!("-{MODERATION_REACH_HOURS} hours");
    let marked = match action.as_str() {
        "delete" => tx
            .prepare_cached(
                "UPDATE chat_messages SET deleted_at = ?2, deleted_by = ?1
             WHERE deleted_at IS NULL AND id IN (
                 SELECT ?3 UNION SELECT message_id FROM chat_message_rooms WHERE room_message_id = ?3)",
            )?
            .execute(params![seq, at, message])?,
        // Back to the room's previous clear at most: what came before it was cleared then (a busy room's day
        // of chat, scanned again at every clear, made each one slower than the last).
        "clear" => tx
            .prepare_cached(
                "UPDATE chat_messages SET deleted_at = ?2, deleted_by = ?1
             WHERE broadcaster_id = ?3 AND created_at <= ?2 AND deleted_at IS NULL
               AND created_at >= max(strftime('%Y-%m-%dT%H:%M:%SZ', ?2, ?4), coalesce(
                   (SELECT max(c.created_at) FROM chat_moderation c
                    WHERE c.broadcaster_id = ?3 AND c.action = 'clear' AND c.seq < ?1), ''))",
            )?
            .execute(params![seq, at, broadcaster, reach])?,
        // Through the user's unmarked messages in the room (V024's index): a day of a busy channel's chat is far
        // more than one user's, and the user's other rooms and already marked messages are never read.
        _ => tx
            .prepare_cached(TIMEOUT_MARKS)?
            .execute(params![seq, at, broadcaster, reach, user])?,
    };
    if marked > 0 {
        // A deletion names the message, not its author: take the author from the archived message.
        tx.prepare_cached(
            "UPDATE chat_moderation SET messages_marked = messages_marked + ?2,
                 target_user_id = coalesce(target_user_id,
                     (SELECT user_id FROM chat_messages WHERE deleted_by = ?1 LIMIT 1))
             WHERE seq = ?1",
        )?
        .execute(params![seq, marked as i64])?;
    }
    Ok(marked)
}

/// Marks, again, the messages of `broadcaster_id` that moderation events since `since` took out of the chat:
/// for messages archived after the event was seen (a VOD's replay filling a live recording's gap).
pub fn mark_moderated_since(tx: &Transaction<'_>, broadcaster_id: &str, since: &str) -> rusqlite::Result<usize> {
    let seqs: Vec<i64> = tx
        .prepare_cached("SELECT seq FROM chat_moderation WHERE broadcaster_id = ?1 AND created_at >= ?2 ORDER BY seq")?
        .query_map(params![broadcaster_id, since], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    seqs.into_iter().try_fold(0, |sum, seq| Ok(sum + mark(tx, seq)?))
}

/// The room's settings as last recorded.
fn load_room_settings(conn: &Connection, broadcaster_id: &str) -> rusqlite::Result<Option<RoomSettings>> {
    conn.prepare_cached(
        "SELECT emote_only, followers_only, r9k, slow_seconds, subs_only FROM room_states
         WHERE broadcaster_id = ?1 ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([broadcaster_id], |r| {
        Ok(RoomSettings {
            emote_only: r.get(0)?,
            followers_only: r.get(1)?,
            r9k: r.get(2)?,
            slow_seconds: r.get(3)?,
            subs_only: r.get(4)?,
        })
    })
    .optional()
}

/// Records a ROOMSTATE: a row with the whole state after `change`, only when it differs from the last one
/// (Twitch repeats the full state at every JOIN). Returns true when a row was written.
pub fn save_room_state(
    tx: &Transaction<'_>,
    broadcaster_id: &str,
    change: &RoomSettings,
    irc_line: &str,
    seen: Seen<'_>,
) -> rusqlite::Result<bool> {
    let last = load_room_settings(tx, broadcaster_id)?;
    let now = last.clone().unwrap_or_default().with(change);
    if last.as_ref() == Some(&now) {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO room_states (broadcaster_id, seen_at, emote_only, followers_only, r9k, slow_seconds,
             subs_only, irc_line, sync_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        broadcaster_id,
        seen.at,
        now.emote_only,
        now.followers_only,
        now.r9k,
        now.slow_seconds,
        now.subs_only,
        irc_line,
        seen.run
    ])?;
    Ok(true)
}

/// Records a NOTICE about a room, once per run for the same notice (it comes again at every JOIN).
pub fn save_room_notice(
    tx: &Transaction<'_>,
    broadcaster_id: &str,
    kind: Option<&str>,
    text: &str,
    irc_line: &str,
    seen: Seen<'_>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO chat_notices (broadcaster_id, kind, text, seen_at, irc_line, sync_run_id)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6
         WHERE NOT EXISTS (SELECT 1 FROM chat_notices WHERE broadcaster_id = ?1 AND kind IS ?2 AND text = ?3
                           AND sync_run_id IS ?6)",
    )?
    .execute(params![broadcaster_id, kind, text, seen.at, irc_line, seen.run])?;
    Ok(())
}

/// Records a hole in a recording of `broadcaster_id`'s chat.
pub fn save_gap(
    tx: &Transaction<'_>,
    broadcaster_id: &str,
    started_at: &Timestamp,
    ended_at: &Timestamp,
    reason: &str,
    run: Option<i64>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO chat_gaps (broadcaster_id, started_at, ended_at, reason, sync_run_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![broadcaster_id, started_at, ended_at, reason, run])?;
    Ok(())
}

/// Links stored messages to the rooms they appeared in (shared chat): `(message id, room's user id, the id the
/// message had in that room)`.
pub fn save_room_copies(tx: &Transaction<'_>, copies: &[(String, String, String)]) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO chat_message_rooms (message_id, broadcaster_id, room_message_id) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
    )?;
    for (message, room, room_message) in copies {
        insert.execute(params![message, room, room_message])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A timeout reads only the user's unmarked messages in its room and window, through the index: on user_id
    /// alone it read every message the user ever wrote (issue 13's 10,000 messages a second fell behind on it).
    #[test]
    fn a_timeout_reads_only_the_users_unmarked_messages_in_the_room() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {TIMEOUT_MARKS}"))
            .unwrap()
            .query_map(params![1, "t", "7", "-24 hours", "1"], |r| r.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            plan,
            ["SEARCH chat_messages USING COVERING INDEX chat_messages_user_id \
                 (user_id=? AND broadcaster_id=? AND deleted_at=? AND created_at>? AND created_at<?)"]
        );
    }
}
