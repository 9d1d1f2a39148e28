-- A subscriber list is read whole only when something may have changed (issue 17: a no-change re-sync costs one
-- request). Every sync reads the first page, which carries Twitch's total and points; when they and the first page
-- itself are as in the latest complete snapshot (and no full read is due), the sync records the total and points
-- alone, in a row that says the list was not read: never an empty list ("everyone unsubscribed"), never a copy of
-- the last one ("nothing changed"). The first page's digest is kept with every snapshot to compare the next with.
ALTER TABLE subscription_snapshots ADD COLUMN list_read INTEGER NOT NULL DEFAULT 1;  -- 0: first page only, no subscribers recorded
ALTER TABLE subscription_snapshots ADD COLUMN first_page_digest TEXT;                -- sha256 of the first page's subscriptions, in order

-- V022's update trigger compares every column: the new ones too.
DROP TRIGGER export_log_subscription_snapshots_au;
CREATE TRIGGER export_log_subscription_snapshots_au AFTER UPDATE ON subscription_snapshots
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.taken_at IS NOT new.taken_at
    OR old.total IS NOT new.total
    OR old.points IS NOT new.points
    OR old.listed IS NOT new.listed
    OR old.complete IS NOT new.complete
    OR old.next_cursor IS NOT new.next_cursor
    OR old.finished_at IS NOT new.finished_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.list_read IS NOT new.list_read
    OR old.first_page_digest IS NOT new.first_page_digest)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('subscription_snapshots', new.id);
END;
