//! itch archives Twitch channels into SQLite.
//!
//! Data flows one way: the [`client`] fetches pages from Twitch (Helix, OAuth; GQL and IRC later), the sync
//! engine hands them to the archive, and reports and plots read the archive. `mock` (the `itch-mock` crate of
//! this workspace, behind the default `mock` feature) is a fake Twitch that speaks the same HTTP, for tests,
//! benchmarks and offline demos; it does not depend on itch.

pub mod archive;
pub mod cache;
pub mod cli;
pub mod client;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod plot;
pub mod report;
pub mod schema_doc;
pub mod secret;
pub mod sync;

pub use error::{Error, Result};

#[cfg(feature = "mock")]
pub use itch_mock as mock;
