//! The crate's one error type. Each variant carries the input it failed on (a login, an endpoint, a file) and the
//! lower error as its source; `main` prints the chain once, plus a hint where a fix is known.

use std::path::PathBuf;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A login that Twitch could never have issued, caught before any request.
    #[error("'{input}' is not a Twitch login (1 to 25 letters, digits or underscores)")]
    InvalidLogin { input: String },

    /// Get Users answered without this login: no such account, or it was banned or renamed.
    #[error("no Twitch user '{login}' (check the spelling; renamed or banned accounts disappear)")]
    UnknownUser { login: String },

    /// A base URL from the environment or a flag that does not parse.
    #[error("{name} is not a valid URL: '{value}'")]
    InvalidUrl { name: &'static str, value: String },

    /// No way to get a token: no client id, or no secret and no stored user token.
    #[error("no Twitch credentials: {what}")]
    MissingCredentials { what: &'static str },

    /// The OAuth server refused a token request (bad client id or secret, revoked refresh token).
    #[error("{action} was refused by {url} ({status}): {message}")]
    Auth {
        action: &'static str,
        url: String,
        status: u16,
        message: String,
    },

    /// The device code flow ended without a token.
    #[error("device login failed: {reason}")]
    DeviceFlow { reason: String },

    /// Helix answered with an error body that retrying will not fix.
    #[error("{method} {path} failed with {status}: {message}")]
    Helix {
        method: &'static str,
        path: String,
        status: u16,
        message: String,
    },

    /// A 401 that survived a fresh token: the token lacks a scope or the account lacks the rights.
    #[error("{path} refused the token ({message})")]
    Unauthorized { path: String, message: String },

    /// The request never got a whole answer, after every retry.
    #[error("requesting {url} failed after {attempts} attempts")]
    Transport {
        url: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },

    /// The server kept answering with errors (5xx or 429) until the retries ran out.
    #[error("requesting {url} failed after {attempts} attempts: last answer {status}")]
    GaveUp { url: String, attempts: u32, status: u16 },

    /// A complete answer that is not the JSON we expect: never read as a shorter list.
    #[error("reading the answer of {url}")]
    Decode {
        url: String,
        #[source]
        source: serde_json::Error,
    },

    /// The stored token file cannot be read or written.
    #[error("token file {}", path.display())]
    TokenStore {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The archive file exists but is not an itch archive; it was not touched.
    #[error("{} is not an itch archive ({why}); nothing was changed", path.display())]
    NotAnArchive { path: PathBuf, why: &'static str },

    /// The archive was written by a newer itch.
    #[error("{} has schema version {version}, newer than this itch knows ({supported}): upgrade itch", path.display())]
    NewerArchive {
        path: PathBuf,
        version: i64,
        supported: i64,
    },

    /// A command that reads the archive found none.
    #[error("no archive at {} (run `itch sync <login>` first, or pass --db)", path.display())]
    NoArchive { path: PathBuf },

    /// The archive file cannot be read or created.
    #[error("archive {}", path.display())]
    ArchiveFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// SQLite failed on the archive.
    #[error("archive {}: {action}", path.display())]
    Database {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    /// Migrating the archive failed (the transaction was rolled back).
    #[error("migrating archive {}", path.display())]
    Migration {
        path: PathBuf,
        #[source]
        source: Box<refinery::Error>,
    },

    /// Another sync is writing to the archive.
    #[error("another itch sync is writing to {} ({holder}); wait for it, or pass --wait SECONDS", path.display())]
    Locked { path: PathBuf, holder: String },

    /// Twitch chat (IRC) could not be read.
    #[error("Twitch chat at {url}: {message}")]
    Irc { url: String, message: String },

    /// GQL answered with an error retrying did not fix.
    #[error("{url} answered: {message}")]
    Gql { url: String, message: String },

    /// GQL refused a cursor with its integrity check (it did so for the web Client-Id from 2023-05).
    #[error("chat replay of video {video}: Twitch's integrity check refused the request")]
    GqlIntegrity { video: String },

    /// The persisted query hash is unknown to Twitch (it rotated).
    #[error("Twitch no longer knows the {operation} query (PersistedQueryNotFound)")]
    GqlPersistedQuery { operation: &'static str },

    /// The video does not exist (any more).
    #[error("video {video} not found (deleted or expired on Twitch)")]
    VideoNotFound { video: String },

    /// A schedule (`--every`, `--cron`) that does not parse.
    #[error("'{input}' is not a schedule: {why}")]
    BadSchedule { input: String, why: String },

    /// Stopped by a signal; the next sync resumes from the last committed page.
    #[error("interrupted; the next sync resumes from the last committed page")]
    Interrupted,

    /// A cache backend failed (down, refused the password, unwritable); the sync goes on without it.
    #[error("the {backend} cache at {address} answered: {problem}")]
    Cache {
        backend: String,
        address: String,
        problem: String,
    },

    /// Building the HTTP client failed (TLS setup).
    #[error("setting up HTTP")]
    HttpSetup(#[source] reqwest::Error),

    /// A report or query named a login that is not an archived channel.
    #[error("channel '{login}' is not in the archive (run `itch sync {login}` first)")]
    UnknownChannel { login: String },

    /// A report was asked for something it does not take (a missing login, a time filter it has no column for).
    #[error("report '{report}' {problem}")]
    ReportUsage {
        report: &'static str,
        problem: &'static str,
    },

    /// `itch demo` into an archive that holds another fake world, or no demo at all: mixing them would make
    /// every report a mix.
    #[error("{} {why}; give the demo another file (--db demo2.db) or delete this one", path.display())]
    DemoWouldMix { path: PathBuf, why: String },

    /// A `--since`/`--until` value that is neither a date, an RFC 3339 time, a span back from now nor a day word.
    #[error(
        "'{input}' is not a date (2026-01-31, today, yesterday), an RFC 3339 time (2026-01-31T18:00:00Z, or +01:00 for an offset) or a span back from now (7d, 12h, 1h30m)"
    )]
    BadTime { input: String },

    /// `itch sql` was given a statement that would change the archive; it was not run.
    #[error("refusing to run '{sql}': `itch sql` only reads the archive")]
    ReadOnlySql { sql: String },

    /// Writing report or query output failed (a closed pipe, a full disk).
    #[error("writing the output")]
    Write(#[source] std::io::Error),

    /// Text given as a video id that is not one.
    #[error("'{input}' is not a Twitch video id (the digits of https://www.twitch.tv/videos/<id>)")]
    InvalidVideoId { input: String },

    /// A report or chart named a video the archive does not hold.
    #[error("video {video} is not in the archive (run `itch chat {video}` first)")]
    UnknownVideo { video: String },

    /// `report chatlog` was given something that is neither a video id nor an archived clip.
    #[error("'{input}' is neither a Twitch video id nor a clip in the archive (run `itch sync --only clips <login>`)")]
    UnknownClip { input: String },

    /// `report chatlog <clip-id>` for a clip whose place in a VOD is not known.
    #[error("clip {clip} has {why}, so there is no chat to show around it")]
    ClipWithoutVod { clip: String, why: &'static str },

    /// `itch search` was given a full-text query SQLite's FTS5 cannot parse.
    #[error(
        "'{query}' is not a valid search (words, \"a phrase\", AND, OR, NOT, prefix*; quote words with punctuation)"
    )]
    BadSearch {
        query: String,
        #[source]
        source: rusqlite::Error,
    },

    /// Drawing or writing a chart failed.
    #[error("drawing {}", path.display())]
    Plot {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The file given to `itch plot --input` cannot be read.
    #[error("reading {}", path.display())]
    PlotInputFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A line of `itch plot --input` (or its streams file) that cannot be charted.
    #[error("{}, line {line}: {problem}", path.display())]
    PlotInput { path: PathBuf, line: u64, problem: String },

    /// A chart option whose value does not fit its axis (a date on a count axis, a column that is not there).
    #[error("{flag} '{input}': {problem}")]
    PlotOption {
        flag: &'static str,
        input: String,
        problem: &'static str,
    },

    /// The chart would be empty.
    #[error("nothing to plot: {what}")]
    NothingToPlot { what: String },

    // The record around the rows: walks, archive files.
    /// A walk's staged follows are not all there (something else wrote to the archive): merged without
    /// recording unfollows, and the walk given up.
    #[error(
        "syncing followers of '{channel}': {staged} of the {expected} follows this walk staged are in the archive \
         (did another program write to it?); no unfollows were recorded and the next sync walks again"
    )]
    StagedFollowsMissing {
        channel: String,
        staged: u64,
        expected: u64,
    },

    /// The archive file has other names (hard links): SQLite keeps its journal beside each name, so two syncs
    /// through two names would damage it.
    #[error(
        "archive {} has {links} hard links; SQLite keeps a write-ahead log per name, so writing through two names \
         damages it: keep one name (use a symbolic link for another path)",
        path.display()
    )]
    HardLinkedArchive { path: PathBuf, links: u64 },

    // Chat replay that never ends silently; auth as Twitch answers.
    /// A chat replay page said more comments follow but gave no cursor to fetch them with.
    #[error(
        "chat replay of video {video} stopped at offset {offset}s: {url} said more comments follow but sent {problem}; \
         the next sync goes on from the last saved page"
    )]
    ChatCursorLost {
        video: String,
        offset: u64,
        url: String,
        problem: &'static str,
    },

    /// A GQL answer with no `data.video` at all: not the comments query's answer, so it says nothing about the
    /// video (only `"video": null` means it is gone).
    #[error("chat replay of video {video}: {url} answered without data.video ({problem})")]
    GqlNoVideo {
        video: String,
        url: String,
        problem: String,
    },

    /// An archived video whose start time does not parse: every comment's time would be wrong.
    #[error(
        "video {video} has the start time '{value}' in the archive, which is not an RFC 3339 time; its chat was not downloaded"
    )]
    BadVideoStart { video: String, value: String },

    /// `/validate` described a freshly issued login token without its user: nothing was stored.
    #[error("logging in: {url} describes the new token without a login or user id; nothing was stored")]
    TokenWithoutUser { url: String },

    /// Twitch refused to refresh the user token because the client needs its secret.
    #[error("refreshing the user token was refused by {url} ({status}): {message}")]
    RefreshNeedsSecret { url: String, status: u16, message: String },

    /// Twitch refused to refresh the user token (revoked, expired or already used refresh token).
    #[error("refreshing the user token was refused by {url} ({status}): {message}")]
    RefreshRefused { url: String, status: u16, message: String },

    // Archives of other schema versions.
    /// A command that only reads found an archive of an older schema, which it may not migrate.
    #[error(
        "{} has schema version {version}, older than this itch ({supported}): run `itch sync <login>` (or any \
         write command, such as `itch cache prune`) once to migrate it; reading commands never change the archive",
        path.display()
    )]
    OlderArchive {
        path: PathBuf,
        version: i64,
        supported: i64,
    },

    // Paging and cache backends.
    /// A list's next-page cursor is the one just sent (Helix or GQL paging): following it would fetch the same
    /// page forever, so the walk stops with what it saved.
    #[error(
        "{url} sent back the cursor it was asked with ('{cursor}'), so paging would never end; \
         the next sync resumes from the last saved page"
    )]
    CursorRepeated { url: String, cursor: String },

    /// A cache backend's variable that does not parse (`REDIS_PORT=abc`); nothing was contacted.
    #[error("{problem}")]
    CacheSetting { backend: &'static str, problem: String },

    /// A cache backend this itch was built without (its Cargo feature was off).
    #[error(
        "the {backend} cache is not in this build of itch: build it with `--features {feature}` (a default \
         feature), or choose another --cache"
    )]
    CacheNotBuilt {
        backend: &'static str,
        feature: &'static str,
    },
}

