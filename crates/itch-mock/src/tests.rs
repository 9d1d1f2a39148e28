//! Tests of the fake Twitch over HTTP: a real server on 127.0.0.1:0 and reqwest, as the client will meet it.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::world::work;
use crate::{Advance, Fault, FaultPlan, MockConfig, MockServer, cursor};

const FOLLOWERS_SCOPE: &str = "moderator:read:followers";

fn config(followers: u64) -> MockConfig {
    MockConfig {
        seed: 7,
        followers,
        ..MockConfig::default()
    }
}

struct Fake {
    server: MockServer,
    http: reqwest::Client,
}

impl Fake {
    async fn start(config: MockConfig) -> Fake {
        Fake {
            server: MockServer::start(config).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn largest(&self) -> crate::MockChannel {
        self.server.channels().remove(0)
    }

    async fn app_token(&self) -> String {
        let form = [
            ("client_id", self.server.client_id()),
            ("client_secret", self.server.client_secret()),
            ("grant_type", "client_credentials"),
        ];
        let r = self
            .http
            .post(format!("{}token", self.server.oauth_url()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A user token of a moderator of the largest channel, allowed to list its followers.
    fn moderator_token(&self) -> String {
        let moderator = self.server.moderator_of(&self.largest().login);
        self.server.user_token(&moderator, &[FOLLOWERS_SCOPE])
    }

    async fn get(&self, token: &str, path: &str, query: &[(&str, &str)]) -> (StatusCode, HeaderMap, Value) {
        let r = self.raw(token, path, query).await.unwrap();
        let (status, headers) = (r.status(), r.headers().clone());
        let body = r.json::<Value>().await.unwrap();
        (status, headers, body)
    }

    async fn raw(&self, token: &str, path: &str, query: &[(&str, &str)]) -> reqwest::Result<reqwest::Response> {
        self.http
            .get(format!("{}{path}", self.server.helix_url()))
            .query(query)
            .header("Client-Id", self.server.client_id())
            .bearer_auth(token)
            .send()
            .await
    }

    /// Every follower of the largest channel, paging with `first`.
    async fn all_followers(&self, token: &str, first: &str) -> (Vec<Value>, usize) {
        let id = self.largest().id;
        let (mut items, mut pages, mut after) = (Vec::new(), 0, None::<String>);
        loop {
            let mut q = vec![("broadcaster_id", id.as_str()), ("first", first)];
            if let Some(a) = &after {
                q.push(("after", a));
            }
            let (status, _, body) = self.get(token, "channels/followers", &q).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            pages += 1;
            items.extend(body["data"].as_array().unwrap().iter().cloned());
            match body["pagination"]["cursor"].as_str() {
                Some(c) => after = Some(c.to_owned()),
                None => {
                    assert_eq!(body["pagination"], json!({}));
                    return (items, pages);
                }
            }
        }
    }
}

fn ids(items: &[Value], key: &str) -> Vec<String> {
    items.iter().map(|v| v[key].as_str().unwrap().to_owned()).collect()
}

fn assert_keys(v: &Value, keys: &[&str]) {
    let got: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let want: HashSet<&str> = keys.iter().copied().collect();
    assert_eq!(got, want, "{v}");
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok() && s.ends_with('Z'))
}

// ---- OAuth ----

#[tokio::test]
async fn client_credentials_in_form_or_query_and_bad_credentials() {
    let f = Fake::start(config(100)).await;
    let url = format!("{}token", f.server.oauth_url());
    let token = f.app_token().await;
    assert_eq!(token.len(), 30);
    assert!(token.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));

    let q = [
        ("client_id", f.server.client_id()),
        ("client_secret", f.server.client_secret()),
        ("grant_type", "client_credentials"),
    ];
    let r = f.http.post(&url).query(&q).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_keys(&body, &["access_token", "expires_in", "token_type"]);
    assert_eq!(body["expires_in"], 4 * 3600 - 1, "honest expires_in, rounded down");

    let bad_secret = [q[0], ("client_secret", "nope"), q[2]];
    let r = f.http.post(&url).form(&bad_secret).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status":403,"message":"invalid client secret"})
    );
    let bad_client = [("client_id", "someoneelse"), q[1], q[2]];
    let r = f.http.post(&url).form(&bad_client).send().await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status":400,"message":"invalid client"})
    );
}

#[tokio::test]
async fn validate_reports_app_and_user_tokens() {
    let f = Fake::start(config(100)).await;
    let url = format!("{}validate", f.server.oauth_url());
    let app = f.app_token().await;
    let body: Value = f
        .http
        .get(&url)
        .header("Authorization", format!("OAuth {app}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_keys(&body, &["client_id", "scopes", "expires_in"]);
    assert_eq!(body["scopes"], Value::Null);

    let login = f.largest().login;
    let user = f.server.user_token(&login, &["user:read:follows"]);
    let body: Value = f
        .http
        .get(&url)
        .bearer_auth(&user)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["login"], login.as_str());
    assert_eq!(body["user_id"], f.largest().id.as_str());
    assert_eq!(body["scopes"], json!(["user:read:follows"]));

    let r = f
        .http
        .get(&url)
        .header("Authorization", "OAuth nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status":401,"message":"invalid access token"})
    );
}

