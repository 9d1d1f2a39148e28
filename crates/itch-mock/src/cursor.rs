//! Opaque pagination cursors shaped like Twitch's: base64 of `{"b":null,"a":{"Cursor":"..."}}`.
//!
//! Endpoint handlers put a position (a follower index, a video id, an offset) in and get it back. The inner
//! string is the position masked by a key of the list it belongs to, plus a check, so a cursor handed to the
//! wrong list (another channel, another endpoint) is refused with 400 like a forged one, instead of quietly
//! serving the wrong page. The base64 is the standard alphabet without padding, like Twitch's, so `+` and `/`
//! can appear and test the client's URL encoding; padded cursors are accepted too.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use crate::errors::ApiError;
use crate::seed::{hash, mix, tag};

/// Identifies a list: endpoint name plus whatever selects the list (channel, user, query).
pub(crate) fn scope(seed: u64, endpoint: &str, key: u64) -> u64 {
    let name = endpoint.bytes().fold(0u64, |h, b| mix(h ^ u64::from(b)));
    hash(&[seed, tag::CURSOR, name, key])
}

/// A cursor for `pos` in the list `scope`.
pub(crate) fn encode(scope: u64, pos: u64) -> String {
    let inner = format!("{:016x}{:08x}", pos ^ scope, check(scope, pos));
    STANDARD_NO_PAD.encode(format!(r#"{{"b":null,"a":{{"Cursor":"{inner}"}}}}"#))
}

/// The position in a cursor from [`encode`] with the same scope, or Twitch's 400.
pub(crate) fn decode(scope: u64, cursor: &str) -> Result<u64, ApiError> {
    let invalid = || ApiError::bad_request("Invalid cursor.");
    let bytes = STANDARD_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let inner = json["a"]["Cursor"]
        .as_str()
        .filter(|s| s.len() == 24 && s.is_ascii())
        .ok_or_else(invalid)?;
    let masked = u64::from_str_radix(&inner[..16], 16).map_err(|_| invalid())?;
    let sum = u32::from_str_radix(&inner[16..], 16).map_err(|_| invalid())?;
    let pos = masked ^ scope;
    if sum != check(scope, pos) {
        return Err(invalid());
    }
    Ok(pos)
}

fn check(scope: u64, pos: u64) -> u32 {
    (mix(scope ^ mix(pos)) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_lists() {
        let a = scope(1, "followers", 10);
        let b = scope(1, "followers", 11);
        let c = encode(a, 4242);
        assert_eq!(decode(a, &c).unwrap(), 4242);
        assert!(decode(b, &c).is_err());
        assert!(decode(a, "a-non-cursor-string").is_err());
        let json = STANDARD_NO_PAD.decode(&c).unwrap();
        assert!(
            String::from_utf8(json)
                .unwrap()
                .starts_with(r#"{"b":null,"a":{"Cursor":""#)
        );
    }
}
