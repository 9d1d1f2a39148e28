-- `itch export` fixes from the issue 14 review:
-- * `exports.snapshot_seq`: the last `export_changes` entry a run's snapshot holds, recorded as it starts, so an
--   export saving into one directory never trims log entries another one, still running into another directory
--   from an older snapshot, will need for its next run (a running row without it pins the whole log).
-- * `exports.dir_token`: the random token an export directory's `.itch-export` marker carries, so an export into a
--   directory another archive wrote is refused instead of overwriting that archive's part files.
-- * The change-log triggers (V014's, same names and bodies) logged every write once any `exports` row existed, a
--   failed trial included, with nothing ever trimming the log. They now log while an export is running (its row
--   is inserted before its snapshot is taken, so nothing written during a first export is missed) or once one
--   has succeeded (a watermark exists). What a failed trial logged is dropped.
ALTER TABLE exports ADD COLUMN snapshot_seq INTEGER;
ALTER TABLE exports ADD COLUMN dir_token TEXT;

CREATE INDEX exports_running ON exports (id) WHERE status = 'running';

DELETE FROM export_changes
WHERE NOT EXISTS (SELECT 1 FROM export_watermarks)
  AND NOT EXISTS (SELECT 1 FROM exports WHERE status = 'running');

DROP TRIGGER export_log_users_ai;
CREATE TRIGGER export_log_users_ai AFTER INSERT ON users
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('users', new.id);
END;

DROP TRIGGER export_log_users_au;
CREATE TRIGGER export_log_users_au AFTER UPDATE ON users
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.login IS NOT new.login
    OR old.display_name IS NOT new.display_name
    OR old.user_type IS NOT new.user_type
    OR old.broadcaster_type IS NOT new.broadcaster_type
    OR old.description IS NOT new.description
    OR old.profile_image_url IS NOT new.profile_image_url
    OR old.offline_image_url IS NOT new.offline_image_url
    OR old.created_at IS NOT new.created_at
    OR old.hydrated_at IS NOT new.hydrated_at
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('users', new.id);
END;

DROP TRIGGER export_log_user_logins_ai;
CREATE TRIGGER export_log_user_logins_ai AFTER INSERT ON user_logins
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('user_logins', new.user_id, new.login);
END;

DROP TRIGGER export_log_user_logins_au;
CREATE TRIGGER export_log_user_logins_au AFTER UPDATE ON user_logins
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.user_id IS NOT new.user_id
    OR old.login IS NOT new.login
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('user_logins', new.user_id, new.login);
END;

DROP TRIGGER export_log_channels_ai;
CREATE TRIGGER export_log_channels_ai AFTER INSERT ON channels
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('channels', new.broadcaster_id);
END;

DROP TRIGGER export_log_channels_au;
CREATE TRIGGER export_log_channels_au AFTER UPDATE ON channels
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.broadcaster_id IS NOT new.broadcaster_id
    OR old.broadcaster_login IS NOT new.broadcaster_login
    OR old.broadcaster_name IS NOT new.broadcaster_name
    OR old.broadcaster_language IS NOT new.broadcaster_language
    OR old.game_id IS NOT new.game_id
    OR old.game_name IS NOT new.game_name
    OR old.title IS NOT new.title
    OR old.tags_json IS NOT new.tags_json
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('channels', new.broadcaster_id);
END;

DROP TRIGGER export_log_games_ai;
CREATE TRIGGER export_log_games_ai AFTER INSERT ON games
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('games', new.id);
END;

DROP TRIGGER export_log_games_au;
CREATE TRIGGER export_log_games_au AFTER UPDATE ON games
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.name IS NOT new.name
    OR old.box_art_url IS NOT new.box_art_url
    OR old.igdb_id IS NOT new.igdb_id
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('games', new.id);
END;

DROP TRIGGER export_log_follows_ai;
CREATE TRIGGER export_log_follows_ai AFTER INSERT ON follows
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('follows', new.broadcaster_id, new.user_id);
END;

DROP TRIGGER export_log_follows_au;
CREATE TRIGGER export_log_follows_au AFTER UPDATE ON follows
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.broadcaster_id IS NOT new.broadcaster_id
    OR old.user_id IS NOT new.user_id
    OR old.followed_at IS NOT new.followed_at
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.unfollowed_seen_at IS NOT new.unfollowed_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('follows', new.broadcaster_id, new.user_id);
END;

DROP TRIGGER export_log_videos_ai;
CREATE TRIGGER export_log_videos_ai AFTER INSERT ON videos
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('videos', new.id);
END;

DROP TRIGGER export_log_videos_au;
CREATE TRIGGER export_log_videos_au AFTER UPDATE ON videos
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.user_id IS NOT new.user_id
    OR old.stream_id IS NOT new.stream_id
    OR old.type IS NOT new.type
    OR old.title IS NOT new.title
    OR old.description IS NOT new.description
    OR old.created_at IS NOT new.created_at
    OR old.published_at IS NOT new.published_at
    OR old.url IS NOT new.url
    OR old.thumbnail_url IS NOT new.thumbnail_url
    OR old.viewable IS NOT new.viewable
    OR old.view_count IS NOT new.view_count
    OR old.language IS NOT new.language
    OR old.duration IS NOT new.duration
    OR old.duration_seconds IS NOT new.duration_seconds
    OR old.muted_segments_json IS NOT new.muted_segments_json
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.deleted_seen_at IS NOT new.deleted_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json
    OR old.chat_status IS NOT new.chat_status
    OR old.chat_messages IS NOT new.chat_messages
    OR old.chat_checked_at IS NOT new.chat_checked_at)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('videos', new.id);
