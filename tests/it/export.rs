//! `itch export` (issue 14): the real binary exports the demo archive, and DuckDB (the PyPI wheel in
//! `$ITCH_TEST_VENV`, extensions neither installed nor loaded) reads every table back with the archive's row
//! counts and the expected column types; a second export writes exactly what changed, a third nothing; CSV and
//! NDJSON read back too; bad input is refused with the archive untouched.

use itch::export::catalog::{self, Changes, Kind};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The venv with DuckDB; a test that needs it fails (never skips) without it.
fn python() -> PathBuf {
    let venv = std::env::var_os("ITCH_TEST_VENV").unwrap_or_else(|| {
        panic!("ITCH_TEST_VENV is not set: run `eval \"$(.ci/services)\"` first (it makes the venv with DuckDB)")
    });
    PathBuf::from(venv).join("bin/python")
}

/// `itch` with nothing from the outside environment, its archive `db`.
fn itch(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itch"));
    for (key, _) in std::env::vars() {
        if key.starts_with("ITCH_") || key.starts_with("TWITCH_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.env("ITCH_DB", db).stdin(Stdio::null());
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("itch runs")
}

/// The demo's archive (followers, their accounts, videos, chat replay, a few seconds of live chat with its
/// events), made once per test binary; each test works on its own copy.
fn demo_archive() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let db = dir.join("demo.db");
        let mut cmd = itch(&db);
        cmd.current_dir(&dir)
            .env("ITCH_CONFIG_DIR", dir.join("config"))
            .args(["demo", "--followers", "2000", "--comments", "300", "--archive"])
            .arg(&db);
        let output = run(cmd);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        db
    })
}

/// A copy of the demo archive in a fresh directory.
fn copy_of_demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("itch.db");
    std::fs::copy(demo_archive(), &db).unwrap();
    (dir, db)
}

/// Runs `itch export` and returns its table lines: table → (rows, files).
fn export(db: &Path, dir: &Path, args: &[&str]) -> BTreeMap<String, (u64, u64)> {
    let mut cmd = itch(db);
    cmd.arg("export").arg(dir).args(args);
    let output = run(cmd);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (
                fields[0].to_owned(),
                (fields[1].parse().unwrap(), fields[2].parse().unwrap()),
            )
        })
        .collect()
}

