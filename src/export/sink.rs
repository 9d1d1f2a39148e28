//! One part file being written: rows in, a complete file out. A part is written under a hidden temporary name
//! (`.part-000007.parquet.tmp`, which no `*.parquet` glob matches), synced, and only then renamed to its name, so
//! a reader never sees half a file and an interrupted export leaves only temporary files (removed by the next).
//! Parquet rows are gathered in Arrow record batches of bounded size ([`BATCH_ROWS`], [`BATCH_BYTES`]) and row
//! groups are closed at [`ROW_GROUP_BYTES`], so memory stays flat however large the table is.

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Format;
use super::catalog::{Column, Kind};
use super::error::{ExportError, Result};

/// Rows per Arrow record batch.
pub const BATCH_ROWS: usize = 8192;
/// A batch is also cut when its values pass this many bytes (long `raw_json`).
pub const BATCH_BYTES: usize = 4 << 20;
/// A Parquet row group is closed at this many rows,
pub const ROW_GROUP_ROWS: usize = 64 * 1024;
/// or when its encoded size passes this.
pub const ROW_GROUP_BYTES: usize = 32 << 20;

/// One value of a row, typed as its column is.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Bool(bool),
    Text(&'a str),
    /// Microseconds since the Unix epoch, and the archive's text.
    Time(i64, &'a str),
    Blob(&'a [u8]),
}

impl Cell<'_> {
    fn size(&self) -> usize {
        match self {
            Cell::Text(s) => s.len(),
            Cell::Blob(b) => b.len(),
            _ => 8,
        }
    }
}

/// A part file in progress.
pub struct Part {
    tmp: PathBuf,
    path: PathBuf,
    writer: Writer,
    rows: u64,
}

enum Writer {
    Parquet(Box<ParquetPart>),
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Ndjson {
        out: BufWriter<File>,
        /// Each column's name as a JSON string followed by `:`.
        keys: Vec<String>,
    },
}

struct ParquetPart {
    writer: ArrowWriter<File>,
    schema: Arc<Schema>,
    builders: Vec<Builder>,
    rows: usize,
    bytes: usize,
}

enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Real(Float64Builder),
    Bool(BooleanBuilder),
    Time(TimestampMicrosecondBuilder),
    Blob(BinaryBuilder),
}

/// The Arrow schema of a table: ids and JSON as strings, counts as 64-bit integers, flags as booleans, times as
/// UTC timestamps in microseconds. Every column is nullable, as SQLite's are unless declared otherwise.
pub fn schema(columns: &[Column]) -> Arc<Schema> {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(&c.name, data_type(c.kind), true))
            .collect::<Vec<_>>(),
    ))
}

fn data_type(kind: Kind) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::Int => DataType::Int64,
        Kind::Real => DataType::Float64,
        Kind::Bool => DataType::Boolean,
        Kind::Time => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        Kind::Blob => DataType::Binary,
    }
}

