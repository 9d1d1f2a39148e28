//! `itch export <dir>`: writes the archive's tables as Parquet (or CSV, NDJSON) files for DuckDB, ClickHouse,
//! Spark and pandas, and prints what it wrote, one line per table. The work is [`crate::export`]'s; this file
//! turns the flags into its options.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use crate::export::{self, ExportOptions, Format};

/// Export the archive's tables as files.
#[derive(Debug, Args)]
#[command(
    long_about = "Export the archive's tables as files: <dir>/<table>/.../part-<export>.<format>.

Every table that holds archive data is written (not staging, cache, work state or the export's own bookkeeping);
tables read by channel and time are Hive-partitioned as channel=<login>/<period>=<value>/: chat messages and chat
events by day (date=2024-05-01), the snapshots by month (month=2024-05), follows by year (year=2024).
Parquet columns are typed: *_at times are UTC timestamps, counts integers, 0/1 flags booleans, ids and JSON text.

Incremental: a second export into the same directory writes only the rows inserted or changed since the first,
into new part files named after the new export's number (part-000002...); nothing new writes no file. A row that
changed in place (a follower hydrated, an unfollow or a deleted video noticed, a chat message deleted by a
moderator) is written again whole, so a table's current state is, per key, the row in the part with the highest
number; rows that did not change are never written twice. An interrupted export saves nothing and the next one
writes its rows again.",
    after_help = "Examples:
  itch export export/
  itch export export/ --tables follows,users
  itch export export-csv/ --format csv
  itch export --forget old-export/     # a directory you deleted
  duckdb -c \"SELECT year, count(*) FROM read_parquet('export/follows/**/*.parquet', hive_partitioning = true) GROUP BY year ORDER BY year\"
  # the newest version of each follow:
  duckdb -c \"SELECT * FROM read_parquet('export/follows/**/*.parquet', filename = true) QUALIFY row_number() OVER (PARTITION BY broadcaster_id, user_id ORDER BY regexp_extract(filename, 'part-([0-9]+)', 1)::INT DESC) = 1\""
)]
pub struct ExportArgs {
    /// The export directory (created if missing); later exports into it add only what changed.
    dir: PathBuf,
    /// File format.
    #[arg(long, value_enum, default_value_t = Format::Parquet)]
    format: Format,
    /// Only these tables (comma-separated), for example `follows,users`.
    #[arg(long, value_delimiter = ',', value_name = "TABLE,...")]
    tables: Option<Vec<String>>,
    /// Export nothing: forget <dir>, a directory you deleted, so the archive stops keeping the change log for it
    /// (exit 1 if nothing was recorded for it).
    #[arg(long, conflicts_with = "tables")]
    forget: bool,
}

/// Runs `itch export`.
pub async fn run(config: &Config, args: ExportArgs) -> anyhow::Result<ExitCode> {
    if args.forget {
        let db = config.db.clone();
        let forgotten = tokio::task::spawn_blocking(move || export::forget(&db, &args.dir)).await??;
        if forgotten.tables == 0 {
            eprintln!(
                "no export into {} is recorded in this archive: nothing to forget",
                forgotten.dir.display()
            );
            return Ok(ExitCode::from(1));
        }
        eprintln!(
            "forgot {} table{} exported into {}; {} change-log entries no longer needed were deleted",
            forgotten.tables,
            if forgotten.tables == 1 { "" } else { "s" },
            forgotten.dir.display(),
            forgotten.changes
        );
        return Ok(ExitCode::SUCCESS);
    }
    let options = ExportOptions {
        dir: args.dir,
        format: args.format,
        tables: args.tables,
    };
    let db = config.db.clone();
    // SQLite and the files block; the export must not hold up the async runtime.
    let summary = tokio::task::spawn_blocking(move || export::export(&db, &options)).await??;
    crate::outln!("table\trows\tfiles\tbytes\tmode")?;
    for table in &summary.tables {
        crate::outln!(
            "{}\t{}\t{}\t{}\t{}",
            table.table,
            table.rows,
            table.files,
            table.bytes,
            table.mode
        )?;
    }
    let rows: u64 = summary.tables.iter().map(|t| t.rows).sum();
    let files: u64 = summary.tables.iter().map(|t| t.files).sum();
    eprintln!(
        "export {} into {}: {rows} rows in {files} files",
        summary.id,
        summary.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
