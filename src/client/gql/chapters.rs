//! VOD chapters: `VideoPlayer_ChapterSelectButtonVideo`, the query Twitch's player sends for its chapter menu.
//! One request per video, no paging: `data.video.moments.edges[].node` are the game changes, each with
//! `positionMilliseconds`, `durationMilliseconds`, `type` (`GAME_CHANGE`), `description` and
//! `details.game {id, displayName, boxArtURL}`.
//!
//! A VOD with a single game has **no** moments: the player shows one chapter of the video's game, and so do
//! yt-dlp (`_extract_chapters`: no moments, one chapter titled with `game.displayName`) and TwitchDownloader
//! (`GetOrGenerateVideoChapters`: a generated moment from 0 to the video's length with its game). This reads
//! the video's `game` and `lengthSeconds` when the answer carries them; when it does not, the caller fills
//! the game in from what it knows (see [`VideoChapters::chapters`]).
//!
//! Observed, not documented: the hash rotates (`b63c615e...` in 2020, `8d279338...` in yt-dlp and older
//! TwitchDownloader, `71835d5e...` in TwitchDownloader HEAD and other 2025-2026 clients), hence
//! [`GqlConfig::chapters_hash`](super::GqlConfig::chapters_hash). Durations can be negative (TwitchDownloader
//! clamps them to 0) and the last one is 0 while the VOD is still recording. The same Client-Id and the same
//! in-band errors as chat replay: integrity and an unknown hash are final, "service error" is retried.

use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use super::{GqlError, Reading};
use crate::client::Client;
use crate::error::{Error, Result};

/// The operation's name, as sent and as errors name it.
pub const OPERATION: &str = "VideoPlayer_ChapterSelectButtonVideo";

/// A game as the chapters query names it.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChapterGame {
    pub id: Option<String>,
    pub display_name: Option<String>,
    #[serde(rename = "boxArtURL")]
    pub box_art_url: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
struct Details {
    game: Option<ChapterGame>,
}

/// One moment (a game change) as Twitch sends it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Moment {
    pub id: Option<String>,
    pub position_milliseconds: i64,
    pub duration_milliseconds: Option<i64>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    details: Option<Details>,
}

impl Moment {
    /// The game this moment switches to, if Twitch named one.
    pub fn game(&self) -> Option<&ChapterGame> {
        self.details.as_ref()?.game.as_ref()
    }
}

/// What the chapters query said about one video.
#[derive(Clone, Debug)]
pub struct VideoChapters {
    /// The video's length, when the answer carries it.
    pub length_seconds: Option<u64>,
    /// The video's game, when the answer carries it (the one chapter of a single-game VOD).
    pub game: Option<ChapterGame>,
    /// The moments in Twitch's order, each with its JSON exactly as sent.
    pub moments: Vec<(Moment, Box<RawValue>)>,
}

/// One chapter of a VOD: a stretch of one game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    /// Milliseconds into the VOD where it starts.
    pub position_ms: u64,
    /// How long it lasts; `None` when Twitch gave none or 0 (the last chapter of a VOD still recording), or
    /// for a whole-VOD chapter of unknown length.
    pub duration_ms: Option<u64>,
    /// `GAME_CHANGE` as Twitch sends it.
    pub kind: String,
    /// `moment` (one of Twitch's moments) or `video` (no moments: the whole VOD is one chapter of its game).
    pub source: &'static str,
    pub moment_id: Option<String>,
    pub game_id: Option<String>,
    pub game_name: Option<String>,
    pub description: Option<String>,
    pub box_art_url: Option<String>,
    /// The moment's JSON as sent; for a whole-VOD chapter, the video's `game` as sent (if any).
    pub raw_json: Option<String>,
}

