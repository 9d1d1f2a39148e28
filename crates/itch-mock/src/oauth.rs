//! The fake id.twitch.tv under `/oauth2/`: `token` (client credentials, refresh, device code), `device`,
//! `validate` and `revoke`, plus the `/activate` page the device flow points to.
//!
//! Parameters are read from the query string and from a form body alike, as Twitch does. Error bodies are
//! id.twitch.tv's `{"status","message"}`. The device flow approves itself: two `authorization_pending`
//! answers, then a token for the largest channel's broadcaster with the scopes asked for.
//!
//! Failures forced with [`MockServer::fail_next_oauth`](crate::MockServer::fail_next_oauth) (5xx, reset,
//! truncate, malformed, 429) hit these endpoints only; [`OAuthQuirks`](crate::OAuthQuirks) switch on answers
//! Twitch gives for some tokens (`expires_in: 0`, no `login`, a refresh that needs the secret).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::Fault;
use crate::errors::ApiError;
use crate::faults::{self, Decision, KillSwitch, Target};
use crate::query::Query;
use crate::state::{Shared, lock};
use crate::tokens::{DEVICE_INTERVAL, DEVICE_TTL, DevicePoll, TokenInfo};
use crate::world::UserRef;

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

/// The failure forced on this OAuth request, if any. A 5xx, 429 or reset is the whole answer (`Err`); a
/// truncated or malformed body is applied to the handler's answer by [`spoil`].
fn forced(shared: &Shared, kill: &KillSwitch) -> Result<Option<Fault>, Box<Response>> {
    let Some(Decision::Fail(fault)) = lock(&shared.faults).next(Target::OAuth) else {
        return Ok(None);
    };
    lock(&shared.stats).faults += 1;
    match fault {
        Fault::ServerError(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(Box::new(
                ApiError::new(status, status.canonical_reason().unwrap_or("")).oauth_response(),
            ))
        }
        Fault::RateLimit => {
            lock(&shared.stats).rate_limited += 1;
            Err(Box::new(
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").oauth_response(),
            ))
        }
        Fault::Reset => {
            kill.kill();
            Err(Box::new(StatusCode::INTERNAL_SERVER_ERROR.into_response()))
        }
        other => Ok(Some(other)),
    }
}

