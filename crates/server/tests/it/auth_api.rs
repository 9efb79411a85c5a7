//! The token endpoint, bearer authentication, client credentials, whoami and the
//! Report token API, through HTTP, including every bad input the foundation issue
//! names. Each test says what a bad input gets.

use crate::common::{assert_error, json_of, TestApp};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;
use sigil_server::auth::tokens::TokenSubject;
use sigil_store::prelude::*;

fn token_keys(body: &Value) -> Vec<String> {
    let mut keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn client_credentials_in_the_body_give_sigmas_token_shape() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .client_credentials(&app.init.client_id, &app.init.client_secret)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        token_keys(&body),
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);

    let token = body["access_token"].as_str().unwrap();
    let (status, me) = app.get("/v2/whoami", Some(token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["userId"], app.init.member_id.to_string());
    assert_eq!(me["organizationId"], app.init.organization_id.to_string());
}

#[tokio::test]
async fn client_credentials_in_a_basic_header_work_and_the_content_type_is_ignored() {
    let app = TestApp::spawn().await;
    // Basic header, and a JSON Content-Type on a form body: still a form.
    let res = app
        .http
        .post(app.url("/v2/auth/token"))
        .basic_auth(&app.init.client_id, Some(&app.init.client_secret))
        .header("content-type", "application/json")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // No Content-Type at all.
    let res = app
        .http
        .post(app.url("/v2/auth/token"))
        .body(format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            app.init.client_id, app.init.client_secret
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_secret_and_unknown_client_get_401_invalid_client_alike() {
    let app = TestApp::spawn().await;
    let wrong = app.client_credentials(&app.init.client_id, "nope").await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(wrong.1["error"], "invalid_client");
    let unknown = app
        .client_credentials("0123456789abcdef0123456789abcdef", "x")
        .await;
    assert_error(&unknown, StatusCode::UNAUTHORIZED, "unauthorized");
    // Same answer: the response does not tell which part was wrong.
    assert_eq!(wrong.1["message"], unknown.1["message"]);

    let res = app
        .http
        .post(app.url("/v2/auth/token"))
        .basic_auth(&app.init.client_id, Some("wrong"))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
}

#[tokio::test]
async fn missing_and_malformed_fields_get_400_invalid_request() {
    let app = TestApp::spawn().await;
    // No grant_type.
    let r = app.token_form("client_id=a&client_secret=b").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "invalid_request");
    assert!(r.1["message"].as_str().unwrap().contains("grant_type"));
    // Empty body.
    let r = app.token_form("").await;
    assert_eq!(r.1["error"], "invalid_request");
    // client_id without client_secret.
    let r = app
        .token_form(&format!(
            "grant_type=client_credentials&client_id={}",
            app.init.client_id
        ))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.1["message"].as_str().unwrap().contains("client_secret"));
    // No client authentication at all: invalid_client (RFC 6749 §5.2).
    let r = app.token_form("grant_type=client_credentials").await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(r.1["error"], "invalid_client");
    // refresh_token grant without the token.
    let r = app.token_form("grant_type=refresh_token").await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.1["message"].as_str().unwrap().contains("refresh_token"));
    // A repeated parameter.
    let r = app
        .token_form("grant_type=client_credentials&grant_type=refresh_token")
        .await;
    assert_eq!(r.1["error"], "invalid_request");
    assert!(r.1["message"].as_str().unwrap().contains("repeated"));
    // A header that is neither Basic nor Bearer.
    let res = app
        .http
        .post(app.url("/v2/auth/token"))
        .header("authorization", "Digest abc")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let r = json_of(res).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn a_json_body_works_like_a_form_with_the_same_rules() {
    let app = TestApp::spawn().await;
    let r = app
        .send_json(
            Method::POST,
            "/v2/auth/token",
            None,
            &json!({
                "grant_type": "client_credentials",
                "client_id": app.init.client_id,
                "client_secret": app.init.client_secret,
            }),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert!(r.1["access_token"].is_string());
    let refresh = r.1["refresh_token"].as_str().unwrap().to_owned();
    let r = app
        .send_json(
            Method::POST,
            "/v2/auth/token",
            None,
            &json!({"grant_type": "refresh_token", "refresh_token": refresh}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // The same rules: a wrong secret is invalid_client, a non-string is refused.
    let r = app
        .send_json(
            Method::POST,
            "/v2/auth/token",
            None,
            &json!({"grant_type": "client_credentials", "client_id": app.init.client_id, "client_secret": "wrong"}),
        )
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(r.1["error"], "invalid_client");
    let r = app
        .send_json(
            Method::POST,
            "/v2/auth/token",
            None,
            &json!({"grant_type": ["client_credentials"]}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "invalid_request");
}

#[tokio::test]
async fn an_unknown_grant_type_gets_400_unsupported_grant_type() {
    let app = TestApp::spawn().await;
    let r = app
        .token_form("grant_type=password&username=a&password=b")
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "unsupported_grant_type");
    assert!(r.1["message"].as_str().unwrap().contains("password"));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    let app = TestApp::spawn().await;
    let (_, first) = app
        .client_credentials(&app.init.client_id, &app.init.client_secret)
        .await;
    let rt1 = first["refresh_token"].as_str().unwrap();

    // Without client credentials.
    let (status, second) = app
        .token_form(&format!("grant_type=refresh_token&refresh_token={rt1}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(token_keys(&second), token_keys(&first));
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    let at2 = second["access_token"].as_str().unwrap();
    assert_eq!(app.get("/v2/whoami", Some(at2)).await.0, StatusCode::OK);

    // With the client credentials it was issued to.
    let (status, third) = app
        .token_form(&format!(
            "grant_type=refresh_token&refresh_token={rt2}&client_id={}&client_secret={}",
            app.init.client_id, app.init.client_secret
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{third}");
    let at3 = third["access_token"].as_str().unwrap().to_owned();
    let rt3 = third["refresh_token"].as_str().unwrap().to_owned();

    // Reusing rt1: 400 invalid_grant, and the whole family is revoked at once.
    let r = app
        .token_form(&format!("grant_type=refresh_token&refresh_token={rt1}"))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "invalid_grant");
    assert!(r.1["message"].as_str().unwrap().contains("already used"));
    let r = app.get("/v2/whoami", Some(&at3)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = app
        .token_form(&format!("grant_type=refresh_token&refresh_token={rt3}"))
        .await;
    assert_eq!(r.1["error"], "invalid_grant");

    // A token that never existed.
    let r = app
        .token_form("grant_type=refresh_token&refresh_token=sgl_rt_nope")
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "invalid_grant");

    // A fresh family from the same credentials still works.
    let (status, _) = app
        .client_credentials(&app.init.client_id, &app.init.client_secret)
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_token_presented_with_another_clients_credentials_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (cid, secret) = app.create_credentials(&admin, app.init.member_id).await;
    let (_, first) = app
        .client_credentials(&app.init.client_id, &app.init.client_secret)
        .await;
    let rt = first["refresh_token"].as_str().unwrap();
    let r = app
        .token_form(&format!(
            "grant_type=refresh_token&refresh_token={rt}&client_id={cid}&client_secret={secret}"
        ))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "invalid_grant");
    // With a wrong secret the client itself fails first.
    let r = app
        .token_form(&format!(
            "grant_type=refresh_token&refresh_token={rt}&client_id={cid}&client_secret=bad"
        ))
        .await;
    assert_eq!(r.1["error"], "invalid_client");
}

#[tokio::test]
async fn missing_malformed_expired_and_foreign_bearer_tokens_get_401() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "missing"),
        (Some("Bearer".into()), "malformed"),
        (Some("Basic YWJjOmRlZg==".into()), "malformed"),
        (Some("Bearer not.a.jwt".into()), "invalid"),
        (Some("Bearer ".into()), "malformed"),
    ];
    for (header, word) in cases {
        let mut req = app.http.get(app.url("/v2/whoami"));
        if let Some(h) = &header {
            req = req.header("authorization", h);
        }
        let r = json_of(req.send().await.unwrap()).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
        assert!(
            r.1["message"].as_str().unwrap().contains(word),
            "{header:?}: {}",
            r.1
        );
    }

    // Expired: issued two hours ago with a one-hour lifetime.
    let subject = TokenSubject {
        member_id: app.init.member_id,
        organization_id: app.init.organization_id,
        client_id: Some(app.init.client_id.clone()),
        family_id: None,
        actor_id: None,
    };
    let two_hours_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 7200;
    let (expired, _) = app
        .state
        .services
        .auth
        .tokens()
        .issue_at(&subject, two_hours_ago);
    let r = app.get("/v2/whoami", Some(&expired)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(r.1["message"].as_str().unwrap().contains("expired"));

    // Signed by another server's key.
    let other = TestApp::spawn().await;
    let foreign = other.admin_token().await;
    let r = app.get("/v2/whoami", Some(&foreign)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn checking_a_valid_token_needs_no_database() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    // With the database gone, the token still authenticates: the check is in memory.
    app.store.close().await;
    let (status, me) = app.get("/v2/whoami", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    // …while anything that needs the database reports it, without internals.
    let r = app.get("/healthz", None).await;
    assert_error(&r, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    let r = app
        .client_credentials(&app.init.client_id, &app.init.client_secret)
        .await;
    assert_error(&r, StatusCode::INTERNAL_SERVER_ERROR, "internal_error");
    let text = r.1.to_string().to_lowercase();
    assert!(!text.contains("sql") && !text.contains("pool"), "{text}");
}

#[tokio::test]
async fn creating_credentials_needs_an_admin_and_a_valid_body() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let creator = app
        .add_member(
            "creator@example.com",
            BuiltinAccountType::Creator,
            "pw-creator-1",
        )
        .await;

    let (cid, secret) = app.create_credentials(&admin, creator.id).await;
    assert_eq!(cid.len(), 32);
    assert_eq!(secret.len(), 64);
    // The new credentials act as their owner.
    let (status, body) = app.client_credentials(&cid, &secret).await;
    assert_eq!(status, StatusCode::OK);
    let creator_token = body["access_token"].as_str().unwrap().to_owned();
    let (_, me) = app.get("/v2/whoami", Some(&creator_token)).await;
    assert_eq!(me["userId"], creator.id.to_string());

    // A Creator may not create or delete credentials: 403.
    let body = json!({"ownerId": creator.id.to_string(), "name": "mine"});
    let r = app
        .send_json(Method::POST, "/v2/credentials", Some(&creator_token), &body)
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = app
        .delete(&format!("/v2/credentials/{cid}"), Some(&creator_token))
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    // No token: 401.
    let r = app
        .send_json(Method::POST, "/v2/credentials", None, &body)
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    // Bad bodies: 400 naming the problem.
    let bad = [
        (json!({"name": "x"}), "ownerId"),
        (json!({"ownerId": creator.id.to_string()}), "name"),
        (json!({"ownerId": "not-a-uuid", "name": "x"}), "ownerId"),
        (
            json!({"ownerId": uuid::Uuid::new_v4().to_string(), "name": "x"}),
            "no active member",
        ),
        (
            json!({"ownerId": creator.id.to_string(), "name": "   "}),
            "name",
        ),
        (
            json!({"ownerId": creator.id.to_string(), "name": "x".repeat(256)}),
            "name",
        ),
        (
            json!({"ownerId": creator.id.to_string(), "name": "x", "scopes": ["root"]}),
            "root",
        ),
        (
            json!({"ownerId": creator.id.to_string(), "name": "x", "scopes": []}),
            "scopes",
        ),
        (
            json!({"ownerId": creator.id.to_string(), "name": 5}),
            "name",
        ),
        (json!(["not", "an", "object"]), "invalid"),
    ];
    for (body, word) in bad {
        let r = app
            .send_json(Method::POST, "/v2/credentials", Some(&admin), &body)
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.1["message"].as_str().unwrap().contains(word),
            "{body} → {}",
            r.1
        );
    }
    // A property Sigma's schema does not define is ignored, as Sigma does.
    let r = app
        .send_json(
            Method::POST,
            "/v2/credentials",
            Some(&admin),
            &json!({"ownerId": creator.id.to_string(), "name": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    // Malformed JSON.
    let res = app
        .http
        .post(app.url("/v2/credentials"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"ownerId\": ")
        .send()
        .await
        .unwrap();
    let r = json_of(res).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(
        r.1["message"].as_str().unwrap().contains("malformed JSON"),
        "{}",
        r.1
    );

    // Embed-only credentials cannot get REST API tokens.
    let (status, embed) = app
        .send_json(
            Method::POST,
            "/v2/credentials",
            Some(&admin),
            &json!({"ownerId": creator.id.to_string(), "name": "embed", "scopes": ["embed"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let r = app
        .client_credentials(
            embed["clientId"].as_str().unwrap(),
            embed["clientSecret"].as_str().unwrap(),
        )
        .await;
    assert_eq!(r.1["error"], "unauthorized_client");
}

#[tokio::test]
async fn deleting_credentials_revokes_every_token_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = app
        .add_member(
            "viewer@example.com",
            BuiltinAccountType::Viewer,
            "pw-viewer-12",
        )
        .await;
    let (cid, secret) = app.create_credentials(&admin, viewer.id).await;
    let (_, issued) = app.client_credentials(&cid, &secret).await;
    let access = issued["access_token"].as_str().unwrap().to_owned();
    let refresh = issued["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/v2/whoami", Some(&access)).await.0, StatusCode::OK);

    let (status, body) = app
        .delete(&format!("/v2/credentials/{cid}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));

    // The very next request with its access token fails…
    let r = app.get("/v2/whoami", Some(&access)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(r.1["message"].as_str().unwrap().contains("revoked"));
    // …and so do its refresh token and the credentials themselves.
    let r = app
        .token_form(&format!("grant_type=refresh_token&refresh_token={refresh}"))
        .await;
    assert_eq!(r.1["error"], "invalid_grant");
    let r = app.client_credentials(&cid, &secret).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    // Deleting again, or an unknown id: 404 not_found.
    let r = app
        .delete(&format!("/v2/credentials/{cid}"), Some(&admin))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app.delete("/v2/credentials/nope", Some(&admin)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    // The admin's own token is untouched.
    assert_eq!(app.get("/v2/whoami", Some(&admin)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn another_node_sees_a_revocation_after_reading_the_feed() {
    let a = TestApp::spawn().await;
    let b = a.second_node().await;
    let admin = a.admin_token().await;
    let (cid, secret) = a.create_credentials(&admin, a.init.member_id).await;
    let (_, issued) = b.client_credentials(&cid, &secret).await;
    let token = issued["access_token"].as_str().unwrap().to_owned();
    assert_eq!(b.get("/v2/whoami", Some(&token)).await.0, StatusCode::OK);

    a.delete(&format!("/v2/credentials/{cid}"), Some(&admin))
        .await;
    // Node A knows at once; node B on its next poll of the feed.
    assert_eq!(
        a.get("/v2/whoami", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let window = std::time::Duration::from_secs(3600);
    let n = b
        .state
        .services
        .auth
        .sync_revocations(window)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        b.get("/v2/whoami", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Node B had the credentials cached from issuing the token; the feed voids that too.
    let r = b.client_credentials(&cid, &secret).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

fn subject_jwt(kid: &str, secret: &str, claims: Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    encode(
        &header,
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn exchange_form(jwt: &str) -> String {
    format!(
        "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token={jwt}\
         &subject_token_type=urn:ietf:params:oauth:token-type:jwt"
    )
}

#[tokio::test]
async fn an_admin_can_impersonate_a_member_with_a_signed_jwt() {
    let app = TestApp::spawn().await;
    let explorer = app
        .add_member(
            "explorer@example.com",
            BuiltinAccountType::Explorer,
            "pw-explorer-1",
        )
        .await;
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 300;
    let jwt = subject_jwt(
        &app.init.client_id,
        &app.init.client_secret,
        json!({"sub": "Explorer@Example.com", "exp": exp}),
    );
    let admin = app.admin_token().await;
    // Sigma's form: the subject token and the Admin's access token as actor token,
    // nothing else; sigil checks the signature with the credential's sealed secret.
    let sigma_form = format!(
        "{}&actor_token={admin}&actor_token_type=urn:ietf:params:oauth:token-type:access_token",
        exchange_form(&jwt)
    );
    let r = app.token_form(&sigma_form).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(
        r.1["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(r.1["expires_in"], 3600);
    let token = r.1["access_token"].as_str().unwrap();
    let (_, me) = app.get("/v2/whoami", Some(token)).await;
    assert_eq!(me["userId"], explorer.id.to_string());

    // The same as JSON, and with the actor token as the bearer header alone.
    let res = app
        .http
        .post(app.url("/v2/auth/token"))
        .json(&json!({
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": jwt,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "actor_token": admin,
            "actor_token_type": "urn:ietf:params:oauth:token-type:access_token",
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let res = app
        .http
        .post(app.url("/v2/auth/token"))
        .bearer_auth(&admin)
        .body(exchange_form(&jwt))
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, me) = app
        .get("/v2/whoami", Some(body["access_token"].as_str().unwrap()))
        .await;
    assert_eq!(me["userId"], explorer.id.to_string());

    // The client's credentials (HTTP Basic) with the actor token work too.
    let res = app
        .http
        .post(app.url("/v2/auth/token"))
        .basic_auth(&app.init.client_id, Some(&app.init.client_secret))
        .body(sigma_form.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Credentials in the body work too, without an actor token.
    let r = app
        .token_form(&format!(
            "{}&client_id={}&client_secret={}",
            exchange_form(&jwt),
            app.init.client_id,
            app.init.client_secret
        ))
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
}

#[tokio::test]
async fn impersonation_refuses_bad_signatures_kids_owners_and_members() {
    let app = TestApp::spawn().await;
    let creator = app
        .add_member(
            "creator@example.com",
            BuiltinAccountType::Creator,
            "pw-creator-1",
        )
        .await;
    let creds = format!(
        "&client_id={}&client_secret={}",
        app.init.client_id, app.init.client_secret
    );
    let cid = &app.init.client_id;
    let good_claims = json!({"sub": "creator@example.com"});

    let signed_wrong = subject_jwt(cid, "not-the-secret", good_claims.clone());
    let r = app
        .token_form(&format!("{}{creds}", exchange_form(&signed_wrong)))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "invalid_grant");
    assert!(r.1["message"].as_str().unwrap().contains("signature"));

    let wrong_kid = subject_jwt("someone-else", &app.init.client_secret, good_claims.clone());
    let r = app
        .token_form(&format!("{}{creds}", exchange_form(&wrong_kid)))
        .await;
    assert!(r.1["message"].as_str().unwrap().contains("kid"), "{}", r.1);

    let nobody = subject_jwt(
        cid,
        &app.init.client_secret,
        json!({"sub": "ghost@example.com"}),
    );
    let r = app
        .token_form(&format!("{}{creds}", exchange_form(&nobody)))
        .await;
    assert_eq!(r.1["error"], "invalid_grant");
    assert!(r.1["message"]
        .as_str()
        .unwrap()
        .contains("ghost@example.com"));

    let expired = subject_jwt(
        cid,
        &app.init.client_secret,
        json!({"sub": "creator@example.com", "exp": 1_000}),
    );
    let r = app
        .token_form(&format!("{}{creds}", exchange_form(&expired)))
        .await;
    assert!(r.1["message"].as_str().unwrap().contains("expired"));

    let r = app
        .token_form(&format!("{}{creds}", exchange_form("garbage")))
        .await;
    assert_eq!(r.1["error"], "invalid_grant");

    // Wrong subject_token_type.
    let good = subject_jwt(cid, &app.init.client_secret, good_claims.clone());
    let r = app
        .token_form(&format!(
            "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token={good}\
             &subject_token_type=urn:ietf:params:oauth:token-type:saml2{creds}"
        ))
        .await;
    assert_eq!(r.1["error"], "invalid_request");

    // Neither an actor token nor the client's credentials: nothing says who asks.
    let r = app.token_form(&exchange_form(&good)).await;
    assert_eq!(r.1["error"], "invalid_request");
    assert!(
        r.1["message"].as_str().unwrap().contains("actor_token"),
        "{}",
        r.1
    );

    // An actor token that is not an access token, and one of other credentials.
    let admin = app.admin_token().await;
    let r = app
        .token_form(&format!("{}&actor_token=nonsense", exchange_form(&good)))
        .await;
    assert_eq!(r.1["error"], "invalid_grant");
    let (ccid, csecret) = app.create_credentials(&admin, creator.id).await;
    let (_, t) = app.client_credentials(&ccid, &csecret).await;
    let creator_token = t["access_token"].as_str().unwrap().to_owned();
    let r = app
        .token_form(&format!(
            "{}&actor_token={creator_token}{creds}",
            exchange_form(&good)
        ))
        .await;
    assert_eq!(r.1["error"], "invalid_grant");
    assert!(
        r.1["message"].as_str().unwrap().contains("actor_token"),
        "{}",
        r.1
    );
    // The actor token's credentials must be those that signed the subject token.
    let r = app
        .token_form(&format!(
            "{}&actor_token={creator_token}",
            exchange_form(&good)
        ))
        .await;
    assert_ne!(r.0, StatusCode::OK, "{}", r.1);

    // Credentials owned by a Creator may not impersonate, in either form.
    let by_creator = subject_jwt(&ccid, &csecret, json!({"sub": "admin@example.com"}));
    for form in [
        format!(
            "{}&client_id={ccid}&client_secret={csecret}",
            exchange_form(&by_creator)
        ),
        format!("{}&actor_token={creator_token}", exchange_form(&by_creator)),
    ] {
        let r = app.token_form(&form).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(r.1["error"], "unauthorized_client");
    }

    // An Admin cannot be impersonated, not even the credentials' own owner.
    app.add_member(
        "other-admin@example.com",
        BuiltinAccountType::Admin,
        "pw-admin-2",
    )
    .await;
    for sub in ["other-admin@example.com", "admin@example.com"] {
        let jwt = subject_jwt(cid, &app.init.client_secret, json!({"sub": sub}));
        let r = app
            .token_form(&format!("{}&actor_token={admin}", exchange_form(&jwt)))
            .await;
        assert_eq!(r.1["error"], "invalid_grant", "{sub}: {}", r.1);
        assert!(
            r.1["message"]
                .as_str()
                .unwrap()
                .contains("Admins cannot be impersonated"),
            "{}",
            r.1
        );
    }
}

/// Client credentials made before sigil sealed client secrets (their row has no
/// sealed secret) still get tokens; for impersonation they must send their secret,
/// and Sigma's form is refused with a message naming them.
#[tokio::test]
async fn credentials_from_before_sealed_secrets_impersonate_only_with_their_secret() {
    let app = TestApp::spawn().await;
    app.add_member(
        "explorer@example.com",
        BuiltinAccountType::Explorer,
        "pw-explorer-1",
    )
    .await;
    let admin = app.admin_token().await;
    // An old row: the same secret's hash under another client ID, nothing sealed.
    let (cid, secret) = app.create_credentials(&admin, app.init.member_id).await;
    let mut old = app.store.client_credential(&cid).await.unwrap().unwrap();
    assert!(old.secret_sealed.is_some(), "new credentials are sealed");
    old.client_id = "0123456789abcdef0123456789abcdef".into();
    old.secret_sealed = None;
    app.store.insert_client_credential(&old).await.unwrap();
    let old_id = old.client_id.clone();

    let (s, t) = app.client_credentials(&old_id, &secret).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let old_token = t["access_token"].as_str().unwrap().to_owned();
    let jwt = subject_jwt(&old_id, &secret, json!({"sub": "explorer@example.com"}));
    let r = app
        .token_form(&format!("{}&actor_token={old_token}", exchange_form(&jwt)))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert_eq!(r.1["error"], "invalid_grant");
    let message = r.1["message"].as_str().unwrap();
    assert!(
        message.contains(&old_id) && message.contains("client_secret"),
        "{message}"
    );
    let r = app
        .token_form(&format!(
            "{}&actor_token={old_token}&client_id={old_id}&client_secret={secret}",
            exchange_form(&jwt)
        ))
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
}

async fn report(app: &TestApp, query: &str, form: &str) -> (StatusCode, Value) {
    let res = app
        .http
        .post(app.url(&format!("/sigma/rest/reports/generate-token{query}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .unwrap();
    json_of(res).await
}

#[tokio::test]
async fn report_tokens_by_apikey_and_basic_in_the_query_or_a_form() {
    let app = TestApp::spawn().await;
    let (cid, secret) = (&app.init.client_id, &app.init.client_secret);
    let tries = [
        // The document's spelling, in the query string.
        (
            format!("?action=GENERATE_TOKEN&authType=APIKEY&clientId={cid}&clitentToken={secret}"),
            String::new(),
        ),
        // The corrected spelling, in a form body, without `action`.
        (
            String::new(),
            format!("authType=APIKEY&clientId={cid}&clientToken={secret}"),
        ),
        (
            String::new(),
            format!(
                "action=GENERATE_TOKEN&authType=BASIC&username=admin@example.com&password={}",
                app.init.password
            ),
        ),
    ];
    for (query, form) in tries {
        let (status, body) = report(&app, &query, &form).await;
        assert_eq!(status, StatusCode::OK, "{query} {form}: {body}");
        let hm = &body["headerMap"];
        assert_eq!(hm["replyType"], "SUCCESS");
        assert_eq!(hm["success"], "true");
        let token = hm["accessToken"].as_str().unwrap();
        let (status, me) = app.get("/v2/whoami", Some(token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["userId"], app.init.member_id.to_string());
    }
}

#[tokio::test]
async fn report_token_failures_answer_failure_with_a_reason() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "authType=BASIC&username=admin@example.com&password=wrong",
            StatusCode::UNAUTHORIZED,
            "password",
        ),
        (
            "authType=BASIC&username=ghost@example.com&password=wrong",
            StatusCode::UNAUTHORIZED,
            "password",
        ),
        (
            "authType=APIKEY&clientId=abc&clitentToken=def",
            StatusCode::UNAUTHORIZED,
            "clientId",
        ),
        (
            "authType=BASIC&username=admin@example.com",
            StatusCode::BAD_REQUEST,
            "password",
        ),
        (
            "authType=APIKEY&clientId=abc",
            StatusCode::BAD_REQUEST,
            "clitentToken",
        ),
        ("action=GENERATE_TOKEN", StatusCode::BAD_REQUEST, "authType"),
        ("authType=OAUTH", StatusCode::BAD_REQUEST, "OAUTH"),
        (
            "action=DELETE_EVERYTHING&authType=BASIC",
            StatusCode::BAD_REQUEST,
            "DELETE_EVERYTHING",
        ),
    ];
    for (form, status, word) in cases {
        let (got, body) = report(&app, "", form).await;
        assert_eq!(got, status, "{form}: {body}");
        let hm = &body["headerMap"];
        assert_eq!(hm["replyType"], "FAILURE", "{form}");
        assert_eq!(hm["success"], "false");
        assert!(hm.get("accessToken").is_none());
        assert!(
            hm["reason"].as_str().unwrap().contains(word),
            "{form}: {body}"
        );
    }
}

#[tokio::test]
async fn a_member_without_a_password_cannot_use_basic() {
    let app = TestApp::spawn().await;
    let m = app
        .add_member("nopw@example.com", BuiltinAccountType::Viewer, "irrelevant")
        .await;
    app.store
        .set_member_password(m.id, "not-a-phc-string", sigil_core::clock::now())
        .await
        .unwrap();
    let (status, body) = report(
        &app,
        "",
        "authType=BASIC&username=nopw@example.com&password=irrelevant",
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

/// Client secrets are kept as a hash and sealed: no file of the database holds one in
/// the clear, nor the first Admin's password.
#[tokio::test]
async fn no_client_secret_is_in_the_database_files() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, secret) = app.create_credentials(&admin, app.init.member_id).await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(bytes.len() > 4096, "the database files were read");
    for s in [&secret, &app.init.client_secret, &app.init.password] {
        assert!(
            !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
            "a secret is in the database files"
        );
    }
    // The sealed secret is there, as ciphertext.
    let stored = app
        .store
        .client_credential(&app.init.client_id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.secret_sealed.unwrap().starts_with("sgl1."));
}
