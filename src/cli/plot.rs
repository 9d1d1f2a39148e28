//! `itch plot <chart> <login | video-id>` and `itch plot --input FILE`: draw a chart from the archive's reports,
//! or from a report's TSV with the 2016 `itch-plot` flags, into a PNG or SVG file. The charts live in
//! [`crate::plot`]; this file turns flags into its options and says where the picture went.
//!
//! The 2016 flags keep their letters: `-x -y` (columns), `-m -M` (x bounds), `-n -N` (y bounds), `-d`
//! (delimiter), `-t` (type), `-S` (streams file), `-D` (density), `-T` (title), `-l` (x label), `-r` (print the
//! rows kept), `-s` (accepted; itch prints rows only with `-r`). They differ in that the input is `--input FILE`
//! and the output `--output FILE` (no positional files), columns may also be numbers (from 1) or header names,
//! and without `-r` nothing is printed (the 2016 tool printed `x y name` for every row).

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use std::io::{self, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::client::{Login, VideoId};
use crate::config::Config;
use crate::error::Error;
use crate::plot::{self, Bounds, Drawn, Kind, Period, ScatterOptions, Style, Theme, TsvOptions};
use crate::report::time::{parse_since, parse_until};

/// The charts drawn from the archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Chart {
    /// Follow time against account creation, cumulative follows, streams (the 2016 chart).
    Followers,
    /// The follower total at each sync, streams.
    FollowerCount,
    /// Viewers over time, one line per stream.
    Viewers,
    /// A VOD's chat messages per minute, raids and gift bombs marked (takes a video id).
    ChatActivity,
}

impl Chart {
    fn name(self) -> &'static str {
        match self {
            Chart::Followers => "followers",
            Chart::FollowerCount => "follower-count",
            Chart::Viewers => "viewers",
            Chart::ChatActivity => "chat-activity",
        }
    }
}

/// Draw a chart (PNG, or SVG) from the archive or from a report's TSV.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch plot followers burkeblack
  itch plot followers burkeblack --density --since 2026-01-01 --theme dark --output waves.svg
  itch plot follower-count burkeblack --width 1200 --height 600
  itch plot viewers burkeblack
  itch plot chat-activity 2277158219
  itch report streams burkeblack --format seed > streams.tsv
  itch report followers burkeblack > followers.tsv
  itch plot --input followers.tsv -S streams.tsv -D -t scatter -n 2026-01-01 -o young.png")]
pub struct PlotArgs {
    /// The chart to draw from the archive.
    #[arg(value_enum, required_unless_present = "input")]
    chart: Option<Chart>,
    /// The channel's login, or for chat-activity the video id.
    #[arg(value_name = "LOGIN|VIDEO", required_unless_present = "input")]
    subject: Option<String>,
    /// Chart a delimited file instead (a report's TSV with or without its header, or the 2016 itch's); - for stdin.
    #[arg(long, short = 'i', value_name = "FILE", conflicts_with_all = ["chart", "subject", "since", "until"])]
    input: Option<PathBuf>,
    /// The picture: PNG, or SVG when the name ends in .svg [default: <chart>-<login>.png; for --input,
    /// the input's name with .png]
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Width in pixels.
    #[arg(long, default_value_t = 1600, value_parser = clap::value_parser!(u32).range(200..=10_000))]
    width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 800, value_parser = clap::value_parser!(u32).range(150..=10_000))]
    height: u32,
    /// The title above the chart (2016: -T).
    #[arg(long, short = 'T', value_name = "TEXT")]
    title: Option<String>,
    /// Colours.
    #[arg(long, value_enum, default_value_t = Theme::Light)]
    theme: Theme,
    /// Only rows at or after this time, as the report's --since: a date (a UTC day, today, yesterday), RFC 3339, or a
    /// span back from now (7d, 12h).
    #[arg(long, value_name = "WHEN", value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// Only rows at or before this time; a date includes that whole day.
    #[arg(long, value_name = "WHEN", value_parser = parse_until)]
    until: Option<DateTime<Utc>>,
    /// followers and --input: colour dots by how many fall near them (a 2D histogram), to pick waves out of
    /// a million follows (2016: -D).
    #[arg(long, short = 'D')]
    density: bool,
    /// followers and --input: dots, the cumulative count, or both with the count on a right axis (2016: -t).
    #[arg(long = "type", short = 't', value_enum, default_value_t = Kind::Mixed)]
    kind: Kind,
    /// The smallest x shown (2016: -m): on a time axis a date, RFC 3339 or Unix seconds; for chat-activity
    /// h:mm:ss into the video; else a number.
    #[arg(long, short = 'm', value_name = "X", allow_hyphen_values = true)]
    x_min: Option<String>,
    /// The largest x shown (2016: -M).
    #[arg(long, short = 'M', value_name = "X", allow_hyphen_values = true)]
    x_max: Option<String>,
    /// The smallest y shown (2016: -n), e.g. an account-creation date to keep only young accounts.
    #[arg(long, short = 'n', value_name = "Y", allow_hyphen_values = true)]
    y_min: Option<String>,
    /// The largest y shown (2016: -N).
    #[arg(long, short = 'N', value_name = "Y", allow_hyphen_values = true)]
    y_max: Option<String>,
    /// The x axis description (2016: -l).
    #[arg(long, short = 'l', value_name = "TEXT")]
    x_label: Option<String>,
    /// Leave out the shaded stream sessions (and the stream schedule's planned times).
    #[arg(long)]
    no_streams: bool,
    /// --input: the x column, a number from 1, a header name, or a 2016 field name (name, channel, created,
    /// followed, delta, followers, following) (2016: -x).
    #[arg(long, short = 'x', value_name = "COLUMN", default_value = "followed")]
    x_column: String,
    /// --input: the y column, likewise (2016: -y).
    #[arg(long, short = 'y', value_name = "COLUMN", default_value = "created")]
    y_column: String,
    /// --input: the field separator, one character or "tab" (2016: -d).
    #[arg(long, short = 'd', value_name = "CHAR", default_value = "tab", value_parser = parse_delimiter)]
    delimiter: char,
    /// --input: stream sessions to shade, `start<TAB>end` a line, as `itch report streams --format seed`
    /// prints them (2016: -S).
    #[arg(long, short = 'S', value_name = "FILE")]
    streams: Option<PathBuf>,
    /// --input: print the rows kept within the bounds to stdout, header first, to save a subset (2016: -r).
    #[arg(long, short = 'r')]
    records: bool,
    /// Accepted for the 2016 tool's scripts; does nothing, as rows are printed only with -r (2016: -s).
    #[arg(short = 's')]
    silent: bool,
}

