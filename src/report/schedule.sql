-- The channel's stream schedule as history: one row per version of each segment a sync saw (new, changed,
-- canceled, restored, gone, back), with the plan as it stood then, and one row per vacation (and one when it was
-- seen withdrawn). Segments walk schedule_segments_by_start to the channel, then their versions through
-- schedule_segment_versions_by_segment. `/*direction*/` becomes ASC or DESC.
SELECT * FROM (
    SELECT
        v.start_time,
        v.end_time,
        v.change,
        v.seen_at,
        v.title,
        v.category_name AS category,
        v.is_recurring,
        v.canceled_until,
        s.id AS segment_id
    FROM schedule_segments s
    JOIN schedule_segment_versions v ON v.segment_id = s.id
    WHERE s.broadcaster_id = :broadcaster_id
    UNION ALL
    SELECT start_time, end_time, 'vacation', first_seen_at, NULL, NULL, NULL, NULL, NULL
    FROM schedule_vacations
    WHERE broadcaster_id = :broadcaster_id
    UNION ALL
    SELECT start_time, end_time, 'vacation withdrawn', gone_seen_at, NULL, NULL, NULL, NULL, NULL
    FROM schedule_vacations
    WHERE broadcaster_id = :broadcaster_id AND gone_seen_at IS NOT NULL
)
WHERE start_time >= coalesce(:since, '')
  AND start_time <= coalesce(:until, '9999')
ORDER BY start_time /*direction*/, seen_at /*direction*/, segment_id /*direction*/
LIMIT coalesce(:limit, -1)
