//! Charts (`itch plot`): PNG or SVG pictures of what the reports print. This sits beside the reports at the end of
//! the data flow and reads the archive only through them: each chart runs a report with
//! [`crate::report::read_report`] (the follower chart a report-shaped query of its own that reads the same rows
//! in key order, ten times faster at a million follows), or reads a report's TSV from a file as the 2016
//! `itch-plot` did ([`tsv`]).
//!
//! Every chart is built the same way: a chart file turns report rows into a `Spec` (axes and layers:
//! stream spans, dots, lines, bars, marked moments), and `draw.rs` lays that out with plotters on a PNG or SVG
//! backend, with the DejaVu Sans font embedded in the binary (no system font needed), in a light or dark theme.
//!
//! | chart | report(s) | what it shows |
//! |---|---|---|
//! | [`followers()`] | `followers`, `streams` | follow time against account creation (the 2016 chart) |
//! | [`follower_count()`] | `follower-count`, `streams` | the follower total at each sync, streams |
//! | [`viewers()`] | `viewers` | viewers over time, one line per stream |
//! | [`chat_activity()`] | `chatlog`, `chat-events` | a VOD's chat messages per minute, raids and gift bombs marked |
//! | [`tsv::plot_tsv`] | any report's TSV | the 2016 `itch-plot` over a file |

mod axis;
mod chat_activity;
mod draw;
mod follower_count;
mod followers;
mod labels;
mod planned;
mod scatter;
mod text;
pub mod tsv;
mod viewers;

#[cfg(test)]
mod tests;

pub use axis::thousands;

use axis::Scale;
pub use chat_activity::chat_activity;
pub use follower_count::follower_count;
pub use followers::followers;
pub use tsv::{TsvOptions, plot_tsv};
pub use viewers::viewers;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::path::Path;

use crate::error::{Error, Result};

/// How a chart looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    /// Width in pixels (PNG) or user units (SVG).
    pub width: u32,
    /// Height, likewise.
    pub height: u32,
    /// The title above the chart; each chart has its own default.
    pub title: Option<String>,
    /// Colours.
    pub theme: Theme,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            width: 1600,
            height: 800,
            title: None,
            theme: Theme::Light,
        }
    }
}

/// The chart's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Theme {
    /// Dark text on white.
    #[default]
    Light,
    /// Light text on near-black, like the 2016 `itch-plot`.
    Dark,
}

/// What the follow chart draws (the 2016 `itch-plot -t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Only the dots: x against y.
    Scatter,
    /// Only the cumulative count of rows along x.
    Line,
    /// Both, the count on a second y axis at the right.
    #[default]
    Mixed,
}

/// Axis bounds as users type them: dates or RFC 3339 times or Unix seconds on a time axis, `h:mm:ss` or seconds
/// on a VOD's time axis, integers on a count axis. Points outside are dropped and the axis stops at the bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    /// The smallest x shown.
    pub x_min: Option<String>,
    /// The largest x shown.
    pub x_max: Option<String>,
    /// The smallest y shown.
    pub y_min: Option<String>,
    /// The largest y shown.
    pub y_max: Option<String>,
}

/// Options of the follow chart ([`followers()`] and [`tsv::plot_tsv`]); the other charts take only [`Bounds`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScatterOptions {
    /// Dots, the cumulative line, or both.
    pub kind: Kind,
    /// Colour the dots by how many points share their neighbourhood (a 2D histogram over a pixel grid), so
    /// dense waves stand out among a million follows.
    pub density: bool,
    /// Trims the axes.
    pub bounds: Bounds,
    /// The x axis description, instead of the chart's own.
    pub x_label: Option<String>,
    /// Leave out the shaded stream sessions.
    pub no_streams: bool,
}

/// What a chart drew.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Drawn {
    /// Points (dots, line points or bars' messages) on the chart.
    pub points: u64,
    /// What the chart lacks, from the report's notes (an unfinished chat download), for stderr.
    pub notes: Vec<String>,
}

/// `--since`/`--until` for the archive charts: passed to the report they read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    /// Rows at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Rows at or before this time.
    pub until: Option<DateTime<Utc>>,
}

/// Whether `path` gets an SVG (it ends in `.svg`) or a PNG (`.png`); anything else is refused before drawing.
pub fn is_svg(path: &Path) -> Result<bool> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Ok(true),
        Some("png") => Ok(false),
        _ => Err(Error::PlotOption {
            flag: "--output",
            input: path.display().to_string(),
            problem: "a chart file must end in .png or .svg",
        }),
    }
}

/// Unix seconds of an archive time. The archive's own `YYYY-MM-DDTHH:MM:SSZ` is read directly (a million
/// follows are parsed per chart); anything else goes through [`crate::report::time::epoch_seconds`].
pub(crate) fn epoch(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let shaped = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    let number = |from: usize, to: usize| -> Option<u32> {
        b[from..to]
            .iter()
            .try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if shaped
        && let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
            number(0, 4),
            number(5, 7),
            number(8, 10),
            number(11, 13),
            number(14, 16),
            number(17, 19),
        )
        && let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day)
        && hour < 24
        && minute < 60
        && second < 60
    {
        let days = i64::from(date.num_days_from_ce()) - 719_163;
        return Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second));
    }
    crate::report::time::epoch_seconds(text)
}