impl Part {
    /// Starts the part that will be `path` once finished.
    pub fn create(path: PathBuf, format: Format, columns: &[Column]) -> Result<Part> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        // Part names are unique per archive, not per directory: a file already there is someone else's.
        if path.symlink_metadata().is_ok() {
            return Err(ExportError::PartExists { path });
        }
        let file_error = |source| ExportError::File {
            path: tmp.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ExportError::File {
                path: parent.to_owned(),
                source,
            })?;
        }
        let file = File::create(&tmp).map_err(file_error)?;
        let writer = match format {
            Format::Parquet => {
                let schema = schema(columns);
                let properties = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).expect("3 is a zstd level")))
                    .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
                    .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
                    .build();
                let writer = ArrowWriter::try_new(file, schema.clone(), Some(properties)).map_err(|source| {
                    ExportError::Parquet {
                        path: tmp.clone(),
                        source,
                    }
                })?;
                Writer::Parquet(Box::new(ParquetPart {
                    writer,
                    schema,
                    builders: columns.iter().map(|c| Builder::new(c.kind)).collect(),
                    rows: 0,
                    bytes: 0,
                }))
            }
            Format::Csv => {
                let mut out = csv::Writer::from_writer(BufWriter::new(file));
                out.write_record(columns.iter().map(|c| c.name.as_str()))
                    .map_err(|e| csv_error(&tmp, e))?;
                Writer::Csv(Box::new(out))
            }
            Format::Ndjson => Writer::Ndjson {
                out: BufWriter::new(file),
                keys: columns
                    .iter()
                    .map(|c| format!("{}:", serde_json::Value::String(c.name.clone())))
                    .collect(),
            },
        };
        Ok(Part {
            tmp,
            path,
            writer,
            rows: 0,
        })
    }

    /// The name the part gets when finished.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file being written.
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// Adds one row.
    pub fn push(&mut self, cells: &[Cell<'_>]) -> Result<()> {
        self.rows += 1;
        let tmp = &self.tmp;
        match &mut self.writer {
            Writer::Parquet(part) => {
                for (builder, cell) in part.builders.iter_mut().zip(cells) {
                    part.bytes += cell.size();
                    builder.append(*cell);
                }
                part.rows += 1;
                if part.rows >= BATCH_ROWS || part.bytes >= BATCH_BYTES {
                    part.flush_batch(tmp)?;
                }
                Ok(())
            }
            Writer::Csv(out) => {
                let mut text = Vec::with_capacity(cells.len());
                for cell in cells {
                    text.push(match cell {
                        Cell::Null => String::new(),
                        Cell::Int(i) => i.to_string(),
                        Cell::Real(f) => f.to_string(),
                        Cell::Bool(b) => b.to_string(),
                        Cell::Text(s) | Cell::Time(_, s) => (*s).to_owned(),
                        Cell::Blob(b) => hex(b),
                    });
                }
                out.write_record(&text).map_err(|e| csv_error(tmp, e))
            }
            Writer::Ndjson { out, keys } => {
                let mut line = String::from("{");
                for (i, (key, cell)) in keys.iter().zip(cells).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(key);
                    match cell {
                        Cell::Null => line.push_str("null"),
                        Cell::Int(v) => line.push_str(&v.to_string()),
                        Cell::Real(v) => line.push_str(&serde_json::Value::from(*v).to_string()),
                        Cell::Bool(v) => line.push_str(if *v { "true" } else { "false" }),
                        Cell::Text(s) | Cell::Time(_, s) => line.push_str(&serde_json::Value::from(*s).to_string()),
                        Cell::Blob(b) => line.push_str(&format!("\"{}\"", hex(b))),
                    }
                }
                line.push_str("}\n");
                out.write_all(line.as_bytes()).map_err(|source| ExportError::File {
                    path: tmp.clone(),
                    source,
                })
            }
        }
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Completes the file: flushed, synced, renamed to its name (never onto a file already there). Returns its
    /// size. The directory entry is not synced here: the caller syncs each directory once all its parts are in
    /// ([`sync_dirs`]).
    pub fn finish(self) -> Result<u64> {
        let Part { tmp, path, writer, .. } = self;
        let file = match writer {
            Writer::Parquet(mut part) => {
                part.flush_batch(&tmp)?;
                part.writer.into_inner().map_err(|source| ExportError::Parquet {
                    path: tmp.clone(),
                    source,
                })?
            }
            Writer::Csv(out) => out
                .into_inner()
                .map_err(|e| ExportError::File {
                    path: tmp.clone(),
                    source: e.into_error(),
                })?
                .into_inner()
                .map_err(|e| ExportError::File {
                    path: tmp.clone(),
                    source: e.into_error(),
                })?,
            Writer::Ndjson { out, .. } => out.into_inner().map_err(|e| ExportError::File {
                path: tmp.clone(),
                source: e.into_error(),
            })?,
        };
        let io = |source| ExportError::File {
            path: tmp.clone(),
            source,
        };
        file.sync_all().map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        drop(file);
        // The export holds the directory's lock, so nothing else of itch's writes here meanwhile.
        if path.symlink_metadata().is_ok() {
            let _ = std::fs::remove_file(&tmp);
            return Err(ExportError::PartExists { path });
        }
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(size)
    }

    /// Drops the unfinished file.
    pub fn abandon(self) {
        let tmp = self.tmp.clone();
        drop(self);
        let _ = std::fs::remove_file(tmp);
    }
}

impl ParquetPart {
    fn flush_batch(&mut self, tmp: &Path) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let parquet_error = |source| ExportError::Parquet {
            path: tmp.to_owned(),
            source,
        };
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| parquet_error(parquet::errors::ParquetError::External(Box::new(e))))?;
        self.writer.write(&batch).map_err(parquet_error)?;
        self.rows = 0;
        self.bytes = 0;
        Ok(())
    }
}