END;

DROP TRIGGER export_log_streams_ai;
CREATE TRIGGER export_log_streams_ai AFTER INSERT ON streams
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('streams', new.id);
END;

DROP TRIGGER export_log_streams_au;
CREATE TRIGGER export_log_streams_au AFTER UPDATE ON streams
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.user_id IS NOT new.user_id
    OR old.game_id IS NOT new.game_id
    OR old.game_name IS NOT new.game_name
    OR old.title IS NOT new.title
    OR old.language IS NOT new.language
    OR old.tags_json IS NOT new.tags_json
    OR old.started_at IS NOT new.started_at
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.last_seen_at IS NOT new.last_seen_at
    OR old.ended_seen_at IS NOT new.ended_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('streams', new.id);
END;

DROP TRIGGER export_log_chat_events_ai;
CREATE TRIGGER export_log_chat_events_ai AFTER INSERT ON chat_events
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('chat_events', new.id);
END;

DROP TRIGGER export_log_chat_events_au;
CREATE TRIGGER export_log_chat_events_au AFTER UPDATE ON chat_events
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.kind IS NOT new.kind
    OR old.user_id IS NOT new.user_id
    OR old.user_login IS NOT new.user_login
    OR old.user_name IS NOT new.user_name
    OR old.created_at IS NOT new.created_at
    OR old.months IS NOT new.months
    OR old.streak_months IS NOT new.streak_months
    OR old.tier IS NOT new.tier
    OR old.gift_count IS NOT new.gift_count
    OR old.recipient_id IS NOT new.recipient_id
    OR old.recipient_login IS NOT new.recipient_login
    OR old.recipient_name IS NOT new.recipient_name
    OR old.viewer_count IS NOT new.viewer_count
    OR old.threshold IS NOT new.threshold
    OR old.system_message IS NOT new.system_message
    OR old.has_message IS NOT new.has_message
    OR old.source_room_id IS NOT new.source_room_id
    OR old.source_kind IS NOT new.source_kind
    OR old.params_json IS NOT new.params_json
    OR old.irc_line IS NOT new.irc_line
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('chat_events', new.id);
END;

