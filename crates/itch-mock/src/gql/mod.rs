//! The fake `gql.twitch.tv/gql`: chat replay over the persisted query `VideoCommentsByOffsetOrCursor`, and VOD
//! chapters over `VideoPlayer_ChapterSelectButtonVideo` (`gql/chapters.rs`).
//!
//! Beside the Helix pipeline in [`server`](crate::server), with its own rules, copied from what chat downloaders
//! observed on Twitch (all "observed", none documented; see the chat reference notes, section 1):
//!
//! - The body is one operation object, or a JSON array of up to 35 operations answered with an array in the same
//!   order (36 or more: HTTP 400). The `Content-Type` is not checked (`text/plain` works, as for xenova).
//! - Any `Authorization` header: HTTP 401 `{"error":"Unauthorized","status":401,"message":"The \"Authorization\"
//!   token is invalid."}`. Chat replay is anonymous on Twitch; only an OAuth header makes it fail.
//! - `Client-Id`: the configured first-party id works for everything. The web id `kimne78...` works for offset
//!   requests, but a cursor request gets HTTP 200 `failed integrity check` with `extensions.challenge`. Missing:
//!   HTTP 400 `The "Client-ID" header is missing from the request.`; any other id: HTTP 400 `The "Client-ID"
//!   header is invalid.` (the fake's choice: Twitch's exact answer to a foreign id is not recorded).
//! - Per operation, HTTP 200 always: an unknown `sha256Hash` gets `PersistedQueryNotFound`; a known hash with
//!   another `operationName` gets `Unknown operation named "<name>".`; bad variables get GraphQL-style variable
//!   errors; each without `data`. Every answer carries `extensions` with `durationMilliseconds`,
//!   `operationName` and `requestID`, as Twitch's do.
//! - Faults: the plan and `fail_next` apply as on Helix (5xx, reset, truncate, malformed, slow, 429 without
//!   ratelimit headers), plus the GQL-only in-band ones ([`Fault::GqlServiceError`], [`Fault::GqlIntegrity`],
//!   and the odd shapes of issue 11: pages without a usable cursor, `video: null`, no `video`, `data: null`),
//!   which hit every operation of the request. GQL has no token bucket: Twitch documents none and sends no
//!   `Ratelimit-*` headers.

mod chapters;
mod comments;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::errors::ApiError;
use crate::faults::{Decision, KillSwitch, Target};
use crate::responses::{helix_error, with_body_fault};
use crate::state::{Shared, lock};
use crate::world::World;
use crate::{CHAPTERS_QUERY_HASH, COMMENTS_QUERY_HASH, Fault, WEB_CLIENT_ID};

pub use chapters::MockChapter;
pub(crate) use chapters::plan as chapter_plan;
#[cfg(test)]
pub(crate) use comments::test_cursor;

/// Most operations Twitch accepts in one batched POST (observed: 35 pass, 36 get HTTP 400).
const MAX_BATCH: usize = 35;

/// Which client id the request came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientKind {
    /// The configured first-party id: everything works.
    FirstParty,
    /// The web client's id: offset requests work, cursor requests fail the integrity check.
    Web,
}

/// One entry of a GQL `errors` list.
#[derive(Serialize, Debug)]
struct GqlError {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<[&'static str; 2]>,
}

impl GqlError {
    fn new(message: impl Into<String>) -> GqlError {
        GqlError {
            message: message.into(),
            path: None,
        }
    }

    /// An error located at `video.comments`, where Twitch puts the resolver's failures.
    fn at_comments(message: impl Into<String>) -> GqlError {
        GqlError {
            message: message.into(),
            path: Some(["video", "comments"]),
        }
    }
}

/// What one operation answers, before `extensions` are added.
struct Reply<D> {
    errors: Vec<GqlError>,
    data: Option<D>,
    /// Sends `"data": null` rather than leaving `data` out, when `data` is `None`.
    null_data: bool,
    /// Adds `extensions.challenge: {"type":"integrity"}`.
    integrity: bool,
}

impl<D> Reply<D> {
    fn data(data: D) -> Self {
        Reply {
            errors: Vec::new(),
            data: Some(data),
            null_data: false,
            integrity: false,
        }
    }

