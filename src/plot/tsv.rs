//! `itch plot --input FILE`: the 2016 `itch-plot` over a delimited file, so the TSV of any report (or of the
//! 2016 itch) can be charted. Columns are picked by number (1 is the first, as `cut -f` counts), by the file's
//! header names, or by the 2016 field names `name, channel, created, followed, delta, followers, following`
//! (positions 1 to 7, the 2016 `followers` columns); the defaults, x = `followed` and y = `created`, draw the
//! follow chart from `itch report followers` output with or without its header.
//!
//! A first line whose x or y field is not a value (or that holds a named column) is the header. A column is a
//! time when its name says so (`created`, `followed`, `*_at`) or its first value is a date; times may be Unix
//! seconds (the 2016 form, `--epoch`) or archive text. Anything else must be whole numbers.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use super::axis::Scale;
use super::scatter::{self, Scatter};
use super::{Drawn, ParsedBounds, ScatterOptions, Style, draw, epoch, within};
use crate::error::{Error, Result};

/// The 2016 `itch-plot`'s field names, in their column order.
pub const SEED_FIELDS: [&str; 7] = [
    "name",
    "channel",
    "created",
    "followed",
    "delta",
    "followers",
    "following",
];

/// How to read the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TsvOptions {
    /// The x column: a number from 1, a header name or a 2016 field name (`-x`).
    pub x_column: String,
    /// The y column, likewise (`-y`).
    pub y_column: String,
    /// The field separator (`-d`).
    pub delimiter: char,
    /// A file of stream sessions, `start<TAB>end` a line (`itch report streams --format seed`), shaded on a
    /// time x axis (`-S`).
    pub streams: Option<PathBuf>,
    /// Copy the rows within the bounds to the records writer, header first (`-r`), to save a subset.
    pub records: bool,
}

impl Default for TsvOptions {
    fn default() -> Self {
        TsvOptions {
            x_column: "followed".into(),
            y_column: "created".into(),
            delimiter: '\t',
            streams: None,
            records: false,
        }
    }
}

/// One chosen column.
struct Column {
    index: usize,
    name: String,
    scale: Scale,
}

impl Column {
    /// This column's value in `fields` (`None` when it is missing or empty), or why it is not one.
    fn value(&self, fields: &[&str]) -> std::result::Result<Option<i64>, String> {
        match fields.get(self.index).map(|f| f.trim()) {
            None | Some("") => Ok(None),
            Some(field) => parse_value(field, self.scale).map(Some).ok_or_else(|| {
                let want = if self.scale == Scale::Time {
                    "a time"
                } else {
                    "a whole number"
                };
                format!("{} is '{field}', not {want}", self.name)
            }),
        }
    }

