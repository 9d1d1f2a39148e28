//! The file backend: one file per entry under `TWITCH_CACHE_TEMP`, as the 2016 tool kept its cache, but flat
//! (`<dir>/<first two hex digits>/<key>`, not 32 nested directories) and written atomically (a temp file in
//! the same directory, then a rename), mode 0600 in a 0700 directory.
//!
//! Each file holds one envelope ([`encode_entry`]); its modification time is set to the entry's expiry, so
//! freshness is the file system's own clock: a lookup ignores a file whose mtime has passed, `prune` deletes
//! them without reading them, `stats` counts them. `clear` deletes only files that are entries (a 64-hex-digit
//! name in a two-hex-digit directory) and temp files of ours, so a `TWITCH_CACHE_TEMP` pointed at a shared
//! directory loses nothing else.

use chrono::Utc;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::{ArchiveCounters, Cache, CacheKey, CacheStats, CachedResponse, backend_error, encode_entry, expiry, judge};
use crate::error::{Error, Result};

const BACKEND: &str = "file";

/// Temp files older than this are leftovers of a killed writer; `prune` removes them.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// Where the file backend keeps its entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSettings {
    /// The cache directory (`TWITCH_CACHE_TEMP`).
    pub dir: PathBuf,
}

/// The file backend.
#[derive(Debug)]
pub struct FileCache {
    dir: PathBuf,
    counters: ArchiveCounters,
    /// Makes temp file names unique within the process.
    temp_serial: AtomicU64,
}

impl FileCache {
    /// Prepares the cache in `settings.dir`, counting in the archive at `archive`. The directory is created
    /// (mode 0700) by the first write: one that cannot be is a failed write, which the client reports once
    /// before going on uncached, as it does for a Redis that is down.
    pub fn open(settings: &FileSettings, archive: &Path) -> Result<FileCache> {
        Ok(FileCache {
            counters: ArchiveCounters::open(archive, BACKEND)?,
            dir: settings.dir.clone(),
            temp_serial: AtomicU64::new(0),
        })
    }

    /// The file an entry lives in: `<dir>/<ab>/<abcdef...>`. Keys are hex sha256 digests; anything else (a
    /// library caller's own key) is hashed first, so a key can never name a path outside the directory.
    pub fn path_of(&self, key: &CacheKey) -> PathBuf {
        let name = if is_entry_name(&key.0) {
            key.0.clone()
        } else {
            Sha256::digest(key.0.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        self.dir.join(&name[..2]).join(name)
    }

    fn error(&self, action: &str, error: std::io::Error) -> Error {
        backend_error(BACKEND, &self.dir.display().to_string(), format!("{action}: {error}"))
    }

    /// Removes shard directories left empty (one that holds anything, ours or not, stays).
    fn remove_empty_shards(&self) {
        let Ok(shards) = fs::read_dir(&self.dir) else { return };
        for shard in shards.flatten() {
            let name = shard.file_name();
            if name.len() == 2 && name.to_str().is_some_and(is_hex) {
                let _ = fs::remove_dir(shard.path());
            }
        }
    }

    /// Every entry file with its metadata, and every temp file of ours, shard by shard.
    fn walk(&self, mut visit: impl FnMut(&Path, &fs::Metadata, bool)) -> Result<()> {
        let shards = match fs::read_dir(&self.dir) {
            Ok(shards) => shards,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.error("listing", e)),
        };
        for shard in shards {
            let shard = shard.map_err(|e| self.error("listing", e))?;
            let name = shard.file_name();
            let is_shard = name.len() == 2 && name.to_str().is_some_and(is_hex);
            if !is_shard || !shard.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let files = match fs::read_dir(shard.path()) {
                Ok(files) => files,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(self.error("listing", e)),
            };
            for file in files {
                let Ok(file) = file else { continue };
                let name = file.file_name();
                let Some(name) = name.to_str() else { continue };
                let (entry, temp) = (is_entry_name(name), is_temp_name(name));
                if !entry && !temp {
                    continue;
                }
                // A file removed meanwhile (another process pruning) is simply skipped.
                let Ok(meta) = file.metadata() else { continue };
                if meta.is_file() {
                    visit(&file.path(), &meta, temp);
                }
            }
        }
        Ok(())
    }
}

impl Cache for FileCache {
    fn get(&self, key: &CacheKey) -> Result<Option<CachedResponse>> {
        let path = self.path_of(key);
        let mut file = match fs::File::open(&path) {
            Ok(file) => file,
            // No entry (or no directory yet).
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(judge(&self.counters, key, None)),
            Err(e) => return Err(self.error("reading an entry", e)),
        };
        let meta = file.metadata().map_err(|e| self.error("reading an entry", e))?;
        if meta.modified().map_err(|e| self.error("reading an entry", e))? <= SystemTime::now() {
            // Expired by its mtime: left for `prune`, overwritten by the fresh answer.
            return Ok(judge(&self.counters, key, None));
        }
        let mut stored = Vec::with_capacity(meta.len() as usize);
        file.read_to_end(&mut stored)
            .map_err(|e| self.error("reading an entry", e))?;
        Ok(judge(&self.counters, key, Some(&stored)))
    }

