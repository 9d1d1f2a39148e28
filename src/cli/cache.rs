//! `itch cache stats|prune|clear`: look at and tidy the response cache of the archive.

use clap::{Args, Subcommand};
use std::process::ExitCode;

use crate::config::Config;

/// Look at and tidy the response cache.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  itch cache stats\n  itch --cache sqlite cache prune")]
pub struct CacheArgs {
    #[command(subcommand)]
    action: CacheAction,
}

#[derive(Debug, Subcommand)]
enum CacheAction {
    /// Entries, bytes, hits and misses of the configured backend.
    Stats,
    /// Remove expired entries.
    Prune,
    /// Remove every entry.
    Clear,
}

pub async fn run(config: &Config, args: CacheArgs) -> anyhow::Result<ExitCode> {
    crate::archive::db::check(&config.db)?;
    if !config.db.exists() {
        return Err(crate::Error::NoArchive {
            path: config.db.clone(),
        }
        .into());
    }
    let Some(cache) = config.open_cache()? else {
        println!("no cache (--cache none)");
        return Ok(ExitCode::SUCCESS);
    };
    let known = |n: Option<u64>| n.map_or_else(|| "unknown".to_owned(), |n| n.to_string());
    match args.action {
        CacheAction::Stats => {
            let stats = tokio::task::spawn_blocking(move || cache.stats()).await??;
            println!("backend\t{}", stats.backend);
            println!("entries\t{}", known(stats.entries));
            println!("bytes\t{}", known(stats.bytes));
            println!("expired\t{}", known(stats.expired));
            println!("hits\t{}", stats.hits);
            println!("misses\t{}", stats.misses);
            println!("writes\t{}", stats.writes);
            println!("bytes_written\t{}", stats.bytes_written);
            println!("corrupt\t{}", stats.corrupt);
        }
        CacheAction::Prune => println!(
            "pruned {} expired entries",
            tokio::task::spawn_blocking(move || cache.prune()).await??
        ),
        CacheAction::Clear => println!(
            "cleared {} entries",
            tokio::task::spawn_blocking(move || cache.clear()).await??
        ),
    }
    Ok(ExitCode::SUCCESS)
}
