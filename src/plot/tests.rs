//! Chart tests over the reports' hand-made archive (see `report/tests.rs` for what it holds): every chart renders
//! a PNG and an SVG of the asked size, from the archive and from report TSV; mistakes are refused by name.

use super::*;
use crate::report::{Direction, Format, OutputOptions, Params};
use std::path::PathBuf;

fn archive() -> (tempfile::TempDir, PathBuf, rusqlite::Connection) {
    let (dir, path) = crate::report::tests::archive();
    let conn = crate::archive::open_read_only(&path).unwrap();
    (dir, path, conn)
}

fn video_id(video: &str) -> crate::client::VideoId {
    crate::client::VideoId::parse(video).unwrap()
}

fn style(width: u32, height: u32) -> Style {
    Style {
        width,
        height,
        ..Style::default()
    }
}

/// Checks the PNG signature and reads the size from the IHDR chunk.
fn assert_png(path: &Path, width: u32, height: u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (width, height), "{}", path.display());
    assert!(bytes.len() > 2_000, "{} has a picture in it", path.display());
}

/// Checks that the file is one SVG element of the asked size, with text drawn in it.
fn assert_svg(path: &Path, width: u32, height: u32) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..text.len().min(100)]);
    let open = &text[..text.find('>').unwrap()];
    assert!(open.contains(&format!("width=\"{width}\"")), "{open}");
    assert!(open.contains(&format!("height=\"{height}\"")), "{open}");
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(!svg_texts(&text).is_empty(), "labels are drawn");
    text
}

/// The words of an SVG's `<text>` elements.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|element| {
            let body = &element[element.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_owned())
        })
        .collect()
}

#[test]
fn every_archive_chart_renders_a_png_and_an_svg_of_the_asked_size() {
    let (dir, _path, conn) = archive();
    type Chart = fn(&rusqlite::Connection, &str, &Period, &ScatterOptions, &Style, &Path) -> Result<Drawn>;
    fn chat_activity(
        conn: &rusqlite::Connection,
        video: &str,
        period: &Period,
        options: &ScatterOptions,
        style: &Style,
        output: &Path,
    ) -> Result<Drawn> {
        super::chat_activity(conn, &video_id(video), period, options, style, output)
    }
    let charts: [(&str, &str, Chart); 4] = [
        ("followers", "rig", followers),
        ("follower-count", "rig", follower_count),
        ("viewers", "rig", viewers),
        ("chat-activity", "2001", chat_activity),
    ];
    let density = ScatterOptions {
        density: true,
        ..ScatterOptions::default()
    };
    for (name, subject, chart) in charts {
        let png = dir.path().join(format!("{name}.png"));
        let drawn = chart(&conn, subject, &Period::default(), &density, &style(900, 500), &png).unwrap();
        assert!(drawn.points > 0, "{name}");
        assert_png(&png, 900, 500);
        let svg = dir.path().join(format!("{name}.SVG"));
        chart(
            &conn,
            subject,
            &Period::default(),
            &ScatterOptions::default(),
            &style(640, 480),
            &svg,
        )
        .unwrap();
        assert_svg(&svg, 640, 480);
    }
}

