-- The subscriber total and sub points Twitch reported at each sync that read them: each complete snapshot, and each
-- sync that read only the first page (V023 `list_read = 0`, its total and points are as true; `listed` is empty,
-- as that sync did not read the list). Walks subscription_snapshots_by_time. `/*direction*/` becomes ASC or DESC.
SELECT
    taken_at,
    total AS subscriber_total,
    points,
    CASE WHEN list_read THEN listed END AS listed
FROM subscription_snapshots
WHERE broadcaster_id = :broadcaster_id
  AND (complete OR NOT list_read)
  AND taken_at >= coalesce(:since, '')
  AND taken_at <= coalesce(:until, '9999')
ORDER BY taken_at /*direction*/, id /*direction*/
LIMIT coalesce(:limit, -1)
