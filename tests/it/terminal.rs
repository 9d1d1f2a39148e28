//! Output for people and for programs (issue 15): what goes to a file or a pipe is plain text.

use crate::record::broadcaster_setup;
use crate::util::{itch, sync, text};
use itch::mock::Fault;

/// Logs written to a file or a pipe keep no colour codes (`2>warn.log` used to hold `^[[33m WARN^[[0m`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_into_a_pipe_have_no_colour_codes() {
    let (mock, dir, login) = broadcaster_setup(10, 0).await;
    // A failing part logs a warning.
    mock.fail_next_gql(10_000, Fault::GqlIntegrity);
    let output = sync(&mock, dir.path(), &["-v", &login]).await;
    let (stdout, stderr) = text(&output);
    assert!(stderr.contains("WARN"), "a warning was logged: {stderr}");
    assert!(stderr.contains("INFO"), "-v logs at info: {stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stdout.contains('\u{1b}'),
        "no escape codes when stderr is not a terminal: {stderr:?}"
    );
}

/// Off a terminal, where no progress is drawn, each part of each channel says how it ended on one line of stderr
/// (a cron or systemd log shows where a long run spent its time); `-q` leaves them out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_a_terminal_each_part_logs_one_line() {
    let (mock, dir, login) = broadcaster_setup(250, 0).await;
    let output = sync(&mock, dir.path(), &["--only", "channel,followers,videos", &login]).await;
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with(&format!("{login}: ")))
        .collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines[0].starts_with(&format!("{login}: channel ok, ")), "{stderr}");
    assert!(
        lines[1].starts_with(&format!("{login}: followers ok, 6 requests, ")),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with(&format!("{login}: videos ok, 1 request, ")) && lines[2].ends_with(" s"),
        "{stderr}"
    );

    let quiet = sync(&mock, dir.path(), &["-q", "--only", "channel", &login]).await;
    let (_, stderr) = text(&quiet);
    assert!(quiet.status.success() && stderr.is_empty(), "{stderr}");
}

/// A report on a terminal is an aligned table with readable durations; the same report into a pipe stays TSV
/// (0.4.0 printed raw TSV on a terminal too: `seconds_to_follow 162001829`). The terminal is a real pseudo-terminal,
/// made by util-linux's `script`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_tables_on_a_terminal_and_tsv_in_a_pipe() {
    let (mock, dir, login) = broadcaster_setup(30, 0).await;
    let synced = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    assert!(synced.status.success(), "{:?}", text(&synced));
    let args = ["report", "followers", login.as_str(), "--limit", "3"];

    let piped = crate::util::run({
        let mut cmd = itch(&mock, dir.path());
        cmd.args(args);
        cmd
    })
    .await;
    let (tsv, _) = text(&piped);
    assert!(tsv.starts_with("follower\tchannel\t"), "{tsv}");

    let line = std::iter::once(env!("CARGO_BIN_EXE_itch"))
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ");
    let mut on_tty = std::process::Command::new("script");
    on_tty.args(["-qec", &line, "/dev/null"]);
    for (key, value) in itch(&mock, dir.path()).get_envs() {
        match value {
            Some(value) => on_tty.env(key, value),
            None => on_tty.env_remove(key),
        };
    }
    on_tty.current_dir(dir.path()).stdin(std::process::Stdio::null());
    let output = crate::util::run(on_tty).await;
    let (table, stderr) = text(&output);
    assert!(output.status.success(), "{table}{stderr}");
    let lines: Vec<&str> = table.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert!(lines[0].starts_with("follower ") && !lines[0].contains('\t'), "{table}");
    assert!(
        lines[1].starts_with("---") && lines[1].contains("  ---"),
        "a rule under the header: {table}"
    );
    assert_eq!(lines.len(), 5, "header, rule, three rows: {table}");
    // Every row's columns start where the header's do.
    let start = lines[0].find("channel").unwrap();
    assert!(lines[2..].iter().all(|l| l[start..].starts_with(&login)), "{table}");
    let seconds = lines[0].find("seconds_to_follow").unwrap();
    assert!(
        lines[2..]
            .iter()
            .all(|l| l[seconds..].split("  ").next().unwrap().contains(['y', 'd', ':'])),
        "durations read as durations: {table}"
    );
}
