//! [`export`]: the organization as a seed file, ids included so that seeding it
//! again gives the same ids. Secrets (client secrets, password hashes, API
//! credentials' secrets) only when asked for.

use std::collections::HashMap;

use sigil_core::{InodeId, MemberId, TeamId};
use sigil_store::{Grant, InodeFilter, MemberFilter, Position, Store, TeamFilter, WorkspaceFilter};

use super::format::*;
use crate::error::{ServiceError, ServiceResult};
use crate::Services;

const PAGE: u32 = 500;

struct Names {
    members: HashMap<MemberId, String>,
    teams: HashMap<TeamId, String>,
}

/// The organization as a seed file. Builtin account types, home folders and their
/// documents, archived things, call logs and runs are left out.
pub async fn export(services: &Services, include_secrets: bool) -> ServiceResult<SeedFile> {
    let store = services.store.as_ref();
    let mut file = SeedFile::default();

    let mut types = HashMap::new();
    for t in store.list_account_types(None, 10_000).await? {
        types.insert(t.id, t.name.clone());
        if !t.builtin {
            file.account_types.push(SeedAccountType {
                id: Some(t.id.0),
                name: t.name,
                description: t.description,
                permissions: t
                    .permissions
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
            });
        }
    }

    let mut clients: HashMap<MemberId, Vec<SeedClient>> = HashMap::new();
    for c in store.list_client_credentials().await? {
        let secret = match (&c.secret_sealed, include_secrets) {
            (Some(sealed), true) => services.auth.secrets().open(&c.client_id, sealed),
            _ => None,
        };
        clients.entry(c.owner_id).or_default().push(SeedClient {
            name: c.name,
            description: c.description,
            client_id: c.client_id,
            client_secret: secret,
        });
    }

    let mut names = Names {
        members: HashMap::new(),
        teams: HashMap::new(),
    };
    let filter = MemberFilter {
        include_inactive: true,
        ..Default::default()
    };
    let mut offset = 0u64;
    loop {
        let (page, _) = store
            .list_members(&filter, &Position::Offset(offset), PAGE, false)
            .await?;
        let n = page.len();
        for m in page {
            names.members.insert(m.id, m.email.clone());
            let mut own = clients.remove(&m.id).unwrap_or_default();
            own.sort_by(|a, b| a.client_id.cmp(&b.client_id));
            file.members.push(SeedMember {
                id: Some(m.id.0),
                email: m.email,
                first_name: m.first_name,
                last_name: m.last_name,
                account_type: types.get(&m.account_type_id).cloned().unwrap_or_default(),
                password: None,
                password_hash: m.password_hash.filter(|_| include_secrets),
                inactive: m.is_inactive,
                client_credentials: own,
            });
        }
        if n < PAGE as usize {
            break;
        }
        offset += n as u64;
    }

    let mut offset = 0u64;
    loop {
        let (page, _) = store
            .list_teams(
                &TeamFilter::default(),
                &Position::Offset(offset),
                PAGE,
                false,
            )
            .await?;
        let n = page.len();
        for t in page {
            names.teams.insert(t.id, t.name.clone());
            let (members, _) = store.team_members(t.id, None, 0, u32::MAX).await?;
            let mut members: Vec<SeedTeamMember> = members
                .iter()
                .map(|tm| {
                    let email = names
                        .members
                        .get(&tm.member_id)
                        .cloned()
                        .unwrap_or_default();
                    if tm.is_team_admin {
                        SeedTeamMember::Full { email, admin: true }
                    } else {
                        SeedTeamMember::Email(email)
                    }
                })
                .collect();
            members.sort_by(|a, b| a.email().cmp(b.email()));
            file.teams.push(SeedTeam {
                id: Some(t.id.0),
                name: t.name,
                description: t.description,
                visibility: Some(t.visibility.as_str().to_owned()),
                members,
            });
        }
        if n < PAGE as usize {
            break;
        }
        offset += n as u64;
    }

    let mut offset = 0u64;
    loop {
        let (page, _) = store.list_user_attributes(None, offset, PAGE).await?;
        let n = page.len();
        for a in page {
            file.user_attributes
                .push(user_attribute(store, &names, a).await?);
        }
        if n < PAGE as usize {
            break;
        }
        offset += n as u64;
    }

    let mut credential_names = HashMap::new();
    let mut after = None;
    loop {
        let page = store
            .list_api_credentials(None, after.clone(), PAGE)
            .await?;
        let n = page.len();
        for c in page {
            after = Some((c.name.clone(), c.id));
            credential_names.insert(c.id, c.name.clone());
            let credential = if include_secrets {
                services.api_credentials.reveal(&c)?
            } else {
                serde_json::from_str(&c.public).map_err(ServiceError::internal)?
            };
            file.api_credentials.push(SeedApiCredential {
                id: Some(c.id.0),
                name: c.name,
                description: c.description,
                authorized_domains: c.allowlist,
                credential,
            });
        }
        if n < PAGE as usize {
            break;
        }
    }

    let mut after = None;
    loop {
        let page = store.list_api_documents(after.clone(), PAGE).await?;
        let n = page.len();
        for d in page {
            after = Some((d.name.clone(), d.id));
            let text = store.api_document_body(d.id).await?.unwrap_or_default();
            file.api_documents.push(SeedApiDocument {
                id: Some(d.id.0),
                name: Some(d.name),
                source_url: d.source_url,
                text,
            });
        }
        if n < PAGE as usize {
            break;
        }
    }

    let mut after = None;
    loop {
        let page = store.list_api_connectors(None, after.clone(), PAGE).await?;
        let n = page.len();
        for c in page {
            after = Some((c.name.clone(), c.id));
            file.connectors.push(SeedConnector {
                id: Some(c.id.0),
                name: c.name,
                description: c.description,
                credential: c.auth_id.and_then(|a| credential_names.get(&a).cloned()),
                params: serde_json::from_str(&c.params).map_err(ServiceError::internal)?,
                config: Some(serde_json::from_str(&c.config).map_err(ServiceError::internal)?),
            });
        }
        if n < PAGE as usize {
            break;
        }
    }

    let mut offset = 0u64;
    loop {
        let (page, _) = store
            .list_workspaces(
                &WorkspaceFilter::default(),
                &Position::Offset(offset),
                PAGE,
                false,
            )
            .await?;
        let n = page.len();
        for w in page {
            let node =
                Box::pin(node(store, &names, w.id, w.name, w.description, w.owner_id)).await?;
            file.workspaces.push(node);
        }
        if n < PAGE as usize {
            break;
        }
        offset += n as u64;
    }
    Ok(file)
}

