-- A true record of every run (issue 11). Each part of a channel's sync (channel, followers, videos, stream,
-- chatters, following, chat) runs, commits and fails on its own: its outcome is a row here, so a channel whose
-- chat replay keeps failing still shows its followers part as ok, and the failure is queryable. A part still
-- 'running' when the next run starts was killed: that run marks it 'interrupted'.
CREATE TABLE sync_run_parts (
    sync_run_id     INTEGER NOT NULL REFERENCES sync_runs(id),
    broadcaster_id  TEXT NOT NULL REFERENCES users(id),
    part            TEXT NOT NULL,                   -- channel | followers | videos | stream | chatters | following | chat
    status          TEXT NOT NULL DEFAULT 'running', -- running | ok | failed | interrupted
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    requests        INTEGER NOT NULL DEFAULT 0,      -- HTTP requests this part sent (retries included)
    error           TEXT,                            -- why it failed, as the summary line says it
    PRIMARY KEY (sync_run_id, broadcaster_id, part)
) WITHOUT ROWID;
CREATE INDEX sync_run_parts_by_channel ON sync_run_parts(broadcaster_id, part, started_at);

-- The latest outcome of each part of each channel: "when did chat last sync, and did it work?"
CREATE VIEW sync_parts_latest AS
SELECT p.broadcaster_id, u.login, p.part, p.status, p.started_at, p.finished_at, p.requests, p.error, p.sync_run_id
FROM sync_run_parts p
JOIN users u ON u.id = p.broadcaster_id
WHERE p.started_at = (
    SELECT max(q.started_at) FROM sync_run_parts q
    WHERE q.broadcaster_id = p.broadcaster_id AND q.part = p.part
);

-- A follower walk's identity and facts, kept with its checkpoint: a walk resumed by a later run keeps the
-- follower total it read and how many follows it staged, and its staged rows carry its id, so a merge takes
-- only its own walk's rows and can tell when some of them are missing (never a false unfollow).
ALTER TABLE sync_checkpoints ADD COLUMN walk_id TEXT;          -- random id of the walk in progress
ALTER TABLE sync_checkpoints ADD COLUMN walk_total INTEGER;    -- the follower total read during that walk
ALTER TABLE sync_checkpoints ADD COLUMN walk_items INTEGER NOT NULL DEFAULT 0;  -- follows it staged so far
ALTER TABLE follows_staging ADD COLUMN walk_id TEXT;
-- The run that completed the last walk: an incremental walk stops only at a follow that walk (or an earlier one)
-- saw, never at one a later `--limit` trial added above follows no walk has read.
ALTER TABLE sync_checkpoints ADD COLUMN last_complete_run_id INTEGER REFERENCES sync_runs(id);
UPDATE sync_checkpoints SET last_complete_run_id = (SELECT max(id) FROM sync_runs) WHERE last_complete_at IS NOT NULL;
-- A walk an older itch left in progress carries on under an id of its own, with what it staged counted.
UPDATE sync_checkpoints SET walk_id = 'v010-walk-' || broadcaster_id,
    walk_items = (SELECT count(*) FROM follows_staging s WHERE s.broadcaster_id = sync_checkpoints.broadcaster_id)
WHERE walk IS NOT NULL AND part = 'followers';
UPDATE follows_staging SET walk_id = 'v010-walk-' || broadcaster_id;
