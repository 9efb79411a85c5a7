//! Persistence for sigil: the [`Store`] trait the server depends on, and
//! [`SqlStore`], its SQLite and PostgreSQL implementation.
//!
//! "Absent" and "failed" are different results: a lookup answers `Ok(None)` when the
//! thing does not exist and `Err(StoreError)` when the database could not answer.

pub mod connections;
mod error;
mod records;
pub mod schedules;
mod sql;

pub use error::{StoreError, StoreResult};
pub use records::{
    ApiCall, ApiConnector, ApiCredential, ApiDocument, Bootstrap, DeleteAccountType, Grant,
    GrantFilter, Grantee, Inode, InodeFilter, MemberFilter, NameCursor, NewTeam, Position,
    RefreshToken, Revocation, RevocationKind, RotateOutcome, TeamCursor, TeamFilter, WebSession,
    WorkbookRun, WorkbookVersion, WorkspaceFilter,
};
pub use sql::{classified_tables, Dialect, SqlStore};

use async_trait::async_trait;
use sigil_core::{
    AccountType, AccountTypeId, ApiCallId, ApiConnectorId, ApiCredentialId, ApiDocumentId,
    ClientCredential, GrantId, GrantPermission, InodeId, Member, MemberId, Organization, Team,
    TeamId, TeamMember,
};
use time::OffsetDateTime;

