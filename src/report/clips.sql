-- A channel's clips with their latest view count (clips_latest), newest first, or most viewed first with
-- --by-views (:by_views = 1). The VOD and the offset in it say where the clip was made; an empty video_id means
-- Twitch no longer has the VOD. Walks clips_by_time (broadcaster_id, created_at). `/*direction*/` becomes ASC or DESC.
SELECT
    c.id,
    c.created_at,
    c.view_count,
    c.view_count_at,
    c.duration,
    c.title,
    c.creator_name,
    c.video_id,
    c.vod_offset,
    c.game_id,
    c.is_featured,
    c.url
FROM clips_latest c
WHERE c.broadcaster_id = :broadcaster_id
  AND c.created_at >= coalesce(:since, '')
  AND c.created_at <= coalesce(:until, '9999')
ORDER BY CASE WHEN :by_views IS NULL THEN 0 ELSE c.view_count END /*direction*/, c.created_at /*direction*/,
    c.id /*direction*/
LIMIT coalesce(:limit, -1)
