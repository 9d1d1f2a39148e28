//! Report tests over a small hand-made archive whose expected rows are worked out by hand below.

use super::*;
use crate::report::time::{parse_since, parse_until};
use std::path::Path;

/// Channel `chan` (id 1, created 2015-01-01) with snapshots of 100 then 103 followers, then one that did not count
/// them; followers alice (at exactly 2026-01-01T00:00:00Z), bob, carol (not hydrated, at the last second of
/// January), erin (at 2026-02-01T00:00:00Z, the second her account was made); dave unfollowed. `lonely` is a user
/// but not a channel; `quiet` is a channel with a snapshot and nothing else.
const FIXTURE: &str = r#"
INSERT INTO users (id, login, display_name, created_at, first_seen_at, last_seen_at) VALUES
    ('1', 'chan',   'Chan',  '2015-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('2', 'alice',  'alice', '2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('3', 'bob',    'bob',   '2026-01-10T00:00:00Z', '2026-01-15T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('4', 'carol',  'carol', NULL,                   '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z'),
    ('5', 'dave',   'dave',  '2019-06-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z'),
    ('6', 'lonely', 'lonely','2018-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('7', 'quiet',  'quiet', '2017-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    ('8', 'erin',   'erin',  '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');
INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, title, first_seen_at, last_seen_at)
VALUES ('1', 'chan', 'Chan', 'hello', '2026-01-01T00:00:00Z', '2026-01-20T00:00:00Z');
INSERT INTO channel_snapshots (broadcaster_id, taken_at, follower_total) VALUES
    ('1', '2026-01-01T00:00:00Z', 100),
    ('1', '2026-01-15T00:00:00Z', 103),
    ('1', '2026-01-20T00:00:00Z', NULL),
    ('7', '2026-01-01T00:00:00Z', 5);
INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at) VALUES
    ('1', '2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '3', '2026-01-10T12:00:00Z', '2026-01-15T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '4', '2026-01-31T23:59:59Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '8', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', NULL),
    ('1', '5', '2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z', '2026-01-20T00:00:00Z'),
    ('7', '2', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z');
INSERT INTO videos (id, user_id, type, title, created_at, published_at, url, view_count, duration, duration_seconds,
                    first_seen_at, last_seen_at, deleted_seen_at) VALUES
    ('1001', '1', 'archive', 'Tab	here', '2026-01-05T10:00:00Z', '2026-01-05T10:00:00Z',
     'https://www.twitch.tv/videos/1001', 10, '1h0m0s', 3600, '2026-01-06T00:00:00Z', '2026-01-20T00:00:00Z', NULL),
    ('1002', '1', 'highlight', 'Hello, "world"', '2026-01-06T00:00:00Z', '2026-01-06T00:05:00Z',
     'https://www.twitch.tv/videos/1002', 3, '1m30s', 90, '2026-01-06T00:00:00Z', '2026-01-15T00:00:00Z',
     '2026-01-20T00:00:00Z'),
    ('1003', '1', 'upload', 'two
lines \ and a backslash', '2026-01-07T00:00:00Z', NULL, 'https://www.twitch.tv/videos/1003', NULL, '5s', 5,
     '2026-01-07T00:00:00Z', '2026-01-20T00:00:00Z', NULL);
"#;

/// alice: 2020-01-01 to 2026-01-01 is six years with two leap days (2020, 2024).
const ALICE_SECONDS: i64 = (6 * 365 + 2) * 86_400;

fn archive() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("itch.db");
    let conn = crate::archive::open(&path).unwrap();
    conn.execute_batch(FIXTURE).unwrap();
    (dir, path)
}

fn run(path: &Path, name: &str, params: &Params, options: &OutputOptions) -> Result<String> {
    let conn = crate::archive::open_read_only(path)?;
    let mut out = Vec::new();
    write_report(&conn, find(name).expect("a report"), params, options, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn login(login: &str) -> Params {
    Params {
        login: Some(login.to_owned()),
        ..Params::default()
    }
}

fn tsv(path: &Path, name: &str, params: &Params) -> String {
    run(path, name, params, &OutputOptions::default()).unwrap()
}

#[test]
fn followers_are_current_follows_newest_first_with_the_seed_columns() {
    let (_dir, path) = archive();
    let expected = format!(
        "follower\tchannel\taccount_created_at\tfollowed_at\tseconds_to_follow\tfollower_count\n\
         erin\tchan\t2026-02-01T00:00:00Z\t2026-02-01T00:00:00Z\t0\t103\n\
         carol\tchan\t\t2026-01-31T23:59:59Z\t\t103\n\
         bob\tchan\t2026-01-10T00:00:00Z\t2026-01-10T12:00:00Z\t43200\t103\n\
         alice\tchan\t2020-01-01T00:00:00Z\t2026-01-01T00:00:00Z\t{ALICE_SECONDS}\t103\n"
    );
    assert_eq!(tsv(&path, "followers", &login("chan")), expected);
    // Logins are matched case-insensitively, as Twitch treats them.
    assert_eq!(tsv(&path, "followers", &login("Chan")), expected);
}

#[test]
fn since_and_until_include_their_edges_and_a_date_until_its_whole_day() {
    let (_dir, path) = archive();
    let params = Params {
        since: Some(parse_since("2026-01-01").unwrap()),
        until: Some(parse_until("2026-01-31").unwrap()),
        direction: Some(Direction::Asc),
        ..login("chan")
    };
    let out = tsv(&path, "followers", &params);
    let followers: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    assert_eq!(followers, ["alice", "bob", "carol"]);

    // An RFC 3339 bound with an offset is the same instant in UTC: 2026-01-10T13:00:00+01:00 is bob's follow.
    let params = Params {
        since: Some(parse_since("2026-01-10T13:00:00+01:00").unwrap()),
        until: Some(parse_until("2026-01-10T12:00:00Z").unwrap()),
        ..login("chan")
    };
    let out = tsv(&path, "followers", &params);
    assert_eq!(
        out.lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap())
            .collect::<Vec<_>>(),
        ["bob"]
    );
}

#[test]
fn limit_and_direction_pick_the_oldest_or_newest() {
    let (_dir, path) = archive();
    let first = |direction| -> Vec<String> {
        let params = Params {
            limit: Some(1),
            direction,
            ..login("chan")
        };
        tsv(&path, "followers", &params)
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(first(Some(Direction::Asc)), ["alice"]);
    assert_eq!(first(None), ["erin"]);
    let none = Params {
        limit: Some(0),
        ..login("chan")
    };
    assert_eq!(tsv(&path, "followers", &none).lines().count(), 1);
}

#[test]
fn nothing_matching_prints_only_the_header_or_an_empty_array() {
    let (_dir, path) = archive();
    let later = Params {
        since: Some(parse_since("2030-01-01").unwrap()),
        ..login("chan")
    };
    assert_eq!(
        tsv(&path, "followers", &later),
        "follower\tchannel\taccount_created_at\tfollowed_at\tseconds_to_follow\tfollower_count\n"
    );
    let json = OutputOptions {
        format: Format::Json,
        ..OutputOptions::default()
    };
    assert_eq!(run(&path, "followers", &later, &json).unwrap(), "[]\n");
    assert_eq!(tsv(&path, "videos", &login("quiet")).lines().count(), 1);
    let no_header = OutputOptions {
        header: false,
        ..OutputOptions::default()
    };
    assert_eq!(run(&path, "followers", &later, &no_header).unwrap(), "");
}

#[test]
fn a_login_that_is_not_an_archived_channel_is_an_error_saying_to_sync() {
    let (_dir, path) = archive();
    for name in ["nobody", "lonely"] {
        let error = run(&path, "followers", &login(name), &OutputOptions::default()).unwrap_err();
        assert!(
            matches!(&error, Error::UnknownChannel { login } if login == name),
            "{error:?}"
        );
        assert!(error.to_string().contains(&format!("itch sync {name}")), "{error}");
    }
}

#[test]
fn a_missing_archive_is_no_archive() {
    let dir = tempfile::tempdir().unwrap();
    let error = run(
        &dir.path().join("none.db"),
        "followers",
        &login("chan"),
        &OutputOptions::default(),
    );
    assert!(matches!(error, Err(Error::NoArchive { .. })));
}

#[test]
fn usage_mistakes_are_refused() {
    let (_dir, path) = archive();
    let options = OutputOptions::default();
    let error = run(&path, "followers", &Params::default(), &options).unwrap_err();
    assert!(
        matches!(
            error,
            Error::ReportUsage {
                report: "followers",
                ..
            }
        ),
        "{error:?}"
    );
    let params = Params {
        since: Some(parse_since("2026-01-01").unwrap()),
        ..login("chan")
    };
    let error = run(&path, "created", &params, &options).unwrap_err();
    assert!(
        matches!(error, Error::ReportUsage { report: "created", .. }),
        "{error:?}"
    );
}

#[test]
fn num_followers_and_created_are_one_row() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "num_followers", &login("chan")),
        "channel\tfollowers\nchan\t103\n"
    );
    assert_eq!(
        tsv(&path, "num_followers", &login("quiet")),
        "channel\tfollowers\nquiet\t5\n"
    );
    assert_eq!(
        tsv(&path, "created", &login("chan")),
        "channel\tcreated_at\nchan\t2015-01-01T00:00:00Z\n"
    );
    // --epoch gives what the 2016 itch printed: 2015-01-01 is 45 years with 11 leap days after 1970.
    let epoch = OutputOptions {
        epoch: true,
        header: false,
        ..OutputOptions::default()
    };
    assert_eq!(
        run(&path, "created", &login("chan"), &epoch).unwrap(),
        format!("chan\t{}\n", (45 * 365 + 11) * 86_400)
    );
}

