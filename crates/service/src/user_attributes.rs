//! User attributes (Sigma's `/v2/user-attributes`): named values with a default,
//! set per member, per team and per tenant. A member's effective value is its own,
//! else that of its team with the lowest priority (the team given the attribute
//! first), else the default. sigil holds one organization, so the only tenant is
//! that organization itself. Admin only, as in Sigma.

use std::collections::HashMap;
use std::sync::Arc;

use sigil_core::{MemberId, OrganizationId, TeamId};
use sigil_store::{AttributeHolder, AttributeValue, Store, UserAttribute};
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageRequest};
use crate::Caller;

/// Most values one request may set or remove.
pub const MAX_ASSIGNMENTS: usize = 1000;

pub struct UserAttributes {
    store: Arc<dyn Store>,
    organization: OrganizationId,
}

/// Where a member's effective value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Member,
    Team(TeamId),
    Default,
}

/// One attribute as it applies to a member.
#[derive(Debug, Clone)]
pub struct Effective {
    pub attribute: UserAttribute,
    /// `None` when nothing sets it and it has no default.
    pub value: Option<String>,
    pub source: Option<Source>,
}

/// One value to set: the holder's raw id (as the request gave it) and the value.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub holder: String,
    pub value: String,
}

impl UserAttributes {
    pub fn new(store: Arc<dyn Store>, organization: OrganizationId) -> Self {
        UserAttributes {
            store,
            organization,
        }
    }

    pub async fn list(
        &self,
        caller: &Caller,
        name: Option<&str>,
        req: PageRequest,
    ) -> ServiceResult<Page<UserAttribute>> {
        caller.require_admin()?;
        let (rows, total) = self
            .store
            .list_user_attributes(name, req.offset(), req.limit)
            .await?;
        Ok(Page::of_window(rows, total, req))
    }

