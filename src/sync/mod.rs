//! The sync engine: the only place that uses both the client and the archive. For each channel, concurrently
//! under the client's one rate budget, it fetches the profile, followers, videos, live stream, chatters and
//! (for the logged-in user) followed channels, and commits each page with its checkpoint, so an interrupted
//! sync continues where it stopped with no gap and no duplicate.

mod channel;
mod chapters;
pub mod chat;
mod chatters;
mod clips;
mod follower_writer;
mod followers;
mod following;
mod games;
pub mod live;
mod live_batch;
pub mod lock;
pub mod run;
pub mod schedule;
mod stream_schedule;
mod streams;
mod subscribers;
pub mod video_chat;
mod videos;

use futures::StreamExt;
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::archive::{self, Archive, Stamp};
use crate::client::helix::users::{self, User};
use crate::client::{Client, Login, UserId, metered};
use crate::error::{Error, Result};
use run::{Run, RunStatus};

/// The parts of a channel a sync can fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// Channel settings (title, game, tags) and a snapshot of them.
    Channel,
    /// Followers: incremental down to the first known follow; full now and then, recording unfollows.
    Followers,
    /// Videos: new ones added, changed ones updated, vanished ones marked deleted.
    Videos,
    /// The live stream, with a viewer-count snapshot.
    Stream,
    /// Who is in chat (needs a moderator login).
    Chatters,
    /// The channels the logged-in user follows (when syncing that user).
    Following,
    /// VOD chapters (the games and where each starts) of every archive VOD whose chapters are not final.
    Chapters,
    /// Chat replay of every archive VOD whose chat is not complete.
    Chat,
    /// Clips, walked by time windows, with their view counts snapshotted.
    Clips,
    /// The stream schedule, read whole each sync: changed, cancelled and vanished segments recorded.
    Schedule,
    /// A snapshot of the channel's subscribers (when logged in as the channel, with `--scopes subs`).
    Subscribers,
}

impl Part {
    /// The part's name, as `--only` takes it and `sync_run_parts.part` stores it.
    pub fn name(self) -> &'static str {
        match self {
            Part::Channel => "channel",
            Part::Followers => "followers",
            Part::Videos => "videos",
            Part::Stream => "stream",
            Part::Chatters => "chatters",
            Part::Following => "following",
            Part::Chapters => "chapters",
            Part::Chat => "chat",
            Part::Clips => "clips",
            Part::Schedule => "schedule",
            Part::Subscribers => "subscribers",
        }
    }

    /// What the progress line says while the part runs.
    fn label(self) -> &'static str {
        match self {
            Part::Chat => "chat replay",
            other => other.name(),
        }
    }

    /// Every part, in the order a sync runs them.
    pub const ALL: [Part; 11] = [
        Part::Channel,
        Part::Followers,
        Part::Videos,
        Part::Stream,
        Part::Chatters,
        Part::Following,
        Part::Chapters,
        Part::Chat,
        Part::Clips,
        Part::Schedule,
        Part::Subscribers,
    ];
}

/// Hydrated accounts staged, at least, before the follower writer merges a run of them while it waits (see
/// `SyncOptions::account_run`). Large enough that a run's fixed costs are small beside its rows, small enough
/// that a run (0.5 s on average, at most 0.8 s, over a 1M walk) does not hold the walk up: 100,000 held it up to
/// 1.8 s.
pub const DEFAULT_ACCOUNT_RUN: usize = 20_000;

/// How to sync.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Which parts to fetch.
    pub parts: BTreeSet<Part>,
    /// Walk whole lists (followers) and record unfollows, whatever the checkpoints say.
    pub full: bool,
    /// A full follower walk happens at least this often.
    pub full_every: Duration,
    /// Stop each list after this many items (for trials); a limited walk is never counted as complete.
    pub limit: Option<u64>,
    /// Channels synced at once.
    pub concurrency: usize,
    /// Segments each VOD's chat download is split into (fetched in parallel).
    pub chat_segments: usize,
    /// Hydrated follower accounts staged, at least, before the follower writer merges a run of them into
    /// `users` while a walk goes on (0: only at the walk's end). A tuning knob for benchmarks and tests.
    pub account_run: usize,
    /// What ran, for the sync_runs table.
    pub command: String,
    /// Cancelled to stop after the page in hand (Ctrl-C, SIGTERM).
    pub cancel: tokio_util::sync::CancellationToken,
}

