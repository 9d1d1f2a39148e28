//! The one writer behind every report, `itch sql` and `itch search`: rows from SQLite, streamed out one at a time
//! as TSV, CSV, a JSON array, NDJSON, or the 2016 itch's plain lines. Headers are the column names; NULL is empty
//! in TSV/CSV and `null` in JSON; integers stay numbers in JSON. Nothing is collected, so a million rows cost one
//! row of memory.

use std::io::{self, Write};

use base64::Engine as _;
use rusqlite::types::ValueRef;

use super::time::epoch_seconds;

/// How rows are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tab-separated; tab, newline, carriage return and backslash inside a value become `\t`, `\n`, `\r`, `\\`.
    #[default]
    Tsv,
    /// Comma-separated (RFC 4180 quoting, `\n` line ends).
    Csv,
    /// One JSON array of objects, one object a line.
    Json,
    /// One JSON object a line.
    Ndjson,
    /// As the 2016 itch printed it: no header, times as Unix seconds, and each report's own line form (tab-separated
    /// columns for most; `user : text` for `chatlog`, one login a line for `chatters`). Values are escaped as in TSV.
    Seed,
    /// Aligned columns for reading on a terminal (the default there): numbers to the right, durations in seconds
    /// (`seconds_to_follow`, `offset_seconds`) as `1:23:45` or `1d 21h`. Widths come from the first rows.
    Table,
}

/// How a report prints with `--format seed`: the columns the 2016 itch printed, joined its way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedForm {
    /// The columns printed, in this order; empty means all of them.
    pub columns: &'static [&'static str],
    /// What goes between two columns.
    pub separator: &'static str,
}

impl SeedForm {
    /// Every column, tab-separated: the 2016 itch's form for most reports.
    pub const TSV: SeedForm = SeedForm {
        columns: &[],
        separator: "\t",
    };
}

/// The output options every report and query share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputOptions {
    /// The format.
    pub format: Format,
    /// A first line of column names (TSV and CSV only; JSON always names its fields).
    pub header: bool,
    /// Time columns as Unix seconds (integers) instead of ISO-8601 text.
    pub epoch: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions {
            format: Format::Tsv,
            header: true,
            epoch: false,
        }
    }
}

/// Writes rows as they come. [`RowWriter::finish`] must be called to close a JSON array and flush.
pub struct RowWriter<W: Write> {
    out: Sink<W>,
    format: Format,
    /// Column names already encoded as JSON strings (JSON formats only).
    keys: Vec<String>,
    /// Which columns `--epoch` turns into Unix seconds.
    epoch: Vec<bool>,
    /// `--format seed`: the columns printed, in order, and their separator.
    seed: Option<(Vec<usize>, &'static str)>,
    rows: u64,
}

/// Where rows go: straight to the output, or through the `csv` crate's writer for CSV (RFC 4180 quoting, and a
/// lone empty field written as `""` so the row is not read back as a blank line and dropped).
enum Sink<W: Write> {
    Plain(W),
    Csv(Box<csv::Writer<W>>),
    Table(Box<Table<W>>),
}

/// Rows held until the column widths are known: the first [`Table::SAMPLE`] rows set them, and later rows are
/// printed at once (a wider value pushes its own row out, not the columns), so memory stays one sample.
struct Table<W: Write> {
    out: W,
    header: Option<Vec<String>>,
    /// Per column: right-aligned (numbers), and a duration in seconds.
    numeric: Vec<bool>,
    durations: Vec<bool>,
    pending: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
}

impl<W: Write> Table<W> {
    const SAMPLE: usize = 200;

    fn push(&mut self, cells: Vec<String>) -> io::Result<()> {
        if self.widths.is_some() {
            return self.print(&cells);
        }
        self.pending.push(cells);
        if self.pending.len() >= Self::SAMPLE {
            self.settle()?;
        }
        Ok(())
    }

