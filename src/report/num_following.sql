-- How many channels a user follows now: their current follows, whichever sync saw them.
SELECT
    u.login AS user,
    (SELECT count(*)
     FROM follows f
     WHERE f.user_id = u.id AND f.unfollowed_seen_at IS NULL) AS following
FROM users u
WHERE u.id = :broadcaster_id
ORDER BY u.login
LIMIT coalesce(:limit, -1)
