//! `itch plot viewers <login>`: the viewer count at each sync that found the channel live, one line per stream.
//! The stream schedule's planned times are shaded under the lines (not with `--no-streams`). Reads the `viewers`
//! and `schedule` reports.

use rusqlite::Connection;
use std::path::Path;

use super::axis::{Scale, thousands};
use super::draw::{Captions, Layer, Paint, Spec, x_axis, y_axis};
use super::followers::in_period;
use super::scatter::with_day;
use super::{Drawn, Period, ScatterOptions, Style, chart_params, draw, read_columns, time_value, within};
use crate::error::{Error, Result};

/// Streams named one by one in the legend; past this, one entry stands for them all.
const NAMED_STREAMS: usize = 8;

/// Draws the viewer counts of `login`'s streams into `output`. Of `options`, the bounds and the x label apply.
pub fn viewers(
    conn: &Connection,
    login: &str,
    period: &Period,
    options: &ScatterOptions,
    style: &Style,
    output: &Path,
) -> Result<Drawn> {
    super::is_svg(output)?;
    let login = login.trim().to_ascii_lowercase();
    let (x_min, x_max, y_min, y_max) = options.bounds.parse(Scale::Time, Scale::Count)?;
    // Streams in the order they first appear (the report is oldest first), each with its snapshots.
    let mut streams: Vec<(String, Vec<(i64, i64)>)> = Vec::new();
    let params = chart_params(Some(&login), None, period);
    read_columns(
        conn,
        "viewers",
        &params,
        ["stream_id", "taken_at", "viewer_count"],
        |[stream, taken, viewers]| {
            let stream = stream.as_str().unwrap_or_default();
            if let (Some(x), Ok(y)) = (time_value(taken), viewers.as_i64())
                && within(x, x_min, x_max)
                && within(y, y_min, y_max)
            {
                match streams.iter_mut().rev().find(|(id, _)| id == stream) {
                    Some((_, points)) => points.push((x, y)),
                    None => streams.push((stream.to_owned(), vec![(x, y)])),
                }
            }
            Ok(())
        },
    )?;
    let all = || streams.iter().flat_map(|(_, points)| points.iter());
    let (Some(first), Some(last)) = (all().map(|p| p.0).min(), all().map(|p| p.0).max()) else {
        return Err(Error::NothingToPlot {
            what: format!("the archive saw no live stream of '{login}'{}", in_period(period)),
        });
    };
    let peak = all().map(|p| p.1).max().expect("not empty");
    let span = last - first;
    let x = x_axis(
        Scale::Time,
        x_min.unwrap_or(first - span / 50 - 600),
        x_max.unwrap_or(last + span / 50 + 600),
        style,
    );
    let y = y_axis(
        Scale::Count,
        y_min.unwrap_or(0),
        y_max.unwrap_or(peak + peak / 10 + 1),
        style,
    );
    let count = streams.len();
    let shown = all().count() as u64;
    let mut layers = Vec::new();
    if !options.no_streams {
        // The planned times under the lines, so a stream can be seen against the time it was announced for.
        let planned = super::planned::planned_spans(conn, &login)?;
        if !planned.is_empty() {
            layers.push(Layer::Planned {
                spans: planned,
                label: super::planned::LABEL.into(),
            });
        }
    }
    layers.extend(streams.into_iter().enumerate().map(|(n, (_, points))| Layer::Line {
        label: legend(n, count, &points),
        markers: points.len() <= 300,
        points,
        paint: Paint::Series(n),
        right: false,
        fill: false,
    }));
    let captions = Captions {
        title: format!("{login}: viewers per stream"),
        x_desc: with_day("time (UTC)".into(), &x),
        y_desc: "viewers".into(),
    };
    let spec = Spec::framed(style, options, (x, y), captions, layers);
    draw::render(&spec, style, output)?;
    Ok(Drawn {
        points: shown,
        notes: Vec::new(),
    })
}

/// The legend entry of the `n`-th of `count` streams: each its own (start and peak) when they are few, else one
/// entry, on the first, for them all.
fn legend(n: usize, count: usize, points: &[(i64, i64)]) -> Option<String> {
    if count <= NAMED_STREAMS {
        let start = chrono::DateTime::from_timestamp(points[0].0, 0).unwrap_or_default();
        let peak = points.iter().map(|p| p.1).max().unwrap_or(0);
        Some(format!(
            "stream of {} (peak {})",
            start.format("%Y-%m-%d %H:%M"),
            thousands(peak)
        ))
    } else {
        (n == 0).then(|| format!("viewers, one line per stream ({count} streams)"))
    }
}
