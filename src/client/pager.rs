//! Walking a Helix list page by page through its `after` cursor, stopping where the caller says, and never
//! following a cursor that does not advance.

use serde::de::DeserializeOwned;
use std::marker::PhantomData;

use super::{Client, Page};
use crate::error::{Error, Result};

/// Walks a Helix list page by page through its `after` cursor. The caller decides when to stop (for example
/// at the first follower already archived), so nothing is fetched that is not needed.
pub struct Pager<'c, T> {
    client: &'c Client,
    path: &'static str,
    query: Vec<(&'static str, String)>,
    cursor: Option<String>,
    finished: bool,
    _items: PhantomData<fn() -> T>,
}

impl<'c, T: DeserializeOwned> Pager<'c, T> {
    /// A pager over `path` with fixed `query` parameters.
    pub fn new(client: &'c Client, path: &'static str, query: Vec<(&'static str, String)>) -> Self {
        Pager {
            client,
            path,
            query,
            cursor: None,
            finished: false,
            _items: PhantomData,
        }
    }

    /// Starts after `cursor` instead of at the top (resuming from a checkpoint).
    pub fn resume_after(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page<T>>> {
        if self.finished {
            return Ok(None);
        }
        let mut query = self.query.clone();
        if let Some(cursor) = &self.cursor {
            query.push(("after", cursor.clone()));
        }
        let page: Page<T> = self.client.helix_page(self.path, &query).await?;
        if let Some(cursor) = page.cursor.as_ref().filter(|c| self.cursor.as_ref() == Some(*c)) {
            // A cursor that points at itself would page forever.
            return Err(Error::CursorRepeated {
                url: format!("{}{}", self.client.endpoints.helix, self.path),
                cursor: cursor.clone(),
            });
        }
        self.finished = page.cursor.is_none();
        self.cursor = page.cursor.clone();
        Ok(Some(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::helix::recorder::{Recorder, page};
    use serde_json::Value;

    /// Issue 12: a cursor that does not advance is its own error, naming the list and the cursor.
    #[tokio::test]
    async fn a_repeated_cursor_stops_the_walk_with_its_own_error() {
        let recorder = Recorder::start(vec![
            page(serde_json::json!([]), Some("c1")),
            page(serde_json::json!([]), Some("c1")),
        ])
        .await;
        let mut pager: Pager<'_, Value> = Pager::new(&recorder.client, "channels/followers", vec![]);
        assert!(pager.next_page().await.unwrap().is_some());
        let error = pager.next_page().await.unwrap_err();
        match &error {
            Error::CursorRepeated { url, cursor } => {
                assert!(url.ends_with("/helix/channels/followers"), "{url}");
                assert_eq!(cursor, "c1");
            }
            other => panic!("{other:?}"),
        }
        assert!(error.to_string().contains("the next sync resumes"), "{error}");
        assert_eq!(recorder.requests().len(), 2, "no third request");
    }
}
