//! `itch demo`: the main job, offline. Starts a fake Twitch in-process, shows what an app token sees (the
//! follower total only), logs in through the device code flow as the broadcaster of the fake's largest channel
//! (the fake approves by itself), syncs that channel (profile, followers with their accounts, videos, stream,
//! chat replay) into an archive file, then lets the fake's world move on for a few simulated days (new and lost
//! followers, some coming back, two streams synced while live, a deleted video) with a sync after each step, so
//! every report and chart has a history to show; then records a few seconds of live chat and prints a first
//! report. The archive lives on the fake's clock (see [`crate::db::time::set_clock`]) and stays for exploring.
//! Ctrl-C or SIGTERM stops it as they stop `itch sync`: any wait cut, the page in hand committed, the summary so
//! far printed (exit 130/143); the same command again resumes at the step it stopped in.

use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::archive::Archive;
use crate::client::helix::followers;
use crate::client::{Client, ClientConfig, Endpoints, Login};
use crate::mock::{MockConfig, MockServer};
use crate::report::{self, Format, OutputOptions, Params};
use crate::secret::Secret;
use crate::sync::{self, Progress, SyncOptions};

/// Try itch offline against a fake Twitch.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  itch demo\n  itch demo --followers 100000 --archive /tmp/demo.db")]
pub struct DemoArgs {
    /// Followers of the fake's largest channel.
    #[arg(long, default_value_t = 25_000)]
    followers: u64,
    /// Chat messages of its newest VOD.
    #[arg(long, default_value_t = 5_000)]
    comments: u64,
    /// The fake's seed (the same seed gives the same world; 0 is `itch mock-api`'s default).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The archive to create (an existing demo archive is synced again, incrementally) [default: the --db given
    /// on the command line, else itch-demo.db].
    #[arg(long)]
    archive: Option<PathBuf>,
}

/// The demo's archive when neither --archive nor --db says: beside the user's own `itch.db`, never in it.
const DEFAULT_ARCHIVE: &str = "itch-demo.db";

/// Runs `itch demo`; `db` is the global `--db` when it was typed on the command line (not from ITCH_DB or the
/// default, which may name the user's real archive).
pub async fn run(args: DemoArgs, db: Option<PathBuf>, quiet: bool) -> anyhow::Result<ExitCode> {
    let cancel = CancellationToken::new();
    let stop = super::signals::install(cancel.clone());
    let path = args
        .archive
        .clone()
        .or(db)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ARCHIVE));
    let failed = match demo(args, &path, quiet, cancel).await {
        Err(error) if stop.exit_code().is_some() && is_interrupted(&error) => {
            crate::outln!("stopped before the sync began")?;
            false
        }
        result => result?,
    };
    Ok(match stop.exit_code() {
        Some(code) => ExitCode::from(code),
        None if failed => ExitCode::from(1),
        None => ExitCode::SUCCESS,
    })
}

fn is_interrupted(error: &anyhow::Error) -> bool {
    matches!(error.downcast_ref::<crate::Error>(), Some(crate::Error::Interrupted))
}

/// `step`, or `Err(Interrupted)` as soon as `cancel` is cancelled: for the steps before the sync, which have
/// nothing to commit.
async fn cut<T>(cancel: &CancellationToken, step: impl Future<Output = crate::Result<T>>) -> crate::Result<T> {
    tokio::select! {
        output = step => output,
        () = cancel.cancelled() => Err(crate::Error::Interrupted),
    }
}

/// How a demo's sync run's command starts (`sync_runs.command`), followed by its world.
const DEMO_RUN: &str = "demo sync: ";

/// The fake world a demo's flags make: the same flags, the same followers, videos and chat.
fn world(args: &DemoArgs) -> String {
    format!(
        "--seed {} --followers {} --comments {}",
        args.seed, args.followers, args.comments
    )
}

