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
