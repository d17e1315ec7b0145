//! Checked text: e-mail addresses, names and bounded free text. Addresses and names refuse
//! Unicode control and format characters (zero-width, bidirectional overrides), so no one can
//! make an address or a name that looks like someone else's.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// An e-mail address, normalized (trimmed, Unicode-lowercased) where it came in: a command's
/// argument or an account the store imports ([`Email::new`]). Records hold it so, and reading a
/// record takes it as stored ([`Email::stored`]): a state that a caller builds itself must hold
/// addresses lowercased, as the worker's snapshots do, or a lookup by address will not find
/// them.
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

impl InvalidEmail {
    fn of(value: &str) -> Self {
        Self {
            value: value.chars().take(64).collect(),
        }
    }
}

/// The longest address, in bytes, once normalized.
pub const MAX_EMAIL_BYTES: usize = 254;

impl Email {
    /// Normalizes and checks an address that comes in (a command's argument, an imported
    /// account): trims and lowercases it, then checks it as [`Email::stored`] does, and that it
    /// holds at most [`MAX_EMAIL_BYTES`]. Lowercasing is Unicode's, so `DÉV@Shop.example` and
    /// `dév@shop.example` are one address.
    pub fn new(value: &str) -> Result<Self, InvalidEmail> {
        let normalized = value.trim().to_lowercase();
        if normalized.len() > MAX_EMAIL_BYTES {
            return Err(InvalidEmail::of(value));
        }
        Self::checked(normalized, value)
    }

    /// Checks an address read back from a record, where it was stored normalized: trimmed, it
    /// must hold one `@`, a non-empty local part, a domain with a dot, no spaces, and nothing
    /// that prints as nothing (see [`prints_as_nothing`]). It is not lowercased again: reading
    /// keeps what was written, and so needs no Unicode case tables (the browser's module reads
    /// states with this, and those tables were a sixth of its size). Its length was checked
    /// where it came in, once lowercased (which can change it: the Kelvin sign `K` is three
    /// bytes, `k` one), so an import's address on its way to [`Email::new`] is not refused here
    /// for a length it will not have.
    pub fn stored(value: &str) -> Result<Self, InvalidEmail> {
        Self::checked(value.trim().to_owned(), value)
    }

    /// The checks that lowercasing cannot change the answer of.
    fn checked(normalized: String, value: &str) -> Result<Self, InvalidEmail> {
        let valid = !normalized
            .chars()
            .any(|c| c.is_whitespace() || prints_as_nothing(c))
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
            Err(InvalidEmail::of(value))
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

/// Reads an address as [`Email::stored`] does: records hold addresses normalized where they came
/// in ([`Email::new`], in commands and imports).
impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::stored(&value).map_err(serde::de::Error::custom)
    }
}

/// Unicode's format characters (general category `Cf`, Unicode 16.0): zero-width spaces and
/// joiners, bidirectional marks, embeddings, overrides and isolates, the byte order mark, the
/// soft hyphen, invisible operators, interlinear annotations, tags and the like. The table is
/// written out here rather than taken from a crate: it is 20 ranges, and every dependency of
/// the rules costs size in the browser's module.
const FORMAT_CHARACTERS: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
];

/// Unicode's default-ignorable code points that are neither control nor format characters
/// (`Default_Ignorable_Code_Point` of DerivedCoreProperties, Unicode 16.0, less `Cc` and `Cf`):
/// fillers, variation selectors, the combining grapheme joiner and reserved code points that
/// print as nothing. Variation selectors belong in names (emoji presentation), so only addresses
/// refuse these.
const IGNORABLE_CHARACTERS: &[(char, char)] = &[
    ('\u{034F}', '\u{034F}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180D}'),
    ('\u{180F}', '\u{180F}'),
    ('\u{2065}', '\u{2065}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFF8}'),
    ('\u{E0000}', '\u{E0000}'),
    ('\u{E0002}', '\u{E001F}'),
    ('\u{E0080}', '\u{E0FFF}'),
];

/// Whether `c` prints as nothing in an address: invisible (see [`is_invisible`]) or
/// default-ignorable, so that no address looks like another one it is not.
pub fn prints_as_nothing(c: char) -> bool {
    is_invisible(c) || in_ranges(IGNORABLE_CHARACTERS, c)
}

/// Whether `c` lies in one of the inclusive ranges of `table`.
fn in_ranges(table: &[(char, char)], c: char) -> bool {
    table
        .iter()
        .any(|(first, last)| (*first..=*last).contains(&c))
}

/// Whether `c` is a Unicode control character (`Cc`) or format character (`Cf`): characters
/// that print as nothing or change how their neighbours print.
pub fn is_invisible(c: char) -> bool {
    c.is_control() || in_ranges(FORMAT_CHARACTERS, c)
}

