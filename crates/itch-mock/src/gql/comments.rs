//! The `VideoCommentsByOffsetOrCursor` operation: one page of a video's chat replay, by offset or by cursor.
//!
//! Written from the shapes in the chat reference notes (section 1, "Response shape" and "Quirks"), never from
//! the client's types. The comments come from [`chat_replay`](crate::chat_replay); this file pages them:
//!
//! - Pages hold 40 to 100 comments, the size drawn from the seed and the page's first position; there is no
//!   `first` variable.
//! - An offset seek starts up to ~30 s before the second asked for (at most half a page before the first comment
//!   at or after it), as Twitch was seen to do, so clients must filter `>= start`. Past the last comment: zero
//!   edges and `hasNextPage: false`.
//! - Every edge of a page carries the same cursor, the page's last comment's: unpadded base64url JSON
//!   `{"id":"<uuid of the last comment>","hk":"broadcast:<stream id>","sk":"<16 bytes, base64url>"}`. `sk` holds
//!   the position (masked, with a check), so the fake continues from it without state; a cursor of another video
//!   or a forged one gets `invalid cursor` with `comments: null`.
//! - Empty pages mid-video are represented the way the reference saw them: `comments: null` with an in-band
//!   `service error` ([`Fault::GqlServiceError`]), transient, which downloaders retry. A page with zero edges and
//!   `hasNextPage: true` would leave a client without a cursor, so the fake never sends one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ClientKind, GqlError, Reply};
use crate::Fault;
use crate::chat_replay::{Chat, Comment, Fragment};
use crate::seed::{hash, mix, tag};
use crate::world::{Video, World};

pub(super) const OPERATION: &str = "VideoCommentsByOffsetOrCursor";

/// Smallest and largest page.
const PAGE_MIN: u64 = 40;
const PAGE_MAX: u64 = 100;

/// Most seconds an offset seek starts before the second asked for.
const SEEK_BACK_MAX: u64 = 30;

/// Where a request starts.
enum Position {
    Offset(u64),
    Cursor(String),
}

struct Request {
    video_id: String,
    position: Position,
}

// ---- wire shapes (field order as in a captured 2022 response) ----

#[derive(Serialize)]
pub(super) struct Data {
    /// `Some(None)` is `"video": null`; `None` leaves `video` out (the [`Fault::GqlNoVideo`] shape).
    #[serde(skip_serializing_if = "Option::is_none")]
    video: Option<Option<VideoOut>>,
}

