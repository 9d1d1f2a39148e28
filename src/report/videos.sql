-- A channel's videos (archives, highlights, uploads), including those Twitch has since deleted: deleted_seen_at
-- is the first sync that no longer found one. Walks videos_by_time (user_id, created_at).
-- `/*direction*/` becomes ASC or DESC.
SELECT
    v.id,
    v.type,
    v.created_at,
    v.published_at,
    v.duration_seconds,
    v.view_count,
    v.title,
    v.url,
    v.deleted_seen_at
FROM videos v
WHERE v.user_id = :broadcaster_id
  AND v.created_at >= coalesce(:since, '')
  AND v.created_at <= coalesce(:until, '9999')
ORDER BY v.created_at /*direction*/, v.id /*direction*/
LIMIT coalesce(:limit, -1)
