//! `itch demo`: the main job, offline. Starts a fake Twitch in-process, shows what an app token sees (the
//! follower total only), logs in through the device code flow as the broadcaster of the fake's largest channel
//! (the fake approves by itself), syncs that channel (profile, followers with their accounts, videos, stream,
//! chat replay) into an archive file, and prints a first report from it. The archive stays for exploring.
//! Ctrl-C or SIGTERM stops it as they stop `itch sync`: any wait cut, the page in hand committed, the summary so
//! far printed (exit 130/143); the same command again resumes.

use clap::Args;
use std::path::PathBuf;
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
    /// The archive to create (an existing demo archive is synced again, incrementally).
    #[arg(long, default_value = "itch-demo.db")]
    archive: PathBuf,
}

pub async fn run(args: DemoArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let cancel = CancellationToken::new();
    let stop = super::signals::install(cancel.clone());
    let failed = match demo(args, quiet, cancel).await {
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

/// Every endpoint of the fake, chat included. Built here, on itch's side: the fake knows its URLs, not the
/// client's types.
fn endpoints(mock: &MockServer) -> crate::Result<Endpoints> {
    Endpoints::parse(&mock.helix_url(), &mock.oauth_url(), &mock.gql_url())?.with_irc(&mock.irc_url())
}

/// The demo itself; true when a channel failed.
async fn demo(args: DemoArgs, quiet: bool, cancel: CancellationToken) -> anyhow::Result<bool> {
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

    let scopes: Vec<String> = crate::cli::auth::DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect();
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

    let archive = Archive::open(&args.archive)?;
    let started = Instant::now();
    let options = SyncOptions {
        cancel: cancel.clone(),
        ..SyncOptions::default()
    };
    let report = sync::sync_channels(Arc::new(client), archive, channels, options, &Progress::new(quiet)).await?;
    crate::outln!(
        "synced into {} in {:.1} s:",
        args.archive.display(),
        started.elapsed().as_secs_f64()
    )?;
    for channel in &report.channels {
        crate::outln!("  {channel}")?;
    }
    if cancel.is_cancelled() {
        crate::outln!(
            "run the demo again to resume: itch demo --archive {}",
            args.archive.display()
        )?;
        return Ok(report.failed());
    }

    crate::outln!(
        "\nthe newest followers, and how old their accounts were (itch report followers {login} --limit 5):"
    )?;
    let conn = crate::archive::open_read_only(&args.archive)?;
    let params = Params {
        login: Some(login.to_string()),
        limit: Some(5),
        ..Params::default()
    };
    let options = OutputOptions {
        format: Format::Tsv,
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
    let db = args.archive.display();
    crate::outln!(
        "\nexplore it: itch --db {db} report --list | sqlite3 {db} '.tables' | itch --db {db} sql \"SELECT ...\""
    )?;
    Ok(report.failed())
}
