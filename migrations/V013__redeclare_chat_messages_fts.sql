-- The chat's full-text index, declared the way Datasette and sqlite-utils recognise (issue 14). Both find the
-- FTS table of a table by a `content="chat_messages"` (or `content=[chat_messages]`) in its CREATE statement;
-- V008 wrote `content = 'chat_messages'`, which neither matches, so Datasette showed no search box and ignored
-- `?_search=`, and `sqlite-utils search` refused the table. The index is the same: FTS5 over the text, external
-- content, keyed by `seq`. It is dropped with its triggers, declared again, rebuilt from chat_messages (every
-- message, deleted ones included, as before), and the same three triggers keep it in step again. Nothing here
-- needs an SQLite newer than the 3.40 of Python's sqlite3 (Datasette).
DROP TRIGGER chat_messages_ai;
DROP TRIGGER chat_messages_ad;
DROP TRIGGER chat_messages_au;
DROP TABLE chat_messages_fts;

CREATE VIRTUAL TABLE chat_messages_fts USING fts5(text, content="chat_messages", content_rowid="seq");
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('rebuild');

CREATE TRIGGER chat_messages_ai AFTER INSERT ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER chat_messages_ad AFTER DELETE ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER chat_messages_au AFTER UPDATE OF text ON chat_messages BEGIN
    INSERT INTO chat_messages_fts (chat_messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
    INSERT INTO chat_messages_fts (rowid, text) VALUES (new.seq, new.text);
END;