    fn error(e: GqlError) -> Self {
        Reply {
            errors: vec![e],
            data: None,
            null_data: false,
            integrity: false,
        }
    }

    /// Twitch's answer to a cursor request from the web client id since 2023-05.
    fn integrity() -> Self {
        Reply {
            errors: vec![GqlError::at_comments("failed integrity check")],
            data: None,
            null_data: false,
            integrity: true,
        }
    }
}

#[derive(Serialize)]
struct Challenge {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Extensions<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    challenge: Option<Challenge>,
    duration_milliseconds: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation_name: Option<&'a str>,
    #[serde(rename = "requestID")]
    request_id: String,
}

#[derive(Serialize)]
struct Answer<'a, D> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<GqlError>,
    /// `Some(None)` is `"data": null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Option<D>>,
    extensions: Extensions<'a>,
}

/// `POST /gql`: latency, headers, fault, then each operation.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(kill): ConnectInfo<KillSwitch>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.latency().await;
    if headers.contains_key(header::AUTHORIZATION) {
        let e = ApiError::unauthorized("The \"Authorization\" token is invalid.");
        return helix_error(&e);
    }
    let client = match client_kind(&shared, &headers) {
        Ok(c) => c,
        Err(e) => return helix_error(&e),
    };
    let decision = lock(&shared.faults).next(Target::Gql);
    if decision.is_some() {
        lock(&shared.stats).faults += 1;
    }
    match decision {
        Some(Decision::Fail(Fault::RateLimit)) => {
            lock(&shared.stats).rate_limited += 1;
            let e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            return helix_error(&e);
        }
        Some(Decision::Fail(Fault::ServerError(status))) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let e = ApiError::new(status, "");
            return helix_error(&e);
        }
        Some(Decision::Fail(Fault::Reset)) => {
            kill.kill();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Some(Decision::Slow(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    let in_band = match decision {
        Some(Decision::Fail(f)) if f.gql_only() => Some(f),
        _ => None,
    };
    let started = std::time::Instant::now();
    let (status, body) = match answer(&shared, client, &body, in_band) {
        Ok(body) => (StatusCode::OK, body),
        Err(e) => (e.status, e.helix_body()),
    };
    let response = with_body_fault(decision, status, body);
    shared.busy(started.elapsed());
    response
}

fn client_kind(shared: &Shared, headers: &HeaderMap) -> Result<ClientKind, ApiError> {
    let id = headers.get("client-id").map(|v| v.to_str().unwrap_or("?").trim());
    match id {
        None | Some("") => Err(ApiError::bad_request(
            "The \"Client-ID\" header is missing from the request.",
        )),
        // Checked first, so a fake configured with the web id still fails its cursor requests.
        Some(WEB_CLIENT_ID) => Ok(ClientKind::Web),
        Some(id) if id == shared.config.gql_client_id => Ok(ClientKind::FirstParty),
        Some(_) => Err(ApiError::bad_request("The \"Client-ID\" header is invalid.")),
    }
}

/// The body of a 200: one answer, or an array of answers for an array request.
fn answer(shared: &Shared, client: ClientKind, body: &[u8], fault: Option<Fault>) -> Result<Vec<u8>, ApiError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}")))?;
    let world = lock(&shared.world);
    match request {
        Value::Array(ops) => {
            if ops.is_empty() {
                return Err(ApiError::bad_request("The batch has no operations."));
            }
            if ops.len() > MAX_BATCH {
                return Err(ApiError::bad_request(format!(
                    "The batch has {} operations; at most {MAX_BATCH} are allowed.",
                    ops.len()
                )));
            }
            let mut out = b"[".to_vec();
            for (i, op) in ops.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend(operation(shared, &world, client, op, fault));
            }
            out.push(b']');
            Ok(out)
        }
        Value::Object(_) => Ok(operation(shared, &world, client, &request, fault)),
        _ => Err(ApiError::bad_request(
            "The request body must be an operation or an array of operations.",
        )),
    }
}

