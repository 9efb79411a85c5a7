//! Web sessions: signing in with an email and password, the session behind a cookie
//! (its member as a [`Caller`] and its CSRF token), signing out. The cookie holds 256
//! random bits; the store keeps only their SHA-256. A session ends when unused for
//! `web.session_idle_secs`, at once when its member is deactivated, and on sign-out.
//! Repeated failed sign-ins for one email are refused for a while.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sigil_store::{Store, WebSession};

use crate::auth::Auth;
use crate::caller::Caller;
use crate::config::WebConfig;
use crate::error::{ServiceError, ServiceResult};

/// A session just begun: the cookie's value and the form token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub cookie: String,
    pub csrf: String,
}

/// The session behind a cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    /// Every state-changing form of the session carries it.
    pub csrf: String,
}

pub struct Sessions {
    store: Arc<dyn Store>,
    auth: Arc<Auth>,
    config: WebConfig,
    /// Failed sign-ins by email: how many, since when.
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// Don't write a session's last use more often than this.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

fn hash(cookie: &str) -> Vec<u8> {
    Sha256::digest(cookie.as_bytes()).to_vec()
}

impl Sessions {
    pub fn new(store: Arc<dyn Store>, auth: Arc<Auth>, config: WebConfig) -> Self {
        Sessions {
            store,
            auth,
            config,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until `email` may try again, if it failed too often lately.
    fn locked_for(&self, email: &str) -> Option<u64> {
        let window = Duration::from_secs(self.config.sign_in_window_secs);
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match f.get(email) {
            Some((n, since)) if since.elapsed() < window => (*n >= self.config.sign_in_attempts)
                .then(|| (window - since.elapsed()).as_secs().max(1)),
            Some(_) => {
                f.remove(email);
                None
            }
            None => None,
        }
    }

    /// Forgets failed sign-ins (a reset between tests: one test's wrong passwords
    /// must not lock the next one out).
    pub fn forget_failures(&self) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn failed(&self, email: &str) {
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if f.len() > 100_000 {
            f.clear();
        }
        let e = f.entry(email.to_owned()).or_insert((0, Instant::now()));
        e.0 += 1;
    }

    /// Signs a member in. A wrong password and an unknown email get the same answer.
    pub async fn sign_in(&self, email: &str, password: &str) -> ServiceResult<SignedIn> {
        let key = sigil_core::member::normalize_email(email);
        if let Some(secs) = self.locked_for(&key) {
            return Err(ServiceError::RateLimited(format!(
                "Too many failed sign-ins for this email. Try again in {} minute(s).",
                secs.div_ceil(60)
            )));
        }
        let member = self
            .auth
            .verify_password(email.trim(), password)
            .await
            .map_err(ServiceError::from)?;
        let Some(member) = member else {
            self.failed(&key);
            return Err(ServiceError::invalid("The email or password is not right."));
        };
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
        let cookie = random_token();
        let csrf = random_token();
        let now = sigil_core::clock::now();
        self.store
            .insert_session(&WebSession {
                id_hash: hash(&cookie),
                member_id: member.id,
                csrf_token: csrf.clone(),
                created_at: now,
                last_seen_at: now,
            })
            .await?;
        tracing::info!(member = %member.id, "signed in to the web pages");
        Ok(SignedIn { cookie, csrf })
    }

    /// The session behind a cookie; `None` when there is none, it expired, or its
    /// member can no longer act.
    pub async fn resolve(&self, cookie: &str) -> ServiceResult<Option<Session>> {
        let id = hash(cookie);
        let Some(s) = self.store.session(&id).await? else {
            return Ok(None);
        };
        let now = sigil_core::clock::now();
        let idle = now - s.last_seen_at;
        if idle > time::Duration::seconds(self.config.session_idle_secs as i64) {
            self.store.delete_session(&id).await?;
            return Ok(None);
        }
        let caller = match self.auth.caller(s.member_id).await {
            Ok(c) => c,
            Err(ServiceError::Unauthenticated(_)) => {
                self.store.delete_session(&id).await?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if idle > time::Duration::try_from(TOUCH_EVERY).unwrap_or_default() {
            self.store.touch_session(&id, now).await?;
        }
        Ok(Some(Session {
            caller,
            csrf: s.csrf_token,
        }))
    }

    pub async fn sign_out(&self, cookie: &str) -> ServiceResult<()> {
        self.store.delete_session(&hash(cookie)).await?;
        Ok(())
    }

    /// Deletes sessions unused for longer than the idle time.
    pub async fn prune(&self) -> ServiceResult<u64> {
        let cutoff = sigil_core::clock::now()
            - time::Duration::seconds(self.config.session_idle_secs as i64);
        Ok(self.store.prune_sessions(cutoff).await?)
    }
}
