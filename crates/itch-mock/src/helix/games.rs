//! Fake Get Games (`GET /helix/games`, reference `#get-games`): the fixed catalogue by `id`, `name` (exact)
//! or `igdb_id`, all repeatable, up to 100 together. No pagination, as on Twitch.

use serde::Serialize;

use super::{Call, at_most_100, data_only};
use crate::errors::ApiError;
use crate::seed::GAMES;

#[derive(Serialize)]
struct GameOut {
    id: &'static str,
    name: &'static str,
    box_art_url: String,
    igdb_id: &'static str,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let q = call.query;
    at_most_100(call, &["id", "name", "igdb_id"])?;
    let (ids, names, igdb) = (q.all("id"), q.all("name"), q.all("igdb_id"));
    if ids.is_empty() && names.is_empty() && igdb.is_empty() {
        return Err(ApiError::missing("id"));
    }
    let data = GAMES
        .iter()
        .filter(|g| {
            ids.contains(&g.id) || names.contains(&g.name) || (!g.igdb_id.is_empty() && igdb.contains(&g.igdb_id))
        })
        .map(|g| GameOut {
            id: g.id,
            name: g.name,
            box_art_url: format!(
                "https://static-cdn.jtvnw.net/ttv-boxart/{}-{{width}}x{{height}}.jpg",
                g.id
            ),
            igdb_id: g.igdb_id,
        })
        .collect();
    Ok(data_only(data))
}
