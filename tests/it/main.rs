//! Integration tests: the real client and the real `itch` binary against the fake Twitch over HTTP on
//! 127.0.0.1. One test binary, one module per topic; nothing here touches the internet.

mod api_cli;
mod auth;
mod browser;
mod budget;
pub mod cache;
#[cfg(all(feature = "redis", feature = "memcache"))]
mod cache_backends;
mod chaos;
mod chapters;
mod chat;
mod chat_split;
mod clips;
mod datasette;
mod export;
mod faults;
mod follow_episodes;
mod inputs;
mod layout;
mod live;
mod live_reports;
mod mock_cli;
mod paging;
mod read_only;
mod record;
mod reports;
mod schedule;
mod schedule_subs;
mod schema;
mod shell;
mod status;
mod stopping;
mod sync;
mod terminal;
mod util;