impl SyncOptions {
    /// Whether a part's next read must be whole (the follower list, clips' history, the subscriber list):
    /// `--full` asks for it, none was ever made (`last_full`, RFC 3339, is missing or unreadable), or
    /// `full_every` has passed since, on the archive's clock. A period too long for the calendar is never due.
    pub(crate) fn full_read_due(&self, last_full: Option<&str>) -> bool {
        let Some(last) = last_full.and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok()) else {
            return true;
        };
        let due = chrono::Duration::from_std(self.full_every)
            .ok()
            .and_then(|every| last.checked_add_signed(every));
        self.full || due.is_some_and(|due| due <= archive::now())
    }
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            parts: Part::ALL.into_iter().collect(),
            full: false,
            full_every: Duration::from_secs(7 * 24 * 3600),
            limit: None,
            concurrency: 4,
            chat_segments: chat::DEFAULT_SEGMENTS,
            account_run: DEFAULT_ACCOUNT_RUN,
            command: "sync".into(),
            cancel: Default::default(),
        }
    }
}

/// What a sync did to one channel.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChannelSummary {
    pub login: String,
    pub id: String,
    /// The follower total Twitch reported.
    pub follower_total: Option<u64>,
    pub follows_new: u64,
    pub follows_gone: u64,
    /// How followers were read.
    pub followers_walk: Option<FollowersWalk>,
    pub users_hydrated: u64,
    pub videos_new: u64,
    pub videos_changed: u64,
    pub videos_gone: u64,
    pub live_viewers: Option<u64>,
    pub chatters: Option<u64>,
    pub following_new: u64,
    pub following_gone: u64,
    /// VODs whose chat was completed, and their messages.
    pub chat_videos: u64,
    pub chat_messages: u64,
    /// VODs whose chapters were fetched, and the chapters seen for the first time.
    pub chapter_videos: u64,
    pub chapters_new: u64,
    /// Clips archived for the first time, and view-count snapshots taken (first sightings included).
    pub clips_new: u64,
    pub clip_snapshots: u64,
    /// Segments the schedule listed; `None` when not read or when the channel has no schedule.
    pub schedule_segments: Option<u64>,
    /// The channel has no schedule (Twitch's 404).
    pub schedule_none: bool,
    /// Schedule segments new, changed (cancellations included) and gone since the last read.
    pub schedule_new: u64,
    pub schedule_changed: u64,
    pub schedule_gone: u64,
    /// The subscriber total and sub points Twitch reported (when the part could read them).
    pub subscriber_total: Option<u64>,
    pub subscriber_points: Option<u64>,
    /// Helix requests this channel used.
    pub requests: u64,
    /// Things the user should know (a part skipped for lack of rights), said once per run by the CLI.
    pub notes: Vec<String>,
    /// Each part that ran, in order, and how it ended.
    pub parts: Vec<PartOutcome>,
    /// The parts that failed (the others ran and were saved).
    pub failed_parts: Vec<FailedPart>,
    /// Why the channel as a whole failed (before any part could run), if it did.
    pub error: Option<SyncError>,
    /// Stopped by Ctrl-C or SIGTERM (not a failure): what was committed stays, the next sync resumes.
    pub interrupted: bool,
}

/// How a sync read a channel's followers (`summary_json` stores "full", "incremental" or "total only").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FollowersWalk {
    /// The whole list, recording unfollows at the end.
    #[serde(rename = "full")]
    Full,
    /// From the newest down to the first follow already archived.
    #[serde(rename = "incremental")]
    Incremental,
    /// Only the total: the list is not visible to this login (Twitch shows it to the broadcaster and moderators).
    #[serde(rename = "total only")]
    TotalOnly,
}

/// How one part of a channel's sync ended (its `sync_run_parts` row).
#[derive(Clone, Debug, Serialize)]
pub struct PartOutcome {
    pub part: Part,
    pub status: RunStatus,
    /// Requests the part sent (retries included).
    pub requests: u64,
    pub error: Option<SyncError>,
}

/// A part of a channel's sync that failed, and why.
#[derive(Clone, Debug, Serialize)]
pub struct FailedPart {
    pub part: Part,
    pub error: SyncError,
}

/// An error kept whole in a summary, so the command can still say its hint; shown (and stored in
/// `sync_runs.summary_json`) as its chain of causes on one line.
#[derive(Clone, Debug)]
pub struct SyncError(Arc<Error>);

impl SyncError {
    /// The error itself.
    pub fn error(&self) -> &Error {
        &self.0
    }
}

impl From<Error> for SyncError {
    fn from(error: Error) -> SyncError {
        SyncError(Arc::new(error))
    }
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::error::display_chain(&*self.0))
    }
}

impl Serialize for SyncError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl ChannelSummary {
    /// Whether `part` ran in this sync (every part, for a summary that lists none).
    fn ran(&self, part: Part) -> bool {
        self.parts.is_empty() || self.parts.iter().any(|outcome| outcome.part == part)
    }

    /// How the channel's sync ended: interrupted, failed (the channel or a part), or ok.
    pub fn status(&self) -> RunStatus {
        RunStatus::of(self.interrupted, self.failed())
    }