#[derive(Serialize)]
struct VideoOut {
    id: String,
    creator: CreatorOut,
    comments: Option<CommentsOut>,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct CreatorOut {
    id: String,
    channel: ChannelOut,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct ChannelOut {
    id: String,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CommentsOut {
    edges: Vec<EdgeOut>,
    page_info: PageInfoOut,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageInfoOut {
    has_next_page: bool,
    has_previous_page: bool,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct EdgeOut {
    /// `None` leaves the key out, `Some(None)` is `null` (both only under a fault).
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<Option<String>>,
    node: NodeOut,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeOut {
    id: String,
    commenter: Option<UserOut>,
    content_offset_seconds: u64,
    created_at: String,
    message: MessageOut,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserOut {
    id: String,
    login: String,
    display_name: String,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageOut {
    fragments: Vec<FragmentOut>,
    user_badges: Vec<BadgeOut>,
    user_color: Option<String>,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct FragmentOut {
    emote: Option<EmoteOut>,
    text: String,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct EmoteOut {
    id: String,
    #[serde(rename = "emoteID")]
    emote_id: &'static str,
    from: usize,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct BadgeOut {
    id: String,
    #[serde(rename = "setID")]
    set_id: &'static str,
    version: String,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

fn node(c: Comment) -> NodeOut {
    NodeOut {
        id: c.id,
        commenter: c.commenter.map(|u| UserOut {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            typename: "User",
        }),
        content_offset_seconds: c.offset_seconds,
        created_at: c.created_at,
        message: MessageOut {
            fragments: c
                .fragments
                .into_iter()
                .map(|f| match f {
                    Fragment::Text(text) => FragmentOut {
                        emote: None,
                        text,
                        typename: "VideoCommentMessageFragment",
                    },
                    Fragment::Emote { text, emote_id, from } => FragmentOut {
                        emote: Some(EmoteOut {
                            // `<emoteID>;<first>;<last>`, code points, last inclusive (as in a 2026 capture).
                            id: format!("{emote_id};{from};{}", from + text.chars().count() - 1),
                            emote_id,
                            from,
                            typename: "EmbeddedEmote",
                        }),
                        text: text.to_owned(),
                        typename: "VideoCommentMessageFragment",
                    },
                })
                .collect(),
            user_badges: c
                .badges
                .iter()
                .map(|b| BadgeOut {
                    id: b.id(),
                    set_id: b.set_id,
                    version: b.version.clone(),
                    typename: "Badge",
                })
                .collect(),
            user_color: c.color,
            typename: "VideoCommentMessage",
        },
        typename: "VideoComment",
    }
}

fn video_out(world: &World, v: &Video, comments: Option<CommentsOut>) -> VideoOut {
    let channel_id = world.channels[v.channel].id.to_string();
    VideoOut {
        id: v.id.to_string(),
        creator: CreatorOut {
            id: channel_id.clone(),
            channel: ChannelOut {
                id: channel_id,
                typename: "Channel",
            },
            typename: "User",
        },
        comments,
        typename: "Video",
    }
}

// ---- the operation ----

/// The variables, checked like a GraphQL server would: `videoID: ID!` plus exactly one of
/// `contentOffsetSeconds: Int` and `cursor: Cursor` (a `null` counts as absent).
fn parse(variables: Option<&Value>) -> Result<Request, GqlError> {
    let empty = serde_json::Map::new();
    let vars = match variables {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err(GqlError::new("Variables must be an object.")),
    };
    let invalid = |name: &str, v: &Value, want: &str| {
        GqlError::new(format!(
            "Variable \"${name}\" got invalid value {v}; expected type {want}."
        ))
    };
    // GraphQL's ID takes a string or an integer.
    let video_id = match vars.get("videoID") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        None | Some(Value::Null) => {
            return Err(GqlError::new(
                "Variable \"$videoID\" of required type \"ID!\" was not provided.",
            ));
        }
        Some(v) => return Err(invalid("videoID", v, "ID")),
    };
    let offset = match vars.get("contentOffsetSeconds") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.as_i64().unwrap_or(i64::MAX)),
        Some(v) => return Err(invalid("contentOffsetSeconds", v, "Int")),
    };
    let cursor = match vars.get("cursor") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => return Err(invalid("cursor", v, "Cursor")),
    };
    let position = match (offset, cursor) {
        // A negative offset reads from the start.
        (Some(s), None) => Position::Offset(s.max(0) as u64),
        (None, Some(c)) => Position::Cursor(c),
        (Some(_), Some(_)) => {
            return Err(GqlError::at_comments(
                "contentOffsetSeconds and cursor cannot both be set",
            ));
        }
        (None, None) => {
            return Err(GqlError::at_comments(
                "one of contentOffsetSeconds or cursor is required",
            ));
        }
    };
    Ok(Request { video_id, position })
}

/// The video with this id string, unless unknown or deleted (Twitch answers both with `video: null`).
fn find<'w>(world: &'w World, id: &str) -> Option<&'w Video> {
    if id.starts_with('0') {
        return None;
    }
    world.video(id.parse().ok()?).filter(|v| !v.deleted)
}

/// Answers one `VideoCommentsByOffsetOrCursor` operation.
pub(super) fn answer(
    world: &World,
    variables: Option<&Value>,
    client: ClientKind,
    fault: Option<Fault>,
) -> Reply<Data> {
    let req = match parse(variables) {
        Ok(r) => r,
        Err(e) => return Reply::error(e),
    };
    if matches!(req.position, Position::Cursor(_)) && client == ClientKind::Web || fault == Some(Fault::GqlIntegrity) {
        return Reply::integrity();
    }
    match fault {
        Some(Fault::GqlNoVideo) => return Reply::data(Data { video: None }),
        Some(Fault::GqlDataNull) => {
            return Reply {
                null_data: true,
                ..Reply::error(GqlError::new("service unavailable"))
            };
        }
        _ => {}
    }
    let Some(v) = find(world, &req.video_id).filter(|_| fault != Some(Fault::GqlVideoNull)) else {
        return Reply::data(Data { video: Some(None) });
    };
    let chat = Chat::new(world, v);
    let failed = |message: &str| Reply {
        errors: vec![GqlError::at_comments(message)],
        data: Some(Data {
            video: Some(Some(video_out(world, v, None))),
        }),
        null_data: false,
        integrity: false,
    };
    if fault == Some(Fault::GqlServiceError) {
        return failed("service error");
    }
    let n = chat.count();
    let seed = world.seed();
    let (start, size) = match &req.position {
        Position::Cursor(c) => match decode(&chat, seed, v, c) {
            Some(k) => (k + 1, page_size(hash(&[seed, tag::PAGE, v.id, k + 1]))),
            None => return failed("invalid cursor"),
        },
        &Position::Offset(second) => {
            let at = chat.first_at(second);
            let h = hash(&[seed, tag::SEEK, v.id, second]);
            let size = page_size(h);
            if at >= n {
                (n, size)
            } else {
                let back = 1 + (h >> 8) % SEEK_BACK_MAX;
                let earlier = chat.first_at(second.saturating_sub(back));
                (earlier.max(at.saturating_sub(size / 2)), size)
            }
        }
    };
    let start = start.min(n);
    let end = (start + size).min(n);
    let cursor = match (fault, &req.position) {
        (Some(Fault::GqlCursorMissing), _) | (Some(Fault::GqlCursorRepeated), Position::Offset(_)) => None,
        (Some(Fault::GqlCursorNull), _) => Some(None),
        (Some(Fault::GqlCursorEmpty), _) => Some(Some(String::new())),
        (Some(Fault::GqlCursorRepeated), Position::Cursor(asked)) => Some(Some(asked.clone())),
        _ => (end > start).then(|| Some(encode(&chat, seed, v, end - 1))),
    };
    let edges = (start..end)
        .map(|k| EdgeOut {
            cursor: cursor.clone(),
            node: node(chat.comment(k)),
            typename: "VideoCommentEdge",
        })
        .collect();
    let comments = CommentsOut {
        edges,
        page_info: PageInfoOut {
            has_next_page: end < n,
            has_previous_page: start > 0,
            typename: "PageInfo",
        },
        typename: "VideoCommentConnection",
    };
    Reply::data(Data {
        video: Some(Some(video_out(world, v, Some(comments)))),
    })
}

fn page_size(h: u64) -> u64 {
    PAGE_MIN + h % (PAGE_MAX - PAGE_MIN + 1)
}

// ---- cursors ----

#[derive(Serialize, Deserialize)]
struct CursorJson {
    id: String,
    hk: String,
    sk: String,
}

/// `broadcast:<stream id>`, or the video id for videos that never were a broadcast.
fn hash_key(v: &Video) -> String {
    format!("broadcast:{}", v.stream_id.unwrap_or(v.id))
}

fn sort_key_mask(seed: u64, v: &Video) -> u64 {
    hash(&[seed, tag::GQL, v.id, 1])
}

/// The cursor after comment `k`.
fn encode(chat: &Chat, seed: u64, v: &Video, k: u64) -> String {
    let mask = sort_key_mask(seed, v);
    let mut sk = [0u8; 16];
    sk[..8].copy_from_slice(&(k ^ mask).to_be_bytes());
    sk[8..].copy_from_slice(&mix(mask ^ mix(k)).to_be_bytes());
    let json = serde_json::to_vec(&CursorJson {
        id: chat.id(k),
        hk: hash_key(v),
        sk: URL_SAFE_NO_PAD.encode(sk),
    })
    .expect("cursor serialises");
    URL_SAFE_NO_PAD.encode(json)
}

/// The position in a cursor from [`encode`] for this video, if it is one.
fn decode(chat: &Chat, seed: u64, v: &Video, cursor: &str) -> Option<u64> {
    let json = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).ok()?;
    let c: CursorJson = serde_json::from_slice(&json).ok()?;
    if c.hk != hash_key(v) {
        return None;
    }
    let sk = URL_SAFE_NO_PAD.decode(c.sk.trim_end_matches('=')).ok()?;
    let sk: [u8; 16] = sk.try_into().ok()?;
    let mask = sort_key_mask(seed, v);
    let k = u64::from_be_bytes(sk[..8].try_into().ok()?) ^ mask;
    let check = u64::from_be_bytes(sk[8..].try_into().ok()?);
    (check == mix(mask ^ mix(k)) && k < chat.count() && c.id == chat.id(k)).then_some(k)
}

/// The cursor the fake would hand out after comment `k` of `video_id`, for tests that jump deep into a video.
#[cfg(test)]
pub(crate) fn test_cursor(world: &World, video_id: &str, k: u64) -> String {
    let v = find(world, video_id).expect("mock: no such video");
    encode(&Chat::new(world, v), world.seed(), v, k)
}