DROP TRIGGER export_log_chat_message_rooms_ai;
CREATE TRIGGER export_log_chat_message_rooms_ai AFTER INSERT ON chat_message_rooms
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('chat_message_rooms', new.message_id, new.broadcaster_id);
END;

DROP TRIGGER export_log_chat_message_rooms_au;
CREATE TRIGGER export_log_chat_message_rooms_au AFTER UPDATE ON chat_message_rooms
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.message_id IS NOT new.message_id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.room_message_id IS NOT new.room_message_id)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('chat_message_rooms', new.message_id, new.broadcaster_id);
END;

DROP TRIGGER export_log_chatter_snapshot_users_ai;
CREATE TRIGGER export_log_chatter_snapshot_users_ai AFTER INSERT ON chatter_snapshot_users
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('chatter_snapshot_users', new.snapshot_id, new.user_id);
END;

DROP TRIGGER export_log_chatter_snapshot_users_au;
CREATE TRIGGER export_log_chatter_snapshot_users_au AFTER UPDATE ON chatter_snapshot_users
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.snapshot_id IS NOT new.snapshot_id
    OR old.user_id IS NOT new.user_id)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2) VALUES ('chatter_snapshot_users', new.snapshot_id, new.user_id);
END;

DROP TRIGGER export_log_sync_run_parts_ai;
CREATE TRIGGER export_log_sync_run_parts_ai AFTER INSERT ON sync_run_parts
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
BEGIN
  INSERT INTO export_changes (table_name, k1, k2, k3) VALUES ('sync_run_parts', new.sync_run_id, new.broadcaster_id, new.part);
END;

DROP TRIGGER export_log_sync_run_parts_au;
CREATE TRIGGER export_log_sync_run_parts_au AFTER UPDATE ON sync_run_parts
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.sync_run_id IS NOT new.sync_run_id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.part IS NOT new.part
    OR old.status IS NOT new.status
    OR old.started_at IS NOT new.started_at
    OR old.finished_at IS NOT new.finished_at
    OR old.requests IS NOT new.requests
    OR old.error IS NOT new.error)
BEGIN
  INSERT INTO export_changes (table_name, k1, k2, k3) VALUES ('sync_run_parts', new.sync_run_id, new.broadcaster_id, new.part);
END;

DROP TRIGGER export_log_channel_snapshots_au;
CREATE TRIGGER export_log_channel_snapshots_au AFTER UPDATE ON channel_snapshots
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.taken_at IS NOT new.taken_at
    OR old.follower_total IS NOT new.follower_total
    OR old.title IS NOT new.title
    OR old.game_id IS NOT new.game_id
    OR old.game_name IS NOT new.game_name
    OR old.language IS NOT new.language
    OR old.is_live IS NOT new.is_live
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('channel_snapshots', new.id);
END;

DROP TRIGGER export_log_stream_snapshots_au;
CREATE TRIGGER export_log_stream_snapshots_au AFTER UPDATE ON stream_snapshots
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.stream_id IS NOT new.stream_id
    OR old.taken_at IS NOT new.taken_at
    OR old.viewer_count IS NOT new.viewer_count
    OR old.game_id IS NOT new.game_id
    OR old.title IS NOT new.title
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('stream_snapshots', new.id);
END;

DROP TRIGGER export_log_chatter_snapshots_au;
CREATE TRIGGER export_log_chatter_snapshots_au AFTER UPDATE ON chatter_snapshots
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.taken_at IS NOT new.taken_at
    OR old.total IS NOT new.total
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.source IS NOT new.source)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('chatter_snapshots', new.id);
END;

