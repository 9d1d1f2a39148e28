-- A VOD's chat by offset, walking chat_messages_by_video. A download still in progress has saved what it
-- fetched so far (see the notes query). The user is the commenter's login, or their display name when Twitch
-- sent no login. A message a moderator took out of the chat is shown, with when (deleted_at, the last column),
-- unless --hide-deleted (:hide_deleted = 1) leaves it out. With --at (:at, seconds into the VOD) only the
-- messages within :around seconds of it (60 by default) are read. `/*direction*/` becomes ASC or DESC.
SELECT
    m.offset_seconds,
    m.created_at,
    coalesce(m.user_login, m.user_name) AS user,
    m.text,
    m.deleted_at
FROM chat_messages m
WHERE m.video_id = :video
  AND m.created_at >= coalesce(:since, '')
  AND m.created_at <= coalesce(:until, '9999')
  AND (:hide_deleted IS NULL OR m.deleted_at IS NULL)
  AND (:at IS NULL OR m.offset_seconds BETWEEN :at - coalesce(:around, 60) AND :at + coalesce(:around, 60))
ORDER BY m.offset_seconds /*direction*/, m.created_at /*direction*/, m.id /*direction*/
LIMIT coalesce(:limit, -1)