    /// True when the channel or any of its parts failed.
    pub fn failed(&self) -> bool {
        self.error.is_some() || !self.failed_parts.is_empty()
    }

    /// The errors of this channel: its own, then its parts'.
    pub fn errors(&self) -> impl Iterator<Item = &SyncError> {
        self.error.iter().chain(self.failed_parts.iter().map(|p| &p.error))
    }
}

impl std::fmt::Display for ChannelSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(error) = &self.error {
            return write!(f, "{}: failed after {} requests: {error}", self.login, self.requests);
        }
        if self.interrupted {
            // Only what was counted before the stop: nothing here claims what was not looked at.
            write!(
                f,
                "{}: stopped, the next sync resumes (followers +{} -{}",
                self.login, self.follows_new, self.follows_gone
            )?;
            if let Some(total) = self.follower_total {
                write!(f, " of {total}")?;
            }
            write!(
                f,
                ", videos +{} ~{} -{}, chat of {} VODs, {} requests)",
                self.videos_new, self.videos_changed, self.videos_gone, self.chat_videos, self.requests
            )?;
            return Ok(());
        }
        // Only the parts that ran have a clause: `--only subscribers` said "followers +0 -0, videos +0 ~0 -0,
        // offline" of parts it never looked at.
        let mut clauses = Vec::new();
        if self.ran(Part::Followers) {
            let total = match (self.follower_total, self.followers_walk) {
                (Some(total), Some(FollowersWalk::TotalOnly)) => format!(" (total {total}, list not visible)"),
                (Some(total), _) => format!(" (total {total})"),
                _ => String::new(),
            };
            clauses.push(format!("followers +{} -{}{total}", self.follows_new, self.follows_gone));
        }
        if self.ran(Part::Videos) {
            clauses.push(format!(
                "videos +{} ~{} -{}",
                self.videos_new, self.videos_changed, self.videos_gone
            ));
        }
        if self.ran(Part::Stream) {
            clauses.push(match self.live_viewers {
                Some(viewers) => format!("live ({viewers} viewers)"),
                None => "offline".to_owned(),
            });
        }
        if let Some(chatters) = self.chatters {
            clauses.push(format!("{chatters} chatters"));
        }
        if self.chat_videos > 0 {
            clauses.push(format!(
                "chat of {} VODs ({} messages)",
                self.chat_videos, self.chat_messages
            ));
        }
        if self.chapter_videos > 0 {
            clauses.push(format!(
                "chapters of {} VODs (+{})",
                self.chapter_videos, self.chapters_new
            ));
        }
        if self.schedule_none {
            clauses.push("no schedule".to_owned());
        } else if let Some(segments) = self.schedule_segments {
            clauses.push(format!(
                "schedule {segments} segments (+{} ~{} -{})",
                self.schedule_new, self.schedule_changed, self.schedule_gone
            ));
        }
        if let Some(total) = self.subscriber_total {
            let points = self
                .subscriber_points
                .map(|p| format!(" ({p} points)"))
                .unwrap_or_default();
            clauses.push(format!("{total} subscribers{points}"));
        }
        if self.following_new + self.following_gone > 0 {
            clauses.push(format!("following +{} -{}", self.following_new, self.following_gone));
        }
        if self.clips_new + self.clip_snapshots > 0 {
            clauses.push(format!(
                "clips +{} ({} view counts)",
                self.clips_new, self.clip_snapshots
            ));
        }
        let plural = if self.requests == 1 { "" } else { "s" };
        clauses.push(format!("{} request{plural}", self.requests));
        write!(f, "{}: {}", self.login, clauses.join(", "))?;
        for failed in &self.failed_parts {
            write!(f, "; {} failed: {}", failed.part.name(), failed.error)?;
        }
        Ok(())
    }
}

/// What a whole sync did.
#[derive(Clone, Debug, Serialize)]
pub struct SyncReport {
    pub run_id: i64,
    /// When the run started and ended, as its `sync_runs` row says.
    pub started_at: String,
    pub finished_at: String,
    pub channels: Vec<ChannelSummary>,
}

impl SyncReport {
    /// True when any channel failed.
    pub fn failed(&self) -> bool {
        self.channels.iter().any(ChannelSummary::failed)
    }
}

/// Everything a part of one channel's sync needs.
pub(crate) struct ChannelContext {
    pub client: Arc<Client>,
    pub archive: Archive,
    pub user: User,
    pub run: i64,
    pub options: SyncOptions,
}

impl ChannelContext {
    fn id(&self) -> &UserId {
        &self.user.id
    }

    /// Seen now, by this channel's run.
    fn stamp(&self) -> Stamp {
        Stamp::now(self.run)
    }