/// Runs a Python script with DuckDB connected (no extension autoinstall or autoload), `input` as JSON on stdin;
/// returns what it prints as JSON.
fn duckdb(script: &str, input: &Value) -> Value {
    let program = format!(
        "import duckdb, json, sys\n\
         con = duckdb.connect(config={{'autoinstall_known_extensions': False, 'autoload_known_extensions': False}})\n\
         con.execute('SET enable_progress_bar = false')\n\
         inp = json.load(sys.stdin)\n{script}"
    );
    let mut child = Command::new(python())
        .args(["-c", &program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python runs");
    serde_json::to_writer(child.stdin.take().unwrap(), input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The JSON is the last line (DuckDB may say something before it).
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn conn(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

fn count(conn: &rusqlite::Connection, sql: &str) -> u64 {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}")) as u64
}

/// The type DuckDB gives each kind of column.
fn duckdb_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "VARCHAR",
        Kind::Int => "BIGINT",
        Kind::Real => "DOUBLE",
        Kind::Bool => "BOOLEAN",
        Kind::Time => "TIMESTAMP WITH TIME ZONE",
        Kind::Blob => "BLOB",
    }
}

/// Counts and column types of each table as DuckDB reads the files.
const READ_BACK: &str = "
out = {}
for t in inp['tables']:
    src = inp['reader'].format(path=inp['dir'] + '/' + t + '/**/*.' + inp['ext'])
    rel = con.sql('SELECT * FROM ' + src)
    out[t] = {'count': con.execute('SELECT count(*) FROM ' + src).fetchone()[0],
              'types': {name: str(ty) for name, ty in zip(rel.columns, rel.types)}}
print(json.dumps(out))
";

#[test]
fn every_data_table_is_exported_or_excluded_and_every_exported_one_tracks_changes() {
    let (_dir, db) = copy_of_demo();
    let conn = conn(&db);
    let all = catalog::all_tables(&conn).unwrap();
    let exported = catalog::exported_tables(&conn).unwrap();
    // The data tables docs/schema.md describes are all in.
    for table in [
        "users",
        "user_logins",
        "channels",
        "channel_snapshots",
        "games",
        "follows",
        "videos",
        "streams",
        "stream_snapshots",
        "chat_messages",
        "chatter_snapshots",
        "chatter_snapshot_users",
        "chat_events",
        "chat_moderation",
        "room_states",
        "chat_notices",
        "chat_gaps",
        "chat_message_rooms",
        "sync_runs",
        "sync_run_parts",
    ] {
        assert!(exported.iter().any(|t| t.name == table), "{table} is not exported");
    }
    // Every table of the archive is either exported or excluded on purpose: a table a migration adds is exported
    // unless it is named in EXCLUDED (or is an FTS index), never silently missed.
    for (name, why) in &all {
        let listed = exported.iter().any(|t| &t.name == name);
        assert_eq!(listed, why.is_none(), "{name}: excluded because {why:?}");
    }
    for (name, _) in catalog::EXCLUDED {
        assert!(
            all.iter().any(|(t, _)| t == name),
            "EXCLUDED names {name}, which no longer exists"
        );
    }
    // Every exported table knows its changes, and each update trigger compares every column (a column a later
    // migration adds must be added to its trigger, or its changes would be lost).
    for table in &exported {
        match &table.changes {
            Changes::Key { updates_logged, .. } => assert!(updates_logged, "{}: no update trigger", table.name),
            Changes::Log { .. } => {}
            Changes::Whole => panic!("{}: no change-log triggers (add them in a migration)", table.name),
        }
        let trigger: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [format!("export_log_{}_au", table.name)],
                |r| r.get(0),
            )
            .unwrap();
        for column in &table.columns {
            let compared = format!("old.{0} IS NOT new.{0}", column.name);
            assert!(
                trigger.contains(&compared),
                "{}: its trigger misses {}",
                table.name,
                column.name
            );
        }
    }
}

#[test]
fn duckdb_reads_every_exported_table_with_the_archives_counts_and_types() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("export");
    let written = export(&db, &out, &[]);
    let conn = conn(&db);
    let tables = catalog::exported_tables(&conn).unwrap();
    let mut nonempty = Vec::new();
    for table in &tables {
        let rows = count(&conn, &format!("SELECT count(*) FROM \"{}\"", table.name));
        assert_eq!(written[&table.name].0, rows, "{}: rows written", table.name);
        if rows == 0 {
            assert_eq!(
                written[&table.name].1, 0,
                "{}: an empty table writes no file",
                table.name
            );
            assert!(!out.join(&table.name).exists());
        } else {
            nonempty.push(table.name.clone());
        }
    }
    for table in [
        "follows",
        "users",
        "chat_messages",
        "chat_events",
        "chat_moderation",
        "videos",
    ] {
        assert!(nonempty.iter().any(|t| t == table), "the demo has no {table}");
    }
    let read = duckdb(
        READ_BACK,
        &json!({"tables": nonempty, "dir": out, "ext": "parquet",
                "reader": "read_parquet('{path}', hive_partitioning = true)"}),
    );
    for table in tables.iter().filter(|t| nonempty.contains(&t.name)) {
        let got = &read[&table.name];
        let rows = count(&conn, &format!("SELECT count(*) FROM \"{}\"", table.name));
        assert_eq!(got["count"], json!(rows), "{}: DuckDB's count", table.name);
        for column in &table.columns {
            assert_eq!(
                got["types"][&column.name],
                json!(duckdb_type(column.kind)),
                "{}.{}",
                table.name,
                column.name
            );
        }
        if let Some(partition) = &table.partition {
            assert_eq!(got["types"]["channel"], json!("VARCHAR"), "{}", table.name);
            let (key, _) = partition.period.key_and_format();
            assert!(got["types"].get(key).is_some(), "{}: no {key} partition", table.name);
        }
    }
    assert_eq!(read["chat_messages"]["types"]["date"], json!("DATE"));
    // The values are the archive's: times to the second, NULLs kept, flags, counts.
    let sums = duckdb(
        "
f = \"read_parquet('\" + inp['dir'] + \"/follows/**/*.parquet', hive_partitioning = true)\"
m = \"read_parquet('\" + inp['dir'] + \"/chat_messages/**/*.parquet', hive_partitioning = true)\"
print(json.dumps(con.execute(f'''SELECT
  (SELECT sum(epoch(followed_at))::BIGINT FROM {f}),
  (SELECT count(*) FROM {f} WHERE unfollowed_seen_at IS NULL),
  (SELECT count(*) FILTER (WHERE channel IS NULL) FROM {f}),
  (SELECT sum(offset_seconds) FROM {m}),
  (SELECT count(*) FROM {m} WHERE created_at_corrected),
  (SELECT count(*) FROM {m} WHERE deleted_at IS NOT NULL),
  (SELECT count(*) FROM {m} WHERE strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d') = date::VARCHAR)
''').fetchone()))
",
        &json!({"dir": out}),
    );
    let expected = json!([
        count(&conn, "SELECT sum(strftime('%s', followed_at)) FROM follows"),
        count(&conn, "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NULL"),
        0,
        count(&conn, "SELECT coalesce(sum(offset_seconds), 0) FROM chat_messages"),
        count(
            &conn,
            "SELECT count(*) FROM chat_messages WHERE created_at_corrected = 1"
        ),
        count(&conn, "SELECT count(*) FROM chat_messages WHERE deleted_at IS NOT NULL"),
        count(&conn, "SELECT count(*) FROM chat_messages"),
    ]);
    assert_eq!(sums, expected);
    assert_ne!(expected[5], json!(0), "the demo's live chat has moderated messages");
}

