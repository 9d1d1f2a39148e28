//! [`MockServer`]: binds the router to a listener, runs the Helix pipeline, and serves the `/_mock` controls.
//!
//! The router is built in one function ([`router`]) from the OAuth handlers, the Helix table in
//! [`helix`](crate::helix), GQL ([`gql`](crate::gql), its own pipeline) and the controls. Every Helix
//! request goes through one pipeline: latency, authentication, the caller's token bucket, an injected fault if
//! one is due, then the handler, and every answer carries the `Ratelimit-*` headers.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::serve::{IncomingStream, Listener};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::chat_replay;
use crate::errors::ApiError;
use crate::faults::{Decision, KillSwitch, KillableStream, Scope, Target};
use crate::gql;
use crate::helix::{Call, Caller, GONE, Handler, ROUTES};
use crate::oauth;
use crate::query::Query;
use crate::ratelimit::RateInfo;
use crate::responses::{helix_error, with_body_fault};
use crate::seed::rfc3339;
use crate::state::{Shared, lock, millis};
use crate::world::{UserRef, World};
use crate::{Advance, Fault, FaultPlan, IrcSent, MockChannel, MockConfig, MockStats, MockVideo, OAuthQuirks};

/// A running fake Twitch. Dropping it stops the server without waiting; [`MockServer::shutdown`] waits.
pub struct MockServer {
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// The chat server (IRC) beside the HTTP one.
    irc: JoinHandle<()>,
    irc_url: String,
}

