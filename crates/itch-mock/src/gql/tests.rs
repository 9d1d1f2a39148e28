//! Tests of the fake GQL chat replay over HTTP: a real server on 127.0.0.1:0 and reqwest, checked against the
//! shapes of the chat reference notes rather than against the fake's own types.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::world::work;
use crate::{
    Advance, COMMENTS_QUERY_HASH, Fault, FaultPlan, GQL_CLIENT_ID, MockConfig, MockServer, MockVideo, WEB_CLIENT_ID,
};

struct Fake {
    server: MockServer,
    http: reqwest::Client,
}

fn config(comments: u64) -> MockConfig {
    MockConfig {
        seed: 11,
        comments,
        ..MockConfig::default()
    }
}

/// A `VideoCommentsByOffsetOrCursor` operation, exactly as the reference gives it.
fn op(video: &str, offset: Option<i64>, cursor: Option<&str>) -> Value {
    let mut variables = json!({ "videoID": video });
    if let Some(s) = offset {
        variables["contentOffsetSeconds"] = json!(s);
    }
    if let Some(c) = cursor {
        variables["cursor"] = json!(c);
    }
    json!({
        "operationName": "VideoCommentsByOffsetOrCursor",
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": COMMENTS_QUERY_HASH}},
    })
}

fn edges(page: &Value) -> &Vec<Value> {
    page["data"]["video"]["comments"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {page}"))
}

fn offset(node: &Value) -> u64 {
    node["contentOffsetSeconds"].as_u64().unwrap()
}

fn assert_keys(v: &Value, keys: &[&str]) {
    let got: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let want: HashSet<&str> = keys.iter().copied().collect();
    assert_eq!(got, want, "{v}");
}

impl Fake {
    async fn start(config: MockConfig) -> Fake {
        Fake {
            server: MockServer::start(config).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn largest_login(&self) -> String {
        self.server.channels().remove(0).login
    }

    /// Archives of the largest channel, newest first.
    fn archives(&self) -> Vec<MockVideo> {
        let mut videos = self.server.videos(&self.largest_login());
        videos.retain(|v| v.video_type == "archive");
        videos
    }

    async fn post_with(&self, client_id: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut req = self.http.post(self.server.gql_url()).json(body);
        if let Some(id) = client_id {
            req = req.header("Client-Id", id);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap())
    }

    /// One operation with the first-party client id; asserts HTTP 200.
    async fn post(&self, body: &Value) -> Value {
        let (status, body) = self.post_with(Some(GQL_CLIENT_ID), body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn seek(&self, video: &str, second: i64) -> Value {
        self.post(&op(video, Some(second), None)).await
    }

    async fn next(&self, video: &str, page: &Value) -> Value {
        let cursor = edges(page).last().unwrap()["cursor"].as_str().unwrap().to_owned();
        self.post(&op(video, None, Some(&cursor))).await
    }

    /// Every comment from `second` on, by offset then cursor, and the number of pages.
    async fn walk(&self, video: &str, second: i64) -> (Vec<Value>, usize) {
        let mut page = self.seek(video, second).await;
        let (mut nodes, mut pages) = (Vec::new(), 1);
        loop {
            nodes.extend(edges(&page).iter().map(|e| e["node"].clone()));
            if !page["data"]["video"]["comments"]["pageInfo"]["hasNextPage"]
                .as_bool()
                .unwrap()
            {
                return (nodes, pages);
            }
            page = self.next(video, &page).await;
            pages += 1;
        }
    }
}

#[tokio::test]
async fn a_page_has_twitchs_shape() {
    let f = Fake::start(config(2000)).await;
    let video = &f.archives()[0];
    let page = f.seek(&video.id, 0).await;
    assert_keys(&page, &["data", "extensions"]);
    assert_keys(
        &page["extensions"],
        &["durationMilliseconds", "operationName", "requestID"],
    );
    assert_eq!(page["extensions"]["operationName"], "VideoCommentsByOffsetOrCursor");
    assert_eq!(page["extensions"]["requestID"].as_str().unwrap().len(), 26);

    let v = &page["data"]["video"];
    assert_keys(v, &["id", "creator", "comments", "__typename"]);
    assert_eq!(v["id"], video.id.as_str());
    assert_eq!(v["__typename"], "Video");
    assert_eq!(v["creator"]["id"], video.user_id.as_str());
    assert_eq!(v["creator"]["channel"]["id"], video.user_id.as_str());
    assert_eq!(v["creator"]["__typename"], "User");
    let comments = &v["comments"];
    assert_keys(comments, &["edges", "pageInfo", "__typename"]);
    assert_eq!(
        comments["pageInfo"],
        json!({"hasNextPage": true, "hasPreviousPage": false, "__typename": "PageInfo"})
    );

    let edges = edges(&page);
    assert!((40..=100).contains(&edges.len()), "{}", edges.len());
    let cursor = edges.last().unwrap()["cursor"].as_str().unwrap();
    for e in edges {
        assert_keys(e, &["cursor", "node", "__typename"]);
        assert_eq!(e["__typename"], "VideoCommentEdge");
        assert_eq!(e["cursor"], cursor, "every edge carries the page's cursor");
        let n = &e["node"];
        assert_keys(
            n,
            &[
                "id",
                "commenter",
                "contentOffsetSeconds",
                "createdAt",
                "message",
                "__typename",
            ],
        );
        assert_eq!(n["__typename"], "VideoComment");
        assert_eq!(n["id"].as_str().unwrap().len(), 36);
        assert!(n["contentOffsetSeconds"].is_u64());
        let created = n["createdAt"].as_str().unwrap();
        assert!(
            created.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(created).is_ok(),
            "{created}"
        );
        if !n["commenter"].is_null() {
            assert_keys(&n["commenter"], &["id", "login", "displayName", "__typename"]);
            assert_eq!(n["commenter"]["__typename"], "User");
        }
        let m = &n["message"];
        assert_keys(m, &["fragments", "userBadges", "userColor", "__typename"]);
        assert_eq!(m["__typename"], "VideoCommentMessage");
        assert!(m["userColor"].is_null() || m["userColor"].as_str().unwrap().len() == 7);
        for frag in m["fragments"].as_array().unwrap() {
            assert_keys(frag, &["emote", "text", "__typename"]);
            assert_eq!(frag["__typename"], "VideoCommentMessageFragment");
        }
        for b in m["userBadges"].as_array().unwrap() {
            assert_keys(b, &["id", "setID", "version", "__typename"]);
            assert_eq!(b["__typename"], "Badge");
            let decoded = String::from_utf8(STANDARD.decode(b["id"].as_str().unwrap()).unwrap()).unwrap();
            let prefix = format!("{};{};", b["setID"].as_str().unwrap(), b["version"].as_str().unwrap());
            assert!(decoded.starts_with(&prefix), "{decoded} vs {prefix}");
        }
    }

    // The cursor: unpadded base64url JSON naming the page's last comment.
    let json: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap();
    assert_keys(&json, &["id", "hk", "sk"]);
    assert_eq!(json["id"], edges.last().unwrap()["node"]["id"]);
    assert!(json["hk"].as_str().unwrap().starts_with("broadcast:"));

    // Same seed, same page.
    let again = Fake::start(config(2000)).await;
    let other = again.seek(&video.id, 0).await;
    assert_eq!(page["data"], other["data"]);
}

#[tokio::test]
async fn walking_a_video_by_cursor_yields_every_comment_once_in_order() {
    let f = Fake::start(config(2000)).await;
    let video = &f.archives()[0];
    assert_eq!(video.comments, 2000);
    assert_eq!(f.server.comment_count(&video.id), Some(2000));
    let (nodes, pages) = f.walk(&video.id, 0).await;
    assert_eq!(nodes.len(), 2000);
    assert!((20..=50).contains(&pages), "{pages} pages");
    let ids: HashSet<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2000);
    assert!(nodes.windows(2).all(|p| offset(&p[0]) <= offset(&p[1])));
    assert!(offset(nodes.last().unwrap()) < video.chat_end_seconds);

    // The quirks are all there, in plausible shares.
    let null = nodes.iter().filter(|n| n["commenter"].is_null()).count();
    assert!((5..=60).contains(&null), "{null} deleted commenters");
    let colourless = nodes.iter().filter(|n| n["message"]["userColor"].is_null()).count();
    assert!(colourless > 100, "{colourless}");
    let fragments: Vec<&Value> = nodes
        .iter()
        .flat_map(|n| n["message"]["fragments"].as_array().unwrap())
        .collect();
    let emotes: Vec<&Value> = fragments.iter().filter(|f| !f["emote"].is_null()).copied().collect();
    assert!(emotes.len() > 100);
    for e in &emotes {
        let emote = &e["emote"];
        let (id, from) = (emote["emoteID"].as_str().unwrap(), emote["from"].as_u64().unwrap());
        let last = from + e["text"].as_str().unwrap().chars().count() as u64 - 1;
        assert_eq!(emote["id"], format!("{id};{from};{last}"));
        assert_eq!(emote["__typename"], "EmbeddedEmote");
    }
    assert!(fragments.iter().any(|f| f["emote"].is_null() && f["text"] == " "));
    let digits: HashSet<usize> = nodes
        .iter()
        .map(|n| {
            let t = n["createdAt"].as_str().unwrap();
            t.find('.').map_or(0, |dot| t.len() - dot - 2)
        })
        .collect();
    assert!(digits.len() >= 4, "fractional digits seen: {digits:?}");
    // Commenters are users Helix knows: the same login decodes to the same id.
    let logins: HashSet<(&str, &str)> = nodes
        .iter()
        .filter(|n| !n["commenter"].is_null())
        .map(|n| {
            (
                n["commenter"]["id"].as_str().unwrap(),
                n["commenter"]["login"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(logins.len() > 60 && logins.len() < 1000, "{} chatters", logins.len());
}

#[tokio::test]
async fn an_offset_seek_starts_a_little_before_the_second_asked_for() {
    let f = Fake::start(config(5000)).await;
    let video = &f.archives()[0];
    let mut earlier = 0;
    let seeks = 12;
    for i in 1..=seeks {
        let second = (video.duration_seconds * i / (seeks + 1)) as i64;
        let page = f.seek(&video.id, second).await;
        let offsets: Vec<u64> = edges(&page).iter().map(|e| offset(&e["node"])).collect();
        if offsets.is_empty() {
            continue;
        }
        let first = offsets[0] as i64;
        assert!(first >= second - 30, "seek {second} started at {first}");
        assert!(
            offsets.iter().any(|o| *o as i64 >= second),
            "seek {second} holds the second"
        );
        if first < second {
            earlier += 1;
        }
    }
    assert!(earlier >= seeks / 2, "only {earlier} of {seeks} seeks started early");

    // Past the last comment: nothing, and no next page.
    let page = f.seek(&video.id, video.chat_end_seconds as i64 + 5).await;
    assert!(edges(&page).is_empty());
    assert_eq!(page["data"]["video"]["comments"]["pageInfo"]["hasNextPage"], false);
}

/// TwitchDownloader's parallel download: seek at each quarter, follow cursors until a comment at or past the
/// segment's end (the last segment runs to the end), keep `[start, end)`, merge by id.
#[tokio::test]
async fn four_segments_union_to_the_whole_chat() {
    let f = Fake::start(config(3000)).await;
    let archives = f.archives();
    // The newest archive, and the one whose chat outlasts its duration.
    for video in [&archives[0], &archives[1]] {
        let (all, _) = f.walk(&video.id, 0).await;
        let want: HashSet<String> = all.iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(want.len() as u64, video.comments);
        let chunk = (video.duration_seconds + 1).div_ceil(4);
        let mut got = HashSet::new();
        for i in 0..4 {
            let (start, end) = (i * chunk, if i == 3 { u64::MAX } else { (i + 1) * chunk });
            let mut page = f.seek(&video.id, start as i64).await;
            loop {
                let mut latest = 0;
                for e in edges(&page) {
                    let o = offset(&e["node"]);
                    latest = latest.max(o);
                    if o >= start && o < end {
                        got.insert(e["node"]["id"].as_str().unwrap().to_owned());
                    }
                }
                let more = page["data"]["video"]["comments"]["pageInfo"]["hasNextPage"]
                    .as_bool()
                    .unwrap();
                if latest >= end || !more {
                    break;
                }
                page = f.next(&video.id, &page).await;
            }
        }
        assert_eq!(got, want, "video {}", video.id);
    }
}

#[tokio::test]
async fn unknown_and_deleted_videos_are_null() {
    let f = Fake::start(config(500)).await;
    for id in ["1", "0", "notanumber", "02100001000"] {
        let page = f.seek(id, 0).await;
        assert_eq!(page["data"], json!({"video": null}), "{id}");
        assert!(page.get("errors").is_none());
    }
    let login = f.largest_login();
    f.server.advance(Advance {
        deleted_videos: 3,
        ..Advance::default()
    });
    let deleted: Vec<MockVideo> = f.server.videos(&login).into_iter().filter(|v| v.deleted).collect();
    assert_eq!(deleted.len(), 3);
    for v in &deleted {
        assert_eq!(f.seek(&v.id, 0).await["data"], json!({"video": null}));
        assert_eq!(f.server.comment_count(&v.id), None);
    }
    assert_eq!(f.server.comment_count("1"), None);
}

#[tokio::test]
async fn bad_operations_get_gql_errors() {
    let f = Fake::start(config(500)).await;
    let id = f.archives()[0].id.clone();

    let mut wrong = op(&id, Some(0), None);
    wrong["extensions"]["persistedQuery"]["sha256Hash"] = json!("0".repeat(64));
    let answer = f.post(&wrong).await;
    assert_eq!(answer["errors"], json!([{"message": "PersistedQueryNotFound"}]));
    assert!(answer.get("data").is_none());
    assert_keys(
        &answer["extensions"],
        &["durationMilliseconds", "operationName", "requestID"],
    );

    let mut other = op(&id, Some(0), None);
    other["operationName"] = json!("VideoPlayer_ChapterSelectButtonVideo");
    let answer = f.post(&other).await;
    assert_eq!(
        answer["errors"][0]["message"],
        "Unknown operation named \"VideoPlayer_ChapterSelectButtonVideo\"."
    );

    for (offset, cursor) in [(Some(0), Some("abc")), (None, None)] {
        let answer = f.post(&op(&id, offset, cursor)).await;
        assert!(answer["errors"][0]["message"].is_string(), "{answer}");
        assert!(answer.get("data").is_none(), "{answer}");
    }
    let mut float = op(&id, None, None);
    float["variables"]["contentOffsetSeconds"] = json!(1.5);
    assert!(f.post(&float).await["errors"][0]["message"].is_string());
    let mut missing = op(&id, Some(0), None);
    missing["variables"].as_object_mut().unwrap().remove("videoID");
    assert!(f.post(&missing).await["errors"][0]["message"].is_string());

    // A cursor of another video, or a forged one, fails at `video.comments`.
    let newest = f.seek(&id, 0).await;
    let foreign = edges(&newest)[0]["cursor"].as_str().unwrap().to_owned();
    let second = f.archives()[1].id.clone();
    for cursor in [foreign.as_str(), "eyJpZCI6IjEifQ", "not base64!"] {
        let answer = f.post(&op(&second, None, Some(cursor))).await;
        assert_eq!(
            answer["errors"],
            json!([{"message": "invalid cursor", "path": ["video", "comments"]}])
        );
        assert_eq!(answer["data"]["video"]["comments"], Value::Null);
    }

    // Not JSON at all: HTTP 400.
    let r = f
        .http
        .post(f.server.gql_url())
        .header("Client-Id", GQL_CLIENT_ID)
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn headers_decide_who_may_ask() {
    let f = Fake::start(config(500)).await;
    let id = f.archives()[0].id.clone();

    // The web client id: offsets work, cursors fail the integrity check as on Twitch since 2023-05.
    let (status, page) = f.post_with(Some(WEB_CLIENT_ID), &op(&id, Some(0), None)).await;
    assert_eq!(status, 200);
    let cursor = edges(&page)[0]["cursor"].as_str().unwrap().to_owned();
    let (status, answer) = f.post_with(Some(WEB_CLIENT_ID), &op(&id, None, Some(&cursor))).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["errors"],
        json!([{"message": "failed integrity check", "path": ["video", "comments"]}])
    );
    assert_eq!(answer["extensions"]["challenge"], json!({"type": "integrity"}));
    assert!(answer.get("data").is_none());
    // The same cursor works with the first-party id.
    assert!(!edges(&f.post(&op(&id, None, Some(&cursor))).await).is_empty());

    // Any Authorization header, even a well-formed one: 401.
    let r = f
        .http
        .post(f.server.gql_url())
        .header("Client-Id", GQL_CLIENT_ID)
        .header("Authorization", "OAuth abcdefghijklmnopqrstuvwxyz0123")
        .json(&op(&id, Some(0), None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "Unauthorized", "status": 401, "message": "The \"Authorization\" token is invalid."})
    );

    let (status, body) = f.post_with(None, &op(&id, Some(0), None)).await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "The \"Client-ID\" header is missing from the request.");
    let (status, body) = f.post_with(Some(f.server.client_id()), &op(&id, Some(0), None)).await;
    assert_eq!(status, 400, "the Helix client id is not a GQL one");
    assert_eq!(body["message"], "The \"Client-ID\" header is invalid.");

    // `text/plain` bodies are fine, as xenova sends them.
    let r = f
        .http
        .post(f.server.gql_url())
        .header("Client-Id", GQL_CLIENT_ID)
        .header("Content-Type", "text/plain;charset=UTF-8")
        .body(op(&id, Some(0), None).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn an_array_request_gets_an_array_answer() {
    let f = Fake::start(config(500)).await;
    let id = f.archives()[0].id.clone();
    let mut wrong = op(&id, Some(0), None);
    wrong["extensions"]["persistedQuery"]["sha256Hash"] = json!("f".repeat(64));
    let batch = json!([op(&id, Some(0), None), wrong, op("1", Some(0), None)]);
    let answer = f.post(&batch).await;
    let answers = answer.as_array().unwrap();
    assert_eq!(answers.len(), 3);
    assert!(!edges(&answers[0]).is_empty());
    assert_eq!(answers[1]["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(answers[2]["data"], json!({"video": null}));
    assert_eq!(
        f.post(&json!([op(&id, Some(0), None)])).await.as_array().unwrap().len(),
        1
    );

    let too_many = Value::Array(vec![op(&id, Some(0), None); 36]);
    assert_eq!(f.post_with(Some(GQL_CLIENT_ID), &too_many).await.0, 400);
    let most = Value::Array(vec![op(&id, Some(0), None); 35]);
    assert_eq!(f.post(&most).await.as_array().unwrap().len(), 35);
}

#[tokio::test]
async fn a_page_deep_in_200000_comments_is_computed_not_stored() {
    // Work is counted, not timed (see `world::work`): a loaded runner cannot fail this, and a fake that stores
    // or walks its 200,000 comments does 200,000 steps where this allows a few hundred.
    let before = work::done();
    let f = Fake::start(config(200_000)).await;
    let start = work::done() - before;
    assert!(start < 10_000, "start worked on {start} comments");
    let video = f.archives()[0].clone();
    assert_eq!(f.server.comment_count(&video.id), Some(200_000));
    // Page 1,000 or so: pages average 70 comments.
    let cursor = f.server.comment_cursor(&video.id, 999 * 70 - 1);
    let body = op(&video.id, None, Some(&cursor));
    f.post(&body).await; // warm the connection
    let before = work::done();
    let page = f.post(&body).await;
    let deep = work::done() - before;
    let nodes = edges(&page);
    assert!((40..=100).contains(&nodes.len()));
    // At least the page's own comments (so the count is live), and nowhere near the ~70,000 before them.
    assert!(
        (nodes.len() as u64..=1_000).contains(&deep),
        "page 1,000 worked on {deep} comments"
    );
    assert_eq!(page["data"]["video"]["comments"]["pageInfo"]["hasPreviousPage"], true);
    // A seek near the end is as quick, and the very end is reachable.
    let before = work::done();
    let tail = f.seek(&video.id, video.chat_end_seconds as i64 - 1).await;
    let seek = work::done() - before;
    // A binary search (~18 offsets) and a page, not a walk from the start.
    assert!(
        (18..=1_000).contains(&seek),
        "a seek near the end worked on {seek} comments"
    );
    let last = f.server.comment_cursor(&video.id, 200_000 - 2);
    let end = f.post(&op(&video.id, None, Some(&last))).await;
    assert_eq!(edges(&end).len(), 1);
    assert_eq!(end["data"]["video"]["comments"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(tail["data"]["video"]["comments"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn some_chats_outlast_their_video() {
    let f = Fake::start(config(500)).await;
    let long = f.archives()[1].clone();
    assert!(long.chat_end_seconds > long.duration_seconds, "{long:?}");
    assert!(long.chat_end_seconds <= long.duration_seconds * 11 / 10 + 1);
    let page = f.seek(&long.id, long.duration_seconds as i64 + 1).await;
    let past = edges(&page)
        .iter()
        .filter(|e| offset(&e["node"]) > long.duration_seconds)
        .count();
    assert!(past > 0, "no comment past the reported duration");
    // Only a few videos do.
    let all: Vec<MockVideo> = f
        .server
        .channels()
        .iter()
        .flat_map(|c| f.server.videos(&c.login))
        .collect();
    let longer = all.iter().filter(|v| v.chat_end_seconds > v.duration_seconds).count();
    assert!(longer >= 1 && longer * 4 < all.len(), "{longer} of {}", all.len());
}

#[tokio::test]
async fn one_video_reports_created_at_in_local_time() {
    let f = Fake::start(config(500)).await;
    let all: Vec<MockVideo> = f
        .server
        .channels()
        .iter()
        .flat_map(|c| f.server.videos(&c.login))
        .collect();
    let shifted: Vec<&MockVideo> = all.iter().filter(|v| v.created_at_shift_seconds != 0).collect();
    assert_eq!(shifted.len(), 1);
    let video = shifted[0];
    assert_eq!(video.created_at_shift_seconds, -7 * 3600);
    let started = chrono::DateTime::parse_from_rfc3339(&video.created_at).unwrap();
    let page = f.seek(&video.id, 0).await;
    for e in edges(&page) {
        let created = chrono::DateTime::parse_from_rfc3339(e["node"]["createdAt"].as_str().unwrap()).unwrap();
        assert!(
            created < started - chrono::Duration::minutes(5),
            "{created} vs {started}"
        );
    }
    // Elsewhere createdAt agrees with the offset, within the second.
    let normal = &f.archives()[0];
    let started = chrono::DateTime::parse_from_rfc3339(&normal.created_at).unwrap();
    for e in edges(&f.seek(&normal.id, 0).await) {
        let created = chrono::DateTime::parse_from_rfc3339(e["node"]["createdAt"].as_str().unwrap()).unwrap();
        assert_eq!((created - started).num_seconds() as u64, offset(&e["node"]));
    }
}

#[tokio::test]
async fn faults_reach_gql_and_in_band_ones_wait_for_it() {
    let f = Fake::start(config(500)).await;
    let id = f.archives()[0].id.clone();
    let body = op(&id, Some(0), None);

    // A GQL-only fault lets Helix requests pass and waits for the next GQL one.
    f.server.fail_next(1, Fault::GqlServiceError);
    let helix = f
        .http
        .get(format!("{}users?id=1", f.server.helix_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(helix.status(), 401, "Helix answered normally (no token)");
    let answer = f.post(&body).await;
    assert_eq!(
        answer["errors"],
        json!([{"message": "service error", "path": ["video", "comments"]}])
    );
    assert_eq!(answer["data"]["video"]["comments"], Value::Null);
    assert_eq!(answer["data"]["video"]["id"], id.as_str());
    assert!(!edges(&f.post(&body).await).is_empty(), "transient");

    f.server.fail_next(1, Fault::GqlIntegrity);
    let answer = f.post(&body).await;
    assert_eq!(answer["errors"][0]["message"], "failed integrity check");
    assert_eq!(answer["extensions"]["challenge"]["type"], "integrity");

    f.server.fail_next(1, Fault::ServerError(503));
    assert_eq!(f.post_with(Some(GQL_CLIENT_ID), &body).await.0, 503);

    f.server.fail_next(1, Fault::Truncate);
    let r = f
        .http
        .post(f.server.gql_url())
        .header("Client-Id", GQL_CLIENT_ID)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.is_err());

    f.server.fail_next(1, Fault::Malformed);
    let r = f
        .http
        .post(f.server.gql_url())
        .header("Client-Id", GQL_CLIENT_ID)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());

    f.server.fail_next(1, Fault::Reset);
    let err = f
        .http
        .post(f.server.gql_url())
        .header("Client-Id", GQL_CLIENT_ID)
        .json(&body)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request() || err.is_connect(), "{err:?}");

    let stats = f.server.stats();
    assert_eq!(stats.gql_requests, 7);
    assert_eq!(stats.by_path["/gql"], 7);
    assert_eq!(stats.faults, 6);

    // Any kind can be kept for GQL: Helix requests pass it by.
    f.server.fail_next_gql(1, Fault::ServerError(502));
    let helix = f
        .http
        .get(format!("{}users?id=1", f.server.helix_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(helix.status(), 401);
    assert_eq!(f.post_with(Some(GQL_CLIENT_ID), &body).await.0, 502);
    f.http
        .post(format!("{}/_mock/fail-next", f.server.url()))
        .json(&json!({"n": 1, "kind": {"server_error": 500}, "gql_only": true}))
        .send()
        .await
        .unwrap();
    let helix = f
        .http
        .get(format!("{}users?id=1", f.server.helix_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(helix.status(), 401);
    assert_eq!(f.post_with(Some(GQL_CLIENT_ID), &body).await.0, 500);

    // Drawn service errors, from the plan.
    f.server.set_faults(FaultPlan {
        gql_service_error: 0.5,
        ..FaultPlan::default()
    });
    let mut failed = 0;
    for _ in 0..40 {
        if f.post(&body).await["data"]["video"]["comments"].is_null() {
            failed += 1;
        }
    }
    assert!((8..=32).contains(&failed), "{failed}");
}

#[tokio::test]
async fn the_world_view_lists_videos_with_their_comments() {
    let f = Fake::start(config(1234)).await;
    let world: Value = f
        .http
        .get(format!("{}/_mock/world", f.server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let videos = world["channels"][0]["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 30);
    let newest_archive = videos.iter().find(|v| v["video_type"] == "archive").unwrap();
    assert_eq!(newest_archive["comments"], 1234);
    let other = &f.server.videos(&f.server.channels()[1].login)[0];
    assert_eq!(other.comments, other.chat_end_seconds / 20);
}

/// Issue 11, item 9: the shapes that once ended a chat replay silently, each on demand and used up.
#[tokio::test]
async fn odd_shapes_are_sent_on_demand() {
    let f = Fake::start(config(2_000)).await;
    let id = f.archives()[0].id.clone();
    let first = f.post(&op(&id, Some(0), None)).await;
    let cursor = edges(&first).last().unwrap()["cursor"].as_str().unwrap().to_owned();
    let by_cursor = op(&id, None, Some(&cursor));

    f.server.fail_next_gql(1, Fault::GqlCursorMissing);
    let page = f.post(&by_cursor).await;
    assert!(edges(&page).iter().all(|e| e.get("cursor").is_none()), "{page}");
    assert_eq!(page["data"]["video"]["comments"]["pageInfo"]["hasNextPage"], true);

    f.server.fail_next_gql(1, Fault::GqlCursorNull);
    let page = f.post(&by_cursor).await;
    assert!(
        edges(&page)
            .iter()
            .all(|e| e["cursor"].is_null() && e.get("cursor").is_some())
    );

    f.server.fail_next_gql(1, Fault::GqlCursorEmpty);
    assert!(edges(&f.post(&by_cursor).await).iter().all(|e| e["cursor"] == ""));

    f.server.fail_next_gql(1, Fault::GqlCursorRepeated);
    assert!(
        edges(&f.post(&by_cursor).await)
            .iter()
            .all(|e| e["cursor"] == cursor.as_str())
    );

    f.server.fail_next_gql(1, Fault::GqlVideoNull);
    let page = f.post(&by_cursor).await;
    assert_eq!(page["data"], json!({"video": null}));

    f.server.fail_next_gql(1, Fault::GqlNoVideo);
    assert_eq!(f.post(&by_cursor).await["data"], json!({}));

    f.server.fail_next_gql(1, Fault::GqlDataNull);
    let page = f.post(&by_cursor).await;
    assert_eq!(page["data"], Value::Null);
    assert!(page.get("data").is_some(), "data: null, not left out");
    assert_eq!(page["errors"][0]["message"], "service unavailable");

    // Let two requests by, then fail the third.
    f.server.fail_gql_after(2, 1, Fault::GqlCursorMissing);
    for _ in 0..2 {
        assert!(edges(&f.post(&by_cursor).await).iter().all(|e| e["cursor"].is_string()));
    }
    assert!(
        edges(&f.post(&by_cursor).await)
            .iter()
            .all(|e| e.get("cursor").is_none())
    );
    assert!(
        edges(&f.post(&by_cursor).await).iter().all(|e| e["cursor"].is_string()),
        "used up"
    );
}
