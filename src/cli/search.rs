//! `itch search "<query>"`: full-text search over the archived chat, printed like a report (same writer, formats
//! and time flags). The search itself is [`crate::report::search`]; this file only turns flags into it.

use chrono::{DateTime, Utc};
use clap::Args;
use std::io::{self, BufWriter};
use std::process::ExitCode;

use super::report::OutputArgs;
use crate::client::Login;
use crate::config::Config;
use crate::report::Direction;
use crate::report::search::{Search, write_search};
use crate::report::time::{parse_since, parse_until};

/// Search the archived chat (VOD replays) with a full-text query.
#[derive(Debug, Args)]
#[command(
    after_help = "Query syntax (SQLite FTS5): words must all appear; \"a phrase\"; OR; NOT; prefix*; NEAR(a b).
Quote words that hold punctuation: '\"9:30\"'.

Examples:
  itch search raid
  itch search '\"gg wp\" OR ggwp' --channel burkeblack --since 2026-01-01
  itch search 'bot*' --format json --limit 20
  itch search gg --channel burkeblack --hide-deleted

Messages a moderator deleted (or whose author was timed out or banned) are found too, marked by the last
column, deleted_at; --hide-deleted leaves them out."
)]
pub struct SearchArgs {
    /// The full-text query.
    query: String,
    /// Only this channel's chat.
    #[arg(long, value_name = "LOGIN")]
    channel: Option<Login>,
    /// Only messages at or after this time: a date (2026-01-31, a UTC day; today, yesterday), RFC 3339, or a span
    /// back from now (7d, 12h, 1h30m).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// Only messages at or before this time; a date includes that whole day.
    #[arg(long, value_name = "WHEN", value_parser = parse_until)]
    until: Option<DateTime<Utc>>,
    /// At most this many messages.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Oldest (asc, the default) or newest (desc) first.
    #[arg(long, value_enum)]
    direction: Option<Direction>,
    /// Times as Unix seconds instead of ISO-8601 text.
    #[arg(long)]
    epoch: bool,
    /// Leave out messages a moderator deleted (by default they are found, marked by `deleted_at`).
    #[arg(long)]
    hide_deleted: bool,
    #[command(flatten)]
    output: OutputArgs,
}

impl SearchArgs {
    fn search(&self) -> Search {
        Search {
            query: self.query.clone(),
            channel: self.channel.as_ref().map(|login| login.as_str().to_owned()),
            since: self.since,
            until: self.until,
            limit: self.limit,
            direction: self.direction,
            hide_deleted: self.hide_deleted,
        }
    }
}

/// Runs `itch search`.
pub async fn run(config: &Config, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let search = args.search();
    let options = args.output.options(args.epoch);
    let path = config.db.clone();
    // SQLite and stdout block; a big search must not hold up the async runtime.
    tokio::task::spawn_blocking(move || {
        let conn = crate::archive::open_read_only(&path)?;
        let out = BufWriter::new(io::stdout().lock());
        let rows = write_search(&conn, &search, &options, out)?;
        tracing::info!(rows, "search printed");
        Ok(ExitCode::SUCCESS)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Format, OutputOptions};
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: SearchArgs,
    }

    #[test]
    fn flags_become_a_search() {
        let cli = Cli::try_parse_from([
            "itch",
            "\"gg wp\" OR ggwp",
            "--channel",
            "BurkeBlack",
            "--until",
            "2026-01-31",
            "--limit",
            "3",
            "--direction",
            "desc",
            "--format",
            "csv",
            "--hide-deleted",
        ])
        .unwrap();
        let search = cli.args.search();
        assert!(search.hide_deleted);
        assert!(!Cli::try_parse_from(["itch", "x"]).unwrap().args.search().hide_deleted);
        assert_eq!(search.query, "\"gg wp\" OR ggwp");
        assert_eq!(search.channel.as_deref(), Some("burkeblack"));
        assert_eq!(search.until.unwrap().to_rfc3339(), "2026-01-31T23:59:59+00:00");
        assert_eq!((search.limit, search.direction), (Some(3), Some(Direction::Desc)));
        assert_eq!(
            cli.args.output.options(false),
            OutputOptions {
                format: Format::Csv,
                header: true,
                epoch: false
            }
        );
        assert!(Cli::try_parse_from(["itch", "x", "--channel", "not a login"]).is_err());
    }
}
