//! Fake Get Channel Stream Schedule (`GET /helix/schedule`, reference `#get-channel-stream-schedule`): any token;
//! `broadcaster_id` required, `id` (repeatable, up to 100), `start_time` (RFC3339; omitted: the world's clock),
//! `first` up to 25 (default 20), `after`. `data` is one object (segments, broadcaster, vacation) and
//! `pagination` sits at the top level, as the real API sends it. A channel without a schedule, or a user who is
//! not a channel, is a 404.

use serde::Serialize;

use super::{Call, offset_page};
use crate::errors::ApiError;
use crate::schedule;
use crate::seed::rfc3339;

#[derive(Serialize)]
struct CategoryOut {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct SegmentOut {
    id: String,
    start_time: String,
    end_time: String,
    title: String,
    canceled_until: Option<String>,
    category: Option<CategoryOut>,
    is_recurring: bool,
}

#[derive(Serialize)]
struct VacationOut {
    start_time: String,
    end_time: String,
}

#[derive(Serialize)]
struct DataOut {
    segments: Vec<SegmentOut>,
    broadcaster_id: String,
    broadcaster_name: String,
    broadcaster_login: String,
    vacation: Option<VacationOut>,
}

#[derive(Serialize)]
struct Pagination {
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

#[derive(Serialize)]
struct Body {
    data: DataOut,
    pagination: Pagination,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let q = call.query;
    let broadcaster = q.required("broadcaster_id")?;
    super::at_most_100(call, &["id"])?;
    let first = q.first(20, 25)?;
    let w = call.world;
    let from = match q.one("start_time") {
        None => w.now,
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|_| ApiError::bad_request("The parameter \"start_time\" was malformed"))?
            .timestamp(),
    };
    let not_found = || ApiError::not_found("segments were not found");
    let c = call.channel_by_id(broadcaster).ok_or_else(not_found)?;
    let mut list = schedule::segments(w.seed(), &w.schedule, c, from).ok_or_else(not_found)?;
    let ids = q.all("id");
    if !ids.is_empty() {
        list.retain(|s| ids.contains(&s.id.as_str()));
    }
    let (page, cursor) = offset_page(call, list, call.scope("schedule", c as u64), first)?;
    let ch = &w.channels[c];
    let body = Body {
        data: DataOut {
            segments: page
                .into_iter()
                .map(|s| SegmentOut {
                    id: s.id,
                    start_time: rfc3339(s.start),
                    end_time: rfc3339(s.end),
                    title: s.title,
                    canceled_until: s.canceled_until.map(rfc3339),
                    category: s.category.map(|g| CategoryOut { id: g.id, name: g.name }),
                    is_recurring: s.recurring,
                })
                .collect(),
            broadcaster_id: ch.id.to_string(),
            broadcaster_name: ch.display_name.clone(),
            broadcaster_login: ch.login.clone(),
            vacation: schedule::vacation(w.seed(), c).map(|(start, end)| VacationOut {
                start_time: rfc3339(start),
                end_time: rfc3339(end),
            }),
        },
        pagination: Pagination { cursor },
    };
    Ok(serde_json::to_vec(&body).expect("schedule serialises"))
}
