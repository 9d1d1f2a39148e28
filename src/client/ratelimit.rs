//! The shared rate budget: every Helix request of one `Client` draws from it, and every answer's `Ratelimit-*`
//! headers refill it. It never sends a request that it knows the bucket will refuse: with no points left it
//! waits for one point to come back (the bucket refills continuously), queueing waiters one behind the other.
//! <https://dev.twitch.tv/docs/api/guide/#twitch-rate-limits>

use reqwest::header::HeaderMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the last answer said about the bucket, minus what we have spent since.
#[derive(Debug, Default)]
struct Bucket {
    /// `Ratelimit-Limit`: the bucket size (Twitch documents it as the refill per minute; both are 800).
    limit: Option<i64>,
    /// Points we believe are left: the header's value less the requests sent after it.
    remaining: Option<i64>,
    /// `Ratelimit-Reset`: when the bucket is full again.
    reset_at: Option<SystemTime>,
    /// Requests sent whose answers have not arrived.
    in_flight: i64,
}

/// A token-bucket mirror shared by all requests of a client.
#[derive(Debug, Default)]
pub struct RateBudget {
    bucket: Mutex<Bucket>,
    /// Held while deciding (and while waiting), so waiters take refilled points one at a time.
    gate: tokio::sync::Mutex<()>,
}

/// One request's claim on the budget; dropping it marks the request finished.
#[derive(Debug)]
pub struct Permit<'a> {
    budget: &'a RateBudget,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.budget.bucket.lock().expect("rate budget lock").in_flight -= 1;
    }
}

impl RateBudget {
    /// Waits until a point is available, then spends it.
    pub async fn acquire(&self) -> Permit<'_> {
        let _turn = self.gate.lock().await;
        let wait = {
            let mut bucket = self.bucket.lock().expect("rate budget lock");
            let wait = bucket.wait_for_point(SystemTime::now());
            if let Some(remaining) = bucket.remaining.as_mut() {
                // After the wait one point has come back and we spend it: net zero. Otherwise spend one.
                if wait.is_zero() {
                    *remaining -= 1;
                }
            }
            bucket.in_flight += 1;
            wait
        };
        if !wait.is_zero() {
            tracing::debug!(?wait, "rate budget empty, waiting for a point");
            tokio::time::sleep(wait).await;
        }
        Permit { budget: self }
    }

    /// Reads the `Ratelimit-*` headers of an answer to a request sent with `_permit`.
    pub fn observe(&self, headers: &HeaderMap, _permit: &Permit<'_>) {
        let (limit, remaining, reset) = (
            header_int(headers, "ratelimit-limit"),
            header_int(headers, "ratelimit-remaining"),
            header_int(headers, "ratelimit-reset"),
        );
        let mut bucket = self.bucket.lock().expect("rate budget lock");
        if let Some(limit) = limit {
            bucket.limit = Some(limit);
        }
        if let Some(remaining) = remaining {
            // The other requests in flight were counted by us but maybe not yet by Twitch: assume they were not.
            bucket.remaining = Some(remaining - (bucket.in_flight - 1).max(0));
        }
        if let Some(reset) = reset.and_then(|s| u64::try_from(s).ok()) {
            bucket.reset_at = Some(UNIX_EPOCH + Duration::from_secs(reset));
        }
    }

    /// How long a 429 answer asks us to wait: until `Ratelimit-Reset`, at least a moment, at most a minute.
    pub fn wait_after_429(&self, headers: &HeaderMap) -> Duration {
        let reset = header_int(headers, "ratelimit-reset").and_then(|s| u64::try_from(s).ok());
        let wait = reset
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
            .and_then(|at| at.duration_since(SystemTime::now()).ok())
            .unwrap_or_default();
        // Reset is in whole seconds: add a margin so we do not arrive just before the refill.
        (wait + Duration::from_millis(250)).min(Duration::from_secs(60))
    }

    /// The points we believe are left, if an answer has told us.
    pub fn remaining(&self) -> Option<i64> {
        self.bucket.lock().expect("rate budget lock").remaining
    }
}

impl Bucket {
    /// Zero when a point is there to spend; otherwise the time one point takes to come back.
    fn wait_for_point(&mut self, now: SystemTime) -> Duration {
        let (Some(remaining), Some(reset_at)) = (self.remaining, self.reset_at) else {
            return Duration::ZERO;
        };
        if remaining > 0 {
            return Duration::ZERO;
        }
        let Ok(until_full) = reset_at.duration_since(now) else {
            // The bucket is full again by now; the next answer will tell us how full.
            self.remaining = self.limit;
            return Duration::ZERO;
        };
        let missing = (self.limit.unwrap_or(800) - remaining).max(1) as u32;
        // Reset is rounded to whole seconds; a 20 ms margin keeps us on the safe side of the refill.
        until_full / missing + Duration::from_millis(20)
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

    #[tokio::test]
    async fn spends_points_then_waits_for_one_to_refill() {
        let budget = RateBudget::default();
        let permit = budget.acquire().await;
        budget.observe(&headers(800, 2, 60), &permit);
        drop(permit);
        assert_eq!(budget.remaining(), Some(2));
        drop(budget.acquire().await);
        drop(budget.acquire().await);
        assert_eq!(budget.remaining(), Some(0));
        let mut bucket = budget.bucket.lock().unwrap();
        let wait = bucket.wait_for_point(SystemTime::now());
        // 800 points missing, at most 60 s to refill all: one point is 75 ms or a little less.
        assert!(
            wait > Duration::from_millis(30) && wait < Duration::from_millis(120),
            "{wait:?}"
        );
    }

    #[tokio::test]
    async fn no_headers_means_no_waiting() {
        let budget = RateBudget::default();
        for _ in 0..1000 {
            drop(budget.acquire().await);
        }
        assert_eq!(budget.remaining(), None);
    }

    #[test]
    fn a_429_waits_until_reset() {
        let wait = RateBudget::default().wait_after_429(&headers(800, 0, 2));
        assert!(
            wait > Duration::from_millis(1000) && wait <= Duration::from_millis(2250),
            "{wait:?}"
        );
        assert_eq!(
            RateBudget::default().wait_after_429(&HeaderMap::new()),
            Duration::from_millis(250)
        );
    }
}
