-- Chat messages whose text matches an FTS5 query (chat_messages_fts, external content over chat_messages), from
-- every channel or one (:broadcaster_id, NULL for all), within --since/--until. A message a moderator took out of
-- the chat is found too, with when (deleted_at), unless --hide-deleted (:hide_deleted = 1) leaves it out.
-- `/*direction*/` becomes ASC or DESC.
SELECT
    m.created_at,
    b.login AS channel,
    m.video_id,
    m.offset_seconds,
    coalesce(m.user_login, m.user_name) AS user,
    m.text,
    m.deleted_at
FROM chat_messages_fts
JOIN chat_messages m ON m.seq = chat_messages_fts.rowid
LEFT JOIN users b ON b.id = m.broadcaster_id
WHERE chat_messages_fts MATCH :query
  AND (:broadcaster_id IS NULL OR m.broadcaster_id = :broadcaster_id)
  AND m.created_at >= coalesce(:since, '')
  AND m.created_at <= coalesce(:until, '9999')
  AND (:hide_deleted IS NULL OR m.deleted_at IS NULL)
ORDER BY m.created_at /*direction*/, m.id /*direction*/
LIMIT coalesce(:limit, -1)
