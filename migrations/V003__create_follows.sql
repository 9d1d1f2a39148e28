-- Who follows whom and since when. Helix lists followers newest first with no history, so a follow is never
-- deleted: a full pass that no longer finds it sets unfollowed_seen_at. The same table holds the logged-in
-- user's own follows (user_id = that user).
CREATE TABLE follows (
    broadcaster_id      TEXT NOT NULL REFERENCES users(id),
    user_id             TEXT NOT NULL REFERENCES users(id),
    followed_at         TEXT NOT NULL,
    first_seen_at       TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    unfollowed_seen_at  TEXT,          -- first full pass that missed it; NULL while following
    sync_run_id         INTEGER REFERENCES sync_runs(id),
    PRIMARY KEY (broadcaster_id, user_id)
) WITHOUT ROWID;
CREATE INDEX follows_by_time ON follows(broadcaster_id, followed_at);
CREATE INDEX follows_user_id ON follows(user_id);
CREATE INDEX follows_sync_run_id ON follows(sync_run_id);

-- Pages of a follower walk in progress, appended as they arrive (cheap: rowid order) and merged into users
-- and follows in key order when the walk ends. Real follower ids are spread over the id space, so writing
-- them straight into the keyed tables page by page costs about 8x more.
CREATE TABLE follows_staging (
    seq             INTEGER PRIMARY KEY,
    broadcaster_id  TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    user_login      TEXT NOT NULL,
    user_name       TEXT,
    followed_at     TEXT NOT NULL,
    seen_at         TEXT NOT NULL,
    sync_run_id     INTEGER
);

-- Hydrated accounts (Get Users) waiting for the same merge.
CREATE TABLE users_staging (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL,
    login             TEXT NOT NULL,
    display_name      TEXT,
    user_type         TEXT,
    broadcaster_type  TEXT,
    description       TEXT,
    profile_image_url TEXT,
    offline_image_url TEXT,
    created_at        TEXT,
    seen_at           TEXT NOT NULL,
    sync_run_id       INTEGER,
    raw_json          TEXT
);
