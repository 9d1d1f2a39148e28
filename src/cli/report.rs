//! `itch report <name> [<login>]`: run one of the named reports over the archive and print it (TSV by default,
//! CSV, JSON or NDJSON) to stdout, streaming row by row. The reports themselves live in [`crate::report`]; this
//! file only turns flags into its [`Params`] and [`OutputOptions`]. `itch sql` shares the output flags.

use chrono::{DateTime, Utc};
use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use crate::client::Login;
use crate::config::Config;
use crate::report::time::{parse_since, parse_until};
use crate::report::{self, Direction, Format, OutputOptions, Params, REPORTS};

/// Print a report from the archive.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch report --list
  itch report followers burkeblack --since 2026-01-01 --until 2026-01-31
  itch report followers burkeblack --epoch --no-header > followers.tsv
  itch report videos burkeblack --format json | jq '.[] | select(.deleted_seen_at)'
  itch report follower-count burkeblack --format csv > counts.csv")]
pub struct ReportArgs {
    /// The report; leave it out (or pass --list) to see them all.
    #[arg(value_parser = report_names())]
    name: Option<String>,
    /// The channel, for reports about one.
    login: Option<Login>,
    /// List the reports and what they print.
    #[arg(long)]
    list: bool,
    /// Only rows at or after this time: a date (2026-01-31, a UTC day) or RFC 3339 (2026-01-31T18:00:00+01:00).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// Only rows at or before this time; a date includes that whole day.
    #[arg(long, value_name = "WHEN", value_parser = parse_until)]
    until: Option<DateTime<Utc>>,
    /// At most this many rows.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Oldest (asc) or newest (desc) first; each report has its own default.
    #[arg(long, value_enum)]
    direction: Option<Direction>,
    /// Times as Unix seconds instead of ISO-8601 text.
    #[arg(long)]
    epoch: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// The output flags `itch report` and `itch sql` share.
#[derive(Debug, Args)]
pub(super) struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Tsv)]
    format: Format,
    /// No header line (TSV and CSV; JSON always names its fields).
    #[arg(long)]
    no_header: bool,
}

impl OutputArgs {
    /// The writer's options.
    pub(super) fn options(&self, epoch: bool) -> OutputOptions {
        OutputOptions {
            format: self.format,
            header: !self.no_header,
            epoch,
        }
    }
}

fn report_names() -> PossibleValuesParser {
    PossibleValuesParser::new(
        REPORTS
            .iter()
            .map(|report| PossibleValue::new(report.name).help(report.help)),
    )
}

/// Runs `itch report`.
pub async fn run(config: &Config, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let report = match args.name.as_deref() {
        Some(name) if !args.list => report::find(name).expect("clap only accepts registered names"),
        _ => {
            print_list(&mut io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let params = Params {
        login: args.login.map(|login| login.as_str().to_owned()),
        since: args.since,
        until: args.until,
        limit: args.limit,
        direction: args.direction,
    };
    let options = args.output.options(args.epoch);
    let path = config.db.clone();
    // SQLite and stdout block; a long report must not hold up the async runtime.
    tokio::task::spawn_blocking(move || {
        let conn = crate::archive::open_read_only(&path)?;
        let out = BufWriter::new(io::stdout().lock());
        let rows = report::write_report(&conn, report, &params, &options, out)?;
        tracing::info!(report = report.name, rows, "report printed");
        Ok(ExitCode::SUCCESS)
    })
    .await?
}

/// One line a report: how to call it, what it prints, and the column `--since`/`--until` filter.
fn print_list(out: &mut impl Write) -> io::Result<()> {
    let width = REPORTS.iter().map(|report| report.synopsis().len()).max().unwrap_or(0);
    for report in REPORTS {
        write!(out, "{:<width$}  {}", report.synopsis(), report.help)?;
        match report.filter_column {
            Some(column) => writeln!(out, " (--since/--until: {column})")?,
            None => writeln!(out)?,
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: ReportArgs,
    }

    #[test]
    fn flags_become_params_and_options() {
        let cli = Cli::try_parse_from([
            "itch",
            "followers",
            "BurkeBlack",
            "--since",
            "2026-01-01",
            "--until",
            "2026-01-31",
            "--limit",
            "5",
            "--direction",
            "asc",
            "--epoch",
            "--format",
            "ndjson",
            "--no-header",
        ])
        .unwrap();
        let args = cli.args;
        assert_eq!(args.name.as_deref(), Some("followers"));
        assert_eq!(args.login.unwrap().as_str(), "burkeblack");
        assert_eq!(args.until.unwrap().to_rfc3339(), "2026-01-31T23:59:59+00:00");
        assert_eq!(args.direction, Some(Direction::Asc));
        assert_eq!(
            args.output.options(args.epoch),
            OutputOptions {
                format: Format::Ndjson,
                header: false,
                epoch: true
            }
        );
    }

    #[test]
    fn bad_values_are_usage_errors_naming_them() {
        let error = Cli::try_parse_from(["itch", "followers", "chan", "--since", "last tuesday"]).unwrap_err();
        assert!(error.to_string().contains("'last tuesday' is not a date"), "{error}");
        let error = Cli::try_parse_from(["itch", "folowers", "chan"]).unwrap_err();
        assert!(error.to_string().contains("folowers"), "{error}");
        assert!(Cli::try_parse_from(["itch", "followers", "not-a-login"]).is_err());
    }

    #[test]
    fn the_list_names_every_report() {
        let mut out = Vec::new();
        print_list(&mut out).unwrap();
        let list = String::from_utf8(out).unwrap();
        assert_eq!(list.lines().count(), REPORTS.len());
        assert!(
            list.lines().next().unwrap().starts_with("followers <login>  "),
            "{list}"
        );
        assert!(list.contains("(--since/--until: followed_at)"), "{list}");
    }
}
