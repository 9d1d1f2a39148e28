//! Tokens: an app token minted from the client id and secret (client credentials), or a user token from the
//! device code flow, stored in the user's config dir (mode 0600) and refreshed when Twitch says it expired.
//! Tokens never reach logs, errors, URLs or cache keys: they travel only in headers and form bodies.
//! OAuth requests are retried after transport failures and 5xx with the client's [`RetryPolicy`], as Helix
//! requests are.
//! <https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/>

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

use super::retry::RetryPolicy;
use crate::error::{Error, Result};
pub use crate::secret::Secret;

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

/// The token a request is sent with, and the client id that goes with it.
#[derive(Clone, Debug)]
pub struct Bearer {
    /// The `Client-Id` header.
    pub client_id: String,
    /// The `Authorization: Bearer` value.
    pub token: Secret,
    /// Whose token: `None` for an app token.
    pub user_id: Option<String>,
}

/// The OAuth side of the client: knows how to get, renew and store tokens.
pub struct Auth {
    oauth: Url,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    store: Option<TokenStore>,
    retry: RetryPolicy,
    current: tokio::sync::Mutex<Option<Bearer>>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("oauth", &self.oauth.as_str())
            .field("client_id", &self.client_id)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Secret,
    refresh_token: Option<Secret>,
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    scope: Vec<String>,
}

/// What `/validate` says about a token.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Validation {
    /// The client the token belongs to.
    pub client_id: String,
    /// Absent for app tokens.
    pub login: Option<String>,
    /// Absent for app tokens.
    pub user_id: Option<String>,
    /// Granted scopes (Twitch sends `null` for none).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub scopes: Vec<String>,
    /// Seconds left; 0 means the token does not expire (Twitch sends 0 for app and non-expiring tokens).
    pub expires_in: i64,
}

/// What `/device` answers: the code to show the user and how to poll.
#[derive(Clone, Debug, Deserialize)]
pub struct DeviceCode {
    device_code: Secret,
    /// How long the code is good for, in seconds.
    pub expires_in: u64,
    /// Seconds between polls.
    pub interval: u64,
    /// The code the user types.
    pub user_code: String,
    /// Where the user types it.
    pub verification_uri: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// Reads id.twitch.tv's error body (`{"status":400,"message":"..."}`), falling back to the raw text.
fn oauth_message(body: &str) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        message: Option<String>,
    }
    serde_json::from_str::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.message)
        .unwrap_or_else(|| body.chars().take(200).collect())
}

