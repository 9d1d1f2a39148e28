//! The shared rate budget: every Helix request of one `Client` draws from it, and every answer's `Ratelimit-*`
//! headers correct it. It models Twitch's bucket: `Ratelimit-Limit` points at most, refilled continuously at the
//! rate the headers imply (`Ratelimit-Reset` is when the bucket is full again; Twitch documents the limit per
//! minute), less every request sent whose answer has not come back. A request goes only when the model has a
//! whole point for it; otherwise the next request waits as long as the whole deficit takes to refill (several
//! requests in flight, several channels), one waiter at a time. So nothing goes out that the headers say will
//! be refused, and after a 429 a request waits for one point to come back, not for a full bucket.
//! <https://dev.twitch.tv/docs/api/guide/#twitch-rate-limits>

use reqwest::header::HeaderMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// Added to every computed wait: the bucket's clock and ours are not the same, and Reset is in whole seconds.
const MARGIN: Duration = Duration::from_millis(20);

/// What the answers said about the bucket, minus what we have spent since.
#[derive(Debug, Default)]
struct Bucket {
    /// `Ratelimit-Limit`: the bucket size.
    limit: Option<f64>,
    /// Points a new request may spend at `at`: the last answer's `Ratelimit-Remaining`, refilled since, less
    /// every request sent that the answer may not have counted. Negative when more are in flight than that.
    /// `None` until an answer has told us (then nothing waits).
    points: Option<f64>,
    /// When `points` was last brought up to date.
    at: Option<Instant>,
    /// Points refilled per second, as the last answer's Remaining and Reset imply.
    per_sec: Option<f64>,
    /// Requests sent whose answers have not arrived.
    in_flight: i64,
    /// Requests sent so far, numbering the permits.
    sent: u64,
    /// The number of the newest request whose answer we read: an older answer arriving later is older news.
    newest_read: u64,
    /// Requests finished (answered or failed) so far.
    finished: u64,
    /// While a request waits for points: when it expects them (for the progress display).
    waiting_until: Option<Instant>,
}

/// A token-bucket mirror shared by all requests of a client.
#[derive(Debug, Default)]
pub struct RateBudget {
    bucket: Mutex<Bucket>,
    /// Held while deciding (and while waiting), so waiters take refilled points one at a time, in turn.
    gate: tokio::sync::Mutex<()>,
}

/// One request's claim on the budget; dropping it marks the request finished.
#[derive(Debug)]
pub struct Permit<'a> {
    budget: &'a RateBudget,
    number: u64,
    /// When the request was let go: Twitch counted it later than that.
    sent_at: SystemTime,
    /// `Bucket::finished` when it was let go.
    finished_before: u64,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut bucket = self.budget.bucket.lock().expect("rate budget lock");
        bucket.in_flight -= 1;
        bucket.finished += 1;
    }
}

