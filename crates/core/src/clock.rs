//! Timestamps: always UTC, truncated to milliseconds (the precision Sigma's API
//! shows), rendered as RFC 3339.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The current time, UTC, truncated to whole milliseconds so that what is stored
/// compares equal to what is read back.
pub fn now() -> OffsetDateTime {
    truncate(OffsetDateTime::now_utc())
}

/// Truncates to milliseconds and converts to UTC.
pub fn truncate(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let ms = t.millisecond();
    t.replace_nanosecond(u32::from(ms) * 1_000_000)
        .expect("milliseconds are a valid nanosecond value")
}

/// `2022-02-28T21:42:56.809Z`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = truncate(t);
    // The well-known formatter drops trailing zero digits; Sigma always shows three.
    let base = t
        .replace_nanosecond(0)
        .expect("zero is valid")
        .format(&Rfc3339)
        .expect("UTC timestamps always format");
    format!("{}.{:03}Z", base.trim_end_matches('Z'), t.millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_with_three_fraction_digits() {
        assert_eq!(
            rfc3339(datetime!(2022-02-28 21:42:56.809 UTC)),
            "2022-02-28T21:42:56.809Z"
        );
        assert_eq!(
            rfc3339(datetime!(2022-02-28 21:42:56 UTC)),
            "2022-02-28T21:42:56.000Z"
        );
        assert_eq!(
            rfc3339(datetime!(2022-02-28 23:42:56.1234 +02:00)),
            "2022-02-28T21:42:56.123Z"
        );
    }
}