impl MockServer {
    /// Starts a server on `127.0.0.1` and a free port.
    pub async fn start(config: MockConfig) -> io::Result<MockServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        Self::from_listener(listener, config)
    }

    /// Starts a server on a listener that is already bound (e.g. `--port`). Must be called inside a Tokio
    /// runtime. Fails with `InvalidInput` when the config cannot make a world (see [`MockConfig`]).
    pub fn from_listener(listener: TcpListener, config: MockConfig) -> io::Result<MockServer> {
        let addr = listener.local_addr()?;
        // A server bound to every interface is still reached through loopback by the URLs it hands out.
        let host = match addr.ip() {
            ip if !ip.is_unspecified() => ip,
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        };
        let base_url = format!("http://{}", SocketAddr::new(host, addr.port()));
        let shared = Shared::new(config, base_url).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let shared = Arc::new(shared);
        let irc_listener = std::net::TcpListener::bind(SocketAddr::new(host, 0))?;
        irc_listener.set_nonblocking(true)?;
        let irc_url = format!("irc://{}", irc_listener.local_addr()?);
        let irc = tokio::spawn(crate::irc::serve(TcpListener::from_std(irc_listener)?, shared.clone()));
        let app = router(shared.clone()).into_make_service_with_connect_info::<KillSwitch>();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(KillListener(listener), app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "mock server stopped");
            }
        });
        Ok(MockServer {
            shared,
            shutdown: Some(tx),
            task: Some(task),
            irc,
            irc_url,
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The Helix base, for `TWITCH_HELIX_URL`.
    pub fn helix_url(&self) -> String {
        format!("{}/helix/", self.url())
    }

    /// The id.twitch.tv base, for `TWITCH_OAUTH2_URL`.
    pub fn oauth_url(&self) -> String {
        format!("{}/oauth2/", self.url())
    }

    /// The GQL endpoint (chat replay), for `TWITCH_GQL_URL`.
    pub fn gql_url(&self) -> String {
        format!("{}/gql", self.url())
    }

    /// The chat server (IRC, plain TCP), for `TWITCH_IRC_URL`.
    pub fn irc_url(&self) -> String {
        self.irc_url.clone()
    }

    /// From now on, every chat (IRC) connection gets `:tmi.twitch.tv RECONNECT` and is closed after `messages`
    /// live messages, as Twitch does before a server restart; 0 turns it off.
    pub fn irc_reconnect_after(&self, messages: u64) {
        self.shared.irc_reconnect_after.store(messages, Ordering::Relaxed);
    }

    /// Lines each chat room says per second from now on (default [`MockConfig::irc_rate`], 100): PRIVMSGs with
    /// an event now and then. High rates (thousands a second) come as several lines per 10 ms tick.
    pub fn irc_rate(&self, per_second: u32) {
        self.shared.irc_rate.store(u64::from(per_second), Ordering::Relaxed);
    }

    /// A quiet chat: while on, no room says anything (no PRIVMSG, no event); connections get only PING (and
    /// RECONNECT when [`MockServer::irc_reconnect_every`] is set), so a reader sees nothing for minutes.
    pub fn irc_quiet(&self, quiet: bool) {
        self.shared.irc_quiet.store(quiet, Ordering::Relaxed);
    }

    /// From now on, every chat connection gets `:tmi.twitch.tv RECONNECT` and is closed once it has been open for
    /// `every` (quiet or not); zero turns it off.
    pub fn irc_reconnect_every(&self, every: Duration) {
        self.shared
            .irc_reconnect_every_ms
            .store(millis(every), Ordering::Relaxed);
    }

    /// How often every chat connection gets `PING :tmi.twitch.tv` (default [`MockConfig::irc_ping_every`]);
    /// zero never.
    pub fn irc_ping_every(&self, every: Duration) {
        self.shared.irc_ping_every_ms.store(millis(every), Ordering::Relaxed);
    }

    /// Delivers one raw line (CRLF added when missing) to every chat connection joined to the room `login` now,
    /// whatever capabilities it asked for, and counts it in [`MockServer::irc_sent`]; answers how many
    /// connections got it.
    pub fn irc_inject(&self, login: &str, line: &str) -> usize {
        lock(&self.shared.irc_rooms).inject(&login.to_ascii_lowercase(), line)
    }

    /// Suspends the channel `login` on chat: a JOIN is answered `@msg-id=msg_channel_suspended :tmi.twitch.tv
    /// NOTICE #login :This channel has been suspended.` and its room says nothing, to anyone.
    pub fn irc_suspend(&self, login: &str) {
        lock(&self.shared.irc_rooms).suspend(&login.to_ascii_lowercase());
    }

    /// Shared Chat: from now on, every PRIVMSG room `from` says is also delivered to readers of room `into`, as
    /// Twitch relays it (same user and text, an id of its own, `room-id` of `into`, `source-id` the original id,
    /// `source-room-id` the id of `from`, `source-badges`, `source-badge-info`), and every USERNOTICE as
    /// `msg-id=sharedchatnotice` with `source-msg-id` its kind; `from`'s own lines carry the `source-*` tags too.
    /// One way: call it both ways for a session of two.
    pub fn share_chat(&self, from: &str, into: &str) {
        lock(&self.shared.irc_rooms).share(&from.to_ascii_lowercase(), &into.to_ascii_lowercase());
    }

    /// What each chat room sent so far, by login (rooms that sent nothing are left out).
    pub fn irc_sent(&self) -> BTreeMap<String, IrcSent> {
        lock(&self.shared.irc_rooms).sent()
    }

    /// The client id GQL accepts for chat replay (see [`MockConfig::gql_client_id`]).
    pub fn gql_client_id(&self) -> &str {
        &self.shared.config.gql_client_id
    }

    /// Every video of the channel with this login, deleted ones included, newest first, with what its chat
    /// replay serves.
    ///
    /// # Panics
    /// When no channel has that login.
    pub fn videos(&self, channel_login: &str) -> Vec<MockVideo> {
        let world = lock(&self.shared.world);
        let c = world
            .channels
            .iter()
            .position(|c| c.login.eq_ignore_ascii_case(channel_login))
            .unwrap_or_else(|| panic!("mock: no channel {channel_login:?}"));
        mock_videos(&world, c)
    }

    /// Every clip of the channel with this login, oldest first, with its view count now.
    ///
    /// # Panics
    /// When no channel has that login.
    pub fn clips(&self, channel_login: &str) -> Vec<crate::MockClip> {
        let world = lock(&self.shared.world);
        let c = world
            .channels
            .iter()
            .position(|c| c.login.eq_ignore_ascii_case(channel_login))
            .unwrap_or_else(|| panic!("mock: no channel {channel_login:?}"));
        world.mock_clips(c)
    }

    /// Makes Get Clips answer `status` (with Twitch's error body) until called with `None`; the other endpoints
    /// answer as usual, so a test can see one part fail while the others complete.
    pub fn fail_clips(&self, status: Option<u16>) {
        lock(&self.shared.world).clips_fault = status;
    }

    /// Comments the chat replay serves for this video id, null-commenter ones included; `None` when GQL
    /// answers `video: null` (unknown or deleted video).
    pub fn comment_count(&self, video_id: &str) -> Option<u64> {
        let world = lock(&self.shared.world);
        let v = world.video(video_id.parse().ok()?).filter(|v| !v.deleted)?;
        Some(chat_replay::plan(&world, v).comments)
    }

    /// The cursor the fake hands out after comment `k` of a video (0-based), to jump deep into a video.
    #[cfg(test)]
    pub(crate) fn comment_cursor(&self, video_id: &str, k: u64) -> String {
        gql::test_cursor(&lock(&self.shared.world), video_id, k)
    }

    /// The chapters GQL serves for this video id (one covering the whole video when Twitch would send no
    /// moments); `None` when GQL answers `video: null` (unknown or deleted video).
    pub fn chapters(&self, video_id: &str) -> Option<Vec<crate::MockChapter>> {
        let world = lock(&self.shared.world);
        let v = world.video(video_id.parse().ok()?).filter(|v| !v.deleted)?;
        Some(gql::chapter_plan(&world, v).0)
    }

    /// Makes GQL refuse the chapters query's hash (`PersistedQueryNotFound`), as Twitch does once it rotates
    /// one, or accept it again.
    pub fn refuse_chapters(&self, refused: bool) {
        self.shared.gql_chapters_refused.store(refused, Ordering::Relaxed);
    }

    /// The only client id the server accepts.
    pub fn client_id(&self) -> &str {
        &self.shared.config.client_id
    }

    /// The secret that goes with [`client_id`](Self::client_id).
    pub fn client_secret(&self) -> &str {
        &self.shared.config.client_secret
    }

    /// The world's channels, largest first, with their current follower totals.
    pub fn channels(&self) -> Vec<MockChannel> {
        self.shared.channels()
    }

    /// Mints a user access token for `login` with `scopes`, as if the user had authorised the client.
    ///
    /// # Panics
    /// When the world has no user with that login.
    pub fn user_token(&self, login: &str, scopes: &[&str]) -> String {
        let user = lock(&self.shared.world)
            .user_by_login(login)
            .unwrap_or_else(|| panic!("mock: no user {login:?}"));
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        lock(&self.shared.tokens).mint_user(self.client_id(), user, scopes).0
    }

    /// The login of a moderator (not the broadcaster) of the channel with this login.
    ///
    /// # Panics
    /// When no channel has that login.
    pub fn moderator_of(&self, channel_login: &str) -> String {
        let world = lock(&self.shared.world);
        let c = world
            .channels
            .iter()
            .position(|c| c.login.eq_ignore_ascii_case(channel_login));
        let c = c.unwrap_or_else(|| panic!("mock: no channel {channel_login:?}"));
        world.login(world.follower(c, world.channels[c].moderators[0]))
    }

    /// The refresh token currently paired with a user access token.
    pub fn refresh_token_for(&self, access_token: &str) -> Option<String> {
        lock(&self.shared.tokens).refresh_token_for(access_token)
    }

    /// Expires one access token now (its refresh token keeps working).
    pub fn expire_token(&self, token: &str) {
        lock(&self.shared.tokens).expire(token);
    }

    /// Expires every access token now (refresh tokens keep working).
    pub fn expire_all_tokens(&self) {
        lock(&self.shared.tokens).expire_all();
    }

    /// Replaces the shares of drawn faults.
    pub fn set_faults(&self, plan: FaultPlan) {
        lock(&self.shared.faults).set_plan(plan);
    }

    /// Makes the next `n` Helix or GQL requests fail with `kind`, before any drawn fault. GQL-only kinds wait for
    /// `/gql` requests and let Helix requests pass.
    pub fn fail_next(&self, n: u32, kind: Fault) {
        lock(&self.shared.faults).force(n, kind, false);
    }

    /// Makes the next `n` GQL requests fail with `kind` (any kind: 5xx, truncate...), letting Helix requests
    /// pass, for tests of chat replay whose client also calls Helix.
    pub fn fail_next_gql(&self, n: u32, kind: Fault) {
        lock(&self.shared.faults).force(n, kind, true);
    }

    /// Makes `n` `/gql` requests fail with `kind`, after letting `pass` of them by (issue 11: "the fourth page
    /// has no cursor", for a client that sends the first pages itself).
    pub fn fail_gql_after(&self, pass: u32, n: u32, kind: Fault) {
        lock(&self.shared.faults).force_after(pass, n, kind, Scope::Gql);
    }

    /// Makes the next `n` `/oauth2/` requests fail with `kind` (5xx, reset, truncate, malformed); Helix and GQL
    /// requests pass. OAuth requests are never failed otherwise.
    pub fn fail_next_oauth(&self, n: u32, kind: Fault) {
        lock(&self.shared.faults).force_after(0, n, kind, Scope::OAuth);
    }

    /// Sets how `/oauth2/` answers from now on (see [`OAuthQuirks`]).
    pub fn set_oauth_quirks(&self, quirks: OAuthQuirks) {
        lock(&self.shared.faults).oauth = quirks;
    }

    /// The stream schedule of `channel_login` as Get Channel Stream Schedule lists it now (`None`: it has none).
    ///
    /// # Panics
    /// When the world has no channel with that login.
    pub fn schedule(&self, channel_login: &str) -> Option<Vec<crate::MockSegment>> {
        let world = lock(&self.shared.world);
        let c = world
            .channels
            .iter()
            .position(|ch| ch.login == channel_login)
            .expect("a channel of the world");
        crate::schedule::listed(world.seed(), &world.schedule, c, world.now)
    }

    /// Changes the stream schedule of `channel_login`; returns the id of the segment changed.
    ///
    /// # Panics
    /// When the world has no channel with that login, it has no schedule, or the position is past its list.
    pub fn edit_schedule(&self, channel_login: &str, edit: crate::ScheduleEdit) -> String {
        let mut world = lock(&self.shared.world);
        let c = world
            .channels
            .iter()
            .position(|ch| ch.login == channel_login)
            .expect("a channel of the world");
        let (seed, now) = (world.seed(), world.now);
        crate::schedule::apply(seed, &mut world.schedule, c, now, edit)
            .unwrap_or_else(|e| panic!("editing the schedule: {e}"))
    }

    /// The subscription total and points of `channel_login` now, as Get Broadcaster Subscriptions reports them.
    ///
    /// # Panics
    /// When the world has no channel with that login.
    pub fn subscription_total(&self, channel_login: &str) -> (u64, u64) {
        let world = lock(&self.shared.world);
        let c = world
            .channels
            .iter()
            .position(|ch| ch.login == channel_login)
            .expect("a channel of the world");
        let subs = crate::subscriptions::subscribers(world.seed(), &world.subs, c, world.initial_followers(c));
        (subs.len() as u64, subs.iter().map(|s| s.points()).sum())
    }

    /// Changes the subscribers of `channel_login`; returns the user id of the subscriber gained or lost.
    ///
    /// # Panics
    /// When the world has no channel with that login, or the edit cannot be made.
    pub fn edit_subscriptions(&self, channel_login: &str, edit: crate::SubsEdit) -> String {
        let mut world = lock(&self.shared.world);
        let c = world
            .channels
            .iter()
            .position(|ch| ch.login == channel_login)
            .expect("a channel of the world");
        let (seed, followers) = (world.seed(), world.initial_followers(c));
        let position = crate::subscriptions::apply(seed, &mut world.subs, c, followers, edit)
            .unwrap_or_else(|e| panic!("editing the subscribers: {e}"));
        world.user_id(world.follower(c, position)).to_string()
    }

    /// Moves the world's clock and applies the changes.
    ///
    /// # Panics
    /// When a login in `a` names no channel; nothing changes then.
    pub fn advance(&self, a: Advance) {
        if let Err(e) = lock(&self.shared.world).advance(&a) {
            panic!("mock: advance: {e}");
        }
    }

    /// The world's clock: the time its answers are as of (the start, moved on by each [`advance`](Self::advance)).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let now = lock(&self.shared.world).now();
        chrono::DateTime::from_timestamp(now, 0).expect("the world's clock is a real time")
    }

    /// Counters since the start or the last reset.
    pub fn stats(&self) -> MockStats {
        lock(&self.shared.stats).clone()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        *lock(&self.shared.stats) = MockStats::default();
    }

    /// Stops accepting, lets requests in flight finish (up to 5 s), then stops.
    pub async fn shutdown(mut self) {
        self.irc.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task).await.is_err()
        {
            task.abort();
        }
    }
}

