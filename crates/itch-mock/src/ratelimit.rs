//! Helix's rate limit: a token bucket per client id and user (or app), refilled continuously.
//!
//! The Helix pipeline in [`server`](crate::server) takes one point per request and copies the result into the
//! `Ratelimit-*` headers of every response, 429s included, so a client's limiter meets the real arithmetic.

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The state of one bucket after a request, as the headers report it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateInfo {
    /// `Ratelimit-Limit`: the bucket's capacity.
    pub limit: u32,
    /// `Ratelimit-Remaining`: whole points left.
    pub remaining: u32,
    /// `Ratelimit-Reset`: Unix seconds when the bucket is full again.
    pub reset: u64,
    /// Whether the request got its point.
    pub allowed: bool,
}

impl RateInfo {
    /// The headers every Helix response carries.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            ("ratelimit-limit", self.limit.to_string()),
            ("ratelimit-remaining", self.remaining.to_string()),
            ("ratelimit-reset", self.reset.to_string()),
        ]
    }
}

struct Bucket {
    points: f64,
    at: Instant,
}

/// All buckets of one server.
pub(crate) struct Limiter {
    capacity: u32,
    per_sec: f64,
    buckets: HashMap<String, Bucket>,
}

impl Limiter {
    pub fn new(capacity: u32, refill_per_minute: u32) -> Limiter {
        Limiter {
            capacity,
            per_sec: f64::from(refill_per_minute) / 60.0,
            buckets: HashMap::new(),
        }
    }

    /// Takes one point from `key`'s bucket if it has one.
    pub fn take(&mut self, key: &str) -> RateInfo {
        let now = Instant::now();
        let cap = f64::from(self.capacity);
        if !self.buckets.contains_key(key) {
            self.buckets.insert(key.to_owned(), Bucket { points: cap, at: now });
        }
        let b = self.buckets.get_mut(key).expect("inserted above");
        b.points = (b.points + now.duration_since(b.at).as_secs_f64() * self.per_sec).min(cap);
        b.at = now;
        let allowed = b.points >= 1.0;
        if allowed {
            b.points -= 1.0;
        }
        let missing = cap - b.points;
        // With no refill the bucket never fills again; a day ahead stands in for "not soon".
        let wait = if self.per_sec > 0.0 {
            missing / self.per_sec
        } else {
            86_400.0
        };
        RateInfo {
            limit: self.capacity,
            remaining: b.points.floor() as u32,
            reset: unix_after(wait),
            allowed,
        }
    }

    /// Headers for a forced 429: an empty bucket that refills within a second.
    pub fn forced(&self) -> RateInfo {
        RateInfo {
            limit: self.capacity,
            remaining: 0,
            reset: unix_after(1.0),
            allowed: false,
        }
    }
}

/// Unix seconds `secs` from now, rounded up so a client that sleeps until then finds the points there.
fn unix_after(secs: f64) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    (now + secs).ceil() as u64
}
