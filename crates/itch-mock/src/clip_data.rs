//! A clip of the fake world as stored: the data alone, so the world can hold clips without knowing how
//! [`clips`](super) draws them.

use serde_json::Value;

use crate::seed::Game;

/// A clip of the fake world.
#[derive(Clone, Debug)]
pub(crate) struct Clip {
    /// The slug.
    pub id: String,
    pub channel: usize,
    /// The follower index (in its channel) of who made it.
    pub creator: u64,
    /// The archive video it was made from and its start in it, in seconds; `None` when the VOD is gone.
    pub video: Option<(u64, u32)>,
    pub game: Game,
    pub title: String,
    pub created_at: i64,
    /// Tenths of a second.
    pub duration_tenths: u32,
    /// Views at creation, and views gained per hour of clock during the first day (or for ever, for `growing`).
    pub base_views: u64,
    pub per_hour: u64,
    pub growing: bool,
    pub is_featured: bool,
}

impl Clip {
    /// Views at clock time `now`.
    pub fn view_count(&self, now: i64) -> u64 {
        let age_hours = ((now - self.created_at).max(0) / 3600) as u64;
        let hours = if self.growing { age_hours } else { age_hours.min(24) };
        self.base_views + hours * self.per_hour
    }

    /// `duration` as Twitch sends it: an integer when whole, else one decimal.
    pub fn duration_json(&self) -> Value {
        if self.duration_tenths.is_multiple_of(10) {
            Value::from(self.duration_tenths / 10)
        } else {
            Value::from(f64::from(self.duration_tenths) / 10.0)
        }
    }
}
