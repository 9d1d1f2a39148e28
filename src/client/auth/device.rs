//! The device code flow (RFC 8628), for a user token without a redirect server: show a code, poll `/token`
//! until the user approves it, then validate and store the token.
//! <https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#device-code-grant-flow>

use serde::Deserialize;
use std::time::Duration;

use super::{Auth, Secret, StoredToken, TokenResponse, bearer_of, expiry, oauth_message};
use crate::error::{Error, Result};

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

impl Auth {
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
}
