//! [`ApiStore`] for [`SqlStore`]: API credentials, connectors, imported OpenAPI
//! documents and the connector call log, on both dialects with one body each.

use async_trait::async_trait;
use sigil_core::{ApiCallId, ApiConnectorId, ApiCredentialId, ApiDocumentId, MemberId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{after_name_and_id, Arg, Conditions, ListQuery, Pool, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::records::{ApiCall, ApiConnector, ApiCredential, ApiDocument};
use crate::ApiStore;

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    auth_method: String,
    allowlist: String,
    public: String,
    sealed: String,
    is_archived: bool,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

const CREDENTIAL_COLUMNS: &str = "id, name, description, auth_method, allowlist, public, sealed, \
     is_archived, created_by, updated_by, created_at, updated_at";

impl TryFrom<CredentialRow> for ApiCredential {
    type Error = StoreError;
    fn try_from(r: CredentialRow) -> StoreResult<Self> {
        let allowlist = serde_json::from_str(&r.allowlist)
            .map_err(|e| StoreError::Corrupt(format!("allowlist of credential {}: {e}", r.id)))?;
        Ok(ApiCredential {
            id: r.id.into(),
            name: r.name,
            description: r.description,
            auth_method: r.auth_method,
            allowlist,
            public: r.public,
            sealed: r.sealed,
            is_archived: r.is_archived,
            created_by: r.created_by.into(),
            updated_by: r.updated_by.into(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ConnectorRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    auth_id: Option<Uuid>,
    params: String,
    config: String,
    is_archived: bool,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

const CONNECTOR_COLUMNS: &str = "id, name, description, auth_id, params, config, is_archived, \
     created_by, updated_by, created_at, updated_at";

impl From<ConnectorRow> for ApiConnector {
    fn from(r: ConnectorRow) -> Self {
        ApiConnector {
            id: r.id.into(),
            name: r.name,
            description: r.description,
            auth_id: r.auth_id.map(Into::into),
            params: r.params,
            config: r.config,
            is_archived: r.is_archived,
            created_by: r.created_by.into(),
            updated_by: r.updated_by.into(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    id: Uuid,
    name: String,
    source_url: Option<String>,
    spec_version: String,
    title: String,
    operation_count: i64,
    created_by: Uuid,
    created_at: OffsetDateTime,
}

const DOCUMENT_COLUMNS: &str =
    "id, name, source_url, spec_version, title, operation_count, created_by, created_at";

impl From<DocumentRow> for ApiDocument {
    fn from(r: DocumentRow) -> Self {
        ApiDocument {
            id: r.id.into(),
            name: r.name,
            source_url: r.source_url,
            spec_version: r.spec_version,
            title: r.title,
            operation_count: u32::try_from(r.operation_count).unwrap_or(u32::MAX),
            created_by: r.created_by.into(),
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CallRow {
    id: Uuid,
    connector_id: Uuid,
    member_id: Uuid,
    at: OffsetDateTime,
    status: Option<i64>,
    error: Option<String>,
    duration_ms: f64,
    bytes_sent: i64,
    bytes_received: i64,
    response_body: Option<String>,
}

const CALL_COLUMNS: &str = "id, connector_id, member_id, at, status, error, duration_ms, \
     bytes_sent, bytes_received, response_body";

impl From<CallRow> for ApiCall {
    fn from(r: CallRow) -> Self {
        ApiCall {
            id: r.id.into(),
            connector_id: r.connector_id.into(),
            member_id: MemberId::from(r.member_id),
            at: r.at,
            status: r.status.and_then(|s| u16::try_from(s).ok()),
            error: r.error,
            duration_ms: r.duration_ms,
            bytes_sent: r.bytes_sent.max(0) as u64,
            bytes_received: r.bytes_received.max(0) as u64,
            response_body: r.response_body,
        }
    }
}

fn allowlist_json(c: &ApiCredential) -> String {
    serde_json::to_string(&c.allowlist).expect("strings serialize")
}

impl SqlStore {
    /// Unarchived rows of `table` by (name, id), after `after`, optionally of one name.
    async fn live_by_name<R>(
        &self,
        table: &'static str,
        columns: &'static str,
        name: Option<&str>,
        after: Option<(String, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let mut filter = Conditions::default();
        filter.push("is_archived = FALSE", Vec::new());
        if let Some(n) = name {
            filter.push("name = ?", vec![Arg::Text(n.to_owned())]);
        }
        let keyset = after.as_ref().map(|(n, id)| after_name_and_id(n, *id));
        let q = ListQuery {
            table,
            columns,
            order: "name, id",
        };
        let (rows, _) = self.fetch_page(q, filter, keyset, 0, limit, false).await?;
        Ok(rows)
    }
}

#[async_trait]
impl ApiStore for SqlStore {
    async fn insert_api_credential(&self, c: &ApiCredential) -> StoreResult<()> {
        let allow = allowlist_json(c);
        on_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO api_credentials (id, name, description, auth_method, allowlist, \
                 public, sealed, is_archived, created_by, updated_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(c.id.0)
            .bind(&c.name)
            .bind(&c.description)
            .bind(&c.auth_method)
            .bind(&allow)
            .bind(&c.public)
            .bind(&c.sealed)
            .bind(c.is_archived)
            .bind(c.created_by.0)
            .bind(c.updated_by.0)
            .bind(c.created_at)
            .bind(c.updated_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn update_api_credential(&self, c: &ApiCredential) -> StoreResult<bool> {
        let allow = allowlist_json(c);
        let n = on_writer!(self, pool, {
            sqlx::query(
                "UPDATE api_credentials SET name = $2, description = $3, auth_method = $4, \
                 allowlist = $5, public = $6, sealed = $7, is_archived = $8, updated_by = $9, \
                 updated_at = $10 WHERE id = $1",
            )
            .bind(c.id.0)
            .bind(&c.name)
            .bind(&c.description)
            .bind(&c.auth_method)
            .bind(&allow)
            .bind(&c.public)
            .bind(&c.sealed)
            .bind(c.is_archived)
            .bind(c.updated_by.0)
            .bind(c.updated_at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    async fn api_credential(&self, id: ApiCredentialId) -> StoreResult<Option<ApiCredential>> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM api_credentials WHERE id = $1");
        let row: Option<CredentialRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn list_api_credentials(
        &self,
        name: Option<&str>,
        after: Option<(String, ApiCredentialId)>,
        limit: u32,
    ) -> StoreResult<Vec<ApiCredential>> {
        let rows: Vec<CredentialRow> = self
            .live_by_name(
                "api_credentials",
                CREDENTIAL_COLUMNS,
                name,
                after.map(|(n, id)| (n, id.0)),
                limit,
            )
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_api_connector(&self, c: &ApiConnector) -> StoreResult<()> {
        on_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO api_connectors (id, name, description, auth_id, params, config, \
                 is_archived, created_by, updated_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(c.id.0)
            .bind(&c.name)
            .bind(&c.description)
            .bind(c.auth_id.map(|a| a.0))
            .bind(&c.params)
            .bind(&c.config)
            .bind(c.is_archived)
            .bind(c.created_by.0)
            .bind(c.updated_by.0)
            .bind(c.created_at)
            .bind(c.updated_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn update_api_connector(&self, c: &ApiConnector) -> StoreResult<bool> {
        let n = on_writer!(self, pool, {
            sqlx::query(
                "UPDATE api_connectors SET name = $2, description = $3, auth_id = $4, \
                 params = $5, config = $6, is_archived = $7, updated_by = $8, updated_at = $9 \
                 WHERE id = $1",
            )
            .bind(c.id.0)
            .bind(&c.name)
            .bind(&c.description)
            .bind(c.auth_id.map(|a| a.0))
            .bind(&c.params)
            .bind(&c.config)
            .bind(c.is_archived)
            .bind(c.updated_by.0)
            .bind(c.updated_at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    async fn api_connector(&self, id: ApiConnectorId) -> StoreResult<Option<ApiConnector>> {
        let sql = format!("SELECT {CONNECTOR_COLUMNS} FROM api_connectors WHERE id = $1");
        let row: Option<ConnectorRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn list_api_connectors(
        &self,
        name: Option<&str>,
        after: Option<(String, ApiConnectorId)>,
        limit: u32,
    ) -> StoreResult<Vec<ApiConnector>> {
        let rows: Vec<ConnectorRow> = self
            .live_by_name(
                "api_connectors",
                CONNECTOR_COLUMNS,
                name,
                after.map(|(n, id)| (n, id.0)),
                limit,
            )
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn connectors_using_credential(&self, id: ApiCredentialId) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT name FROM api_connectors WHERE auth_id = $1 AND NOT is_archived \
                 ORDER BY name, id",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn insert_api_document(&self, d: &ApiDocument, body: &str) -> StoreResult<()> {
        on_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO api_documents (id, name, source_url, spec_version, title, \
                 operation_count, body, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(d.id.0)
            .bind(&d.name)
            .bind(&d.source_url)
            .bind(&d.spec_version)
            .bind(&d.title)
            .bind(i64::from(d.operation_count))
            .bind(body)
            .bind(d.created_by.0)
            .bind(d.created_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn api_document(&self, id: ApiDocumentId) -> StoreResult<Option<ApiDocument>> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM api_documents WHERE id = $1");
        let row: Option<DocumentRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn api_document_body(&self, id: ApiDocumentId) -> StoreResult<Option<String>> {
        let body: Option<(String,)> = on_pool!(self, pool, {
            sqlx::query_as("SELECT body FROM api_documents WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(body.map(|b| b.0))
    }

    async fn list_api_documents(
        &self,
        after: Option<(String, ApiDocumentId)>,
        limit: u32,
    ) -> StoreResult<Vec<ApiDocument>> {
        let q = ListQuery {
            table: "api_documents",
            columns: DOCUMENT_COLUMNS,
            order: "name, id",
        };
        let keyset = after.as_ref().map(|(n, id)| after_name_and_id(n, id.0));
        let (rows, _): (Vec<DocumentRow>, _) = self
            .fetch_page(q, Conditions::default(), keyset, 0, limit, false)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn delete_api_document(&self, id: ApiDocumentId) -> StoreResult<bool> {
        let n = on_writer!(self, pool, {
            sqlx::query("DELETE FROM api_documents WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    async fn insert_api_calls(&self, calls: &[ApiCall]) -> StoreResult<()> {
        if calls.is_empty() {
            return Ok(());
        }
        // Multi-row INSERTs instead of one statement per call: on SQLite every
        // statement is a round trip to the connection's worker thread, and the log is
        // written on every connector call. Chunks are powers of two up to 64 rows, so
        // that a handful of statement texts cover every batch size and stay prepared
        // in the connection's cache, rather than one new statement per batch length.
        on_log_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            let mut rest = calls;
            while !rest.is_empty() {
                let n = rest.len().min(64);
                let n = 1 << n.ilog2();
                let (chunk, tail) = rest.split_at(n);
                rest = tail;
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO api_calls (id, connector_id, member_id, at, status, error, \
                     duration_ms, bytes_sent, bytes_received, response_body) ",
                );
                q.push_values(chunk, |mut b, c| {
                    b.push_bind(c.id.0)
                        .push_bind(c.connector_id.0)
                        .push_bind(c.member_id.0)
                        .push_bind(c.at)
                        .push_bind(c.status.map(i64::from))
                        .push_bind(c.error.clone())
                        .push_bind(c.duration_ms)
                        .push_bind(i64::try_from(c.bytes_sent).unwrap_or(i64::MAX))
                        .push_bind(i64::try_from(c.bytes_received).unwrap_or(i64::MAX))
                        .push_bind(c.response_body.clone());
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn list_api_calls(
        &self,
        connector: ApiConnectorId,
        before: Option<ApiCallId>,
        limit: u32,
    ) -> StoreResult<Vec<ApiCall>> {
        // Call ids are UUIDv7, ordered by time (and within a millisecond by a counter),
        // so the id alone orders the log; both dialects compare UUIDs bytewise.
        // Two texts rather than `($2 IS NULL OR id < $2)`, which planners cannot turn
        // into a range on the (connector_id, id) index.
        let sql = match before {
            Some(_) => format!(
                "SELECT {CALL_COLUMNS} FROM api_calls WHERE connector_id = $1 \
                 AND id < $2 ORDER BY id DESC LIMIT $3"
            ),
            None => format!(
                "SELECT {CALL_COLUMNS} FROM api_calls WHERE connector_id = $1 \
                 ORDER BY id DESC LIMIT $2"
            ),
        };
        let rows: Vec<CallRow> = on_pool!(self, pool, {
            let q = sqlx::query_as(&sql).bind(connector.0);
            let q = match before {
                Some(b) => q.bind(b.0),
                None => q,
            };
            q.bind(i64::from(limit)).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn prune_api_calls(&self, before: OffsetDateTime) -> StoreResult<u64> {
        // Ids are UUIDv7: their first 48 bits are the Unix time in milliseconds, big
        // endian, so every call made before `before` has an id below this bound, and
        // the primary key finds them without reading the text timestamps.
        let ms = (before.unix_timestamp_nanos() / 1_000_000).clamp(0, (1 << 48) - 1) as u64;
        let mut bound = [0u8; 16];
        bound[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
        let bound = Uuid::from_bytes(bound);
        // In slices, so that a long-neglected log does not hold the write lock (SQLite)
        // or build one huge transaction while it is emptied.
        let mut deleted = 0;
        loop {
            let n = on_log_writer!(self, pool, {
                sqlx::query(
                    "DELETE FROM api_calls WHERE id IN \
                     (SELECT id FROM api_calls WHERE id < $1 LIMIT $2)",
                )
                .bind(bound)
                .bind(PRUNE_SLICE)
                .execute(pool)
                .await?
                .rows_affected()
            });
            deleted += n;
            if n < PRUNE_SLICE as u64 {
                return Ok(deleted);
            }
        }
    }
}

/// Rows of the call log deleted per statement when pruning.
const PRUNE_SLICE: i64 = 10_000;