#[test]
fn videos_include_deleted_ones_and_escape_tabs_in_tsv() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "videos", &login("chan")),
        "id\ttype\tcreated_at\tpublished_at\tduration_seconds\tview_count\ttitle\turl\tdeleted_seen_at\n\
         1003\tupload\t2026-01-07T00:00:00Z\t\t5\t\ttwo\\nlines \\\\ and a backslash\thttps://www.twitch.tv/videos/1003\t\n\
         1002\thighlight\t2026-01-06T00:00:00Z\t2026-01-06T00:05:00Z\t90\t3\tHello, \"world\"\t\
         https://www.twitch.tv/videos/1002\t2026-01-20T00:00:00Z\n\
         1001\tarchive\t2026-01-05T10:00:00Z\t2026-01-05T10:00:00Z\t3600\t10\tTab\\there\thttps://www.twitch.tv/videos/1001\t\n"
    );
    let until = Params {
        until: Some(parse_until("2026-01-06").unwrap()),
        ..login("chan")
    };
    let ids: Vec<String> = tsv(&path, "videos", &until)
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["1002", "1001"]);
}

#[test]
fn videos_parse_back_from_csv() {
    let (_dir, path) = archive();
    let csv = OutputOptions {
        format: Format::Csv,
        ..OutputOptions::default()
    };
    let out = run(&path, "videos", &login("chan"), &csv).unwrap();
    let records = parse_csv(&out);
    assert_eq!(records.len(), 4);
    assert_eq!(records[0][6], "title");
    assert_eq!(records[1][6], "two\nlines \\ and a backslash");
    assert_eq!(records[2][6], "Hello, \"world\"");
    assert_eq!(records[2][8], "2026-01-20T00:00:00Z");
    assert_eq!(records[3][6], "Tab\there");
    assert_eq!(records[1][3], "");
}

