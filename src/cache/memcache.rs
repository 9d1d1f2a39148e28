//! The memcached backend, over one or more servers (`MEMCACHE_SERVERS`), each key on the server its FNV-1a
//! hash picks (hash mod number of servers: every itch with the same list agrees). Values are the envelope of
//! [`encode_entry`], stored with memcached's own expiration at the entry's freshness.
//!
//! - **Keys**: `<prefix><generation>:<key>`. The generation is a counter under `<prefix>gen` (started at the
//!   current Unix milliseconds, so a generation lost to eviction never comes back); `clear` increments it, and
//!   every earlier entry becomes unreachable at once and is freed by the server as it expires or is evicted. A
//!   running itch reads the generation once, when it first connects.
//! - **Large bodies**: memcached refuses items over 1 MB by default. An envelope longer than [`PART_SIZE`] is
//!   stored in parts (`<key>#<nonce>.<i>`), then a manifest under the key itself: magic `ITCHP`, version,
//!   nonce, part count, total length and CRC-32 of the envelope. A part evicted before its manifest makes
//!   a miss; parts that do not add up to the manifest a corrupt one. A server that still refuses a part
//!   (started with a smaller `-I`) gets the entry skipped with a debug log, never a truncated value.
//! - **Faults**: nothing connects until the first call. Each server is then probed with a [`CONNECT_TIMEOUT`]
//!   (in parallel) and asked for its `version` before the pools are built, and commands time out after
//!   [`IO_TIMEOUT`], so a server that is down or hangs fails the call quickly with its address in the error.
//!   The pool under the memcache crate (r2d2) retries a connection that does not answer forever, though (it
//!   checks each connection out with a `version` that times out, drops it, opens another, and so on): so every
//!   call runs on a thread of its own and is given up after [`CALL_TIMEOUT`], an error like any other. A call
//!   given up leaves its thread behind, blocked on that server; the client stops using the cache after its
//!   first error, so that happens once.

use ::memcache::{Client, CommandError, MemcacheError, ServerError};
use chrono::Utc;
use std::collections::HashMap;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{ArchiveCounters, Cache, CacheKey, CacheStats, CachedResponse, backend_error, encode_entry, expiry, judge};
use crate::error::{Error, Result};

const BACKEND: &str = "memcache";

/// The longest wait for a connection to one server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// The longest wait for one command's answer.
pub const IO_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest wait for one call of the backend (a large entry is several commands).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest value stored whole; longer envelopes go in parts of this size. Under memcached's default
/// 1 MiB item limit with room for the key and the item header.
pub const PART_SIZE: usize = 1_000_000;
/// Connections per server.
const POOL_SIZE: u32 = 4;
/// The first bytes of a manifest of parts.
const PARTS_MAGIC: [u8; 5] = *b"ITCHP";
const PARTS_VERSION: u8 = 1;
/// memcached reads an expiration above 30 days as a Unix time.
const RELATIVE_EXPIRY_LIMIT: i64 = 30 * 24 * 3600;

/// Where the memcached backend keeps its entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemcacheSettings {
    /// `MEMCACHE_SERVERS`, in order (the order picks each key's server).
    pub servers: Vec<(String, u16)>,
    /// Every key starts with it (`ITCH_CACHE_PREFIX`, default `itch:`).
    pub prefix: String,
}