/// What the connectors feature persists: credentials, connectors, imported documents
/// and the call log. A part of [`Store`], kept apart so that its SQL lives beside it.
#[async_trait]
pub trait ApiStore: Send + Sync + 'static {
    async fn insert_api_credential(&self, c: &ApiCredential) -> StoreResult<()>;
    /// Replaces every field but `id`, `created_*`; false when there is no such row.
    async fn update_api_credential(&self, c: &ApiCredential) -> StoreResult<bool>;
    async fn api_credential(&self, id: ApiCredentialId) -> StoreResult<Option<ApiCredential>>;
    /// Unarchived credentials by (name, id) after `after`, optionally of one `name`.
    async fn list_api_credentials(
        &self,
        name: Option<&str>,
        after: Option<(String, ApiCredentialId)>,
        limit: u32,
    ) -> StoreResult<Vec<ApiCredential>>;

    async fn insert_api_connector(&self, c: &ApiConnector) -> StoreResult<()>;
    async fn update_api_connector(&self, c: &ApiConnector) -> StoreResult<bool>;
    async fn api_connector(&self, id: ApiConnectorId) -> StoreResult<Option<ApiConnector>>;
    async fn list_api_connectors(
        &self,
        name: Option<&str>,
        after: Option<(String, ApiConnectorId)>,
        limit: u32,
    ) -> StoreResult<Vec<ApiConnector>>;
    /// The names of the unarchived connectors that call with credential `id`, by name.
    async fn connectors_using_credential(&self, id: ApiCredentialId) -> StoreResult<Vec<String>>;

    async fn insert_api_document(&self, d: &ApiDocument, body: &str) -> StoreResult<()>;
    async fn api_document(&self, id: ApiDocumentId) -> StoreResult<Option<ApiDocument>>;
    async fn api_document_body(&self, id: ApiDocumentId) -> StoreResult<Option<String>>;
    async fn list_api_documents(
        &self,
        after: Option<(String, ApiDocumentId)>,
        limit: u32,
    ) -> StoreResult<Vec<ApiDocument>>;
    async fn delete_api_document(&self, id: ApiDocumentId) -> StoreResult<bool>;

    /// Appends calls to the log, all in one transaction.
    async fn insert_api_calls(&self, calls: &[ApiCall]) -> StoreResult<()>;
    /// A connector's calls, newest first, before the call `before`. Call ids must be
    /// time-ordered (UUIDv7).
    async fn list_api_calls(
        &self,
        connector: ApiConnectorId,
        before: Option<ApiCallId>,
        limit: u32,
    ) -> StoreResult<Vec<ApiCall>>;
    /// Deletes the calls made before `before` (by their UUIDv7 ids); answers how many.
    async fn prune_api_calls(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// Workbook documents. A part of [`Store`].
#[async_trait]
pub trait WorkbookStore: Send + Sync + 'static {
    /// Writes a workbook's node and its first document (version 1) in one transaction.
    async fn create_workbook(&self, node: &Inode, document: &str) -> StoreResult<()>;
    /// The document and its version; `None` when there is no such workbook.
    async fn workbook_document(&self, id: InodeId) -> StoreResult<Option<(String, i64)>>;
    /// The names of the unarchived workbooks whose document mentions `text` (a
    /// connector's id), by name.
    async fn workbooks_mentioning(&self, text: &str) -> StoreResult<Vec<String>>;
    /// The current version of each of these workbooks (absent ones are left out),
    /// without reading their documents.
    async fn workbook_versions(
        &self,
        ids: &[InodeId],
    ) -> StoreResult<std::collections::HashMap<InodeId, i64>>;
    /// Replaces the document, moving its version on, and answers the new version.
    /// With `expected`, only while the version is still that one: the check and the
    /// write are one statement, so two saves from the same version cannot both win.
    /// `None` when there is no such workbook, or its version has moved.
    async fn save_workbook_document(
        &self,
        id: InodeId,
        document: &str,
        by: MemberId,
        at: OffsetDateTime,
        expected: Option<i64>,
    ) -> StoreResult<Option<i64>>;
    /// The saved versions of a workbook, newest first (each save, and its creation, is
    /// one).
    async fn workbook_history(&self, id: InodeId) -> StoreResult<Vec<WorkbookVersion>>;
    /// The document of one saved version of a workbook.
    async fn workbook_version_document(
        &self,
        id: InodeId,
        version: i64,
    ) -> StoreResult<Option<String>>;
    /// Appends a run to a workbook's trace and keeps only its newest `keep` runs, in
    /// one transaction.
    async fn insert_workbook_run(&self, run: &WorkbookRun, keep: u32) -> StoreResult<()>;
    /// Records how run `run.id` ended (its result fields, steps and outcome); `false`
    /// when there is no such run (pruned since).
    async fn finish_workbook_run(&self, run: &WorkbookRun) -> StoreResult<bool>;
    /// One run, by id.
    async fn workbook_run(&self, id: uuid::Uuid) -> StoreResult<Option<WorkbookRun>>;
    /// A workbook's newest runs, newest first.
    async fn workbook_runs(&self, id: InodeId, limit: u32) -> StoreResult<Vec<WorkbookRun>>;
}

/// Members: their records, home folders, passwords and documents. A part of [`Store`].
#[async_trait]
pub trait MemberStore: Send + Sync + 'static {
    async fn member(&self, id: MemberId) -> StoreResult<Option<Member>>;

    /// Inserts a member, its home folder (when `home_folder_id` is set) and its team
    /// memberships, in one transaction; a taken email gives [`StoreError::Conflict`].
    async fn insert_member(&self, m: &Member, teams: &[TeamMember]) -> StoreResult<()>;

    /// Writes every field of a member. When `deactivated`, also revokes its refresh
    /// tokens and records the revocation in the feed, in the same transaction.
    async fn update_member(&self, m: &Member, deactivated: bool) -> StoreResult<()>;

    /// A page of members, ordered by email, with the total matching the filter.
    async fn list_members(
        &self,
        filter: &MemberFilter,
        position: &Position<String>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Member>, Option<u64>)>;

    /// Moves the documents a member owns (not its home folder) to another member.
    async fn reassign_documents(&self, from: MemberId, to: MemberId) -> StoreResult<u64>;

    /// Which of `ids` name no member; used to refuse a whole request naming them.
    async fn missing_members(&self, ids: &[MemberId]) -> StoreResult<Vec<MemberId>>;

    /// Revokes every refresh token the member holds (or acts through) and records a
    /// member revocation in the feed, in one transaction; answers how many tokens.
    async fn revoke_member_tokens(&self, id: MemberId, at: OffsetDateTime) -> StoreResult<u64>;

    /// Looks a member up by email, case-insensitively.
    async fn member_by_email(&self, email: &str) -> StoreResult<Option<Member>>;

    /// Sets a member's argon2id password hash; `Ok(false)` when no such member.
    async fn set_member_password(
        &self,
        id: MemberId,
        password_hash: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool>;
}

