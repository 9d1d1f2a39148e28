-- The chatters of one snapshot: the newest whose time is within --since/--until (so --until alone means "as of
-- then"), one row per chatter, by login. Walks chatter_snapshots_by_time to the snapshot, then its users.
WITH snapshot AS (
    SELECT cs.id, cs.taken_at
    FROM chatter_snapshots cs
    WHERE cs.broadcaster_id = :broadcaster_id
      AND cs.taken_at >= coalesce(:since, '')
      AND cs.taken_at <= coalesce(:until, '9999')
    ORDER BY cs.taken_at DESC, cs.id DESC
    LIMIT 1
)
SELECT
    u.login AS chatter,
    snapshot.taken_at
FROM snapshot
JOIN chatter_snapshot_users csu ON csu.snapshot_id = snapshot.id
JOIN users u ON u.id = csu.user_id
ORDER BY u.login, u.id
LIMIT coalesce(:limit, -1)
