//! Two things the build must know:
//! - The archive's migrations are embedded at compile time (`refinery::embed_migrations!`); a new or edited one
//!   must rebuild the crate.
//! - `itch --version` names the commit the binary was built from (`0.4.0 (3596af2c1e0b)`), read from git when
//!   the source is a git checkout; a source tree without git says `(unknown commit)`.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    println!(
        "cargo:rustc-env=ITCH_COMMIT={}",
        commit.as_deref().unwrap_or("unknown commit")
    );
    // Build again when HEAD moves: a commit changes the branch's ref (or packed-refs), a checkout changes HEAD.
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={git_dir}/HEAD");
        println!("cargo:rerun-if-changed={git_dir}/packed-refs");
        if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let common = git(&["rev-parse", "--git-common-dir"]).unwrap_or(git_dir);
            println!("cargo:rerun-if-changed={common}/{reference}");
        }
    }
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=build.rs");
}
