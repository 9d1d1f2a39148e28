-- Each follow that came after an unfollow (an episode after the first), with the episode it ended. The unfollow
-- time is when a full pass first missed the earlier follow, or, when none did before the follower came back, the
-- sync that saw the new follow. `/*direction*/` becomes ASC or DESC.
SELECT
    e.follower,
    e.episode,
    p.followed_at AS earlier_followed_at,
    coalesce(p.unfollowed_seen_at, e.first_seen_at) AS unfollowed_seen_at,
    e.followed_at,
    e.unfollowed_seen_at IS NULL AND e.is_latest AS following
FROM follow_episodes e
JOIN follow_episodes p
    ON p.broadcaster_id = e.broadcaster_id AND p.user_id = e.user_id AND p.episode = e.episode - 1
WHERE e.broadcaster_id = :broadcaster_id
  AND e.episode > 1
  AND e.followed_at >= coalesce(:since, '')
  AND e.followed_at <= coalesce(:until, '9999')
ORDER BY e.followed_at /*direction*/, e.user_id /*direction*/
LIMIT coalesce(:limit, -1)
