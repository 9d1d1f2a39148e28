-- Chat replay pages now go straight into chat_messages, each committed with its segment's cursor: the staged
-- copy that was merged at the end doubled every message's writes and kept the chat out of reports and search
-- until the last segment finished. Messages staged by a download interrupted under itch 0.4.0 move over here
-- (their segments' cursors stay valid, so the download resumes where it stopped), and the staging table goes.
INSERT INTO users (id, login, display_name, first_seen_at, last_seen_at, sync_run_id)
SELECT user_id, user_login, user_name, min(seen_at), max(seen_at), sync_run_id
FROM chat_staging
WHERE user_id IS NOT NULL
GROUP BY user_id
ON CONFLICT (id) DO UPDATE SET last_seen_at = max(users.last_seen_at, excluded.last_seen_at);

INSERT INTO chat_messages (id, source, video_id, broadcaster_id, user_id, user_login, user_name, offset_seconds,
    created_at, created_at_corrected, text, fragments_json, emotes_json, badges_json, color, first_seen_at,
    sync_run_id, raw_json)
SELECT id, 'replay', video_id, broadcaster_id, user_id, user_login, user_name, offset_seconds, created_at,
    created_at_corrected, text, fragments_json, emotes_json, badges_json, color, seen_at, sync_run_id, raw_json
FROM chat_staging
WHERE true
ORDER BY video_id, offset_seconds, id
ON CONFLICT (id) DO NOTHING;

DROP TABLE chat_staging;
