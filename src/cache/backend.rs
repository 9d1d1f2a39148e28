//! Which backend `--cache` (and `ITCH_CACHE`) names. Every backend has a name here, also those left out of
//! this build (the `redis` and `memcache` features): choosing one of those is an error that says which
//! feature to build with, not an unknown name.

/// Which backend to use (`--cache`, `ITCH_CACHE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A table in the archive itself (the default: one file holds everything).
    Sqlite,
    /// One file per entry under `TWITCH_CACHE_TEMP`.
    File,
    /// A Redis server.
    Redis,
    /// One or more memcached servers.
    Memcache,
    /// No cache.
    None,
}

impl Backend {
    /// Every backend, in the order `--help` lists them.
    pub const ALL: [Backend; 5] = [
        Backend::Sqlite,
        Backend::File,
        Backend::Redis,
        Backend::Memcache,
        Backend::None,
    ];

    /// The name `--cache` takes and `itch cache stats` shows.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::File => "file",
            Backend::Redis => "redis",
            Backend::Memcache => "memcache",
            Backend::None => "none",
        }
    }

    /// One line for `--help`: where the entries go and the variables that say so.
    pub fn help(self) -> &'static str {
        match self {
            Backend::Sqlite => "A table in the archive itself (the default: one file holds everything)",
            Backend::File => "One file per entry under TWITCH_CACHE_TEMP (default ~/.cache/itch-cache)",
            Backend::Redis => "Redis: REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB (localhost, 6379, none, 1)",
            Backend::Memcache => "memcached: MEMCACHE_SERVERS, comma-separated host:port (127.0.0.1:11211)",
            Backend::None => "No cache",
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(name: &str) -> Result<Backend, String> {
        Backend::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("'{name}' is not a cache backend (sqlite, file, redis, memcache, none)"))
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
