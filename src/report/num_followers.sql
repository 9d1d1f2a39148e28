-- A channel's follower total, from the newest snapshot that counted followers (NULL when none did yet).
WITH channel AS (
    SELECT u.id, u.login
    FROM users u
    WHERE u.login = :login
      AND (EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id)
           OR EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id))
    ORDER BY u.last_seen_at DESC
    LIMIT 1
)
SELECT
    channel.login AS channel,
    (SELECT s.follower_total
     FROM channel_snapshots s
     WHERE s.broadcaster_id = channel.id AND s.follower_total IS NOT NULL
     ORDER BY s.taken_at DESC, s.id DESC
     LIMIT 1) AS followers
FROM channel
ORDER BY channel.login
LIMIT coalesce(:limit, -1)
