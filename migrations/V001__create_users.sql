-- Accounts are the spine of the archive: broadcasters, followers, chatters and commenters are all users.
-- Keyed by Twitch's id (logins get renamed; ids never change). A user first met inside a follow is partial
-- (login and name only) until Get Users hydrates it; upserts only touch the columns they have.

CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL DEFAULT 'running', -- running | ok | failed | interrupted (found running by the next run)
    command       TEXT NOT NULL,                   -- what ran, e.g. "sync burkeblack lirik"
    requests      INTEGER NOT NULL DEFAULT 0,      -- HTTP requests sent to Helix and GQL, retries included
    summary_json  TEXT,                            -- JSON array, one object per channel (see docs/schema.md)
    error         TEXT,
    itch_version  TEXT NOT NULL
);

CREATE TABLE users (
    id                 TEXT NOT NULL PRIMARY KEY,
    login              TEXT NOT NULL,
    display_name       TEXT,
    user_type          TEXT,  -- "", "admin", "global_mod", "staff"
    broadcaster_type   TEXT,  -- "", "affiliate", "partner"
    description        TEXT,
    profile_image_url  TEXT,
    offline_image_url  TEXT,
    created_at         TEXT,  -- account creation; NULL until hydrated
    hydrated_at        TEXT,  -- when Get Users last filled the row
    first_seen_at      TEXT NOT NULL,
    last_seen_at       TEXT NOT NULL,
    sync_run_id        INTEGER REFERENCES sync_runs(id),
    raw_json           TEXT
);
CREATE INDEX users_login ON users(login);
CREATE INDEX users_sync_run_id ON users(sync_run_id);
-- Accounts still to look up: small, so finding them after an interrupted sync is cheap at any size.
CREATE INDEX users_unhydrated ON users(id) WHERE hydrated_at IS NULL;

-- Earlier logins of renamed accounts: the row is written when a rename is noticed.
CREATE TABLE user_logins (
    user_id        TEXT NOT NULL REFERENCES users(id),
    login          TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, login)
);
CREATE INDEX user_logins_login ON user_logins(login);

CREATE TRIGGER users_login_renamed AFTER UPDATE OF login ON users
WHEN old.login <> new.login
BEGIN
    INSERT INTO user_logins (user_id, login, first_seen_at, last_seen_at)
    VALUES (old.id, old.login, old.first_seen_at, old.last_seen_at)
    ON CONFLICT (user_id, login) DO UPDATE SET last_seen_at = excluded.last_seen_at;
END;

CREATE TABLE games (
    id             TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL,
    box_art_url    TEXT,
    igdb_id        TEXT,
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL,
    raw_json       TEXT
);
