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
///
/// Written digit by digit: every listed row carries two of these, and the general
/// formatter cost about a tenth of a members page (docs/performance.md).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = truncate(t);
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return slow_rfc3339(t);
    }
    let mut out = [0u8; 24];
    let mut put = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year as u32, 4);
    put(5, u32::from(u8::from(t.month())), 2);
    put(8, u32::from(t.day()), 2);
    put(11, u32::from(t.hour()), 2);
    put(14, u32::from(t.minute()), 2);
    put(17, u32::from(t.second()), 2);
    put(20, u32::from(t.millisecond()), 3);
    for (at, c) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ] {
        out[at] = c;
    }
    // Only ASCII digits and separators were written.
    String::from_utf8_lossy(&out).into_owned()
}

/// The general formatter, for years outside 0–9999.
fn slow_rfc3339(t: OffsetDateTime) -> String {
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
        assert_eq!(
            rfc3339(datetime!(0007-01-02 03:04:05.006 UTC)),
            "0007-01-02T03:04:05.006Z"
        );
    }

    #[test]
    fn the_fast_form_matches_the_general_one() {
        let mut t = datetime!(1999-12-31 23:59:59.999 UTC);
        for _ in 0..2000 {
            assert_eq!(rfc3339(t), slow_rfc3339(truncate(t)));
            t += time::Duration::milliseconds(86_399_937);
        }
    }
}