    /// Adds the facts in `snapshot` to this run's snapshot of the channel, now that a part has read them.
    async fn save_snapshot(&self, snapshot: archive::channels::ChannelSnapshot) -> Result<()> {
        let (broadcaster, stamp) = (self.id().clone(), self.stamp());
        self.archive
            .write("saving a channel snapshot", move |tx| {
                archive::channels::save_channel_snapshot(tx, &broadcaster, &snapshot, &stamp)
            })
            .await
    }

    /// Err(Interrupted) once a stop was asked for: called between pages, after the last one was committed.
    fn check(&self) -> Result<()> {
        if self.options.cancel.is_cancelled() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Resolves `logins` (one request per 100), failing on the first unknown one before anything is written.
pub async fn resolve_channels(client: &Client, logins: &[Login]) -> Result<Vec<(User, serde_json::Value)>> {
    let found = users::fetch_users_by_login(client, logins).await?;
    logins
        .iter()
        .map(|login| {
            found
                .iter()
                .find(|(user, _)| user.login.eq_ignore_ascii_case(login.as_str()))
                .cloned()
                .ok_or_else(|| Error::UnknownUser {
                    login: login.to_string(),
                })
        })
        .collect()
}

/// Syncs resolved channels into the archive. A channel that fails does not stop the others; its error is in
/// its summary.
pub async fn sync_channels(
    client: Arc<Client>,
    archive: Archive,
    channels: Vec<(User, serde_json::Value)>,
    options: SyncOptions,
    progress: &Progress,
) -> Result<SyncReport> {
    let run = Run::start(&archive, &client, options.command.clone()).await?;
    let options_cancel = options.cancel.clone();
    let concurrency = options.concurrency.max(1);
    let summaries: Vec<ChannelSummary> = futures::stream::iter(channels)
        .map(|(user, raw)| {
            let ctx = ChannelContext {
                client: client.clone(),
                archive: archive.clone(),
                user,
                run: run.id(),
                options: options.clone(),
            };
            let bar = progress.channel(&ctx.user.login, &client);
            async move {
                let (result, requests) = metered(channel::sync_channel(&ctx, raw, &bar)).await;
                let mut summary = result.unwrap_or_else(|error| ChannelSummary {
                    login: ctx.user.login.clone(),
                    id: ctx.user.id.to_string(),
                    interrupted: matches!(error, Error::Interrupted),
                    error: (!matches!(error, Error::Interrupted)).then(|| SyncError::from(error)),
                    ..ChannelSummary::default()
                });
                summary.requests = requests;
                bar.finish(&summary);
                summary
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    let mut report = SyncReport {
        run_id: run.id(),
        started_at: run.started_at().to_string(),
        finished_at: String::new(),
        channels: summaries,
    };
    let status = RunStatus::of(options_cancel.is_cancelled(), report.failed());
    let summary_json = serde_json::to_string(&report.channels).expect("summaries serialise");
    let first_error = report.channels.iter().find_map(|c| {
        c.error.as_ref().map(SyncError::to_string).or_else(|| {
            c.failed_parts
                .first()
                .map(|p| format!("{}: {}", p.part.name(), p.error))
        })
    });
    report.finished_at = run
        .finish(&client, status, summary_json, first_error)
        .await?
        .to_string();
    // Fold the write-ahead log into the database now, so this run pays for its writes (not the next one) and
    // the -wal file does not stay as large as the biggest merge.
    archive
        .read("checkpointing", |c| {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        })
        .await?;
    Ok(report)
}

mod progress;
pub use progress::{ChannelBar, Progress};

#[cfg(test)]
mod tests {
    use super::SyncOptions;
    use crate::archive::timestamp;
    use std::time::Duration;

    /// One rule for the follower list, clips and subscribers: what `--full`, `--full-every` and a missing or
    /// old full read mean is the same for all three.
    #[test]
    fn a_full_read_is_due_when_asked_never_made_or_older_than_full_every() {
        let day = Duration::from_secs(24 * 3600);
        let options = |full, full_every| SyncOptions {
            full,
            full_every,
            ..SyncOptions::default()
        };
        let ago = |days: i64| timestamp(crate::archive::now() - chrono::Duration::days(days));
        let weekly = options(false, 7 * day);
        assert!(weekly.full_read_due(None), "never made");
        assert!(weekly.full_read_due(Some("not a time")), "unreadable");
        assert!(!weekly.full_read_due(Some(&ago(6))));
        assert!(weekly.full_read_due(Some(&ago(8))));
        assert!(options(true, 7 * day).full_read_due(Some(&ago(0))), "--full");
        assert!(
            !options(false, Duration::MAX).full_read_due(Some(&ago(10_000))),
            "a period past the calendar is never due"
        );
    }
}
