//! API credentials, connectors, documents and the call log.

use crate::*;

pub(crate) async fn api_credentials_connectors_documents_and_calls_round_trip(
    store: Arc<SqlStore>,
) {
    let b = bootstrapped(&store).await;
    let now = sigil_core::clock::now();
    let cred = |name: &str| ApiCredential {
        id: sigil_core::ApiCredentialId::new(),
        name: name.into(),
        description: None,
        auth_method: "bearer".into(),
        allowlist: vec!["*.example.com".into()],
        public: r#"{"authMethod":"bearer"}"#.into(),
        sealed: "sgl1.k.n.c".into(),
        is_archived: false,
        created_by: b.admin.id,
        updated_by: b.admin.id,
        created_at: now,
        updated_at: now,
    };
    let (c1, c2, c3) = (cred("b"), cred("a"), cred("c"));
    for c in [&c1, &c2, &c3] {
        store.insert_api_credential(c).await.unwrap();
    }
    assert_eq!(store.api_credential(c1.id).await.unwrap().unwrap(), c1);
    let page = store.list_api_credentials(None, None, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let rest = store
        .list_api_credentials(None, Some(("b".into(), c1.id)), 2)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].name, "c");
    let mut archived = c3.clone();
    archived.is_archived = true;
    assert!(store.update_api_credential(&archived).await.unwrap());
    assert_eq!(
        store
            .list_api_credentials(None, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .list_api_credentials(Some("a"), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let mut ghost = cred("ghost");
    ghost.id = sigil_core::ApiCredentialId::new();
    assert!(
        !store.update_api_credential(&ghost).await.unwrap(),
        "absent, not failed"
    );

    let conn = ApiConnector {
        id: sigil_core::ApiConnectorId::new(),
        name: "teams".into(),
        description: Some("d".into()),
        auth_id: Some(c1.id),
        params: "{}".into(),
        config: "{}".into(),
        is_archived: false,
        created_by: b.admin.id,
        updated_by: b.admin.id,
        created_at: now,
        updated_at: now,
    };
    store.insert_api_connector(&conn).await.unwrap();
    assert_eq!(store.api_connector(conn.id).await.unwrap().unwrap(), conn);
    assert_eq!(
        store.list_api_connectors(None, None, 10).await.unwrap(),
        vec![conn.clone()]
    );

    let doc = ApiDocument {
        id: sigil_core::ApiDocumentId::new(),
        name: "sigma".into(),
        source_url: None,
        spec_version: "openapi-3.1".into(),
        title: "Sigma".into(),
        operation_count: 3,
        created_by: b.admin.id,
        created_at: now,
    };
    let body = "x".repeat(4_000_000);
    store.insert_api_document(&doc, &body).await.unwrap();
    assert_eq!(store.api_document(doc.id).await.unwrap().unwrap(), doc);
    assert_eq!(
        store
            .api_document_body(doc.id)
            .await
            .unwrap()
            .unwrap()
            .len(),
        body.len()
    );
    assert_eq!(
        store.list_api_documents(None, 10).await.unwrap(),
        vec![doc.clone()]
    );
    assert!(store.delete_api_document(doc.id).await.unwrap());
    assert!(store.api_document(doc.id).await.unwrap().is_none());

    let calls: Vec<ApiCall> = (0..3)
        .map(|i| ApiCall {
            id: sigil_core::ApiCallId::from(uuid::Uuid::now_v7()),
            connector_id: conn.id,
            member_id: b.admin.id,
            at: now + Duration::milliseconds(i),
            status: Some(200),
            error: None,
            duration_ms: 1.5,
            bytes_sent: 10,
            bytes_received: 20,
            response_body: None,
        })
        .collect();
    store.insert_api_calls(&calls).await.unwrap();
    let calls = store.list_api_calls(conn.id, None, 2).await.unwrap();
    assert_eq!(calls.len(), 2);
    assert!(calls[0].at > calls[1].at, "newest first");
    let older = store
        .list_api_calls(conn.id, Some(calls[1].id), 2)
        .await
        .unwrap();
    assert_eq!(older.len(), 1);

    // A batch larger than one INSERT's chunk lands whole, every field intact.
    let batch: Vec<ApiCall> = (0..1_203)
        .map(|i| ApiCall {
            id: sigil_core::ApiCallId::from(uuid::Uuid::now_v7()),
            connector_id: conn.id,
            member_id: b.admin.id,
            at: now + Duration::seconds(1) + Duration::milliseconds(i),
            status: (i % 2 == 0).then_some(502),
            error: (i % 2 == 1).then(|| format!("timed out #{i}")),
            duration_ms: i as f64 + 0.25,
            bytes_sent: i as u64,
            bytes_received: u64::MAX,
            response_body: (i == 1_202).then(|| "{\"last\": true}".to_owned()),
        })
        .collect();
    store.insert_api_calls(&batch).await.unwrap();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store.list_api_calls(conn.id, before, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        seen.extend(page);
    }
    assert_eq!(seen.len(), 1_206);
    let newest = &seen[0];
    assert_eq!(newest.id, batch[1_202].id);
    assert_eq!(newest.status, Some(502));
    assert_eq!(newest.error, None);
    assert_eq!(newest.duration_ms, 1_202.25);
    assert_eq!(newest.bytes_sent, 1_202);
    // Stored as a signed 64-bit integer: the largest count is clamped, not wrapped.
    assert_eq!(newest.bytes_received, i64::MAX as u64);
    assert_eq!(newest.response_body.as_deref(), Some("{\"last\": true}"));
    let odd = seen.iter().find(|c| c.id == batch[7].id).unwrap();
    assert_eq!(
        (odd.status, odd.error.as_deref()),
        (None, Some("timed out #7"))
    );

    // Pruning goes by the ids' time: calls made 40 days ago go, the rest stay.
    let at = |days_ago: i64| {
        let t = now - Duration::days(days_ago);
        let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            t.unix_timestamp() as u64,
            t.nanosecond(),
        ));
        ApiCall {
            id: sigil_core::ApiCallId::from(id),
            at: t,
            ..batch[0].clone()
        }
    };
    let old: Vec<ApiCall> = (0..3).map(|_| at(40)).collect();
    store
        .insert_api_calls(&[old.clone(), vec![at(29)]].concat())
        .await
        .unwrap();
    assert_eq!(
        store
            .prune_api_calls(now - Duration::days(30))
            .await
            .unwrap(),
        3
    );
    let left = store.list_api_calls(conn.id, None, 2_000).await.unwrap();
    assert_eq!(
        left.len(),
        1_207,
        "1,206 recent calls and the 29-day-old one"
    );
    assert!(left.iter().all(|c| old.iter().all(|o| o.id != c.id)));
    assert_eq!(
        store
            .prune_api_calls(now - Duration::days(30))
            .await
            .unwrap(),
        0,
        "nothing more to prune"
    );
}
