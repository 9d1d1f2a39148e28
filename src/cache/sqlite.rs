//! The default backend: the `http_cache` table inside the archive, through a connection of its own (WAL lets
//! it work beside the sync's writer). Expiry is a column; `prune` deletes what has expired. The `body` column
//! holds the same envelope as the other backends ([`encode_entry`]: fields, SHA-256, deflated body), so a
//! damaged row is a miss like a damaged Redis value; the other columns are for queries and stats. A row of
//! itch 0.4.0 (a bare deflate stream, no checksum) is such a miss too, and the next answer replaces it.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use super::{Cache, CacheKey, CacheStats, CachedResponse, decode_entry, encode_entry, expiry};
use crate::db::time::timestamp;
use crate::error::{Error, Result};

/// The sqlite backend.
#[derive(Debug)]
pub struct SqliteCache {
    conn: Mutex<Connection>,
    path: PathBuf,
}

const BACKEND: &str = "sqlite";

impl SqliteCache {
    /// Opens the cache in the archive at `path` (opening the archive the usual way: checked and migrated).
    pub fn open(path: &std::path::Path) -> Result<SqliteCache> {
        let conn = crate::db::open_beside(path)?;
        Ok(SqliteCache {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
    }

    fn db_error(&self, action: &'static str) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| Error::Database {
            path: self.path.clone(),
            action,
            source,
        }
    }

    fn count(&self, conn: &Connection, column: &str) -> rusqlite::Result<()> {
        conn.execute(
            &format!(
                "INSERT INTO http_cache_counters (backend, {column}, updated_at) VALUES (?1, 1, ?2)
                 ON CONFLICT (backend) DO UPDATE SET {column} = {column} + 1, updated_at = excluded.updated_at"
            ),
            params![BACKEND, timestamp(Utc::now())],
        )?;
        Ok(())
    }
}

impl Cache for SqliteCache {
    fn get(&self, key: &CacheKey) -> Result<Option<CachedResponse>> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let now = timestamp(Utc::now());
        let row: Option<Vec<u8>> = conn
            .query_row(
                "SELECT body FROM http_cache WHERE key = ?1 AND expires_at > ?2",
                params![key.0, now],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db_error("reading the cache of"))?;
        let Some(stored) = row else {
            self.count(&conn, "misses")
                .map_err(self.db_error("counting in the cache of"))?;
            return Ok(None);
        };
        let entry = match decode_entry(key, &stored) {
            Ok(entry) => entry,
            Err(why) => {
                // A corrupt (or pre-checksum) entry is a miss; the fresh answer will overwrite it.
                tracing::debug!(backend = BACKEND, key = key.0, %why, "corrupt cache entry, treating as a miss");
                self.count(&conn, "corrupt")
                    .map_err(self.db_error("counting in the cache of"))?;
                self.count(&conn, "misses")
                    .map_err(self.db_error("counting in the cache of"))?;
                return Ok(None);
            }
        };
        if entry.expires_at <= Utc::now() {
            // The column said fresh, the checked envelope says stale: the envelope wins.
            self.count(&conn, "misses")
                .map_err(self.db_error("counting in the cache of"))?;
            return Ok(None);
        }
        self.count(&conn, "hits")
            .map_err(self.db_error("counting in the cache of"))?;
        Ok(Some(entry.response))
    }

    fn put(&self, key: &CacheKey, response: &CachedResponse, ttl: Duration) -> Result<()> {
        let expires = expiry(response.fetched_at, ttl);
        let stored = encode_entry(key, response, expires);
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute(
            "INSERT INTO http_cache (key, kind, url, status, fetched_at, expires_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, url = excluded.url, status = excluded.status,
                 fetched_at = excluded.fetched_at, expires_at = excluded.expires_at, body = excluded.body",
            params![
                key.0,
                response.kind,
                response.url,
                response.status,
                timestamp(response.fetched_at),
                timestamp(expires),
                stored
            ],
        )
        .map_err(self.db_error("writing the cache of"))?;
        conn.execute(
            "INSERT INTO http_cache_counters (backend, writes, bytes_written, updated_at) VALUES (?1, 1, ?2, ?3)
             ON CONFLICT (backend) DO UPDATE SET writes = writes + 1, bytes_written = bytes_written + excluded.bytes_written,
                 updated_at = excluded.updated_at",
            params![BACKEND, stored.len() as i64, timestamp(Utc::now())],
        )
        .map_err(self.db_error("counting in the cache of"))?;
        Ok(())
    }