impl MemcacheSettings {
    /// The servers as `host:port,host:port`.
    pub fn address(&self) -> String {
        self.servers
            .iter()
            .map(|(host, port)| host_port(host, *port))
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The memcached backend: each call on a thread of its own, given up after [`CALL_TIMEOUT`].
#[derive(Debug)]
pub struct MemcacheCache {
    inner: Arc<Memcached>,
}

/// The backend's work, done on the calls' threads.
#[derive(Debug)]
struct Memcached {
    settings: MemcacheSettings,
    address: String,
    connected: Mutex<Option<Arc<Connected>>>,
    counters: ArchiveCounters,
}

/// The client and the generation in use.
struct Connected {
    client: Client,
    generation: Mutex<u64>,
}

impl std::fmt::Debug for Connected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connected")
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// Where a key's server is: FNV-1a 64 of the whole key, stable across builds and Rust versions (unlike the
/// crate's default `DefaultHasher`).
fn server_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl MemcacheCache {
    /// Prepares the backend, counting in the archive at `archive`. Nothing is sent to memcached yet.
    pub fn open(settings: MemcacheSettings, archive: &Path) -> Result<MemcacheCache> {
        Ok(MemcacheCache {
            inner: Arc::new(Memcached {
                counters: ArchiveCounters::open(archive, BACKEND)?,
                address: settings.address(),
                connected: Mutex::new(None),
                settings,
            }),
        })
    }

    /// The servers, `host:port,host:port`.
    pub fn address(&self) -> &str {
        &self.inner.address
    }

    /// The memcached key of a cache key in the current generation (connecting to learn it).
    pub fn storage_key(&self, key: &CacheKey) -> Result<String> {
        let key = key.clone();
        self.bounded(move |inner| {
            let connected = inner.connected()?;
            Ok(inner.key_in(&connected, &key))
        })
    }

    /// Runs `work` on a thread of its own and waits at most [`CALL_TIMEOUT`] for it.
    fn bounded<T: Send + 'static>(&self, work: impl FnOnce(&Memcached) -> Result<T> + Send + 'static) -> Result<T> {
        let inner = self.inner.clone();
        let (done, result) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("itch-memcache".into())
            .spawn(move || {
                let _ = done.send(work(&inner));
            })
            .map_err(|e| self.inner.error(format!("starting a thread for the call: {e}")))?;
        match result.recv_timeout(CALL_TIMEOUT) {
            Ok(result) => result,
            Err(_) => Err(self.inner.error(format!(
                "no answer within {}s (the server accepts connections but does not answer)",
                CALL_TIMEOUT.as_secs()
            ))),
        }
    }
}

impl Cache for MemcacheCache {
    fn get(&self, key: &CacheKey) -> Result<Option<CachedResponse>> {
        let key = key.clone();
        self.bounded(move |inner| inner.get(&key))
    }

    fn put(&self, key: &CacheKey, response: &CachedResponse, ttl: Duration) -> Result<()> {
        let (key, response) = (key.clone(), response.clone());
        self.bounded(move |inner| inner.put(&key, &response, ttl))
    }

    fn stats(&self) -> Result<CacheStats> {
        self.bounded(|inner| inner.stats())
    }

    fn prune(&self) -> Result<u64> {
        Ok(0)
    }

    fn clear(&self) -> Result<u64> {
        self.bounded(|inner| inner.clear())
    }
}

impl Memcached {
    fn key_in(&self, connected: &Connected, key: &CacheKey) -> String {
        let generation = *connected.generation.lock().unwrap_or_else(|p| p.into_inner());
        format!("{}{generation}:{}", self.settings.prefix, key.0)
    }

    fn generation_key(&self) -> String {
        format!("{}gen", self.settings.prefix)
    }

    fn error(&self, error: impl std::fmt::Display) -> Error {
        backend_error(BACKEND, &self.address, error)
    }

    /// The client, connecting on first use; a failed attempt is retried by the next call.
    fn connected(&self) -> Result<Arc<Connected>> {
        let mut slot = self.connected.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(connected) = slot.as_ref() {
            return Ok(connected.clone());
        }
        self.probe()?;
        let urls: Vec<String> = self
            .settings
            .servers
            .iter()
            .map(|(host, port)| {
                format!(
                    "memcache://{}?protocol=ascii&timeout={}",
                    host_port(host, *port),
                    IO_TIMEOUT.as_secs_f64()
                )
            })
            .collect();
        let client = Client::builder()
            .add_server(urls)
            .and_then(|builder| {
                builder
                    .with_max_pool_size(POOL_SIZE)
                    .with_connection_timeout(CONNECT_TIMEOUT)
                    .with_read_timeout(IO_TIMEOUT)
                    .with_write_timeout(IO_TIMEOUT)
                    .with_hash_function(server_hash)
                    .build()
            })
            .map_err(|e| self.error(e))?;
        let generation = self.read_generation(&client)?;
        let connected = Arc::new(Connected {
            client,
            generation: Mutex::new(generation),
        });
        *slot = Some(connected.clone());
        Ok(connected)
    }

