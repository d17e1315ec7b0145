//! A slice of one store's records: everything a decision or command needs, nothing more.
//! The caller loads it; the rules read it and answer with changes to write.

use crate::ids::{
    AccountId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId, TransferId,
};
use crate::model::{
    Account, Contract, Delegate, DelegateStatus, Invitation, License, Order, Product, Project,
    Share, Ticket, Transfer,
};
use crate::text::Email;
use serde::{Deserialize, Serialize};

/// Records of one store. Missing records are simply unknown to the rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct State {
    /// Accounts.
    pub accounts: Vec<Account>,
    /// Products.
    pub products: Vec<Product>,
    /// Licenses.
    pub licenses: Vec<License>,
    /// Orders.
    pub orders: Vec<Order>,
    /// Projects.
    pub projects: Vec<Project>,
    /// Project shares.
    pub shares: Vec<Share>,
    /// Contracts.
    pub contracts: Vec<Contract>,
    /// Contract delegates, active or revoked.
    pub delegates: Vec<Delegate>,
    /// Delegate invitations.
    pub invitations: Vec<Invitation>,
    /// Contract tickets.
    pub tickets: Vec<Ticket>,
    /// License and project transfers.
    pub transfers: Vec<Transfer>,
}

/// One record to write (insert or update) or remove.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "op", content = "record", rename_all = "camelCase")]
pub enum Change {
    /// Write an account.
    PutAccount(Account),
    /// Write a product.
    PutProduct(Product),
    /// Write a license.
    PutLicense(License),
    /// Write an order.
    PutOrder(Order),
    /// Write a project.
    PutProject(Project),
    /// Write a share.
    PutShare(Share),
    /// Remove a share.
    DeleteShare(Share),
    /// Write a contract.
    PutContract(Contract),
    /// Write a delegate.
    PutDelegate(Delegate),
    /// Write an invitation.
    PutInvitation(Invitation),
    /// Write a ticket.
    PutTicket(Ticket),
    /// Write a transfer.
    PutTransfer(Transfer),
}

fn put<T>(records: &mut Vec<T>, record: T, same: impl Fn(&T, &T) -> bool) {
    match records.iter_mut().find(|existing| same(existing, &record)) {
        Some(existing) => *existing = record,
        None => records.push(record),
    }
}

impl State {
    /// The account with this id.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.id == id)
    }

    /// The account with this e-mail address.
    pub fn account_by_email(&self, email: &Email) -> Option<&Account> {
        self.accounts.iter().find(|a| &a.email == email)
    }

    /// The product with this id.
    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.products.iter().find(|p| &p.id == id)
    }

    /// The license with this key.
    pub fn license(&self, key: &LicenseKey) -> Option<&License> {
        self.licenses.iter().find(|l| &l.license_key == key)
    }

    /// The order with this id.
    pub fn order(&self, id: &OrderId) -> Option<&Order> {
        self.orders.iter().find(|o| &o.id == id)
    }

    /// The project with this id.
    pub fn project(&self, id: &ProjectId) -> Option<&Project> {
        self.projects.iter().find(|p| &p.id == id)
    }

    /// The share of this project with this account.
    pub fn share(&self, project: &ProjectId, account: &AccountId) -> Option<&Share> {
        self.shares
            .iter()
            .find(|s| &s.project_id == project && &s.account_id == account)
    }

    /// The contract with this id.
    pub fn contract(&self, id: &ContractId) -> Option<&Contract> {
        self.contracts.iter().find(|c| &c.id == id)
    }

    /// The delegate record of this account on this contract, active or revoked.
    pub fn delegate(&self, contract: &ContractId, account: &AccountId) -> Option<&Delegate> {
        self.delegates
            .iter()
            .find(|d| &d.contract_id == contract && &d.account_id == account)
    }

    /// The active delegate record of this account on this contract.
    pub fn active_delegate(&self, contract: &ContractId, account: &AccountId) -> Option<&Delegate> {
        self.delegate(contract, account)
            .filter(|d| d.status == DelegateStatus::Active)
    }

    /// The invitation with this id.
    pub fn invitation(&self, id: &InvitationId) -> Option<&Invitation> {
        self.invitations.iter().find(|i| &i.id == id)
    }

    /// The transfer with this id.
    pub fn transfer(&self, id: &TransferId) -> Option<&Transfer> {
        self.transfers.iter().find(|t| &t.id == id)
    }

    /// Applies one change, as storage would.
    pub fn apply(&mut self, change: &Change) {
        match change.clone() {
            Change::PutAccount(r) => put(&mut self.accounts, r, |a, b| a.id == b.id),
            Change::PutProduct(r) => put(&mut self.products, r, |a, b| a.id == b.id),
            Change::PutLicense(r) => {
                put(&mut self.licenses, r, |a, b| a.license_key == b.license_key)
            }
            Change::PutOrder(r) => put(&mut self.orders, r, |a, b| a.id == b.id),
            Change::PutProject(r) => put(&mut self.projects, r, |a, b| a.id == b.id),
            Change::PutShare(r) => put(&mut self.shares, r, |a, b| {
                a.project_id == b.project_id && a.account_id == b.account_id
            }),
            Change::DeleteShare(r) => self
                .shares
                .retain(|s| !(s.project_id == r.project_id && s.account_id == r.account_id)),
            Change::PutContract(r) => put(&mut self.contracts, r, |a, b| a.id == b.id),
            Change::PutDelegate(r) => put(&mut self.delegates, r, |a, b| {
                a.contract_id == b.contract_id && a.account_id == b.account_id
            }),
            Change::PutInvitation(r) => put(&mut self.invitations, r, |a, b| a.id == b.id),
            Change::PutTicket(r) => put(&mut self.tickets, r, |a, b| a.id == b.id),
            Change::PutTransfer(r) => put(&mut self.transfers, r, |a, b| a.id == b.id),
        }
    }

    /// Applies changes in order.
    pub fn apply_all<'a>(&mut self, changes: impl IntoIterator<Item = &'a Change>) {
        for change in changes {
            self.apply(change);
        }
    }
}