impl RateBudget {
    /// Waits until a whole point is there, then spends it. `cancel` cuts the wait: `Err(Interrupted)`.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Result<Permit<'_>> {
        let _turn = tokio::select! {
            turn = self.gate.lock() => turn,
            () = cancel.cancelled() => return Err(Error::Interrupted),
        };
        loop {
            let wait = {
                let mut bucket = self.bucket.lock().expect("rate budget lock");
                let wait = bucket.wait(Instant::now());
                bucket.waiting_until = (!wait.is_zero()).then(|| Instant::now() + wait);
                if wait.is_zero() {
                    if let Some(points) = bucket.points.as_mut() {
                        *points -= 1.0;
                    }
                    bucket.in_flight += 1;
                    bucket.sent += 1;
                    return Ok(Permit {
                        budget: self,
                        number: bucket.sent,
                        sent_at: SystemTime::now(),
                        finished_before: bucket.finished,
                    });
                }
                wait
            };
            tracing::debug!(?wait, "rate budget short, waiting for points to refill");
            // Then look again: an answer meanwhile may have said more, or less.
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = cancel.cancelled() => {
                    self.bucket.lock().expect("rate budget lock").waiting_until = None;
                    return Err(Error::Interrupted);
                }
            }
        }
    }

    /// How long the request at the head of the queue still waits for points, when one does: what a progress
    /// line shows instead of a count that stands still.
    pub fn waiting_for(&self) -> Option<Duration> {
        let bucket = self.bucket.lock().expect("rate budget lock");
        let until = bucket.waiting_until?;
        Some(until.saturating_duration_since(Instant::now()))
    }

    /// Reads the `Ratelimit-*` headers of an answer to the request sent with `permit`.
    pub fn observe(&self, headers: &HeaderMap, permit: &Permit<'_>) {
        let (limit, remaining, reset) = (
            header_int(headers, "ratelimit-limit"),
            header_int(headers, "ratelimit-remaining"),
            header_int(headers, "ratelimit-reset"),
        );
        let mut bucket = self.bucket.lock().expect("rate budget lock");
        if let Some(limit) = limit.filter(|l| *l > 0) {
            bucket.limit = Some(limit as f64);
        }
        let Some(remaining) = remaining else {
            return;
        };
        let now = Instant::now();
        if let (Some(limit), Some(reset)) = (bucket.limit, reset.and_then(|s| u64::try_from(s).ok())) {
            // Remaining is rounded down, so up to one point less is missing than it says: count one fewer, or
            // the rate comes out too high by as much as a point in `limit` (and a steady walk draws 429s).
            let missing = limit - remaining as f64 - 1.0;
            // Counted from when the request left, which is before Twitch counted it: the time to full is then
            // at least what Twitch meant, and Reset is rounded up to a whole second, so the rate errs on the
            // slow side. It matters only when points are short, and then many are missing and the rounding
            // costs little.
            let until_full = (UNIX_EPOCH + Duration::from_secs(reset))
                .duration_since(permit.sent_at)
                .unwrap_or_default();
            if missing >= 1.0 && !until_full.is_zero() {
                bucket.per_sec = Some(missing / (until_full + MARGIN).as_secs_f64());
            }
        }
        bucket.refill(now);
        // The other requests in flight were counted by us but maybe not yet by Twitch: assume they were not.
        // Nor those that finished while this one was on its way: they may have reached Twitch after it (requests
        // overtake each other on the way), and they are no longer in flight.
        let others = (bucket.in_flight - 1).max(0);
        let overtaken = bucket.finished.saturating_sub(permit.finished_before) as i64;
        let reported = (remaining - others - overtaken) as f64;
        bucket.points = Some(match bucket.points {
            // An answer to a request sent before the newest one we read may be older news: it may only lower.
            Some(points) if permit.number < bucket.newest_read => points.min(reported),
            _ => reported,
        });
        bucket.newest_read = bucket.newest_read.max(permit.number);
        bucket.at = Some(now);
    }

    /// How long a 429 answer (already [`observe`](Self::observe)d) asks us to wait: until one point is back by
    /// the model, not until the bucket is full. Without rate-limit headers, a second.
    pub fn wait_after_429(&self, headers: &HeaderMap) -> Duration {
        let mut bucket = self.bucket.lock().expect("rate budget lock");
        if header_int(headers, "ratelimit-remaining").is_none() {
            if bucket.limit.is_none() {
                return Duration::from_secs(1);
            }
            // Refused, so the bucket is empty whatever we thought.
            let now = Instant::now();
            bucket.refill(now);
            bucket.points = Some(bucket.points.unwrap_or(0.0).min(0.0));
            bucket.at = Some(now);
        }
        bucket.wait(Instant::now()).max(MARGIN)
    }

    /// The whole points we believe are left for new requests, if an answer has told us.
    pub fn remaining(&self) -> Option<i64> {
        let mut bucket = self.bucket.lock().expect("rate budget lock");
        bucket.refill(Instant::now());
        bucket.points.map(|p| p.floor() as i64)
    }
}

impl Bucket {
    /// Points refilled per second: what the headers imply, else the limit per minute Twitch documents.
    fn per_sec(&self) -> Option<f64> {
        self.per_sec.or(self.limit.map(|l| l / 60.0)).filter(|r| *r > 0.0)
    }

    /// Brings `points` up to `now`: refilled at the bucket's rate, at most a full bucket less what is in flight.
    fn refill(&mut self, now: Instant) {
        let (Some(points), Some(at), Some(per_sec)) = (self.points, self.at, self.per_sec()) else {
            return;
        };
        let ceiling = self.limit.map_or(f64::MAX, |l| l - self.in_flight as f64);
        let refilled = points + now.saturating_duration_since(at).as_secs_f64() * per_sec;
        self.points = Some(if points >= ceiling {
            points
        } else {
            refilled.min(ceiling)
        });
        self.at = Some(now);
    }

    /// Zero when a whole point is there to spend; otherwise how long the deficit takes to refill.
    fn wait(&mut self, now: Instant) -> Duration {
        self.refill(now);
        let Some(points) = self.points.filter(|p| *p < 1.0) else {
            return Duration::ZERO;
        };
        let Some(per_sec) = self.per_sec() else {
            // No refill rate and no limit: nothing tells us when points come back, so do not wait on a guess.
            return Duration::ZERO;
        };
        Duration::from_secs_f64(((1.0 - points) / per_sec).min(3600.0)) + MARGIN
    }
}

