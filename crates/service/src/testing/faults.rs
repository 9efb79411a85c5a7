//! [`Faults`]: which requests get an injected fault. Pure decisions (rule matching,
//! counts and chance); the server's layer acts on them and labels the answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use crate::config::FaultRule;

/// What to do to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Wait this long first.
    pub delay: Duration,
    /// Answer this status instead of serving the request; `None`: serve it after
    /// the delay.
    pub status: Option<u16>,
    /// `Retry-After`, in seconds, for 429 and 503.
    pub retry_after_secs: u64,
    /// Which rule fired (its index), for the answer's label and the metrics.
    pub rule: usize,
}

struct Rule {
    rule: FaultRule,
    /// How many matching requests this rule has fired on.
    fired: AtomicU64,
}

/// The rules in force, replaceable at run time.
pub struct Faults {
    rules: RwLock<Vec<Rule>>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("rules", &self.rules())
            .finish()
    }
}

fn route_matches(pattern: &str, route: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => route.starts_with(prefix),
        None => pattern == route,
    }
}

impl Faults {
    pub fn new(rules: Vec<FaultRule>) -> Self {
        let f = Faults {
            rules: RwLock::new(Vec::new()),
        };
        f.replace(rules);
        f
    }

    pub fn rules(&self) -> Vec<FaultRule> {
        let g = self.rules.read().expect("fault rules lock poisoned");
        g.iter().map(|r| r.rule.clone()).collect()
    }

    pub fn replace(&self, rules: Vec<FaultRule>) {
        let rules = rules
            .into_iter()
            .map(|rule| Rule {
                rule,
                fired: AtomicU64::new(0),
            })
            .collect();
        *self.rules.write().expect("fault rules lock poisoned") = rules;
    }

    /// Whether any rule is in force: the layer skips all work when none is.
    pub fn any(&self) -> bool {
        !self
            .rules
            .read()
            .expect("fault rules lock poisoned")
            .is_empty()
    }

    /// The fault for a request to `route` (its template, as routed) with `method`,
    /// if a rule fires; `roll` draws a number in [0, 1) for rules with a probability.
    pub fn decide(&self, method: &str, route: &str, roll: impl Fn() -> f64) -> Option<Fault> {
        let g = self.rules.read().expect("fault rules lock poisoned");
        for (i, r) in g.iter().enumerate() {
            let rule = &r.rule;
            if !route_matches(&rule.route, route) {
                continue;
            }
            if rule
                .method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
            {
                continue;
            }
            if let Some(p) = rule.probability {
                if roll() >= p {
                    continue;
                }
            }
            if let Some(max) = rule.count {
                // Counted only when the rule would fire, so `count` is "the first N
                // that the probability picks".
                let taken = r
                    .fired
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                        (n < max).then_some(n + 1)
                    });
                if taken.is_err() {
                    continue;
                }
            } else {
                r.fired.fetch_add(1, Ordering::AcqRel);
            }
            return Some(Fault {
                delay: Duration::from_millis(rule.delay_ms),
                status: rule.status,
                retry_after_secs: rule.retry_after_secs,
                rule: i,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(json: &str) -> Faults {
        Faults::new(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn only_the_named_routes_and_methods_get_faults() {
        let f = rules(
            r#"[{"route":"/v2/members","method":"get","status":429},
                {"route":"/v2/teams/*","status":503,"retryAfterSecs":7}]"#,
        );
        let never = || 0.99;
        assert_eq!(
            f.decide("GET", "/v2/members", never).unwrap().status,
            Some(429)
        );
        assert!(f.decide("POST", "/v2/members", never).is_none());
        assert!(f.decide("GET", "/v2/members/{memberId}", never).is_none());
        let t = f.decide("DELETE", "/v2/teams/{teamId}", never).unwrap();
        assert_eq!((t.status, t.retry_after_secs, t.rule), (Some(503), 7, 1));
        assert!(f.decide("GET", "/v2/workspaces", never).is_none());
    }

    #[test]
    fn a_count_fires_that_many_times_then_stops() {
        let f = rules(r#"[{"route":"*","status":500,"count":3}]"#);
        let fired = (0..10)
            .filter(|_| f.decide("GET", "/v2/whoami", || 0.0).is_some())
            .count();
        assert_eq!(fired, 3);
        f.replace(f.rules());
        assert!(
            f.decide("GET", "/v2/whoami", || 0.0).is_some(),
            "counts start again"
        );
    }

    #[test]
    fn a_probability_picks_that_share() {
        let f = rules(r#"[{"route":"*","status":500,"probability":0.25}]"#);
        let mut x = 0u64;
        // A fixed sequence spread evenly over [0, 1).
        let fired = (0..1000)
            .filter(|_| {
                x = (x + 617) % 1000;
                let roll = x as f64 / 1000.0;
                f.decide("GET", "/v2/whoami", || roll).is_some()
            })
            .count();
        assert_eq!(fired, 250);
    }
}
