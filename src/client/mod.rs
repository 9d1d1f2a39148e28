//! The Twitch clients: one `Client` holds the HTTP connection pool, the endpoints (overridable for the fake
//! Twitch), the tokens, the shared rate budget and the retry policy. It knows HTTP and JSON, never SQL: the
//! sync engine takes its pages and hands them to the archive.
//!
//! Every Helix request goes through [`Client::helix_page`], which waits for the rate budget, renews a token
//! once on a 401, waits out a 429 until a point is back, retries 5xx, resets and broken bodies with jittered
//! backoff, and otherwise fails with an error that names the URL. A page is either whole or an error. Every
//! wait is cut by the client's cancellation token ([`Client::set_cancel`]): the request then ends with
//! [`Error::Interrupted`], and a request already sent is still read to its end.

pub mod auth;
pub mod gql;
pub mod helix;
pub mod ids;
pub mod irc;
mod pager;
pub mod ratelimit;
pub mod retry;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use url::Url;

use crate::cache::{Cache, CacheKey, CachedResponse};
use crate::error::{Error, Result};
use crate::secret::Secret;
pub use auth::{Auth, StoredToken, TokenStore};
pub use ids::{GameId, Login, StreamId, UserId, VideoId};
pub use pager::Pager;
pub use ratelimit::RateBudget;
pub use retry::RetryPolicy;
use std::sync::Arc;

/// Twitch's production endpoints.
pub const DEFAULT_HELIX_URL: &str = "https://api.twitch.tv/helix/";
/// Twitch's production OAuth server.
pub const DEFAULT_OAUTH2_URL: &str = "https://id.twitch.tv/oauth2/";
/// The GQL endpoint chat replay uses.
pub const DEFAULT_GQL_URL: &str = "https://gql.twitch.tv/gql";

/// Where the client sends its requests.
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// Helix base, always ending in `/`.
    pub helix: Url,
    /// OAuth base, always ending in `/`.
    pub oauth: Url,
    /// The GQL endpoint.
    pub gql: Url,
    /// Twitch chat (IRC), for who is in a chat when Helix will not say.
    pub irc: irc::IrcEndpoint,
}

impl Endpoints {
    /// Parses the three base URLs; a missing trailing slash on the bases is added.
    pub fn parse(helix: &str, oauth: &str, gql: &str) -> Result<Endpoints> {
        Ok(Endpoints {
            helix: base_url("TWITCH_HELIX_URL", helix)?,
            oauth: base_url("TWITCH_OAUTH2_URL", oauth)?,
            gql: Url::parse(gql).map_err(|_| Error::InvalidUrl {
                name: "TWITCH_GQL_URL",
                value: gql.to_owned(),
            })?,
            irc: irc::IrcEndpoint::default(),
        })
    }

    /// The same endpoints with chat (IRC) at `url` (`TWITCH_IRC_URL`).
    pub fn with_irc(self, url: &str) -> Result<Endpoints> {
        Ok(Endpoints {
            irc: irc::IrcEndpoint::parse(url)?,
            ..self
        })
    }
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints::parse(DEFAULT_HELIX_URL, DEFAULT_OAUTH2_URL, DEFAULT_GQL_URL).expect("default URLs parse")
    }
}

fn base_url(name: &'static str, value: &str) -> Result<Url> {
    let with_slash = if value.ends_with('/') {
        value.to_owned()
    } else {
        format!("{value}/")
    };
    match Url::parse(&with_slash) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        _ => Err(Error::InvalidUrl {
            name,
            value: value.to_owned(),
        }),
    }
}

/// Everything needed to build a [`Client`].
#[derive(Clone, Debug, Default)]
pub struct ClientConfig {
    /// Where to send requests.
    pub endpoints: Endpoints,
    /// `TWITCH_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `TWITCH_CLIENT_SECRET`.
    pub client_secret: Option<Secret>,
    /// Where a user token is kept; `None` uses app tokens only.
    pub token_store: Option<TokenStore>,
    /// Retry and timeout policy.
    pub retry: RetryPolicy,
    /// The response cache, if any.
    pub cache: Option<Arc<dyn Cache>>,
    /// GQL's client id and query hashes.
    pub gql: gql::GqlConfig,
}

/// Counters of what a client sent, for summaries and benchmarks.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    cache_hits: AtomicU64,
}

/// A snapshot of the client's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// HTTP requests sent to Helix and GQL (retries included).
    pub requests: u64,
    /// Requests that were retries after an error.
    pub retries: u64,
    /// 429 answers waited out.
    pub rate_limited: u64,
    /// Pages answered from the cache (no request sent).
    pub cache_hits: u64,
}

