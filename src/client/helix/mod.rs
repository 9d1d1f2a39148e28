//! Helix endpoints, one file per section of the Twitch API reference
//! (<https://dev.twitch.tv/docs/api/reference>). Each keeps Twitch's field names in its wire struct and
//! either fetches one batch (lookups by id, 100 at a time) or returns a [`Pager`](super::Pager) over a list.

pub mod channels;
pub mod chatters;
pub mod clips;
pub mod followers;
pub mod following;
pub mod games;
#[cfg(test)]
pub(crate) mod recorder;
pub mod schedule;
pub mod search;
pub mod streams;
pub mod subscriptions;
pub mod users;
pub mod videos;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{Client, Kept, Page};
use crate::error::Result;

/// The most ids (or logins) one lookup request takes.
pub const MAX_IDS_PER_REQUEST: usize = 100;

/// Looks up `keys` in batches of 100 under the query parameter `name`, returning each item with its raw JSON.
pub(crate) async fn lookup_by<T: serde::de::DeserializeOwned>(
    client: &Client,
    path: &'static str,
    name: &'static str,
    keys: &[String],
) -> Result<Vec<(T, Value)>> {
    lookup_kept(client, path, name, keys, Kept::NotByTheCaller).await
}

/// As [`lookup_by`], saying whether the caller keeps the answers whole in the archive.
pub(crate) async fn lookup_kept<T: serde::de::DeserializeOwned>(
    client: &Client,
    path: &'static str,
    name: &'static str,
    keys: &[String],
    kept: Kept,
) -> Result<Vec<(T, Value)>> {
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(MAX_IDS_PER_REQUEST) {
        let query: Vec<(&str, String)> = chunk.iter().map(|k| (name, k.clone())).collect();
        let page: Page<T> = client.helix_page_with(path, &query, kept).await?;
        found.extend(page.items.into_iter().zip(page.raw));
    }
    Ok(found)
}

/// Twitch sends `""` for "no time" in some places (a channel that is not live); read it as `None`.
pub(crate) fn empty_time_as_none<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None | Some("") => Ok(None),
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(serde::de::Error::custom),
    }
}

/// `null` where a list is expected (`muted_segments`, `tags`) reads as empty.
pub(crate) fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> std::result::Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
pub(crate) fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/helix/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Parses every item of a fixture's `data` as `T`, as [`Client::helix_page`] does.
#[cfg(test)]
pub(crate) fn parse_fixture<T: serde::de::DeserializeOwned>(name: &str) -> Vec<T> {
    fixture(name)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| T::deserialize(v).unwrap())
        .collect()
}
