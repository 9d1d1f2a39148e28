//! The `VideoPlayer_ChapterSelectButtonVideo` operation: the games of a VOD and where each starts, as Twitch's
//! player reads them for its chapter menu.
//!
//! Written from the shapes other clients parse (TwitchDownloader's `GqlVideoChapterResponse`, yt-dlp's
//! `_extract_chapters`, and an answer pasted in a public C# comment, see tests/fixtures/real/gql/README.md),
//! never from itch's client types. All observed, none documented:
//!
//! - `data.video` holds `id`, `lengthSeconds`, `game` and `moments.edges[].node`; each node has `id`,
//!   `positionMilliseconds`, `durationMilliseconds`, `type: "GAME_CHANGE"`, `description` (the game's name),
//!   `subDescription`, `thumbnailURL`, `details.game {id, displayName, boxArtURL}`, an always-empty nested
//!   `moments`, and `video {id, lengthSeconds}`; `__typename` everywhere.
//! - A VOD with one game has **no** moments (`edges: []`): the player shows one chapter of the video's game.
//!   About two in five archive VODs here are like that; the others have 2 to 4 games, the first the channel's.
//! - Highlights and uploads have no moments either.
//! - Unknown or deleted video: `video: null`. The in-band faults (integrity, service error, `video: null`, no
//!   `video`, `data: null`) answer as for comments; a service error here leaves `moments: null`.
//! - [`MockServer::refuse_chapters`](crate::MockServer::refuse_chapters) makes the hash unknown
//!   (`PersistedQueryNotFound`), as when Twitch rotates it (it did, 2025-2026).

use serde::Serialize;
use serde_json::Value;

use super::{GqlError, Reply};
use crate::Fault;
use crate::seed::{GAMES, Game, hash, mix};
use crate::world::{Video, VideoKind, World};

pub(super) const OPERATION: &str = "VideoPlayer_ChapterSelectButtonVideo";

/// Tells this file's draws from every other use of the seed.
const TAG: u64 = 0x6368_6170_7465_7273;

/// One chapter the fake serves for a video (see [`plan`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MockChapter {
    /// Milliseconds into the VOD where the game starts.
    pub position_ms: u64,
    /// How long it lasts.
    pub duration_ms: u64,
    pub game_id: String,
    pub game_name: String,
}

/// The chapters the player shows for `v`: one per game, covering the whole video. `moments` is false when
/// Twitch sends no moments for it (a single game, or not an archive) and the one chapter is the video's game.
pub(crate) fn plan(world: &World, v: &Video) -> (Vec<MockChapter>, bool) {
    let first = world.channels[v.channel].game;
    let length_ms = u64::from(v.duration) * 1000;
    let h = hash(&[world.seed(), TAG, v.id]);
    let games: u64 = match (v.kind, h % 5) {
        (VideoKind::Archive, 2) => 2,
        (VideoKind::Archive, 3) => 3,
        (VideoKind::Archive, 4) => 4,
        _ => 1,
    };
    let whole = |g: Game| MockChapter {
        position_ms: 0,
        duration_ms: length_ms,
        game_id: g.id.to_owned(),
        game_name: g.name.to_owned(),
    };
    if games == 1 || v.duration < 60 {
        return (vec![whole(first)], false);
    }
    // Cuts at whole seconds, spread over the video with some jitter: [0, c1), [c1, c2), ... [cn, end).
    let mut starts = vec![0u64];
    for k in 1..games {
        let share = k * 1000 + mix(h ^ k) % 400 - 200;
        starts.push(u64::from(v.duration) * share / (games * 1000) * 1000);
    }
    let mut game = first;
    let mut chapters = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        if i > 0 {
            let mut pick = GAMES[(mix(h ^ (i as u64 + 17)) % GAMES.len() as u64) as usize];
            if pick.id == game.id {
                let at = GAMES.iter().position(|g| g.id == pick.id).unwrap_or(0);
                pick = GAMES[(at + 1) % GAMES.len()];
            }
            game = pick;
        }
        let end = starts.get(i + 1).copied().unwrap_or(length_ms);
        chapters.push(MockChapter {
            position_ms: start,
            duration_ms: end - start,
            game_id: game.id.to_owned(),
            game_name: game.name.to_owned(),
        });
    }
    (chapters, true)
}

// ---- wire shapes (field order as in the 2020 capture) ----

