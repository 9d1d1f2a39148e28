//! The binary against the fake: `itch api`, help, and bad input that never reaches Twitch.

use crate::paging::broadcaster;
use crate::util::{count, itch, mock_with_followers, run, store_with_user_token, text};
use itch::client::helix::followers;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_followers_prints_raw_items_as_ndjson() {
    let mock = mock_with_followers(1_000).await;
    let dir = tempfile::tempdir().unwrap();
    let (login, _) = broadcaster(&mock);
    store_with_user_token(&mock, &dir.path().join("config"), &login, &[followers::SCOPE]);
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["api", "followers", &login.to_uppercase(), "--limit", "250"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 250);
    assert!(
        lines
            .iter()
            .all(|l| l["user_id"].is_string() && l["followed_at"].is_string())
    );
    assert!(
        stderr.contains("250 items") && stderr.contains("total: 1000"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_logins_are_refused_before_any_request() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    for bad in ["has space", "semi;colon", "waytoolongforatwitchlogin1", ""] {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(["api", "followers", bad]);
        let output = run(cmd).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains("is not a Twitch login"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(mock.stats().requests, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_login_is_an_error_naming_it() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["api", "videos", "nosuchuser"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout.is_empty());
    assert!(stderr.contains("no Twitch user 'nosuchuser'"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_say_what_to_set() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.env_remove("TWITCH_CLIENT_ID")
        .env_remove("TWITCH_CLIENT_SECRET")
        .args(["api", "users", "someone"]);
    let output = run(cmd).await;
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("TWITCH_CLIENT_ID") && stderr.contains("itch demo"),
        "{stderr}"
    );
}

/// A command that needs Twitch refuses without credentials before it creates an archive: `itch chat <video>` used
/// to leave an empty `itch.db` behind (found walking the README), after which commands run without `--db` said
/// "channel not in the archive" instead of "no archive".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_no_command_creates_an_archive() {
    let mock = mock_with_followers(10).await;
    let login = mock.channels().remove(0).login;
    let commands: [&[&str]; 4] = [
        &["chat", "2277158219"],
        &["chat", "--live", &login, "--messages", "1"],
        &["sync", &login],
        &["api", "users", &login],
    ];
    for args in commands {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = itch(&mock, dir.path());
        cmd.env_remove("TWITCH_CLIENT_ID")
            .env_remove("TWITCH_CLIENT_SECRET")
            .args(args);
        let output = run(cmd).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("no Twitch credentials"), "{args:?}: {stderr}");
        assert!(!dir.path().join("itch.db").exists(), "{args:?} created an archive");
    }
}

/// Every command and subcommand, as the words typed before `--help`: read from the parser itself, so a new
/// command is covered the day it is added.
fn every_command() -> Vec<Vec<String>> {
    fn walk(command: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut next = path.clone();
            next.push(sub.get_name().to_owned());
            walk(sub, next, out);
        }
    }
    let mut out = Vec::new();
    walk(
        &<itch::cli::Cli as clap::CommandFactory>::command(),
        Vec::new(),
        &mut out,
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_has_help_with_an_example() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let commands = every_command();
    assert!(
        commands.len() > 11,
        "the top level, its eleven commands and their subcommands: {commands:?}"
    );
    let mut missing = Vec::new();
    for path in &commands {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(path).arg("--help");
        let output = run(cmd).await;
        let (stdout, _) = text(&output);
        assert!(output.status.success(), "{path:?}: {stdout}");
        // The example shows the command itself being run.
        let example = stdout.split_once("Example").map(|(_, rest)| rest);
        let shows_itself = example.is_some_and(|rest| rest.contains(&format!("itch {}", path.join(" "))));
        if !shows_itself {
            missing.push(path.join(" "));
        }
    }
    assert!(
        missing.is_empty(),
        "commands whose --help has no example of them: {missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_runs_offline_end_to_end() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["demo", "--followers", "2000", "--comments", "300"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("only its follower total: 2000"), "{stdout}");
    assert!(
        stdout.contains("followers +2000 -0 (total 2000)") && stdout.contains("chat of "),
        "{stdout}"
    );
    assert!(
        stdout.contains("follower\tchannel\taccount_created_at"),
        "the first report: {stdout}"
    );
    assert!(
        dir.path().join("itch-demo.db").exists() && !dir.path().join("itch.db").exists(),
        "ITCH_DB (the user's own archive, maybe) is not where a demo writes"
    );

    // A history every report and chart can show (issue 15 item 7): syncs over simulated days, on the fake's clock.
    let db = rusqlite::Connection::open(dir.path().join("itch-demo.db")).unwrap();
    let demo_runs = "SELECT count(*) FROM sync_runs WHERE command LIKE 'demo sync: %' AND status = 'ok'";
    let steps = count(&db, demo_runs);
    assert!(steps >= 10, "{steps} syncs");
    assert!(stdout.contains("day 6 (2026-11-07"), "{stdout}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM follower_counts"),
        steps,
        "a total at every sync"
    );
    assert!(
        count(
            &db,
            "SELECT CAST(julianday(max(taken_at)) - julianday(min(taken_at)) AS INTEGER) FROM follower_counts"
        ) >= 5,
        "the snapshots span the simulated days"
    );
    let channel_streams = "SELECT count(DISTINCT s.id) FROM streams s JOIN stream_snapshots n ON n.stream_id = s.id
                           WHERE s.user_id = (SELECT broadcaster_id FROM channels)";
    assert_eq!(count(&db, channel_streams), 2, "two streams, each with snapshots");
    assert!(count(&db, "SELECT count(*) FROM stream_snapshots") >= 10);
    assert!(count(&db, "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NOT NULL") > 0);
    assert!(
        count(&db, "SELECT count(*) FROM earlier_follows") > 0,
        "followers who came back"
    );
    assert!(count(&db, "SELECT count(*) FROM videos WHERE deleted_seen_at IS NOT NULL") > 0);
    assert!(
        count(&db, "SELECT count(DISTINCT total) FROM subscription_snapshots") >= 5,
        "subscribers gained and lost over the days, for `report subscribers` and the chart's second line"
    );
    drop(db);
    // The same demo again replays the history in the fake and syncs only its last step again.
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["demo", "--followers", "2000", "--comments", "300"]);
    let output = run(cmd).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(
        text(&output).0.contains("synced the last step again") && !text(&output).0.contains("synced 6 days"),
        "a second demo says it replayed, not that it synced six days: {}",
        text(&output).0
    );
    let db = rusqlite::Connection::open(dir.path().join("itch-demo.db")).unwrap();
    assert_eq!(count(&db, demo_runs), steps + 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM follows WHERE unfollowed_seen_at IS NULL
               AND broadcaster_id = (SELECT broadcaster_id FROM channels)"
        ),
        count(
            &db,
            "SELECT follower_total FROM follower_counts ORDER BY taken_at DESC LIMIT 1"
        ),
        "the archive agrees with the fake after the replay"
    );

    // `--db` typed on the command line is where the demo goes (0.4.0 wrote itch-demo.db regardless), and every
    // hint names it, with the binary that ran (not on PATH here, so by its path).
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["demo", "--db", "mine.db", "--followers", "300", "--comments", "50"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(dir.path().join("mine.db").exists(), "{stdout}");
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_itch")).unwrap();
    let explore = stdout.lines().find(|l| l.starts_with("explore it:")).unwrap();
    assert!(
        explore.contains(&format!("{} --db mine.db report --list", binary.display())),
        "{explore}"
    );
}

/// Exit codes scripts can test (issue 15): `auth status` with nobody logged in is 1, not 0; an `api` lookup with
/// nothing to look up is bad input (2), not "0 items".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_to_show_or_ask_is_not_success() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["auth", "status"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("not logged in"), "{stdout}");
    for resource in ["users", "channels", "streams", "games"] {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(["api", resource]);
        let output = run(cmd).await;
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "api {resource}: {stdout}{stderr}");
        assert!(stderr.contains("required"), "api {resource}: {stderr}");
    }
    assert_eq!(mock.stats().requests, 0, "nothing was sent");
}

/// Help that scans (issue 15): each command's `-h` shows its own options, then the few global ones under their
/// heading, and leaves the Twitch connection flags to `--help`, where they come once, under theirs. `itch --help`
/// says what the exit codes mean.
#[test]
fn help_puts_global_flags_once_under_their_heading() {
    let root = <itch::cli::Cli as clap::CommandFactory>::command();
    // The fake Twitch reads no archive and reaches no Twitch: its help is checked on its own, below.
    for path in every_command().into_iter().filter(|path| path != &["mock-api"]) {
        let mut command = root.clone();
        // Subcommands see the global flags only once the parser has built them.
        command.build();
        let mut sub = &mut command;
        for name in &path {
            sub = sub.find_subcommand_mut(name).unwrap();
        }
        let short = sub.render_help().to_string();
        let long = sub.render_long_help().to_string();
        let name = path.join(" ");
        let global = short.split_once("Global options:").map(|(_, rest)| rest);
        assert!(
            global.is_some_and(|rest| rest.contains("--db <DB>")),
            "itch {name} -h: --db under Global options:\n{short}"
        );
        assert_eq!(short.matches("--db <DB>").count(), 1, "itch {name} -h:\n{short}");
        assert!(
            !short.contains("--helix-url"),
            "itch {name} -h keeps the connection flags for --help:\n{short}"
        );
        let connection = long.split_once("Twitch connection:").map(|(_, rest)| rest);
        assert!(
            connection.is_some_and(|rest| rest.contains("--helix-url")),
            "itch {name} --help: connection flags under their heading:\n{long}"
        );
        assert_eq!(long.matches("--helix-url").count(), 1, "itch {name} --help:\n{long}");
    }
    let long = root.clone().render_long_help().to_string();
    assert!(long.contains("Exit codes:") && long.contains("130"), "{long}");
}

/// Only flags that act on a command are offered for it (issue 15): `itch mock-api` serves a fake world from memory,
/// so the archive, cache and Twitch connection flags are neither in its help nor accepted; -v/-q still are.
#[test]
fn mock_api_help_offers_no_archive_or_connection_flags() {
    use clap::{CommandFactory, Parser};
    let mut command = itch::cli::Cli::command();
    command.build();
    let sub = command.find_subcommand_mut("mock-api").unwrap();
    let short = sub.render_help().to_string();
    let long = sub.render_long_help().to_string();
    for flag in [
        "--db",
        "--cache",
        "--config-dir",
        "--helix-url",
        "--oauth2-url",
        "--gql-url",
        "--irc-url",
    ] {
        assert!(!short.contains(flag), "itch mock-api -h offers {flag}:\n{short}");
        assert!(!long.contains(flag), "itch mock-api --help offers {flag}:\n{long}");
        let refused = itch::cli::Cli::try_parse_from(["itch", "mock-api", flag, "x"]);
        assert!(refused.is_err(), "itch mock-api {flag} x is refused");
    }
    assert!(short.contains("--verbose") && short.contains("--quiet"), "{short}");
    assert!(itch::cli::Cli::try_parse_from(["itch", "mock-api", "-v", "--port", "0"]).is_ok());
}

/// A demo never mixes two fake worlds in one archive (0.4.0 added a second world's followers to the first's), and
/// never writes into a real archive given as `--db`: both are refused before the fake starts, the archive as it
/// was. The same world again is synced again, as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_refuses_to_mix_worlds_or_touch_a_real_archive() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let demo = |followers: &str| {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(["demo", "--db", "demo.db", "--followers", followers, "--comments", "50"]);
        run(cmd)
    };
    let first = demo("300").await;
    assert!(first.status.success(), "{}", text(&first).1);
    let follows = || {
        let db = rusqlite::Connection::open(dir.path().join("demo.db")).unwrap();
        db.query_row("SELECT count(*) FROM follows", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let before = follows();

    let other = demo("400").await;
    let (stdout, stderr) = text(&other);
    assert_eq!(other.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("holds the demo world `--seed 0 --followers 300 --comments 50`, not `--seed 0 --followers 400"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("fake Twitch running"),
        "refused before the fake started: {stdout}"
    );
    assert_eq!(follows(), before, "the archive is as it was");

    let again = demo("300").await;
    assert!(again.status.success(), "the same world syncs again: {}", text(&again).1);

    // A real archive (a sync of the test's fake) given to the demo.
    let login = mock.channels()[0].login.clone();
    let synced = crate::util::sync(&mock, dir.path(), &["--only", "channel", &login]).await;
    assert!(synced.status.success(), "{:?}", text(&synced));
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["demo", "--db", "itch.db", "--followers", "300"]);
    let output = run(cmd).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("is not a demo archive"), "{stderr}");
}
