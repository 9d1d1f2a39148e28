//! When and how long to retry: transport failures, 5xx and unreadable bodies are retried with jittered
//! exponential backoff up to a limit; 429s wait for the bucket instead and have their own, larger limit.

use rand::RngExt;
use std::time::Duration;

/// How hard the client tries before it gives up on a request.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Retries after a transport error, a 5xx or a broken body (the first attempt is not counted).
    pub max_retries: u32,
    /// Backoff before the first retry; it doubles each time, with full jitter.
    pub base_delay: Duration,
    /// The longest single backoff.
    pub max_delay: Duration,
    /// 429 answers waited out in a row before giving up.
    pub max_rate_limited: u32,
    /// The whole-request timeout.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_rate_limited: 20,
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `retry` (1-based): a random point in the upper half of the doubled delay,
    /// so parallel requests that failed together do not come back together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1 << retry.saturating_sub(1).min(16))
            .min(self.max_delay);
        let floor = ceiling / 2;
        floor + (ceiling - floor).mul_f64(rand::rng().random_range(0.0..=1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy::default();
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(125) && first <= Duration::from_millis(250));
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(500) && third <= Duration::from_secs(1));
            assert!(policy.backoff(30) <= policy.max_delay);
        }
    }
}
