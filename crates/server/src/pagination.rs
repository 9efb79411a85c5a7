//! The one list convention of sigil's page-style lists: `{"entries", "nextPage",
//! "total", "hasMore"}`, `page` counted from 1, `nextPage` the next page number as a
//! decimal string (or null), `limit` 50 by default and at most 1,000.
//!
//! Following `nextPage` costs the same at the last page as at the first: when a page
//! is handed out, the keyset position where the next one starts is remembered, so the
//! next request seeks instead of skipping rows. A page asked for without such a
//! position (a client that jumps ahead) is still answered, by skipping rows. The total
//! of a walk is counted on its first page and carried along.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sigil_store::{Position, StoreResult};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1000;
/// Positions remembered at most; beyond that the memory starts afresh.
const MAX_POSITIONS: usize = 100_000;

/// `page` and `limit`, as they come in the query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1 (the `nextPage` of the previous page).
    pub page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    pub limit: Option<String>,
}

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub limit: u32,
}

impl PageParams {
    pub fn check(&self) -> Result<PageRequest, ApiError> {
        let page = match self.page.as_deref() {
            None | Some("") => 1,
            Some(p) => match p.parse::<u64>() {
                Ok(n) if n >= 1 && n <= u64::from(u32::MAX) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "page must be a whole number from 1 (the nextPage of the previous page), got `{p}`"
                    )))
                }
            },
        };
        let limit = match self.limit.as_deref() {
            None | Some("") => DEFAULT_LIMIT,
            Some(l) => match l.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "limit must be a whole number from 1 to {MAX_LIMIT}, got `{l}`"
                    )))
                }
            },
        };
        Ok(PageRequest { page, limit })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageOf<T> {
    pub entries: Vec<T>,
    /// The next page number, or null on the last page.
    pub next_page: Option<String>,
    /// Entries in the whole list.
    pub total: u64,
    pub has_more: bool,
}

impl<T> PageOf<T> {
    /// The page of no entries.
    pub fn empty() -> Self {
        PageOf {
            entries: Vec::new(),
            next_page: None,
            total: 0,
            has_more: false,
        }
    }

