//! The HTTP response cache beside the client. Keys are the sha256 of the request (method, URL with its query
//! sorted, GQL body) and never of a token; values are the deflate-compressed body with its status and fetch
//! time; only whole successful answers are stored; each kind of resource has its own freshness, and kinds
//! whose point is "what is it now" (live streams, the top of a list) are never cached.
//!
//! Backends implement [`Cache`]; the client sees only the trait, so it never knows SQL or Redis.

pub mod sqlite;

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::time::Duration;
use url::Url;

use crate::error::Result;

/// A cache key: the hex sha256 of the request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey(pub String);

impl CacheKey {
    /// The key of a request. The query is sorted so parameter order does not matter; headers (and so the
    /// token) are not part of it.
    pub fn of(method: &str, url: &Url, body: Option<&[u8]>) -> CacheKey {
        let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        pairs.sort();
        let mut canonical = url.clone();
        canonical.set_query(None);
        if !pairs.is_empty() {
            canonical.query_pairs_mut().extend_pairs(pairs);
        }
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b" ");
        hasher.update(canonical.as_str().as_bytes());
        if let Some(body) = body {
            hasher.update(b"\n");
            hasher.update(body);
        }
        CacheKey(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

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
}

/// How long an answer to `path` (relative to the Helix base) with `query` stays fresh, and its kind; `None`
/// for answers that must always be fetched.
pub fn freshness(path: &str, query: &[(&str, String)]) -> Option<(&'static str, Duration)> {
    let paging = query.iter().any(|(k, _)| *k == "after");
    let minutes = |m: u64| Duration::from_secs(m * 60);
    match path {
        // The top of a list is what a sync compares against the archive: always fetched. Deeper pages may
        // be reused for a few minutes (a resumed or repeated walk).
        "channels/followers" if paging => Some(("followers", minutes(5))),
        "channels/followed" if paging => Some(("followed", minutes(5))),
        "videos" if query.iter().any(|(k, _)| *k == "id") => Some(("video", minutes(60))),
        "videos" if paging => Some(("videos", minutes(10))),
        // Accounts change rarely; hydrating a million followers twice is what the cache is for.
        "users" if query.iter().any(|(k, _)| *k == "id") => Some(("user", minutes(24 * 60))),
        "games" => Some(("game", minutes(7 * 24 * 60))),
        "search/channels" => Some(("search", minutes(10))),
        _ => None,
    }
}

/// Deflate-compresses a body.
pub fn compress(body: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
    encoder.write_all(body).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Inflates a stored body; `None` when it is not valid deflate data.
pub fn decompress(stored: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(stored.len() * 4);
    DeflateDecoder::new(stored).read_to_end(&mut body).ok()?;
    Some(body)
}

/// Which backend to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// A table in the archive itself (the default: one file holds everything).
    Sqlite,
    /// No cache.
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_query_order_and_differ_by_body() {
        let a = Url::parse("http://x/helix/users?id=1&id=2&first=5").unwrap();
        let b = Url::parse("http://x/helix/users?first=5&id=1&id=2").unwrap();
        assert_eq!(CacheKey::of("GET", &a, None), CacheKey::of("GET", &b, None));
        assert_ne!(CacheKey::of("GET", &a, None), CacheKey::of("POST", &a, None));
        assert_ne!(
            CacheKey::of("POST", &a, Some(b"1")),
            CacheKey::of("POST", &a, Some(b"2"))
        );
        assert_eq!(CacheKey::of("GET", &a, None).0.len(), 64);
    }

    #[test]
    fn bodies_round_trip_and_garbage_is_refused() {
        let body = br#"{"data":[{"id":"1"}],"pagination":{}}"#.repeat(50);
        let stored = compress(&body);
        assert!(stored.len() < body.len() / 4);
        assert_eq!(decompress(&stored).unwrap(), body);
        assert_eq!(decompress(b"not deflate at all \xff\xfe"), None);
    }

    #[test]
    fn live_answers_and_list_tops_are_never_cached() {
        assert_eq!(freshness("streams", &[("user_id", "1".into())]), None);
        assert_eq!(freshness("channels/followers", &[("broadcaster_id", "1".into())]), None);
        assert!(freshness("channels/followers", &[("after", "c".into())]).is_some());
        assert!(freshness("users", &[("id", "1".into())]).is_some());
        assert_eq!(freshness("users", &[("login", "x".into())]), None);
    }
}