fn header_int(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(limit: i64, remaining: i64, reset_in: u64) -> HeaderMap {
        let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + reset_in;
        let mut h = HeaderMap::new();
        h.insert("Ratelimit-Limit", limit.into());
        h.insert("Ratelimit-Remaining", remaining.into());
        h.insert("Ratelimit-Reset", reset.into());
        h
    }

    async fn permit(budget: &RateBudget) -> Permit<'_> {
        budget.acquire(&CancellationToken::new()).await.unwrap()
    }

    #[tokio::test]
    async fn spends_points_then_waits_for_one_to_refill() {
        let budget = RateBudget::default();
        let first = permit(&budget).await;
        budget.observe(&headers(800, 2, 60), &first);
        drop(first);
        assert_eq!(budget.remaining(), Some(2));
        drop(permit(&budget).await);
        drop(permit(&budget).await);
        assert_eq!(budget.remaining(), Some(0));
        let wait = budget.bucket.lock().unwrap().wait(Instant::now());
        // 798 points missing, 60 s or a little less to refill them all: one point is 75 ms or a little more.
        assert!(
            wait > Duration::from_millis(30) && wait < Duration::from_millis(120),
            "{wait:?}"
        );
    }

    #[tokio::test]
    async fn waits_for_the_whole_deficit_counting_requests_in_flight() {
        let budget = RateBudget::default();
        let mut permits = Vec::new();
        for _ in 0..5 {
            permits.push(permit(&budget).await);
        }
        // The bucket is empty and four more requests are on their way: five points must come back before the
        // next request may go, at 800 a minute 75 ms each.
        budget.observe(&headers(800, 0, 60), &permits[0]);
        let wait = budget.bucket.lock().unwrap().wait(Instant::now());
        assert!(wait >= Duration::from_millis(300), "{wait:?}");
    }

    #[tokio::test]
    async fn an_older_answer_read_late_never_raises_the_budget() {
        let budget = RateBudget::default();
        let (older, newer) = (permit(&budget).await, permit(&budget).await);
        budget.observe(&headers(800, 10, 60), &newer);
        drop(newer);
        // Answered before the newer request was counted, so it reports one point more than there is.
        budget.observe(&headers(800, 11, 60), &older);
        drop(older);
        // 10 less the older request, which the newer answer could not know was counted: 9, not 11.
        assert_eq!(budget.remaining(), Some(9));
    }

    #[tokio::test]
    async fn a_429_waits_for_a_point_not_for_a_full_bucket() {
        let budget = RateBudget::default();
        let permit = permit(&budget).await;
        let refused = headers(800, 0, 60);
        budget.observe(&refused, &permit);
        drop(permit);
        let wait = budget.wait_after_429(&refused);
        assert!(wait < Duration::from_secs(1), "{wait:?}");
        assert!(wait >= Duration::from_millis(60), "{wait:?}");
        assert_eq!(
            RateBudget::default().wait_after_429(&HeaderMap::new()),
            Duration::from_secs(1),
            "a 429 without headers waits a second"
        );
    }

    #[tokio::test]
    async fn no_headers_means_no_waiting() {
        let budget = RateBudget::default();
        let spend = async {
            for _ in 0..1000 {
                drop(permit(&budget).await);
            }
        };
        // A budget that waits here would hang the test: fail instead.
        tokio::time::timeout(Duration::from_secs(10), spend)
            .await
            .expect("no waiting without headers");
        assert_eq!(budget.remaining(), None);
    }

    #[tokio::test]
    async fn a_cancelled_wait_ends_at_once() {
        let budget = RateBudget::default();
        let first = permit(&budget).await;
        // One point a minute and none left: the next request would wait a minute.
        budget.observe(&headers(1, 0, 60), &first);
        drop(first);
        let cancel = CancellationToken::new();
        cancel.cancel();
        let waited = tokio::time::timeout(Duration::from_secs(10), budget.acquire(&cancel)).await;
        assert!(matches!(waited, Ok(Err(Error::Interrupted))), "{waited:?}");
        assert_eq!(budget.waiting_for(), None, "a stopped wait is over");
    }

    /// While a request waits for points the budget says for how long (the progress line shows it), and once it
    /// has them, nothing waits.
    #[tokio::test]
    async fn a_wait_in_progress_says_how_long_it_has_left() {
        let budget = std::sync::Arc::new(RateBudget::default());
        assert_eq!(budget.waiting_for(), None);
        let first = permit(&budget).await;
        // Six points a minute and none left: the next point is about ten seconds away.
        budget.observe(&headers(6, 0, 60), &first);
        drop(first);
        let cancel = CancellationToken::new();
        let waiter = {
            let (budget, cancel) = (budget.clone(), cancel.clone());
            tokio::spawn(async move { budget.acquire(&cancel).await.map(drop) })
        };
        let mut left = None;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            left = budget.waiting_for();
            if left.is_some() {
                break;
            }
        }
        let left = left.expect("the request waits");
        assert!(
            left > Duration::from_secs(5) && left <= Duration::from_secs(13),
            "{left:?}"
        );
        cancel.cancel();
        assert!(matches!(waiter.await.unwrap(), Err(Error::Interrupted)));
        assert_eq!(budget.waiting_for(), None);
    }
}
