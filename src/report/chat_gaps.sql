-- Gaps in the channel's live chat record (chat_gaps, chat_gaps_by_channel), each with the messages of the
-- channel a VOD's replay holds from that time, both ends included (chat_messages_by_channel_time), and the first
-- archive VOD whose span covers any of it (NULL when none is archived: nothing can fill the gap yet).
-- `/*direction*/` becomes ASC or DESC.
SELECT
    g.started_at,
    g.ended_at,
    unixepoch(g.ended_at) - unixepoch(g.started_at) AS seconds,
    g.reason,
    (
        SELECT count(*)
        FROM chat_messages m
        WHERE m.broadcaster_id = g.broadcaster_id
          AND m.created_at >= g.started_at
          AND m.created_at <= g.ended_at
          AND m.source = 'replay'
    ) AS replay_messages,
    (
        SELECT v.id
        FROM videos v
        WHERE v.user_id = g.broadcaster_id
          AND v.type = 'archive'
          AND v.created_at <= g.ended_at
          AND strftime('%Y-%m-%dT%H:%M:%SZ', v.created_at, '+' || coalesce(v.duration_seconds, 0) || ' seconds')
              >= g.started_at
        ORDER BY v.created_at, v.id
        LIMIT 1
    ) AS video_id
FROM chat_gaps g
WHERE g.broadcaster_id = :broadcaster_id
  AND g.started_at >= coalesce(:since, '')
  AND g.started_at <= coalesce(:until, '9999')
ORDER BY g.started_at /*direction*/, g.seq /*direction*/
LIMIT coalesce(:limit, -1)
