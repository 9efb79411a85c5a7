//! Several nodes on one PostgreSQL database: a node caches reads only while it hears
//! of every write (migration 0012's notifications), serves another node's write within
//! moments, stops caching while it cannot hear, and learns of a revocation at once.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use sigil_core::BuiltinAccountType;
use sigil_store::Store;

use crate::common::TestApp;

async fn until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not within 10 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_serves_another_nodes_writes_and_caches_only_while_it_hears_them() {
    let Some(a) = TestApp::spawn_on_postgres().await else {
        return;
    };
    let b = a.second_node().await;
    until("both nodes listen", || {
        a.store.generation().is_some() && b.store.generation().is_some()
    })
    .await;
    let t = a.admin_token().await;
    let (_, ws) = a
        .send_json(
            Method::POST,
            "/v2/workspaces",
            Some(&t),
            &json!({"name": "W"}),
        )
        .await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let m = a
        .add_member("m@example.com", BuiltinAccountType::Viewer, "pw-m-123456")
        .await;
    let page = format!("/v2/workspaces/{ws}/grants?limit=50");
    // Read on B (and again, from its cache), then write on A: B serves the write.
    let mut waits = Vec::new();
    for (i, permission) in ["view", "explore", "organize", "view", "explore"]
        .iter()
        .enumerate()
    {
        assert_eq!(b.get(&page, Some(&t)).await.0, StatusCode::OK);
        assert_eq!(b.get(&page, Some(&t)).await.0, StatusCode::OK);
        let (s, body) = a
            .send_json(
                Method::POST,
                &format!("/v2/workspaces/{ws}/grants"),
                Some(&t),
                &json!({"grants": [{"grantee": {"memberId": m.id.to_string()}, "permission": permission}]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let written = Instant::now();
        loop {
            let (_, got) = b.get(&page, Some(&t)).await;
            let mine = got["entries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["memberId"] == m.id.to_string())
                .map(|g| g["permission"].clone());
            if mine == Some(json!(permission)) {
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(5),
                "round {i}: node B still serves {got} after 5 s"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        waits.push(written.elapsed());
    }
    eprintln!("node B served node A's grant after {waits:?}");

    // Without the notifications a node caches nothing, and it listens again by itself.
    let before = b.store.generation().unwrap();
    crate::common::cut_postgres_listeners().await;
    until("node B listens again", || {
        b.store.generation().is_some_and(|g| g > before)
    })
    .await;
    assert!(
        b.store.generation().unwrap() > before,
        "coming back moves the generation on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_on_one_node_reaches_the_others_without_waiting_for_the_poll() {
    // A poll of a minute: only the notification can be what revokes in time.
    let Some(a) =
        TestApp::spawn_on_postgres_with(|o| o.config.auth.revocation_poll_ms = 60_000).await
    else {
        return;
    };
    let b = a.second_node().await;
    until("node B listens", || b.store.generation().is_some()).await;
    // Node B's background work: its first poll runs at once, the next in a minute.
    let (_stop, rx) = tokio::sync::watch::channel(false);
    let _bg = sigil_service::startup::spawn_background(b.state.services.clone(), rx);
    let admin = a.admin_token().await;
    let (cid, secret) = a.create_credentials(&admin, a.init.member_id).await;
    let (_, issued) = b.client_credentials(&cid, &secret).await;
    let token = issued["access_token"].as_str().unwrap().to_owned();
    assert_eq!(b.get("/v2/whoami", Some(&token)).await.0, StatusCode::OK);
    let (s, _) = a
        .delete(&format!("/v2/credentials/{cid}"), Some(&admin))
        .await;
    assert!(s.is_success());
    let revoked = Instant::now();
    while b.get("/v2/whoami", Some(&token)).await.0 != StatusCode::UNAUTHORIZED {
        assert!(
            revoked.elapsed() < Duration::from_secs(5),
            "node B still accepts the token"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let took = revoked.elapsed();
    eprintln!("node B refused the revoked token after {took:?}");
    assert!(took < Duration::from_secs(5));
}
