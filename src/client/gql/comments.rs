//! VOD chat replay: `VideoCommentsByOffsetOrCursor`. The first page of a stretch is asked for by offset
//! (seconds into the VOD; Twitch may start a little earlier), later ones by the last edge's cursor (every
//! edge of a page carries the same one). No page size can be chosen.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use super::{GqlError, Reading};
use crate::client::Client;
use crate::error::Error;
use crate::error::Result;

/// Who wrote a comment.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Commenter {
    pub id: String,
    pub login: String,
    pub display_name: Option<String>,
}

/// An emote inside a fragment: `id` is `"<emoteID>;<begin>;<end>"`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FragmentEmote {
    pub id: Option<String>,
    #[serde(rename = "emoteID")]
    pub emote_id: Option<String>,
    pub from: Option<i64>,
}

/// A piece of a message: text, or an emote with its text.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Fragment {
    pub text: Option<String>,
    pub emote: Option<FragmentEmote>,
}

/// A badge shown beside the name.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Badge {
    #[serde(rename = "setID", default)]
    pub set_id: String,
    #[serde(default)]
    pub version: String,
}

/// A comment's body.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    #[serde(default)]
    pub fragments: Vec<Fragment>,
    #[serde(default, deserialize_with = "crate::client::helix::null_as_default")]
    pub user_badges: Vec<Badge>,
    pub user_color: Option<String>,
}

/// One chat message of a VOD.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// The message id (a UUID; the same as live chat's `id` tag).
    pub id: String,
    /// `None` when Twitch no longer knows the user.
    pub commenter: Option<Commenter>,
    pub content_offset_seconds: u64,
    /// As Twitch sends it: sometimes local time labelled UTC (see [`Comment::created_at_fixed`]).
    pub created_at: DateTime<Utc>,
    pub message: Message,
}

impl Comment {
    /// The text: the fragments' texts joined.
    pub fn text(&self) -> String {
        self.message
            .fragments
            .iter()
            .filter_map(|f| f.text.as_deref())
            .collect()
    }

    /// `created_at`, unless it is impossible: since about April 2025 Twitch sometimes sends local time
    /// labelled UTC, which puts a comment before its video started. Then the time is rebuilt from the
    /// video's start and the offset. Returns the time and whether it was rebuilt.
    pub fn created_at_fixed(&self, video_created_at: DateTime<Utc>) -> (DateTime<Utc>, bool) {
        if self.created_at < video_created_at - chrono::Duration::minutes(5) {
            (
                video_created_at + chrono::Duration::seconds(self.content_offset_seconds as i64),
                true,
            )
        } else {
            (self.created_at, false)
        }
    }

    /// Emotes as `(id, begin, end)`, from the fragments' `emote.id` (`"<id>;<begin>;<end>"`).
    pub fn emotes(&self) -> Vec<(String, Option<i64>, Option<i64>)> {
        self.message
            .fragments
            .iter()
            .filter_map(|f| f.emote.as_ref())
            .map(|e| {
                let mut parts = e.id.as_deref().unwrap_or_default().split(';');
                let first = parts.next().filter(|p| !p.is_empty()).map(str::to_owned);
                let id = e.emote_id.clone().or(first).unwrap_or_default();
                let begin = parts.next().and_then(|p| p.parse().ok()).or(e.from);
                let end = parts.next().and_then(|p| p.parse().ok());
                (id, begin, end)
            })
            .collect()
    }
}

/// One page of a VOD's chat.
#[derive(Clone, Debug)]
pub struct CommentsPage {
    /// The comments, in Twitch's order (offset order), each with its JSON exactly as Twitch sent it.
    pub comments: Vec<(Comment, Box<RawValue>)>,
    /// The cursor of the next page (the last edge's), as sent: missing and `null` are `None`, and it may be
    /// empty; the caller decides whether it is usable.
    pub cursor: Option<String>,
    /// Whether Twitch says more follow.
    pub has_next: bool,
}

// The answer, read in one pass: each node is kept as its raw text (stored verbatim) and read into a
// `Comment` from that text, never built into a `Value` tree.
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errors: Option<Vec<GqlError>>,
    data: Option<Data>,
}

