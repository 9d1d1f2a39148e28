//! Injected failures for Helix, GQL and OAuth requests: 5xx, resets, truncated or malformed bodies, slowness,
//! GQL's in-band errors and odd page shapes, and the OAuth answers Twitch gives for some tokens ([`OAuthQuirks`]).
//!
//! OAuth requests never draw from the plan (seeded runs stay as they were); they take only failures forced for
//! them ([`Scope::OAuth`]).
//!
//! [`Faults`] decides, per request, from the seeded plan or from the queue filled by `fail_next`; the Helix
//! pipeline in [`server`](crate::server) applies the decision with the response builders below. A reset needs
//! the connection itself: [`KillSwitch`] is handed to the request by the listener wrapper in
//! [`server`](crate::server), and flipping it makes the socket fail before any response byte leaves.

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

use crate::seed::mix;
use crate::{Fault, FaultPlan, OAuthQuirks};

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
    /// id.twitch.tv's `/oauth2/` endpoints: forced failures of [`Scope::OAuth`] only.
    OAuth,
}

/// Which requests a forced failure waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Helix or GQL, whichever comes first (GQL-only kinds: GQL).
    HelixOrGql,
    /// `/gql` only.
    Gql,
    /// `/oauth2/` only.
    OAuth,
}

impl Scope {
    fn takes(self, target: Target, kind: Fault) -> bool {
        match (self, target) {
            (Scope::OAuth, t) => t == Target::OAuth,
            (_, Target::OAuth) => false,
            (_, Target::Gql) => true,
            (Scope::HelixOrGql, Target::Helix) => !kind.gql_only(),
            (Scope::Gql, Target::Helix) => false,
        }
    }
}

/// A forced failure still queued.
#[derive(Debug)]
struct Forced {
    kind: Fault,
    /// Requests it still fails.
    left: u32,
    /// Requests it lets by first (each served as usual, drawn against the plan).
    pass: u32,
    scope: Scope,
}

/// The plan, its RNG, the forced failures still queued and the OAuth quirks in force.
pub(crate) struct Faults {
    plan: FaultPlan,
    rng: StdRng,
    forced: VecDeque<Forced>,
    /// How `/oauth2/` answers while set.
    pub oauth: OAuthQuirks,
}

impl Faults {
    pub fn new(seed: u64, plan: FaultPlan) -> Faults {
        Faults {
            plan,
            rng: StdRng::seed_from_u64(mix(seed ^ 0xfa17)),
            forced: VecDeque::new(),
            oauth: OAuthQuirks::default(),
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
        let scope = if gql_only { Scope::Gql } else { Scope::HelixOrGql };
        self.force_after(0, n, kind, scope);
    }

    /// Queues `n` forced failures of `kind` for requests of `scope`, after letting `pass` of them by: "the third
    /// page fails", for tests whose client sends the first pages itself.
    pub fn force_after(&mut self, pass: u32, n: u32, kind: Fault, scope: Scope) {
        if n > 0 {
            self.forced.push_back(Forced {
                kind,
                left: n,
                pass,
                scope,
            });
        }
    }

    /// The fate of the next request to `target`: the oldest forced failure that applies to it (unless it still
    /// lets requests by), else one draw against the plan. A GQL-only failure waits in the queue while Helix
    /// requests pass; OAuth requests never draw.
    pub fn next(&mut self, target: Target) -> Option<Decision> {
        if let Some(i) = self.forced.iter().position(|f| f.scope.takes(target, f.kind)) {
            let forced = &mut self.forced[i];
            if forced.pass > 0 {
                forced.pass -= 1;
            } else {
                let kind = forced.kind;
                forced.left -= 1;
                if forced.left == 0 {
                    self.forced.remove(i);
                }
                return Some(Decision::Fail(kind));
            }
        }
        if target == Target::OAuth {
            return None;
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
