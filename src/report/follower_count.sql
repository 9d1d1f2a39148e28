-- The follower total each sync saw (snapshots that did not count followers are left out), for charting the
-- count over time. Walks channel_snapshots_by_time (broadcaster_id, taken_at). `/*direction*/` becomes ASC or DESC.
SELECT
    s.taken_at,
    s.follower_total
FROM channel_snapshots s
WHERE s.broadcaster_id = :broadcaster_id
  AND s.follower_total IS NOT NULL
  AND s.taken_at >= coalesce(:since, '')
  AND s.taken_at <= coalesce(:until, '9999')
ORDER BY s.taken_at /*direction*/, s.id /*direction*/
LIMIT coalesce(:limit, -1)