impl Drop for MockServer {
    /// Stops accepting and closes idle connections; requests in flight finish on their own. Aborting the task
    /// instead would leave its per-connection tasks serving keep-alive clients.
    fn drop(&mut self) {
        self.irc.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A TCP listener whose connections can be killed from a handler, for the `reset` fault.
struct KillListener(TcpListener);

impl Listener for KillListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((inner, addr)) => {
                    let _ = inner.set_nodelay(true);
                    return (
                        KillableStream {
                            inner,
                            switch: KillSwitch::default(),
                        },
                        addr,
                    );
                }
                // Usually out of file descriptors: wait for some to be freed rather than spin.
                Err(e) => {
                    tracing::debug!(error = %e, "mock server accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, KillListener>> for KillSwitch {
    fn connect_info(stream: IncomingStream<'_, KillListener>) -> Self {
        stream.io().switch.clone()
    }
}

/// The whole routing table.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route("/oauth2/device", post(oauth::device))
        .route("/oauth2/validate", get(oauth::validate))
        .route("/oauth2/revoke", post(oauth::revoke))
        .route("/activate", get(oauth::activate))
        .route("/helix/{*path}", any(helix))
        .route("/gql", post(gql::handle))
        .route("/_mock/world", get(world))
        .route("/_mock/stats", get(stats).delete(reset_stats))
        .route("/_mock/advance", post(advance))
        .route("/_mock/faults", get(get_faults).post(set_faults))
        .route("/_mock/fail-next", post(fail_next))
        .route("/_mock/token", post(mint_token))
        .route("/_mock/expire", post(expire))
        .route("/_mock/irc", get(get_irc).post(set_irc))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), count))
        .with_state(shared)
}

