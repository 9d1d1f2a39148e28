//! A tiny local HTTP server for the endpoint tests: it records the path and query of every Helix request a
//! [`Client`] sends and answers with the pages it was given, so a test checks the exact URL an endpoint builds
//! (parameters, repeated ids, `after` cursors) against the Twitch reference, with no fake Twitch involved.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::client::{Client, ClientConfig, Endpoints};
use crate::secret::Secret;

/// A client wired to a recording server.
pub(crate) struct Recorder {
    pub client: Client,
    requests: Arc<Mutex<Vec<String>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Recorder {
    /// Starts a server that answers Helix requests with `pages` in order (then with empty pages), and OAuth
    /// token requests with an app token.
    pub async fn start(pages: Vec<Value>) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let pages = Arc::new(Mutex::new(VecDeque::from(pages)));
        let recorded = requests.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let (recorded, pages) = (recorded.clone(), pages.clone());
                tokio::spawn(async move {
                    let target = read_request_target(&mut stream).await;
                    let body = if target.starts_with("/oauth2/") {
                        json!({"access_token": "app-token", "expires_in": 3600, "token_type": "bearer"})
                    } else {
                        recorded.lock().unwrap().push(target);
                        pages.lock().unwrap().pop_front().unwrap_or_else(|| json!({"data": []}))
                    };
                    let body = body.to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        let endpoints = Endpoints::parse(
            &format!("{base}/helix/"),
            &format!("{base}/oauth2/"),
            &format!("{base}/gql"),
        )
        .unwrap();
        let client = Client::new(ClientConfig {
            endpoints,
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("secret")),
            ..ClientConfig::default()
        })
        .unwrap();
        Recorder {
            client,
            requests,
            server,
        }
    }

    /// The Helix requests so far, as `/helix/<path>?<query>`, in the order they arrived.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `name=a&name=b...` for each value, as a lookup of several ids sends them.
pub(crate) fn repeated(name: &str, values: impl IntoIterator<Item = impl std::fmt::Display>) -> String {
    values
        .into_iter()
        .map(|v| format!("{name}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A page of `items` whose next-page cursor is `cursor`.
pub(crate) fn page(items: Value, cursor: Option<&str>) -> Value {
    json!({"data": items, "pagination": cursor.map_or_else(|| json!({}), |c| json!({"cursor": c}))})
}

/// Reads one request (head and body) and returns its target (`/path?query`).
async fn read_request_target(stream: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = stream.read_exact(&mut body).await;
    head.split(' ').nth(1).unwrap_or_default().to_owned()
}
