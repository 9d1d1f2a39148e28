//! The 2016 `itch-plot` chart, shared by `itch plot followers` and `itch plot --input`: a scatter of one column
//! against another (follow time against account creation: bot waves are the dense clusters and lines of young
//! accounts), the cumulative count of rows along x, and stream sessions as shaded spans.

use super::axis::{Axis, Scale};
use super::draw::{Layer, Paint, Spec};
use super::{Kind, ScatterOptions, Style, within};
use crate::error::{Error, Result};

/// The data of a scatter chart, before bounds.
pub(crate) struct Scatter {
    /// The caption unless the user gave one.
    pub title: String,
    /// What x and y measure.
    pub x_scale: Scale,
    /// What y measures.
    pub y_scale: Scale,
    /// Axis descriptions.
    pub x_desc: String,
    /// The y axis description.
    pub y_desc: String,
    /// Rows with both values.
    pub points: Vec<(i64, i64)>,
    /// The x of every row, with or without a y: what the cumulative count counts.
    pub xs: Vec<i64>,
    /// Stream sessions, drawn when x is a time.
    pub spans: Vec<(i64, i64)>,
    /// The legend's name for a dot ("follows").
    pub what: String,
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

/// Keeps at most about one point per pixel column of a line along `axis` (the first and last of each column), so
/// a million-row cumulative count is a line of a few thousand points.
pub(crate) fn thin(points: Vec<(i64, i64)>, axis: &Axis, pixels: u32) -> Vec<(i64, i64)> {
    if points.len() <= 2 * pixels as usize {
        return points;
    }
    let mut kept: Vec<(i64, i64)> = Vec::with_capacity(4 * pixels as usize);
    let mut column = None;
    let mut last = None;
    for point in points {
        let here = axis.pixel(point.0, pixels as i32);
        if column != Some(here) {
            if let Some(previous) = last
                && kept.last() != Some(&previous)
            {
                kept.push(previous);
            }
            kept.push(point);
            column = Some(here);
        }
        last = Some(point);
    }
    if let Some(last) = last
        && kept.last() != Some(&last)
    {
        kept.push(last);
    }
    kept
}

/// The chart's spec (bounds applied, axes fitted, layers stacked spans, dots, count) and how many rows it shows.
pub(crate) fn spec(data: Scatter, options: &ScatterOptions, style: &Style) -> Result<(Spec, u64)> {
    let (x_min, x_max, y_min, y_max) = options.bounds.parse(data.x_scale, data.y_scale)?;
    let points: Vec<(i64, i64)> = data
        .points
        .into_iter()
        .filter(|&(x, y)| within(x, x_min, x_max) && within(y, y_min, y_max))
        .collect();
    let mut xs: Vec<i64> = data.xs.into_iter().filter(|&x| within(x, x_min, x_max)).collect();
    let dots = options.kind != Kind::Line;
    let count = options.kind != Kind::Scatter;
    if (dots && points.is_empty()) || xs.is_empty() {
        return Err(Error::NothingToPlot {
            what: format!("no {} within the bounds", data.what),
        });
    }
    if !xs.is_sorted() {
        xs.sort_unstable();
    }

    let x_lo = x_min.unwrap_or(if dots {
        points.iter().map(|p| p.0).min().unwrap_or(xs[0]).min(xs[0])
    } else {
        xs[0]
    });
    let x_hi = x_max.unwrap_or(*xs.last().expect("not empty"));
    let x_axis = if x_min.is_some() && x_max.is_some() {
        Axis::new(data.x_scale, x_lo, x_hi, max_ticks(data.x_scale, style.width, true))
    } else {
        let pad = (x_hi - x_lo) / 50;
        let lo = if x_min.is_some() { x_lo } else { x_lo - pad };
        let hi = if x_max.is_some() { x_hi } else { x_hi + pad };
        Axis::new(data.x_scale, lo, hi, max_ticks(data.x_scale, style.width, true))
    };
    let y_ticks = max_ticks(data.y_scale, style.height, false);
    let count_axis = Axis::fit(Scale::Count, 0, xs.len() as i64, 0.04, true, y_ticks);
    let y_axis = if dots {
        let lo = points.iter().map(|p| p.1).min().expect("not empty");
        let hi = points.iter().map(|p| p.1).max().expect("not empty");
        let pad = (hi - lo) / 25;
        // A count axis starts at 0, as the 2016 chart's did.
        let lo = y_min.unwrap_or(if data.y_scale == Scale::Count && lo >= 0 {
            0
        } else {
            lo - pad
        });
        let hi = y_max.unwrap_or(hi + pad);
        Axis::new(data.y_scale, lo, hi, y_ticks)
    } else {
        count_axis.clone()
    };

    let mut layers = Vec::new();
    if data.x_scale == Scale::Time && !options.no_streams && !data.spans.is_empty() {
        layers.push(Layer::Spans {
            spans: data.spans,
            label: "streams".into(),
        });
    }
    let shown = if dots { points.len() } else { xs.len() };
    if dots {
        layers.push(Layer::Dots {
            label: if options.density {
                format!(
                    "{} ({}, coloured by density: sparse to dense)",
                    data.what,
                    thousands(shown)
                )
            } else {
                format!("{} ({})", data.what, thousands(shown))
            },
            points,
            density: options.density,
        });
    }
    let total = xs.len();
    if count {
        let cumulative: Vec<(i64, i64)> = xs.iter().enumerate().map(|(i, &x)| (x, i as i64 + 1)).collect();
        layers.push(Layer::Line {
            points: thin(cumulative, &x_axis, style.width),
            paint: Paint::Cumulative,
            right: dots,
            fill: true,
            markers: false,
            label: Some(format!(
                "{} so far ({}{})",
                data.what,
                thousands(total),
                if dots { ", right axis" } else { "" }
            )),
        });
    }
    let x_desc = options
        .x_label
        .clone()
        .unwrap_or_else(|| with_day(data.x_desc, &x_axis));
    let y_desc = if dots {
        with_day(data.y_desc, &y_axis)
    } else {
        format!("{}, cumulative", data.what)
    };
    let spec = Spec {
        title: style.title.clone().unwrap_or(data.title),
        x: x_axis,
        right: (dots && count).then_some(count_axis),
        y: y_axis,
        x_desc,
        y_desc,
        right_desc: format!("{}, cumulative", data.what),
        layers,
    };
    Ok((spec, shown as u64))
}

/// An axis description, plus the day when every time on the axis falls on one (the ticks then show only times).
pub(crate) fn with_day(desc: String, axis: &Axis) -> String {
    match axis.single_day() {
        Some(day) => format!("{desc}, {day}"),
        None => desc,
    }
}

fn thousands(n: usize) -> String {
    super::axis::thousands(n as i64)
}
