-- A channel's settings as of the last sync, and a snapshot of them plus the follower total at every sync, so the
-- follower count and title history survive (Twitch keeps neither).
CREATE TABLE channels (
    broadcaster_id        TEXT NOT NULL PRIMARY KEY REFERENCES users(id),
    broadcaster_login     TEXT NOT NULL,
    broadcaster_name      TEXT,
    broadcaster_language  TEXT,
    game_id               TEXT REFERENCES games(id),
    game_name             TEXT,
    title                 TEXT,
    tags_json             TEXT,
    first_seen_at         TEXT NOT NULL,
    last_seen_at          TEXT NOT NULL,
    sync_run_id           INTEGER REFERENCES sync_runs(id),
    raw_json              TEXT
);
CREATE INDEX channels_game_id ON channels(game_id);
CREATE INDEX channels_sync_run_id ON channels(sync_run_id);

CREATE TABLE channel_snapshots (
    id              INTEGER PRIMARY KEY,
    broadcaster_id  TEXT NOT NULL REFERENCES users(id),
    taken_at        TEXT NOT NULL,
    follower_total  INTEGER,          -- NULL when the followers part did not run
    title           TEXT,
    game_id         TEXT REFERENCES games(id),
    game_name       TEXT,
    language        TEXT,
    is_live         INTEGER,          -- 0/1; NULL when the stream part did not run
    sync_run_id     INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX channel_snapshots_by_time ON channel_snapshots(broadcaster_id, taken_at);
CREATE INDEX channel_snapshots_game_id ON channel_snapshots(game_id);
CREATE INDEX channel_snapshots_sync_run_id ON channel_snapshots(sync_run_id);
