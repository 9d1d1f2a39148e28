//! The command line: clap types, and dispatch to one file per subcommand. Each command turns its arguments into
//! a library call and prints the result; no logic of its own lives here.

mod api;
pub(crate) mod auth;
mod cache;
mod cache_arg;
mod chat;
#[cfg(feature = "mock")]
mod demo;
mod export;
#[cfg(feature = "mock")]
pub mod mock_api;
pub mod output;
mod plot;
mod report;
mod search;
mod signals;
mod sql;
mod sync;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::client::{DEFAULT_GQL_URL, DEFAULT_HELIX_URL, DEFAULT_OAUTH2_URL, Endpoints};
use crate::config::{Config, default_config_dir, secret_from_env};

/// Archive Twitch channels into SQLite: profile, followers, videos, streams and chat replay.
#[derive(Debug, Parser)]
#[command(name = "itch", version, about)]
// The offline demo is only offered by a build that has it (the `mock` feature).
#[cfg_attr(
    feature = "mock",
    command(after_help = "Example:\n  itch demo\n  itch sync burkeblack\n  itch api followers burkeblack --limit 100")
)]
#[cfg_attr(
    not(feature = "mock"),
    command(after_help = "Example:\n  itch sync burkeblack\n  itch api followers burkeblack --limit 100")
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The archive file.
    #[arg(long, global = true, env = "ITCH_DB", default_value = "itch.db")]
    pub db: PathBuf,
    /// Helix base URL (point it at `itch mock-api` to work offline).
    #[arg(long, global = true, env = "TWITCH_HELIX_URL", default_value = DEFAULT_HELIX_URL)]
    pub helix_url: String,
    /// OAuth base URL.
    #[arg(long = "oauth2-url", global = true, env = "TWITCH_OAUTH2_URL", default_value = DEFAULT_OAUTH2_URL)]
    pub oauth_url: String,
    /// GQL endpoint (chat replay).
    #[arg(long, global = true, env = "TWITCH_GQL_URL", default_value = DEFAULT_GQL_URL)]
    pub gql_url: String,
    /// Twitch chat server (IRC), read anonymously for who is in chat when no moderator login is available;
    /// `irc://host:port` for plain TCP (the fake Twitch).
    #[arg(long, global = true, env = "TWITCH_IRC_URL", default_value = crate::client::irc::DEFAULT_IRC_URL)]
    pub irc_url: String,
    /// Your application's client id (the secret is read from TWITCH_CLIENT_SECRET only).
    #[arg(long, global = true, env = "TWITCH_CLIENT_ID")]
    pub client_id: Option<String>,
    /// The Client-Id sent to GQL for chat replay (Twitch's first-party one; change it only if Twitch does).
    #[arg(long, global = true, env = "ITCH_GQL_CLIENT_ID", default_value = crate::client::gql::DEFAULT_CLIENT_ID, hide = true)]
    pub gql_client_id: String,
    /// The persisted query hash of VideoCommentsByOffsetOrCursor.
    #[arg(long, global = true, env = "ITCH_GQL_COMMENTS_HASH", default_value = crate::client::gql::DEFAULT_COMMENTS_HASH, hide = true)]
    pub gql_comments_hash: String,
    /// The response cache: sqlite (a table in the archive), file, redis, memcache or none.
    #[arg(long, global = true, env = "ITCH_CACHE", value_enum, default_value = "sqlite")]
    pub cache: crate::cache::Backend,
    /// Where the user token from `itch auth login` is kept.
    #[arg(long, global = true, env = "ITCH_CONFIG_DIR")]
    pub config_dir: Option<PathBuf>,
    /// More logging (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl GlobalArgs {
    /// Resolves the options into the program's [`Config`].
    pub fn config(&self) -> crate::Result<Config> {
        let client = crate::client::ClientConfig {
            endpoints: Endpoints::parse(&self.helix_url, &self.oauth_url, &self.gql_url)?.with_irc(&self.irc_url)?,
            client_id: self.client_id.clone().filter(|id| !id.is_empty()),
            client_secret: secret_from_env("TWITCH_CLIENT_SECRET"),
            gql: crate::client::gql::GqlConfig {
                client_id: self.gql_client_id.clone(),
                comments_hash: self.gql_comments_hash.clone(),
            },
            ..Default::default()
        };
        Ok(Config::new(
            self.db.clone(),
            self.config_dir.clone().unwrap_or_else(default_config_dir),
            self.cache,
            client,
        ))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Archive channels into the SQLite file: profile, followers, videos, live stream, chatters, chat replay.
    Sync(sync::SyncArgs),
    /// Archive VODs' chat replay by id (their videos and channels too), or record live chat (--live).
    Chat(chat::ChatArgs),
    /// Look at and tidy the response cache (stats, prune, clear).
    Cache(cache::CacheArgs),
    /// Print a report from the archive (followers, videos, follower counts...) as TSV, CSV or JSON.
    Report(report::ReportArgs),
    /// Run one read-only SQL query on the archive and print its rows like a report.
    Sql(sql::SqlArgs),
    /// Search the archived chat with a full-text query and print the messages like a report.
    Search(search::SearchArgs),
    /// Write the archive's tables as Parquet (or CSV, NDJSON) files for DuckDB, Spark or pandas; incremental.
    Export(export::ExportArgs),
    /// Draw a chart (PNG or SVG) from the archive's reports, or from a report's TSV.
    Plot(plot::PlotArgs),
    /// Log in as a Twitch user (device code flow), show or forget the login.
    Auth(auth::AuthArgs),
    /// Ask Helix directly and print what it answers as NDJSON (one raw item a line).
    Api(api::ApiArgs),
    /// Run the fake Twitch (Helix, OAuth, GQL chat replay, IRC chat) on local ports, for tests, demos and tools.
    #[cfg(feature = "mock")]
    MockApi(mock_api::MockApiArgs),
    /// Everything offline: start a fake Twitch in-process, log in to it, sync a channel and print a report.
    #[cfg(feature = "mock")]
    Demo(demo::DemoArgs),
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Sync(args) => sync::run(&cli.global.config()?, args, cli.global.quiet).await,
        Command::Chat(args) => chat::run(&cli.global.config()?, args).await,
        Command::Cache(args) => cache::run(&cli.global.config()?, args).await,
        Command::Report(args) => report::run(&cli.global.config()?, args).await,
        Command::Sql(args) => sql::run(&cli.global.config()?, args).await,
        Command::Search(args) => search::run(&cli.global.config()?, args).await,
        Command::Export(args) => export::run(&cli.global.config()?, args).await,
        Command::Plot(args) => plot::run(&cli.global.config()?, args, cli.global.quiet).await,
        Command::Auth(args) => auth::run(&cli.global.config()?, args).await,
        Command::Api(args) => api::run(&cli.global.config()?, args).await,
        #[cfg(feature = "mock")]
        Command::MockApi(args) => mock_api::run(args).await.map(|()| ExitCode::SUCCESS),
        #[cfg(feature = "mock")]
        Command::Demo(args) => demo::run(args, cli.global.quiet).await,
    }
}

/// Logs go to stderr; `-v`/`-q` pick the level, `RUST_LOG` overrides both.
pub fn init_tracing(global: &GlobalArgs) {
    let level = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("itch={level},warn")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// Prints a command's fatal error: `itch: ` and its chain on one line, then a hint where a fix is known.
pub fn print_error(error: &anyhow::Error) {
    print_error_line("itch", error.as_ref());
}

/// The one error printer: `<subject>: ` and the error with its causes on one line (joined by ": "), then
/// `hint: ...` when one of the errors in the chain knows a fix.
pub fn print_error_line(subject: &str, error: &(dyn std::error::Error + 'static)) {
    eprintln!("{subject}: {}", crate::error::display_chain(error));
    if let Some(hint) = hint(error) {
        eprintln!("hint: {hint}");
    }
}

/// The hint of the first error in the chain that has one.
pub fn hint(error: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    std::iter::successors(Some(error), |e| e.source()).find_map(|e| e.downcast_ref::<crate::Error>()?.hint())
}

/// True when the error is stdout closing under us (`itch ... | head`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
