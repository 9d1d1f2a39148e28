//! Settings resolved once at start-up (defaults < environment < flags, clap does the layering) into one struct
//! that the rest of the program reads. Secrets come from the environment only, never from flags, so they do
//! not show up in `ps`.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::cache::file::{FileCache, FileSettings};
use crate::cache::memcache::{MemcacheCache, MemcacheSettings};
use crate::cache::redis::{RedisCache, RedisSettings};
use crate::cache::{Backend, Cache, backend_error, sqlite::SqliteCache};
use crate::client::gql::GqlConfig;
use crate::client::{ClientConfig, Endpoints, RetryPolicy, Secret, TokenStore};
use crate::error::Result;

/// Everything a command needs to know about where things are.
#[derive(Clone, Debug)]
pub struct Config {
    /// The archive (`--db`, `ITCH_DB`).
    pub db: PathBuf,
    /// Twitch's endpoints (or the fake's).
    pub endpoints: Endpoints,
    /// `TWITCH_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `TWITCH_CLIENT_SECRET`.
    pub client_secret: Option<Secret>,
    /// Where the user token is kept (`ITCH_CONFIG_DIR`, else the platform's config dir).
    pub config_dir: PathBuf,
    /// The response cache backend (`--cache`, `ITCH_CACHE`).
    pub cache: Backend,
    /// GQL's client id and query hashes (`ITCH_GQL_CLIENT_ID`, `ITCH_GQL_COMMENTS_HASH`).
    pub gql: GqlConfig,
}

impl Config {
    /// The user-token file.
    pub fn token_store(&self) -> TokenStore {
        TokenStore::new(self.config_dir.join("token.json"))
    }

    /// What a [`Client`](crate::client::Client) is built from.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            endpoints: self.endpoints.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            token_store: Some(self.token_store()),
            retry: RetryPolicy::default(),
            cache: None,
            gql: self.gql.clone(),
        }
    }

    /// Opens the configured response cache (`None` for `--cache none`), its settings read from the environment
    /// ([`CacheSettings::from_env`]). Redis and memcached are not contacted yet: a server that is down fails
    /// the first lookup within about a second, the client warns once and goes on uncached.
    pub fn open_cache(&self) -> Result<Option<Arc<dyn Cache>>> {
        CacheSettings::from_env(self.cache)
            .map_err(|problem| backend_error(self.cache.name(), "(settings)", problem))?
            .open(&self.db)
    }
}

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
    Redis(RedisSettings),
    /// One or more memcached servers.
    Memcache(MemcacheSettings),
    /// No cache.
    None,
}

/// The key prefix of Redis and memcached entries when `ITCH_CACHE_PREFIX` is unset.
pub const DEFAULT_CACHE_PREFIX: &str = "itch:";

impl CacheSettings {
    /// `backend`'s settings from the process environment; the error names the variable and its value (never
    /// a password).
    pub fn from_env(backend: Backend) -> std::result::Result<CacheSettings, String> {
        CacheSettings::from_vars(backend, |name| std::env::var(name).ok())
    }

    /// `backend`'s settings from `var` (an environment lookup: tests and tools pass their own).
    pub fn from_vars(
        backend: Backend,
        var: impl Fn(&str) -> Option<String>,
    ) -> std::result::Result<CacheSettings, String> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        Ok(match backend {
            Backend::Sqlite => CacheSettings::Sqlite,
            Backend::None => CacheSettings::None,
            Backend::File => CacheSettings::File(FileSettings {
                dir: var("TWITCH_CACHE_TEMP").map_or_else(default_file_cache_dir, PathBuf::from),
            }),
            Backend::Redis => {
                let port = match var("REDIS_PORT") {
                    None => 6379,
                    Some(port) => port
                        .trim()
                        .parse::<u16>()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| format!("REDIS_PORT '{port}' is not a port number (1 to 65535)"))?,
                };
                let db = match var("REDIS_DB") {
                    None => 1,
                    Some(db) => db
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|db| *db <= i32::MAX as u32)
                        .ok_or_else(|| format!("REDIS_DB '{db}' is not a database number (0, 1, 2...)"))?,
                };
                let host = var("REDIS_HOST").map_or_else(|| "localhost".to_owned(), |h| h.trim().to_owned());
                if host.chars().any(|c| c.is_whitespace() || c == '/') {
                    return Err(format!("REDIS_HOST '{host}' is not a host name or address"));
                }
                CacheSettings::Redis(RedisSettings {
                    host,
                    port,
                    // A password is taken as it is: spaces can be part of it.
                    password: var("REDIS_PASSWORD").map(Secret::new),
                    db: i64::from(db),
                    prefix: cache_prefix(&var)?,
                })
            }
            Backend::Memcache => {
                let servers = var("MEMCACHE_SERVERS").unwrap_or_else(|| "127.0.0.1:11211".to_owned());
                CacheSettings::Memcache(MemcacheSettings {
                    servers: parse_servers(&servers)?,
                    prefix: cache_prefix(&var)?,
                })
            }
        })
    }

    /// Opens the cache these settings describe, counting in the archive at `archive` (file, Redis and
    /// memcached count there what they did for it; sqlite lives there).
    pub fn open(&self, archive: &Path) -> Result<Option<Arc<dyn Cache>>> {
        Ok(match self {
            CacheSettings::Sqlite => Some(Arc::new(SqliteCache::open(archive)?)),
            CacheSettings::File(settings) => Some(Arc::new(FileCache::open(settings, archive)?)),
            CacheSettings::Redis(settings) => Some(Arc::new(RedisCache::open(settings.clone(), archive)?)),
            CacheSettings::Memcache(settings) => Some(Arc::new(MemcacheCache::open(settings.clone(), archive)?)),
            CacheSettings::None => None,
        })
    }
}

/// `ITCH_CACHE_PREFIX`, checked: printable ASCII without spaces (memcached keys allow nothing else), 1 to 64
/// characters.
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

/// The platform's config dir for itch (`~/.config/itch` on Linux), or `./.itch` when there is no home.
pub fn default_config_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "itch")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".itch"))
}

/// Reads a secret from the environment; an empty value counts as unset.
pub fn secret_from_env(name: &str) -> Option<Secret> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).map(Secret::new)
}
