//! The archive in the users' own tools (issue 14): sqlite-utils and Datasette find the chat's full-text index by
//! themselves, a V012 archive keeps its chat searchable through the migration that made that so, and every
//! canned query of `itch datasette-metadata` runs in Datasette on the demo archive and answers what the archive
//! holds. The tools come from the venv `.ci/services` makes; a test fails, never skips, without them. The demo
//! archive and the Datasette server here are shared with the browser test (`browser.rs`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// What to run when the users' tools are missing.
const SERVICES: &str = "run the tests after `eval \"$(.ci/services)\"` (it makes the venv with Datasette and \
                        sqlite-utils, and installs Chromium)";

/// The venv with datasette, sqlite-utils and duckdb (`ITCH_TEST_VENV`).
pub fn venv() -> PathBuf {
    let venv = std::env::var_os("ITCH_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("ITCH_TEST_VENV is not set: {SERVICES}"));
    assert!(
        venv.join("bin/datasette").exists() && venv.join("bin/sqlite-utils").exists(),
        "{} has no datasette or sqlite-utils: {SERVICES}",
        venv.display()
    );
    venv
}

/// Headless Chromium (`ITCH_TEST_CHROMIUM`).
pub fn chromium() -> PathBuf {
    let chromium = std::env::var_os("ITCH_TEST_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("ITCH_TEST_CHROMIUM is not set: {SERVICES}"));
    assert!(chromium.exists(), "{} does not exist: {SERVICES}", chromium.display());
    chromium
}

/// Datasette serving one archive on 127.0.0.1, killed on drop.
pub struct Datasette {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Datasette {
    /// Serves `db` (with `metadata` when given) and waits until it answers.
    pub fn serve(db: &Path, metadata: Option<&Path>) -> Datasette {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = Command::new(venv().join("bin/datasette"));
        cmd.arg("serve")
            .arg(db)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(metadata) = metadata {
            cmd.arg("--metadata").arg(metadata);
        }
        let child = cmd.spawn().expect("datasette starts");
        let mut datasette = Datasette {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Some(status) = datasette.child.try_wait().unwrap() {
                panic!("datasette exited before it answered: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "datasette did not answer in 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        datasette
    }

    /// The JSON Datasette answers at `path` (which starts with `/`), with its status.
    pub async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = reqwest::get(format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"));
        (status, json)
    }
}

impl Drop for Datasette {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `itch` with nothing from the outside environment that could point it elsewhere.
pub fn itch_bin(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itch"));
    for (key, _) in std::env::vars() {
        if key.starts_with("ITCH_") || key.starts_with("TWITCH_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.env("ITCH_CONFIG_DIR", dir.join("config"))
        .current_dir(dir)
        .stdin(Stdio::null());
    cmd
}

/// The demo archive and its generated metadata.
pub struct Demo {
    /// `itch-demo.db`, as `itch demo` made it.
    pub db: PathBuf,
    /// What `itch --db itch-demo.db datasette-metadata` printed.
    pub metadata: PathBuf,
}

impl Demo {
    /// The archive, read-only.
    pub fn open(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(&self.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
    }

    /// One text value from the archive.
    pub fn text(&self, sql: &str) -> String {
        self.open()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// `itch demo` with 2,000 followers (enough for the fake's follow-bot wave) and 300 messages a VOD, made once per
/// test run by the real binary, with `itch datasette-metadata` written beside it.
pub fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("datasette-demo");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let output = itch_bin(&dir)
            .args([
                "demo",
                "--followers",
                "2000",
                "--comments",
                "300",
                "--archive",
                "itch-demo.db",
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "itch demo: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let output = itch_bin(&dir)
            .args(["--db", "itch-demo.db", "datasette-metadata"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let metadata = dir.join("metadata.json");
        std::fs::write(&metadata, &output.stdout).unwrap();
        Demo {
            db: dir.join("itch-demo.db"),
            metadata,
        }
    })
}

/// A fresh archive (every migration) holding two messages, one of them the only one with `word`.
fn archive_with_messages(dir: &Path, word: &str) -> PathBuf {
    let path = dir.join("itch.db");
    let conn = itch::archive::db::open(&path).unwrap();
    insert_messages(&conn, word);
    path
}

fn insert_messages(conn: &rusqlite::Connection, word: &str) {
    conn.execute(
        "INSERT INTO chat_messages (id, source, created_at, text, first_seen_at) VALUES
             ('m1', 'live', '2026-03-01T10:00:00Z', 'good game everyone', '2026-03-01T10:00:01Z'),
             ('m2', 'live', '2026-03-01T10:00:05Z', 'that was ' || ?1 || ' indeed', '2026-03-01T10:00:06Z')",
        [word],
    )
    .unwrap();
}

/// What sqlite-utils' own detection (`Table.detect_fts`) names as the FTS table of chat_messages.
fn sqlite_utils_detect_fts(db: &Path) -> String {
    let output = Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import sqlite_utils, sys; print(sqlite_utils.Database(sys.argv[1])['chat_messages'].detect_fts())",
        ])
        .arg(db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `sqlite-utils search <db> chat_messages <word> --csv`: (success, stdout, stderr).
fn sqlite_utils_search(db: &Path, word: &str) -> (bool, String, String) {
    let output = Command::new(venv().join("bin/sqlite-utils"))
        .arg("search")
        .arg(db)
        .args(["chat_messages", word, "--csv", "-c", "id", "-c", "text"])
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn sqlite_utils_detects_and_searches_the_chat_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive_with_messages(dir.path(), "clutchplay");
    assert_eq!(sqlite_utils_detect_fts(&db), "chat_messages_fts");
    let (ok, stdout, stderr) = sqlite_utils_search(&db, "clutchplay");
    assert!(ok, "sqlite-utils search failed: {stderr}");
    assert_eq!(stdout.trim(), "id,text\nm2,that was clutchplay indeed", "{stderr}");
    let (ok, stdout, stderr) = sqlite_utils_search(&db, "zzzznotthere");
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "id,text", "an absent word finds nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn datasette_search_finds_only_matching_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = archive_with_messages(dir.path(), "clutchplay");
    let datasette = Datasette::serve(&db, None);
    let (status, found) = datasette
        .json("/itch/chat_messages.json?_search=clutchplay&_shape=array&_col=id")
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found, serde_json::json!([{"seq": 2, "id": "m2"}]));
    let (status, absent) = datasette
        .json("/itch/chat_messages.json?_search=zzzznotthere&_shape=array&_col=id")
        .await;
    assert_eq!(status, 200, "{absent}");
    assert_eq!(absent, serde_json::json!([]), "an absent word finds no message");
}

mod embedded {
    // The same migrations the binary embeds, so an archive can be made at an older version here.
    refinery::embed_migrations!("migrations");
}

#[test]
fn a_v012_archive_keeps_its_chat_searchable_through_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("itch.db");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    embedded::migrations::runner()
        .set_target(refinery::Target::Version(12))
        .run(&mut conn)
        .unwrap();
    conn.pragma_update(None, "application_id", itch::db::APPLICATION_ID)
        .unwrap();
    insert_messages(&conn, "clutchplay");
    conn.execute(
        "UPDATE chat_messages SET deleted_at = '2026-03-01T10:01:00Z' WHERE id = 'm2'",
        [],
    )
    .unwrap();
    drop(conn);

    let conn = itch::archive::db::open(&path).unwrap();
    let found: Vec<String> = conn
        .prepare(
            "SELECT m.id || ' ' || m.deleted_at FROM chat_messages_fts f JOIN chat_messages m ON m.seq = f.rowid
             WHERE chat_messages_fts MATCH 'clutchplay'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        found,
        ["m2 2026-03-01T10:01:00Z"],
        "the message from before the migration is found"
    );
    // The triggers came back: a new message, an edit and a deletion reach the index.
    insert_more(&conn);
    let hits = |word: &str| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH ?1",
            [word],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!((hits("later"), hits("edited"), hits("good")), (0, 1, 0));
    conn.execute_batch("INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check');")
        .unwrap();
    drop(conn);
    assert_eq!(sqlite_utils_detect_fts(&path), "chat_messages_fts");
    let (ok, stdout, stderr) = sqlite_utils_search(&path, "clutchplay");
    assert!(
        ok && stdout.contains("m2,that was clutchplay indeed"),
        "{stdout}{stderr}"
    );
}

fn insert_more(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "INSERT INTO chat_messages (id, source, created_at, text, first_seen_at)
             VALUES ('m3', 'live', '2026-03-01T10:02:00Z', 'later', '2026-03-01T10:02:01Z');
         UPDATE chat_messages SET text = 'edited' WHERE id = 'm3';
         DELETE FROM chat_messages WHERE id = 'm1';",
    )
    .unwrap();
}

#[test]
fn datasette_metadata_names_the_database_after_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = itch_bin(dir.path())
        .args(["--db", "some/where/my-archive.db", "datasette-metadata"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let databases: Vec<&String> = metadata["databases"].as_object().unwrap().keys().collect();
    assert_eq!(databases, ["my-archive"]);
    assert!(!dir.path().join("some").exists(), "the archive is not opened or made");
    let output = itch_bin(dir.path())
        .args(["datasette-metadata", "--name", "twitch"])
        .output()
        .unwrap();
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        metadata["databases"]["twitch"]["tables"]["users"]["label_column"],
        "login"
    );
}

/// The rows a canned query answers in Datasette, given its parameters.
async fn canned(datasette: &Datasette, query: &str, params: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/itch-demo/{query}.json?_shape=array", datasette.base),
        params,
    )
    .unwrap();
    let path = &url.as_str()[datasette.base.len()..];
    let (status, rows) = datasette.json(path).await;
    assert_eq!(status, 200, "{query}: {rows}");
    rows.as_array().unwrap_or_else(|| panic!("{query}: {rows}")).clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_canned_query_runs_in_datasette_on_the_demo_archive() {
    let demo = demo();
    let datasette = Datasette::serve(&demo.db, Some(&demo.metadata));
    let (status, metadata) = datasette.json("/-/metadata.json").await;
    assert_eq!(status, 200);
    let names: Vec<&String> = metadata["databases"]["itch-demo"]["queries"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        names,
        ["bot_waves", "chat_around", "followers_between", "followers_per_day"]
    );
    let channel = demo.text("SELECT broadcaster_login FROM channels");
    let archive = demo.open();
    let count = |sql: &str| -> i64 { archive.query_row(sql, [], |r| r.get(0)).unwrap() };

    // Who followed since the 51st newest follow: those 51 (and any tied with it), newest first, with ages.
    // The follows of the channel (the demo's login also follows channels of its own: rows of other broadcasters).
    let of_channel = "FROM follows WHERE broadcaster_id = (SELECT broadcaster_id FROM channels)";
    let since = demo.text(&format!(
        "SELECT followed_at {of_channel} ORDER BY followed_at DESC LIMIT 1 OFFSET 50"
    ));
    let rows = canned(
        &datasette,
        "followers_between",
        &[("channel", &channel), ("since", &since), ("until", "")],
    )
    .await;
    let expected = count(&format!("SELECT count(*) {of_channel} AND followed_at >= '{since}'"));
    assert_eq!(rows.len() as i64, expected);
    assert!(expected >= 51);
    let newest = demo.text(&format!(
        "SELECT login FROM users WHERE id = (SELECT user_id {of_channel} ORDER BY followed_at DESC LIMIT 1)"
    ));
    assert_eq!(rows[0]["follower"], newest.as_str());
    assert!(
        rows.iter()
            .all(|r| r["account_age_days"].as_f64().is_some_and(|d| d > 0.0)),
        "{rows:?}"
    );
    let until = rows[10]["followed_at"].as_str().unwrap().to_owned();
    let between = canned(
        &datasette,
        "followers_between",
        &[("channel", &channel), ("since", &since), ("until", &until)],
    )
    .await;
    assert_eq!(
        between.len() as i64,
        count(&format!(
            "SELECT count(*) {of_channel} AND followed_at >= '{since}' AND followed_at < '{until}'"
        ))
    );

    // Bot waves: the same waves as `itch report bot-waves`.
    let report = itch_bin(demo.db.parent().unwrap())
        .args([
            "--db",
            "itch-demo.db",
            "report",
            "bot-waves",
            &channel,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let waves = canned(
        &datasette,
        "bot_waves",
        &[("channel", &channel), ("gap_seconds", ""), ("min_size", "")],
    )
    .await;
    assert!(!waves.is_empty(), "the demo's channel has a follow-bot wave");
    assert_eq!(serde_json::Value::from(waves), report);

    // Chat around a message's offset: that message and its neighbours within a minute, in VOD order.
    let (video, offset, id): (String, i64, String) = archive
        .query_row(
            "SELECT video_id, offset_seconds, id FROM chat_messages WHERE video_id IS NOT NULL
             ORDER BY video_id, offset_seconds LIMIT 1 OFFSET 100",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let around = canned(
        &datasette,
        "chat_around",
        &[
            ("video_id", &video),
            ("offset_seconds", &offset.to_string()),
            ("window_seconds", ""),
        ],
    )
    .await;
    let text = demo.text(&format!("SELECT text FROM chat_messages WHERE id = '{id}'"));
    assert!(
        around
            .iter()
            .any(|r| r["text"] == text.as_str() && r["offset_seconds"] == offset),
        "{around:?}"
    );
    let expected = count(&format!(
        "SELECT count(*) FROM chat_messages WHERE video_id = '{video}' AND offset_seconds BETWEEN {offset} - 60 AND {offset} + 60"
    ));
    assert_eq!(around.len() as i64, expected);
    let offsets: Vec<i64> = around.iter().map(|r| r["offset_seconds"].as_i64().unwrap()).collect();
    assert!(offsets.is_sorted(), "{offsets:?}");

    // Followers per day: every follow counted once, the running count ending at all of them, Helix's total beside.
    let days = canned(&datasette, "followers_per_day", &[("channel", &channel)]).await;
    let follows = count(&format!("SELECT count(*) {of_channel}"));
    assert_eq!(days[0]["follows_archived"].as_i64().unwrap(), follows);
    // Datasette returns at most 1,000 rows (days): those it returns add up.
    let oldest = days.last().unwrap()["day"].as_str().unwrap();
    let sum: i64 = days.iter().map(|d| d["new_follows"].as_i64().unwrap()).sum();
    assert_eq!(
        sum,
        count(&format!(
            "SELECT count(*) {of_channel} AND date(followed_at) >= '{oldest}'"
        ))
    );
    for pair in days.windows(2) {
        let (newer, older) = (&pair[0], &pair[1]);
        assert_eq!(
            newer["follows_archived"].as_i64().unwrap() - newer["new_follows"].as_i64().unwrap(),
            older["follows_archived"].as_i64().unwrap(),
            "{newer} {older}"
        );
    }
    let total =
        count("SELECT follower_total FROM channel_snapshots WHERE follower_total IS NOT NULL ORDER BY id DESC LIMIT 1");
    assert!(days.iter().any(|d| d["helix_follower_total"] == total), "{days:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_and_view_opens_in_datasette_with_the_metadata() {
    let demo = demo();
    let metadata: serde_json::Value = serde_json::from_slice(&std::fs::read(&demo.metadata).unwrap()).unwrap();
    let datasette = Datasette::serve(&demo.db, Some(&demo.metadata));
    let tables = metadata["databases"]["itch-demo"]["tables"].as_object().unwrap();
    assert!(tables.len() > 30, "{tables:?}");
    for (name, table) in tables {
        // Its sort, facets and search, as the metadata sets them: an error would be a 400 or 500.
        let (status, page) = datasette
            .json(&format!("/itch-demo/{name}.json?_size=20&_shape=array"))
            .await;
        assert_eq!(status, 200, "{name}: {page}");
        // Newest first, views included (Datasette names the sort only for tables).
        if let Some(sort) = table["sort_desc"].as_str() {
            let values: Vec<&serde_json::Value> = page.as_array().unwrap().iter().map(|r| &r[sort]).collect();
            let keys: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            assert!(
                values.windows(2).all(|w| match (w[0].as_i64(), w[1].as_i64()) {
                    (Some(a), Some(b)) => a >= b,
                    _ => w[1].is_null() || w[0].as_str() >= w[1].as_str(),
                }),
                "{name} is not sorted by {sort} descending: {keys:?}"
            );
        }
    }
    let (status, found) = datasette
        .json("/itch-demo/visible_chat_messages.json?_search=zzzznotthere&_shape=array")
        .await;
    assert_eq!((status, found), (200, serde_json::json!([])), "the view searches too");
}
