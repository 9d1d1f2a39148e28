//! The `itch` binary: parse arguments, start logging, run the command, print the error chain and set the exit
//! code (0 success, 2 fatal; a broken pipe on stdout is a quiet success, a stdout closed before the start is
//! refused).

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = itch::cli::Cli::parse_args();
    if itch::cli::output::stdout_is_closed() {
        // Before anything else: nothing is fetched or written for output nobody can read.
        eprintln!("itch: stdout is closed: send it somewhere instead (> /dev/null, or a file)");
        return ExitCode::from(2);
    }
    itch::cli::init_tracing(&cli.global);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("itch: starting the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(itch::cli::run(cli)) {
        Ok(code) => code,
        Err(error) if itch::cli::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            itch::cli::print_error(&error);
            ExitCode::from(2)
        }
    }
}
