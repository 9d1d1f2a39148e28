//! One writer per archive: `itch sync` holds an exclusive lock on `<archive>.lock` while it runs. The operating
//! system drops the lock when the process ends, however it ends (kill -9 included), so a stale lock never
//! blocks the next run. The file says who holds it, for the message a second sync prints.
//!
//! The lock belongs to the archive file, not to the spelling of its path: it sits beside the file's canonical
//! path (symbolic links resolved), so `--db link.db` and `--db real.db` take the same lock. An archive with
//! several hard links is refused: SQLite keeps a journal per name, and writers through two names damage it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Held while a sync writes; released on drop.
#[derive(Debug)]
pub struct ArchiveLock {
    _file: File,
}

/// The lock file of an archive.
pub fn lock_path(archive: &Path) -> PathBuf {
    let mut name = archive.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    archive.with_file_name(name)
}

/// The archive's path with every symbolic link resolved (of the file when it exists, of its folder when it does
/// not yet); the path as given when even the folder cannot be resolved (opening it then fails with its error).
pub fn canonical_archive(archive: &Path) -> PathBuf {
    if let Ok(path) = std::fs::canonicalize(archive) {
        return path;
    }
    let folder = match archive.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(folder), archive.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => archive.to_owned(),
    }
}

#[cfg(not(unix))]
fn refuse_hard_links(_archive: &Path) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn refuse_hard_links(archive: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(archive) {
        Ok(meta) if meta.is_file() && meta.nlink() > 1 => Err(Error::HardLinkedArchive {
            path: archive.to_owned(),
            links: meta.nlink(),
        }),
        _ => Ok(()),
    }
}

impl ArchiveLock {
    /// Takes the lock, waiting up to `wait` for another sync to finish; refuses with who holds it otherwise.
    pub fn acquire(archive: &Path, wait: Duration) -> Result<ArchiveLock> {
        refuse_hard_links(archive)?;
        let path = lock_path(&canonical_archive(archive));
        let io_error = |source| Error::ArchiveFile {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        let deadline = Instant::now().checked_add(wait);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if deadline.is_none_or(|d| Instant::now() < d) => {
                    std::thread::sleep(Duration::from_millis(200))
                }
                Err(TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    file.read_to_string(&mut holder).ok();
                    return Err(Error::Locked {
                        path: archive.to_owned(),
                        holder: holder.trim().to_owned(),
                    });
                }
                Err(TryLockError::Error(source)) => return Err(io_error(source)),
            }
        }
        let holder = format!(
            "process {} since {}",
            std::process::id(),
            crate::archive::timestamp(chrono::Utc::now())
        );
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(holder.as_bytes()))
            .map_err(io_error)?;
        Ok(ArchiveLock { _file: file })
    }
}