    fn put(&self, key: &CacheKey, response: &CachedResponse, ttl: Duration) -> Result<()> {
        let expires_at = expiry(response.fetched_at, ttl);
        if expires_at <= Utc::now() {
            return Ok(());
        }
        let stored = encode_entry(key, response, expires_at);
        let path = self.path_of(key);
        let shard = path.parent().expect("entries live in a shard directory");
        create_private_dir(shard).map_err(|e| self.error("creating a directory", e))?;
        let temp = shard.join(format!(
            ".{}.{}-{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            self.temp_serial.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            // A `prune` elsewhere may remove the shard between its creation and ours: make it once more.
            let mut file = match new_private_file(&temp) {
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    create_private_dir(shard)?;
                    new_private_file(&temp)?
                }
                opened => opened?,
            };
            file.write_all(&stored)?;
            // The mtime is the expiry: set last, after the writes that would move it.
            file.set_modified(SystemTime::from(expires_at))?;
            drop(file);
            fs::rename(&temp, &path)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(self.error("writing an entry", e));
        }
        self.counters.wrote(stored.len());
        Ok(())
    }

    fn stats(&self) -> Result<CacheStats> {
        let now = SystemTime::now();
        let (mut entries, mut bytes, mut expired) = (0, 0, 0);
        self.walk(|_, meta, temp| {
            if !temp {
                entries += 1;
                bytes += meta.len();
                expired += u64::from(meta.modified().is_ok_and(|m| m <= now));
            }
        })?;
        Ok(CacheStats {
            entries: Some(entries),
            bytes: Some(bytes),
            expired: Some(expired),
            location: Some(self.dir.display().to_string()),
            ..self.counters.load()?
        })
    }

    fn prune(&self) -> Result<u64> {
        let now = SystemTime::now();
        let mut doomed = Vec::new();
        self.walk(|path, meta, temp| {
            let modified = meta.modified().unwrap_or(now);
            let stale = if temp {
                now.duration_since(modified).is_ok_and(|age| age > STALE_TEMP)
            } else {
                modified <= now
            };
            if stale {
                doomed.push((path.to_owned(), temp));
            }
        })?;
        let mut pruned = 0;
        for (path, temp) in doomed {
            match fs::remove_file(&path) {
                Ok(()) => pruned += u64::from(!temp),
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(self.error("pruning", e)),
            }
        }
        self.remove_empty_shards();
        Ok(pruned)
    }

    fn clear(&self) -> Result<u64> {
        let mut doomed = Vec::new();
        self.walk(|path, _, temp| doomed.push((path.to_owned(), temp)))?;
        let mut cleared = 0;
        for (path, temp) in &doomed {
            match fs::remove_file(path) {
                Ok(()) => cleared += u64::from(!temp),
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(self.error("clearing", e)),
            }
        }
        self.remove_empty_shards();
        Ok(cleared)
    }
}

fn is_hex(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An entry's file name: a hex sha256 digest.
fn is_entry_name(name: &str) -> bool {
    name.len() == 64 && is_hex(name)
}

/// A temp file of ours: `.<entry name>.<pid>-<serial>.tmp`.
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(entry, _)| is_entry_name(entry))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn new_private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn new_private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &str) -> CachedResponse {
        CachedResponse {
            kind: "user",
            url: "http://x/helix/users?id=1".into(),
            status: 200,
            fetched_at: Utc::now(),
            body: body.into(),
        }
    }

    #[test]
    fn entries_expire_by_mtime_and_clear_leaves_other_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FileCache::open(
            &FileSettings {
                dir: dir.path().join("cache"),
            },
            &dir.path().join("a.db"),
        )
        .unwrap();
        let key = CacheKey("ab".repeat(32));
        cache.put(&key, &response("{}"), Duration::from_secs(60)).unwrap();
        let path = cache.path_of(&key);
        assert!(path.starts_with(dir.path().join("cache").join("ab")));
        assert!(fs::metadata(&path).unwrap().modified().unwrap() > SystemTime::now() + Duration::from_secs(50));
        assert_eq!(cache.get(&key).unwrap().unwrap().body, b"{}");

        // An odd key is hashed into a name, never used as a path.
        let odd = CacheKey("../../etc/passwd".into());
        assert!(cache.path_of(&odd).starts_with(dir.path().join("cache")));

        let stale = CacheKey("cd".repeat(32));
        cache.put(&stale, &response("old"), Duration::from_secs(60)).unwrap();
        fs::File::options()
            .write(true)
            .open(cache.path_of(&stale))
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(1))
            .unwrap();
        assert_eq!(cache.get(&stale).unwrap(), None, "a passed mtime is a miss");
        let stats = cache.stats().unwrap();
        assert_eq!((stats.entries, stats.expired), (Some(2), Some(1)));
        assert_eq!(cache.prune().unwrap(), 1);

        fs::write(dir.path().join("cache").join("ab").join("notes.txt"), "mine").unwrap();
        assert_eq!(cache.clear().unwrap(), 1);
        assert!(dir.path().join("cache").join("ab").join("notes.txt").exists());
        assert!(!dir.path().join("cache").join("cd").exists(), "empty shards go");
    }
}
