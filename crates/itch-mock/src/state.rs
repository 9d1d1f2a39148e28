//! The state one fake server shares between its handlers: config, world, tokens, buckets, faults, counters.
//!
//! Typed and owned by the server (an `Arc` in the router), never global, so any number of servers run side by
//! side in one test process. Each part has its own lock, held only for synchronous work, never across an await.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use crate::faults::Faults;
use crate::ratelimit::Limiter;
use crate::tokens::Tokens;
use crate::world::World;
use crate::{MockChannel, MockConfig, MockStats};

/// Everything behind one server.
pub(crate) struct Shared {
    pub config: MockConfig,
    /// `http://host:port`, for URLs the fake hands out (the device flow's verification URI).
    pub base_url: String,
    pub world: Mutex<World>,
    pub tokens: Mutex<Tokens>,
    pub limiter: Mutex<Limiter>,
    pub faults: Mutex<Faults>,
    pub stats: Mutex<MockStats>,
    /// GQL operations answered so far, for their `requestID`s.
    pub gql_seq: AtomicU64,
    /// Live chat messages sent so far over IRC: each is new, as live chat never repeats.
    pub irc_seq: AtomicU64,
    /// When not 0, every chat connection is told to RECONNECT and closed after this many live messages.
    pub irc_reconnect_after: AtomicU64,
}

/// Locks a mutex, ignoring poisoning: a handler that panicked leaves data that is still consistent enough for
/// a fake, and one failed test should not fail every other request.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(config: MockConfig, base_url: String) -> Result<Shared, String> {
        let world = World::new(&config)?;
        if config.bucket_size == 0 {
            return Err("bucket size must be at least 1".to_owned());
        }
        Ok(Shared {
            world: Mutex::new(world),
            tokens: Mutex::new(Tokens::new(config.seed, config.token_ttl)),
            limiter: Mutex::new(Limiter::new(config.bucket_size, config.refill_per_minute)),
            faults: Mutex::new(Faults::new(config.seed, config.faults.clone())),
            stats: Mutex::new(MockStats::default()),
            gql_seq: AtomicU64::new(0),
            irc_seq: AtomicU64::new(0),
            irc_reconnect_after: AtomicU64::new(0),
            base_url,
            config,
        })
    }

    /// The channels, largest first, with their current totals.
    pub fn channels(&self) -> Vec<MockChannel> {
        let world = lock(&self.world);
        (0..world.channels.len())
            .map(|c| {
                let ch = &world.channels[c];
                MockChannel {
                    id: ch.id.to_string(),
                    login: ch.login.clone(),
                    display_name: ch.display_name.clone(),
                    followers: world.follower_total(c),
                }
            })
            .collect()
    }

    /// Counts one request in the stats.
    pub fn count(&self, path: &str) {
        let mut stats = lock(&self.stats);
        stats.requests += 1;
        if path.starts_with("/helix/") {
            stats.helix_requests += 1;
        } else if path == "/gql" {
            stats.gql_requests += 1;
        }
        *stats.by_path.entry(path.to_owned()).or_default() += 1;
    }
}
