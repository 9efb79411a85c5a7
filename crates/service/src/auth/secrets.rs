//! Generated secrets and how they are checked: client IDs and secrets (keyed
//! HMAC-SHA-256, since the secrets are 256 random bits and a slow hash would add
//! nothing but latency; and sealed, for checking the subject tokens they sign),
//! refresh tokens (SHA-256), and member passwords (argon2id, computed off the async
//! runtime).

use argon2::password_hash::{rand_core::OsRng as PhOsRng, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::distributions::Alphanumeric;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use sigil_connect::sealing::Keyring;
use std::sync::Arc;
use subtle::ConstantTimeEq;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new client ID: 128 random bits as 32 hex digits.
pub fn new_client_id() -> String {
    hex(&random_bytes::<16>())
}

/// A new client secret: 256 random bits as 64 hex digits.
pub fn new_client_secret() -> String {
    hex(&random_bytes::<32>())
}

/// A new refresh token: 256 random bits, URL-safe.
pub fn new_refresh_token() -> String {
    format!("sgl_rt_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
}

/// A generated password for a new member: 24 alphanumerics (~142 bits).
pub fn new_password() -> String {
    rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect()
}

/// SHA-256 of a refresh token: what the database keeps.
pub fn refresh_token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Protects client secrets: a keyed hash to check a presented secret against in
/// constant time, and the secret sealed under the credential keyring (bound to its
/// client id), so that a subject token signed with it can be verified.
#[derive(Clone)]
pub struct ClientSecrets {
    key: [u8; 32],
    keyring: Arc<Keyring>,
}

impl std::fmt::Debug for ClientSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecrets(<redacted>)")
    }
}

impl ClientSecrets {
    pub fn new(key: [u8; 32], keyring: Arc<Keyring>) -> Self {
        ClientSecrets { key, keyring }
    }

    pub fn hash(&self, secret: &str) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Constant-time comparison with a stored hash.
    pub fn verify(&self, secret: &str, stored: &[u8]) -> bool {
        self.hash(secret).ct_eq(stored).into()
    }

    /// What a credential keeps of its secret: the hash and the sealed secret.
    pub fn protect(&self, client_id: &str, secret: &str) -> (Vec<u8>, String) {
        (
            self.hash(secret),
            self.keyring.seal(secret.as_bytes(), client_id.as_bytes()),
        )
    }

    /// The secret a credential sealed, if it opens under this keyring.
    pub fn open(&self, client_id: &str, sealed: &str) -> Option<String> {
        let plain = self.keyring.open(sealed, client_id.as_bytes()).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// argon2id with the crate's defaults (OWASP's recommended parameters).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut PhOsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail on a valid salt")
        .to_string()
}

/// Checks a password against a PHC string; a malformed stored hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// [`hash_password`] on the blocking pool: argon2 takes tens of milliseconds.
pub async fn hash_password_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("password hashing does not panic")
}

/// [`verify_password`] on the blocking pool.
pub async fn verify_password_async(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_have_the_promised_shape() {
        let id = new_client_id();
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        let secret = new_client_secret();
        assert_eq!(secret.len(), 64, "256 bits");
        assert_ne!(new_client_secret(), secret);
        assert!(new_refresh_token().starts_with("sgl_rt_"));
        assert_eq!(new_password().len(), 24);
    }

    fn keyring(k: u8) -> Arc<Keyring> {
        Arc::new(Keyring::new(vec![("k".into(), [k; 32])], "k").unwrap())
    }

    #[test]
    fn secret_hashes_are_keyed() {
        let a = ClientSecrets::new([1; 32], keyring(1));
        let b = ClientSecrets::new([2; 32], keyring(1));
        let h = a.hash("s3cret");
        assert!(a.verify("s3cret", &h));
        assert!(!a.verify("s3cret!", &h));
        assert!(!b.verify("s3cret", &h));
        assert!(!a.verify("s3cret", &h[..31]));
    }

    #[test]
    fn sealed_secrets_open_only_for_their_client_under_their_keyring() {
        let a = ClientSecrets::new([1; 32], keyring(1));
        let (hash, sealed) = a.protect("client-a", "s3cret");
        assert!(a.verify("s3cret", &hash));
        assert!(!sealed.contains("s3cret"));
        assert_eq!(a.open("client-a", &sealed).as_deref(), Some("s3cret"));
        assert_eq!(a.open("client-b", &sealed), None, "bound to its client id");
        let other = ClientSecrets::new([1; 32], keyring(2));
        assert_eq!(other.open("client-a", &sealed), None);
    }

    #[test]
    fn passwords_use_argon2id() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a phc string"));
    }
}
