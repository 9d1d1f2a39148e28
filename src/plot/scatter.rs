//! The 2016 `itch-plot` chart, shared by `itch plot followers` and `itch plot --input`: a scatter of one column
//! against another (follow time against account creation: bot waves are the dense clusters and lines of young
//! accounts), the cumulative count of rows along x, and stream sessions as shaded spans.

use super::axis::{Axis, Scale, max_ticks};
pub(crate) use super::draw::Wave;
use super::draw::{Captions, Layer, Paint, Spec, x_axis, y_axis};
use super::{Kind, ParsedBounds, ScatterOptions, Style, within};
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
    /// Rows before the first of `xs` (follows before `--since`): where the cumulative count starts, so it counts
    /// from the real total.
    pub before: u64,
    /// Bot waves to outline (`itch report bot-waves`), on a time-against-time chart.
    pub waves: Vec<Wave>,
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
pub(crate) fn spec(mut data: Scatter, options: &ScatterOptions, style: &Style) -> Result<(Spec, u64)> {
    let bounds = options.bounds.parse(data.x_scale, data.y_scale)?;
    let (x_min, x_max, y_min, y_max) = bounds;
    data.points
        .retain(|&(x, y)| within(x, x_min, x_max) && within(y, y_min, y_max));
    // Rows left of the x bound still count towards the cumulative line, as the follows before --since do.
    data.before += data.xs.iter().filter(|&&x| x_min.is_some_and(|min| x < min)).count() as u64;
    data.xs.retain(|&x| within(x, x_min, x_max));
    data.waves.retain(|wave| {
        x_min.is_none_or(|min| wave.followed.1 >= min)
            && x_max.is_none_or(|max| wave.followed.0 <= max)
            && y_min.is_none_or(|min| wave.created.1 >= min)
            && y_max.is_none_or(|max| wave.created.0 <= max)
    });
    let dots = options.kind != Kind::Line;
    let count = options.kind != Kind::Scatter;
    if (dots && data.points.is_empty()) || data.xs.is_empty() {
        return Err(Error::NothingToPlot {
            what: format!("no {} within the bounds", data.what),
        });
    }
    if !data.xs.is_sorted() {
        data.xs.sort_unstable();
    }
    let (x, y, count_axis) = axes(&data, dots, bounds, style);
    let captions = Captions {
        title: std::mem::take(&mut data.title),
        x_desc: with_day(std::mem::take(&mut data.x_desc), &x),
        y_desc: if dots {
            with_day(std::mem::take(&mut data.y_desc), &y)
        } else {
            format!("{}, cumulative", data.what)
        },
    };
    let right_desc = format!("{}, cumulative", data.what);
    let (layers, shown) = layers(data, options, &x, style);
    let mut spec = Spec::framed(style, options, (x, y), captions, layers);
    spec.right = (dots && count).then_some(count_axis);
    spec.right_desc = right_desc;
    Ok((spec, shown as u64))
}

/// The x axis, the y axis and the cumulative count's axis of `data` within `bounds` (x padded by a fiftieth
/// where no bound stops it, y by a twenty-fifth); without dots the count is the y axis.
fn axes(data: &Scatter, dots: bool, bounds: ParsedBounds, style: &Style) -> (Axis, Axis, Axis) {
    let (x_min, x_max, y_min, y_max) = bounds;
    let (points, xs) = (&data.points, &data.xs);
    let x_lo = x_min.unwrap_or(if dots {
        points.iter().map(|p| p.0).min().unwrap_or(xs[0]).min(xs[0])
    } else {
        xs[0]
    });
    let x_hi = x_max.unwrap_or(*xs.last().expect("not empty"));
    let x = if x_min.is_some() && x_max.is_some() {
        x_axis(data.x_scale, x_lo, x_hi, style)
    } else {
        let pad = (x_hi - x_lo) / 50;
        let lo = if x_min.is_some() { x_lo } else { x_lo - pad };
        let hi = if x_max.is_some() { x_hi } else { x_hi + pad };
        x_axis(data.x_scale, lo, hi, style)
    };
    let y_ticks = max_ticks(data.y_scale, style.height, false);
    let before = data.before as i64;
    let count_axis = Axis::fit(
        Scale::Count,
        before,
        before + xs.len() as i64,
        0.04,
        before == 0,
        y_ticks,
    );
    let y = if dots {
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
        y_axis(data.y_scale, lo, hi, style)
    } else {
        count_axis.clone()
    };
    (x, y, count_axis)
}

/// The layers of `data` (stream spans on a time axis, the dots, the cumulative count, as `options.kind` says)
/// and how many rows they show.
fn layers(mut data: Scatter, options: &ScatterOptions, x: &Axis, style: &Style) -> (Vec<Layer>, usize) {
    let dots = options.kind != Kind::Line;
    let count = options.kind != Kind::Scatter;
    let mut layers = Vec::new();
    if data.x_scale == Scale::Time && !options.no_streams && !data.spans.is_empty() {
        layers.push(Layer::Spans {
            spans: data.spans,
            label: "streams".into(),
        });
    }
    let shown = if dots { data.points.len() } else { data.xs.len() };
    let waves = std::mem::take(&mut data.waves);
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
            points: data.points,
            density: options.density,
        });
        if !waves.is_empty() {
            let accounts: u64 = waves.iter().map(|wave| wave.size).sum();
            layers.push(Layer::Waves {
                label: format!(
                    "bot waves (itch report bot-waves: {}, {} accounts)",
                    waves.len(),
                    thousands(accounts as usize)
                ),
                waves,
            });
        }
    }
    let before = data.before as usize;
    let total = before + data.xs.len();
    if count {
        let cumulative: Vec<(i64, i64)> = data
            .xs
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, (before + i) as i64 + 1))
            .collect();
        layers.push(Layer::Line {
            points: thin(cumulative, x, style.width),
            paint: Paint::Cumulative,
            right: dots,
            fill: true,
            markers: false,
            label: Some(format!(
                "{} so far ({}{}{})",
                data.what,
                thousands(total),
                if before > 0 {
                    format!(", {} before the chart", thousands(before))
                } else {
                    String::new()
                },
                if dots { ", right axis" } else { "" }
            )),
        });
    }
    (layers, shown)
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
