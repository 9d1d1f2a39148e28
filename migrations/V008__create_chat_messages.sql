-- Chat: one table for VOD replay (GQL) and, later, live chat (IRC), keyed by Twitch's message id (the same id
-- in both), with a full-text index on the text. Replay is downloaded in time segments, each page staged and
-- committed with its segment's cursor; a VOD's staged messages are merged in key order when every segment
-- finished, and the video is marked complete. Twitch deletes VODs (and their chat) after 7 to 60 days.
CREATE TABLE chat_messages (
    seq                   INTEGER PRIMARY KEY,           -- stable row number: the FTS index points at it
    id                    TEXT NOT NULL UNIQUE,          -- Twitch's message id (a UUID)
    source                TEXT NOT NULL,                 -- replay | live
    video_id              TEXT REFERENCES videos(id),    -- the VOD, for replay
    broadcaster_id        TEXT REFERENCES users(id),
    user_id               TEXT REFERENCES users(id),     -- NULL when Twitch no longer knows the commenter
    user_login            TEXT,
    user_name             TEXT,
    offset_seconds        INTEGER,                       -- seconds into the VOD, for replay
    created_at            TEXT NOT NULL,                 -- UTC, to the second (Twitch's own value is in raw_json)
    created_at_corrected  INTEGER NOT NULL DEFAULT 0,    -- 1 when Twitch's value was impossible and was rebuilt
    text                  TEXT NOT NULL,
    fragments_json        TEXT,                          -- [{"text":..,"emote_id":..}]
    emotes_json           TEXT,                          -- [{"id":..,"begin":..,"end":..}]
    badges_json           TEXT,                          -- [{"set_id":..,"version":..}]
    color                 TEXT,                          -- "#RRGGBB" or NULL
    first_seen_at         TEXT NOT NULL,
    sync_run_id           INTEGER REFERENCES sync_runs(id),
    raw_json              TEXT
);
CREATE INDEX chat_messages_by_video ON chat_messages(video_id, offset_seconds);
CREATE INDEX chat_messages_by_channel_time ON chat_messages(broadcaster_id, created_at);
CREATE INDEX chat_messages_user_id ON chat_messages(user_id);
CREATE INDEX chat_messages_sync_run_id ON chat_messages(sync_run_id);

CREATE VIRTUAL TABLE chat_messages_fts USING fts5(text, content = 'chat_messages', content_rowid = 'seq');

CREATE TRIGGER chat_messages_ai AFTER INSERT ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER chat_messages_ad AFTER DELETE ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER chat_messages_au AFTER UPDATE OF text ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
    INSERT INTO chat_messages_fts (rowid, text) VALUES (new.seq, new.text);
END;

-- Where each segment of a VOD's chat download stands. The plan (segment count and bounds) is fixed by the
-- first download, so a resumed one continues each segment where it stopped.
CREATE TABLE chat_segments (
    video_id       TEXT NOT NULL REFERENCES videos(id),
    segment        INTEGER NOT NULL,
    start_seconds  INTEGER NOT NULL,
    end_seconds    INTEGER,            -- exclusive; NULL for the last segment, which runs to the end
    cursor         TEXT,               -- next page; NULL before the first page
    comments       INTEGER NOT NULL DEFAULT 0,
    done_at        TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (video_id, segment)
);

-- Replay pages waiting for their video's merge (appends are cheap; message ids are random UUIDs).
CREATE TABLE chat_staging (
    seq                   INTEGER PRIMARY KEY,
    video_id              TEXT NOT NULL,
    broadcaster_id        TEXT,
    id                    TEXT NOT NULL,
    user_id               TEXT,
    user_login            TEXT,
    user_name             TEXT,
    offset_seconds        INTEGER,
    created_at            TEXT NOT NULL,
    created_at_corrected  INTEGER NOT NULL,
    text                  TEXT NOT NULL,
    fragments_json        TEXT,
    emotes_json           TEXT,
    badges_json           TEXT,
    color                 TEXT,
    seen_at               TEXT NOT NULL,
    sync_run_id           INTEGER,
    raw_json              TEXT
);
CREATE INDEX chat_staging_video_id ON chat_staging(video_id);

ALTER TABLE videos ADD COLUMN chat_status TEXT;       -- NULL (not tried), partial, complete, unavailable
ALTER TABLE videos ADD COLUMN chat_messages INTEGER;  -- messages archived, once complete
ALTER TABLE videos ADD COLUMN chat_checked_at TEXT;