/// Teams and their memberships. A part of [`Store`].
#[async_trait]
pub trait TeamStore: Send + Sync + 'static {
    /// Creates a team with its members and, optionally, its workspace and grant.
    async fn insert_team(&self, t: &NewTeam) -> StoreResult<()>;

    async fn team(&self, id: TeamId) -> StoreResult<Option<Team>>;

    /// Writes a team's name, description, visibility and archived flag.
    async fn update_team(&self, t: &Team) -> StoreResult<()>;

    /// Deletes a team, its memberships and its grants; `Ok(false)` when absent.
    async fn delete_team(&self, id: TeamId) -> StoreResult<bool>;

    /// A page of teams, ordered by name then id, with the total matching the filter.
    async fn list_teams(
        &self,
        filter: &TeamFilter,
        position: &Position<TeamCursor>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Team>, Option<u64>)>;

    /// The teams a member belongs to, ordered by name then id.
    async fn member_teams(&self, member: MemberId) -> StoreResult<Vec<Team>>;

    /// Members of a team, ordered by member id, after `after` when given.
    async fn team_members(
        &self,
        team: TeamId,
        after: Option<MemberId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<TeamMember>, u64)>;

    /// One membership, if the member belongs to the team.
    async fn team_membership(
        &self,
        team: TeamId,
        member: MemberId,
    ) -> StoreResult<Option<TeamMember>>;

    /// Adds (or updates the admin flag of) and removes team members in one transaction.
    async fn change_team_members(
        &self,
        team: TeamId,
        add: &[TeamMember],
        remove: &[MemberId],
    ) -> StoreResult<()>;

    /// Which of `ids` name no team.
    async fn missing_teams(&self, ids: &[TeamId]) -> StoreResult<Vec<TeamId>>;
}

/// Account types and their permissions. A part of [`Store`].
#[async_trait]
pub trait AccountTypeStore: Send + Sync + 'static {
    async fn account_type(&self, id: AccountTypeId) -> StoreResult<Option<AccountType>>;

    /// Looks an account type up by its name (`Admin`, `Creator`, …), without regard
    /// to case.
    async fn account_type_by_name(&self, name: &str) -> StoreResult<Option<AccountType>>;

    /// Account types ordered by name, after `after_name` when given, at most `limit`.
    async fn list_account_types(
        &self,
        after_name: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<AccountType>>;

    /// Inserts a custom account type; a taken name gives [`StoreError::Conflict`].
    async fn insert_account_type(&self, t: &AccountType, at: OffsetDateTime) -> StoreResult<()>;

    /// Deletes an account type. Members holding it move to `reassign_to` in the same
    /// transaction; without `reassign_to`, a type still held is not deleted.
    async fn delete_account_type(
        &self,
        id: AccountTypeId,
        reassign_to: Option<AccountTypeId>,
        at: OffsetDateTime,
    ) -> StoreResult<DeleteAccountType>;
}

