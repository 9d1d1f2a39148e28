-- Chat messages whose text matches an FTS5 query (chat_messages_fts, external content over chat_messages), from
-- every channel or one, within --since/--until. The channel is picked as the reports pick it.
-- `/*direction*/` becomes ASC or DESC.
WITH channel AS (
    SELECT u.id
    FROM users u
    WHERE u.login = :login
      AND (EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id)
           OR EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id))
    ORDER BY u.last_seen_at DESC
    LIMIT 1
)
SELECT
    m.created_at,
    b.login AS channel,
    m.video_id,
    m.offset_seconds,
    coalesce(m.user_login, m.user_name) AS user,
    m.text
FROM chat_messages_fts
JOIN chat_messages m ON m.seq = chat_messages_fts.rowid
LEFT JOIN users b ON b.id = m.broadcaster_id
WHERE chat_messages_fts MATCH :query
  AND (:login IS NULL OR m.broadcaster_id = (SELECT id FROM channel))
  AND m.created_at >= coalesce(:since, '')
  AND m.created_at <= coalesce(:until, '9999')
ORDER BY m.created_at /*direction*/, m.id /*direction*/
LIMIT coalesce(:limit, -1)