    /// Fixes the widths from the header and the rows held, and prints them.
    fn settle(&mut self) -> io::Result<()> {
        let columns = self.numeric.len();
        let mut widths = vec![0; columns];
        for row in self.header.iter().chain(&self.pending) {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        self.widths = Some(widths);
        if let Some(header) = self.header.take() {
            self.print(&header)?;
            let rule: Vec<String> = self.widths.iter().flatten().map(|w| "-".repeat(*w)).collect();
            self.print(&rule)?;
        }
        for row in std::mem::take(&mut self.pending) {
            self.print(&row)?;
        }
        Ok(())
    }

    fn print(&mut self, cells: &[String]) -> io::Result<()> {
        let widths = self.widths.as_deref().unwrap_or_default();
        let last = cells.len().saturating_sub(1);
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = width.saturating_sub(cell.chars().count());
            if self.numeric.get(i).copied().unwrap_or(false) {
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if i < last {
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
        }
        // No trailing blanks (an empty last cell, padding).
        line.truncate(line.trim_end_matches(' ').len());
        line.push('\n');
        self.out.write_all(line.as_bytes())
    }

    fn cell(&mut self, column: usize, value: ValueRef<'_>) -> String {
        match value {
            ValueRef::Null => String::new(),
            ValueRef::Integer(i) if self.durations[column] => duration_text(i),
            ValueRef::Integer(i) => {
                self.numeric[column] = true;
                i.to_string()
            }
            ValueRef::Real(f) => {
                self.numeric[column] = true;
                real_text(f)
            }
            ValueRef::Text(text) => {
                let mut escaped = Vec::with_capacity(text.len());
                let _ = write_tsv(&mut escaped, text);
                String::from_utf8_lossy(&escaped).into_owned()
            }
            ValueRef::Blob(blob) => blob_text(blob),
        }
    }
}

/// Seconds as people read them: a clock under a day (`0:45`, `12:30`, `1:23:45`), else the two largest units
/// (`1d 21h`, `5y 47d`).
fn duration_text(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (y, d, h, m) = (
        s / 31_536_000,
        s % 31_536_000 / 86_400,
        s % 86_400 / 3_600,
        s % 3_600 / 60,
    );
    let text = match () {
        _ if y > 0 => format!("{y}y {d}d"),
        _ if s >= 86_400 => format!("{}d {h}h", s / 86_400),
        _ if h > 0 => format!("{h}:{m:02}:{:02}", s % 60),
        _ => format!("{m}:{:02}", s % 60),
    };
    format!("{sign}{text}")
}

impl<W: Write> RowWriter<W> {
    /// Starts the output: the header line (TSV/CSV) or the opening bracket (JSON). `time_columns` name the
    /// columns that hold times; they are converted only when `options.epoch` is set (always in the seed format,
    /// which prints `seed`'s columns; one it names that `columns` lacks is left out).
    pub fn start(
        mut out: W,
        options: &OutputOptions,
        columns: &[&str],
        time_columns: &[&str],
        seed: &SeedForm,
    ) -> io::Result<Self> {
        let format = options.format;
        let out = match format {
            Format::Csv => {
                let mut csv = csv::WriterBuilder::new()
                    .flexible(true)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_writer(out);
                if options.header && !columns.is_empty() {
                    csv.write_record(columns)?;
                }
                Sink::Csv(Box::new(csv))
            }
            Format::Tsv if options.header && !columns.is_empty() => {
                for (i, name) in columns.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b"\t")?;
                    }
                    write_tsv(&mut out, name.as_bytes())?;
                }
                out.write_all(b"\n")?;
                Sink::Plain(out)
            }
            Format::Json => {
                out.write_all(b"[")?;
                Sink::Plain(out)
            }
            Format::Table => Sink::Table(Box::new(Table {
                out,
                header: (options.header && !columns.is_empty())
                    .then(|| columns.iter().map(|c| c.to_string()).collect()),
                numeric: vec![false; columns.len()],
                durations: columns.iter().map(|c| is_duration(c)).collect(),
                pending: Vec::new(),
                widths: None,
            })),
            _ => Sink::Plain(out),
        };
        let keys = match format {
            Format::Json | Format::Ndjson => columns
                .iter()
                .map(|name| serde_json::to_string(name).expect("a string serializes"))
                .collect(),
            Format::Tsv | Format::Csv | Format::Seed | Format::Table => Vec::new(),
        };
        let epoch_times = options.epoch || format == Format::Seed;
        let epoch = columns
            .iter()
            .map(|name| epoch_times && time_columns.contains(name))
            .collect();
        let seed = (format == Format::Seed).then(|| {
            let printed = if seed.columns.is_empty() {
                (0..columns.len()).collect()
            } else {
                seed.columns
                    .iter()
                    .filter_map(|name| columns.iter().position(|column| column == name))
                    .collect()
            };
            (printed, seed.separator)
        });
        Ok(RowWriter {
            out,
            format,
            keys,
            epoch,
            seed,
            rows: 0,
        })
    }