async fn user_attribute(
    store: &dyn Store,
    names: &Names,
    a: sigil_store::UserAttribute,
) -> ServiceResult<SeedUserAttribute> {
    use sigil_store::AttributeHolder;
    let all = |holder| async move {
        let (values, _) = store.attribute_values(holder, a.id, 0, u32::MAX).await?;
        Ok::<_, ServiceError>(values)
    };
    let mut users: Vec<SeedUserValue> = all(AttributeHolder::Member)
        .await?
        .into_iter()
        .filter_map(|v| {
            let email = names.members.get(&MemberId(v.holder_id))?.clone();
            Some(SeedUserValue {
                email,
                value: v.value,
            })
        })
        .collect();
    users.sort_by(|x, y| x.email.cmp(&y.email));
    // Already in priority order, which the file keeps.
    let teams = all(AttributeHolder::Team)
        .await?
        .into_iter()
        .filter_map(|v| {
            Some(SeedTeamValue {
                team: names.teams.get(&TeamId(v.holder_id))?.clone(),
                value: v.value,
            })
        })
        .collect();
    let organization = all(AttributeHolder::Tenant)
        .await?
        .into_iter()
        .next()
        .map(|v| v.value);
    Ok(SeedUserAttribute {
        id: Some(a.id),
        name: a.name,
        description: a.description,
        default_value: a.default_value,
        users,
        teams,
        organization,
    })
}

async fn grants(store: &dyn Store, names: &Names, inode: InodeId) -> ServiceResult<Vec<SeedGrant>> {
    let (list, _) = store.grants_on(inode, None, 0, u32::MAX, false).await?;
    let mut out: Vec<SeedGrant> = list
        .iter()
        .map(|g: &Grant| SeedGrant {
            member: g.member_id.and_then(|m| names.members.get(&m).cloned()),
            team: g.team_id.and_then(|t| names.teams.get(&t).cloned()),
            permission: g.permission.as_str().to_owned(),
        })
        .collect();
    out.sort_by(|a, b| (&a.member, &a.team).cmp(&(&b.member, &b.team)));
    Ok(out)
}

async fn node(
    store: &dyn Store,
    names: &Names,
    id: InodeId,
    name: String,
    description: String,
    owner: Option<MemberId>,
) -> ServiceResult<SeedNode> {
    let mut out = SeedNode {
        id: Some(id.0),
        name,
        description,
        owner: owner.and_then(|o| names.members.get(&o).cloned()),
        grants: grants(store, names, id).await?,
        folders: Vec::new(),
        workbooks: Vec::new(),
    };
    let filter = InodeFilter {
        parent: Some(id),
        ..Default::default()
    };
    let mut offset = 0u64;
    loop {
        let (page, _) = store
            .list_inodes(&filter, &Position::Offset(offset), PAGE, false)
            .await?;
        let n = page.len();
        for child in page {
            match child.kind.as_str() {
                "folder" => {
                    let f = Box::pin(node(
                        store,
                        names,
                        child.id,
                        child.name,
                        child.description,
                        child.owner_id,
                    ))
                    .await?;
                    out.folders.push(f);
                }
                "workbook" => {
                    let document = match store.workbook_document(child.id).await? {
                        Some((d, _)) => {
                            Some(serde_json::from_str(&d).map_err(ServiceError::internal)?)
                        }
                        None => None,
                    };
                    out.workbooks.push(SeedWorkbook {
                        id: Some(child.id.0),
                        name: child.name,
                        description: child.description,
                        owner: child.owner_id.and_then(|o| names.members.get(&o).cloned()),
                        document,
                        grants: grants(store, names, child.id).await?,
                    });
                }
                _ => {}
            }
        }
        if n < PAGE as usize {
            break;
        }
        offset += n as u64;
    }
    Ok(out)
}
