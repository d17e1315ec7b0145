//! Identifiers. Every id is an opaque string: chosen by the store for the records it imports,
//! minted by the caller of the rules (from fresh random values) otherwise.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

/// The characters of an id, as a literal for patterns (`concat!` and attributes take literals;
/// the tests check it against the check the rules run).
#[macro_export]
macro_rules! id_chars {
    () => {
        "A-Za-z0-9._:@-"
    };
}

/// The pattern of an id, for schemas (its length is `minLength` 1, `maxLength` [`MAX_ID_LEN`]).
pub const ID_PATTERN: &str = concat!("^[", id_chars!(), "]+$");

/// An id that is empty, too long, or holds characters outside `A-Z a-z 0-9 . _ : @ -`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{value}` is not a valid id: use 1 to {MAX_ID_LEN} characters from A-Z, a-z, 0-9, `.`, `_`, `:`, `@` and `-`"
)]
pub struct InvalidId {
    /// The rejected text, cut to 64 characters.
    pub value: String,
}

fn check_id(value: &str) -> Result<(), InvalidId> {
    let valid_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '@' | '-');
    if value.is_empty() || value.len() > MAX_ID_LEN || !value.chars().all(valid_char) {
        return Err(InvalidId {
            value: value.chars().take(64).collect(),
        });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps an id.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidId> {
                let value = value.into();
                check_id(&value)?;
                Ok(Self(value))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidId;
            fn try_from(value: &str) -> Result<Self, InvalidId> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(value: String) -> Result<Self, InvalidId> {
                Self::new(value)
            }
        }
    };
}

id_type!(
    /// A store (tenant). One deployment serves many stores; their records never mix.
    StoreId
);
id_type!(
    /// A customer, partner, reseller, integrator, DIY or end-user account of a store.
    AccountId
);
id_type!(
    /// A company that employs accounts.
    CompanyId
);
id_type!(
    /// A product sold by the store.
    ProductId
);
id_type!(
    /// A license key; the key is the license's id.
    LicenseKey
);
id_type!(
    /// An order: licenses bought together, possibly with recurring billing.
    OrderId
);
id_type!(
    /// A production project to which licenses are assigned.
    ProjectId
);
id_type!(
    /// A subscription or one-off contract for a product.
    ContractId
);
id_type!(
    /// An invitation of a delegate to a contract.
    InvitationId
);
id_type!(
    /// A support ticket on a contract.
    TicketId
);
id_type!(
    /// A pending, accepted, cancelled or expired transfer of a license or project.
    TransferId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_pattern_names_the_characters_the_check_accepts() {
        let accepted: String = (0u8..128)
            .map(char::from)
            .filter(|c| check_id(&c.to_string()).is_ok())
            .collect();
        assert_eq!(accepted.len(), 67);
        let class = format!("^[{}]+$", id_chars!());
        assert_eq!(ID_PATTERN, class);
        // The class spelled as ranges covers exactly the accepted characters.
        let spelled = id_chars!().replace("A-Z", "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        let spelled = spelled.replace("a-z", "abcdefghijklmnopqrstuvwxyz");
        let spelled = spelled.replace("0-9", "0123456789");
        let mut spelled: Vec<char> = spelled.chars().collect();
        spelled.sort_unstable();
        let mut accepted: Vec<char> = accepted.chars().collect();
        accepted.sort_unstable();
        assert_eq!(spelled, accepted);
    }

    fn check(input: &str, valid: bool) {
        assert_eq!(AccountId::new(input).is_ok(), valid, "{input:?}");
    }

    #[test]
    fn ids_accept_only_the_documented_alphabet() {
        check("acc_1", true);
        check("A-b.c:d@e_f", true);
        check(&"x".repeat(MAX_ID_LEN), true);
        check("", false);
        check(&"x".repeat(MAX_ID_LEN + 1), false);
        check("has space", false);
        check("slash/no", false);
        check("é", false);
    }

    #[test]
    fn ids_deserialize_through_the_same_check() {
        let ok: Result<LicenseKey, _> = serde_json::from_str("\"LK-1\"");
        assert_eq!(ok.unwrap().as_str(), "LK-1");
        let bad: Result<LicenseKey, _> = serde_json::from_str("\"a b\"");
        assert!(bad.unwrap_err().to_string().contains("not a valid id"));
    }
}