/// A time bound for a time axis: a date (start of day for a minimum, end of day for a maximum), RFC 3339, or
/// Unix seconds.
fn parse_time_bound(flag: &'static str, input: &str, upper: bool) -> Result<i64> {
    let trimmed = input.trim();
    if let Ok(seconds) = trimmed.parse::<i64>() {
        return Ok(seconds);
    }
    let parsed = if upper {
        crate::report::time::parse_until(trimmed)
    } else {
        crate::report::time::parse_since(trimmed)
    };
    parsed.map(|time| time.timestamp()).map_err(|_| Error::PlotOption {
        flag,
        input: input.to_owned(),
        problem: "not a date (2026-01-31), an RFC 3339 time or Unix seconds",
    })
}

/// A bound in the units of `scale`.
fn parse_bound(flag: &'static str, input: &str, scale: Scale, upper: bool) -> Result<i64> {
    match scale {
        Scale::Time => parse_time_bound(flag, input, upper),
        Scale::Duration => parse_duration(input).ok_or_else(|| Error::PlotOption {
            flag,
            input: input.to_owned(),
            problem: "not a time into the video (1:23:45, 83:00 or seconds)",
        }),
        Scale::Count => input.trim().parse().map_err(|_| Error::PlotOption {
            flag,
            input: input.to_owned(),
            problem: "not a whole number",
        }),
    }
}

/// `1:23:45`, `83:00` or `5025` as seconds.
fn parse_duration(input: &str) -> Option<i64> {
    input
        .trim()
        .split(':')
        .try_fold((0i64, 0usize), |(total, parts), part| {
            let value: i64 = part.parse().ok().filter(|v| *v >= 0)?;
            (parts < 3).then_some((total * 60 + value, parts + 1))
        })
        .map(|(total, _)| total)
}

/// Bounds parsed for axes of the given scales: `(x_min, x_max, y_min, y_max)`.
pub(crate) type ParsedBounds = (Option<i64>, Option<i64>, Option<i64>, Option<i64>);

impl Bounds {
    /// The bounds in axis units.
    pub(crate) fn parse(&self, x: Scale, y: Scale) -> Result<ParsedBounds> {
        let parse = |flag, input: &Option<String>, scale, upper| {
            input
                .as_deref()
                .map(|input| parse_bound(flag, input, scale, upper))
                .transpose()
        };
        Ok((
            parse("--x-min", &self.x_min, x, false)?,
            parse("--x-max", &self.x_max, x, true)?,
            parse("--y-min", &self.y_min, y, false)?,
            parse("--y-max", &self.y_max, y, true)?,
        ))
    }
}

/// Whether `value` is within the optional bounds.
fn within(value: i64, min: Option<i64>, max: Option<i64>) -> bool {
    min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
}

/// Runs the report called `name` and hands `each` the values of `columns` in every row, in that order.
pub(crate) fn read_columns<const N: usize>(
    conn: &rusqlite::Connection,
    name: &str,
    params: &crate::report::Params,
    columns: [&str; N],
    each: impl FnMut([rusqlite::types::ValueRef<'_>; N]) -> Result<()>,
) -> Result<u64> {
    let report = crate::report::find(name).expect("charts read registered reports");
    read_report_columns(conn, report, params, columns, each)
}

/// [`read_columns`] of a report declared by the chart itself.
pub(crate) fn read_report_columns<const N: usize>(
    conn: &rusqlite::Connection,
    report: &crate::report::Report,
    params: &crate::report::Params,
    columns: [&str; N],
    mut each: impl FnMut([rusqlite::types::ValueRef<'_>; N]) -> Result<()>,
) -> Result<u64> {
    let mut indexes: Option<[usize; N]> = None;
    crate::report::read_report(conn, report, params, |record| {
        let indexes = *indexes.get_or_insert_with(|| {
            columns.map(|column| {
                record
                    .columns()
                    .iter()
                    .position(|name| name == column)
                    .expect("the report has the column")
            })
        });
        each(indexes.map(|i| record.values()[i]))
    })
}

/// A time from a report: archive text or Unix seconds; `None` for NULL.
pub(crate) fn time_value(value: rusqlite::types::ValueRef<'_>) -> Option<i64> {
    match value {
        rusqlite::types::ValueRef::Integer(seconds) => Some(seconds),
        rusqlite::types::ValueRef::Text(text) => std::str::from_utf8(text).ok().and_then(epoch),
        _ => None,
    }
}

/// The channel's stream sessions as `(start, end)` in Unix seconds, from the `streams` report.
pub(crate) fn stream_spans(conn: &rusqlite::Connection, login: &str) -> Result<Vec<(i64, i64)>> {
    let params = crate::report::Params {
        login: Some(login.to_owned()),
        direction: Some(crate::report::Direction::Asc),
        ..crate::report::Params::default()
    };
    let mut spans = Vec::new();
    read_columns(conn, "streams", &params, ["started_at", "ended_at"], |[start, end]| {
        if let (Some(start), Some(end)) = (time_value(start), time_value(end)) {
            spans.push((start, end.max(start)));
        }
        Ok(())
    })?;
    Ok(spans)
}

/// The report parameters of an archive chart about `login` (or, with `video`, a video), oldest first.
pub(crate) fn chart_params(
    login: Option<&str>,
    video: Option<&crate::client::VideoId>,
    period: &Period,
) -> crate::report::Params {
    crate::report::Params {
        login: login.map(str::to_owned),
        video: video.cloned(),
        since: period.since,
        until: period.until,
        direction: Some(crate::report::Direction::Asc),
        ..crate::report::Params::default()
    }
}
