-- What chat said around a moment of a VOD: the messages from :offset_seconds - :window_seconds to
-- :offset_seconds + :window_seconds (default one minute) into the video :video_id, in VOD order. 1:23:45 is 5025.
-- Uses chat_messages_by_video.
SELECT
    time(offset_seconds, 'unixepoch') AS at,
    offset_seconds,
    user_login,
    text,
    kind,
    deleted_at
FROM chat_messages
WHERE video_id = :video_id
  AND offset_seconds BETWEEN CAST(:offset_seconds AS INTEGER) - coalesce(CAST(nullif(:window_seconds, '') AS INTEGER), 60)
                         AND CAST(:offset_seconds AS INTEGER) + coalesce(CAST(nullif(:window_seconds, '') AS INTEGER), 60)
ORDER BY offset_seconds, created_at, id
