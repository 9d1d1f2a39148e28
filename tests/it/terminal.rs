//! Output for people and for programs (issue 15): what goes to a file or a pipe is plain text.

use crate::record::broadcaster_setup;
use crate::util::{sync, text};
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