#[tokio::test]
async fn device_flow_is_pending_twice_then_approves_the_largest_broadcaster() {
    let f = Fake::start(config(100)).await;
    let oauth = f.server.oauth_url();
    let start = [
        ("client_id", f.server.client_id()),
        ("scopes", "moderator:read:followers user:read:follows"),
    ];
    let d: Value = f
        .http
        .post(format!("{oauth}device"))
        .form(&start)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["interval"], 1);
    assert_eq!(d["expires_in"], 1800);
    let user_code = d["user_code"].as_str().unwrap();
    assert_eq!(
        d["verification_uri"],
        format!("{}/activate?device-code={user_code}", f.server.url()).as_str()
    );
    let code = d["device_code"].as_str().unwrap();
    let poll = || poll_device(&f, code);
    assert_eq!(
        poll().await,
        (
            StatusCode::BAD_REQUEST,
            json!({"status":400,"message":"authorization_pending"})
        )
    );
    assert_eq!(
        poll().await,
        (StatusCode::BAD_REQUEST, json!({"status":400,"message":"slow_down"}))
    );
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(poll().await.1["message"], "authorization_pending");
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let (status, token) = poll().await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["scope"], json!(["moderator:read:followers", "user:read:follows"]));
    assert_eq!(token["refresh_token"].as_str().unwrap().len(), 30);

    let access = token["access_token"].as_str().unwrap();
    let (status, _, me) = f.get(access, "users", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(me["data"][0]["login"], f.largest().login.as_str());
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        poll().await.1["message"],
        "invalid device code",
        "a device code is used once"
    );
}

async fn poll_device(f: &Fake, code: &str) -> (StatusCode, Value) {
    let form = [
        ("client_id", f.server.client_id()),
        ("device_code", code),
        ("scopes", "moderator:read:followers user:read:follows"),
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
    ];
    let r = f
        .http
        .post(format!("{}token", f.server.oauth_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status(), r.json::<Value>().await.unwrap())
}

#[tokio::test]
async fn expired_token_is_refused_and_refresh_rotates() {
    let f = Fake::start(config(100)).await;
    let login = f.largest().login;
    let token = f.server.user_token(&login, &[]);
    assert_eq!(f.get(&token, "users", &[]).await.0, 200);
    f.server.expire_token(&token);
    let (status, _, body) = f.get(&token, "users", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"error":"Unauthorized","status":401,"message":"Invalid OAuth token"})
    );

    let refresh = f.server.refresh_token_for(&token).unwrap();
    let form = [
        ("client_id", f.server.client_id()),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let url = format!("{}token", f.server.oauth_url());
    let fresh: Value = f
        .http
        .post(&url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = fresh["access_token"].as_str().unwrap();
    assert_eq!(f.get(access, "users", &[]).await.0, 200);
    assert_ne!(fresh["refresh_token"].as_str().unwrap(), refresh);
    let again = f.http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(again.status(), 400);
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        json!({"status":400,"message":"Invalid refresh token"})
    );
}

#[tokio::test]
async fn short_lived_tokens_expire_on_their_own() {
    let f = Fake::start(MockConfig {
        // A second, so a loaded runner still uses the token before it expires; the sleep below only ever runs
        // long, so the token is always expired after it.
        token_ttl: Duration::from_secs(1),
        ..config(100)
    })
    .await;
    let token = f.app_token().await;
    let id = f.largest().id;
    assert_eq!(f.get(&token, "users", &[("id", &id)]).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        f.get(&token, "users", &[("id", &id)]).await.2["message"],
        "Invalid OAuth token"
    );
}

// ---- Helix authentication and errors ----

#[tokio::test]
async fn helix_auth_errors_have_twitch_messages() {
    let f = Fake::start(config(100)).await;
    let url = format!("{}users?id=1", f.server.helix_url());
    let body = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 401);
        assert!(r.headers().contains_key("ratelimit-remaining"));
        r.json::<Value>().await.unwrap()
    };
    let r = f
        .http
        .get(&url)
        .header("Client-Id", f.server.client_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(r).await,
        json!({"error":"Unauthorized","status":401,"message":"OAuth token is missing"})
    );
    let token = f.app_token().await;
    let r = f
        .http
        .get(&url)
        .header("Client-Id", "x".repeat(30))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(body(r).await["message"], "Client ID and OAuth token do not match");
}

#[tokio::test]
async fn gone_unknown_and_bad_first() {
    let f = Fake::start(config(100)).await;
    let t = f.app_token().await;
    let (status, _, body) = f.get(&t, "users/follows", &[("to_id", "1")]).await;
    assert_eq!(status, 410);
    assert_eq!(
        body,
        json!({"error":"Gone","status":410,"message":"The API is deprecated."})
    );
    let (status, _, body) = f.get(&t, "no/such/thing", &[]).await;
    assert_eq!((status, &body["error"]), (StatusCode::NOT_FOUND, &json!("Not Found")));
    let id = f.largest().id;
    for (first, message) in [
        (
            "101",
            "The parameter \"first\" was malformed: the value must be less than or equal to 100",
        ),
        (
            "0",
            "The parameter \"first\" was malformed: the value must be greater than or equal to 1",
        ),
        (
            "ten",
            "The parameter \"first\" was malformed: the value must be a valid integer",
        ),
    ] {
        let (status, _, body) = f
            .get(&t, "channels/followers", &[("broadcaster_id", &id), ("first", first)])
            .await;
        assert_eq!(status, 400);
        assert_eq!(body, json!({"error":"Bad Request","status":400,"message":message}));
    }
    let (status, _, _) = f
        .get(&t, "channels/followers", &[("broadcaster_id", &id), ("after", "bogus")])
        .await;
    assert_eq!(status, 200, "after is ignored when only the total is visible");
}

// ---- Users, channels, games, search ----

