//! `itch sql "<query>"`: one read-only query over the archive, printed with the same writer and formats as the
//! reports. The archive is opened read-only with `query_only` on, and a statement that would write is refused
//! before it runs, so no typo can change an archive.

use anyhow::Context;
use clap::Args;
use std::io::{self, BufWriter, Read};
use std::process::ExitCode;

use super::report::OutputArgs;
use crate::config::Config;

/// Run one read-only SQL query on the archive and print its rows.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch sql \"SELECT login, created_at FROM users ORDER BY created_at DESC LIMIT 10\"
  itch sql --format json \"SELECT channel, taken_at, follower_total FROM follower_counts\"
  itch sql - < question.sql")]
pub struct SqlArgs {
    /// One statement that only reads (SELECT, WITH, EXPLAIN, a reading PRAGMA); `-` reads it from stdin.
    query: String,
    #[command(flatten)]
    output: OutputArgs,
}

/// Runs `itch sql`.
pub async fn run(config: &Config, args: SqlArgs) -> anyhow::Result<ExitCode> {
    let query = if args.query == "-" {
        let mut query = String::new();
        io::stdin()
            .read_to_string(&mut query)
            .context("reading the query from stdin")?;
        query
    } else {
        args.query
    };
    let options = args.output.options(false);
    let path = config.db.clone();
    // SQLite and stdout block; a long query must not hold up the async runtime.
    tokio::task::spawn_blocking(move || {
        let conn = crate::archive::open_read_only(&path)?;
        let out = BufWriter::new(io::stdout().lock());
        let rows = crate::report::write_query(&conn, &query, &options, out)?;
        tracing::info!(rows, "query printed");
        Ok(ExitCode::SUCCESS)
    })
    .await?
}
