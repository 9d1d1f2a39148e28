//! Settings resolved once at start-up (defaults < environment < flags, clap does the layering) into one struct
//! that the rest of the program reads. Secrets come from the environment only, never from flags, so they do
//! not show up in `ps`.
//!
//! Config sits above the client and the cache: it holds a [`ClientConfig`] and the chosen cache
//! [`Backend`], and opens that backend through [`CacheSettings`]; neither of them imports it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::cache::{Backend, Cache, CacheSettings};
use crate::client::{ClientConfig, TokenStore};
use crate::error::Result;
use crate::secret::Secret;

/// Everything a command needs to know about where things are.
#[derive(Clone, Debug)]
pub struct Config {
    /// The archive (`--db`, `ITCH_DB`).
    pub db: PathBuf,
    /// Where the user token is kept (`ITCH_CONFIG_DIR`, else the platform's config dir).
    pub config_dir: PathBuf,
    /// The response cache backend (`--cache`, `ITCH_CACHE`).
    pub cache: Backend,
    /// What the [`Client`](crate::client::Client) is built from: endpoints, app credentials, GQL settings, the
    /// token store in `config_dir` (its cache is set by the commands that use one, see [`Config::open_cache`]).
    pub client: ClientConfig,
}

impl Config {
    /// Resolves a config: the client's token store is `token.json` in `config_dir`.
    pub fn new(db: PathBuf, config_dir: PathBuf, cache: Backend, client: ClientConfig) -> Config {
        let client = ClientConfig {
            token_store: Some(TokenStore::new(config_dir.join("token.json"))),
            ..client
        };
        Config {
            db,
            config_dir,
            cache,
            client,
        }
    }

    /// What a [`Client`](crate::client::Client) is built from.
    pub fn client_config(&self) -> ClientConfig {
        self.client.clone()
    }

    /// Opens the configured response cache (`None` for `--cache none`), its settings read from the environment
    /// ([`CacheSettings::from_env`]). Redis and memcached are not contacted yet: a server that is down fails
    /// the first lookup within about a second, the client warns once and goes on uncached.
    pub fn open_cache(&self) -> Result<Option<Arc<dyn Cache>>> {
        CacheSettings::from_env(self.cache)?.open(&self.db)
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
