//! Access tokens: HS256 JWTs signed with a key derived from the master key. Checking
//! one needs no database: the signature and expiry are checked here, revocation
//! against the in-memory [`RevocationSet`](super::RevocationSet).

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use sigil_core::{MemberId, OrganizationId, TokenFamilyId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const ISSUER: &str = "sigil";

/// What an access token says. It acts as `sub`, a member of `org`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: MemberId,
    pub org: OrganizationId,
    /// The client credential it was issued from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<String>,
    /// The refresh-token family it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<TokenFamilyId>,
    /// For impersonation: the admin acting as `sub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<MemberId>,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    /// When it was issued, in Unix milliseconds: revocations are compared with this,
    /// so that a member reactivated within the second of its deactivation can get
    /// tokens again.
    #[serde(default)]
    pub iat_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is malformed or its signature is invalid")]
    Invalid,
}

/// Who a new token is for.
#[derive(Debug, Clone)]
pub struct TokenSubject {
    pub member_id: MemberId,
    pub organization_id: OrganizationId,
    pub client_id: Option<String>,
    pub family_id: Option<TokenFamilyId>,
    pub actor_id: Option<MemberId>,
}

#[derive(Clone)]
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Shared by clones; changed at run time only by the testing endpoints (and
    /// never above the configured lifetime, which bounds how long revocations are
    /// kept).
    ttl_secs: Arc<std::sync::atomic::AtomicU64>,
    /// The configured lifetime.
    configured_ttl_secs: u64,
    verified: Arc<Verified>,
}

/// Tokens whose signature has been checked, with their claims. A client sends the
/// same token on every request until it expires; checking an HMAC, decoding base64
/// and parsing JSON again each time was a measurable share of a short request. The
/// key is the whole token, so a hit means these exact bytes were verified; only the
/// expiry depends on time, and it is checked again on every hit.
struct Verified {
    tokens: Mutex<HashMap<Box<str>, AccessClaims>>,
}

/// Enough for every live token of a busy organization; a full map is emptied and
/// refilled rather than tracked entry by entry.
const VERIFIED_CAPACITY: usize = 10_000;

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenIssuer(ttl={}s, key=<redacted>)", self.ttl_secs())
    }
}