async fn count(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    shared.count(req.uri().path());
    next.run(req).await
}

async fn not_found() -> Response {
    helix_error(&ApiError::not_found(""))
}

fn with_rate(mut r: Response, rate: &RateInfo) -> Response {
    for (name, value) in rate.headers() {
        r.headers_mut().insert(
            name,
            HeaderValue::from_str(&value).expect("digits are a valid header value"),
        );
    }
    r
}

/// The bearer token's caller, and the key of the bucket the request is charged to.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> (String, Result<Caller, ApiError>) {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let client = text("client-id").unwrap_or("");
    let auth = text("authorization").unwrap_or("");
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .map(str::trim);
    let anonymous = || format!("{client}:anonymous");
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return (anonymous(), Err(ApiError::unauthorized("OAuth token is missing")));
    };
    // Only what the caller needs, not the whole entry.
    let found = lock(&shared.tokens)
        .lookup(token)
        .map(|t| (t.client_id == client, t.user, t.scopes.clone()));
    let Some((same_client, user, scopes)) = found else {
        return (anonymous(), Err(ApiError::unauthorized("Invalid OAuth token")));
    };
    if !same_client {
        return (
            anonymous(),
            Err(ApiError::unauthorized("Client ID and OAuth token do not match")),
        );
    }
    match user {
        None => (format!("{client}:app"), Ok(Caller::App)),
        Some(user) => {
            let id = lock(&shared.world).user_id(user);
            (format!("{client}:{id}"), Ok(Caller::User { user, scopes }))
        }
    }
}

