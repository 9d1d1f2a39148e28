//! Which answers are cached and for how long: each kind of resource has its own freshness, and kinds whose
//! point is "what is it now" (live streams, the pages of a list walk) are never cached.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// How long an answer to `path` (relative to the Helix base) with `query` stays fresh, and its kind; `None`
/// for answers that must always be fetched.
pub fn freshness(path: &str, query: &[(&str, String)]) -> Option<(&'static str, Duration)> {
    let minutes = |m: u64| Duration::from_secs(m * 60);
    match path {
        // Pages of a list walk are never cached: each decides what is new (where an incremental walk stops),
        // what is gone (unfollows, deleted videos) or the total, so a page minutes old would falsify the record;
        // and the archive itself keeps every page it stored.
        "videos" if query.iter().any(|(k, _)| *k == "id") => Some(("video", minutes(60))),
        // Accounts change rarely. A follower walk's hydration asks without the cache inside the archive (the
        // archive keeps every account it hydrated; see `Client::helix_page_with`), but a cache elsewhere serves
        // it to other archives, and single look-ups (a video's owner) come from any cache.
        "users" if query.iter().any(|(k, _)| *k == "id") => Some(("user", minutes(24 * 60))),
        "games" => Some(("game", minutes(7 * 24 * 60))),
        "search/channels" => Some(("search", minutes(10))),
        _ => None,
    }
}

/// The resource kinds [`freshness`] hands out; a stored kind outside them (another version's) reads as "other".
pub const KINDS: [&str; 7] = ["followers", "followed", "video", "videos", "user", "game", "search"];

/// The static name of a stored kind.
pub fn kind_name(stored: &str) -> &'static str {
    KINDS.into_iter().find(|k| *k == stored).unwrap_or("other")
}

/// When an answer fetched at `fetched_at` and fresh for `ttl` expires.
pub fn expiry(fetched_at: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(ttl)
        .ok()
        .and_then(|ttl| fetched_at.checked_add_signed(ttl))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_answers_and_list_pages_are_never_cached() {
        assert_eq!(freshness("streams", &[("user_id", "1".into())]), None);
        assert_eq!(freshness("channels/followers", &[("broadcaster_id", "1".into())]), None);
        assert_eq!(freshness("channels/followers", &[("after", "c".into())]), None);
        assert_eq!(freshness("channels/followed", &[("after", "c".into())]), None);
        assert_eq!(
            freshness("videos", &[("user_id", "1".into()), ("after", "c".into())]),
            None
        );
        assert!(freshness("users", &[("id", "1".into())]).is_some());
        assert_eq!(freshness("users", &[("login", "x".into())]), None);
    }
}
