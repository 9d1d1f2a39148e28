//! Error responses in Twitch's two shapes: Helix's `{"error","status","message"}` and id.twitch.tv's
//! `{"status","message"}` (no `error` key there).
//!
//! Endpoint handlers return [`ApiError`]; [`server`](crate::server) and [`oauth`](crate::oauth) turn it into a
//! response. Messages copy Twitch's wording where it is known (see the reference notes), so clients can be
//! tested against the strings they will meet.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A failed request: status and message.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// `Missing required parameter "name"`.
    pub fn missing(name: &str) -> Self {
        Self::bad_request(format!("Missing required parameter \"{name}\""))
    }

    /// What Twitch answers when an app token calls an endpoint that needs a user.
    pub fn user_token_required() -> Self {
        Self::unauthorized("Missing User OAUTH Token")
    }

    /// `Missing scope: <scope>`, Twitch's 401 for a user token without the scope.
    pub fn missing_scope(scope: &str) -> Self {
        Self::unauthorized(format!("Missing scope: {scope}"))
    }

    /// The Helix body: `{"error":"<reason phrase>","status":N,"message":"..."}`.
    pub fn helix_body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a str,
            status: u16,
            message: &'a str,
        }
        let error = self.status.canonical_reason().unwrap_or("");
        serde_json::to_vec(&Body {
            error,
            status: self.status.as_u16(),
            message: &self.message,
        })
        .expect("error body serialises")
    }

    /// The id.twitch.tv response: `{"status":N,"message":"..."}`.
    pub fn oauth_response(&self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            status: u16,
            message: &'a str,
        }
        let body = Body {
            status: self.status.as_u16(),
            message: &self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}
