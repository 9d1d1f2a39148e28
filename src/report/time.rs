//! Time bounds for reports: `--since` / `--until` as users type them (a date, RFC 3339 with any offset, a span
//! back from now such as `7d` or `1h30m`, or `today` / `yesterday`), turned into UTC, and the archive's whole-second text form that the SQL compares against; plus the
//! text-to-Unix-seconds conversion behind `--epoch`.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SecondsFormat, Timelike, Utc};

use crate::error::{Error, Result};

/// Parses a `--since` value: a date (or `today`, `yesterday`) means the start of that UTC day; a span (`7d`,
/// `12h`, `1h30m`) means that long before now.
pub fn parse_since(input: &str) -> Result<DateTime<Utc>> {
    parse(input, Bound::Start, Utc::now())
}

/// Parses an `--until` value: a date (or `today`, `yesterday`) means the end of that UTC day, so `--until
/// 2026-01-31` includes the 31st; a span means that long before now.
pub fn parse_until(input: &str) -> Result<DateTime<Utc>> {
    parse(input, Bound::End, Utc::now())
}

/// Which end of a day a date stands for.
#[derive(Clone, Copy)]
enum Bound {
    Start,
    End,
}

fn parse(input: &str, bound: Bound, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let trimmed = input.trim();
    let today = now.date_naive();
    let day = match trimmed.to_ascii_lowercase().as_str() {
        "today" => Some(today),
        "yesterday" => today.pred_opt(),
        _ => NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").ok(),
    };
    if let Some(day) = day {
        let time_of_day = match bound {
            Bound::Start => NaiveTime::MIN,
            Bound::End => NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time"),
        };
        return Ok(day.and_time(time_of_day).and_utc());
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(time.with_timezone(&Utc));
    }
    // A span back from now, in humantime's units (as --every and --full-every take them). A bare number is no
    // span: seconds or days would be a guess.
    humantime::parse_duration(trimmed)
        .ok()
        .and_then(|span| Duration::from_std(span).ok())
        .and_then(|span| now.checked_sub_signed(span))
        .ok_or_else(|| Error::BadTime {
            input: input.to_owned(),
        })
}

/// The archive text for an inclusive lower bound. Archive times are whole seconds, and text order is time order
/// only at equal precision, so a fractional bound is rounded up: `x >= 12:00:00.5` is `x >= 12:00:01`.
pub fn since_text(since: DateTime<Utc>) -> String {
    let rounded = if since.nanosecond() == 0 {
        since
    } else {
        since + Duration::seconds(1)
    };
    rounded.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The archive text for an inclusive upper bound, rounded down to the second (`x <= 12:00:00.5` is
/// `x <= 12:00:00`).
pub fn until_text(until: DateTime<Utc>) -> String {
    until.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Unix seconds of an archive time (RFC 3339), or of the `YYYY-MM-DD HH:MM:SS` text SQLite's own date
/// functions produce (read as UTC). `None` when the text is neither.
pub fn epoch_seconds(text: &str) -> Option<i64> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp());
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|time| time.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_date_covers_its_whole_utc_day() {
        assert_eq!(parse_since("2026-01-31").unwrap(), utc("2026-01-31T00:00:00Z"));
        assert_eq!(parse_until("2026-01-31").unwrap(), utc("2026-01-31T23:59:59Z"));
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        assert_eq!(
            parse_since("2026-01-31T18:00:00+01:00").unwrap(),
            utc("2026-01-31T17:00:00Z")
        );
        assert_eq!(
            parse_until("2026-02-01T01:30:00-05:00").unwrap(),
            utc("2026-02-01T06:30:00Z")
        );
        assert_eq!(
            parse_since(" 2026-01-31T18:00:00z ").unwrap(),
            utc("2026-01-31T18:00:00Z")
        );
    }

    #[test]
    fn spans_and_day_words_count_back_from_now() {
        let now = utc("2026-03-10T15:30:00Z");
        assert_eq!(parse("7d", Bound::Start, now).unwrap(), utc("2026-03-03T15:30:00Z"));
        assert_eq!(parse("1h30m", Bound::Start, now).unwrap(), utc("2026-03-10T14:00:00Z"));
        assert_eq!(parse("15min", Bound::End, now).unwrap(), utc("2026-03-10T15:15:00Z"));
        assert_eq!(
            parse("2 weeks", Bound::Start, now).unwrap(),
            utc("2026-02-24T15:30:00Z")
        );
        assert_eq!(parse("today", Bound::Start, now).unwrap(), utc("2026-03-10T00:00:00Z"));
        assert_eq!(parse("Today", Bound::End, now).unwrap(), utc("2026-03-10T23:59:59Z"));
        assert_eq!(
            parse("yesterday", Bound::Start, now).unwrap(),
            utc("2026-03-09T00:00:00Z")
        );
        assert_eq!(
            parse("yesterday", Bound::End, now).unwrap(),
            utc("2026-03-09T23:59:59Z")
        );
        // Across a month's start.
        let first = utc("2026-03-01T00:10:00Z");
        assert_eq!(
            parse("yesterday", Bound::Start, first).unwrap(),
            utc("2026-02-28T00:00:00Z")
        );
    }

    #[test]
    fn bad_times_name_the_input() {
        for bad in [
            "",
            "tomorrow",
            "7",
            "-7d",
            "99999999999999999999w",
            "2026-13-01",
            "2026-01-31T18:00:00",
            "2026/01/31",
            "1767225600",
        ] {
            match parse_since(bad) {
                Err(error @ Error::BadTime { .. }) => assert!(error.to_string().contains(&format!("'{bad}'"))),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn fractional_bounds_round_inwards_to_whole_seconds() {
        assert_eq!(since_text(utc("2026-01-01T12:00:00.5Z")), "2026-01-01T12:00:01Z");
        assert_eq!(since_text(utc("2026-01-01T12:00:00Z")), "2026-01-01T12:00:00Z");
        assert_eq!(until_text(utc("2026-01-01T12:00:00.5Z")), "2026-01-01T12:00:00Z");
    }

    #[test]
    fn epoch_seconds_read_archive_and_sqlite_times() {
        assert_eq!(epoch_seconds("2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(epoch_seconds("2026-01-01T01:00:00+01:00"), Some(1_767_225_600));
        assert_eq!(epoch_seconds("2026-01-01 00:00:00"), Some(1_767_225_600));
        assert_eq!(epoch_seconds("soon"), None);
    }
}