    /// Tries a TCP connection to every server at once, and asks each for its `version`, so a server that is
    /// down, unreachable or silent fails within [`CONNECT_TIMEOUT`] + [`IO_TIMEOUT`] with its name, whatever
    /// the number of servers.
    fn probe(&self) -> Result<()> {
        let failures: Vec<String> = std::thread::scope(|scope| {
            let probes: Vec<_> = self
                .settings
                .servers
                .iter()
                .map(|(host, port)| {
                    scope.spawn(move || {
                        let addrs = (host.as_str(), *port)
                            .to_socket_addrs()
                            .map_err(|e| format!("{}: {e}", host_port(host, *port)))?;
                        let mut last = format!("{}: no address", host_port(host, *port));
                        for addr in addrs {
                            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).and_then(ask_version) {
                                Ok(()) => return Ok(()),
                                Err(e) => last = format!("{}: {e}", host_port(host, *port)),
                            }
                        }
                        Err(last)
                    })
                })
                .collect();
            probes
                .into_iter()
                .filter_map(|probe| probe.join().unwrap_or_else(|_| Err("probe panicked".into())).err())
                .collect()
        });
        if failures.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("not reachable: {}", failures.join("; "))))
        }
    }

    /// The current generation; the first itch to use a server (or to find it evicted) starts it.
    fn read_generation(&self, client: &Client) -> Result<u64> {
        let key = self.generation_key();
        for _ in 0..3 {
            match client.get::<String>(&key).map_err(|e| self.error(e))? {
                Some(value) if value.trim().parse::<u64>().is_ok() => {
                    return Ok(value.trim().parse().expect("checked"));
                }
                Some(_) => {
                    // Not a number (not ours, or damaged): start over.
                    client.set(&key, fresh_generation(), 0).map_err(|e| self.error(e))?;
                }
                None => {
                    // `add` stores only if absent, so two itch starting together agree on one value.
                    client.add(&key, fresh_generation(), 0).map_err(|e| self.error(e))?;
                }
            }
        }
        Err(self.error(format!(
            "the generation key {key} does not stay set (is memcached out of memory?)"
        )))
    }

    /// Reads a whole envelope (reassembling parts); `Ok(None)` when nothing (complete) is there. A manifest
    /// whose parts do not add up comes back as bytes that will not decode, so it counts as corrupt.
    fn read(&self, connected: &Connected, key: &str) -> Result<Option<Vec<u8>>> {
        let Some(stored) = connected.client.get::<Vec<u8>>(key).map_err(|e| self.error(e))? else {
            return Ok(None);
        };
        let Some(manifest) = Manifest::decode(&stored) else {
            return Ok(Some(stored));
        };
        let names: Vec<String> = (0..manifest.parts).map(|i| part_key(key, manifest.nonce, i)).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut found: HashMap<String, Vec<u8>> = HashMap::new();
        for batch in refs.chunks(64) {
            found.extend(connected.client.gets::<Vec<u8>>(batch).map_err(|e| self.error(e))?);
        }
        let mut whole = Vec::with_capacity(manifest.length as usize);
        for name in &names {
            let Some(part) = found.remove(name) else {
                tracing::debug!(key, part = name, "a part of a large cache entry was evicted: a miss");
                return Ok(None);
            };
            whole.extend_from_slice(&part);
        }
        let mut crc = flate2::Crc::new();
        crc.update(&whole);
        if whole.len() != manifest.length as usize || crc.sum() != manifest.crc {
            // Not an envelope any more: `judge` counts it as corrupt.
            return Ok(Some(b"parts that do not match their manifest".to_vec()));
        }
        Ok(Some(whole))
    }

    /// Stores `value` under `key` (in parts if it is large); `false` when the server refused its size.
    fn write(&self, connected: &Connected, key: &str, value: &[u8], expiration: u32) -> Result<bool> {
        if value.len() <= PART_SIZE {
            return self.set(connected, key, value, expiration);
        }
        let nonce: u32 = rand::random();
        let chunks: Vec<&[u8]> = value.chunks(PART_SIZE).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            if !self.set(connected, &part_key(key, nonce, i as u32), chunk, expiration)? {
                return Ok(false);
            }
        }
        let mut crc = flate2::Crc::new();
        crc.update(value);
        let manifest = Manifest {
            nonce,
            parts: chunks.len() as u32,
            length: value.len() as u64,
            crc: crc.sum(),
        };
        // The manifest goes last: a reader never finds one before its parts.
        self.set(connected, key, &manifest.encode(), expiration)
    }

    fn set(&self, connected: &Connected, key: &str, value: &[u8], expiration: u32) -> Result<bool> {
        match connected.client.set(key, value, expiration) {
            Ok(()) => Ok(true),
            Err(error) if too_large(&error) => {
                tracing::debug!(
                    key,
                    bytes = value.len(),
                    "memcached refused a value this large: entry not cached"
                );
                Ok(false)
            }
            Err(error) => Err(self.error(error)),
        }
    }
}

