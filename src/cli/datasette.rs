//! `itch datasette-metadata`: prints the Datasette metadata for the archive (JSON, for `datasette itch.db -m
//! metadata.json`), built by [`crate::schema_doc::datasette`] from the schema documentation built into this
//! binary. The archive is not opened: only its file name is used, as the database's name in Datasette.

use clap::Args;
use std::process::ExitCode;

use crate::config::Config;
use crate::schema_doc::{self, datasette};

/// Print Datasette metadata for the archive: descriptions, labels, search, sorts, facets, canned queries.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch datasette-metadata > metadata.json
  datasette itch.db -m metadata.json
  itch --db itch-demo.db datasette-metadata > metadata.json && datasette itch-demo.db -m metadata.json")]
pub struct DatasetteArgs {
    /// The database's name in Datasette [default: the archive's file name without `.db`, as Datasette names it].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

/// Runs `itch datasette-metadata`.
pub async fn run(config: &Config, args: DatasetteArgs) -> anyhow::Result<ExitCode> {
    let name = args.name.unwrap_or_else(|| datasette::database_name(&config.db));
    let metadata = datasette::metadata(&name, &schema_doc::tables());
    crate::outln!("{}", serde_json::to_string_pretty(&metadata)?)?;
    Ok(ExitCode::SUCCESS)
}
