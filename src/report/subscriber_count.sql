-- The subscriber total and sub points Twitch reported at each complete snapshot, with how many subscribers the
-- snapshot lists. Walks subscription_snapshots_by_time. `/*direction*/` becomes ASC or DESC.
SELECT
    taken_at,
    total AS subscriber_total,
    points,
    listed
FROM subscription_snapshots
WHERE broadcaster_id = :broadcaster_id
  AND complete
  AND taken_at >= coalesce(:since, '')
  AND taken_at <= coalesce(:until, '9999')
ORDER BY taken_at /*direction*/, id /*direction*/
LIMIT coalesce(:limit, -1)