    /// Writes one result row.
    pub fn write_row(&mut self, row: &rusqlite::Row<'_>) -> io::Result<()> {
        if self.seed.is_some() {
            return self.write_seed(|i| row.get_ref_unwrap(i));
        }
        if let Sink::Table(_) = self.out {
            return self.write_table_row(|i| row.get_ref_unwrap(i));
        }
        self.begin_row()?;
        for i in 0..self.epoch.len() {
            self.write_value(i, row.get_ref_unwrap(i))?;
        }
        self.end_row()
    }

    /// Writes one row given as values, one per column.
    pub fn write_values(&mut self, values: &[ValueRef<'_>]) -> io::Result<()> {
        assert_eq!(values.len(), self.epoch.len(), "one value per column");
        if self.seed.is_some() {
            return self.write_seed(|i| values[i]);
        }
        if let Sink::Table(_) = self.out {
            return self.write_table_row(|i| values[i]);
        }
        self.begin_row()?;
        for (i, value) in values.iter().enumerate() {
            self.write_value(i, *value)?;
        }
        self.end_row()
    }

    /// One row of the table format.
    fn write_table_row<'v>(&mut self, value: impl Fn(usize) -> ValueRef<'v>) -> io::Result<()> {
        let Sink::Table(table) = &mut self.out else {
            return Ok(());
        };
        let cells = (0..self.epoch.len())
            .map(|i| table.cell(i, epoch_value(&self.epoch, i, value(i))))
            .collect();
        self.rows += 1;
        table.push(cells)
    }

