-- The default response cache lives in the archive, so one file holds everything. Keys are the sha256 of the
-- request (method, URL with sorted query, body), never of a token; bodies are deflate-compressed; errors are
-- never stored.
CREATE TABLE http_cache (
    key         TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL,      -- the resource kind, which sets its freshness
    url         TEXT NOT NULL,      -- for `itch cache stats`; carries no secret
    status      INTEGER NOT NULL,
    fetched_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    body        BLOB NOT NULL
);
CREATE INDEX http_cache_expires_at ON http_cache(expires_at);

-- What the cache did, per backend, as seen from this archive (remote backends cannot count for us).
CREATE TABLE http_cache_counters (
    backend        TEXT NOT NULL PRIMARY KEY,   -- sqlite | file | redis | memcache
    hits           INTEGER NOT NULL DEFAULT 0,
    misses         INTEGER NOT NULL DEFAULT 0,
    writes         INTEGER NOT NULL DEFAULT 0,
    bytes_written  INTEGER NOT NULL DEFAULT 0,
    corrupt        INTEGER NOT NULL DEFAULT 0,   -- entries that did not decode: counted as misses, overwritten
    updated_at     TEXT NOT NULL
);
