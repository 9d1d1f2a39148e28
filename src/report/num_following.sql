-- How many channels a user follows now: their current follows, whichever sync saw them.
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
    channel.login AS user,
    (SELECT count(*)
     FROM follows f
     WHERE f.user_id = channel.id AND f.unfollowed_seen_at IS NULL) AS following
FROM channel
ORDER BY channel.login
LIMIT coalesce(:limit, -1)
