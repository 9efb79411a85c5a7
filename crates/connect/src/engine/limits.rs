//! Limits on calls: the fixed-window rate limit per connector, and reading an
//! upstream's `Retry-After`.

use super::*;

/// A fixed-window counter per connector.
#[derive(Default)]
pub(super) struct RateLimiter {
    pub(super) windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub(super) fn admit(&self, key: &str, limit: u32, window: Duration) -> bool {
        let now = Instant::now();
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let entry = w.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

pub(super) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate_to_system_time(v)?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

pub(super) fn httpdate_to_system_time(v: &str) -> Option<std::time::SystemTime> {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let dt = time::PrimitiveDateTime::parse(v, &fmt).ok()?.assume_utc();
    Some(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(dt.unix_timestamp().max(0) as u64))
}
