-- VOD chapters: the games of each archive VOD and where each starts, as Twitch's player reads them (GQL
-- VideoPlayer_ChapterSelectButtonVideo). Helix has no such thing, and a deleted VOD takes them along.
-- History is kept, never overwritten: a chapter is one row per (video, start, game); a re-fetch that finds it
-- again moves last_seen_at (and its duration, which grows while the VOD records); one that no longer finds it
-- sets gone_seen_at and keeps the row. A VOD with one game has no moments on Twitch: it is one chapter of the
-- video's game (source = 'video'), as the player, yt-dlp and TwitchDownloader show it.
CREATE TABLE video_chapters (
    id              INTEGER PRIMARY KEY,
    video_id        TEXT NOT NULL REFERENCES videos(id),
    position_ms     INTEGER NOT NULL,   -- where it starts, milliseconds into the VOD
    duration_ms     INTEGER,            -- NULL: unknown (Twitch sent none, 0 while recording, or negative)
    type            TEXT NOT NULL,      -- GAME_CHANGE, as Twitch sends it
    source          TEXT NOT NULL,      -- moment (Twitch's moment) | video (no moments: the whole VOD's game)
    moment_id       TEXT,               -- Twitch's moment id; NULL for a whole-VOD chapter
    game_id         TEXT,
    game_name       TEXT,
    description     TEXT,
    box_art_url     TEXT,
    first_seen_at   TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    gone_seen_at    TEXT,               -- first fetch that no longer found it (a re-cut or corrected chapter)
    sync_run_id     INTEGER REFERENCES sync_runs(id),
    raw_json        TEXT                -- the moment as sent; NULL for a whole-VOD chapter
);
CREATE UNIQUE INDEX video_chapters_key ON video_chapters(video_id, position_ms, ifnull(game_id, ''));
CREATE INDEX video_chapters_game_id ON video_chapters(game_id);
CREATE INDEX video_chapters_sync_run_id ON video_chapters(sync_run_id);

-- One row per VOD whose chapters were asked for: a re-sync asks again only for VODs that are not final (still
-- recording when fetched, or called gone by GQL while Helix still lists them).
CREATE TABLE video_chapter_fetches (
    video_id        TEXT NOT NULL PRIMARY KEY REFERENCES videos(id),
    status          TEXT NOT NULL,      -- final | recording | unavailable
    chapters        INTEGER NOT NULL,   -- chapters current after the fetch
    fetched_at      TEXT NOT NULL,      -- the last fetch
    sync_run_id     INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX video_chapter_fetches_sync_run_id ON video_chapter_fetches(sync_run_id);

CREATE TRIGGER export_log_video_chapters_au AFTER UPDATE ON video_chapters
WHEN EXISTS (SELECT 1 FROM exports)
  AND (old.id IS NOT new.id
    OR old.video_id IS NOT new.video_id
    OR old.position_ms IS NOT new.position_ms
    OR old.duration_ms IS NOT new.duration_ms
    OR old.type IS NOT new.type
    OR old.source IS NOT new.source
    OR old.moment_id IS NOT new.moment_id
    OR old.game_id IS NOT new.game_id
    OR old.game_name IS NOT new.game_name
    OR old.description IS NOT new.description
    OR old.box_art_url IS NOT new.box_art_url
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.gone_seen_at IS NOT new.gone_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('video_chapters', new.id);
END;

CREATE TRIGGER export_log_video_chapter_fetches_ai AFTER INSERT ON video_chapter_fetches
WHEN EXISTS (SELECT 1 FROM exports)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('video_chapter_fetches', new.video_id);
END;

CREATE TRIGGER export_log_video_chapter_fetches_au AFTER UPDATE ON video_chapter_fetches
WHEN EXISTS (SELECT 1 FROM exports)
  AND (old.video_id IS NOT new.video_id
    OR old.status IS NOT new.status
    OR old.chapters IS NOT new.chapters
    OR old.fetched_at IS NOT new.fetched_at
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('video_chapter_fetches', new.video_id);
END;