    fn stats(&self) -> Result<CacheStats> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        stats_of(&conn, &self.path)
    }

    fn prune(&self) -> Result<u64> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let pruned = conn
            .execute("DELETE FROM http_cache WHERE expires_at <= ?1", [timestamp(Utc::now())])
            .map_err(self.db_error("pruning the cache of"))?;
        Ok(pruned as u64)
    }

    fn clear(&self) -> Result<u64> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let cleared = conn
            .execute("DELETE FROM http_cache", [])
            .map_err(self.db_error("clearing the cache of"))?;
        Ok(cleared as u64)
    }

    /// Opened on the archive's own file (the only way itch opens it).
    fn lives_in_archive(&self) -> bool {
        true
    }
}

/// What `itch cache stats` shows of the sqlite cache in the archive at `path`, read without opening it for
/// writing: no migration, no counter written, the file left as it was (and it works on read-only media).
pub fn stats_read_only(path: &std::path::Path) -> Result<CacheStats> {
    let conn = crate::db::open_read_only(path)?;
    stats_of(&conn, path)
}

fn stats_of(conn: &Connection, path: &std::path::Path) -> Result<CacheStats> {
    let db_error = |source| Error::Database {
        path: path.to_owned(),
        action: "reading the cache of",
        source,
    };
    let now = timestamp(Utc::now());
    let (entries, bytes, expired): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), coalesce(sum(length(body)), 0), count(*) FILTER (WHERE expires_at <= ?1) FROM http_cache",
            [now],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(db_error)?;
    let counters = load_counters(conn, BACKEND).map_err(db_error)?;
    Ok(CacheStats {
        backend: BACKEND.into(),
        entries: Some(entries as u64),
        bytes: Some(bytes as u64),
        expired: Some(expired as u64),
        ..counters
    })
}

/// The counters a backend accumulated in this archive.
pub fn load_counters(conn: &Connection, backend: &str) -> rusqlite::Result<CacheStats> {
    conn.query_row(
        "SELECT hits, misses, writes, bytes_written, corrupt FROM http_cache_counters WHERE backend = ?1",
        [backend],
        |r| {
            Ok(CacheStats {
                backend: backend.to_owned(),
                hits: r.get::<_, i64>(0)? as u64,
                misses: r.get::<_, i64>(1)? as u64,
                writes: r.get::<_, i64>(2)? as u64,
                bytes_written: r.get::<_, i64>(3)? as u64,
                corrupt: r.get::<_, i64>(4)? as u64,
                ..CacheStats::default()
            })
        },
    )
    .optional()
    .map(|c| {
        c.unwrap_or_else(|| CacheStats {
            backend: backend.to_owned(),
            ..CacheStats::default()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str) -> CachedResponse {
        CachedResponse {
            kind: "user",
            url: "http://x/helix/users?id=1".into(),
            status: 200,
            fetched_at: Utc::now(),
            body: body.into(),
        }
    }

    #[test]
    fn put_get_expire_and_corrupt_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SqliteCache::open(&dir.path().join("a.db")).unwrap();
        let key = CacheKey("k1".into());
        assert_eq!(cache.get(&key).unwrap(), None);
        cache
            .put(&key, &response("{\"data\":[]}"), Duration::from_secs(60))
            .unwrap();
        assert_eq!(cache.get(&key).unwrap().unwrap().body, b"{\"data\":[]}");

        let stale = CacheKey("k2".into());
        cache.put(&stale, &response("old"), Duration::ZERO).unwrap();
        assert_eq!(cache.get(&stale).unwrap(), None, "expired entries are misses");
        assert_eq!(cache.prune().unwrap(), 1);

        cache
            .conn
            .lock()
            .unwrap()
            .execute("UPDATE http_cache SET body = x'00ff00' WHERE key = 'k1'", [])
            .unwrap();
        assert_eq!(cache.get(&key).unwrap(), None, "corrupt entries are misses");
        let stats = cache.stats().unwrap();
        assert_eq!(
            (stats.hits, stats.corrupt, stats.writes, stats.entries),
            (1, 1, 2, Some(1))
        );
        cache.put(&key, &response("fixed"), Duration::from_secs(60)).unwrap();
        assert_eq!(cache.get(&key).unwrap().unwrap().body, b"fixed");
        assert_eq!(cache.clear().unwrap(), 1);
    }
}
