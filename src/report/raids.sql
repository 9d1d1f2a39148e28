-- Raids into the channel's chat, from the live record (chat_events, kind 'raid', walking
-- chat_events_by_channel_time), each with the follows of the channel that came from the raid's second to 30
-- minutes after it, both ends included (follows_by_time). Follows that have since ended count: they came in with
-- the raid (raiders' follows are often undone later). A raid Twitch relayed from another room of a shared chat is
-- not this channel's (its kind is 'sharedchatnotice', or it names its source room) and is left out.
-- `/*direction*/` becomes ASC or DESC.
SELECT
    e.created_at,
    e.user_login AS raider,
    e.user_name AS raider_name,
    e.viewer_count,
    (
        SELECT count(*)
        FROM follows f
        WHERE f.broadcaster_id = e.broadcaster_id
          AND f.followed_at >= e.created_at
          AND f.followed_at <= strftime('%Y-%m-%dT%H:%M:%SZ', e.created_at, '+30 minutes')
    ) AS follows_next_half_hour
FROM chat_events e
WHERE e.broadcaster_id = :broadcaster_id
  AND e.kind = 'raid'
  AND e.source_room_id IS NULL
  AND e.created_at >= coalesce(:since, '')
  AND e.created_at <= coalesce(:until, '9999')
ORDER BY e.created_at /*direction*/, e.id /*direction*/
LIMIT coalesce(:limit, -1)
