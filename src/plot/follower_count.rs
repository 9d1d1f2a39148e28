//! `itch plot follower-count <login>`: the follower total at every sync that counted it, as a line, with stream
//! sessions shaded, to see how each stream moved the count, and the stream schedule's planned times shaded beside
//! them in a lighter colour; the subscriber total as a second line on a right axis when the archive has it. Reads
//! the `follower-count`, `streams`, `schedule` and `subscriber-count` reports.

use rusqlite::Connection;
use std::path::Path;

use super::axis::Scale;
use super::draw::{Captions, Layer, Paint, Spec, x_axis, y_axis};
use super::followers::in_period;
use super::scatter::with_day;
use super::{Drawn, Period, ScatterOptions, Style, chart_params, draw, read_columns, stream_spans, time_value, within};
use crate::error::{Error, Result};

/// Draws the follower total of `login` over time into `output`. Of `options`, the bounds, the x label and
/// `no_streams` apply.
pub fn follower_count(
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
    let mut points = Vec::new();
    let params = chart_params(Some(&login), None, period);
    read_columns(
        conn,
        "follower-count",
        &params,
        ["taken_at", "follower_total"],
        |[taken, total]| {
            if let (Some(x), Ok(y)) = (time_value(taken), total.as_i64())
                && within(x, x_min, x_max)
                && within(y, y_min, y_max)
            {
                points.push((x, y));
            }
            Ok(())
        },
    )?;
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Err(Error::NothingToPlot {
            what: format!("the archive has no follower counts of '{login}'{}", in_period(period)),
        });
    };
    let span = last.0 - first.0;
    let x = x_axis(
        Scale::Time,
        x_min.unwrap_or(first.0 - span / 50),
        x_max.unwrap_or(last.0 + span / 50),
        style,
    );
    let low = points.iter().map(|p| p.1).min().expect("not empty");
    let high = points.iter().map(|p| p.1).max().expect("not empty");
    let pad = ((high - low) / 10).max(1);
    let y = y_axis(
        Scale::Count,
        y_min.unwrap_or((low - pad).max(0)),
        y_max.unwrap_or(high + pad),
        style,
    );
    let mut layers = Vec::new();
    if !options.no_streams {
        // The planned times first, so the real streams and the line are drawn over them.
        let planned = super::planned::planned_spans(conn, &login)?;
        if !planned.is_empty() {
            layers.push(Layer::Planned {
                spans: planned,
                label: super::planned::LABEL.into(),
            });
        }
        let spans = stream_spans(conn, &login)?;
        if !spans.is_empty() {
            layers.push(Layer::Spans {
                spans,
                label: "streams".into(),
            });
        }
    }
    let shown = points.len() as u64;
    layers.push(Layer::Line {
        markers: points.len() <= 400,
        points,
        paint: Paint::Total,
        right: false,
        fill: false,
        label: Some("follower total at each sync".into()),
    });
    // The subscriber total, when the archive has snapshots of it, on a right axis of its own (a channel has far
    // fewer subscribers than followers).
    let mut subscribers = Vec::new();
    read_columns(
        conn,
        "subscriber-count",
        &params,
        ["taken_at", "subscriber_total"],
        |[taken, total]| {
            if let (Some(x), Ok(y)) = (time_value(taken), total.as_i64())
                && within(x, x_min, x_max)
            {
                subscribers.push((x, y));
            }
            Ok(())
        },
    )?;
    // Scaled as the follower axis is, to the line's own range: a few gained or lapsed subscribers a day would be
    // a flat line along the top (under the legend) on an axis from zero.
    let range = subscribers
        .iter()
        .map(|p| p.1)
        .min()
        .zip(subscribers.iter().map(|p| p.1).max());
    let right = range.map(|(low, high)| {
        layers.push(Layer::Line {
            markers: subscribers.len() <= 400,
            points: std::mem::take(&mut subscribers),
            paint: Paint::Cumulative,
            right: true,
            fill: false,
            label: Some("subscriber total (right axis)".into()),
        });
        let pad = ((high - low) / 10).max(1);
        y_axis(Scale::Count, (low - pad).max(0), high + pad, style)
    });
    let captions = Captions {
        title: format!("{login}: follower total"),
        x_desc: with_day("time (UTC)".into(), &x),
        y_desc: "followers".into(),
    };
    let mut spec = Spec::framed(style, options, (x, y), captions, layers);
    if right.is_some() {
        spec.right = right;
        spec.right_desc = "subscribers".into();
    }
    draw::render(&spec, style, output)?;
    Ok(Drawn {
        points: shown,
        notes: Vec::new(),
    })
}