/// Refuses an archive the demo would make a mix of: one of another fake world (re-running with another
/// `--followers` would add a second set of followers to the same channel), or one with runs but no demo (a real
/// archive given by mistake as `--db`). A demo archive of this world is synced again, incrementally.
fn check_world(path: &Path, world: &str) -> crate::Result<()> {
    let Some(conn) = crate::archive::db::open_for_check(path)? else {
        return Ok(());
    };
    let commands = crate::archive::runs::load_run_commands(&conn).map_err(|source| crate::Error::Database {
        path: path.to_owned(),
        action: "reading its runs",
        source,
    })?;
    let worlds: Vec<&str> = commands.iter().filter_map(|c| c.strip_prefix(DEMO_RUN)).collect();
    let why = match worlds.iter().find(|w| **w != world) {
        Some(other) => format!("holds the demo world `{other}`, not `{world}`"),
        // Demo archives from before worlds were recorded have only their live recording's run to show.
        None if worlds.is_empty() && commands.iter().any(|c| !c.starts_with("demo")) => {
            "is not a demo archive (it holds runs of other commands)".to_owned()
        }
        None => return Ok(()),
    };
    Err(crate::Error::DemoWouldMix {
        path: path.to_owned(),
        why,
    })
}

/// How to run this same itch again, for the hints: `itch` when that is what the shell finds on PATH, else this
/// binary's own path (a `cargo run` build in target/, say), so every hint runs as printed.
fn command_name() -> String {
    let Ok(me) = std::env::current_exe().and_then(std::fs::canonicalize) else {
        return "itch".into();
    };
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("itch"))
        .find(|candidate| candidate.is_file());
    match on_path.and_then(|found| std::fs::canonicalize(found).ok()) {
        Some(found) if found == me => "itch".into(),
        _ => me.display().to_string(),
    }
}

/// Every endpoint of the fake, chat included. Built here, on itch's side: the fake knows its URLs, not the
/// client's types.
fn endpoints(mock: &MockServer) -> crate::Result<Endpoints> {
    Endpoints::parse(&mock.helix_url(), &mock.oauth_url(), &mock.gql_url())?.with_irc(&mock.irc_url())
}

/// How long the demo records the channel's live chat.
const LIVE_FOR: std::time::Duration = std::time::Duration::from_secs(3);

