-- A channel's follower total, from the newest snapshot that counted followers (NULL when none did yet).
SELECT
    u.login AS channel,
    (SELECT s.follower_total
     FROM channel_snapshots s
     WHERE s.broadcaster_id = u.id AND s.follower_total IS NOT NULL
     ORDER BY s.taken_at DESC, s.id DESC
     LIMIT 1) AS followers
FROM users u
WHERE u.id = :broadcaster_id
ORDER BY u.login
LIMIT coalesce(:limit, -1)