    /// The axis description: the name, with the zone for a time.
    fn desc(&self) -> String {
        if self.scale == Scale::Time {
            format!("{} (UTC)", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// Rows with both values, and the x of every row.
type Points = (Vec<(i64, i64)>, Vec<i64>);

/// What the first non-empty line settles: the header, if it is one, and the x and y columns.
struct Layout {
    header: Option<Vec<String>>,
    x: Column,
    y: Column,
}

/// Charts `input` (read from the file `name`, for messages and the default title) into `output`; with
/// `tsv.records`, the rows kept are written to `records`.
pub fn plot_tsv(
    input: impl BufRead,
    name: &Path,
    tsv: &TsvOptions,
    options: &ScatterOptions,
    style: &Style,
    output: &Path,
    records: &mut dyn Write,
) -> Result<Drawn> {
    super::is_svg(output)?;
    let read_error = |source| Error::PlotInputFile {
        path: name.to_owned(),
        source,
    };
    let mut lines = input.lines().enumerate().map(|(n, line)| (n as u64 + 1, line));
    // The first non-empty line settles the header and the columns' scales.
    let first = loop {
        let Some((n, line)) = lines.next() else {
            return Err(Error::NothingToPlot {
                what: format!("{} is empty", name.display()),
            });
        };
        let line = line.map_err(read_error)?;
        if !line.trim().is_empty() {
            break (n, line);
        }
    };
    let layout = layout(&first.1, tsv)?;
    let pending = layout.header.is_none().then_some(first);
    let bounds = options.bounds.parse(layout.x.scale, layout.y.scale)?;
    let rows = pending.into_iter().map(|(n, line)| (n, Ok(line))).chain(lines);
    let (points, xs) = read_rows(rows, name, &layout, bounds, tsv, records)?;
    if xs.is_empty() {
        return Err(Error::NothingToPlot {
            what: format!("no rows of {} have a {}", name.display(), layout.x.name),
        });
    }
    let spans = match &tsv.streams {
        Some(path) if layout.x.scale == Scale::Time && !options.no_streams => read_streams(path)?,
        _ => Vec::new(),
    };
    let (x, y) = (layout.x, layout.y);
    let data = Scatter {
        title: format!(
            "{}: {} against {}",
            name.file_name()
                .map_or_else(|| name.display().to_string(), |n| n.to_string_lossy().into_owned()),
            y.name,
            x.name
        ),
        x_scale: x.scale,
        y_scale: y.scale,
        x_desc: x.desc(),
        y_desc: y.desc(),
        points,
        xs,
        spans,
        what: "rows".into(),
        before: 0,
        waves: Vec::new(),
    };
    let (spec, shown) = scatter::spec(data, options, style)?;
    draw::render(&spec, style, output)?;
    Ok(Drawn {
        points: shown,
        notes: Vec::new(),
    })
}

/// The points (rows with both values) and the x of every row kept within `bounds`; with `tsv.records` the
/// header and each row kept are copied to `records`.
fn read_rows(
    rows: impl Iterator<Item = (u64, std::io::Result<String>)>,
    name: &Path,
    layout: &Layout,
    bounds: ParsedBounds,
    tsv: &TsvOptions,
    records: &mut dyn Write,
) -> Result<Points> {
    let (x_min, x_max, y_min, y_max) = bounds;
    let read_error = |source| Error::PlotInputFile {
        path: name.to_owned(),
        source,
    };

    if tsv.records
        && let Some(header) = &layout.header
    {
        writeln!(records, "{}", header.join(&tsv.delimiter.to_string())).map_err(Error::Write)?;
    }
    let (mut points, mut xs) = (Vec::new(), Vec::new());
    for (n, line) in rows {
        let line = line.map_err(read_error)?;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(tsv.delimiter).collect();
        let bad = |problem| Error::PlotInput {
            path: name.to_owned(),
            line: n,
            problem,
        };
        let Some(x_value) = layout.x.value(&fields).map_err(bad)? else {
            continue;
        };
        let y_value = layout.y.value(&fields).map_err(bad)?;
        if !within(x_value, x_min, x_max) {
            continue;
        }
        match y_value {
            Some(y_value) if within(y_value, y_min, y_max) => points.push((x_value, y_value)),
            None if y_min.is_none() && y_max.is_none() => {}
            _ => continue,
        }
        xs.push(x_value);
        if tsv.records {
            writeln!(records, "{line}").map_err(Error::Write)?;
        }
    }
    records.flush().map_err(Error::Write)?;
    Ok((points, xs))
}

/// The header and columns the first non-empty line settles. It is a header when it holds a column named by
/// `-x`/`-y`, or when its x or y field is not a value. A column is a time when its name says so or its first
/// value is a date.
fn layout(first: &str, tsv: &TsvOptions) -> Result<Layout> {
    let fields: Vec<&str> = first.split(tsv.delimiter).collect();
    let names_a_field = |spec: &str| spec.parse::<usize>().is_err() && fields.contains(&spec);
    let is_header = names_a_field(&tsv.x_column) || names_a_field(&tsv.y_column) || {
        let x = resolve("-x/--x-column", &tsv.x_column, None)?;
        let y = resolve("-y/--y-column", &tsv.y_column, None)?;
        [x, y].iter().any(|&index| {
            fields.get(index).is_some_and(|field| {
                !field.is_empty() && field.parse::<i64>().is_err() && epoch_or_date(field).is_none()
            })
        })
    };
    let header = is_header.then(|| fields.iter().map(|f| f.to_string()).collect::<Vec<String>>());
    let header_names: Option<Vec<&str>> = header.as_ref().map(|h| h.iter().map(String::as_str).collect());
    let first_data = (!is_header).then_some(&fields);
    let column = |flag, spec: &str| -> Result<Column> {
        let index = resolve(flag, spec, header_names.as_deref())?;
        let name = header_names
            .as_ref()
            .and_then(|names| names.get(index).map(|n| n.to_string()))
            .or_else(|| SEED_FIELDS.get(index).map(|n| n.to_string()))
            .unwrap_or_else(|| format!("column {}", index + 1));
        let timed_name = name.ends_with("_at") || name == "created" || name == "followed";
        let first_is_date = first_data
            .and_then(|fields| fields.get(index))
            .is_some_and(|field| field.parse::<i64>().is_err() && epoch_or_date(field).is_some());
        let scale = if timed_name || first_is_date {
            Scale::Time
        } else {
            Scale::Count
        };
        Ok(Column { index, name, scale })
    };
    let x = column("-x/--x-column", &tsv.x_column)?;
    let y = column("-y/--y-column", &tsv.y_column)?;
    Ok(Layout { header, x, y })
}

/// The 0-based index a column spec names.
fn resolve(flag: &'static str, spec: &str, header: Option<&[&str]>) -> Result<usize> {
    let spec = spec.trim();
    if let Ok(number) = spec.parse::<usize>() {
        return number.checked_sub(1).ok_or(Error::PlotOption {
            flag,
            input: spec.to_owned(),
            problem: "columns are numbered from 1",
        });
    }
    header
        .and_then(|names| names.iter().position(|name| *name == spec))
        .or_else(|| SEED_FIELDS.iter().position(|name| *name == spec))
        .ok_or(Error::PlotOption {
            flag,
            input: spec.to_owned(),
            problem: "no such column (give a number from 1, a header name, or one of name, channel, created, \
                      followed, delta, followers, following)",
        })
}

/// A time written as archive text, SQLite text or a bare date.
fn epoch_or_date(text: &str) -> Option<i64> {
    epoch(text).or_else(|| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(|date| date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
    })
}

/// A field as a value of `scale`: a time may be Unix seconds or text; a count is a whole number.
fn parse_value(field: &str, scale: Scale) -> Option<i64> {
    match field.parse::<i64>() {
        Ok(number) => Some(number),
        Err(_) if scale == Scale::Time => epoch_or_date(field),
        Err(_) => None,
    }
}

/// Stream sessions from a file of `start<TAB>end` lines (Unix seconds or times); a first line that does not
/// read is a header.
pub fn read_streams(path: &Path) -> Result<Vec<(i64, i64)>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::PlotInputFile {
        path: path.to_owned(),
        source,
    })?;
    let mut spans = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t').map(|f| parse_value(f.trim(), Scale::Time));
        match (fields.next().flatten(), fields.next().flatten()) {
            (Some(start), Some(end)) => spans.push((start, end.max(start))),
            _ if n == 0 => {}
            _ => {
                return Err(Error::PlotInput {
                    path: path.to_owned(),
                    line: n as u64 + 1,
                    problem: format!("'{line}' is not a stream's start and end"),
                });
            }
        }
    }
    Ok(spans)
}
