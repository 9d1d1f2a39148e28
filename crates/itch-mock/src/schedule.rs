//! The fake world's stream schedules: each channel's plan derived from the seed (weekly recurring segments, a
//! one-off, a cancelled week, sometimes a vacation; some channels have none, and Get Channel Stream Schedule
//! answers them 404), and the edits tests make between syncs ([`ScheduleEdit`]: cancel, retitle, remove or add
//! a segment). `helix/schedule.rs` serves it.
//!
//! It reads no world: the world holds its [`Edits`] and hands its seed and clock in.
//!
//! Like Twitch, each week of a recurring segment is its own occurrence, with its own id: base64 of
//! `{"segmentID":"<uuid of the series>","isoYear":Y,"isoWeek":W}`.

use base64::Engine;
use chrono::{DateTime, Datelike, Utc};
use std::collections::{BTreeMap, BTreeSet};

use crate::seed::{CLOCK_START, DAY, GAMES, Game, hash, pick, uuid};

/// Keeps this module's hash stream apart from the others (see `seed::tag`).
const TAG: u64 = 0x5c4e_d01e;
/// Weeks of a recurring segment listed ahead of the current one.
const WEEKS_AHEAD: i64 = 6;
const WEEK: i64 = 7 * DAY;

/// One listed segment.
#[derive(Clone, Debug)]
pub(crate) struct FakeSegment {
    pub id: String,
    pub start: i64,
    pub end: i64,
    pub title: String,
    pub category: Option<Game>,
    pub recurring: bool,
    pub canceled_until: Option<i64>,
}

/// A change a test makes to a channel's schedule, by the segment's position in what
/// [`MockServer::schedule`](crate::MockServer::schedule) lists now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleEdit {
    /// The broadcaster cancels the `n`-th segment (it stays listed, with `canceled_until`).
    Cancel(usize),
    /// The `n`-th segment gets a new title.
    Retitle(usize, String),
    /// The `n`-th segment is deleted (it is no longer listed).
    Remove(usize),
    /// A new one-off segment `hours` after the world's clock, two hours long, with this title.
    Add { hours: i64, title: String },
}

/// A segment as the test helpers report it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MockSegment {
    /// Twitch's id of the occurrence.
    pub id: String,
    /// RFC3339, UTC.
    pub start_time: String,
    pub title: String,
    pub is_recurring: bool,
    pub canceled: bool,
}

/// The edits made so far, by channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct Edits {
    canceled: BTreeSet<String>,
    titles: BTreeMap<String, String>,
    removed: BTreeSet<String>,
    added: BTreeMap<usize, Vec<FakeSegment>>,
    next_added: u64,
}

/// A weekly slot of a channel's plan.
struct Slot {
    series: String,
    /// Seconds after the start of the (Monday-based) week.
    offset: i64,
    length: i64,
    title: String,
    category: Option<Game>,
}

/// Whether channel `c` has a schedule at all: every third channel has none (so a small world has both kinds).
pub(crate) fn has_schedule(c: usize) -> bool {
    c % 3 != 2
}

/// The vacation of channel `c`: the channels after one with none take one, three weeks after the clock's start.
pub(crate) fn vacation(seed: u64, c: usize) -> Option<(i64, i64)> {
    (c % 3 == 1).then(|| {
        let start = CLOCK_START + 21 * DAY + (hash(&[seed, TAG, c as u64, 9]) % 24) as i64 * 3600;
        (start, start + 7 * DAY)
    })
}

fn slots(seed: u64, c: usize) -> Vec<Slot> {
    let h = |k: u64| hash(&[seed, TAG, c as u64, k]);
    let n = 1 + h(0) % 3;
    (0..n)
        .map(|k| {
            let day = (h(10 + k) % 7) as i64;
            let hour = 14 + (h(20 + k) % 8) as i64;
            Slot {
                series: uuid(h(30 + k)),
                offset: day * DAY + hour * 3600,
                length: (2 + (h(40 + k) % 3) as i64) * 3600,
                title: format!(
                    "{} night #{}",
                    pick(&["Chill", "Ranked", "Speedrun", "Community"], h(50 + k)),
                    k + 1
                ),
                // The last slot has no category, as Twitch allows (`category: null`).
                category: (k + 1 < n || n == 1).then(|| pick(GAMES, h(60 + k))),
            }
        })
        .collect()
}