#[test]
fn a_second_export_writes_exactly_what_changed_and_a_third_nothing() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("export");
    let first = export(&db, &out, &[]);
    assert!(first["follows"].0 > 1000);
    let conn = conn(&db);
    // A killed export left a renamed part and a temporary file: the next export removes both.
    conn.execute_batch(
        "INSERT INTO exports (id, dir, format, tables, status, started_at, itch_version)
         SELECT 50, dir, 'parquet', 'follows', 'running', started_at, 'test' FROM exports WHERE id = 1",
    )
    .unwrap();
    let some_part = walk(&out.join("follows")).remove(0);
    let stray = some_part.with_file_name("part-000050.parquet");
    std::fs::copy(&some_part, &stray).unwrap();
    let tmp = some_part.with_file_name(".part-000050.parquet.tmp");
    std::fs::write(&tmp, b"half").unwrap();
    // Changes: 3 new chat messages, one unfollow noticed, one account renamed (which also adds a user_logins row),
    // a video marked deleted, and updates that change nothing (not new).
    conn.execute_batch(
        "INSERT INTO chat_messages (id, source, broadcaster_id, user_id, user_login, created_at, created_at_corrected,
                                    text, first_seen_at, kind)
         SELECT 'new-' || n, 'live', broadcaster_id, user_id, user_login, '2030-01-02T03:04:05Z', 0, 'hello ' || n,
                '2030-01-02T03:04:06Z', 'chat'
         FROM chat_messages, (SELECT 1 AS n UNION SELECT 2 UNION SELECT 3)
         WHERE seq = (SELECT min(seq) FROM chat_messages);
         UPDATE follows SET unfollowed_seen_at = '2030-01-01T00:00:00Z'
         WHERE (broadcaster_id, user_id) = (SELECT broadcaster_id, user_id FROM follows
                                            WHERE unfollowed_seen_at IS NULL ORDER BY user_id LIMIT 1);
         UPDATE users SET login = 'renamed_for_test' WHERE id = (SELECT min(user_id) FROM follows);
         UPDATE videos SET deleted_seen_at = '2030-01-01T00:00:00Z' WHERE id = (SELECT min(id) FROM videos);
         UPDATE users SET login = login;
         UPDATE follows SET last_seen_at = last_seen_at;",
    )
    .unwrap();
    let second = export(&db, &out, &[]);
    let changed: BTreeMap<&str, u64> = second
        .iter()
        .filter(|(_, (rows, _))| *rows > 0)
        .map(|(t, (rows, _))| (t.as_str(), *rows))
        .collect();
    let expected: BTreeMap<&str, u64> = [
        ("chat_messages", 3),
        ("follows", 1),
        ("users", 1),
        ("user_logins", 1),
        ("videos", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(changed, expected);
    assert!(
        !stray.exists() && !tmp.exists(),
        "the killed export's files are removed"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM exports WHERE id = 50 AND status = 'abandoned'"
        ),
        1
    );
    // All parts together: each table's rows plus the changed rows' older versions; the newest version of each
    // key (the highest part) is the archive's.
    let read = duckdb(
        "
out = {}
for t, key in inp['keys'].items():
    src = \"read_parquet('\" + inp['dir'] + '/' + t + \"/**/*.parquet', hive_partitioning = true, filename = true)\"
    newest = f'''SELECT * FROM {src} QUALIFY row_number() OVER (PARTITION BY {key}
                  ORDER BY regexp_extract(filename, 'part-([0-9]+)', 1)::INT DESC) = 1'''
    out[t] = [con.execute(f'SELECT count(*) FROM {src}').fetchone()[0], con.execute(f'SELECT count(*) FROM ({newest})').fetchone()[0]]
f = \"read_parquet('\" + inp['dir'] + \"/follows/**/*.parquet', filename = true)\"
out['unfollowed'] = con.execute(f'''SELECT count(*) FROM (SELECT * FROM {f} QUALIFY row_number() OVER (PARTITION BY broadcaster_id, user_id
                  ORDER BY regexp_extract(filename, 'part-([0-9]+)', 1)::INT DESC) = 1) WHERE unfollowed_seen_at IS NOT NULL''').fetchone()[0]
print(json.dumps(out))
",
        &json!({"dir": out, "keys": {"follows": "broadcaster_id, user_id", "users": "id",
                 "chat_messages": "seq", "videos": "id", "user_logins": "user_id, login"}}),
    );
    for (table, extra) in [
        ("follows", 1),
        ("users", 1),
        ("chat_messages", 0),
        ("videos", 1),
        ("user_logins", 0),
    ] {
        let rows = count(&conn, &format!("SELECT count(*) FROM {table}"));
        assert_eq!(read[table], json!([rows + extra, rows]), "{table}");
    }
    assert_eq!(
        read["unfollowed"],
        json!(count(
            &conn,
            "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NOT NULL"
        ))
    );
    // Nothing changed: nothing written.
    let files_before = walk(&out).len();
    let third = export(&db, &out, &[]);
    assert!(
        third.values().all(|(rows, files)| *rows == 0 && *files == 0),
        "{third:?}"
    );
    assert_eq!(walk(&out).len(), files_before);
    // The change log is trimmed to what this directory has not exported yet: nothing.
    assert_eq!(count(&conn, "SELECT count(*) FROM export_changes"), 0);
}

