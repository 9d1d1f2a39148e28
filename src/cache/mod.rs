//! The HTTP response cache beside the client. Keys are the sha256 of the request (method, URL with its query
//! sorted, GQL body) and never of a token; values are one envelope for every backend ([`encode_entry`]: the
//! fields, a SHA-256 over them and the body, the deflate-compressed body), and a value that does not check
//! out is a miss; only whole successful answers are stored; each kind of resource has its own freshness, and kinds
//! whose point is "what is it now" (live streams, the top of a list) are never cached. The `sqlite` backend,
//! inside the archive, also leaves out what the archive keeps whole anyway (a follower walk's hydrated accounts).
//!
//! Backends implement [`Cache`]; the client sees only the trait, so it never knows SQL or Redis.
//!
//! - `sqlite` (the default): a table in the archive, one file holds everything; its `body` column holds the
//!   envelope.
//! - `file`, `redis`, `memcache`: the 2016 tool's three caches. They store the same keys and the same answers,
//!   each value in one envelope ([`encode_entry`]: magic, version, key, kind, URL, status, fetch and expiry
//!   times, then the deflated body with its length and CRC-32), and let the store expire it (file modification
//!   time, Redis `PX`, memcached expiration). What they did for an archive (hits, misses, writes, corrupt
//!   entries) is counted in that archive's `http_cache_counters` table ([`ArchiveCounters`]).
//! - `none`: no cache.

mod backend;
mod counters;
mod entry;
pub mod file;
mod freshness;
mod key;
#[cfg(feature = "memcache")]
pub mod memcache;
#[cfg(feature = "redis")]
pub mod redis;
pub mod settings;
pub mod sqlite;

use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::error::{Error, Result};
pub use backend::Backend;
pub use counters::{ArchiveCounters, judge};
pub use entry::{BadEntry, ENTRY_MAGIC, ENTRY_VERSION, Entry, compress, decode_entry, decompress, encode_entry};
pub use freshness::{KINDS, expiry, freshness, kind_name};
pub use key::CacheKey;
pub use settings::{CacheSettings, DEFAULT_CACHE_PREFIX};

/// A stored answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedResponse {
    /// The resource kind (sets freshness; shown by `itch cache stats`).
    pub kind: &'static str,
    /// The URL, for stats only (it carries no secret: tokens travel in headers).
    pub url: String,
    pub status: u16,
    pub fetched_at: DateTime<Utc>,
    /// The body, uncompressed.
    pub body: Vec<u8>,
}

/// What a backend knows about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    pub backend: String,
    /// Entries stored (where the backend can count them).
    pub entries: Option<u64>,
    /// Compressed bytes stored (where the backend can count them).
    pub bytes: Option<u64>,
    /// Entries past their freshness (where the backend can count them).
    pub expired: Option<u64>,
    pub hits: u64,
    pub misses: u64,
    pub writes: u64,
    pub bytes_written: u64,
    pub corrupt: u64,
    /// Where the entries live (a directory, a server address and key prefix), for remote and file backends.
    pub location: Option<String>,
}

/// A response cache backend. Calls block (SQLite, files, memcached are blocking), so the client runs them on
/// the blocking pool.
pub trait Cache: Send + Sync + std::fmt::Debug {
    /// A fresh entry, or `None`. A corrupt entry is a miss (and is counted).
    fn get(&self, key: &CacheKey) -> Result<Option<CachedResponse>>;
    /// Stores an entry for `ttl`.
    fn put(&self, key: &CacheKey, response: &CachedResponse, ttl: Duration) -> Result<()>;
    /// What the backend knows about itself.
    fn stats(&self) -> Result<CacheStats>;
    /// Removes expired entries; returns how many (backends with their own expiry return 0).
    fn prune(&self) -> Result<u64>;
    /// Removes every entry; returns how many, where known.
    fn clear(&self) -> Result<u64>;
    /// True for a cache inside the archive itself (`sqlite`): an answer the archive keeps whole, such as the
    /// accounts a follower walk hydrates, would be stored twice in one file, so the client leaves it out.
    fn lives_in_archive(&self) -> bool {
        false
    }
}

/// The error of a file, Redis or memcached backend: which backend, where (never a password), what went wrong.
pub fn backend_error(backend: &str, address: &str, problem: impl std::fmt::Display) -> Error {
    Error::Cache {
        backend: backend.to_owned(),
        address: address.to_owned(),
        problem: problem.to_string(),
    }
}
