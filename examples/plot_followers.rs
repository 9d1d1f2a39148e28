//! Benchmark: reports and charts over a channel with a million follows. Builds the archive in a temp dir with SQL
//! alone (recursive CTEs: organic followers whose accounts are spread over the years, twelve follow-bot waves,
//! 400 streams, viewer snapshots, a VOD with 40,000 chat messages), then times `itch report followers --since`
//! to its first row and to its end, the whole report, `bot-waves`, the read a chart makes, and
//! `itch plot followers --density` (PNG and SVG) and without density.
//!
//!   cargo run --release --example plot_followers
//!   cargo run --release --example plot_followers -- --follows 200000 --keep /tmp/bench
//!
//! With `--keep DIR` the archive (`DIR/bench.db`, channel `bench`, VOD 9001) and every chart are left in DIR.

// A benchmark prints its figures on stdout.
#![allow(clippy::print_stdout)]

use clap::Parser;
use itch::plot::{self, Period, ScatterOptions, Style};
use itch::report::{self, Format, OutputOptions, Params};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Follows of the channel.
    #[arg(long, default_value_t = 1_000_000)]
    follows: u64,
    /// Keep the archive and the charts in this directory instead of a temp dir.
    #[arg(long)]
    keep: Option<PathBuf>,
}

/// Accounts in each of the twelve bot waves.
const WAVE: u64 = 5_000;

/// The archive, written by SQL alone. `:n` follows end 2026-11-01, the last `12 * WAVE` of them bots: each wave's
/// accounts made within 40 minutes, a few days before they all follow within 30 minutes. Ids are spread over the
/// id space as real ones are (a Lehmer sequence), and rows go in in key order.
const BUILD: &str = r#"
PRAGMA cache_size = -1000000;
BEGIN;
INSERT INTO users (id, login, display_name, created_at, first_seen_at, last_seen_at)
VALUES ('1', 'bench', 'Bench', '2012-05-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');
INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, title, first_seen_at, last_seen_at)
VALUES ('1', 'bench', 'Bench', 'benchmark', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z');

CREATE TEMP TABLE gen AS
WITH RECURSIVE
    i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < :n - 1),
    c(start, span, born, bots) AS (SELECT 1546300800, 247190400, 1167609600, 12 * :wave),
    f AS (
        SELECT
            n,
            printf('%d', 100000000 + ((n + 1) * 48271) % 2147483647) AS id,
            ((n + 1) * 2654435761) % 4294967296 AS h,
            ((n + 7) * 40503 * 65537) % 2147483647 AS h2,
            n >= :n - bots AS bot,
            (n - (:n - bots)) / :wave AS wave,
            (n - (:n - bots)) % :wave AS k,
            CAST(n AS REAL) / (:n - bots) AS u
        FROM i, c
    )
SELECT
    id,
    CASE WHEN bot
        THEN start + span * (wave + 1) / 13 + 7200 * (wave % 3) + k * 1800 / :wave
        ELSE start + CAST(span * (0.4 * u + 0.6 * u * u) AS INTEGER) + h % 3600
    END AS followed,
    CASE WHEN bot
        THEN start + span * (wave + 1) / 13 + 7200 * (wave % 3) - 86400 * (2 + wave % 5) + k * 2400 / :wave + h % 60
        ELSE born + h2 % (start + CAST(span * (0.4 * u + 0.6 * u * u) AS INTEGER) - born)
    END AS created
FROM f, c;

INSERT INTO users (id, login, created_at, first_seen_at, last_seen_at)
SELECT id, 'user' || id, strftime('%Y-%m-%dT%H:%M:%SZ', created, 'unixepoch'),
       '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'
FROM gen ORDER BY id;
INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at)
SELECT '1', id, strftime('%Y-%m-%dT%H:%M:%SZ', followed, 'unixepoch'),
       '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'
FROM gen ORDER BY id;

