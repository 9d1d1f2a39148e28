-- The follows bot_waves.rs groups into waves: every follow of the channel (current and ended) whose account's
-- creation is known, followed within --since/--until, as Unix seconds, in follow order. Walks follows_by_time
-- (no sort) and looks each account up by id.
WITH channel AS (
    SELECT u.id
    FROM users u
    WHERE u.login = :login
      AND (EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id)
           OR EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id))
    ORDER BY u.last_seen_at DESC
    LIMIT 1
)
SELECT
    unixepoch(f.followed_at) AS followed,
    unixepoch(u.created_at) AS created
FROM follows f
JOIN users u ON u.id = f.user_id
WHERE f.broadcaster_id = (SELECT id FROM channel)
  AND u.created_at IS NOT NULL
  AND f.followed_at >= coalesce(:since, '')
  AND f.followed_at <= coalesce(:until, '9999')
ORDER BY f.followed_at
