-- Videos outlive Twitch's retention here: one that disappears gets deleted_seen_at, never a DELETE.
-- Streams are live broadcasts; each sync that finds one live adds a snapshot (viewer count over time).
CREATE TABLE videos (
    id                   TEXT NOT NULL PRIMARY KEY,
    user_id              TEXT NOT NULL REFERENCES users(id),
    stream_id            TEXT,            -- archives only; matches streams.id when the stream was seen live
    type                 TEXT NOT NULL,   -- archive | highlight | upload
    title                TEXT,
    description          TEXT,
    created_at           TEXT NOT NULL,
    published_at         TEXT,
    url                  TEXT,
    thumbnail_url        TEXT,
    viewable             TEXT,
    view_count           INTEGER,
    language             TEXT,
    duration             TEXT,            -- as Twitch sends it: 3h8m33s
    duration_seconds     INTEGER,
    muted_segments_json  TEXT,            -- [{"duration":s,"offset":s}], [] when none
    first_seen_at        TEXT NOT NULL,
    last_seen_at         TEXT NOT NULL,
    deleted_seen_at      TEXT,            -- first sync that no longer found it
    sync_run_id          INTEGER REFERENCES sync_runs(id),
    raw_json             TEXT
);
CREATE INDEX videos_by_time ON videos(user_id, created_at);
CREATE INDEX videos_stream_id ON videos(stream_id);
CREATE INDEX videos_sync_run_id ON videos(sync_run_id);

CREATE TABLE streams (
    id             TEXT NOT NULL PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    game_id        TEXT REFERENCES games(id),
    game_name      TEXT,
    title          TEXT,
    language       TEXT,
    tags_json      TEXT,
    started_at     TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,     -- last sync that found it live
    ended_seen_at  TEXT,              -- first sync that found the channel offline after it
    sync_run_id    INTEGER REFERENCES sync_runs(id),
    raw_json       TEXT
);
CREATE INDEX streams_by_time ON streams(user_id, started_at);
CREATE INDEX streams_game_id ON streams(game_id);
CREATE INDEX streams_sync_run_id ON streams(sync_run_id);

CREATE TABLE stream_snapshots (
    id            INTEGER PRIMARY KEY,
    stream_id     TEXT NOT NULL REFERENCES streams(id),
    taken_at      TEXT NOT NULL,
    viewer_count  INTEGER NOT NULL,
    game_id       TEXT REFERENCES games(id),
    title         TEXT,
    sync_run_id   INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX stream_snapshots_by_time ON stream_snapshots(stream_id, taken_at);
CREATE INDEX stream_snapshots_game_id ON stream_snapshots(game_id);
CREATE INDEX stream_snapshots_sync_run_id ON stream_snapshots(sync_run_id);