tokio::task_local! {
    /// The request counter of the task running inside [`metered`], if any.
    static METER: Arc<AtomicU64>;
}

/// Runs `work`, counting the Helix requests it sends (retries included), including those of futures it
/// joins; requests of concurrent work outside it are not counted. The sync uses it for per-channel figures
/// while channels share one client.
pub async fn metered<F: Future>(work: F) -> (F::Output, u64) {
    let meter = Arc::new(AtomicU64::new(0));
    let output = METER.scope(meter.clone(), work).await;
    let counted = meter.load(Ordering::Relaxed);
    // A metered scope inside another (a part inside a channel) counts for both.
    let _outside_metered = METER.try_with(|outer| outer.fetch_add(counted, Ordering::Relaxed));
    (output, counted)
}

/// The Twitch client. Cheap to share behind an `Arc`; all methods take `&self`.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    endpoints: Endpoints,
    auth: Auth,
    budget: RateBudget,
    retry: RetryPolicy,
    counters: Counters,
    cache: Option<Arc<dyn Cache>>,
    gql: gql::GqlConfig,
    /// Set after the first cache failure, so a broken backend is reported once, then bypassed.
    cache_failed: std::sync::atomic::AtomicBool,
    /// Cancelled to cut every wait (Ctrl-C, SIGTERM).
    cancel: tokio_util::sync::CancellationToken,
}

/// Whether the caller of a Helix GET keeps its answer whole in the archive (see [`Client::helix_page_with`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    /// Any cache may store and serve the answer.
    NotByTheCaller,
    /// The archive keeps the answer's items whole: a cache inside the archive leaves it alone.
    InTheArchive,
}

/// One page of a Helix list: the parsed items, each item's raw JSON (for fields we do not model), the cursor of
/// the next page and the list's `total` where Twitch sends one.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// Parsed items, in Twitch's order.
    pub items: Vec<T>,
    /// The same items as Twitch sent them.
    pub raw: Vec<Value>,
    /// The `after` cursor of the next page; `None` on the last page.
    pub cursor: Option<String>,
    /// `total`, on the endpoints that have one.
    pub total: Option<u64>,
    /// Twitch's clock when it answered (the `Date` header); `None` for an answer from the cache or without one.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
    /// `points`, on Get Broadcaster Subscriptions.
    pub points: Option<u64>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "list_or_object")]
    data: Vec<Value>,
    #[serde(default)]
    pagination: Option<Pagination>,
    total: Option<u64>,
    #[serde(default)]
    points: Option<u64>,
}

/// `data` is a list everywhere but Get Channel Stream Schedule, where it is one object: read that as a list of one.
fn list_or_object<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<Value>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(object) => vec![object],
    })
}

