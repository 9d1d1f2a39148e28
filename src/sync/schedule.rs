//! When a foreground `itch sync --every 15m` / `--cron "0 */15 * * * *"` runs next. Runs never overlap: the
//! next one is planned after the last one ended, so a run that overruns its slot delays the next.
//!
//! A schedule is checked when it is made, before any request: an interval of zero (syncs back to back), an
//! interval or jitter too long for a calendar (it would overflow the date arithmetic) and a cron expression
//! that never fires (30 February, a year gone by) are errors naming the input.

use chrono::{DateTime, Utc};
use std::str::FromStr;
use std::time::Duration;

use crate::error::{Error, Result};

/// A repeating schedule.
#[derive(Clone, Debug)]
pub enum Schedule {
    /// A fixed interval from the start of the previous run.
    Every(Duration),
    /// A cron expression (seconds first, as the cron crate reads it).
    Cron(Box<cron::Schedule>),
}

/// The longest interval or jitter a schedule takes: 5200 weeks, about a hundred years.
pub const LONGEST: Duration = Duration::from_secs(5200 * 7 * 86_400);

impl Schedule {
    /// A fixed interval: at least one second, at most [`LONGEST`].
    pub fn every(interval: Duration) -> Result<Schedule> {
        if interval < Duration::from_secs(1) {
            return Err(Error::BadSchedule {
                input: spell(interval),
                why: "--every must be at least 1s (0s would sync back to back)".into(),
            });
        }
        if interval > LONGEST {
            return Err(Error::BadSchedule {
                input: spell(interval),
                why: format!("--every can be at most {} (about a hundred years)", spell(LONGEST)),
            });
        }
        Ok(Schedule::Every(interval))
    }

    /// Parses a cron expression: six fields (seconds first), seven (with years), or the five-field crontab
    /// form (minute first), which runs at second 0.
    pub fn cron(expression: &str) -> Result<Schedule> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let bad = |why: String| Error::BadSchedule {
            input: expression.to_owned(),
            why,
        };
        let full = if let [minute, hour, day, month, weekday] = fields[..] {
            format!(
                "0 {minute} {hour} {day} {month} {}",
                crontab_weekdays(weekday).map_err(bad)?
            )
        } else {
            expression.to_owned()
        };
        let schedule = cron::Schedule::from_str(&full).map_err(|e| bad(e.to_string()))?;
        if schedule.upcoming(Utc).next().is_none() {
            return Err(Error::BadSchedule {
                input: expression.to_owned(),
                why: "it never fires (a date that does not exist, or only years gone by)".into(),
            });
        }
        Ok(Schedule::Cron(Box::new(schedule)))
    }

    /// Checks `--jitter`: at most [`LONGEST`].
    pub fn check_jitter(jitter: Duration) -> Result<Duration> {
        if jitter > LONGEST {
            return Err(Error::BadSchedule {
                input: spell(jitter),
                why: format!("--jitter can be at most {} (about a hundred years)", spell(LONGEST)),
            });
        }
        Ok(jitter)
    }

    /// When the run after one that started at `started` and ended at `ended` starts: [`Schedule::next_run`]
    /// plus a random share of `jitter`. `None` when the schedule never fires again (a cron whose last year
    /// has passed).
    pub fn next_start(&self, started: DateTime<Utc>, ended: DateTime<Utc>, jitter: Duration) -> Option<DateTime<Utc>> {
        let next = self.next_run(started, ended)?;
        // Whole milliseconds; the float-to-integer cast saturates, so no jitter can overflow.
        let delay = (jitter.as_millis() as f64 * rand::random::<f64>()) as i64;
        Some(
            next.checked_add_signed(chrono::Duration::milliseconds(delay))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        )
    }

    /// The start of the run after one that started at `started` and ended at `ended`; `None` when the
    /// schedule never fires again. Never panics: an interval past the calendar's end saturates.
    pub fn next_run(&self, started: DateTime<Utc>, ended: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Every(interval) => {
                let planned = chrono::Duration::from_std(*interval)
                    .ok()
                    .and_then(|interval| started.checked_add_signed(interval))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC);
                Some(planned.max(ended))
            }
            Schedule::Cron(schedule) => schedule.after(&ended).next(),
        }
    }
}

