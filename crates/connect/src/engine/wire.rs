//! Credentials on the wire: the OAuth token cache (one fetch per credential version
//! for any number of concurrent callers), token requests, each auth method put on a
//! request (SigV4 signed by AWS's own crate), and the preview that masks them.

use super::*;

#[derive(Clone)]
pub(super) struct CachedToken {
    pub(super) value: String,
    pub(super) refresh_at: Instant,
}

pub(super) type Slot = Arc<tokio::sync::Mutex<Option<CachedToken>>>;

/// Access tokens per credential version. One async lock per credential makes
/// concurrent callers wait for a single fetch instead of each fetching.
#[derive(Default)]
pub(super) struct TokenCache {
    pub(super) slots: Mutex<HashMap<String, Slot>>,
    pub(super) fetches: std::sync::atomic::AtomicU64,
}

impl TokenCache {
    pub(super) fn slot(&self, key: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(key.to_owned()).or_default().clone()
    }
}

pub(super) struct TokenRequest<'a> {
    pub(super) url: &'a str,
    pub(super) auth: TokenAuthMethod,
    pub(super) client_id: Option<&'a str>,
    pub(super) client_secret: Option<&'a str>,
    pub(super) scopes: &'a [String],
    pub(super) grant: Grant<'a>,
}

/// The OAuth grant a token request makes.
#[derive(Clone, Copy)]
pub(super) enum Grant<'a> {
    ClientCredentials,
    Password {
        username: &'a str,
        password: &'a str,
    },
}

/// Puts the credential on the request.
pub(super) fn apply_credential(
    req: &mut reqwest::Request,
    c: &Credential,
    token: Option<&str>,
    body: &[u8],
) -> Result<(), CallError> {
    let set = |req: &mut reqwest::Request, name: &str, value: String| -> Result<(), CallError> {
        let mut v = http::HeaderValue::from_str(&value)
            .map_err(|_| CallError::Unsupported(format!("the {name} header is not valid")))?;
        v.set_sensitive(true);
        let n = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| CallError::Unsupported(format!("`{name}` is not a header name")))?;
        req.headers_mut().insert(n, v);
        Ok(())
    };
    match c {
        Credential::Basic { basic } => {
            let raw = format!("{}:{}", basic.username, basic.password.expose());
            let enc = base64::engine::general_purpose::STANDARD.encode(raw);
            set(req, "authorization", format!("Basic {enc}"))
        }
        Credential::Bearer { bearer } => set(
            req,
            "authorization",
            format!("Bearer {}", bearer.token.expose()),
        ),
        Credential::ApiKey { api_key } if api_key.is_query_param => {
            req.url_mut()
                .query_pairs_mut()
                .append_pair(&api_key.key, api_key.value.expose());
            Ok(())
        }
        Credential::ApiKey { api_key } => set(req, &api_key.key, api_key.value.expose().to_owned()),
        Credential::OAuthClientCredentials { .. }
        | Credential::OAuthPasswordCredentials { .. }
        | Credential::OAuthAuthorizationCode { .. } => match token {
            Some(t) => set(req, "authorization", format!("Bearer {t}")),
            None => Err(CallError::Token("no access token".into())),
        },
        Credential::AwsSigV4 { aws_sig_v4: a } => sign_sigv4(req, a, body),
    }
}

pub(super) fn sign_sigv4(
    req: &mut reqwest::Request,
    a: &crate::credential::AwsSigV4,
    body: &[u8],
) -> Result<(), CallError> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;
    let host = req.url().host_str().unwrap_or_default().to_owned();
    let (region, service) = match (&a.region, &a.service) {
        (Some(r), Some(s)) => (r.clone(), s.clone()),
        _ => infer_region_service(&host).ok_or_else(|| {
            CallError::Unsupported(
                "awsSigV4 needs `region` and `service` (they cannot be read from this host)".into(),
            )
        })?,
    };
    let identity = aws_credential_types::Credentials::new(
        a.access_key_id.clone(),
        a.secret_access_key.expose().to_owned(),
        a.session_token.as_ref().map(|s| s.expose().to_owned()),
        None,
        "sigil",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name(&service)
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| CallError::Unsupported(format!("awsSigV4: {e}")))?
        .into();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let url = req.url().to_string();
    let signable = SignableRequest::new(
        req.method().as_str(),
        url.as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| CallError::Unsupported(format!("awsSigV4: {e}")))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| CallError::Unsupported(format!("awsSigV4: {e}")))?
        .into_parts();
    let (new_headers, new_query) = instructions.into_parts();
    for h in new_headers {
        let mut v = http::HeaderValue::from_str(h.value())
            .map_err(|_| CallError::Unsupported("awsSigV4 made a bad header".into()))?;
        v.set_sensitive(h.sensitive());
        let n = http::HeaderName::from_bytes(h.name().as_bytes())
            .map_err(|_| CallError::Unsupported("awsSigV4 made a bad header".into()))?;
        req.headers_mut().insert(n, v);
    }
    if !new_query.is_empty() {
        let mut pairs = req.url_mut().query_pairs_mut();
        for (k, v) in new_query {
            pairs.append_pair(k, &v);
        }
    }
    Ok(())
}

/// `service.region.amazonaws.com` and `x.service.region.amazonaws.com`.
pub(super) fn infer_region_service(host: &str) -> Option<(String, String)> {
    let labels: Vec<&str> = host.strip_suffix(".amazonaws.com")?.split('.').collect();
    match labels.as_slice() {
        [.., service, region] => Some(((*region).to_owned(), (*service).to_owned())),
        _ => None,
    }
}

/// The request as a person may see it: every secret the credential would add is
/// shown as `****` (the seed's "endpoint preview").
pub fn preview(req: &Prepared, credential: Option<&Credential>) -> Value {
    let mut headers: Vec<(String, String)> = req.headers.clone();
    let mut url = req.url.clone();
    match credential {
        Some(Credential::Basic { basic }) => {
            headers.push((
                "authorization".into(),
                format!("Basic {}:****", basic.username),
            ));
        }
        Some(Credential::Bearer { .. })
        | Some(Credential::OAuthClientCredentials { .. })
        | Some(Credential::OAuthPasswordCredentials { .. })
        | Some(Credential::OAuthAuthorizationCode { .. }) => {
            headers.push(("authorization".into(), "Bearer ****".into()));
        }
        Some(Credential::ApiKey { api_key }) if api_key.is_query_param => {
            url.query_pairs_mut().append_pair(&api_key.key, "****");
        }
        Some(Credential::ApiKey { api_key }) => {
            headers.push((api_key.key.clone(), "****".into()));
        }
        Some(Credential::AwsSigV4 { aws_sig_v4: a }) => {
            headers.push((
                "authorization".into(),
                format!(
                    "AWS4-HMAC-SHA256 Credential={}/…, SignedHeaders=…, Signature=****",
                    a.access_key_id
                ),
            ));
        }
        None => {}
    }
    let body = req
        .body
        .as_deref()
        .map(|b| serde_json::from_str::<Value>(b).unwrap_or_else(|_| Value::String(b.to_owned())));
    serde_json::json!({
        "method": req.method.as_str(),
        "url": url.as_str(),
        "headers": headers.into_iter().map(|(k, v)| serde_json::json!({"key": k, "value": v})).collect::<Vec<_>>(),
        "body": body,
    })
}