impl Error {
    /// A line telling the user how to fix this, where one is known.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::MissingCredentials { .. } => Some(
                "set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET (https://dev.twitch.tv/console/apps), \
                 or try everything offline with `itch demo`",
            ),
            Error::Unauthorized { .. } => Some(
                "run `itch auth login` as the broadcaster or a moderator; `itch auth status` shows the scopes you have",
            ),
            Error::RefreshRefused { .. } => Some("the stored login expired: run `itch auth login` again"),
            Error::RefreshNeedsSecret { .. } => Some(
                "Twitch refreshes this login only with the app's secret: set TWITCH_CLIENT_SECRET \
                 (https://dev.twitch.tv/console/apps), then run the command again",
            ),
            Error::Auth { .. } => Some("check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET"),
            Error::GqlIntegrity { .. } => {
                Some("Twitch's GQL refused this Client-Id: set ITCH_GQL_CLIENT_ID to the one current chat tools use")
            }
            // The chapters query's name (client::gql::chapters::OPERATION; written out: errors import no client).
            Error::GqlPersistedQuery {
                operation: "VideoPlayer_ChapterSelectButtonVideo",
            } => Some("the query hash may have rotated: set ITCH_GQL_CHAPTERS_HASH to the one current clients use"),
            Error::GqlPersistedQuery { .. } => {
                Some("the query hash rotated: set ITCH_GQL_COMMENTS_HASH to the one current chat tools use")
            }
            _ => None,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error and its causes on one line, joined by ": ".
pub fn display_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
