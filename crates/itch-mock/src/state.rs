//! The state one fake server shares between its handlers: config, world, tokens, buckets, faults, counters.
//!
//! Typed and owned by the server (an `Arc` in the router), never global, so any number of servers run side by
//! side in one test process. Each part has its own lock, held only for synchronous work, never across an await.

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Mutex, MutexGuard};

use crate::faults::Faults;
use crate::irc_rooms::Rooms;
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
    /// The chat rooms (IRC): readers, what each room said lately, Shared Chat, suspensions, counters.
    pub irc_rooms: Mutex<Rooms>,
    /// Chat connections opened so far, for their ids.
    pub irc_conns: AtomicU64,
    /// Lines per second each room with a reader says.
    pub irc_rate: AtomicU64,
    /// When set, rooms say nothing at all (PING still comes).
    pub irc_quiet: AtomicBool,
    /// When not 0, every chat connection is told to RECONNECT and closed after this many live messages.
    pub irc_reconnect_after: AtomicU64,
    /// When not 0, every chat connection is told to RECONNECT and closed this many ms after it opened.
    pub irc_reconnect_every_ms: AtomicU64,
    /// How often the server sends `PING :tmi.twitch.tv` on each chat connection, in ms (0: never).
    pub irc_ping_every_ms: AtomicU64,
    /// When set, the chapters query's hash is unknown (`PersistedQueryNotFound`), as after Twitch rotates it.
    pub gql_chapters_refused: AtomicBool,
}

/// Locks a mutex, ignoring poisoning: a handler that panicked leaves data that is still consistent enough for
/// a fake, and one failed test should not fail every other request.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A duration in whole milliseconds, for the atomics above.
pub(crate) fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
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
            irc_rooms: Mutex::new(Rooms::default()),
            irc_conns: AtomicU64::new(0),
            irc_rate: AtomicU64::new(u64::from(config.irc_rate)),
            irc_quiet: AtomicBool::new(config.irc_quiet),
            irc_reconnect_after: AtomicU64::new(0),
            irc_reconnect_every_ms: AtomicU64::new(0),
            irc_ping_every_ms: AtomicU64::new(millis(config.irc_ping_every)),
            gql_chapters_refused: AtomicBool::new(false),
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

    /// Waits the configured per-request latency. Zero waits not at all: no timer is armed, since even a zero
    /// sleep waits for the timer wheel's next tick (about 1 ms), which a 10,000-page walk would feel.
    pub async fn latency(&self) {
        if !self.config.latency.is_zero() {
            tokio::time::sleep(self.config.latency).await;
        }
    }

    /// Adds time spent answering a request to [`MockStats::busy_micros`].
    pub fn busy(&self, spent: std::time::Duration) {
        lock(&self.stats).busy_micros += u64::try_from(spent.as_micros()).unwrap_or(u64::MAX);
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
        // No new key (an allocation) once a path has been seen.
        match stats.by_path.get_mut(path) {
            Some(n) => *n += 1,
            None => {
                stats.by_path.insert(path.to_owned(), 1);
            }
        }
    }
}