/// A strict RFC 4180 reader, enough to check the writer.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "the output ends with a whole record"
    );
    records
}

#[test]
fn json_and_ndjson_parse_back_with_numbers_nulls_and_epoch_times() {
    let (_dir, path) = archive();
    let json = OutputOptions {
        format: Format::Json,
        ..OutputOptions::default()
    };
    let value: serde_json::Value =
        serde_json::from_str(&run(&path, "followers", &login("chan"), &json).unwrap()).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 4);
    assert_eq!(
        value[1],
        serde_json::json!({
            "follower": "carol", "channel": "chan", "account_created_at": null,
            "followed_at": "2026-01-31T23:59:59Z", "seconds_to_follow": null, "follower_count": 103,
        })
    );

    let ndjson = OutputOptions {
        format: Format::Ndjson,
        epoch: true,
        ..OutputOptions::default()
    };
    let out = run(
        &path,
        "followers",
        &Params {
            direction: Some(Direction::Asc),
            ..login("chan")
        },
        &ndjson,
    )
    .unwrap();
    let rows: Vec<serde_json::Value> = out.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0],
        serde_json::json!({
            "follower": "alice", "channel": "chan", "account_created_at": 1_577_836_800,
            "followed_at": 1_767_225_600, "seconds_to_follow": ALICE_SECONDS, "follower_count": 103,
        })
    );
}