/// A crontab day-of-week field (0 or 7 Sunday, 1 Monday ... 6 Saturday) in the cron crate's numbering (1
/// Sunday ... 7 Saturday). Names (`MON`) mean the same in both and pass through; `*` and steps over it too
/// (`*/2` is Sunday, Tuesday, Thursday, Saturday in both).
fn crontab_weekdays(field: &str) -> std::result::Result<String, String> {
    let day = |text: &str| -> std::result::Result<Option<u32>, String> {
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None); // a name, or `*`
        }
        match text.parse::<u32>() {
            Ok(n @ 0..=7) => Ok(Some(n % 7 + 1)),
            _ => Err(format!(
                "'{text}' is not a day of the week (0 to 7, Sunday being 0 or 7)"
            )),
        }
    };
    let mut items = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        let step = step.map(|s| format!("/{s}")).unwrap_or_default();
        match range.split_once('-') {
            Some((first, last)) => match (day(first)?, day(last)?) {
                (Some(1), Some(1)) if first != last => items.push(format!("1-7{step}")), // `0-7`: every day
                // `5-7` ends on Sunday, which comes first in the cron crate's week: two ranges.
                (Some(a), Some(1)) if a > 1 && step.is_empty() => items.push(format!("{a}-7,1")),
                (Some(_), Some(1)) => {
                    return Err(format!(
                        "'{item}': write a range ending on Sunday as 0 or 7 without a step"
                    ));
                }
                (Some(a), Some(b)) => items.push(format!("{a}-{b}{step}")),
                _ => items.push(item.to_owned()),
            },
            None => match day(range)? {
                Some(n) => items.push(format!("{n}{step}")),
                None => items.push(item.to_owned()),
            },
        }
    }
    Ok(items.join(","))
}

