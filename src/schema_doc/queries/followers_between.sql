-- Who followed a channel between two times, with how old each account was when it followed. :since and :until
-- are dates or times in the archive's format (2026-10-01, 2026-10-01T18:00:00Z); :since is inclusive, :until
-- exclusive, and an empty one leaves that side open. Ended follows are listed too (unfollowed_seen_at).
SELECT
    follower,
    user_id,
    account_created_at,
    followed_at,
    round(seconds_to_follow / 86400.0, 1) AS account_age_days,
    unfollowed_seen_at
FROM channel_followers
WHERE channel = lower(:channel)
  AND followed_at >= :since
  AND followed_at < coalesce(nullif(:until, ''), '9999')
ORDER BY followed_at DESC
