//! `itch completions` and `itch man` (issue 15): generated from the parser, for every shell, naming every command.

use crate::util::{itch, mock_with_followers, run, text};

const COMMANDS: [&str; 6] = ["sync", "chat", "report", "status", "search", "plot"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_generate_for_every_shell_and_bash_loads_them() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let mut cmd = itch(&mock, dir.path());
        cmd.args(["completions", shell]);
        let output = run(cmd).await;
        let (script, stderr) = text(&output);
        assert!(output.status.success(), "{shell}: {stderr}");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell} completes {command}");
        }
        if shell == "bash" {
            // The script is valid bash and registers a completion for `itch` that offers the subcommands.
            let path = dir.path().join("itch.bash");
            std::fs::write(&path, &script).unwrap();
            let check = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!(
                    "source {} && complete -p itch && COMP_WORDS=(itch st) && COMP_CWORD=1 && _itch itch st itch; echo \"${{COMPREPLY[@]}}\"",
                    path.display()
                ))
                .output()
                .unwrap();
            let (out, err) = text(&check);
            assert!(check.status.success(), "{out}{err}");
            assert!(out.contains("status"), "`itch st<TAB>` offers status: {out}");
        }
    }
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["completions", "tcsh"]);
    let output = run(cmd).await;
    assert_eq!(output.status.code(), Some(2), "an unknown shell is bad input");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_page_names_every_command_and_writes_one_page_each() {
    let mock = mock_with_followers(10).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = itch(&mock, dir.path());
    cmd.arg("man");
    let output = run(cmd).await;
    let (page, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        page.contains(".TH itch 1"),
        "a section-1 roff page: {}",
        &page[..200.min(page.len())]
    );
    for command in COMMANDS {
        assert!(page.contains(command), "itch(1) names {command}");
    }
    let mut cmd = itch(&mock, dir.path());
    cmd.args(["man", "--dir", "man1"]);
    let output = run(cmd).await;
    assert!(output.status.success(), "{}", text(&output).1);
    for command in COMMANDS {
        let sub = std::fs::read_to_string(dir.path().join(format!("man1/itch-{command}.1"))).unwrap();
        assert!(
            sub.contains(&format!(".TH itch-{command} 1")),
            "{command}: {}",
            &sub[..100.min(sub.len())]
        );
    }
}

/// `itch --version` names the commit it was built from, so a bug report says exactly which build ran.
#[test]
fn the_version_names_the_commit() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_itch"))
        .arg("--version")
        .output()
        .unwrap();
    let (version, _) = text(&output);
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    assert!(!head.is_empty(), "the tests run in a git checkout");
    assert_eq!(version.trim(), format!("itch {} ({head})", env!("CARGO_PKG_VERSION")));
}
