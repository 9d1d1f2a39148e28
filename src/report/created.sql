-- When a channel's account was created (NULL until Get Users has hydrated it).
WITH channel AS (
    SELECT u.id, u.login, u.created_at
    FROM users u
    WHERE u.login = :login
      AND (EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id)
           OR EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id))
    ORDER BY u.last_seen_at DESC
    LIMIT 1
)
SELECT channel.login AS channel, channel.created_at
FROM channel
ORDER BY channel.login
LIMIT coalesce(:limit, -1)
