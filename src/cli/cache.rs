//! `itch cache stats|prune|clear`: look at and tidy the response cache of the archive, whichever backend
//! `--cache` names. Hits, misses and writes are what this archive's syncs did (a shared Redis or memcached
//! cannot count per archive); entries and bytes are what the backend holds, where it can say.

use clap::{Args, Subcommand};
use std::process::ExitCode;

use crate::cache::Backend;
use crate::config::Config;

/// Look at and tidy the response cache.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  itch cache stats\n  itch --cache sqlite cache prune\n  REDIS_HOST=cache.lan itch --cache redis cache stats\n  MEMCACHE_SERVERS=10.0.0.5:11211,10.0.0.6:11211 itch --cache memcache cache clear"
)]
pub struct CacheArgs {
    #[command(subcommand)]
    action: CacheAction,
}

#[derive(Debug, Subcommand)]
enum CacheAction {
    /// Entries, bytes, hits and misses of the configured backend ("unknown" where it cannot say).
    #[command(after_help = "Example:\n  itch cache stats\n  itch --cache redis cache stats")]
    Stats,
    /// Remove expired entries (sqlite, file; Redis and memcached expire entries themselves).
    #[command(after_help = "Example:\n  itch cache prune")]
    Prune,
    /// Remove every entry of itch (memcache: start a new key generation, the old entries expire unseen).
    #[command(after_help = "Example:\n  itch cache clear\n  itch --cache file cache clear")]
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
    if matches!(args.action, CacheAction::Stats) && config.cache == Backend::Sqlite {
        // Looking never writes: the archive is opened read-only, as reports open it.
        let path = config.db.clone();
        let stats = tokio::task::spawn_blocking(move || crate::cache::sqlite::stats_read_only(&path)).await??;
        return print_stats(&stats);
    }
    let Some(cache) = config.open_cache()? else {
        crate::outln!("no cache (--cache none)")?;
        return Ok(ExitCode::SUCCESS);
    };
    match args.action {
        CacheAction::Stats => {
            let stats = tokio::task::spawn_blocking(move || cache.stats()).await??;
            return print_stats(&stats);
        }
        CacheAction::Prune => crate::outln!(
            "pruned {} expired entries",
            tokio::task::spawn_blocking(move || cache.prune()).await??
        )?,
        CacheAction::Clear => {
            let cleared = tokio::task::spawn_blocking(move || cache.clear()).await??;
            if config.cache == Backend::Memcache {
                crate::outln!(
                    "cleared: the entries of this key prefix are unreachable now (memcached frees them as they expire)"
                )?;
            } else {
                crate::outln!("cleared {cleared} entries")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints what a backend knows, one `name<TAB>value` a line.
fn print_stats(stats: &crate::cache::CacheStats) -> anyhow::Result<ExitCode> {
    let known = |n: Option<u64>| n.map_or_else(|| "unknown".to_owned(), |n| n.to_string());
    crate::outln!("backend\t{}", stats.backend)?;
    if let Some(location) = &stats.location {
        crate::outln!("location\t{location}")?;
    }
    crate::outln!("entries\t{}", known(stats.entries))?;
    crate::outln!("bytes\t{}", known(stats.bytes))?;
    crate::outln!("expired\t{}", known(stats.expired))?;
    crate::outln!("hits\t{}", stats.hits)?;
    crate::outln!("misses\t{}", stats.misses)?;
    crate::outln!("writes\t{}", stats.writes)?;
    crate::outln!("bytes_written\t{}", stats.bytes_written)?;
    crate::outln!("corrupt\t{}", stats.corrupt)?;
    Ok(ExitCode::SUCCESS)
}
