-- What a chat log lacks: one row when the VOD's chat download is not complete.
SELECT
    CASE v.chat_status
        WHEN 'partial' THEN 'the chat of video ' || v.id || ' is only partly downloaded (' ||
            (SELECT count(*) FROM chat_messages m WHERE m.video_id = v.id) ||
            ' messages so far): run `itch chat ' || v.id || '` to finish it'
        WHEN 'unavailable' THEN 'Twitch had no chat replay for video ' || v.id || ' when itch asked'
        ELSE 'the chat of video ' || v.id || ' was never downloaded: run `itch chat ' || v.id || '`'
    END AS note
FROM videos v
WHERE v.id = :video
  AND v.chat_status IS NOT 'complete'
ORDER BY v.id
