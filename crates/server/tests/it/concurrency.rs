//! Concurrent writers on PostgreSQL: requests that name the same rows in opposite
//! orders neither deadlock into a 500 nor leave duplicates behind.

use reqwest::{Method, StatusCode};
use serde_json::json;
use sigil_core::BuiltinAccountType;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn opposite_order_grant_writes_on_postgres_never_answer_5xx_or_duplicate() {
    let Some(app) = TestApp::spawn_on_postgres().await else {
        return;
    };
    let t = app.admin_token().await;
    let (_, ws) = app
        .send_json(
            Method::POST,
            "/v2/workspaces",
            Some(&t),
            &json!({"name": "W"}),
        )
        .await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let mut members = Vec::new();
    for i in 0..20 {
        let m = app
            .add_member(
                &format!("m{i}@example.com"),
                BuiltinAccountType::Viewer,
                "password1",
            )
            .await;
        members.push(m.id.to_string());
    }
    let body = |ids: &[String], p: &str| json!({"grants": ids.iter().map(|m| json!({"grantee": {"memberId": m}, "permission": p})).collect::<Vec<_>>()});
    let forward = members.clone();
    let backward: Vec<String> = members.iter().rev().cloned().collect();
    let path = format!("/v2/workspaces/{ws}/grants");
    for round in 0..100 {
        let (p, q) = if round % 2 == 0 {
            ("view", "explore")
        } else {
            ("explore", "view")
        };
        let (fwd, bwd) = (body(&forward, p), body(&backward, q));
        let (a, b) = tokio::join!(
            app.send_json(Method::POST, &path, Some(&t), &fwd),
            app.send_json(Method::POST, &path, Some(&t), &bwd),
        );
        for r in [&a, &b] {
            assert_eq!(r.0, StatusCode::OK, "round {round}: {}", r.1);
        }
    }
    let (_, grants) = app.get(&format!("{path}?limit=1000"), Some(&t)).await;
    for m in &members {
        let n = grants["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["memberId"] == m.as_str())
            .count();
        assert_eq!(n, 1, "member {m} has exactly one grant");
    }
}
