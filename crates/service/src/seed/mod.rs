//! Seed files: loading a declarative organization ([`load`]) and writing the current
//! one in the same shape ([`export`]). The shape is in [`format`].
//!
//! A load checks the whole file first (every reference, value and duplicate, named
//! by entry and field), then writes. It is all or nothing: a snapshot is taken
//! before the first write and restored if any write fails, so a file with an error
//! leaves the database as it was. (Not one database transaction: a write made by
//! another client while a failing load runs is undone with it. Load into a server
//! nobody else is writing to: at start, or from a test's set-up.)

mod export;
mod format;

use std::collections::{HashMap, HashSet};

use sigil_core::member::is_valid_email;
use sigil_core::{
    AccountType, AccountTypeId, ApiConnectorId, ApiCredentialId, ClientCredential, CredentialScope,
    GrantPermission, InodeId, Member, MemberId, Permission, Team, TeamId, TeamMember, Visibility,
};
use sigil_store::{Grantee, Inode, NewTeam, Store};

use crate::api_credentials::NewApiCredential;
use crate::connectors::NewConnector;
use crate::error::{ServiceError, ServiceResult};
use crate::Services;

pub use export::export;
pub use format::*;

const ROLLBACK: &str = "sigil-seed-rollback";

fn bad(field: impl Into<String>, message: impl std::fmt::Display) -> ServiceError {
    let field = field.into();
    ServiceError::invalid_field(field.clone(), format!("{field}: {message}"))
}

/// What a load wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub account_types: usize,
    pub user_attributes: usize,
    pub members: usize,
    pub teams: usize,
    pub api_credentials: usize,
    pub api_documents: usize,
    pub connectors: usize,
    pub nodes: usize,
    pub grants: usize,
}

/// Loads `file` as the Admin `actor` (who becomes the creator of what it makes and
/// the owner of what names none). A member whose email exists already is updated
/// (names, account type, password, state) and gets the file's client credentials
/// that it lacks; everything else must be new.
pub async fn load(services: &Services, file: &SeedFile, actor: MemberId) -> ServiceResult<Loaded> {
    let store = services.store.as_ref();
    check(services, file).await?;
    store
        .take_snapshot(ROLLBACK, sigil_core::clock::now())
        .await?;
    let result = Writer {
        services,
        store,
        actor,
        now: sigil_core::clock::now(),
        members: HashMap::new(),
        teams: HashMap::new(),
        credentials: HashMap::new(),
        loaded: Loaded::default(),
    }
    .write(file)
    .await;
    if result.is_err() {
        if let Err(e) = store
            .restore_snapshot(ROLLBACK, sigil_core::clock::now())
            .await
        {
            tracing::error!(error = %e, "a failed seed could not be rolled back");
        }
    }
    store.delete_snapshot(ROLLBACK).await?;
    result
}

/// [`load`] as the Admin with this email (`sigil seed --as`).
pub async fn load_as(services: &Services, file: &SeedFile, email: &str) -> ServiceResult<Loaded> {
    let actor = services
        .store
        .member_by_email(email)
        .await?
        .ok_or_else(|| ServiceError::not_found(format!("no member has the email `{email}`")))?;
    services.auth.caller(actor.id).await?.require_admin()?;
    load(services, file, actor.id).await
}

