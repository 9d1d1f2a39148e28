-- Moderation in the channel's chat, from the live record (chat_moderation, chat_moderation_by_channel_time).
-- The target is the login the line named, else the archived user it was resolved to. The text:
-- - a deletion: the text Twitch repeated in the CLEARMSG, else the archived message it named (by its id in this
--   room, which for a shared-chat copy is the stored original's link in chat_message_rooms);
-- - a timeout or a ban: the last message of the user's it marked deleted (chat_messages.deleted_by);
-- - a chat clear: none (it took everyone's messages; messages_marked says how many).
-- `/*direction*/` becomes ASC or DESC.
SELECT
    c.created_at,
    c.action,
    coalesce(c.target_login, (SELECT u.login FROM users u WHERE u.id = c.target_user_id)) AS target,
    c.duration_seconds,
    c.messages_marked,
    CASE
        WHEN c.action = 'delete' THEN coalesce(
            c.deleted_text,
            (
                SELECT m.text
                FROM chat_messages m
                WHERE m.id IN (
                    SELECT c.target_message_id
                    UNION
                    SELECT r.message_id FROM chat_message_rooms r WHERE r.room_message_id = c.target_message_id
                )
                LIMIT 1
            )
        )
        WHEN c.action IN ('timeout', 'ban') THEN (
            SELECT m.text
            FROM chat_messages m
            WHERE m.deleted_by = c.seq
            ORDER BY m.created_at DESC, m.seq DESC
            LIMIT 1
        )
    END AS text
FROM chat_moderation c
WHERE c.broadcaster_id = :broadcaster_id
  AND c.created_at >= coalesce(:since, '')
  AND c.created_at <= coalesce(:until, '9999')
ORDER BY c.created_at /*direction*/, c.seq /*direction*/
LIMIT coalesce(:limit, -1)