/// Why a human-readable name is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameProblem {
    /// Empty once trimmed, or longer than allowed.
    Length,
    /// It holds a character that prints as nothing or changes how its neighbours print, or
    /// nothing visible at all.
    Invisible,
}

/// A human-readable name (an account's, a customer's, a project's, a product's, a ticket's
/// subject): trimmed, 1 to `max` characters, on one line, and made only of characters that
/// show. The one rule for every name, so the same characters are refused everywhere:
///
/// - control characters (line breaks and tabs included) and the line and paragraph separators;
/// - format characters ([`is_invisible`]: zero-width spaces and joiners, bidirectional marks,
///   overrides and isolates, the soft hyphen, tags), except a zero-width joiner inside an emoji
///   sequence (👩‍💻), which shows as one emoji;
/// - the other default-ignorable characters (Hangul fillers, the combining grapheme joiner),
///   except variation selectors after a character (❤️ is a heart and a selector);
/// - a name with nothing visible in it (only variation selectors or combining marks).
///
/// Accents, every script and emoji are names like any other.
pub fn checked_name(value: &str, max: usize) -> Result<String, NameProblem> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count == 0 || count > max {
        return Err(NameProblem::Length);
    }
    let chars: Vec<char> = trimmed.chars().collect();
    let mut visible = false;
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let shows = match c {
            '\u{200D}' => before.is_some_and(ends_emoji) && after.is_some_and(is_emoji),
            '\u{2028}' | '\u{2029}' => false,
            _ if is_variation_selector(c) => before.is_some(),
            _ => !prints_as_nothing(c),
        };
        if !shows {
            return Err(NameProblem::Invisible);
        }
        visible |= !(c.is_whitespace() || is_variation_selector(c) || is_combining_mark(c));
    }
    if visible {
        Ok(trimmed.to_owned())
    } else {
        Err(NameProblem::Invisible)
    }
}

