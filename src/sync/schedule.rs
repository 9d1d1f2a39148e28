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
    /// A six- or seven-field cron expression (seconds first, years last), as the cron crate reads it (its day
    /// of week 1 is Sunday; names are safest), as in itch 0.4.
    Cron(Box<cron::Schedule>),
    /// A five-field crontab expression, read by `croner` exactly as cron(8) reads it: day of week 0 to 7 with
    /// Sunday 0 and 7, names (MON, JAN), ranges, lists and steps, and a day matching either a restricted day of
    /// month or a restricted day of week runs.
    Crontab(Box<croner::Cron>),
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

    /// Parses a cron expression: the five-field crontab form (minute first, run at second 0) as cron(8) reads
    /// it, or six fields (seconds first) or seven (with years) as the cron crate reads them.
    pub fn cron(expression: &str) -> Result<Schedule> {
        let bad = |why: String| Error::BadSchedule {
            input: expression.to_owned(),
            why,
        };
        let never = || Error::BadSchedule {
            input: expression.to_owned(),
            why: "it never fires (a date that does not exist, or only years gone by)".into(),
        };
        if expression.split_whitespace().count() == 5 {
            let parser = croner::parser::CronParser::builder()
                .seconds(croner::parser::Seconds::Disallowed)
                .year(croner::parser::Year::Disallowed)
                .build();
            let crontab = parser.parse(expression.trim()).map_err(|e| bad(e.to_string()))?;
            if crontab.find_next_occurrence(&Utc::now(), false).is_err() {
                return Err(never());
            }
            return Ok(Schedule::Crontab(Box::new(crontab)));
        }
        let schedule = cron::Schedule::from_str(expression).map_err(|e| bad(e.to_string()))?;
        if schedule.upcoming(Utc).next().is_none() {
            return Err(never());
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
            Schedule::Crontab(crontab) => crontab.find_next_occurrence(&ended, false).ok(),
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

    /// The days of December 2026 a five-field schedule fires on.
    fn december_days(expression: &str) -> Vec<u32> {
        use chrono::Datelike;
        let schedule = Schedule::cron(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
        let (mut at, end) = (at("2026-11-30T12:00:00Z"), at("2026-12-31T23:59:59Z"));
        let mut days = Vec::new();
        while let Some(next) = schedule.next_run(at, at).filter(|next| *next <= end) {
            days.push(next.day());
            at = next;
        }
        days
    }

    #[test]
    fn five_field_schedules_follow_cron8_on_a_table_of_cases() {
        // cron(8) / crontab(5): when both day of month and day of week are restricted, a day matching EITHER
        // runs ("30 4 1,15 * 5" runs on the 1st, the 15th and every Friday). December 2026 starts on a Tuesday;
        // its Fridays are the 4th, 11th, 18th and 25th, its Mondays the 7th, 14th, 21st and 28th.
        let cases: &[(&str, &[u32])] = &[
            ("0 3 13 * 5", &[4, 11, 13, 18, 25]),
            ("0 3 1,15 * MON", &[1, 7, 14, 15, 21, 28]),
            ("0 3 * * 1", &[7, 14, 21, 28]),
            ("0 3 * * mon", &[7, 14, 21, 28]),
            ("0 3 * * 0", &[6, 13, 20, 27]),
            ("0 3 * * 7", &[6, 13, 20, 27]),
            ("0 3 * * SUN", &[6, 13, 20, 27]),
            ("0 3 * * 5-7", &[4, 5, 6, 11, 12, 13, 18, 19, 20, 25, 26, 27]),
            ("0 3 * * SAT-SUN", &[5, 6, 12, 13, 19, 20, 26, 27]),
            // A restricted day of month with `*` for the day of week is the day of month alone, and the reverse.
            ("0 3 13 * *", &[13]),
            ("0 3 */10 * *", &[1, 11, 21, 31]),
            ("0 3 1-3 DEC *", &[1, 2, 3]),
            ("0 3 1-3 1 *", &[]),
        ];
        for (expression, days) in cases {
            assert_eq!(december_days(expression), *days, "{expression}");
        }
        for refused in ["0 3 * * 8", "60 3 * * *", "0 3 32 * *", "0 3 * 13 *", "0 3 * * FUNDAY"] {
            assert!(Schedule::cron(refused).is_err(), "{refused} is refused");
        }
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
        for never in ["0 0 0 30 2 *", "0 0 0 1 1 * 2020", "0 0 30 2 *"] {
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