impl Builder {
    fn new(kind: Kind) -> Builder {
        match kind {
            Kind::Text => Builder::Text(StringBuilder::new()),
            Kind::Int => Builder::Int(Int64Builder::new()),
            Kind::Real => Builder::Real(Float64Builder::new()),
            Kind::Bool => Builder::Bool(BooleanBuilder::new()),
            Kind::Time => Builder::Time(TimestampMicrosecondBuilder::new().with_timezone("UTC")),
            Kind::Blob => Builder::Blob(BinaryBuilder::new()),
        }
    }

    /// Appends a cell. The cell was made for this column's kind ([`super::cell`]), so a mismatch is a bug.
    fn append(&mut self, cell: Cell<'_>) {
        match (self, cell) {
            (Builder::Text(b), Cell::Text(s)) => b.append_value(s),
            (Builder::Text(b), _) => b.append_null(),
            (Builder::Int(b), Cell::Int(i)) => b.append_value(i),
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Real(b), Cell::Real(f)) => b.append_value(f),
            (Builder::Real(b), _) => b.append_null(),
            (Builder::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (Builder::Bool(b), _) => b.append_null(),
            (Builder::Time(b), Cell::Time(t, _)) => b.append_value(t),
            (Builder::Time(b), _) => b.append_null(),
            (Builder::Blob(b), Cell::Blob(v)) => b.append_value(v),
            (Builder::Blob(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Real(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Time(b) => Arc::new(b.finish()),
            Builder::Blob(b) => Arc::new(b.finish()),
        }
    }
}

/// The directories to sync so that `files` (under `root`) survive a power loss: each file's directory and every
/// directory above it up to `root` (a directory made for a new partition is itself an entry of its parent).
pub fn dirs_to_sync(root: &Path, files: &[PathBuf]) -> std::collections::BTreeSet<PathBuf> {
    let mut dirs = std::collections::BTreeSet::new();
    for file in files {
        let mut dir = file.parent();
        while let Some(d) = dir.filter(|d| d.starts_with(root)) {
            if !dirs.insert(d.to_owned()) {
                break;
            }
            dir = d.parent();
        }
    }
    dirs
}

/// Syncs each of `dirs` (their entries: the renamed and created files in them).
pub fn sync_dirs(dirs: &std::collections::BTreeSet<PathBuf>) -> Result<()> {
    for dir in dirs {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|source| ExportError::File {
                path: dir.clone(),
                source,
            })?;
    }
    Ok(())
}

fn csv_error(path: &Path, error: csv::Error) -> ExportError {
    ExportError::File {
        path: path.to_owned(),
        source: error.into(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14 review, item 3: a part is never renamed onto a file already there (another archive's part of the
    /// same number, say): the export is refused and the file kept.
    #[test]
    fn a_part_never_replaces_a_file_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part-000001.csv");
        std::fs::write(&path, "theirs\n").unwrap();
        let columns = [Column {
            name: "a".into(),
            kind: Kind::Text,
        }];
        let result = Part::create(path.clone(), Format::Csv, &columns).and_then(|mut part| {
            part.push(&[Cell::Text("ours")])?;
            part.finish()
        });
        assert!(result.is_err(), "{result:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "theirs\n");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["part-000001.csv"]);
    }

    /// Item 4: every directory a renamed part's entry (or a new partition directory's) lives in is synced, up to
    /// the export directory and no further.
    #[test]
    fn the_directories_synced_are_every_one_from_a_part_up_to_the_export_directory() {
        let root = Path::new("/x/out");
        let files = [
            root.join("follows/channel=a/year=2024/part-000002.parquet"),
            root.join("follows/channel=a/year=2025/part-000002.parquet"),
            root.join("users/part-000002.parquet"),
        ];
        let dirs: Vec<PathBuf> = dirs_to_sync(root, &files).into_iter().collect();
        let expected: Vec<PathBuf> = [
            "",
            "follows",
            "follows/channel=a",
            "follows/channel=a/year=2024",
            "follows/channel=a/year=2025",
            "users",
        ]
        .iter()
        .map(|d| if d.is_empty() { root.to_owned() } else { root.join(d) })
        .collect();
        assert_eq!(dirs, expected);
    }
}
