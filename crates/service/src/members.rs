//! Members (Sigma's `/v2/members`): listing, inviting, reading, updating,
//! deactivating, their teams and passwords. Admins manage members; a member may read
//! itself and its teams. The member rows read on every request are remembered per
//! store generation here.

use std::sync::Arc;

use bytes::Bytes;

use sigil_core::member::{is_valid_email, normalize_email};
use sigil_core::{
    AccountType, InodeId, Member, MemberId, OrganizationId, Team, TeamId, TeamMember, UserKind,
};
use sigil_store::{RevocationKind, Store};

pub use sigil_store::MemberFilter;

use crate::account_types::AccountTypes;
use crate::auth::secrets::hash_password_async;
use crate::auth::RevocationSet;
use crate::cache::GenCache;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageCursors, PageRequest};

const MAX_NAME: usize = 255;

/// A member with its account type.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub member: Member,
    pub account_type: Arc<AccountType>,
}

/// A team to put a new member in.
#[derive(Debug, Clone, Default)]
pub struct AddToTeam {
    pub team_id: String,
    pub is_team_admin: bool,
}

/// What an invitation gives.
#[derive(Debug, Clone, Default)]
pub struct NewMember {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// An account type's name; `Viewer` when absent.
    pub member_type: Option<String>,
    pub is_guest: Option<bool>,
    pub user_kind: Option<UserKind>,
    pub add_to_teams: Vec<AddToTeam>,
    /// Recorded; sigil sends no mail.
    pub send_invite: bool,
}

/// A change to a member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MemberUpdate {
    pub member_type: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `Some(None)` clears it.
    pub profile_img_url: Option<Option<String>>,
    pub email: Option<String>,
    pub is_archived: Option<bool>,
    pub is_inactive: Option<bool>,
    pub user_kind: Option<UserKind>,
    /// With `is_archived`: the member who receives the archived member's documents.
    pub new_owner_id: Option<String>,
}

/// What names one list of members (for its page positions and its rendered pages).
fn list_key(filter: &MemberFilter) -> String {
    format!(
        "members|{:?}|{:?}|{}|{}",
        filter.search, filter.email, filter.include_archived, filter.include_inactive
    )
}

pub struct Members {
    store: Arc<dyn Store>,
    organization: OrganizationId,
    account_types: Arc<AccountTypes>,
    revocations: Arc<RevocationSet>,
    cursors: Arc<PageCursors>,
    rows: GenCache<MemberId, Option<Member>>,
    /// Rendered pages of the member list: (filter, page, limit).
    pages: GenCache<(String, u64, u32), Bytes>,
}

fn check_name(field: &str, v: &str) -> ServiceResult<String> {
    let v = v.trim();
    if v.chars().count() > MAX_NAME {
        return Err(ServiceError::invalid_field(
            field,
            format!("{field} must be at most {MAX_NAME} characters"),
        ));
    }
    Ok(v.to_owned())
}

fn check_email(e: &str) -> ServiceResult<()> {
    if is_valid_email(e) {
        Ok(())
    } else {
        Err(ServiceError::invalid_field(
            "email",
            format!("email `{e}` is not an email address"),
        ))
    }
}

impl Members {
    pub fn new(
        store: Arc<dyn Store>,
        organization: OrganizationId,
        account_types: Arc<AccountTypes>,
        revocations: Arc<RevocationSet>,
        cursors: Arc<PageCursors>,
    ) -> Self {
        Members {
            store,
            organization,
            account_types,
            revocations,
            cursors,
            rows: GenCache::new(10_000),
            pages: GenCache::new(1_000),
        }
    }

    /// The member `id`, remembered per store generation.
    pub async fn cached(&self, id: MemberId) -> ServiceResult<Option<Member>> {
        Ok(self
            .rows
            .get_or_load(self.store.as_ref(), id, || self.store.member(id))
            .await?)
    }

    /// The member `id` if it exists and is active.
    pub async fn active(&self, id: MemberId) -> ServiceResult<Option<Member>> {
        Ok(self.store.member(id).await?.filter(|m| !m.is_inactive))
    }

    async fn record(&self, member: Member) -> ServiceResult<MemberRecord> {
        let account_type = self.account_types.of_member(member.account_type_id).await?;
        Ok(MemberRecord {
            member,
            account_type,
        })
    }

    /// Members by email. Admin only.
    pub async fn list(
        &self,
        caller: &Caller,
        filter: MemberFilter,
        req: PageRequest,
    ) -> ServiceResult<Page<MemberRecord>> {
        caller.require_admin()?;
        crate::paging::check_search("search", filter.search.as_deref())?;
        crate::paging::check_search("email", filter.email.as_deref())?;
        let key = list_key(&filter);
        let store = self.store.clone();
        let page = self
            .cursors
            .page(
                key,
                req,
                |pos, limit, with_total| async move {
                    store.list_members(&filter, &pos, limit, with_total).await
                },
                |m: &Member| m.email.clone(),
            )
            .await?;
        let mut page = page;
        let rows = std::mem::take(&mut page.entries);
        let mut entries = Vec::with_capacity(rows.len());
        for m in rows {
            entries.push(self.record(m).await?);
        }
        Ok(page.with_entries(entries))
    }

