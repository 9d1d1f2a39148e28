-- The follows bot_waves.rs groups into waves: every follow of the channel (current and ended) whose account's
-- creation is known, followed within --since/--until, as Unix seconds, in follow order. Walks follows_by_time
-- (no sort) and looks each account up by id.
SELECT
    unixepoch(f.followed_at) AS followed,
    unixepoch(u.created_at) AS created
FROM follows f
JOIN users u ON u.id = f.user_id
WHERE f.broadcaster_id = :broadcaster_id
  AND u.created_at IS NOT NULL
  AND f.followed_at >= coalesce(:since, '')
  AND f.followed_at <= coalesce(:until, '9999')
ORDER BY f.followed_at