#[test]
fn unfollows_and_follower_count() {
    let (_dir, path) = archive();
    assert_eq!(
        tsv(&path, "unfollows", &login("chan")),
        "follower\tfollowed_at\tunfollowed_seen_at\ndave\t2025-12-31T23:59:59Z\t2026-01-20T00:00:00Z\n"
    );
    let before = Params {
        until: Some(parse_until("2026-01-19").unwrap()),
        ..login("chan")
    };
    assert_eq!(tsv(&path, "unfollows", &before).lines().count(), 1);
    assert_eq!(
        tsv(&path, "follower-count", &login("chan")),
        "taken_at\tfollower_total\n2026-01-01T00:00:00Z\t100\n2026-01-15T00:00:00Z\t103\n"
    );
    let newest = Params {
        direction: Some(Direction::Desc),
        limit: Some(1),
        ..login("chan")
    };
    assert_eq!(
        tsv(&path, "follower-count", &newest),
        "taken_at\tfollower_total\n2026-01-15T00:00:00Z\t103\n"
    );
}

#[test]
fn every_report_declares_what_its_sql_does() {
    let dir = tempfile::tempdir().unwrap();
    let archive = crate::archive::open(&dir.path().join("a.db")).unwrap();
    let mut names = std::collections::HashSet::new();
    for report in REPORTS {
        assert!(names.insert(report.name), "{} registered twice", report.name);
        let ordered = report.sql.contains(DIRECTION_MARKER);
        for direction in [Direction::Asc, Direction::Desc] {
            let stmt = archive.prepare(&report.sql(direction)).unwrap();
            let columns: Vec<&str> = stmt.column_names().collect();
            for column in report.time_columns.iter().chain(report.filter_column.iter()) {
                assert!(columns.contains(column), "{}: {column} not in {columns:?}", report.name);
            }
            for column in &columns {
                assert!(
                    column.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{}: {column}",
                    report.name
                );
            }
            let params: Vec<String> = (1..=stmt.parameter_count())
                .map(|i| stmt.parameter_name(i).unwrap().to_owned())
                .collect();
            for param in &params {
                assert!(
                    [":login", ":since", ":until", ":limit"].contains(&param.as_str()),
                    "{}: {param}",
                    report.name
                );
            }
            let has = |name: &str| params.iter().any(|p| p == name);
            assert_eq!(has(":login"), report.takes_login, "{}", report.name);
            assert_eq!(
                has(":since") && has(":until"),
                report.filter_column.is_some(),
                "{}",
                report.name
            );
            assert!(has(":limit"), "{}", report.name);
            // The channel is picked as CHANNEL_EXISTS checks it, so a report never runs for a user it refused.
            let picks_channel = report
                .sql
                .contains("EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id)")
                && report
                    .sql
                    .contains("EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id)");
            assert_eq!(picks_channel, report.takes_login, "{}", report.name);
            assert!(report.sql.contains("ORDER BY"), "{}", report.name);
            assert!(!ordered || report.filter_column.is_some(), "{}", report.name);
        }
    }
}

