//! API credentials and connectors: permissions, and bad definitions refused naming
//! the field.

use serde_json::json;
use sigil_core::BuiltinAccountType::{Creator, Viewer};
use sigil_service::api_credentials::NewApiCredential;
use sigil_service::connectors::NewConnector;
use sigil_service::paging::TokenPage;

use crate::*;

fn bearer_credential(allow: &[&str]) -> NewApiCredential {
    NewApiCredential {
        name: "c".into(),
        description: None,
        allowlist: allow.iter().map(|s| s.to_string()).collect(),
        credential: json!({"authMethod": "bearer", "bearer": {"token": "s3cr3t-token"}}),
    }
}

#[tokio::test]
async fn credentials_need_manage_api_connectors_and_keep_their_secret_out_of_reads() {
    let w = World::new().await;
    let s = &w.services;
    let viewer = w.member("v@example.com", Viewer).await;
    let creator = w.member("c@example.com", Creator).await;
    assert_forbidden(
        s.api_credentials
            .create(&viewer, bearer_credential(&["*"]))
            .await,
    );
    assert_forbidden(s.api_credentials.list(&viewer, TokenPage::default()).await);
    assert_invalid(
        s.api_credentials
            .create(&creator, bearer_credential(&[]))
            .await,
        "allowlist",
    );
    let msg = assert_invalid(
        s.api_credentials
            .create(
                &creator,
                NewApiCredential {
                    credential: json!({"authMethod": "bearer", "bearer": {"token": 42}}),
                    ..bearer_credential(&["*"])
                },
            )
            .await,
        "credential",
    );
    assert!(!msg.contains("42"), "a value is never quoted: {msg}");
    let c = s
        .api_credentials
        .create(&creator, bearer_credential(&["api.example.com"]))
        .await
        .unwrap();
    assert!(!c.public.contains("s3cr3t-token"));
    assert!(!c.sealed.contains("s3cr3t-token"));
    let usable = s.api_credentials.usable(&c).unwrap();
    assert_eq!(usable.credential.secrets(), ["s3cr3t-token"]);
}

#[tokio::test]
async fn connectors_are_checked_against_their_template_and_credential() {
    let w = World::new().await;
    let s = &w.services;
    let creator = w.member("c@example.com", Creator).await;
    let viewer = w.member("v@example.com", Viewer).await;
    let cred = s
        .api_credentials
        .create(&creator, bearer_credential(&["api.example.com"]))
        .await
        .unwrap();
    let new = |body: &str, url: &str| NewConnector {
        name: "Create team".into(),
        description: None,
        params: json!({"method": "POST", "url": url, "body": body}),
        config: None,
        auth_id: Some(cred.id.to_string()),
    };
    let field_of = |r| match r {
        Err(ServiceError::Invalid { field, .. }) => field.unwrap_or_default(),
        other => panic!("expected Invalid, got {other:?}"),
    };
    use sigil_service::ServiceError;
    let f = field_of(
        s.connectors
            .create(
                &creator,
                new(
                    r#"{"name": {{team-name}"#,
                    "https://api.example.com/v2/teams",
                ),
            )
            .await,
    );
    assert!(f.starts_with("params."), "{f}");
    let msg = assert_invalid(
        s.connectors
            .create(
                &creator,
                new(r#"{"name": {{n}}}"#, "https://elsewhere.example.org/x"),
            )
            .await,
        "params.url",
    );
    assert!(msg.contains("allowlist"), "{msg}");
    assert_forbidden(
        s.connectors
            .create(
                &viewer,
                new(r#"{"name": {{n}}}"#, "https://api.example.com/x"),
            )
            .await,
    );
    let c = s
        .connectors
        .create(
            &creator,
            new(
                r#"{"name": {{team-name}}}"#,
                "https://api.example.com/v2/teams",
            ),
        )
        .await
        .unwrap();
    // Those who run actions may read connectors, and preview them masked.
    let seen = s.connectors.get(&viewer, c.row.id).await.unwrap();
    assert_eq!(seen.params.body, r#"{"name": {{team-name}}}"#);
    let p = s
        .connectors
        .preview(
            &viewer,
            c.row.id,
            &[("team-name".to_string(), json!("A \"B\""))].into(),
        )
        .await
        .unwrap();
    assert_eq!(p.parameters["team-name"], "string");
    let text = p.request.to_string();
    assert!(
        !text.contains("s3cr3t-token") && text.contains("****"),
        "{text}"
    );
}