#[tokio::test]
async fn users_by_id_and_login_drop_unknown_ones() {
    let f = Fake::start(config(300)).await;
    let app = f.app_token().await;
    let mod_login = f.server.moderator_of(&f.largest().login);
    let ch = f.largest();
    let (status, _, body) = f
        .get(
            &app,
            "users",
            &[
                ("id", &ch.id),
                ("id", "1"),
                ("login", &mod_login),
                ("login", "nobody_here"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{body}");
    assert_keys(&body, &["data"]);
    let keys = [
        "id",
        "login",
        "display_name",
        "type",
        "broadcaster_type",
        "description",
        "profile_image_url",
        "offline_image_url",
        "view_count",
        "created_at",
    ];
    assert_keys(&data[0], &keys);
    assert_eq!(data[0]["login"], ch.login.as_str());
    assert_eq!(data[0]["broadcaster_type"], "partner");
    assert_eq!(data[1]["login"], mod_login.as_str());
    assert!(data.iter().all(|u| is_rfc3339(&u["created_at"])));

    // The login encodes the id, and both lead back to the same user.
    let id = data[1]["id"].as_str().unwrap();
    assert!(mod_login.ends_with(id) && mod_login.len() <= 25);
    let (_, _, by_id) = f.get(&app, "users", &[("id", id)]).await;
    assert_eq!(by_id["data"][0], data[1]);

    let (status, _, body) = f.get(&app, "users", &[]).await;
    assert_eq!(
        (status, &body["message"]),
        (
            StatusCode::BAD_REQUEST,
            &json!("Must provide an ID, Login or OAuth Token.")
        )
    );
    let many: Vec<(&str, &str)> = (0..101).map(|_| ("id", "123")).collect();
    assert_eq!(f.get(&app, "users", &many).await.0, 400);

    let own = f.server.user_token(&mod_login, &["user:read:email"]);
    let (_, _, me) = f.get(&own, "users", &[]).await;
    assert_eq!(me["data"][0]["login"], mod_login.as_str());
    assert!(me["data"][0]["email"].as_str().unwrap().contains('@'));
}

#[tokio::test]
async fn channels_games_and_search_have_twitch_shapes() {
    let f = Fake::start(config(300)).await;
    let app = f.app_token().await;
    let chans = f.server.channels();
    let (status, _, body) = f
        .get(
            &app,
            "channels",
            &[("broadcaster_id", &chans[0].id), ("broadcaster_id", &chans[1].id)],
        )
        .await;
    assert_eq!(status, 200);
    let keys = [
        "broadcaster_id",
        "broadcaster_login",
        "broadcaster_name",
        "broadcaster_language",
        "game_name",
        "game_id",
        "title",
        "delay",
        "tags",
        "content_classification_labels",
        "is_branded_content",
    ];
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_keys(&body["data"][0], &keys);
    assert_eq!(body["data"][1]["broadcaster_login"], chans[1].login.as_str());
    assert_eq!(
        f.get(&app, "channels", &[]).await.2["message"],
        "Missing required parameter \"broadcaster_id\""
    );

    let (_, _, games) = f
        .get(
            &app,
            "games",
            &[("id", "33214"), ("name", "Just Chatting"), ("id", "0")],
        )
        .await;
    let games = games["data"].as_array().unwrap();
    assert_eq!(games.len(), 2);
    assert_keys(&games[0], &["id", "name", "box_art_url", "igdb_id"]);
    assert!(
        games
            .iter()
            .all(|g| g["box_art_url"].as_str().unwrap().contains("{width}x{height}"))
    );

    let prefix = &chans[2].login[..3];
    let (_, _, found) = f.get(&app, "search/channels", &[("query", prefix)]).await;
    let found = found["data"].as_array().unwrap();
    assert!(found.iter().any(|c| c["broadcaster_login"] == chans[2].login.as_str()));
    assert!(
        found
            .iter()
            .all(|c| c["broadcaster_login"].as_str().unwrap().starts_with(prefix))
    );
    let keys = [
        "broadcaster_language",
        "broadcaster_login",
        "display_name",
        "game_id",
        "game_name",
        "id",
        "is_live",
        "tag_ids",
        "tags",
        "thumbnail_url",
        "title",
        "started_at",
    ];
    assert_keys(&found[0], &keys);
    let (_, _, live) = f
        .get(
            &app,
            "search/channels",
            &[("query", &chans[1].login), ("live_only", "true")],
        )
        .await;
    assert_eq!(live["data"][0]["is_live"], true);
    assert!(is_rfc3339(&live["data"][0]["started_at"]));
}

// ---- Followers ----

#[tokio::test]
async fn paging_2500_followers_arrives_whole_newest_first() {
    let f = Fake::start(config(2500)).await;
    let token = f.moderator_token();
    let (items, pages) = f.all_followers(&token, "100").await;
    assert_eq!(pages, 25);
    assert_eq!(items.len(), 2500);
    let unique: HashSet<String> = ids(&items, "user_id").into_iter().collect();
    assert_eq!(unique.len(), 2500);
    let times = ids(&items, "followed_at");
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "followed_at descending");
    assert_keys(&items[0], &["user_id", "user_login", "user_name", "followed_at"]);
    assert!(times[0].as_str() <= "2026-11-01T00:00:00Z" && times[2499].as_str() >= "2011");
    // Ids spread over the id space, unrelated to follow order.
    let first_ids: Vec<u64> = ids(&items[..100], "user_id")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(first_ids.windows(2).any(|w| w[0] < w[1]) && first_ids.windows(2).any(|w| w[0] > w[1]));
    assert!(first_ids.iter().all(|&id| (100_000_000..1_200_000_000).contains(&id)));
}

#[tokio::test]
async fn gone_accounts_are_listed_as_followers_but_left_out_by_get_users() {
    let f = Fake::start(MockConfig {
        gone_every: 7,
        ..config(700)
    })
    .await;
    let (items, _) = f.all_followers(&f.moderator_token(), "100").await;
    assert_eq!(items.len(), 700, "the follower list still names them");
    let token = f.app_token().await;
    let mut returned = 0;
    for chunk in ids(&items, "user_id").chunks(100) {
        let query: Vec<(&str, &str)> = chunk.iter().map(|id| ("id", id.as_str())).collect();
        let (status, _, body) = f.get(&token, "users", &query).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        returned += body["data"].as_array().unwrap().len();
    }
    assert_eq!(returned, 600, "one in seven is gone");
}

#[tokio::test]
async fn follow_bot_waves_show_in_follow_and_creation_times() {
    let f = Fake::start(config(2500)).await;
    let (items, _) = f.all_followers(&f.moderator_token(), "100").await;
    let secs = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    let times: Vec<i64> = items.iter().map(|i| secs(&i["followed_at"])).collect();
    // A run of at least 100 follows, each within a few seconds of the next.
    let mut best = (0, 0);
    let mut run = 0;
    for (k, w) in times.windows(2).enumerate() {
        run = if w[0] - w[1] <= 3 { run + 1 } else { 0 };
        best = best.max((run, k + 1));
    }
    assert!(best.0 >= 99, "longest run of close follows: {}", best.0);
    // Those accounts were created minutes apart, just before the wave.
    let wave = &items[best.1 - best.0..=best.1];
    let app = f.app_token().await;
    let q: Vec<(&str, String)> = wave
        .iter()
        .take(100)
        .map(|i| ("id", i["user_id"].as_str().unwrap().to_owned()))
        .collect();
    let (_, _, users) = f
        .get(
            &app,
            "users",
            &q.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
        )
        .await;
    let mut created: Vec<i64> = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| secs(&u["created_at"]))
        .collect();
    created.sort_unstable();
    let wave_start = *times[best.1 - best.0..=best.1].iter().min().unwrap();
    assert!(created.iter().all(|&c| c < wave_start && wave_start - c < 2 * 86_400));
    assert!(
        created.windows(2).all(|w| (30..=600).contains(&(w[1] - w[0]))),
        "{created:?}"
    );
}

#[tokio::test]
async fn follower_accounts_are_older_than_their_follow() {
    let f = Fake::start(config(500)).await;
    let (_, _, page) = f
        .get(
            &f.moderator_token(),
            "channels/followers",
            &[("broadcaster_id", &f.largest().id), ("first", "100")],
        )
        .await;
    let data = page["data"].as_array().unwrap();
    let q: Vec<(&str, &str)> = data.iter().map(|i| ("id", i["user_id"].as_str().unwrap())).collect();
    let (_, _, users) = f.get(&f.app_token().await, "users", &q).await;
    let users = users["data"].as_array().unwrap();
    assert_eq!(users.len(), 100);
    for (follow, user) in data.iter().zip(users) {
        assert_eq!(follow["user_id"], user["id"]);
        assert_eq!(follow["user_login"], user["login"]);
        assert!(user["created_at"].as_str().unwrap() < follow["followed_at"].as_str().unwrap());
        assert!(user["created_at"].as_str().unwrap() >= "2011-06-06");
    }
}

#[tokio::test]
async fn only_the_broadcaster_or_a_moderator_with_the_scope_sees_the_list() {
    let f = Fake::start(config(300)).await;
    let ch = f.largest();
    let q = [("broadcaster_id", ch.id.as_str())];
    let total_only = json!({"total": 300, "data": [], "pagination": {}});
    assert_eq!(
        f.get(&f.app_token().await, "channels/followers", &q).await.2,
        total_only
    );
    let no_scope = f.server.user_token(&ch.login, &[]);
    assert_eq!(f.get(&no_scope, "channels/followers", &q).await.2, total_only);
    let stranger = f.server.channels()[1].login.clone();
    let other = f.server.user_token(&stranger, &[FOLLOWERS_SCOPE]);
    assert_eq!(f.get(&other, "channels/followers", &q).await.2, total_only);

    for token in [f.server.user_token(&ch.login, &[FOLLOWERS_SCOPE]), f.moderator_token()] {
        let (_, _, body) = f.get(&token, "channels/followers", &q).await;
        assert_eq!(body["total"], 300);
        assert_eq!(body["data"].as_array().unwrap().len(), 20, "default first is 20");
        assert!(body["pagination"]["cursor"].is_string());
        // user_id checks one follower.
        let one = body["data"][5]["user_id"].as_str().unwrap();
        let (_, _, check) = f.get(&token, "channels/followers", &[q[0], ("user_id", one)]).await;
        assert_eq!(check["data"].as_array().unwrap().len(), 1);
        assert_eq!(check["data"][0], body["data"][5]);
    }
    let (status, _, _) = f
        .get(
            &f.app_token().await,
            "channels/followers",
            &[q[0], ("user_id", "123456789")],
        )
        .await;
    assert_eq!(status, 401);
}

/// One page of 100 of the largest channel's followers, seen by a moderator.
async fn page(f: &Fake, after: Option<String>) -> Value {
    let id = f.largest().id;
    let mut q = vec![("broadcaster_id", id.as_str()), ("first", "100")];
    if let Some(a) = &after {
        q.push(("after", a.as_str()));
    }
    f.get(&f.moderator_token(), "channels/followers", &q).await.2
}

#[tokio::test]
async fn new_followers_during_paging_do_not_shift_the_pages() {
    let (a, b) = (Fake::start(config(1000)).await, Fake::start(config(1000)).await);
    let first_a = page(&a, None).await;
    let first_b = page(&b, None).await;
    assert_eq!(first_a, first_b);
    a.server.advance(Advance {
        new_followers: 50,
        unfollows: 0,
        ..Advance::default()
    });
    let cursor = first_a["pagination"]["cursor"].as_str().unwrap().to_owned();
    let second_a = page(&a, Some(cursor.clone())).await;
    let second_b = page(&b, Some(cursor)).await;
    assert_eq!(
        second_a["data"], second_b["data"],
        "page two is the same with or without the newcomers"
    );
    assert_eq!(second_a["total"], 1050);

    // The newcomers are on top, followed after the old clock.
    let top = page(&a, None).await;
    assert!(top["data"][0]["followed_at"].as_str().unwrap() > "2026-11-01T00:00:00Z");
    assert_eq!(a.largest().followers, 1050);
}

#[tokio::test]
async fn unfollows_leave_the_total_and_the_list() {
    let f = Fake::start(config(400)).await;
    f.server.advance(Advance {
        unfollows: 30,
        new_followers: 10,
        hours: 24,
        ..Advance::default()
    });
    assert_eq!(f.largest().followers, 380);
    let (items, _) = f.all_followers(&f.moderator_token(), "100").await;
    assert_eq!(items.len(), 380);
    let unique: HashSet<String> = ids(&items, "user_id").into_iter().collect();
    assert_eq!(unique.len(), 380);
}

#[tokio::test]
async fn a_refollow_is_the_same_user_on_top_with_a_new_follow_time() {
    let f = Fake::start(config(400)).await;
    let token = f.moderator_token();
    let (before, _) = f.all_followers(&token, "100").await;
    let followed_at = |items: &[Value], id: &str| {
        let found: Vec<String> = items
            .iter()
            .filter(|i| i["user_id"] == id)
            .map(|i| i["followed_at"].as_str().unwrap().to_owned())
            .collect();
        found
    };
    f.server.advance(Advance {
        unfollows: 30,
        ..Advance::default()
    });
    let (after_unfollows, _) = f.all_followers(&token, "100").await;
    let kept: HashSet<String> = ids(&after_unfollows, "user_id").into_iter().collect();
    let gone: Vec<String> = ids(&before, "user_id")
        .into_iter()
        .filter(|id| !kept.contains(id))
        .collect();
    assert_eq!(gone.len(), 30);

    // Ten of them follow again (and ten more unfollow, who cannot be among the ten: they were chosen first).
    f.server.advance(Advance {
        refollows: 10,
        unfollows: 10,
        hours: 2,
        ..Advance::default()
    });
    assert_eq!(f.largest().followers, 400 - 30 + 10 - 10);
    let (now, _) = f.all_followers(&token, "100").await;
    assert_eq!(now.len(), 370);
    let back: Vec<&String> = gone.iter().filter(|id| !followed_at(&now, id).is_empty()).collect();
    assert!(
        back.len() >= 8,
        "the re-followers are listed again (a few may have unfollowed again): {back:?}"
    );
    for id in back {
        let (old, new) = (followed_at(&before, id), followed_at(&now, id));
        assert_eq!(new.len(), 1, "{id} is listed once");
        assert!(new[0] > old[0], "{id} followed again later: {new:?} after {old:?}");
        assert!(new[0].as_str() > "2026-11-01T00:00:00Z");
    }
    let unique: HashSet<String> = ids(&now, "user_id").into_iter().collect();
    assert_eq!(unique.len(), now.len(), "no user is listed twice");
}

#[tokio::test]
async fn page_9999_of_a_million_followers_is_computed_not_stored() {
    // Work is counted, not timed (see `world::work`): a loaded runner cannot fail this, and a fake that stores
    // or walks its million followers does a million steps where this allows thousands.
    let before = work::done();
    let f = Fake::start(MockConfig {
        followers: 1_000_000,
        ..config(0)
    })
    .await;
    let start = work::done() - before;
    assert!(start < 10_000, "start worked on {start} followers");
    let ch = f.largest();
    let token = f.moderator_token();
    // Page 9,999 (1-based) of 100: positions 200..100 from the bottom, reached with a cursor made like the server's.
    let scope = cursor::scope(7, "followers", ch.id.parse().unwrap());
    let after = cursor::encode(scope, 1_000_000 - 9_998 * 100);
    let q = [
        ("broadcaster_id", ch.id.as_str()),
        ("first", "100"),
        ("after", after.as_str()),
    ];
    f.get(&token, "channels/followers", &q).await; // warm the connection
    let before = work::done();
    let (status, _, body) = f.get(&token, "channels/followers", &q).await;
    let page = work::done() - before;
    // At least the page's own 100 followers (so the count is live), and nowhere near the 999,800 above them.
    assert!((100..=1_000).contains(&page), "page 9,999 worked on {page} followers");
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1_000_000);
    assert_eq!(body["data"].as_array().unwrap().len(), 100);
    assert!(body["pagination"]["cursor"].is_string());
    // And the page after the last one is empty with `pagination: {}`.
    let last = cursor::encode(scope, 100);
    let (_, _, end) = f
        .get(&token, "channels/followers", &[q[0], q[1], ("after", &last)])
        .await;
    assert_eq!(end["data"].as_array().unwrap().len(), 100);
    assert_eq!(end["pagination"], json!({}));
}