/// Everything that can be checked without writing: values, references within the
/// file and against the database, and duplicates.
async fn check(services: &Services, file: &SeedFile) -> ServiceResult<()> {
    let store = services.store.as_ref();
    let mut type_names: HashSet<String> = HashSet::new();
    for (i, t) in file.account_types.iter().enumerate() {
        let at = format!("accountTypes[{i}]");
        let name = t.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad(format!("{at}.name"), "must be 1 to 100 characters"));
        }
        if !type_names.insert(name.to_lowercase())
            || store.account_type_by_name(name).await?.is_some()
        {
            return Err(bad(format!("{at}.name"), format!("`{name}` is taken")));
        }
        for (j, p) in t.permissions.iter().enumerate() {
            if Permission::parse(p).is_none() {
                let all: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
                return Err(bad(
                    format!("{at}.permissions[{j}]"),
                    format!("`{p}` is not a permission ({})", all.join(", ")),
                ));
            }
        }
    }
    let mut emails: HashSet<String> = HashSet::new();
    let mut client_ids: HashSet<&str> = HashSet::new();
    for (i, m) in file.members.iter().enumerate() {
        let at = format!("members[{i}]");
        if !is_valid_email(&m.email) {
            return Err(bad(format!("{at}.email"), "is not an email address"));
        }
        if !emails.insert(sigil_core::member::normalize_email(&m.email)) {
            return Err(bad(
                format!("{at}.email"),
                format!("`{}` is listed twice", m.email),
            ));
        }
        if !type_names.contains(&m.account_type.trim().to_lowercase())
            && store
                .account_type_by_name(m.account_type.trim())
                .await?
                .is_none()
        {
            return Err(bad(
                format!("{at}.accountType"),
                format!("no account type is named `{}`", m.account_type),
            ));
        }
        if let Some(p) = &m.password {
            if !(8..=1024).contains(&p.chars().count()) {
                return Err(bad(
                    format!("{at}.password"),
                    "must have 8 to 1024 characters",
                ));
            }
        }
        if m.password.is_some() && m.password_hash.is_some() {
            return Err(bad(
                format!("{at}.passwordHash"),
                "give a password or its hash, not both",
            ));
        }
        if let Some(h) = &m.password_hash {
            if !h.starts_with("$argon2") {
                return Err(bad(format!("{at}.passwordHash"), "is not an argon2 hash"));
            }
        }
        for (j, c) in m.client_credentials.iter().enumerate() {
            let at = format!("{at}.clientCredentials[{j}]");
            let ok_id = (1..=128).contains(&c.client_id.len())
                && c.client_id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if !ok_id {
                return Err(bad(
                    format!("{at}.clientId"),
                    "must be 1 to 128 letters, digits, `-`, `_` or `.`",
                ));
            }
            if !client_ids.insert(&c.client_id) {
                return Err(bad(format!("{at}.clientId"), "is listed twice"));
            }
            match &c.client_secret {
                None => return Err(bad(format!("{at}.clientSecret"), "is required")),
                Some(s) if s.chars().count() < crate::config::MIN_CLIENT_SECRET => {
                    return Err(bad(
                        format!("{at}.clientSecret"),
                        "is too weak: it must have at least 32 characters",
                    ))
                }
                _ => {}
            }
        }
    }
    let known_member = |email: &str| {
        let email = sigil_core::member::normalize_email(email);
        let in_file = emails.contains(&email);
        async move { Ok::<_, ServiceError>(in_file || store.member_by_email(&email).await?.is_some()) }
    };
    let mut team_names: HashSet<&str> = HashSet::new();
    for (i, t) in file.teams.iter().enumerate() {
        let at = format!("teams[{i}]");
        if t.name.trim().is_empty() || t.name.chars().count() > 100 {
            return Err(bad(format!("{at}.name"), "must be 1 to 100 characters"));
        }
        if !team_names.insert(&t.name) {
            return Err(bad(
                format!("{at}.name"),
                format!("`{}` is listed twice", t.name),
            ));
        }
        if let Some(v) = &t.visibility {
            if Visibility::parse(v).is_none() {
                return Err(bad(
                    format!("{at}.visibility"),
                    "must be `public` or `private`",
                ));
            }
        }
        for (j, m) in t.members.iter().enumerate() {
            if !known_member(m.email()).await? {
                return Err(bad(
                    format!("{at}.members[{j}]"),
                    format!("no member has the email `{}`", m.email()),
                ));
            }
        }
    }
    let mut attribute_names: HashSet<String> = HashSet::new();
    for (i, a) in file.user_attributes.iter().enumerate() {
        let at = format!("userAttributes[{i}]");
        let name = a.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(bad(format!("{at}.name"), "must be 1 to 100 characters"));
        }
        let taken = store
            .list_user_attributes(Some(name), 0, 1000)
            .await?
            .0
            .iter()
            .any(|x| x.name.to_lowercase() == name.to_lowercase());
        if !attribute_names.insert(name.to_lowercase()) || taken {
            return Err(bad(format!("{at}.name"), format!("`{name}` is taken")));
        }
        for (j, u) in a.users.iter().enumerate() {
            if !known_member(&u.email).await? {
                return Err(bad(
                    format!("{at}.users[{j}].email"),
                    format!("no member has the email `{}`", u.email),
                ));
            }
        }
        for (j, t) in a.teams.iter().enumerate() {
            let known = team_names.contains(t.team.as_str()) || team_exists(store, &t.team).await?;
            if !known {
                return Err(bad(
                    format!("{at}.teams[{j}].team"),
                    format!("no team is named `{}`", t.team),
                ));
            }
        }
    }
    let mut credential_names: HashSet<&str> = HashSet::new();
    for (i, c) in file.api_credentials.iter().enumerate() {
        if !credential_names.insert(&c.name) {
            return Err(bad(format!("apiCredentials[{i}].name"), "is listed twice"));
        }
    }
    for (i, c) in file.connectors.iter().enumerate() {
        if let Some(n) = &c.credential {
            if !credential_names.contains(n.as_str()) {
                return Err(bad(
                    format!("connectors[{i}].credential"),
                    format!("no API credential in this file is named `{n}`"),
                ));
            }
        }
    }
    let teams_in_file: HashSet<&str> = team_names;
    let mut stack: Vec<(String, &SeedNode)> = file
        .workspaces
        .iter()
        .enumerate()
        .map(|(i, w)| (format!("workspaces[{i}]"), w))
        .collect();
    while let Some((at, node)) = stack.pop() {
        if node.name.trim().is_empty() {
            return Err(bad(format!("{at}.name"), "is required"));
        }
        let mut grants: Vec<(String, &SeedGrant)> = node
            .grants
            .iter()
            .enumerate()
            .map(|(j, g)| (format!("{at}.grants[{j}]"), g))
            .collect();
        let mut owners: Vec<(String, &String)> = node
            .owner
            .iter()
            .map(|o| (format!("{at}.owner"), o))
            .collect();
        for (j, w) in node.workbooks.iter().enumerate() {
            let wat = format!("{at}.workbooks[{j}]");
            if w.name.trim().is_empty() {
                return Err(bad(format!("{wat}.name"), "is required"));
            }
            if let Some(d) = &w.document {
                crate::workbooks::parse_document(d.clone())
                    .map_err(|e| bad(format!("{wat}.{}", e.field().unwrap_or("document")), e))?;
            }
            owners.extend(w.owner.iter().map(|o| (format!("{wat}.owner"), o)));
            grants.extend(
                w.grants
                    .iter()
                    .enumerate()
                    .map(|(k, g)| (format!("{wat}.grants[{k}]"), g)),
            );
        }
        for (field, email) in owners {
            if !known_member(email).await? {
                return Err(bad(field, format!("no member has the email `{email}`")));
            }
        }
        for (field, g) in grants {
            if GrantPermission::parse(&g.permission).is_none() {
                return Err(bad(
                    format!("{field}.permission"),
                    "must be `view`, `explore`, `organize` (Can Contribute) or `edit` (Can Manage)",
                ));
            }
            match (&g.member, &g.team) {
                (Some(email), None) => {
                    if !known_member(email).await? {
                        return Err(bad(
                            format!("{field}.member"),
                            format!("no member has the email `{email}`"),
                        ));
                    }
                }
                (None, Some(team)) => {
                    let known =
                        teams_in_file.contains(team.as_str()) || team_exists(store, team).await?;
                    if !known {
                        return Err(bad(
                            format!("{field}.team"),
                            format!("no team is named `{team}`"),
                        ));
                    }
                }
                _ => return Err(bad(field, "names either a member or a team")),
            }
        }
        for (j, f) in node.folders.iter().enumerate() {
            stack.push((format!("{at}.folders[{j}]"), f));
        }
    }
    Ok(())
}