impl Answer {
    fn errors(&self) -> &[GqlError] {
        self.errors.as_deref().unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Data {
    /// `None`: no `video` key at all (another query's answer); `Some(None)`: `"video": null`, the video is gone.
    #[serde(default, deserialize_with = "present")]
    video: Option<Option<VideoComments>>,
}

/// Tells a field that is there (even as `null`) from one that is not.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
struct VideoComments {
    comments: Option<Comments>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comments {
    #[serde(default)]
    edges: Vec<Edge>,
    page_info: Option<PageInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    #[serde(default)]
    has_next_page: bool,
}

#[derive(Deserialize)]
struct Edge {
    cursor: Option<String>,
    node: Box<RawValue>,
}

/// Where a page starts.
#[derive(Clone, Debug)]
pub enum From {
    /// Seconds into the VOD (Twitch may answer with earlier comments too).
    Offset(u64),
    /// A cursor from the previous page.
    Cursor(String),
}

/// Fetches one page of the chat of `video`.
pub async fn fetch_comments(client: &Client, video: &str, from: &From) -> Result<CommentsPage> {
    let variables = match from {
        From::Offset(seconds) => json!({"videoID": video, "contentOffsetSeconds": seconds}),
        From::Cursor(cursor) => json!({"videoID": video, "cursor": cursor}),
    };
    let operation = json!({
        "operationName": "VideoCommentsByOffsetOrCursor",
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": client.gql.comments_hash}},
    });
    let url = client.endpoints().gql.to_string();
    client.gql(&operation, |body| read_page(&url, video, body)).await
}

fn read_page(url: &str, video: &str, body: &[u8]) -> Reading<CommentsPage> {
    let decode = |source| {
        Reading::Fail(Error::Decode {
            url: url.to_owned(),
            source,
        })
    };
    let (answer, messages) = match super::read_answer(url, video, "VideoCommentsByOffsetOrCursor", body, Answer::errors)
    {
        Ok(read) => read,
        Err(reading) => return reading,
    };
    // Only `"video": null` with no error means the video is gone. No `data` or no `video` at all is not this
    // query's answer: with an error it is Twitch's in-band failure (retried), without one it is final.
    let no_video = |problem: &str, messages: Vec<String>| match messages.into_iter().next() {
        Some(message) => Reading::Retry(message),
        None => Reading::Fail(Error::GqlNoVideo {
            video: video.to_owned(),
            url: url.to_owned(),
            problem: problem.to_owned(),
        }),
    };
    let Some(data) = answer.data else {
        return no_video("data is null or missing", messages);
    };
    let found = match data.video {
        None => return no_video("data has no video field", messages),
        Some(None) if messages.is_empty() => {
            return Reading::Fail(Error::VideoNotFound {
                video: video.to_owned(),
            });
        }
        // A resolver failure also leaves `video` null, with the reason in `errors`: not proof it is gone.
        Some(None) => return no_video("video is null", messages),
        Some(Some(found)) => found,
    };
    let Some(comments) = found.comments else {
        // Twitch's transient "service error": comments null, sometimes with the message in `errors`.
        let message = messages.into_iter().next().unwrap_or_else(|| "comments: null".into());
        return Reading::Retry(message);
    };
    let has_next = comments.page_info.is_some_and(|p| p.has_next_page);
    let cursor = comments.edges.last().and_then(|e| e.cursor.clone());
    let mut parsed = Vec::with_capacity(comments.edges.len());
    for edge in comments.edges {
        match serde_json::from_str::<Comment>(edge.node.get()) {
            Ok(comment) => parsed.push((comment, edge.node)),
            Err(source) => return decode(source),
        }
    }
    Reading::Ok(CommentsPage {
        comments: parsed,
        cursor,
        has_next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gql/comments.json")).unwrap()
    }

    fn read(answer: serde_json::Value) -> Reading<CommentsPage> {
        read_page("u", "1", answer.to_string().as_bytes())
    }

    #[test]
    fn reads_a_captured_page() {
        let Reading::Ok(page) = read_page("u", "1", &page()) else {
            panic!("not a page")
        };
        assert_eq!(page.comments.len(), 3);
        assert!(page.has_next);
        assert_eq!(page.cursor.as_deref(), Some("eyJpZCI6ImMifQ"));
        let (first, _) = &page.comments[0];
        assert_eq!(first.text(), "hello Kappa world");
        assert_eq!(first.emotes(), vec![("25".to_owned(), Some(6), Some(10))]);
        assert_eq!(first.message.user_badges[0].set_id, "subscriber");
        assert!(page.comments[2].0.commenter.is_none(), "deleted users are kept as None");
    }

    #[test]
    fn in_band_errors_are_sorted_into_final_and_transient() {
        let integrity =
            json!({"errors":[{"message":"failed integrity check"}],"extensions":{"challenge":{"type":"integrity"}}});
        assert!(matches!(read(integrity), Reading::Fail(Error::GqlIntegrity { .. })));
        let persisted = json!({"errors":[{"message":"PersistedQueryNotFound"}]});
        assert!(matches!(
            read(persisted),
            Reading::Fail(Error::GqlPersistedQuery { .. })
        ));
        assert!(matches!(
            read(json!({"data":{"video":null}})),
            Reading::Fail(Error::VideoNotFound { .. })
        ));
        // Issue 11, item 9: no `data.video` at all is not "video deleted".
        for other in [
            json!({"data":{}}),
            json!({"data":{"user":null}}),
            json!({"data":null}),
            json!({}),
        ] {
            assert!(
                matches!(read(other.clone()), Reading::Fail(Error::GqlNoVideo { .. })),
                "{other}"
            );
        }
        for partial in [
            json!({"data":null,"errors":[{"message":"service unavailable"}]}),
            json!({"data":{"video":null},"errors":[{"message":"service timeout","path":["video"]}]}),
            json!({"data":{},"errors":[{"message":"service unavailable"}]}),
        ] {
            assert!(matches!(read(partial.clone()), Reading::Retry(_)), "{partial}");
        }
        let service = json!({"errors":[{"message":"service error"}],"data":{"video":{"id":"1","comments":null}}});
        assert!(matches!(read(service), Reading::Retry(_)));
        assert!(
            matches!(read_page("u", "1", b"{\"data\":{\"vid"), Reading::Broken(_)),
            "a truncated body is retried"
        );
        assert!(
            matches!(
                read(json!({"data":{"video":{"comments":{"edges":{}}}}})),
                Reading::Fail(Error::Decode { .. })
            ),
            "JSON of another shape is final"
        );
    }

    #[test]
    fn impossible_times_are_rebuilt_from_the_offset() {
        let Reading::Ok(page) = read_page("u", "1", &page()) else {
            panic!()
        };
        let video_start: DateTime<Utc> = "2022-09-26T17:50:00Z".parse().unwrap();
        let (ok, fixed) = page.comments[0].0.created_at_fixed(video_start);
        assert!(!fixed && ok == page.comments[0].0.created_at);
        let (rebuilt, fixed) = page.comments[1].0.created_at_fixed(video_start);
        assert!(fixed);
        assert_eq!(rebuilt, video_start + chrono::Duration::seconds(95));
    }
}
