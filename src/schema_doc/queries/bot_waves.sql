-- Follow-bot waves, as `itch report bot-waves` finds them: many accounts created minutes apart that followed
-- minutes apart. In follow order, a new burst starts wherever more than :gap_seconds pass without a follow;
-- within a burst, in creation order, a new run starts wherever more than :gap_seconds pass without an account
-- being made. A run of at least :min_size accounts is a wave. Ended follows count too (Twitch purges bots later).
WITH follows_of AS (
    SELECT unixepoch(f.followed_at) AS followed, unixepoch(u.created_at) AS created
    FROM follows f
    JOIN users c ON c.id = f.broadcaster_id
    JOIN users u ON u.id = f.user_id
    WHERE c.login = lower(:channel) AND u.created_at IS NOT NULL
),
gap AS (
    SELECT coalesce(CAST(nullif(:gap_seconds, '') AS INTEGER), 300) AS seconds,
           coalesce(CAST(nullif(:min_size, '') AS INTEGER), 20) AS min_size
),
follow_steps AS (
    SELECT followed, created,
           CASE WHEN followed - lag(followed) OVER (ORDER BY followed, created) <= (SELECT seconds FROM gap)
                THEN 0 ELSE 1 END AS starts_burst
    FROM follows_of
),
bursts AS (
    SELECT followed, created, sum(starts_burst) OVER (ORDER BY followed, created ROWS UNBOUNDED PRECEDING) AS burst
    FROM follow_steps
),
created_steps AS (
    SELECT followed, created, burst,
           CASE WHEN created - lag(created) OVER (PARTITION BY burst ORDER BY created) <= (SELECT seconds FROM gap)
                THEN 0 ELSE 1 END AS starts_run
    FROM bursts
),
runs AS (
    SELECT followed, created, burst,
           sum(starts_run) OVER (PARTITION BY burst ORDER BY created ROWS UNBOUNDED PRECEDING) AS run
    FROM created_steps
)
SELECT
    strftime('%Y-%m-%dT%H:%M:%SZ', min(followed), 'unixepoch') AS wave_start,
    strftime('%Y-%m-%dT%H:%M:%SZ', max(followed), 'unixepoch') AS wave_end,
    count(*) AS size,
    strftime('%Y-%m-%dT%H:%M:%SZ', min(created), 'unixepoch') AS accounts_created_from,
    strftime('%Y-%m-%dT%H:%M:%SZ', max(created), 'unixepoch') AS accounts_created_to
FROM runs
GROUP BY burst, run
HAVING count(*) >= (SELECT min_size FROM gap)
ORDER BY wave_start DESC
