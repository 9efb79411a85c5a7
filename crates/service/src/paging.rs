//! Paging, the same for every face: page-style lists ([`PageRequest`] → [`Page`]:
//! `page` counted from 1, `limit` 50 by default and at most 1,000) and Sigma's token
//! paging ([`TokenPage`]: `pageToken`, `pageSize`).
//!
//! Following the next page costs the same at the last page as at the first: when a
//! page is handed out, the keyset position where the next one starts is remembered
//! ([`PageCursors`]), so the next request seeks instead of skipping rows. A page asked
//! for without such a position (a client that jumps ahead) is still answered, by
//! skipping rows. The total of a walk is counted on its first page and carried along.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sigil_store::{Position, StoreResult};

use crate::error::{ServiceError, ServiceResult};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1000;
/// Positions remembered at most; beyond that the memory starts afresh.
const MAX_POSITIONS: usize = 100_000;

/// A text a list is searched or filtered by: refused when it holds control
/// characters (a NUL, say), which no name holds and which some databases would not
/// match literally.
pub fn check_search(field: &str, text: Option<&str>) -> ServiceResult<()> {
    match text {
        Some(t) if t.chars().any(char::is_control) => Err(ServiceError::invalid_field(
            field,
            format!("{field} must not hold control characters"),
        )),
        _ => Ok(()),
    }
}

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub limit: u32,
}

impl PageRequest {
    /// How many entries come before this page.
    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(u64::from(self.limit))
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl PageRequest {
    /// The first page at the largest limit: everything a picker or a small list shows.
    pub const FIRST_MAX: PageRequest = PageRequest {
        page: 1,
        limit: MAX_LIMIT,
    };

    /// Checks `page` and `limit` as they come from a query string; absent or empty
    /// means the default.
    pub fn parse(page: Option<&str>, limit: Option<&str>) -> ServiceResult<PageRequest> {
        let page = match page {
            None | Some("") => 1,
            Some(p) => match p.parse::<u64>() {
                Ok(n) if n >= 1 && n <= u64::from(u32::MAX) => n,
                _ => {
                    return Err(ServiceError::invalid_field(
                        "page",
                        format!(
                        "page must be a whole number from 1 (the nextPage of the previous page), got `{p}`"
                    ),
                    ))
                }
            },
        };
        let limit = match limit {
            None | Some("") => DEFAULT_LIMIT,
            Some(l) => match l.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(ServiceError::invalid_field(
                        "limit",
                        format!("limit must be a whole number from 1 to {MAX_LIMIT}, got `{l}`"),
                    ))
                }
            },
        };
        Ok(PageRequest { page, limit })
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub entries: Vec<T>,
    /// The next page number, or `None` on the last page.
    pub next_page: Option<u64>,
    /// Entries in the whole list.
    pub total: u64,
}

impl<T> Page<T> {
    /// The page of no entries.
    pub fn empty() -> Self {
        Page {
            entries: Vec::new(),
            next_page: None,
            total: 0,
        }
    }

    pub fn has_more(&self) -> bool {
        self.next_page.is_some()
    }

    /// Page `req` of a list whose window (`req.offset()`, `req.limit`) the database
    /// cut, `total` entries in all.
    pub fn of_window(entries: Vec<T>, total: u64, req: PageRequest) -> Self {
        let seen = req.offset() + entries.len() as u64;
        Page {
            entries,
            next_page: (seen < total).then_some(req.page + 1),
            total,
        }
    }

    /// Page `req` of a whole list already in memory (a member's teams, a workbook's
    /// pages): the cut is made here rather than in a query.
    pub fn of_all(all: Vec<T>, req: PageRequest) -> Self {
        let total = all.len() as u64;
        let start = ((req.page - 1).saturating_mul(u64::from(req.limit))).min(total) as usize;
        let end = (start + req.limit as usize).min(all.len());
        let has_more = end < all.len();
        Page {
            entries: all.into_iter().skip(start).take(end - start).collect(),
            next_page: has_more.then_some(req.page + 1),
            total,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            entries: self.entries.into_iter().map(f).collect(),
            next_page: self.next_page,
            total: self.total,
        }
    }

    /// [`map`](Page::map) with a fallible function; the first error is answered.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            entries: self.entries.into_iter().map(f).collect::<Result<_, E>>()?,
            next_page: self.next_page,
            total: self.total,
        })
    }

    /// Replaces the entries, keeping the page's position.
    pub fn with_entries<U>(self, entries: Vec<U>) -> Page<U> {
        Page {
            entries,
            next_page: self.next_page,
            total: self.total,
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
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: PageKey, cursor: String, total: u64) {
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
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
    ) -> ServiceResult<Page<T>>
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
                let c = serde_json::to_string(&cursor_of(last)).map_err(ServiceError::internal)?;
                self.put((list, req.limit, req.page + 1), c, total);
            }
        }
        Ok(Page {
            entries: rows,
            next_page: has_more.then_some(req.page + 1),
            total,
        })
    }
}

/// A checked request for one page of a token-paged list ordered by name and id.
#[derive(Debug, Clone)]
pub struct TokenPage {
    pub size: u32,
    pub after: Option<(String, uuid::Uuid)>,
    /// Only entries with exactly this name.
    pub name: Option<String>,
}

impl Default for TokenPage {
    fn default() -> Self {
        TokenPage {
            size: DEFAULT_LIMIT,
            after: None,
            name: None,
        }
    }
}

