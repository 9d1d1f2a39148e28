//! `itch mock-api`: runs the fake Twitch of [`crate::mock`] on a local port until Ctrl-C.
//!
//! Prints what a client needs to use it (base URL, the environment to export, the accepted client ids and
//! secret, the channels) and leaves the rest to [`MockServer`].

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context;

use crate::mock::{FaultPlan, GQL_CLIENT_ID, MockConfig, MockServer};

/// Options of `itch mock-api`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  itch mock-api --port 8080 --followers 1000000 --fault-5xx 0.05\n  \
                        curl -s http://127.0.0.1:8080/_mock/world"
)]
pub struct MockApiArgs {
    /// The global archive, cache and Twitch connection flags, which do nothing here: hidden and refused.
    #[command(flatten)]
    pub not_here: NotHere,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Seed of the world: the same seed serves the same channels, followers and videos.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of channels (the first is the largest).
    #[arg(long, default_value_t = 3)]
    pub channels: usize,
    /// Followers of the largest channel; each next channel has a tenth of the one before (at least 5).
    #[arg(long, default_value_t = 1000)]
    pub followers: u64,
    /// Every this-many-th follower is an account Get Users leaves out, as Twitch does for suspended and deleted
    /// ones (0: none).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub gone_every: u64,
    /// Videos per channel at start.
    #[arg(long, default_value_t = 30)]
    pub videos: u32,
    /// Clips per channel at start (Get Clips).
    #[arg(long, default_value_t = 40)]
    pub clips: u32,
    /// The client id the fake accepts (30 characters, like Twitch's).
    #[arg(long, default_value = "itchmockclientid00000000000000")]
    pub client_id: String,
    /// The client secret the fake accepts.
    #[arg(long, default_value = "itchmocksecret0000000000000000")]
    pub client_secret: String,
    /// Rate-limit bucket capacity, per client id and user (or app).
    #[arg(long, default_value_t = 800)]
    pub bucket_size: u32,
    /// Rate-limit points refilled per minute.
    #[arg(long, default_value_t = 800)]
    pub refill_per_minute: u32,
    /// Delay added to every Helix and OAuth request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of Helix requests answered 500, 502 or 503.
    #[arg(long = "fault-5xx", default_value_t = 0.0)]
    pub fault_5xx: f64,
    /// Share of Helix requests whose connection is reset before any response.
    #[arg(long, default_value_t = 0.0)]
    pub fault_reset: f64,
    /// Share of Helix requests whose body is cut in the middle.
    #[arg(long, default_value_t = 0.0)]
    pub fault_truncate: f64,
    /// Share of Helix requests answered with a body that is not JSON.
    #[arg(long, default_value_t = 0.0)]
    pub fault_malformed: f64,
    /// Share of Helix requests delayed by --slow-ms.
    #[arg(long, default_value_t = 0.0)]
    pub fault_slow: f64,
    /// Delay of a slow request, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub slow_ms: u64,
    /// Share of GQL chat-replay requests answered `comments: null` with an in-band "service error".
    #[arg(long, default_value_t = 0.0)]
    pub fault_gql_service_error: f64,
    /// Lifetime of the access tokens it mints, in seconds.
    #[arg(long, default_value_t = 4 * 3600)]
    pub token_ttl_secs: u64,
    /// Comments of the largest channel's newest archive video (other videos get about 3 per minute).
    #[arg(long, default_value_t = 2000)]
    pub comments: u64,
    /// The client id GQL accepts for chat replay (the web client's id works for offset requests only).
    #[arg(long, default_value = GQL_CLIENT_ID)]
    pub gql_client_id: String,
    /// Live chat lines per second in each joined IRC room.
    #[arg(long, default_value_t = 100)]
    pub irc_rate: u32,
    /// IRC rooms say nothing (only PING comes), as a quiet channel.
    #[arg(long)]
    pub irc_quiet: bool,
    /// Seconds between the PINGs each IRC connection gets (0: never).
    #[arg(long, default_value_t = 30)]
    pub irc_ping_secs: u64,
}