impl Auth {
    /// An auth source for the OAuth server at `oauth`, from optional app credentials and an optional token store;
    /// requests are retried under `retry`.
    pub fn new(
        oauth: Url,
        client_id: Option<String>,
        client_secret: Option<Secret>,
        store: Option<TokenStore>,
        retry: RetryPolicy,
    ) -> Auth {
        Auth {
            oauth,
            client_id,
            client_secret,
            store,
            retry,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// The token store, if one is configured.
    pub fn store(&self) -> Option<&TokenStore> {
        self.store.as_ref()
    }

    /// The token for the next request: the one in hand, else a stored user token, else a fresh app token.
    pub async fn bearer(&self, http: &reqwest::Client) -> Result<Bearer> {
        let mut current = self.current.lock().await;
        if let Some(bearer) = current.as_ref() {
            return Ok(bearer.clone());
        }
        let bearer = match self.stored_user_token()? {
            Some(stored) => bearer_of(&stored),
            None => self.mint_app_token(http).await?,
        };
        *current = Some(bearer.clone());
        Ok(bearer)
    }

    /// Called after a 401 with `stale`: refreshes the user token, or mints a new app token. Requests that failed
    /// with the same stale token share one renewal.
    pub async fn renew(&self, http: &reqwest::Client, stale: &Bearer) -> Result<()> {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|b| b.token != stale.token) {
            return Ok(());
        }
        let renewed = match (stale.user_id.is_some(), self.stored_user_token()?) {
            (true, Some(stored)) => bearer_of(&self.refresh(http, stored).await?),
            _ => self.mint_app_token(http).await?,
        };
        *current = Some(renewed);
        Ok(())
    }

    /// A stored user token usable with the configured client id (any, when none is configured).
    fn stored_user_token(&self) -> Result<Option<StoredToken>> {
        let Some(store) = &self.store else { return Ok(None) };
        let stored = store.load()?;
        Ok(stored.filter(|t| self.client_id.as_deref().is_none_or(|id| id == t.client_id)))
    }

    async fn mint_app_token(&self, http: &reqwest::Client) -> Result<Bearer> {
        let client_id = self.client_id.clone().ok_or(Error::MissingCredentials {
            what: "TWITCH_CLIENT_ID is not set and nobody is logged in",
        })?;
        let secret = self.client_secret.as_ref().ok_or(Error::MissingCredentials {
            what: "TWITCH_CLIENT_SECRET is not set (an app token needs it; `itch auth login` does not)",
        })?;
        let form = [
            ("client_id", client_id.as_str()),
            ("client_secret", secret.expose()),
            ("grant_type", "client_credentials"),
        ];
        let token = self.token_request(http, "minting an app token", &form).await?;
        tracing::debug!("minted an app token");
        Ok(Bearer {
            client_id,
            token: token.access_token,
            user_id: None,
        })
    }

    /// Trades the refresh token for a new pair and stores it (the refresh token rotates).
    async fn refresh(&self, http: &reqwest::Client, stored: StoredToken) -> Result<StoredToken> {
        let refresh = stored.refresh_token.as_ref().ok_or(Error::RefreshRefused {
            url: self.url("token"),
            status: 401,
            message: "the stored token expired and has no refresh token".into(),
        })?;
        let mut form = vec![
            ("client_id", stored.client_id.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
        ];
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let token = match self.token_request(http, "refreshing the user token", &form).await {
            Ok(token) => token,
            // Twitch's exact answer when a confidential client refreshes without its secret.
            Err(Error::Auth {
                url, status, message, ..
            }) if status == 400 && message == "missing client secret" => {
                return Err(Error::RefreshNeedsSecret { url, status, message });
            }
            Err(Error::Auth {
                url, status, message, ..
            }) => return Err(Error::RefreshRefused { url, status, message }),
            Err(e) => return Err(e),
        };
        let renewed = StoredToken {
            access_token: token.access_token,
            refresh_token: token.refresh_token.or(stored.refresh_token.clone()),
            expires_at: expiry(token.expires_in),
            scopes: if token.scope.is_empty() {
                stored.scopes.clone()
            } else {
                token.scope
            },
            ..stored
        };
        if let Some(store) = &self.store {
            store.save(&renewed)?;
        }
        tracing::debug!("refreshed the user token");
        Ok(renewed)
    }

    /// POSTs a form to `/token`. The form carries the secrets, so they never appear in a URL.
    async fn token_request(
        &self,
        http: &reqwest::Client,
        action: &'static str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse> {
        let (status, body) = self.post_form(http, "token", form).await?;
        if !status.is_success() {
            return Err(Error::Auth {
                action,
                url: self.url("token"),
                status: status.as_u16(),
                message: oauth_message(&body),
            });
        }
        serde_json::from_str(&body).map_err(|source| Error::Decode {
            url: self.url("token"),
            source,
        })
    }

    async fn post_form(
        &self,
        http: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<(StatusCode, String)> {
        let url = self.url(endpoint);
        self.send(&url, || http.post(&url).form(form)).await
    }

    /// Sends an OAuth request built by `request`, retrying transport failures (resets, broken bodies) and 5xx
    /// under the client's [`RetryPolicy`], as Helix requests are. Returns the first answer that is not a 5xx,
    /// or the last 5xx once the retries are spent (the caller reports it with Twitch's message).
    async fn send(&self, url: &str, request: impl Fn() -> reqwest::RequestBuilder) -> Result<(StatusCode, String)> {
        let mut failures = 0u32;
        loop {
            let attempt = async {
                let response = request().send().await?;
                let status = response.status();
                Ok::<_, reqwest::Error>((status, response.text().await?))
            };
            let problem = match attempt.await {
                Ok((status, _)) if status.is_server_error() && failures < self.retry.max_retries => {
                    format!("answer {}", status.as_u16())
                }
                Ok(answer) => return Ok(answer),
                Err(source) if failures >= self.retry.max_retries => {
                    return Err(Error::Transport {
                        url: url.to_owned(),
                        attempts: failures + 1,
                        source,
                    });
                }
                Err(source) => crate::error::display_chain(&source),
            };
            failures += 1;
            let pause = self.retry.backoff(failures);
            tracing::debug!(%url, problem, ?pause, "retrying an OAuth request");
            tokio::time::sleep(pause).await;
        }
    }

    /// Asks `/validate` about a token.
    pub async fn validate(&self, http: &reqwest::Client, token: &Secret) -> Result<Validation> {
        let url = self.url("validate");
        let header = format!("OAuth {}", token.expose());
        let (status, body) = self
            .send(&url, || http.get(&url).header("Authorization", &header))
            .await?;
        if !status.is_success() {
            return Err(Error::Auth {
                action: "validating the token",
                url,
                status: status.as_u16(),
                message: oauth_message(&body),
            });
        }
        serde_json::from_str(&body).map_err(|source| Error::Decode { url, source })
    }

    /// Starts the device code flow for `scopes`; show the answer's code and URI to the user.
    pub async fn start_device_flow(&self, http: &reqwest::Client, scopes: &[String]) -> Result<DeviceCode> {
        let client_id = self.require_client_id()?;
        let scopes = scopes.join(" ");
        let form = [("client_id", client_id), ("scopes", scopes.as_str())];
        let (status, body) = self.post_form(http, "device", &form).await?;
        if !status.is_success() {
            let message = oauth_message(&body);
            return Err(Error::Auth {
                action: "starting the device login",
                url: self.url("device"),
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_str(&body).map_err(|source| Error::Decode {
            url: self.url("device"),
            source,
        })
    }

    /// Polls `/token` at the interval Twitch asked for until the user approves, then validates and stores
    /// the token. `slow_down` adds five seconds to the interval, as RFC 8628 says.
    pub async fn finish_device_flow(
        &self,
        http: &reqwest::Client,
        code: &DeviceCode,
        scopes: &[String],
    ) -> Result<StoredToken> {
        let client_id = self.require_client_id()?.to_owned();
        let scopes_text = scopes.join(" ");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(code.expires_in);
        let mut interval = Duration::from_secs(code.interval.max(1));
        loop {
            tokio::time::sleep(interval).await;
            if tokio::time::Instant::now() > deadline {
                return Err(Error::DeviceFlow {
                    reason: "the code expired before it was approved".into(),
                });
            }
            let form = [
                ("client_id", client_id.as_str()),
                ("scopes", scopes_text.as_str()),
                ("device_code", code.device_code.expose()),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ];
            let (status, body) = self.post_form(http, "token", &form).await?;
            if status.is_success() {
                let token: TokenResponse = serde_json::from_str(&body).map_err(|source| Error::Decode {
                    url: self.url("token"),
                    source,
                })?;
                return self.store_user_token(http, client_id, token).await;
            }
            match oauth_message(&body).as_str() {
                "authorization_pending" => tracing::debug!("device login pending"),
                "slow_down" => interval += Duration::from_secs(5),
                other => {
                    return Err(Error::DeviceFlow {
                        reason: other.to_owned(),
                    });
                }
            }
        }
    }

    async fn store_user_token(
        &self,
        http: &reqwest::Client,
        client_id: String,
        token: TokenResponse,
    ) -> Result<StoredToken> {
        let validation = self.validate(http, &token.access_token).await?;
        // A login is only worth storing with its user: without one, every user-scoped request would fail later.
        let has = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        if !has(&validation.login) || !has(&validation.user_id) {
            return Err(Error::TokenWithoutUser {
                url: self.url("validate"),
            });
        }
        let stored = StoredToken {
            client_id,
            access_token: token.access_token,
            refresh_token: token.refresh_token,
            login: validation.login,
            user_id: validation.user_id,
            scopes: if validation.scopes.is_empty() {
                token.scope
            } else {
                validation.scopes
            },
            expires_at: expiry(token.expires_in.or(Some(validation.expires_in))),
        };
        if let Some(store) = &self.store {
            store.save(&stored)?;
        }
        *self.current.lock().await = Some(bearer_of(&stored));
        Ok(stored)
    }

    /// Revokes a token at Twitch (best effort: a token that is already invalid is fine).
    pub async fn revoke(&self, http: &reqwest::Client, stored: &StoredToken) -> Result<()> {
        let form = [
            ("client_id", stored.client_id.as_str()),
            ("token", stored.access_token.expose()),
        ];
        let (status, body) = self.post_form(http, "revoke", &form).await?;
        if !status.is_success() {
            tracing::warn!("revoking the token: {} {}", status.as_u16(), oauth_message(&body));
        }
        Ok(())
    }

    fn require_client_id(&self) -> Result<&str> {
        self.client_id.as_deref().ok_or(Error::MissingCredentials {
            what: "TWITCH_CLIENT_ID is not set",
        })
    }

    fn url(&self, endpoint: &str) -> String {
        self.oauth
            .join(endpoint)
            .map(String::from)
            .unwrap_or_else(|_| format!("{}{endpoint}", self.oauth))
    }
}

fn bearer_of(stored: &StoredToken) -> Bearer {
    Bearer {
        client_id: stored.client_id.clone(),
        token: stored.access_token.clone(),
        user_id: stored.user_id.clone(),
    }
}

fn expiry(expires_in: Option<i64>) -> Option<DateTime<Utc>> {
    expires_in
        .filter(|s| *s > 0)
        .map(|s| Utc::now() + ChronoDuration::seconds(s))
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

    /// Issue 11, item 10: Twitch's `expires_in: 0` is a token without an end, never one that just ended.
    #[test]
    fn expires_in_0_is_no_expiry() {
        let v: Validation =
            serde_json::from_str(r#"{"client_id":"c","login":"l","user_id":"1","scopes":null,"expires_in":0}"#)
                .unwrap();
        assert_eq!(v.expires_in, 0);
        assert_eq!(expiry(Some(v.expires_in)), None);
        assert!(expiry(Some(60)).is_some());
    }

    #[test]
    fn oauth_errors_read_their_message() {
        assert_eq!(
            oauth_message(r#"{"status":400,"message":"authorization_pending"}"#),
            "authorization_pending"
        );
        assert_eq!(oauth_message("not json"), "not json");
    }
}
