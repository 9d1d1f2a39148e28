-- Live snapshots of the channel's streams: the viewer count and title each sync saw. Walks streams_by_time to
-- the channel's streams, then stream_snapshots_by_time for each. `/*direction*/` becomes ASC or DESC.
SELECT
    ss.stream_id,
    ss.taken_at,
    ss.viewer_count,
    coalesce(ss.title, s.title) AS title
FROM streams s
JOIN stream_snapshots ss ON ss.stream_id = s.id
WHERE s.user_id = :broadcaster_id
  AND ss.taken_at >= coalesce(:since, '')
  AND ss.taken_at <= coalesce(:until, '9999')
ORDER BY ss.taken_at /*direction*/, ss.id /*direction*/
LIMIT coalesce(:limit, -1)
