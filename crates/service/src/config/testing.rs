//! The settings that make sigil a test double: known first-run credentials
//! (`bootstrap.*`), the `/_sigil/` endpoints (reset and snapshots) and injected
//! faults (`testing.*`). All are off (or unset) by default.

use serde::Deserialize;

use crate::secret::Secret;

/// Shortest client secret `bootstrap.client_secret` may be.
pub const MIN_CLIENT_SECRET: usize = 32;
/// Shortest password `bootstrap.admin_password` may be (as for every password).
pub const MIN_PASSWORD: usize = 8;

/// A text setting that the environment may spell as a number (`SIGIL_…=12345678`
/// is read as an integer by the configuration layers): taken as its digits.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    S(String),
    U(u64),
    I(i64),
    F(f64),
    B(bool),
}

impl Text {
    fn into_string(self) -> String {
        match self {
            Text::S(s) => s,
            Text::U(n) => n.to_string(),
            Text::I(n) => n.to_string(),
            Text::F(n) => n.to_string(),
            Text::B(b) => b.to_string(),
        }
    }
}

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(Text::into_string))
}

fn secret_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Secret<String>>, D::Error> {
    Ok(text(d)?.map(Secret::new))
}

/// What the first start creates on an empty database, when known in advance
/// (a CI job that must not parse what `serve` prints). Unset values are generated
/// and printed once, as before; a database that holds an organization ignores these.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BootstrapConfig {
    /// The first Admin's email (wins over the older top-level `admin_email`).
    pub admin_email: Option<String>,
    /// The first Admin's password: at least 8 characters.
    #[serde(deserialize_with = "secret_text")]
    pub admin_password: Option<Secret<String>>,
    /// The first client credential's ID (set together with `client_secret`).
    #[serde(deserialize_with = "text")]
    pub client_id: Option<String>,
    /// The first client credential's secret: at least 32 characters.
    #[serde(deserialize_with = "secret_text")]
    pub client_secret: Option<Secret<String>>,
}

impl BootstrapConfig {
    pub fn validate(&self) -> Result<(), String> {
        if let Some(p) = &self.admin_password {
            let n = p.expose().chars().count();
            if !(MIN_PASSWORD..=1024).contains(&n) {
                return Err(format!(
                    "bootstrap.admin_password is too weak: it must have at least {MIN_PASSWORD} characters (and at most 1024), it has {n}"
                ));
            }
        }
        match (&self.client_id, &self.client_secret) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                return Err(
                    "bootstrap.client_id and bootstrap.client_secret must be set together".into(),
                )
            }
            (Some(id), Some(secret)) => {
                let ok_id = (1..=128).contains(&id.len())
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
                if !ok_id {
                    return Err(
                        "bootstrap.client_id must be 1 to 128 letters, digits, `-`, `_` or `.`"
                            .into(),
                    );
                }
                let n = secret.expose().chars().count();
                if !(MIN_CLIENT_SECRET..=1024).contains(&n) {
                    return Err(format!(
                        "bootstrap.client_secret is too weak: it must have at least {MIN_CLIENT_SECRET} characters (and at most 1024), it has {n}"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Test-only behaviour, off unless configured.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestingConfig {
    /// Serve `/_sigil/reset` and `/_sigil/snapshots…` (to Admins only), and take the
    /// snapshot `initial` at start when there is none.
    pub endpoints: bool,
    /// Faults injected into answers, checked in order; the first rule that matches
    /// a request and fires decides. Also settable at run time through
    /// `PUT /_sigil/faults` when `endpoints` is on.
    pub faults: Vec<FaultRule>,
}

/// One fault: which requests it applies to, what it does, and how often.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultRule {
    /// A route template as the API documents it (`/v2/members/{memberId}`), a
    /// prefix ending in `*` (`/v2/*`), or `*` for every route.
    pub route: String,
    /// Only this method (`GET`, `POST`, …); every method when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The status answered instead: 429, 500, 502, 503 or 504. Unset: the request is
    /// only delayed (`delayMs`) and then served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Wait this long first (with or without a status).
    #[serde(default)]
    pub delay_ms: u64,
    /// With 429 or 503: the `Retry-After` header, in seconds.
    #[serde(default = "one")]
    pub retry_after_secs: u64,
    /// The share of matching requests that get the fault, 0 to 1 (1 when neither
    /// this nor `count` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Only the first `count` matching requests get the fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

fn one() -> u64 {
    1
}

impl FaultRule {
    pub fn validate(&self) -> Result<(), String> {
        let r = &self.route;
        if !(r == "*" || r.starts_with('/')) {
            return Err(format!(
                "route `{r}` must be `*` or start with `/` (a route template such as /v2/members/{{memberId}})"
            ));
        }
        if let Some(m) = &self.method {
            const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
            if !METHODS.contains(&m.to_ascii_uppercase().as_str()) {
                return Err(format!("method `{m}` is not an HTTP method"));
            }
        }
        match self.status {
            None if self.delay_ms == 0 => {
                return Err(format!(
                    "the fault on `{r}` does nothing: give it a status, a delayMs, or both"
                ))
            }
            Some(s) if ![429, 500, 502, 503, 504].contains(&s) => {
                return Err(format!(
                    "status {s} is not injectable; use 429, 500, 502, 503 or 504"
                ))
            }
            _ => {}
        }
        if self.delay_ms > 600_000 {
            return Err("delayMs must be at most 600000 (ten minutes)".into());
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("probability must be between 0 and 1, got {p}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> FaultRule {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn weak_bootstrap_values_are_refused_with_their_name() {
        let mut b = BootstrapConfig {
            admin_password: Some(Secret::new("short".into())),
            ..Default::default()
        };
        assert!(b
            .validate()
            .unwrap_err()
            .contains("bootstrap.admin_password"));
        b.admin_password = Some(Secret::new("long enough".into()));
        b.validate().unwrap();
        b.client_id = Some("ci-client".into());
        assert!(b.validate().unwrap_err().contains("together"));
        b.client_secret = Some(Secret::new("x".repeat(31)));
        let e = b.validate().unwrap_err();
        assert!(
            e.contains("bootstrap.client_secret") && e.contains("31"),
            "{e}"
        );
        b.client_secret = Some(Secret::new("x".repeat(32)));
        b.validate().unwrap();
        b.client_id = Some("has space".into());
        assert!(b.validate().unwrap_err().contains("bootstrap.client_id"));
    }

    #[test]
    fn fault_rules_are_checked() {
        rule(r#"{"route":"/v2/members","status":429}"#)
            .validate()
            .unwrap();
        rule(r#"{"route":"*","delayMs":50,"probability":0.5}"#)
            .validate()
            .unwrap();
        for bad in [
            r#"{"route":"v2/members","status":429}"#,
            r#"{"route":"*","status":404}"#,
            r#"{"route":"*"}"#,
            r#"{"route":"*","status":500,"probability":1.5}"#,
            r#"{"route":"*","status":500,"method":"FETCH"}"#,
        ] {
            assert!(rule(bad).validate().is_err(), "{bad}");
        }
        assert_eq!(rule(r#"{"route":"*","status":429}"#).retry_after_secs, 1);
    }
}
