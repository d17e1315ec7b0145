//! A slice of one store's records: everything a decision or command needs, nothing more.
//! The caller loads it; the rules read it and answer with changes to write.

use crate::ids::{
    AccountId, CompanyId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId,
    TicketId, TransferId,
};
use crate::index::{EMPTY, Index, hash, keys};
use crate::model::{
    Account, Contract, Delegate, GrantStatus, Invitation, License, Order, Product, Project, Share,
    Ticket, Transfer, TransferSubject,
};
#[cfg(feature = "partial")]
use crate::read::Reads;
use crate::read::{Lookup, Read, Record};
use crate::records::TableVisit;
pub use crate::records::{Change, Row, State, Written};
use crate::text::Email;
use crate::time::Timestamp;
#[cfg(feature = "partial")]
use std::collections::BTreeSet;

/// The lookups an [`Index`] answers: every record by its key, and transfers by subject (the
/// relation a permission check reads).
#[derive(Clone, Copy)]
enum Slot {
    Account,
    Product,
    License,
    Order,
    Project,
    Share,
    Contract,
    Delegate,
    Invitation,
    Ticket,
    Transfer,
    TransfersOf,
}

fn subject_hash(subject: &TransferSubject) -> u64 {
    match subject {
        TransferSubject::License { license_key } => hash(&["license", license_key.as_str()]),
        TransferSubject::Project { project_id } => hash(&["project", project_id.as_str()]),
    }
}

/// The index of `state`'s lists, in the order of [`Slot`].
fn index_of(state: &State) -> Index {
    let id = |id: &str| hash(&[id]);
    // In the order of `Slot`.
    let slots = [
        keys(&state.accounts, |r| id(r.id.as_str())),
        keys(&state.products, |r| id(r.id.as_str())),
        keys(&state.licenses, |r| id(r.license_key.as_str())),
        keys(&state.orders, |r| id(r.id.as_str())),
        keys(&state.projects, |r| id(r.id.as_str())),
        keys(&state.shares, |r| {
            hash(&[r.project_id.as_str(), r.account_id.as_str()])
        }),
        keys(&state.contracts, |r| id(r.id.as_str())),
        keys(&state.delegates, |r| {
            hash(&[r.contract_id.as_str(), r.account_id.as_str()])
        }),
        keys(&state.invitations, |r| id(r.id.as_str())),
        keys(&state.tickets, |r| id(r.id.as_str())),
        keys(&state.transfers, |r| id(r.id.as_str())),
        keys(&state.transfers, |r| subject_hash(&r.subject)),
    ];
    Index::new(slots)
}

impl Lookup {
    /// Whether `row` is one of the rows this lookup returns.
    pub fn matches_row(&self, row: &Row) -> bool {
        self.table == row.table()
            && (self.filters.iter())
                .all(|(column, value)| row.column(column).as_deref() == Some(value.as_str()))
    }
}

impl State {
    #[cfg(feature = "partial")]
    /// An empty state that a store fills read by read (see [`crate::read`]).
    pub fn partial() -> Self {
        Self {
            reads: Reads::partial(),
            ..Self::default()
        }
    }

    /// Builds the key index, so that every lookup by key (and of transfers by subject) costs the
    /// same whatever the number of records. Worth it for a state asked many questions.
    pub fn index(&mut self) {
        self.index = index_of(self);
    }