#[test]
fn csv_and_ndjson_exports_read_back_in_duckdb() {
    let (dir, db) = copy_of_demo();
    let conn = conn(&db);
    for (format, reader) in [
        (
            "csv",
            "read_csv('{path}', hive_partitioning = true, union_by_name = true)",
        ),
        (
            "ndjson",
            "read_json('{path}', format = 'newline_delimited', hive_partitioning = true)",
        ),
    ] {
        let out = dir.path().join(format);
        let written = export(
            &db,
            &out,
            &["--format", format, "--tables", "follows,chat_messages,users"],
        );
        assert_eq!(written.len(), 3, "{written:?}");
        let read = duckdb(
            READ_BACK,
            &json!({"tables": ["follows", "chat_messages", "users"], "dir": out, "ext": format, "reader": reader}),
        );
        for table in ["follows", "chat_messages", "users"] {
            let rows = count(&conn, &format!("SELECT count(*) FROM {table}"));
            assert_eq!(read[table]["count"], json!(rows), "{format} {table}");
        }
        let types = &read["chat_messages"]["types"];
        assert!(
            types["created_at"].as_str().unwrap().starts_with("TIMESTAMP"),
            "{format}: {types}"
        );
        assert_eq!(types["offset_seconds"], json!("BIGINT"), "{format}");
        assert_eq!(types["created_at_corrected"], json!("BOOLEAN"), "{format}");
    }
}

