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
    ($($variant:ident = $code:literal, $kind:ident: $meaning:literal => $help:literal;)*) => {
        /// A stable error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            /// A permission check said no; the code is the reason's.
            Denied(Reason),
            $(
                #[doc = concat!("`", $code, "`: ", $meaning)]
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

            /// What it means, for the error reference; a denial's is its reason's.
            pub fn meaning(self) -> &'static str {
                match self {
                    ErrorCode::Denied(reason) => reason.meaning(),
                    $(ErrorCode::$variant => $meaning,)*
                }
            }

            /// What the caller should do, for the error reference.
            pub fn help(self) -> &'static str {
                match self {
                    ErrorCode::Denied(Reason::NotFound) => "Check the id and who asks.",
                    ErrorCode::Denied(_) => "The caller may not do this; ask `POST /v1/authorize` (or the npm package) before offering the action.",
                    $(ErrorCode::$variant => $help,)*
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
    InvalidInput = "invalid_input", BadRequest: "The input is malformed." => "Fix the field the detail names.";
    InvalidEmail = "invalid_email", Unprocessable: "An e-mail address is not plausible: one `@`, a domain with a dot, no spaces or invisible characters, at most 254 bytes once lowercased." => "Send a valid address.";
    InvalidName = "invalid_name", Unprocessable: "A name is empty, too long, or holds control or invisible characters." => "Send a name of 1 to 200 visible characters.";
    InvalidText = "invalid_text", Unprocessable: "A free text (notes, details, ticket subject or body) is empty where required, too long, or holds control characters." => "Shorten or clean the text as the detail says.";
    InvalidQuantity = "invalid_quantity", Unprocessable: "A license quantity is not a whole number from 1 to 100." => "Send a quantity from 1 to 100.";
    InvalidProvisioningAction = "invalid_provisioning_action", Unprocessable: "The provisioning action is not one the contract's product offers." => "Send an action the store's product supports.";
    InvalidWindow = "invalid_window", Unprocessable: "A window of access (`startsAt`, `expiresAt`) is not RFC 3339 in UTC, ends in the past or not after its start, or reaches more than 730 days ahead." => "Send UTC times such as `2026-11-21T09:30:00.000Z`, an end later than the start and than now, at most 730 days ahead.";
    InvalidRecord = "invalid_record", Unprocessable: "An imported record breaks a rule of its type (a field's value, a reference, a limit)." => "Fix the record the detail, `list` and `index` name.";
    UnknownActor = "unknown_actor", Forbidden: "The caller's account is not known to the store." => "Import the account before creating its session.";
    AccountNotFound = "account_not_found", NotFound: "The account does not exist in the store." => "Import the account first, or check its id.";
    ProductNotFound = "product_not_found", NotFound: "The product does not exist in the store." => "Import the product first, or check its id.";
    LicenseNotFound = "license_not_found", NotFound: "The license does not exist or the caller may not see it." => "Check the license key and who asks.";
    OrderNotFound = "order_not_found", NotFound: "The order does not exist or the caller may not see it." => "Check the order id and who asks.";
    ProjectNotFound = "project_not_found", NotFound: "The project does not exist or the caller may not see it." => "Check the project id and who asks.";
    ShareNotFound = "share_not_found", NotFound: "The project is not shared with that account." => "List the project's recipients first.";
    ContractNotFound = "contract_not_found", NotFound: "The contract does not exist or the caller may not see it." => "Check the contract id and who asks.";
    DelegateNotFound = "delegate_not_found", NotFound: "The account is not a delegate of the contract." => "List the contract's delegates first.";
    InvitationNotFound = "invitation_not_found", NotFound: "No invitation has this id or token on the contract." => "Use the id or token from the invitation's event.";
    TransferNotFound = "transfer_not_found", NotFound: "The transfer does not exist or the caller is not a party to it." => "Check the transfer id and who asks.";
    CustomerNotFound = "customer_not_found", NotFound: "The customer is not an account the calling reseller manages." => "Create the customer first (`POST /v1/customers`).";
    RecipientNotFound = "recipient_not_found", Unprocessable: "No account of the store has the recipient's address." => "Ask the recipient to create an account first.";
    InviteeNotFound = "invitee_not_found", Unprocessable: "No account of the store has the invitee's address." => "Ask the invitee to create an account first.";
    CannotShareWithSelf = "cannot_share_with_self", Unprocessable: "The owner tried to share a project with itself." => "Share with another account.";
    CannotInviteSelf = "cannot_invite_self", Unprocessable: "The client tried to invite itself as a delegate." => "Invite another address.";
    CannotTransferToSelf = "cannot_transfer_to_self", Unprocessable: "The recipient of a transfer is its current owner." => "Transfer to another account.";
    ContractNotSubscription = "contract_not_subscription", Unprocessable: "Delegates are invited only to subscription contracts, never to one-off purchases." => "Invite delegates to a subscription contract.";
    LicenseExpired = "license_expired", Unprocessable: "The license has expired." => "Renew the license or use another.";
    LicenseNotOnProject = "license_not_on_project", Unprocessable: "The license is not assigned to the project." => "List the project's licenses first.";
    UnpaidLimitReached = "unpaid_limit_reached", Unprocessable: "The reseller already has 10 unpaid licenses." => "Mark licenses paid (`PATCH /v1/licenses/{licenseKey}`) before creating more unpaid ones.";
    PrimaryLicenseRequired = "primary_license_required", Unprocessable: "An additional license needs a primary license of the same product on the same project or customer." => "Assign or create the primary license first.";
    RecipientKindNotAllowed = "recipient_kind_not_allowed", Unprocessable: "The project's or order's type does not allow this kind of recipient." => "Transfer to an account of an allowed kind (see the project type's rule).";
    OwnerNotFound = "owner_not_found", Unprocessable: "The owner of what is being transferred no longer exists." => "Cancel the transfer; the store must fix the record.";
    AlreadyShared = "already_shared", Conflict: "The project is already shared with that account." => "Nothing to do.";
    AlreadyDelegate = "already_delegate", Conflict: "The account is already a delegate of the contract." => "Nothing to do.";
    InvitationPending = "invitation_pending", Conflict: "A pending invitation for this address already exists on the contract." => "Resend the pending invitation instead.";
    InvitationAlreadyUsed = "invitation_already_used", Conflict: "The invitation was already accepted." => "Nothing to do: the delegate has access.";
    InvitationNotPending = "invitation_not_pending", Conflict: "The invitation is no longer pending (accepted, cancelled or expired)." => "Invite again if access is still wanted.";
    LicenseAlreadyAssigned = "license_already_assigned", Conflict: "The license is already assigned to a project." => "Unassign it first.";
    LicenseInUse = "license_in_use", Conflict: "The license is activated on a project; an activated license moves only with its project." => "Transfer the project, or deactivate the license.";
    ServerActive = "server_active", Conflict: "A server of the project is still active." => "Deactivate the project's servers before the transfer.";
    PanelsActive = "panels_active", Conflict: "Panels of the project are still active." => "Deactivate the project's panels before the transfer.";
    EmailInUse = "email_in_use", Conflict: "Another account of the store already has this address." => "Use another address, or the existing account.";
    TransferPending = "transfer_pending", Conflict: "A pending transfer of the same license or project already exists." => "Cancel it or wait for it to be settled.";
    GrantExpired = "grant_expired", Conflict: "The share's or delegation's window has ended: it is over and can no longer change." => "Share the project or invite the delegate again.";
    TransferAlreadyAccepted = "transfer_already_accepted", Conflict: "The transfer was already accepted." => "Nothing to do.";
    InvitationExpired = "invitation_expired", Gone: "The invitation's link has expired." => "Ask the client to resend the invitation.";
    InvitationCancelled = "invitation_cancelled", Gone: "The invitation was cancelled by the client." => "Ask the client for a new invitation.";
    InvitationWindowEnded = "invitation_window_ended", Gone: "The window of access the invitation offers has ended." => "Ask the client for a new invitation.";
    TransferExpired = "transfer_expired", Gone: "The transfer was not accepted in time." => "Request the transfer again.";
    TransferCancelled = "transfer_cancelled", Gone: "The transfer was cancelled." => "Request the transfer again if it is still wanted.";
    InvitationWrongAccount = "invitation_wrong_account", Forbidden: "The invitation was sent to another address than the signed-in account's." => "Sign in with the invited address.";
    NotTransferRecipient = "not_transfer_recipient", Forbidden: "Only the transfer's recipient may accept it." => "Sign in as the recipient.";
    NotTransferRequester = "not_transfer_requester", Forbidden: "Only the requester, the owner or the owner's company admin may cancel the transfer; its recipient declines it instead." => "Sign in as one of them.";
    ResellerOnly = "reseller_only", Forbidden: "Only reseller accounts may do this." => "Sign in as a reseller.";
    UnknownEventType = "unknown_event_type", Unprocessable: "A webhook subscription lists a name that is no event type of the feed." => "Use the event types of the feed (the `type` of `GET /v1/events` entries), or leave `events` out.";
    InvalidWebhookEvents = "invalid_webhook_events", Unprocessable: "A webhook subscription's `events` is empty or lists a type twice." => "List each event type once, or leave `events` out to receive every event.";
    FreshValuesExhausted = "fresh_values_exhausted", Internal: "The rules needed more fresh random values than the worker gave (the worker retries with more)." => "Retry; report it with the request id if it persists.";
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
        // A code's words: `license_in_use` reads `license in use`. Codes are ASCII, so a byte
        // map does (a pattern search would link more code into the browser's module).
        fn words(code: &str) -> String {
            code.chars()
                .map(|c| if c == '_' { ' ' } else { c })
                .collect()
        }
        let state_code = match reason {
            Reason::LicenseInUse => Some(ErrorCode::LicenseInUse),
            Reason::LicenseAlreadyAssigned => Some(ErrorCode::LicenseAlreadyAssigned),
            Reason::LicenseExpired => Some(ErrorCode::LicenseExpired),
            Reason::TransferPending => Some(ErrorCode::TransferPending),
            Reason::ContractNotSubscription => Some(ErrorCode::ContractNotSubscription),
            Reason::ServerActive => Some(ErrorCode::ServerActive),
            Reason::PanelsActive => Some(ErrorCode::PanelsActive),
            _ => None,
        };
        if let Some(code) = state_code {
            let detail = match reason {
                Reason::ServerActive => "deactivate the project's server before the transfer; the new owner activates it again".to_owned(),
                Reason::PanelsActive => "sign out of the project on every device before the transfer".to_owned(),
                _ => format!("not possible now: {}", words(reason.code())),
            };
            return Self { code, detail };
        }
        let detail = match reason {
            Reason::NotFound => "the resource does not exist or is not visible to you".to_owned(),
            other => format!("not allowed: {}", words(other.code())),
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
                "server_active",
                "panels_active",
                "unknown_actor",
            ];
            assert!(
                seen.insert(text) || shared_on_purpose.contains(&text),
                "duplicate code {text}"
            );
        }
    }
}
