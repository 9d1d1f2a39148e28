//! `itch plot chat-activity <video-id>`: a VOD's chat messages per minute as bars along the video's own time
//! (`1:23` into it), to find the moments chat woke up, with the raids and gift bombs the live record holds from
//! that time marked on the axis (a line and `raid: who (viewers)` or `who: n gifts`), since they are what wakes
//! chat up. The VOD's chapters (`itch report chapters`) shade it in alternating light bands, each labelled with
//! its game above the bars. Reads the `chatlog` report, and its notes when the download is not complete, the
//! `chat-events` report and the `chapters` report.

use rusqlite::Connection;
use std::path::Path;

use super::axis::{Scale, thousands};
use super::draw::{CHAPTER_HEADROOM, Captions, Layer, Paint, Spec, x_axis, y_axis};
use super::followers::in_period;
use super::{Drawn, Period, ScatterOptions, Style, chart_params, draw, read_columns, read_report_columns, within};
use crate::client::VideoId;
use crate::error::{Error, Result};
use crate::report::{Direction, Report, SeedForm, Subject};

/// The VOD's title, day and channel for the chart's caption. Not registered: `itch report videos` lists them.
const VIDEO: Report = Report {
    name: "chat-activity-video",
    help: "a video's title, creation time and channel",
    subject: Subject::Video,
    time_columns: &["created_at"],
    filter_column: None,
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("chat_activity_video.sql"),
    notes_sql: None,
    reducer: None,
};

/// `day 232 of learning Just Chatting (zestytoast, 2026-10-29)`: the VOD's title, channel and day, or
/// `video 2102255412` when the archive does not hold the video or it has no title.
fn video_caption(conn: &Connection, video: &VideoId) -> Result<String> {
    let mut caption = None;
    let params = chart_params(None, Some(video), &Period::default());
    read_report_columns(
        conn,
        &VIDEO,
        &params,
        ["title", "created_at", "login"],
        |[title, created, login]| {
            let text = |value: rusqlite::types::ValueRef<'_>| value.as_str().ok().map(str::to_owned);
            let mut about: Vec<String> = Vec::new();
            about.extend(text(login));
            about.extend(text(created).map(|at| at.chars().take(10).collect::<String>()));
            caption = text(title)
                .filter(|title| !title.trim().is_empty())
                .map(|title| match about.is_empty() {
                    true => title,
                    false => format!("{title} ({})", about.join(", ")),
                });
            Ok(())
        },
    )?;
    Ok(caption.unwrap_or_else(|| format!("video {video}")))
}

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
    let (raids, bombs) = marks(conn, &params, x_min, x_max)?;
    let chapters = chapters(conn, video)?;
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
    // The axis reaches the last mark too: a raid after chat's last busy minute still shows.
    let last_mark = raids.iter().chain(&bombs).map(|(x, _)| x + 60).max().unwrap_or(0);
    let x = x_axis(
        Scale::Duration,
        x_min.unwrap_or(0),
        x_max.unwrap_or((minutes.len() as i64 * 60).max(last_mark)),
        style,
    );
    // With chapters, the top of the chart is kept clear of bars for their labels.
    let top = match chapters.is_empty() {
        true => busiest + busiest / 10 + 1,
        false => (busiest as f64 / (1.0 - CHAPTER_HEADROOM)).ceil() as i64 + 1,
    };
    let y = y_axis(Scale::Count, y_min.unwrap_or(0), y_max.unwrap_or(top), style);
    let captions = Captions {
        title: format!("{}: chat messages per minute", video_caption(conn, video)?),
        x_desc: "time into the video (h:mm)".into(),
        y_desc: "messages per minute".into(),
    };
    let bars = Layer::Bars {
        bars,
        label: format!("messages per minute ({} in all)", thousands(total)),
    };
    let mut layers = Vec::new();
    if !chapters.is_empty() {
        layers.push(Layer::Chapters {
            label: format!("chapters ({})", chapters.len()),
            chapters,
        });
    }
    layers.push(bars);
    for (marks, paint, what) in [
        (raids, Paint::Series(2), "raids"),
        (bombs, Paint::Series(1), "gift bombs"),
    ] {
        if !marks.is_empty() {
            layers.push(Layer::Marks {
                label: format!("{what} ({})", marks.len()),
                marks,
                paint,
            });
        }
    }
    let spec = Spec::framed(style, options, (x, y), captions, layers);
    draw::render(&spec, style, output)?;
    Ok(Drawn {
        points: total as u64,
        notes,
    })
}

/// The VOD's chapters from the `chapters` report: `(start, end, game)` in seconds into the video. All of them,
/// whatever `--since`/`--until` say (they pick chat by its time; the bands are cut to the x axis).
fn chapters(conn: &Connection, video: &VideoId) -> Result<Vec<(i64, i64, String)>> {
    let params = chart_params(None, Some(video), &Period::default());
    let mut chapters = Vec::new();
    let columns = ["offset_seconds", "end_seconds", "game"];
    read_columns(conn, "chapters", &params, columns, |[start, end, game]| {
        if let (Ok(start), Ok(end)) = (start.as_i64(), end.as_i64())
            && end > start
        {
            let game = game.as_str().unwrap_or("unknown game").to_owned();
            chapters.push((start, end, game));
        }
        Ok(())
    })?;
    Ok(chapters)
}

/// The kinds of event that are a gift bomb: many subs given at once.
const GIFT_BOMBS: &[&str] = &["submysterygift", "anonsubmysterygift"];

/// Moments on the time axis: `(seconds into the video, label)`.
type Marks = Vec<(i64, String)>;

/// The raids and gift bombs of the VOD's time within the x bounds, from the `chat-events` report, labelled
/// `raid: raider (430)` and `gifter: 5 gifts`.
fn marks(
    conn: &Connection,
    params: &crate::report::Params,
    x_min: Option<i64>,
    x_max: Option<i64>,
) -> Result<(Marks, Marks)> {
    let (mut raids, mut bombs) = (Vec::new(), Vec::new());
    let columns = ["offset_seconds", "kind", "user", "viewer_count", "gift_count"];
    read_columns(
        conn,
        "chat-events",
        params,
        columns,
        |[offset, kind, user, viewers, gifts]| {
            let (Ok(offset), Ok(kind)) = (offset.as_i64(), kind.as_str()) else {
                return Ok(());
            };
            if !within(offset, x_min, x_max) {
                return Ok(());
            }
            let user = user.as_str().unwrap_or("someone");
            if kind == "raid" {
                let viewers = viewers
                    .as_i64()
                    .map(|n| format!(" ({})", thousands(n)))
                    .unwrap_or_default();
                raids.push((offset, format!("raid: {user}{viewers}")));
            } else if GIFT_BOMBS.contains(&kind) {
                let gifts = gifts
                    .as_i64()
                    .map_or_else(|_| "gifts".to_owned(), |n| format!("{} gifts", thousands(n)));
                bombs.push((offset, format!("{user}: {gifts}")));
            }
            Ok(())
        },
    )?;
    Ok((raids, bombs))
}
