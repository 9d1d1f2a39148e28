//! The HTTP response cache beside the client. Keys are the sha256 of the request (method, URL with its query
//! sorted, GQL body) and never of a token; values are one envelope for every backend ([`encode_entry`]: the
//! fields, a SHA-256 over them and the body, the deflate-compressed body), and a value that does not check
//! out is a miss; only whole successful answers are stored; each kind of resource has its own freshness, and kinds
//! whose point is "what is it now" (live streams, the top of a list) are never cached.
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

pub mod file;
pub mod memcache;
pub mod redis;
pub mod sqlite;

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use url::Url;

use crate::error::{Error, Result};

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
}

/// How long an answer to `path` (relative to the Helix base) with `query` stays fresh, and its kind; `None`
/// for answers that must always be fetched.
pub fn freshness(path: &str, query: &[(&str, String)]) -> Option<(&'static str, Duration)> {
    let minutes = |m: u64| Duration::from_secs(m * 60);
    match path {
        // Pages of a list walk are never cached: each decides what is new (where an incremental walk stops),
        // what is gone (unfollows, deleted videos) or the total, so a page minutes old would falsify the record;
        // and the archive itself keeps every page it stored.
        "videos" if query.iter().any(|(k, _)| *k == "id") => Some(("video", minutes(60))),
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

    fn help(self) -> &'static str {
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
    fn from_str(name: &str) -> std::result::Result<Backend, String> {
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

/// `--cache` (and `ITCH_CACHE`) go through this parser: choosing a backend also checks its environment
/// variables, so `--cache redis` with `REDIS_PORT=abc` stops at start, before any request, with a message
/// naming the variable. (Connecting is left for the first use: a server that is down costs a warning, not the
/// sync.) `Backend` deliberately does not implement `clap::ValueEnum`: clap's `value_parser!` would prefer
/// that to this factory.
impl clap::builder::ValueParserFactory for Backend {
    type Parser = BackendParser;
    fn value_parser() -> BackendParser {
        BackendParser
    }
}

/// The parser of `--cache`: the backend's name, then its settings from the environment.
#[derive(Clone, Copy, Debug)]
pub struct BackendParser;

impl BackendParser {
    fn names() -> clap::builder::PossibleValuesParser {
        clap::builder::PossibleValuesParser::new(
            Backend::ALL.map(|b| clap::builder::PossibleValue::new(b.name()).help(b.help())),
        )
    }
}

impl clap::builder::TypedValueParser for BackendParser {
    type Value = Backend;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<Backend, clap::Error> {
        let name = BackendParser::names().parse_ref(cmd, arg, value)?;
        let backend: Backend = name.parse().expect("a possible value");
        crate::config::CacheSettings::from_env(backend).map_err(|problem| {
            let flag = arg.and_then(clap::Arg::get_long).unwrap_or("cache");
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--{flag} {backend}: {problem}\n"),
            )
            .with_cmd(cmd)
        })?;
        Ok(backend)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Backend::ALL
                .map(|b| clap::builder::PossibleValue::new(b.name()).help(b.help()))
                .into_iter(),
        ))
    }
}

/// The error of a file, Redis or memcached backend: which backend, where (never a password), what went wrong.
///
/// `crate::error::Error` has no cache variant yet; until it gets one (`Cache { backend, address, problem }`,
/// shown as "the {backend} cache at {address}: {problem}"), this borrows `Error::Gql`, whose text
/// ("{url} answered: {message}") reads right for a server that failed.
pub fn backend_error(backend: &str, address: &str, problem: impl std::fmt::Display) -> Error {
    Error::Cache {
        backend: backend.to_owned(),
        address: address.to_owned(),
        problem: problem.to_string(),
    }
}

/// The resource kinds [`freshness`] hands out; a stored kind outside them (another version's) reads as "other".
pub const KINDS: [&str; 7] = ["followers", "followed", "video", "videos", "user", "game", "search"];

/// The static name of a stored kind.
pub fn kind_name(stored: &str) -> &'static str {
    KINDS.into_iter().find(|k| *k == stored).unwrap_or("other")
}

/// The first bytes of every value the file, Redis and memcached backends store.
pub const ENTRY_MAGIC: [u8; 5] = *b"ITCHC";
/// The envelope's format version (the byte after the magic). Version 2 added the SHA-256; a version 1 entry
/// (itch 0.4.0) is a miss, counted as corrupt, and the fresh answer overwrites it.
pub const ENTRY_VERSION: u8 = 2;