// ---- Followed channels ----

#[tokio::test]
async fn the_largest_broadcaster_follows_the_other_channels_and_more() {
    let f = Fake::start(config(300)).await;
    let chans = f.server.channels();
    let token = f.server.user_token(&chans[0].login, &["user:read:follows"]);
    let q = [("user_id", chans[0].id.as_str()), ("first", "100")];
    let (status, _, body) = f.get(&token, "channels/followed", &q).await;
    assert_eq!(status, 200, "{body}");
    let total = body["total"].as_u64().unwrap();
    assert!((140 + 2..=160 + 2).contains(&total), "{total}");
    assert_keys(
        &body["data"][0],
        &["broadcaster_id", "broadcaster_login", "broadcaster_name", "followed_at"],
    );
    let cursor = body["pagination"]["cursor"].as_str().unwrap();
    let (_, _, rest) = f
        .get(&token, "channels/followed", &[q[0], q[1], ("after", cursor)])
        .await;
    let mut all = body["data"].as_array().unwrap().clone();
    all.extend(rest["data"].as_array().unwrap().iter().cloned());
    assert_eq!(all.len() as u64, total);
    assert_eq!(rest["pagination"], json!({}));
    let followed: HashSet<String> = ids(&all, "broadcaster_id").into_iter().collect();
    assert!(followed.contains(&chans[1].id) && followed.contains(&chans[2].id));

    // And channel 1's own follower list agrees.
    let owner = f.server.user_token(&chans[1].login, &[FOLLOWERS_SCOPE]);
    let (_, _, check) = f
        .get(
            &owner,
            "channels/followers",
            &[("broadcaster_id", &chans[1].id), ("user_id", &chans[0].id)],
        )
        .await;
    assert_eq!(check["data"][0]["user_login"], chans[0].login.as_str());

    assert_eq!(
        f.get(&token, "channels/followed", &[("user_id", chans[1].id.as_str())])
            .await
            .0,
        400
    );
    assert_eq!(f.get(&f.app_token().await, "channels/followed", &q).await.0, 401);
    let unscoped = f.server.user_token(&chans[0].login, &[]);
    assert_eq!(
        f.get(&unscoped, "channels/followed", &q).await.2["message"],
        "Missing scope: user:read:follows"
    );
}

