-- The channels a user currently follows, in the 2016 itch's `following` columns and order: the user, the channel,
-- the user's account creation, the follow time, the seconds between them, and the channel's follower total when
-- the archive counted it (NULL for channels that are not synced). Walks follows_user_id; a user follows few
-- channels, so the sort is small. `/*direction*/` becomes ASC or DESC.
SELECT
    cf.follower AS user,
    cf.channel AS followed_channel,
    cf.account_created_at,
    cf.followed_at,
    cf.seconds_to_follow,
    (SELECT s.follower_total
     FROM channel_snapshots s
     WHERE s.broadcaster_id = cf.broadcaster_id AND s.follower_total IS NOT NULL
     ORDER BY s.taken_at DESC, s.id DESC
     LIMIT 1) AS channel_follower_count
FROM channel_followers cf
WHERE cf.user_id = :broadcaster_id
  AND cf.unfollowed_seen_at IS NULL
  AND cf.followed_at >= coalesce(:since, '')
  AND cf.followed_at <= coalesce(:until, '9999')
ORDER BY cf.followed_at /*direction*/, cf.broadcaster_id /*direction*/
LIMIT coalesce(:limit, -1)
