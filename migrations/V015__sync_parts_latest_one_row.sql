-- sync_parts_latest picked each part's row by max(started_at), which is kept to the second: a killed walk and the
-- sync that resumed it in the same second both matched, so the view said the part was interrupted and ok at once.
-- A later run always has a larger id, so the latest row is the one of the largest sync_run_id.
DROP VIEW sync_parts_latest;
CREATE VIEW sync_parts_latest AS
SELECT p.broadcaster_id, u.login, p.part, p.status, p.started_at, p.finished_at, p.requests, p.error, p.sync_run_id
FROM sync_run_parts p
JOIN users u ON u.id = p.broadcaster_id
WHERE p.sync_run_id = (
    SELECT max(q.sync_run_id) FROM sync_run_parts q
    WHERE q.broadcaster_id = p.broadcaster_id AND q.part = p.part
);
