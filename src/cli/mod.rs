//! The command line: clap types, and dispatch to one file per subcommand. Each command turns its arguments into
//! a library call and prints the result; no logic of its own lives here.

mod api;
pub(crate) mod auth;
mod cache;
mod cache_arg;
mod chat;
mod datasette;
#[cfg(feature = "mock")]
mod demo;
mod export;
#[cfg(feature = "mock")]
pub mod mock_api;
pub mod output;
mod plot;
mod report;
mod search;
mod shell;
mod signals;
mod sql;
mod status;
mod sync;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::client::{DEFAULT_GQL_URL, DEFAULT_HELIX_URL, DEFAULT_OAUTH2_URL, Endpoints};
use crate::config::{Config, default_config_dir, secret_from_env};

/// Archive Twitch channels into SQLite: profile, followers, videos, streams and chat replay.
#[derive(Debug, Parser)]
#[command(name = "itch", version = VERSION, about, after_help = EXAMPLES, after_long_help = format!("{EXAMPLES}\n\n{EXIT_CODES}"))]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// `itch --version`: the release and the commit it was built from.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("ITCH_COMMIT"), ")");

/// `itch -h`'s examples; the offline demo only where the build has it (the `mock` feature).
#[cfg(feature = "mock")]
const EXAMPLES: &str = "Example:\n  itch demo\n  itch sync burkeblack\n  itch api followers burkeblack --limit 100";
#[cfg(not(feature = "mock"))]
const EXAMPLES: &str = "Example:\n  itch sync burkeblack\n  itch api followers burkeblack --limit 100";

/// What `itch --help` adds of exit codes, the same for every command.
const EXIT_CODES: &str = "Exit codes:
  0    done
  1    something failed; what succeeded is saved (and `auth status`: nobody is logged in)
  2    bad input or a fatal error; nothing was changed
  130  stopped by Ctrl-C, 143 by SIGTERM; what was committed stays and the next run resumes";

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";
/// The heading of the options that say how to reach Twitch: in `--help`, left out of the shorter `-h`.
const CONNECTION: &str = "Twitch connection";

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The archive file.
    #[arg(long, global = true, help_heading = GLOBAL, env = "ITCH_DB", default_value = "itch.db")]
    pub db: PathBuf,
    /// Helix base URL (point it at `itch mock-api` to work offline).
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "TWITCH_HELIX_URL", default_value = DEFAULT_HELIX_URL)]
    pub helix_url: String,
    /// OAuth base URL.
    #[arg(long = "oauth2-url", global = true, help_heading = CONNECTION, hide_short_help = true, env = "TWITCH_OAUTH2_URL", default_value = DEFAULT_OAUTH2_URL)]
    pub oauth_url: String,
    /// GQL endpoint (chat replay).
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "TWITCH_GQL_URL", default_value = DEFAULT_GQL_URL)]
    pub gql_url: String,
    /// Twitch chat server (IRC), read anonymously for who is in chat when no moderator login is available;
    /// `irc://host:port` for plain TCP (the fake Twitch).
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "TWITCH_IRC_URL", default_value = crate::client::irc::DEFAULT_IRC_URL)]
    pub irc_url: String,
    /// Your application's client id (the secret is read from TWITCH_CLIENT_SECRET only).
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "TWITCH_CLIENT_ID")]
    pub client_id: Option<String>,
    /// The Client-Id sent to GQL for chat replay (Twitch's first-party one; change it only if Twitch does).
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "ITCH_GQL_CLIENT_ID", default_value = crate::client::gql::DEFAULT_CLIENT_ID, hide = true)]
    pub gql_client_id: String,
    /// The persisted query hash of VideoCommentsByOffsetOrCursor.
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "ITCH_GQL_COMMENTS_HASH", default_value = crate::client::gql::DEFAULT_COMMENTS_HASH, hide = true)]
    pub gql_comments_hash: String,
    /// The persisted query hash of VideoPlayer_ChapterSelectButtonVideo (VOD chapters).
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "ITCH_GQL_CHAPTERS_HASH", default_value = crate::client::gql::DEFAULT_CHAPTERS_HASH, hide = true)]
    pub gql_chapters_hash: String,
    /// The response cache: sqlite (a table in the archive), file, redis, memcache or none.
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "ITCH_CACHE", value_enum, default_value = "sqlite")]
    pub cache: crate::cache::Backend,
    /// Where the user token from `itch auth login` is kept.
    #[arg(long, global = true, help_heading = CONNECTION, hide_short_help = true, env = "ITCH_CONFIG_DIR")]
    pub config_dir: Option<PathBuf>,
    /// More logging (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, help_heading = GLOBAL, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true, help_heading = GLOBAL, conflicts_with = "verbose")]
    pub quiet: bool,
    /// `--db` was typed on the command line (not taken from ITCH_DB or the default): set by [`Cli::parse_args`].
    #[arg(skip)]
    pub db_on_command_line: bool,
}