/// The followers report must stay fast on a million follows: at the top level it reads the channel's slice of
/// `follows_by_time` in order, with no scan of `follows` and no sort, in both directions. (The only sort in the
/// plan is inside the `channel` CTE, over the few users sharing a login.)
#[test]
fn followers_walk_the_follows_by_time_index() {
    let (_dir, path) = archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    for direction in [Direction::Asc, Direction::Desc] {
        let sql = find("followers").unwrap().sql(direction);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<(i64, String)> = stmt
            .query_map(
                rusqlite::named_params! { ":login": "chan", ":since": "2026-01-01T00:00:00Z" },
                |row| Ok((row.get(1)?, row.get(3)?)),
            )
            .unwrap()
            .map(|row| row.unwrap())
            .collect();
        let top: Vec<&str> = plan
            .iter()
            .filter(|(parent, _)| *parent == 0)
            .map(|(_, d)| d.as_str())
            .collect();
        let all = format!("{plan:#?}");
        assert!(
            top.contains(
                &"SEARCH f USING INDEX follows_by_time (broadcaster_id=? AND followed_at>? AND followed_at<?)"
            ),
            "{all}"
        );
        assert!(!top.iter().any(|detail| detail.contains("TEMP B-TREE")), "{all}");
        assert!(!plan.iter().any(|(_, detail)| detail.starts_with("SCAN f")), "{all}");
    }
}

#[test]
fn sql_prints_any_read_only_query_with_types_from_the_values() {
    let (_dir, path) = archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    let json = OutputOptions {
        format: Format::Json,
        ..OutputOptions::default()
    };
    let mut out = Vec::new();
    let sql = "SELECT login, created_at, 1.5 AS ratio, (SELECT count(*) FROM follows WHERE user_id = u.id) AS follows \
               FROM users u WHERE id IN ('2', '4') ORDER BY id";
    assert_eq!(write_query(&conn, sql, &json, &mut out).unwrap(), 2);
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        value,
        serde_json::json!([
            {"login": "alice", "created_at": "2020-01-01T00:00:00Z", "ratio": 1.5, "follows": 2},
            {"login": "carol", "created_at": null, "ratio": 1.5, "follows": 1},
        ])
    );

    // A statement without columns prints nothing, not an empty header line.
    let mut out = Vec::new();
    assert_eq!(
        write_query(&conn, "PRAGMA query_only = ON", &OutputOptions::default(), &mut out).unwrap(),
        0
    );
    assert!(out.is_empty());
}

#[test]
fn sql_refuses_writes_and_leaves_the_archive_unchanged() {
    let (_dir, path) = archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    let count = || -> i64 {
        conn.query_row("SELECT count(*) FROM users", [], |row| row.get(0))
            .unwrap()
    };
    let before = count();
    for sql in [
        "DELETE FROM users",
        "delete from users where id = '2'",
        "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('9', 'x', '', '')",
        "UPDATE users SET login = 'x'",
        "DROP TABLE follows",
        "CREATE TABLE t (x)",
        "VACUUM",
    ] {
        let mut out = Vec::new();
        let error = write_query(&conn, sql, &OutputOptions::default(), &mut out).unwrap_err();
        assert!(matches!(&error, Error::ReadOnlySql { .. }), "{sql}: {error:?}");
        assert!(out.is_empty(), "{sql}");
    }
    // A write hidden behind a read is refused too (one statement only).
    let error = write_query(
        &conn,
        "SELECT 1; DELETE FROM users",
        &OutputOptions::default(),
        &mut Vec::new(),
    );
    assert!(error.is_err());
    assert_eq!(count(), before);
    drop(conn);
    let conn = crate::archive::open_read_only(&path).unwrap();
    let after: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |row| row.get(0))
        .unwrap();
    assert_eq!(after, before);
}
