//! Get Channel Stream Schedule (<https://dev.twitch.tv/docs/api/reference/#get-channel-stream-schedule>): a
//! channel's planned broadcasts ("segments", each week of a recurring one its own), with cancellations
//! (`canceled_until`) and the vacation, from `start_time` on (omitted: now). Any token (itch sends its app token);
//! 25 segments a page at most. Unlike every other list, `data` is one object and `pagination` sits beside it at
//! the top level; a channel that never made a schedule is a 404, read here as "no schedule".

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, Pager, UserId};
use crate::error::{Error, Result};

/// Path under the Helix base.
pub const PATH: &str = "schedule";
/// The largest page Twitch serves.
pub const MAX_PAGE: u32 = 25;

/// The `data` object of one page.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Schedule {
    /// `null` when nothing is planned from `start_time` on.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub segments: Vec<Segment>,
    pub broadcaster_id: UserId,
    #[serde(default)]
    pub broadcaster_login: String,
    #[serde(default)]
    pub broadcaster_name: String,
    pub vacation: Option<Vacation>,
}

/// One planned broadcast.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Segment {
    /// One occurrence: base64 JSON of the series' `segmentID` with `isoYear` and `isoWeek`.
    pub id: String,
    pub start_time: DateTime<Utc>,
    #[serde(default, deserialize_with = "super::empty_time_as_none")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub title: String,
    /// Set when the broadcaster cancelled this occurrence (Twitch's spelling).
    #[serde(default, deserialize_with = "super::empty_time_as_none")]
    pub canceled_until: Option<DateTime<Utc>>,
    pub category: Option<Category>,
    #[serde(default)]
    pub is_recurring: bool,
}

/// A segment's category (a game or a non-game category such as Just Chatting).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Category {
    pub id: String,
    pub name: String,
}

/// The broadcaster's vacation, when one is set.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Vacation {
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
}

impl Segment {
    /// The series a recurring segment's weeks share: the `segmentID` inside the id, when the id is Twitch's
    /// base64 JSON.
    pub fn series_id(&self) -> Option<String> {
        let json = base64_decode(&self.id)?;
        let value: Value = serde_json::from_slice(&json).ok()?;
        value.get("segmentID")?.as_str().map(str::to_owned)
    }
}

/// A whole read of a schedule (every page up to where the caller stopped).
#[derive(Clone, Debug, Default)]
pub struct ScheduleRead {
    /// The segments in Twitch's order (by start time), each with its raw JSON.
    pub segments: Vec<(Segment, Value)>,
    /// The vacation of the first page.
    pub vacation: Option<Vacation>,
    /// Pages read.
    pub pages: u64,
    /// When the read stopped before the end: the start of the last segment it read (later ones were not seen).
    pub read_until: Option<DateTime<Utc>>,
}

/// Pages through the schedule of `broadcaster` from now on.
pub fn schedule_pages<'c>(client: &'c Client, broadcaster: &UserId) -> Pager<'c, Schedule> {
    Pager::new(
        client,
        PATH,
        vec![
            ("broadcaster_id", broadcaster.0.clone()),
            ("first", MAX_PAGE.to_string()),
        ],
    )
}