/// A stored answer as the file, Redis and memcached backends keep it, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The answer.
    pub response: CachedResponse,
    /// When it stops being fresh.
    pub expires_at: DateTime<Utc>,
}

/// Why stored bytes are not an entry of the key they were found under. Such a value is a miss, counted as
/// corrupt, and the fresh answer overwrites it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadEntry {
    /// Not an itch envelope at all (another program's value, the 2016 tool's zlib JSON).
    #[error("not an itch cache entry")]
    Foreign,
    /// An envelope of a format version this itch does not read.
    #[error("an entry of format version {0}")]
    Version(u8),
    /// Cut short, or lengths that do not add up.
    #[error("a truncated or malformed entry")]
    Shape,
    /// The body is not a deflate stream.
    #[error("a body that does not inflate")]
    Deflate,
    /// The body inflates, but not to the stored length, CRC-32 and SHA-256 (or a field of the envelope was
    /// changed).
    #[error("a body that does not match its checksum")]
    Checksum,
    /// A whole entry, stored under another key.
    #[error("an entry of another key")]
    OtherKey,
}

/// Encodes an answer for every backend (sqlite keeps it in its `body` column). Big-endian:
///
/// ```text
/// "ITCHC" 0x02             magic and version
/// u16 len, key             the cache key (a value found under another key is refused)
/// u8 len, kind             the resource kind
/// u32 len, url             the URL (no token: tokens travel in headers)
/// u16 status
/// i64 fetched_at, i64 expires_at   Unix milliseconds
/// u32 body length, u32 body CRC-32 of the inflated body
/// [u8; 32] sha256          SHA-256 of every byte above, then of the inflated body
/// deflate stream           the body, to the end of the value
/// ```
///
/// The SHA-256 covers the fields too: a flipped bit in a status, a time or the URL is caught like one in the
/// body (deflate itself has no checksum, and a damaged stream can inflate to another valid body).
pub fn encode_entry(key: &CacheKey, response: &CachedResponse, expires_at: DateTime<Utc>) -> Vec<u8> {
    let body = compress(&response.body);
    let key = &key.0.as_bytes()[..key.0.len().min(u16::MAX as usize)];
    let kind = &response.kind.as_bytes()[..response.kind.len().min(u8::MAX as usize)];
    let url = response.url.as_bytes();
    let mut crc = flate2::Crc::new();
    crc.update(&response.body);
    let mut out = Vec::with_capacity(48 + key.len() + kind.len() + url.len() + body.len());
    out.extend_from_slice(&ENTRY_MAGIC);
    out.push(ENTRY_VERSION);
    out.extend_from_slice(&(key.len() as u16).to_be_bytes());
    out.extend_from_slice(key);
    out.push(kind.len() as u8);
    out.extend_from_slice(kind);
    out.extend_from_slice(&(url.len() as u32).to_be_bytes());
    out.extend_from_slice(url);
    out.extend_from_slice(&response.status.to_be_bytes());
    out.extend_from_slice(&response.fetched_at.timestamp_millis().to_be_bytes());
    out.extend_from_slice(&expires_at.timestamp_millis().to_be_bytes());
    out.extend_from_slice(&(response.body.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc.sum().to_be_bytes());
    let digest = entry_digest(&out, &response.body);
    out.extend_from_slice(&digest);
    out.extend_from_slice(&body);
    out
}

/// The SHA-256 of an envelope's fields (`header`, everything before the digest) and its inflated body.
fn entry_digest(header: &[u8], body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(header);
    hasher.update(body);
    hasher.finalize().into()
}

/// Decodes what [`encode_entry`] wrote under `key`; anything else is a [`BadEntry`]. Freshness is the caller's
/// business ([`Entry::expires_at`]).
pub fn decode_entry(key: &CacheKey, stored: &[u8]) -> std::result::Result<Entry, BadEntry> {
    let mut input = Reader(stored);
    if input.take(ENTRY_MAGIC.len()) != Some(&ENTRY_MAGIC[..]) {
        return Err(BadEntry::Foreign);
    }
    match input.u8()? {
        ENTRY_VERSION => {}
        other => return Err(BadEntry::Version(other)),
    }
    let key_len = usize::from(input.u16()?);
    let stored_key = input.field(key_len)?;
    let kind_len = usize::from(input.u8()?);
    let kind = std::str::from_utf8(input.field(kind_len)?).map_err(|_| BadEntry::Shape)?;
    let url_len = input.u32()? as usize;
    let url = std::str::from_utf8(input.field(url_len)?).map_err(|_| BadEntry::Shape)?;
    let status = input.u16()?;
    let fetched_at = DateTime::from_timestamp_millis(input.i64()?).ok_or(BadEntry::Shape)?;
    let expires_at = DateTime::from_timestamp_millis(input.i64()?).ok_or(BadEntry::Shape)?;
    let length = input.u32()? as usize;
    let checksum = input.u32()?;
    let header = &stored[..stored.len() - input.0.len()];
    let digest: [u8; 32] = input.array()?;
    if !(100..=599).contains(&status) {
        return Err(BadEntry::Shape);
    }
    if stored_key != key.0.as_bytes() {
        return Err(BadEntry::OtherKey);
    }
    // Inflate at most one byte more than announced, so a hostile value cannot balloon.
    let mut body = Vec::with_capacity(length);
    DeflateDecoder::new(input.0)
        .take(length as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|_| BadEntry::Deflate)?;
    let mut crc = flate2::Crc::new();
    crc.update(&body);
    if body.len() != length || crc.sum() != checksum || entry_digest(header, &body) != digest {
        return Err(BadEntry::Checksum);
    }
    Ok(Entry {
        response: CachedResponse {
            kind: kind_name(kind),
            url: url.to_owned(),
            status,
            fetched_at,
            body,
        },
        expires_at,
    })
}

/// A cursor over stored bytes; running short is a [`BadEntry::Shape`].
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn field(&mut self, n: usize) -> std::result::Result<&'a [u8], BadEntry> {
        self.take(n).ok_or(BadEntry::Shape)
    }
    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], BadEntry> {
        Ok(self.field(N)?.try_into().expect("N bytes"))
    }
    fn u8(&mut self) -> std::result::Result<u8, BadEntry> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> std::result::Result<u16, BadEntry> {
        self.array().map(u16::from_be_bytes)
    }
    fn u32(&mut self) -> std::result::Result<u32, BadEntry> {
        self.array().map(u32::from_be_bytes)
    }
    fn i64(&mut self) -> std::result::Result<i64, BadEntry> {
        self.array().map(i64::from_be_bytes)
    }
}