// ---- Videos and streams ----

#[tokio::test]
async fn videos_have_twitch_shapes_and_follow_the_world() {
    let f = Fake::start(config(300)).await;
    let app = f.app_token().await;
    let ch = f.largest();
    let q = [("user_id", ch.id.as_str()), ("first", "100")];
    let (status, _, body) = f.get(&app, "videos", &q).await;
    assert_eq!(status, 200);
    let videos = body["data"].as_array().unwrap().clone();
    assert_eq!(videos.len(), 30);
    assert_eq!(body["pagination"], json!({}));
    let keys = [
        "id",
        "stream_id",
        "user_id",
        "user_login",
        "user_name",
        "title",
        "description",
        "created_at",
        "published_at",
        "url",
        "thumbnail_url",
        "viewable",
        "view_count",
        "language",
        "type",
        "duration",
        "muted_segments",
    ];
    let duration = |s: &str| {
        let digits: String = s.chars().filter(|c| !c.is_ascii_digit()).collect();
        matches!(digits.as_str(), "s" | "ms" | "hms") && s.ends_with('s')
    };
    for v in &videos {
        assert_keys(v, &keys);
        assert!(duration(v["duration"].as_str().unwrap()), "{}", v["duration"]);
        assert!(v["thumbnail_url"].as_str().unwrap().contains("%{width}x%{height}"));
        assert_eq!(v["stream_id"].is_string(), v["type"] == "archive");
        assert!(v["muted_segments"].is_null() || !v["muted_segments"].as_array().unwrap().is_empty());
    }
    let created = ids(&videos, "created_at");
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(videos.iter().any(|v| v["muted_segments"].is_array()));
    let (_, _, archives) = f.get(&app, "videos", &[q[0], q[1], ("type", "archive")]).await;
    assert!(
        archives["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["type"] == "archive")
    );

    // Paging by time.
    let (_, _, p1) = f.get(&app, "videos", &[q[0], ("first", "20")]).await;
    let (_, _, p2) = f
        .get(
            &app,
            "videos",
            &[
                q[0],
                ("first", "20"),
                ("after", p1["pagination"]["cursor"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(p2["data"].as_array().unwrap().len(), 10);
    assert_eq!(p2["data"][0], videos[20]);

    // Lookups by id; deleted videos vanish; new ones appear on top.
    let one = videos[3]["id"].as_str().unwrap();
    let (_, _, by_id) = f.get(&app, "videos", &[("id", one), ("id", "999")]).await;
    assert_eq!(by_id["data"][0], videos[3]);
    let (status, _, _) = f.get(&app, "videos", &[("id", "999")]).await;
    assert_eq!(status, 404);
    f.server.advance(Advance {
        new_videos: 2,
        deleted_videos: 5,
        ..Advance::default()
    });
    let (_, _, after) = f.get(&app, "videos", &q).await;
    let after = after["data"].as_array().unwrap();
    assert_eq!(after.len(), 27);
    assert!(after[0]["created_at"].as_str().unwrap() > "2026-11-01T00:00:00Z");
    let newest_id: u64 = after[0]["id"].as_str().unwrap().parse().unwrap();
    assert!(newest_id > videos[0]["id"].as_str().unwrap().parse().unwrap());
}

#[tokio::test]
async fn streams_go_live_and_offline_leaving_an_archive() {
    let f = Fake::start(config(300)).await;
    let app = f.app_token().await;
    let chans = f.server.channels();
    let (_, _, body) = f
        .get(
            &app,
            "streams",
            &[("user_login", &chans[0].login), ("user_login", &chans[1].login)],
        )
        .await;
    let live = body["data"].as_array().unwrap();
    assert_eq!(live.len(), 1);
    let keys = [
        "id",
        "user_id",
        "user_login",
        "user_name",
        "game_id",
        "game_name",
        "type",
        "title",
        "tags",
        "viewer_count",
        "started_at",
        "language",
        "thumbnail_url",
        "tag_ids",
        "is_mature",
    ];
    assert_keys(&live[0], &keys);
    assert_eq!(live[0]["user_login"], chans[1].login.as_str());
    let stream_id = live[0]["id"].as_str().unwrap().to_owned();

    f.server.advance(Advance {
        go_live: vec![chans[0].login.clone()],
        go_offline: vec![chans[1].login.clone()],
        ..Advance::default()
    });
    let (_, _, body) = f.get(&app, "streams", &[]).await;
    let live = body["data"].as_array().unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["user_login"], chans[0].login.as_str());
    let (_, _, vods) = f
        .get(&app, "videos", &[("user_id", &chans[1].id), ("first", "1")])
        .await;
    assert_eq!(vods["data"][0]["stream_id"], stream_id.as_str());
    assert_eq!(vods["data"][0]["type"], "archive");
}

// ---- Chatters ----

#[tokio::test]
async fn chatters_need_a_moderator_token_with_the_scope() {
    let f = Fake::start(config(5000)).await;
    let live = f.server.channels()[1].clone();
    let moderator = f.server.moderator_of(&live.login);
    let token = f.server.user_token(&moderator, &["moderator:read:chatters"]);
    let (_, _, me) = f.get(&token, "users", &[]).await;
    let me_id = me["data"][0]["id"].as_str().unwrap().to_owned();
    let q = [("broadcaster_id", live.id.as_str()), ("moderator_id", me_id.as_str())];
    let (status, _, body) = f.get(&token, "chat/chatters", &q).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 250);
    assert_eq!(body["data"].as_array().unwrap().len(), 100, "default first is 100");
    assert_keys(&body["data"][0], &["user_id", "user_login", "user_name"]);
    let (_, _, all) = f.get(&token, "chat/chatters", &[q[0], q[1], ("first", "1000")]).await;
    let unique: HashSet<String> = ids(all["data"].as_array().unwrap(), "user_id").into_iter().collect();
    assert_eq!(unique.len(), 250);
    assert_eq!(all["pagination"], json!({}));
    assert_eq!(
        f.get(&token, "chat/chatters", &[q[0], q[1], ("first", "1001")]).await.0,
        400
    );

    let largest = f.largest();
    assert_eq!(
        f.get(&token, "chat/chatters", &[("broadcaster_id", &largest.id), q[1]])
            .await
            .0,
        403
    );
    assert_eq!(f.get(&f.app_token().await, "chat/chatters", &q).await.0, 401);
    let unscoped = f.server.user_token(&moderator, &[]);
    assert_eq!(
        f.get(&unscoped, "chat/chatters", &q).await.2["message"],
        "Missing scope: moderator:read:chatters"
    );
}

// ---- Rate limit ----

#[tokio::test]
async fn an_empty_bucket_answers_429_until_it_refills() {
    let f = Fake::start(MockConfig {
        bucket_size: 5,
        refill_per_minute: 60,
        ..config(100)
    })
    .await;
    let token = f.app_token().await;
    let id = f.largest().id;
    let q = [("id", id.as_str())];
    for left in (0..5).rev() {
        let (status, h, _) = f.get(&token, "users", &q).await;
        assert_eq!(status, 200);
        assert_eq!(h["ratelimit-limit"], "5");
        assert_eq!(h["ratelimit-remaining"], left.to_string().as_str());
    }
    let (status, h, body) = f.get(&token, "users", &q).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(h["ratelimit-remaining"], "0");
    let reset: u64 = h["ratelimit-reset"].to_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(reset > now && reset <= now + 6, "reset {reset}, now {now}");
    assert_eq!(f.server.stats().rate_limited, 1);
    // 60 a minute is one point a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(f.get(&token, "users", &q).await.0, 200);
    // Another user has a bucket of its own.
    let user = f.server.user_token(&f.largest().login, &[]);
    assert_eq!(f.get(&user, "users", &q).await.0, 200);
}

// ---- Faults ----

#[tokio::test]
async fn forced_faults_break_requests_in_each_way() {
    let f = Fake::start(config(100)).await;
    let token = f.app_token().await;
    let id = f.largest().id;
    let q = [("id", id.as_str())];

    f.server.fail_next(1, Fault::ServerError(503));
    let (status, h, body) = f.get(&token, "users", &q).await;
    assert_eq!(status, 503);
    assert!(h.contains_key("ratelimit-reset"));
    assert_eq!(body, json!({"error":"Service Unavailable","status":503,"message":""}));

    f.server.fail_next(1, Fault::Reset);
    let err = f.raw(&token, "users", &q).await.unwrap_err();
    assert!(err.is_request() || err.is_connect(), "{err:?}");

    f.server.fail_next(1, Fault::Truncate);
    let r = f.raw(&token, "users", &q).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err(), "a truncated body fails to read");

    f.server.fail_next(1, Fault::Malformed);
    let r = f.raw(&token, "users", &q).await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    f.server.fail_next(1, Fault::RateLimit);
    assert_eq!(f.get(&token, "users", &q).await.0, 429);
    assert_eq!(f.get(&token, "users", &q).await.0, 200, "forced faults are used up");

    let stats = f.server.stats();
    assert_eq!(stats.faults, 5);
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.helix_requests, 6);
    assert_eq!(stats.by_path["/helix/users"], 6);
}

#[tokio::test]
async fn drawn_faults_follow_the_plan() {
    let plan = FaultPlan {
        server_error: 0.5,
        ..FaultPlan::default()
    };
    let f = Fake::start(MockConfig {
        faults: plan,
        ..config(100)
    })
    .await;
    let token = f.app_token().await;
    let id = f.largest().id;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(f.get(&token, "users", &[("id", id.as_str())]).await.0.as_u16());
    }
    let failed = statuses.iter().filter(|s| **s >= 500).count();
    assert!((8..=32).contains(&failed), "{statuses:?}");
    assert!(statuses.iter().all(|s| [200, 500, 502, 503].contains(s)));
    assert_eq!(f.server.stats().faults, failed as u64);
    f.server.set_faults(FaultPlan::default());
    assert_eq!(f.get(&token, "users", &[("id", id.as_str())]).await.0, 200);
    assert_eq!(f.app_token().await.len(), 30, "OAuth never fails");
}