/// The file tree: workspaces, folders (home folders among them) and workbooks. A part of [`Store`].
#[async_trait]
pub trait FileStore: Send + Sync + 'static {
    /// A node of the file tree.
    async fn inode(&self, id: InodeId) -> StoreResult<Option<Inode>>;

    /// Creates a node (a folder, say) with no grant of its own.
    async fn insert_inode(&self, i: &Inode) -> StoreResult<()>;

    /// The node and its ancestors, root first.
    async fn inode_path(&self, id: InodeId) -> StoreResult<Vec<Inode>>;

    /// A page of nodes matching `filter`, ordered by name then id.
    async fn list_inodes(
        &self,
        filter: &InodeFilter,
        position: &Position<NameCursor>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Inode>, Option<u64>)>;

    /// Creates a workspace and its creator's Can Manage grant, in one transaction.
    async fn create_workspace(&self, ws: &Inode, creator_grant: &Grant) -> StoreResult<()>;

    /// Workspaces (not archived) with exactly this name.
    async fn workspaces_named(&self, name: &str) -> StoreResult<Vec<Inode>>;

    /// Writes a node's name, description, parent, owner, archived flag and updater.
    async fn update_inode(&self, i: &Inode) -> StoreResult<()>;

    /// A page of workspaces (not archived), ordered by name then id.
    async fn list_workspaces(
        &self,
        filter: &WorkspaceFilter,
        position: &Position<NameCursor>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Inode>, Option<u64>)>;
}

/// Grants on the file tree. A part of [`Store`].
#[async_trait]
pub trait GrantStore: Send + Sync + 'static {
    /// The grants on one node, ordered by grant id, with their count when asked.
    async fn grants_on(
        &self,
        inode: InodeId,
        after: Option<GrantId>,
        offset: u64,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Grant>, Option<u64>)>;

    /// Creates or updates grants on a node, one per grantee, all in one transaction.
    /// A grantee's new permission replaces its old one (`updated_*` change,
    /// `created_at` stays); granting the same permission again changes nothing.
    /// Answers each grantee's grant as it now stands, in the order given.
    async fn upsert_grants(
        &self,
        inode: InodeId,
        grants: &[(Grantee, GrantPermission)],
        by: MemberId,
        at: OffsetDateTime,
    ) -> StoreResult<Vec<Grant>>;

    async fn grant(&self, id: GrantId) -> StoreResult<Option<Grant>>;

    /// A page of grants matching `filter`, ordered by grant id, with their count.
    async fn list_grants(
        &self,
        filter: &GrantFilter,
        after: Option<GrantId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Grant>, u64)>;

    /// `Ok(false)` when there was no such grant.
    async fn delete_grant(&self, id: GrantId) -> StoreResult<bool>;

    /// Every grant that gives `member` something on `inode`: its own and its teams',
    /// on the node and on each of its ancestors.
    async fn applicable_grants(&self, member: MemberId, inode: InodeId) -> StoreResult<Vec<Grant>>;
}

