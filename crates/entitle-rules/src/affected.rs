//! Whose access a committed change touches: the accounts whose access snapshot
//! ([`crate::access_snapshot`]) may hold, or decide on, a record the change wrote or removed.
//! The worker tells those accounts' open pages (`GET /v1/me/access/live`) to fetch their
//! snapshot again.
//!
//! It errs on the side of telling: an account told of a change that did not touch it fetches
//! its snapshot for nothing, an account not told keeps deciding on what is gone. So every
//! record is given to everyone who may see it *before* the change and everyone who may see it
//! *after*, whatever its status (a revoked delegate still hears of its contract).
//!
//! Products are the one exception: a product's fields decide nothing (no decision reads them)
//! and a product is in the snapshot of every account holding one of its licenses or contracts,
//! so a catalog import tells no one; pages show a renamed product from their next fetch.
//!
//! Like every decision, it reads through the state's lookups, so on a partial state it says
//! what it still needs (`State::missing`): the worker loads that and asks again.

use crate::ids::AccountId;
use crate::model::{
    Account, CompanyRole, Contract, Delegate, Invitation, License, Order, Project, Share, Ticket,
    Transfer, TransferSubject,
};
use crate::state::{Change, Row, State};
use std::collections::BTreeSet;

/// The accounts whose access snapshot may differ once `changes` are applied to `before` (the
/// state the command decided on). `before` gives each record's previous value and the records
/// around it; each change gives the new value.
pub fn affected_accounts(before: &State, changes: &[Change]) -> BTreeSet<AccountId> {
    let mut who = Audience {
        state: before,
        accounts: BTreeSet::new(),
    };
    for change in changes {
        let (row, _removed) = change.row();
        // The record as it was, if the state held it.
        match &row {
            Row::Account(new) => {
                if let Some(old) = before.account(&new.id) {
                    who.account_ties(old);
                }
                who.account_ties(new);
                who.account_records(&new.id);
            }
            Row::Product(_) => {}
            Row::License(new) => {
                if let Some(old) = before.license(&new.license_key) {
                    who.license(old);
                }
                who.license(new);
            }
            Row::Order(new) => {
                if let Some(old) = before.order(&new.id) {
                    who.order(old);
                }
                who.order(new);
            }
            Row::Project(new) => {
                if let Some(old) = before.project(&new.id) {
                    who.project(old);
                }
                who.project(new);
            }
            Row::Share(new) => {
                if let Some(old) = before.share(&new.project_id, &new.account_id) {
                    who.share(old);
                }
                who.share(new);
            }
            Row::Contract(new) => {
                if let Some(old) = before.contract(&new.id) {
                    who.contract(old);
                }
                who.contract(new);
            }
            Row::Delegate(new) => {
                if let Some(old) = before.delegate(&new.contract_id, &new.account_id) {
                    who.delegate(old);
                }
                who.delegate(new);
            }
            Row::Invitation(new) => {
                if let Some(old) = before.invitation(&new.id) {
                    who.invitation(old);
                }
                who.invitation(new);
            }
            Row::Ticket(new) => {
                if let Some(old) = before.ticket(&new.id) {
                    who.ticket(old);
                }
                who.ticket(new);
            }
            Row::Transfer(new) => {
                if let Some(old) = before.transfer(&new.id) {
                    who.transfer(old);
                }
                who.transfer(new);
            }
        }
    }
    who.accounts
}

/// The accounts that may see records, gathered record by record.
struct Audience<'a> {
    state: &'a State,
    accounts: BTreeSet<AccountId>,
}

