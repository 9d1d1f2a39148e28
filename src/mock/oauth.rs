//! The fake id.twitch.tv under `/oauth2/`: `token` (client credentials, refresh, device code), `device`,
//! `validate` and `revoke`, plus the `/activate` page the device flow points to.
//!
//! Parameters are read from the query string and from a form body alike, as Twitch does. Error bodies are
//! id.twitch.tv's `{"status","message"}`. The device flow approves itself: two `authorization_pending`
//! answers, then a token for the largest channel's broadcaster with the scopes asked for.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::errors::ApiError;
use super::query::Query;
use super::state::{Shared, lock};
use super::tokens::{DEVICE_INTERVAL, DEVICE_TTL, DevicePoll, TokenInfo};
use super::world::UserRef;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<Vec<String>>,
    token_type: &'static str,
}

impl TokenResponse {
    fn new(token: String, info: &TokenInfo) -> Self {
        TokenResponse {
            access_token: token,
            expires_in: info.expires_in(),
            refresh_token: info.refresh_token.clone(),
            // App tokens without scopes get no `scope` field, as Twitch's example shows.
            scope: (info.user.is_some() || !info.scopes.is_empty()).then(|| info.scopes.clone()),
            token_type: "bearer",
        }
    }
}

fn scopes(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("").split_whitespace().map(str::to_owned).collect()
}

fn check_client(shared: &Shared, q: &Query) -> Result<(), ApiError> {
    match q.one("client_id") {
        Some(id) if id == shared.config.client_id => Ok(()),
        Some(_) => Err(ApiError::bad_request("invalid client")),
        None => Err(ApiError::bad_request("missing client id")),
    }
}

fn check_secret(shared: &Shared, q: &Query) -> Result<(), ApiError> {
    match q.one("client_secret") {
        Some(s) if s == shared.config.client_secret => Ok(()),
        Some(_) => Err(ApiError::forbidden("invalid client secret")),
        None => Err(ApiError::bad_request("missing client secret")),
    }
}

/// `POST /oauth2/token`.
pub(crate) async fn token(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    tokio::time::sleep(shared.config.latency).await;
    let q = Query::parse(uri.query()).with_form(&body);
    match grant(&shared, &q) {
        Ok(r) => Json(r).into_response(),
        Err(e) => e.oauth_response(),
    }
}

fn grant(shared: &Shared, q: &Query) -> Result<TokenResponse, ApiError> {
    let grant_type = q
        .one("grant_type")
        .ok_or_else(|| ApiError::bad_request("missing grant_type"))?;
    check_client(shared, q)?;
    let client = &shared.config.client_id;
    let mut tokens = lock(&shared.tokens);
    match grant_type {
        "client_credentials" => {
            check_secret(shared, q)?;
            let (t, info) = tokens.mint_app(client, scopes(q.one("scope")));
            Ok(TokenResponse::new(t, &info))
        }
        "refresh_token" => {
            // Public clients (device flow) send no secret; a wrong one is still refused.
            if q.one("client_secret").is_some() {
                check_secret(shared, q)?;
            }
            let refresh = q
                .one("refresh_token")
                .ok_or_else(|| ApiError::bad_request("missing refresh token"))?;
            let (t, info) = tokens
                .refresh(refresh, client)
                .ok_or_else(|| ApiError::bad_request("Invalid refresh token"))?;
            Ok(TokenResponse::new(t, &info))
        }
        DEVICE_GRANT => {
            let code = q.one("device_code").unwrap_or("");
            match tokens.poll_device(code, client) {
                DevicePoll::Pending => Err(ApiError::bad_request("authorization_pending")),
                DevicePoll::SlowDown => Err(ApiError::bad_request("slow_down")),
                DevicePoll::Invalid => Err(ApiError::bad_request("invalid device code")),
                DevicePoll::Approved(scopes) => {
                    let (t, info) = tokens.mint_user(client, UserRef::Broadcaster(0), scopes);
                    Ok(TokenResponse::new(t, &info))
                }
            }
        }
        _ => Err(ApiError::bad_request("unsupported grant type")),
    }
}

/// `POST /oauth2/device`: starts a device-code flow.
pub(crate) async fn device(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    #[derive(Serialize)]
    struct DeviceResponse {
        device_code: String,
        expires_in: u64,
        interval: u64,
        user_code: String,
        verification_uri: String,
    }
    tokio::time::sleep(shared.config.latency).await;
    let q = Query::parse(uri.query()).with_form(&body);
    if let Err(e) = check_client(&shared, &q) {
        return e.oauth_response();
    }
    let (device_code, user_code) = lock(&shared.tokens).start_device(&shared.config.client_id, scopes(q.one("scopes")));
    Json(DeviceResponse {
        device_code,
        expires_in: DEVICE_TTL.as_secs(),
        interval: DEVICE_INTERVAL.as_secs(),
        verification_uri: format!("{}/activate?device-code={user_code}", shared.base_url),
        user_code,
    })
    .into_response()
}

/// `GET /oauth2/validate`, with `Authorization: OAuth <token>` (or `Bearer`).
pub(crate) async fn validate(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    #[derive(Serialize)]
    struct Validated {
        client_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        login: Option<String>,
        /// `null` when the token has no scopes, as Twitch sends it.
        scopes: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
        expires_in: u64,
    }
    tokio::time::sleep(shared.config.latency).await;
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = auth.strip_prefix("OAuth ").or_else(|| auth.strip_prefix("Bearer "));
    let Some(token) = token else {
        return ApiError::unauthorized("missing authorization token").oauth_response();
    };
    let Some(info) = lock(&shared.tokens).lookup(token.trim()).cloned() else {
        return ApiError::unauthorized("invalid access token").oauth_response();
    };
    let world = lock(&shared.world);
    Json(Validated {
        client_id: info.client_id.clone(),
        login: info.user.map(|u| world.login(u)),
        scopes: (!info.scopes.is_empty()).then(|| info.scopes.clone()),
        user_id: info.user.map(|u| world.user_id(u).to_string()),
        expires_in: info.expires_in(),
    })
    .into_response()
}

/// `POST /oauth2/revoke` with `client_id` and `token`.
pub(crate) async fn revoke(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    tokio::time::sleep(shared.config.latency).await;
    let q = Query::parse(uri.query()).with_form(&body);
    if q.one("client_id") != Some(shared.config.client_id.as_str()) {
        return ApiError::not_found("client does not exist").oauth_response();
    }
    let token = q.one("token").unwrap_or("");
    let mut tokens = lock(&shared.tokens);
    match tokens.lookup(token).map(|t| t.client_id.clone()) {
        None => ApiError::bad_request("Invalid token").oauth_response(),
        Some(_) => {
            tokens.revoke(token);
            StatusCode::OK.into_response()
        }
    }
}

/// `GET /activate`: where the device flow sends the user. Nothing to click: the fake approves by itself.
pub(crate) async fn activate() -> &'static str {
    "itch mock-api: device codes are approved automatically after two polls; nothing to do here.\n"
}
