-- Who subscribes to a channel (Helix Get Broadcaster Subscriptions, the broadcaster's own token): Twitch shows only
-- the list as it is now, so each sync takes a snapshot of it (the total and points Twitch reports, and every
-- subscriber with tier, gift and gifter), and history is the series of snapshots: a new subscriber is in a snapshot
-- and not the one before, a lost one the other way round. Subscriber lists can be long: a snapshot is written page
-- by page, each page with the cursor of the next, so a killed sync resumes the same snapshot where it stopped.
CREATE TABLE subscription_snapshots (
    id              INTEGER PRIMARY KEY,
    broadcaster_id  TEXT NOT NULL REFERENCES users(id),
    taken_at        TEXT NOT NULL,
    total           INTEGER,                    -- Twitch's total at the first page
    points          INTEGER,                    -- Twitch's sub points at the first page
    listed          INTEGER NOT NULL DEFAULT 0, -- subscribers recorded so far
    complete        INTEGER NOT NULL DEFAULT 0, -- 1 once the whole list was read
    next_cursor     TEXT,                       -- while incomplete: the page to read next (the resume point)
    finished_at     TEXT,
    sync_run_id     INTEGER REFERENCES sync_runs(id)
);
CREATE INDEX subscription_snapshots_by_time ON subscription_snapshots(broadcaster_id, taken_at);
CREATE INDEX subscription_snapshots_sync_run_id ON subscription_snapshots(sync_run_id);

CREATE TABLE subscription_snapshot_users (
    snapshot_id  INTEGER NOT NULL REFERENCES subscription_snapshots(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    tier         TEXT NOT NULL,                 -- 1000 | 2000 | 3000
    is_gift      INTEGER NOT NULL,
    gifter_id    TEXT REFERENCES users(id),     -- NULL unless a gift
    plan_name    TEXT,
    PRIMARY KEY (snapshot_id, user_id)
) WITHOUT ROWID;
CREATE INDEX subscription_snapshot_users_user_id ON subscription_snapshot_users(user_id);
CREATE INDEX subscription_snapshot_users_gifter_id ON subscription_snapshot_users(gifter_id);