    /// [`list`](Members::list), rendered by `render` and remembered until the next
    /// write (as a workspace's grants are): tools that poll the member list are
    /// then served without touching the database.
    pub async fn list_rendered(
        &self,
        caller: &Caller,
        filter: MemberFilter,
        req: PageRequest,
        render: impl FnOnce(Page<MemberRecord>) -> ServiceResult<Bytes>,
    ) -> ServiceResult<Bytes> {
        caller.require_admin()?;
        let key = (list_key(&filter), req.page, req.limit);
        self.pages
            .get_or_load(self.store.as_ref(), key, || async {
                render(self.list(caller, filter, req).await?)
            })
            .await
    }

    /// Active members matching `search` (part of the email or name), for choosing one
    /// to share with: any member may look, and sees names and emails only.
    pub async fn directory(
        &self,
        _caller: &Caller,
        search: Option<String>,
        limit: u32,
    ) -> ServiceResult<Vec<Member>> {
        crate::paging::check_search("search", search.as_deref())?;
        let filter = MemberFilter {
            search: search.filter(|s| !s.trim().is_empty()),
            ..MemberFilter::default()
        };
        let (rows, _) = self
            .store
            .list_members(&filter, &sigil_store::Position::Start, limit, false)
            .await?;
        Ok(rows)
    }