/// What a Helix path resolves to before anyone is authenticated.
fn route(method: &Method, path: &str) -> Result<Handler, ApiError> {
    if GONE.contains(&path) {
        return Err(ApiError::new(StatusCode::GONE, "The API is deprecated."));
    }
    let handler = ROUTES.iter().find(|(p, _)| *p == path).map(|(_, h)| *h);
    let handler = handler.ok_or_else(|| ApiError::not_found(format!("unknown Helix path /helix/{path}")))?;
    if method != Method::GET {
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, ""));
    }
    Ok(handler)
}

/// The Helix pipeline: latency, authentication, rate limit, fault, handler; ratelimit headers on every answer.
async fn helix(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(kill): ConnectInfo<KillSwitch>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    shared.latency().await;
    let started = Instant::now();
    let (response, slept) = helix_pipeline(&shared, &kill, &method, &uri, &headers).await;
    shared.busy(started.elapsed().saturating_sub(slept));
    response
}

/// [`helix`] after its latency; answers the response and how long a slow fault made it wait.
async fn helix_pipeline(
    shared: &Shared,
    kill: &KillSwitch,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> (Response, Duration) {
    let path = uri.path().strip_prefix("/helix/").unwrap_or("");
    let (key, caller) = authenticate(shared, headers);
    let rate = lock(&shared.limiter).take(&key);
    if !rate.allowed {
        lock(&shared.stats).rate_limited += 1;
        let e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
        return (with_rate(helix_error(&e), &rate), Duration::ZERO);
    }
    let decision = lock(&shared.faults).next(Target::Helix);
    if decision.is_some() {
        lock(&shared.stats).faults += 1;
    }
    let mut slept = Duration::ZERO;
    match decision {
        Some(Decision::Fail(Fault::RateLimit)) => {
            lock(&shared.stats).rate_limited += 1;
            let rate = lock(&shared.limiter).forced();
            let e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            return (with_rate(helix_error(&e), &rate), Duration::ZERO);
        }
        Some(Decision::Fail(Fault::ServerError(status))) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (
                with_rate(helix_error(&ApiError::new(status, "")), &rate),
                Duration::ZERO,
            );
        }
        Some(Decision::Fail(Fault::Reset)) => {
            kill.kill();
            return (StatusCode::INTERNAL_SERVER_ERROR.into_response(), Duration::ZERO);
        }
        Some(Decision::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            slept = delay;
        }
        _ => {}
    }
    let result = route(method, path).and_then(|handler| {
        let caller = caller?;
        let query = Query::parse(uri.query());
        let world = lock(&shared.world);
        handler(&Call {
            world: &world,
            caller: &caller,
            query: &query,
        })
    });
    let (status, body) = match result {
        Ok(body) => (StatusCode::OK, body),
        Err(e) => (e.status, e.helix_body()),
    };
    let mut response = with_rate(with_body_fault(decision, status, body), &rate);
    // Twitch's clock is the world's: clients that walk time windows (clips) end them at the answer's `Date`.
    let now = lock(&shared.world).now;
    if let Some(date) = chrono::DateTime::<chrono::Utc>::from_timestamp(now, 0)
        .and_then(|t| HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok())
    {
        response.headers_mut().insert(axum::http::header::DATE, date);
    }
    (response, slept)
}