fn parse_delimiter(input: &str) -> Result<char, String> {
    match input {
        "tab" | "\\t" => Ok('\t'),
        _ => {
            let mut chars = input.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(format!("'{input}' is not one character (or \"tab\")")),
            }
        }
    }
}

impl PlotArgs {
    /// Refuses flags that do not apply to the chart asked for, rather than ignoring them.
    fn check(&self) -> anyhow::Result<()> {
        let defaults = PlotArgs::defaults();
        if self.input.is_none() {
            let file_flags = self.x_column != defaults.x_column
                || self.y_column != defaults.y_column
                || self.delimiter != defaults.delimiter
                || self.streams.is_some()
                || self.records;
            anyhow::ensure!(!file_flags, "-x, -y, -d, -S and -r are for --input");
        }
        if let Some(chart) = self.chart.filter(|chart| *chart != Chart::Followers) {
            anyhow::ensure!(
                !self.density && self.kind == Kind::Mixed,
                "--density and --type are for the followers chart and --input, not {}",
                chart.name()
            );
        }
        Ok(())
    }

    /// The flags' defaults, as clap fills them in.
    fn defaults() -> PlotArgs {
        #[derive(clap::Parser)]
        struct Defaults {
            #[command(flatten)]
            args: PlotArgs,
        }
        <Defaults as clap::Parser>::parse_from(["itch", "-i", "-"]).args
    }

    fn style(&self) -> Style {
        Style {
            width: self.width,
            height: self.height,
            title: self.title.clone(),
            theme: self.theme,
        }
    }

    fn options(&self) -> ScatterOptions {
        ScatterOptions {
            kind: self.kind,
            density: self.density,
            bounds: Bounds {
                x_min: self.x_min.clone(),
                x_max: self.x_max.clone(),
                y_min: self.y_min.clone(),
                y_max: self.y_max.clone(),
            },
            x_label: self.x_label.clone(),
            no_streams: self.no_streams,
        }
    }

    /// The chart and what it is about, checked where they enter (a login for the channel charts, a video id for
    /// chat-activity), before anything is opened; `None` with --input.
    fn subject(&self) -> crate::Result<Option<(Chart, Subject)>> {
        let (Some(chart), Some(subject)) = (self.chart, self.subject.as_deref()) else {
            return Ok(None);
        };
        let subject = match chart {
            Chart::ChatActivity => Subject::Video(VideoId::parse(subject)?),
            Chart::Followers | Chart::FollowerCount | Chart::Viewers => Subject::Channel(Login::parse(subject)?),
        };
        Ok(Some((chart, subject)))
    }