#[test]
fn bad_input_is_refused_and_leaves_the_archive_and_directory_alone() {
    let (dir, db) = copy_of_demo();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let cases: [(PathBuf, &[&str], &str); 4] = [
        (file.clone(), &[], "is a file, not a directory"),
        (file.join("below"), &[], "cannot be created"),
        (
            dir.path().join("out"),
            &["--tables", "follows,nosuchtable"],
            "'nosuchtable' is not an exported table",
        ),
        (
            dir.path().join("out"),
            &["--tables", "http_cache"],
            "'http_cache' is not an exported table",
        ),
    ];
    for (target, args, message) in cases {
        let mut cmd = itch(&db);
        cmd.arg("export").arg(&target).args(args);
        let output = run(cmd);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{target:?} {args:?}: {stderr}");
        assert!(stderr.contains(message), "{target:?} {args:?}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
    let out = dir.path().join("out");
    assert!(
        walk(&out).iter().all(|f| f.ends_with(itch::export::LOCK_FILE)),
        "{:?}",
        walk(&out)
    );
    let conn = conn(&db);
    assert_eq!(count(&conn, "SELECT count(*) FROM exports"), 0);
    assert_eq!(count(&conn, "SELECT count(*) FROM export_watermarks"), 0);
    // A directory holds one format.
    export(&db, &out, &["--tables", "users"]);
    let mut cmd = itch(&db);
    cmd.arg("export").arg(&out).args(["--format", "csv"]);
    let output = run(cmd);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds a parquet export"));
    // No archive: refused, none created.
    let mut cmd = itch(&dir.path().join("missing.db"));
    cmd.arg("export").arg(dir.path().join("out2"));
    let output = run(cmd);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no archive at"));
    assert!(!dir.path().join("missing.db").exists());
}

/// `itch export` with these arguments, its output whatever it is.
fn export_output(db: &Path, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = itch(db);
    cmd.arg("export").arg(dir).args(args);
    run(cmd)
}

/// Two exports into different directories at once (issue 14 review, item 1): B's save trimmed the change log up to
/// its own watermark while A, still running from an older snapshot, would save a watermark below the entries
/// gone. A running export's snapshot now pins the log; a real export records its snapshot in its `exports` row.
#[test]
fn a_running_export_keeps_the_change_log_it_will_need_while_another_directory_saves() {
    let (dir, db) = copy_of_demo();
    let b = dir.path().join("b");
    export(&db, &b, &["--tables", "users"]);
    let conn = conn(&db);
    // A starts into its own directory (no watermark yet), as an itch before V016 would record it: no snapshot
    // known, so it needs every entry the log holds.
    conn.execute(
        "INSERT INTO exports (id, dir, format, tables, status, started_at, itch_version)
         VALUES (70, ?1, 'parquet', 'users', 'running', '2030-01-01T00:00:00Z', 'test')",
        [dir.path().join("a").to_string_lossy()],
    )
    .unwrap();
    conn.execute_batch("UPDATE users SET login = login || '_x' WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 3)")
        .unwrap();
    assert_eq!(export(&db, &b, &["--tables", "users"])["users"].0, 3);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM export_changes WHERE table_name = 'users'"),
        3,
        "B's save must keep what the running A has not seen"
    );
    // B's export recorded the snapshot it read.
    assert_eq!(
        count(
            &conn,
            "SELECT snapshot_seq FROM exports WHERE dir LIKE '%/b' ORDER BY id DESC LIMIT 1"
        ),
        count(&conn, "SELECT max(seq) FROM export_changes")
    );
    // A's snapshot known (taken after those 3 changes): the log is kept from it on, no further back.
    conn.execute_batch(
        "UPDATE exports SET snapshot_seq = (SELECT max(seq) FROM export_changes) WHERE id = 70;
         UPDATE users SET login = login || '_y' WHERE id = (SELECT min(id) FROM users);",
    )
    .unwrap();
    assert_eq!(export(&db, &b, &["--tables", "users"])["users"].0, 1);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM export_changes WHERE table_name = 'users'"),
        1
    );
    // A is over: nothing pins the log any more.
    conn.execute_batch("UPDATE exports SET status = 'failed' WHERE id = 70")
        .unwrap();
    export(&db, &b, &["--tables", "users"]);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM export_changes WHERE table_name = 'users'"),
        0
    );
}

