//! Templates and parameters: awkward values arrive as the JSON they are; bad connectors are refused naming the field.

use super::*;

#[tokio::test]
async fn awkward_values_arrive_as_the_json_they_are() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    let id = connector(
        &app,
        &admin,
        json!({
            "name": "teams",
            "params": {
                "method": "POST",
                "url": format!("http://{addr}/v2/teams/{{teamId}}"),
                "headers": [{"key": "X-Trace", "mode": "dynamic", "type": "string"}],
                "pathParams": [{"key": "teamId", "mode": "dynamic", "type": "string"}],
                "queryParams": [{"key": "q", "mode": "dynamic", "type": "string"}],
                "body": "{\"name\": {{team-name}}, \"note\": \"prefix {{team-name}}\", \"count\": {{n}}, \"tags\": {{tags}}}",
                "bodyParams": [{"key": "n", "mode": "dynamic", "type": "number"}, {"key": "tags", "mode": "dynamic", "type": "array"}]
            }
        }),
    )
    .await;
    let awkward = [
        "plain",
        "quote \" and backslash \\",
        "new\nline\ttab",
        "unicode ü 🚀 \u{2028}",
        "}} {{team-name}} \"}, \"admin\": true, \"x\": {\"",
        "\u{0}\u{1f}",
    ];
    for name in awkward {
        let before = up.seen.lock().unwrap().len();
        let (s, r) = call(
            &app,
            &admin,
            &id,
            json!({"team-name": name, "n": 3, "tags": ["a", "b"], "teamId": "a/b c?d", "q": "x&y=z", "X-Trace": "t"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let seen = up.seen.lock().unwrap()[before].clone();
        let body: Value = serde_json::from_str(&seen.body).unwrap();
        assert_eq!(body["name"], name);
        assert_eq!(body["note"], format!("prefix {name}"));
        assert_eq!(body["count"], 3);
        assert_eq!(body["tags"], json!(["a", "b"]));
        assert_eq!(
            body.as_object().unwrap().len(),
            4,
            "nothing broke out: {body}"
        );
        assert_eq!(seen.uri, "/v2/teams/a%2Fb%20c%3Fd?q=x%26y%3Dz");
        assert_eq!(seen.headers["content-type"], "application/json");
    }
    // Missing, extra, mistyped parameters and header injection: 400 naming them.
    let base =
        json!({"team-name": "n", "n": 3, "tags": [], "teamId": "t", "q": "q", "X-Trace": "t"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("teamId");
    for (params, named) in [
        (missing, "teamId"),
        (with("extra", json!(1)), "extra"),
        (with("n", json!("three")), "n"),
        (with("tags", json!({"a": 1})), "tags"),
        (with("X-Trace", json!("a\r\nX-Evil: 1")), "X-Trace"),
    ] {
        let r = call(&app, &admin, &id, params).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(r.1["message"].as_str().unwrap().contains(named), "{}", r.1);
    }
    // The stored connector answers its body parameters with their types.
    let (_, c) = app
        .get(&format!("/v2/api-connectors/{id}"), Some(&admin))
        .await;
    let bp: BTreeMap<String, String> = c["params"]["bodyParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_owned(),
                p["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(bp["team-name"], "string");
    assert_eq!(bp["n"], "number");
    assert_eq!(bp["tags"], "array");
}

#[tokio::test]
async fn bad_connectors_get_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cred = credential(
        &app,
        &admin,
        &["api.example.com"],
        json!({"authMethod": "bearer", "bearer": {"token": "t"}}),
    )
    .await;
    let good = json!({"method": "POST", "url": "https://api.example.com/x", "headers": [], "pathParams": [], "queryParams": [], "body": "{\"a\": {{a}}}"});
    let with = |k: &str, v: Value| {
        let mut p = good.clone();
        p[k] = v;
        json!({"name": "c", "params": p})
    };
    let cases = [
        (with("method", json!("BREW")), "params.method"),
        (with("url", json!("file:///etc/passwd")), "params.url"),
        (with("url", json!("https://{{host}}/x")), "params.url"),
        (with("body", json!("{\"a\": {{a}")), "params.body"),
        (with("body", json!("{\"a\": }")), "params.body"),
        (
            with(
                "headers",
                json!([{"key": "X", "mode": "static", "value": "a\nb"}]),
            ),
            "params.headers[0]",
        ),
        (
            json!({"name": "c", "params": good, "config": {"timeout": {"requestSec": 500}}}),
            "config.timeout.requestSec",
        ),
        (
            json!({"name": "c", "params": good, "config": {"retry": {"maxRetries": 2, "retryableStatusCodes": [200]}}}),
            "retryableStatusCodes",
        ),
        (
            json!({"name": "c", "params": good, "authId": "nope"}),
            "authId",
        ),
        (
            json!({"name": "c", "params": {"method": "GET", "url": "https://other.example.org/", "headers": [], "pathParams": [], "queryParams": [], "body": ""}, "authId": cred}),
            "allowlist",
        ),
    ];
    for (body, named) in cases {
        let r = post(&app, &admin, "/v2/api-connectors", body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.1["message"].as_str().unwrap().contains(named),
            "{body} → {}",
            r.1
        );
    }
    let (_, list) = app.get("/v2/api-connectors", Some(&admin)).await;
    assert_eq!(list["entries"], json!([]), "nothing was written");
    let r = call(
        &app,
        &admin,
        "00000000-0000-0000-0000-000000000000",
        json!({}),
    )
    .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}
