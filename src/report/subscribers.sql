-- The channel's subscribers at the latest complete snapshot (subscription_snapshots_by_time to the snapshot, then
-- its rows): tier, gifted or not, and the gifter, by login. `taken_at` is that snapshot's: a later sync that read only
-- the first page (V023 `list_read = 0`) recorded no list, so it is not shown as one.
SELECT
    s.taken_at,
    u.login AS user,
    su.tier,
    su.is_gift,
    g.login AS gifter,
    su.plan_name
FROM subscription_snapshots s
JOIN subscription_snapshot_users su ON su.snapshot_id = s.id
JOIN users u ON u.id = su.user_id
LEFT JOIN users g ON g.id = su.gifter_id
WHERE s.id = (
    SELECT max(id) FROM subscription_snapshots WHERE broadcaster_id = :broadcaster_id AND complete
)
ORDER BY u.login, su.user_id
LIMIT coalesce(:limit, -1)
