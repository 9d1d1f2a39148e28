//! Fake Get Clips (`GET /helix/clips`, reference `#get-clips`): exactly one of `broadcaster_id`, `game_id` or `id`
//! (repeatable, up to 100), with `started_at`/`ended_at` (RFC 3339; `ended_at` defaults to a week after
//! `started_at`, and needs it), `first` (1..=100, default 20) and `after`. Listings are ordered by view count, most
//! viewed first, and stop after [`RESULT_CAP`] results whatever the pages, as Helix does (a wide window silently
//! misses clips). App or user token, no scope.

use serde::Serialize;
use serde_json::Value;

use super::{Call, at_most_100, offset_page, paged};
use crate::clip_data::Clip;
use crate::errors::ApiError;
use crate::seed::{DAY, rfc3339};

/// Results one listing serves across all its pages, at most ("about 1000" on Twitch).
pub(crate) const RESULT_CAP: usize = 1000;

#[derive(Serialize)]
struct ClipOut {
    id: String,
    url: String,
    embed_url: String,
    broadcaster_id: String,
    broadcaster_name: String,
    creator_id: String,
    creator_name: String,
    video_id: String,
    game_id: &'static str,
    language: &'static str,
    title: String,
    view_count: u64,
    created_at: String,
    thumbnail_url: String,
    duration: Value,
    vod_offset: Option<u32>,
    is_featured: bool,
}

fn render(call: &Call, k: &Clip) -> ClipOut {
    let w = call.world;
    let ch = &w.channels[k.channel];
    ClipOut {
        url: format!("https://clips.twitch.tv/{}", k.id),
        embed_url: format!("https://clips.twitch.tv/embed?clip={}", k.id),
        broadcaster_id: ch.id.to_string(),
        broadcaster_name: ch.display_name.clone(),
        creator_id: w.user_id(w.follower(k.channel, k.creator)).to_string(),
        creator_name: w.display_name(w.follower(k.channel, k.creator)),
        video_id: k.video.map(|v| v.0.to_string()).unwrap_or_default(),
        game_id: k.game.id,
        language: ch.language,
        title: k.title.clone(),
        view_count: k.view_count(w.now),
        created_at: rfc3339(k.created_at),
        thumbnail_url: format!(
            "https://clips-media-assets2.twitch.tv/{}-preview-480x272.jpg",
            k.id.split('-').next().unwrap_or(&k.id)
        ),
        duration: k.duration_json(),
        vod_offset: k.video.map(|v| v.1),
        is_featured: k.is_featured,
        id: k.id.clone(),
    }
}

