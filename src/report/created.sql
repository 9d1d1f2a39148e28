-- When a channel's account was created (NULL until Get Users has hydrated it).
SELECT u.login AS channel, u.created_at
FROM users u
WHERE u.id = :broadcaster_id
ORDER BY u.login
LIMIT coalesce(:limit, -1)
