//! The Redis backend: `SET <prefix><key> <envelope> PX <ms to expiry>`, `GET` to read, so Redis expires each
//! entry at its kind's freshness. Keys live under a prefix (`itch:` unless `ITCH_CACHE_PREFIX` says otherwise)
//! in `REDIS_DB` (1 by default); `clear` deletes exactly the keys under the prefix (`SCAN` + `DEL`, never
//! `FLUSHDB`), `stats` counts them the same way, `prune` has nothing to do.
//!
//! Calls are blocking (the client runs them on the blocking pool) over a small pool of connections. Nothing
//! connects until the first call; a connection takes at most [`CONNECT_TIMEOUT`] (password and `SELECT`
//! included) and a command [`IO_TIMEOUT`], so a server that is down, refuses the password or hangs fails the
//! call quickly, with the address (never the password) in the error.

use ::redis::{Client, Connection, ConnectionAddr, ConnectionInfo, IntoConnectionInfo, RedisConnectionInfo};
use chrono::Utc;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use super::{ArchiveCounters, Cache, CacheKey, CacheStats, CachedResponse, backend_error, encode_entry, expiry, judge};
use crate::error::{Error, Result};
use crate::secret::Secret;

const BACKEND: &str = "redis";

/// The longest wait for a connection (TCP, AUTH and SELECT together).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// The longest wait for one command's answer.
pub const IO_TIMEOUT: Duration = Duration::from_secs(2);
/// Connections kept open between calls.
const IDLE_CONNECTIONS: usize = 8;
/// Keys asked for per `SCAN` step.
const SCAN_COUNT: usize = 1000;

/// Where the Redis backend keeps its entries.
#[derive(Clone, Debug)]
pub struct RedisSettings {
    /// `REDIS_HOST`.
    pub host: String,
    /// `REDIS_PORT`.
    pub port: u16,
    /// `REDIS_PASSWORD` (AUTH with the default user).
    pub password: Option<Secret>,
    /// `REDIS_DB`.
    pub db: i64,
    /// Every key starts with it (`ITCH_CACHE_PREFIX`, default `itch:`).
    pub prefix: String,
}

impl RedisSettings {
    /// `host:port db N`, for messages: no password.
    pub fn address(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{host}:{} db {}", self.port, self.db)
    }
}

/// The Redis backend.
pub struct RedisCache {
    settings: RedisSettings,
    address: String,
    client: Client,
    idle: Mutex<Vec<Connection>>,
    counters: ArchiveCounters,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("settings", &self.settings)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl RedisCache {
    /// Prepares the backend, counting in the archive at `archive`. Nothing is sent to Redis yet.
    pub fn open(settings: RedisSettings, archive: &Path) -> Result<RedisCache> {
        let address = settings.address();
        let mut redis = RedisConnectionInfo::default().set_db(settings.db);
        if let Some(password) = &settings.password {
            redis = redis.set_password(password.expose());
        }
        let info: ConnectionInfo = ConnectionAddr::Tcp(settings.host.clone(), settings.port)
            .into_connection_info()
            .map_err(|e| backend_error(BACKEND, &address, e))?
            .set_redis_settings(redis);
        let client = Client::open(info).map_err(|e| backend_error(BACKEND, &address, e))?;
        Ok(RedisCache {
            counters: ArchiveCounters::open(archive, BACKEND)?,
            address,
            client,
            idle: Mutex::new(Vec::new()),
            settings,
        })
    }

    /// Where the entries are: `host:port db N`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The Redis key of a cache key.
    pub fn storage_key(&self, key: &CacheKey) -> String {
        format!("{}{}", self.settings.prefix, key.0)
    }

    /// Runs `work` on a pooled connection (opening one if none is idle). A connection that failed is dropped,
    /// so the next call starts afresh.
    fn with_connection<T>(&self, work: impl FnOnce(&mut Connection) -> ::redis::RedisResult<T>) -> Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let done = work(&mut conn).map_err(|e| self.error(e))?;
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(conn);
        }
        Ok(done)
    }

    fn connect(&self) -> Result<Connection> {
        let conn = self
            .client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(|e| self.error(e))?;
        conn.set_read_timeout(Some(IO_TIMEOUT)).map_err(|e| self.error(e))?;
        conn.set_write_timeout(Some(IO_TIMEOUT)).map_err(|e| self.error(e))?;
        Ok(conn)
    }

    /// A Redis error as the crate's, naming the server; a password that found its way into the text is masked.
    fn error(&self, error: ::redis::RedisError) -> Error {
        let mut text = error.to_string();
        if error.is_timeout() {
            // A server that accepts connections and never answers: say so, not "resource temporarily unavailable".
            text = format!(
                "no answer within {}s (the server accepts connections but does not answer): {text}",
                IO_TIMEOUT.as_secs()
            );
        }
        if let Some(password) = self
            .settings
            .password
            .as_ref()
            .map(Secret::expose)
            .filter(|p| !p.is_empty())
        {
            text = text.replace(password, "[redacted]");
        }
        backend_error(BACKEND, &self.address, text)
    }

    /// Visits the keys under the prefix, a `SCAN` batch at a time.
    fn scan(&self, mut visit: impl FnMut(&mut Connection, Vec<Vec<u8>>) -> ::redis::RedisResult<()>) -> Result<()> {
        let pattern = format!("{}*", glob_escape(&self.settings.prefix));
        self.with_connection(|conn| {
            let mut cursor = 0u64;
            loop {
                let (next, keys): (u64, Vec<Vec<u8>>) = ::redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(SCAN_COUNT)
                    .query(conn)?;
                if !keys.is_empty() {
                    visit(conn, keys)?;
                }
                if next == 0 {
                    return Ok(());
                }
                cursor = next;
            }
        })
    }
}

