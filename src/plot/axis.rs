//! Axes that read well: ticks on round times (midnights, month starts, New Year), round durations into a VOD and
//! round counts, labelled accordingly (`2026-03`, `2026-03-01`, `03-01 18:00`, `1:30`, `250,000`). plotters'
//! own numeric axes would put ticks on arbitrary Unix seconds.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use std::ops::Range;

/// What an axis measures; every value is an `i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Unix seconds, labelled as UTC dates and times.
    Time,
    /// Seconds into something (a VOD), labelled `h:mm`.
    Duration,
    /// A plain number, labelled with thousands separators.
    Count,
}

/// The distance between two ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// A fixed number of seconds (or units, for counts), ticks at multiples of it plus `offset`.
    Fixed { size: i64, offset: i64 },
    /// Calendar months (12 = a year), ticks on the first of a month.
    Months(i32),
}

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// 1970-01-05, the first Monday after the epoch: weekly ticks fall on Mondays.
const MONDAY: i64 = 4 * DAY;

const fn fixed(size: i64) -> Step {
    Step::Fixed { size, offset: 0 }
}

/// Tick steps for time axes, finest first.
const TIME_STEPS: &[Step] = &[
    fixed(1),
    fixed(2),
    fixed(5),
    fixed(10),
    fixed(15),
    fixed(30),
    fixed(MINUTE),
    fixed(2 * MINUTE),
    fixed(5 * MINUTE),
    fixed(10 * MINUTE),
    fixed(15 * MINUTE),
    fixed(30 * MINUTE),
    fixed(HOUR),
    fixed(2 * HOUR),
    fixed(3 * HOUR),
    fixed(6 * HOUR),
    fixed(12 * HOUR),
    fixed(DAY),
    fixed(2 * DAY),
    Step::Fixed {
        size: 7 * DAY,
        offset: MONDAY,
    },
    Step::Months(1),
    Step::Months(2),
    Step::Months(3),
    Step::Months(6),
    Step::Months(12),
    Step::Months(24),
    Step::Months(60),
    Step::Months(120),
    Step::Months(240),
    Step::Months(600),
];

/// Tick steps for durations, finest first.
const DURATION_STEPS: &[i64] = &[
    1,
    2,
    5,
    10,
    15,
    30,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
];

/// One axis: its scale, its range and the ticks chosen for it.
#[derive(Clone, Debug)]
pub struct Axis {
    scale: Scale,
    lo: i64,
    hi: i64,
    step: Step,
    ticks: Vec<i64>,
    /// The range spans more than one UTC day (time labels then carry the date).
    many_days: bool,
}