/// The handler's answer, truncated or made malformed if that was forced.
async fn spoil(fault: Option<Fault>, response: Response) -> Response {
    if !matches!(fault, Some(Fault::Truncate | Fault::Malformed)) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default()
        .to_vec();
    let head = Response::from_parts(parts, axum::body::Body::empty());
    match fault {
        Some(Fault::Truncate) => faults::truncated(head, body),
        _ => {
            let mut r = head;
            *r.body_mut() = faults::malformed(&body).into();
            r
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
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(kill): ConnectInfo<KillSwitch>,
    uri: Uri,
    body: Bytes,
) -> Response {
    shared.latency().await;
    let fault = match forced(&shared, &kill) {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    let q = Query::parse(uri.query()).with_form(&body);
    let response = match grant(&shared, &q) {
        Ok(r) => Json(r).into_response(),
        Err(e) => e.oauth_response(),
    };
    spoil(fault, response).await
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
            if q.one("client_secret").is_some() || lock(&shared.faults).oauth.refresh_requires_secret {
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
pub(crate) async fn device(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(kill): ConnectInfo<KillSwitch>,
    uri: Uri,
    body: Bytes,
) -> Response {
    #[derive(Serialize)]
    struct DeviceResponse {
        device_code: String,
        expires_in: u64,
        interval: u64,
        user_code: String,
        verification_uri: String,
    }
    shared.latency().await;
    let fault = match forced(&shared, &kill) {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    let q = Query::parse(uri.query()).with_form(&body);
    if let Err(e) = check_client(&shared, &q) {
        return e.oauth_response();
    }
    let (device_code, user_code) = lock(&shared.tokens).start_device(&shared.config.client_id, scopes(q.one("scopes")));
    let response = Json(DeviceResponse {
        device_code,
        expires_in: DEVICE_TTL.as_secs(),
        interval: DEVICE_INTERVAL.as_secs(),
        verification_uri: format!("{}/activate?device-code={user_code}", shared.base_url),
        user_code,
    })
    .into_response();
    spoil(fault, response).await
}

/// `GET /oauth2/validate`, with `Authorization: OAuth <token>` (or `Bearer`).
pub(crate) async fn validate(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(kill): ConnectInfo<KillSwitch>,
    headers: HeaderMap,
) -> Response {
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
    shared.latency().await;
    let fault = match forced(&shared, &kill) {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let token = auth.strip_prefix("OAuth ").or_else(|| auth.strip_prefix("Bearer "));
    let Some(token) = token else {
        return ApiError::unauthorized("missing authorization token").oauth_response();
    };
    let Some(info) = lock(&shared.tokens).lookup(token.trim()).cloned() else {
        return ApiError::unauthorized("invalid access token").oauth_response();
    };
    let quirks = lock(&shared.faults).oauth;
    let user = info.user.filter(|_| !quirks.validate_without_user);
    let response = {
        let world = lock(&shared.world);
        Json(Validated {
            client_id: info.client_id.clone(),
            login: user.map(|u| world.login(u)),
            scopes: (!info.scopes.is_empty()).then(|| info.scopes.clone()),
            user_id: user.map(|u| world.user_id(u).to_string()),
            expires_in: if quirks.validate_expires_in_zero {
                0
            } else {
                info.expires_in()
            },
        })
        .into_response()
    };
    spoil(fault, response).await
}

/// `POST /oauth2/revoke` with `client_id` and `token`.
pub(crate) async fn revoke(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(kill): ConnectInfo<KillSwitch>,
    uri: Uri,
    body: Bytes,
) -> Response {
    shared.latency().await;
    if let Err(response) = forced(&shared, &kill) {
        return *response;
    }
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::{Fault, MockConfig, MockServer, OAuthQuirks};

    async fn validate(server: &MockServer, http: &reqwest::Client, token: &str) -> Value {
        let url = format!("{}validate", server.oauth_url());
        let r = http
            .get(url)
            .header("Authorization", format!("OAuth {token}"))
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    /// Issue 11, item 10: the OAuth answers Twitch gives for some tokens, and OAuth-only failures.
    #[tokio::test]
    async fn quirks_and_forced_failures_reach_oauth_only() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let http = reqwest::Client::new();
        let login = server.channels().remove(0).login;
        let token = server.user_token(&login, &["user:read:follows"]);
        assert!(validate(&server, &http, &token).await["expires_in"].as_u64().unwrap() > 0);

        server.set_oauth_quirks(OAuthQuirks {
            validate_expires_in_zero: true,
            validate_without_user: true,
            ..OAuthQuirks::default()
        });
        let body = validate(&server, &http, &token).await;
        assert_eq!(body["expires_in"], 0);
        assert!(body.get("login").is_none() && body.get("user_id").is_none(), "{body}");

        server.set_oauth_quirks(OAuthQuirks {
            refresh_requires_secret: true,
            ..OAuthQuirks::default()
        });
        let refresh = server.refresh_token_for(&token).unwrap();
        let url = format!("{}token", server.oauth_url());
        let form = [
            ("client_id", server.client_id()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ];
        let r = http.post(&url).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"status":400,"message":"missing client secret"})
        );
        server.set_oauth_quirks(OAuthQuirks::default());

        // A forced OAuth failure lets Helix by and hits the next OAuth request, once.
        server.fail_next_oauth(1, Fault::ServerError(503));
        let helix = http.get(format!("{}users", server.helix_url())).send().await.unwrap();
        assert_eq!(helix.status(), 401, "Helix answered as usual");
        let r = http.post(&url).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 503);
        server.fail_next_oauth(1, Fault::Reset);
        assert!(http.post(&url).form(&form).send().await.is_err());
        server.fail_next_oauth(1, Fault::Malformed);
        let body = http.post(&url).form(&form).send().await.unwrap().text().await.unwrap();
        assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
        // The malformed answer's refresh went through (the token rotated): Twitch's answer to the old one again.
        let r = http.post(&url).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 400, "used up");
        assert_eq!(r.json::<Value>().await.unwrap()["message"], "Invalid refresh token");
        assert_eq!(server.stats().faults, 3);
    }
}