/// First run, the organization, client credentials, refresh tokens and the revocation feed. A part of [`Store`].
#[async_trait]
pub trait AuthStore: Send + Sync + 'static {
    /// Creates the organization, the built-in account types, the first member and its
    /// client credential, all or nothing. Fails with
    /// [`StoreError::AlreadyInitialized`] when an organization exists.
    async fn bootstrap(&self, b: &Bootstrap) -> StoreResult<()>;

    /// The organization, if the database has been initialized.
    async fn organization(&self) -> StoreResult<Option<Organization>>;

    async fn insert_client_credential(&self, c: &ClientCredential) -> StoreResult<()>;

    async fn client_credential(&self, client_id: &str) -> StoreResult<Option<ClientCredential>>;

    /// Revokes a credential, every refresh token issued from it, and records the
    /// revocation in the feed, in one transaction. `Ok(false)` when the credential does
    /// not exist or was already revoked.
    async fn revoke_client_credential(
        &self,
        client_id: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool>;

    async fn insert_refresh_token(&self, t: &RefreshToken) -> StoreResult<()>;

    /// Marks the presented refresh token used and stores its successor, atomically.
    /// Presenting a token that was already used revokes its whole family.
    async fn rotate_refresh_token(
        &self,
        presented_hash: &[u8],
        next: &RefreshToken,
        now: OffsetDateTime,
    ) -> StoreResult<RotateOutcome>;

    /// Revocations with a sequence number above `after_seq`, recorded at or after
    /// `not_before`, in sequence order.
    async fn revocations_since(
        &self,
        after_seq: i64,
        not_before: OffsetDateTime,
    ) -> StoreResult<Vec<Revocation>>;

    /// Deletes refresh tokens that expired before `before`; answers how many.
    async fn prune_refresh_tokens(&self, before: OffsetDateTime) -> StoreResult<u64>;

    /// Client credentials not revoked, by name then client ID.
    async fn list_client_credentials(&self) -> StoreResult<Vec<ClientCredential>>;

    async fn insert_session(&self, s: &WebSession) -> StoreResult<()>;

    async fn session(&self, id_hash: &[u8]) -> StoreResult<Option<WebSession>>;

    /// Records that the session was used at `at`.
    async fn touch_session(&self, id_hash: &[u8], at: OffsetDateTime) -> StoreResult<()>;

    /// `Ok(false)` when there was no such session.
    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<bool>;

    /// Ends every session of a member; answers how many.
    async fn delete_member_sessions(&self, member: MemberId) -> StoreResult<u64>;

    /// Deletes sessions last used before `before`; answers how many.
    async fn prune_sessions(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// Members' favorite nodes and the nodes they opened last. A part of [`Store`].
/// Neither list is cached, so their writes leave the generation alone.
#[async_trait]
pub trait FavoriteStore: Send + Sync + 'static {
    /// Marks a node a favorite of a member (again: nothing changes).
    async fn set_favorite(
        &self,
        member: MemberId,
        inode: InodeId,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// `Ok(false)` when it was not a favorite.
    async fn delete_favorite(&self, member: MemberId, inode: InodeId) -> StoreResult<bool>;
    /// A member's favorite nodes (not archived), newest first, and how many.
    async fn favorite_nodes(
        &self,
        member: MemberId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Inode>, u64)>;
    /// Records that a member opened a node at `at`; an older `at` than the one
    /// recorded changes nothing (records may arrive out of order).
    async fn record_open(
        &self,
        member: MemberId,
        inode: InodeId,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The nodes a member opened (not archived), last opened first, and how many.
    async fn recent_nodes(
        &self,
        member: MemberId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Inode>, u64)>;
}

/// A user attribute: a named value with an optional default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAttribute {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: Option<String>,
    pub default_value: Option<String>,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What holds a user attribute's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeHolder {
    Member,
    Team,
    Tenant,
}

/// A user attribute's value for one holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeValue {
    pub attribute_id: uuid::Uuid,
    /// The member, team or organization.
    pub holder_id: uuid::Uuid,
    pub value: String,
    /// Teams: the order they were given the attribute (lower wins).
    pub priority: i64,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// User attributes and their values. A part of [`Store`].
#[async_trait]
pub trait UserAttributeStore: Send + Sync + 'static {
    /// A name taken (without regard to case) gives [`StoreError::Conflict`].
    async fn insert_user_attribute(&self, a: &UserAttribute) -> StoreResult<()>;
    async fn user_attribute(&self, id: uuid::Uuid) -> StoreResult<Option<UserAttribute>>;
    /// By name; `name` keeps those whose name contains it, without regard to case.
    async fn list_user_attributes(
        &self,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<UserAttribute>, u64)>;
    /// With its values, in one transaction; `Ok(false)` when absent.
    async fn delete_user_attribute(&self, id: uuid::Uuid) -> StoreResult<bool>;
    /// Sets `(attribute, holder, value)`s, in one transaction; a team new to an
    /// attribute goes last in its priority order.
    async fn set_attribute_values(
        &self,
        holder: AttributeHolder,
        values: &[(uuid::Uuid, uuid::Uuid, String)],
        by: MemberId,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Removes these holders' values of an attribute, in one transaction; answers how
    /// many there were.
    async fn delete_attribute_values(
        &self,
        holder: AttributeHolder,
        attribute: uuid::Uuid,
        holders: &[uuid::Uuid],
    ) -> StoreResult<u64>;
    /// An attribute's values on one kind of holder, by priority then holder id.
    async fn attribute_values(
        &self,
        holder: AttributeHolder,
        attribute: uuid::Uuid,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<AttributeValue>, u64)>;
    /// Every value these holders hold.
    async fn values_held_by(
        &self,
        holder: AttributeHolder,
        holders: &[uuid::Uuid],
    ) -> StoreResult<Vec<AttributeValue>>;
}

/// A version tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTag {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub color: String,
    pub owner_id: MemberId,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A version tag on a workbook: which version it marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbookTag {
    pub workbook_id: InodeId,
    pub tag_id: uuid::Uuid,
    pub tag_name: String,
    pub version: i64,
    /// Sigma's `taggedWorkbookId`.
    pub tagged_workbook_id: uuid::Uuid,
    /// Sigma's `isDefault`, kept as a record (nothing is served differently).
    pub is_default: bool,
    pub tagged_by: MemberId,
    pub tagged_at: OffsetDateTime,
}

/// Version tags and the workbook versions they mark. A part of [`Store`].
#[async_trait]
pub trait TagStore: Send + Sync + 'static {
    /// A name taken (without regard to case) gives [`StoreError::Conflict`].
    async fn insert_version_tag(&self, t: &VersionTag) -> StoreResult<()>;
    async fn version_tag(&self, id: uuid::Uuid) -> StoreResult<Option<VersionTag>>;
    /// Without regard to case.
    async fn version_tag_by_name(&self, name: &str) -> StoreResult<Option<VersionTag>>;
    /// By name; `search` keeps those whose name contains it, without regard to case.
    async fn list_version_tags(
        &self,
        search: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<VersionTag>, u64)>;
    /// Writes the description and updater; `Ok(false)` when absent.
    async fn update_version_tag(&self, t: &VersionTag) -> StoreResult<bool>;
    /// With its marks on workbooks, in one transaction; `Ok(false)` when absent.
    async fn delete_version_tag(&self, id: uuid::Uuid) -> StoreResult<bool>;
    /// Marks a workbook version with a tag, moving the tag if it was on another.
    async fn tag_workbook(&self, t: &WorkbookTag) -> StoreResult<()>;
    /// `Ok(false)` when the tag was not on the workbook.
    async fn untag_workbook(&self, workbook: InodeId, tag: uuid::Uuid) -> StoreResult<bool>;
    /// The tags on these workbooks, each workbook's by tag name.
    async fn workbook_tags(&self, ids: &[InodeId]) -> StoreResult<Vec<WorkbookTag>>;
    /// The (unarchived) workbooks a tag marks, by name, and how many.
    async fn tagged_workbooks(
        &self,
        tag: uuid::Uuid,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Inode>, u64)>;
}

/// A saved view of a workbook (Sigma's bookmark), kept as a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub id: uuid::Uuid,
    pub workbook_id: InodeId,
    pub version: i64,
    pub name: String,
    pub is_shared: bool,
    pub is_default: bool,
    pub explore_key: String,
    pub owner_id: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An embed of a workbook, page or element, kept as a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    pub id: uuid::Uuid,
    pub workbook_id: InodeId,
    pub embed_type: String,
    pub source_type: String,
    pub source_id: Option<String>,
    pub source_name: Option<String>,
    pub created_by: MemberId,
    pub created_at: OffsetDateTime,
}