/// Sends `version` and reads the answer line (`VERSION 1.6.18`), waiting at most [`IO_TIMEOUT`].
fn ask_version(stream: TcpStream) -> std::io::Result<()> {
    use std::io::{BufRead, Read, Write};
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    (&stream).write_all(b"version\r\n")?;
    let mut answer = String::new();
    let read = std::io::BufReader::new((&stream).take(256)).read_line(&mut answer);
    match read {
        Ok(_) if answer.starts_with("VERSION") => Ok(()),
        Ok(_) => Err(std::io::Error::other(format!(
            "not a memcached (it answered {:?} to `version`)",
            answer.trim_end()
        ))),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
            Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("connected, but no answer to `version` within {}s", IO_TIMEOUT.as_secs()),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Whether memcached refused a value for its size (`SERVER_ERROR object too large for cache`).
fn too_large(error: &MemcacheError) -> bool {
    match error {
        MemcacheError::CommandError(CommandError::ValueTooLarge) => true,
        MemcacheError::ServerError(ServerError::Error(text)) => text.contains("too large"),
        _ => false,
    }
}

fn part_key(key: &str, nonce: u32, index: u32) -> String {
    format!("{key}#{nonce:08x}.{index}")
}

fn fresh_generation() -> u64 {
    Utc::now().timestamp_millis().max(1) as u64
}

/// memcached's expiration for an entry that expires in `seconds` (rounded up; Unix time past 30 days).
fn expiration(seconds: i64) -> u32 {
    let seconds = seconds.max(1);
    if seconds <= RELATIVE_EXPIRY_LIMIT {
        seconds as u32
    } else {
        (Utc::now().timestamp() + seconds).clamp(0, i64::from(u32::MAX)) as u32
    }
}

/// Where the parts of a large entry are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Manifest {
    nonce: u32,
    parts: u32,
    length: u64,
    crc: u32,
}

impl Manifest {
    const LEN: usize = PARTS_MAGIC.len() + 1 + 4 + 4 + 8 + 4;

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        out.extend_from_slice(&PARTS_MAGIC);
        out.push(PARTS_VERSION);
        out.extend_from_slice(&self.nonce.to_be_bytes());
        out.extend_from_slice(&self.parts.to_be_bytes());
        out.extend_from_slice(&self.length.to_be_bytes());
        out.extend_from_slice(&self.crc.to_be_bytes());
        out
    }

    /// A manifest, or `None` for any other value (an envelope, or something to be judged corrupt).
    fn decode(stored: &[u8]) -> Option<Manifest> {
        if stored.len() != Self::LEN || stored[..5] != PARTS_MAGIC || stored[5] != PARTS_VERSION {
            return None;
        }
        let u32_at = |at: usize| u32::from_be_bytes(stored[at..at + 4].try_into().expect("4 bytes"));
        let manifest = Manifest {
            nonce: u32_at(6),
            parts: u32_at(10),
            length: u64::from_be_bytes(stored[14..22].try_into().expect("8 bytes")),
            crc: u32_at(22),
        };
        // At most what a 4 GiB envelope needs: a damaged count must not make thousands of requests.
        (manifest.parts > 0 && u64::from(manifest.parts) <= (u64::from(u32::MAX) / PART_SIZE as u64) + 1)
            .then_some(manifest)
    }
}

