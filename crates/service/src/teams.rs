//! Teams (Sigma's `/v2/teams`) and their members. Admins manage teams; anyone reads
//! public teams and the teams it belongs to (others are "not found"); a team admin
//! may change its own team's members.

use std::sync::Arc;

use bytes::Bytes;

use sigil_core::{GrantId, GrantPermission, MemberId, Team, TeamId, TeamMember, Visibility};
use sigil_store::{Grant, Inode, NewTeam, Store, TeamCursor};

pub use sigil_store::TeamFilter;

use crate::cache::GenCache;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageCursors, PageRequest};

const MAX_NAME: usize = 255;
const MAX_DESCRIPTION: usize = 1024;
/// Most member ids one request may name.
const MAX_IDS: usize = 1000;

/// A new team.
#[derive(Debug, Clone, Default)]
pub struct NewTeamInput {
    pub name: String,
    pub description: Option<String>,
    /// Member ids; unknown ones are refused and nothing is written.
    pub members: Vec<String>,
    /// Also create a team workspace, on which the team holds Can Manage.
    pub create_team_folder: bool,
    /// Private when absent.
    pub visibility: Option<Visibility>,
}

/// A change to a team; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub visibility: Option<Visibility>,
    pub is_archived: Option<bool>,
}

/// A team with the ids of its members.
#[derive(Debug, Clone)]
pub struct TeamWithMembers {
    pub team: Team,
    pub members: Vec<MemberId>,
}

pub struct Teams {
    store: Arc<dyn Store>,
    cursors: Arc<PageCursors>,
    /// Rendered pages of the team list: (filter and viewer, page, limit).
    pages: GenCache<(String, u64, u32), Bytes>,
}

/// Whose view of the teams a caller gets: an Admin sees every team, anyone else the
/// public ones and its own.
fn visible_to(caller: &Caller) -> Option<MemberId> {
    (!caller.is_admin()).then_some(caller.id())
}

/// What names one list of teams (for its page positions and its rendered pages).
fn list_key(filter: &TeamFilter) -> String {
    format!(
        "teams|{:?}|{:?}|{:?}|{:?}",
        filter.name, filter.description, filter.visibility, filter.visible_to
    )
}

