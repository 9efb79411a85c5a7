//! What is written down: no secret ever reaches the logs, and the call log keeps calls for its retention.

use super::*;

#[derive(Clone, Default)]
pub(super) struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything every test of this binary logs, at the most verbose level.
pub(super) fn captured_logs() -> LogBuffer {
    static LOGS: std::sync::OnceLock<LogBuffer> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = LogBuffer::default();
        let writer = buf.clone();
        tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        buf
    })
    .clone()
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let logs = captured_logs();
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, _) = upstream("127.0.0.1").await;
    let base = format!("http://{addr}");
    let secrets = ["log-pw-4471", "log-tok-9902", "log-cs-1183"];
    for cred in [
        json!({"authMethod": "basic", "basic": {"username": "u", "password": secrets[0]}}),
        json!({"authMethod": "bearer", "bearer": {"token": secrets[1]}}),
        json!({"authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
            "clientId": "cid", "clientSecret": secrets[2], "accessTokenUrl": format!("{base}/token"),
            "scopes": [], "accessTokenAuthMethod": "requestBody"}}),
    ] {
        let auth = credential(&app, &admin, &["127.0.0.1", "169.254.169.254"], cred).await;
        let id = connector(
            &app,
            &admin,
            get_connector(&format!("{base}/echo"), Some(&auth)),
        )
        .await;
        let (s, r) = call(&app, &admin, &id, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        // A failing call too: its error goes to the log.
        let id = connector(
            &app,
            &admin,
            get_connector("http://169.254.169.254/", Some(&auth)),
        )
        .await;
        call(&app, &admin, &id, json!({})).await;
    }
    app.state.services.connectors.audit().flush().await;
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("API credential created"),
        "the logs were captured"
    );
    for s in secrets {
        assert!(!text.contains(s), "{s} is in the logs");
    }
}

#[tokio::test]
async fn the_call_log_forgets_calls_past_its_retention_unless_told_to_keep_them() {
    for (retention, kept) in [(30, 1), (0, 2)] {
        let app = TestApp::spawn_with(|o| {
            o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()];
            o.config.connect.call_log_retention_days = retention;
        })
        .await;
        let admin = app.admin_token().await;
        let (addr, _up) = upstream("127.0.0.1").await;
        let id = connector(
            &app,
            &admin,
            get_connector(&format!("http://{addr}/echo"), None),
        )
        .await;
        assert_eq!(call(&app, &admin, &id, json!({})).await.0, StatusCode::OK);
        app.state.services.connectors.audit().flush().await;

        // A call made 40 days ago, as the log would hold it.
        let then = time::OffsetDateTime::now_utc() - time::Duration::days(40);
        let old_id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            then.unix_timestamp() as u64,
            then.nanosecond(),
        ));
        app.store
            .insert_api_calls(&[sigil_store::ApiCall {
                id: sigil_core::ApiCallId::from(old_id),
                connector_id: id.parse().unwrap(),
                member_id: app.init.member_id,
                at: then,
                status: Some(200),
                error: None,
                duration_ms: 1.0,
                bytes_sent: 0,
                bytes_received: 2,
                response_body: None,
            }])
            .await
            .unwrap();

        sigil_service::startup::prune_call_log(&app.state.services).await;
        let (s, log) = app
            .get(&format!("/v2/api-connectors/{id}/calls"), Some(&admin))
            .await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let entries = log["entries"].as_array().unwrap();
        assert_eq!(entries.len(), kept, "retention {retention}: {log}");
        assert_eq!(
            entries.iter().any(|e| e["callId"] == old_id.to_string()),
            retention == 0,
            "retention {retention}: {log}"
        );
    }
}