/// Reads the schedule of `broadcaster` from now on, page after page, stopping after the first page whose last
/// segment starts after `horizon` (a recurring segment repeats every week, so the list has no natural end).
/// `None` when the channel has no schedule (Twitch's 404).
pub async fn fetch_schedule(
    client: &Client,
    broadcaster: &UserId,
    horizon: DateTime<Utc>,
) -> Result<Option<ScheduleRead>> {
    let mut pager = schedule_pages(client, broadcaster);
    let mut read = ScheduleRead::default();
    loop {
        let page = match pager.next_page().await {
            Ok(Some(page)) => page,
            Ok(None) => return Ok(Some(read)),
            Err(Error::Helix { status: 404, .. }) if read.pages == 0 => return Ok(None),
            Err(e) => return Err(e),
        };
        read.pages += 1;
        let more = page.cursor.is_some();
        let Some((schedule, raw)) = page.items.into_iter().zip(page.raw).next() else {
            return Ok(Some(read));
        };
        if read.pages == 1 {
            read.vacation = schedule.vacation.clone();
        }
        let raws = raw
            .get("segments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let last = schedule.segments.last().map(|s| s.start_time);
        read.segments.extend(
            schedule
                .segments
                .into_iter()
                .zip(raws.into_iter().chain(std::iter::repeat(Value::Null))),
        );
        match last {
            Some(last) if more && last > horizon => {
                read.read_until = Some(last);
                return Ok(Some(read));
            }
            _ if !more => return Ok(Some(read)),
            _ => {}
        }
    }
}

/// Standard base64 (with or without padding), enough to read a segment id; `None` when it is not base64.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        acc = (acc << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::helix::recorder::{Recorder, page};
    use serde_json::json;

    #[test]
    fn parses_the_reference_example() {
        let schedule: Vec<Schedule> = vec![Schedule::deserialize(&super::super::fixture("schedule")["data"]).unwrap()];
        let s = &schedule[0];
        assert_eq!(s.broadcaster_login, "twitchdev");
        assert_eq!(s.vacation, None);
        let segment = &s.segments[0];
        assert_eq!(segment.title, "TwitchDev Monthly Update // July 1, 2021");
        assert_eq!(segment.canceled_until, None);
        assert_eq!(segment.category.as_ref().unwrap().name, "Science & Technology");
        assert!(!segment.is_recurring);
        assert_eq!(segment.end_time.unwrap().to_rfc3339(), "2021-07-01T19:00:00+00:00");
        assert_eq!(
            segment.series_id().as_deref(),
            Some("e4acc724-371f-402c-81ca-23ada79759d4")
        );
    }

    #[test]
    fn reads_null_category_null_segments_and_a_cancellation() {
        let s: Schedule = serde_json::from_value(json!({
            "segments": null, "broadcaster_id": "1", "broadcaster_login": "a", "broadcaster_name": "A",
            "vacation": {"start_time": "2026-12-01T00:00:00Z", "end_time": "2026-12-08T00:00:00Z"}
        }))
        .unwrap();
        assert!(s.segments.is_empty());
        assert!(s.vacation.is_some());
        let seg: Segment = serde_json::from_value(json!({
            "id": "not base64!", "start_time": "2026-12-01T18:00:00Z", "end_time": "2026-12-01T19:00:00Z",
            "title": "", "canceled_until": "2026-12-01T19:00:00Z", "category": null, "is_recurring": true
        }))
        .unwrap();
        assert!(seg.canceled_until.is_some() && seg.category.is_none());
        assert_eq!(seg.series_id(), None);
    }

    fn schedule_page(starts: &[&str], cursor: Option<&str>) -> Value {
        let segments: Vec<Value> = starts
            .iter()
            .map(|t| {
                json!({"id": t, "start_time": t, "end_time": t, "title": "x", "canceled_until": null,
                            "category": null, "is_recurring": true})
            })
            .collect();
        let mut p = page(json!([]), cursor);
        p["data"] = json!({"segments": segments, "broadcaster_id": "1", "broadcaster_login": "a",
                           "broadcaster_name": "A", "vacation": null});
        p
    }

    /// The URLs this endpoint sends, checked against shared/reference/twitch-helix.md: `first=25`, the top-level
    /// cursor in `after`, and no page past the horizon.
    #[tokio::test]
    async fn pages_with_first_25_and_stops_past_the_horizon() {
        let recorder = Recorder::start(vec![
            schedule_page(&["2026-12-01T00:00:00Z"], Some("c1")),
            schedule_page(&["2026-12-20T00:00:00Z"], Some("c2")),
            schedule_page(&["2027-01-20T00:00:00Z"], None),
        ])
        .await;
        let horizon = "2026-12-10T00:00:00Z".parse().unwrap();
        let read = fetch_schedule(&recorder.client, &UserId("1".into()), horizon)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            recorder.requests(),
            [
                "/helix/schedule?broadcaster_id=1&first=25",
                "/helix/schedule?broadcaster_id=1&first=25&after=c1",
            ]
        );
        assert_eq!(read.segments.len(), 2);
        assert_eq!(read.pages, 2);
        assert_eq!(read.read_until, Some("2026-12-20T00:00:00Z".parse().unwrap()));
        assert_eq!(
            read.segments[1].1["id"], "2026-12-20T00:00:00Z",
            "raw JSON kept per segment"
        );
    }
}
