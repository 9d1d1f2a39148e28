-- A VOD's chat by offset, walking chat_messages_by_video. A download still in progress has saved what it
-- fetched so far (see the notes query). The user is the commenter's login, or their display name when Twitch
-- sent no login. `/*direction*/` becomes ASC or DESC.
SELECT
    m.offset_seconds,
    m.created_at,
    coalesce(m.user_login, m.user_name) AS user,
    m.text
FROM chat_messages m
WHERE m.video_id = :video
  AND m.created_at >= coalesce(:since, '')
  AND m.created_at <= coalesce(:until, '9999')
ORDER BY m.offset_seconds /*direction*/, m.created_at /*direction*/, m.id /*direction*/
LIMIT coalesce(:limit, -1)
