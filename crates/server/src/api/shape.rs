//! Response pieces every resource shares: `{}`, Sigma's page-style lists and token
//! lists, member references, URL ids, and the null-or-absent PATCH helper.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sigil_core::{InodeId, MemberId};
use sigil_service::paging::{self, Page, PageRequest, TokenPage};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// An empty JSON object, `{}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}

/// One page of a list: `{"entries", "nextPage", "total", "hasMore"}`, `nextPage` the
/// next page number as a string or null.
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

    /// A service's page, each entry shaped by `f`.
    pub fn of<U>(page: Page<U>, f: impl FnMut(U) -> T) -> Self {
        PageOf {
            has_more: page.has_more(),
            next_page: page.next_page.map(|n| n.to_string()),
            total: page.total,
            entries: page.entries.into_iter().map(f).collect(),
        }
    }
}

/// `page` and `limit`, as they come in the query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1 (the `nextPage` of the previous page).
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
}

impl PageParams {
    pub fn check(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest::parse(
            self.page.as_deref(),
            self.limit.as_deref(),
        )?)
    }
}

/// Checks `page` and `limit` given apart from a [`PageParams`].
pub fn page_request(page: Option<&str>, limit: Option<&str>) -> Result<PageRequest, ApiError> {
    Ok(PageRequest::parse(page, limit)?)
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

impl<T> TokenList<T> {
    /// A service's token list, each entry shaped by `f`.
    pub fn of<U>(list: paging::TokenList<U>, f: impl FnMut(U) -> T) -> Self {
        TokenList {
            entries: list.entries.into_iter().map(f).collect(),
            next_page_token: list.next_page_token,
        }
    }
}

/// Sigma's token paging (`pageToken`, `pageSize`), for lists ordered by name and id.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TokenParams {
    /// The `nextPageToken` of the previous page.
    pub page_token: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub page_size: Option<String>,
    /// Only `name` (the default order) is supported.
    pub order_by: Option<String>,
    /// Only entries with exactly this name.
    pub name: Option<String>,
}

impl TokenParams {
    pub fn check(self) -> Result<TokenPage, ApiError> {
        Ok(TokenPage::parse(
            self.page_token.as_deref(),
            self.page_size.as_deref(),
            self.order_by.as_deref(),
            self.name,
        )?)
    }
}

/// A member reference in a body: its id, or `""` when nobody is recorded (rows made
/// before anyone existed, such as the first Admin's).
pub fn who(m: Option<MemberId>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

/// For PATCH bodies: tells a field sent as `null` (`Some(None)`) from one not sent
/// (`None`).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// The short, URL-friendly form of a node id (Sigma's `urlId`).
pub fn url_id(id: InodeId) -> String {
    URL_SAFE_NO_PAD.encode(id.0.as_bytes())
}

/// A JSON body already rendered.
/// A body rendered once as JSON, for a service to remember (rendered pages of lists).
pub fn render_json<T: Serialize>(body: &T) -> Result<bytes::Bytes, sigil_service::ServiceError> {
    serde_json::to_vec(body)
        .map(bytes::Bytes::from)
        .map_err(sigil_service::ServiceError::internal)
}

pub fn json_bytes(body: bytes::Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
