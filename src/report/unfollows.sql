-- Follows that ended, every episode (a follower who came back has both the unfollow and the new follow):
-- unfollowed_seen_at is the first full follower pass that no longer found the follow, so the unfollow happened
-- between the pass before it and then; an unfollow no pass saw (the follower came back before one ran) is known
-- from the new follow, so its time is the sync that saw that. followed_again_at is the new follow, if any.
-- `/*direction*/` becomes ASC or DESC.
SELECT
    e.follower,
    e.followed_at,
    coalesce(e.unfollowed_seen_at, n.first_seen_at) AS unfollowed_seen_at,
    n.followed_at AS followed_again_at
FROM follow_episodes e
LEFT JOIN follow_episodes n
    ON n.broadcaster_id = e.broadcaster_id AND n.user_id = e.user_id AND n.episode = e.episode + 1
WHERE e.broadcaster_id = :broadcaster_id
  AND (e.unfollowed_seen_at IS NOT NULL OR n.episode IS NOT NULL)
  AND coalesce(e.unfollowed_seen_at, n.first_seen_at) >= coalesce(:since, '')
  AND coalesce(e.unfollowed_seen_at, n.first_seen_at) <= coalesce(:until, '9999')
ORDER BY 3 /*direction*/, e.user_id /*direction*/, e.episode /*direction*/
LIMIT coalesce(:limit, -1)