/// Workbooks' saved views and embeds. A part of [`Store`]. No cached read depends
/// on them, so their writes leave the generation alone.
#[async_trait]
pub trait WorkbookRecordStore: Send + Sync + 'static {
    /// Inserts or rewrites a saved view; making it the default unsets the
    /// workbook's other default, in one transaction.
    async fn save_bookmark(&self, b: &Bookmark) -> StoreResult<()>;
    async fn bookmark(&self, id: uuid::Uuid) -> StoreResult<Option<Bookmark>>;
    /// The views of a workbook a member sees (its own and the shared ones), or every
    /// view when `viewer` is `None`, by name.
    async fn bookmarks_seen_by(
        &self,
        workbook: InodeId,
        viewer: Option<MemberId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Bookmark>, u64)>;
    async fn delete_bookmark(&self, id: uuid::Uuid) -> StoreResult<bool>;
    async fn insert_embed(&self, e: &Embed) -> StoreResult<()>;
    /// A workbook's embeds, oldest first.
    async fn embeds(
        &self,
        workbook: InodeId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Embed>, u64)>;
    async fn delete_embed(&self, workbook: InodeId, id: uuid::Uuid) -> StoreResult<bool>;
}

/// A snapshot's name and when it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub name: String,
    pub taken_at: OffsetDateTime,
}

