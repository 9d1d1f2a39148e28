//! Where the response cache lives and how a backend is opened from that: the settings of each backend, read
//! from its environment variables (design.md's names), and [`CacheSettings::open`], the one place that turns
//! them into a [`Cache`]. Backends left out of this build (features `redis`, `memcache`) are refused here with
//! [`Error::CacheNotBuilt`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::file::{FileCache, FileSettings};
#[cfg(feature = "memcache")]
use super::memcache::{MemcacheCache, MemcacheSettings};
#[cfg(feature = "redis")]
use super::redis::{RedisCache, RedisSettings};
use super::sqlite::SqliteCache;
use super::{Backend, Cache};
use crate::error::{Error, Result};
#[cfg(feature = "redis")]
use crate::secret::Secret;

/// Where the response cache lives, per backend, as design.md's variables say. An empty variable counts as
/// unset.
///
/// | backend | variables (default) |
/// |---|---|
/// | file | `TWITCH_CACHE_TEMP` (the user's cache dir + `itch-cache`, e.g. `~/.cache/itch-cache`; the system temp dir + `itch-cache` when there is no home) |
/// | redis | `REDIS_HOST` (localhost), `REDIS_PORT` (6379), `REDIS_PASSWORD` (none), `REDIS_DB` (1) |
/// | memcache | `MEMCACHE_SERVERS`: comma-separated host:port (127.0.0.1:11211) |
///
/// Redis and memcached keys start with `ITCH_CACHE_PREFIX` (default `itch:`), so several archives or test
/// runs can share one server without seeing each other's entries.
#[derive(Clone, Debug)]
pub enum CacheSettings {
    /// The `http_cache` table of the archive.
    Sqlite,
    /// One file per entry.
    File(FileSettings),
    /// A Redis server.
    #[cfg(feature = "redis")]
    Redis(RedisSettings),
    /// One or more memcached servers.
    #[cfg(feature = "memcache")]
    Memcache(MemcacheSettings),
    /// No cache.
    None,
}

/// The key prefix of Redis and memcached entries when `ITCH_CACHE_PREFIX` is unset.
pub const DEFAULT_CACHE_PREFIX: &str = "itch:";

impl CacheSettings {
    /// `backend`'s settings from the process environment; the error names the variable and its value (never
    /// a password), or says which feature a backend left out of this build needs.
    pub fn from_env(backend: Backend) -> Result<CacheSettings> {
        CacheSettings::from_vars(backend, |name| std::env::var(name).ok())
    }

    /// `backend`'s settings from `var` (an environment lookup: tests and tools pass their own).
    pub fn from_vars(backend: Backend, var: impl Fn(&str) -> Option<String>) -> Result<CacheSettings> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        #[cfg(any(feature = "redis", feature = "memcache"))]
        let problem = |problem: String| Error::CacheSetting {
            backend: backend.name(),
            problem,
        };
        Ok(match backend {
            Backend::Sqlite => CacheSettings::Sqlite,
            Backend::None => CacheSettings::None,
            Backend::File => CacheSettings::File(FileSettings {
                dir: var("TWITCH_CACHE_TEMP").map_or_else(default_file_cache_dir, PathBuf::from),
            }),
            #[cfg(feature = "redis")]
            Backend::Redis => {
                let port = match var("REDIS_PORT") {
                    None => 6379,
                    Some(port) => port
                        .trim()
                        .parse::<u16>()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| problem(format!("REDIS_PORT '{port}' is not a port number (1 to 65535)")))?,
                };
                let db = match var("REDIS_DB") {
                    None => 1,
                    Some(db) => db
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|db| *db <= i32::MAX as u32)
                        .ok_or_else(|| problem(format!("REDIS_DB '{db}' is not a database number (0, 1, 2...)")))?,
                };
                let host = var("REDIS_HOST").map_or_else(|| "localhost".to_owned(), |h| h.trim().to_owned());
                if host.chars().any(|c| c.is_whitespace() || c == '/') {
                    return Err(problem(format!("REDIS_HOST '{host}' is not a host name or address")));
                }
                CacheSettings::Redis(RedisSettings {
                    host,
                    port,
                    // A password is taken as it is: spaces can be part of it.
                    password: var("REDIS_PASSWORD").map(Secret::new),
                    db: i64::from(db),
                    prefix: cache_prefix(&var).map_err(problem)?,
                })
            }
            #[cfg(feature = "memcache")]
            Backend::Memcache => {
                let servers = var("MEMCACHE_SERVERS").unwrap_or_else(|| "127.0.0.1:11211".to_owned());
                CacheSettings::Memcache(MemcacheSettings {
                    servers: parse_servers(&servers).map_err(problem)?,
                    prefix: cache_prefix(&var).map_err(problem)?,
                })
            }
            #[cfg(not(feature = "redis"))]
            Backend::Redis => return Err(not_built(backend, "redis")),
            #[cfg(not(feature = "memcache"))]
            Backend::Memcache => return Err(not_built(backend, "memcache")),
        })
    }

    /// Opens the cache these settings describe, counting in the archive at `archive` (file, Redis and
    /// memcached count there what they did for it; sqlite lives there).
    pub fn open(&self, archive: &Path) -> Result<Option<Arc<dyn Cache>>> {
        Ok(match self {
            CacheSettings::Sqlite => Some(Arc::new(SqliteCache::open(archive)?)),
            CacheSettings::File(settings) => Some(Arc::new(FileCache::open(settings, archive)?)),
            #[cfg(feature = "redis")]
            CacheSettings::Redis(settings) => Some(Arc::new(RedisCache::open(settings.clone(), archive)?)),
            #[cfg(feature = "memcache")]
            CacheSettings::Memcache(settings) => Some(Arc::new(MemcacheCache::open(settings.clone(), archive)?)),
            CacheSettings::None => None,
        })
    }
}