impl Cli {
    /// Parses the process's arguments (exiting with clap's message and code 2 on bad ones), noting where `--db`
    /// came from.
    pub fn parse_args() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command().get_matches();
        #[cfg(feature = "mock")]
        if let Some(("mock-api", _)) = matches.subcommand()
            && let Some(flag) = mock_api::NOT_HERE
                .iter()
                .find(|id| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
        {
            let message = format!(
                "--{} does nothing for mock-api: it does not read the archive, the cache or Twitch",
                flag.replace('_', "-").replace("oauth-url", "oauth2-url")
            );
            Cli::command()
                .error(clap::error::ErrorKind::ArgumentConflict, message)
                .exit();
        }
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        let typed = |m: &clap::ArgMatches| m.value_source("db") == Some(clap::parser::ValueSource::CommandLine);
        // A global flag typed after the subcommand is recorded in the subcommand's matches.
        cli.global.db_on_command_line = typed(&matches) || matches.subcommand().is_some_and(|(_, sub)| typed(sub));
        cli
    }
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
                chapters_hash: self.gql_chapters_hash.clone(),
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
    /// Show the archive's state: each channel's parts, follower walk and counts, and the file's size.
    Status(status::StatusArgs),
    /// Write the archive's tables as Parquet (or CSV, NDJSON) files for DuckDB, Spark or pandas; incremental.
    Export(export::ExportArgs),
    /// Draw a chart (PNG or SVG) from the archive's reports, or from a report's TSV.
    Plot(plot::PlotArgs),
    /// Log in as a Twitch user (device code flow), show or forget the login.
    Auth(auth::AuthArgs),
    /// Ask Helix directly and print what it answers as NDJSON (one raw item a line).
    Api(api::ApiArgs),
    /// Print Datasette metadata for the archive (descriptions, labels, search, canned queries) as JSON.
    DatasetteMetadata(datasette::DatasetteArgs),
    /// Print the completion script for bash, zsh, fish, elvish or powershell.
    Completions(shell::CompletionsArgs),
    /// Print the manual page, or write one per command into a directory.
    Man(shell::ManArgs),
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
        Command::Status(args) => status::run(&cli.global.config()?, args).await,
        Command::Export(args) => export::run(&cli.global.config()?, args).await,
        Command::Plot(args) => plot::run(&cli.global.config()?, args, cli.global.quiet).await,
        Command::Auth(args) => auth::run(&cli.global.config()?, args).await,
        Command::Api(args) => api::run(&cli.global.config()?, args).await,
        Command::DatasetteMetadata(args) => datasette::run(&cli.global.config()?, args).await,
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        #[cfg(feature = "mock")]
        Command::MockApi(args) => mock_api::run(args).await.map(|()| ExitCode::SUCCESS),
        #[cfg(feature = "mock")]
        Command::Demo(args) => {
            let db = cli.global.db_on_command_line.then(|| cli.global.db.clone());
            demo::run(args, db, cli.global.quiet).await
        }
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
        .with_ansi(colour_on_stderr())
        .with_target(false)
        .init();
}

/// Colour codes only for a person at a terminal: never into a file or a pipe (`2>warn.log` keeps plain text), and
/// never with `NO_COLOR` set to anything but the empty string (<https://no-color.org>).
pub fn colour_on_stderr() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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