// ---- controls under /_mock ----

/// Parses a control's JSON body; an empty body is `{}`, so `curl -X POST` works without `-d`.
fn body_json<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let raw: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(raw).map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

#[derive(Serialize)]
struct WorldChannel {
    #[serde(flatten)]
    channel: MockChannel,
    moderators: Vec<String>,
    live: bool,
    videos: Vec<MockVideo>,
}

/// The videos of channel `c`, newest first, as the helpers and `/_mock/world` report them.
fn mock_videos(world: &World, c: usize) -> Vec<MockVideo> {
    let user_id = world.channels[c].id.to_string();
    world
        .videos
        .iter()
        .rev()
        .filter(|v| v.channel == c)
        .map(|v| {
            let plan = chat_replay::plan(world, v);
            MockVideo {
                id: v.id.to_string(),
                user_id: user_id.clone(),
                video_type: v.kind.as_str().to_owned(),
                created_at: rfc3339(v.created_at),
                duration_seconds: u64::from(v.duration),
                comments: plan.comments,
                deleted: v.deleted,
                chat_end_seconds: plan.end,
                created_at_shift_seconds: plan.shift,
            }
        })
        .collect()
}

#[derive(Serialize)]
struct WorldView {
    now: String,
    channels: Vec<WorldChannel>,
}

