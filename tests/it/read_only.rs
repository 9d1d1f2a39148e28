//! Reading never writes: `itch report`, `itch sql` and `itch cache stats` work on an archive nobody may write
//! (run as `nobody`, since root ignores permission bits), leave the file as it was, and an archive of an older
//! schema is refused with the way to migrate it.

use crate::paging::broadcaster;
use crate::util::{itch, login_as, mock_with_followers, sync, text};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// What the archive holds: the SHA-256 of itch.db and of its -wal (a missing -wal counts as an empty one;
/// the -shm is SQLite's scratch index, not content).
fn archive_files(dir: &Path) -> (String, String) {
    use sha2::{Digest, Sha256};
    let digest = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_default();
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    (digest("itch.db"), digest("itch.db-wal"))
}

/// `itch` run as the user `nobody` (who may not write the archive's directory).
fn as_nobody(inner: Command) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(inner.get_program())
        .args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    cmd.current_dir("/");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_commands_work_on_an_archive_nobody_may_write_and_change_nothing() {
    let mock = mock_with_followers(40).await;
    let (login, _) = broadcaster(&mock);
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("archive");
    std::fs::create_dir(&dir).unwrap();
    login_as(&mock, &dir, &login);
    let output = sync(&mock, &dir, &["--only", "channel,followers", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let before = archive_files(&dir);
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.join("itch.db"), std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    for args in [
        &["report", "followers", &login][..],
        &["sql", "SELECT count(*) FROM follows"],
        &["cache", "stats"],
    ] {
        let mut inner = itch(&mock, &dir);
        inner.args(args);
        let output = crate::util::run(as_nobody(inner)).await;
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{args:?} as nobody: {stderr}");
        assert!(!stdout.is_empty(), "{args:?}");
        if args[0] == "sql" {
            assert_eq!(stdout.lines().nth(1), Some("40"), "{stdout}");
        }
        assert_eq!(archive_files(&dir), before, "{args:?} changed the archive");
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_stats_leaves_the_archive_file_as_it_was() {
    let mock = mock_with_followers(300).await;
    let (login, _) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    login_as(&mock, dir.path(), &login);
    let output = sync(&mock, dir.path(), &["--only", "followers", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    let before = archive_files(dir.path());
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["cache", "stats"]);
    let output = crate::util::run(cmd).await;
    assert!(output.status.success(), "{}", text(&output).1);
    assert!(text(&output).0.contains("backend\tsqlite"));
    assert_eq!(archive_files(dir.path()), before, "cache stats rewrote the archive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_older_than_this_itch_is_not_migrated_by_a_reader_and_says_how() {
    let mock = mock_with_followers(20).await;
    let (login, _) = broadcaster(&mock);
    let dir = tempfile::tempdir().unwrap();
    login_as(&mock, dir.path(), &login);
    let output = sync(&mock, dir.path(), &["--only", "channel", &login]).await;
    assert!(output.status.success(), "{}", text(&output).1);
    // The archive as the previous itch left it, by its schema history.
    rusqlite::Connection::open(dir.path().join("itch.db"))
        .unwrap()
        .execute_batch(
            "DELETE FROM refinery_schema_history WHERE version = (SELECT max(version) FROM refinery_schema_history);
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    let before = archive_files(dir.path());
    for args in [
        &["report", "followers", &login][..],
        &["sql", "SELECT 1"],
        &["cache", "stats"],
    ] {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(args);
        let output = crate::util::run(cmd).await;
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("older than this itch") && stderr.contains("itch sync"),
            "{stderr}"
        );
        assert_eq!(archive_files(dir.path()), before, "{args:?} changed the archive");
    }
}