// ---- Determinism and controls ----

#[tokio::test]
async fn same_seed_same_world_other_seed_other_world() {
    let (a, b, c) = (
        Fake::start(config(700)).await,
        Fake::start(config(700)).await,
        Fake::start(MockConfig { seed: 8, ..config(700) }).await,
    );
    assert_eq!(
        format!("{:?}", a.server.channels()),
        format!("{:?}", b.server.channels())
    );
    assert_ne!(
        format!("{:?}", a.server.channels()),
        format!("{:?}", c.server.channels())
    );
    let ch = a.largest();
    for path in ["channels/followers", "videos", "users", "channels"] {
        let key = match path {
            "videos" => "user_id",
            "users" => "id",
            _ => "broadcaster_id",
        };
        let q = [(key, ch.id.as_str()), ("first", "100")];
        let q = if path == "users" || path == "channels" {
            &q[..1]
        } else {
            &q[..]
        };
        let (_, _, from_a) = a.get(&a.moderator_token(), path, q).await;
        let (_, _, from_b) = b.get(&b.moderator_token(), path, q).await;
        assert_eq!(from_a, from_b, "{path}");
    }
}

#[tokio::test]
async fn http_controls_drive_the_world() {
    let f = Fake::start(config(100)).await;
    let url = f.server.url();
    let world: Value = f
        .http
        .get(format!("{url}/_mock/world"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(world["now"], "2026-11-01T00:00:00Z");
    assert_eq!(world["channels"].as_array().unwrap().len(), 3);
    assert_eq!(world["channels"][0]["followers"], 100);
    assert_eq!(world["channels"][1]["live"], true);
    let moderator = world["channels"][0]["moderators"][0].as_str().unwrap().to_owned();

    let advanced: Value = f
        .http
        .post(format!("{url}/_mock/advance"))
        .json(&json!({"new_followers": 7, "hours": 2}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(advanced["now"], "2026-11-01T02:00:00Z");
    assert_eq!(advanced["channels"][0]["followers"], 107);
    let bad = f
        .http
        .post(format!("{url}/_mock/advance"))
        .json(&json!({"go_live": ["nobody"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let minted: Value = f
        .http
        .post(format!("{url}/_mock/token"))
        .json(&json!({"login": moderator, "scopes": [FOLLOWERS_SCOPE]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = minted["access_token"].as_str().unwrap();
    let (_, _, list) = f
        .get(token, "channels/followers", &[("broadcaster_id", &f.largest().id)])
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 20);

    let r = f
        .http
        .post(format!("{url}/_mock/faults"))
        .json(&json!({"server_error": 1.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["server_error"], 1.0);
    assert!(f.get(token, "users", &[]).await.0.is_server_error());
    f.http
        .post(format!("{url}/_mock/faults"))
        .body("{}")
        .send()
        .await
        .unwrap();
    f.http
        .post(format!("{url}/_mock/fail-next"))
        .json(&json!({"n": 1, "kind": {"server_error": 502}}))
        .send()
        .await
        .unwrap();
    assert_eq!(f.get(token, "users", &[]).await.0, 502);

    let stats: Value = f
        .http
        .get(format!("{url}/_mock/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["helix_requests"], 3);
    assert_eq!(stats["faults"], 2);
    assert!(stats["requests"].as_u64().unwrap() >= 9);
    f.http.delete(format!("{url}/_mock/stats")).send().await.unwrap();
    assert_eq!(f.server.stats().helix_requests, 0);

    f.http.post(format!("{url}/_mock/expire")).send().await.unwrap();
    assert_eq!(f.get(token, "users", &[]).await.0, 401);
}

#[tokio::test]
async fn impossible_configs_are_refused() {
    let err = MockServer::start(MockConfig {
        channels: 0,
        ..MockConfig::default()
    })
    .await
    .err()
    .unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        MockServer::start(MockConfig {
            followers: 1 << 29,
            ..MockConfig::default()
        })
        .await
        .is_err()
    );
    assert!(
        MockServer::start(MockConfig {
            bucket_size: 0,
            ..MockConfig::default()
        })
        .await
        .is_err()
    );
}

#[tokio::test]
async fn revoked_tokens_die_and_a_shut_down_server_refuses_connections() {
    let f = Fake::start(config(100)).await;
    let token = f.app_token().await;
    let revoke = |token: String| {
        let form = [("client_id", f.server.client_id().to_owned()), ("token", token)];
        f.http
            .post(format!("{}revoke", f.server.oauth_url()))
            .form(&form)
            .send()
    };
    assert_eq!(revoke(token.clone()).await.unwrap().status(), 200);
    assert_eq!(f.get(&token, "users", &[("id", "1")]).await.0, 401);
    let again = revoke(token).await.unwrap();
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        json!({"status":400,"message":"Invalid token"})
    );

    let Fake { server, http } = f;
    let url = format!("{}/_mock/world", server.url());
    assert!(http.get(&url).send().await.is_ok());
    server.shutdown().await;
    assert!(http.get(&url).send().await.is_err());
}

/// Issue 13, item 5: the chat knobs over HTTP, for `itch mock-api` and benchmarks run against it.
#[tokio::test]
async fn irc_controls_over_http_set_the_knobs_and_show_the_counters() {
    let f = Fake::start(config(100)).await;
    let url = f.server.url();
    let room = f.largest().login.clone();
    let post = |body: Value| f.http.post(format!("{url}/_mock/irc")).json(&body).send();
    let state: Value = post(json!({
        "rate": 2500,
        "quiet": true,
        "reconnect_every_ms": 60000,
        "inject": [{"login": room, "line": format!("@msg-id=x :tmi.twitch.tv NOTICE #{room} :hi")}],
    }))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(state["rate"], 2500);
    assert_eq!(state["quiet"], true);
    assert_eq!(state["reconnect_every_ms"], 60000);
    assert_eq!(state["ping_every_ms"], 30000);
    assert_eq!(state["sent"][&room]["notice"], 1);
    let got: Value = f
        .http
        .get(format!("{url}/_mock/irc"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, state);
    assert_eq!(f.server.irc_sent()[&room].notice, 1);
    assert_eq!(post(json!({"rate": "fast"})).await.unwrap().status(), 400);
    assert_eq!(post(json!({"speed": 1})).await.unwrap().status(), 400);
}

/// One HTTP/1.1 request over a fresh connection, read to its end; answers the status line.
async fn status_line(addr: &str, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // A handler that panics closes the connection, with nothing or a reset to read.
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).lines().next().unwrap_or("").to_owned()
}

/// Issue 16, goal 4: at zero latency the fake never sleeps, so it serves OAuth, Helix and GQL on a runtime
/// that has no timer at all (a `tokio::time::sleep` there panics, even for zero).
#[test]
fn zero_latency_needs_no_timer() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = MockServer::start(config(10)).await.unwrap();
        let addr = server.url().trim_start_matches("http://").to_owned();
        let form = format!(
            "client_id={}&client_secret={}&grant_type=client_credentials",
            server.client_id(),
            server.client_secret()
        );
        let token = format!(
            "POST /oauth2/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        );
        assert_eq!(status_line(&addr, &token).await, "HTTP/1.1 200 OK");
        let helix = format!(
            "GET /helix/users?id=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nClient-Id: {}\r\n\r\n",
            server.client_id()
        );
        assert_eq!(status_line(&addr, &helix).await, "HTTP/1.1 401 Unauthorized");
        let gql = format!(
            "POST /gql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nClient-Id: {}\r\nContent-Length: 2\r\n\r\n[]",
            server.gql_client_id()
        );
        assert_eq!(status_line(&addr, &gql).await, "HTTP/1.1 400 Bad Request");
    });
}