    /// One line of the seed format: the chosen columns, TSV-escaped, joined by the report's separator.
    fn write_seed<'v>(&mut self, value: impl Fn(usize) -> ValueRef<'v>) -> io::Result<()> {
        let Some((columns, separator)) = self.seed.as_ref() else {
            return Ok(());
        };
        let values: Vec<ValueRef<'v>> = columns.iter().map(|&c| epoch_value(&self.epoch, c, value(c))).collect();
        let Sink::Plain(out) = &mut self.out else {
            return Err(io::Error::other("the seed format writes plain lines"));
        };
        for (n, value) in values.into_iter().enumerate() {
            if n > 0 {
                out.write_all(separator.as_bytes())?;
            }
            match value {
                ValueRef::Null => {}
                ValueRef::Integer(i) => write!(out, "{i}")?,
                ValueRef::Real(f) => out.write_all(real_text(f).as_bytes())?,
                ValueRef::Text(text) => write_tsv(out, text)?,
                ValueRef::Blob(blob) => out.write_all(blob_text(blob).as_bytes())?,
            }
        }
        self.rows += 1;
        out.write_all(b"\n")
    }

    /// Closes the output (the JSON array's bracket), flushes, and returns the number of rows written.
    pub fn finish(mut self) -> io::Result<u64> {
        match &mut self.out {
            Sink::Csv(csv) => csv.flush()?,
            Sink::Table(table) => {
                if table.widths.is_none() {
                    table.settle()?;
                }
                table.out.flush()?;
            }
            Sink::Plain(out) => {
                if self.format == Format::Json {
                    out.write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?;
                }
                out.flush()?;
            }
        }
        Ok(self.rows)
    }

    fn begin_row(&mut self) -> io::Result<()> {
        let Sink::Plain(out) = &mut self.out else {
            return Ok(());
        };
        match self.format {
            Format::Json if self.rows == 0 => out.write_all(b"\n{"),
            Format::Json => out.write_all(b",\n{"),
            Format::Ndjson => out.write_all(b"{"),
            Format::Tsv | Format::Csv | Format::Seed | Format::Table => Ok(()),
        }
    }

    fn end_row(&mut self) -> io::Result<()> {
        self.rows += 1;
        match (&mut self.out, self.format) {
            (Sink::Csv(csv), _) => Ok(csv.write_record(None::<&[u8]>)?),
            (Sink::Table(_), _) => Ok(()),
            (Sink::Plain(out), Format::Json) => out.write_all(b"}"),
            (Sink::Plain(out), Format::Ndjson) => out.write_all(b"}\n"),
            (Sink::Plain(out), _) => out.write_all(b"\n"),
        }
    }

    fn write_value(&mut self, column: usize, value: ValueRef<'_>) -> io::Result<()> {
        let value = epoch_value(&self.epoch, column, value);
        let out = match &mut self.out {
            Sink::Csv(csv) => return write_csv_field(csv, value),
            Sink::Table(_) => return Ok(()),
            Sink::Plain(out) => out,
        };
        match self.format {
            Format::Tsv | Format::Csv | Format::Seed | Format::Table => {
                if column > 0 {
                    out.write_all(b"\t")?;
                }
                match value {
                    ValueRef::Null => Ok(()),
                    ValueRef::Integer(i) => write!(out, "{i}"),
                    ValueRef::Real(f) => out.write_all(real_text(f).as_bytes()),
                    ValueRef::Text(text) => write_tsv(out, text),
                    ValueRef::Blob(blob) => out.write_all(blob_text(blob).as_bytes()),
                }
            }
            Format::Json | Format::Ndjson => {
                if column > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(self.keys[column].as_bytes())?;
                out.write_all(b":")?;
                match value {
                    ValueRef::Null => out.write_all(b"null"),
                    ValueRef::Integer(i) => write!(out, "{i}"),
                    ValueRef::Real(f) if f.is_finite() => out.write_all(real_text(f).as_bytes()),
                    ValueRef::Real(_) => out.write_all(b"null"),
                    ValueRef::Text(text) => json_string(out, &String::from_utf8_lossy(text)),
                    ValueRef::Blob(blob) => json_string(out, &blob_text(blob)),
                }
            }
        }
    }
}

/// Columns holding a duration in whole seconds, shown as one in a table.
fn is_duration(column: &str) -> bool {
    column.starts_with("seconds") || column.ends_with("_seconds")
}

/// The value as printed: a time column's text as Unix seconds when `epoch` says so for that column.
fn epoch_value<'v>(epoch: &[bool], column: usize, value: ValueRef<'v>) -> ValueRef<'v> {
    match value {
        ValueRef::Text(text) if epoch[column] => match std::str::from_utf8(text).ok().and_then(epoch_seconds) {
            Some(seconds) => ValueRef::Integer(seconds),
            None => value,
        },
        _ => value,
    }
}

/// One CSV field; the `csv` crate quotes what needs it.
fn write_csv_field<W: Write>(csv: &mut csv::Writer<W>, value: ValueRef<'_>) -> io::Result<()> {
    let written = match value {
        ValueRef::Null => csv.write_field(b""),
        ValueRef::Integer(i) => csv.write_field(i.to_string()),
        ValueRef::Real(f) => csv.write_field(real_text(f)),
        ValueRef::Text(text) => csv.write_field(text),
        ValueRef::Blob(blob) => csv.write_field(blob_text(blob)),
    };
    Ok(written?)
}

