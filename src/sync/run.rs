//! A run: the `sync_runs` row every command that writes facts keeps, from its start to how it ended (`itch sync`,
//! `itch chat <id>`, `itch chat --live`), and the one rule that turns how it ended into an exit code.

pub use crate::archive::runs::RunStatus;
use crate::archive::runs::{self, RunEnd};
use crate::archive::{Archive, Stamp, Timestamp};
use crate::client::Client;
use crate::error::Result;

/// A run in progress: its row says 'running' until [`Run::finish`]. A run that never finishes (killed) is
/// marked interrupted by the next one.
#[derive(Debug)]
pub struct Run {
    archive: Archive,
    id: i64,
    /// When the run started (`sync_runs.started_at`).
    started_at: Timestamp,
    /// The client's request count when the run started, so a run counts only its own requests.
    requests_before: u64,
}

impl Run {
    /// Records the start of a run of `command` (what the user typed, for the record).
    pub async fn start(archive: &Archive, client: &Client, command: String) -> Result<Run> {
        let started = Timestamp::now();
        let started_at = started.clone();
        let id = archive
            .write("starting a run", move |tx| runs::save_run_start(tx, &command, &started))
            .await?;
        Ok(Run {
            archive: archive.clone(),
            id,
            started_at,
            requests_before: client.stats().requests,
        })
    }

    /// The run's id (`sync_runs.id`), which every row it writes carries.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// When the run started, as its row says.
    pub fn started_at(&self) -> &Timestamp {
        &self.started_at
    }

    /// "Seen now, by this run": what a row written at this moment carries.
    pub fn stamp(&self) -> Stamp {
        Stamp::now(self.id)
    }

    /// Records how the run ended: its status, the requests it sent, what it did (JSON) and its first error.
    /// Returns when it ended, as its row says.
    pub async fn finish(
        self,
        client: &Client,
        status: RunStatus,
        summary_json: String,
        error: Option<String>,
    ) -> Result<Timestamp> {
        let end = RunEnd {
            status,
            requests: client.stats().requests - self.requests_before,
            summary_json,
            error,
        };
        let (run, finished) = (self.id, Timestamp::now());
        let finished_at = finished.clone();
        self.archive
            .write("finishing the run", move |tx| {
                runs::save_run_end(tx, run, &end, &finished)
            })
            .await?;
        Ok(finished_at)
    }
}

/// The exit code of a run that ended so: the signal's (130 for SIGINT, 143 for SIGTERM) when one stopped it, 1
/// when something failed (what succeeded is saved), else 0. Errors that stop a command before or outside a run
/// are 2, set by the binary.
pub fn exit_code(status: RunStatus, signal: Option<u8>) -> u8 {
    match (signal, status) {
        (Some(code), _) => code,
        (None, RunStatus::Interrupted) => 130,
        (None, RunStatus::Failed) => 1,
        (None, RunStatus::Ok) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_outranks_a_failure_which_outranks_success() {
        assert_eq!(exit_code(RunStatus::Ok, None), 0);
        assert_eq!(exit_code(RunStatus::Failed, None), 1);
        assert_eq!(exit_code(RunStatus::Failed, Some(143)), 143);
        assert_eq!(exit_code(RunStatus::Interrupted, Some(130)), 130);
        assert_eq!(exit_code(RunStatus::Interrupted, None), 130);
        assert_eq!(RunStatus::of(true, true), RunStatus::Interrupted);
        assert_eq!(RunStatus::of(false, true), RunStatus::Failed);
        assert_eq!(RunStatus::of(false, false), RunStatus::Ok);
    }
}