impl MockApiArgs {
    fn config(&self) -> anyhow::Result<MockConfig> {
        let shares = [
            self.fault_5xx,
            self.fault_reset,
            self.fault_truncate,
            self.fault_malformed,
            self.fault_slow,
            self.fault_gql_service_error,
        ];
        if shares.iter().any(|s| !(0.0..=1.0).contains(s)) || shares.iter().sum::<f64>() > 1.0 {
            anyhow::bail!("fault shares must each be between 0 and 1, and add up to at most 1");
        }
        Ok(MockConfig {
            seed: self.seed,
            channels: self.channels,
            followers: self.followers,
            videos: self.videos,
            clips: self.clips,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            bucket_size: self.bucket_size,
            refill_per_minute: self.refill_per_minute,
            latency: Duration::from_millis(self.latency_ms),
            faults: FaultPlan {
                server_error: self.fault_5xx,
                reset: self.fault_reset,
                truncate: self.fault_truncate,
                malformed: self.fault_malformed,
                slow: self.fault_slow,
                slow_ms: self.slow_ms,
                gql_service_error: self.fault_gql_service_error,
            },
            token_ttl: Duration::from_secs(self.token_ttl_secs),
            gql_client_id: self.gql_client_id.clone(),
            comments: self.comments,
            irc_rate: self.irc_rate,
            irc_quiet: self.irc_quiet,
            irc_ping_every: Duration::from_secs(self.irc_ping_secs),
            gone_every: self.gone_every,
        })
    }
}

/// Runs the fake until Ctrl-C.
pub async fn run(args: MockApiArgs) -> anyhow::Result<()> {
    let config = args.config()?;
    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .with_context(|| format!("listening on {}:{}", args.host, args.port))?;
    let server = MockServer::from_listener(listener, config).context("starting the fake Twitch")?;
    crate::outln!("itch mock-api: fake Twitch on {} (seed {})", server.url(), args.seed)?;
    crate::outln!()?;
    crate::outln!(
        "export TWITCH_HELIX_URL={} TWITCH_OAUTH2_URL={} TWITCH_GQL_URL={} TWITCH_IRC_URL={}",
        server.helix_url(),
        server.oauth_url(),
        server.gql_url(),
        server.irc_url()
    )?;
    crate::outln!(
        "export TWITCH_CLIENT_ID={} TWITCH_CLIENT_SECRET={}",
        server.client_id(),
        server.client_secret()
    )?;
    crate::outln!()?;
    crate::outln!("client id:     {}", server.client_id())?;
    crate::outln!("client secret: {}", server.client_secret())?;
    crate::outln!("gql client id: {}", server.gql_client_id())?;
    crate::outln!()?;
    let channels = server.channels();
    let width = channels.iter().map(|c| c.login.len()).max().unwrap_or(0);
    crate::outln!(
        "{:width$}  {:>10}  {:>9}  newest archive (comments)",
        "login",
        "id",
        "followers"
    )?;
    for c in &channels {
        let newest = server
            .videos(&c.login)
            .into_iter()
            .find(|v| v.video_type == "archive" && !v.deleted);
        let newest = newest.map_or_else(String::new, |v| format!("{} ({})", v.id, v.comments));
        crate::outln!("{:width$}  {:>10}  {:>9}  {newest}", c.login, c.id, c.followers)?;
    }
    crate::outln!()?;
    crate::outln!(
        "controls: GET {0}/_mock/world, GET {0}/_mock/stats, POST {0}/_mock/advance, POST {0}/_mock/faults, \
         POST {0}/_mock/token, GET/POST {0}/_mock/irc (chat rate, quiet, reconnects, counters)",
        server.url()
    )?;
    crate::outln!("Ctrl-C stops it.")?;
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    server.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: MockApiArgs,
    }

    #[test]
    fn defaults_match_the_library() {
        let args = Wrapper::parse_from(["mock-api"]).args;
        let (got, mut want) = (args.config().unwrap(), MockConfig::default());
        // The one deliberate difference: a slow fault switched on from the command line should be noticeable.
        want.faults.slow_ms = 5000;
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
        assert_eq!(got.client_secret, want.client_secret);
    }

    #[test]
    fn chat_flags_reach_the_config() {
        let args = Wrapper::parse_from(["mock-api", "--comments", "200000", "--gql-client-id", "abc"]).args;
        let config = args.config().unwrap();
        assert_eq!(config.comments, 200_000);
        assert_eq!(config.gql_client_id, "abc");
    }

    #[test]
    fn irc_flags_reach_the_config() {
        let args = Wrapper::parse_from(["mock-api", "--irc-rate", "2000", "--irc-quiet", "--irc-ping-secs", "5"]).args;
        let config = args.config().unwrap();
        assert_eq!(config.irc_rate, 2000);
        assert!(config.irc_quiet);
        assert_eq!(config.irc_ping_every, Duration::from_secs(5));
    }

    #[test]
    fn fault_flags_fill_the_plan() {
        let args = Wrapper::parse_from(["mock-api", "--fault-5xx", "0.1", "--fault-reset", "0.05", "--port", "0"]).args;
        let config = args.config().unwrap();
        assert_eq!(config.faults.server_error, 0.1);
        assert_eq!(config.faults.reset, 0.05);
        assert!(
            Wrapper::try_parse_from(["mock-api", "--fault-5xx", "0.9", "--fault-slow", "0.5"])
                .unwrap()
                .args
                .config()
                .is_err()
        );
    }
}

