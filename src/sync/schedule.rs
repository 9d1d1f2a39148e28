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
        let fields = expression.split_whitespace().count();
        let full = if fields == 5 {
            format!("0 {expression}")
        } else {
            expression.to_owned()
        };
        let schedule = cron::Schedule::from_str(&full).map_err(|e| Error::BadSchedule {
            input: expression.to_owned(),
            why: e.to_string(),
        })?;
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
