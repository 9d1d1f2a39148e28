//! Ctrl-C and SIGTERM: the first asks the sync to stop after the page in hand (committed with its checkpoint,
//! so the next sync resumes there), the second exits at once. SQLite rolls back an uncommitted transaction,
//! so even the hard stop leaves the archive consistent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use tokio_util::sync::CancellationToken;

/// The signal that asked us to stop, as an exit code (130 for SIGINT, 143 for SIGTERM), or 0.
#[derive(Clone, Debug, Default)]
pub struct StopSignal(Arc<AtomicU8>);

impl StopSignal {
    /// The exit code the signal asks for, if one came.
    pub fn exit_code(&self) -> Option<u8> {
        Some(self.0.load(Ordering::Relaxed)).filter(|c| *c != 0)
    }
}

/// Cancels `cancel` on the first SIGINT or SIGTERM; exits the process on the second.
pub fn install(cancel: CancellationToken) -> StopSignal {
    let stop = StopSignal::default();
    let seen = stop.clone();
    tokio::spawn(async move {
        loop {
            let code = next_signal().await;
            if seen.0.swap(code, Ordering::Relaxed) != 0 {
                eprintln!("itch: stopping now");
                std::process::exit(i32::from(code));
            }
            eprintln!("itch: stopping after the page in hand (again to stop at once)");
            cancel.cancel();
        }
    });
    stop
}

#[cfg(unix)]
async fn next_signal() -> u8 {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => 130,
        _ = terminate.recv() => 143,
    }
}

#[cfg(not(unix))]
async fn next_signal() -> u8 {
    let _ = tokio::signal::ctrl_c().await;
    130
}
