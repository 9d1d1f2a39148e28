//! The chat clock of the fake IRC server: every [`TICK`](crate::irc_rooms::TICK) it lets each room with a reader
//! say its share of the rate, then hands each room's lines to its readers as one batch.
//!
//! It is the only part of the chat that runs on its own (beside the connections); it reads the knobs from the
//! shared state each tick, so [`MockServer::irc_rate`](crate::MockServer::irc_rate) and
//! [`MockServer::irc_quiet`](crate::MockServer::irc_quiet) take effect at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::irc_rooms::{Line, TICK};
use crate::state::{Shared, lock};

/// Runs the chat clock until the task is dropped.
pub(crate) async fn clock(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = Instant::now();
    loop {
        tick.tick().await;
        let now = Instant::now();
        step(&shared, now - last);
        last = now;
    }
}

/// One tick: every active room says its share of the rate, and every batch goes out.
fn step(shared: &Shared, elapsed: Duration) {
    let rate = shared.irc_rate.load(Ordering::Relaxed);
    let quiet = shared.irc_quiet.load(Ordering::Relaxed);
    let mut rooms = lock(&shared.irc_rooms);
    let active = rooms.active();
    if active.is_empty() {
        return;
    }
    let mut out: HashMap<String, Vec<Line>> = HashMap::new();
    {
        let world = lock(&shared.world);
        let now_ms = chrono::Utc::now().timestamp_millis();
        for login in active {
            let Some(c) = world.channels.iter().position(|ch| ch.login == login) else {
                continue;
            };
            let n = rooms.budget(&login, rate, elapsed, quiet);
            rooms.talk(&world, c, n, now_ms, &mut out);
        }
    }
    for (room, lines) in out {
        if !lines.is_empty() {
            rooms.deliver(&room, lines);
        }
    }
}
