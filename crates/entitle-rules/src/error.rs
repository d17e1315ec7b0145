//! Command errors. Every error has a stable code (the contract shared by Rust, JavaScript and
//! HTTP) and a kind that the HTTP layer maps to a status.

use crate::decision::Reason;
use std::fmt;

/// The class of an error; the worker maps it to an HTTP status in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is malformed (400).
    BadRequest,
    /// The actor may not do this (403).
    Forbidden,
    /// The resource does not exist or is invisible to the actor (404).
    NotFound,
    /// The resource's current state forbids it (409).
    Conflict,
    /// The resource is gone for good: expired or cancelled (410).
    Gone,
    /// The input is well-formed but breaks a rule (422).
    Unprocessable,
    /// The caller broke the rules' own contract, such as too few fresh values (500).
    Internal,
}

impl ErrorKind {
    /// The HTTP status of this kind of error; the one mapping every runtime uses.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::Gone => 410,
            Self::Unprocessable => 422,
            Self::Internal => 500,
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $kind:ident;)*) => {
        /// A stable error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            /// A permission check said no; the code is the reason's.
            Denied(Reason),
            $(
                #[doc = concat!("`", $code, "`")]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code that is not a denial.
            pub const FIXED: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable code, such as `invitation_expired`.
            pub fn code(self) -> &'static str {
                match self {
                    ErrorCode::Denied(reason) => reason.code(),
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The class of the error.
            pub fn kind(self) -> ErrorKind {
                match self {
                    ErrorCode::Denied(Reason::NotFound) => ErrorKind::NotFound,
                    ErrorCode::Denied(_) => ErrorKind::Forbidden,
                    $(ErrorCode::$variant => ErrorKind::$kind,)*
                }
            }
        }
    };
}

codes! {
    InvalidInput = "invalid_input", BadRequest;
    InvalidEmail = "invalid_email", Unprocessable;
    InvalidName = "invalid_name", Unprocessable;
    InvalidText = "invalid_text", Unprocessable;
    InvalidQuantity = "invalid_quantity", Unprocessable;
    InvalidProvisioningAction = "invalid_provisioning_action", Unprocessable;
    InvalidRecord = "invalid_record", Unprocessable;
    UnknownActor = "unknown_actor", Forbidden;
    AccountNotFound = "account_not_found", NotFound;
    ProductNotFound = "product_not_found", NotFound;
    LicenseNotFound = "license_not_found", NotFound;
    OrderNotFound = "order_not_found", NotFound;
    ProjectNotFound = "project_not_found", NotFound;
    ShareNotFound = "share_not_found", NotFound;
    ContractNotFound = "contract_not_found", NotFound;
    DelegateNotFound = "delegate_not_found", NotFound;
    InvitationNotFound = "invitation_not_found", NotFound;
    TransferNotFound = "transfer_not_found", NotFound;
    CustomerNotFound = "customer_not_found", NotFound;
    RecipientNotFound = "recipient_not_found", Unprocessable;
    InviteeNotFound = "invitee_not_found", Unprocessable;
    CannotShareWithSelf = "cannot_share_with_self", Unprocessable;
    CannotInviteSelf = "cannot_invite_self", Unprocessable;
    CannotTransferToSelf = "cannot_transfer_to_self", Unprocessable;
    ContractNotSubscription = "contract_not_subscription", Unprocessable;
    LicenseExpired = "license_expired", Unprocessable;
    LicenseNotOnProject = "license_not_on_project", Unprocessable;
    UnpaidLimitReached = "unpaid_limit_reached", Unprocessable;
    PrimaryLicenseRequired = "primary_license_required", Unprocessable;
    RecipientKindNotAllowed = "recipient_kind_not_allowed", Unprocessable;
    OwnerNotFound = "owner_not_found", Unprocessable;
    AlreadyShared = "already_shared", Conflict;
    AlreadyDelegate = "already_delegate", Conflict;
    InvitationPending = "invitation_pending", Conflict;
    InvitationAlreadyUsed = "invitation_already_used", Conflict;
    InvitationNotPending = "invitation_not_pending", Conflict;
    LicenseAlreadyAssigned = "license_already_assigned", Conflict;
    LicenseInUse = "license_in_use", Conflict;
    ServerActive = "server_active", Conflict;
    PanelsActive = "panels_active", Conflict;
    EmailInUse = "email_in_use", Conflict;
    TransferPending = "transfer_pending", Conflict;
    TransferAlreadyAccepted = "transfer_already_accepted", Conflict;
    InvitationExpired = "invitation_expired", Gone;
    InvitationCancelled = "invitation_cancelled", Gone;
    TransferExpired = "transfer_expired", Gone;
    TransferCancelled = "transfer_cancelled", Gone;
    InvitationWrongAccount = "invitation_wrong_account", Forbidden;
    NotTransferRecipient = "not_transfer_recipient", Forbidden;
    NotTransferRequester = "not_transfer_requester", Forbidden;
    ResellerOnly = "reseller_only", Forbidden;
    FreshValuesExhausted = "fresh_values_exhausted", Internal;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A command that could not be carried out. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct CommandError {
    /// The stable code.
    pub code: ErrorCode,
    /// A sentence for people: lowercase, no final period, user input in backticks.
    pub detail: String,
}

impl CommandError {
    /// An error with its code and detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    /// The error for a denied permission check. A denial that describes the resource's state
    /// rather than the actor's rights keeps its code but takes that state's kind (409 or 422).
    pub fn denied(reason: Reason) -> Self {
        let state_code = match reason {
            Reason::LicenseInUse => Some(ErrorCode::LicenseInUse),
            Reason::LicenseAlreadyAssigned => Some(ErrorCode::LicenseAlreadyAssigned),
            Reason::LicenseExpired => Some(ErrorCode::LicenseExpired),
            Reason::TransferPending => Some(ErrorCode::TransferPending),
            Reason::ContractNotSubscription => Some(ErrorCode::ContractNotSubscription),
            _ => None,
        };
        if let Some(code) = state_code {
            return Self {
                code,
                detail: format!("not possible now: {}", reason.code().replace('_', " ")),
            };
        }
        let detail = match reason {
            Reason::NotFound => "the resource does not exist or is not visible to you".to_owned(),
            other => format!("not allowed: {}", other.code().replace('_', " ")),
        };
        Self {
            code: ErrorCode::Denied(reason),
            detail,
        }
    }

    /// The stable code as text.
    pub fn code(&self) -> &'static str {
        self.code.code()
    }

    /// The class of the error.
    pub fn kind(&self) -> ErrorKind {
        self.code.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn error_and_reason_codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        let all = ErrorCode::FIXED
            .iter()
            .copied()
            .chain(Reason::ALL.iter().map(|r| ErrorCode::Denied(*r)));
        for code in all {
            let text = code.code();
            assert!(
                text.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{text}"
            );
            // A reason and an error may share a code only when they mean the same thing.
            let shared_on_purpose = [
                "license_in_use",
                "license_already_assigned",
                "license_expired",
                "transfer_pending",
                "contract_not_subscription",
                "unknown_actor",
            ];
            assert!(
                seen.insert(text) || shared_on_purpose.contains(&text),
                "duplicate code {text}"
            );
        }
    }
}
