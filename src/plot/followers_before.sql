-- How many current followers followed before --since: where the follow chart's cumulative line starts when the
-- chart shows a window, so "follows so far" counts from the channel's real total. Same rows as the `followers`
-- report (current follows of the channel), only earlier. follows_by_time answers it from the index.
SELECT count(*) AS before
FROM follows f
WHERE f.broadcaster_id = :broadcaster_id
  AND f.unfollowed_seen_at IS NULL
  AND f.followed_at < :since