/// When an answer fetched at `fetched_at` and fresh for `ttl` expires.
pub fn expiry(fetched_at: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(ttl)
        .ok()
        .and_then(|ttl| fetched_at.checked_add_signed(ttl))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
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
        let conn = crate::archive::db::open(path)?;
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
                    crate::archive::timestamp(Utc::now())
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
    fn live_answers_and_list_pages_are_never_cached() {
        assert_eq!(freshness("streams", &[("user_id", "1".into())]), None);
        assert_eq!(freshness("channels/followers", &[("broadcaster_id", "1".into())]), None);
        assert_eq!(freshness("channels/followers", &[("after", "c".into())]), None);
        assert_eq!(freshness("channels/followed", &[("after", "c".into())]), None);
        assert_eq!(
            freshness("videos", &[("user_id", "1".into()), ("after", "c".into())]),
            None
        );
        assert!(freshness("users", &[("id", "1".into())]).is_some());
        assert_eq!(freshness("users", &[("login", "x".into())]), None);
    }

    #[test]
    fn a_flipped_bit_anywhere_in_an_entry_is_refused() {
        let key = CacheKey("k".repeat(64));
        let response = CachedResponse {
            kind: "followers",
            url: "http://x/helix/channels/followers?after=c&broadcaster_id=1".into(),
            status: 200,
            fetched_at: DateTime::from_timestamp_millis(1_764_000_000_000).unwrap(),
            body: br#"{"data":[{"user_id":"12345","user_login":"a"}],"total":1}"#.to_vec(),
        };
        let expires = response.fetched_at + chrono::Duration::minutes(5);
        let stored = encode_entry(&key, &response, expires);
        assert_eq!(decode_entry(&key, &stored).unwrap().response, response);
        for at in 0..stored.len() {
            for bit in 0..8 {
                let mut flipped = stored.clone();
                flipped[at] ^= 1 << bit;
                // A flip in the deflate stream can leave the body whole (a back-reference moved onto the same
                // bytes): then the answer served is exactly the one stored, which the checksum proves.
                if let Ok(entry) = decode_entry(&key, &flipped) {
                    assert_eq!(
                        (&entry.response, entry.expires_at),
                        (&response, expires),
                        "bit {bit} of byte {at} of {} flipped and a changed answer accepted",
                        stored.len()
                    );
                }
            }
        }
        // An entry of itch 0.4.0 (no SHA-256) is refused as another version, so it is a miss.
        let mut old = stored.clone();
        old[5] = 1;
        assert_eq!(decode_entry(&key, &old), Err(BadEntry::Version(1)));
    }
}