fn world_view(shared: &Shared) -> WorldView {
    let channels = shared.channels();
    let world = lock(&shared.world);
    let channels = channels
        .into_iter()
        .enumerate()
        .map(|(c, channel)| WorldChannel {
            channel,
            moderators: world.channels[c]
                .moderators
                .iter()
                .map(|&i| world.login(world.follower(c, i)))
                .collect(),
            live: world.channels[c].stream.is_some(),
            videos: mock_videos(&world, c),
        })
        .collect();
    WorldView {
        now: rfc3339(world.now),
        channels,
    }
}

/// `GET /_mock/world`: clock and channels (with moderators, live state and videos with their comment counts).
async fn world(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(world_view(&shared)).into_response()
}

/// `GET /_mock/stats`.
async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(lock(&shared.stats).clone()).into_response()
}

/// `DELETE /_mock/stats`: zeroes the counters.
async fn reset_stats(State(shared): State<Arc<Shared>>) -> StatusCode {
    *lock(&shared.stats) = MockStats::default();
    StatusCode::NO_CONTENT
}

/// `POST /_mock/advance` with an [`Advance`]; answers the new world.
async fn advance(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let a: Advance = match body_json(&body) {
        Ok(a) => a,
        Err(e) => return helix_error(&e),
    };
    let applied = lock(&shared.world).advance(&a);
    match applied {
        Ok(()) => axum::Json(world_view(&shared)).into_response(),
        Err(e) => helix_error(&ApiError::bad_request(e)),
    }
}

/// `GET /_mock/faults`: the current plan.
async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(lock(&shared.faults).plan()).into_response()
}

/// `POST /_mock/faults` with a [`FaultPlan`]; answers the plan now in force.
async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let plan: FaultPlan = match body_json(&body) {
        Ok(p) => p,
        Err(e) => return helix_error(&e),
    };
    lock(&shared.faults).set_plan(plan);
    get_faults(State(shared)).await
}

#[derive(Deserialize)]
struct FailNext {
    #[serde(default = "one")]
    n: u32,
    kind: Fault,
    /// Only `/gql` requests take them.
    #[serde(default)]
    gql_only: bool,
    /// Only `/oauth2/` requests take them.
    #[serde(default)]
    oauth_only: bool,
    /// Requests (of the same kind) let by first.
    #[serde(default)]
    after: u32,
}

fn one() -> u32 {
    1
}

/// `POST /_mock/fail-next` with `{"n":2,"kind":"reset"}` (kinds: `{"server_error":503}`, `reset`, `truncate`,
/// `malformed`, `rate_limit`, and for `/gql` only `gql_service_error`, `gql_integrity`, `gql_cursor_missing`,
/// `gql_cursor_null`, `gql_cursor_empty`, `gql_cursor_repeated`, `gql_video_null`, `gql_no_video`,
/// `gql_data_null`); `"gql_only":true` keeps any kind for `/gql` requests, `"oauth_only":true` for `/oauth2/`
/// ones; `"after":3` lets three such requests by first.
async fn fail_next(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match body_json::<FailNext>(&body) {
        Ok(f) => {
            let scope = match (f.oauth_only, f.gql_only || f.kind.gql_only()) {
                (true, _) => Scope::OAuth,
                (false, true) => Scope::Gql,
                (false, false) => Scope::HelixOrGql,
            };
            lock(&shared.faults).force_after(f.after, f.n, f.kind, scope);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => helix_error(&e),
    }
}

/// The chat (IRC) knobs as `/_mock/irc` shows them, with what each room sent.
#[derive(Serialize)]
struct IrcState {
    rate: u64,
    quiet: bool,
    reconnect_after: u64,
    reconnect_every_ms: u64,
    ping_every_ms: u64,
    sent: BTreeMap<String, IrcSent>,
}

/// `GET /_mock/irc`: the chat knobs and the per-room counters.
async fn get_irc(State(shared): State<Arc<Shared>>) -> Response {
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    axum::Json(IrcState {
        rate: load(&shared.irc_rate),
        quiet: shared.irc_quiet.load(Ordering::Relaxed),
        reconnect_after: load(&shared.irc_reconnect_after),
        reconnect_every_ms: load(&shared.irc_reconnect_every_ms),
        ping_every_ms: load(&shared.irc_ping_every_ms),
        sent: lock(&shared.irc_rooms).sent(),
    })
    .into_response()
}

/// What `POST /_mock/irc` may change; fields left out stay as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IrcControl {
    rate: Option<u64>,
    quiet: Option<bool>,
    reconnect_after: Option<u64>,
    reconnect_every_ms: Option<u64>,
    ping_every_ms: Option<u64>,
    /// Channels to suspend.
    #[serde(default)]
    suspend: Vec<String>,
    /// `[from, into]` pairs for Shared Chat.
    #[serde(default)]
    share: Vec<[String; 2]>,
    /// `{"login":..,"line":..}` lines to deliver now.
    #[serde(default)]
    inject: Vec<IrcInjection>,
}

