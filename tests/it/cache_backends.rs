//! Every cache backend (sqlite, file, redis, memcache, none) against one conformance suite, then the faults of
//! the remote ones: Redis killed in the middle of a sync, memcached not running, a refused password, settings
//! that do not parse.
//!
//! Redis and memcached are real servers named by `ITCH_TEST_REDIS` and `ITCH_TEST_MEMCACHE` (host:port);
//! `eval "$(.ci/services)"` starts both and exports them. A missing variable fails the test that needs it:
//! nothing is skipped. Each test keeps its Redis and memcached keys under a prefix of its own
//! (`ITCH_CACHE_PREFIX`), so they run in parallel on the same servers.

use itch::cache::CacheSettings;
use itch::cache::{Backend, Cache, CacheKey, CachedResponse, decode_entry, encode_entry, expiry};
use itch::mock::{Fault, MockConfig, MockServer};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::paging::broadcaster;
use crate::util::{archive, client, count, login_as, mock_with, mock_with_followers, rows, run, text};

const FOLLOWS: &str = "SELECT broadcaster_id, user_id, followed_at, unfollowed_seen_at FROM follows ORDER BY 1, 2";
const USERS: &str = "SELECT id, login, created_at FROM users ORDER BY id";
const VIDEOS: &str =
    "SELECT id, title, view_count, duration_seconds, deleted_seen_at IS NOT NULL FROM videos ORDER BY id";

/// Redis database the tests use (not the default 1, so a developer's own itch cache is never in the way).
const TEST_REDIS_DB: &str = "3";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sqlite,
    File,
    Redis,
    Memcache,
    None,
}

impl Kind {
    fn backend(self) -> Backend {
        match self {
            Kind::Sqlite => Backend::Sqlite,
            Kind::File => Backend::File,
            Kind::Redis => Backend::Redis,
            Kind::Memcache => Backend::Memcache,
            Kind::None => Backend::None,
        }
    }

    fn stores(self) -> bool {
        self != Kind::None
    }

    /// A cache outside the archive also keeps a follower walk's hydration (it can serve other archives); the
    /// one inside it does not, as the archive holds those accounts already.
    fn keeps_walk_hydration(self) -> bool {
        self.stores() && self != Kind::Sqlite
    }
}

/// A server address from the environment, or a failure that says how to get one.
fn server(variable: &str) -> String {
    match std::env::var(variable) {
        Ok(address) if !address.trim().is_empty() => address.trim().to_owned(),
        _ => panic!(
            "{variable} is not set: run `eval \"$(.ci/services)\"` first (it starts redis-server and memcached \
             on free loopback ports and exports ITCH_TEST_REDIS and ITCH_TEST_MEMCACHE)"
        ),
    }
}

fn unique_prefix() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "itchtest:{}:{}:",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// One backend, configured the way a user would: environment variables, for the binary and the library alike.
struct Setup {
    kind: Kind,
    dir: tempfile::TempDir,
    vars: Vec<(&'static str, String)>,
}

impl Setup {
    fn new(kind: Kind) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let mut vars = vec![("ITCH_CACHE", kind.backend().name().to_owned())];
        match kind {
            Kind::File => vars.push(("TWITCH_CACHE_TEMP", dir.path().join("file-cache").display().to_string())),
            Kind::Redis => {
                let address = server("ITCH_TEST_REDIS");
                let (host, port) = address.rsplit_once(':').expect("ITCH_TEST_REDIS is host:port");
                vars.push(("REDIS_HOST", host.to_owned()));
                vars.push(("REDIS_PORT", port.to_owned()));
                vars.push(("REDIS_DB", TEST_REDIS_DB.to_owned()));
                vars.push(("ITCH_CACHE_PREFIX", unique_prefix()));
            }
            Kind::Memcache => {
                vars.push(("MEMCACHE_SERVERS", server("ITCH_TEST_MEMCACHE")));
                vars.push(("ITCH_CACHE_PREFIX", unique_prefix()));
            }
            Kind::Sqlite | Kind::None => {}
        }
        Setup { kind, dir, vars }
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("itch.db")
    }

    /// The cache as `itch` opens it, from the same variables.
    fn open(&self) -> Option<Arc<dyn Cache>> {
        CacheSettings::from_vars(self.kind.backend(), |name| self.var(name))
            .unwrap()
            .open(&self.db())
            .unwrap()
    }

    /// `itch` pointed at the fake, with this backend's variables (and no REDIS_* or MEMCACHE_* from outside).
    fn itch(&self, mock: &MockServer) -> Command {
        let mut cmd = crate::util::itch(mock, self.dir.path());
        for name in [
            "REDIS_HOST",
            "REDIS_PORT",
            "REDIS_PASSWORD",
            "REDIS_DB",
            "MEMCACHE_SERVERS",
        ] {
            cmd.env_remove(name);
        }
        cmd.envs(self.vars.iter().map(|(k, v)| (k, v)));
        cmd
    }

    async fn sync(&self, mock: &MockServer, args: &[&str]) -> Output {
        let mut cmd = self.itch(mock);
        cmd.arg("sync").args(args);
        run(cmd).await
    }

    /// `itch chat` of the channel's newest VOD: it looks the video and its owner up by id, which every backend
    /// that stores anything keeps.
    async fn chat(&self, mock: &MockServer) -> Output {
        let mut cmd = self.itch(mock);
        cmd.arg("chat").arg(crate::util::newest_archive(mock).id);
        run(cmd).await
    }