fn check_text(field: &str, v: &str, max: usize, required: bool) -> ServiceResult<String> {
    let t = v.trim();
    if required && t.is_empty() {
        return Err(ServiceError::invalid_field(
            field,
            format!("{field} must not be empty"),
        ));
    }
    if t.chars().count() > max {
        return Err(ServiceError::invalid_field(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

impl Teams {
    pub fn new(store: Arc<dyn Store>, cursors: Arc<PageCursors>) -> Self {
        Teams {
            store,
            cursors,
            pages: GenCache::new(1_000),
        }
    }

    /// The team `id`, if the caller may see it: Admins see all; others see public
    /// teams and their own. A team the caller may not see is "not found".
    pub async fn visible(&self, caller: &Caller, id: TeamId) -> ServiceResult<Team> {
        let not_found = || ServiceError::not_found(format!("no team `{id}`"));
        let team = self.store.team(id).await?.ok_or_else(not_found)?;
        if caller.is_admin() || team.visibility == Visibility::Public {
            return Ok(team);
        }
        match self.store.team_membership(id, caller.id()).await? {
            Some(_) => Ok(team),
            None => Err(not_found()),
        }
    }

    /// Forbidden unless the caller is an Admin or a team admin of team `team`.
    async fn require_team_manager(&self, caller: &Caller, team: TeamId) -> ServiceResult<()> {
        if caller.is_admin() {
            return Ok(());
        }
        let own = self.store.team_membership(team, caller.id()).await?;
        if own.is_some_and(|m| m.is_team_admin) {
            Ok(())
        } else {
            Err(ServiceError::forbidden(
                "changing a team's members needs an Admin or a team admin of that team",
            ))
        }
    }

    /// Whether `member` belongs to team `team`.
    pub async fn is_member(&self, team: TeamId, member: MemberId) -> ServiceResult<bool> {
        Ok(self.store.team_membership(team, member).await?.is_some())
    }

    /// The teams the caller may see, by name. `filter.visible_to` is set here.
    pub async fn list(
        &self,
        caller: &Caller,
        mut filter: TeamFilter,
        req: PageRequest,
    ) -> ServiceResult<Page<Team>> {
        crate::paging::check_search("name", filter.name.as_deref())?;
        crate::paging::check_search("description", filter.description.as_deref())?;
        filter.visible_to = visible_to(caller);
        let key = list_key(&filter);
        let store = self.store.clone();
        self.cursors
            .page(
                key,
                req,
                |pos, limit, with_total| async move {
                    store.list_teams(&filter, &pos, limit, with_total).await
                },
                |t: &Team| TeamCursor {
                    name: t.name.clone(),
                    id: t.id,
                },
            )
            .await
    }

    /// [`list`](Teams::list), rendered by `render` and remembered until the next
    /// write (as members and a workspace's grants are). A member who is not an Admin
    /// sees the public teams and its own, so the caller is part of the key then.
    pub async fn list_rendered(
        &self,
        caller: &Caller,
        filter: TeamFilter,
        req: PageRequest,
        render: impl FnOnce(Page<Team>) -> ServiceResult<Bytes>,
    ) -> ServiceResult<Bytes> {
        let key = (
            list_key(&TeamFilter {
                visible_to: visible_to(caller),
                ..filter.clone()
            }),
            req.page,
            req.limit,
        );
        self.pages
            .get_or_load(self.store.as_ref(), key, || async {
                render(self.list(caller, filter, req).await?)
            })
            .await
    }

    /// A conflict when another team (than `except`) has this name, without regard to
    /// case: Sigma's team names are unique.
    async fn name_is_free(&self, name: &str, except: Option<TeamId>) -> ServiceResult<()> {
        let filter = TeamFilter {
            name: Some(name.to_owned()),
            ..TeamFilter::default()
        };
        let (same, _) = self
            .store
            .list_teams(&filter, &sigil_store::Position::Start, 1000, false)
            .await?;
        let lower = name.to_lowercase();
        if let Some(t) = same
            .iter()
            .find(|t| t.name.to_lowercase() == lower && Some(t.id) != except)
        {
            return Err(ServiceError::conflict(format!(
                "a team named `{}` exists",
                t.name
            )));
        }
        Ok(())
    }

    /// Parses member ids and refuses the request naming every unknown one.
    async fn known_members(&self, field: &str, raw: &[String]) -> ServiceResult<Vec<MemberId>> {
        if raw.len() > MAX_IDS {
            return Err(ServiceError::invalid_field(
                field,
                format!(
                    "{field} names {} members; at most {MAX_IDS} a request",
                    raw.len()
                ),
            ));
        }
        let mut ids = Vec::new();
        let mut bad = Vec::new();
        for r in raw {
            match r.parse::<MemberId>() {
                Ok(id) => {
                    if !ids.contains(&id) {
                        ids.push(id)
                    }
                }
                Err(_) => bad.push(r.clone()),
            }
        }
        bad.extend(
            self.store
                .missing_members(&ids)
                .await?
                .iter()
                .map(ToString::to_string),
        );
        if !bad.is_empty() {
            return Err(ServiceError::invalid_field(
                field,
                format!("{field} names unknown members: {}", bad.join(", ")),
            ));
        }
        Ok(ids)
    }

    /// Creates a team and, with `create_team_folder`, a team workspace on which the
    /// team holds Can Manage. Admin only.
    pub async fn create(
        &self,
        caller: &Caller,
        req: NewTeamInput,
    ) -> ServiceResult<TeamWithMembers> {
        caller.require_admin()?;
        let name = check_text("name", &req.name, MAX_NAME, true)?;
        let description = check_text(
            "description",
            req.description.as_deref().unwrap_or(""),
            MAX_DESCRIPTION,
            false,
        )?;
        self.name_is_free(&name, None).await?;
        let members = self.known_members("members", &req.members).await?;
        let now = sigil_core::clock::now();
        let by = caller.id();
        let id = TeamId::new();
        let workspace = req.create_team_folder.then(|| {
            let ws = Inode {
                description: format!("Workspace of the team {name}"),
                ..Inode::new("workspace", &name, None, Some(by), now)
            };
            let grant = Grant {
                id: GrantId::new(),
                inode_id: ws.id,
                member_id: None,
                team_id: Some(id),
                permission: GrantPermission::Edit,
                created_by: Some(by),
                updated_by: Some(by),
                created_at: now,
                updated_at: now,
            };
            (ws, grant)
        });
        let team = Team {
            id,
            name,
            description,
            visibility: req.visibility.unwrap_or(Visibility::Private),
            workspace_id: workspace.as_ref().map(|(ws, _)| ws.id),
            is_archived: false,
            created_by: Some(by),
            updated_by: Some(by),
            created_at: now,
            updated_at: now,
        };
        let memberships = members
            .iter()
            .map(|m| TeamMember {
                team_id: id,
                member_id: *m,
                is_team_admin: false,
                added_by: Some(by),
                created_at: now,
            })
            .collect();
        self.store
            .insert_team(&NewTeam {
                team: team.clone(),
                members: memberships,
                workspace,
            })
            .await?;
        tracing::info!(team = %team.id, "team created");
        Ok(TeamWithMembers { team, members })
    }

    /// The team with the ids of its members.
    pub async fn get(&self, caller: &Caller, id: TeamId) -> ServiceResult<TeamWithMembers> {
        let team = self.visible(caller, id).await?;
        let (members, _) = self.store.team_members(team.id, None, 0, u32::MAX).await?;
        Ok(TeamWithMembers {
            team,
            members: members.iter().map(|m| m.member_id).collect(),
        })
    }

    /// Admin only.
    pub async fn update(
        &self,
        caller: &Caller,
        id: TeamId,
        req: TeamUpdate,
    ) -> ServiceResult<Team> {
        caller.require_admin()?;
        let mut t = self.visible(caller, id).await?;
        if let Some(n) = &req.name {
            t.name = check_text("name", n, MAX_NAME, true)?;
            self.name_is_free(&t.name, Some(t.id)).await?;
        }
        if let Some(d) = &req.description {
            t.description = check_text("description", d, MAX_DESCRIPTION, false)?;
        }
        if let Some(v) = req.visibility {
            t.visibility = v;
        }
        if let Some(a) = req.is_archived {
            t.is_archived = a;
        }
        t.updated_by = Some(caller.id());
        t.updated_at = sigil_core::clock::now();
        self.store.update_team(&t).await?;
        Ok(t)
    }

    /// Removes the team, its memberships and its grants; its workspace and documents
    /// stay. Admin only.
    pub async fn delete(&self, caller: &Caller, id: TeamId) -> ServiceResult<()> {
        caller.require_admin()?;
        let t = self.visible(caller, id).await?;
        if !self.store.delete_team(t.id).await? {
            return Err(ServiceError::not_found(format!("no team `{id}`")));
        }
        tracing::info!(team = %t.id, "team deleted");
        Ok(())
    }

    /// A team's members, by member id.
    pub async fn members(
        &self,
        caller: &Caller,
        id: TeamId,
        req: PageRequest,
    ) -> ServiceResult<Page<TeamMember>> {
        let t = self.visible(caller, id).await?;
        let store = self.store.clone();
        self.cursors
            .page(
                format!("team-members|{}", t.id),
                req,
                |pos, limit, _with_total| async move {
                    let (after, offset) = pos.into_parts();
                    let (rows, total) = store.team_members(t.id, after, offset, limit).await?;
                    Ok((rows, Some(total)))
                },
                |m: &TeamMember| m.member_id,
            )
            .await
    }

    /// Adds and removes members, all or nothing: an unknown member in `add` is
    /// refused, naming it. Admins, and the team's own team admins. Adding a member
    /// already in the team keeps its team-admin flag.
    pub async fn change_members(
        &self,
        caller: &Caller,
        id: TeamId,
        add: &[String],
        remove: &[String],
    ) -> ServiceResult<()> {
        let t = self.visible(caller, id).await?;
        self.require_team_manager(caller, t.id).await?;
        let add = self.known_members("add", add).await?;
        if remove.len() > MAX_IDS {
            return Err(ServiceError::invalid_field(
                "remove",
                format!(
                    "remove names {} members; at most {MAX_IDS} a request",
                    remove.len()
                ),
            ));
        }
        let mut removed = Vec::new();
        for r in remove {
            removed.push(r.parse::<MemberId>().map_err(|_| {
                ServiceError::invalid_field("remove", format!("remove: `{r}` is not a member id"))
            })?);
        }
        let now = sigil_core::clock::now();
        let mut adds = Vec::new();
        for m in add {
            let existing = self.store.team_membership(t.id, m).await?;
            adds.push(TeamMember {
                team_id: t.id,
                member_id: m,
                is_team_admin: existing.as_ref().is_some_and(|e| e.is_team_admin),
                added_by: existing.and_then(|e| e.added_by).or(Some(caller.id())),
                created_at: now,
            });
        }
        self.store
            .change_team_members(t.id, &adds, &removed)
            .await?;
        Ok(())
    }

    /// Makes a member of team `id` a team admin, or takes the flag away. Admins, and
    /// the team's own team admins.
    pub async fn set_team_admin(
        &self,
        caller: &Caller,
        id: TeamId,
        member: MemberId,
        is_team_admin: bool,
    ) -> ServiceResult<()> {
        let t = self.visible(caller, id).await?;
        self.require_team_manager(caller, t.id).await?;
        let existing = self
            .store
            .team_membership(t.id, member)
            .await?
            .ok_or_else(|| {
                ServiceError::not_found(format!("member `{member}` is not in this team"))
            })?;
        let updated = TeamMember {
            is_team_admin,
            ..existing
        };
        self.store
            .change_team_members(t.id, &[updated], &[])
            .await?;
        Ok(())
    }
}
