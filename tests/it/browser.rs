//! The archive in a real browser (issue 14): the demo archive, made by the real binary, served by Datasette with
//! the metadata `itch datasette-metadata` generated, looked at with headless Chromium (its DOM after load). The
//! chat's search box finds a message known to be in the archive and not an absent word, a follow links to its
//! user labelled by login, and the internal tables are not listed. A screenshot of the chat search is kept as a CI
//! artifact (`target/ci-artifacts/datasette-chat-search.png`). Nothing reaches the internet: Datasette is on
//! 127.0.0.1 and Chromium runs with every background fetch off.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::datasette::{Datasette, chromium, demo, venv};

/// Headless Chromium, offline, with a fresh profile in `profile`.
fn browser(profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The page's DOM once loaded.
fn dump_dom(profile: &Path, url: &str) -> String {
    let output = browser(profile).arg("--dump-dom").arg(url).output().unwrap();
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && dom.contains("</html>"),
        "chromium --dump-dom {url}: {}\n{dom}",
        String::from_utf8_lossy(&output.stderr)
    );
    dom
}

/// A PNG of the page, 1280 pixels wide. Datasette lists a table's column descriptions above its rows (23 for the
/// chat), so the shot is 2,000 pixels tall to reach the rows: headless Chromium paints nothing in a shot of a
/// scrolled page (a `#fragment`).
fn screenshot(profile: &Path, url: &str, png: &Path) {
    let output = browser(profile)
        .arg(format!("--screenshot={}", png.display()))
        .args(["--window-size=1280,2000", url])
        .output()
        .unwrap();
    assert!(
        output.status.success() && png.exists(),
        "chromium --screenshot {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Where CI collects artifacts: `target/ci-artifacts`.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("ci-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `text` with HTML's escapes, as it appears in a DOM dump.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The longest message with only plain words: the search for its words finds few others.
fn known_message(conn: &rusqlite::Connection) -> (String, String) {
    conn.query_row(
        "SELECT id, text FROM chat_messages
         WHERE text NOT GLOB '*[^A-Za-z0-9 ]*' AND deleted_at IS NULL
         ORDER BY length(text) DESC, seq LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn datasette_shows_the_demo_archive_searchable_labelled_and_tidy_in_chromium() {
    // Both tools are checked before the demo is made, so a missing one fails at once.
    chromium();
    venv();
    let demo = demo();
    let datasette = Datasette::serve(&demo.db, Some(&demo.metadata));
    let profile = tempfile::tempdir().unwrap();
    let base = format!("{}/itch-demo", datasette.base);
    let conn = demo.open();

    // The chat has a search box, and searching a known message's words finds it.
    let page = dump_dom(profile.path(), &format!("{base}/chat_messages"));
    assert!(
        page.contains(r#"<input id="_search" type="search" name="_search""#),
        "no search box on chat_messages"
    );
    let (id, text) = known_message(&conn);
    let search =
        reqwest::Url::parse_with_params(&format!("{base}/chat_messages"), [("_search", text.as_str())]).unwrap();
    let found = dump_dom(profile.path(), search.as_str());
    assert!(
        found.contains(&format!(">{id}<")) && found.contains(&html(&text)),
        "searching {text:?} did not find message {id}"
    );
    let hits: i64 = conn
        .query_row(
            "SELECT count(*) FROM chat_messages WHERE seq IN
                 (SELECT rowid FROM chat_messages_fts WHERE chat_messages_fts MATCH ?1)",
            [text
                .split(' ')
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" ")],
            |r| r.get(0),
        )
        .unwrap();
    let rows = if hits == 1 {
        "1 row".to_owned()
    } else {
        format!("{hits} rows")
    };
    assert!(
        found.contains(&format!("{rows} where search matches")),
        "{rows} expected"
    );
    let absent = dump_dom(profile.path(), &format!("{base}/chat_messages?_search=zzzznotthere"));
    assert!(
        absent.contains("0 rows where search matches"),
        "an absent word finds nothing"
    );
    assert!(
        !absent.contains(r#"<td class="col-id"#),
        "an absent word lists no message"
    );

    let png = artifacts().join("datasette-chat-search.png");
    let _ = std::fs::remove_file(&png);
    // The same search, showing the columns a reader looks at first.
    let shown = [
        "created_at",
        "user_id",
        "video_id",
        "offset_seconds",
        "text",
        "deleted_at",
    ];
    let shot = reqwest::Url::parse_with_params(
        &format!("{base}/chat_messages"),
        std::iter::once(("_search", text.as_str())).chain(shown.iter().map(|c| ("_col", *c))),
    )
    .unwrap();
    screenshot(profile.path(), shot.as_str(), &png);
    // Printed for the CI log (stderr: stdout is the test harness's).
    eprintln!("screenshot of the chat search: {}", png.display());

    // A follow's user is a link to the user, labelled by login (the newest follow: the page opens newest first).
    let (user_id, login): (String, String) = conn
        .query_row(
            "SELECT f.user_id, u.login FROM follows f JOIN users u ON u.id = f.user_id
             ORDER BY f.followed_at DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let follows = dump_dom(profile.path(), &format!("{base}/follows"));
    assert!(
        follows.contains(&format!(r#"<a href="/itch-demo/users/{user_id}">{login}</a>"#)),
        "the newest follow's user {user_id} is not a link labelled {login}"
    );

    // The database page lists the data, not the machinery.
    let database = dump_dom(profile.path(), &base);
    for table in ["follows", "users", "chat_messages", "videos"] {
        assert!(
            database.contains(&format!(r#"href="/itch-demo/{table}""#)),
            "{table} is not listed"
        );
    }
    for hidden in [
        "follows_staging",
        "users_staging",
        "http_cache",
        "http_cache_counters",
        "refinery_schema_history",
        "chat_messages_fts",
        "chat_messages_fts_data",
        "chat_messages_fts_idx",
        "chat_messages_fts_docsize",
        "chat_messages_fts_config",
    ] {
        assert!(
            !database.contains(&format!(r#"href="/itch-demo/{hidden}""#)),
            "{hidden} is listed"
        );
    }
}
