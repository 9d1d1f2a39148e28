//! The archive handle the sync engine writes through. rusqlite blocks, so the one connection lives behind a
//! mutex and every call runs on tokio's blocking pool, inside a transaction that commits when the closure
//! returns Ok: concurrent channel syncs take turns, and a page is committed whole or not at all.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// An open, migrated archive, cheap to clone and share between tasks.
#[derive(Clone, Debug)]
pub struct Archive {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl Archive {
    /// Opens (creating and migrating as needed) the archive at `path`.
    pub fn open(path: &Path) -> Result<Archive> {
        let conn = super::db::open(path)?;
        Ok(Archive {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_owned(),
        })
    }

    /// The archive file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` in one transaction on the blocking pool; commits on Ok, rolls back on Err.
    pub async fn write<R, F>(&self, action: &'static str, work: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
    {
        let (conn, path) = (self.conn.clone(), self.path.clone());
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // IMMEDIATE takes the write lock at BEGIN, waiting (busy timeout) for another connection (the
            // response cache's) to finish. A deferred transaction that reads first would instead fail with
            // SQLITE_BUSY at its first write if that connection committed in between, with no wait.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let result = work(&tx)?;
            tx.commit()?;
            Ok(result)
        })
        .await
        .expect("archive task does not panic")
        .map_err(|source| Error::Database { path, action, source })
    }

    /// Runs a read on the blocking pool.
    pub async fn read<R, F>(&self, action: &'static str, work: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<R> + Send + 'static,
    {
        let (conn, path) = (self.conn.clone(), self.path.clone());
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&conn)
        })
        .await
        .expect("archive task does not panic")
        .map_err(|source| Error::Database { path, action, source })
    }
}