/// Named copies of the whole organization, for tests (`/_sigil/snapshots`). A part
/// of [`Store`].
#[async_trait]
pub trait SnapshotStore: Send + Sync + 'static {
    /// Copies every table but the revocation feed and web sessions under `name`,
    /// replacing a snapshot of that name, in one transaction.
    async fn take_snapshot(&self, name: &str, at: OffsetDateTime) -> StoreResult<()>;

    /// Puts every copied table back as it was in snapshot `name`, ends every web
    /// session and records the restore in the revocation feed (at `at`), in one
    /// transaction; answers when the snapshot was taken, `None` when there is no such
    /// snapshot (and nothing changed).
    async fn restore_snapshot(
        &self,
        name: &str,
        at: OffsetDateTime,
    ) -> StoreResult<Option<OffsetDateTime>>;

    /// Snapshots by name.
    async fn list_snapshots(&self) -> StoreResult<Vec<SnapshotInfo>>;

    /// `Ok(false)` when there was no such snapshot.
    async fn delete_snapshot(&self, name: &str) -> StoreResult<bool>;

    /// The tables of the schema (not snapshot copies), by name: a test checks that a
    /// snapshot accounts for each.
    async fn live_tables(&self) -> StoreResult<Vec<String>>;
}

/// Everything the server persists, one part per resource. Implementations must be safe
/// to share between tasks; every multi-row write happens in one transaction.
#[async_trait]
pub trait Store:
    MemberStore
    + TeamStore
    + AccountTypeStore
    + FileStore
    + GrantStore
    + AuthStore
    + ApiStore
    + WorkbookStore
    + SnapshotStore
    + FavoriteStore
    + UserAttributeStore
    + TagStore
    + WorkbookRecordStore
    + connections::ConnectionStore
    + schedules::ScheduleStore
    + Send
    + Sync
    + 'static
{
    /// Which database this is, for logs and the health check.
    fn dialect(&self) -> Dialect;

    /// A number that moves on after every write, while this process hears of every
    /// write made to the database (SQLite, served by one process; PostgreSQL while
    /// its write notifications are heard); `None` when others may write unheard. A
    /// read remembered together with the generation it was made under is current as
    /// long as the generation has not moved.
    fn generation(&self) -> Option<u64> {
        None
    }

    /// Woken when another node may have revoked something (PostgreSQL); `None` where
    /// every revocation is made in this process.
    fn revocations_written(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }

    /// A round trip to the database.
    async fn ping(&self) -> StoreResult<()>;
}

/// Every part of [`Store`], for code that calls store methods on a concrete store
/// (`SqlStore`) rather than through `dyn Store`.
pub mod prelude {
    pub use crate::{
        AccountTypeStore, ApiStore, AuthStore, FileStore, GrantStore, MemberStore, SnapshotStore,
        Store, TeamStore, WorkbookStore,
    };
}
