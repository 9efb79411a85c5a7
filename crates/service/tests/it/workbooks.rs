//! Workbooks: creation rights, document validation naming the element, and saves that
//! refuse to overwrite a newer version.

use serde_json::json;
use sigil_core::BuiltinAccountType::{Creator, Viewer};
use sigil_service::workbooks::NewWorkbook;
use sigil_service::workspaces::Created;
use sigil_service::ServiceError;

use crate::*;

#[tokio::test]
async fn documents_are_validated_whole_and_a_stale_save_is_a_conflict() {
    let w = World::new().await;
    let s = &w.services;
    let creator = w.member("c@example.com", Creator).await;
    let viewer = w.member("v@example.com", Viewer).await;
    let Created::Created(ws) = s.workspaces.create(&creator, "W", false).await.unwrap() else {
        panic!()
    };
    let new = |name: &str| NewWorkbook {
        folder_id: ws.id,
        name: name.into(),
        ..Default::default()
    };
    assert_forbidden(s.workbooks.create(&viewer, new("x")).await);
    assert_invalid(s.workbooks.create(&creator, new("a/b")).await, "name");
    let wb = s.workbooks.create(&creator, new("Teams")).await.unwrap();
    assert_eq!(wb.version, 1);
    let control = |id: &str| json!({"type": "control", "elementId": format!("el-{id}"), "controlId": "team-name", "controlType": "text-input"});
    let doc = json!({"pages": [{"pageId": "p1", "name": "Page 1", "elements": [control("a"), control("b")]}]});
    let msg = assert_invalid(
        s.workbooks
            .save_document(&creator, wb.node.id, doc, None)
            .await,
        "document",
    );
    assert!(msg.contains("team-name"), "{msg}");
    let ok = json!({"pages": [{"pageId": "p1", "name": "Page 1", "elements": [control("a")]}]});
    let saved = s
        .workbooks
        .save_document(&creator, wb.node.id, ok.clone(), Some(1))
        .await
        .unwrap();
    assert_eq!(saved.version, 2);
    // Someone who opened version 1 may not overwrite version 2.
    let r = s
        .workbooks
        .save_document(&creator, wb.node.id, ok.clone(), Some(1))
        .await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");
    let back = s
        .workbooks
        .load(&creator, wb.node.id, sigil_core::GrantPermission::View)
        .await
        .unwrap();
    assert_eq!(back.version, 2);
    assert_eq!(back.document.pages[0].elements.len(), 1);
    // A member without access does not see the workbook at all.
    assert!(matches!(
        s.workbooks.get(&viewer, wb.node.id).await,
        Err(ServiceError::NotFound(_))
    ));
}
