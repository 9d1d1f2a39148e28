-- Views for the common questions, usable as they are from sqlite3 or Datasette. Reports read them too.

-- Every follow with both accounts and the account's age when it followed (follow-bot waves show up as many
-- young accounts following together).
CREATE VIEW channel_followers AS
SELECT
    f.broadcaster_id,
    b.login AS channel,
    f.user_id,
    u.login AS follower,
    u.created_at AS account_created_at,
    f.followed_at,
    CAST(strftime('%s', f.followed_at) AS INTEGER) - CAST(strftime('%s', u.created_at) AS INTEGER)
        AS seconds_to_follow,
    f.unfollowed_seen_at
FROM follows f
JOIN users b ON b.id = f.broadcaster_id
JOIN users u ON u.id = f.user_id;

-- The follower total each sync saw, per channel.
CREATE VIEW follower_counts AS
SELECT s.broadcaster_id, u.login AS channel, s.taken_at, s.follower_total
FROM channel_snapshots s
JOIN users u ON u.id = s.broadcaster_id
WHERE s.follower_total IS NOT NULL;

-- The newest snapshot of each channel.
CREATE VIEW latest_channel_snapshots AS
SELECT s.*
FROM channel_snapshots s
WHERE s.id = (SELECT max(id) FROM channel_snapshots t WHERE t.broadcaster_id = s.broadcaster_id);