impl TokenIssuer {
    pub fn new(key: &[u8; 32], ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        validation.validate_aud = false;
        TokenIssuer {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
            ttl_secs: Arc::new(std::sync::atomic::AtomicU64::new(ttl_secs)),
            configured_ttl_secs: ttl_secs,
            verified: Arc::new(Verified {
                tokens: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The lifetime of tokens issued from now on: 1 to the configured lifetime;
    /// `None` puts the configured one back. Answers the lifetime in force.
    pub fn set_ttl_secs(&self, secs: Option<u64>) -> Result<u64, u64> {
        let v = secs.unwrap_or(self.configured_ttl_secs);
        if v == 0 || v > self.configured_ttl_secs {
            return Err(self.configured_ttl_secs);
        }
        self.ttl_secs.store(v, std::sync::atomic::Ordering::Relaxed);
        Ok(v)
    }

    /// Signs a new access token; answers it with its claims.
    pub fn issue(&self, s: &TokenSubject) -> (String, AccessClaims) {
        let now_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        self.issue_at_ms(s, now_ms)
    }

    /// Signs a token as if issued at `now` (Unix seconds): lets tests hold expired
    /// tokens without waiting.
    pub fn issue_at(&self, s: &TokenSubject, now: i64) -> (String, AccessClaims) {
        self.issue_at_ms(s, now * 1000)
    }

    fn issue_at_ms(&self, s: &TokenSubject, now_ms: i64) -> (String, AccessClaims) {
        let now = now_ms.div_euclid(1000);
        let claims = AccessClaims {
            iss: ISSUER.into(),
            sub: s.member_id,
            org: s.organization_id,
            cid: s.client_id.clone(),
            fam: s.family_id,
            act: s.actor_id,
            jti: Uuid::new_v4(),
            iat: now,
            exp: now + self.ttl_secs() as i64,
            iat_ms: now_ms,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of serializable claims cannot fail");
        (token, claims)
    }

    /// Checks signature, issuer and expiry.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        self.verify_at(token, time::OffsetDateTime::now_utc().unix_timestamp())
    }

    /// [`verify`](Self::verify) with the clock of a remembered token's expiry check
    /// given; a token not yet remembered is checked by the decoder on the real clock.
    fn verify_at(&self, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
        let mut tokens = self
            .verified
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(claims) = tokens.get(token) {
            // The same rule as the decoder's, whose leeway is 0: valid through `exp`.
            if claims.exp < now {
                tokens.remove(token);
                return Err(TokenError::Expired);
            }
            return Ok(claims.clone());
        }
        drop(tokens);
        let claims = decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        let mut tokens = self
            .verified
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if tokens.len() >= VERIFIED_CAPACITY {
            tokens.clear();
        }
        tokens.insert(token.into(), claims.clone());
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> TokenSubject {
        TokenSubject {
            member_id: MemberId::new(),
            organization_id: OrganizationId::new(),
            client_id: Some("abc".into()),
            family_id: None,
            actor_id: None,
        }
    }

    #[test]
    fn issued_tokens_verify_and_carry_their_claims() {
        let issuer = TokenIssuer::new(&[7; 32], 3600);
        let s = subject();
        let (token, claims) = issuer.issue(&s);
        let back = issuer.verify(&token).unwrap();
        assert_eq!(back, claims);
        assert_eq!(back.sub, s.member_id);
        assert_eq!(back.exp - back.iat, 3600);
    }

    #[test]
    fn a_remembered_token_still_expires_and_its_neighbours_are_still_checked() {
        let issuer = TokenIssuer::new(&[7; 32], 3600);
        let (token, claims) = issuer.issue(&subject());
        assert_eq!(issuer.verify(&token).unwrap(), claims);
        // Served from memory now, and still valid through its last second.
        assert_eq!(issuer.verify_at(&token, claims.exp).unwrap(), claims);
        assert_eq!(
            issuer.verify_at(&token, claims.exp + 1),
            Err(TokenError::Expired)
        );
        // Forgotten once expired; the decoder then refuses it on the real clock only
        // if it has expired there, which it has not.
        assert_eq!(issuer.verify(&token).unwrap(), claims);

        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(issuer.verify(&tampered), Err(TokenError::Invalid));
        assert_eq!(
            issuer.verify(&format!("{token}.")),
            Err(TokenError::Invalid)
        );
        // A clone shares what was verified; another key shares nothing.
        assert_eq!(
            issuer.clone().verify_at(&token, claims.exp).unwrap(),
            claims
        );
        let other = TokenIssuer::new(&[8; 32], 3600);
        assert_eq!(other.verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn other_keys_tampering_and_expiry_are_refused() {
        let issuer = TokenIssuer::new(&[7; 32], 3600);
        let (token, _) = issuer.issue(&subject());
        let other = TokenIssuer::new(&[8; 32], 3600);
        assert_eq!(other.verify(&token), Err(TokenError::Invalid));
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(issuer.verify(&tampered), Err(TokenError::Invalid));
        assert_eq!(issuer.verify("garbage"), Err(TokenError::Invalid));

        let mut claims = issuer.verify(&token).unwrap();
        claims.exp = claims.iat - 10;
        let expired = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&[7; 32]),
        )
        .unwrap();
        assert_eq!(issuer.verify(&expired), Err(TokenError::Expired));

        let none_alg = format!(
            "{}.{}.",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                r#"{"alg":"none"}"#
            ),
            token.split('.').nth(1).unwrap()
        );
        assert_eq!(issuer.verify(&none_alg), Err(TokenError::Invalid));
    }
}