DROP TRIGGER export_log_chat_messages_au;
CREATE TRIGGER export_log_chat_messages_au AFTER UPDATE ON chat_messages
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.seq IS NOT new.seq
    OR old.id IS NOT new.id
    OR old.source IS NOT new.source
    OR old.video_id IS NOT new.video_id
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.user_id IS NOT new.user_id
    OR old.user_login IS NOT new.user_login
    OR old.user_name IS NOT new.user_name
    OR old.offset_seconds IS NOT new.offset_seconds
    OR old.created_at IS NOT new.created_at
    OR old.created_at_corrected IS NOT new.created_at_corrected
    OR old.text IS NOT new.text
    OR old.fragments_json IS NOT new.fragments_json
    OR old.emotes_json IS NOT new.emotes_json
    OR old.badges_json IS NOT new.badges_json
    OR old.color IS NOT new.color
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id
    OR old.raw_json IS NOT new.raw_json
    OR old.kind IS NOT new.kind
    OR old.deleted_at IS NOT new.deleted_at
    OR old.deleted_by IS NOT new.deleted_by
    OR old.source_room_id IS NOT new.source_room_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('chat_messages', new.seq);
END;

DROP TRIGGER export_log_chat_moderation_au;
CREATE TRIGGER export_log_chat_moderation_au AFTER UPDATE ON chat_moderation
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.seq IS NOT new.seq
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.action IS NOT new.action
    OR old.created_at IS NOT new.created_at
    OR old.target_user_id IS NOT new.target_user_id
    OR old.target_login IS NOT new.target_login
    OR old.duration_seconds IS NOT new.duration_seconds
    OR old.target_message_id IS NOT new.target_message_id
    OR old.deleted_text IS NOT new.deleted_text
    OR old.messages_marked IS NOT new.messages_marked
    OR old.irc_line IS NOT new.irc_line
    OR old.first_seen_at IS NOT new.first_seen_at
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('chat_moderation', new.seq);
END;

DROP TRIGGER export_log_room_states_au;
CREATE TRIGGER export_log_room_states_au AFTER UPDATE ON room_states
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.seq IS NOT new.seq
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.seen_at IS NOT new.seen_at
    OR old.emote_only IS NOT new.emote_only
    OR old.followers_only IS NOT new.followers_only
    OR old.r9k IS NOT new.r9k
    OR old.slow_seconds IS NOT new.slow_seconds
    OR old.subs_only IS NOT new.subs_only
    OR old.irc_line IS NOT new.irc_line
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('room_states', new.seq);
END;

DROP TRIGGER export_log_chat_notices_au;
CREATE TRIGGER export_log_chat_notices_au AFTER UPDATE ON chat_notices
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.seq IS NOT new.seq
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.kind IS NOT new.kind
    OR old.text IS NOT new.text
    OR old.seen_at IS NOT new.seen_at
    OR old.irc_line IS NOT new.irc_line
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('chat_notices', new.seq);
END;

DROP TRIGGER export_log_chat_gaps_au;
CREATE TRIGGER export_log_chat_gaps_au AFTER UPDATE ON chat_gaps
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.seq IS NOT new.seq
    OR old.broadcaster_id IS NOT new.broadcaster_id
    OR old.started_at IS NOT new.started_at
    OR old.ended_at IS NOT new.ended_at
    OR old.reason IS NOT new.reason
    OR old.sync_run_id IS NOT new.sync_run_id)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('chat_gaps', new.seq);
END;

DROP TRIGGER export_log_sync_runs_au;
CREATE TRIGGER export_log_sync_runs_au AFTER UPDATE ON sync_runs
WHEN (EXISTS (SELECT 1 FROM export_watermarks) OR EXISTS (SELECT 1 FROM exports WHERE status = 'running'))
  AND (old.id IS NOT new.id
    OR old.started_at IS NOT new.started_at
    OR old.finished_at IS NOT new.finished_at
    OR old.status IS NOT new.status
    OR old.command IS NOT new.command
    OR old.requests IS NOT new.requests
    OR old.summary_json IS NOT new.summary_json
    OR old.error IS NOT new.error
    OR old.itch_version IS NOT new.itch_version)
BEGIN
  INSERT INTO export_changes (table_name, k1) VALUES ('sync_runs', new.id);
END;
