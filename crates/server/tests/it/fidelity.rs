//! Places where sigil followed Sigma's documents less faithfully than clients need:
//! each test is one item of the reference document that a real client sends.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_error, TestApp};

#[tokio::test]
async fn member_types_are_matched_without_regard_to_case() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    for (i, kind) in ["viewer", "CREATOR", "admin", "Explorer"]
        .iter()
        .enumerate()
    {
        let (s, m) = app
            .send_json(
                Method::POST,
                "/v2/members",
                Some(&t),
                &json!({"email": format!("m{i}@example.com"), "firstName": "A", "lastName": "B", "memberType": kind}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{kind}: {m}");
        assert_eq!(
            m["memberType"].as_str().unwrap().to_lowercase(),
            kind.to_lowercase()
        );
        let id = m["memberId"].as_str().unwrap();
        let (s, m) = app
            .send_json(
                Method::PATCH,
                &format!("/v2/members/{id}"),
                Some(&t),
                &json!({"memberType": "vIeWeR"}),
            )
            .await;
        assert_eq!(
            (s, m["memberType"].as_str()),
            (StatusCode::OK, Some("Viewer"))
        );
    }
    // Two account types may not differ only by case.
    let r = app
        .send_json(
            Method::POST,
            "/v2/accountTypes",
            Some(&t),
            &json!({"name": "CREATOR", "permissions": ["view"]}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
}