/// The error for a backend left out of this build.
#[cfg(not(all(feature = "redis", feature = "memcache")))]
fn not_built(backend: Backend, feature: &'static str) -> Error {
    Error::CacheNotBuilt {
        backend: backend.name(),
        feature,
    }
}

/// `ITCH_CACHE_PREFIX`, checked: printable ASCII without spaces (memcached keys allow nothing else), 1 to 64
/// characters.
#[cfg(any(feature = "redis", feature = "memcache"))]
fn cache_prefix(var: &impl Fn(&str) -> Option<String>) -> std::result::Result<String, String> {
    let Some(prefix) = var("ITCH_CACHE_PREFIX") else {
        return Ok(DEFAULT_CACHE_PREFIX.to_owned());
    };
    if prefix.len() > 64 || !prefix.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "ITCH_CACHE_PREFIX '{prefix}' must be 1 to 64 printable ASCII characters without spaces"
        ));
    }
    Ok(prefix)
}

/// `MEMCACHE_SERVERS`: `host:port` items separated by commas (a missing port is 11211; `[::1]:11211` for IPv6).
#[cfg(feature = "memcache")]
fn parse_servers(text: &str) -> std::result::Result<Vec<(String, u16)>, String> {
    let bad = |item: &str, why: &str| format!("MEMCACHE_SERVERS '{text}': '{item}' {why}");
    let mut servers = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (host, port) = match item.strip_prefix('[') {
            Some(rest) => {
                let (host, after) = rest.split_once(']').ok_or_else(|| bad(item, "has no closing ']'"))?;
                (host, after.strip_prefix(':'))
            }
            None => match item.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (item, None),
            },
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || "/?#@".contains(c)) {
            return Err(bad(item, "is not host:port"));
        }
        let port = match port {
            None => 11211,
            Some(port) => port
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| bad(item, "does not end in a port number (1 to 65535)"))?,
        };
        servers.push((host.to_owned(), port));
    }
    if servers.is_empty() {
        return Err(format!("MEMCACHE_SERVERS '{text}' names no server"));
    }
    Ok(servers)
}

/// The file cache's directory when `TWITCH_CACHE_TEMP` is unset: `itch-cache` in the user's cache dir
/// (`~/.cache/itch-cache` on Linux), private to the user and kept across reboots, so a cron job's cache
/// lasts as long as its entries are fresh; the system temp dir when there is no home.
pub fn default_file_cache_dir() -> PathBuf {
    directories::BaseDirs::new()
        .map(|dirs| dirs.cache_dir().join("itch-cache"))
        .unwrap_or_else(|| std::env::temp_dir().join("itch-cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[cfg(feature = "redis")]
    #[test]
    fn a_bad_variable_is_a_typed_error_naming_it() {
        let error = CacheSettings::from_vars(Backend::Redis, vars(&[("REDIS_PORT", "abc")])).unwrap_err();
        assert!(
            matches!(&error, Error::CacheSetting { backend: "redis", problem } if problem.contains("REDIS_PORT 'abc'")),
            "{error:?}"
        );
    }

    /// Issue 12: a backend left out of the build says which feature it needs (run with --no-default-features).
    #[cfg(not(feature = "redis"))]
    #[test]
    fn a_backend_not_built_names_its_feature() {
        let error = CacheSettings::from_vars(Backend::Redis, vars(&[])).unwrap_err();
        assert!(
            matches!(
                error,
                Error::CacheNotBuilt {
                    backend: "redis",
                    feature: "redis"
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("--features redis"), "{error}");
    }

    #[test]
    fn the_builtin_backends_need_no_variables() {
        assert!(matches!(
            CacheSettings::from_vars(Backend::Sqlite, vars(&[])),
            Ok(CacheSettings::Sqlite)
        ));
        assert!(matches!(
            CacheSettings::from_vars(Backend::None, vars(&[])),
            Ok(CacheSettings::None)
        ));
        let file = CacheSettings::from_vars(Backend::File, vars(&[("TWITCH_CACHE_TEMP", "/tmp/x")])).unwrap();
        assert!(matches!(file, CacheSettings::File(FileSettings { dir }) if dir == Path::new("/tmp/x")));
    }
}