fn occurrence_id(series: &str, start: i64) -> String {
    let t = DateTime::<Utc>::from_timestamp(start, 0).unwrap_or_default();
    let week = t.iso_week();
    let json = format!(
        "{{\"segmentID\":\"{series}\",\"isoYear\":{},\"isoWeek\":{}}}",
        week.year(),
        week.week()
    );
    base64::engine::general_purpose::STANDARD.encode(json)
}

/// The start of the Monday-based week holding `t`.
fn week_start(t: i64) -> i64 {
    let days = t.div_euclid(DAY);
    // 1970-01-01 was a Thursday: Monday is three days later in the week's count.
    (days - (days + 3).rem_euclid(7)) * DAY
}

/// Every segment of channel `c` that has not ended by `from`, in start order, edits applied; `None` when the
/// channel has no schedule.
pub(crate) fn segments(seed: u64, edits: &Edits, c: usize, from: i64) -> Option<Vec<FakeSegment>> {
    if !has_schedule(c) {
        return None;
    }
    let mut out = Vec::new();
    let base = week_start(from);
    for (k, slot) in slots(seed, c).iter().enumerate() {
        for w in 0..=WEEKS_AHEAD {
            let start = base + w * WEEK + slot.offset;
            out.push(FakeSegment {
                id: occurrence_id(&slot.series, start),
                start,
                end: start + slot.length,
                title: slot.title.clone(),
                category: slot.category,
                recurring: true,
                // The seed cancels one week of the first slot: the second week after the clock's start.
                canceled_until: (k == 0 && week_start(start) == week_start(CLOCK_START) + 2 * WEEK)
                    .then_some(start + slot.length),
            });
        }
    }
    let h = hash(&[seed, TAG, c as u64, 99]);
    let one_off = CLOCK_START + (2 + (h % 8) as i64) * DAY + (12 + (h >> 8) % 10) as i64 * 3600;
    out.push(FakeSegment {
        id: occurrence_id(&uuid(h), one_off),
        start: one_off,
        end: one_off + 3 * 3600,
        title: "Special: subathon".into(),
        category: Some(pick(GAMES, h >> 16)),
        recurring: false,
        canceled_until: None,
    });
    out.extend(edits.added.get(&c).into_iter().flatten().cloned());
    out.retain(|s| s.end > from && !edits.removed.contains(&s.id));
    for s in &mut out {
        if edits.canceled.contains(&s.id) {
            s.canceled_until = Some(s.end);
        }
        if let Some(title) = edits.titles.get(&s.id) {
            s.title = title.clone();
        }
    }
    out.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    Some(out)
}

/// What [`MockServer::schedule`](crate::MockServer::schedule) reports for channel `c` now.
pub(crate) fn listed(seed: u64, edits: &Edits, c: usize, now: i64) -> Option<Vec<MockSegment>> {
    segments(seed, edits, c, now).map(|list| {
        list.into_iter()
            .map(|s| MockSegment {
                id: s.id,
                start_time: crate::seed::rfc3339(s.start),
                title: s.title,
                is_recurring: s.recurring,
                canceled: s.canceled_until.is_some(),
            })
            .collect()
    })
}