/// Item 2: the marker was written after the watermarks were saved, so a crash (or a failed write) between the two
/// left a recorded export in a directory the next run took as new, duplicating everything. The marker now comes
/// before the first part file, and an export whose marker cannot be written is not recorded ok.
#[test]
fn an_export_whose_marker_cannot_be_written_writes_no_part_and_is_not_recorded() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // The marker's name is a link to nowhere: the directory looks new, and writing the marker fails.
    std::os::unix::fs::symlink(dir.path().join("nowhere/marker"), out.join(itch::export::MARKER_FILE)).unwrap();
    let output = export_output(&db, &out, &["--tables", "users"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(itch::export::MARKER_FILE), "{stderr}");
    let conn = conn(&db);
    assert_eq!(count(&conn, "SELECT count(*) FROM exports WHERE status = 'ok'"), 0);
    assert_eq!(count(&conn, "SELECT count(*) FROM exports WHERE status = 'failed'"), 1);
    assert_eq!(count(&conn, "SELECT count(*) FROM export_watermarks"), 0);
    assert!(walk(&out.join("users")).is_empty(), "{:?}", walk(&out));
    // Once the marker can be written, the next export is whole, alone in its directory.
    std::fs::remove_file(out.join(itch::export::MARKER_FILE)).unwrap();
    let written = export(&db, &out, &["--tables", "users"]);
    assert_eq!(written["users"].0, count(&conn, "SELECT count(*) FROM users"));
    let parts = walk(&out.join("users"));
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert!(out.join(itch::export::MARKER_FILE).is_file());
}

