//! A bulk import names everything it reads before anything is loaded
//! (`plans::store_commands`), so a store answers an import of records of a thousand owners with
//! one round of reads, in a plan of a few steps. Issue 20, finding 2: imports of many owners used to discover one owner
//! per round and gave up after a dozen.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

use entitle_rules::ids::{AccountId, ContractId, LicenseKey, OrderId, ProductId};
use entitle_rules::model::{
    Account, AccountKind, Billing, Contract, ContractStatus, License, Order, Product,
};
use entitle_rules::text::Email;
use entitle_rules::{State, StoreCommand, Timestamp, execute_store_batch, plans};

const N: usize = 1_000;

fn now() -> Timestamp {
    Timestamp::parse("2026-03-01T10:00:00.000Z").unwrap()
}

fn account(i: usize, managed_by: Option<AccountId>) -> Account {
    Account {
        id: AccountId::new(format!("acc-{i}")).unwrap(),
        email: Email::new(&format!("owner{i}@shop.example")).unwrap(),
        name: format!("Owner {i}"),
        kind: AccountKind::Customer,
        company: None,
        managed_by,
    }
}

fn product() -> Product {
    Product {
        id: ProductId::new("hosting").unwrap(),
        name: "Hosting".to_owned(),
        family: "hosting".to_owned(),
        billing: Billing::Recurring,
    }
}

/// The store's records before the import: `N` owners, a reseller and the product.
fn world() -> State {
    let mut reseller = account(N, None);
    reseller.kind = AccountKind::Reseller;
    let mut state = State {
        accounts: (0..N).map(|i| account(i, None)).chain([reseller]).collect(),
        products: vec![product()],
        ..State::default()
    };
    state.index();
    state
}

/// Runs the import on a partial state holding exactly the planned reads, once: it must
/// succeed and want nothing else.
fn check(commands: &[StoreCommand]) {
    let full = world();
    let plan = plans::store_commands(commands);
    // One step per table and key column, whatever the number of records.
    assert!(plan.steps().len() <= 5, "{} steps", plan.steps().len());
    let (partial, _) = plan.load(&full);
    let outcome = execute_store_batch(&partial, commands, now());
    assert!(partial.missing().is_empty(), "{:?}", partial.missing());
    let outcome = outcome.unwrap_or_else(|(i, e)| panic!("record {i}: {e}"));
    assert_eq!(outcome.changes.len(), commands.len());
    // The same import on the whole state gives the same changes.
    let whole = execute_store_batch(&full, commands, now()).unwrap();
    assert_eq!(whole.changes, outcome.changes);
}

#[test]
fn licenses_of_a_thousand_owners_are_read_in_one_round() {
    let commands: Vec<StoreCommand> = (0..N)
        .map(|i| {
            StoreCommand::ImportLicense(License::new(
                LicenseKey::new(format!("L-{i}")).unwrap(),
                ProductId::new("hosting").unwrap(),
                AccountId::new(format!("acc-{i}")).unwrap(),
            ))
        })
        .collect();
    check(&commands);
}

#[test]
fn contracts_of_a_thousand_owners_are_read_in_one_round() {
    let commands: Vec<StoreCommand> = (0..N)
        .map(|i| {
            StoreCommand::ImportContract(Contract {
                id: ContractId::new(format!("c-{i}")).unwrap(),
                owner_id: AccountId::new(format!("acc-{i}")).unwrap(),
                product_id: ProductId::new("hosting").unwrap(),
                status: ContractStatus::Active,
                registered_at: now(),
                renews_at: None,
                billing: Billing::Recurring,
            })
        })
        .collect();
    check(&commands);
}

#[test]
fn a_thousand_managed_accounts_are_read_in_one_round() {
    let reseller = AccountId::new(format!("acc-{N}")).unwrap();
    let commands: Vec<StoreCommand> = (0..N)
        .map(|i| {
            let mut customer = account(N + 1 + i, Some(reseller.clone()));
            customer.email = Email::new(&format!("Customer{i}@Shop.example")).unwrap();
            StoreCommand::ImportAccount(customer)
        })
        .collect();
    check(&commands);
}

#[test]
fn orders_read_their_owners_and_every_license_they_list() {
    let mut commands: Vec<StoreCommand> = (0..20)
        .map(|i| {
            StoreCommand::ImportLicense(License::new(
                LicenseKey::new(format!("L-{i}")).unwrap(),
                ProductId::new("hosting").unwrap(),
                AccountId::new(format!("acc-{i}")).unwrap(),
            ))
        })
        .collect();
    commands.extend((0..20).map(|i| {
        StoreCommand::ImportOrder(Order {
            id: OrderId::new(format!("o-{i}")).unwrap(),
            owner_id: AccountId::new(format!("acc-{i}")).unwrap(),
            billing_account_id: AccountId::new(format!("acc-{}", i + 100)).unwrap(),
            license_keys: vec![LicenseKey::new(format!("L-{i}")).unwrap()],
            billing: Billing::Recurring,
        })
    }));
    check(&commands);
}
