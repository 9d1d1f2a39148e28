//! The schema is a product surface: every table and view of a fresh archive has its section in docs/schema.md.

#[test]
fn every_table_and_view_is_documented() {
    let dir = tempfile::tempdir().unwrap();
    let conn = itch::archive::db::open(&dir.path().join("itch.db")).unwrap();
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.md")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
               AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'chat_messages_fts_%'
               AND name != 'refinery_schema_history' ORDER BY name",
        )
        .unwrap();
    let names: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(names.len() > 20, "{names:?}");
    let missing: Vec<&String> = names
        .iter()
        .filter(|name| !doc.contains(&format!("### `{name}`")))
        .collect();
    assert!(missing.is_empty(), "not documented in docs/schema.md: {missing:?}");
}

/// `sync_parts_latest` has one row per channel and part, the latest run's, even when two runs started the part
/// within the same second (times are kept to the second): a killed walk and the sync that resumed it did.
#[test]
fn the_latest_part_is_one_row_even_when_two_runs_started_it_in_the_same_second() {
    let dir = tempfile::tempdir().unwrap();
    let conn = itch::archive::db::open(&dir.path().join("itch.db")).unwrap();
    conn.execute_batch(
        "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('1', 'a', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
         INSERT INTO sync_runs (id, started_at, status, command, itch_version) VALUES
             (1, '2026-01-01T00:00:00Z', 'interrupted', 'sync a', 't'), (2, '2026-01-01T00:00:00Z', 'ok', 'sync a', 't');
         INSERT INTO sync_run_parts (sync_run_id, broadcaster_id, part, status, started_at) VALUES
             (1, '1', 'followers', 'interrupted', '2026-01-01T00:00:00Z'),
             (2, '1', 'followers', 'ok', '2026-01-01T00:00:00Z');",
    )
    .unwrap();
    let mut stmt = conn
        .prepare("SELECT sync_run_id || ' ' || status FROM sync_parts_latest")
        .unwrap();
    let rows: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows, ["2 ok"]);
}