#[derive(Deserialize)]
struct IrcInjection {
    login: String,
    line: String,
}

/// `POST /_mock/irc` with an [`IrcControl`], e.g. `{"rate":2000}`, `{"quiet":true,"reconnect_every_ms":60000}`,
/// `{"share":[["a","b"]]}`; answers as `GET /_mock/irc`.
async fn set_irc(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let c: IrcControl = match body_json(&body) {
        Ok(c) => c,
        Err(e) => return helix_error(&e),
    };
    let set = |a: &std::sync::atomic::AtomicU64, v: Option<u64>| {
        if let Some(v) = v {
            a.store(v, Ordering::Relaxed);
        }
    };
    set(&shared.irc_rate, c.rate);
    set(&shared.irc_reconnect_after, c.reconnect_after);
    set(&shared.irc_reconnect_every_ms, c.reconnect_every_ms);
    set(&shared.irc_ping_every_ms, c.ping_every_ms);
    if let Some(quiet) = c.quiet {
        shared.irc_quiet.store(quiet, Ordering::Relaxed);
    }
    {
        let mut rooms = lock(&shared.irc_rooms);
        for login in &c.suspend {
            rooms.suspend(&login.to_ascii_lowercase());
        }
        for [from, into] in &c.share {
            rooms.share(&from.to_ascii_lowercase(), &into.to_ascii_lowercase());
        }
        for i in &c.inject {
            rooms.inject(&i.login.to_ascii_lowercase(), &i.line);
        }
    }
    get_irc(State(shared)).await
}

#[derive(Deserialize)]
struct TokenRequest {
    login: String,
    #[serde(default)]
    scopes: Vec<String>,
}

/// `POST /_mock/token` with `{"login":..,"scopes":[..]}`: a user token without the device flow.
async fn mint_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(Serialize)]
    struct Minted {
        access_token: String,
        refresh_token: Option<String>,
        expires_in: u64,
        scope: Vec<String>,
        user_id: String,
        login: String,
    }
    let req: TokenRequest = match body_json(&body) {
        Ok(r) => r,
        Err(e) => return helix_error(&e),
    };
    let (user, user_id, login) = {
        let world = lock(&shared.world);
        let Some(user): Option<UserRef> = world.user_by_login(&req.login) else {
            return helix_error(&ApiError::not_found(format!("no user with login {:?}", req.login)));
        };
        (user, world.user_id(user).to_string(), world.login(user))
    };
    let (access_token, info) = lock(&shared.tokens).mint_user(&shared.config.client_id, user, req.scopes);
    axum::Json(Minted {
        access_token,
        refresh_token: info.refresh_token.clone(),
        expires_in: info.expires_in(),
        scope: info.scopes,
        user_id,
        login,
    })
    .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExpireRequest {
    token: Option<String>,
}

/// `POST /_mock/expire` with `{"token":".."}`, or `{}` to expire every access token.
async fn expire(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match body_json::<ExpireRequest>(&body) {
        Ok(ExpireRequest { token: Some(t) }) => lock(&shared.tokens).expire(&t),
        Ok(ExpireRequest { token: None }) => lock(&shared.tokens).expire_all(),
        Err(e) => return helix_error(&e),
    }
    StatusCode::NO_CONTENT.into_response()
}
