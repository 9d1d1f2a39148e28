-- Live chat as a complete record (issue 13). Until now only PRIVMSG lines were kept, so subs, gifts, raids and
-- announcements were lost, and messages a moderator deleted or whose author was timed out stayed in the archive
-- and in search unmarked. Every line of a room is kept now: events, moderation (marking the messages it took out
-- of the chat, never removing them), the room's settings over time, Twitch's notices about the room, and the
-- gaps in a recording (a reconnect), so a report can say where the live record has holes.

-- What a message is: `chat` for a plain message, else the kind of event it was typed with (`resub`,
-- `announcement`, `ritual`, `viewermilestone`, ...).
ALTER TABLE chat_messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat';
-- When a moderator took the message out of the chat (a deletion, its author's timeout or ban, a chat clear),
-- and by which row of chat_moderation. The message itself stays.
ALTER TABLE chat_messages ADD COLUMN deleted_at TEXT;
ALTER TABLE chat_messages ADD COLUMN deleted_by INTEGER REFERENCES chat_moderation(seq);
-- Shared chat: the room (user id) the message was sent in, when it was read in another room's chat.
ALTER TABLE chat_messages ADD COLUMN source_room_id TEXT;
-- Partial: most messages are never deleted, and an index entry per message would cost every insert.
CREATE INDEX chat_messages_deleted_by ON chat_messages(deleted_by) WHERE deleted_by IS NOT NULL;

-- USERNOTICE: one row per event Twitch announced in a room, keyed by its id. The text the viewer typed with it
-- (when any) is also a chat message under the same id.
CREATE TABLE chat_events (
    id               TEXT NOT NULL PRIMARY KEY,     -- Twitch's id of the notice
    broadcaster_id   TEXT NOT NULL REFERENCES users(id),
    kind             TEXT NOT NULL,                 -- msg-id: sub, resub, subgift, submysterygift, raid, ...
    user_id          TEXT REFERENCES users(id),     -- the subscriber, gifter, raiding channel, announcer
    user_login       TEXT,
    user_name        TEXT,
    created_at       TEXT NOT NULL,                 -- UTC, to the second (tmi-sent-ts)
    months           INTEGER,                       -- cumulative months (a gift: the recipient's months)
    streak_months    INTEGER,                       -- months in a row, when shared
    tier             TEXT,                          -- Prime | 1000 | 2000 | 3000
    gift_count       INTEGER,                       -- subs given at once (submysterygift), or months given
    recipient_id     TEXT REFERENCES users(id),
    recipient_login  TEXT,
    recipient_name   TEXT,
    viewer_count     INTEGER,                       -- a raid's viewers
    threshold        INTEGER,                       -- a Bits badge tier, or a milestone's value
    system_message   TEXT,                          -- Twitch's sentence for it
    has_message      INTEGER NOT NULL,              -- 1 when the viewer typed a text (in chat_messages, same id)
    source_room_id   TEXT,                          -- shared chat: the room it came from
    source_kind      TEXT,                          -- sharedchatnotice: the relayed event's kind (resub, ...)
    params_json      TEXT NOT NULL,                 -- every msg-param-* tag, unescaped
    irc_line         TEXT NOT NULL,
    first_seen_at    TEXT NOT NULL,
    sync_run_id      INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX chat_events_by_channel_time ON chat_events(broadcaster_id, kind, created_at);
CREATE INDEX chat_events_user_id ON chat_events(user_id);
CREATE INDEX chat_events_recipient_id ON chat_events(recipient_id);
CREATE INDEX chat_events_sync_run_id ON chat_events(sync_run_id);

-- CLEARCHAT and CLEARMSG: timeouts, bans, chat clears and single deletions.
CREATE TABLE chat_moderation (
    seq                INTEGER PRIMARY KEY,
    broadcaster_id     TEXT NOT NULL REFERENCES users(id),
    action             TEXT NOT NULL,               -- timeout | ban | clear | delete
    created_at         TEXT NOT NULL,               -- UTC, to the second (tmi-sent-ts)
    target_user_id     TEXT,                        -- timeout, ban (delete: the author, when archived)
    target_login       TEXT,
    duration_seconds   INTEGER,                     -- timeout
    target_message_id  TEXT,                        -- delete: the message's id in this room
    deleted_text       TEXT,                        -- delete: the text, as Twitch repeats it
    messages_marked    INTEGER NOT NULL DEFAULT 0,  -- archived messages it marked deleted
    irc_line           TEXT NOT NULL,
    first_seen_at      TEXT NOT NULL,
    sync_run_id        INTEGER REFERENCES sync_runs(id),
    UNIQUE (broadcaster_id, irc_line)               -- the same line read by two recordings is one event
);
CREATE INDEX chat_moderation_by_channel_time ON chat_moderation(broadcaster_id, created_at);
CREATE INDEX chat_moderation_sync_run_id ON chat_moderation(sync_run_id);

-- ROOMSTATE: the room's settings, one row each time they changed (the whole state after the change).
CREATE TABLE room_states (
    seq               INTEGER PRIMARY KEY,
    broadcaster_id    TEXT NOT NULL REFERENCES users(id),
    seen_at           TEXT NOT NULL,
    emote_only        INTEGER,                      -- 0 | 1; NULL until Twitch said
    followers_only    INTEGER,                      -- -1 off, 0 any follower, else minutes followed
    r9k               INTEGER,
    slow_seconds      INTEGER,                      -- 0 off
    subs_only         INTEGER,
    irc_line          TEXT NOT NULL,
    sync_run_id       INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX room_states_by_channel ON room_states(broadcaster_id, seen_at);
CREATE INDEX room_states_sync_run_id ON room_states(sync_run_id);

-- NOTICE about a room: why a recording got nothing (a suspended channel) and the room's own announcements.
CREATE TABLE chat_notices (
    seq             INTEGER PRIMARY KEY,
    broadcaster_id  TEXT NOT NULL REFERENCES users(id),
    kind            TEXT,                           -- msg-id, e.g. msg_channel_suspended
    text            TEXT NOT NULL,
    seen_at         TEXT NOT NULL,
    irc_line        TEXT NOT NULL,
    sync_run_id     INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX chat_notices_by_channel ON chat_notices(broadcaster_id, seen_at);
CREATE INDEX chat_notices_sync_run_id ON chat_notices(sync_run_id);

-- Holes in a live recording: the connection was lost (or Twitch asked to reconnect) at started_at and the room
-- was joined again at ended_at. What was said between is not in the live record (a VOD's replay may have it).
CREATE TABLE chat_gaps (
    seq             INTEGER PRIMARY KEY,
    broadcaster_id  TEXT NOT NULL REFERENCES users(id),
    started_at      TEXT NOT NULL,
    ended_at        TEXT NOT NULL,
    reason          TEXT NOT NULL,
    sync_run_id     INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX chat_gaps_by_channel ON chat_gaps(broadcaster_id, started_at);
CREATE INDEX chat_gaps_sync_run_id ON chat_gaps(sync_run_id);

-- Shared chat: a message relayed into several rooms is stored once (under the original's id) and linked here
-- to each recorded room it appeared in, with the id it had there (a deletion names that id).
CREATE TABLE chat_message_rooms (
    message_id       TEXT NOT NULL REFERENCES chat_messages(id),
    broadcaster_id   TEXT NOT NULL REFERENCES users(id),
    room_message_id  TEXT NOT NULL,
    PRIMARY KEY (message_id, broadcaster_id)
) WITHOUT ROWID;
CREATE INDEX chat_message_rooms_room_message_id ON chat_message_rooms(room_message_id);
CREATE INDEX chat_message_rooms_broadcaster_id ON chat_message_rooms(broadcaster_id);

-- The chat as viewers were left to see it: every message no moderator took out (search and reports show
-- deleted messages by default, marked; this view leaves them out).
CREATE VIEW visible_chat_messages AS
SELECT * FROM chat_messages WHERE deleted_at IS NULL;