    /// Where the picture goes unless --output says; `chart` is what [`PlotArgs::subject`] made.
    fn output(&self, chart: Option<&(Chart, Subject)>) -> PathBuf {
        if let Some(output) = &self.output {
            return output.clone();
        }
        match (&self.input, chart) {
            (Some(input), _) if input.as_os_str() != "-" => {
                let stem = input
                    .file_stem()
                    .map_or_else(|| "plot".into(), |s| s.to_string_lossy().into_owned());
                PathBuf::from(format!("{stem}.png"))
            }
            (None, Some((chart, subject))) => PathBuf::from(format!("{}-{subject}.png", chart.name())),
            _ => PathBuf::from("plot.png"),
        }
    }

    /// The 2016 `itch-plot` over the file `input` (- for stdin); the rows kept go to stdout with -r.
    fn draw_input(&self, input: &Path, options: &ScatterOptions, style: &Style, target: &Path) -> crate::Result<Drawn> {
        let tsv = TsvOptions {
            x_column: self.x_column.clone(),
            y_column: self.y_column.clone(),
            delimiter: self.delimiter,
            streams: self.streams.clone(),
            records: self.records,
        };
        let mut records = BufWriter::new(io::stdout().lock());
        if input.as_os_str() == "-" {
            return plot::plot_tsv(
                io::stdin().lock(),
                Path::new("stdin"),
                &tsv,
                options,
                style,
                target,
                &mut records,
            );
        }
        let file = std::fs::File::open(input).map_err(|source| Error::PlotInputFile {
            path: input.to_owned(),
            source,
        })?;
        plot::plot_tsv(BufReader::new(file), input, &tsv, options, style, target, &mut records)
    }
}

/// What an archive chart is about.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Subject {
    /// A channel, for followers, follower-count and viewers.
    Channel(Login),
    /// A video, for chat-activity.
    Video(VideoId),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Channel(login) => login.fmt(f),
            Subject::Video(video) => video.fmt(f),
        }
    }
}

/// Draws `chart` of `subject` from the archive `db` into `target`.
fn draw_chart(
    db: &Path,
    (chart, subject): &(Chart, Subject),
    period: &Period,
    options: &ScatterOptions,
    style: &Style,
    target: &Path,
) -> crate::Result<Drawn> {
    let conn = crate::archive::open_read_only(db)?;
    match (chart, subject) {
        (Chart::ChatActivity, Subject::Video(video)) => {
            plot::chat_activity(&conn, video, period, options, style, target)
        }
        (Chart::Followers, Subject::Channel(login)) => {
            plot::followers(&conn, login.as_str(), period, options, style, target)
        }
        (Chart::FollowerCount, Subject::Channel(login)) => {
            plot::follower_count(&conn, login.as_str(), period, options, style, target)
        }
        (Chart::Viewers, Subject::Channel(login)) => {
            plot::viewers(&conn, login.as_str(), period, options, style, target)
        }
        _ => unreachable!("PlotArgs::subject gives each chart its kind of subject"),
    }
}