#[derive(Serialize)]
pub(super) struct Data {
    /// `Some(None)` is `"video": null`; `None` leaves `video` out.
    #[serde(skip_serializing_if = "Option::is_none")]
    video: Option<Option<VideoOut>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VideoOut {
    id: String,
    length_seconds: u32,
    game: GameOut,
    /// `None` is `"moments": null` (a service error).
    moments: Option<MomentsOut>,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct MomentsOut {
    edges: Vec<EdgeOut>,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct EdgeOut {
    node: NodeOut,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeOut {
    moments: EmptyMoments,
    id: String,
    duration_milliseconds: u64,
    position_milliseconds: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    sub_description: &'static str,
    #[serde(rename = "thumbnailURL")]
    thumbnail_url: String,
    details: DetailsOut,
    video: NodeVideoOut,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct EmptyMoments {
    edges: [(); 0],
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
struct DetailsOut {
    game: GameOut,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeVideoOut {
    id: String,
    length_seconds: u32,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GameOut {
    id: String,
    display_name: String,
    #[serde(rename = "boxArtURL")]
    box_art_url: String,
    #[serde(rename = "__typename")]
    typename: &'static str,
}

fn game_out(id: &str, name: &str) -> GameOut {
    GameOut {
        id: id.to_owned(),
        display_name: name.to_owned(),
        box_art_url: format!("https://static-cdn.jtvnw.net/ttv-boxart/{id}-40x53.jpg"),
        typename: "Game",
    }
}

fn video_id(variables: Option<&Value>) -> Result<String, GqlError> {
    match variables.and_then(|v| v.get("videoID")) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.to_string()),
        None | Some(Value::Null) => Err(GqlError::new(
            "Variable \"$videoID\" of required type \"ID!\" was not provided.",
        )),
        Some(v) => Err(GqlError::new(format!(
            "Variable \"$videoID\" got invalid value {v}; expected type ID."
        ))),
    }
}

/// The video with this id, if GQL knows it (not deleted).
pub(crate) fn find<'w>(world: &'w World, id: &str) -> Option<&'w Video> {
    if id.starts_with('0') {
        return None;
    }
    world.video(id.parse().ok()?).filter(|v| !v.deleted)
}

/// Answers one `VideoPlayer_ChapterSelectButtonVideo` operation.
pub(super) fn answer(world: &World, variables: Option<&Value>, fault: Option<Fault>) -> Reply<Data> {
    let id = match video_id(variables) {
        Ok(id) => id,
        Err(e) => return Reply::error(e),
    };
    match fault {
        Some(Fault::GqlIntegrity) => return Reply::integrity(),
        Some(Fault::GqlNoVideo) => return Reply::data(Data { video: None }),
        Some(Fault::GqlDataNull) => {
            return Reply {
                null_data: true,
                ..Reply::error(GqlError::new("service unavailable"))
            };
        }
        _ => {}
    }
    let Some(v) = find(world, &id).filter(|_| fault != Some(Fault::GqlVideoNull)) else {
        return Reply::data(Data { video: Some(None) });
    };
    let (chapters, moments) = plan(world, v);
    let first = &chapters[0];
    let edges = if moments {
        chapters
            .iter()
            .map(|c| EdgeOut {
                node: NodeOut {
                    moments: EmptyMoments {
                        edges: [],
                        typename: "VideoMomentConnection",
                    },
                    id: format!("{:016x}{:016x}", mix(v.id ^ c.position_ms), mix(!v.id ^ c.position_ms)),
                    duration_milliseconds: c.duration_ms,
                    position_milliseconds: c.position_ms,
                    kind: "GAME_CHANGE",
                    description: c.game_name.clone(),
                    sub_description: "",
                    thumbnail_url: format!("https://static-cdn.jtvnw.net/ttv-boxart/{}-40x53.jpg", c.game_id),
                    details: DetailsOut {
                        game: game_out(&c.game_id, &c.game_name),
                        typename: "GameChangeMomentDetails",
                    },
                    video: NodeVideoOut {
                        id: v.id.to_string(),
                        length_seconds: v.duration,
                        typename: "Video",
                    },
                    typename: "VideoMoment",
                },
                typename: "VideoMomentEdge",
            })
            .collect()
    } else {
        Vec::new()
    };
    let service_error = fault == Some(Fault::GqlServiceError);
    let video = VideoOut {
        id: v.id.to_string(),
        length_seconds: v.duration,
        game: game_out(&first.game_id, &first.game_name),
        moments: (!service_error).then_some(MomentsOut {
            edges,
            typename: "VideoMomentConnection",
        }),
        typename: "Video",
    };
    Reply {
        errors: if service_error {
            vec![GqlError {
                message: "service error".into(),
                path: Some(["video", "moments"]),
            }]
        } else {
            Vec::new()
        },
        data: Some(Data {
            video: Some(Some(video)),
        }),
        null_data: false,
        integrity: false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::{CHAPTERS_QUERY_HASH, Fault, GQL_CLIENT_ID, MockConfig, MockServer};

    fn op(video: &str) -> Value {
        json!({
            "operationName": "VideoPlayer_ChapterSelectButtonVideo",
            "variables": {"videoID": video},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": CHAPTERS_QUERY_HASH}},
        })
    }

    async fn post(server: &MockServer, body: &Value) -> Value {
        let r = reqwest::Client::new()
            .post(server.gql_url())
            .header("Client-Id", GQL_CLIENT_ID)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    #[tokio::test]
    async fn archives_have_one_game_or_several_moments_covering_the_video() {
        let server = MockServer::start(MockConfig {
            seed: 5,
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let login = server.channels().remove(0).login;
        let (mut single, mut several) = (0, 0);
        for v in server.videos(&login).iter().filter(|v| v.video_type == "archive") {
            let answer = post(&server, &op(&v.id)).await;
            let video = &answer["data"]["video"];
            assert_eq!(video["id"], v.id.as_str());
            assert_eq!(video["lengthSeconds"], v.duration_seconds);
            let edges = video["moments"]["edges"].as_array().unwrap();
            let planned = server.chapters(&v.id).unwrap();
            assert_eq!(
                video["game"]["id"],
                planned[0].game_id.as_str(),
                "the video's game is the first"
            );
            if edges.is_empty() {
                single += 1;
                assert_eq!(planned.len(), 1);
                assert_eq!(planned[0].duration_ms, v.duration_seconds * 1000);
                continue;
            }
            several += 1;
            assert!(edges.len() >= 2, "{answer}");
            let mut at = 0;
            for (edge, chapter) in edges.iter().zip(&planned) {
                let node = &edge["node"];
                assert_eq!(node["type"], "GAME_CHANGE");
                assert_eq!(node["positionMilliseconds"], at);
                assert_eq!(node["positionMilliseconds"], chapter.position_ms);
                assert_eq!(node["description"], node["details"]["game"]["displayName"]);
                assert_eq!(node["details"]["game"]["id"], chapter.game_id.as_str());
                at += node["durationMilliseconds"].as_u64().unwrap();
            }
            assert_eq!(at, v.duration_seconds * 1000, "the moments cover the video");
            assert_ne!(planned[0].game_id, planned[1].game_id);
        }
        assert!(
            single > 0 && several > 0,
            "both kinds: {single} single, {several} several"
        );
        let stats = server.stats();
        assert_eq!(
            stats.gql_operations["VideoPlayer_ChapterSelectButtonVideo"],
            (single + several) as u64
        );
    }

    #[tokio::test]
    async fn refused_hash_unknown_video_and_in_band_faults() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let login = server.channels().remove(0).login;
        let id = server.videos(&login)[0].id.clone();
        assert_eq!(post(&server, &op("1")).await["data"]["video"], Value::Null);
        server.refuse_chapters(true);
        let refused = post(&server, &op(&id)).await;
        assert_eq!(refused["errors"][0]["message"], "PersistedQueryNotFound", "{refused}");
        assert!(refused.get("data").is_none());
        server.refuse_chapters(false);
        server.fail_next_gql(1, Fault::GqlServiceError);
        let failed = post(&server, &op(&id)).await;
        assert_eq!(failed["errors"][0]["message"], "service error");
        assert_eq!(failed["data"]["video"]["moments"], Value::Null);
        server.fail_next_gql(1, Fault::GqlIntegrity);
        let integrity = post(&server, &op(&id)).await;
        assert_eq!(integrity["errors"][0]["message"], "failed integrity check");
        assert!(post(&server, &op(&id)).await["data"]["video"]["moments"].is_object());
    }
}
