//! `itch api <resource>`: ask Helix directly and print each item as Twitch sent it, one JSON object a line.
//! For looking at what Twitch says before (or without) archiving it; the summary goes to stderr.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;
use std::io::Write;
use std::process::ExitCode;

use crate::client::helix::{channels, chatters, followers, following, games, search, streams, users, videos};
use crate::client::{Client, GameId, Login, Page, Pager, UserId};
use crate::config::Config;

/// Ask Helix directly and print NDJSON.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  itch api followers burkeblack --limit 500 | jq .user_login")]
pub struct ApiArgs {
    #[command(subcommand)]
    resource: Resource,
    /// Stop after this many items (lists only).
    #[arg(long, global = true)]
    limit: Option<u64>,
}

#[derive(Debug, Subcommand)]
enum Resource {
    /// Accounts by login.
    #[command(after_help = "Example:\n  itch api users burkeblack twitchdev")]
    Users {
        #[arg(required = true)]
        logins: Vec<String>,
    },
    /// Channel settings (title, game, tags) by login.
    #[command(after_help = "Example:\n  itch api channels burkeblack")]
    Channels {
        #[arg(required = true)]
        logins: Vec<String>,
    },
    /// A channel's followers, newest first (the full list needs the broadcaster's or a moderator's login).
    #[command(after_help = "Example:\n  itch api followers burkeblack --limit 100")]
    Followers { login: String },
    /// The channels the logged-in user follows.
    #[command(after_help = "Example:\n  itch auth login && itch api following")]
    Following,
    /// A channel's videos, newest first.
    #[command(after_help = "Example:\n  itch api videos burkeblack --type archive --limit 10")]
    Videos {
        login: String,
        #[arg(long = "type", value_enum, default_value = "all")]
        kind: VideoKind,
    },
    /// Live streams among these logins.
    #[command(after_help = "Example:\n  itch api streams burkeblack twitchdev")]
    Streams {
        #[arg(required = true)]
        logins: Vec<String>,
    },
    /// Who is in a channel's chat now (needs a moderator login).
    #[command(after_help = "Example:\n  itch api chatters burkeblack")]
    Chatters { login: String },
    /// Games by id.
    #[command(after_help = "Example:\n  itch api games 33214 509670")]
    Games {
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Channels whose login starts with the query.
    #[command(after_help = "Example:\n  itch api search burke --live --limit 20")]
    Search {
        query: String,
        #[arg(long)]
        live: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum VideoKind {
    All,
    Archive,
    Highlight,
    Upload,
}

pub async fn run(config: &Config, args: ApiArgs) -> anyhow::Result<ExitCode> {
    let client = Client::new(config.client_config())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let limit = args.limit.unwrap_or(u64::MAX);
    let printed = match args.resource {
        Resource::Users { logins } => print_raw(
            &mut out,
            users::fetch_users_by_login(&client, &parse_logins(&logins)?).await?,
        )?,
        Resource::Channels { logins } => {
            let ids = user_ids(&client, &logins).await?;
            print_raw(&mut out, channels::fetch_channels(&client, &ids).await?)?
        }
        Resource::Followers { login } => {
            let id = user_ids(&client, &[login]).await?.remove(0);
            print_pages(&mut out, followers::followers(&client, &id), limit).await?
        }
        Resource::Following => {
            let me = client
                .token_user_id()
                .await?
                .context("listing followed channels needs `itch auth login`")?;
            print_pages(&mut out, following::followed_channels(&client, &me), limit).await?
        }
        Resource::Videos { login, kind } => {
            let id = user_ids(&client, &[login]).await?.remove(0);
            print_pages(&mut out, videos::videos(&client, &id, kind.into()), limit).await?
        }
        Resource::Streams { logins } => {
            let ids = user_ids(&client, &logins).await?;
            print_raw(&mut out, streams::fetch_streams(&client, &ids).await?)?
        }
        Resource::Chatters { login } => {
            let id = user_ids(&client, &[login]).await?.remove(0);
            let me = client
                .token_user_id()
                .await?
                .context("listing chatters needs `itch auth login` as a moderator")?;
            print_pages(&mut out, chatters::chatters(&client, &id, &me), limit).await?
        }
        Resource::Games { ids } => {
            let ids: Vec<GameId> = ids.iter().map(|id| GameId(id.clone())).collect();
            print_raw(&mut out, games::fetch_games(&client, &ids).await?)?
        }
        Resource::Search { query, live } => {
            print_pages(&mut out, search::search_channels(&client, &query, live), limit).await?
        }
    };
    out.flush()?;
    let stats = client.stats();
    eprintln!(
        "{} items, {} requests ({} retried, {} rate-limited)",
        printed.items, stats.requests, stats.retries, stats.rate_limited
    );
    if let Some(total) = printed.total {
        eprintln!("total: {total}");
    }
    Ok(ExitCode::SUCCESS)
}

impl From<VideoKind> for videos::VideoType {
    fn from(kind: VideoKind) -> Self {
        match kind {
            VideoKind::All => videos::VideoType::All,
            VideoKind::Archive => videos::VideoType::Archive,
            VideoKind::Highlight => videos::VideoType::Highlight,
            VideoKind::Upload => videos::VideoType::Upload,
        }
    }
}

fn parse_logins(logins: &[String]) -> crate::Result<Vec<Login>> {
    logins.iter().map(|l| Login::parse(l)).collect()
}

/// Resolves logins to ids, in order; an unknown login is an error naming it.
async fn user_ids(client: &Client, logins: &[String]) -> crate::Result<Vec<UserId>> {
    let logins = parse_logins(logins)?;
    let found = users::fetch_users_by_login(client, &logins).await?;
    logins
        .iter()
        .map(|login| {
            found
                .iter()
                .find(|(user, _)| user.login == login.as_str())
                .map(|(user, _)| user.id.clone())
                .ok_or_else(|| crate::Error::UnknownUser {
                    login: login.to_string(),
                })
        })
        .collect()
}

#[derive(Default)]
struct Printed {
    items: u64,
    total: Option<u64>,
}

fn print_raw<T>(out: &mut impl Write, items: Vec<(T, Value)>) -> anyhow::Result<Printed> {
    for (_, raw) in &items {
        writeln!(out, "{raw}")?;
    }
    Ok(Printed {
        items: items.len() as u64,
        total: None,
    })
}

async fn print_pages<T: serde::de::DeserializeOwned>(
    out: &mut impl Write,
    mut pager: Pager<'_, T>,
    limit: u64,
) -> anyhow::Result<Printed> {
    let mut printed = Printed::default();
    while printed.items < limit {
        let Some(Page { raw, total, .. }) = pager.next_page().await? else {
            break;
        };
        printed.total = printed.total.or(total);
        for item in raw.iter().take((limit - printed.items) as usize) {
            writeln!(out, "{item}")?;
            printed.items += 1;
        }
    }
    Ok(printed)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Issue 12: `itch api|cache|auth` and each of their subcommands end their help with an example.
    #[test]
    fn api_cache_and_auth_help_end_with_an_example() {
        let mut root = crate::cli::Cli::command();
        root.build();
        for name in ["api", "cache", "auth"] {
            let command = root.find_subcommand(name).unwrap();
            let mut all = vec![command];
            all.extend(command.get_subcommands().filter(|c| c.get_name() != "help"));
            for command in all {
                let help = command.clone().render_long_help().to_string();
                let example = help
                    .rfind("Example:")
                    .unwrap_or_else(|| panic!("{name} {}: {help}", command.get_name()));
                assert!(
                    help[example..].lines().skip(1).all(|l| l.is_empty()
                        || l.starts_with("  itch ")
                        || l.starts_with("  REDIS")
                        || l.starts_with("  MEMCACHE")),
                    "{name} {}: the example is not the end of the help:\n{help}",
                    command.get_name()
                );
                assert!(help[example..].contains("itch "), "{name} {}", command.get_name());
            }
        }
    }
}
