//! Settings resolved once at start-up (defaults < environment < flags, clap does the layering) into one struct
//! that the rest of the program reads. Secrets come from the environment only, never from flags, so they do
//! not show up in `ps`.

use std::path::PathBuf;

use std::sync::Arc;

use crate::cache::{Backend, Cache, sqlite::SqliteCache};
use crate::client::gql::GqlConfig;
use crate::client::{ClientConfig, Endpoints, RetryPolicy, Secret, TokenStore};
use crate::error::Result;

/// Everything a command needs to know about where things are.
#[derive(Clone, Debug)]
pub struct Config {
    /// The archive (`--db`, `ITCH_DB`).
    pub db: PathBuf,
    /// Twitch's endpoints (or the fake's).
    pub endpoints: Endpoints,
    /// `TWITCH_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `TWITCH_CLIENT_SECRET`.
    pub client_secret: Option<Secret>,
    /// Where the user token is kept (`ITCH_CONFIG_DIR`, else the platform's config dir).
    pub config_dir: PathBuf,
    /// The response cache backend (`--cache`, `ITCH_CACHE`).
    pub cache: Backend,
    /// GQL's client id and query hashes (`ITCH_GQL_CLIENT_ID`, `ITCH_GQL_COMMENTS_HASH`).
    pub gql: GqlConfig,
}

impl Config {
    /// The user-token file.
    pub fn token_store(&self) -> TokenStore {
        TokenStore::new(self.config_dir.join("token.json"))
    }

    /// What a [`Client`](crate::client::Client) is built from.
    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            endpoints: self.endpoints.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            token_store: Some(self.token_store()),
            retry: RetryPolicy::default(),
            cache: None,
            gql: self.gql.clone(),
        }
    }

    /// Opens the configured response cache (`None` for `--cache none`).
    pub fn open_cache(&self) -> Result<Option<Arc<dyn Cache>>> {
        Ok(match self.cache {
            Backend::Sqlite => Some(Arc::new(SqliteCache::open(&self.db)?)),
            Backend::None => None,
        })
    }
}

/// The platform's config dir for itch (`~/.config/itch` on Linux), or `./.itch` when there is no home.
pub fn default_config_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "itch")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".itch"))
}

/// Reads a secret from the environment; an empty value counts as unset.
pub fn secret_from_env(name: &str) -> Option<Secret> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).map(Secret::new)
}
