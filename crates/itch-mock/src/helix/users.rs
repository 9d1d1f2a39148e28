//! Fake Get Users (`GET /helix/users`, reference `#get-users`): by `id` and `login`, at most 100 together,
//! unknown and gone ones ([`MockConfig::gone_every`](crate::MockConfig::gone_every)) dropped; with neither, the token's own user (an app token gets 400). `email` only for the
//! token's own user with `user:read:email`.

use serde::Serialize;

use super::{Call, Caller, at_most_100, data_only};
use crate::errors::ApiError;
use crate::seed::rfc3339;
use crate::world::UserRef;

#[derive(Serialize)]
struct User {
    id: String,
    login: String,
    display_name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    broadcaster_type: &'static str,
    description: String,
    profile_image_url: String,
    offline_image_url: String,
    view_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    created_at: String,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    at_most_100(call, &["id", "login"])?;
    let (ids, logins) = (call.query.all("id"), call.query.all("login"));
    let mut users: Vec<UserRef> = if ids.is_empty() && logins.is_empty() {
        match call.caller {
            Caller::User { user, .. } => vec![*user],
            Caller::App => return Err(ApiError::bad_request("Must provide an ID, Login or OAuth Token.")),
        }
    } else {
        ids.iter()
            .filter_map(|id| call.user_by_id(id))
            .chain(logins.iter().filter_map(|l| call.world.user_by_login(l)))
            .collect()
    };
    let mut seen = std::collections::HashSet::new();
    users.retain(|u| !call.world.is_gone(*u) && seen.insert(*u));
    let own_email = call.caller.user_having("user:read:email");
    let data = users
        .into_iter()
        .map(|u| {
            let f = call.world.user(u);
            User {
                email: (own_email == Some(u)).then(|| format!("{}@users.mock.invalid", f.login)),
                id: f.id.to_string(),
                login: f.login,
                display_name: f.display_name,
                kind: "",
                broadcaster_type: f.broadcaster_type,
                description: f.description,
                profile_image_url: f.profile_image_url,
                offline_image_url: f.offline_image_url,
                view_count: 0,
                created_at: rfc3339(f.created_at),
            }
        })
        .collect();
    Ok(data_only(data))
}
