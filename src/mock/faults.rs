//! Injected failures for Helix and GQL requests: 5xx, resets, truncated or malformed bodies, slowness, and GQL's
//! in-band errors.
//!
//! [`Faults`] decides, per request, from the seeded plan or from the queue filled by `fail_next`; the Helix
//! pipeline in [`server`](super::server) applies the decision with the response builders below. A reset needs
//! the connection itself: [`KillSwitch`] is handed to the request by the listener wrapper in
//! [`server`](super::server), and flipping it makes the socket fail before any response byte leaves.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::seed::mix;
use super::{Fault, FaultPlan};

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Fail(Fault),
    Slow(Duration),
}

/// Which pipeline asks: GQL-only faults are never handed to Helix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Helix,
    Gql,
}

/// The plan, its RNG and the forced failures still queued.
pub(crate) struct Faults {
    plan: FaultPlan,
    rng: StdRng,
    /// `(kind, left, only for /gql)`.
    forced: VecDeque<(Fault, u32, bool)>,
}

impl Faults {
    pub fn new(seed: u64, plan: FaultPlan) -> Faults {
        Faults {
            plan,
            rng: StdRng::seed_from_u64(mix(seed ^ 0xfa17)),
            forced: VecDeque::new(),
        }
    }

    pub fn set_plan(&mut self, plan: FaultPlan) {
        self.plan = plan;
    }

    pub fn plan(&self) -> FaultPlan {
        self.plan.clone()
    }

    /// Queues `n` forced failures of `kind`, served before any drawn one; `gql_only` keeps them for `/gql`
    /// requests (GQL-only kinds always are).
    pub fn force(&mut self, n: u32, kind: Fault, gql_only: bool) {
        if n > 0 {
            self.forced.push_back((kind, n, gql_only || kind.gql_only()));
        }
    }

    /// The fate of the next request to `target`: the oldest forced failure that applies to it, else one draw
    /// against the plan. A GQL-only failure waits in the queue while Helix requests pass.
    pub fn next(&mut self, target: Target) -> Option<Decision> {
        if let Some(i) = self.forced.iter().position(|f| target == Target::Gql || !f.2) {
            let (kind, left, _) = &mut self.forced[i];
            let kind = *kind;
            *left -= 1;
            if *left == 0 {
                self.forced.remove(i);
            }
            return Some(Decision::Fail(kind));
        }
        let u: f64 = self.rng.random();
        let p = &self.plan;
        let mut edge = 0.0;
        let mut below = |share: f64| {
            edge += share;
            u < edge
        };
        let decision = if below(p.server_error) {
            Decision::Fail(Fault::ServerError([500, 502, 503][self.rng.random_range(0..3)]))
        } else if below(p.reset) {
            Decision::Fail(Fault::Reset)
        } else if below(p.truncate) {
            Decision::Fail(Fault::Truncate)
        } else if below(p.malformed) {
            Decision::Fail(Fault::Malformed)
        } else if below(p.slow) {
            Decision::Slow(Duration::from_millis(p.slow_ms))
        } else if target == Target::Gql && below(p.gql_service_error) {
            Decision::Fail(Fault::GqlServiceError)
        } else {
            return None;
        };
        Some(decision)
    }
}

/// A response whose body stops halfway: the client gets the status, the headers and half the body, then the
/// connection breaks.
pub(crate) fn truncated(mut response: Response, body: Vec<u8>) -> Response {
    let half = body.len() / 2;
    let half = Bytes::from(body).slice(..half);
    // The pause lets hyper flush the head and the first half; an error right away would abort the connection
    // before anything left, which is a reset, not a truncation.
    let broken = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "mock: truncated body",
        ))
    };
    let stream = futures::stream::once(async { Ok(half) }).chain(futures::stream::once(broken));
    *response.body_mut() = Body::from_stream(stream);
    response
}

/// A complete response whose body is not JSON: the first half of the real body followed by an HTML error
/// page, as a misbehaving proxy would send.
pub(crate) fn malformed(body: &[u8]) -> Vec<u8> {
    let mut out = body[..body.len() / 2].to_vec();
    out.extend_from_slice(b"<html><body><h1>502 Bad Gateway</h1></body></html>");
    out
}

/// Set by a handler to make its connection fail: every later read and write errors, so hyper drops the
/// connection before writing the response and the client sees a reset.
#[derive(Clone, Debug, Default)]
pub(crate) struct KillSwitch(Arc<AtomicBool>);

impl KillSwitch {
    pub fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn killed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A TCP stream that obeys a [`KillSwitch`].
pub(crate) struct KillableStream {
    pub inner: tokio::net::TcpStream,
    pub switch: KillSwitch,
}

impl KillableStream {
    /// The error every operation returns once killed. The zero linger makes the close send a TCP RST, as a
    /// real reset would, rather than an orderly FIN.
    fn reset(&self) -> std::io::Error {
        let _ = self.inner.set_zero_linger();
        std::io::Error::new(std::io::ErrorKind::ConnectionReset, "mock: connection reset")
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if self.switch.killed() {
            return Poll::Ready(Err(self.reset()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        if self.switch.killed() {
            return Poll::Ready(Err(self.reset()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.switch.killed() {
            return Poll::Ready(Err(self.reset()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
