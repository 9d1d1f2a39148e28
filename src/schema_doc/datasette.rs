//! Datasette's metadata for an archive (`itch datasette-metadata`, read by `datasette itch.db -m metadata.json`):
//! every table's and column's description from docs/schema.md (through [`super::tables`]), plus what Datasette
//! cannot guess: the column that labels a row where another table links to it, the chat's full-text index, the
//! newest-first sorts, facets, the internal tables hidden, and canned queries for the common questions. Datasette
//! 0.65 reads this JSON; its canned queries use only what the SQLite 3.40 of Python's sqlite3 has.

use serde_json::{Map, Value, json};

use super::DocTable;

/// How Datasette should show one table or view, beyond its documentation.
#[derive(Clone, Copy, Debug)]
pub struct TableView {
    /// The table or view.
    pub table: &'static str,
    /// The column shown for a row where a foreign key points at it (`users` → its login).
    pub label_column: Option<&'static str>,
    /// The time column the table opens sorted by, newest first.
    pub sort_desc: Option<&'static str>,
    /// Columns offered as facets.
    pub facets: &'static [&'static str],
}

const fn view(
    table: &'static str,
    label_column: Option<&'static str>,
    sort_desc: Option<&'static str>,
    facets: &'static [&'static str],
) -> TableView {
    TableView {
        table,
        label_column,
        sort_desc,
        facets,
    }
}

/// The tables and views Datasette is told more about than their documentation.
pub const TABLE_VIEWS: &[TableView] = &[
    view("users", Some("login"), Some("first_seen_at"), &["broadcaster_type"]),
    view("user_logins", None, Some("last_seen_at"), &[]),
    view("channels", Some("broadcaster_login"), None, &["broadcaster_language"]),
    view("channel_snapshots", None, Some("taken_at"), &["broadcaster_id"]),
    view("games", Some("name"), None, &[]),
    view("follows", None, Some("followed_at"), &["broadcaster_id"]),
    view("videos", Some("title"), Some("created_at"), &["type", "chat_status"]),
    view("streams", Some("title"), Some("started_at"), &["game_name"]),
    view("stream_snapshots", None, Some("taken_at"), &[]),
    // The chat opens newest saved first (its rowid): sorting millions of messages by `created_at`, which has no
    // index of its own, takes longer than Datasette's one-second limit on each page.
    view("chat_messages", Some("text"), Some("seq"), &["kind", "source"]),
    view("chat_events", None, Some("created_at"), &["kind", "tier"]),
    view("chat_moderation", Some("action"), Some("created_at"), &["action"]),
    view("room_states", None, Some("seen_at"), &[]),
    view("chat_notices", None, Some("seen_at"), &["kind"]),
    view("chat_gaps", None, Some("started_at"), &[]),
    view("chat_segments", None, Some("updated_at"), &[]),
    view("chatter_snapshots", None, Some("taken_at"), &["source"]),
    view("sync_runs", Some("command"), Some("started_at"), &["status"]),
    view("sync_run_parts", None, Some("started_at"), &["part", "status"]),
    view("sync_checkpoints", None, Some("updated_at"), &[]),
    view("channel_followers", None, Some("followed_at"), &["channel"]),
    view("follower_counts", None, Some("taken_at"), &["channel"]),
    view("latest_channel_snapshots", None, Some("taken_at"), &[]),
    view("sync_parts_latest", None, Some("started_at"), &["part", "status"]),
    view("visible_chat_messages", None, Some("seq"), &["kind"]),
];

/// The chat's full-text index: (table, FTS table, the table's column its rowid is).
pub const FTS: &[(&str, &str, &str)] = &[
    ("chat_messages", "chat_messages_fts", "seq"),
    ("visible_chat_messages", "chat_messages_fts", "seq"),
];

/// FTS5's own tables beside each index.
const FTS_SHADOWS: &[&str] = &["data", "idx", "docsize", "config"];

/// One canned query: its name (the URL path), title, what it answers, and its SQL with `:named` parameters.
#[derive(Clone, Copy, Debug)]
pub struct CannedQuery {
    /// Its name in Datasette's URL (`/<db>/<name>`).
    pub name: &'static str,
    /// The page's title.
    pub title: &'static str,
    /// What it answers and how to fill its parameters.
    pub description: &'static str,
    /// The SQL.
    pub sql: &'static str,
}

/// The canned queries: the questions people open an archive for.
pub const QUERIES: &[CannedQuery] = &[
    CannedQuery {
        name: "followers_between",
        title: "Who followed between two dates",
        description: "A channel's follows from :since (inclusive) to :until (exclusive, empty: no end), with each \
                      account's age when it followed. Dates like 2026-10-01, or times like 2026-10-01T18:00:00Z.",
        sql: include_str!("queries/followers_between.sql"),
    },
    CannedQuery {
        name: "bot_waves",
        title: "Follow-bot waves",
        description: "Many accounts created minutes apart that followed minutes apart, as `itch report bot-waves` \
                      finds them. Empty :gap_seconds is 300, empty :min_size is 20.",
        sql: include_str!("queries/bot_waves.sql"),
    },
    CannedQuery {
        name: "chat_around",
        title: "Chat around a moment of a VOD",
        description: "The messages within :window_seconds (empty: 60) of :offset_seconds into the video :video_id \
                      (1:23:45 is 5025).",
        sql: include_str!("queries/chat_around.sql"),
    },
    CannedQuery {
        name: "followers_per_day",
        title: "Followers per day",
        description: "A channel's new follows per day and their running count, beside the follower total Helix \
                      reported that day.",
        sql: include_str!("queries/followers_per_day.sql"),
    },
];

