//! Fake Get Videos (`GET /helix/videos`, reference `#get-videos`): exactly one of `id` (repeatable, up to
//! 100; 404 when none exists), `user_id` or `game_id`, with `type`, `sort`, `period`, `first` and `after`.
//! Deleted videos vanish from listings and lookups. Durations are Go-style (`3h8m33s`) and `muted_segments`
//! is `null` when there are none, as on Twitch.

use serde::Serialize;

use super::{Call, at_most_100, offset_page, paged};
use crate::cursor;
use crate::errors::ApiError;
use crate::seed::{DAY, go_duration, mix, rfc3339};
use crate::world::{Video, VideoKind};

/// Twitch caps game_id listings at 500 videos.
const GAME_LIMIT: usize = 500;

#[derive(Serialize)]
struct Muted {
    duration: u32,
    offset: u32,
}

#[derive(Serialize)]
struct VideoOut {
    id: String,
    stream_id: Option<String>,
    user_id: String,
    user_login: String,
    user_name: String,
    title: String,
    description: String,
    created_at: String,
    published_at: String,
    url: String,
    thumbnail_url: String,
    viewable: &'static str,
    view_count: u64,
    language: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    duration: String,
    muted_segments: Option<Vec<Muted>>,
}

fn render(call: &Call, v: &Video) -> VideoOut {
    let w = call.world;
    let ch = &w.channels[v.channel];
    let hex = format!("{:016x}{:04x}", mix(v.id), mix(!v.id) & 0xffff);
    let thumb = match v.stream_id {
        Some(s) => format!("{hex}_{}_{s}_{}", ch.login, v.created_at),
        None => hex,
    };
    VideoOut {
        id: v.id.to_string(),
        stream_id: v.stream_id.map(|s| s.to_string()),
        user_id: ch.id.to_string(),
        user_login: ch.login.clone(),
        user_name: ch.display_name.clone(),
        title: v.title.clone(),
        description: v.description.clone(),
        created_at: rfc3339(v.created_at),
        published_at: rfc3339(v.published_at),
        url: format!("https://www.twitch.tv/videos/{}", v.id),
        thumbnail_url: format!(
            "https://static-cdn.jtvnw.net/cf_vods/d2nvs31859zcd8/{thumb}/thumb/thumb0-%{{width}}x%{{height}}.jpg"
        ),
        viewable: "public",
        view_count: v.view_count,
        language: ch.language,
        kind: v.kind.as_str(),
        duration: go_duration(v.duration),
        muted_segments: (!v.muted.is_empty()).then(|| {
            v.muted
                .iter()
                .map(|&(duration, offset)| Muted { duration, offset })
                .collect()
        }),
    }
}

fn malformed(name: &str, allowed: &str) -> ApiError {
    ApiError::bad_request(format!(
        "The parameter \"{name}\" was malformed: the value must be one of {allowed}"
    ))
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let q = call.query;
    let ids = q.all("id");
    let selectors = [!ids.is_empty(), q.one("user_id").is_some(), q.one("game_id").is_some()];
    match selectors.iter().filter(|s| **s).count() {
        0 => {
            return Err(ApiError::bad_request(
                "Missing required parameter \"id\", \"user_id\" or \"game_id\"",
            ));
        }
        1 => {}
        _ => {
            return Err(ApiError::bad_request(
                "Only one of \"id\", \"user_id\" or \"game_id\" can be specified",
            ));
        }
    }
    if !ids.is_empty() {
        return by_id(call, &ids);
    }
    let kind = match q.one("type").unwrap_or("all") {
        "all" => None,
        "archive" => Some(VideoKind::Archive),
        "highlight" => Some(VideoKind::Highlight),
        "upload" => Some(VideoKind::Upload),
        _ => return Err(malformed("type", "all, archive, highlight, upload")),
    };
    let by_views = match q.one("sort").unwrap_or("time") {
        "time" => false,
        "trending" | "views" => true,
        _ => return Err(malformed("sort", "time, trending, views")),
    };
    let w = call.world;
    let since = match q.one("period").unwrap_or("all") {
        "all" => i64::MIN,
        "day" => w.now - DAY,
        "week" => w.now - 7 * DAY,
        "month" => w.now - 30 * DAY,
        _ => return Err(malformed("period", "all, day, week, month")),
    };
    let first = q.first(20, 100)?;
    // `Some(None)`: a user_id that is no channel of the world, which has no videos.
    let channel = q.one("user_id").map(|u| call.channel_by_id(u));
    let game = q.one("game_id");
    let listed = |v: &Video| match channel {
        Some(c) => Some(v.channel) == c,
        None => game == Some(w.channels[v.channel].game.id),
    };
    let key = match channel {
        Some(c) => c.map_or(0, |c| w.channels[c].id),
        None => mix(game.and_then(|g| g.parse().ok()).unwrap_or(0)),
    };
    // Newest first: the list is sorted by id, and ids grow with creation time.
    let mut matching = w
        .videos
        .iter()
        .rev()
        .filter(|v| !v.deleted && listed(v) && kind.is_none_or(|k| v.kind == k) && v.created_at >= since);
    if game.is_some() || by_views {
        let mut all: Vec<&Video> = matching.collect();
        if game.is_some() {
            all.truncate(GAME_LIMIT);
        }
        if by_views {
            all.sort_by_key(|v| std::cmp::Reverse(v.view_count));
        }
        let scope = call.scope(if by_views { "videos-views" } else { "videos-game" }, key);
        let (page, cursor) = offset_page(call, all, scope, first)?;
        return Ok(paged(page.into_iter().map(|v| render(call, v)).collect(), cursor, None));
    }
    // By time the cursor is the last id served, so videos published meanwhile do not shift the pages.
    let scope = call.scope("videos", key);
    let below = call.after(scope)?.unwrap_or(u64::MAX);
    let page: Vec<&Video> = matching.by_ref().skip_while(|v| v.id >= below).take(first).collect();
    let more = matching.next().is_some();
    let cursor = page.last().filter(|_| more).map(|v| cursor::encode(scope, v.id));
    let data = page.into_iter().map(|v| render(call, v)).collect();
    Ok(paged(data, cursor, None))
}

fn by_id(call: &Call, ids: &[&str]) -> Result<Vec<u8>, ApiError> {
    at_most_100(call, &["id"])?;
    let videos = &call.world.videos;
    let mut seen = std::collections::HashSet::new();
    let data: Vec<VideoOut> = ids
        .iter()
        .filter_map(|id| id.parse::<u64>().ok())
        .filter(|id| seen.insert(*id))
        .filter_map(|id| videos.binary_search_by_key(&id, |v| v.id).ok().map(|i| &videos[i]))
        .filter(|v| !v.deleted)
        .map(|v| render(call, v))
        .collect();
    if data.is_empty() {
        return Err(ApiError::not_found("Videos not found"));
    }
    Ok(paged(data, None, None))
}