/// Variation selectors (VS1 to VS16, and the supplement's VS17 to VS256).
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// The combining diacritical marks, which show only on a character before them.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Characters emoji sequences join: pictographs, symbols and dingbats.
fn is_emoji(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

/// What may stand before a joiner in an emoji sequence: an emoji, its presentation selector or
/// a skin tone (which lies among the pictographs).
fn ends_emoji(c: char) -> bool {
    is_emoji(c) || c == '\u{FE0F}'
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
    fn a_stored_address_is_checked_as_written_never_lowercased_again() {
        let read = |text: &str| Email::stored(text).ok().map(|e| e.as_str().to_owned());
        assert_eq!(read(" Dev@Example.COM").as_deref(), Some("Dev@Example.COM"));
        assert_eq!(
            read("DÉV@shop.example").as_deref(),
            Some("DÉV@shop.example")
        );
        let serde: Email = serde_json::from_str("\"Dev@Example.COM\"").unwrap();
        assert_eq!(serde.as_str(), "Dev@Example.COM");
        for bad in [
            "no-at.example",
            "a b@example.com",
            "dev\u{200B}@team-one.example",
            "",
        ] {
            assert_eq!(read(bad), None, "{bad:?}");
            assert!(
                serde_json::from_value::<Email>(bad.into()).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn addresses_refuse_what_prints_as_nothing_names_keep_emoji_selectors() {
        // Found by probing: each of these looked exactly like `a@x.com` and was accepted.
        for bad in [
            "a\u{034F}@x.com",
            "a\u{3164}@x.com",
            "\u{115F}a@x.com",
            "a\u{FE0F}@x.com",
            "a\u{E0100}@x.com",
            "a\u{17B4}@x.com",
            "a\u{FFA0}@x.com",
        ] {
            assert!(Email::new(bad).is_err(), "{bad:?}");
            assert!(Email::stored(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            name("Shop \u{2764}\u{FE0F}", 200).as_deref(),
            Some("Shop \u{2764}\u{FE0F}")
        );
        let sorted = |table: &[(char, char)]| {
            table
                .windows(2)
                .all(|w| w[0].0 <= w[0].1 && w[0].1 < w[1].0)
        };
        assert!(sorted(IGNORABLE_CHARACTERS));
    }

    #[test]
    fn an_address_is_measured_once_lowercased() {
        // The Kelvin sign is three bytes and lowercases to `k`, one byte.
        let kelvin = format!("{}@x.com", "\u{212A}".repeat(90));
        assert!(kelvin.len() > MAX_EMAIL_BYTES);
        let typed = Email::new(&kelvin).unwrap();
        assert_eq!(typed.as_str(), format!("{}@x.com", "k".repeat(90)));
        assert!(
            Email::stored(&kelvin).is_ok(),
            "an import's body holds it as typed"
        );
        // `İ` lowercases to two characters, three bytes: over the limit once lowercased.
        let dotted = format!("{}@x.com", "\u{130}".repeat(100));
        assert!(dotted.len() <= MAX_EMAIL_BYTES);
        assert!(Email::new(&dotted).is_err());
        assert!(Email::new(&format!("{}@x.co", "a".repeat(249))).is_ok());
        assert!(Email::new(&format!("{}@x.co", "a".repeat(250))).is_err());
    }

    #[test]
    fn emails_refuse_control_and_format_characters() {
        // Issue 8: look-alike addresses.
        check("dev\u{200B}@team-one.example", None); // zero-width space
        check("dev@team\u{200D}-one.example", None); // zero-width joiner
        check("\u{FEFF}dev@team-one.example", None); // byte order mark
        check("dev@elpmaxe\u{202E}.example", None); // right-to-left override
        check("dev\u{2066}@team-one.example", None); // left-to-right isolate
        check("dev\u{00AD}@team-one.example", None); // soft hyphen
        check("dev\u{E0041}@team-one.example", None); // tag character
        check("dev\u{0007}@team-one.example", None); // bell
        check("dév@team-one.example", Some("dév@team-one.example"));
    }

    fn name(value: &str, max: usize) -> Option<String> {
        checked_name(value, max).ok()
    }

    #[test]
    fn names_refuse_control_and_format_characters() {
        // Issue 8: look-alike names.
        assert_eq!(name(" Dev Team 1 ", 200).as_deref(), Some("Dev Team 1"));
        assert_eq!(
            name("Zoë Ünal-Øster 李", 200).as_deref(),
            Some("Zoë Ünal-Øster 李")
        );
        for bad in [
            "Dev\u{200B}Team",
            "Dev\u{202E}maeT",
            "Dev\u{2067}Team",
            "Dev\u{061C}Team",
            "Dev\nTeam",
            "Dev\tTeam",
            "Dev\u{0085}Team",
        ] {
            assert_eq!(name(bad, 200), None, "{bad:?}");
        }
    }

    /// Issue 20, finding 3: one rule for every name, the invisible characters that project and
    /// product names used to accept, and names made of nothing visible.
    #[test]
    fn names_refuse_every_character_that_prints_as_nothing() {
        for bad in [
            "Shop\u{200B}Site",         // zero-width space
            "Shop\u{200C}Site",         // zero-width non-joiner
            "Shop\u{200D}Site",         // zero-width joiner between letters
            "Shop\u{202E}etiS",         // right-to-left override
            "Shop\u{2066}Site\u{2069}", // isolate
            "Shop\u{200F}",             // right-to-left mark
            "Sh\u{00AD}op",             // soft hyphen
            "\u{3164}",                 // Hangul filler alone
            "Shop\u{3164}",             // Hangul filler inside
            "\u{115F}\u{1160}",         // Hangul choseong and jungseong fillers
            "\u{FFA0}",                 // halfwidth Hangul filler
            "Shop\u{034F}",             // combining grapheme joiner
            "\u{FE0F}",                 // a selector with nothing to select
            "\u{0301}",                 // an accent on nothing
            "Shop\u{2028}Site",         // line separator
            "Shop\u{E0041}",            // tag
            "\u{FEFF}Shop",             // byte order mark
        ] {
            assert_eq!(
                checked_name(bad, 200),
                Err(NameProblem::Invisible),
                "{bad:?}"
            );
        }
        for good in [
            "Zoë Ünal-Øster",
            "李小龍 株式会社",
            "Ελληνικά",
            "مطعم",
            "Café ☕",
            "❤\u{FE0F} Shop",        // heart with emoji presentation
            "👩\u{200D}💻 Dev Team", // woman technologist
            "❤\u{FE0F}\u{200D}🔥",   // heart on fire
            "👍🏽 Team",               // skin tone
            "e\u{0301}cole",         // decomposed accent
            "A & B (Pty) Ltd.",
        ] {
            assert_eq!(checked_name(good, 200).as_deref(), Ok(good), "{good:?}");
        }
        assert_eq!(checked_name("   ", 200), Err(NameProblem::Length));
        assert_eq!(checked_name("abcd", 3), Err(NameProblem::Length));
    }

    #[test]
    fn format_character_table_is_sorted_and_covers_the_known_invisibles() {
        assert!(
            FORMAT_CHARACTERS
                .windows(2)
                .all(|w| w[0].0 <= w[0].1 && w[0].1 < w[1].0)
        );
        for c in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{2060}', '\u{FEFF}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', ' ', '-', '\u{00A0}', '\u{2010}', '😀'] {
            assert!(!is_invisible(c), "{c:?}");
        }
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
