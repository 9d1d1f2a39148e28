-- Clips (issue 17): every clip of a channel, kept after Twitch deletes it, with its view count snapshotted over
-- time. A clip's row is upserted each time a sync sees it (last_seen_at moves, first_seen_at stays); its view
-- count lives in clip_snapshots, one row on the first sighting and one each time a sync sees a different count,
-- so the history is never overwritten. The sync walks narrow created_at windows (Helix stops after about 1000
-- results per listing and misses clips in wide ranges); where it stands is the 'clips' row of sync_checkpoints.
CREATE TABLE clips (
    id              TEXT PRIMARY KEY,        -- the slug, e.g. AwkwardHelplessSalamanderSwiftRage
    broadcaster_id  TEXT NOT NULL REFERENCES users(id),
    creator_id      TEXT,                    -- not a link: creators are seldom archived users
    creator_name    TEXT,
    video_id        TEXT,                    -- NULL when Twitch sent "" (VOD gone); not a link: the VOD may never be archived
    vod_offset      INTEGER,                 -- seconds into the VOD; NULL until Twitch processed it, or with no VOD
    game_id         TEXT,
    title           TEXT,
    language        TEXT,
    duration        REAL,                    -- seconds, to a tenth
    thumbnail_url   TEXT,
    url             TEXT,
    embed_url       TEXT,
    is_featured     INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    first_seen_at   TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    sync_run_id     INTEGER REFERENCES sync_runs(id),
    raw_json        TEXT
);
CREATE INDEX clips_by_time ON clips(broadcaster_id, created_at);
CREATE INDEX clips_video_id ON clips(video_id, vod_offset);
CREATE INDEX clips_sync_run_id ON clips(sync_run_id);

CREATE TABLE clip_snapshots (
    clip_id      TEXT NOT NULL REFERENCES clips(id),
    taken_at     TEXT NOT NULL,
    view_count   INTEGER NOT NULL,
    sync_run_id  INTEGER NOT NULL REFERENCES sync_runs(id),
    -- One per run: two syncs in one second are still two snapshots (a key on taken_at merged them).
    PRIMARY KEY (clip_id, sync_run_id)
) WITHOUT ROWID;
CREATE INDEX clip_snapshots_sync_run_id ON clip_snapshots(sync_run_id);

-- Each clip with its latest view count and when that count was taken: "the most viewed clips".
CREATE VIEW clips_latest AS
SELECT c.id, c.broadcaster_id, c.creator_id, c.creator_name, c.video_id, c.vod_offset, c.game_id, c.title,
       c.language, c.duration, c.url, c.is_featured, c.created_at, c.first_seen_at, c.last_seen_at,
       s.view_count, s.taken_at AS view_count_at
FROM clips c
LEFT JOIN clip_snapshots s ON s.clip_id = c.id
    AND s.sync_run_id = (SELECT max(q.sync_run_id) FROM clip_snapshots q WHERE q.clip_id = c.id);

-- `itch export`'s change log (as V016's triggers): what changed since the last export, while one runs or after
-- one succeeded.
CREATE TRIGGER export_log_clips_ai AFTER INSERT ON clips
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('clips', new.id);
END;
CREATE TRIGGER export_log_clips_au AFTER UPDATE ON clips
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.creator_id IS NOT new.creator_id
    OR old.creator_name IS NOT new.creator_name
    OR old.video_id IS NOT new.video_id
    OR old.vod_offset IS NOT new.vod_offset
    OR old.game_id IS NOT new.game_id
    OR old.title IS NOT new.title
    OR old.language IS NOT new.language
    OR old.duration IS NOT new.duration
    OR old.thumbnail_url IS NOT new.thumbnail_url
    OR old.url IS NOT new.url
    OR old.embed_url IS NOT new.embed_url
    OR old.is_featured IS NOT new.is_featured
    OR old.created_at IS NOT new.created_at
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('clips', new.id);
END;
CREATE TRIGGER export_log_clip_snapshots_ai AFTER INSERT ON clip_snapshots
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('clip_snapshots', new.clip_id, new.sync_run_id);
END;
CREATE TRIGGER export_log_clip_snapshots_au AFTER UPDATE ON clip_snapshots
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.clip_id IS NOT new.clip_id
    OR old.taken_at IS NOT new.taken_at
    OR old.view_count IS NOT new.view_count
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('clip_snapshots', new.clip_id, new.sync_run_id);
END;