/// The global flags that do nothing for the fake Twitch (it keeps its world in memory and is Twitch itself),
/// under their global ids (`--client-id` and `--gql-client-id` are the fake's own, which it hands out). clap propagates a global flag to a subcommand only when the subcommand has no argument
/// of that id, so these take their place in `itch mock-api`: out of its help, and refused when given after it
/// (issue 15: `mock-api -h` offered `--db` and `--cache`). [`crate::cli::Cli::parse_args`] refuses them given
/// before it.
#[derive(Debug, Default, clap::Args)]
#[allow(
    dead_code,
    reason = "never read: the flags exist to be refused (the root's defaults land here too)"
)]
pub struct NotHere {
    #[arg(long, hide = true, value_parser = does_nothing_here::<std::path::PathBuf>)]
    db: Option<std::path::PathBuf>,
    #[arg(long, hide = true, value_parser = does_nothing_here::<crate::cache::Backend>)]
    cache: Option<crate::cache::Backend>,
    #[arg(long, hide = true, value_parser = does_nothing_here::<std::path::PathBuf>)]
    config_dir: Option<std::path::PathBuf>,
    #[arg(long, hide = true, value_parser = does_nothing_here::<String>)]
    helix_url: Option<String>,
    #[arg(long = "oauth2-url", hide = true, value_parser = does_nothing_here::<String>)]
    oauth_url: Option<String>,
    #[arg(long, hide = true, value_parser = does_nothing_here::<String>)]
    gql_url: Option<String>,
    #[arg(long, hide = true, value_parser = does_nothing_here::<String>)]
    irc_url: Option<String>,
    #[arg(long, hide = true, value_parser = does_nothing_here::<String>)]
    gql_comments_hash: Option<String>,
    #[arg(long, hide = true, value_parser = does_nothing_here::<String>)]
    gql_chapters_hash: Option<String>,
}

/// The ids of [`NotHere`]'s flags.
pub const NOT_HERE: &[&str] = &[
    "db",
    "cache",
    "config_dir",
    "helix_url",
    "oauth_url",
    "gql_url",
    "irc_url",
    "gql_comments_hash",
    "gql_chapters_hash",
];

fn does_nothing_here<T>(_: &str) -> Result<T, String> {
    Err("mock-api does not read the archive, the cache or Twitch: it serves a fake world from memory".into())
}
