-- Current followers of a channel, with each account's creation and how long it waited to follow (young accounts
-- following together are the follow-bot signature): the 2016 itch's `followers` columns, in its order.
-- It walks the follows_by_time index (broadcaster_id, followed_at, then the key's user_id), so the time bounds
-- and the order cost neither a scan nor a sort of the whole table. `/*direction*/` becomes ASC or DESC.
SELECT
    cf.follower,
    cf.channel,
    cf.account_created_at,
    cf.followed_at,
    cf.seconds_to_follow,
    -- the newest snapshot that counted followers (a sync can skip that part and leave NULL)
    (SELECT s.follower_total
     FROM channel_snapshots s
     WHERE s.broadcaster_id = :broadcaster_id AND s.follower_total IS NOT NULL
     ORDER BY s.taken_at DESC, s.id DESC
     LIMIT 1) AS follower_count
FROM channel_followers cf
WHERE cf.broadcaster_id = :broadcaster_id
  AND cf.unfollowed_seen_at IS NULL
  AND cf.followed_at >= coalesce(:since, '')
  AND cf.followed_at <= coalesce(:until, '9999')
ORDER BY cf.followed_at /*direction*/, cf.user_id /*direction*/
LIMIT coalesce(:limit, -1)