    /// The first record of `records` (the list of `slot`) that `is` the one with key `hash`.
    fn first<'a, T>(
        &self,
        slot: Slot,
        records: &'a [T],
        hash: u64,
        is: impl Fn(&T) -> bool,
    ) -> Option<&'a T> {
        let Some(table) = self.index.table(slot as usize, records.len()) else {
            return records.iter().find(|r| is(r));
        };
        let mask = table.len().wrapping_sub(1);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "masked to the table's size"
        )]
        let mut place = (hash as usize) & mask;
        // The table is at most half full: every probe ends on an empty place.
        loop {
            let (h, position) = *table.get(place)?;
            if position == EMPTY {
                return None;
            }
            if h == hash
                && let Some(record) = records.get(position as usize).filter(|r| is(r))
            {
                return Some(record);
            }
            place = (place + 1) & mask;
        }
    }

    /// The records of `records` (the list of `slot`) that match `is`, whose key is `hash`, in
    /// the list's order.
    fn every<'a, T>(
        &self,
        slot: Slot,
        records: &'a [T],
        hash: u64,
        is: impl Fn(&T) -> bool,
    ) -> Vec<&'a T> {
        let Some(table) = self.index.table(slot as usize, records.len()) else {
            return records.iter().filter(|r| is(r)).collect();
        };
        let mask = table.len().wrapping_sub(1);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "masked to the table's size"
        )]
        let mut place = (hash as usize) & mask;
        let mut found = Vec::new();
        // Positions of one hash lie in ascending order along its probe sequence.
        while let Some((h, position)) = table.get(place).copied().filter(|e| e.1 != EMPTY) {
            if h == hash
                && let Some(record) = records.get(position as usize).filter(|r| is(r))
            {
                found.push(record);
            }
            place = (place + 1) & mask;
        }
        found
    }

    #[cfg(feature = "partial")]
    /// The lookups the rules consulted since the last call that this state does not hold.
    /// Empty for a complete state, and once a store has loaded everything a decision needs.
    pub fn missing(&self) -> BTreeSet<Lookup> {
        self.reads.take_missing()
    }

    #[cfg(feature = "partial")]
    /// Whether this state holds every row of `lookup` (itself or a wider lookup).
    pub fn holds(&self, lookup: &Lookup) -> bool {
        self.reads.holds(lookup)
    }

    #[cfg(feature = "partial")]
    /// The held lookups the rules' reads were answered from: what their answers relied on.
    pub fn used(&self) -> BTreeSet<Lookup> {
        self.reads.used()
    }

    #[cfg(feature = "partial")]
    /// Adds the rows a store loaded for `lookup`, and records that the state holds it, and
    /// each row's own lookup by key: read together, a row loaded by any lookup is the whole
    /// answer to its key.
    pub fn hold(&mut self, lookup: Lookup, rows: impl IntoIterator<Item = Row>) {
        self.index = Index::default();
        for row in rows {
            self.reads.hold(row.point_lookup());
            self.hold_row(row);
        }
        self.reads.hold(lookup);
    }

    /// The rows of `lookup` in this (complete) state: what a store holding it would load.
    pub fn rows(&self, lookup: &Lookup) -> Vec<Row> {
        struct Rows<'a>(&'a Lookup, Vec<Row>);
        impl TableVisit for Rows<'_> {
            fn visit<R: Record + Clone>(&mut self, records: &[R], row: fn(R) -> Row) {
                let matching = records.iter().filter(|r| self.0.matches(*r));
                self.1.extend(matching.cloned().map(row));
            }
        }
        let mut rows = Rows(lookup, Vec::new());
        self.visit_table(lookup.table.name, &mut rows);
        rows.1
    }

    #[cfg(feature = "partial")]
    /// Runs `decide` on a partial state loaded from `full` read by read, as a store would, until
    /// nothing is missing. Returns the answer and the loaded state. For tests of the read
    /// declarations: the answer must equal `decide(full)`.
    pub fn resolve<T>(full: &State, mut decide: impl FnMut(&State) -> T) -> (T, State) {
        let mut partial = State::partial();
        loop {
            let answer = decide(&partial);
            let missing = partial.missing();
            if missing.is_empty() {
                return (answer, partial);
            }
            for lookup in missing {
                let rows = full.rows(&lookup);
                partial.hold(lookup, rows);
            }
        }
    }

    /// The account with this id.
    pub fn account(&self, id: &AccountId) -> Option<&Account> {
        self.reads.note(|| Read::Account(id.clone()));
        self.first(Slot::Account, &self.accounts, hash(&[id.as_str()]), |a| {
            &a.id == id
        })
    }

    /// The account with this e-mail address.
    pub fn account_by_email(&self, email: &Email) -> Option<&Account> {
        self.reads.note(|| Read::AccountByEmail(email.clone()));
        self.accounts.iter().find(|a| &a.email == email)
    }

    /// The product with this id.
    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.reads.note(|| Read::Product(id.clone()));
        self.first(Slot::Product, &self.products, hash(&[id.as_str()]), |p| {
            &p.id == id
        })
    }

    /// The license with this key.
    pub fn license(&self, key: &LicenseKey) -> Option<&License> {
        self.reads.note(|| Read::License(key.clone()));
        self.first(Slot::License, &self.licenses, hash(&[key.as_str()]), |l| {
            &l.license_key == key
        })
    }

    /// The order with this id.
    pub fn order(&self, id: &OrderId) -> Option<&Order> {
        self.reads.note(|| Read::Order(id.clone()));
        self.first(Slot::Order, &self.orders, hash(&[id.as_str()]), |o| {
            &o.id == id
        })
    }

    /// The project with this id.
    pub fn project(&self, id: &ProjectId) -> Option<&Project> {
        self.reads.note(|| Read::Project(id.clone()));
        self.first(Slot::Project, &self.projects, hash(&[id.as_str()]), |p| {
            &p.id == id
        })
    }

    /// The share of this project with this account.
    pub fn share(&self, project: &ProjectId, account: &AccountId) -> Option<&Share> {
        self.reads
            .note(|| Read::Share(project.clone(), account.clone()));
        let key = hash(&[project.as_str(), account.as_str()]);
        self.first(Slot::Share, &self.shares, key, |s| {
            &s.project_id == project && &s.account_id == account
        })
    }

    /// The share of this project with this account in force at `now`.
    pub fn active_share(
        &self,
        project: &ProjectId,
        account: &AccountId,
        now: Timestamp,
    ) -> Option<&Share> {
        self.share(project, account)
            .filter(|s| s.status_at(now) == GrantStatus::Active)
    }

    /// The contract with this id.
    pub fn contract(&self, id: &ContractId) -> Option<&Contract> {
        self.reads.note(|| Read::Contract(id.clone()));
        self.first(Slot::Contract, &self.contracts, hash(&[id.as_str()]), |c| {
            &c.id == id
        })
    }

    /// The delegate record of this account on this contract, active or revoked.
    pub fn delegate(&self, contract: &ContractId, account: &AccountId) -> Option<&Delegate> {
        self.reads
            .note(|| Read::Delegate(contract.clone(), account.clone()));
        let key = hash(&[contract.as_str(), account.as_str()]);
        self.first(Slot::Delegate, &self.delegates, key, |d| {
            &d.contract_id == contract && &d.account_id == account
        })
    }

    /// The delegate record of this account on this contract that is neither revoked nor
    /// ended at `now`: in force, or scheduled to start.
    pub fn live_delegate(
        &self,
        contract: &ContractId,
        account: &AccountId,
        now: Timestamp,
    ) -> Option<&Delegate> {
        self.delegate(contract, account).filter(|d| {
            matches!(
                d.status_at(now),
                GrantStatus::Active | GrantStatus::Scheduled
            )
        })
    }

    /// The delegate record of this account on this contract in force at `now`.
    pub fn active_delegate(
        &self,
        contract: &ContractId,
        account: &AccountId,
        now: Timestamp,
    ) -> Option<&Delegate> {
        self.delegate(contract, account)
            .filter(|d| d.status_at(now) == GrantStatus::Active)
    }

    /// The invitation with this id.
    pub fn invitation(&self, id: &InvitationId) -> Option<&Invitation> {
        self.reads.note(|| Read::Invitation(id.clone()));
        self.first(
            Slot::Invitation,
            &self.invitations,
            hash(&[id.as_str()]),
            |i| &i.id == id,
        )
    }

    /// The invitation whose token has this hash.
    pub fn invitation_by_token_hash(&self, hash: &str) -> Option<&Invitation> {
        self.reads
            .note(|| Read::InvitationByTokenHash(hash.to_owned()));
        self.invitations
            .iter()
            .find(|i| !i.token_hash.is_empty() && i.token_hash == hash)
    }

    /// The transfer with this id.
    pub fn transfer(&self, id: &TransferId) -> Option<&Transfer> {
        self.reads.note(|| Read::Transfer(id.clone()));
        self.first(Slot::Transfer, &self.transfers, hash(&[id.as_str()]), |t| {
            &t.id == id
        })
    }

    /// The ticket with this id.
    pub fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        self.reads.note(|| Read::Ticket(id.clone()));
        self.first(Slot::Ticket, &self.tickets, hash(&[id.as_str()]), |t| {
            &t.id == id
        })
    }

    /// The `column` of each row of any read, noted like every other read. The rows are not
    /// copied: a list needs only the column that names its items.
    pub fn relation(&self, lookup: &Lookup, column: &str) -> Vec<String> {
        struct Column<'a>(&'a Lookup, &'a str, Vec<String>);
        impl TableVisit for Column<'_> {
            fn visit<R: Record + Clone>(&mut self, records: &[R], _: fn(R) -> Row) {
                let matching = records.iter().filter(|r| self.0.matches(*r));
                self.2.extend(matching.filter_map(|r| r.column(self.1)));
            }
        }
        self.reads.note_lookup(|| lookup.clone());
        let mut values = Column(lookup, column, Vec::new());
        self.visit_table(lookup.table.name, &mut values);
        values.2
    }

    /// The shares of a project.
    pub fn shares_of(&self, project: &ProjectId) -> Vec<&Share> {
        self.reads.note(|| Read::SharesOfProject(project.clone()));
        self.shares
            .iter()
            .filter(|s| &s.project_id == project)
            .collect()
    }

    /// The licenses on a project.
    pub fn licenses_on(&self, project: &ProjectId) -> Vec<&License> {
        self.reads.note(|| Read::LicensesOnProject(project.clone()));
        self.licenses
            .iter()
            .filter(|l| l.project_id() == Some(project))
            .collect()
    }

    /// Every transfer of a license or project.
    pub fn transfers_of(&self, subject: &TransferSubject) -> Vec<&Transfer> {
        self.reads.note(|| Read::TransfersOf(subject.clone()));
        self.every(
            Slot::TransfersOf,
            &self.transfers,
            subject_hash(subject),
            |t| &t.subject == subject,
        )
    }

    /// The invitations of a contract.
    pub fn invitations_of(&self, contract: &ContractId) -> Vec<&Invitation> {
        self.reads
            .note(|| Read::InvitationsOfContract(contract.clone()));
        self.invitations
            .iter()
            .filter(|i| &i.contract_id == contract)
            .collect()
    }

    /// The delegate rows of a contract.
    pub fn delegates_of(&self, contract: &ContractId) -> Vec<&Delegate> {
        self.reads
            .note(|| Read::DelegatesOfContract(contract.clone()));
        self.delegates
            .iter()
            .filter(|d| &d.contract_id == contract)
            .collect()
    }

    /// The tickets of a contract.
    pub fn tickets_of(&self, contract: &ContractId) -> Vec<&Ticket> {
        self.reads
            .note(|| Read::TicketsOfContract(contract.clone()));
        self.tickets
            .iter()
            .filter(|t| &t.contract_id == contract)
            .collect()
    }

    /// The unpaid licenses a reseller created.
    pub fn unpaid_licenses_by(&self, reseller: &AccountId) -> Vec<&License> {
        self.reads.note(|| Read::UnpaidLicensesBy(reseller.clone()));
        self.licenses
            .iter()
            .filter(|l| l.is_unpaid_resale_by(reseller))
            .collect()
    }

    /// The licenses an account owns of one product.
    pub fn licenses_of(&self, owner: &AccountId, product: &ProductId) -> Vec<&License> {
        self.reads
            .note(|| Read::LicensesOfOwnerAndProduct(owner.clone(), product.clone()));
        self.licenses
            .iter()
            .filter(|l| &l.owner_id == owner && &l.product_id == product)
            .collect()
    }

    fn related<'a, T: Record>(&self, records: &'a [T], read: Read) -> Vec<&'a T> {
        let found = records.iter().filter(|r| read.matches(*r)).collect();
        self.reads.note(|| read);
        found
    }

    /// The contracts an account owns. Account-wide: for snapshots and lists.
    pub fn contracts_owned_by(&self, account: &AccountId) -> Vec<&Contract> {
        self.related(&self.contracts, Read::ContractsOwnedBy(account.clone()))
    }

    /// The delegate rows of an account. Account-wide: for snapshots and lists.
    pub fn delegations_of(&self, account: &AccountId) -> Vec<&Delegate> {
        self.related(&self.delegates, Read::DelegationsOf(account.clone()))
    }

    /// The invitations made for an account. Account-wide: for snapshots and lists.
    pub fn invitations_for(&self, account: &AccountId) -> Vec<&Invitation> {
        self.related(&self.invitations, Read::InvitationsFor(account.clone()))
    }

    /// The projects an account owns. Account-wide: for snapshots and lists.
    pub fn projects_owned_by(&self, account: &AccountId) -> Vec<&Project> {
        self.related(&self.projects, Read::ProjectsOwnedBy(account.clone()))
    }

    /// The shares with an account. Account-wide: for snapshots and lists.
    pub fn shares_with(&self, account: &AccountId) -> Vec<&Share> {
        self.related(&self.shares, Read::SharesWith(account.clone()))
    }

    /// The licenses an account owns. Account-wide: for snapshots and lists.
    pub fn licenses_owned_by(&self, account: &AccountId) -> Vec<&License> {
        self.related(&self.licenses, Read::LicensesOwnedBy(account.clone()))
    }

    /// The licenses a reseller created. Account-wide: for snapshots and lists.
    pub fn licenses_created_by(&self, account: &AccountId) -> Vec<&License> {
        self.related(&self.licenses, Read::LicensesCreatedBy(account.clone()))
    }

    /// The accounts a reseller manages. Account-wide: for snapshots and lists.
    pub fn accounts_managed_by(&self, account: &AccountId) -> Vec<&Account> {
        self.related(&self.accounts, Read::AccountsManagedBy(account.clone()))
    }

    /// The accounts of a company. Account-wide: for snapshots and lists.
    pub fn accounts_of_company(&self, company: &CompanyId) -> Vec<&Account> {
        self.related(&self.accounts, Read::AccountsOfCompany(company.clone()))
    }

    /// The orders an account owns or pays for. Account-wide: for snapshots and lists.
    pub fn orders_of(&self, account: &AccountId) -> Vec<&Order> {
        let mut orders = self.related(&self.orders, Read::OrdersOwnedBy(account.clone()));
        for order in self.related(&self.orders, Read::OrdersBilledTo(account.clone())) {
            if !orders.iter().any(|o| o.id == order.id) {
                orders.push(order);
            }
        }
        orders
    }

    /// The transfers an account sends, receives or requested. Account-wide: for snapshots and
    /// lists.
    pub fn transfers_involving(&self, account: &AccountId) -> Vec<&Transfer> {
        let mut transfers = Vec::new();
        for read in [
            Read::TransfersFrom(account.clone()),
            Read::TransfersTo(account.clone()),
            Read::TransfersRequestedBy(account.clone()),
        ] {
            for transfer in self.related(&self.transfers, read) {
                if !transfers.iter().any(|t: &&Transfer| t.id == transfer.id) {
                    transfers.push(transfer);
                }
            }
        }
        transfers
    }

    /// Applies changes in order.
    pub fn apply_all<'a>(&mut self, changes: impl IntoIterator<Item = &'a Change>) {
        for change in changes {
            self.apply(change);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: &str = "2026-03-01T10:00:00.000Z";

    /// A state with `n` contracts owned by `client`, each with `dev` as delegate, shares of
    /// `n` projects, and two transfers of license `L1` (the second one later in the list).
    fn big(n: usize) -> State {
        let mut contracts = Vec::new();
        let mut delegates = Vec::new();
        let mut projects = Vec::new();
        let mut shares = Vec::new();
        for i in 0..n {
            contracts.push(
                json!({ "id": format!("c{i}"), "ownerId": "client", "productId": "hosting",
                "status": "active", "registeredAt": NOW, "billing": "recurring" }),
            );
            delegates.push(
                json!({ "contractId": format!("c{i}"), "accountId": "dev", "status": "active",
                "addedAt": NOW, "invitationId": format!("inv{i}") }),
            );
            projects.push(
                json!({ "id": format!("p{i}"), "ownerId": "client", "name": "P", "kind": "server",
                "createdAt": NOW }),
            );
            shares
                .push(json!({ "projectId": format!("p{i}"), "accountId": "dev", "sharedAt": NOW }));
        }
        let transfer = |id: &str, status: &str| {
            json!({ "id": id, "subject": { "type": "license", "licenseKey": "L1" }, "fromId": "client",
                "toId": "dev", "requestedBy": "client", "status": status, "createdAt": NOW, "expiresAt": NOW })
        };
        let mut transfers = vec![transfer("t0", "cancelled")];
        for i in 1..n {
            transfers.push(json!({ "id": format!("t{i}"), "subject": { "type": "project", "projectId": format!("p{i}") },
                "fromId": "client", "toId": "dev", "requestedBy": "client", "status": "pending",
                "createdAt": NOW, "expiresAt": NOW }));
        }
        transfers.push(transfer("t-last", "pending"));
        serde_json::from_value(json!({
            "accounts": [
                { "id": "client", "email": "client@b.example", "name": "Client", "kind": "customer" },
                { "id": "dev", "email": "dev@b.example", "name": "Dev", "kind": "customer" },
                { "id": "client", "email": "second@b.example", "name": "Second", "kind": "customer" },
            ],
            "contracts": contracts, "delegates": delegates, "projects": projects, "shares": shares,
            "transfers": transfers,
        }))
        .unwrap()
    }

    fn indexed(state: &State) -> State {
        let mut indexed = state.clone();
        indexed.index();
        indexed
    }

    fn account(id: &str) -> AccountId {
        AccountId::new(id).unwrap()
    }

    #[test]
    fn indexed_state_finds_every_record_the_scan_finds() {
        let scanned = big(60);
        let indexed = indexed(&scanned);
        for i in 0..62 {
            let contract = ContractId::new(format!("c{i}")).unwrap();
            let project = ProjectId::new(format!("p{i}")).unwrap();
            assert_eq!(indexed.contract(&contract), scanned.contract(&contract));
            assert_eq!(
                indexed.delegate(&contract, &account("dev")),
                scanned.delegate(&contract, &account("dev"))
            );
            assert_eq!(
                indexed.share(&project, &account("dev")),
                scanned.share(&project, &account("dev"))
            );
            assert_eq!(indexed.delegate(&contract, &account("client")), None);
            let subject = TransferSubject::Project {
                project_id: project,
            };
            assert_eq!(
                indexed.transfers_of(&subject),
                scanned.transfers_of(&subject)
            );
        }
        assert!(indexed.contract(&ContractId::new("c59").unwrap()).is_some());
        assert!(indexed.contract(&ContractId::new("c60").unwrap()).is_none());
    }

    #[test]
    fn indexed_state_answers_the_first_of_records_with_one_key() {
        let scanned = big(3);
        let indexed = indexed(&scanned);
        assert_eq!(indexed.account(&account("client")).unwrap().name, "Client");
        let subject = TransferSubject::License {
            license_key: LicenseKey::new("L1").unwrap(),
        };
        let ids: Vec<&str> = (indexed.transfers_of(&subject).iter())
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["t0", "t-last"]);
    }

    #[test]
    fn indexed_state_is_the_same_value_and_json() {
        let scanned = big(5);
        let indexed = indexed(&scanned);
        assert_eq!(indexed, scanned);
        assert_eq!(
            serde_json::to_string(&indexed).unwrap(),
            serde_json::to_string(&scanned).unwrap()
        );
    }

    #[test]
    fn list_that_grew_after_indexing_is_scanned() {
        let mut state = indexed(&big(5));
        let mut extra = state.contracts.first().unwrap().clone();
        extra.id = ContractId::new("late").unwrap();
        state.contracts.push(extra);
        assert!(state.contract(&ContractId::new("late").unwrap()).is_some());
    }

    #[test]
    fn applying_changes_drops_the_index() {
        let mut state = indexed(&big(5));
        let first = state.shares.first().unwrap().clone();
        let mut other = first.clone();
        other.account_id = account("client");
        // Same number of shares afterwards, at other places: a stale index would miss it.
        state.apply_all(&[Change::DeleteShare(first.clone()), Change::PutShare(other)]);
        assert!(state.share(&first.project_id, &account("client")).is_some());
        assert!(state.share(&first.project_id, &account("dev")).is_none());
    }

    #[test]
    fn canonical_order_drops_the_index() {
        let mut state = big(12);
        state.contracts.reverse();
        state.index();
        let state = state.canonical();
        for contract in &state.contracts {
            assert_eq!(state.contract(&contract.id), Some(contract));
        }
    }
}
