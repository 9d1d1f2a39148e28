//! When a foreground `itch sync --every 15m` / `--cron "0 */15 * * * *"` runs next. Runs never overlap: the
//! next one is planned after the last one ended, so a run that overruns its slot delays the next.

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

impl Schedule {
    /// Parses a cron expression: six fields (seconds first), seven (with years), or the five-field crontab
    /// form (minute first), which runs at second 0.
    pub fn cron(expression: &str) -> Result<Schedule> {
        let fields = expression.split_whitespace().count();
        let full = if fields == 5 {
            format!("0 {expression}")
        } else {
            expression.to_owned()
        };
        cron::Schedule::from_str(&full)
            .map(|s| Schedule::Cron(Box::new(s)))
            .map_err(|e| Error::BadSchedule {
                input: expression.to_owned(),
                why: e.to_string(),
            })
    }

    /// The start of the run after one that started at `started` and ended at `ended`.
    pub fn next_run(&self, started: DateTime<Utc>, ended: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Schedule::Every(interval) => {
                let planned = started + chrono::Duration::from_std(*interval).unwrap_or(chrono::Duration::MAX);
                planned.max(ended)
            }
            Schedule::Cron(schedule) => schedule.after(&ended).next().unwrap_or(ended),
        }
    }
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
            at("2026-11-26T10:15:00Z")
        );
        let five = Schedule::cron("*/15 * * * *").unwrap();
        assert_eq!(
            five.next_run(at("2026-11-26T10:01:00Z"), at("2026-11-26T10:16:30Z")),
            at("2026-11-26T10:30:00Z")
        );
        let error = Schedule::cron("every tuesday").unwrap_err().to_string();
        assert!(error.contains("every tuesday"), "{error}");
    }

    #[test]
    fn an_overrun_delays_the_next_run_instead_of_overlapping() {
        let every = Schedule::Every(Duration::from_secs(900));
        assert_eq!(
            every.next_run(at("2026-11-26T10:00:00Z"), at("2026-11-26T10:05:00Z")),
            at("2026-11-26T10:15:00Z")
        );
        assert_eq!(
            every.next_run(at("2026-11-26T10:00:00Z"), at("2026-11-26T10:20:00Z")),
            at("2026-11-26T10:20:00Z")
        );
        let cron = Schedule::cron("0 */15 * * * *").unwrap();
        // The 10:15 slot passed during the run: the next is 10:30, not a burst of missed ones.
        assert_eq!(
            cron.next_run(at("2026-11-26T10:00:00Z"), at("2026-11-26T10:20:00Z")),
            at("2026-11-26T10:30:00Z")
        );
    }
}