-- The follower total as syncs of the last two years would have seen it: one snapshot per 2,500 follows.
INSERT INTO channel_snapshots (broadcaster_id, taken_at, follower_total)
SELECT '1', followed_at, total FROM (
    SELECT followed_at, row_number() OVER (ORDER BY followed_at) AS total FROM follows WHERE broadcaster_id = '1'
) WHERE total % 2500 = 0 AND followed_at >= '2024-11-01';

-- 400 streams, a week apart, three to five hours each.
WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 399)
INSERT INTO streams (id, user_id, title, started_at, first_seen_at, last_seen_at, ended_seen_at)
SELECT 's' || n, '1', 'stream ' || n,
       strftime('%Y-%m-%dT%H:%M:%SZ', 1546300800 + n * 617976 + 68400, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', 1546300800 + n * 617976 + 68400 + 600, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', 1546300800 + n * 617976 + 68400 + 10800 + (n % 3) * 3600, 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', 1546300800 + n * 617976 + 68400 + 11700 + (n % 3) * 3600, 'unixepoch')
FROM s;

-- Viewer counts every 10 minutes of the last six streams, rising and falling.
WITH RECURSIVE k(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM k WHERE m < 17)
INSERT INTO stream_snapshots (stream_id, taken_at, viewer_count)
SELECT s.id, strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(s.started_at) + 600 * (k.m + 1), 'unixepoch'),
       150 + CAST(s.rowid % 7 AS INTEGER) * 60 + 4 * (k.m + 1) * (18 - k.m) * (10 + s.rowid % 5)
FROM streams s, k
WHERE s.id IN ('s394', 's395', 's396', 's397', 's398', 's399');

-- The last stream's VOD with 40,000 messages: half spread over four hours, half in three bursts.
INSERT INTO videos (id, user_id, stream_id, type, title, created_at, duration, duration_seconds, first_seen_at,
                    last_seen_at, chat_status)
SELECT '9001', '1', id, 'archive', title, started_at, '4h0m0s', 14400, last_seen_at, last_seen_at, 'complete'
FROM streams WHERE id = 's399';
WITH RECURSIVE m(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM m WHERE n < 39999),
    o AS (
        SELECT n, ((n + 1) * 2654435761) % 4294967296 AS h,
               CASE WHEN n % 2 = 0 THEN ((n + 1) * 2654435761) % 14400
                    ELSE (1800 + 4500 * (n % 3) + ((n + 3) * 40503) % 420) END AS offset
        FROM m
    )
INSERT INTO chat_messages (id, source, video_id, broadcaster_id, user_login, user_name, offset_seconds, created_at,
                           text, first_seen_at)
SELECT 'c' || n, 'replay', '9001', '1', 'viewer' || (h % 5000), 'Viewer' || (h % 5000), offset,
       strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch(v.created_at) + offset, 'unixepoch'),
       CASE h % 6 WHEN 0 THEN 'hello chat' WHEN 1 THEN 'PogChamp what a play' WHEN 2 THEN 'gg'
                  WHEN 3 THEN 'lol' WHEN 4 THEN 'raid incoming' ELSE 'first time here, hi' END,
       v.last_seen_at
FROM o, videos v WHERE v.id = '9001';
COMMIT;
PRAGMA optimize;
"#;

/// A writer that notes when its first byte arrives and throws everything away.
struct FirstByte {
    first: Option<Instant>,
    bytes: u64,
}

impl Write for FirstByte {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.first.get_or_insert_with(Instant::now);
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs a report into a [`FirstByte`]: (time to the first row, time to the end, rows, bytes).
fn time_report(
    conn: &rusqlite::Connection,
    name: &str,
    params: &Params,
) -> anyhow::Result<(Duration, Duration, u64, u64)> {
    let options = OutputOptions {
        format: Format::Tsv,
        header: false,
        epoch: false,
    };
    let mut out = FirstByte { first: None, bytes: 0 };
    let started = Instant::now();
    let rows = report::write_report(conn, report::find(name).expect("a report"), params, &options, &mut out)?;
    let whole = started.elapsed();
    let first = out.first.map_or(whole, |first| first - started);
    Ok((first, whole, rows, out.bytes))
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

fn size(path: &Path) -> String {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.follows > 12 * WAVE,
        "--follows must exceed the {} bot accounts",
        12 * WAVE
    );
    let temp = tempfile::tempdir()?;
    let dir = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => temp.path().to_owned(),
    };
    let db = dir.join("bench.db");
    let _ = std::fs::remove_file(&db);