impl Audience<'_> {
    fn add(&mut self, id: &AccountId) {
        self.accounts.insert(id.clone());
    }

    /// The admins of `account`'s company, when it is an employee there: they act on its
    /// licenses and pending transfers, and see its account.
    fn admins_of(&mut self, account: &AccountId) {
        if let Some(account) = self.state.account(account) {
            self.company_admins(account);
        }
    }

    fn company_admins(&mut self, account: &Account) {
        let Some(membership) = &account.company else {
            return;
        };
        if membership.role != CompanyRole::Employee {
            return;
        }
        for colleague in self.state.accounts_of_company(&membership.company_id) {
            if colleague.company.as_ref().map(|m| m.role) == Some(CompanyRole::Admin) {
                self.add(&colleague.id);
            }
        }
    }

    /// Who sees a contract, its delegates and its tickets: its owner and every delegate,
    /// active or revoked.
    fn contract_people(&mut self, contract: &Contract) {
        self.add(&contract.owner_id);
        for delegate in self.state.delegates_of(&contract.id) {
            self.add(&delegate.account_id);
        }
    }

    fn contract(&mut self, contract: &Contract) {
        self.contract_people(contract);
    }

    fn delegate(&mut self, delegate: &Delegate) {
        self.add(&delegate.account_id);
        if let Some(contract) = self.state.contract(&delegate.contract_id) {
            self.add(&contract.owner_id);
        }
    }

    fn invitation(&mut self, invitation: &Invitation) {
        self.add(&invitation.account_id);
        if let Some(contract) = self.state.contract(&invitation.contract_id) {
            self.add(&contract.owner_id);
        }
    }

    fn ticket(&mut self, ticket: &Ticket) {
        self.add(&ticket.author_id);
        if let Some(contract) = self.state.contract(&ticket.contract_id) {
            self.contract_people(contract);
        }
    }

    /// A project: its owner and everyone it is shared with.
    fn project(&mut self, project: &Project) {
        self.add(&project.owner_id);
        for share in self.state.shares_of(&project.id) {
            self.add(&share.account_id);
        }
    }

    fn share(&mut self, share: &Share) {
        self.add(&share.account_id);
        if let Some(project) = self.state.project(&share.project_id) {
            self.add(&project.owner_id);
        }
    }

    /// A license: its owner, its reseller, the reseller managing its owner, the admins of its
    /// owner's company, the owner of the project it is on (and, being careful, those that
    /// project is shared with), and the parties of its transfers.
    fn license(&mut self, license: &License) {
        let state = self.state;
        self.add(&license.owner_id);
        if let Some(reseller) = license.reseller_id() {
            self.add(reseller);
        }
        if let Some(manager) = state
            .account(&license.owner_id)
            .and_then(|a| a.managed_by.as_ref())
        {
            self.add(manager);
        }
        self.admins_of(&license.owner_id);
        if let Some(project) = license.project_id().and_then(|p| state.project(p)) {
            self.project(project);
        }
        let subject = TransferSubject::License {
            license_key: license.license_key.clone(),
        };
        for transfer in state.transfers_of(&subject) {
            self.transfer_parties(transfer);
        }
    }

    fn order(&mut self, order: &Order) {
        self.add(&order.owner_id);
        self.add(&order.billing_account_id);
    }

    fn transfer_parties(&mut self, transfer: &Transfer) {
        self.add(&transfer.from_id);
        self.add(&transfer.to_id);
        self.add(&transfer.requested_by);
    }

    /// A transfer: its parties, and the owner of what it moves with that owner's company
    /// admins (a pending transfer shows to whoever could request one).
    fn transfer(&mut self, transfer: &Transfer) {
        let state = self.state;
        self.transfer_parties(transfer);
        let owner = match &transfer.subject {
            TransferSubject::License { license_key } => {
                state.license(license_key).map(|l| l.owner_id.clone())
            }
            TransferSubject::Project { project_id } => {
                state.project(project_id).map(|p| p.owner_id.clone())
            }
        };
        if let Some(owner) = owner {
            self.add(&owner);
            self.admins_of(&owner);
        }
    }

    /// An account's own ties: itself, the reseller managing it and its company's admins.
    fn account_ties(&mut self, account: &Account) {
        self.add(&account.id);
        if let Some(manager) = &account.managed_by {
            self.add(manager);
        }
        self.company_admins(account);
    }

    /// Everyone whose snapshot lists the account among the people on their records: the other
    /// side of its contracts, delegations, projects, shares, licenses and transfers.
    fn account_records(&mut self, id: &AccountId) {
        let state = self.state;
        for contract in state.contracts_owned_by(id) {
            self.contract_people(contract);
        }
        for delegation in state.delegations_of(id) {
            self.delegate(delegation);
        }
        for project in state.projects_owned_by(id) {
            self.project(project);
        }
        for share in state.shares_with(id) {
            self.share(share);
        }
        for license in state.licenses_owned_by(id) {
            self.license(license);
        }
        for transfer in state.transfers_involving(id) {
            self.transfer(transfer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const T: &str = "2026-03-01T10:00:00.000Z";

    /// A store: `agency` owns project `p1` shared with `rec` (who put its license `L-REC` on
    /// it) and contract `c1` with delegates `dev` (active) and `dev2`; `corp-admin` and
    /// `corp-emp` work for company `corp`; `reseller` manages `cust`, who holds `L-CUST` from
    /// it; `seller` has a pending transfer of `L-SELL` to `buyer`; `partner` owns order `o1`;
    /// `stranger` has nothing to do with anyone.
    fn world() -> State {
        let account = |id: &str, extra: Value| {
            let mut a = json!({ "id": id, "email": format!("{id}@x.example"), "name": id, "kind": "customer" });
            if let (Some(a), Some(extra)) = (a.as_object_mut(), extra.as_object()) {
                a.extend(extra.clone());
            }
            a
        };
        serde_json::from_value(json!({
            "accounts": [
                account("agency", json!({})), account("rec", json!({})), account("dev", json!({})),
                account("dev2", json!({})), account("stranger", json!({})),
                account("corp-admin", json!({ "companyId": "corp", "companyRole": "admin" })),
                account("corp-emp", json!({ "companyId": "corp", "companyRole": "employee" })),
                account("other-admin", json!({ "companyId": "other", "companyRole": "admin" })),
                account("reseller", json!({ "kind": "reseller" })),
                account("cust", json!({ "managedBy": "reseller" })),
                account("seller", json!({})), account("buyer", json!({})),
                account("partner", json!({ "kind": "partner" })), account("payer", json!({})),
            ],
            "products": [{ "id": "prod", "name": "Product", "family": "magento2", "billing": "recurring" }],
            "projects": [{ "id": "p1", "ownerId": "agency", "name": "Shop", "kind": "standard", "createdAt": T }],
            "shares": [{ "projectId": "p1", "accountId": "rec", "sharedAt": T }],
            "licenses": [
                { "licenseKey": "L-REC", "productId": "prod", "ownerId": "rec", "projectId": "p1",
                  "assignedBy": "rec", "assignedAt": T },
                { "licenseKey": "L-EMP", "productId": "prod", "ownerId": "corp-emp" },
                { "licenseKey": "L-CUST", "productId": "prod", "ownerId": "cust", "createdBy": "reseller",
                  "createdAt": T, "customerPaid": true, "customerPaidAt": T },
                { "licenseKey": "L-SELL", "productId": "prod", "ownerId": "seller" },
                { "licenseKey": "L-P", "productId": "prod", "ownerId": "partner", "orderId": "o1" },
            ],
            "orders": [{ "id": "o1", "ownerId": "partner", "billingAccountId": "payer", "licenseKeys": ["L-P"], "recurring": true }],
            "contracts": [{ "id": "c1", "ownerId": "agency", "productId": "prod", "status": "active",
                "registeredAt": T, "billing": "recurring" }],
            "delegates": [
                { "contractId": "c1", "accountId": "dev", "status": "active", "addedAt": T, "invitationId": "i1" },
                { "contractId": "c1", "accountId": "dev2", "status": "active", "addedAt": T, "invitationId": "i2" },
            ],
            "transfers": [{ "id": "t1", "subject": { "type": "license", "licenseKey": "L-SELL" }, "fromId": "seller",
                "toId": "buyer", "requestedBy": "seller", "status": "pending", "createdAt": T, "expiresAt": T }],
        }))
        .unwrap()
    }

    fn changes(value: Value) -> Vec<Change> {
        serde_json::from_value(value).unwrap()
    }

    /// The accounts `changes` affect in the world, on the whole state and on a state loaded
    /// read by read as the worker loads it: both must be `expected`.
    fn check(description: &str, changes: Vec<Change>, expected: &[&str]) {
        let world = world();
        let expected: BTreeSet<AccountId> = expected
            .iter()
            .map(|id| AccountId::new(*id).unwrap())
            .collect();
        assert_eq!(
            affected_accounts(&world, &changes),
            expected,
            "{description}"
        );
        let (loaded, _) = State::resolve(&world, |s| affected_accounts(s, &changes));
        assert_eq!(loaded, expected, "{description}, read by read");
    }

    fn record<T: serde::de::DeserializeOwned>(list: &str, index: usize, edit: Value) -> T {
        let mut value = serde_json::to_value(world()).unwrap()[list][index].take();
        if let (Some(v), Some(edit)) = (value.as_object_mut(), edit.as_object()) {
            for (key, field) in edit {
                if field.is_null() {
                    v.remove(key);
                } else {
                    v.insert(key.clone(), field.clone());
                }
            }
        }
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_share_or_unshare_tells_the_owner_and_the_recipient() {
        let share = json!({ "projectId": "p1", "accountId": "stranger", "sharedAt": T });
        check(
            "share with a new recipient",
            changes(json!([{ "op": "putShare", "record": share }])),
            &["agency", "stranger"],
        );
        // Unsharing `rec` takes its license off the project too.
        let license: License = record(
            "licenses",
            0,
            json!({ "projectId": null, "assignedBy": null, "assignedAt": null }),
        );
        check(
            "unshare, with the recipient's license leaving the project",
            vec![
                Change::DeleteShare(record("shares", 0, json!({}))),
                Change::PutLicense(license),
            ],
            &["agency", "rec"],
        );
    }

    #[test]
    fn a_revocation_or_acceptance_tells_the_delegate_and_the_owner_only() {
        let revoked: Delegate = record(
            "delegates",
            0,
            json!({ "status": "revoked", "revokedAt": T }),
        );
        check(
            "revoke dev (dev2 stays a delegate and hears nothing)",
            vec![Change::PutDelegate(revoked)],
            &["agency", "dev"],
        );
        let accepted = json!({ "contractId": "c1", "accountId": "stranger", "status": "active",
            "addedAt": T, "invitationId": "i9" });
        let invitation = json!({ "id": "i9", "contractId": "c1", "email": "stranger@x.example",
            "accountId": "stranger", "tokenHash": "", "status": "accepted", "createdAt": T,
            "expiresAt": T, "settledAt": T });
        check(
            "accept an invitation",
            changes(json!([
                { "op": "putDelegate", "record": accepted },
                { "op": "putInvitation", "record": invitation },
            ])),
            &["agency", "stranger"],
        );
    }

    #[test]
    fn an_accepted_transfer_tells_both_parties() {
        let license: License = record("licenses", 3, json!({ "ownerId": "buyer" }));
        let transfer: Transfer = record(
            "transfers",
            0,
            json!({ "status": "accepted", "settledAt": T }),
        );
        check(
            "license transfer accepted",
            vec![Change::PutLicense(license), Change::PutTransfer(transfer)],
            &["buyer", "seller"],
        );
        let order: Order = record("orders", 0, json!({ "ownerId": "stranger" }));
        let license: License = record("licenses", 4, json!({ "ownerId": "stranger" }));
        check(
            "order transfer: the old owner, the new one and the payer",
            vec![Change::PutOrder(order), Change::PutLicense(license)],
            &["partner", "payer", "stranger"],
        );
    }

    #[test]
    fn a_license_tells_its_reseller_manager_company_admins_and_project() {
        let paid: License = record(
            "licenses",
            2,
            json!({ "customerPaid": false, "customerPaidAt": null }),
        );
        check(
            "a resold license marked unpaid",
            vec![Change::PutLicense(paid)],
            &["cust", "reseller"],
        );
        let employee: License = record("licenses", 1, json!({ "activated": true }));
        check(
            "an employee's license: the company's admins too",
            vec![Change::PutLicense(employee)],
            &["corp-admin", "corp-emp"],
        );
        let moved: License = record("licenses", 0, json!({ "ownerId": "stranger" }));
        check(
            "a license re-imported to another owner: the old owner, the new one, the project",
            vec![Change::PutLicense(moved)],
            &["agency", "rec", "stranger"],
        );
    }

    #[test]
    fn a_reimported_contract_or_account_tells_everyone_it_shows_to() {
        let contract: Contract = record("contracts", 0, json!({ "status": "suspended" }));
        check(
            "a contract: its owner and every delegate",
            vec![Change::PutContract(contract)],
            &["agency", "dev", "dev2"],
        );
        let account: Account = record("accounts", 0, json!({ "name": "Agency Two" }));
        check(
            "the agency's account: the people on its contracts and projects",
            vec![Change::PutAccount(account)],
            &["agency", "dev", "dev2", "rec"],
        );
        let moved: Account = record(
            "accounts",
            6,
            json!({ "companyId": "other", "companyRole": "employee" }),
        );
        check(
            "an employee moving company: the admins of both companies",
            vec![Change::PutAccount(moved)],
            &["corp-admin", "corp-emp", "other-admin"],
        );
        let managed: Account = record("accounts", 9, json!({ "managedBy": null }));
        check(
            "a customer no longer managed: its reseller",
            vec![Change::PutAccount(managed)],
            &["cust", "reseller"],
        );
        let seller: Account = record("accounts", 10, json!({ "name": "Seller Two" }));
        check(
            "a transfer's party: the other party",
            vec![Change::PutAccount(seller)],
            &["buyer", "seller"],
        );
    }

    #[test]
    fn a_product_or_nothing_tells_no_one() {
        let product =
            json!({ "id": "prod", "name": "Renamed", "family": "magento2", "billing": "one_off" });
        check(
            "a renamed product",
            changes(json!([{ "op": "putProduct", "record": product }])),
            &[],
        );
        check("no change", Vec::new(), &[]);
    }
}
