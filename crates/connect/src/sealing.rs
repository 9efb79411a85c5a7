//! Secrets at rest: AES-256-GCM under a keyring. Each sealed value names the key that
//! sealed it, so a new key can take over sealing while old values still open, and is
//! bound to what it belongs to (associated data, e.g. the credential's id), so a sealed
//! value copied to another row does not open there.
//!
//! Format: `sgl1.<key id>.<nonce, base64url>.<ciphertext+tag, base64url>`.

use std::collections::HashMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

const PREFIX: &str = "sgl1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the key id `{0}` may hold only letters, digits, `-` and `_`")]
    BadKeyId(String),
    #[error("the keyring has no key `{0}`")]
    UnknownKey(String),
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value does not open: wrong key, wrong owner, or tampered")]
    Rejected,
}

/// Keys by id, and the one that seals.
pub struct Keyring {
    keys: HashMap<String, Aes256Gcm>,
    active: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        write!(
            f,
            "Keyring(active={}, keys={ids:?}, material=<redacted>)",
            self.active
        )
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Keyring {
    /// A keyring sealing with `active`, which must be among `keys`.
    pub fn new(keys: Vec<(String, [u8; 32])>, active: &str) -> Result<Self, SealError> {
        let mut map = HashMap::new();
        for (id, k) in keys {
            if !valid_id(&id) {
                return Err(SealError::BadKeyId(id));
            }
            map.insert(id, Aes256Gcm::new(&k.into()));
        }
        if !map.contains_key(active) {
            return Err(SealError::UnknownKey(active.to_owned()));
        }
        Ok(Keyring {
            keys: map,
            active: active.to_owned(),
        })
    }

    pub fn seal(&self, plaintext: &[u8], bound_to: &[u8]) -> String {
        let cipher = &self.keys[&self.active];
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: bound_to,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        format!(
            "{PREFIX}.{}.{}.{}",
            self.active,
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(ct)
        )
    }

    pub fn open(&self, sealed: &str, bound_to: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut parts = sealed.split('.');
        let (Some(PREFIX), Some(kid), Some(nonce), Some(ct), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(SealError::Malformed);
        };
        let cipher = self
            .keys
            .get(kid)
            .ok_or_else(|| SealError::UnknownKey(kid.to_owned()))?;
        let nonce = URL_SAFE_NO_PAD
            .decode(nonce)
            .map_err(|_| SealError::Malformed)?;
        let ct = URL_SAFE_NO_PAD
            .decode(ct)
            .map_err(|_| SealError::Malformed)?;
        if nonce.len() != 12 {
            return Err(SealError::Malformed);
        }
        cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ct,
                    aad: bound_to,
                },
            )
            .map_err(|_| SealError::Rejected)
    }

    /// The id of the key a sealed value names, to find values to re-seal after a
    /// rotation.
    pub fn key_of(sealed: &str) -> Option<&str> {
        let mut parts = sealed.split('.');
        match (parts.next(), parts.next()) {
            (Some(PREFIX), Some(kid)) => Some(kid),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_owner() {
        let ring = Keyring::new(vec![("k1".into(), [1; 32])], "k1").unwrap();
        let sealed = ring.seal(b"client secret", b"credential-42");
        assert!(sealed.starts_with("sgl1.k1."));
        assert!(!sealed.contains("client secret"));
        assert_ne!(
            sealed,
            ring.seal(b"client secret", b"credential-42"),
            "fresh nonce each time"
        );
        assert_eq!(
            ring.open(&sealed, b"credential-42").unwrap(),
            b"client secret"
        );
        assert_eq!(
            ring.open(&sealed, b"credential-43"),
            Err(SealError::Rejected)
        );

        let mut tampered = sealed.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(ring.open(&tampered, b"credential-42").is_err());
        for bad in [
            "",
            "sgl1.k1.x",
            "sgl2.k1.AAAA.AAAA",
            "sgl1.k1.AAAA.AAAA.AAAA",
            "sgl1.k1.!!.AAAA",
        ] {
            assert!(ring.open(bad, b"x").is_err(), "{bad:?}");
        }
        assert!(format!("{ring:?}").contains("redacted"));
    }

    #[test]
    fn keys_rotate() {
        let old = Keyring::new(vec![("k1".into(), [1; 32])], "k1").unwrap();
        let sealed_old = old.seal(b"s", b"id");
        let new = Keyring::new(vec![("k1".into(), [1; 32]), ("k2".into(), [2; 32])], "k2").unwrap();
        assert_eq!(
            new.open(&sealed_old, b"id").unwrap(),
            b"s",
            "old values still open"
        );
        let sealed_new = new.seal(b"s", b"id");
        assert_eq!(Keyring::key_of(&sealed_new), Some("k2"));
        assert_eq!(
            old.open(&sealed_new, b"id"),
            Err(SealError::UnknownKey("k2".into()))
        );
        assert!(Keyring::new(vec![("k1".into(), [1; 32])], "k9").is_err());
        assert!(Keyring::new(vec![("k.1".into(), [1; 32])], "k.1").is_err());
    }
}