impl TokenPage {
    /// Checks Sigma's `pageToken`, `pageSize` and `orderBy` (only `name` is supported).
    pub fn parse(
        page_token: Option<&str>,
        page_size: Option<&str>,
        order_by: Option<&str>,
        name: Option<String>,
    ) -> ServiceResult<TokenPage> {
        let size = page_size_of(page_size)?;
        // An empty value is an unset one, as some clients send them.
        if let Some(o) = order_by.filter(|o| !o.is_empty()) {
            if !o.eq_ignore_ascii_case("name") {
                return Err(ServiceError::invalid_field(
                    "orderBy",
                    format!("orderBy `{o}` is not supported; lists are ordered by `name`"),
                ));
            }
        }
        let after = match page_token.filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => {
                let bad = || {
                    ServiceError::invalid_field(
                        "pageToken",
                        format!("pageToken `{t}` is not one sigil issued"),
                    )
                };
                let raw = URL_SAFE_NO_PAD.decode(t).map_err(|_| bad())?;
                let text = String::from_utf8(raw).map_err(|_| bad())?;
                let (name, id) = text.rsplit_once('\u{0}').ok_or_else(bad)?;
                Some((name.to_owned(), id.parse().map_err(|_| bad())?))
            }
        };
        Ok(TokenPage { size, after, name })
    }
}

/// One page of a token-paged list.
#[derive(Debug, Clone)]
pub struct TokenList<T> {
    pub entries: Vec<T>,
    /// What to pass as `pageToken` for the next page; `None` on the last page.
    pub next_page_token: Option<String>,
}

impl<T> TokenList<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> TokenList<U> {
        TokenList {
            entries: self.entries.into_iter().map(f).collect(),
            next_page_token: self.next_page_token,
        }
    }
}

/// The token naming the position after (`name`, `id`).
pub fn next_page_token(name: &str, id: uuid::Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{name}\u{0}{id}"))
}

/// Sigma's `pageSize`: 1 to 1000, 50 when absent.
pub fn page_size_of(raw: Option<&str>) -> ServiceResult<u32> {
    match raw {
        // Empty, as some clients send an unset value: the default.
        None | Some("") => Ok(DEFAULT_LIMIT),
        Some(s) => match s.parse::<u32>() {
            Ok(n @ 1..=MAX_LIMIT) => Ok(n),
            _ => Err(ServiceError::invalid_field(
                "pageSize",
                format!("pageSize must be a whole number from 1 to 1000, got `{s}`"),
            )),
        },
    }
}

/// Cuts a page fetched with one row more than `size` and names the token of the next
/// page, if there is one, from its last row's (name, id).
pub fn token_page<T>(
    rows: Vec<T>,
    size: u32,
    key: impl Fn(&T) -> (&str, uuid::Uuid),
) -> TokenList<T> {
    cut_page(rows, size, |r| {
        let (name, id) = key(r);
        next_page_token(name, id)
    })
}

/// Cuts a page fetched with one row more than `size`; when there was more, the next
/// page's token is `token_of` its last row.
pub fn cut_page<T>(mut rows: Vec<T>, size: u32, token_of: impl Fn(&T) -> String) -> TokenList<T> {
    let more = rows.len() > size as usize;
    rows.truncate(size as usize);
    let next_page_token = more.then(|| rows.last().map(&token_of)).flatten();
    TokenList {
        entries: rows,
        next_page_token,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_and_limit_are_checked() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest { page: 1, limit: 50 }
        );
        assert_eq!(
            PageRequest::parse(Some("3"), Some("1000")).unwrap(),
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
            let e = PageRequest::parse(p, l).unwrap_err();
            assert_eq!(e.field(), Some(if p.is_some() { "page" } else { "limit" }));
        }
    }

    #[test]
    fn page_tokens_round_trip_and_foreign_ones_are_refused() {
        let id = uuid::Uuid::new_v4();
        let t = next_page_token("a\u{1}b", id);
        let p = TokenPage::parse(Some(&t), Some("10"), Some("NAME"), None).unwrap();
        assert_eq!(p.after, Some(("a\u{1}b".to_owned(), id)));
        assert_eq!(p.size, 10);
        for bad in ["!!", "bm90IGEgdG9rZW4"] {
            let e = TokenPage::parse(Some(bad), None, None, None).unwrap_err();
            assert_eq!(e.field(), Some("pageToken"));
        }
        assert_eq!(
            TokenPage::parse(None, None, Some("createdAt"), None)
                .unwrap_err()
                .field(),
            Some("orderBy")
        );
        assert!(page_size_of(Some("0")).is_err());
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
        assert_eq!(p1.next_page, Some(2));
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
        assert!(!p3.has_more());
        // Another list, jumping straight to page 2: skips rows.
        let j = cursors
            .page("other".into(), req(2), fetch(data), |v| *v)
            .await
            .unwrap();
        assert_eq!(j.entries, [1005, 1006, 1007, 1008]);
    }

    #[test]
    fn pages_of_a_list_in_memory() {
        let p = Page::of_all(
            (1..=5).collect::<Vec<_>>(),
            PageRequest { page: 2, limit: 2 },
        );
        assert_eq!(p.entries, [3, 4]);
        assert_eq!(p.next_page, Some(3));
        assert_eq!(p.total, 5);
        let last = Page::of_all(
            (1..=5).collect::<Vec<_>>(),
            PageRequest { page: 9, limit: 2 },
        );
        assert!(last.entries.is_empty() && !last.has_more());
    }
}