impl Cache for RedisCache {
    fn get(&self, key: &CacheKey) -> Result<Option<CachedResponse>> {
        let stored: Option<Vec<u8>> =
            self.with_connection(|conn| ::redis::cmd("GET").arg(self.storage_key(key)).query(conn))?;
        Ok(judge(&self.counters, key, stored.as_deref()))
    }

    fn put(&self, key: &CacheKey, response: &CachedResponse, ttl: Duration) -> Result<()> {
        let expires_at = expiry(response.fetched_at, ttl);
        let left = (expires_at - Utc::now()).num_milliseconds();
        if left <= 0 {
            return Ok(());
        }
        let stored = encode_entry(key, response, expires_at);
        self.with_connection(|conn| {
            ::redis::cmd("SET")
                .arg(self.storage_key(key))
                .arg(&stored)
                .arg("PX")
                .arg(left)
                .query::<()>(conn)
        })?;
        self.counters.wrote(stored.len());
        Ok(())
    }

    fn stats(&self) -> Result<CacheStats> {
        let (mut entries, mut bytes) = (0u64, 0u64);
        self.scan(|conn, keys| {
            let mut lengths = ::redis::pipe();
            for key in &keys {
                lengths.cmd("STRLEN").arg(key);
            }
            let lengths: Vec<u64> = lengths.query(conn)?;
            entries += keys.len() as u64;
            bytes += lengths.iter().sum::<u64>();
            Ok(())
        })?;
        Ok(CacheStats {
            entries: Some(entries),
            bytes: Some(bytes),
            // Redis drops expired keys itself; SCAN never shows one.
            expired: Some(0),
            location: Some(format!("{} keys {}*", self.address, self.settings.prefix)),
            ..self.counters.load()?
        })
    }

    fn prune(&self) -> Result<u64> {
        Ok(0)
    }

    fn clear(&self) -> Result<u64> {
        let mut cleared = 0u64;
        self.scan(|conn, keys| {
            cleared += ::redis::cmd("DEL").arg(&keys).query::<u64>(conn)?;
            Ok(())
        })?;
        Ok(cleared)
    }
}

/// Escapes Redis glob characters, so a prefix matches only itself.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\' | '^' | '-') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_only_themselves_and_addresses_hide_the_password() {
        assert_eq!(glob_escape("itch:"), "itch:");
        assert_eq!(glob_escape("a*b?[c]"), "a\\*b\\?\\[c\\]");
        let settings = RedisSettings {
            host: "::1".into(),
            port: 6380,
            password: Some(Secret::new("hunter2")),
            db: 3,
            prefix: "itch:".into(),
        };
        assert_eq!(settings.address(), "[::1]:6380 db 3");
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
