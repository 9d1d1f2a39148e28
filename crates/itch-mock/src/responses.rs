//! The response builders every HTTP pipeline shares: JSON with Twitch's content type, Helix-shaped errors, and
//! a body with its injected fault applied.
//!
//! Used by the Helix pipeline and the controls in [`server`](crate::server) and by GQL in [`gql`](crate::gql);
//! it imports neither, so they do not import each other.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::Fault;
use crate::errors::ApiError;
use crate::faults::{self, Decision};

/// `body` as `application/json; charset=utf-8`, as Twitch labels it.
pub(crate) fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// `e` in Helix's `{"error","status","message"}` shape (GQL answers its transport errors in this shape too).
pub(crate) fn helix_error(e: &ApiError) -> Response {
    json(e.status, e.helix_body())
}

/// The answer `status` / `body`, cut short or garbled when the fault drawn for this request says so.
pub(crate) fn with_body_fault(decision: Option<Decision>, status: StatusCode, body: Vec<u8>) -> Response {
    match decision {
        Some(Decision::Fail(Fault::Truncate)) => faults::truncated(json(status, Vec::new()), body),
        Some(Decision::Fail(Fault::Malformed)) => json(status, faults::malformed(&body)),
        _ => json(status, body),
    }
}
