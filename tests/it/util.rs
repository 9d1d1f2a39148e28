//! Shared test helpers: a fake Twitch per test, clients pointed at it, and the `itch` binary with a clean
//! environment and its own temp dir.

use itch::client::{Client, ClientConfig, Endpoints, RetryPolicy, TokenStore};
use itch::mock::{MockConfig, MockServer};
use itch::secret::Secret;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

/// The newest archive VOD of the fake's largest channel that is not deleted.
pub fn newest_archive(mock: &MockServer) -> itch::mock::MockVideo {
    let login = mock.channels().remove(0).login;
    mock.videos(&login)
        .into_iter()
        .filter(|v| v.video_type == "archive" && !v.deleted)
        .max_by_key(|v| v.created_at.clone())
        .expect("the fake's largest channel has an archive VOD")
}

/// A fake Twitch whose largest channel has `followers` followers.
pub async fn mock_with_followers(followers: u64) -> MockServer {
    MockServer::start(MockConfig {
        followers,
        ..MockConfig::default()
    })
    .await
    .expect("fake Twitch starts")
}

/// A fake whose largest channel has `followers` followers, and a client logged in as its broadcaster with
/// `moderator:read:followers` (the token file lives in the returned dir: keep it).
pub async fn logged_in_broadcaster(followers: u64) -> (MockServer, tempfile::TempDir, itch::client::UserId, Client) {
    let mock = mock_with_followers(followers).await;
    let dir = tempfile::tempdir().unwrap();
    let channel = mock.channels().remove(0);
    let store = store_with_user_token(&mock, dir.path(), &channel.login, &["moderator:read:followers"]);
    let client = client(&mock, Some(store));
    (mock, dir, itch::client::UserId(channel.id), client)
}

/// Retries fast, so fault tests take milliseconds, not seconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        timeout: Duration::from_secs(10),
        ..RetryPolicy::default()
    }
}

/// Every endpoint of the fake, chat included (the fake hands out URLs only; it never builds the client's types).
pub fn endpoints(mock: &MockServer) -> Endpoints {
    Endpoints::parse(&mock.helix_url(), &mock.oauth_url(), &mock.gql_url())
        .and_then(|e| e.with_irc(&mock.irc_url()))
        .expect("the fake's own URLs parse")
}

/// A client with the fake's app credentials and, optionally, a token store.
pub fn client(mock: &MockServer, store: Option<TokenStore>) -> Client {
    client_with_secret(mock, mock.client_secret(), store)
}

/// A client with a chosen client secret.
pub fn client_with_secret(mock: &MockServer, secret: &str, store: Option<TokenStore>) -> Client {
    Client::new(ClientConfig {
        endpoints: endpoints(mock),
        client_id: Some(mock.client_id().to_owned()),
        client_secret: Some(Secret::new(secret)),
        token_store: store,
        retry: fast_retry(),
        ..ClientConfig::default()
    })
    .unwrap()
}

/// A token store holding a user token minted by the fake for `login`.
pub fn store_with_user_token(mock: &MockServer, dir: &Path, login: &str, scopes: &[&str]) -> TokenStore {
    let access = mock.user_token(login, scopes);
    let store = TokenStore::new(dir.join("token.json"));
    let user_id = mock_user_id(mock, login);
    store
        .save(&itch::client::StoredToken {
            client_id: mock.client_id().to_owned(),
            refresh_token: mock.refresh_token_for(&access).map(Secret::new),
            access_token: Secret::new(access),
            login: Some(login.to_owned()),
            user_id,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires_at: None,
        })
        .unwrap();
    store
}

/// The id of a channel's broadcaster by login, or `None` for other users (the client learns it by validating).
fn mock_user_id(mock: &MockServer, login: &str) -> Option<String> {
    mock.channels().into_iter().find(|c| c.login == login).map(|c| c.id)
}

/// `itch` with no ITCH_* or TWITCH_* from the outside, pointed at the fake, its files under `dir`.
pub fn itch(mock: &MockServer, dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itch"));
    for (key, _) in std::env::vars() {
        if key.starts_with("ITCH_") || key.starts_with("TWITCH_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.env("TWITCH_HELIX_URL", mock.helix_url())
        .env("TWITCH_OAUTH2_URL", mock.oauth_url())
        .env("TWITCH_GQL_URL", mock.gql_url())
        .env("TWITCH_IRC_URL", mock.irc_url())
        .env("TWITCH_CLIENT_ID", mock.client_id())
        .env("TWITCH_CLIENT_SECRET", mock.client_secret())
        .env("ITCH_CONFIG_DIR", dir.join("config"))
        .env("ITCH_DB", dir.join("itch.db"))
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs a command off the async runtime (the fake serves on the runtime meanwhile).
pub async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("itch runs"))
        .await
        .unwrap()
}

/// stdout and stderr as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A fake with a chosen config.
pub async fn mock_with(config: MockConfig) -> MockServer {
    MockServer::start(config).await.expect("fake Twitch starts")
}

/// Logs `login` in for the binary: a user token with every scope itch uses, in `dir/config/token.json`.
pub fn login_as(mock: &MockServer, dir: &Path, login: &str) -> TokenStore {
    login_as_with(mock, dir, login, &[])
}

/// [`login_as`] with more scopes than the default ones (e.g. `channel:read:subscriptions`).
pub fn login_as_with(mock: &MockServer, dir: &Path, login: &str, more: &[&str]) -> TokenStore {
    let mut scopes = vec![
        "moderator:read:followers",
        "user:read:follows",
        "moderator:read:chatters",
    ];
    scopes.extend_from_slice(more);
    store_with_user_token(mock, &dir.join("config"), login, &scopes)
}

/// Runs `itch sync` with `args` and returns the output.
pub async fn sync(mock: &MockServer, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = itch(mock, dir);
    cmd.arg("sync").args(args);
    run(cmd).await
}

/// Opens the test's archive read-only.
pub fn archive(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(dir.join("itch.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// One integer from a query.
pub fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Rows of a query as text, for comparing archives.
pub fn rows(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..columns)
            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}

/// Waits until `sql` (one count) on the archive at `db` reaches `at_least` while `child` writes it, then kills
/// the child with SIGKILL: a kill -9 at a known point of the work. Fails if the child ends first or `within`
/// passes.
pub async fn kill_when(child: &mut std::process::Child, db: &Path, sql: &str, at_least: i64, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    loop {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let reached = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()
            .and_then(|c| c.query_row(sql, [], |r| r.get::<_, i64>(0)).ok())
            .unwrap_or(0);
        if reached >= at_least {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "`{sql}` never reached {at_least}");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child ended before `{sql}` reached {at_least}"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