    /// Page `req` of a whole list already in memory (a member's teams, a workbook's
    /// pages): the cut is made here rather than in a query.
    pub fn of_all(all: Vec<T>, req: PageRequest) -> Self {
        let total = all.len() as u64;
        let start = ((req.page - 1).saturating_mul(u64::from(req.limit))).min(total) as usize;
        let end = (start + req.limit as usize).min(all.len());
        let has_more = end < all.len();
        PageOf {
            entries: all.into_iter().skip(start).take(end - start).collect(),
            next_page: has_more.then(|| (req.page + 1).to_string()),
            total,
            has_more,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> PageOf<U> {
        PageOf {
            entries: self.entries.into_iter().map(f).collect(),
            next_page: self.next_page,
            total: self.total,
            has_more: self.has_more,
        }
    }
}

/// (list and filters, limit, page).
type PageKey = (String, u32, u64);
/// (serialized keyset position where the page starts, total of the walk).
type PageStart = (String, u64);

/// Remembered keyset positions of pages handed out.
#[derive(Debug, Default)]
pub struct PageCursors {
    map: Mutex<HashMap<PageKey, PageStart>>,
}

impl PageCursors {
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, key: &PageKey) -> Option<PageStart> {
        self.map
            .lock()
            .expect("page cursors lock poisoned")
            .get(key)
            .cloned()
    }

    fn put(&self, key: PageKey, cursor: String, total: u64) {
        let mut m = self.map.lock().expect("page cursors lock poisoned");
        if m.len() >= MAX_POSITIONS {
            m.clear();
        }
        m.insert(key, (cursor, total));
    }

    /// Answers page `req` of the list `list` (a string naming the list and its
    /// filters). `fetch` reads `limit` rows from a position, with the total when asked;
    /// `cursor_of` gives the keyset position after a row.
    pub async fn page<T, C, F, Fut>(
        &self,
        list: String,
        req: PageRequest,
        fetch: F,
        cursor_of: impl Fn(&T) -> C,
    ) -> Result<PageOf<T>, ApiError>
    where
        C: Serialize + DeserializeOwned,
        F: FnOnce(Position<C>, u32, bool) -> Fut,
        Fut: Future<Output = StoreResult<(Vec<T>, Option<u64>)>>,
    {
        let remembered = if req.page == 1 {
            None
        } else {
            self.get(&(list.clone(), req.limit, req.page))
                .and_then(|(c, total)| serde_json::from_str::<C>(&c).ok().map(|c| (c, total)))
        };
        let (position, known_total) = match remembered {
            Some((c, total)) => (Position::After(c), Some(total)),
            None if req.page == 1 => (Position::Start, None),
            None => (
                Position::Offset((req.page - 1).saturating_mul(u64::from(req.limit))),
                None,
            ),
        };
        let (mut rows, total) = fetch(position, req.limit + 1, known_total.is_none()).await?;
        let total = known_total.or(total).unwrap_or_default();
        let has_more = rows.len() > req.limit as usize;
        rows.truncate(req.limit as usize);
        if has_more {
            if let Some(last) = rows.last() {
                let c = serde_json::to_string(&cursor_of(last)).expect("cursors serialize");
                self.put((list, req.limit, req.page + 1), c, total);
            }
        }
        Ok(PageOf {
            entries: rows,
            next_page: has_more.then(|| (req.page + 1).to_string()),
            total,
            has_more,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: Option<&str>, limit: Option<&str>) -> PageParams {
        PageParams {
            page: page.map(Into::into),
            limit: limit.map(Into::into),
        }
    }

    #[test]
    fn page_and_limit_are_checked() {
        assert_eq!(
            params(None, None).check().unwrap(),
            PageRequest { page: 1, limit: 50 }
        );
        assert_eq!(
            params(Some("3"), Some("1000")).check().unwrap(),
            PageRequest {
                page: 3,
                limit: 1000
            }
        );
        for (p, l) in [
            (Some("0"), None),
            (Some("-1"), None),
            (Some("two"), None),
            (None, Some("0")),
            (None, Some("1001")),
            (None, Some("1.5")),
        ] {
            assert!(params(p, l).check().is_err(), "{p:?} {l:?}");
        }
    }

    #[tokio::test]
    async fn following_next_page_seeks_and_jumping_skips() {
        let data: Vec<u32> = (1..=10).collect();
        let cursors = PageCursors::new();
        let fetch = |data: Vec<u32>| {
            move |pos: Position<u32>, limit: u32, with_total: bool| {
                let rows: Vec<u32> = match pos {
                    Position::Start => data.iter().copied().take(limit as usize).collect(),
                    Position::After(c) => data
                        .iter()
                        .copied()
                        .filter(|v| *v > c)
                        .take(limit as usize)
                        .collect(),
                    // Marked so the test can tell an offset read from a keyset read.
                    Position::Offset(n) => data
                        .iter()
                        .skip(n as usize)
                        .take(limit as usize)
                        .map(|v| v + 1000)
                        .collect(),
                };
                async move { Ok((rows, with_total.then_some(10))) }
            }
        };
        let req = |page| PageRequest { page, limit: 4 };
        let p1 = cursors
            .page("l".into(), req(1), fetch(data.clone()), |v| *v)
            .await
            .unwrap();
        assert_eq!(p1.entries, [1, 2, 3, 4]);
        assert_eq!(p1.next_page.as_deref(), Some("2"));
        assert_eq!(p1.total, 10);
        let p2 = cursors
            .page("l".into(), req(2), fetch(data.clone()), |v| *v)
            .await
            .unwrap();
        assert_eq!(
            p2.entries,
            [5, 6, 7, 8],
            "seeks after the remembered position"
        );
        assert_eq!(p2.total, 10, "carried from the first page");
        let p3 = cursors
            .page("l".into(), req(3), fetch(data.clone()), |v| *v)
            .await
            .unwrap();
        assert_eq!(p3.entries, [9, 10]);
        assert!(!p3.has_more);
        assert_eq!(p3.next_page, None);
        // Another list, jumping straight to page 2: skips rows.
        let j = cursors
            .page("other".into(), req(2), fetch(data), |v| *v)
            .await
            .unwrap();
        assert_eq!(j.entries, [1005, 1006, 1007, 1008]);
    }
}

/// One page of a token-paged list: `{"entries", "nextPageToken"}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenList<T> {
    pub entries: Vec<T>,
    /// Pass as `pageToken` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Sigma's token paging (`pageToken`, `pageSize`), for lists ordered by name and id.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TokenParams {
    /// The `nextPageToken` of the previous page.
    pub page_token: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    pub page_size: Option<String>,
    /// Only `name` (the default order) is supported.
    pub order_by: Option<String>,
    /// Only entries with exactly this name.
    pub name: Option<String>,
}

/// A checked [`TokenParams`].
#[derive(Debug, Clone)]
pub struct TokenPage {
    pub size: u32,
    pub after: Option<(String, uuid::Uuid)>,
    pub name: Option<String>,
}

impl TokenParams {
    pub fn check(self) -> Result<TokenPage, ApiError> {
        use base64::Engine;
        let size = page_size(self.page_size.as_deref())?;
        if let Some(o) = self.order_by.as_deref() {
            if !o.eq_ignore_ascii_case("name") {
                return Err(ApiError::bad_request(format!(
                    "orderBy `{o}` is not supported; lists are ordered by `name`"
                )));
            }
        }
        let after = match self.page_token {
            None => None,
            Some(t) => {
                let bad =
                    || ApiError::bad_request(format!("pageToken `{t}` is not one sigil issued"));
                let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(&t)
                    .map_err(|_| bad())?;
                let text = String::from_utf8(raw).map_err(|_| bad())?;
                let (name, id) = text.rsplit_once('\u{0}').ok_or_else(bad)?;
                Some((name.to_owned(), id.parse().map_err(|_| bad())?))
            }
        };
        Ok(TokenPage {
            size,
            after,
            name: self.name,
        })
    }
}

/// The token naming the position after (`name`, `id`).
pub fn next_page_token(name: &str, id: uuid::Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{name}\u{0}{id}"))
}

/// Sigma's `pageSize`: 1 to 1000, 50 when absent.
pub fn page_size(raw: Option<&str>) -> Result<u32, ApiError> {
    match raw {
        None => Ok(50),
        Some(s) => match s.parse::<u32>() {
            Ok(n @ 1..=1000) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "pageSize must be a whole number from 1 to 1000, got `{s}`"
            ))),
        },
    }
}

/// Cuts a page fetched with one row more than `size` and names the token of the next
/// page, if there is one, from its last row's (name, id).
pub fn token_page<T>(
    rows: Vec<T>,
    size: u32,
    key: impl Fn(&T) -> (&str, uuid::Uuid),
) -> (Vec<T>, Option<String>) {
    cut_page(rows, size, |r| {
        let (name, id) = key(r);
        next_page_token(name, id)
    })
}

/// Cuts a page fetched with one row more than `size`; when there was more, the next
/// page's token is `token_of` its last row.
pub fn cut_page<T>(
    mut rows: Vec<T>,
    size: u32,
    token_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() > size as usize;
    rows.truncate(size as usize);
    let next = more.then(|| rows.last().map(&token_of)).flatten();
    (rows, next)
}
