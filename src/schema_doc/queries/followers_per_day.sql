-- A channel's followers per day, newest day first: the follows archived for each day (by Twitch's follow time,
-- ended ones included), the running count of them, and the last follower total Helix reported that day, when a
-- sync ran then. The two differ by the follows that ended before the first walk and by re-follows.
WITH channel AS (
    SELECT id FROM users WHERE login = lower(:channel)
),
per_day AS (
    SELECT date(followed_at) AS day, count(*) AS new_follows
    FROM follows
    WHERE broadcaster_id = (SELECT id FROM channel)
    GROUP BY day
),
totals AS (
    SELECT date(taken_at) AS day, follower_total,
           row_number() OVER (PARTITION BY date(taken_at) ORDER BY taken_at DESC, id DESC) AS newest
    FROM channel_snapshots
    WHERE broadcaster_id = (SELECT id FROM channel) AND follower_total IS NOT NULL
),
days AS (
    SELECT day FROM per_day UNION SELECT day FROM totals WHERE newest = 1
)
SELECT
    d.day,
    coalesce(p.new_follows, 0) AS new_follows,
    sum(coalesce(p.new_follows, 0)) OVER (ORDER BY d.day) AS follows_archived,
    t.follower_total AS helix_follower_total
FROM days d
LEFT JOIN per_day p ON p.day = d.day
LEFT JOIN totals t ON t.day = d.day AND t.newest = 1
ORDER BY d.day DESC