    pub async fn create(
        &self,
        caller: &Caller,
        name: &str,
        description: Option<String>,
        default_value: Option<String>,
    ) -> ServiceResult<UserAttribute> {
        caller.require_admin()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::invalid_field(
                "name",
                "name must be 1 to 100 characters",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ServiceError::invalid_field(
                "name",
                "name may not hold control characters",
            ));
        }
        let now = sigil_core::clock::now();
        let a = UserAttribute {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            description,
            default_value,
            created_by: caller.id(),
            updated_by: caller.id(),
            created_at: now,
            updated_at: now,
        };
        self.store.insert_user_attribute(&a).await?;
        Ok(a)
    }

    pub async fn get(&self, caller: &Caller, id: Uuid) -> ServiceResult<UserAttribute> {
        caller.require_admin()?;
        self.load(id).await
    }

    async fn load(&self, id: Uuid) -> ServiceResult<UserAttribute> {
        self.store
            .user_attribute(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no user attribute `{id}`")))
    }

    /// Deletes the attribute and every value set for it.
    pub async fn delete(&self, caller: &Caller, id: Uuid) -> ServiceResult<()> {
        caller.require_admin()?;
        if self.store.delete_user_attribute(id).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!("no user attribute `{id}`")))
        }
    }

    /// The values set for an attribute on one kind of holder: teams in priority
    /// order, the others by id.
    pub async fn values(
        &self,
        caller: &Caller,
        id: Uuid,
        holder: AttributeHolder,
        req: PageRequest,
    ) -> ServiceResult<Page<AttributeValue>> {
        caller.require_admin()?;
        self.load(id).await?;
        let (rows, total) = self
            .store
            .attribute_values(holder, id, req.offset(), req.limit)
            .await?;
        Ok(Page::of_window(rows, total, req))
    }

    /// Checks holders' ids: each must name a member, a team, or this organization
    /// (tenants). `field` names the list and `key` the id's property.
    async fn holders(
        &self,
        holder: AttributeHolder,
        raw: &[&str],
        field: &str,
        key: &str,
    ) -> ServiceResult<Vec<Uuid>> {
        if raw.len() > MAX_ASSIGNMENTS {
            return Err(ServiceError::invalid_field(
                field,
                format!("{field} may hold at most {MAX_ASSIGNMENTS} entries"),
            ));
        }
        let mut ids = Vec::with_capacity(raw.len());
        for (i, r) in raw.iter().enumerate() {
            let at = format!("{field}[{i}].{key}");
            let id: Uuid = r.parse().map_err(|_| {
                ServiceError::invalid_field(&at, format!("{at}: `{r}` is not an id"))
            })?;
            if ids.contains(&id) {
                return Err(ServiceError::invalid_field(
                    &at,
                    format!("{at}: `{r}` is listed twice"),
                ));
            }
            ids.push(id);
        }
        let missing: Vec<Uuid> = match holder {
            AttributeHolder::Member => {
                let m: Vec<MemberId> = ids.iter().map(|&u| MemberId(u)).collect();
                self.store
                    .missing_members(&m)
                    .await?
                    .into_iter()
                    .map(|m| m.0)
                    .collect()
            }
            AttributeHolder::Team => {
                let t: Vec<TeamId> = ids.iter().map(|&u| TeamId(u)).collect();
                self.store
                    .missing_teams(&t)
                    .await?
                    .into_iter()
                    .map(|t| t.0)
                    .collect()
            }
            AttributeHolder::Tenant => ids
                .iter()
                .copied()
                .filter(|&u| u != self.organization.0)
                .collect(),
        };
        if let Some(first) = missing.first() {
            let i = ids.iter().position(|u| u == first).unwrap_or(0);
            let at = format!("{field}[{i}].{key}");
            let what = match holder {
                AttributeHolder::Member => "member",
                AttributeHolder::Team => "team",
                AttributeHolder::Tenant => "tenant (sigil holds one organization, its own)",
            };
            return Err(ServiceError::invalid_field(
                &at,
                format!("{at}: no {what} `{first}`"),
            ));
        }
        Ok(ids)
    }

    /// Sets (or changes) an attribute's value for each holder, all or nothing. An
    /// empty list changes nothing.
    pub async fn set_values(
        &self,
        caller: &Caller,
        id: Uuid,
        holder: AttributeHolder,
        assignments: &[Assignment],
        key: &str,
    ) -> ServiceResult<()> {
        caller.require_admin()?;
        self.load(id).await?;
        let raw: Vec<&str> = assignments.iter().map(|a| a.holder.as_str()).collect();
        let ids = self.holders(holder, &raw, "assignments", key).await?;
        if ids.is_empty() {
            return Ok(());
        }
        let values: Vec<(Uuid, Uuid, String)> = ids
            .into_iter()
            .zip(assignments)
            .map(|(h, a)| (id, h, a.value.clone()))
            .collect();
        self.store
            .set_attribute_values(holder, &values, caller.id(), sigil_core::clock::now())
            .await?;
        Ok(())
    }

    /// Removes the attribute's values of the holders listed (those without one are
    /// passed over), all or nothing. An empty list changes nothing.
    pub async fn delete_values(
        &self,
        caller: &Caller,
        id: Uuid,
        holder: AttributeHolder,
        raw: &[&str],
        key: &str,
    ) -> ServiceResult<()> {
        caller.require_admin()?;
        self.load(id).await?;
        if raw.len() > MAX_ASSIGNMENTS {
            return Err(ServiceError::invalid_field(
                "delete",
                format!("delete may hold at most {MAX_ASSIGNMENTS} entries"),
            ));
        }
        // Removing is idempotent: an id listed twice, or holding no value (or
        // naming nothing), is passed over.
        let mut ids: Vec<Uuid> = Vec::with_capacity(raw.len());
        for (i, r) in raw.iter().enumerate() {
            let at = format!("delete[{i}].{key}");
            let u: Uuid = r.parse().map_err(|_| {
                ServiceError::invalid_field(&at, format!("{at}: `{r}` is not an id"))
            })?;
            if !ids.contains(&u) {
                ids.push(u);
            }
        }
        if !ids.is_empty() {
            self.store.delete_attribute_values(holder, id, &ids).await?;
        }
        Ok(())
    }

    /// Removes one holder's value; 404 when it has none.
    pub async fn delete_value(
        &self,
        caller: &Caller,
        id: Uuid,
        holder: AttributeHolder,
        holder_id: Uuid,
    ) -> ServiceResult<()> {
        caller.require_admin()?;
        self.load(id).await?;
        if self
            .store
            .delete_attribute_values(holder, id, &[holder_id])
            .await?
            == 0
        {
            return Err(ServiceError::not_found(format!(
                "`{holder_id}` has no value of this user attribute"
            )));
        }
        Ok(())
    }

    /// The attributes a team has a value for, by attribute name.
    pub async fn of_team(
        &self,
        caller: &Caller,
        team: TeamId,
        req: PageRequest,
    ) -> ServiceResult<Page<(UserAttribute, AttributeValue)>> {
        caller.require_admin()?;
        self.store
            .team(team)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no team `{team}`")))?;
        let mut all = Vec::new();
        for v in self
            .store
            .values_held_by(AttributeHolder::Team, &[team.0])
            .await?
        {
            if let Some(a) = self.store.user_attribute(v.attribute_id).await? {
                all.push((a, v));
            }
        }
        all.sort_by_key(|(a, _)| a.name.to_lowercase());
        Ok(Page::of_all(all, req))
    }

    /// Sets several attributes' values for one team, all or nothing.
    pub async fn assign_to_team(
        &self,
        caller: &Caller,
        team: TeamId,
        assignments: &[(String, String)],
    ) -> ServiceResult<()> {
        caller.require_admin()?;
        self.store
            .team(team)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no team `{team}`")))?;
        if assignments.len() > MAX_ASSIGNMENTS {
            return Err(ServiceError::invalid_field(
                "assignments",
                format!("assignments may hold at most {MAX_ASSIGNMENTS} entries"),
            ));
        }
        if assignments.is_empty() {
            return Ok(());
        }
        let mut values = Vec::with_capacity(assignments.len());
        for (i, (raw, value)) in assignments.iter().enumerate() {
            let at = format!("assignments[{i}].userAttributeId");
            let id: Option<Uuid> = raw.parse().ok();
            let known = match id {
                Some(id) => self.store.user_attribute(id).await?.is_some(),
                None => false,
            };
            let (true, Some(id)) = (known, id) else {
                return Err(ServiceError::invalid_field(
                    &at,
                    format!("{at}: no user attribute `{raw}`"),
                ));
            };
            if values.iter().any(|(a, _, _)| *a == id) {
                return Err(ServiceError::invalid_field(
                    &at,
                    format!("{at}: `{raw}` is listed twice"),
                ));
            }
            values.push((id, team.0, value.clone()));
        }
        self.store
            .set_attribute_values(
                AttributeHolder::Team,
                &values,
                caller.id(),
                sigil_core::clock::now(),
            )
            .await?;
        Ok(())
    }

    /// Every attribute as it applies to `member`: its own value, else its team's
    /// with the lowest priority (ties, which one request cannot make, go to the
    /// lower team id), else the default. Admins, and the member itself.
    pub async fn effective(
        &self,
        caller: &Caller,
        member: MemberId,
    ) -> ServiceResult<Vec<Effective>> {
        if member != caller.id() {
            caller.require_admin()?;
        }
        self.store
            .member(member)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no member `{member}`")))?;
        let own: HashMap<Uuid, String> = self
            .store
            .values_held_by(AttributeHolder::Member, &[member.0])
            .await?
            .into_iter()
            .map(|v| (v.attribute_id, v.value))
            .collect();
        let teams: Vec<Uuid> = self
            .store
            .member_teams(member)
            .await?
            .into_iter()
            .map(|t| t.id.0)
            .collect();
        let mut by_team: HashMap<Uuid, AttributeValue> = HashMap::new();
        for v in self
            .store
            .values_held_by(AttributeHolder::Team, &teams)
            .await?
        {
            let better = by_team
                .get(&v.attribute_id)
                .is_none_or(|b| (v.priority, v.holder_id) < (b.priority, b.holder_id));
            if better {
                by_team.insert(v.attribute_id, v);
            }
        }
        let mut out = Vec::new();
        let mut req = PageRequest {
            page: 1,
            limit: 1000,
        };
        loop {
            let (attrs, total) = self
                .store
                .list_user_attributes(None, req.offset(), req.limit)
                .await?;
            let n = attrs.len() as u64;
            for a in attrs {
                let (value, source) = if let Some(v) = own.get(&a.id) {
                    (Some(v.clone()), Some(Source::Member))
                } else if let Some(v) = by_team.get(&a.id) {
                    (
                        Some(v.value.clone()),
                        Some(Source::Team(TeamId(v.holder_id))),
                    )
                } else if let Some(d) = &a.default_value {
                    (Some(d.clone()), Some(Source::Default))
                } else {
                    (None, None)
                };
                out.push(Effective {
                    attribute: a,
                    value,
                    source,
                });
            }
            if req.offset() + n >= total || n == 0 {
                break;
            }
            req.page += 1;
        }
        Ok(out)
    }
}