/// Runs `itch plot`.
pub async fn run(config: &Config, args: PlotArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    args.check()?;
    let chart = args.subject()?;
    let output = args.output(chart.as_ref());
    let (style, options) = (args.style(), args.options());
    let period = Period {
        since: args.since,
        until: args.until,
    };
    let db = config.db.clone();
    let target = output.clone();
    // SQLite, the drawing and the file writes block; they must not hold up the async runtime.
    let drawn = tokio::task::spawn_blocking(move || match (&args.input, &chart) {
        (Some(input), _) => args.draw_input(input, &options, &style, &target),
        (None, Some(chart)) => draw_chart(&db, chart, &period, &options, &style, &target),
        (None, None) => unreachable!("clap asks for a chart and its subject without --input"),
    })
    .await??;
    for note in &drawn.notes {
        eprintln!("note: {note}");
    }
    if !quiet {
        let unit = if drawn.points == 1 { "point" } else { "points" };
        eprintln!(
            "wrote {} ({} {unit})",
            output.display(),
            plot::thousands(drawn.points as i64)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: PlotArgs,
    }

    fn parse(args: &[&str]) -> Result<PlotArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("itch").chain(args.iter().copied())).map(|cli| cli.args)
    }

    /// The picture's file, the subject checked as `run` checks it.
    fn output(args: &PlotArgs) -> PathBuf {
        args.output(args.subject().unwrap().as_ref())
    }

    /// Every chart `itch plot` offers (a new one too) draws from the reports' test archive.
    #[test]
    fn every_chart_draws_from_the_archive() {
        let (dir, db) = crate::report::tests::archive();
        for chart in Chart::value_variants() {
            let subject = if *chart == Chart::ChatActivity { "2001" } else { "rig" };
            let args = parse(&[chart.name(), subject]).unwrap();
            let target = dir.path().join(output(&args));
            let chart = args.subject().unwrap().unwrap();
            let drawn = draw_chart(&db, &chart, &Period::default(), &args.options(), &args.style(), &target).unwrap();
            assert!(drawn.points > 0, "{chart:?}");
            assert!(target.metadata().unwrap().len() > 2_000, "{chart:?}");
        }
    }

    #[test]
    fn a_bad_subject_is_refused_not_kept_in_the_file_name() {
        let error = parse(&["chat-activity", "burkeblack"]).unwrap().subject().unwrap_err();
        assert!(matches!(error, Error::InvalidVideoId { .. }), "{error:?}");
        let error = parse(&["viewers", "not-a-login"]).unwrap().subject().unwrap_err();
        assert!(matches!(error, Error::InvalidLogin { .. }), "{error:?}");
        let chart = parse(&["chat-activity", "v123"]).unwrap().subject().unwrap();
        assert_eq!(chart, Some((Chart::ChatActivity, Subject::Video(VideoId::from("123")))));
        assert_eq!(parse(&["-i", "f.tsv"]).unwrap().subject().unwrap(), None);
    }

    #[test]
    fn archive_charts_take_a_subject_and_name_their_file_after_it() {
        let args = parse(&[
            "followers",
            "BurkeBlack",
            "--density",
            "--theme",
            "dark",
            "-n",
            "2026-01-01",
        ])
        .unwrap();
        assert_eq!(output(&args), PathBuf::from("followers-burkeblack.png"));
        assert_eq!(args.style().theme, Theme::Dark);
        let options = args.options();
        assert!(options.density);
        assert_eq!(options.bounds.y_min.as_deref(), Some("2026-01-01"));
        let args = parse(&["chat-activity", "https://www.twitch.tv/videos/123", "-o", "chat.svg"]).unwrap();
        assert_eq!(output(&args), PathBuf::from("chat.svg"));
        let args = parse(&["chat-activity", "v123"]).unwrap();
        assert_eq!(output(&args), PathBuf::from("chat-activity-123.png"));
        assert!(parse(&["followers"]).is_err(), "a chart needs its subject");
        assert!(parse(&[]).is_err(), "a chart or --input is needed");
        assert!(parse(&["followers", "x", "--width", "10"]).is_err());
    }

    #[test]
    fn input_takes_the_2016_flags() {
        let args = parse(&[
            "--input",
            "dir/followers.tsv",
            "-x",
            "4",
            "-y",
            "delta",
            "-m",
            "2016-07-25",
            "-M",
            "1470000000",
            "-n",
            "-5",
            "-N",
            "100",
            "-d",
            ",",
            "-t",
            "scatter",
            "-S",
            "streams.tsv",
            "-D",
            "-T",
            "Waves",
            "-l",
            "when",
            "-r",
            "-s",
        ])
        .unwrap();
        assert_eq!(output(&args), PathBuf::from("followers.png"));
        assert_eq!((args.x_column.as_str(), args.y_column.as_str()), ("4", "delta"));
        assert_eq!(args.delimiter, ',');
        assert_eq!(args.kind, Kind::Scatter);
        assert_eq!(args.streams, Some(PathBuf::from("streams.tsv")));
        assert!(args.density && args.records && args.silent);
        assert_eq!(args.style().title.as_deref(), Some("Waves"));
        let options = args.options();
        assert_eq!(options.x_label.as_deref(), Some("when"));
        assert_eq!(
            options.bounds,
            Bounds {
                x_min: Some("2016-07-25".into()),
                x_max: Some("1470000000".into()),
                y_min: Some("-5".into()),
                y_max: Some("100".into()),
            }
        );
        let args = parse(&["-i", "-"]).unwrap();
        assert_eq!((output(&args), args.delimiter), (PathBuf::from("plot.png"), '\t'));
        assert!(
            parse(&["followers", "x", "-i", "f.tsv"]).is_err(),
            "a chart or --input, not both"
        );
        assert!(parse(&["-i", "f.tsv", "-d", "ab"]).is_err());
        for misplaced in [
            &["followers", "x", "-S", "s.tsv"][..],
            &["followers", "x", "-x", "3"],
            &["followers", "x", "-r"],
            &["viewers", "x", "--density"],
            &["follower-count", "x", "-t", "line"],
        ] {
            let error = parse(misplaced).unwrap().check().unwrap_err();
            assert!(error.to_string().contains(" are for "), "{misplaced:?}: {error}");
        }
        assert!(
            parse(&["followers", "x", "-D", "-t", "scatter"])
                .unwrap()
                .check()
                .is_ok()
        );
        assert!(
            parse(&["-i", "f.tsv", "-x", "3", "-r", "-S", "s.tsv"])
                .unwrap()
                .check()
                .is_ok()
        );
    }
}
