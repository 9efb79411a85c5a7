//! The call engine: sends a [`Prepared`] request with its credential applied, through
//! an HTTP client that refuses out-of-bounds addresses after DNS resolution (and pins
//! the connection to the addresses it checked), follows redirects itself so that each
//! hop is checked again, retries as the connector's config says, caps the response
//! size, limits the rate per connector, and caches OAuth tokens.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde::Serialize;
use serde_json::Value;

use crate::connector::{CallConfig, Prepared};
use crate::credential::{Credential, TokenAuthMethod, UsableCredential};
use crate::policy::{check_address, Network, PolicyError};

mod limits;
mod resolve;
mod wire;

use limits::*;
use resolve::*;
pub use wire::preview;
use wire::*;

/// Settings of the engine, from the server's configuration.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Networks connectors may reach even though they are private, loopback, ….
    pub allowed_networks: Vec<Network>,
    /// Origins (host, port) always allowed whatever they resolve to: the server's own
    /// public URL, so that a connector can call sigil's own API.
    pub trusted_origins: Vec<(String, u16)>,
    /// Largest response body read, in bytes.
    pub max_response_bytes: usize,
    /// Length of the window of `rateLimit.maxRequestsPerWindow`.
    pub rate_window: Duration,
    /// Longest `Retry-After` honoured; a longer one ends the retries.
    pub max_retry_after: Duration,
    /// First backoff delay; doubled on each retry, with jitter.
    pub backoff_base: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            allowed_networks: Vec::new(),
            trusted_origins: Vec::new(),
            max_response_bytes: 10 * 1024 * 1024,
            rate_window: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(30),
            backoff_base: Duration::from_millis(200),
        }
    }
}

/// Why a call failed. None of these carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("the upstream did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the response is larger than the {0}-byte limit")]
    TooLarge(usize),
    #[error("more than {0} redirects")]
    TooManyRedirects(u32),
    #[error("a redirect without a usable Location: {0}")]
    BadRedirect(String),
    #[error("the connector's rate limit of {limit} requests per {window:?} is reached")]
    RateLimited { limit: u32, window: Duration },
    #[error("could not get an access token: {0}")]
    Token(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("the request failed: {0}")]
    Transport(String),
}

/// What an upstream answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOutcome {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    /// The body as JSON when it is JSON, else as text.
    pub body: Value,
    pub duration_ms: f64,
    #[serde(skip)]
    pub bytes_sent: u64,
    #[serde(skip)]
    pub bytes_received: u64,
    #[serde(skip)]
    pub attempts: u32,
}

/// One exchange as received.
struct Raw {
    status: u16,
    headers: BTreeMap<String, String>,
    bytes: Bytes,
    duration_ms: f64,
    bytes_sent: u64,
    bytes_received: u64,
}

impl Raw {
    fn into_outcome(self, attempts: u32) -> CallOutcome {
        let is_json = self
            .headers
            .get("content-type")
            .is_some_and(|c| c.contains("json"));
        let b = &self.bytes;
        let body = if b.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice::<Value>(b) {
                Ok(v) if is_json || b.first().is_some_and(|c| matches!(c, b'{' | b'[')) => v,
                _ => Value::String(String::from_utf8_lossy(b).into_owned()),
            }
        };
        CallOutcome {
            status: self.status,
            headers: self.headers,
            body,
            duration_ms: self.duration_ms,
            bytes_sent: self.bytes_sent,
            bytes_received: self.bytes_received,
            attempts,
        }
    }
}

