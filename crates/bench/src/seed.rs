//! Bulk state for the members and grants suites, written straight into SQLite so
//! that a million rows take seconds.

use crate::*;

/// Adds `n` members through the store (with their home folders), in parallel tasks.
pub(crate) fn seed_members(server: &Server, n: usize) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let rt = &server._runtime;
    rt.block_on(async {
        let viewer = server
            .store
            .account_type_by_name("Viewer")
            .await?
            .context("Viewer exists")?;
        let org = server.init.organization_id;
        let mut tasks = Vec::new();
        for chunk in 0..16usize {
            let store = server.store.clone();
            let type_id = viewer.id;
            tasks.push(tokio::spawn(async move {
                for i in (chunk..n).step_by(16) {
                    let now = sigil_core::clock::now();
                    let mut m = sigil_core::Member::new(
                        org,
                        &format!("member{i:06}@example.com"),
                        type_id,
                        None,
                        now,
                    );
                    m.first_name = format!("First{i}");
                    m.last_name = "Bench".into();
                    m.home_folder_id = Some(sigil_core::InodeId::new());
                    store.insert_member(&m, &[]).await?;
                }
                anyhow::Ok(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        anyhow::Ok(())
    })?;
    Ok(start.elapsed())
}

/// Writes the grants suite's data straight into the SQLite file: building a million
/// grantees through the API would take longer than everything measured. What is
/// measured afterwards goes through the server as usual.
pub(crate) struct GrantsWorld {
    pub(crate) workspace: String,
    pub(crate) member_in_teams: sigil_core::MemberId,
    pub(crate) spare: Vec<String>,
}

pub(crate) fn seed_grants(
    server: &Server,
    grants: usize,
    token: &str,
) -> anyhow::Result<(GrantsWorld, Duration)> {
    let start = Instant::now();
    let rt = &server._runtime;
    let world = rt.block_on(async {
        let client = reqwest::Client::new();
        let ws: serde_json::Value = client
            .post(format!("{}/v2/workspaces", server.base))
            .bearer_auth(token)
            .json(&serde_json::json!({"name": "Bench"}))
            .send()
            .await?
            .json()
            .await?;
        let ws_id: uuid::Uuid = ws["workspaceId"]
            .as_str()
            .context("workspace id")?
            .parse()?;
        let viewer = server
            .store
            .account_type_by_name("Viewer")
            .await?
            .context("Viewer")?;
        let org = server.init.organization_id.0;
        let admin = server.init.member_id.0;
        let now = sigil_core::clock::now();
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&server.db_url).await?;
        let mut tx = c.begin().await?;
        // Grantees: one member each; 100 spare ones for the batch POSTs.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
             INSERT INTO members (id, organization_id, email, first_name, last_name, \
             account_type_id, is_inactive, is_archived, user_kind, invite_requested, \
             created_at, updated_at) \
             SELECT randomblob(16), $2, 'grantee' || i || '@bench.example', 'G', 'B', $3, \
             FALSE, FALSE, 'internal', FALSE, $4, $4 FROM n",
        )
        .bind((grants + 1000) as i64)
        .bind(org)
        .bind(viewer.id.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO grants (id, inode_id, member_id, team_id, permission, created_by, \
             updated_by, created_at, updated_at) \
             SELECT randomblob(16), $1, id, NULL, 'view', $2, $2, $3, $3 FROM members \
             WHERE email LIKE 'grantee%' LIMIT $4",
        )
        .bind(ws_id)
        .bind(admin)
        .bind(now)
        .bind(grants as i64)
        .execute(&mut *tx)
        .await?;
        let spare: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT m.id FROM members m WHERE m.email LIKE 'grantee%' AND NOT EXISTS \
             (SELECT 1 FROM grants g WHERE g.member_id = m.id) LIMIT 1000",
        )
        .fetch_all(&mut *tx)
        .await?;
        // One member in 1,000 teams; ten of the teams hold a grant on the workspace.
        let member = sigil_core::MemberId::new();
        sqlx::query(
            "INSERT INTO members (id, organization_id, email, first_name, last_name, \
             account_type_id, is_inactive, is_archived, user_kind, invite_requested, \
             created_at, updated_at) VALUES ($1, $2, 'teamful@bench.example', 'T', 'B', $3, \
             FALSE, FALSE, 'internal', FALSE, $4, $4)",
        )
        .bind(member.0)
        .bind(org)
        .bind(viewer.id.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for t in 0..1000 {
            let team = uuid::Uuid::new_v4();
            sqlx::query(
                "INSERT INTO teams (id, name, description, visibility, is_archived, created_at, \
                 updated_at) VALUES ($1, $2, '', 'private', FALSE, $3, $3)",
            )
            .bind(team)
            .bind(format!("team {t}"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO team_members (team_id, member_id, is_team_admin, created_at) \
                 VALUES ($1, $2, FALSE, $3)",
            )
            .bind(team)
            .bind(member.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if t % 100 == 0 {
                sqlx::query(
                    "INSERT INTO grants (id, inode_id, member_id, team_id, permission, \
                     created_at, updated_at) VALUES ($1, $2, NULL, $3, 'explore', $4, $4)",
                )
                .bind(uuid::Uuid::new_v4())
                .bind(ws_id)
                .bind(team)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        sqlx::query("ANALYZE").execute(&mut c).await?;
        anyhow::Ok(GrantsWorld {
            workspace: ws_id.to_string(),
            member_in_teams: member,
            spare: spare.iter().map(ToString::to_string).collect(),
        })
    })?;
    Ok((world, start.elapsed()))
}