/// A few seconds of the channel's live chat, as `itch chat --live` records it, so the live reports have something
/// to show: the fake's room talking fast (subs, gifts, timeouts, deletions come with it), its chat server
/// restarting once (a gap), and one raid from another channel of the fake, sent as if just before the channel's
/// first follow wave, so `itch report raids` shows the follows that came with it.
async fn record_live(
    mock: &MockServer,
    client: &Client,
    path: &Path,
    channel: (crate::client::helix::users::User, serde_json::Value),
    cancel: &CancellationToken,
    itch: &str,
) -> anyhow::Result<()> {
    let login = channel.0.login.clone();
    let raid = raid_before_a_wave(mock, path, &login)?;
    mock.irc_rate(400);
    mock.irc_reconnect_after(500);
    let archive = Archive::open(path)?;
    let options = sync::live::LiveOptions {
        duration: Some(LIVE_FOR),
        max_messages: None,
        cancel: cancel.clone(),
    };
    let command = format!("demo: chat --live {login}");
    let recording = sync::live::record_live_run(client, &archive, vec![channel], &options, command);
    // The raid goes out once the room is joined.
    let inject = async {
        for _ in 0..100 {
            if raid.as_ref().is_none_or(|line| mock.irc_inject(&login, line) > 0) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    let (summary, ()) = tokio::join!(recording, inject);
    let summary = summary?;
    mock.irc_reconnect_after(0);
    crate::outln!(
        "\nrecorded {} s of its live chat: {} messages, {} events ({itch} --db {} report subs|raids|moderation|chat-gaps {login})",
        LIVE_FOR.as_secs(),
        summary.messages.values().sum::<u64>(),
        summary.events.values().sum::<u64>(),
        path.display()
    )?;
    Ok(())
}

/// A raid on `login` by another channel of the fake, as Twitch's chat server announces it, timed two minutes
/// before the channel's first follow wave (`itch report bot-waves`); `None` when it has none.
fn raid_before_a_wave(mock: &MockServer, path: &Path, login: &str) -> anyhow::Result<Option<String>> {
    let conn = crate::archive::open_read_only(path)?;
    let params = Params {
        login: Some(login.to_owned()),
        direction: Some(report::Direction::Asc),
        limit: Some(1),
        ..Params::default()
    };
    let mut wave = None;
    report::read_report(
        &conn,
        report::find("bot-waves").expect("bot-waves report"),
        &params,
        |row| {
            if let Some(rusqlite::types::ValueRef::Text(start)) = row.get("wave_start") {
                wave = chrono::DateTime::parse_from_rfc3339(&String::from_utf8_lossy(start)).ok();
            }
            Ok(())
        },
    )?;
    let (Some(wave), Some(raider)) = (wave, mock.channels().into_iter().find(|c| c.login != login)) else {
        return Ok(None);
    };
    let room = mock
        .channels()
        .into_iter()
        .find(|c| c.login == login)
        .map(|c| c.id)
        .unwrap_or_default();
    let at = wave.timestamp_millis() - 120_000;
    let (name, raider_login, raider_id) = (raider.display_name.replace(' ', "\\s"), raider.login, raider.id);
    Ok(Some(format!(
        "@badge-info=;badges=;color=#FF69B4;display-name={name};emotes=;flags=;id=00000000-0000-4000-8000-{at:012x};login={raider_login};\
         mod=0;msg-id=raid;msg-param-displayName={name};msg-param-login={raider_login};msg-param-viewerCount=734;\
         room-id={room};subscriber=0;system-msg=734\\sraiders\\sfrom\\s{name}\\shave\\sjoined!;tmi-sent-ts={at};\
         user-id={raider_id};user-type= :tmi.twitch.tv USERNOTICE #{login}"
    )))
}

/// The demo itself; true when a channel failed.
async fn demo(args: DemoArgs, path: &Path, quiet: bool, cancel: CancellationToken) -> anyhow::Result<bool> {
    let itch = command_name();
    let world = world(&args);
    // Before the fake starts: nothing is fetched or written into an archive the demo must not touch.
    check_world(path, &world)?;
    let config = MockConfig {
        seed: args.seed,
        followers: args.followers,
        comments: args.comments,
        ..MockConfig::default()
    };
    let mock = MockServer::start(config).await?;
    crate::outln!("fake Twitch running at {}", mock.url())?;
    let mut client = Client::new(ClientConfig {
        endpoints: endpoints(&mock)?,
        client_id: Some(mock.client_id().to_owned()),
        client_secret: Some(Secret::new(mock.client_secret())),
        ..ClientConfig::default()
    })?;
    client.set_cancel(cancel.clone());

    let login = Login::parse(&mock.channels()[0].login)?;
    let channels = cut(&cancel, sync::resolve_channels(&client, std::slice::from_ref(&login))).await?;
    let total = cut(&cancel, followers::fetch_follower_total(&client, &channels[0].0.id)).await?;
    crate::outln!("with an app token, {login} shows only its follower total: {total}")?;

    // The broadcaster's own login with `--scopes subs`, so the subscribers part has something to show.
    let scopes: Vec<String> = crate::cli::auth::DEFAULT_SCOPES
        .iter()
        .chain([&crate::client::helix::subscriptions::SCOPE])
        .map(|s| s.to_string())
        .collect();
    let code = cut(&cancel, client.auth().start_device_flow(client.http(), &scopes)).await?;
    crate::outln!(
        "device login: open {} and enter {} (the fake approves by itself)",
        code.verification_uri,
        code.user_code
    )?;
    let token = cut(&cancel, client.auth().finish_device_flow(client.http(), &code, &scopes)).await?;
    crate::outln!(
        "logged in as {} (token kept in memory only)",
        token.login.as_deref().unwrap_or("?")
    )?;

    let archive = Archive::open(path)?;
    let started = Instant::now();
    let command = format!("{DEMO_RUN}{world}");
    let client = Arc::new(client);
    let channel = channels[0].clone();
    let history = History::new(login.as_str());
    let done = {
        let conn = crate::archive::open_read_only(path)?;
        crate::archive::runs::count_ok_runs(&conn, &command).map_err(|source| crate::Error::Database {
            path: path.to_owned(),
            action: "reading its runs",
            source,
        })?
    };
    // The archive lives on the fake's clock, so its snapshots fall on the days the fake simulates.
    crate::db::time::set_clock(mock.now());
    let mut failed = false;
    for (k, step) in history.steps.iter().enumerate() {
        if let Some(advance) = &step.advance {
            mock.advance(advance.clone());
            crate::db::time::set_clock(mock.now());
        }
        for edit in &step.subs {
            mock.edit_subscriptions(login.as_str(), edit.clone());
        }
        // A step an earlier demo into this archive synced is only replayed in the fake (the same world again).
        if (k as u64) < done && k + 1 < history.steps.len() {
            continue;
        }
        let options = SyncOptions {
            cancel: cancel.clone(),
            // The run's command names the fake world, so the next demo into this archive can tell (check_world).
            command: command.clone(),
            parts: step.parts.clone(),
            full: step.full,
            ..SyncOptions::default()
        };
        let report = sync::sync_channels(
            client.clone(),
            archive.clone(),
            vec![channel.clone()],
            options,
            &Progress::new(quiet),
        )
        .await?;
        failed |= report.failed();
        for summary in &report.channels {
            crate::outln!("  {}: {summary}", step.label(&mock))?;
        }
        if cancel.is_cancelled() {
            // The same world, or the archive is refused as another world's.
            crate::outln!(
                "run the demo again to resume: {itch} demo --archive {} {world}",
                path.display()
            )?;
            return Ok(failed);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let replayed = done.min(history.steps.len() as u64 - 1);
    if replayed == 0 {
        crate::outln!(
            "synced {} days of the fake's history into {} in {elapsed:.1} s",
            history.days,
            path.display()
        )?;
    } else {
        // An earlier demo synced these steps (all but the last, or as far as it got before a Ctrl-C): the fake
        // replayed them, and only the rest was synced.
        let rest = history.steps.len() as u64 - replayed;
        let synced = if rest == 1 {
            "synced the last step again".to_owned()
        } else {
            format!("synced the {rest} after them")
        };
        crate::outln!(
            "replayed {replayed} syncs an earlier demo made ({} days, in the fake only) and {synced} into {} in \
             {elapsed:.1} s",
            history.days,
            path.display()
        )?;
    }

    crate::outln!(
        "\nthe newest followers, and how old their accounts were ({itch} --db {} report followers {login} --limit 5):",
        path.display()
    )?;
    let conn = crate::archive::open_read_only(path)?;
    let params = Params {
        login: Some(login.to_string()),
        limit: Some(5),
        ..Params::default()
    };
    let options = OutputOptions {
        // Aligned on a terminal, as `itch report` prints it there.
        format: if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            Format::Table
        } else {
            Format::Tsv
        },
        header: true,
        epoch: false,
    };
    report::write_report(
        &conn,
        report::find("followers").expect("followers report"),
        &params,
        &options,
        std::io::stdout().lock(),
    )?;
    if !cancel.is_cancelled() {
        record_live(&mock, &client, path, channel, &cancel, &itch).await?;
    }
    let db = path.display();
    crate::outln!(
        "\nexplore it: {itch} --db {db} report --list | {itch} --db {db} status | sqlite3 {db} '.tables' | {itch} --db {db} sql \"SELECT ...\""
    )?;
    Ok(failed)
}

/// The fake's history the demo syncs, step by step: a first sync, then simulated days with new followers, lost
/// ones and some who come back, new clips, a video deleted, two streams (synced while live, so `plot viewers` has a curve)
/// and a full walk at the end that records the unfollows. Deterministic like the fake: a second demo replays the
/// steps it already synced in the fake only, and syncs the rest.
struct History {
    steps: Vec<Step>,
    days: u32,
}

/// One step: what changes in the fake, then a sync of some parts.
struct Step {
    advance: Option<crate::mock::Advance>,
    /// Subscribers gained and lost before the sync.
    subs: Vec<crate::mock::SubsEdit>,
    parts: std::collections::BTreeSet<sync::Part>,
    full: bool,
    day: u32,
    live: bool,
}

impl Step {
    /// What the summary line starts with: the simulated day and time.
    fn label(&self, mock: &MockServer) -> String {
        let when = mock.now().format("%Y-%m-%d %H:%M");
        match (self.day, self.live) {
            (0, _) => format!("first sync ({when})"),
            (day, true) => format!("day {day}, live ({when})"),
            (day, false) => format!("day {day} ({when})"),
        }
    }
}

impl History {
    const DAYS: u32 = 6;
    /// The days the channel streams (five syncs an hour apart while live).
    const LIVE_DAYS: [u32; 2] = [2, 5];

    fn new(channel: &str) -> History {
        let every: std::collections::BTreeSet<sync::Part> = sync::Part::ALL.into_iter().collect();
        let live_parts: std::collections::BTreeSet<sync::Part> = [
            sync::Part::Channel,
            sync::Part::Followers,
            sync::Part::Stream,
            sync::Part::Chatters,
        ]
        .into_iter()
        .collect();
        let step = |advance, parts: &std::collections::BTreeSet<sync::Part>, day, live| Step {
            advance,
            subs: Vec::new(),
            parts: parts.clone(),
            full: false,
            day,
            live,
        };
        let mut steps = vec![step(None, &every, 0, false)];
        for day in 1..=Self::DAYS {
            let live = Self::LIVE_DAYS.contains(&day);
            steps.push(step(
                Some(crate::mock::Advance {
                    hours: if live { 20 } else { 24 },
                    new_followers: 40 + 25 * u64::from(day),
                    unfollows: 12,
                    refollows: if day >= 3 { 4 } else { 0 },
                    deleted_videos: u32::from(day == 4),
                    new_clips: 3,
                    go_live: if live { vec![channel.to_owned()] } else { vec![] },
                    ..crate::mock::Advance::default()
                }),
                &every,
                day,
                live,
            ));
            // A few new subscribers a day and one lapsing, so `report subscribers` and the second line of
            // `plot follower-count` have changes to show.
            if let Some(last) = steps.last_mut() {
                last.subs = vec![
                    crate::mock::SubsEdit::New,
                    crate::mock::SubsEdit::New,
                    crate::mock::SubsEdit::New,
                    crate::mock::SubsEdit::Lose(7 * day as usize),
                ];
            }
            if live {
                for _ in 0..4 {
                    steps.push(step(Some(Self::hour(channel, false)), &live_parts, day, true));
                }
                // The stream ends, leaving its VOD: the day's last sync archives it and its chat.
                steps.push(step(Some(Self::hour(channel, true)), &every, day, false));
            }
        }
        if let Some(last) = steps.last_mut() {
            last.full = true;
        }
        History {
            steps,
            days: Self::DAYS,
        }
    }

    /// An hour of the fake's clock, ending the stream when `offline`.
    fn hour(channel: &str, offline: bool) -> crate::mock::Advance {
        crate::mock::Advance {
            hours: 1,
            new_followers: 5,
            go_offline: if offline { vec![channel.to_owned()] } else { vec![] },
            ..crate::mock::Advance::default()
        }
    }
}
