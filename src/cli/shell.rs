//! `itch completions <shell>` and `itch man`: the shell's completion script and the manual page, both generated
//! from the parser the binary runs, so they list exactly the commands and flags it takes.

use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Print the completion script for a shell.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch completions bash > ~/.local/share/bash-completion/completions/itch
  itch completions zsh > ~/.zfunc/_itch
  itch completions fish > ~/.config/fish/completions/itch.fish
  itch completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Print the manual page (roff), or write one page per command into a directory.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  itch man | man -l -
  itch man --dir ~/.local/share/man/man1")]
pub struct ManArgs {
    /// Write itch.1 and one page per command (itch-sync.1, ...) here instead of printing itch.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Runs `itch completions`.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut super::Cli::command(), "itch", &mut script);
    write_stdout(&script)
}

/// Runs `itch man`.
pub fn man(args: ManArgs) -> anyhow::Result<ExitCode> {
    let command = super::Cli::command();
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .map_err(|e| anyhow::anyhow!("writing into {}: {e}", dir.display()))?;
            eprintln!("wrote the manual pages into {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            write_stdout(&page)
        }
    }
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
