//! Twitch's GQL endpoint: undocumented, used only for what Helix does not offer (VOD chat replay, VOD
//! chapters). Requests
//! carry the first-party `Client-Id` chat tools use and **no Authorization header** (an invalid one turns
//! an anonymous 200 into a 401). Errors come in-band in a 200: integrity and unknown persisted queries are
//! final; "service error" and `comments: null` are transient and retried like 5xx.
//! Facts observed, not documented: see shared/reference/twitch-chat.md.

pub mod chapters;
pub mod comments;

use serde_json::Value;
use std::sync::atomic::Ordering;

use super::Client;
use crate::error::{Error, Result};

/// The Client-Id every maintained chat downloader sends (the web one fails cursor paging since 2023-05).
pub const DEFAULT_CLIENT_ID: &str = "kd1unb4b3q4t58fwlpcbzcbnm76a8fp";
/// The persisted query hash of `VideoCommentsByOffsetOrCursor` (stable 2022 to 2026; configurable because
/// Twitch may rotate it without notice).
pub const DEFAULT_COMMENTS_HASH: &str = "b70a3591ff0f4e0313d126c6a1502d79a1c02baebb288227c582044aa76adf6a";

/// The persisted query hash of `VideoPlayer_ChapterSelectButtonVideo` current clients send (TwitchDownloader
/// HEAD and others, 2025-2026). It has rotated before (`8d279338...`, still in yt-dlp), so it is configurable.
pub const DEFAULT_CHAPTERS_HASH: &str = "71835d5ef425e154bf282453a926d99b328cdc5e32f36d3a209d0f4778b41203";

/// GQL settings.
#[derive(Clone, Debug)]
pub struct GqlConfig {
    /// `Client-Id` sent to GQL.
    pub client_id: String,
    /// The comments query's hash.
    pub comments_hash: String,
    /// The chapters query's hash.
    pub chapters_hash: String,
}

impl Default for GqlConfig {
    fn default() -> Self {
        GqlConfig {
            client_id: DEFAULT_CLIENT_ID.into(),
            comments_hash: DEFAULT_COMMENTS_HASH.into(),
            chapters_hash: DEFAULT_CHAPTERS_HASH.into(),
        }
    }
}

/// How an answer's content reads, beyond HTTP.
pub(crate) enum Reading<T> {
    Ok(T),
    /// Worth another try (Twitch's in-band "service error").
    Retry(String),
    /// Final.
    Fail(Error),
    /// Not JSON at all (a truncated or garbled body): retried like a broken transfer.
    Broken(serde_json::Error),
}

impl Client {
    /// POSTs one GQL operation and reads the answer with `read`, retrying transport failures, 5xx, broken
    /// bodies and what `read` calls transient.
    pub(crate) async fn gql<T>(&self, operation: &Value, read: impl Fn(&[u8]) -> Reading<T>) -> Result<T> {
        let url = self.endpoints.gql.to_string();
        let mut failures = 0u32;
        loop {
            self.count_request();
            let outcome = self.gql_attempt(&url, operation).await;
            let retry = match outcome {
                Ok(body) => match read(&body) {
                    Reading::Ok(value) => return Ok(value),
                    Reading::Fail(error) => return Err(error),
                    Reading::Retry(message) => Error::Gql {
                        url: url.clone(),
                        message,
                    },
                    Reading::Broken(source) => Error::Decode {
                        url: url.clone(),
                        source,
                    },
                },
                Err(error @ (Error::Transport { .. } | Error::GaveUp { .. } | Error::Decode { .. })) => error,
                Err(error) => return Err(error),
            };
            failures += 1;
            if failures > self.retry.max_retries {
                return Err(retry);
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            self.pause(self.retry.backoff(failures)).await?;
        }
    }

    async fn gql_attempt(&self, url: &str, operation: &Value) -> Result<bytes::Bytes> {
        let transport = |source| Error::Transport {
            url: url.to_owned(),
            attempts: 1,
            source,
        };
        let response = self
            .http
            .post(url)
            .header("Client-Id", &self.gql.client_id)
            .json(operation)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Error::GaveUp {
                url: url.to_owned(),
                attempts: 1,
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            let message = format!(
                "HTTP {}: {}",
                status.as_u16(),
                String::from_utf8_lossy(&body).chars().take(200).collect::<String>()
            );
            return Err(Error::Gql {
                url: url.to_owned(),
                message,
            });
        }
        Ok(body)
    }
}

/// One entry of a GQL answer's `errors`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct GqlError {
    /// Usually a string; anything else is ignored.
    message: Option<Value>,
}

/// Reads a GQL answer as `A` with the messages of its `errors` (`errors_of`), or the reading that ends the
/// request: a body that is not JSON is a broken transfer (retried), JSON of another shape is final, and so are
/// the in-band refusals no retry mends (the integrity check, a persisted query Twitch does not know).
pub(crate) fn read_answer<A: serde::de::DeserializeOwned, T>(
    url: &str,
    video: &str,
    operation: &'static str,
    body: &[u8],
    errors_of: impl Fn(&A) -> &[GqlError],
) -> std::result::Result<(A, Vec<String>), Reading<T>> {
    let answer: A = match serde_json::from_slice(body) {
        Ok(answer) => answer,
        Err(source) => match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Err(_) => return Err(Reading::Broken(source)),
            Ok(_) => {
                return Err(Reading::Fail(Error::Decode {
                    url: url.to_owned(),
                    source,
                }));
            }
        },
    };
    let messages = error_messages(errors_of(&answer));
    for message in &messages {
        match message.as_str() {
            "failed integrity check" => {
                return Err(Reading::Fail(Error::GqlIntegrity {
                    video: video.to_owned(),
                }));
            }
            "PersistedQueryNotFound" => return Err(Reading::Fail(Error::GqlPersistedQuery { operation })),
            _ => {}
        }
    }
    Ok((answer, messages))
}

/// The messages of a GQL answer's `errors`.
pub(crate) fn error_messages(errors: &[GqlError]) -> Vec<String> {
    errors
        .iter()
        .filter_map(|e| e.message.as_ref()?.as_str().map(str::to_owned))
        .collect()
}
