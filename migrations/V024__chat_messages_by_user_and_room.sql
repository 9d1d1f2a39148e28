-- Live chat at 10,000 messages a second (issue 13). A timeout or a ban marks its user's earlier messages in the
-- room, and found them through the index on user_id alone: that named every message the user had ever written, in
-- every room, marked or not, and read each one's row to check the room, the time and the mark. At 10,000 messages
-- a second over 5 rooms that was three quarters of the writer's time, growing with every minute of a recording,
-- and the recording fell behind. The index on user_id now goes on to the room, the mark and the time: a timeout
-- reads exactly the user's unmarked messages in that room and window, and a look-up by user_id alone (reports,
-- the foreign key to users) uses its first column as before. Same name, so nothing that names it changes.
DROP INDEX chat_messages_user_id;
CREATE INDEX chat_messages_user_id ON chat_messages(user_id, broadcaster_id, deleted_at, created_at);
