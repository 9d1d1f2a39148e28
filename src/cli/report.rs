//! `itch report <name> [<login> | <video-id>]`: run one of the named reports over the archive and print it (TSV by
//! default, CSV, JSON, NDJSON or the 2016 itch's form) to stdout, streaming row by row; what the output lacks (an
//! unfinished chat download) goes to stderr as a note. The reports themselves live in [`crate::report`]; this
//! file only turns flags into its [`Params`] and [`OutputOptions`]. `itch sql` and `itch search` share the
//! output flags.

use chrono::{DateTime, Utc};
use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use crate::client::{Login, VideoId};
use crate::config::Config;
use crate::report::time::{parse_since, parse_until};
use crate::report::{self, Direction, Format, OutputOptions, Params, REPORTS, Report, Subject};

/// Print a report from the archive.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch report --list
  itch report followers burkeblack --since 2026-01-01 --until 2026-01-31
  itch report followers burkeblack --epoch --no-header > followers.tsv
  itch report videos burkeblack --format json | jq '.[] | select(.deleted_seen_at)'
  itch report follower-count burkeblack --format csv > counts.csv
  itch report bot-waves burkeblack --min-size 50
  itch report streams burkeblack --format seed > streams.tsv
  itch report chatlog 2277158219 --format seed
  itch report chatlog 2277158219 --hide-deleted
  itch report chapters 2277158219
  itch report raids burkeblack --since 2026-01-01
  itch report subs burkeblack --format csv > subs.csv
  itch report moderation burkeblack --limit 20
  itch report chat-gaps burkeblack
  itch report chat-events 2277158219
  itch report clips burkeblack --by-views --since 30d
  itch report chatlog 2277158219 --at 1:23:45 --around 60s
  itch report chatlog AwkwardHelplessSalamanderSwiftRage")]
pub struct ReportArgs {
    /// The report; leave it out (or pass --list) to see them all.
    #[arg(value_parser = report_names())]
    name: Option<String>,
    /// The channel's login, or for `chatlog` and `chat-events` the video id (2277158219, v2277158219 or the VOD's
    /// URL); `chatlog` also takes an archived clip's id, for the chat around the clip.
    #[arg(value_name = "LOGIN|VIDEO")]
    subject: Option<String>,
    /// List the reports and what they print.
    #[arg(long)]
    list: bool,
    /// Only rows at or after this time: a date (2026-01-31, a UTC day; today, yesterday), RFC 3339
    /// (2026-01-31T18:00:00+01:00), or a span back from now (7d, 12h, 1h30m).
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
    /// bot-waves: the fewest accounts that make a wave.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    min_size: Option<u64>,
    /// chatlog: leave out messages a moderator deleted (by default they are printed, marked by `deleted_at`).
    #[arg(long)]
    hide_deleted: bool,
    /// clips: most viewed first (by the latest view count) instead of newest first.
    #[arg(long)]
    by_views: bool,
    /// chatlog: only the chat around this moment of the VOD (1:23:45, 83:45, 5025 seconds or 1h23m45s).
    #[arg(long, value_name = "OFFSET", value_parser = parse_offset)]
    at: Option<u64>,
    /// chatlog: how far either side of --at (or of a clip) to read [default: 60s].
    #[arg(long, value_name = "SPAN", value_parser = parse_span)]
    around: Option<u64>,
    #[command(flatten)]
    output: OutputArgs,
}

impl ReportArgs {
    /// The report's parameters: the subject is checked as a login or a video id, as the report takes.
    fn params(&self, report: &Report) -> crate::Result<Params> {
        let subject = self.subject.as_deref();
        let (login, video) = match report.subject {
            Subject::Channel => (
                subject.map(Login::parse).transpose()?.map(|l| l.as_str().to_owned()),
                None,
            ),
            // `chatlog <clip-id>`: a clip id is no video id; the report resolves it from the archive.
            Subject::Video => match subject.map(VideoId::parse).transpose() {
                Err(_) if report.name == "chatlog" && subject.is_some_and(looks_like_clip) => {
                    let clip = subject.map(str::trim).unwrap_or_default().to_owned();
                    return Ok(Params {
                        clip: Some(clip),
                        ..self.common_params()
                    });
                }
                video => (None, video?),
            },
            // A stray argument is refused by the report, with its name.
            Subject::Archive => (subject.map(str::to_owned), None),
        };
        Ok(Params {
            login,
            video,
            ..self.common_params()
        })
    }

    /// The parameters every subject shares.
    fn common_params(&self) -> Params {
        Params {
            since: self.since,
            until: self.until,
            limit: self.limit,
            direction: self.direction,
            min_size: self.min_size,
            hide_deleted: self.hide_deleted,
            by_views: self.by_views,
            at: self.at,
            around: self.around,
            ..Params::default()
        }
    }
}

