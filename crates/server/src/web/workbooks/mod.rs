//! Workbooks in the browser: creating one from a workspace or folder page, its edit
//! mode ([`editor`], the draft in [`draft`], what is drawn of it in [`panel`]), its
//! view mode where buttons run their action sequences, and the runs' trace
//! ([`view`]). Every page calls the workbooks service, as `/v2/workbooks` does.

pub mod draft;
pub mod editor;
pub mod panel;
pub mod view;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use sigil_core::InodeId;
use sigil_service::workbooks::NewWorkbook;
use sigil_service::ServiceError;

use crate::state::AppState;
use crate::web::see_other;
use crate::web::session::Posted;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/files/{id}/workbooks", post(create))
        .route("/workbooks/{id}", get(view::view))
        .route("/workbooks/{id}/run", post(view::run))
        .route("/workbooks/{id}/runs", get(view::runs))
        .route(
            "/workbooks/{id}/edit",
            get(editor::edit).post(editor::edit_step),
        )
}

pub fn parse_id(raw: &str) -> Result<InodeId, ServiceError> {
    raw.parse()
        .map_err(|_| ServiceError::not_found(format!("no workbook `{raw}`")))
}

/// Create new > Workbook: a workbook with one empty page, opened in edit mode.
async fn create(State(st): State<AppState>, Path(raw): Path<String>, p: Posted) -> Response {
    let name = p.fields.get("name");
    let r = async {
        let folder_id = raw
            .parse()
            .map_err(|_| ServiceError::not_found(format!("no file `{raw}`")))?;
        st.services
            .workbooks
            .create(
                p.user.caller(),
                NewWorkbook {
                    folder_id,
                    name: name.clone(),
                    document: Some(json!({"pages": [
                        {"pageId": "page-1", "name": "Page 1", "elements": []}
                    ]})),
                    ..Default::default()
                },
            )
            .await
    }
    .await;
    match r {
        Ok(e) => see_other(&format!("/workbooks/{}/edit", e.node.id)),
        Err(e @ ServiceError::Invalid { .. }) | Err(e @ ServiceError::Forbidden(_)) => {
            crate::web::home::node_page_with(&st, &p.user, &raw, e, name).await
        }
        Err(e) => crate::web::service_error_page(Some(&p.user), e),
    }
}