    let started = Instant::now();
    let conn = itch::archive::open(&db)?;
    let build = BUILD
        .replace(":n", &args.follows.to_string())
        .replace(":wave", &WAVE.to_string());
    conn.execute_batch(&build)?;
    drop(conn);
    println!(
        "archive: {} follows ({} in 12 bot waves) built in {:.1} s, {}",
        args.follows,
        12 * WAVE,
        started.elapsed().as_secs_f64(),
        size(&db)
    );

    let conn = itch::archive::open_read_only(&db)?;
    let login = |since: Option<&str>| Params {
        login: Some("bench".into()),
        since: since.map(|s| report::time::parse_since(s).expect("a date")),
        ..Params::default()
    };
    for (label, params) in [
        ("report followers --since 2026-10-01", login(Some("2026-10-01"))),
        ("report followers --since 2025-01-01", login(Some("2025-01-01"))),
        ("report followers (all)", login(None)),
    ] {
        let (first, whole, rows, bytes) = time_report(&conn, "followers", &params)?;
        println!(
            "{label}: first row {}, whole {} ({rows} rows, {:.1} MB of TSV)",
            ms(first),
            ms(whole),
            bytes as f64 / 1e6
        );
    }
    let (_, whole, rows, _) = time_report(&conn, "bot-waves", &login(None))?;
    println!("report bot-waves: {} ({rows} waves found, 12 made)", ms(whole));

    // What a chart pays before it draws: the followers report, oldest first, read without printing.
    let started = Instant::now();
    let oldest_first = Params {
        direction: Some(report::Direction::Asc),
        ..login(None)
    };
    let rows = report::read_report(
        &conn,
        report::find("followers").expect("a report"),
        &oldest_first,
        |_| Ok(()),
    )?;
    println!(
        "read_report followers, oldest first: {} ({rows} rows)",
        ms(started.elapsed())
    );

    let style = Style::default();
    let density = ScatterOptions {
        density: true,
        ..ScatterOptions::default()
    };
    for (label, options, file) in [
        ("plot followers --density", &density, "followers-density.png"),
        ("plot followers --density (SVG)", &density, "followers-density.svg"),
        ("plot followers", &ScatterOptions::default(), "followers.png"),
    ] {
        let path = dir.join(file);
        let started = Instant::now();
        let drawn = plot::followers(&conn, "bench", &Period::default(), options, &style, &path)?;
        println!(
            "{label}: {} ({} points, {})",
            ms(started.elapsed()),
            drawn.points,
            size(&path)
        );
    }
    if args.keep.is_some() {
        let none = ScatterOptions::default();
        let dark = Style {
            theme: plot::Theme::Dark,
            ..Style::default()
        };
        plot::follower_count(
            &conn,
            "bench",
            &Period::default(),
            &none,
            &style,
            &dir.join("follower-count.png"),
        )?;
        plot::viewers(
            &conn,
            "bench",
            &Period::default(),
            &none,
            &style,
            &dir.join("viewers.png"),
        )?;
        plot::chat_activity(
            &conn,
            &itch::client::VideoId::from("9001"),
            &Period::default(),
            &none,
            &style,
            &dir.join("chat-activity.png"),
        )?;
        plot::followers(
            &conn,
            "bench",
            &Period::default(),
            &density,
            &dark,
            &dir.join("followers-dark.png"),
        )?;
        println!("archive and charts kept in {}", dir.display());
    }
    Ok(())
}
