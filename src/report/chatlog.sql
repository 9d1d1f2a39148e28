-- A VOD's chat by offset. Merged messages walk chat_messages_by_video; a download still in progress adds what it
-- has staged (a resumed page can be staged twice: one row per message id). The user is the commenter's login, or
-- their display name when Twitch sent no login. `/*direction*/` becomes ASC or DESC.
WITH messages AS (
    SELECT m.id, m.offset_seconds, m.created_at, coalesce(m.user_login, m.user_name) AS user, m.text
    FROM chat_messages m
    WHERE m.video_id = :video
    UNION ALL
    SELECT st.id, min(st.offset_seconds), min(st.created_at), coalesce(st.user_login, st.user_name), st.text
    FROM chat_staging st
    WHERE st.video_id = :video
      AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.id = st.id)
    GROUP BY st.id
)
SELECT
    messages.offset_seconds,
    messages.created_at,
    messages.user,
    messages.text
FROM messages
WHERE messages.created_at >= coalesce(:since, '')
  AND messages.created_at <= coalesce(:until, '9999')
ORDER BY messages.offset_seconds /*direction*/, messages.created_at /*direction*/, messages.id /*direction*/
LIMIT coalesce(:limit, -1)
