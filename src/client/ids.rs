//! Twitch identifiers: logins (what users type) and ids (what Twitch keys on). Ids are strings of digits that
//! Twitch may lengthen at any time, so they stay strings; logins are checked before any request is sent.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{Error, Result};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as Twitch sends it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

string_id!(
    /// A user's (and so a broadcaster's) id: stable across renames.
    UserId
);
string_id!(
    /// A video's id.
    VideoId
);
string_id!(
    /// A live stream's id; an archive video's `stream_id` points to it.
    StreamId
);
string_id!(
    /// A game (category) id.
    GameId
);

impl VideoId {
    /// A video id as users may give it: `2277158219`, the 2016 itch's `v2277158219`, or the VOD's URL
    /// (`https://www.twitch.tv/videos/2277158219`). Checked once, where the input enters; the rest of the code
    /// takes a `VideoId`.
    pub fn parse(input: &str) -> Result<VideoId> {
        let trimmed = input.trim().trim_end_matches('/');
        let id = trimmed.rsplit_once("/videos/").map_or(trimmed, |(_, id)| id);
        let id = id.strip_prefix('v').unwrap_or(id);
        if (1..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) {
            Ok(VideoId(id.to_owned()))
        } else {
            Err(Error::InvalidVideoId {
                input: input.to_owned(),
            })
        }
    }
}

impl std::str::FromStr for VideoId {
    type Err = Error;
    fn from_str(s: &str) -> Result<VideoId> {
        VideoId::parse(s)
    }
}

/// A login as users type it, checked and lower-cased. Twitch's own rule for new accounts is stricter
/// (4 to 25 characters, no leading underscore), but older accounts break it, so we accept what Helix can answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Login(String);

impl Login {
    /// Checks `^[A-Za-z0-9_]{1,25}$` and lower-cases.
    pub fn parse(input: &str) -> Result<Login> {
        let valid = (1..=25).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(Login(input.to_ascii_lowercase()))
        } else {
            Err(Error::InvalidLogin {
                input: input.to_owned(),
            })
        }
    }

    /// The lower-cased login.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Login {
    type Err = Error;
    fn from_str(s: &str) -> Result<Login> {
        Login::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_checked_and_lowercased() {
        assert_eq!(Login::parse("BurkeBlack").unwrap().as_str(), "burkeblack");
        assert_eq!(Login::parse("orb").unwrap().as_str(), "orb");
        assert_eq!(Login::parse("_x_1").unwrap().as_str(), "_x_1");
        for bad in [
            "",
            "with space",
            "dash-ed",
            "a".repeat(26).as_str(),
            "ünï",
            "semi;colon",
        ] {
            assert!(matches!(Login::parse(bad), Err(Error::InvalidLogin { .. })), "{bad:?}");
        }
    }

    #[test]
    fn video_ids_are_taken_as_users_paste_them() {
        for good in [
            "2277158219",
            "v2277158219",
            "https://www.twitch.tv/videos/2277158219",
            " https://www.twitch.tv/videos/2277158219/ ",
        ] {
            assert_eq!(VideoId::parse(good).unwrap().as_str(), "2277158219", "{good:?}");
        }
        for bad in [
            "",
            "v",
            "abc",
            "12a",
            "https://www.twitch.tv/burkeblack",
            &"1".repeat(21),
        ] {
            assert!(
                matches!(VideoId::parse(bad), Err(Error::InvalidVideoId { .. })),
                "{bad:?}"
            );
        }
    }
}