/// One operation's answer, `extensions` included.
fn operation(shared: &Shared, world: &World, client: ClientKind, op: &Value, fault: Option<Fault>) -> Vec<u8> {
    let name = op.get("operationName").and_then(Value::as_str);
    let hash = op
        .pointer("/extensions/persistedQuery/sha256Hash")
        .and_then(Value::as_str);
    if let Some(name) = name {
        let mut stats = lock(&shared.stats);
        match stats.gql_operations.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                stats.gql_operations.insert(name.to_owned(), 1);
            }
        }
    }
    let unknown = |name: Option<&str>| {
        Reply::<()>::error(GqlError::new(format!(
            "Unknown operation named \"{}\".",
            name.unwrap_or_default()
        )))
    };
    match hash {
        _ if !op.is_object() => render(
            shared,
            world,
            name,
            Reply::<()>::error(GqlError::new("An operation must be a JSON object.")),
        ),
        None if op.get("query").is_some() => render(
            shared,
            world,
            name,
            Reply::<()>::error(GqlError::new(
                "The fake Twitch serves persisted queries only (VideoCommentsByOffsetOrCursor).",
            )),
        ),
        // Twitch rotating the chapters hash (see `MockServer::refuse_chapters`): the old one is unknown.
        Some(h) if h == CHAPTERS_QUERY_HASH && !shared.gql_chapters_refused.load(Ordering::Relaxed) => {
            if name.is_some_and(|n| n != chapters::OPERATION) {
                return render(shared, world, name, unknown(name));
            }
            render(shared, world, name, chapters::answer(world, op.get("variables"), fault))
        }
        None => render(
            shared,
            world,
            name,
            Reply::<()>::error(GqlError::new("PersistedQueryNotFound")),
        ),
        Some(h) if h != COMMENTS_QUERY_HASH => render(
            shared,
            world,
            name,
            Reply::<()>::error(GqlError::new("PersistedQueryNotFound")),
        ),
        Some(_) if name.is_some_and(|n| n != comments::OPERATION) => render(shared, world, name, unknown(name)),
        Some(_) => render(
            shared,
            world,
            name,
            comments::answer(world, op.get("variables"), client, fault),
        ),
    }
}

/// One answer with its `extensions`, whatever the operation's data.
fn render<D: Serialize>(shared: &Shared, world: &World, name: Option<&str>, reply: Reply<D>) -> Vec<u8> {
    let seq = shared.gql_seq.fetch_add(1, Ordering::Relaxed);
    let h = crate::seed::hash(&[world.seed(), crate::seed::tag::GQL, seq]);
    let answer = Answer {
        errors: reply.errors,
        data: match reply.data {
            Some(data) => Some(Some(data)),
            None => reply.null_data.then_some(None),
        },
        extensions: Extensions {
            challenge: reply.integrity.then_some(Challenge { kind: "integrity" }),
            duration_milliseconds: 20 + h % 90,
            operation_name: name,
            request_id: request_id(world.now, h),
        },
    };
    serde_json::to_vec(&answer).expect("GQL answer serialises")
}

/// A ULID-shaped request id like Twitch's (`01J4A6SCSN2X9GG2VG6EKASKM4`): the clock in the first ten
/// characters, then noise.
fn request_id(now: i64, h: u64) -> String {
    const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let ms = (now as u128) * 1000 + u128::from(h % 1000);
    let value = (ms << 80) | (u128::from(h) << 16) | u128::from(crate::seed::mix(h) as u16);
    (0..26)
        .rev()
        .map(|i| CROCKFORD[((value >> (5 * i)) & 31) as usize] as char)
        .collect()
}
