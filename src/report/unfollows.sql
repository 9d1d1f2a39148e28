-- Follows that ended: unfollowed_seen_at is the first full follower pass that no longer found the follow, so
-- the unfollow happened between the pass before it and then. `/*direction*/` becomes ASC or DESC.
SELECT
    cf.follower,
    cf.followed_at,
    cf.unfollowed_seen_at
FROM channel_followers cf
WHERE cf.broadcaster_id = :broadcaster_id
  AND cf.unfollowed_seen_at IS NOT NULL
  AND cf.unfollowed_seen_at >= coalesce(:since, '')
  AND cf.unfollowed_seen_at <= coalesce(:until, '9999')
ORDER BY cf.unfollowed_seen_at /*direction*/, cf.user_id /*direction*/
LIMIT coalesce(:limit, -1)
