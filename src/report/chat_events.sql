-- The live record's events (chat_events) of the video's channel from the VOD's start to its end (created_at +
-- duration_seconds), both ends included, every kind, with the seconds into the VOD each happened at.
-- `/*direction*/` becomes ASC or DESC.
SELECT
    unixepoch(e.created_at) - unixepoch(v.created_at) AS offset_seconds,
    e.created_at,
    e.kind,
    coalesce(e.user_login, e.user_name) AS user,
    coalesce(e.recipient_login, e.recipient_name) AS recipient,
    e.viewer_count,
    e.gift_count,
    e.months,
    e.tier,
    e.system_message
FROM videos v
JOIN chat_events e ON e.broadcaster_id = v.user_id
WHERE v.id = :video
  AND e.created_at >= v.created_at
  AND e.created_at <= strftime('%Y-%m-%dT%H:%M:%SZ', v.created_at,
                               '+' || coalesce(v.duration_seconds, 0) || ' seconds')
  AND e.created_at >= coalesce(:since, '')
  AND e.created_at <= coalesce(:until, '9999')
ORDER BY e.created_at /*direction*/, e.id /*direction*/
LIMIT coalesce(:limit, -1)
