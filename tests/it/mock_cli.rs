//! `itch mock-api` runs standalone and answers plain HTTP, like a curl user would see it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The server process, killed when the test ends, failed assertions included.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_api_serves_helix_and_oauth_standalone() {
    let mut child = Server(
        Command::new(env!("CARGO_BIN_EXE_itch"))
            .args(["mock-api", "--port", "0", "--followers", "500"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    // Read the banner until the first URL; the reader is kept so the pipe stays open while the server runs.
    let (base, _reader) = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        for _ in 0..50 {
            line.clear();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(at) = line.find("http://127.0.0.1:") {
                let url = line[at..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_owned();
                return (url, reader);
            }
        }
        panic!("no URL in the banner of itch mock-api")
    })
    .await
    .unwrap();
    let base = base.trim_end_matches("/helix").trim_end_matches("/oauth2").to_owned();

    let http = reqwest::Client::new();
    let unauthorized = http.get(format!("{base}/helix/users?login=x")).send().await.unwrap();
    assert_eq!(unauthorized.status(), 401);
    let body: serde_json::Value = unauthorized.json().await.unwrap();
    assert_eq!(body["error"], "Unauthorized");

    let token: serde_json::Value = http
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("client_id", itch::mock::MockConfig::default().client_id.as_str()),
            (
                "client_secret",
                itch::mock::MockConfig::default().client_secret.as_str(),
            ),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    let world: serde_json::Value = http
        .get(format!("{base}/_mock/world"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Exactly the shape the server sends: the clock and the channels, each with its controls' fields.
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&world), ["channels", "now"], "{world}");
    assert!(world["now"].as_str().is_some_and(|t| t.ends_with('Z')), "{world}");
    let channels = world["channels"].as_array().expect("channels is a list");
    assert_eq!(channels.len(), itch::mock::MockConfig::default().channels);
    assert_eq!(
        keys(&channels[0]),
        [
            "display_name",
            "followers",
            "id",
            "live",
            "login",
            "moderators",
            "videos"
        ],
        "{world}"
    );
    assert_eq!(channels[0]["followers"], 500, "the largest channel has --followers");
    let login = channels[0]["login"].as_str().expect("a login").to_owned();
    let users: serde_json::Value = http
        .get(format!("{base}/helix/users?login={login}"))
        .header("Client-Id", itch::mock::MockConfig::default().client_id)
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users["data"][0]["login"], login.as_str());
    drop(child);
}