impl VideoChapters {
    /// The chapters the player shows: the moments, or one chapter of the video's game from 0 to its length
    /// when there are none. `game` may be missing (the answer does not always carry it); `fallback` is the
    /// game the caller knows for the VOD (the stream it recorded), used then.
    pub fn chapters(&self, fallback: Option<(String, String)>) -> Vec<Chapter> {
        if self.moments.is_empty() {
            let (game_id, game_name) = match &self.game {
                Some(g) if g.id.is_some() => (g.id.clone(), g.display_name.clone()),
                _ => fallback.map_or((None, None), |(id, name)| (Some(id), Some(name))),
            };
            return vec![Chapter {
                position_ms: 0,
                duration_ms: self.length_seconds.filter(|s| *s > 0).map(|s| s * 1000),
                kind: "GAME_CHANGE".into(),
                source: "video",
                moment_id: None,
                description: game_name.clone(),
                game_id,
                game_name,
                box_art_url: self.game.as_ref().and_then(|g| g.box_art_url.clone()),
                raw_json: None,
            }];
        }
        self.moments
            .iter()
            .map(|(m, raw)| {
                let game = m.game();
                Chapter {
                    position_ms: m.position_milliseconds.max(0) as u64,
                    // Negative durations happen (TwitchDownloader clamps them); 0 is "still running".
                    duration_ms: m.duration_milliseconds.filter(|d| *d > 0).map(|d| d as u64),
                    kind: m.kind.clone().unwrap_or_else(|| "GAME_CHANGE".into()),
                    source: "moment",
                    moment_id: m.id.clone().filter(|id| !id.is_empty()),
                    game_id: game.and_then(|g| g.id.clone()),
                    game_name: game
                        .and_then(|g| g.display_name.clone())
                        .or_else(|| m.description.clone()),
                    description: m.description.clone(),
                    box_art_url: game.and_then(|g| g.box_art_url.clone()),
                    raw_json: Some(raw.get().to_owned()),
                }
            })
            .collect()
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errors: Option<Vec<GqlError>>,
    data: Option<Data>,
}

impl Answer {
    fn errors(&self) -> &[GqlError] {
        self.errors.as_deref().unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Data {
    /// `None`: no `video` key at all; `Some(None)`: `"video": null`, the video is gone.
    #[serde(default, deserialize_with = "present")]
    video: Option<Option<VideoWire>>,
}

/// Tells a field that is there (even as `null`) from one that is not.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VideoWire {
    length_seconds: Option<u64>,
    game: Option<ChapterGame>,
    /// `None` is `"moments": null`, Twitch's transient failure (or no `moments` key: not this query's answer).
    #[serde(default, deserialize_with = "present")]
    moments: Option<Option<Moments>>,
}

#[derive(Deserialize)]
struct Moments {
    #[serde(default, deserialize_with = "crate::client::helix::null_as_default")]
    edges: Vec<Edge>,
}

#[derive(Deserialize)]
struct Edge {
    node: Box<RawValue>,
}

/// Fetches the chapters of `video`.
pub async fn fetch_chapters(client: &Client, video: &str) -> Result<VideoChapters> {
    let operation = json!({
        "operationName": OPERATION,
        "variables": {"videoID": video},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": client.gql.chapters_hash}},
    });
    let url = client.endpoints().gql.to_string();
    client.gql(&operation, |body| read_chapters(&url, video, body)).await
}

fn read_chapters(url: &str, video: &str, body: &[u8]) -> Reading<VideoChapters> {
    let decode = |source| {
        Reading::Fail(Error::Decode {
            url: url.to_owned(),
            source,
        })
    };
    let (answer, messages) = match super::read_answer(url, video, OPERATION, body, Answer::errors) {
        Ok(read) => read,
        Err(reading) => return reading,
    };
    let no_video = |problem: &str, messages: Vec<String>| match messages.into_iter().next() {
        Some(message) => Reading::Retry(message),
        None => Reading::Fail(Error::GqlNoVideo {
            video: video.to_owned(),
            url: url.to_owned(),
            problem: problem.to_owned(),
        }),
    };
    let Some(data) = answer.data else {
        return no_video("data is null or missing", messages);
    };
    let found = match data.video {
        None => return no_video("data has no video field", messages),
        Some(None) if messages.is_empty() => {
            return Reading::Fail(Error::VideoNotFound {
                video: video.to_owned(),
            });
        }
        // A resolver failure also leaves `video` null, with the reason in `errors`: not proof it is gone.
        Some(None) => return no_video("video is null", messages),
        Some(Some(found)) => found,
    };
    let moments = match found.moments {
        Some(Some(moments)) => moments,
        // `moments: null`, with or without a message: Twitch's transient failure, as `comments: null` is.
        Some(None) => {
            let message = messages.into_iter().next().unwrap_or_else(|| "moments: null".into());
            return Reading::Retry(message);
        }
        None => return no_video("video has no moments field", messages),
    };
    let mut parsed = Vec::with_capacity(moments.edges.len());
    for edge in moments.edges {
        match serde_json::from_str::<Moment>(edge.node.get()) {
            Ok(moment) => parsed.push((moment, edge.node)),
            Err(source) => return decode(source),
        }
    }
    Reading::Ok(VideoChapters {
        length_seconds: found.length_seconds,
        game: found.game,
        moments: parsed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 2020 answer pasted in a public C# comment: a batched array of one answer; the element alone is what
    /// Twitch sends to the operation alone (the bytes are kept, duplicate `__typename` keys and all).
    fn captured() -> Vec<u8> {
        let file = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real/gql/chapters_video_744916367_2020.json"
        ))
        .unwrap();
        let inner = file.trim().strip_prefix('[').unwrap().strip_suffix(']').unwrap();
        inner.as_bytes().to_vec()
    }

    fn read(answer: serde_json::Value) -> Reading<VideoChapters> {
        read_chapters("u", "1", answer.to_string().as_bytes())
    }

    #[test]
    fn reads_a_captured_answer_with_two_games() {
        let Reading::Ok(found) = read_chapters("u", "744916367", &captured()) else {
            panic!("not read")
        };
        assert_eq!(found.moments.len(), 2);
        assert!(found.game.is_none(), "this capture carries no video game");
        let chapters = found.chapters(None);
        assert_eq!(chapters.len(), 2);
        let (ni_no_kuni, music) = (&chapters[0], &chapters[1]);
        assert_eq!(ni_no_kuni.position_ms, 0);
        assert_eq!(ni_no_kuni.duration_ms, Some(8_021_000));
        assert_eq!(ni_no_kuni.game_id.as_deref(), Some("30014"));
        assert_eq!(
            ni_no_kuni.game_name.as_deref(),
            Some("Ni no Kuni: Wrath of the White Witch")
        );
        assert_eq!(
            ni_no_kuni.moment_id.as_deref(),
            Some("552eda2c6adfe60287a203628ce45a74")
        );
        assert_eq!(ni_no_kuni.source, "moment");
        assert_eq!(music.position_ms, 8_021_000);
        assert_eq!(
            music.position_ms + music.duration_ms.unwrap(),
            13_886_000,
            "ends at lengthSeconds"
        );
        assert_eq!(
            (music.game_id.as_deref(), music.kind.as_str()),
            (Some("26936"), "GAME_CHANGE")
        );
        assert!(
            music.raw_json.as_deref().unwrap().contains("\"thumbnailURL\""),
            "the node is kept verbatim"
        );
    }

    #[test]
    fn a_single_game_vod_is_one_chapter_of_the_video_game() {
        let answer = json!({"data": {"video": {"id": "1", "lengthSeconds": 3600,
            "game": {"id": "509658", "displayName": "Just Chatting", "boxArtURL": "b"},
            "moments": {"edges": []}}}});
        let Reading::Ok(found) = read(answer) else { panic!() };
        let chapters = found.chapters(Some(("1".into(), "ignored".into())));
        assert_eq!(chapters.len(), 1);
        let whole = &chapters[0];
        assert_eq!((whole.position_ms, whole.duration_ms), (0, Some(3_600_000)));
        assert_eq!(whole.game_name.as_deref(), Some("Just Chatting"));
        assert_eq!(whole.source, "video");
        // Without a game in the answer, the caller's game is used.
        let bare = json!({"data": {"video": {"id": "1", "moments": {"edges": []}}}});
        let Reading::Ok(found) = read(bare) else { panic!() };
        let chapters = found.chapters(Some(("33214".into(), "Fortnite".into())));
        assert_eq!(chapters[0].game_id.as_deref(), Some("33214"));
        assert_eq!(chapters[0].duration_ms, None, "length unknown");
        assert_eq!(found.chapters(None)[0].game_id, None);
    }

    #[test]
    fn odd_durations_and_in_band_errors() {
        let answer = json!({"data": {"video": {"moments": {"edges": [
            {"node": {"positionMilliseconds": 0, "durationMilliseconds": -5, "type": "GAME_CHANGE"}},
            {"node": {"positionMilliseconds": 60000, "durationMilliseconds": 0, "description": "Art"}}]}}}});
        let Reading::Ok(found) = read(answer) else { panic!() };
        let chapters = found.chapters(None);
        assert_eq!(chapters[0].duration_ms, None, "negative is unknown");
        assert_eq!(chapters[1].duration_ms, None, "0: still recording");
        assert_eq!(
            chapters[1].game_name.as_deref(),
            Some("Art"),
            "description names the game"
        );

        let persisted = json!({"errors":[{"message":"PersistedQueryNotFound"}]});
        let Reading::Fail(refused @ Error::GqlPersistedQuery { operation: OPERATION }) = read(persisted) else {
            panic!("not final")
        };
        assert!(
            refused.hint().unwrap().contains("ITCH_GQL_CHAPTERS_HASH"),
            "the fix names this query's setting"
        );
        let integrity = json!({"errors":[{"message":"failed integrity check"}]});
        assert!(matches!(read(integrity), Reading::Fail(Error::GqlIntegrity { .. })));
        assert!(matches!(
            read(json!({"data":{"video":null}})),
            Reading::Fail(Error::VideoNotFound { .. })
        ));
        let service = json!({"errors":[{"message":"service error"}],"data":{"video":{"moments":null}}});
        assert!(matches!(read(service), Reading::Retry(_)));
        assert!(matches!(
            read(json!({"data":null,"errors":[{"message":"service unavailable"}]})),
            Reading::Retry(_)
        ));
        assert!(matches!(
            read(json!({"data":{}})),
            Reading::Fail(Error::GqlNoVideo { .. })
        ));
        assert!(matches!(
            read_chapters("u", "1", b"{\"data\":{\"vid"),
            Reading::Broken(_)
        ));
        assert!(matches!(
            read(json!({"data":{"video":{"moments":{"edges":[{"node":{"positionMilliseconds":"x"}}]}}}})),
            Reading::Fail(Error::Decode { .. })
        ));
    }
}
