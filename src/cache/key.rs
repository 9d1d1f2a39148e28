//! The cache key: the hex SHA-256 of a request (method, URL with its query sorted, GQL body), never of a token.

use sha2::{Digest, Sha256};
use url::Url;

/// A cache key: the hex sha256 of the request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey(pub String);

impl CacheKey {
    /// The key of a request. The query is sorted so parameter order does not matter; headers (and so the
    /// token) are not part of it.
    pub fn of(method: &str, url: &Url, body: Option<&[u8]>) -> CacheKey {
        let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        pairs.sort();
        let mut canonical = url.clone();
        canonical.set_query(None);
        if !pairs.is_empty() {
            canonical.query_pairs_mut().extend_pairs(pairs);
        }
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b" ");
        hasher.update(canonical.as_str().as_bytes());
        if let Some(body) = body {
            hasher.update(b"\n");
            hasher.update(body);
        }
        CacheKey(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_query_order_and_differ_by_body() {
        let a = Url::parse("http://x/helix/users?id=1&id=2&first=5").unwrap();
        let b = Url::parse("http://x/helix/users?first=5&id=1&id=2").unwrap();
        assert_eq!(CacheKey::of("GET", &a, None), CacheKey::of("GET", &b, None));
        assert_ne!(CacheKey::of("GET", &a, None), CacheKey::of("POST", &a, None));
        assert_ne!(
            CacheKey::of("POST", &a, Some(b"1")),
            CacheKey::of("POST", &a, Some(b"2"))
        );
        assert_eq!(CacheKey::of("GET", &a, None).0.len(), 64);
    }
}
