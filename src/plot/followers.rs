//! `itch plot followers <login>`: the 2016 itch-plot chart from the archive. Each current follower is a dot at
//! (follow time, account creation); organic followers' accounts are spread over the years, so a follow-bot wave
//! shows as a dense cluster or line of young accounts. The cumulative follow count runs along the right axis and
//! stream sessions are shaded. Reads the `followers` report's rows (through [`POINTS`], the same question
//! without its order, read in key order) and the `streams` report.

use rusqlite::Connection;
use std::path::Path;

use super::axis::Scale;
use super::scatter::{self, Scatter, Wave};
use super::{
    Drawn, Period, ScatterOptions, Style, chart_params, draw, read_columns, read_report_columns, stream_spans,
    time_value,
};
use crate::error::{Error, Result};
use crate::report::{Direction, Report, SeedForm, Subject};

/// The `followers` report's rows as the chart needs them: the same channel check, the same filters, no order
/// (see the SQL for why). Not registered: `itch report` has no use for unordered rows.
const POINTS: Report = Report {
    name: "followers",
    help: "current followers' follow time and account creation, in Unix seconds, unordered",
    subject: Subject::Channel,
    time_columns: &["account_created_at", "followed_at"],
    filter_column: Some("followed_at"),
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("followers_points.sql"),
    notes_sql: None,
    reducer: None,
};

/// How many current followers followed before `--since` (see the SQL). Not registered, like [`POINTS`].
const BEFORE: Report = Report {
    name: "followers",
    help: "how many current followers followed before --since",
    subject: Subject::Channel,
    time_columns: &[],
    filter_column: Some("followed_at"),
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("followers_before.sql"),
    notes_sql: None,
    reducer: None,
};

/// Draws the follow chart of `login` into `output` (PNG, or SVG when it ends in `.svg`).
pub fn followers(
    conn: &Connection,
    login: &str,
    period: &Period,
    options: &ScatterOptions,
    style: &Style,
    output: &Path,
) -> Result<Drawn> {
    super::is_svg(output)?;
    let login = login.trim().to_ascii_lowercase();
    let (mut points, mut xs) = (Vec::new(), Vec::new());
    let params = chart_params(Some(&login), None, period);
    read_report_columns(
        conn,
        &POINTS,
        &params,
        ["followed_at", "account_created_at"],
        |[followed, created]| {
            if let Some(x) = time_value(followed) {
                xs.push(x);
                if let Some(y) = time_value(created) {
                    points.push((x, y));
                }
            }
            Ok(())
        },
    )?;
    if xs.is_empty() {
        return Err(Error::NothingToPlot {
            what: format!("the archive has no followers of '{login}'{}", in_period(period)),
        });
    }
    // The cumulative line counts from the channel's real total: the follows before the window come first.
    let mut before = 0;
    if period.since.is_some() {
        let until_since = chart_params(
            Some(&login),
            None,
            &Period {
                since: period.since,
                until: None,
            },
        );
        read_report_columns(conn, &BEFORE, &until_since, ["before"], |[count]| {
            if let rusqlite::types::ValueRef::Integer(count) = count {
                before = count.max(0) as u64;
            }
            Ok(())
        })?;
    }
    let waves = bot_waves(conn, &params)?;
    let spans = if options.no_streams {
        Vec::new()
    } else {
        stream_spans(conn, &login)?
    };
    let data = Scatter {
        title: format!("{login}: when followers followed, and when their accounts were made"),
        x_scale: Scale::Time,
        y_scale: Scale::Time,
        x_desc: "followed (UTC)".into(),
        y_desc: "account created (UTC)".into(),
        points,
        xs,
        spans,
        what: "follows".into(),
        before,
        waves,
    };
    let (spec, shown) = scatter::spec(data, options, style)?;
    draw::render(&spec, style, output)?;
    Ok(Drawn {
        points: shown,
        notes: Vec::new(),
    })
}

/// The waves `itch report bot-waves` finds in the chart's period (its default `--min-size`), oldest first.
pub(crate) fn bot_waves(conn: &Connection, params: &crate::report::Params) -> Result<Vec<Wave>> {
    let mut waves = Vec::new();
    read_columns(
        conn,
        "bot-waves",
        params,
        [
            "wave_start",
            "wave_end",
            "size",
            "accounts_created_from",
            "accounts_created_to",
        ],
        |[start, end, size, from, to]| {
            if let (Some(start), Some(end), rusqlite::types::ValueRef::Integer(size), Some(from), Some(to)) = (
                time_value(start),
                time_value(end),
                size,
                time_value(from),
                time_value(to),
            ) {
                waves.push(Wave {
                    followed: (start, end),
                    created: (from, to),
                    size: size.max(0) as u64,
                });
            }
            Ok(())
        },
    )?;
    waves.sort_by_key(|wave| wave.followed.0);
    Ok(waves)
}

/// " in that period" when `--since`/`--until` were given.
pub(crate) fn in_period(period: &Period) -> &'static str {
    if period.since.is_some() || period.until.is_some() {
        " in that period"
    } else {
        ""
    }
}
