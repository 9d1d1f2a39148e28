//! Everything a command prints to stdout goes through here, so a write that fails is an error and never a
//! panic (`println!` panics): a closed pipe (`itch ... | head`) is a quiet success (see `is_broken_pipe`), a
//! full disk an error naming the output (exit 2). A stdout closed before itch starts (`>&-`) is refused at
//! once, before any request: what itch prints would otherwise be lost without a word.

use std::io::{self, Write};
use std::path::Path;

/// Writes one line to stdout: `outln!("{x}")?` where `println!` would panic.
#[macro_export]
#[doc(hidden)]
macro_rules! outln {
    () => {
        $crate::cli::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::line(format_args!($($arg)*))
    };
}

/// Writes `text` and a newline to stdout, flushed.
pub fn line(text: std::fmt::Arguments<'_>) -> crate::Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(text)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(crate::Error::Write)
}

/// True when itch was started with descriptor 1 closed (`itch ... >&-`). Rust's runtime reopens a closed
/// standard descriptor on `/dev/null` before `main`, read-write; a shell's `> /dev/null` opens it write-only.
/// So on Linux a stdout that is `/dev/null` opened read-write was closed. Elsewhere this cannot be told, and
/// a closed stdout stays the `/dev/null` Rust made of it.
pub fn stdout_is_closed() -> bool {
    if !cfg!(target_os = "linux") {
        return false;
    }
    let is_null = std::fs::read_link("/proc/self/fd/1").is_ok_and(|target| target == Path::new("/dev/null"));
    is_null
        && std::fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("flags:"))
                .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
                // O_ACCMODE 3, O_RDWR 2
                .is_some_and(|flags| flags & 3 == 2)
        })
}