    /// Creates a member with a home folder, optionally in teams. A taken email is a
    /// conflict; unknown teams are refused, naming them, and nothing is written.
    pub async fn create(&self, caller: &Caller, req: NewMember) -> ServiceResult<MemberRecord> {
        caller.require_admin()?;
        check_email(&req.email)?;
        let type_id = self
            .account_types
            .named("memberType", req.member_type.as_deref().unwrap_or("Viewer"))
            .await?;
        if req.add_to_teams.len() > 100 {
            return Err(ServiceError::invalid_field(
                "addToTeams",
                "addToTeams names more than 100 teams",
            ));
        }
        let mut teams = Vec::new();
        for t in &req.add_to_teams {
            let id: TeamId = t.team_id.parse().map_err(|_| {
                ServiceError::invalid_field(
                    "addToTeams",
                    format!("addToTeams: `{}` is not a team id", t.team_id),
                )
            })?;
            teams.push((id, t.is_team_admin));
        }
        let ids: Vec<TeamId> = teams.iter().map(|(id, _)| *id).collect();
        let missing = self.store.missing_teams(&ids).await?;
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
            return Err(ServiceError::invalid_field(
                "addToTeams",
                format!("addToTeams names unknown teams: {}", list.join(", ")),
            ));
        }
        let now = sigil_core::clock::now();
        let by = caller.id();
        let mut m = Member::new(self.organization, &req.email, type_id, Some(by), now);
        m.first_name = check_name("firstName", &req.first_name)?;
        m.last_name = check_name("lastName", &req.last_name)?;
        m.user_kind = match (req.user_kind, req.is_guest) {
            (Some(k), _) => k,
            (None, Some(true)) => UserKind::Guest,
            _ => UserKind::Internal,
        };
        m.invite_requested = req.send_invite;
        m.home_folder_id = Some(InodeId::new());
        let memberships: Vec<TeamMember> = teams
            .iter()
            .map(|(team_id, admin_flag)| TeamMember {
                team_id: *team_id,
                member_id: m.id,
                is_team_admin: *admin_flag,
                added_by: Some(by),
                created_at: now,
            })
            .collect();
        self.store.insert_member(&m, &memberships).await?;
        tracing::info!(member = %m.id, "member created");
        self.record(m).await
    }

    /// The member `id`, if the caller may read it: Admins read anyone, a member
    /// itself. Others are refused whether or not the member exists.
    async fn readable(&self, caller: &Caller, id: MemberId) -> ServiceResult<Member> {
        if id == caller.id() {
            return Ok(caller.member.clone());
        }
        if !caller.is_admin() {
            return Err(ServiceError::forbidden(
                "you may read only your own member record",
            ));
        }
        self.store
            .member(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no member `{id}`")))
    }

    pub async fn get(&self, caller: &Caller, id: MemberId) -> ServiceResult<MemberRecord> {
        let m = self.readable(caller, id).await?;
        self.record(m).await
    }

    /// The teams member `id` belongs to; Admins and the member itself.
    pub async fn teams(
        &self,
        caller: &Caller,
        id: MemberId,
        req: PageRequest,
    ) -> ServiceResult<Page<Team>> {
        let m = self.readable(caller, id).await?;
        // A member belongs to few teams: read them all and cut the page here.
        let teams = self.store.member_teams(m.id).await?;
        Ok(Page::of_all(teams, req))
    }

    /// Names, email, account type, user kind, archived and inactive flags;
    /// `new_owner_id` moves an archived member's documents. Deactivating a member
    /// revokes its tokens at once. Admin only; an Admin may not deactivate or archive
    /// itself.
    pub async fn update(
        &self,
        caller: &Caller,
        id: MemberId,
        req: MemberUpdate,
    ) -> ServiceResult<MemberRecord> {
        caller.require_admin()?;
        let mut m = self
            .store
            .member(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no member `{id}`")))?;
        let was_inactive = m.is_inactive;
        if let Some(t) = &req.member_type {
            m.account_type_id = self.account_types.named("memberType", t).await?;
        }
        if let Some(v) = &req.first_name {
            m.first_name = check_name("firstName", v)?;
        }
        if let Some(v) = &req.last_name {
            m.last_name = check_name("lastName", v)?;
        }
        if let Some(v) = req.profile_img_url {
            m.profile_img_url = v;
        }
        if let Some(e) = &req.email {
            check_email(e)?;
            m.email = normalize_email(e);
        }
        if let Some(v) = req.is_archived {
            m.is_archived = v;
        }
        if let Some(v) = req.is_inactive {
            m.is_inactive = v;
        }
        if let Some(k) = req.user_kind {
            m.user_kind = k;
        }
        if id == caller.id() && (m.is_inactive || m.is_archived) {
            return Err(ServiceError::invalid(
                "an Admin may not deactivate or archive itself; ask another Admin",
            ));
        }
        let new_owner = match &req.new_owner_id {
            None => None,
            // Sigma sends it with `isArchived: true`; without archiving it is checked
            // but moves nothing, as a client sending Sigma's whole body expects.
            Some(raw) => {
                let to: MemberId = raw.parse().map_err(|_| {
                    ServiceError::invalid_field(
                        "newOwnerId",
                        format!("newOwnerId `{raw}` is not a member id"),
                    )
                })?;
                let active = self
                    .store
                    .member(to)
                    .await?
                    .is_some_and(|o| !o.is_inactive && !o.is_archived);
                if !active || to == id {
                    return Err(ServiceError::invalid_field(
                        "newOwnerId",
                        format!("newOwnerId `{raw}` names no other active member"),
                    ));
                }
                Some(to)
            }
        };
        m.updated_by = Some(caller.id());
        m.updated_at = sigil_core::clock::now();
        let deactivated = m.is_inactive && !was_inactive;
        self.store.update_member(&m, deactivated).await?;
        if deactivated {
            self.revocations
                .insert(RevocationKind::Member, &m.id.to_string());
            self.store.delete_member_sessions(m.id).await?;
        }
        if let Some(to) = new_owner.filter(|_| m.is_archived) {
            let moved = self.store.reassign_documents(m.id, to).await?;
            tracing::info!(from = %m.id, to = %to, moved, "documents reassigned");
        }
        self.record(m).await
    }

    /// Deactivates member `id`: its tokens stop working at once; its history and
    /// documents stay. Admin only; an Admin may not delete itself.
    pub async fn deactivate(&self, caller: &Caller, id: MemberId) -> ServiceResult<()> {
        caller.require_admin()?;
        if id == caller.id() {
            return Err(ServiceError::invalid(
                "an Admin may not delete itself; ask another Admin",
            ));
        }
        let mut m = self
            .store
            .member(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no member `{id}`")))?;
        if !m.is_inactive {
            m.is_inactive = true;
            m.updated_by = Some(caller.id());
            m.updated_at = sigil_core::clock::now();
            self.store.update_member(&m, true).await?;
            self.revocations
                .insert(RevocationKind::Member, &m.id.to_string());
            self.store.delete_member_sessions(m.id).await?;
            tracing::info!(member = %m.id, "member deactivated");
        }
        Ok(())
    }

    /// Revokes member `id`'s tokens without deactivating it: every refresh token it
    /// holds or acts through, every access token issued until now (on every node,
    /// through the revocation feed), and every web session. Answers how many refresh
    /// tokens were revoked. Admin only. (Sigma lets sessions and access tokens lapse;
    /// sigil ends them at once, as it does on deactivation.)
    pub async fn revoke_tokens(&self, caller: &Caller, id: MemberId) -> ServiceResult<u64> {
        caller.require_admin()?;
        self.store
            .member(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no member `{id}`")))?;
        let n = self
            .store
            .revoke_member_tokens(id, sigil_core::clock::now())
            .await?;
        self.revocations
            .insert(RevocationKind::Member, &id.to_string());
        self.store.delete_member_sessions(id).await?;
        tracing::info!(member = %id, refresh_tokens = n, "member's tokens revoked");
        Ok(n)
    }

    /// Sets the password the Report token API's BASIC method and the web sign-in
    /// check. Admin only.
    pub async fn set_password(
        &self,
        caller: &Caller,
        id: MemberId,
        password: String,
    ) -> ServiceResult<()> {
        caller.require_admin()?;
        let n = password.chars().count();
        if !(8..=1024).contains(&n) {
            return Err(ServiceError::invalid_field(
                "password",
                "password must be 8 to 1024 characters",
            ));
        }
        let hash = hash_password_async(password).await;
        let found = self
            .store
            .set_member_password(id, &hash, sigil_core::clock::now())
            .await?;
        if !found {
            return Err(ServiceError::not_found(format!("no member `{id}`")));
        }
        Ok(())
    }
}
