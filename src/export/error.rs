//! What can go wrong in `itch export`: each variant names its input (the directory, the table, the file, the value)
//! and keeps the lower error as its source.

use std::path::PathBuf;

/// An export that could not be done. Whatever it says, the archive's data is unchanged and the export directory
/// holds no part file of the failed export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The directory cannot be an export directory (a file, not writable, not creatable).
    #[error("export directory {}: {problem}", dir.display())]
    Dir {
        dir: PathBuf,
        problem: &'static str,
        #[source]
        source: Option<std::io::Error>,
    },

    /// Another `itch export` is writing into the same directory.
    #[error("export directory {} is in use by another itch export (its lock file is {})", dir.display(), lock.display())]
    Busy { dir: PathBuf, lock: PathBuf },

    /// `--tables` named a table that is not exported.
    #[error("'{table}' is not an exported table (exported: {known})")]
    UnknownTable { table: String, known: String },

    /// The directory holds an export in another format; mixing them would leave a table half in each.
    #[error(
        "export directory {} holds a {was} export; export {asked} into another directory",
        dir.display()
    )]
    FormatMismatch {
        dir: PathBuf,
        was: String,
        asked: &'static str,
    },

    /// The directory's marker names another archive: exporting into it would overwrite that archive's parts
    /// (every archive numbers its exports from 1).
    #[error(
        "export directory {} holds an export of another archive ({archive}); export into another directory, or empty this one first",
        dir.display()
    )]
    OtherArchive { dir: PathBuf, archive: String },

    /// The directory's marker cannot be read as one.
    #[error(
        "export directory {}: its marker {} is not one itch wrote; remove it (and the directory's files) to export into it again",
        dir.display(),
        marker.display()
    )]
    BadMarker { dir: PathBuf, marker: PathBuf },

    /// `--forget` named a directory that still holds its export.
    #[error(
        "export directory {} still holds an export (its {} marker): delete the directory first, or export into it",
        dir.display(),
        super::MARKER_FILE
    )]
    StillThere { dir: PathBuf },

    /// A part file's name is already taken by a file this export did not write: it is never replaced.
    #[error("{} already exists; it is kept, and this export stopped", path.display())]
    PartExists { path: PathBuf },

    /// A value the archive holds does not fit its column's type (a time that is not RFC 3339, text in a count).
    #[error("table {table}, column {column}: {problem} ({value})")]
    Value {
        table: String,
        column: String,
        problem: &'static str,
        value: String,
    },

    /// Reading the archive (or writing its bookkeeping) failed.
    #[error(transparent)]
    Archive(#[from] crate::Error),

    /// Writing a file of the export failed.
    #[error("writing {}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The Parquet writer failed on a file.
    #[error("writing {}", path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
}

/// The export module's result.
pub type Result<T, E = ExportError> = std::result::Result<T, E>;
