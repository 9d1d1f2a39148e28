-- A VOD's current chapters (video_chapters, gone_seen_at NULL), by start. A chapter whose duration Twitch did
-- not give (0 while recording, negative, or a whole-VOD chapter of unknown length) ends where the next one
-- starts, or at the VOD's end (videos.duration_seconds). Always in the VOD's order: it has no time to filter by.
WITH chapters AS (
    SELECT
        c.position_ms / 1000 AS offset_seconds,
        coalesce(
            c.duration_ms / 1000,
            lead(c.position_ms) OVER (ORDER BY c.position_ms) / 1000 - c.position_ms / 1000,
            (SELECT v.duration_seconds FROM videos v WHERE v.id = c.video_id) - c.position_ms / 1000
        ) AS duration_seconds,
        c.game_id,
        coalesce(c.game_name, c.description) AS game,
        c.source,
        c.first_seen_at
    FROM video_chapters c
    WHERE c.video_id = :video
      AND c.gone_seen_at IS NULL
)
SELECT
    printf('%d:%02d:%02d', offset_seconds / 3600, offset_seconds % 3600 / 60, offset_seconds % 60) AS offset,
    offset_seconds,
    game,
    game_id,
    CASE WHEN duration_seconds IS NOT NULL THEN
        printf('%d:%02d:%02d', duration_seconds / 3600, duration_seconds % 3600 / 60, duration_seconds % 60)
    END AS duration,
    duration_seconds,
    offset_seconds + duration_seconds AS end_seconds,
    source,
    first_seen_at
FROM chapters
ORDER BY offset_seconds
LIMIT coalesce(:limit, -1)