/// Whether a team of exactly this name exists.
async fn team_exists(store: &dyn Store, name: &str) -> ServiceResult<bool> {
    let (found, _) = store
        .list_teams(
            &sigil_store::TeamFilter {
                name: Some(name.to_owned()),
                ..Default::default()
            },
            &sigil_store::Position::Start,
            10,
            false,
        )
        .await?;
    Ok(found.iter().any(|t| t.name == name))
}

struct Writer<'a> {
    services: &'a Services,
    store: &'a dyn Store,
    actor: MemberId,
    now: time::OffsetDateTime,
    members: HashMap<String, MemberId>,
    teams: HashMap<String, TeamId>,
    credentials: HashMap<String, ApiCredentialId>,
    loaded: Loaded,
}

impl Writer<'_> {
    async fn write(mut self, file: &SeedFile) -> ServiceResult<Loaded> {
        let org = self.services.organization.id;
        for (i, t) in file.account_types.iter().enumerate() {
            let at = AccountType {
                id: t
                    .id
                    .map(AccountTypeId::from)
                    .unwrap_or_else(AccountTypeId::new),
                organization_id: org,
                name: t.name.trim().to_owned(),
                description: t.description.clone(),
                builtin: false,
                permissions: t
                    .permissions
                    .iter()
                    .filter_map(|p| Permission::parse(p))
                    .collect(),
            };
            self.store
                .insert_account_type(&at, self.now)
                .await
                .map_err(|e| bad(format!("accountTypes[{i}]"), e))?;
            self.loaded.account_types += 1;
        }
        for (i, m) in file.members.iter().enumerate() {
            self.member(i, m).await?;
        }
        for (i, t) in file.teams.iter().enumerate() {
            self.team(i, t).await?;
        }
        for (i, a) in file.user_attributes.iter().enumerate() {
            self.user_attribute(i, a).await?;
        }
        for (i, c) in file.api_credentials.iter().enumerate() {
            let id =
                c.id.map(ApiCredentialId::from)
                    .unwrap_or_else(ApiCredentialId::new);
            let row = self.services.api_credentials.row(
                id,
                NewApiCredential {
                    name: c.name.clone(),
                    description: c.description.clone(),
                    allowlist: c.authorized_domains.clone(),
                    credential: c.credential.clone(),
                },
                self.actor,
                self.now,
            );
            let row = row.map_err(|e| bad(format!("apiCredentials[{i}]"), e))?;
            self.store
                .insert_api_credential(&row)
                .await
                .map_err(|e| bad(format!("apiCredentials[{i}]"), e))?;
            self.credentials.insert(c.name.clone(), id);
            self.loaded.api_credentials += 1;
        }
        for (i, c) in file.connectors.iter().enumerate() {
            let id =
                c.id.map(ApiConnectorId::from)
                    .unwrap_or_else(ApiConnectorId::new);
            let req = NewConnector {
                name: c.name.clone(),
                description: c.description.clone(),
                params: c.params.clone(),
                config: c.config.clone(),
                auth_id: c
                    .credential
                    .as_ref()
                    .and_then(|n| self.credentials.get(n))
                    .map(|id| id.to_string()),
            };
            let row = self
                .services
                .connectors
                .row_for(id, self.actor, req)
                .await
                .map_err(|e| bad(format!("connectors[{i}]"), e))?;
            self.store
                .insert_api_connector(&row)
                .await
                .map_err(|e| bad(format!("connectors[{i}]"), e))?;
            self.loaded.connectors += 1;
        }
        for (i, w) in file.workspaces.iter().enumerate() {
            self.node(format!("workspaces[{i}]"), w, None).await?;
        }
        Ok(self.loaded)
    }

    async fn user_attribute(&mut self, i: usize, a: &SeedUserAttribute) -> ServiceResult<()> {
        let at = format!("userAttributes[{i}]");
        let attr = sigil_store::UserAttribute {
            id: a.id.unwrap_or_else(uuid::Uuid::now_v7),
            name: a.name.trim().to_owned(),
            description: a.description.clone(),
            default_value: a.default_value.clone(),
            created_by: self.actor,
            updated_by: self.actor,
            created_at: self.now,
            updated_at: self.now,
        };
        self.store
            .insert_user_attribute(&attr)
            .await
            .map_err(|e| bad(&at, e))?;
        let mut users = Vec::new();
        for u in &a.users {
            users.push((attr.id, self.member_id(&u.email).await?.0, u.value.clone()));
        }
        // In the file's order, which one write keeps as the teams' priority.
        let mut teams = Vec::new();
        for t in &a.teams {
            teams.push((attr.id, self.team_id(&t.team).await?.0, t.value.clone()));
        }
        let org = self.services.organization.id.0;
        let tenant: Vec<_> = a
            .organization
            .iter()
            .map(|v| (attr.id, org, v.clone()))
            .collect();
        for (holder, values) in [
            (sigil_store::AttributeHolder::Member, users),
            (sigil_store::AttributeHolder::Team, teams),
            (sigil_store::AttributeHolder::Tenant, tenant),
        ] {
            if !values.is_empty() {
                self.store
                    .set_attribute_values(holder, &values, self.actor, self.now)
                    .await
                    .map_err(|e| bad(&at, e))?;
            }
        }
        self.loaded.user_attributes += 1;
        Ok(())
    }

    async fn member_id(&mut self, email: &str) -> ServiceResult<MemberId> {
        let email = sigil_core::member::normalize_email(email);
        if let Some(id) = self.members.get(&email) {
            return Ok(*id);
        }
        let m =
            self.store.member_by_email(&email).await?.ok_or_else(|| {
                ServiceError::invalid(format!("no member has the email `{email}`"))
            })?;
        self.members.insert(email, m.id);
        Ok(m.id)
    }

    async fn member(&mut self, i: usize, m: &SeedMember) -> ServiceResult<()> {
        let at = format!("members[{i}]");
        let account_type = self
            .store
            .account_type_by_name(m.account_type.trim())
            .await?
            .ok_or_else(|| bad(format!("{at}.accountType"), "no such account type"))?;
        let hash = match (&m.password, &m.password_hash) {
            (Some(p), _) => Some(crate::auth::secrets::hash_password_async(p.clone()).await),
            (None, Some(h)) => Some(h.clone()),
            (None, None) => None,
        };
        let existing = self.store.member_by_email(&m.email).await?;
        let id = match existing {
            Some(mut old) => {
                old.first_name = m.first_name.clone();
                old.last_name = m.last_name.clone();
                old.account_type_id = account_type.id;
                let deactivated = m.inactive && !old.is_inactive;
                old.is_inactive = m.inactive;
                old.updated_by = Some(self.actor);
                old.updated_at = self.now;
                self.store
                    .update_member(&old, deactivated)
                    .await
                    .map_err(|e| bad(&at, e))?;
                if let Some(h) = &hash {
                    self.store.set_member_password(old.id, h, self.now).await?;
                }
                old.id
            }
            None => {
                let mut new = Member::new(
                    self.services.organization.id,
                    &m.email,
                    account_type.id,
                    Some(self.actor),
                    self.now,
                );
                if let Some(id) = m.id {
                    new.id = MemberId::from(id);
                }
                new.first_name = m.first_name.clone();
                new.last_name = m.last_name.clone();
                new.password_hash = hash;
                new.is_inactive = m.inactive;
                new.home_folder_id = Some(InodeId::new());
                self.store
                    .insert_member(&new, &[])
                    .await
                    .map_err(|e| bad(&at, e))?;
                new.id
            }
        };
        self.members
            .insert(sigil_core::member::normalize_email(&m.email), id);
        for (j, c) in m.client_credentials.iter().enumerate() {
            let cat = format!("{at}.clientCredentials[{j}]");
            if self.store.client_credential(&c.client_id).await?.is_some() {
                // Already there (the first Admin's, named by the bootstrap settings).
                continue;
            }
            let secret = c.client_secret.as_deref().unwrap_or_default();
            let (secret_hash, sealed) = self.services.auth.secrets().protect(&c.client_id, secret);
            let cred = ClientCredential {
                client_id: c.client_id.clone(),
                organization_id: self.services.organization.id,
                owner_id: id,
                name: c.name.clone(),
                description: c.description.clone(),
                scopes: vec![CredentialScope::Api],
                secret_hash,
                secret_sealed: Some(sealed),
                created_by: Some(self.actor),
                created_at: self.now,
                revoked_at: None,
            };
            self.store
                .insert_client_credential(&cred)
                .await
                .map_err(|e| bad(cat, e))?;
        }
        self.loaded.members += 1;
        Ok(())
    }

    async fn team(&mut self, i: usize, t: &SeedTeam) -> ServiceResult<()> {
        let id = t.id.map_or_else(TeamId::new, TeamId::from);
        let mut members = Vec::new();
        for m in &t.members {
            members.push(TeamMember {
                team_id: id,
                member_id: self.member_id(m.email()).await?,
                is_team_admin: m.admin(),
                added_by: Some(self.actor),
                created_at: self.now,
            });
        }
        let team = Team {
            id,
            name: t.name.clone(),
            description: t.description.clone(),
            visibility: t
                .visibility
                .as_deref()
                .and_then(Visibility::parse)
                .unwrap_or(Visibility::Public),
            workspace_id: None,
            is_archived: false,
            created_by: Some(self.actor),
            updated_by: Some(self.actor),
            created_at: self.now,
            updated_at: self.now,
        };
        self.store
            .insert_team(&NewTeam {
                team,
                members,
                workspace: None,
            })
            .await
            .map_err(|e| bad(format!("teams[{i}]"), e))?;
        self.teams.insert(t.name.clone(), id);
        self.loaded.teams += 1;
        Ok(())
    }

    async fn team_id(&mut self, name: &str) -> ServiceResult<TeamId> {
        if let Some(id) = self.teams.get(name) {
            return Ok(*id);
        }
        let (found, _) = self
            .store
            .list_teams(
                &sigil_store::TeamFilter {
                    name: Some(name.to_owned()),
                    ..Default::default()
                },
                &sigil_store::Position::Start,
                10,
                false,
            )
            .await?;
        let t = found
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| ServiceError::invalid(format!("no team is named `{name}`")))?;
        self.teams.insert(name.to_owned(), t.id);
        Ok(t.id)
    }

    fn inode(
        &self,
        id: Option<uuid::Uuid>,
        kind: &str,
        name: &str,
        description: &str,
        parent: Option<InodeId>,
        owner: MemberId,
    ) -> Inode {
        Inode {
            id: id.map_or_else(InodeId::new, InodeId::from),
            kind: kind.to_owned(),
            name: name.trim().to_owned(),
            description: description.to_owned(),
            parent_id: parent,
            owner_id: Some(owner),
            created_by: Some(self.actor),
            updated_by: Some(self.actor),
            is_archived: false,
            created_at: self.now,
            updated_at: self.now,
        }
    }

    async fn owner(&mut self, owner: &Option<String>) -> ServiceResult<MemberId> {
        match owner {
            Some(email) => self.member_id(email).await,
            None => Ok(self.actor),
        }
    }

    async fn grants(
        &mut self,
        at: &str,
        inode: InodeId,
        grants: &[SeedGrant],
    ) -> ServiceResult<()> {
        if grants.is_empty() {
            return Ok(());
        }
        let mut list = Vec::new();
        for g in grants {
            let grantee = match (&g.member, &g.team) {
                (Some(email), _) => Grantee::Member(self.member_id(email).await?),
                (None, Some(team)) => Grantee::Team(self.team_id(team).await?),
                (None, None) => return Err(bad(at, "a grant names a member or a team")),
            };
            let p = GrantPermission::parse(&g.permission)
                .ok_or_else(|| bad(format!("{at}.permission"), "no such permission"))?;
            list.push((grantee, p));
        }
        self.store
            .upsert_grants(inode, &list, self.actor, self.now)
            .await
            .map_err(|e| bad(format!("{at}.grants"), e))?;
        self.loaded.grants += list.len();
        Ok(())
    }

    async fn node(
        &mut self,
        at: String,
        n: &SeedNode,
        parent: Option<InodeId>,
    ) -> ServiceResult<()> {
        let owner = self.owner(&n.owner).await?;
        let kind = if parent.is_none() {
            "workspace"
        } else {
            "folder"
        };
        let node = self.inode(n.id, kind, &n.name, &n.description, parent, owner);
        let id = node.id;
        self.store
            .insert_inode(&node)
            .await
            .map_err(|e| bad(&at, e))?;
        self.loaded.nodes += 1;
        self.grants(&at, id, &n.grants).await?;
        for (j, w) in n.workbooks.iter().enumerate() {
            let wat = format!("{at}.workbooks[{j}]");
            let owner = self.owner(&w.owner).await?;
            let node = self.inode(w.id, "workbook", &w.name, &w.description, Some(id), owner);
            let document = match &w.document {
                Some(d) => {
                    let doc = crate::workbooks::parse_document(d.clone())
                        .map_err(|e| bad(format!("{wat}.document"), e))?;
                    self.services
                        .workbooks
                        .validate(&doc)
                        .await
                        .map_err(|e| bad(format!("{wat}.document"), e))?;
                    serde_json::to_string(&doc).map_err(ServiceError::internal)?
                }
                None => crate::files::EMPTY_WORKBOOK.to_owned(),
            };
            self.store
                .create_workbook(&node, &document)
                .await
                .map_err(|e| bad(&wat, e))?;
            self.loaded.nodes += 1;
            self.grants(&wat, node.id, &w.grants).await?;
        }
        for (j, f) in n.folders.iter().enumerate() {
            Box::pin(self.node(format!("{at}.folders[{j}]"), f, Some(id))).await?;
        }
        Ok(())
    }
}

/// Parses a seed file's text, naming the file in the message.
pub fn parse(text: &str, name: &str) -> ServiceResult<SeedFile> {
    SeedFile::parse(text).map_err(|e| ServiceError::invalid(format!("{name}: {e}")))
}

/// The first Admin's email in a file, if the file lists `email`: its id, so that the
/// first run can give that Admin the file's id.
pub fn member_id_in(file: &SeedFile, email: &str) -> Option<MemberId> {
    let email = sigil_core::member::normalize_email(email);
    file.members
        .iter()
        .find(|m| sigil_core::member::normalize_email(&m.email) == email)
        .and_then(|m| m.id)
        .map(MemberId::from)
}