    async fn cache_command(&self, mock: &MockServer, action: &str) -> String {
        let mut cmd = self.itch(mock);
        cmd.args(["cache", action]);
        let output = run(cmd).await;
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "itch cache {action}: {stderr}");
        stdout
    }

    /// Overwrites what the backend holds under `key` with `bytes`, behind itch's back.
    fn overwrite(&self, cache: &Arc<dyn Cache>, key: &CacheKey, bytes: &[u8]) {
        match self.kind {
            Kind::Sqlite => {
                let db = rusqlite::Connection::open(self.db()).unwrap();
                let changed = db
                    .execute(
                        "UPDATE http_cache SET body = ?1 WHERE key = ?2",
                        rusqlite::params![bytes, key.0],
                    )
                    .unwrap();
                assert_eq!(changed, 1);
            }
            Kind::File => {
                // New content, the old (future) mtime: damage to the data, not to its expiry.
                let path = self.file_cache().path_of(key);
                std::fs::write(&path, bytes).unwrap();
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_modified(std::time::SystemTime::now() + Duration::from_secs(60))
                    .unwrap();
            }
            Kind::Redis => {
                let storage = format!("{}{}", self.var("ITCH_CACHE_PREFIX").unwrap(), key.0);
                let () = ::redis::cmd("SET")
                    .arg(storage)
                    .arg(bytes)
                    .arg("EX")
                    .arg(60)
                    .query(&mut self.redis())
                    .unwrap();
            }
            Kind::Memcache => {
                let storage = memcache_storage_key(cache, key);
                self.memcached().set(&storage, bytes, 60).unwrap();
            }
            Kind::None => {}
        }
    }

    /// The bytes the backend holds under `key`, read behind itch's back (no hit or miss counted).
    fn raw(&self, cache: &Arc<dyn Cache>, key: &CacheKey) -> Vec<u8> {
        match self.kind {
            Kind::Sqlite => rusqlite::Connection::open(self.db())
                .unwrap()
                .query_row("SELECT body FROM http_cache WHERE key = ?1", [&key.0], |r| r.get(0))
                .unwrap(),
            Kind::File => std::fs::read(self.file_cache().path_of(key)).unwrap(),
            Kind::Redis => {
                let storage = format!("{}{}", self.var("ITCH_CACHE_PREFIX").unwrap(), key.0);
                ::redis::cmd("GET").arg(storage).query(&mut self.redis()).unwrap()
            }
            Kind::Memcache => self
                .memcached()
                .get(&memcache_storage_key(cache, key))
                .unwrap()
                .unwrap(),
            Kind::None => unreachable!("no cache holds nothing"),
        }
    }

    fn file_cache(&self) -> itch::cache::file::FileCache {
        itch::cache::file::FileCache::open(
            &itch::cache::file::FileSettings {
                dir: PathBuf::from(self.var("TWITCH_CACHE_TEMP").unwrap()),
            },
            &self.db(),
        )
        .unwrap()
    }

    fn redis(&self) -> ::redis::Connection {
        let address = server("ITCH_TEST_REDIS");
        ::redis::Client::open(format!("redis://{address}/{TEST_REDIS_DB}"))
            .unwrap()
            .get_connection_with_timeout(Duration::from_secs(2))
            .unwrap()
    }

    fn memcached(&self) -> ::memcache::Client {
        ::memcache::Client::connect(format!(
            "memcache://{}?protocol=ascii&timeout=2",
            server("ITCH_TEST_MEMCACHE")
        ))
        .unwrap()
    }

    /// Everything the backend holds for this setup, raw (storage key and stored bytes) and, for entries,
    /// decoded (URL and body). memcached entries are read through `cache` (large ones are in parts).
    fn held(&self, cache: Option<&Arc<dyn Cache>>) -> Vec<Held> {
        match self.kind {
            Kind::None => Vec::new(),
            Kind::Sqlite => {
                let db = archive(self.dir.path());
                let mut stmt = db.prepare("SELECT key, url, body FROM http_cache").unwrap();
                stmt.query_map([], |r| {
                    let (key, url, body): (String, String, Vec<u8>) = (r.get(0)?, r.get(1)?, r.get(2)?);
                    let cache_key = CacheKey(key.clone());
                    Ok(Held {
                        decoded: decode_entry(&cache_key, &body)
                            .ok()
                            .map(|e| (e.response.url, e.response.body)),
                        cache_key: Some(cache_key),
                        raw: [url.into_bytes(), body].concat(),
                        key,
                    })
                })
                .unwrap()
                .map(Result::unwrap)
                .collect()
            }
            Kind::File => {
                let mut held = Vec::new();
                let root = PathBuf::from(self.var("TWITCH_CACHE_TEMP").unwrap());
                for path in files_under(&root) {
                    let raw = std::fs::read(&path).unwrap();
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let key = CacheKey(name);
                    held.push(Held {
                        decoded: decode_entry(&key, &raw).ok().map(|e| (e.response.url, e.response.body)),
                        cache_key: Some(key),
                        key: path.display().to_string(),
                        raw,
                    });
                }
                held
            }
            Kind::Redis => {
                let prefix = self.var("ITCH_CACHE_PREFIX").unwrap();
                let mut conn = self.redis();
                let keys: Vec<String> = ::redis::cmd("KEYS").arg(format!("{prefix}*")).query(&mut conn).unwrap();
                keys.into_iter()
                    .map(|storage| {
                        let raw: Vec<u8> = ::redis::cmd("GET").arg(&storage).query(&mut conn).unwrap();
                        let key = CacheKey(storage[prefix.len()..].to_owned());
                        Held {
                            decoded: decode_entry(&key, &raw).ok().map(|e| (e.response.url, e.response.body)),
                            cache_key: Some(key),
                            key: storage,
                            raw,
                        }
                    })
                    .collect()
            }
            Kind::Memcache => {
                let prefix = self.var("ITCH_CACHE_PREFIX").unwrap();
                let client = self.memcached();
                memcached_keys(&server("ITCH_TEST_MEMCACHE"))
                    .into_iter()
                    .filter(|k| k.starts_with(&prefix))
                    .filter_map(|storage| {
                        let raw: Vec<u8> = client.get(&storage).unwrap()?;
                        // `<prefix><generation>:<key>` is an entry; `#...` a part; `<prefix>gen` the generation.
                        let rest = &storage[prefix.len()..];
                        let key = rest
                            .split_once(':')
                            .filter(|(_, key)| !key.contains('#'))
                            .map(|(_, key)| CacheKey(key.to_owned()));
                        let decoded = key
                            .as_ref()
                            .zip(cache)
                            .and_then(|(key, cache)| cache.get(key).unwrap())
                            .map(|r| (r.url, r.body));
                        Some(Held {
                            key: storage,
                            raw,
                            cache_key: key,
                            decoded,
                        })
                    })
                    .collect()
            }
        }
    }
}