impl Axis {
    /// An axis from `lo` to `hi` with at most `max_ticks` labelled ticks (at least two are always allowed).
    /// An empty range is widened around its value.
    pub fn new(scale: Scale, lo: i64, hi: i64, max_ticks: usize) -> Axis {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            let half = match scale {
                Scale::Time => DAY / 2,
                Scale::Duration => 30,
                Scale::Count => 1,
            };
            (lo.saturating_sub(half), hi.saturating_add(half))
        };
        let max_ticks = max_ticks.max(2);
        let step = choose_step(scale, lo, hi, max_ticks);
        let ticks = ticks(step, lo, hi);
        Axis {
            scale,
            lo,
            hi,
            step,
            ticks,
            many_days: hi.div_euclid(DAY) != lo.div_euclid(DAY),
        }
    }

    /// An axis around `min..=max` with a margin of `pad` (a fraction of the span) on each side; with
    /// `from_zero`, a count axis starts at 0 (so bars and totals are not exaggerated).
    pub fn fit(scale: Scale, min: i64, max: i64, pad: f64, from_zero: bool, max_ticks: usize) -> Axis {
        let margin = ((max - min) as f64 * pad).round() as i64;
        let lo = if from_zero && min >= 0 { 0 } else { min - margin };
        Axis::new(scale, lo, max + margin, max_ticks)
    }

    /// The first value on the axis.
    pub fn lo(&self) -> i64 {
        self.lo
    }

    /// The last value on the axis.
    pub fn hi(&self) -> i64 {
        self.hi
    }

    /// The labelled ticks.
    pub fn ticks(&self) -> &[i64] {
        &self.ticks
    }

    /// The day every time on the axis falls on, when they all fall on one (the labels then show only times).
    pub fn single_day(&self) -> Option<String> {
        (self.scale == Scale::Time && !self.many_days).then(|| date_time(self.lo).format("%Y-%m-%d").to_string())
    }

    /// The label of a tick.
    pub fn label(&self, value: i64) -> String {
        match self.scale {
            Scale::Count => thousands(value),
            Scale::Duration => {
                let sign = if value < 0 { "-" } else { "" };
                let value = value.unsigned_abs();
                let (h, m, s) = (value / 3600, value / 60 % 60, value % 60);
                match self.step {
                    Step::Fixed { size, .. } if size < MINUTE => format!("{sign}{h}:{m:02}:{s:02}"),
                    _ => format!("{sign}{h}:{m:02}"),
                }
            }
            Scale::Time => {
                let time = date_time(value);
                let format = match self.step {
                    Step::Months(months) if months >= 12 => "%Y",
                    Step::Months(_) => "%Y-%m",
                    Step::Fixed { size, .. } if size >= DAY => "%Y-%m-%d",
                    Step::Fixed { size, .. } if size < MINUTE && self.many_days => "%m-%d %H:%M:%S",
                    Step::Fixed { size, .. } if size < MINUTE => "%H:%M:%S",
                    Step::Fixed { .. } if self.many_days => "%m-%d %H:%M",
                    Step::Fixed { .. } => "%H:%M",
                };
                time.format(format).to_string()
            }
        }
    }

    /// The pixel column (or row) of `value` on an axis `length` pixels long.
    pub fn pixel(&self, value: i64, length: i32) -> i32 {
        let t = (value - self.lo) as f64 / (self.hi - self.lo) as f64;
        (t * f64::from(length)).round() as i32
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = i64;

    fn map(&self, value: &i64, limit: (i32, i32)) -> i32 {
        limit.0 + self.pixel(*value, limit.1 - limit.0)
    }

    /// The labelled ticks for the bold grid; none for plotters' light grid, which would not fall on round times.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<i64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<i64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<i64> for Axis {
    fn format_ext(&self, value: &i64) -> String {
        self.label(*value)
    }
}

fn date_time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The finest step that gives at most `max_ticks` ticks.
fn choose_step(scale: Scale, lo: i64, hi: i64, max_ticks: usize) -> Step {
    let span = (hi - lo) as f64;
    let fits = |step: Step| {
        let approximate = match step {
            Step::Fixed { size, .. } => span / size as f64,
            Step::Months(months) => span / (f64::from(months) * 30.44 * DAY as f64),
        };
        // The estimate keeps huge tick lists from being built just to be counted.
        approximate <= max_ticks as f64 + 2.0 && ticks(step, lo, hi).len() <= max_ticks
    };
    match scale {
        Scale::Time => TIME_STEPS
            .iter()
            .copied()
            .find(|&step| fits(step))
            .unwrap_or(Step::Months(1200)),
        Scale::Duration => DURATION_STEPS
            .iter()
            .map(|&size| fixed(size))
            .find(|&step| fits(step))
            .unwrap_or_else(|| nice_count_step(lo, hi, max_ticks)),
        Scale::Count => nice_count_step(lo, hi, max_ticks),
    }
}

/// The smallest of 1, 2 or 5 times a power of ten that gives at most `max_ticks` ticks.
fn nice_count_step(lo: i64, hi: i64, max_ticks: usize) -> Step {
    let mut size = 1i64;
    loop {
        for factor in [1, 2, 5] {
            let step = size.saturating_mul(factor);
            let count = hi.div_euclid(step) - (lo + step - 1).div_euclid(step) + 1;
            if count <= max_ticks as i64 || step == i64::MAX {
                return fixed(step);
            }
        }
        size = size.saturating_mul(10);
    }
}

