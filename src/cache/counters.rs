//! What the file, Redis and memcached backends did for one archive (hits, misses, writes, corrupt entries),
//! counted in that archive's `http_cache_counters` table.

use chrono::Utc;
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{CacheKey, CacheStats, CachedResponse, decode_entry, sqlite};
use crate::error::{Error, Result};

/// What a file, Redis or memcached backend did for one archive, kept in the archive's `http_cache_counters`
/// row of that backend (a shared server cannot count per archive). Counts gather in memory and are written
/// at most once a second, when the archive is not busy, and when the cache is dropped or asked for its stats:
/// a cache lookup never waits for the sync's write transaction. A process killed with -9 loses the last
/// second's counts, nothing else.
#[derive(Debug)]
pub struct ArchiveCounters {
    backend: &'static str,
    path: PathBuf,
    conn: Mutex<Connection>,
    /// hits, misses, writes, bytes_written, corrupt: not yet written.
    pending: [AtomicU64; 5],
    last_flush: Mutex<Instant>,
}

const COUNTER_COLUMNS: [&str; 5] = ["hits", "misses", "writes", "bytes_written", "corrupt"];
const FLUSH_EVERY: Duration = Duration::from_secs(1);

impl ArchiveCounters {
    /// Opens the archive at `path` (checked and migrated, as every command does) for `backend`'s counters.
    pub fn open(path: &Path, backend: &'static str) -> Result<ArchiveCounters> {
        let conn = crate::db::open_beside(path)?;
        Ok(ArchiveCounters {
            backend,
            path: path.to_owned(),
            conn: Mutex::new(conn),
            pending: Default::default(),
            last_flush: Mutex::new(Instant::now()),
        })
    }

    /// A fresh entry was served.
    pub fn hit(&self) {
        self.add(&[(0, 1)]);
    }

    /// Nothing fresh was found.
    pub fn miss(&self) {
        self.add(&[(1, 1)]);
    }

    /// A value that is not an entry was found: a miss, and corrupt.
    pub fn corrupt(&self) {
        self.add(&[(1, 1), (4, 1)]);
    }

    /// An entry of `bytes` stored bytes was written.
    pub fn wrote(&self, bytes: usize) {
        self.add(&[(2, 1), (3, bytes as u64)]);
    }

    fn add(&self, deltas: &[(usize, u64)]) {
        for &(column, n) in deltas {
            self.pending[column].fetch_add(n, Ordering::Relaxed);
        }
        let due = self
            .last_flush
            .try_lock()
            .is_ok_and(|last| last.elapsed() >= FLUSH_EVERY);
        // Never wait here: another thread flushing, or a busy archive, just leaves the counts for later.
        if due
            && let Ok(conn) = self.conn.try_lock()
            && let Err(error) = self.write(&conn, Duration::from_millis(50))
        {
            let error = crate::error::display_chain(&error);
            tracing::debug!(backend = self.backend, error, "cache counters not written yet");
        }
    }

    /// Writes the pending counts, waiting at most `busy` for the archive; on failure they stay pending.
    pub fn flush(&self, busy: Duration) -> Result<()> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        self.write(&conn, busy)
    }

    fn write(&self, conn: &Connection, busy: Duration) -> Result<()> {
        *self.last_flush.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        let taken: Vec<u64> = self.pending.iter().map(|n| n.swap(0, Ordering::Relaxed)).collect();
        if taken.iter().all(|n| *n == 0) {
            return Ok(());
        }
        let written = conn.busy_timeout(busy).and_then(|()| {
            conn.execute(
                &format!(
                    "INSERT INTO http_cache_counters (backend, {columns}, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (backend) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
                    columns = COUNTER_COLUMNS.join(", "),
                    updates = COUNTER_COLUMNS.map(|c| format!("{c} = {c} + excluded.{c}")).join(", "),
                ),
                params![
                    self.backend,
                    taken[0] as i64,
                    taken[1] as i64,
                    taken[2] as i64,
                    taken[3] as i64,
                    taken[4] as i64,
                    crate::db::time::timestamp(Utc::now())
                ],
            )
        });
        if let Err(source) = written {
            for (pending, n) in self.pending.iter().zip(taken) {
                pending.fetch_add(n, Ordering::Relaxed);
            }
            return Err(Error::Database {
                path: self.path.clone(),
                action: "counting in the cache of",
                source,
            });
        }
        Ok(())
    }

    /// Everything counted so far (pending counts written first), with no entry figures.
    pub fn load(&self) -> Result<CacheStats> {
        self.flush(Duration::from_secs(30))?;
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        sqlite::load_counters(&conn, self.backend).map_err(|source| Error::Database {
            path: self.path.clone(),
            action: "reading the cache of",
            source,
        })
    }
}

impl Drop for ArchiveCounters {
    fn drop(&mut self) {
        if let Err(error) = self.flush(Duration::from_secs(30)) {
            tracing::warn!("{}", crate::error::display_chain(&error));
        }
    }
}

/// Judges what a backend found under `key` and counts it: nothing or a stale entry is a miss, bytes that are
/// not an entry of this key are a corrupt miss (logged at debug), a fresh entry is a hit.
pub fn judge(counters: &ArchiveCounters, key: &CacheKey, stored: Option<&[u8]>) -> Option<CachedResponse> {
    let Some(stored) = stored else {
        counters.miss();
        return None;
    };
    match decode_entry(key, stored) {
        Ok(entry) if entry.expires_at > Utc::now() => {
            counters.hit();
            Some(entry.response)
        }
        Ok(_) => {
            counters.miss();
            None
        }
        Err(why) => {
            tracing::debug!(backend = counters.backend, key = key.0, %why, "corrupt cache entry, treating as a miss");
            counters.corrupt();
            None
        }
    }
}
