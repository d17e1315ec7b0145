//! Time as the rules see it: a UTC instant in milliseconds, always passed in by the caller.
//! The rules never read a clock.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// A UTC instant with millisecond precision, written as RFC 3339 (`2026-11-21T09:30:00.000Z`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Timestamp(i64);

/// Text that is not an RFC 3339 timestamp between the years 1970 and 9999.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not an RFC 3339 timestamp such as `2026-11-21T09:30:00.000Z`")]
pub struct InvalidTimestamp {
    /// The rejected text, cut to 64 characters.
    pub value: String,
}

impl Timestamp {
    /// The instant `millis` milliseconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// This instant plus whole days.
    pub const fn plus_days(self, days: i64) -> Self {
        Self(self.0.saturating_add(days.saturating_mul(DAY_MS)))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    pub fn parse(text: &str) -> Result<Self, InvalidTimestamp> {
        parse_rfc3339(text).ok_or_else(|| InvalidTimestamp {
            value: text.chars().take(64).collect(),
        })
    }
}

fn digits(bytes: &[u8], from: usize, len: usize) -> Option<i64> {
    let part = bytes.get(from..from.checked_add(len)?)?;
    part.iter().try_fold(0i64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

fn expect(bytes: &[u8], at: usize, what: &[u8]) -> Option<()> {
    what.contains(bytes.get(at)?).then_some(())
}

fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let year = digits(b, 0, 4)?;
    expect(b, 4, b"-")?;
    let month = digits(b, 5, 2)?;
    expect(b, 7, b"-")?;
    let day = digits(b, 8, 2)?;
    expect(b, 10, b"Tt ")?;
    let hour = digits(b, 11, 2)?;
    expect(b, 13, b":")?;
    let minute = digits(b, 14, 2)?;
    expect(b, 16, b":")?;
    let second = digits(b, 17, 2)?;
    let mut at = 19;
    let mut millis = 0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let fraction = b.get(start..at)?;
        if fraction.is_empty() {
            return None;
        }
        // Milliseconds from the first three digits; finer digits are dropped, not rounded.
        millis = (0..3)
            .map(|i| fraction.get(i).map_or(0, |d| i64::from(d - b'0')))
            .fold(0, |acc, d| acc * 10 + d);
    }
    let offset_minutes = match b.get(at)? {
        b'Z' | b'z' if at + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if at + 6 == b.len() => {
            let hours = digits(b, at + 1, 2)?;
            expect(b, at + 3, b":")?;
            let minutes = digits(b, at + 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    if !(1970..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    (seconds >= 0).then(|| Timestamp(seconds * 1_000 + millis))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.rem_euclid(1_000);
        let seconds = self.0.div_euclid(1_000);
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let rest = seconds.rem_euclid(86_400);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rest / 3_600,
            rest % 3_600 / 60,
            rest % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        let parsed = Timestamp::parse(input).ok().map(|t| t.to_string());
        assert_eq!(parsed.as_deref(), expected, "{input:?}");
    }

    #[test]
    fn timestamps_parse_and_print_as_rfc3339_utc_millis() {
        check("1970-01-01T00:00:00Z", Some("1970-01-01T00:00:00.000Z"));
        check("2026-11-21T09:30:00.123Z", Some("2026-11-21T09:30:00.123Z"));
        check("2026-11-21T09:30:00.1Z", Some("2026-11-21T09:30:00.100Z"));
        check(
            "2026-11-21T09:30:00.123456Z",
            Some("2026-11-21T09:30:00.123Z"),
        );
        check(
            "2026-11-21T10:30:00+01:00",
            Some("2026-11-21T09:30:00.000Z"),
        );
        check(
            "2026-11-21T08:00:00-01:30",
            Some("2026-11-21T09:30:00.000Z"),
        );
        check("2024-02-29T00:00:00Z", Some("2024-02-29T00:00:00.000Z"));
        check("2025-02-29T00:00:00Z", None);
        check("2026-13-01T00:00:00Z", None);
        check("2026-11-21T24:00:00Z", None);
        check("2026-11-21T09:30:00", None);
        check("2026-11-21T09:30:00.Z", None);
        check("2026-11-21", None);
        check("1969-12-31T23:59:59Z", None);
        check("2026-11-21T09:30:00Zjunk", None);
        check("", None);
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        for days in (0..146_097 * 4).step_by(7) {
            let t = Timestamp::from_unix_millis(days * DAY_MS + 45_296_789);
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
        }
    }

    #[test]
    fn plus_days_adds_whole_days() {
        let t = Timestamp::parse("2026-02-20T12:00:00Z").unwrap();
        assert_eq!(t.plus_days(14).to_string(), "2026-03-06T12:00:00.000Z");
    }
}