/// Item 3: the marker was never read, so a second archive exporting into the same directory overwrote the first
/// one's parts (both number their exports from 1). The directory now belongs to the archive its marker names.
#[test]
fn a_directory_another_archive_exported_into_is_refused_and_its_parts_kept() {
    let (dir, a) = copy_of_demo();
    let b = dir.path().join("other.db");
    std::fs::copy(demo_archive(), &b).unwrap();
    conn(&b)
        .execute_batch("UPDATE users SET login = 'b_' || login")
        .unwrap();
    let out = dir.path().join("out");
    export(&a, &out, &["--tables", "users"]);
    let before: Vec<(PathBuf, Vec<u8>)> = walk(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
        .collect();
    let output = export_output(&b, &out, &["--tables", "users"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another archive"), "{stderr}");
    let after: Vec<(PathBuf, Vec<u8>)> = walk(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
        .collect();
    assert!(before == after, "a.db's export was changed");
    assert_eq!(count(&conn(&b), "SELECT count(*) FROM exports"), 0);
    // Its own archive goes on exporting into it.
    export(&a, &out, &["--tables", "users"]);
}

/// Item 5: a directory emptied since its last export (its marker gone) is new: any format goes.
#[test]
fn an_emptied_directory_can_be_exported_in_another_format() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("out");
    export(&db, &out, &["--tables", "users"]);
    std::fs::remove_dir_all(&out).unwrap();
    let written = export(&db, &out, &["--tables", "users", "--format", "csv"]);
    assert_eq!(written["users"].0, count(&conn(&db), "SELECT count(*) FROM users"));
    assert!(walk(&out.join("users")).iter().all(|f| f.extension().unwrap() == "csv"));
}

/// Item 6: an export that failed and could not remove its parts left them forever (only `running` exports were
/// cleaned up): the next export into the directory removes them.
#[test]
fn a_failed_exports_leftover_parts_are_removed_by_the_next_export() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("out");
    export(&db, &out, &["--tables", "users"]);
    conn(&db)
        .execute_batch(
            "INSERT INTO exports (id, dir, format, tables, status, started_at, finished_at, error, itch_version)
             SELECT 60, dir, 'parquet', 'users', 'failed', started_at, started_at, 'test', 'test'
             FROM exports WHERE id = 1",
        )
        .unwrap();
    let part = walk(&out.join("users")).remove(0);
    let stray = part.with_file_name("part-000060.parquet");
    std::fs::copy(&part, &stray).unwrap();
    export(&db, &out, &["--tables", "users"]);
    assert!(!stray.exists(), "the failed export's part is still there");
    assert!(part.exists());
}

/// Item 7: the triggers logged every change once any `exports` row existed, a failed trial included, and nothing
/// ever trimmed that log. They now log while an export runs (from before its snapshot) or once one has succeeded.
#[test]
fn the_change_log_is_written_only_while_an_export_runs_or_after_one_succeeded() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(dir.path().join("nowhere/marker"), out.join(itch::export::MARKER_FILE)).unwrap();
    assert_eq!(export_output(&db, &out, &["--tables", "users"]).status.code(), Some(2));
    let conn = conn(&db);
    let rename = "UPDATE users SET login = login || '_x' WHERE id = (SELECT min(id) FROM users)";
    conn.execute_batch(rename).unwrap();
    assert_eq!(
        count(&conn, "SELECT count(*) FROM export_changes"),
        0,
        "a failed trial logs nothing"
    );
    // An export running (its row is in before its snapshot): changes are logged for its next run.
    conn.execute_batch(
        "INSERT INTO exports (id, dir, format, tables, status, started_at, itch_version)
         VALUES (80, '/elsewhere', 'parquet', 'users', 'running', '2030-01-01T00:00:00Z', 'test')",
    )
    .unwrap();
    conn.execute_batch(rename).unwrap();
    assert!(count(&conn, "SELECT count(*) FROM export_changes WHERE table_name = 'users'") >= 1);
    conn.execute_batch("UPDATE exports SET status = 'abandoned' WHERE id = 80; DELETE FROM export_changes")
        .unwrap();
    conn.execute_batch(rename).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM export_changes"), 0);
    // Once an export succeeded, every change is logged.
    std::fs::remove_file(out.join(itch::export::MARKER_FILE)).unwrap();
    export(&db, &out, &["--tables", "users"]);
    conn.execute_batch(rename).unwrap();
    assert!(count(&conn, "SELECT count(*) FROM export_changes WHERE table_name = 'users'") >= 1);
}

/// Item 7: a directory the user deleted keeps its watermarks, and so the change log, forever; `itch export --forget
/// <dir>` drops them (refused while the directory is still there with its marker).
#[test]
fn forgetting_a_deleted_directory_drops_its_watermarks_and_the_log_it_kept() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("out");
    export(&db, &out, &["--tables", "users"]);
    let conn = conn(&db);
    conn.execute_batch("UPDATE users SET login = login || '_x' WHERE id = (SELECT min(id) FROM users)")
        .unwrap();
    assert!(count(&conn, "SELECT count(*) FROM export_changes") >= 1);
    let output = export_output(&db, &out, &["--forget"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("still holds an export"), "{stderr}");
    assert_eq!(count(&conn, "SELECT count(*) FROM export_watermarks"), 1);
    std::fs::remove_dir_all(&out).unwrap();
    let output = export_output(&db, &out, &["--forget"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("forgot 1 table"), "{stderr}");
    assert_eq!(count(&conn, "SELECT count(*) FROM export_watermarks"), 0);
    assert_eq!(count(&conn, "SELECT count(*) FROM export_changes"), 0);
    assert!(!out.exists(), "forgetting creates nothing");
    // Nothing recorded under that name any more: exit 1, nothing done.
    assert_eq!(export_output(&db, &out, &["--forget"]).status.code(), Some(1));
}

/// A directory an itch before V016 exported into (its marker the archive's path alone, no token recorded) goes on
/// taking that archive's exports, its marker rewritten with a token; another archive is refused there too.
#[test]
fn a_directory_marked_before_v016_stays_its_archives_and_gets_a_token() {
    let (dir, db) = copy_of_demo();
    let out = dir.path().join("out");
    export(&db, &out, &["--tables", "users"]);
    let marker = out.join(itch::export::MARKER_FILE);
    std::fs::write(&marker, format!("{}\n", db.display())).unwrap();
    let conn = conn(&db);
    conn.execute_batch("UPDATE exports SET dir_token = NULL").unwrap();
    let other = dir.path().join("other.db");
    std::fs::copy(demo_archive(), &other).unwrap();
    let output = export_output(&other, &out, &["--tables", "users"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("another archive"));
    assert_eq!(export(&db, &out, &["--tables", "users"])["users"], (0, 0));
    let text = std::fs::read_to_string(&marker).unwrap();
    let token: String = conn
        .query_row("SELECT dir_token FROM exports ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(text.contains(&format!("token: {token}")), "{text}");
    assert_eq!(export(&db, &out, &["--tables", "users"])["users"], (0, 0));
}

/// Every file under `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.map(Result::unwrap) {
            if entry.file_type().unwrap().is_dir() {
                files.extend(walk(&entry.path()));
            } else {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}
