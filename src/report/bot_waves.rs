//! `itch report bot-waves <login>`: follow-bot waves, the pattern the 2016 itch's chart was made to show: many
//! accounts created within minutes of each other that followed within minutes of each other. Organic followers'
//! accounts are spread over years, so even a raid's burst of follows rarely holds twenty accounts made minutes
//! apart; a script's accounts do. Follows that have since ended count too: Twitch often purges bots later.
//!
//! Two passes of gaps-and-islands: in follow order, a new burst starts wherever more than five minutes pass
//! without a follow; within a burst, in account-creation order, a new run starts wherever more than five minutes
//! pass without an account being made. A run of at least `--min-size` accounts is a wave. The query streams the
//! follows in `follows_by_time` order and the passes run here, in Rust: SQLite's window functions took over ten
//! seconds for a million follows.

use rusqlite::types::Value;

use super::{Direction, Params, Reducer, Report, SeedForm, Subject};

/// A wave has at least this many accounts unless `--min-size` says otherwise.
const DEFAULT_MIN_SIZE: u64 = 20;

/// The most seconds between two follows of one burst, and between two accounts of one run.
const GAP: i64 = 300;

const COLUMNS: &[&str] = &[
    "wave_start",
    "wave_end",
    "size",
    "accounts_created_from",
    "accounts_created_to",
];

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "bot-waves",
    help: "follow-bot waves: --min-size (default 20) accounts made minutes apart that followed minutes apart",
    subject: Subject::Channel,
    time_columns: &["wave_start", "wave_end", "accounts_created_from", "accounts_created_to"],
    filter_column: Some("wave_start"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("bot_waves.sql"),
    notes_sql: None,
    reducer: Some(Reducer {
        columns: COLUMNS,
        min_size: Some(DEFAULT_MIN_SIZE),
        reduce: waves,
    }),
};

/// One wave, in Unix seconds.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Wave {
    start: i64,
    end: i64,
    size: u64,
    created_from: i64,
    created_to: i64,
}

/// Reads `(followed, created)` in follow order; returns the waves by start.
fn waves(rows: &mut rusqlite::Rows<'_>, params: &Params) -> rusqlite::Result<Vec<Vec<Value>>> {
    let min_size = params.min_size.unwrap_or(DEFAULT_MIN_SIZE).max(1) as usize;
    let mut waves = Vec::new();
    let mut burst: Vec<(i64, i64)> = Vec::new();
    while let Some(row) = rows.next()? {
        let (followed, created): (i64, i64) = (row.get(0)?, row.get(1)?);
        if burst.last().is_some_and(|&(last, _)| followed - last > GAP) {
            runs(&mut burst, min_size, &mut waves);
            burst.clear();
        }
        burst.push((followed, created));
    }
    runs(&mut burst, min_size, &mut waves);
    waves.sort_unstable();
    Ok(waves
        .into_iter()
        .map(|wave| {
            vec![
                Value::Text(time_text(wave.start)),
                Value::Text(time_text(wave.end)),
                Value::Integer(wave.size as i64),
                Value::Text(time_text(wave.created_from)),
                Value::Text(time_text(wave.created_to)),
            ]
        })
        .collect())
}

/// The runs of one burst that are waves. A burst smaller than a wave cannot hold one.
fn runs(burst: &mut [(i64, i64)], min_size: usize, waves: &mut Vec<Wave>) {
    if burst.len() < min_size {
        return;
    }
    burst.sort_unstable_by_key(|&(followed, created)| (created, followed));
    let mut start = 0;
    for i in 1..=burst.len() {
        if i == burst.len() || burst[i].1 - burst[i - 1].1 > GAP {
            let run = &burst[start..i];
            if run.len() >= min_size {
                waves.push(Wave {
                    start: run.iter().map(|p| p.0).min().expect("not empty"),
                    end: run.iter().map(|p| p.0).max().expect("not empty"),
                    size: run.len() as u64,
                    created_from: run[0].1,
                    created_to: run[run.len() - 1].1,
                });
            }
            start = i;
        }
    }
}

/// Unix seconds as archive text.
fn time_text(seconds: i64) -> String {
    crate::archive::timestamp(chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default())
}
