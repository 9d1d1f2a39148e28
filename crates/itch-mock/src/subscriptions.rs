//! The fake world's subscribers: each channel's subscribers are some of its followers, chosen from the seed, with
//! a tier (mostly 1000, some 2000 and 3000) and for some a gifter (another follower); and the changes tests make
//! between syncs ([`SubsEdit`]: a new subscriber, a lost one). `helix/subscriptions.rs` serves them.
//!
//! It reads no world: the handler turns follower positions into users.

use std::collections::{BTreeMap, BTreeSet};

use crate::seed::hash;

const TAG: u64 = 0x5ab5_c41b;

/// A change a test makes to a channel's subscribers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubsEdit {
    /// A follower who was not subscribed subscribes (tier 1, not a gift).
    New,
    /// The `n`-th subscriber (as listed) lets the subscription lapse.
    Lose(usize),
    /// The first tier-1 subscriber listed at or after the `n`-th lets the subscription lapse and a follower who was
    /// not subscribed subscribes (tier 1, not a gift): the total and the points stay as they were, the list does
    /// not (and from the `n`-th on, it shifts by one).
    Swap(usize),
}

/// The edits made so far, by channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct Edits {
    added: BTreeMap<usize, u64>,
    lost: BTreeSet<(usize, u64)>,
}

/// One subscription, by follower positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FakeSub {
    /// The subscriber: the follower at this position.
    pub follower: u64,
    pub tier: u32,
    /// The gifter, another follower, for a gift.
    pub gifter: Option<u64>,
}

impl FakeSub {
    /// Sub points: tier 1 = 1, tier 2 = 2, tier 3 = 6.
    pub fn points(self) -> u64 {
        match self.tier {
            3000 => 6,
            2000 => 2,
            _ => 1,
        }
    }
}

/// How many of its `followers` subscribe to channel `c` at the start: 250 (or half the followers) for the
/// largest, 12 (or half) for the others.
fn seeded(c: usize, followers: u64) -> u64 {
    (followers / 2).min(if c == 0 { 250 } else { 12 })
}

/// The subscribers of channel `c` (with `followers` followers), in a fixed order, edits applied.
pub(crate) fn subscribers(seed: u64, edits: &Edits, c: usize, followers: u64) -> Vec<FakeSub> {
    let base = seeded(c, followers);
    let added = edits.added.get(&c).copied().unwrap_or(0);
    (0..(base + added).min(followers))
        .filter(|i| !edits.lost.contains(&(c, *i)))
        .map(|i| {
            let h = hash(&[seed, TAG, c as u64, i]);
            let new = i >= base;
            FakeSub {
                follower: i,
                tier: match h % 10 {
                    _ if new => 1000,
                    0..=6 => 1000,
                    7 | 8 => 2000,
                    _ => 3000,
                },
                gifter: (!new && (h >> 8).is_multiple_of(4))
                    .then(|| (i + 1 + (h >> 16) % (followers - 1).max(1)) % followers),
            }
        })
        .collect()
}

/// Applies `edit` to channel `c`; returns the follower position of the subscriber it touched.
pub(crate) fn apply(seed: u64, edits: &mut Edits, c: usize, followers: u64, edit: SubsEdit) -> Result<u64, String> {
    let list = subscribers(seed, edits, c, followers);
    match edit {
        SubsEdit::New => {
            let next = seeded(c, followers) + edits.added.get(&c).copied().unwrap_or(0);
            if next >= followers {
                return Err("every follower already subscribes".into());
            }
            *edits.added.entry(c).or_default() += 1;
            Ok(next)
        }
        SubsEdit::Lose(n) => {
            let sub = list
                .get(n)
                .ok_or_else(|| format!("{} subscribers, not {}", list.len(), n + 1))?;
            edits.lost.insert((c, sub.follower));
            Ok(sub.follower)
        }
        SubsEdit::Swap(n) => {
            let sub = list
                .iter()
                .skip(n)
                .find(|s| s.tier == 1000)
                .copied()
                .ok_or_else(|| format!("no tier-1 subscriber from the {}th on", n + 1))?;
            apply(seed, edits, c, followers, SubsEdit::New)?;
            edits.lost.insert((c, sub.follower));
            Ok(sub.follower)
        }
    }
}