/// One value a backend holds.
#[derive(Debug)]
struct Held {
    /// Where: the storage key, or the file's path.
    key: String,
    raw: Vec<u8>,
    /// The cache key, for entries.
    cache_key: Option<CacheKey>,
    /// URL and body, for entries that decode.
    decoded: Option<(String, Vec<u8>)>,
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Every key memcached holds (`lru_crawler metadump all`), URL-decoded.
fn memcached_keys(address: &str) -> Vec<String> {
    let stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    (&stream).write_all(b"lru_crawler metadump all\r\n").unwrap();
    let mut keys = Vec::new();
    for line in BufReader::new(&stream).lines() {
        let line = line.unwrap();
        if line == "END" {
            break;
        }
        assert!(
            !line.starts_with("ERROR") && !line.starts_with("BUSY"),
            "metadump: {line}"
        );
        if let Some(key) = line.strip_prefix("key=").and_then(|l| l.split(' ').next()) {
            keys.push(percent_decode(key));
        }
    }
    keys
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// The memcached key of `key` in the cache's current generation.
fn memcache_storage_key(cache: &Arc<dyn Cache>, key: &CacheKey) -> String {
    // The trait object hides the type; its location line names the prefix and generation.
    let location = cache.stats().unwrap().location.unwrap();
    let pattern = location.rsplit(' ').next().unwrap();
    format!("{}{}", pattern.trim_end_matches('*'), key.0)
}

fn response(url: &str, body: Vec<u8>) -> CachedResponse {
    CachedResponse {
        kind: "user",
        url: url.to_owned(),
        status: 200,
        fetched_at: chrono::Utc::now(),
        body,
    }
}

fn key(n: u32) -> CacheKey {
    CacheKey::of(
        "GET",
        &url::Url::parse(&format!("http://fake/helix/users?id={n}")).unwrap(),
        None,
    )
}

/// What `get` answers: the body, or `None` (also for no cache at all).
fn get(cache: &Option<Arc<dyn Cache>>, key: &CacheKey) -> Option<Vec<u8>> {
    cache.as_ref().and_then(|c| c.get(key).unwrap()).map(|r| r.body)
}

fn put(cache: &Option<Arc<dyn Cache>>, key: &CacheKey, body: &[u8], ttl: Duration) {
    if let Some(cache) = cache {
        cache
            .put(key, &response("http://fake/helix/users?id=1", body.to_vec()), ttl)
            .unwrap();
    }
}

/// Bytes deflate cannot shrink (xorshift), so the stored value really is as large as the body.
fn incompressible(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// The conformance suite: each check, run by every backend below.
mod suite {
    use super::*;

    pub fn put_get_round_trip(kind: Kind) {
        let setup = Setup::new(kind);
        let cache = setup.open();
        assert_eq!(cache.is_some(), kind.stores(), "--cache none opens no cache");
        let (a, b) = (key(1), key(2));
        assert_eq!(get(&cache, &a), None, "nothing stored yet");
        put(&cache, &a, br#"{"data":[{"id":"1"}]}"#, Duration::from_secs(60));
        put(&cache, &b, br#"{"data":[{"id":"2"}]}"#, Duration::from_secs(60));
        let expected = |body: &[u8]| kind.stores().then(|| body.to_vec());
        assert_eq!(get(&cache, &a), expected(br#"{"data":[{"id":"1"}]}"#));
        assert_eq!(get(&cache, &b), expected(br#"{"data":[{"id":"2"}]}"#));
        put(&cache, &a, br#"{"data":[]}"#, Duration::from_secs(60));
        assert_eq!(get(&cache, &a), expected(br#"{"data":[]}"#), "a put replaces");
        let Some(cache) = cache else { return };
        let hit = cache.get(&a).unwrap().unwrap();
        assert_eq!(
            (hit.kind, hit.status, hit.url.as_str()),
            ("user", 200, "http://fake/helix/users?id=1")
        );
        assert!((chrono::Utc::now() - hit.fetched_at).num_seconds() < 60);
        let stats = cache.stats().unwrap();
        assert_eq!(stats.backend, kind.backend().name());
        assert_eq!((stats.hits, stats.misses, stats.writes, stats.corrupt), (4, 1, 3, 0));
        assert!(stats.bytes_written > 0);
        if kind != Kind::Memcache {
            assert_eq!(stats.entries, Some(2));
        }
    }

    pub fn entries_expire(kind: Kind) {
        let setup = Setup::new(kind);
        let cache = setup.open();
        let (short, long, zero) = (key(1), key(2), key(3));
        put(&cache, &short, b"short", Duration::from_secs(1));
        put(&cache, &long, b"long", Duration::from_secs(600));
        put(&cache, &zero, b"zero", Duration::ZERO);
        assert_eq!(get(&cache, &short), kind.stores().then(|| b"short".to_vec()));
        assert_eq!(get(&cache, &zero), None, "a zero freshness is never served");
        std::thread::sleep(Duration::from_millis(2200));
        assert_eq!(get(&cache, &short), None, "expired after its freshness");
        assert_eq!(get(&cache, &long), kind.stores().then(|| b"long".to_vec()));
        if let Some(cache) = &cache {
            let pruned = cache.prune().unwrap();
            match kind {
                // sqlite also keeps the zero-freshness entry until a prune; the others never store it.
                Kind::Sqlite => assert_eq!(pruned, 2, "prune removes the expired entries"),
                Kind::File => assert_eq!(pruned, 1, "prune removes the expired entry"),
                _ => assert_eq!(pruned, 0, "the server expires entries itself"),
            }
            let stats = cache.stats().unwrap();
            assert!(matches!(stats.expired, Some(0) | None), "{stats:?}");
            assert_eq!(
                get(&Some(cache.clone()), &long),
                Some(b"long".to_vec()),
                "prune keeps fresh entries"
            );
        }
    }

    pub fn corrupt_entries_are_counted_misses_then_overwritten(kind: Kind) {
        let setup = Setup::new(kind);
        let Some(cache) = setup.open() else {
            assert!(!kind.stores());
            return;
        };
        let k = key(7);
        let good = br#"{"data":[{"id":"7"}]}"#;
        let bad_values: Vec<Vec<u8>> = match kind {
            // itch 0.4.0's sqlite rows: a bare deflate stream with no checksum.
            Kind::Sqlite => vec![itch::cache::compress(good), b"\x00\xff\x00 not deflate".to_vec()],
            _ => {
                let envelope = encode_entry(
                    &k,
                    &response("http://fake/helix/users?id=7", good.to_vec()),
                    expiry(chrono::Utc::now(), Duration::from_secs(60)),
                );
                let mut flipped = envelope.clone();
                *flipped.last_mut().unwrap() ^= 0x55;
                let other_key = encode_entry(
                    &key(8),
                    &response("http://fake/helix/users?id=8", good.to_vec()),
                    expiry(chrono::Utc::now(), Duration::from_secs(60)),
                );
                let mut future = envelope.clone();
                future[5] = 99;
                vec![
                    // The 2016 tool's value: zlib-compressed JSON.
                    b"x\x9c\xabVJI,IT\xb2\x8a\x8e\xad\x05\x00\x1a\xa1\x04\x1b".to_vec(),
                    b"garbage".to_vec(),
                    envelope[..envelope.len() / 2].to_vec(),
                    flipped,
                    other_key,
                    future,
                ]
            }
        };
        cache
            .put(
                &k,
                &response("http://fake/helix/users?id=7", good.to_vec()),
                Duration::from_secs(60),
            )
            .unwrap();
        for bad in &bad_values {
            setup.overwrite(&cache, &k, bad);
            assert_eq!(cache.get(&k).unwrap(), None, "a corrupt entry is a miss: {bad:?}");
        }
        let stats = cache.stats().unwrap();
        let n = bad_values.len() as u64;
        assert_eq!((stats.corrupt, stats.misses, stats.hits), (n, n, 0));
        cache
            .put(
                &k,
                &response("http://fake/helix/users?id=7", good.to_vec()),
                Duration::from_secs(60),
            )
            .unwrap();
        assert_eq!(
            cache.get(&k).unwrap().unwrap().body,
            good,
            "the fresh answer overwrote it"
        );
    }

    /// One byte flipped anywhere in a stored value, in the backend's own storage (a field, the checksums, the
    /// deflated body): always a miss counted as corrupt, never a hit with a changed answer.
    pub fn a_flipped_byte_anywhere_is_a_miss(kind: Kind) {
        let setup = Setup::new(kind);
        let Some(cache) = setup.open() else {
            assert!(!kind.stores());
            return;
        };
        let k = key(11);
        let body = br#"{"data":[{"id":"11","login":"eleven","created_at":"2016-01-01T00:00:00Z"}],"pagination":{}}"#;
        let url = "http://fake/helix/users?id=11";
        cache
            .put(&k, &response(url, body.to_vec()), Duration::from_secs(600))
            .unwrap();
        let stored = setup.raw(&cache, &k);
        for at in 0..stored.len() {
            let mut flipped = stored.clone();
            flipped[at] ^= 0xff;
            setup.overwrite(&cache, &k, &flipped);
            let served = cache.get(&k).unwrap();
            assert_eq!(served, None, "byte {at} of {} flipped, and it was served", stored.len());
        }
        let stats = cache.stats().unwrap();
        let n = stored.len() as u64;
        assert_eq!((stats.hits, stats.corrupt, stats.misses), (0, n, n));
        setup.overwrite(&cache, &k, &stored);
        let hit = cache.get(&k).unwrap().expect("the undamaged value is served");
        assert_eq!((hit.body.as_slice(), hit.url.as_str()), (&body[..], url));
    }

    pub fn large_bodies_round_trip_whole(kind: Kind) {
        let setup = Setup::new(kind);
        let cache = setup.open();
        let body = incompressible(2_600_000);
        let k = key(9);
        put(&cache, &k, &body, Duration::from_secs(60));
        let read = get(&cache, &k);
        assert_eq!(read.as_ref().map(Vec::len), kind.stores().then_some(body.len()));
        assert!(read.is_none_or(|read| read == body), "the body came back changed");
        if kind == Kind::Memcache {
            let cache = cache.unwrap();
            let stats = cache.stats().unwrap();
            assert!(stats.bytes_written > 2_600_000);
            // Over memcached's 1 MB item limit: a manifest under the key, the envelope in three parts.
            let held = setup.held(Some(&cache));
            let manifest = held.iter().find(|h| h.cache_key.as_ref() == Some(&k)).unwrap();
            assert!(
                manifest.raw.starts_with(b"ITCHP"),
                "{:?}",
                &manifest.raw[..8.min(manifest.raw.len())]
            );
            assert_eq!(held.iter().filter(|h| h.key.contains('#')).count(), 3);
            // A part evicted: a plain miss, not a corrupt entry.
            let part = held.iter().find(|h| h.key.ends_with(".1")).unwrap();
            setup.memcached().delete(&part.key).unwrap();
            assert_eq!(cache.get(&k).unwrap(), None);
            assert_eq!(cache.stats().unwrap().corrupt, 0);
        }
    }

    /// A 5xx (retried until the client gives up) leaves nothing in the cache; the good answer after it is
    /// stored and then served without a request.
    pub async fn errors_are_never_stored(kind: Kind) {
        let mock = mock_with_followers(10).await;
        let setup = Setup::new(kind);
        let cache = setup.open();
        let mut client = client(&mock, None);
        client.set_cache(cache.clone());
        let (login, id) = broadcaster(&mock);
        // Get the app token first (the faults below are for Helix).
        client
            .helix_page::<serde_json::Value>("users", &[("login", login)])
            .await
            .unwrap();
        let endpoints = crate::util::endpoints(&mock);
        let mut url = endpoints.helix.join("users").unwrap();
        url.query_pairs_mut().append_pair("id", &id.0);
        let k = CacheKey::of("GET", &url, None);

        // One more 503 than the client's tries (1 + 6 retries).
        mock.fail_next(7, Fault::ServerError(503));
        let failed = client
            .helix_page::<serde_json::Value>("users", &[("id", id.0.clone())])
            .await;
        assert!(failed.is_err(), "the 503s outlast the retries");
        assert_eq!(get(&cache, &k), None, "an error is never stored");
        assert!(
            setup
                .held(cache.as_ref())
                .iter()
                .all(|h| !String::from_utf8_lossy(&h.raw).contains("503"))
        );
        let page = client
            .helix_page::<serde_json::Value>("users", &[("id", id.0.clone())])
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        let stored = cache.as_ref().and_then(|c| c.get(&k).unwrap());
        assert_eq!(stored.as_ref().map(|r| r.status), kind.stores().then_some(200));
        let before = mock.stats().helix_requests;
        client
            .helix_page::<serde_json::Value>("users", &[("id", id.0.clone())])
            .await
            .unwrap();
        let sent = mock.stats().helix_requests - before;
        assert_eq!(
            sent,
            u64::from(!kind.stores()),
            "a stored answer is served without a request"
        );
    }

    /// A real sync through the binary fills the backend; a repeated hydration is served from it (list pages never
    /// are); nothing it holds (keys, values, decoded URLs and bodies) contains the token or the client secret.
    pub async fn a_sync_fills_the_cache_without_any_token(kind: Kind) {
        let mock = mock_with_followers(3_000).await;
        let setup = Setup::new(kind);
        let (login, _) = broadcaster(&mock);
        let token = login_as(&mock, setup.dir.path(), &login)
            .load()
            .unwrap()
            .unwrap()
            .access_token;
        let output = setup.sync(&mock, &["--only", "followers", &login]).await;
        assert!(output.status.success(), "{}", text(&output).1);
        crate::cache::forget_hydration(setup.dir.path());
        mock.reset_stats();
        let output = setup.sync(&mock, &["--full", "--only", "followers", &login]).await;
        let (_, stderr) = text(&output);
        assert!(output.status.success(), "{stderr}");
        assert!(!stderr.contains("cache failed"), "{stderr}");
        // 30 pages of followers, always fetched (they decide unfollows); the 30 Get Users answers come from a
        // cache that keeps the walk's hydration.
        let stats = mock.stats();
        assert_eq!(stats.by_path.get("/helix/channels/followers"), Some(&30));
        // Besides the channel's login lookup (never cached).
        let lookups = stats.by_path.get("/helix/users").copied();
        assert_eq!(lookups, Some(if kind.keeps_walk_hydration() { 1 } else { 31 }));
        // Something every storing backend keeps, so the secrets are looked for in all of them.
        let output = setup.chat(&mock).await;
        assert!(output.status.success(), "{}", text(&output).1);

        let cache = setup.open();
        let held = setup.held(cache.as_ref());
        let entries: Vec<&Held> = held.iter().filter(|h| h.decoded.is_some()).collect();
        if kind.stores() {
            let expected = if kind.keeps_walk_hydration() { 32 } else { 2 };
            assert!(entries.len() >= expected, "{} entries", entries.len());
        } else {
            assert!(held.is_empty());
            assert_eq!(count(&archive(setup.dir.path()), "SELECT count(*) FROM http_cache"), 0);
        }
        let secrets = [token.expose(), mock.client_secret()];
        for h in &held {
            for secret in secrets {
                assert!(!h.key.contains(secret), "a secret in key {}", h.key);
                assert!(
                    !h.raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "a secret in the value of {}",
                    h.key
                );
                if let Some((url, body)) = &h.decoded {
                    assert!(!url.contains(secret) && !String::from_utf8_lossy(body).contains(secret));
                }
            }
        }
    }

    /// `itch cache stats|prune|clear` on each backend, after two `itch chat` of one VOD.
    pub async fn itch_cache_stats_prune_and_clear(kind: Kind) {
        let mock = mock_with_followers(1_000).await;
        let setup = Setup::new(kind);
        let (login, _) = broadcaster(&mock);
        login_as(&mock, setup.dir.path(), &login);
        for _ in 0..2 {
            let output = setup.chat(&mock).await;
            assert!(output.status.success(), "{}", text(&output).1);
        }
        let stats = setup.cache_command(&mock, "stats").await;
        if !kind.stores() {
            assert_eq!(stats.trim(), "no cache (--cache none)");
            assert!(setup.cache_command(&mock, "clear").await.contains("no cache"));
            return;
        }
        let field = |name: &str| {
            stats
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}\t")))
                .unwrap_or_else(|| panic!("no {name} in {stats}"))
                .to_owned()
        };
        assert_eq!(field("backend"), kind.backend().name());
        // The video and its owner, stored by the first `itch chat`, served to the second.
        assert_eq!(field("hits"), "2", "{stats}");
        assert!(field("writes").parse::<u64>().unwrap() >= 2, "{stats}");
        assert!(field("bytes_written").parse::<u64>().unwrap() > 0, "{stats}");
        assert_eq!(field("corrupt"), "0");
        match kind {
            Kind::Memcache => assert_eq!(field("entries"), "unknown"),
            _ => assert!(field("entries").parse::<u64>().unwrap() >= 2, "{stats}"),
        }
        match kind {
            Kind::File => assert_eq!(field("location"), setup.var("TWITCH_CACHE_TEMP").unwrap()),
            Kind::Redis => assert!(field("location").contains(&format!("db {TEST_REDIS_DB}")), "{stats}"),
            _ => {}
        }
        assert!(setup.cache_command(&mock, "prune").await.starts_with("pruned "));

        let cache = setup.open().unwrap();
        let before: Vec<CacheKey> = setup
            .held(Some(&cache))
            .into_iter()
            .filter(|h| h.decoded.is_some())
            .filter_map(|h| h.cache_key)
            .collect();
        assert!(before.len() >= 2);
        let cleared = setup.cache_command(&mock, "clear").await;
        assert!(cleared.starts_with("cleared"), "{cleared}");
        // A fresh open (memcache reads the new generation): nothing is served any more.
        let cache = setup.open().unwrap();
        for key in &before {
            assert_eq!(cache.get(key).unwrap(), None, "{key:?} survived clear");
        }
        if kind != Kind::Memcache {
            assert_eq!(cleared.trim(), format!("cleared {} entries", before.len()));
            assert!(setup.held(Some(&cache)).is_empty());
        }
    }
}

macro_rules! conformance {
    ($($backend:ident => $kind:expr),* $(,)?) => {$(
        mod $backend {
            use super::{Kind, suite};

            #[test]
            fn put_get_round_trip() {
                suite::put_get_round_trip($kind);
            }

            #[test]
            fn entries_expire() {
                suite::entries_expire($kind);
            }

            #[test]
            fn corrupt_entries_are_counted_misses_then_overwritten() {
                suite::corrupt_entries_are_counted_misses_then_overwritten($kind);
            }

            #[test]
            fn a_flipped_byte_anywhere_is_a_miss() {
                suite::a_flipped_byte_anywhere_is_a_miss($kind);
            }

            #[test]
            fn large_bodies_round_trip_whole() {
                suite::large_bodies_round_trip_whole($kind);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn errors_are_never_stored() {
                suite::errors_are_never_stored($kind).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_sync_fills_the_cache_without_any_token() {
                suite::a_sync_fills_the_cache_without_any_token($kind).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn itch_cache_stats_prune_and_clear() {
                suite::itch_cache_stats_prune_and_clear($kind).await;
            }
        }
    )*};
}

conformance!(
    sqlite => Kind::Sqlite,
    file => Kind::File,
    redis => Kind::Redis,
    memcache => Kind::Memcache,
    none => Kind::None,
);

/// A loopback port nothing listens on (at the time of asking).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A redis-server of the test's own, killed when dropped.
struct PrivateRedis {
    child: Child,
    port: u16,
}

impl PrivateRedis {
    fn start(extra: &[&str]) -> PrivateRedis {
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("redis-server: {e} (run `eval \"$(.ci/services)\"`, which installs it)"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        PrivateRedis { child, port }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn warnings(stderr: &str) -> usize {
    stderr.matches("the response cache failed").count()
}

fn same_archive(a: &Path, b: &Path) {
    let (a, b) = (archive(a), archive(b));
    assert_eq!(
        count(&a, "SELECT count(*) FROM follows"),
        count(&b, "SELECT count(*) FROM follows")
    );
    assert_eq!(rows(&a, FOLLOWS), rows(&b, FOLLOWS), "same follows as an uncached sync");
    assert_eq!(rows(&a, USERS), rows(&b, USERS), "same accounts as an uncached sync");
    assert_eq!(rows(&a, VIDEOS), rows(&b, VIDEOS), "same videos as an uncached sync");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_sync_warns_once_and_the_archive_equals_an_uncached_one() {
    let mock = mock_with(MockConfig {
        followers: 20_000,
        latency: Duration::from_millis(3),
        ..MockConfig::default()
    })
    .await;
    let mut redis = PrivateRedis::start(&[]);
    let (login, _) = broadcaster(&mock);
    let cached = Setup {
        kind: Kind::Redis,
        dir: tempfile::tempdir().unwrap(),
        vars: vec![
            ("ITCH_CACHE", "redis".into()),
            ("REDIS_HOST", "127.0.0.1".into()),
            ("REDIS_PORT", redis.port.to_string()),
        ],
    };
    let uncached = Setup::new(Kind::None);
    login_as(&mock, cached.dir.path(), &login);
    login_as(&mock, uncached.dir.path(), &login);

    let mut cmd = cached.itch(&mock);
    cmd.args(["sync", "--only", "followers,videos", &login])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    // Kill Redis once the sync has stored a few dozen pages in it (REDIS_DB defaults to 1).
    let client = ::redis::Client::open(format!("redis://127.0.0.1:{}/1", redis.port)).unwrap();
    let mut conn = client.get_connection_with_timeout(Duration::from_secs(2)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let keys: u64 = ::redis::cmd("DBSIZE").query(&mut conn).unwrap();
        if keys >= 30 {
            break;
        }
        assert!(Instant::now() < deadline, "the sync never stored anything");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    redis.kill();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("followers +20000"), "{stdout}");
    assert_eq!(warnings(&stderr), 1, "one warning: {stderr}");
    assert!(
        stderr.contains("redis") && stderr.contains(&format!("127.0.0.1:{}", redis.port)),
        "the warning names the backend and address: {stderr}"
    );

    let output = uncached.sync(&mock, &["--only", "followers,videos", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    same_archive(cached.dir.path(), uncached.dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memcached_not_running_is_one_warning_no_wait_and_the_same_archive() {
    let mock = mock_with_followers(5_000).await;
    let (login, _) = broadcaster(&mock);
    let port = free_port();
    let cached = Setup {
        kind: Kind::Memcache,
        dir: tempfile::tempdir().unwrap(),
        vars: vec![
            ("ITCH_CACHE", "memcache".into()),
            ("MEMCACHE_SERVERS", format!("127.0.0.1:{port}")),
        ],
    };
    let uncached = Setup::new(Kind::None);
    login_as(&mock, cached.dir.path(), &login);
    login_as(&mock, uncached.dir.path(), &login);

    let started = Instant::now();
    let output = uncached.sync(&mock, &["--only", "followers,videos", &login]).await;
    let uncached_time = started.elapsed();
    assert!(output.status.success(), "{}", text(&output).1);

    let started = Instant::now();
    let output = cached.sync(&mock, &["--only", "followers,videos", &login]).await;
    let cached_time = started.elapsed();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(warnings(&stderr), 1, "{stderr}");
    assert!(
        stderr.contains("memcache") && stderr.contains(&format!("127.0.0.1:{port}")),
        "the warning names the backend and address: {stderr}"
    );
    assert!(
        cached_time < uncached_time + Duration::from_secs(3),
        "a missing memcached cost {cached_time:?} against {uncached_time:?} uncached"
    );
    same_archive(cached.dir.path(), uncached.dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_redis_password_is_one_warning_that_never_shows_it() {
    let redis = PrivateRedis::start(&["--requirepass", "the-right-one"]);
    let mock = mock_with_followers(2_000).await;
    let (login, _) = broadcaster(&mock);
    let setup = Setup {
        kind: Kind::Redis,
        dir: tempfile::tempdir().unwrap(),
        vars: vec![
            ("ITCH_CACHE", "redis".into()),
            ("REDIS_HOST", "127.0.0.1".into()),
            ("REDIS_PORT", redis.port.to_string()),
            ("REDIS_PASSWORD", "not-the-password".into()),
        ],
    };
    login_as(&mock, setup.dir.path(), &login);
    let output = setup.sync(&mock, &["--only", "followers", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("followers +2000"), "{stdout}");
    assert_eq!(warnings(&stderr), 1, "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{}", redis.port)), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "{stderr}");

    // With the right password the same settings work.
    let right = Setup {
        kind: Kind::Redis,
        vars: vec![
            ("ITCH_CACHE", "redis".into()),
            ("REDIS_HOST", "127.0.0.1".into()),
            ("REDIS_PORT", redis.port.to_string()),
            ("REDIS_PASSWORD", "the-right-one".into()),
        ],
        ..Setup::new(Kind::Sqlite)
    };
    let cache = right.open().unwrap();
    cache
        .put(
            &key(1),
            &response("http://fake/x", b"ok".to_vec()),
            Duration::from_secs(60),
        )
        .unwrap();
    assert_eq!(cache.get(&key(1)).unwrap().unwrap().body, b"ok");
}

/// A memcached of the test's own (`-u memcache` when running as root, as memcached demands), killed when
/// dropped.
struct PrivateMemcached {
    child: Child,
    port: u16,
}

impl PrivateMemcached {
    fn start() -> PrivateMemcached {
        let port = free_port();
        let mut cmd = Command::new("memcached");
        cmd.args(["-l", "127.0.0.1", "-p", &port.to_string(), "-m", "16"]);
        if std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0) {
            cmd.args(["-u", "memcache"]);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("memcached: {e} (run `eval \"$(.ci/services)\"`, which installs it)"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "memcached did not start on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        PrivateMemcached { child, port }
    }
}

impl Drop for PrivateMemcached {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `MEMCACHE_SERVERS` with two servers: entries land on both, each is read back from where it went.
#[test]
fn memcache_spreads_entries_over_its_servers_by_key() {
    let second = PrivateMemcached::start();
    let first = server("ITCH_TEST_MEMCACHE");
    let mut setup = Setup::new(Kind::Memcache);
    for (name, value) in &mut setup.vars {
        if *name == "MEMCACHE_SERVERS" {
            *value = format!("{first},127.0.0.1:{}", second.port);
        }
    }
    let cache = setup.open().unwrap();
    let keys: Vec<CacheKey> = (0..40).map(key).collect();
    for (i, k) in keys.iter().enumerate() {
        cache
            .put(
                k,
                &response("http://fake/x", format!("body {i}").into_bytes()),
                Duration::from_secs(60),
            )
            .unwrap();
    }
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(cache.get(k).unwrap().unwrap().body, format!("body {i}").into_bytes());
    }
    let prefix = setup.var("ITCH_CACHE_PREFIX").unwrap();
    let on = |address: &str| {
        memcached_keys(address)
            .into_iter()
            .filter(|k| k.starts_with(&prefix) && !k.ends_with("gen"))
            .count()
    };
    let (a, b) = (on(&first), on(&format!("127.0.0.1:{}", second.port)));
    assert_eq!(a + b, 40, "every entry on exactly one server");
    assert!(a >= 5 && b >= 5, "entries spread over both servers: {a} and {b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_cache_directory_that_cannot_be_made_is_one_warning_and_the_same_archive() {
    let mock = mock_with_followers(2_000).await;
    let (login, _) = broadcaster(&mock);
    let uncached = Setup::new(Kind::None);
    let blocked = Setup::new(Kind::File);
    // A regular file where the directory should be.
    let file = blocked.dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let setup = Setup {
        kind: Kind::File,
        vars: vec![
            ("ITCH_CACHE", "file".into()),
            ("TWITCH_CACHE_TEMP", file.join("cache").display().to_string()),
        ],
        ..blocked
    };
    login_as(&mock, setup.dir.path(), &login);
    login_as(&mock, uncached.dir.path(), &login);
    let output = setup.sync(&mock, &["--only", "followers,videos", &login]).await;
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(warnings(&stderr), 1, "{stderr}");
    assert!(
        stderr.contains("file cache at") && stderr.contains("not-a-dir"),
        "{stderr}"
    );
    let output = uncached.sync(&mock, &["--only", "followers,videos", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    same_archive(setup.dir.path(), uncached.dir.path());
}

/// Opening a backend never connects: a listener on its address sees no connection. Once nothing listens there,
/// the first lookup fails within two seconds, naming the backend and the address and never the password.
#[test]
fn a_down_backend_fails_the_first_lookup_within_two_seconds() {
    for backend in [Backend::Redis, Backend::Memcache] {
        let listeners = [listener(), listener()];
        let port = listeners[0].local_addr().unwrap().port();
        let other = listeners[1].local_addr().unwrap().port();
        let vars = match backend {
            Backend::Redis => vec![
                ("REDIS_HOST", "127.0.0.1".to_owned()),
                ("REDIS_PORT", port.to_string()),
                ("REDIS_PASSWORD", "s3cret-pw".to_owned()),
            ],
            _ => vec![("MEMCACHE_SERVERS", format!("127.0.0.1:{port},127.0.0.1:{other}"))],
        };
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheSettings::from_vars(backend, |name| {
            vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
        })
        .unwrap()
        .open(&dir.path().join("itch.db"))
        .unwrap()
        .unwrap();
        for listening in &listeners {
            // A connect completes its handshake in the kernel before `open` returns, so a connection made while
            // opening would be waiting here.
            assert_eq!(
                listening.accept().map(|_| ()).unwrap_err().kind(),
                std::io::ErrorKind::WouldBlock,
                "{backend:?}: opening connected"
            );
        }
        drop(listeners);
        let started = Instant::now();
        let error = cache.get(&key(1)).unwrap_err();
        let message = itch::error::display_chain(&error);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{backend:?} took {:?}",
            started.elapsed()
        );
        assert!(message.contains(backend.name()), "{message}");
        assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
        assert!(!message.contains("s3cret-pw"), "{message}");
    }
}

/// A listener on a free local port that never blocks on `accept`.
fn listener() -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    listener
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_cache_settings_stop_itch_before_any_request() {
    let mock = mock_with_followers(10).await;
    let (login, _) = broadcaster(&mock);
    for (backend, var, value) in [
        ("redis", "REDIS_PORT", "63x79"),
        ("redis", "REDIS_PORT", "70000"),
        ("redis", "REDIS_DB", "one"),
        ("memcache", "MEMCACHE_SERVERS", "127.0.0.1:11211,cache:port"),
        ("memcache", "ITCH_CACHE_PREFIX", "has space"),
    ] {
        let setup = Setup {
            vars: vec![("ITCH_CACHE", backend.into()), (var, value.into())],
            ..Setup::new(Kind::Sqlite)
        };
        login_as(&mock, setup.dir.path(), &login);
        let output = setup.sync(&mock, &[&login]).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(var) && stderr.contains(value), "{stderr}");
        assert_eq!(mock.stats().requests, 0, "{var}={value}: no request before the error");
        assert!(!setup.db().exists(), "no archive created");
    }
    // The same variables are ignored by the backends that do not read them.
    let setup = Setup {
        vars: vec![("ITCH_CACHE", "sqlite".into()), ("REDIS_PORT", "abc".into())],
        ..Setup::new(Kind::Sqlite)
    };
    login_as(&mock, setup.dir.path(), &login);
    let output = setup.sync(&mock, &["--only", "followers", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
}