#[test]
fn charts_count_what_they_draw() {
    let (dir, _path, conn) = archive();
    let out = dir.path().join("chart.png");
    let period = Period::default();
    // rig has 25 + 30 + 10 + 19 current followers, all with a known account creation.
    let drawn = followers(
        &conn,
        "rig",
        &period,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    assert_eq!(drawn.points, 84);
    let drawn = follower_count(
        &conn,
        "rig",
        &period,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    assert_eq!(drawn.points, 3);
    let drawn = viewers(
        &conn,
        "rig",
        &period,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    assert_eq!(drawn.points, 3);
    let drawn = chat_activity(
        &conn,
        &video_id("v2001"),
        &period,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    assert_eq!(
        drawn,
        Drawn {
            points: 4,
            notes: Vec::new()
        }
    );
    // A partial download charts what there is, and says so.
    let drawn = chat_activity(
        &conn,
        &video_id("2002"),
        &period,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    assert_eq!(drawn.points, 2);
    assert_eq!(drawn.notes.len(), 1);
    assert!(drawn.notes[0].contains("only partly downloaded"), "{:?}", drawn.notes);
}

#[test]
fn bounds_and_periods_trim_the_follow_chart() {
    let (dir, _path, conn) = archive();
    let out = dir.path().join("chart.svg");
    // Wave B alone: followed on the 15th.
    let period = Period {
        since: Some(crate::report::time::parse_since("2026-02-15").unwrap()),
        until: Some(crate::report::time::parse_until("2026-02-15").unwrap()),
    };
    let drawn = followers(
        &conn,
        "rig",
        &period,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    assert_eq!(drawn.points, 10);
    // Accounts made in 2025 or later: waves A and C.
    let young = ScatterOptions {
        bounds: Bounds {
            y_min: Some("2025-01-01".into()),
            ..Bounds::default()
        },
        kind: Kind::Scatter,
        ..ScatterOptions::default()
    };
    let drawn = followers(&conn, "rig", &Period::default(), &young, &Style::default(), &out).unwrap();
    assert_eq!(drawn.points, 25 + 19);
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(
        texts.iter().any(|t| t == "follows (44)"),
        "the legend counts the dots: {texts:?}"
    );
    assert!(
        !texts.iter().any(|t| t.contains("so far")),
        "a scatter has no count line: {texts:?}"
    );
}

#[test]
fn mistakes_are_refused_by_name() {
    let (dir, _path, conn) = archive();
    let period = Period::default();
    let options = ScatterOptions::default();
    let error = followers(
        &conn,
        "rig",
        &period,
        &options,
        &Style::default(),
        &dir.path().join("chart.jpg"),
    );
    assert!(
        matches!(error, Err(Error::PlotOption { flag: "--output", .. })),
        "{error:?}"
    );
    let error = followers(
        &conn,
        "nobody",
        &period,
        &options,
        &Style::default(),
        &dir.path().join("c.png"),
    );
    assert!(matches!(error, Err(Error::UnknownChannel { .. })), "{error:?}");
    // Nobody followed rig in 2030, and chan was never seen live.
    let later = Period {
        since: Some(crate::report::time::parse_since("2030-01-01").unwrap()),
        until: None,
    };
    let error = followers(
        &conn,
        "rig",
        &later,
        &options,
        &Style::default(),
        &dir.path().join("c.png"),
    )
    .unwrap_err();
    assert!(matches!(error, Error::NothingToPlot { .. }), "{error:?}");
    assert!(
        error.to_string().contains("no followers of 'rig' in that period"),
        "{error}"
    );
    let error = viewers(
        &conn,
        "chan",
        &period,
        &options,
        &Style::default(),
        &dir.path().join("c.png"),
    );
    assert!(matches!(error, Err(Error::NothingToPlot { .. })), "{error:?}");
    let error = chat_activity(
        &conn,
        &video_id("2003"),
        &period,
        &options,
        &Style::default(),
        &dir.path().join("c.png"),
    )
    .unwrap_err();
    assert!(error.to_string().contains("never downloaded"), "{error}");
    let error = chat_activity(
        &conn,
        &video_id("9999"),
        &period,
        &options,
        &Style::default(),
        &dir.path().join("c.png"),
    );
    assert!(matches!(error, Err(Error::UnknownVideo { .. })), "{error:?}");
    let bad_bound = ScatterOptions {
        bounds: Bounds {
            x_min: Some("last week".into()),
            ..Bounds::default()
        },
        ..ScatterOptions::default()
    };
    let error = followers(
        &conn,
        "rig",
        &period,
        &bad_bound,
        &Style::default(),
        &dir.path().join("c.png"),
    );
    assert!(
        matches!(error, Err(Error::PlotOption { flag: "--x-min", .. })),
        "{error:?}"
    );
    let missing_dir = dir.path().join("no/such/dir/c.png");
    let error = followers(&conn, "rig", &period, &options, &Style::default(), &missing_dir);
    assert!(matches!(error, Err(Error::Plot { .. })), "{error:?}");
}

/// The TSV `itch report <name>` prints, in `format`.
fn report_tsv(conn: &rusqlite::Connection, name: &str, params: &Params, format: Format) -> Vec<u8> {
    let options = OutputOptions {
        format,
        ..OutputOptions::default()
    };
    let mut out = Vec::new();
    crate::report::write_report(conn, crate::report::find(name).unwrap(), params, &options, &mut out).unwrap();
    out
}

fn rig_params() -> Params {
    Params {
        login: Some("rig".into()),
        direction: Some(Direction::Asc),
        ..Params::default()
    }
}

#[test]
fn report_tsv_charts_with_or_without_its_header() {
    let (dir, _path, conn) = archive();
    let streams = dir.path().join("streams.tsv");
    std::fs::write(&streams, report_tsv(&conn, "streams", &rig_params(), Format::Seed)).unwrap();
    let tsv = TsvOptions {
        streams: Some(streams),
        ..TsvOptions::default()
    };
    // With the header (x and y found by position: followed_at and account_created_at).
    for (format, file) in [(Format::Tsv, "followers.tsv"), (Format::Seed, "followers-2016.tsv")] {
        let input = report_tsv(&conn, "followers", &rig_params(), format);
        let png = dir.path().join(format!("{file}.png"));
        let drawn = plot_tsv(
            &input[..],
            Path::new(file),
            &tsv,
            &ScatterOptions::default(),
            &style(800, 400),
            &png,
            &mut std::io::sink(),
        )
        .unwrap();
        assert_eq!(drawn.points, 84, "{file}");
        assert_png(&png, 800, 400);
        let svg = dir.path().join(format!("{file}.svg"));
        let options = ScatterOptions {
            density: true,
            ..ScatterOptions::default()
        };
        plot_tsv(
            &input[..],
            Path::new(file),
            &tsv,
            &options,
            &style(700, 350),
            &svg,
            &mut std::io::sink(),
        )
        .unwrap();
        let text = assert_svg(&svg, 700, 350);
        assert!(
            svg_texts(&text).iter().any(|t| t == "streams"),
            "the streams file is shaded and named"
        );
    }
}

#[test]
fn tsv_columns_by_number_name_or_2016_field_and_records_within_bounds() {
    let (dir, _path, conn) = archive();
    let input = report_tsv(&conn, "followers", &rig_params(), Format::Tsv);
    let out = dir.path().join("delta.png");
    // y = seconds_to_follow (a count), by header name; x = followed_at, by number; only wave B's day.
    let tsv = TsvOptions {
        x_column: "4".into(),
        y_column: "seconds_to_follow".into(),
        records: true,
        ..TsvOptions::default()
    };
    let options = ScatterOptions {
        kind: Kind::Scatter,
        bounds: Bounds {
            x_min: Some("2026-02-15".into()),
            x_max: Some("2026-02-15".into()),
            ..Bounds::default()
        },
        ..ScatterOptions::default()
    };
    let mut records = Vec::new();
    let drawn = plot_tsv(
        &input[..],
        Path::new("f.tsv"),
        &tsv,
        &options,
        &Style::default(),
        &out,
        &mut records,
    )
    .unwrap();
    assert_eq!(drawn.points, 10);
    let records = String::from_utf8(records).unwrap();
    assert_eq!(records.lines().count(), 11, "the header and wave B:\n{records}");
    assert!(records.starts_with("follower\tchannel\t"), "{records}");
    assert!(
        records.lines().skip(1).all(|line| line.starts_with("wave_b")),
        "{records}"
    );

    // A 2016 headerless file with epoch times, columns by 2016 name.
    let seed = b"user0\tSomeChan\t1420070400\t1467367200\t47296800\t0\n\
                 user1\tSomeChan\t1467360000\t1467367230\t7230\t0\n";
    let tsv = TsvOptions {
        x_column: "followed".into(),
        y_column: "delta".into(),
        ..TsvOptions::default()
    };
    let drawn = plot_tsv(
        &seed[..],
        Path::new("seed.tsv"),
        &tsv,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
        &mut std::io::sink(),
    )
    .unwrap();
    assert_eq!(drawn.points, 2);
}

#[test]
fn tsv_mistakes_name_the_file_line_or_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.png");
    let plot = |input: &[u8], tsv: &TsvOptions| {
        plot_tsv(
            input,
            Path::new("in.tsv"),
            tsv,
            &ScatterOptions::default(),
            &Style::default(),
            &out,
            &mut std::io::sink(),
        )
    };
    let input = b"a\tb\t2020-01-01T00:00:00Z\t2026-01-01T00:00:00Z\na\tb\tsoon\t2026-01-02T00:00:00Z\n";
    match plot(input, &TsvOptions::default()) {
        Err(error @ Error::PlotInput { line: 2, .. }) => {
            assert_eq!(error.to_string(), "in.tsv, line 2: created is 'soon', not a time");
        }
        other => panic!("{other:?}"),
    }
    let tsv = TsvOptions {
        x_column: "nope".into(),
        ..TsvOptions::default()
    };
    assert!(matches!(plot(input, &tsv), Err(Error::PlotOption { .. })));
    let tsv = TsvOptions {
        x_column: "0".into(),
        ..TsvOptions::default()
    };
    assert!(matches!(plot(input, &tsv), Err(Error::PlotOption { .. })));
    assert!(matches!(
        plot(b"\n\n", &TsvOptions::default()),
        Err(Error::NothingToPlot { .. })
    ));
    let streams = dir.path().join("streams.tsv");
    std::fs::write(&streams, "start\tend\n1\t2\nbad line\n").unwrap();
    assert!(matches!(
        tsv::read_streams(&streams),
        Err(Error::PlotInput { line: 3, .. })
    ));
}

#[test]
fn archive_times_parse_fast_and_the_same_as_chrono() {
    for text in [
        "1970-01-01T00:00:00Z",
        "2016-02-29T23:59:59Z",
        "2026-03-01T17:59:30Z",
        "1969-12-31T23:59:59Z",
    ] {
        assert_eq!(epoch(text), crate::report::time::epoch_seconds(text), "{text}");
    }
    assert_eq!(epoch("2026-02-30T00:00:00Z"), None);
    assert_eq!(epoch("2026-01-01 00:00:00"), Some(1_767_225_600));
    assert_eq!(parse_duration("1:23:45"), Some(5025));
    assert_eq!(parse_duration("83:00"), Some(4980));
    assert_eq!(parse_duration("1:2:3:4"), None);
}

#[test]
fn chat_activity_marks_the_raids_and_gift_bombs_of_the_vods_time() {
    let (dir, _path, conn) = archive();
    let svg = dir.path().join("activity.svg");
    // VOD 5001 (see report/tests.rs): raider_one's raid at 10:00 and gifter's bomb of 5 at 30:00 are marked; the
    // resub, the single gift, the announcement and the ritual are not, nor the raid of the next day.
    let drawn = chat_activity(
        &conn,
        &video_id("5001"),
        &Period::default(),
        &ScatterOptions::default(),
        &Style::default(),
        &svg,
    )
    .unwrap();
    assert_eq!(drawn.points, 4);
    let texts = svg_texts(&std::fs::read_to_string(&svg).unwrap());
    for label in [
        "raid: raider_one (430)",
        "gifter: 5 gifts",
        "raids (1)",
        "gift bombs (1)",
    ] {
        assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
    }
    assert!(
        !texts.iter().any(|t| t.contains("raider_two") || t.contains("lucky")),
        "{texts:?}"
    );

    // Bounds on the x axis keep only the marks inside them: from 20:00 in, the raid is gone.
    let later = ScatterOptions {
        bounds: Bounds {
            x_min: Some("20:00".into()),
            ..Bounds::default()
        },
        ..ScatterOptions::default()
    };
    chat_activity(
        &conn,
        &video_id("5001"),
        &Period::default(),
        &later,
        &Style::default(),
        &svg,
    )
    .unwrap();
    let texts = svg_texts(&std::fs::read_to_string(&svg).unwrap());
    assert!(texts.iter().any(|t| t == "gifter: 5 gifts"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("raid")), "{texts:?}");

    // A VOD with no events in the live record is the chart it always was.
    chat_activity(
        &conn,
        &video_id("2001"),
        &Period::default(),
        &ScatterOptions::default(),
        &Style::default(),
        &svg,
    )
    .unwrap();
    let texts = svg_texts(&std::fs::read_to_string(&svg).unwrap());
    assert!(
        !texts
            .iter()
            .any(|t| t.starts_with("raid") || t.starts_with("gift bombs")),
        "{texts:?}"
    );
}

/// The ink columns of `text` drawn at `size` px through the PNG charts' backend, as runs `(first, last)`.
fn ink_runs(text: &str, size: f64) -> Vec<(usize, usize)> {
    use plotters::prelude::*;
    let (width, height) = (600usize, 100usize);
    let mut buffer = vec![255u8; width * height * 3];
    draw::register_fonts();
    {
        let root = draw::bitmap(&mut buffer, (width as u32, height as u32)).into_drawing_area();
        let font = ("sans-serif", size).into_font().color(&BLACK);
        root.draw_text(text, &font, (20, 20)).unwrap();
        root.present().unwrap();
    }
    let inked = |x: usize| (0..height).any(|y| buffer[(y * width + x) * 3] < 64);
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for x in 0..width {
        if inked(x) {
            match runs.last_mut() {
                Some(run) if run.1 + 1 == x => run.1 = x,
                _ => runs.push((x, x)),
            }
        }
    }
    runs
}

/// Where DejaVu Sans puts the left edge of each glyph's outline in `text` at `size` px, from the first: advances,
/// kerning and side bearings, as a text engine lays them out.
fn glyph_edges(text: &str, size: f32) -> Vec<f32> {
    use ab_glyph::{Font, FontRef, ScaleFont, point};
    let font = FontRef::try_from_slice(dejavu::sans::regular()).unwrap();
    let scaled = font.as_scaled(size);
    let (mut caret, mut previous, mut edges) = (0f32, None, Vec::new());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(size, point(caret, 0.0));
        if let Some(outline) = font.outline_glyph(glyph) {
            edges.push(outline.px_bounds().min.x);
        }
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    edges.iter().map(|edge| edge - edges[0]).collect()
}

#[test]
fn png_text_keeps_each_glyphs_side_bearing() {
    // Issue 15: every PNG label read `(U TC)`, `video 21 02255 41 2`: plotters' ab_glyph drawing placed each
    // glyph's ink at the pen position, dropping its left side bearing, so wide-bearing letters (U, 0, 1) moved
    // left and narrow ones (T, C) collided or gaped. Each glyph's ink must start where the font puts it.
    for text in ["(UTC)", "2102255412", "follows (25,000)"] {
        let runs = ink_runs(text, 40.0);
        let edges = glyph_edges(text, 40.0);
        assert_eq!(
            runs.len(),
            edges.len(),
            "{text}: one run of ink per glyph, got {runs:?}"
        );
        for (run, edge) in runs.iter().zip(&edges) {
            let at = (run.0 - runs[0].0) as f32;
            assert!(
                (at - edge).abs() <= 1.5,
                "{text}: glyph ink at {at} px, the font says {edge} ({runs:?})"
            );
        }
    }
}

/// The rows of a report's TSV, header dropped, as fields.
fn tsv_rows(tsv: &[u8]) -> Vec<Vec<String>> {
    String::from_utf8(tsv.to_vec())
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_follow_chart_outlines_the_waves_bot_waves_reports() {
    // Issue 15: at 300,000 follows the density chart painted the young-account edge red and the real waves could
    // not be seen. The waves outlined are the ones `itch report bot-waves` prints, labelled with size and day.
    let (dir, _path, conn) = archive();
    let out = dir.path().join("waves.svg");
    for (period, options) in [
        (Period::default(), ScatterOptions::default()),
        (
            Period {
                since: Some(crate::report::time::parse_since("2026-02-15").unwrap()),
                until: None,
            },
            ScatterOptions {
                density: true,
                ..ScatterOptions::default()
            },
        ),
    ] {
        let params = Params {
            since: period.since,
            until: period.until,
            ..rig_params()
        };
        let waves = tsv_rows(&report_tsv(&conn, "bot-waves", &params, Format::Tsv));
        assert!(!waves.is_empty(), "the archive has waves in {period:?}");
        let mut expected: Vec<String> = waves
            .iter()
            .map(|wave| format!("{} accounts, {}", wave[2], &wave[0][..10]))
            .collect();
        followers(&conn, "rig", &period, &options, &Style::default(), &out).unwrap();
        let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
        let mut drawn: Vec<String> = texts.iter().filter(|t| t.contains(" accounts, ")).cloned().collect();
        expected.sort();
        drawn.sort();
        assert_eq!(drawn, expected, "{period:?}");
        let accounts: u64 = waves.iter().map(|wave| wave[2].parse::<u64>().unwrap()).sum();
        let legend = format!(
            "bot waves (itch report bot-waves: {}, {accounts} accounts)",
            waves.len()
        );
        assert!(texts.contains(&legend), "{legend} in {texts:?}");
    }
}

#[test]
fn the_cumulative_line_counts_from_the_channels_real_total() {
    // Issue 15: "follows so far" restarted at 0 in any --since window; it counts the follows before it.
    let (dir, _path, conn) = archive();
    let out = dir.path().join("since.svg");
    let since = crate::report::time::parse_since("2026-02-15").unwrap();
    let total = tsv_rows(&report_tsv(&conn, "followers", &rig_params(), Format::Tsv)).len();
    let before_params = Params {
        until: Some(since - chrono::Duration::seconds(1)),
        ..rig_params()
    };
    let before = tsv_rows(&report_tsv(&conn, "followers", &before_params, Format::Tsv)).len();
    assert!(before > 0 && before < total, "{before} of {total}");
    let period = Period {
        since: Some(since),
        until: None,
    };
    let drawn = followers(
        &conn,
        "rig",
        &period,
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    assert_eq!(drawn.points as usize, total - before);
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    let legend = format!("follows so far ({total}, {before} before the chart, right axis)");
    assert!(texts.contains(&legend), "{legend} in {texts:?}");
    // Without a window the line starts at 0 and says nothing of before.
    followers(
        &conn,
        "rig",
        &Period::default(),
        &ScatterOptions::default(),
        &Style::default(),
        &out,
    )
    .unwrap();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(
        texts.contains(&format!("follows so far ({total}, right axis)")),
        "{texts:?}"
    );
}

#[test]
fn chat_activity_is_titled_with_the_vods_title_channel_and_day() {
    // Issue 15: the chart said only `video 2001`; it names the VOD as people know it.
    let (dir, _path, conn) = archive();
    let svg = dir.path().join("vod.svg");
    let options = ScatterOptions::default();
    chat_activity(
        &conn,
        &video_id("2001"),
        &Period::default(),
        &options,
        &Style::default(),
        &svg,
    )
    .unwrap();
    let texts = svg_texts(&std::fs::read_to_string(&svg).unwrap());
    let title = "rig night (rig, 2026-03-01): chat messages per minute";
    assert!(texts.iter().any(|t| t == title), "{title} in {texts:?}");
}