/// The metadata for an archive Datasette names `database` (the file name without `.db`), from the documented
/// tables `tables` (normally [`super::tables`]).
pub fn metadata(database: &str, tables: &[DocTable]) -> Value {
    let mut out = Map::new();
    for doc in tables {
        let mut table = Map::new();
        if !doc.description.is_empty() {
            table.insert("description".into(), doc.description.clone().into());
        }
        let columns: Map<String, Value> = doc
            .columns
            .iter()
            .map(|c| (c.name.clone(), Value::from(c.description.clone())))
            .collect();
        if !columns.is_empty() {
            table.insert("columns".into(), Value::Object(columns));
        }
        if doc.internal {
            table.insert("hidden".into(), true.into());
        }
        out.insert(doc.name.clone(), Value::Object(table));
    }
    for view in TABLE_VIEWS {
        let table = entry(&mut out, view.table);
        if let Some(label) = view.label_column {
            table.insert("label_column".into(), label.into());
        }
        if let Some(sort) = view.sort_desc {
            table.insert("sort_desc".into(), sort.into());
        }
        if !view.facets.is_empty() {
            table.insert("facets".into(), json!(view.facets));
        }
    }
    for (table, fts, key) in FTS {
        let entry = entry(&mut out, table);
        entry.insert("fts_table".into(), (*fts).into());
        entry.insert("fts_pk".into(), (*key).into());
        // The index itself and FTS5's tables beside it are machinery, not data.
        entry_hidden(&mut out, fts);
        for shadow in FTS_SHADOWS {
            entry_hidden(&mut out, &format!("{fts}_{shadow}"));
        }
    }
    entry_hidden(&mut out, "refinery_schema_history");
    let queries: Map<String, Value> = QUERIES
        .iter()
        .map(|q| {
            (
                q.name.to_owned(),
                json!({"title": q.title, "description": q.description, "sql": q.sql.trim()}),
            )
        })
        .collect();
    json!({
        "title": "itch archive",
        "description": "A Twitch archive made by itch: channels, follows, videos, streams and chat. Every table \
                        and column is described in docs/schema.md; the canned queries answer the common questions.",
        "databases": {
            database: {
                "tables": Value::Object(out),
                "queries": Value::Object(queries),
            }
        }
    })
}

fn entry<'a>(tables: &'a mut Map<String, Value>, name: &str) -> &'a mut Map<String, Value> {
    tables
        .entry(name.to_owned())
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("a table's metadata is an object")
}

fn entry_hidden(tables: &mut Map<String, Value>, name: &str) {
    entry(tables, name).insert("hidden".into(), true.into());
}

/// The name Datasette gives the database in a file: its name without the last extension.
pub fn database_name(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "itch".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_view_and_query_names_documented_tables_and_columns() {
        let tables = crate::schema_doc::tables();
        let doc = |name: &str| {
            tables
                .iter()
                .find(|t| t.name == name)
                .unwrap_or_else(|| panic!("{name} is not documented"))
        };
        for view in TABLE_VIEWS {
            let table = doc(view.table);
            let columns = view
                .label_column
                .into_iter()
                .chain(view.sort_desc)
                .chain(view.facets.iter().copied());
            for column in columns {
                assert!(
                    table.column(column).is_some(),
                    "{}.{column} is not documented",
                    view.table
                );
            }
        }
        for (table, fts, key) in FTS {
            assert!(doc(table).column(key).is_some() && doc(fts).column("text").is_some());
        }
    }

    #[test]
    fn internal_tables_are_hidden_and_descriptions_come_from_the_page() {
        let metadata = metadata("itch-demo", &crate::schema_doc::tables());
        let tables = &metadata["databases"]["itch-demo"]["tables"];
        for hidden in [
            "follows_staging",
            "users_staging",
            "http_cache",
            "http_cache_counters",
            "refinery_schema_history",
            "chat_messages_fts",
            "chat_messages_fts_docsize",
        ] {
            assert_eq!(tables[hidden]["hidden"], true, "{hidden}");
        }
        assert_eq!(tables["users"]["hidden"], Value::Null);
        assert_eq!(tables["users"]["label_column"], "login");
        assert_eq!(tables["chat_messages"]["fts_table"], "chat_messages_fts");
        assert!(
            tables["follows"]["columns"]["followed_at"]
                .as_str()
                .unwrap()
                .starts_with("Twitch's followed_at")
        );
        assert_eq!(
            metadata["databases"]["itch-demo"]["queries"].as_object().unwrap().len(),
            QUERIES.len()
        );
    }
}
