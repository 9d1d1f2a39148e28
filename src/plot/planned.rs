//! The planned times of a channel's stream schedule, for the charts that shade them beside the real streams
//! (`follower-count`, `viewers`). Reads the `schedule` report: each segment's latest version, unless it was
//! cancelled or is gone.

use std::collections::BTreeMap;

use super::{read_columns, time_value};
use crate::error::Result;

/// The legend entry of the planned bands.
pub(crate) const LABEL: &str = "planned (stream schedule)";

/// `(start, end)` of every segment of `login`'s schedule still planned at its latest sighting, in start order.
pub(crate) fn planned_spans(conn: &rusqlite::Connection, login: &str) -> Result<Vec<(i64, i64)>> {
    let params = crate::report::Params {
        login: Some(login.to_owned()),
        direction: Some(crate::report::Direction::Asc),
        ..crate::report::Params::default()
    };
    // Per segment: the time its latest version was seen, and its span then (None: cancelled or gone).
    let mut latest: BTreeMap<String, (String, Option<(i64, i64)>)> = BTreeMap::new();
    read_columns(
        conn,
        "schedule",
        &params,
        [
            "segment_id",
            "seen_at",
            "change",
            "start_time",
            "end_time",
            "canceled_until",
        ],
        |[segment, seen, change, start, end, canceled]| {
            let Ok(segment) = segment.as_str() else {
                return Ok(()); // a vacation row
            };
            let seen = seen.as_str().unwrap_or_default().to_owned();
            let planned =
                change.as_str().is_ok_and(|c| c != "gone") && matches!(canceled, rusqlite::types::ValueRef::Null);
            let span = match (planned, time_value(start), time_value(end)) {
                (true, Some(start), Some(end)) => Some((start, end.max(start))),
                (true, Some(start), None) => Some((start, start + 3600)),
                _ => None,
            };
            match latest.get_mut(segment) {
                Some(entry) if entry.0 > seen => {}
                Some(entry) => *entry = (seen, span),
                None => {
                    latest.insert(segment.to_owned(), (seen, span));
                }
            }
            Ok(())
        },
    )?;
    let mut spans: Vec<(i64, i64)> = latest.into_values().filter_map(|(_, span)| span).collect();
    spans.sort_unstable();
    Ok(spans)
}
