-- Follow episodes (issue 17): a follower can follow, unfollow and follow again, and Twitch then shows only the
-- new follow (a new `followed_at`). `follows` stays one row per (channel, follower), the latest episode, so every
-- query of current followers reads as before; an episode that a re-follow ends moves to `earlier_follows`, in the
-- same transaction as the re-follow is written, so no episode is ever overwritten. Today's rows are first episodes.

ALTER TABLE follows ADD COLUMN episode INTEGER NOT NULL DEFAULT 1;

CREATE TABLE earlier_follows (
    broadcaster_id      TEXT NOT NULL REFERENCES users(id),
    user_id             TEXT NOT NULL REFERENCES users(id),
    episode             INTEGER NOT NULL,  -- 1 for the first follow of the pair
    followed_at         TEXT NOT NULL,
    first_seen_at       TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    unfollowed_seen_at  TEXT,              -- NULL when no full walk saw the unfollow: only the next follow showed it
    ended_before        TEXT NOT NULL,     -- the next episode's followed_at: the unfollow happened before it
    sync_run_id         INTEGER REFERENCES sync_runs(id),  -- the run that saw the next follow
    PRIMARY KEY (broadcaster_id, user_id, episode)
) WITHOUT ROWID;
CREATE INDEX earlier_follows_user_id ON earlier_follows(user_id);
CREATE INDEX earlier_follows_sync_run_id ON earlier_follows(sync_run_id);

-- Every episode of every follow, the latest (from `follows`) and the earlier ones, with both accounts.
CREATE VIEW follow_episodes AS
SELECT
    e.broadcaster_id,
    b.login AS channel,
    e.user_id,
    u.login AS follower,
    e.episode,
    e.followed_at,
    e.first_seen_at,
    e.last_seen_at,
    e.unfollowed_seen_at,
    e.ended_before,
    e.is_latest
FROM (
    SELECT broadcaster_id, user_id, episode, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at,
           ended_before, 0 AS is_latest
    FROM earlier_follows
    UNION ALL
    SELECT broadcaster_id, user_id, episode, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at,
           NULL AS ended_before, 1 AS is_latest
    FROM follows
) e
JOIN users b ON b.id = e.broadcaster_id
JOIN users u ON u.id = e.user_id;

-- The export's change log (V014, as V016 made it) compares every column: `episode` is one more.
DROP TRIGGER export_log_follows_au;
CREATE TRIGGER export_log_follows_au AFTER UPDATE ON follows
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.broadcaster_id IS NOT new.broadcaster_id
    OR old.user_id IS NOT new.user_id
    OR old.followed_at IS NOT new.followed_at
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.unfollowed_seen_at IS NOT new.unfollowed_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.episode IS NOT new.episode)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('follows', new.broadcaster_id, new.user_id);
END;

CREATE TRIGGER export_log_earlier_follows_ai AFTER INSERT ON earlier_follows
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2, k3) VALUES ('earlier_follows', new.broadcaster_id, new.user_id, new.episode);
END;

CREATE TRIGGER export_log_earlier_follows_au AFTER UPDATE ON earlier_follows
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.broadcaster_id IS NOT new.broadcaster_id
    OR old.user_id IS NOT new.user_id
    OR old.episode IS NOT new.episode
    OR old.followed_at IS NOT new.followed_at
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.unfollowed_seen_at IS NOT new.unfollowed_seen_at
    OR old.ended_before IS NOT new.ended_before
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2, k3) VALUES ('earlier_follows', new.broadcaster_id, new.user_id, new.episode);
END;