fn ticks(step: Step, lo: i64, hi: i64) -> Vec<i64> {
    match step {
        Step::Fixed { size, offset } => {
            let first = (lo - offset).div_euclid(size) * size + offset;
            let first = if first < lo { first + size } else { first };
            (0..).map(|i| first + i * size).take_while(|&tick| tick <= hi).collect()
        }
        Step::Months(months) => {
            let start = date_time(lo);
            let mut month = start.year() * 12 + start.month0() as i32;
            month = month.div_euclid(months) * months;
            let mut ticks = Vec::new();
            while let Some(day) = NaiveDate::from_ymd_opt(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1) {
                let tick = day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
                if tick > hi {
                    break;
                }
                if tick >= lo {
                    ticks.push(tick);
                }
                month += months;
            }
            ticks
        }
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Labelled ticks an axis of `pixels` may hold without labels running into each other.
pub(crate) fn max_ticks(scale: Scale, pixels: u32, horizontal: bool) -> usize {
    let room = match (horizontal, scale) {
        (true, Scale::Time) => 125,
        (true, _) => 90,
        (false, _) => 55,
    };
    (pixels / room).max(2) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        crate::report::time::epoch_seconds(text).unwrap()
    }

    fn labels(axis: &Axis) -> Vec<String> {
        axis.ticks().iter().map(|&tick| axis.label(tick)).collect()
    }

    #[test]
    fn years_of_dates_tick_on_new_year() {
        let axis = Axis::new(Scale::Time, at("2012-03-04T05:06:07Z"), at("2026-02-01T00:00:00Z"), 10);
        assert_eq!(labels(&axis), ["2014", "2016", "2018", "2020", "2022", "2024", "2026"]);
    }

    #[test]
    fn months_and_days_tick_on_their_first_second() {
        let axis = Axis::new(Scale::Time, at("2026-01-15T00:00:00Z"), at("2026-06-20T00:00:00Z"), 8);
        assert_eq!(labels(&axis), ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]);
        let axis = Axis::new(Scale::Time, at("2026-03-01T10:00:00Z"), at("2026-03-05T20:00:00Z"), 6);
        assert_eq!(labels(&axis), ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
        let week = Axis::new(Scale::Time, at("2026-01-01T00:00:00Z"), at("2026-02-20T00:00:00Z"), 8);
        assert_eq!(labels(&week)[0], "2026-01-05", "weeks start on Mondays");
    }

    #[test]
    fn hours_show_the_date_only_when_the_range_crosses_midnight() {
        let axis = Axis::new(Scale::Time, at("2026-03-01T17:50:00Z"), at("2026-03-01T19:40:00Z"), 5);
        assert_eq!(labels(&axis), ["18:00", "18:30", "19:00", "19:30"]);
        assert_eq!(axis.single_day().as_deref(), Some("2026-03-01"));
        let axis = Axis::new(Scale::Time, at("2026-03-01T20:00:00Z"), at("2026-03-02T04:00:00Z"), 5);
        assert_eq!(
            labels(&axis),
            [
                "03-01 20:00",
                "03-01 22:00",
                "03-02 00:00",
                "03-02 02:00",
                "03-02 04:00"
            ]
        );
        assert_eq!(axis.single_day(), None);
    }

    #[test]
    fn durations_and_counts_tick_on_round_values() {
        let axis = Axis::new(Scale::Duration, 0, 5 * 3600 + 120, 7);
        assert_eq!(labels(&axis), ["0:00", "1:00", "2:00", "3:00", "4:00", "5:00"]);
        let axis = Axis::new(Scale::Count, 0, 1_050_000, 6);
        assert_eq!(
            labels(&axis),
            ["0", "200,000", "400,000", "600,000", "800,000", "1,000,000"]
        );
        assert_eq!(thousands(-1234), "-1,234");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn a_single_value_gets_a_range_around_it() {
        let axis = Axis::new(Scale::Count, 5, 5, 5);
        assert_eq!((axis.lo(), axis.hi()), (4, 6));
        assert_eq!(axis.pixel(5, 100), 50);
        let axis = Axis::fit(Scale::Count, 10, 90, 0.1, true, 5);
        assert_eq!((axis.lo(), axis.hi()), (0, 98));
    }
}
