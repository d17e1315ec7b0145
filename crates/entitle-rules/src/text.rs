//! Checked text: e-mail addresses and bounded free text.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A normalized (trimmed, lowercased) e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct Email(String);

/// Text that is not a plausible e-mail address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not an e-mail address")]
pub struct InvalidEmail {
    /// The rejected text, cut to 64 characters.
    pub value: String,
}

impl Email {
    /// Trims, lowercases and checks an address: one `@`, a non-empty local part, a domain with a dot,
    /// no spaces, at most 254 characters.
    pub fn new(value: &str) -> Result<Self, InvalidEmail> {
        let normalized = value.trim().to_lowercase();
        let valid = normalized.len() <= 254
            && !normalized
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
            && match normalized.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Self(normalized))
        } else {
            Err(InvalidEmail {
                value: value.chars().take(64).collect(),
            })
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::new(&value).map_err(serde::de::Error::custom)
    }
}

/// Trims `value` and checks that it holds between 1 and `max` characters.
pub(crate) fn bounded(value: &str, max: usize) -> Option<String> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    (count >= 1
        && count <= max
        && !trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'))
    .then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(
            Email::new(input).ok().as_ref().map(Email::as_str),
            expected,
            "{input:?}"
        );
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        check("Dev@Example.COM ", Some("dev@example.com"));
        check("a.b+c@shop.example", Some("a.b+c@shop.example"));
        check("no-at.example", None);
        check("@example.com", None);
        check("a@b@example.com", None);
        check("a@localhost", None);
        check("a@.example", None);
        check("a b@example.com", None);
        check("", None);
    }

    #[test]
    fn bounded_text_is_trimmed_and_limited() {
        assert_eq!(bounded("  x ", 3).as_deref(), Some("x"));
        assert_eq!(bounded("   ", 3), None);
        assert_eq!(bounded("abcd", 3), None);
        assert_eq!(bounded("line\nbreak", 20).as_deref(), Some("line\nbreak"));
        assert_eq!(bounded("bell\u{7}", 20), None);
    }
}
