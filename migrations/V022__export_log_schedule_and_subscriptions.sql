-- The export's change log (V014) for the stream schedule (V019) and subscriber (V020) tables, so `itch export`
-- writes them and a second export writes only what changed: tables keyed by an INTEGER PRIMARY KEY log their
-- updates (new rows are found by the key), the others their inserts and updates. Each update trigger compares every
-- column, and they log while an export runs or once one succeeded, as V016's do.

CREATE TRIGGER export_log_schedule_segments_ai AFTER INSERT ON schedule_segments
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('schedule_segments', new.id);
END;

CREATE TRIGGER export_log_schedule_segments_au AFTER UPDATE ON schedule_segments
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.series_id IS NOT new.series_id
    OR old.start_time IS NOT new.start_time
    OR old.end_time IS NOT new.end_time
    OR old.title IS NOT new.title
    OR old.category_id IS NOT new.category_id
    OR old.category_name IS NOT new.category_name
    OR old.is_recurring IS NOT new.is_recurring
    OR old.canceled_until IS NOT new.canceled_until
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.gone_seen_at IS NOT new.gone_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('schedule_segments', new.id);
END;

CREATE TRIGGER export_log_schedule_segment_versions_au AFTER UPDATE ON schedule_segment_versions
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.segment_id IS NOT new.segment_id
    OR old.seen_at IS NOT new.seen_at
    OR old.change IS NOT new.change
    OR old.start_time IS NOT new.start_time
    OR old.end_time IS NOT new.end_time
    OR old.title IS NOT new.title
    OR old.category_id IS NOT new.category_id
    OR old.category_name IS NOT new.category_name
    OR old.is_recurring IS NOT new.is_recurring
    OR old.canceled_until IS NOT new.canceled_until
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('schedule_segment_versions', new.id);
END;

CREATE TRIGGER export_log_schedule_vacations_ai AFTER INSERT ON schedule_vacations
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2, k3) VALUES ('schedule_vacations', new.broadcaster_id, new.start_time, new.end_time);
END;

CREATE TRIGGER export_log_schedule_vacations_au AFTER UPDATE ON schedule_vacations
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.broadcaster_id IS NOT new.broadcaster_id
    OR old.start_time IS NOT new.start_time
    OR old.end_time IS NOT new.end_time
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.gone_seen_at IS NOT new.gone_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2, k3) VALUES ('schedule_vacations', new.broadcaster_id, new.start_time, new.end_time);
END;

CREATE TRIGGER export_log_schedule_reads_au AFTER UPDATE ON schedule_reads
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.read_at IS NOT new.read_at
    OR old.has_schedule IS NOT new.has_schedule
    OR old.segments IS NOT new.segments
    OR old.pages IS NOT new.pages
    OR old.read_until IS NOT new.read_until
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('schedule_reads', new.id);
END;

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
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('subscription_snapshots', new.id);
END;

CREATE TRIGGER export_log_subscription_snapshot_users_ai AFTER INSERT ON subscription_snapshot_users
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('subscription_snapshot_users', new.snapshot_id, new.user_id);
END;

CREATE TRIGGER export_log_subscription_snapshot_users_au AFTER UPDATE ON subscription_snapshot_users
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.snapshot_id IS NOT new.snapshot_id
    OR old.user_id IS NOT new.user_id
    OR old.tier IS NOT new.tier
    OR old.is_gift IS NOT new.is_gift
    OR old.gifter_id IS NOT new.gifter_id
    OR old.plan_name IS NOT new.plan_name)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('subscription_snapshot_users', new.snapshot_id, new.user_id);
END;
