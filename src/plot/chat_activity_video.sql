-- The chat-activity chart's title: the VOD's title, the day it was streamed and its channel. One row, or none for a
-- video the archive does not hold (the chart then names it by id alone).
SELECT
    v.title,
    v.created_at,
    u.login
FROM videos v
LEFT JOIN users u ON u.id = v.user_id
WHERE v.id = :video
