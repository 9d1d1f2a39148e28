//! Query-string and form parameters, with Twitch's repeatable keys (`id=1&id=2`) and its `first` rules.
//!
//! Used by the Helix handlers in [`helix`](crate::helix) and, with a form body merged in, by
//! [`oauth`](crate::oauth).

use crate::errors::ApiError;

/// Decoded `key=value` pairs, in order, duplicates kept.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a query string (without `?`).
    pub fn parse(raw: Option<&str>) -> Query {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .into_owned()
            .collect();
        Query { pairs }
    }

    /// Adds the pairs of a form-encoded body: id.twitch.tv reads its parameters from either place.
    pub fn with_form(mut self, body: &[u8]) -> Query {
        self.pairs.extend(url::form_urlencoded::parse(body).into_owned());
        self
    }

    /// Every non-empty value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first non-empty value of `name`.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }

    /// The first value of `name`, or Twitch's 400 for a missing parameter.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.one(name).ok_or_else(|| ApiError::missing(name))
    }

    /// The page size: `default` when absent, 400 when not an integer in `1..=max` (Twitch refuses, unlike
    /// twitch-cli's mock, which silently falls back to the default).
    pub fn first(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(raw) = self.pairs.iter().find(|(k, _)| k == "first").map(|(_, v)| v.as_str()) else {
            return Ok(default);
        };
        let malformed = |why: String| ApiError::bad_request(format!("The parameter \"first\" was malformed: {why}"));
        let n: i64 = raw
            .parse()
            .map_err(|_| malformed("the value must be a valid integer".into()))?;
        if n < 1 {
            return Err(malformed("the value must be greater than or equal to 1".into()));
        }
        if n > max as i64 {
            return Err(malformed(format!("the value must be less than or equal to {max}")));
        }
        Ok(n as usize)
    }

    /// A boolean flag (`true`/`false`), `false` when absent.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.one(name) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(ApiError::bad_request(format!(
                "The parameter \"{name}\" was malformed: the value must be a boolean"
            ))),
        }
    }
}
