//! The one envelope every backend stores an answer in ([`encode_entry`]: magic, version, key, kind, URL,
//! status, fetch and expiry times, a SHA-256 over them and the body, then the deflated body), and how a value
//! read back is judged: a value that does not check out is a miss, counted as corrupt.

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

use super::{CacheKey, CachedResponse, kind_name};

/// Deflate-compresses a body.
pub fn compress(body: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
    encoder.write_all(body).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Inflates a stored body; `None` when it is not valid deflate data.
pub fn decompress(stored: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(stored.len() * 4);
    DeflateDecoder::new(stored).read_to_end(&mut body).ok()?;
    Some(body)
}

/// The first bytes of every value the file, Redis and memcached backends store.
pub const ENTRY_MAGIC: [u8; 5] = *b"ITCHC";
/// The envelope's format version (the byte after the magic). Version 2 added the SHA-256; a version 1 entry
/// (itch 0.4.0) is a miss, counted as corrupt, and the fresh answer overwrites it.
pub const ENTRY_VERSION: u8 = 2;

/// A stored answer as the file, Redis and memcached backends keep it, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The answer.
    pub response: CachedResponse,
    /// When it stops being fresh.
    pub expires_at: DateTime<Utc>,
}

/// Why stored bytes are not an entry of the key they were found under. Such a value is a miss, counted as
/// corrupt, and the fresh answer overwrites it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadEntry {
    /// Not an itch envelope at all (another program's value, the 2016 tool's zlib JSON).
    #[error("not an itch cache entry")]
    Foreign,
    /// An envelope of a format version this itch does not read.
    #[error("an entry of format version {0}")]
    Version(u8),
    /// Cut short, or lengths that do not add up.
    #[error("a truncated or malformed entry")]
    Shape,
    /// The body is not a deflate stream.
    #[error("a body that does not inflate")]
    Deflate,
    /// The body inflates, but not to the stored length, CRC-32 and SHA-256 (or a field of the envelope was
    /// changed).
    #[error("a body that does not match its checksum")]
    Checksum,
    /// A whole entry, stored under another key.
    #[error("an entry of another key")]
    OtherKey,
}