#[derive(Deserialize)]
struct Pagination {
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct HelixErrorBody {
    #[serde(default)]
    message: String,
}

/// What one attempt came to.
enum Attempt {
    /// The parsed answer, its body as received (for the cache) and its `Date`.
    Done(Envelope, bytes::Bytes, Option<chrono::DateTime<chrono::Utc>>),
    /// Worth another try after a backoff; the error is what we report if the tries run out.
    Retry(Error),
    /// 429: wait this long, then try again.
    RateLimited(std::time::Duration),
    /// 401: renew the token once, then try again.
    Unauthorized(String),
    /// An answer that retrying will not change (a 4xx).
    Fail(Error),
}

impl Client {
    /// Builds a client; nothing is sent until the first request.
    pub fn new(config: ClientConfig) -> Result<Client> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("itch/", env!("CARGO_PKG_VERSION")))
            .timeout(config.retry.timeout)
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(Error::HttpSetup)?;
        let auth = Auth::new(
            config.endpoints.oauth.clone(),
            config.client_id,
            config.client_secret,
            config.token_store,
            config.retry.clone(),
        );
        Ok(Client {
            http,
            endpoints: config.endpoints,
            auth,
            budget: RateBudget::default(),
            retry: config.retry,
            counters: Counters::default(),
            cache: config.cache,
            gql: config.gql,
            cache_failed: Default::default(),
            cancel: Default::default(),
        })
    }

    /// Cuts every wait of this client (rate budget, 429, backoff) once `cancel` is cancelled: the request
    /// waiting ends with [`Error::Interrupted`].
    pub fn set_cancel(&mut self, cancel: tokio_util::sync::CancellationToken) {
        self.cancel = cancel;
    }

    /// Sleeps `duration`, or less: `Err(Interrupted)` as soon as the client's cancellation token is cancelled.
    pub async fn pause(&self, duration: std::time::Duration) -> Result<()> {
        tokio::select! {
            () = tokio::time::sleep(duration) => Ok(()),
            () = self.cancel.cancelled() => Err(Error::Interrupted),
        }
    }

    /// Sets (or removes) the response cache.
    pub fn set_cache(&mut self, cache: Option<Arc<dyn Cache>>) {
        self.cache = cache;
    }

    /// The endpoints in use.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The OAuth side: login, validate, logout.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The underlying HTTP client (for the OAuth calls).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The shared rate budget.
    pub fn budget(&self) -> &RateBudget {
        &self.budget
    }

    /// What has been sent so far.
    pub fn stats(&self) -> RequestStats {
        RequestStats {
            requests: self.counters.requests.load(Ordering::Relaxed),
            retries: self.counters.retries.load(Ordering::Relaxed),
            rate_limited: self.counters.rate_limited.load(Ordering::Relaxed),
            cache_hits: self.counters.cache_hits.load(Ordering::Relaxed),
        }
    }

    /// The id of the user whose token the client sends, if it is a user token (getting one if needed).
    pub async fn token_user_id(&self) -> Result<Option<UserId>> {
        Ok(self.auth.bearer(&self.http).await?.user_id.map(UserId))
    }

    /// GETs one Helix page of `path` (relative to the Helix base) and parses its items as `T`.
    pub async fn helix_page<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<Page<T>> {
        self.helix_page_with(path, query, Kept::NotByTheCaller).await
    }

    /// As [`Client::helix_page`], saying whether the caller keeps the answer whole in the archive: a cache
    /// inside the archive does not store such an answer (a follower walk's hydrated accounts) a second time,
    /// compressed, in the same file. A cache elsewhere (file, Redis, memcached) still does: it outlives the
    /// archive and can serve other archives.
    pub(crate) async fn helix_page_with<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        kept: Kept,
    ) -> Result<Page<T>> {
        let mut url = self.endpoints.helix.join(path).map_err(|_| Error::InvalidUrl {
            name: "TWITCH_HELIX_URL",
            value: format!("{}{path}", self.endpoints.helix),
        })?;
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        let cached_here = self
            .cache
            .as_ref()
            .is_some_and(|cache| kept == Kept::NotByTheCaller || !cache.lives_in_archive());
        let policy = crate::cache::freshness(path, query).filter(|_| cached_here);
        let key = policy.map(|_| CacheKey::of("GET", &url, None));
        let cached = match &key {
            Some(key) => self
                .cache_get(key)
                .await
                .and_then(|body| serde_json::from_slice::<Envelope>(&body).ok()),
            None => None,
        };
        let (envelope, date) = match cached {
            Some(envelope) => {
                self.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
                (envelope, None)
            }
            None => {
                let (envelope, body, date) = self.get_envelope(path, &url).await?;
                if let (Some(key), Some((kind, ttl))) = (key, policy) {
                    let fetched_at = chrono::Utc::now();
                    let response = CachedResponse {
                        kind,
                        url: url.to_string(),
                        status: 200,
                        fetched_at,
                        body: body.to_vec(),
                    };
                    self.cache_put(key, response, ttl).await;
                }
                (envelope, date)
            }
        };
        let items = envelope
            .data
            .iter()
            .map(T::deserialize)
            .collect::<std::result::Result<Vec<T>, _>>()
            .map_err(|source| Error::Decode {
                url: url.to_string(),
                source,
            })?;
        let cursor = envelope.pagination.and_then(|p| p.cursor).filter(|c| !c.is_empty());
        Ok(Page {
            items,
            raw: envelope.data,
            cursor,
            total: envelope.total,
            date,
            points: envelope.points,
        })
    }

    /// Counts a request sent, in the client's stats and in the [`metered`] scope if any.
    fn count_request(&self) {
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let _outside_metered = METER.try_with(|meter| meter.fetch_add(1, Ordering::Relaxed));
    }

    /// A fresh cached body for `key`; cache failures are warned about once and then bypassed.
    async fn cache_get(&self, key: &CacheKey) -> Option<Vec<u8>> {
        let cache = self
            .cache
            .clone()
            .filter(|_| !self.cache_failed.load(Ordering::Relaxed))?;
        let key = key.clone();
        match tokio::task::spawn_blocking(move || cache.get(&key))
            .await
            .expect("cache task does not panic")
        {
            Ok(hit) => hit.map(|response| response.body),
            Err(error) => {
                self.cache_broken(&error);
                None
            }
        }
    }

    async fn cache_put(&self, key: CacheKey, response: CachedResponse, ttl: std::time::Duration) {
        let Some(cache) = self
            .cache
            .clone()
            .filter(|_| !self.cache_failed.load(Ordering::Relaxed))
        else {
            return;
        };
        if let Err(error) = tokio::task::spawn_blocking(move || cache.put(&key, &response, ttl))
            .await
            .expect("cache task does not panic")
        {
            self.cache_broken(&error);
        }
    }

    fn cache_broken(&self, error: &Error) {
        if !self.cache_failed.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the response cache failed, going on without it: {}",
                crate::error::display_chain(error)
            );
        }
    }

    /// The request loop: rate budget, token, retries. Returns only a whole, parsed answer, with its body.
    async fn get_envelope(
        &self,
        path: &str,
        url: &Url,
    ) -> Result<(Envelope, bytes::Bytes, Option<chrono::DateTime<chrono::Utc>>)> {
        let (mut failures, mut rate_limited, mut renewed) = (0u32, 0u32, false);
        loop {
            let bearer = self.auth.bearer(&self.http).await?;
            let outcome = {
                let permit = self.budget.acquire(&self.cancel).await?;
                self.count_request();
                self.attempt(path, url, &bearer, &permit).await
            };
            match outcome {
                Attempt::Done(envelope, body, date) => return Ok((envelope, body, date)),
                Attempt::RateLimited(wait) => {
                    rate_limited += 1;
                    self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                    if rate_limited > self.retry.max_rate_limited {
                        return Err(Error::GaveUp {
                            url: url.to_string(),
                            attempts: rate_limited,
                            status: 429,
                        });
                    }
                    // The first 429 waits for the point the headers say is missing; more in a row mean the
                    // bucket is not what its headers say (another client on it): back off too.
                    let wait = match rate_limited {
                        1 => wait,
                        n => wait.max(self.retry.backoff(n - 1)),
                    };
                    tracing::info!(%url, ?wait, "rate limited by Twitch, waiting for points to come back");
                    self.pause(wait).await?;
                }
                // A scope the token lacks is not a stale token: a renewed one would lack it too.
                Attempt::Unauthorized(message) if !renewed && !message.starts_with("Missing scope") => {
                    renewed = true;
                    tracing::debug!(%url, message, "token refused, renewing it once");
                    self.auth.renew(&self.http, &bearer).await?;
                }
                Attempt::Unauthorized(message) => {
                    return Err(Error::Unauthorized {
                        path: path.to_owned(),
                        message,
                    });
                }
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry(error) => {
                    failures += 1;
                    if failures > self.retry.max_retries {
                        return Err(with_attempts(error, failures));
                    }
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    let pause = self.retry.backoff(failures);
                    tracing::debug!(%url, error = %error, ?pause, "retrying");
                    self.pause(pause).await?;
                }
            }
        }
    }

    async fn attempt(&self, path: &str, url: &Url, bearer: &auth::Bearer, permit: &ratelimit::Permit<'_>) -> Attempt {
        let sent = self
            .http
            .get(url.clone())
            .header("Client-Id", &bearer.client_id)
            .bearer_auth(bearer.token.expose())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(source) => {
                return Attempt::Retry(Error::Transport {
                    url: url.to_string(),
                    attempts: 1,
                    source,
                });
            }
        };
        self.budget.observe(response.headers(), permit);
        let status = response.status();
        let date = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        if status.as_u16() == 429 {
            return Attempt::RateLimited(self.budget.wait_after_429(response.headers()));
        }
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(source) => {
                return Attempt::Retry(Error::Transport {
                    url: url.to_string(),
                    attempts: 1,
                    source,
                });
            }
        };
        if status.is_success() {
            return match serde_json::from_slice::<Envelope>(&body) {
                Ok(envelope) => Attempt::Done(envelope, body, date),
                // A 200 that does not parse is a broken transfer (a proxy, a cut connection): try again.
                Err(source) => Attempt::Retry(Error::Decode {
                    url: url.to_string(),
                    source,
                }),
            };
        }
        let message = serde_json::from_slice::<HelixErrorBody>(&body)
            .map(|b| b.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).chars().take(200).collect());
        match status.as_u16() {
            401 => Attempt::Unauthorized(message),
            500..=599 => Attempt::Retry(Error::GaveUp {
                url: url.to_string(),
                attempts: 1,
                status: status.as_u16(),
            }),
            status => Attempt::Fail(Error::Helix {
                method: "GET",
                path: path.to_owned(),
                status,
                message,
            }),
        }
    }
}

/// Sets the attempt count on the error we give up with.
fn with_attempts(error: Error, attempts: u32) -> Error {
    match error {
        Error::Transport { url, source, .. } => Error::Transport { url, attempts, source },
        Error::GaveUp { url, status, .. } => Error::GaveUp { url, attempts, status },
        other => other,
    }
}