/// Whether `text` has the shape of a clip id: Twitch's slugs are CamelCase words (`AwkwardHelplessSalamander...`),
/// since 2021 with a `-suffix`, so a lower-case word stays a mistyped video id.
fn looks_like_clip(text: &str) -> bool {
    let text = text.trim();
    text.len() >= 8
        && text.bytes().any(|b| b.is_ascii_uppercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A moment of a VOD: `1:23:45`, `83:45`, `5025` (seconds) or a span such as `1h23m45s`.
fn parse_offset(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let bad = || format!("'{text}' is not a moment of a VOD (1:23:45, 83:45, 5025 or 1h23m45s)");
    if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        if parts.len() > 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        return parts
            .iter()
            .try_fold(0u64, |acc, p| acc.checked_mul(60)?.checked_add(p.parse().ok()?))
            .ok_or_else(bad);
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(seconds);
    }
    humantime::parse_duration(text).map(|d| d.as_secs()).map_err(|_| bad())
}

/// A span either side of a moment, in humantime's units (`60s`, `2m`); a bare number is seconds.
fn parse_span(text: &str) -> Result<u64, String> {
    let text = text.trim();
    text.parse::<u64>()
        .or_else(|_| humantime::parse_duration(text).map(|d| d.as_secs()))
        .map_err(|_| format!("'{text}' is not a span (60s, 2m, 90)"))
}

/// The output flags `itch report`, `itch sql` and `itch search` share.
#[derive(Debug, Args)]
pub(super) struct OutputArgs {
    /// Output format (seed: as the 2016 itch printed it) [default: table on a terminal, else tsv].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// No header line (TSV and CSV; JSON always names its fields).
    #[arg(long)]
    no_header: bool,
}

impl OutputArgs {
    /// The writer's options.
    pub(super) fn options(&self, epoch: bool) -> OutputOptions {
        use std::io::IsTerminal;
        // People at a terminal get aligned columns; a pipe or a file gets TSV, whatever is reading it.
        let default = if io::stdout().is_terminal() {
            Format::Table
        } else {
            Format::Tsv
        };
        OutputOptions {
            format: self.format.unwrap_or(default),
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
            print_list(&mut io::stdout().lock()).map_err(crate::Error::Write)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let params = args.params(report)?;
    let options = args.output.options(args.epoch);
    let path = config.db.clone();
    // SQLite and stdout block; a long report must not hold up the async runtime.
    tokio::task::spawn_blocking(move || {
        let conn = crate::archive::open_read_only(&path)?;
        let params = report::resolve_clip(&conn, params)?;
        let out = BufWriter::new(io::stdout().lock());
        let rows = report::write_report(&conn, report, &params, &options, out)?;
        for note in report::notes(&conn, report, &params)? {
            eprintln!("note: {note}");
        }
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
            "--hide-deleted",
        ])
        .unwrap();
        let args = cli.args;
        assert_eq!(args.name.as_deref(), Some("followers"));
        let params = args.params(report::find("followers").unwrap()).unwrap();
        assert_eq!(params.login.as_deref(), Some("burkeblack"));
        assert_eq!(params.video, None);
        assert!(params.hide_deleted);
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
        let args = Cli::try_parse_from(["itch", "followers", "not-a-login"]).unwrap().args;
        let error = args.params(report::find("followers").unwrap()).unwrap_err();
        assert!(
            error.to_string().contains("'not-a-login' is not a Twitch login"),
            "{error}"
        );
        assert!(Cli::try_parse_from(["itch", "bot-waves", "chan", "--min-size", "1"]).is_err());
    }

    #[test]
    fn chatlog_takes_a_video_id_in_any_of_its_forms() {
        let chatlog = report::find("chatlog").unwrap();
        for input in ["2277158219", "v2277158219", "https://www.twitch.tv/videos/2277158219"] {
            let args = Cli::try_parse_from(["itch", "chatlog", input, "--format", "seed"])
                .unwrap()
                .args;
            let params = args.params(chatlog).unwrap();
            assert_eq!(params.video, Some(VideoId::from("2277158219")), "{input}");
            assert_eq!(params.login, None);
            assert_eq!(args.output.options(false).format, Format::Seed);
        }
        let args = Cli::try_parse_from(["itch", "chatlog", "burkeblack"]).unwrap().args;
        let error = args.params(chatlog).unwrap_err();
        assert!(
            error.to_string().contains("'burkeblack' is not a Twitch video id"),
            "{error}"
        );
    }

    #[test]
    fn chatlog_takes_a_moment_and_a_span_or_a_clip_id() {
        let chatlog = report::find("chatlog").unwrap();
        let args = Cli::try_parse_from(["itch", "chatlog", "2277158219", "--at", "1:23:45", "--around", "2m"])
            .unwrap()
            .args;
        let params = args.params(chatlog).unwrap();
        assert_eq!((params.at, params.around), (Some(5025), Some(120)));
        for (text, seconds) in [("83:45", 5025), ("5025", 5025), ("1h23m45s", 5025), ("0:07", 7)] {
            assert_eq!(parse_offset(text), Ok(seconds), "{text}");
        }
        for bad in ["1::2", "a:b", "soon", "1:2:3:4"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
        let args = Cli::try_parse_from(["itch", "chatlog", "AwkwardHelplessSalamanderSwiftRage"])
            .unwrap()
            .args;
        let params = args.params(chatlog).unwrap();
        assert_eq!(params.clip.as_deref(), Some("AwkwardHelplessSalamanderSwiftRage"));
        assert_eq!(params.video, None);
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
        assert!(list.contains("\nchatlog <video-id>  "), "{list}");
    }
}
