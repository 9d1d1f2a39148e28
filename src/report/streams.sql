-- Stream sessions, one per stream id. A stream a sync saw live ends where its archive VOD ends (exact), else at the
-- first sync that found the channel offline (ended_seen_at, at most one sync interval late), else, while it is
-- still live, at the last sync that saw it. A session no sync saw live is known only from its archive VOD(s):
-- created_at to created_at + duration; VODs of one stream id are one session, a VOD without one is its own.
-- Deleted VODs still count: the stream happened. `/*direction*/` becomes ASC or DESC.
WITH vods AS (
    SELECT
        v.stream_id,
        v.id,
        v.created_at AS started_at,
        strftime('%Y-%m-%dT%H:%M:%SZ', v.created_at, '+' || coalesce(v.duration_seconds, 0) || ' seconds')
            AS ended_at
    FROM videos v
    WHERE v.user_id = :broadcaster_id
      AND v.type = 'archive'
),
sessions AS (
    SELECT
        s.started_at,
        CASE
            WHEN s.ended_seen_at IS NULL
                THEN max(s.last_seen_at, coalesce(vod.ended_at, ''))
            ELSE coalesce(vod.ended_at, s.ended_seen_at)
        END AS ended_at
    FROM streams s
    LEFT JOIN (SELECT vods.stream_id, max(vods.ended_at) AS ended_at FROM vods GROUP BY vods.stream_id) vod
        ON vod.stream_id = s.id
    WHERE s.user_id = :broadcaster_id
    UNION ALL
    SELECT min(vods.started_at), max(vods.ended_at)
    FROM vods
    WHERE vods.stream_id IS NULL
       OR NOT EXISTS (SELECT 1 FROM streams s WHERE s.id = vods.stream_id)
    GROUP BY coalesce(vods.stream_id, 'video ' || vods.id)
)
SELECT
    sessions.started_at,
    sessions.ended_at
FROM sessions
WHERE sessions.started_at >= coalesce(:since, '')
  AND sessions.started_at <= coalesce(:until, '9999')
ORDER BY sessions.started_at /*direction*/, sessions.ended_at /*direction*/
LIMIT coalesce(:limit, -1)
