//! Fake Get Broadcaster Subscriptions (`GET /helix/subscriptions`, reference `#get-broadcaster-subscriptions`):
//! only the broadcaster's own user token with `channel:read:subscriptions` (401 without the scope or with an app
//! token, 403 for another channel's id); `user_id` (repeatable, up to 100), `first` up to 100, `after`. `total`
//! and `points` (tier 1 = 1, tier 2 = 2, tier 3 = 6) sit at the top level.

use serde::Serialize;

use super::{Call, offset_page};
use crate::errors::ApiError;
use crate::subscriptions;

/// The scope Twitch asks for.
const SCOPE: &str = "channel:read:subscriptions";

#[derive(Serialize)]
struct SubOut {
    broadcaster_id: String,
    broadcaster_login: String,
    broadcaster_name: String,
    gifter_id: String,
    gifter_login: String,
    gifter_name: String,
    is_gift: bool,
    plan_name: String,
    tier: String,
    user_id: String,
    user_name: String,
    user_login: String,
}

#[derive(Serialize)]
struct Pagination {
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

#[derive(Serialize)]
struct Body {
    data: Vec<SubOut>,
    pagination: Pagination,
    total: u64,
    points: u64,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let q = call.query;
    let user = call.caller.user_with_scope(SCOPE)?;
    let broadcaster = q.required("broadcaster_id")?;
    super::at_most_100(call, &["user_id"])?;
    let first = q.first(20, 100)?;
    let w = call.world;
    if broadcaster != w.user_id(user).to_string() {
        return Err(ApiError::forbidden(
            "The ID in broadcaster_id must match the user ID found in the request's OAuth token.",
        ));
    }
    let c = w
        .channel_of(user)
        .ok_or_else(|| ApiError::bad_request("The broadcaster is not a partner or affiliate"))?;
    let all = subscriptions::subscribers(w.seed(), &w.subs, c, w.initial_followers(c));
    let (total, points) = (all.len() as u64, all.iter().map(|s| s.points()).sum());
    let ids = q.all("user_id");
    let list: Vec<_> = if ids.is_empty() {
        all
    } else {
        all.into_iter()
            .filter(|s| ids.contains(&w.user_id(w.follower(c, s.follower)).to_string().as_str()))
            .collect()
    };
    let (page, cursor) = offset_page(call, list, call.scope("subscriptions", c as u64), first)?;
    let ch = &w.channels[c];
    let data = page
        .into_iter()
        .map(|s| {
            let u = w.follower(c, s.follower);
            let gifter = s.gifter.map(|g| w.follower(c, g));
            let name = |u: Option<_>, f: &dyn Fn(_) -> String| u.map(f).unwrap_or_default();
            SubOut {
                broadcaster_id: ch.id.to_string(),
                broadcaster_login: ch.login.clone(),
                broadcaster_name: ch.display_name.clone(),
                gifter_id: name(gifter, &|g| w.user_id(g).to_string()),
                gifter_login: name(gifter, &|g| w.login(g)),
                gifter_name: name(gifter, &|g| w.display_name(g)),
                is_gift: gifter.is_some(),
                plan_name: format!("Channel Subscription ({})", ch.login),
                tier: s.tier.to_string(),
                user_id: w.user_id(u).to_string(),
                user_name: w.display_name(u),
                user_login: w.login(u),
            }
        })
        .collect();
    let body = Body {
        data,
        pagination: Pagination { cursor },
        total,
        points,
    };
    Ok(serde_json::to_vec(&body).expect("subscriptions serialise"))
}
