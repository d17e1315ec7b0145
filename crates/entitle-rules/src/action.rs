//! Actions (`<resource>.<verb>`) and the resources they act on.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

named! {
    /// The type of a resource.
    pub enum ResourceType {
        /// A contract.
        Contract = "contract",
        /// A project.
        Project = "project",
        /// A license.
        License = "license",
        /// An order.
        Order = "order",
        /// An account.
        Account = "account",
    }
}

/// A resource named in an authorization question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Its type.
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    /// Its id (a license key for licenses).
    pub id: String,
}

macro_rules! actions {
    ($($variant:ident = $name:literal on $resource:ident: $doc:literal,)*) => {
        /// Something an account may or may not do to a resource.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "ActionName"))]
        pub enum Action {
            $(#[doc = $doc] $variant,)*
        }

        impl Action {
            /// Every action, in a stable order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The action's name, such as `contract.view`.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// The type of resource the action applies to.
            pub fn resource_type(self) -> ResourceType {
                match self { $(Action::$variant => ResourceType::$resource,)* }
            }
        }
    };
}

actions! {
    ContractView = "contract.view" on Contract: "See the product registration, renewal dates and status.",
    ContractBillingView = "contract.billing.view" on Contract: "See invoices and payment details.",
    ContractBillingManage = "contract.billing.manage" on Contract: "Pay, change payment method, manage invoices.",
    ContractCancel = "contract.cancel" on Contract: "Cancel the contract.",
    ContractUpgrade = "contract.upgrade" on Contract: "Upgrade or downgrade the product.",
    ContractModify = "contract.modify" on Contract: "Change the contract's product options.",
    ContractProvision = "contract.provision" on Contract: "Take provisioning actions (log in to hosting, update nameservers).",
    ContractTicketsCreate = "contract.tickets.create" on Contract: "Open support tickets about the contract.",
    ContractTicketsView = "contract.tickets.view" on Contract: "Read the contract's tickets.",
    ContractDelegatesManage = "contract.delegates.manage" on Contract: "Invite, list, resend, cancel and revoke delegates (subscription contracts only).",
    ContractDelegatesRevoke = "contract.delegates.revoke" on Contract: "Remove the delegates and cancel the pending invitations left on the contract, subscription or one-off.",
    ProjectView = "project.view" on Project: "See the project.",
    ProjectRename = "project.rename" on Project: "Rename the project.",
    ProjectDelete = "project.delete" on Project: "Delete the project.",
    ProjectShare = "project.share" on Project: "Share and unshare the project.",
    ProjectTransfer = "project.transfer" on Project: "Transfer the project to another account.",
    ProjectLicensesAssign = "project.licenses.assign" on Project: "Assign one's own licenses to the project.",
    ProjectLicensesViewAll = "project.licenses.view_all" on Project: "See every license on the project, whoever assigned it.",
    ProjectModify = "project.modify" on Project: "Change the project itself.",
    ProjectUsersInvite = "project.users.invite" on Project: "Invite users to the project.",
    LicenseView = "license.view" on License: "See the license.",
    LicenseAssign = "license.assign" on License: "Assign the license to a project.",
    LicenseTransfer = "license.transfer" on License: "Move the unused license to another account.",
    LicenseMarkPaid = "license.mark_paid" on License: "Record that the customer paid the reseller.",
    OrderView = "order.view" on Order: "See the order.",
    OrderTransfer = "order.transfer" on Order: "Transfer the whole order and its recurring fees.",
    AccountView = "account.view" on Account: "See the account.",
}

/// An action name that entitle does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an action: actions are named like `contract.view`")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;
    fn from_str(name: &str) -> Result<Self, UnknownAction> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == name)
            .ok_or_else(|| UnknownAction(name.chars().take(64).collect()))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_by_name_and_names_its_resource() {
        for action in Action::ALL {
            assert_eq!(action.name().parse::<Action>(), Ok(*action));
            let prefix = action.name().split('.').next().unwrap();
            let resource = serde_json::to_value(action.resource_type()).unwrap();
            assert_eq!(resource, prefix);
        }
        assert!("contract.fly".parse::<Action>().is_err());
    }

    #[test]
    fn the_contract_names_every_action_of_the_api() {
        let documented = [
            "contract.view",
            "contract.billing.view",
            "contract.billing.manage",
            "contract.cancel",
            "contract.upgrade",
            "contract.modify",
            "contract.provision",
            "contract.tickets.create",
            "contract.tickets.view",
            "contract.delegates.manage",
            "contract.delegates.revoke",
            "project.view",
            "project.rename",
            "project.delete",
            "project.share",
            "project.transfer",
            "project.licenses.assign",
            "project.licenses.view_all",
            "project.modify",
            "project.users.invite",
            "license.view",
            "license.assign",
            "license.transfer",
            "license.mark_paid",
            "order.view",
            "order.transfer",
        ];
        for name in documented {
            assert!(name.parse::<Action>().is_ok(), "{name}");
        }
    }
}
