//! What holds for the API as a whole: the OpenAPI document matches the router, every
//! `/v2` operation needs a bearer token, every error has Sigma's shape and a request
//! id, body limits, panics, metrics and the health check.

use crate::common::{assert_error, json_of, TestApp};
use axum::routing::{get, post};
use axum::Router;
use reqwest::{Method, StatusCode};
use serde_json::Value;

async fn openapi(app: &TestApp) -> Value {
    let (status, doc) = app.get("/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    doc
}

/// (method, path with placeholder ids) for every documented operation.
fn operations(doc: &Value) -> Vec<(Method, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let concrete = path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        uuid::Uuid::new_v4().to_string()
                    } else {
                        seg.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            out.push((m, concrete, id));
        }
    }
    out
}

#[tokio::test]
async fn the_document_lists_every_foundation_operation_with_an_id_and_responses() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let ops = operations(&doc);
    let ids: Vec<&str> = ops.iter().map(|(_, _, id)| id.as_str()).collect();
    for expected in [
        "postToken",
        "whoami",
        "createCredentials",
        "deleteCredentials",
        "generateReportToken",
        "healthz",
        "metrics",
        "openapi",
    ] {
        assert!(ids.contains(&expected), "{expected} missing from {ids:?}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["operationId"].is_string(), "{method} {path}");
            assert!(
                !op["responses"].as_object().unwrap().is_empty(),
                "{method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    for (method, path, id) in operations(&doc) {
        let res = app
            .http
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let (_, body) = json_of(res).await;
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{id}: {method} {path}"
        );
        if status == StatusCode::NOT_FOUND {
            assert_ne!(
                body["message"], "no such route",
                "{id}: {method} {path} is not routed"
            );
        }
    }
}

#[tokio::test]
async fn every_v2_operation_but_the_token_endpoint_needs_a_bearer_token() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    let mut checked = 0;
    for (method, path, id) in operations(&doc) {
        if !path.starts_with("/v2/") || path == "/v2/auth/token" {
            continue;
        }
        let res = app
            .http
            .request(method.clone(), app.url(&path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let r = json_of(res).await;
        assert_eq!(
            r.0,
            StatusCode::UNAUTHORIZED,
            "{id}: {method} {path}: {}",
            r.1
        );
        assert_eq!(r.1["code"], "unauthorized");
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} /v2 operations checked");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_sigmas_error_shape() {
    let app = TestApp::spawn().await;
    let r = app.get("/v2/nothing-here", None).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app.delete("/v2/whoami", None).await;
    assert_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn request_ids_are_kept_when_sane_and_replaced_otherwise() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .get(app.url("/v2/whoami"))
        .header("x-request-id", "client-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "client-abc-123");
    let (_, body) = json_of(res).await;
    assert_eq!(body["requestId"], "client-abc-123");

    let res = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "x".repeat(500))
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "replaced by a UUID: {id}");
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let app = TestApp::spawn_with(|o| o.config.max_body_bytes = 1024).await;
    let admin = app.admin_token().await;
    let big =
        serde_json::json!({"ownerId": app.init.member_id.to_string(), "name": "x".repeat(4096)});
    let r = app
        .send_json(Method::POST, "/v2/credentials", Some(&admin), &big)
        .await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = app
        .token_form(&format!(
            "grant_type=client_credentials&pad={}",
            "x".repeat(4096)
        ))
        .await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn a_panic_becomes_a_500_in_sigmas_shape_without_details() {
    let app = TestApp::spawn_with(|o| {
        o.extra = Router::new().route(
            "/test/panic",
            get(|| async {
                if true {
                    panic!("secret internal detail");
                }
                ""
            }),
        );
    })
    .await;
    let r = app.get("/test/panic", None).await;
    assert_error(&r, StatusCode::INTERNAL_SERVER_ERROR, "internal_error");
    assert!(!r.1.to_string().contains("secret internal detail"));
    // The server keeps serving.
    assert_eq!(app.get("/healthz", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn_with(|o| {
        o.extra = Router::new().route("/test/echo/{id}", post(|| async { "ok" }));
    })
    .await;
    let admin = app.admin_token().await;
    app.delete("/v2/credentials/some-client-id", Some(&admin))
        .await;
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"sigil_http_requests_total{method="DELETE",route="/v2/credentials/{clientId}",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"sigil_http_requests_total{method="POST",route="/v2/auth/token",status="200"} 1"#
    ));
    assert!(text.contains("sigil_http_request_duration_seconds_bucket"));
    assert!(
        !text.contains("some-client-id"),
        "raw paths never become labels"
    );
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "sqlite");
}

