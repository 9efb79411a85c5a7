//! Both of Sigma's OpenAPI documents (`../shared/reference/`) import, list their
//! operations, and give the seed tutorial's connector for `POST /v2/teams`.

use std::path::PathBuf;
use std::time::Instant;

use sigil_connect::openapi::{self, OperationKey};
use sigil_connect::template::ParamType;

/// Where the reference documents are: `SIGIL_TEST_REFERENCE_DIR`, or `../shared/reference`
/// beside the repository. Under CI their absence fails the test rather than skip it.
fn reference(name: &str) -> Option<Vec<u8>> {
    let dir = std::env::var_os("SIGIL_TEST_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
        });
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("{} is needed under CI: {e}", path.display())
        }
        Err(_) => {
            eprintln!(
                "skipping: {} is not here (set SIGIL_TEST_REFERENCE_DIR)",
                path.display()
            );
            None
        }
    }
}

#[test]
fn the_tutorials_document_imports_and_builds_the_teams_connector() {
    let Some(bytes) = reference("sigma-computing-public-rest-api.json") else {
        return;
    };
    let doc = openapi::parse(&bytes).unwrap();
    let ops = doc.operations().unwrap();
    assert!(ops.len() > 100, "{} operations", ops.len());
    let op = doc
        .find(&OperationKey::Route {
            method: "POST".into(),
            path: "/v2/teams".into(),
        })
        .unwrap()
        .expect("POST /v2/teams is in the document");
    assert_eq!(op.operation_id.as_deref(), Some("createTeam"));
    assert_eq!(op.servers[0], "https://api.sigmacomputing.com");
    let params = openapi::connector_params(&doc, &op, Some("http://127.0.0.1:8080")).unwrap();
    assert_eq!(params.url, "http://127.0.0.1:8080/v2/teams");
    let compiled = params.compile().unwrap();
    let types = compiled.parameters();
    assert_eq!(types["name"], ParamType::String);
    assert_eq!(types["description"], ParamType::String);
    assert_eq!(types["members"], ParamType::Array);
    assert_eq!(types["createTeamFolder"], ParamType::Boolean);
    assert!(
        params.headers.is_empty(),
        "Authorization comes from the credential"
    );
}

#[test]
fn the_newest_document_imports_with_its_reference_cycles() {
    let Some(bytes) = reference("sigma-rest-api-2026-08.json") else {
        return;
    };
    assert!(bytes.len() > 3_000_000);
    let t = Instant::now();
    let doc = openapi::parse(&bytes).unwrap();
    let ops = doc.operations().unwrap();
    eprintln!("imported {} operations in {:?}", ops.len(), t.elapsed());
    assert!(ops.len() > 150);
    let op = doc
        .find(&OperationKey::Id("createApiConnector".into()))
        .unwrap()
        .unwrap();
    assert_eq!(op.path, "/v2/api-connectors");
    // The parameter shape schema refers to itself; listing cuts the cycle.
    let listed = serde_json::to_string(&op).unwrap();
    assert!(listed.contains("\"$ref\""), "a cut cycle stays a reference");
    openapi::connector_params(&doc, &op, None)
        .unwrap()
        .compile()
        .unwrap();
}
