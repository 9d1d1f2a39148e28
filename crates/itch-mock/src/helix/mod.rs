//! The fake Helix endpoints: one file per resource, named like the client's `src/client/helix/<resource>.rs`,
//! with the same scope rules as Twitch.
//!
//! Every handler is a plain function from a [`Call`] (the world, the authenticated caller, the query) to a JSON
//! body or an [`ApiError`]; [`server`](crate::server) runs authentication, the rate limit and faults around it.
//! [`ROUTES`] is the whole routing table.

mod channels;
mod chatters;
mod clips;
mod followers;
mod following;
mod games;
mod schedule;
mod search;
mod streams;
mod subscriptions;
mod users;
mod videos;

use serde::Serialize;

use crate::errors::ApiError;
use crate::query::Query;
use crate::world::{UserRef, World};

/// Who is calling, from the bearer token.
#[derive(Clone, Debug)]
pub(crate) enum Caller {
    App,
    User { user: UserRef, scopes: Vec<String> },
}

impl Caller {
    /// The token's user, or Twitch's 401 for an app token or a user token without `scope`.
    pub fn user_with_scope(&self, scope: &str) -> Result<UserRef, ApiError> {
        match self {
            Caller::App => Err(ApiError::user_token_required()),
            Caller::User { scopes, .. } if !scopes.iter().any(|s| s == scope) => Err(ApiError::missing_scope(scope)),
            Caller::User { user, .. } => Ok(*user),
        }
    }

    /// The token's user with `scope`, if any (no error: for endpoints where less access means less data).
    pub fn user_having(&self, scope: &str) -> Option<UserRef> {
        self.user_with_scope(scope).ok()
    }
}

/// One Helix request, as a handler sees it.
pub(crate) struct Call<'a> {
    pub world: &'a World,
    pub caller: &'a Caller,
    pub query: &'a Query,
}

impl Call<'_> {
    /// The user with this id string, if it is one of the world's.
    pub fn user_by_id(&self, id: &str) -> Option<UserRef> {
        // Twitch ids never start with 0; refusing them keeps "0123" from aliasing "123".
        if id.starts_with('0') {
            return None;
        }
        self.world.user_by_id(id.parse().ok()?)
    }

    /// The channel index of the broadcaster with this id string, if it is one of the world's channels.
    pub fn channel_by_id(&self, id: &str) -> Option<usize> {
        self.user_by_id(id).and_then(|u| self.world.channel_of(u))
    }

    /// A cursor scope for this endpoint and list.
    pub fn scope(&self, endpoint: &str, key: u64) -> u64 {
        crate::cursor::scope(self.world.seed(), endpoint, key)
    }

    /// The `after` position in the list `scope`, if a cursor was given.
    pub fn after(&self, scope: u64) -> Result<Option<u64>, ApiError> {
        self.query
            .one("after")
            .map(|c| crate::cursor::decode(scope, c))
            .transpose()
    }
}

/// A handler: the body of a 200, or an error.
pub(crate) type Handler = fn(&Call) -> Result<Vec<u8>, ApiError>;

/// Every Helix path the fake serves, relative to `/helix/`.
pub(crate) const ROUTES: &[(&str, Handler)] = &[
    ("users", users::get),
    ("channels", channels::get),
    ("channels/followers", followers::get),
    ("channels/followed", following::get),
    ("videos", videos::get),
    ("streams", streams::get),
    ("games", games::get),
    ("chat/chatters", chatters::get),
    ("search/channels", search::get),
    ("clips", clips::get),
    ("schedule", schedule::get),
    ("subscriptions", subscriptions::get),
];

/// Paths Twitch has shut down and answers with 410, as the real API and twitch-cli's mock do.
pub(crate) const GONE: &[&str] = &["users/follows", "tags/streams", "streams/tags"];

#[derive(Serialize)]
struct Pagination {
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

#[derive(Serialize)]
struct Paged<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    data: Vec<T>,
    pagination: Pagination,
}

/// A list response: `{"total"?, "data", "pagination": {"cursor"?}}`; `pagination` is `{}` on the last page.
pub(crate) fn paged<T: Serialize>(data: Vec<T>, cursor: Option<String>, total: Option<u64>) -> Vec<u8> {
    serde_json::to_vec(&Paged {
        total,
        data,
        pagination: Pagination { cursor },
    })
    .expect("page serialises")
}

/// A lookup response with no pagination at all (Get Users, Get Channel Information, Get Games).
pub(crate) fn data_only<T: Serialize>(data: Vec<T>) -> Vec<u8> {
    #[derive(Serialize)]
    struct Data<T> {
        data: Vec<T>,
    }
    serde_json::to_vec(&Data { data }).expect("data serialises")
}

/// One page of a list held in memory, by offset: the items and the cursor to the next page.
pub(crate) fn offset_page<T>(
    call: &Call,
    items: Vec<T>,
    scope: u64,
    first: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = call.after(scope)?.unwrap_or(0) as usize;
    let end = start.saturating_add(first).min(items.len());
    let cursor = (end < items.len()).then(|| crate::cursor::encode(scope, end as u64));
    let page = items.into_iter().skip(start).take(end.saturating_sub(start)).collect();
    Ok((page, cursor))
}

/// At most 100 values across the listed repeatable parameters, as Twitch allows.
pub(crate) fn at_most_100(call: &Call, names: &[&str]) -> Result<(), ApiError> {
    let n: usize = names.iter().map(|n| call.query.all(n).len()).sum();
    if n > 100 {
        let names = names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(" and ");
        return Err(ApiError::bad_request(format!(
            "The number of {names} values must not exceed 100"
        )));
    }
    Ok(())
}