#[tokio::test]
async fn the_document_names_the_public_url_as_its_server() {
    let app = TestApp::spawn_with(|o| {
        o.config.public_url = Some("https://sigil.example.com/".into());
    })
    .await;
    let (s, doc) = app.get("/openapi.json", None).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert_eq!(
        doc["servers"],
        serde_json::json!([{"url": "https://sigil.example.com"}])
    );
}

/// The schema of an operation's JSON request body, or of one of its parameters.
fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    &doc["paths"][path][method]
}

fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => resolve(doc, doc.pointer(r.trim_start_matches('#')).unwrap()),
        None => s,
    }
}

fn body_property<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    let s = &operation(doc, method, path)["requestBody"]["content"]["application/json"]["schema"];
    resolve(doc, &resolve(doc, s)["properties"][name])
}

fn parameter<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    let params = operation(doc, method, path)["parameters"]
        .as_array()
        .unwrap();
    &params.iter().find(|p| p["name"] == name).unwrap()["schema"]
}

/// The enum a schema states, `null` left out (an optional property may be null).
fn enum_of(s: &Value) -> Vec<String> {
    let own = s["enum"].as_array().cloned().unwrap_or_default();
    let nested = s["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(s["anyOf"].as_array().into_iter().flatten())
        .flat_map(|b| b["enum"].as_array().cloned().unwrap_or_default());
    own.into_iter()
        .chain(nested)
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_document_states_the_enums_bounds_and_patterns_the_server_checks() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    let kinds = ["internal", "guest", "embed"];
    assert_eq!(
        enum_of(body_property(&doc, "post", "/v2/members", "userKind")),
        kinds
    );
    assert_eq!(
        enum_of(body_property(
            &doc,
            "patch",
            "/v2/members/{memberId}",
            "userKind"
        )),
        kinds
    );
    let visibility = ["public", "private"];
    assert_eq!(
        enum_of(body_property(&doc, "post", "/v2/teams", "visibility")),
        visibility
    );
    assert_eq!(
        enum_of(parameter(&doc, "get", "/v2/teams", "visibility")),
        visibility
    );
    let grant = ["view", "explore", "organize", "edit"];
    assert_eq!(
        enum_of(body_property(&doc, "post", "/v2/grants", "permission")),
        grant
    );
    let perms = body_property(&doc, "post", "/v2/accountTypes", "permissions");
    let perms = enum_of(resolve(&doc, &perms["items"]));
    assert!(
        perms.contains(&"trigger-api-actions".to_owned()),
        "{perms:?}"
    );
    assert_eq!(perms.len(), sigil_core::Permission::ALL.len());

    for (path, name) in [
        ("/v2/members", "limit"),
        ("/v2/teams", "limit"),
        ("/v2/workspaces", "limit"),
        ("/v2/grants", "limit"),
        ("/v2/files", "limit"),
        ("/v2/workbooks", "limit"),
        ("/v2/accountTypes", "pageSize"),
        ("/v2/api-connectors", "pageSize"),
    ] {
        let s = parameter(&doc, "get", path, name);
        assert_eq!(
            (s["minimum"].as_f64(), s["maximum"].as_f64()),
            (Some(1.0), Some(1000.0)),
            "{path} {name}: {s}"
        );
    }
    assert_eq!(
        parameter(&doc, "get", "/v2/members", "page")["pattern"],
        "^[1-9][0-9]*$"
    );
    assert!(parameter(&doc, "get", "/v2/members", "search")["pattern"].is_string());
    let grants = body_property(
        &doc,
        "post",
        "/v2/workspaces/{workspaceId}/grants",
        "grants",
    );
    assert_eq!(
        (grants["minItems"].as_u64(), grants["maxItems"].as_u64()),
        (Some(1), Some(100))
    );
    let password = body_property(&doc, "put", "/v2/members/{memberId}/password", "password");
    assert_eq!(
        (
            password["minLength"].as_u64(),
            password["maxLength"].as_u64()
        ),
        (Some(8), Some(1024))
    );
}
