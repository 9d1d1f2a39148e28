//! What the benchmarks share: a client logged in to the in-process fake as a broadcaster, and peak RSS.

use itch::client::{Client, ClientConfig, Endpoints, StoredToken, TokenStore};
use itch::mock::{MockChannel, MockServer};
use itch::secret::Secret;
use std::path::Path;

/// A client with a user token of `channel`'s broadcaster (every scope itch uses), stored under `dir`.
pub fn broadcaster_client(mock: &MockServer, channel: &MockChannel, dir: &Path) -> anyhow::Result<Client> {
    let scopes = [
        "moderator:read:followers",
        "user:read:follows",
        "moderator:read:chatters",
    ];
    let store = TokenStore::new(dir.join("token.json"));
    let access = mock.user_token(&channel.login, &scopes);
    store.save(&StoredToken {
        client_id: mock.client_id().to_owned(),
        refresh_token: mock.refresh_token_for(&access).map(Secret::new),
        access_token: Secret::new(access),
        login: Some(channel.login.clone()),
        user_id: Some(channel.id.clone()),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        expires_at: None,
    })?;
    Ok(Client::new(ClientConfig {
        endpoints: endpoints(mock)?,
        client_id: Some(mock.client_id().to_owned()),
        client_secret: Some(Secret::new(mock.client_secret())),
        token_store: Some(store),
        ..ClientConfig::default()
    })?)
}

/// Every endpoint of the fake, chat included (the fake hands out URLs only; it never builds the client's types).
pub fn endpoints(mock: &MockServer) -> itch::Result<Endpoints> {
    Endpoints::parse(&mock.helix_url(), &mock.oauth_url(), &mock.gql_url())?.with_irc(&mock.irc_url())
}

/// VmHWM from /proc/self/status in MB (Linux); 0 elsewhere.
pub fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .map(str::to_owned)
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// A fresh temporary directory for one benchmark run.
pub fn scratch_dir(name: &str) -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("itch-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Logs to stderr as `RUST_LOG` says (nothing by default), so the figures on stdout stay clean.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
}

/// Resets the peak RSS (VmHWM) to the current RSS, so the next [`peak_rss_mb`] covers only what follows (Linux).
#[allow(dead_code)] // each example compiles this module; only those that measure phases apart call it
pub fn reset_peak_rss() {
    let _ignored_elsewhere = std::fs::write("/proc/self/clear_refs", "5");
}