impl Memcached {
    fn get(&self, key: &CacheKey) -> Result<Option<CachedResponse>> {
        let connected = self.connected()?;
        let stored = self.read(&connected, &self.key_in(&connected, key))?;
        Ok(judge(&self.counters, key, stored.as_deref()))
    }

    fn put(&self, key: &CacheKey, response: &CachedResponse, ttl: Duration) -> Result<()> {
        let expires_at = expiry(response.fetched_at, ttl);
        let left_ms = (expires_at - Utc::now()).num_milliseconds();
        if left_ms <= 0 {
            return Ok(());
        }
        let connected = self.connected()?;
        let stored = encode_entry(key, response, expires_at);
        let seconds = (left_ms + 999) / 1000;
        if self.write(&connected, &self.key_in(&connected, key), &stored, expiration(seconds))? {
            self.counters.wrote(stored.len());
        }
        Ok(())
    }

    fn stats(&self) -> Result<CacheStats> {
        let connected = self.connected()?;
        let generation = *connected.generation.lock().unwrap_or_else(|p| p.into_inner());
        Ok(CacheStats {
            // memcached cannot list or count one prefix's keys cheaply.
            entries: None,
            bytes: None,
            expired: None,
            location: Some(format!("{} keys {}{generation}:*", self.address, self.settings.prefix)),
            ..self.counters.load()?
        })
    }

    /// Moves to a new generation: every entry stored so far is unreachable at once (the server frees them as
    /// they expire). Returns 0: memcached cannot say how many there were.
    fn clear(&self) -> Result<u64> {
        let connected = self.connected()?;
        let key = self.generation_key();
        let next = match connected.client.increment(&key, 1) {
            Ok(next) => next,
            Err(MemcacheError::CommandError(CommandError::KeyNotFound)) => self.read_generation(&connected.client)?,
            Err(error) => return Err(self.error(error)),
        };
        *connected.generation.lock().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_round_trip_and_other_values_are_not_manifests() {
        let manifest = Manifest {
            nonce: 7,
            parts: 3,
            length: 2_500_000,
            crc: 0xdead_beef,
        };
        assert_eq!(Manifest::decode(&manifest.encode()), Some(manifest));
        assert_eq!(Manifest::decode(b"ITCHC\x01 an envelope"), None);
        let mut bad = manifest.encode();
        bad[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(Manifest::decode(&bad), None, "an absurd part count");
    }

    #[test]
    fn keys_spread_stably_and_expirations_follow_memcached_rules() {
        assert_eq!(server_hash("itch:1:abc"), server_hash("itch:1:abc"));
        let servers: std::collections::BTreeSet<u64> = (0..100).map(|i| server_hash(&format!("k{i}")) % 3).collect();
        assert_eq!(servers.len(), 3, "keys land on every server");
        assert_eq!(expiration(0), 1);
        assert_eq!(expiration(300), 300);
        assert!(expiration(RELATIVE_EXPIRY_LIMIT + 1) as i64 > Utc::now().timestamp());
        assert_eq!(
            MemcacheSettings {
                servers: vec![("::1".into(), 11211), ("cache".into(), 11212)],
                prefix: "itch:".into()
            }
            .address(),
            "[::1]:11211,cache:11212"
        );
    }
}
