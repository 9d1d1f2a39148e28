-- The channel's stream schedule (Helix Get Channel Stream Schedule), kept as history: Twitch only shows the schedule
-- as it is now, so each segment keeps every version a sync saw (a new title, a moved time, a cancellation through
-- canceled_until, its disappearance) with when it was seen, and nothing is overwritten without a version row.
-- A recurring segment's weeks are separate occurrences at Twitch: each week has its own id (base64 JSON of the
-- series' segmentID, isoYear and isoWeek), so the occurrence id is the key and the series id is kept beside it.
CREATE TABLE schedule_segments (
    id               TEXT PRIMARY KEY,                -- Twitch's segment id (one occurrence)
    broadcaster_id   TEXT NOT NULL REFERENCES users(id),
    series_id        TEXT,                            -- segmentID decoded from id; NULL when id is not base64 JSON
    start_time       TEXT NOT NULL,
    end_time         TEXT,
    title            TEXT NOT NULL,
    category_id      TEXT,                            -- not a games reference: Twitch may name a category itch never looked up
    category_name    TEXT,
    is_recurring     INTEGER NOT NULL,
    canceled_until   TEXT,
    first_seen_at    TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    gone_seen_at     TEXT,                            -- first read that no longer listed it while it was still ahead
    sync_run_id      INTEGER REFERENCES sync_runs(id),
    raw_json         TEXT NOT NULL
);
CREATE INDEX schedule_segments_by_start ON schedule_segments(broadcaster_id, start_time);
CREATE INDEX schedule_segments_sync_run_id ON schedule_segments(sync_run_id);

CREATE TABLE schedule_segment_versions (
    id               INTEGER PRIMARY KEY,
    segment_id       TEXT NOT NULL REFERENCES schedule_segments(id),
    seen_at          TEXT NOT NULL,
    change           TEXT NOT NULL,                   -- new | changed | canceled | restored | gone | back
    start_time       TEXT NOT NULL,
    end_time         TEXT,
    title            TEXT NOT NULL,
    category_id      TEXT,
    category_name    TEXT,
    is_recurring     INTEGER NOT NULL,
    canceled_until   TEXT,
    sync_run_id      INTEGER REFERENCES sync_runs(id),
    raw_json         TEXT                             -- the segment as sent; NULL for a 'gone' row
);
CREATE INDEX schedule_segment_versions_by_segment ON schedule_segment_versions(segment_id, seen_at);
CREATE INDEX schedule_segment_versions_sync_run_id ON schedule_segment_versions(sync_run_id);

CREATE TABLE schedule_vacations (
    broadcaster_id   TEXT NOT NULL REFERENCES users(id),
    start_time       TEXT NOT NULL,
    end_time         TEXT NOT NULL,
    first_seen_at    TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    gone_seen_at     TEXT,                            -- first read that showed no vacation, or another one
    sync_run_id      INTEGER REFERENCES sync_runs(id),
    PRIMARY KEY (broadcaster_id, start_time, end_time)
) WITHOUT ROWID;
CREATE INDEX schedule_vacations_sync_run_id ON schedule_vacations(sync_run_id);

CREATE TABLE schedule_reads (
    id               INTEGER PRIMARY KEY,
    broadcaster_id   TEXT NOT NULL REFERENCES users(id),
    read_at          TEXT NOT NULL,
    has_schedule     INTEGER NOT NULL,                -- 0 when Twitch answered 404 (the channel has no schedule)
    segments         INTEGER NOT NULL,                -- segments listed
    pages            INTEGER NOT NULL,
    read_until       TEXT,                            -- the read stopped after the segment starting then; NULL: to the end
    sync_run_id      INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX schedule_reads_by_time ON schedule_reads(broadcaster_id, read_at);
CREATE INDEX schedule_reads_sync_run_id ON schedule_reads(sync_run_id);
