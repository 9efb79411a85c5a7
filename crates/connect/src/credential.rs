//! Outbound credentials, in the shapes of Sigma's `/v2/api-credentials`: what an
//! admin sends (secrets included), what is sealed at rest (the same, whole), and what
//! any read answers ([`Credential::public`], secrets never included).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::policy::Allowlist;

/// A secret string: serialized as itself (it is only ever serialized to be sealed),
/// but never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

/// How the client authenticates at an OAuth token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum TokenAuthMethod {
    /// `Authorization: Basic base64(client_id:client_secret)`.
    #[default]
    HttpBasic,
    /// `client_id` and `client_secret` in the form body.
    RequestBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Basic {
    pub username: String,
    pub password: Secret,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bearer {
    pub token: Secret,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKey {
    /// The header name, or the query parameter name when `is_query_param`.
    pub key: String,
    pub value: Secret,
    pub is_query_param: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuthClientCredentials {
    pub client_id: String,
    pub client_secret: Secret,
    pub access_token_url: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub access_token_auth_method: TokenAuthMethod,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuthAuthorizationCode {
    pub client_id: String,
    pub client_secret: Secret,
    pub authorization_url: String,
    pub access_token_url: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub access_token_auth_method: TokenAuthMethod,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuthPasswordCredentials {
    pub username: String,
    pub password: Secret,
    pub access_token_url: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub access_token_auth_method: TokenAuthMethod,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemporaryCredentialsParam {
    pub key: String,
    pub value: String,
    pub send_in: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwsSigV4 {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub session_token: Option<Secret>,
    #[serde(default)]
    pub temporary_credentials_url: Option<String>,
    #[serde(default)]
    pub temporary_credentials_response_mapping: Option<Value>,
    #[serde(default)]
    pub temporary_credentials_request_params: Option<Vec<TemporaryCredentialsParam>>,
}

/// A credential with its secrets, as `POST /v2/api-credentials` takes it:
/// `{"authMethod": "basic", "basic": {"username", "password"}}` and so on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "authMethod",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Credential {
    Basic {
        basic: Basic,
    },
    Bearer {
        bearer: Bearer,
    },
    ApiKey {
        api_key: ApiKey,
    },
    #[serde(rename = "oAuthClientCredentials")]
    OAuthClientCredentials {
        #[serde(rename = "oAuthClientCredentials")]
        o_auth_client_credentials: OAuthClientCredentials,
    },
    #[serde(rename = "oAuthAuthorizationCode")]
    OAuthAuthorizationCode {
        #[serde(rename = "oAuthAuthorizationCode")]
        o_auth_authorization_code: OAuthAuthorizationCode,
    },
    #[serde(rename = "oAuthPasswordCredentials")]
    OAuthPasswordCredentials {
        #[serde(rename = "oAuthPasswordCredentials")]
        o_auth_password_credentials: OAuthPasswordCredentials,
    },
    AwsSigV4 {
        aws_sig_v4: AwsSigV4,
    },
}

/// Every secret field, as (`authMethod`, field of its object): what no read answers
/// and what an edit may leave out to keep.
pub const SECRET_FIELDS: &[(&str, &str)] = &[
    ("basic", "password"),
    ("bearer", "token"),
    ("apiKey", "value"),
    ("oAuthClientCredentials", "clientSecret"),
    ("oAuthAuthorizationCode", "clientSecret"),
    ("oAuthPasswordCredentials", "password"),
    ("oAuthPasswordCredentials", "clientSecret"),
    ("awsSigV4", "secretAccessKey"),
    ("awsSigV4", "sessionToken"),
];

/// `incoming` (a credential's JSON) with every secret it leaves out — absent, `null`
/// or empty — taken from `stored`, when both use the same method. A form that never
/// shows a stored secret sends it back this way.
pub fn keep_stored_secrets(mut incoming: Value, stored: &Credential) -> Value {
    let method = stored.auth_method();
    if incoming.get("authMethod").and_then(Value::as_str) != Some(method) {
        return incoming;
    }
    let Ok(old) = serde_json::to_value(stored) else {
        return incoming;
    };
    for (m, field) in SECRET_FIELDS.iter().filter(|(m, _)| *m == method) {
        let Some(kept) = old.get(*m).and_then(|o| o.get(*field)) else {
            continue;
        };
        let Some(obj) = incoming.get_mut(*m).and_then(Value::as_object_mut) else {
            continue;
        };
        let missing = match obj.get(*field) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(_) => false,
        };
        if missing && !kept.is_null() {
            obj.insert((*field).to_owned(), kept.clone());
        }
    }
    incoming
}

/// Why a credential was refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CredentialError {
    pub field: String,
    pub message: String,
}

fn bad(field: &str, message: impl Into<String>) -> CredentialError {
    CredentialError {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn check_url(field: &str, url: &str) -> Result<(), CredentialError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        Ok(_) => Err(bad(field, "must be an http or https URL with a host")),
        Err(e) => Err(bad(field, format!("is not a URL ({e})"))),
    }
}

fn check_nonempty(field: &str, v: &str) -> Result<(), CredentialError> {
    if v.trim().is_empty() {
        Err(bad(field, "must not be empty"))
    } else {
        Ok(())
    }
}

impl Credential {
    /// Sigma's `authMethod` name.
    pub fn auth_method(&self) -> &'static str {
        match self {
            Credential::Basic { .. } => "basic",
            Credential::Bearer { .. } => "bearer",
            Credential::ApiKey { .. } => "apiKey",
            Credential::OAuthClientCredentials { .. } => "oAuthClientCredentials",
            Credential::OAuthAuthorizationCode { .. } => "oAuthAuthorizationCode",
            Credential::OAuthPasswordCredentials { .. } => "oAuthPasswordCredentials",
            Credential::AwsSigV4 { .. } => "awsSigV4",
        }
    }

    /// Checks what serde cannot: non-empty names and secrets, URLs, header names.
    pub fn validate(&self) -> Result<(), CredentialError> {
        match self {
            Credential::Basic { basic } => {
                check_nonempty("credential.basic.username", &basic.username)?;
                if basic.username.contains(':') {
                    return Err(bad(
                        "credential.basic.username",
                        "may not hold `:` (HTTP Basic separates the password with it)",
                    ));
                }
                Ok(())
            }
            Credential::Bearer { bearer } => {
                check_nonempty("credential.bearer.token", bearer.token.expose())?;
                if bearer.token.expose().contains(['\r', '\n']) {
                    return Err(bad("credential.bearer.token", "may not hold CR or LF"));
                }
                Ok(())
            }
            Credential::ApiKey { api_key } => {
                check_nonempty("credential.apiKey.key", &api_key.key)?;
                check_nonempty("credential.apiKey.value", api_key.value.expose())?;
                if !api_key.is_query_param {
                    if http::HeaderName::from_bytes(api_key.key.as_bytes()).is_err() {
                        return Err(bad("credential.apiKey.key", "is not a valid header name"));
                    }
                    if http::HeaderValue::from_str(api_key.value.expose()).is_err() {
                        return Err(bad(
                            "credential.apiKey.value",
                            "is not a valid header value (control characters?)",
                        ));
                    }
                }
                Ok(())
            }
            Credential::OAuthClientCredentials {
                o_auth_client_credentials: o,
            } => {
                check_nonempty("credential.oAuthClientCredentials.clientId", &o.client_id)?;
                check_nonempty(
                    "credential.oAuthClientCredentials.clientSecret",
                    o.client_secret.expose(),
                )?;
                check_url(
                    "credential.oAuthClientCredentials.accessTokenUrl",
                    &o.access_token_url,
                )
            }
            Credential::OAuthAuthorizationCode {
                o_auth_authorization_code: o,
            } => {
                check_nonempty("credential.oAuthAuthorizationCode.clientId", &o.client_id)?;
                check_url(
                    "credential.oAuthAuthorizationCode.authorizationUrl",
                    &o.authorization_url,
                )?;
                check_url(
                    "credential.oAuthAuthorizationCode.accessTokenUrl",
                    &o.access_token_url,
                )
            }
            Credential::OAuthPasswordCredentials {
                o_auth_password_credentials: o,
            } => {
                check_nonempty("credential.oAuthPasswordCredentials.username", &o.username)?;
                check_url(
                    "credential.oAuthPasswordCredentials.accessTokenUrl",
                    &o.access_token_url,
                )
            }
            Credential::AwsSigV4 { aws_sig_v4: a } => {
                check_nonempty("credential.awsSigV4.accessKeyId", &a.access_key_id)?;
                check_nonempty(
                    "credential.awsSigV4.secretAccessKey",
                    a.secret_access_key.expose(),
                )?;
                if let Some(u) = &a.temporary_credentials_url {
                    check_url("credential.awsSigV4.temporaryCredentialsUrl", u)?;
                }
                Ok(())
            }
        }
    }

    /// The credential as reads answer it: every field but the secrets.
    pub fn public(&self) -> Value {
        match self {
            Credential::Basic { basic } => {
                json!({"authMethod": "basic", "basic": {"username": basic.username}})
            }
            Credential::Bearer { .. } => json!({"authMethod": "bearer"}),
            Credential::ApiKey { api_key } => json!({
                "authMethod": "apiKey",
                "apiKey": {"key": api_key.key, "isQueryParam": api_key.is_query_param}
            }),
            Credential::OAuthClientCredentials {
                o_auth_client_credentials: o,
            } => json!({
                "authMethod": "oAuthClientCredentials",
                "oAuthClientCredentials": {
                    "clientId": o.client_id,
                    "accessTokenUrl": o.access_token_url,
                    "scopes": o.scopes,
                    "accessTokenAuthMethod": o.access_token_auth_method,
                }
            }),
            Credential::OAuthAuthorizationCode {
                o_auth_authorization_code: o,
            } => json!({
                "authMethod": "oAuthAuthorizationCode",
                "oAuthAuthorizationCode": {
                    "clientId": o.client_id,
                    "authorizationUrl": o.authorization_url,
                    "accessTokenUrl": o.access_token_url,
                    "scopes": o.scopes,
                    "accessTokenAuthMethod": o.access_token_auth_method,
                }
            }),
            Credential::OAuthPasswordCredentials {
                o_auth_password_credentials: o,
            } => {
                let mut v = json!({
                    "username": o.username,
                    "accessTokenUrl": o.access_token_url,
                    "scopes": o.scopes,
                    "accessTokenAuthMethod": o.access_token_auth_method,
                });
                if let Some(id) = &o.client_id {
                    v["clientId"] = json!(id);
                }
                json!({"authMethod": "oAuthPasswordCredentials", "oAuthPasswordCredentials": v})
            }
            Credential::AwsSigV4 { aws_sig_v4: a } => {
                let mut v = json!({"accessKeyId": a.access_key_id});
                if let Some(r) = &a.region {
                    v["region"] = json!(r);
                }
                if let Some(s) = &a.service {
                    v["service"] = json!(s);
                }
                if let Some(u) = &a.temporary_credentials_url {
                    v["temporaryCredentialsUrl"] = json!(u);
                }
                if let Some(m) = &a.temporary_credentials_response_mapping {
                    v["temporaryCredentialsResponseMapping"] = m.clone();
                }
                if let Some(p) = &a.temporary_credentials_request_params {
                    v["temporaryCredentialsRequestParams"] = json!(p);
                }
                json!({"authMethod": "awsSigV4", "awsSigV4": v})
            }
        }
    }

    /// Every secret string the credential holds, so that anything shown to a person
    /// (a dry run, an error) can be checked not to contain one.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        match self {
            Credential::Basic { basic } => out.push(basic.password.expose()),
            Credential::Bearer { bearer } => out.push(bearer.token.expose()),
            Credential::ApiKey { api_key } => out.push(api_key.value.expose()),
            Credential::OAuthClientCredentials {
                o_auth_client_credentials: o,
            } => out.push(o.client_secret.expose()),
            Credential::OAuthAuthorizationCode {
                o_auth_authorization_code: o,
            } => out.push(o.client_secret.expose()),
            Credential::OAuthPasswordCredentials {
                o_auth_password_credentials: o,
            } => {
                out.push(o.password.expose());
                if let Some(s) = &o.client_secret {
                    out.push(s.expose());
                }
            }
            Credential::AwsSigV4 { aws_sig_v4: a } => {
                out.push(a.secret_access_key.expose());
                if let Some(s) = &a.session_token {
                    out.push(s.expose());
                }
            }
        }
        out.retain(|s| !s.is_empty());
        out
    }
}

/// A stored credential as the engine uses it.
#[derive(Debug, Clone)]
pub struct UsableCredential {
    /// Identifies the credential *and its version*, so that a token fetched with old
    /// secrets is not reused after an update.
    pub cache_key: String,
    pub credential: Credential,
    pub allowlist: Allowlist,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmas_shapes_parse_and_reads_hide_secrets() {
        let c: Credential = serde_json::from_value(json!({
            "authMethod": "oAuthClientCredentials",
            "oAuthClientCredentials": {
                "clientId": "id", "clientSecret": "s3cr3t",
                "accessTokenUrl": "https://auth.example.com/token",
                "scopes": ["a"], "accessTokenAuthMethod": "requestBody"
            }
        }))
        .unwrap();
        c.validate().unwrap();
        let public = c.public().to_string();
        assert!(!public.contains("s3cr3t"), "{public}");
        assert!(public.contains("requestBody"));
        assert!(!format!("{c:?}").contains("s3cr3t"), "Debug redacts");
        assert_eq!(c.secrets(), vec!["s3cr3t"]);

        let k: Credential = serde_json::from_value(json!({
            "authMethod": "apiKey", "apiKey": {"key": "X-Key", "value": "v", "isQueryParam": false}
        }))
        .unwrap();
        assert_eq!(k.auth_method(), "apiKey");
        let a: Credential = serde_json::from_value(json!({
            "authMethod": "awsSigV4", "awsSigV4": {"accessKeyId": "AK", "secretAccessKey": "SK", "region": "us-east-1", "service": "execute-api"}
        }))
        .unwrap();
        assert_eq!(a.public()["awsSigV4"]["accessKeyId"], "AK");
    }

    #[test]
    fn bad_credentials_name_the_field() {
        let c: Credential = serde_json::from_value(json!({
            "authMethod": "basic", "basic": {"username": "a:b", "password": "p"}
        }))
        .unwrap();
        assert_eq!(c.validate().unwrap_err().field, "credential.basic.username");
        let c: Credential = serde_json::from_value(json!({
            "authMethod": "oAuthClientCredentials",
            "oAuthClientCredentials": {"clientId": "i", "clientSecret": "s", "accessTokenUrl": "ftp://x", "scopes": []}
        }))
        .unwrap();
        assert!(c.validate().unwrap_err().field.ends_with("accessTokenUrl"));
        assert!(serde_json::from_value::<Credential>(json!({"authMethod": "kerberos"})).is_err());
    }
}
