//! Warehouse connections kept as records: the rows and [`ConnectionStore`], a part of
//! [`crate::Store`]. No cached read depends on them, so their writes leave the
//! generation alone.

use async_trait::async_trait;
use sigil_core::{MemberId, TeamId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Grantee, StoreResult};

/// A connection: its settings as JSON text (secrets taken out) and its sealed
/// secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: Uuid,
    pub name: String,
    /// Sigma's `type`: `snowflake`, `postgres`, …
    pub kind: String,
    /// Every setting but the secrets, as a JSON object.
    pub settings: String,
    /// The secrets, sealed; `None` when the connection was given none.
    pub sealed: Option<String>,
    pub is_archived: bool,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_active_at: OffsetDateTime,
}

/// A path looked up in a connection: a table, or a scope above tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionPath {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub path: Vec<String>,
    pub is_table: bool,
    pub created_at: OffsetDateTime,
}

/// A grant on a connection (`target_id == connection_id`) or on one of its paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionGrant {
    pub id: Uuid,
    pub connection_id: Uuid,
    pub target_id: Uuid,
    pub member_id: Option<MemberId>,
    pub team_id: Option<TeamId>,
    /// `usage` or `annotate`.
    pub permission: String,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Which connections a list holds.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFilter {
    /// Names holding this text, any case.
    pub search: Option<String>,
    pub include_archived: bool,
    /// Only those this member holds a grant on, itself or through a team.
    pub visible_to: Option<MemberId>,
}

#[async_trait]
pub trait ConnectionStore: Send + Sync + 'static {
    async fn insert_connection(&self, c: &Connection) -> StoreResult<()>;
    /// Writes every field but `id` and `created_*`; false when there is no such row.
    async fn update_connection(&self, c: &Connection) -> StoreResult<bool>;
    async fn connection(&self, id: Uuid) -> StoreResult<Option<Connection>>;
    /// A page of connections by name, and how many match.
    async fn list_connections(
        &self,
        filter: &ConnectionFilter,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Connection>, u64)>;
    /// Whether `member` holds a grant on the connection, itself or through a team.
    async fn holds_connection_grant(&self, connection: Uuid, member: MemberId)
        -> StoreResult<bool>;

    /// Records a path, or answers the one already recorded with the same parts.
    async fn record_connection_path(&self, p: &ConnectionPath) -> StoreResult<ConnectionPath>;
    async fn connection_path(&self, id: Uuid) -> StoreResult<Option<ConnectionPath>>;
    /// Paths of unarchived connections (of one, when given; only those visible to a
    /// member, when given), by connection and path.
    async fn list_connection_paths(
        &self,
        connection: Option<Uuid>,
        visible_to: Option<MemberId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<ConnectionPath>, u64)>;

    /// Creates or updates one grant per grantee on `target`, all in one transaction.
    async fn upsert_connection_grants(
        &self,
        connection: Uuid,
        target: Uuid,
        grants: &[(Grantee, String)],
        by: MemberId,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The grants on `target`, oldest first.
    async fn connection_grants(
        &self,
        target: Uuid,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<ConnectionGrant>, u64)>;
    async fn delete_connection_grant(&self, target: Uuid, id: Uuid) -> StoreResult<bool>;
}