/// Encodes an answer for every backend (sqlite keeps it in its `body` column). Big-endian:
///
/// ```text
/// "ITCHC" 0x02             magic and version
/// u16 len, key             the cache key (a value found under another key is refused)
/// u8 len, kind             the resource kind
/// u32 len, url             the URL (no token: tokens travel in headers)
/// u16 status
/// i64 fetched_at, i64 expires_at   Unix milliseconds
/// u32 body length, u32 body CRC-32 of the inflated body
/// [u8; 32] sha256          SHA-256 of every byte above, then of the inflated body
/// deflate stream           the body, to the end of the value
/// ```
///
/// The SHA-256 covers the fields too: a flipped bit in a status, a time or the URL is caught like one in the
/// body (deflate itself has no checksum, and a damaged stream can inflate to another valid body).
pub fn encode_entry(key: &CacheKey, response: &CachedResponse, expires_at: DateTime<Utc>) -> Vec<u8> {
    let body = compress(&response.body);
    let key = &key.0.as_bytes()[..key.0.len().min(u16::MAX as usize)];
    let kind = &response.kind.as_bytes()[..response.kind.len().min(u8::MAX as usize)];
    let url = response.url.as_bytes();
    let mut crc = flate2::Crc::new();
    crc.update(&response.body);
    let mut out = Vec::with_capacity(48 + key.len() + kind.len() + url.len() + body.len());
    out.extend_from_slice(&ENTRY_MAGIC);
    out.push(ENTRY_VERSION);
    out.extend_from_slice(&(key.len() as u16).to_be_bytes());
    out.extend_from_slice(key);
    out.push(kind.len() as u8);
    out.extend_from_slice(kind);
    out.extend_from_slice(&(url.len() as u32).to_be_bytes());
    out.extend_from_slice(url);
    out.extend_from_slice(&response.status.to_be_bytes());
    out.extend_from_slice(&response.fetched_at.timestamp_millis().to_be_bytes());
    out.extend_from_slice(&expires_at.timestamp_millis().to_be_bytes());
    out.extend_from_slice(&(response.body.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc.sum().to_be_bytes());
    let digest = entry_digest(&out, &response.body);
    out.extend_from_slice(&digest);
    out.extend_from_slice(&body);
    out
}

/// The SHA-256 of an envelope's fields (`header`, everything before the digest) and its inflated body.
fn entry_digest(header: &[u8], body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(header);
    hasher.update(body);
    hasher.finalize().into()
}

/// Decodes what [`encode_entry`] wrote under `key`; anything else is a [`BadEntry`]. Freshness is the caller's
/// business ([`Entry::expires_at`]).
pub fn decode_entry(key: &CacheKey, stored: &[u8]) -> Result<Entry, BadEntry> {
    let mut input = Reader(stored);
    if input.take(ENTRY_MAGIC.len()) != Some(&ENTRY_MAGIC[..]) {
        return Err(BadEntry::Foreign);
    }
    match input.u8()? {
        ENTRY_VERSION => {}
        other => return Err(BadEntry::Version(other)),
    }
    let key_len = usize::from(input.u16()?);
    let stored_key = input.field(key_len)?;
    let kind_len = usize::from(input.u8()?);
    let kind = std::str::from_utf8(input.field(kind_len)?).map_err(|_| BadEntry::Shape)?;
    let url_len = input.u32()? as usize;
    let url = std::str::from_utf8(input.field(url_len)?).map_err(|_| BadEntry::Shape)?;
    let status = input.u16()?;
    let fetched_at = DateTime::from_timestamp_millis(input.i64()?).ok_or(BadEntry::Shape)?;
    let expires_at = DateTime::from_timestamp_millis(input.i64()?).ok_or(BadEntry::Shape)?;
    let length = input.u32()? as usize;
    let checksum = input.u32()?;
    let header = &stored[..stored.len() - input.0.len()];
    let digest: [u8; 32] = input.array()?;
    if !(100..=599).contains(&status) {
        return Err(BadEntry::Shape);
    }
    if stored_key != key.0.as_bytes() {
        return Err(BadEntry::OtherKey);
    }
    // Inflate at most one byte more than announced, so a hostile value cannot balloon.
    let mut body = Vec::with_capacity(length);
    DeflateDecoder::new(input.0)
        .take(length as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|_| BadEntry::Deflate)?;
    let mut crc = flate2::Crc::new();
    crc.update(&body);
    if body.len() != length || crc.sum() != checksum || entry_digest(header, &body) != digest {
        return Err(BadEntry::Checksum);
    }
    Ok(Entry {
        response: CachedResponse {
            kind: kind_name(kind),
            url: url.to_owned(),
            status,
            fetched_at,
            body,
        },
        expires_at,
    })
}

/// A cursor over stored bytes; running short is a [`BadEntry::Shape`].
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn field(&mut self, n: usize) -> Result<&'a [u8], BadEntry> {
        self.take(n).ok_or(BadEntry::Shape)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], BadEntry> {
        Ok(self.field(N)?.try_into().expect("N bytes"))
    }
    fn u8(&mut self) -> Result<u8, BadEntry> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, BadEntry> {
        self.array().map(u16::from_be_bytes)
    }
    fn u32(&mut self) -> Result<u32, BadEntry> {
        self.array().map(u32::from_be_bytes)
    }
    fn i64(&mut self) -> Result<i64, BadEntry> {
        self.array().map(i64::from_be_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_and_garbage_is_refused() {
        let body = br#"{"data":[{"id":"1"}],"pagination":{}}"#.repeat(50);
        let stored = compress(&body);
        assert!(stored.len() < body.len() / 4);
        assert_eq!(decompress(&stored).unwrap(), body);
        assert_eq!(decompress(b"not deflate at all \xff\xfe"), None);
    }

    #[test]
    fn a_flipped_bit_anywhere_in_an_entry_is_refused() {
        let key = CacheKey("k".repeat(64));
        let response = CachedResponse {
            kind: "followers",
            url: "http://x/helix/channels/followers?after=c&broadcaster_id=1".into(),
            status: 200,
            fetched_at: DateTime::from_timestamp_millis(1_764_000_000_000).unwrap(),
            body: br#"{"data":[{"user_id":"12345","user_login":"a"}],"total":1}"#.to_vec(),
        };
        let expires = response.fetched_at + chrono::Duration::minutes(5);
        let stored = encode_entry(&key, &response, expires);
        assert_eq!(decode_entry(&key, &stored).unwrap().response, response);
        for at in 0..stored.len() {
            for bit in 0..8 {
                let mut flipped = stored.clone();
                flipped[at] ^= 1 << bit;
                // A flip in the deflate stream can leave the body whole (a back-reference moved onto the same
                // bytes): then the answer served is exactly the one stored, which the checksum proves.
                if let Ok(entry) = decode_entry(&key, &flipped) {
                    assert_eq!(
                        (&entry.response, entry.expires_at),
                        (&response, expires),
                        "bit {bit} of byte {at} of {} flipped and a changed answer accepted",
                        stored.len()
                    );
                }
            }
        }
        // An entry of itch 0.4.0 (no SHA-256) is refused as another version, so it is a miss.
        let mut old = stored.clone();
        old[5] = 1;
        assert_eq!(decode_entry(&key, &old), Err(BadEntry::Version(1)));
    }
}