/// The engine; one per server, shared by every call.
pub struct Engine {
    client: reqwest::Client,
    config: EngineConfig,
    trusted: Trusted,
    tokens: TokenCache,
    limiter: RateLimiter,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One call to make.
pub struct Call<'a> {
    /// Names the connector, for its rate limit.
    pub connector_key: &'a str,
    pub request: Prepared,
    pub credential: Option<&'a UsableCredential>,
    pub config: &'a CallConfig,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Result<Self, CallError> {
        let trusted: Trusted = Arc::new(std::sync::RwLock::new(config.trusted_origins.clone()));
        let resolver = SafeResolver {
            allowed: config.allowed_networks.clone(),
            trusted: trusted.clone(),
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // reqwest honours HTTP(S)_PROXY by default. Through a proxy, the proxy
            // resolves the target and the resolver below never sees it, so a name
            // pointing at a private address would pass unchecked.
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .user_agent(concat!("sigil/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(30))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| CallError::Transport(describe(&e)))?;
        Ok(Engine {
            client,
            config,
            trusted,
            tokens: TokenCache::default(),
            limiter: RateLimiter::default(),
        })
    }

    /// Trusts one more origin: the server's own, once its listener is bound.
    pub fn trust_origin(&self, host: &str, port: u16) {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let mut t = self.trusted.write().unwrap_or_else(|e| e.into_inner());
        if !t
            .iter()
            .any(|(h, p)| h.eq_ignore_ascii_case(&host) && *p == port)
        {
            t.push((host, port));
        }
    }

    fn is_trusted_origin(&self, host: &str, port: u16) -> bool {
        self.trusted
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|(h, p)| h.eq_ignore_ascii_case(host) && *p == port)
    }

    /// How many token requests the engine has made (for tests and metrics).
    pub fn token_fetches(&self) -> u64 {
        self.tokens
            .fetches
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Checks a URL's host against an allowlist (when given) and, for an address
    /// literal, against the address policy; names are checked when resolved.
    async fn check_target(
        &self,
        url: &url::Url,
        credential: Option<&UsableCredential>,
    ) -> Result<(), CallError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(CallError::BadRedirect(format!(
                "scheme `{}` is not http or https",
                url.scheme()
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| CallError::BadRedirect("no host".into()))?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Some(c) = credential {
            c.allowlist.check(bare)?;
        }
        let port = url.port_or_known_default().unwrap_or(0);
        if self.is_trusted_origin(bare, port) {
            return Ok(());
        }
        if let Ok(ip) = bare.parse::<IpAddr>() {
            check_address(bare, ip, &self.config.allowed_networks)?;
        } else if is_trusted_host(&self.trusted, bare) {
            // The resolver lets a trusted name through on any port; on another port
            // than the trusted one, its addresses must pass here.
            let addrs = tokio::net::lookup_host((bare, port))
                .await
                .map_err(|e| CallError::Transport(format!("cannot resolve `{bare}`: {e}")))?;
            for a in addrs {
                check_address(bare, a.ip(), &self.config.allowed_networks)?;
            }
        }
        Ok(())
    }

    /// Sends the call: rate limit, credential, redirects, retries, a fresh token once
    /// after a 401.
    pub async fn call(&self, call: Call<'_>) -> Result<CallOutcome, CallError> {
        if let Some(limit) = call.config.max_requests_per_window {
            if !self
                .limiter
                .admit(call.connector_key, limit, self.config.rate_window)
            {
                return Err(CallError::RateLimited {
                    limit,
                    window: self.config.rate_window,
                });
            }
        }
        let started = Instant::now();
        let mut attempts = 0u32;
        let mut refreshed_token = false;
        loop {
            attempts += 1;
            let token = match call.credential {
                Some(c) => self.token_for(c).await?,
                None => None,
            };
            let outcome = self
                .follow(
                    &call,
                    token.as_deref(),
                    started,
                    self.config.max_response_bytes,
                )
                .await;
            let outcome = match outcome {
                Ok(o) => o,
                Err(CallError::Transport(e)) if attempts <= call.config.max_retries => {
                    tracing::debug!(attempt = attempts, error = %e, "retrying after a transport error");
                    tokio::time::sleep(self.backoff(attempts)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            if outcome.0.status == 401 && token.is_some() && !refreshed_token {
                // The token may have been revoked or expired early: fetch one more.
                refreshed_token = true;
                if let Some(c) = call.credential {
                    self.forget_token(c, token.as_deref().unwrap_or_default())
                        .await;
                }
                attempts -= 1;
                continue;
            }
            let (raw, retry_after) = outcome;
            if call.config.retryable_status_codes.contains(&raw.status)
                && attempts <= call.config.max_retries
            {
                let wait = match retry_after {
                    Some(d) if d > self.config.max_retry_after => {
                        return Ok(raw.into_outcome(attempts));
                    }
                    Some(d) => d,
                    None => self.backoff(attempts),
                };
                tokio::time::sleep(wait).await;
                continue;
            }
            return Ok(raw.into_outcome(attempts));
        }
    }

    /// Fetches a document (an OpenAPI file) with a plain GET through the same checks
    /// as a connector call: address policy on every hop, timeout, and at most
    /// `max_bytes` read.
    pub async fn fetch(&self, url: &str, max_bytes: usize) -> Result<Bytes, CallError> {
        let url =
            url::Url::parse(url).map_err(|e| CallError::BadRedirect(format!("`{url}`: {e}")))?;
        let request = Prepared {
            method: http::Method::GET,
            url,
            headers: vec![(
                "accept".into(),
                "application/json, application/yaml, */*".into(),
            )],
            body: None,
        };
        let config = crate::connector::Config::default()
            .check()
            .map_err(|e| CallError::Unsupported(e.to_string()))?;
        let call = Call {
            connector_key: "",
            request,
            credential: None,
            config: &config,
        };
        let (raw, _) = self.follow(&call, None, Instant::now(), max_bytes).await?;
        if !(200..300).contains(&raw.status) {
            return Err(CallError::Transport(format!(
                "the server answered {}",
                raw.status
            )));
        }
        Ok(raw.bytes)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        use rand::Rng;
        let cap = self.config.backoff_base * 2u32.saturating_pow(attempt.min(10) - 1);
        let cap = cap.min(Duration::from_secs(10));
        // Full jitter: anywhere from half the step to the step.
        let ms = cap.as_millis() as u64;
        Duration::from_millis(rand::thread_rng().gen_range(ms / 2..=ms.max(1)))
    }

    /// One attempt, following redirects; answers the outcome and any `Retry-After`.
    async fn follow(
        &self,
        call: &Call<'_>,
        token: Option<&str>,
        started: Instant,
        max_bytes: usize,
    ) -> Result<(Raw, Option<Duration>), CallError> {
        let mut req = call.request.clone();
        let mut hops = 0u32;
        // The credential goes only to the origin it was sent to: a redirect elsewhere
        // carries none of it, as browsers, curl and reqwest do.
        let origin = call.request.url.origin();
        loop {
            let same_origin = req.url.origin() == origin;
            self.check_target(&req.url, call.credential).await?;
            let mut builder = self
                .client
                .request(req.method.clone(), req.url.clone())
                .timeout(call.config.timeout);
            for (k, v) in &req.headers {
                builder = builder.header(k.as_str(), v.as_str());
            }
            // One copy of the body per hop, shared by the request and the signer.
            let body = Bytes::from(req.body.clone().unwrap_or_default());
            let sent = body.len() as u64;
            if req.body.is_some() {
                builder = builder.body(body.clone());
            }
            let mut request = builder
                .build()
                .map_err(|e| CallError::Transport(describe(&e)))?;
            if let Some(c) = call.credential.filter(|_| same_origin) {
                apply_credential(&mut request, &c.credential, token, &body)?;
            }
            let resp = match self.client.execute(request).await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err(CallError::Timeout(call.config.timeout)),
                Err(e) => {
                    return Err(match policy_cause(&e) {
                        Some(p) => CallError::Policy(p),
                        None => CallError::Transport(describe(&e)),
                    })
                }
            };
            let status = resp.status();
            if status.is_redirection() {
                if let Some(loc) = resp.headers().get(http::header::LOCATION) {
                    if hops >= call.config.max_redirects {
                        return Err(CallError::TooManyRedirects(call.config.max_redirects));
                    }
                    hops += 1;
                    let loc = loc
                        .to_str()
                        .map_err(|_| CallError::BadRedirect("Location is not text".into()))?;
                    let next = req
                        .url
                        .join(loc)
                        .map_err(|e| CallError::BadRedirect(e.to_string()))?;
                    let to_get = status == http::StatusCode::SEE_OTHER
                        || (matches!(status.as_u16(), 301 | 302)
                            && req.method == http::Method::POST);
                    if to_get {
                        req.method = http::Method::GET;
                        req.body = None;
                        req.headers
                            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
                    }
                    if next.origin() != origin {
                        // Nor what the connector itself wrote as credentials.
                        req.headers.retain(|(k, _)| {
                            !["authorization", "proxy-authorization", "cookie"]
                                .iter()
                                .any(|h| k.eq_ignore_ascii_case(h))
                        });
                    }
                    req.url = next;
                    continue;
                }
            }
            let retry_after = resp
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let mut headers = BTreeMap::new();
            for (k, v) in resp.headers() {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                headers
                    .entry(k.as_str().to_owned())
                    .and_modify(|e: &mut String| {
                        e.push_str(", ");
                        e.push_str(&v);
                    })
                    .or_insert(v);
            }
            let bytes = self
                .read_capped(resp, call.config.timeout, max_bytes)
                .await?;
            let received = bytes.len() as u64;
            return Ok((
                Raw {
                    status: status.as_u16(),
                    headers,
                    bytes,
                    duration_ms: started.elapsed().as_secs_f64() * 1000.0,
                    bytes_sent: sent,
                    bytes_received: received,
                },
                retry_after,
            ));
        }
    }

    async fn read_capped(
        &self,
        mut resp: reqwest::Response,
        timeout: Duration,
        cap: usize,
    ) -> Result<Bytes, CallError> {
        if resp.content_length().is_some_and(|n| n > cap as u64) {
            return Err(CallError::TooLarge(cap));
        }
        let mut buf = BytesMut::new();
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if buf.len() + c.len() > cap {
                        return Err(CallError::TooLarge(cap));
                    }
                    buf.extend_from_slice(&c);
                }
                Ok(None) => return Ok(buf.freeze()),
                Err(e) if e.is_timeout() => return Err(CallError::Timeout(timeout)),
                Err(e) => return Err(CallError::Transport(describe(&e))),
            }
        }
    }

    async fn token_for(&self, c: &UsableCredential) -> Result<Option<String>, CallError> {
        let grant = match &c.credential {
            Credential::OAuthClientCredentials {
                o_auth_client_credentials: o,
            } => TokenRequest {
                url: &o.access_token_url,
                auth: o.access_token_auth_method,
                client_id: Some(&o.client_id),
                client_secret: Some(o.client_secret.expose()),
                scopes: &o.scopes,
                grant: Grant::ClientCredentials,
            },
            Credential::OAuthPasswordCredentials {
                o_auth_password_credentials: o,
            } => TokenRequest {
                url: &o.access_token_url,
                auth: o.access_token_auth_method,
                client_id: o.client_id.as_deref(),
                client_secret: o.client_secret.as_ref().map(|s| s.expose()),
                scopes: &o.scopes,
                grant: Grant::Password {
                    username: &o.username,
                    password: o.password.expose(),
                },
            },
            Credential::OAuthAuthorizationCode { .. } => {
                return Err(CallError::Unsupported(
                    "an oAuthAuthorizationCode credential needs a person to sign in at its \
                     authorization URL, which sigil does not offer; use client credentials \
                     or password credentials"
                        .into(),
                ))
            }
            Credential::AwsSigV4 { aws_sig_v4: a } if a.temporary_credentials_url.is_some() => {
                return Err(CallError::Unsupported(
                    "awsSigV4 with temporaryCredentialsUrl is stored but not used by sigil's \
                     engine yet; give the access key and secret (and session token) directly"
                        .into(),
                ))
            }
            _ => return Ok(None),
        };
        let slot = self.tokens.slot(&c.cache_key);
        let mut guard = slot.lock().await;
        if let Some(t) = guard.as_ref() {
            if Instant::now() < t.refresh_at {
                return Ok(Some(t.value.clone()));
            }
        }
        let t = self.fetch_token(&grant).await?;
        let value = t.value.clone();
        *guard = Some(t);
        Ok(Some(value))
    }

    async fn forget_token(&self, c: &UsableCredential, used: &str) {
        let slot = self.tokens.slot(&c.cache_key);
        let mut guard = slot.lock().await;
        // Only the token that failed: another caller may have refreshed it already.
        if guard.as_ref().is_some_and(|t| t.value == used) {
            *guard = None;
        }
    }

    async fn fetch_token(&self, g: &TokenRequest<'_>) -> Result<CachedToken, CallError> {
        self.tokens
            .fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = url::Url::parse(g.url).map_err(|e| CallError::Token(e.to_string()))?;
        self.check_target(&url, None).await?;
        // Built only here: a cached token costs no allocation of the form.
        let mut form: Vec<(&str, String)> = match g.grant {
            Grant::ClientCredentials => vec![("grant_type", "client_credentials".into())],
            Grant::Password { username, password } => vec![
                ("grant_type", "password".into()),
                ("username", username.into()),
                ("password", password.into()),
            ],
        };
        if !g.scopes.is_empty() {
            form.push(("scope", g.scopes.join(" ")));
        }
        let mut builder = self.client.post(url).timeout(Duration::from_secs(30));
        match (g.auth, g.client_id) {
            (TokenAuthMethod::HttpBasic, Some(id)) => {
                builder = builder.basic_auth(id, g.client_secret);
            }
            (TokenAuthMethod::RequestBody, Some(id)) => {
                form.push(("client_id", id.to_owned()));
                if let Some(s) = g.client_secret {
                    form.push(("client_secret", s.to_owned()));
                }
            }
            _ => {}
        }
        let resp = builder
            .form(&form)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| match policy_cause(&e) {
                Some(p) => CallError::Policy(p),
                None if e.is_timeout() => CallError::Token("the token endpoint timed out".into()),
                None => CallError::Token(describe(&e)),
            })?;
        let status = resp.status();
        let body = self
            .read_capped(
                resp,
                Duration::from_secs(30),
                self.config.max_response_bytes,
            )
            .await
            .map_err(|e| CallError::Token(e.to_string()))?;
        if !status.is_success() {
            // The endpoint's own error code, never its whole body (it may echo input).
            let code = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or_default();
            return Err(CallError::Token(format!(
                "the token endpoint answered {status}{}",
                if code.is_empty() {
                    String::new()
                } else {
                    format!(" ({code})")
                }
            )));
        }
        let v: Value = serde_json::from_slice(&body)
            .map_err(|_| CallError::Token("the token endpoint's answer is not JSON".into()))?;
        let value = v
            .get("access_token")
            .and_then(|t| t.as_str())
            .ok_or_else(|| CallError::Token("the answer has no access_token".into()))?
            .to_owned();
        let lifetime = v
            .get("expires_in")
            .and_then(|e| {
                e.as_f64()
                    .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
            })
            .filter(|s| *s > 0.0)
            .unwrap_or(3600.0);
        let lifetime = Duration::from_secs_f64(lifetime.min(86_400.0 * 365.0));
        // Refresh a little early, so a token never expires on its way upstream.
        let margin = (lifetime / 10).min(Duration::from_secs(60));
        Ok(CachedToken {
            value,
            refresh_at: Instant::now() + lifetime - margin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn aws_hosts_name_their_region_and_service() {
        assert_eq!(
            infer_region_service("abc.execute-api.us-east-1.amazonaws.com"),
            Some(("us-east-1".into(), "execute-api".into()))
        );
        assert_eq!(infer_region_service("example.com"), None);
    }

    #[test]
    fn the_rate_limiter_counts_per_window() {
        let r = RateLimiter::default();
        assert!(r.admit("c", 2, Duration::from_secs(60)));
        assert!(r.admit("c", 2, Duration::from_secs(60)));
        assert!(!r.admit("c", 2, Duration::from_secs(60)));
        assert!(
            r.admit("other", 2, Duration::from_secs(60)),
            "per connector"
        );
        assert!(r.admit("c", 2, Duration::ZERO), "a new window");
    }
}