/// A duration as `--every` takes it, in its largest whole unit (`999999999w`, `90s`).
fn spell(duration: Duration) -> String {
    let seconds = duration.as_secs();
    for (unit, length) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if seconds > 0 && seconds.is_multiple_of(length) {
            return format!("{}{unit}", seconds / length);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn cron_accepts_six_and_five_fields_and_names_bad_ones() {
        let six = Schedule::cron("0 */15 * * * *").unwrap();
        assert_eq!(
            six.next_run(at("2026-11-26T10:01:00Z"), at("2026-11-26T10:02:00Z")),
            Some(at("2026-11-26T10:15:00Z"))
        );
        let five = Schedule::cron("*/15 * * * *").unwrap();
        assert_eq!(
            five.next_run(at("2026-11-26T10:01:00Z"), at("2026-11-26T10:16:30Z")),
            Some(at("2026-11-26T10:30:00Z"))
        );
        let error = Schedule::cron("every tuesday").unwrap_err().to_string();
        assert!(error.contains("every tuesday"), "{error}");
    }

    /// The weekdays a five-field (crontab) schedule fires on in the week from Monday 2026-11-30.
    fn crontab_days(expression: &str) -> Vec<String> {
        let schedule = Schedule::cron(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
        let mut at = at("2026-11-29T12:00:00Z"); // a Sunday noon: the week's first 3 a.m. is Monday's
        let mut days = Vec::new();
        let end = self::at("2026-12-06T12:00:00Z"); // the next Sunday noon
        while let Some(next) = schedule.next_run(at, at).filter(|next| *next <= end) {
            days.push(next.format("%a").to_string());
            at = next;
        }
        days.sort_by_key(|day| {
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                .iter()
                .position(|d| d == day)
        });
        days
    }

    #[test]
    fn five_field_days_of_the_week_mean_what_crontab_means() {
        // crontab(5): 0 and 7 are Sunday, 1 is Monday, ... 6 is Saturday.
        assert_eq!(crontab_days("0 3 * * 1"), ["Mon"]);
        assert_eq!(crontab_days("0 3 * * 0"), ["Sun"]);
        assert_eq!(crontab_days("0 3 * * 7"), ["Sun"]);
        assert_eq!(crontab_days("0 3 * * 1-5"), ["Mon", "Tue", "Wed", "Thu", "Fri"]);
        assert_eq!(crontab_days("0 3 * * 5-7"), ["Fri", "Sat", "Sun"]);
        assert_eq!(crontab_days("0 3 * * 0,6"), ["Sat", "Sun"]);
        assert_eq!(crontab_days("0 3 * * */2"), ["Tue", "Thu", "Sat", "Sun"]);
        assert_eq!(crontab_days("0 3 * * 1-5/2"), ["Mon", "Wed", "Fri"]);
        assert_eq!(crontab_days("0 3 * * MON,FRI"), ["Mon", "Fri"]);
        assert_eq!(crontab_days("0 3 * * *").len(), 7);
        assert_eq!(crontab_days("0 3 * * 0-7").len(), 7);
        assert_eq!(crontab_days("0 3 * * 0-6").len(), 7);
        // The six-field form is the cron crate's own (1 is Sunday there), as before.
        assert_eq!(crontab_days("0 0 3 * * 2"), ["Mon"]);
        assert!(Schedule::cron("0 3 * * 8").is_err(), "8 is no day");
    }

    #[test]
    fn an_overrun_delays_the_next_run_instead_of_overlapping() {
        let every = Schedule::Every(Duration::from_secs(900));
        assert_eq!(
            every.next_run(at("2026-11-26T10:00:00Z"), at("2026-11-26T10:05:00Z")),
            Some(at("2026-11-26T10:15:00Z"))
        );
        assert_eq!(
            every.next_run(at("2026-11-26T10:00:00Z"), at("2026-11-26T10:20:00Z")),
            Some(at("2026-11-26T10:20:00Z"))
        );
        let cron = Schedule::cron("0 */15 * * * *").unwrap();
        // The 10:15 slot passed during the run: the next is 10:30, not a burst of missed ones.
        assert_eq!(
            cron.next_run(at("2026-11-26T10:00:00Z"), at("2026-11-26T10:20:00Z")),
            Some(at("2026-11-26T10:30:00Z"))
        );
    }

    #[test]
    fn schedules_that_would_overflow_or_never_fire_are_refused() {
        let error = Schedule::every(Duration::ZERO).unwrap_err().to_string();
        assert!(error.contains("'0s'") && error.contains("at least 1s"), "{error}");
        let error = Schedule::every(Duration::from_secs(999_999_999 * 7 * 86_400))
            .unwrap_err()
            .to_string();
        assert!(error.contains("'999999999w'"), "{error}");
        assert!(Schedule::check_jitter(Duration::from_secs(99_999_999_999 * 7 * 86_400)).is_err());
        for never in ["0 0 0 30 2 *", "0 0 0 1 1 * 2020"] {
            let error = Schedule::cron(never).unwrap_err().to_string();
            assert!(error.contains(never) && error.contains("never fires"), "{error}");
        }
        // The longest accepted interval and jitter still give a date, at the calendar's end at worst.
        let longest = Schedule::every(LONGEST).unwrap();
        let now = at("2026-11-26T10:00:00Z");
        assert!(longest.next_start(now, now, LONGEST).unwrap() > now);
        let end = DateTime::<Utc>::MAX_UTC;
        assert_eq!(longest.next_run(end, end), Some(end), "saturates, no panic");
        assert_eq!(spell(Duration::from_secs(90)), "90s");
        assert_eq!(spell(Duration::from_secs(7200)), "2h");
    }
}
