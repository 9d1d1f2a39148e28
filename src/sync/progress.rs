//! Progress on a terminal: one spinner line per channel, updated per page, with counts, their rate and the time
//! left, saying so while the rate budget holds a request back (otherwise a count standing still for a minute looks
//! like a hang). Off the terminal (cron, systemd, pipes) nothing is drawn: one plain line per part of each channel
//! says how it ended instead, so a log shows where a long run spent its time.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::ChannelSummary;
use crate::client::Client;

/// The progress display of a sync.
pub struct Progress {
    bars: Option<MultiProgress>,
    /// Off a terminal, without `quiet`: a line per part.
    log_parts: bool,
}

impl Progress {
    /// Draws on stderr when it is a terminal and `quiet` is off; off a terminal, logs each part's end.
    pub fn new(quiet: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        Progress {
            bars: (!quiet && terminal).then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            log_parts: !quiet && !terminal,
        }
    }

    /// No display at all.
    pub fn hidden() -> Progress {
        Progress {
            bars: None,
            log_parts: false,
        }
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
        ChannelBar {
            bar,
            log_as: self.log_parts.then(|| login.to_owned()),
            counting: Mutex::new(None),
        }
    }
}

/// One channel's line.
pub struct ChannelBar {
    bar: Option<ProgressBar>,
    /// The login the part lines name, when they are written (off a terminal).
    log_as: Option<String>,
    /// Where the count shown began (when, and at what count), for its rate.
    counting: Mutex<Option<(Instant, u64)>>,
}

impl ChannelBar {
    /// Shows what the channel's sync is doing.
    pub fn set(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            *self.counting.lock().unwrap_or_else(|e| e.into_inner()) = None;
            bar.set_message(message.into());
        }
    }

    /// Shows a count: `what: 40,600 of 300,000 (2,310/s, 1m 52s left)`. The rate is measured from the first count
    /// of this phase, so a resumed walk's earlier pages do not inflate it.
    pub fn count(&self, what: &str, done: u64, total: Option<u64>) {
        let Some(bar) = &self.bar else {
            return;
        };
        let (since, from) = *self
            .counting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert((Instant::now(), done));
        bar.set_message(counted(what, done, total, done - from.min(done), since.elapsed()));
    }

    /// Off a terminal, writes how `part` ended: one line, which a log keeps.
    pub fn part_done(&self, part: &str, how: &str, requests: u64, took: Duration) {
        if let Some(login) = &self.log_as {
            let plural = if requests == 1 { "" } else { "s" };
            let line = format!(
                "{login}: {part} {how}, {requests} request{plural}, {:.1} s\n",
                took.as_secs_f64()
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
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

/// The text of a count: `done` of `total`, and once `counted` items took `took`, their rate and the time left.
fn counted(what: &str, done: u64, total: Option<u64>, counted: u64, took: Duration) -> String {
    let mut text = format!("{what}: {}", amount(done, total));
    let seconds = took.as_secs_f64();
    if counted > 0 && seconds >= 1.0 {
        let rate = counted as f64 / seconds;
        text += &format!(" ({}/s", thousands(rate.round() as u64));
        if let Some(left) = total.map(|t| t.saturating_sub(done)).filter(|&left| left > 0) {
            let eta = Duration::from_secs((left as f64 / rate).ceil() as u64);
            text += &format!(", {} left", humantime::format_duration(eta));
        }
        text += ")";
    }
    text
}

/// `207,300 of 1,000,000`, or `207,300` with no total.
pub(super) fn amount(done: u64, total: Option<u64>) -> String {
    match total {
        Some(total) => format!("{} of {}", thousands(done), thousands(total)),
        None => thousands(done),
    }
}

/// 1234567 as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_says_its_rate_and_the_time_left_once_it_has_one() {
        assert_eq!(
            counted("followers", 40_600, Some(300_000), 0, Duration::ZERO),
            "followers: 40,600 of 300,000"
        );
        assert_eq!(
            counted("followers", 40_600, Some(300_000), 23_100, Duration::from_secs(10)),
            "followers: 40,600 of 300,000 (2,310/s, 1m 53s left)"
        );
        assert_eq!(
            counted("messages", 999, None, 999, Duration::from_secs(2)),
            "messages: 999 (500/s)"
        );
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(0), "0");
    }
}
