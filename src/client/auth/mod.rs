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
use url::Url;

use super::retry::RetryPolicy;
use crate::error::{Error, Result};
use crate::secret::Secret;

mod device;
mod store;

pub use device::DeviceCode;
pub use store::{StoredToken, TokenStore};

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
            // A login held in memory only (the demo's) has nothing to refresh from. An app token in its place
            // would quietly lose the user's rights (a follower list read as "not visible"): keep it, and let the
            // request fail as refused.
            (true, None) => return Ok(()),
            (false, _) => self.mint_app_token(http).await?,
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