fn time(call: &Call, name: &str) -> Result<Option<i64>, ApiError> {
    call.query
        .one(name)
        .map(|t| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.timestamp())
                .map_err(|_| ApiError::bad_request(format!("Malformed {name} parameter")))
        })
        .transpose()
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    if let Some(status) = call.world.clips_fault {
        let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        return Err(ApiError::new(status, "clips are refused by the test"));
    }
    let q = call.query;
    let ids = q.all("id");
    let selectors = [
        q.one("broadcaster_id").is_some(),
        q.one("game_id").is_some(),
        !ids.is_empty(),
    ];
    match selectors.iter().filter(|s| **s).count() {
        0 => {
            return Err(ApiError::bad_request(
                "Missing required parameter \"broadcaster_id\", \"game_id\" or \"id\"",
            ));
        }
        1 => {}
        _ => {
            return Err(ApiError::bad_request(
                "Only one of \"broadcaster_id\", \"game_id\" or \"id\" can be specified",
            ));
        }
    }
    let first = q.first(20, 100)?;
    if !ids.is_empty() {
        at_most_100(call, &["id"])?;
        let w = call.world;
        let data: Vec<ClipOut> = ids
            .iter()
            .filter_map(|id| w.clip(id))
            .map(|k| render(call, k))
            .collect();
        return Ok(paged(data, None, None));
    }
    let (started, ended) = (time(call, "started_at")?, time(call, "ended_at")?);
    let (from, to) = match (started, ended) {
        (None, Some(_)) => {
            return Err(ApiError::bad_request(
                "The parameter \"ended_at\" requires \"started_at\"",
            ));
        }
        (Some(s), e) => (s, e.unwrap_or(s + 7 * DAY)),
        (None, None) => (i64::MIN, i64::MAX),
    };
    let w = call.world;
    let (listed, key): (Vec<&Clip>, u64) = match q.one("broadcaster_id") {
        Some(b) => match call.channel_by_id(b) {
            Some(c) => (w.clips_between(c, from, to), w.channels[c].id),
            None => (Vec::new(), 0),
        },
        None => {
            let game = q.one("game_id").unwrap_or("");
            let mut all: Vec<&Clip> = (0..w.channels.len())
                .flat_map(|c| w.clips_between(c, from, to))
                .filter(|k| k.game.id == game)
                .collect();
            all.sort_by_key(|k| std::cmp::Reverse(k.view_count(w.now)));
            (all, game.parse().unwrap_or(0))
        }
    };
    let mut listed = listed;
    listed.truncate(RESULT_CAP);
    // The cursor is an offset into this query's list; the window is part of the list's identity.
    let scope = call.scope(
        "clips",
        key ^ (from as u64).rotate_left(17) ^ (to as u64).rotate_left(41),
    );
    let (page, cursor) = offset_page(call, listed, scope, first)?;
    Ok(paged(page.into_iter().map(|k| render(call, k)).collect(), cursor, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockConfig;
    use crate::helix::Caller;
    use crate::query::Query;
    use crate::world::World;

    fn world(clips: u32) -> World {
        World::new(&MockConfig {
            followers: 50,
            videos: 3,
            clips,
            ..MockConfig::default()
        })
        .unwrap()
    }

    fn answer(w: &World, query: &str) -> Result<Value, ApiError> {
        let query = Query::parse(Some(query));
        let call = Call {
            world: w,
            caller: &Caller::App,
            query: &query,
        };
        get(&call).map(|body| serde_json::from_slice(&body).unwrap())
    }

    #[test]
    fn exactly_one_selector_and_ended_at_needs_started_at() {
        let w = world(10);
        let b = w.channels[0].id;
        assert_eq!(answer(&w, "").unwrap_err().status, 400);
        assert_eq!(
            answer(&w, &format!("broadcaster_id={b}&game_id=1")).unwrap_err().status,
            400
        );
        let only_end = format!("broadcaster_id={b}&ended_at=2026-11-01T00:00:00Z");
        assert_eq!(answer(&w, &only_end).unwrap_err().status, 400);
        assert_eq!(
            answer(&w, &format!("broadcaster_id={b}&first=101")).unwrap_err().status,
            400
        );
    }

    #[test]
    fn a_window_defaults_to_a_week_and_lists_most_viewed_first() {
        let w = world(200);
        let b = w.channels[0].id;
        let start = w
            .clips
            .iter()
            .filter(|k| k.channel == 0)
            .map(|k| k.created_at)
            .min()
            .unwrap();
        let from = rfc3339(start);
        let page = answer(&w, &format!("broadcaster_id={b}&started_at={from}&first=100")).unwrap();
        let listed = page["data"].as_array().unwrap();
        let in_week = w.clips_between(0, start, start + 7 * DAY).len().min(100);
        assert_eq!(listed.len(), in_week);
        let views: Vec<u64> = listed.iter().map(|c| c["view_count"].as_u64().unwrap()).collect();
        assert!(views.windows(2).all(|p| p[0] >= p[1]), "{views:?}");
        // Durations come as integers and as floats, and lost VODs as "" with a null offset.
        let all = answer(&w, &format!("broadcaster_id={b}&first=100")).unwrap();
        let items = all["data"].as_array().unwrap();
        assert!(items.iter().any(|c| c["duration"].is_u64()));
        assert!(items.iter().any(|c| c["duration"].is_f64()));
        assert!(items.iter().any(|c| c["video_id"] == "" && c["vod_offset"].is_null()));
    }

    #[test]
    fn no_clip_is_made_after_the_clock() {
        // The benchmark's world: its newest VOD was still running at the clock's start.
        let w = World::new(&MockConfig {
            channels: 1,
            followers: 100,
            clips: 20_000,
            ..MockConfig::default()
        })
        .unwrap();
        let late = w.clips.iter().filter(|k| k.created_at > w.now).count();
        assert_eq!(late, 0, "clips from the future");
    }

    #[test]
    fn a_listing_stops_after_the_cap_whatever_its_pages() {
        let w = world(3000);
        let b = w.channels[0].id;
        let (mut served, mut cursor) = (0, None::<String>);
        loop {
            let after = cursor.map(|c| format!("&after={c}")).unwrap_or_default();
            let page = answer(&w, &format!("broadcaster_id={b}&first=100{after}")).unwrap();
            served += page["data"].as_array().unwrap().len();
            match page["pagination"]["cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(served, RESULT_CAP, "3000 clips, but one listing serves 1000");
    }
}
