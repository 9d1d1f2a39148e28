//! Progress on a terminal: one spinner line per channel, updated per page, saying so while the rate budget
//! holds a request back (otherwise a count standing still for a minute looks like a hang). Off the terminal
//! (cron, pipes, tests) it draws nothing; the summaries say what happened.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

use super::ChannelSummary;
use crate::client::Client;

/// The progress display of a sync.
pub struct Progress {
    bars: Option<MultiProgress>,
}

impl Progress {
    /// Draws on stderr when it is a terminal and `quiet` is off.
    pub fn new(quiet: bool) -> Progress {
        let show = !quiet && std::io::stderr().is_terminal();
        Progress {
            bars: show.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// No display at all.
    pub fn hidden() -> Progress {
        Progress { bars: None }
    }

    /// A line for one channel, whose requests go through `client`'s rate budget.
    pub fn channel(&self, login: &str, client: &std::sync::Arc<Client>) -> ChannelBar {
        let bar = self.bars.as_ref().map(|bars| {
            let bar = bars.add(ProgressBar::new_spinner());
            let client = client.clone();
            // Read at every redraw, so the wait counts down while the message stays.
            let waiting = move |_: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                if let Some(wait) = client.budget().waiting_for() {
                    let _ = write!(out, " (waiting for the rate limit: {} s)", wait.as_secs() + 1);
                }
            };
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix:.bold} {msg}{waiting} [{elapsed}]")
                    .expect("template")
                    .with_key("waiting", waiting),
            );
            bar.set_prefix(login.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        ChannelBar { bar }
    }
}

/// One channel's line.
pub struct ChannelBar {
    bar: Option<ProgressBar>,
}

impl ChannelBar {
    /// Shows what the channel's sync is doing.
    pub fn set(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.into());
        }
    }

    /// Ends the line with how the channel's sync ended and how long it took, kept on screen while the other
    /// channels go on (its summary is printed after the last one).
    pub fn finish(&self, summary: &ChannelSummary) {
        if let Some(bar) = &self.bar {
            let how = match summary.status() {
                super::run::RunStatus::Ok => "done",
                super::run::RunStatus::Failed => "done, with a failure (see its summary)",
                super::run::RunStatus::Interrupted => "stopped",
            };
            bar.set_style(ProgressStyle::with_template("  {prefix:.bold} {msg} [{elapsed}]").expect("template"));
            bar.finish_with_message(how);
        }
    }
}
