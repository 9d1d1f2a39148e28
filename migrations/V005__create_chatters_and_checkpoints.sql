-- Who was in chat at each sync (Helix Get Chatters needs a moderator token), and where each walk stands:
-- every page is committed together with its checkpoint, so an interrupted sync resumes without gap or duplicate.
CREATE TABLE chatter_snapshots (
    id              INTEGER PRIMARY KEY,
    broadcaster_id  TEXT NOT NULL REFERENCES users(id),
    taken_at        TEXT NOT NULL,
    total           INTEGER NOT NULL,
    sync_run_id     INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX chatter_snapshots_by_time ON chatter_snapshots(broadcaster_id, taken_at);
CREATE INDEX chatter_snapshots_sync_run_id ON chatter_snapshots(sync_run_id);

CREATE TABLE chatter_snapshot_users (
    snapshot_id  INTEGER NOT NULL REFERENCES chatter_snapshots(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (snapshot_id, user_id)
) WITHOUT ROWID;
CREATE INDEX chatter_snapshot_users_user_id ON chatter_snapshot_users(user_id);

CREATE TABLE sync_checkpoints (
    broadcaster_id    TEXT NOT NULL REFERENCES users(id),
    part              TEXT NOT NULL,   -- followers (shorter lists are simply walked again)
    cursor            TEXT,            -- next page of the walk in progress; NULL when none is
    walk              TEXT,            -- full | incremental (the walk in progress)
    walk_started_at   TEXT,
    walk_sync_run_id  INTEGER REFERENCES sync_runs(id),
    pages             INTEGER NOT NULL DEFAULT 0,  -- pages committed in the walk in progress
    last_complete_at  TEXT,            -- the last walk that reached its end (or a known item)
    last_full_at      TEXT,            -- the last walk that read the whole list
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (broadcaster_id, part)
);
CREATE INDEX sync_checkpoints_walk_sync_run_id ON sync_checkpoints(walk_sync_run_id);
