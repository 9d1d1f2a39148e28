//! The user token on disk: one JSON file in the user's config dir, mode 0600, written whole or not at all.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::Secret;
use crate::error::{Error, Result};

/// A user token as kept on disk, with what `/validate` said about it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredToken {
    /// The client id the token was issued to; Helix refuses it with any other.
    pub client_id: String,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token (rotates on every refresh).
    pub refresh_token: Option<Secret>,
    /// Whose token it is.
    pub login: Option<String>,
    /// The user's id.
    pub user_id: Option<String>,
    /// Granted scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// When Twitch said it expires.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Where the user token lives: one JSON file, readable by its owner only.
#[derive(Clone, Debug)]
pub struct TokenStore {
    path: PathBuf,
}

impl TokenStore {
    /// A store at `path` (nothing is read until `load`).
    pub fn new(path: impl Into<PathBuf>) -> TokenStore {
        TokenStore { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored token, or `None` when nobody logged in. A file that others may read (mode wider than 0600,
    /// say after a copy or a restore) is made private again, with a warning: the token may have leaked.
    pub fn load(&self) -> Result<Option<StoredToken>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.error(source)),
        };
        make_private(&self.path).map_err(|e| self.error(e))?;
        serde_json::from_str(&text).map(Some).map_err(|e| self.error(e.into()))
    }

    /// Writes the token: to a 0600 temporary file first, then renamed, so a crash never leaves half a token.
    pub fn save(&self, token: &StoredToken) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| self.error(e))?;
        let tmp = self.path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(token).expect("a token serialises");
        write_private(&tmp, &body).map_err(|e| self.error(e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| self.error(e))
    }

    /// Deletes the token; true when there was one.
    pub fn remove(&self) -> Result<bool> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.error(e)),
        }
    }

    fn error(&self, source: std::io::Error) -> Error {
        Error::TokenStore {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // `mode` applies only to new files: an old temporary file keeps its mode unless we set it.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(body)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, body)
}

/// Sets a token file readable by others back to 0600, with a warning.
#[cfg(unix)]
fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        tracing::warn!(
            "token file {} was readable by others (mode {mode:04o}); itch set it to 0600. \
             If others could read it, run `itch auth logout` and `itch auth login`",
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let token = StoredToken {
            client_id: "cid".into(),
            access_token: Secret::new("supersecret"),
            refresh_token: Some(Secret::new("alsosecret")),
            login: None,
            user_id: None,
            scopes: vec![],
            expires_at: None,
        };
        let shown = format!("{token:?} {}", token.access_token);
        assert!(
            !shown.contains("supersecret") && !shown.contains("alsosecret"),
            "{shown}"
        );
    }

    #[test]
    fn token_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path().join("sub/token.json"));
        assert!(store.load().unwrap().is_none());
        let token = StoredToken {
            client_id: "cid".into(),
            access_token: Secret::new("abc"),
            refresh_token: None,
            login: Some("me".into()),
            user_id: Some("1".into()),
            scopes: vec!["user:read:follows".into()],
            expires_at: None,
        };
        store.save(&token).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(store.load().unwrap().unwrap().access_token.expose(), "abc");
        assert!(store.remove().unwrap());
        assert!(!store.remove().unwrap());
    }

    /// Issue 11, item 10.
    #[cfg(unix)]
    #[test]
    fn a_token_file_readable_by_others_is_made_private_on_load() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path().join("token.json"));
        let token = StoredToken {
            client_id: "cid".into(),
            access_token: Secret::new("abc"),
            refresh_token: None,
            login: Some("me".into()),
            user_id: Some("1".into()),
            scopes: vec![],
            expires_at: None,
        };
        store.save(&token).unwrap();
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(store.load().unwrap().unwrap().access_token.expose(), "abc");
        let mode = std::fs::metadata(store.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