/// Applies `edit` to channel `c`; returns the id of the segment it touched, or an error for a position past the
/// list or a channel without a schedule.
pub(crate) fn apply(seed: u64, edits: &mut Edits, c: usize, now: i64, edit: ScheduleEdit) -> Result<String, String> {
    let list = segments(seed, edits, c, now).ok_or("the channel has no schedule")?;
    let nth = |n: usize| {
        list.get(n)
            .map(|s| s.id.clone())
            .ok_or_else(|| format!("the schedule lists {} segments, not {}", list.len(), n + 1))
    };
    Ok(match edit {
        ScheduleEdit::Cancel(n) => {
            let id = nth(n)?;
            edits.canceled.insert(id.clone());
            id
        }
        ScheduleEdit::Retitle(n, title) => {
            let id = nth(n)?;
            edits.titles.insert(id.clone(), title);
            id
        }
        ScheduleEdit::Remove(n) => {
            let id = nth(n)?;
            edits.removed.insert(id.clone());
            id
        }
        ScheduleEdit::Add { hours, title } => {
            edits.next_added += 1;
            let start = now + hours * 3600;
            let id = occurrence_id(&uuid(hash(&[TAG, c as u64, edits.next_added])), start);
            edits.added.entry(c).or_default().push(FakeSegment {
                id: id.clone(),
                start,
                end: start + 2 * 3600,
                title,
                category: None,
                recurring: false,
                canceled_until: None,
            });
            id
        }
    })
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::Value;

    use super::ScheduleEdit;
    use crate::{MockConfig, MockServer};

    async fn app_token(server: &MockServer, http: &reqwest::Client) -> String {
        let form = [
            ("client_id", server.client_id()),
            ("client_secret", server.client_secret()),
            ("grant_type", "client_credentials"),
        ];
        let r = http
            .post(format!("{}token", server.oauth_url()))
            .form(&form)
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn get(server: &MockServer, query: &[(&str, &str)]) -> (StatusCode, Value) {
        let http = reqwest::Client::new();
        let token = app_token(server, &http).await;
        let r = http
            .get(format!("{}schedule", server.helix_url()))
            .query(query)
            .header("Client-Id", server.client_id())
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }

    #[tokio::test]
    async fn the_schedule_is_an_object_with_the_cursor_at_the_top_level_and_25_a_page_at_most() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let channel = server.channels().remove(0);
        let listed = server.schedule(&channel.login).unwrap();
        let (status, body) = get(&server, &[("broadcaster_id", &channel.id), ("first", "3")]).await;
        assert_eq!(status, StatusCode::OK);
        let data = body["data"].as_object().expect("data is an object");
        assert_eq!(data["broadcaster_login"], channel.login.as_str());
        assert_eq!(data["segments"].as_array().unwrap().len(), 3);
        assert!(body["pagination"]["cursor"].is_string(), "{body}");
        assert!(data["segments"][0]["id"].as_str() == Some(listed[0].id.as_str()));
        // Every segment on one page of 25, and the last page has `pagination: {}`.
        let (_, all) = get(&server, &[("broadcaster_id", &channel.id), ("first", "25")]).await;
        assert_eq!(all["data"]["segments"].as_array().unwrap().len(), listed.len());
        assert_eq!(all["pagination"], serde_json::json!({}));
        let (status, _) = get(&server, &[("broadcaster_id", &channel.id), ("first", "26")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = get(&server, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "broadcaster_id is required");
    }

    #[tokio::test]
    async fn a_channel_without_a_schedule_is_a_404_and_edits_change_what_is_listed() {
        let server = MockServer::start(MockConfig::default()).await.unwrap();
        let none = server.channels().remove(2);
        let (status, body) = get(&server, &[("broadcaster_id", &none.id)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["status"], 404);
        let with_vacation = server.channels().remove(1);
        let (_, body) = get(&server, &[("broadcaster_id", &with_vacation.id)]).await;
        assert!(body["data"]["vacation"]["start_time"].is_string(), "{body}");

        let login = server.channels().remove(0).login;
        let before = server.schedule(&login).unwrap();
        let canceled = server.edit_schedule(&login, ScheduleEdit::Cancel(0));
        let removed = server.edit_schedule(&login, ScheduleEdit::Remove(1));
        server.edit_schedule(&login, ScheduleEdit::Retitle(1, "renamed".into()));
        let after = server.schedule(&login).unwrap();
        assert_eq!(after.len(), before.len() - 1);
        assert!(after.iter().any(|s| s.id == canceled && s.canceled));
        assert!(!after.iter().any(|s| s.id == removed));
        assert_eq!(after[1].title, "renamed");
        // The same seed gives the same schedule.
        let again = MockServer::start(MockConfig::default()).await.unwrap();
        assert_eq!(again.schedule(&login).unwrap(), before);
    }
}
