-- Live snapshots of the channel's streams: the viewer count and title each sync saw. Walks streams_by_time to
-- the channel's streams, then stream_snapshots_by_time for each. `/*direction*/` becomes ASC or DESC.
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
    ss.stream_id,
    ss.taken_at,
    ss.viewer_count,
    coalesce(ss.title, s.title) AS title
FROM streams s
JOIN stream_snapshots ss ON ss.stream_id = s.id
WHERE s.user_id = (SELECT id FROM channel)
  AND ss.taken_at >= coalesce(:since, '')
  AND ss.taken_at <= coalesce(:until, '9999')
ORDER BY ss.taken_at /*direction*/, ss.id /*direction*/
LIMIT coalesce(:limit, -1)
