-- Follows that ended: unfollowed_seen_at is the first full follower pass that no longer found the follow, so
-- the unfollow happened between the pass before it and then. `/*direction*/` becomes ASC or DESC.
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
    cf.follower,
    cf.followed_at,
    cf.unfollowed_seen_at
FROM channel_followers cf
WHERE cf.broadcaster_id = (SELECT id FROM channel)
  AND cf.unfollowed_seen_at IS NOT NULL
  AND cf.unfollowed_seen_at >= coalesce(:since, '')
  AND cf.unfollowed_seen_at <= coalesce(:until, '9999')
ORDER BY cf.unfollowed_seen_at /*direction*/, cf.user_id /*direction*/
LIMIT coalesce(:limit, -1)
