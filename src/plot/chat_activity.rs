//! `itch plot chat-activity <video-id>`: a VOD's chat messages per minute as bars along the video's own time
//! (`1:23` into it), to find the moments chat woke up. Reads the `chatlog` report, and its notes when the
//! download is not complete.

use rusqlite::Connection;
use std::path::Path;

use super::axis::{Scale, thousands};
use super::draw::{Captions, Layer, Spec, x_axis, y_axis};
use super::followers::in_period;
use super::{Drawn, Period, ScatterOptions, Style, chart_params, draw, read_columns, within};
use crate::client::VideoId;
use crate::error::{Error, Result};

/// Draws the chat activity of `video` into `output`. Of `options`, the bounds (x as `h:mm:ss` or seconds into the
/// video, y as messages) and the x label apply.
pub fn chat_activity(
    conn: &Connection,
    video: &VideoId,
    period: &Period,
    options: &ScatterOptions,
    style: &Style,
    output: &Path,
) -> Result<Drawn> {
    super::is_svg(output)?;
    let (x_min, x_max, y_min, y_max) = options.bounds.parse(Scale::Duration, Scale::Count)?;
    let params = chart_params(None, Some(video), period);
    let mut minutes: Vec<i64> = Vec::new();
    read_columns(conn, "chatlog", &params, ["offset_seconds"], |[offset]| {
        if let Ok(offset) = offset.as_i64()
            && offset >= 0
            && within(offset, x_min, x_max)
        {
            let minute = (offset / 60) as usize;
            if minutes.len() <= minute {
                minutes.resize(minute + 1, 0);
            }
            minutes[minute] += 1;
        }
        Ok(())
    })?;
    let notes = crate::report::notes(conn, crate::report::find("chatlog").expect("registered"), &params)?;
    let total: i64 = minutes.iter().sum();
    if total == 0 {
        let why = notes.first().map(|note| format!(" ({note})")).unwrap_or_default();
        return Err(Error::NothingToPlot {
            what: format!("the archive has no chat of video {video}{}{why}", in_period(period)),
        });
    }
    let bars: Vec<(i64, i64, i64)> = minutes
        .iter()
        .enumerate()
        .filter(|&(_, &count)| count > 0 && within(count, y_min, y_max))
        .map(|(minute, &count)| (minute as i64 * 60, minute as i64 * 60 + 60, count))
        .collect();
    let busiest = minutes.iter().copied().max().unwrap_or(1);
    let x = x_axis(
        Scale::Duration,
        x_min.unwrap_or(0),
        x_max.unwrap_or(minutes.len() as i64 * 60),
        style,
    );
    let y = y_axis(
        Scale::Count,
        y_min.unwrap_or(0),
        y_max.unwrap_or(busiest + busiest / 10 + 1),
        style,
    );
    let captions = Captions {
        title: format!("video {video}: chat messages per minute"),
        x_desc: "time into the video (h:mm)".into(),
        y_desc: "messages per minute".into(),
    };
    let bars = Layer::Bars {
        bars,
        label: format!("messages per minute ({} in all)", thousands(total)),
    };
    let spec = Spec::framed(style, options, (x, y), captions, vec![bars]);
    draw::render(&spec, style, output)?;
    Ok(Drawn {
        points: total as u64,
        notes,
    })
}