/// Writes a TSV field: tab, newline, carriage return and backslash escaped.
fn write_tsv(out: &mut impl Write, text: &[u8]) -> io::Result<()> {
    let mut start = 0;
    for (i, byte) in text.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\\' => b"\\\\",
            _ => continue,
        };
        out.write_all(&text[start..i])?;
        out.write_all(escape)?;
        start = i + 1;
    }
    out.write_all(&text[start..])
}

/// The shortest text that reads back as the same float (`1.0`, `0.1`, `1e300`), the same in every format.
fn real_text(f: f64) -> String {
    match serde_json::Number::from_f64(f) {
        Some(number) => number.to_string(),
        None => f.to_string(),
    }
}

/// Blobs (rare: `itch sql` over the response cache) are printed as standard base64.
fn blob_text(blob: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(blob)
}

fn json_string(out: &mut impl Write, text: &str) -> io::Result<()> {
    serde_json::to_writer(out, text).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["id", "title", "taken_at", "score", "note"];
    /// Two columns joined the way the 2016 itch printed its chat log.
    const SEED: SeedForm = SeedForm {
        columns: &["taken_at", "title"],
        separator: " : ",
    };

    fn rows() -> Vec<Vec<ValueRef<'static>>> {
        vec![
            vec![
                ValueRef::Integer(1),
                ValueRef::Text(b"tab\there, \"quoted\"\nnext\\line"),
                ValueRef::Text(b"2026-01-01T00:00:00Z"),
                ValueRef::Real(1.5),
                ValueRef::Null,
            ],
            vec![
                ValueRef::Integer(-2),
                ValueRef::Text(b"plain"),
                ValueRef::Text(b"2026-01-01T00:00:01Z"),
                ValueRef::Real(2.0),
                ValueRef::Blob(b"\x00\xff"),
            ],
        ]
    }

    fn render(format: Format, header: bool, epoch: bool, rows: &[Vec<ValueRef<'_>>]) -> String {
        let options = OutputOptions { format, header, epoch };
        let mut out = Vec::new();
        let mut writer = RowWriter::start(&mut out, &options, COLUMNS, &["taken_at"], &SEED).unwrap();
        for row in rows {
            writer.write_values(row).unwrap();
        }
        assert_eq!(writer.finish().unwrap(), rows.len() as u64);
        String::from_utf8(out).unwrap()
    }

    fn render_all(format: Format, header: bool, epoch: bool) -> String {
        render(format, header, epoch, &rows())
    }

    #[test]
    fn tsv_escapes_tabs_newlines_and_backslashes() {
        assert_eq!(
            render_all(Format::Tsv, true, false),
            "id\ttitle\ttaken_at\tscore\tnote\n\
             1\ttab\\there, \"quoted\"\\nnext\\\\line\t2026-01-01T00:00:00Z\t1.5\t\n\
             -2\tplain\t2026-01-01T00:00:01Z\t2.0\tAP8=\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(
            render_all(Format::Csv, false, false),
            "1,\"tab\there, \"\"quoted\"\"\nnext\\line\",2026-01-01T00:00:00Z,1.5,\n\
             -2,plain,2026-01-01T00:00:01Z,2.0,AP8=\n"
        );
    }

    /// What a CSV reader gets back is what was written, the empty string of a one-column row included (0.4.0 wrote
    /// it as a blank line, which readers skip: the row was lost).
    #[test]
    fn csv_reads_back_whole_through_a_csv_reader() {
        let options = OutputOptions {
            format: Format::Csv,
            header: true,
            epoch: false,
        };
        let values: [&[u8]; 5] = [b"", b"a,b", b"", b"say \"hi\"\nagain", b" "];
        let mut out = Vec::new();
        let mut writer = RowWriter::start(&mut out, &options, &["text"], &[], &SeedForm::TSV).unwrap();
        for value in values {
            writer.write_values(&[ValueRef::Text(value)]).unwrap();
        }
        writer.write_values(&[ValueRef::Null]).unwrap();
        writer.finish().unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        assert_eq!(reader.headers().unwrap(), vec!["text"]);
        let read: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        let mut expected: Vec<String> = values.iter().map(|v| String::from_utf8(v.to_vec()).unwrap()).collect();
        expected.push(String::new());
        assert_eq!(read, expected, "{}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn a_table_aligns_its_columns_and_reads_durations() {
        let options = OutputOptions {
            format: Format::Table,
            header: true,
            epoch: false,
        };
        let mut out = Vec::new();
        let columns = ["login", "seconds_to_follow", "offset_seconds", "count"];
        let mut writer = RowWriter::start(&mut out, &options, &columns, &[], &SeedForm::TSV).unwrap();
        writer
            .write_values(&[
                ValueRef::Text(b"a"),
                ValueRef::Integer(162_001_829),
                ValueRef::Integer(5025),
                ValueRef::Integer(7),
            ])
            .unwrap();
        writer
            .write_values(&[
                ValueRef::Text(b"longer\tname"),
                ValueRef::Integer(-90),
                ValueRef::Integer(45),
                ValueRef::Integer(25_000),
            ])
            .unwrap();
        writer
            .write_values(&[
                ValueRef::Null,
                ValueRef::Integer(97_200),
                ValueRef::Null,
                ValueRef::Null,
            ])
            .unwrap();
        assert_eq!(writer.finish().unwrap(), 3);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "login         seconds_to_follow  offset_seconds  count\n\
             ------------  -----------------  --------------  -----\n\
             a             5y 50d             1:23:45             7\n\
             longer\\tname  -1:30              0:45            25000\n\
             \x20             1d 3h\n"
        );
    }

    #[test]
    fn json_is_one_array_and_ndjson_one_object_a_line() {
        let json: serde_json::Value = serde_json::from_str(&render_all(Format::Json, true, false)).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"id": 1, "title": "tab\there, \"quoted\"\nnext\\line", "taken_at": "2026-01-01T00:00:00Z",
                 "score": 1.5, "note": null},
                {"id": -2, "title": "plain", "taken_at": "2026-01-01T00:00:01Z", "score": 2.0, "note": "AP8="},
            ])
        );
        let ndjson = render_all(Format::Ndjson, true, true);
        let lines: Vec<serde_json::Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["taken_at"], serde_json::json!(1_767_225_601));
        assert_eq!(lines[1]["id"], serde_json::json!(-2));
    }

    #[test]
    fn epoch_turns_only_time_columns_into_seconds() {
        let tsv = render_all(Format::Tsv, false, true);
        assert_eq!(tsv.lines().nth(1).unwrap(), "-2\tplain\t1767225601\t2.0\tAP8=");
    }

    #[test]
    fn seed_prints_its_columns_joined_with_epoch_times_and_no_header() {
        assert_eq!(
            render_all(Format::Seed, true, false),
            "1767225600 : tab\\there, \"quoted\"\\nnext\\\\line\n1767225601 : plain\n"
        );
        let options = OutputOptions {
            format: Format::Seed,
            ..OutputOptions::default()
        };
        let mut out = Vec::new();
        let mut writer = RowWriter::start(&mut out, &options, COLUMNS, &["taken_at"], &SeedForm::TSV).unwrap();
        writer.write_values(&rows()[1]).unwrap();
        writer.finish().unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "-2\tplain\t1767225601\t2.0\tAP8=\n");
    }

    #[test]
    fn nothing_to_print_is_a_header_or_an_empty_array() {
        assert_eq!(
            render(Format::Tsv, true, false, &[]),
            "id\ttitle\ttaken_at\tscore\tnote\n"
        );
        assert_eq!(render(Format::Csv, false, false, &[]), "");
        assert_eq!(render(Format::Json, true, false, &[]), "[]\n");
        assert_eq!(render(Format::Ndjson, true, false, &[]), "");
    }
}
