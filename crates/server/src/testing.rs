//! sigil as a test double, over HTTP: `/_sigil/reset`, `/_sigil/snapshots…`,
//! `/_sigil/faults` and `/_sigil/tokens` (routed only when `testing.endpoints` is on, and allowed only to
//! an Admin), and the layer that injects the configured faults into answers. The
//! prefix cannot collide with Sigma's API, and these routes are not in
//! `/openapi.json`: they are sigil's, not Sigma's.

use std::time::Duration;

use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sigil_service::config::FaultRule;
use sigil_service::SnapshotInfo;

use crate::error::{code_for, ApiError};
use crate::extract::{AdminMember, ApiJson};
use crate::middleware::RequestId;
use crate::state::AppState;

/// Labels an injected answer (or a delayed one) with the rule that did it.
pub const FAULT_HEADER: HeaderName = HeaderName::from_static("x-sigil-fault");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_sigil/reset", post(reset))
        .route("/_sigil/snapshots", get(list).post(take))
        .route("/_sigil/snapshots/{name}", delete(remove))
        .route("/_sigil/snapshots/{name}/restore", post(restore))
        .route("/_sigil/faults", get(faults).put(set_faults))
        .route("/_sigil/tokens", get(tokens).put(set_tokens))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TokensBody {
    /// Null puts the configured lifetime back.
    access_token_ttl_secs: Option<u64>,
}

async fn tokens(
    State(s): State<AppState>,
    admin: AdminMember,
) -> Result<Json<TokensBody>, ApiError> {
    Ok(Json(TokensBody {
        access_token_ttl_secs: Some(s.services.testing.token_ttl(&admin)?),
    }))
}

async fn set_tokens(
    State(s): State<AppState>,
    admin: AdminMember,
    ApiJson(body): ApiJson<TokensBody>,
) -> Result<Json<TokensBody>, ApiError> {
    let ttl = s
        .services
        .testing
        .set_token_ttl(&admin, body.access_token_ttl_secs)?;
    Ok(Json(TokensBody {
        access_token_ttl_secs: Some(ttl),
    }))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot {
    name: String,
    #[serde(with = "time::serde::rfc3339")]
    taken_at: time::OffsetDateTime,
}

impl From<SnapshotInfo> for Snapshot {
    fn from(s: SnapshotInfo) -> Self {
        Snapshot {
            name: s.name,
            taken_at: s.taken_at,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TakeBody {
    name: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsBody {
    faults: Vec<FaultRule>,
}

#[derive(Debug, Serialize)]
struct Entries {
    entries: Vec<Snapshot>,
}

async fn reset(State(s): State<AppState>, admin: AdminMember) -> Result<Json<Snapshot>, ApiError> {
    Ok(Json(s.services.testing.reset(&admin).await?.into()))
}

async fn list(State(s): State<AppState>, admin: AdminMember) -> Result<Json<Entries>, ApiError> {
    let entries = s.services.testing.list(&admin).await?;
    Ok(Json(Entries {
        entries: entries.into_iter().map(Into::into).collect(),
    }))
}

async fn take(
    State(s): State<AppState>,
    admin: AdminMember,
    ApiJson(body): ApiJson<TakeBody>,
) -> Result<(StatusCode, Json<Snapshot>), ApiError> {
    let taken = s.services.testing.take(&admin, &body.name).await?;
    Ok((StatusCode::CREATED, Json(taken.into())))
}

async fn restore(
    State(s): State<AppState>,
    admin: AdminMember,
    Path(name): Path<String>,
) -> Result<Json<Snapshot>, ApiError> {
    Ok(Json(
        s.services.testing.restore(&admin, &name).await?.into(),
    ))
}

async fn remove(
    State(s): State<AppState>,
    admin: AdminMember,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.services.testing.delete(&admin, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn faults(
    State(s): State<AppState>,
    admin: AdminMember,
) -> Result<Json<FaultsBody>, ApiError> {
    Ok(Json(FaultsBody {
        faults: s.services.testing.fault_rules(&admin)?,
    }))
}

async fn set_faults(
    State(s): State<AppState>,
    admin: AdminMember,
    ApiJson(body): ApiJson<FaultsBody>,
) -> Result<Json<FaultsBody>, ApiError> {
    s.services.testing.set_fault_rules(&admin, body.faults)?;
    Ok(Json(FaultsBody {
        faults: s.services.testing.fault_rules(&admin)?,
    }))
}

/// Injects the configured faults. Requests under `/_sigil/` never get one, so that
/// a test can always take its faults back.
pub async fn inject_faults(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let faults = s.services.testing.faults();
    if !faults.any() {
        return next.run(req).await;
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    if route.starts_with("/_sigil/") {
        return next.run(req).await;
    }
    let Some(fault) = faults.decide(req.method().as_str(), &route, rand::random::<f64>) else {
        return next.run(req).await;
    };
    s.metrics.injected_fault(
        req.method().as_str(),
        &route,
        fault.status.map_or("delay".into(), |c| c.to_string()),
    );
    let label =
        HeaderValue::from_str(&format!("testing.faults[{}]", fault.rule)).expect("an ASCII label");
    if fault.delay > Duration::ZERO {
        tokio::time::sleep(fault.delay).await;
    }
    let Some(code) = fault.status else {
        let mut res = next.run(req).await;
        res.headers_mut().insert(FAULT_HEADER, label);
        return res;
    };
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.as_str().to_owned())
        .unwrap_or_default();
    let body = serde_json::json!({
        "code": code_for(status),
        "message": format!("injected by sigil (testing.faults[{}])", fault.rule),
        "requestId": request_id,
    });
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(FAULT_HEADER, label);
    if matches!(code, 429 | 503) {
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from(fault.retry_after_secs),
        );
    }
    res
}
