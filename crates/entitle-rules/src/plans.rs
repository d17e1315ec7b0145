//! The read plan of every question and command: what each may read, declared before any
//! record is loaded ([`crate::plan`]). A store answers a whole plan in one round trip.
//!
//! Each plan covers every branch of its decision: whatever the records turn out to be, the
//! decision run on what the plan loaded wants nothing more. The rules' tests hold every plan to
//! that on every scenario step and on every generated command sequence (a plan that forgets a
//! read fails them), and a store that still finds a read missing loads it in a second round.
//!
//! Plans are built from fragments, one per kind of resource: what deciding every action on a
//! set of contracts (projects, licenses...) reads, with the set given or taken from earlier
//! steps.

use crate::action::{Resource, ResourceType};
use crate::command::{Command, StoreCommand};
use crate::ids::{AccountId, ContractId, ProjectId};
use crate::list::{self, Source};
use crate::model::{
    Account, Contract, Delegate, Invitation, License, Order, Product, Project, Share, Ticket,
    Transfer,
};
use crate::plan::{Arg, Origin, Plan, StepId, from};
use crate::read::Read;
use crate::text::Email;
use crate::token::token_hash;
use std::collections::BTreeSet;

/// `arg` with `prefix` before each value (a transfer's subject column).
fn prefixed(arg: &Arg, prefix: &'static str) -> Arg {
    match arg {
        Arg::Is(value) => Arg::Is(format!("{prefix}{value}")),
        Arg::AnyOf(values) => Arg::AnyOf(values.iter().map(|v| format!("{prefix}{v}")).collect()),
        Arg::From(origins) => {
            Arg::From(origins.iter().map(|o| o.clone().prefixed(prefix)).collect())
        }
    }
}

/// The values of several origins.
fn any(origins: impl IntoIterator<Item = Origin>) -> Arg {
    Arg::From(origins.into_iter().collect())
}

/// The actor's account.
fn actor(plan: &mut Plan, actor: &AccountId) -> StepId {
    plan.read(&Read::Account(actor.clone()))
}

/// Deciding any action on the contracts `ids` (their role, delegates and invitations), and
/// their tickets, which a snapshot of them shows.
fn contracts(plan: &mut Plan, ids: &Arg) -> StepId {
    let found = plan.step::<Contract>(vec![("id", ids.clone())]);
    // Every delegate row of the contracts: the actor's own among them.
    plan.step::<Delegate>(vec![("contract_id", ids.clone())]);
    plan.step::<Invitation>(vec![("contract_id", ids.clone())]);
    plan.step::<Ticket>(vec![("contract_id", ids.clone())]);
    found
}

/// Deciding any action on the projects `ids` (the actor's share of them, their transfers), and
/// their owners, whose company admin may act on their transfers.
fn projects(plan: &mut Plan, actor: &AccountId, ids: &Arg) -> StepId {
    let found = plan.step::<Project>(vec![("id", ids.clone())]);
    plan.step::<Share>(vec![
        ("account_id", Arg::is(actor)),
        ("project_id", ids.clone()),
    ]);
    plan.step::<Transfer>(vec![("subject", prefixed(ids, "project:"))]);
    plan.step::<Account>(vec![("id", Arg::from(from(found, "owner_id")))]);
    found
}

/// Deciding any action on the licenses `keys`: their owners (company admin, reseller's
/// customer), the projects they are on, their transfers.
fn licenses(plan: &mut Plan, keys: &Arg) -> StepId {
    let found = plan.step::<License>(vec![("license_key", keys.clone())]);
    plan.step::<Account>(vec![("id", Arg::from(from(found, "owner_id")))]);
    plan.step::<Project>(vec![("id", Arg::from(from(found, "project_id")))]);
    plan.step::<Transfer>(vec![("subject", prefixed(keys, "license:"))]);
    found
}

/// The account behind an address given to a command, by address and by id (the rules find it
/// by address, then may read it by id); nothing for an address that is refused.
fn by_email(plan: &mut Plan, address: &str) -> Option<StepId> {
    let address = Email::new(address).ok()?;
    let found = plan.read(&Read::AccountByEmail(address));
    plan.step::<Account>(vec![("id", Arg::from(from(found, "id")))]);
    Some(found)
}

/// `POST /v1/authorize`: what deciding every action on `resource` reads, and the scoped
/// snapshot the decision is made on.
pub fn authorize(actor_id: &AccountId, resource: &Resource) -> Plan {
    scoped(actor_id, std::slice::from_ref(resource))
}

/// `GET /v1/me/access?resource=…`: the scoped snapshot of `resources`
/// ([`crate::access::scoped_snapshot`]).
pub fn scoped(actor_id: &AccountId, resources: &[Resource]) -> Plan {
    let mut plan = Plan::new();
    actor(&mut plan, actor_id);
    let ids = |t: ResourceType| -> BTreeSet<String> {
        (resources.iter())
            .filter(|r| r.resource_type == t)
            .map(|r| r.id.clone())
            .collect()
    };
    let arg = |values: BTreeSet<String>| match values.len() {
        1 => values
            .into_iter()
            .next()
            .map_or(Arg::AnyOf(BTreeSet::new()), Arg::Is),
        _ => Arg::AnyOf(values),
    };
    let contract_ids = ids(ResourceType::Contract);
    if !contract_ids.is_empty() {
        contracts(&mut plan, &arg(contract_ids));
    }
    let project_ids = ids(ResourceType::Project);
    if !project_ids.is_empty() {
        let project_ids = arg(project_ids);
        projects(&mut plan, actor_id, &project_ids);
        // A project comes with the licenses on it, and what decides who sees them.
        let on = plan.step::<License>(vec![("project_id", project_ids)]);
        plan.step::<Account>(vec![("id", Arg::from(from(on, "owner_id")))]);
        plan.step::<Transfer>(vec![(
            "subject",
            Arg::from(from(on, "license_key").prefixed("license:")),
        )]);
    }
    let license_keys = ids(ResourceType::License);
    if !license_keys.is_empty() {
        licenses(&mut plan, &arg(license_keys));
    }
    let order_ids = ids(ResourceType::Order);
    if !order_ids.is_empty() {
        plan.step::<Order>(vec![("id", arg(order_ids))]);
    }
    let account_ids = ids(ResourceType::Account);
    if !account_ids.is_empty() {
        plan.step::<Account>(vec![("id", arg(account_ids))]);
    }
    plan
}

/// `GET /v1/me/access`: the actor's whole access snapshot ([`crate::access_snapshot`]): every
/// relation of its account that the snapshot draws on, and the people and products on them.
pub fn snapshot(actor_id: &AccountId) -> Plan {
    let mut plan = Plan::new();
    let me = actor(&mut plan, actor_id);
    let contracts = snapshot_contracts(&mut plan, actor_id);
    let projects = snapshot_projects(&mut plan, actor_id);
    let licenses = snapshot_licenses(&mut plan, actor_id, me, &projects);
    let transfers = snapshot_transfers(&mut plan, actor_id, &projects, &licenses);
    let who = Arg::is(actor_id);
    let orders = [
        plan.step::<Order>(vec![("owner_id", who.clone())]),
        plan.step::<Order>(vec![("billing_account_id", who)]),
    ];
    // The people and products on all of it.
    let mut people = vec![
        from(contracts.delegates, "account_id"),
        from(contracts.invitations, "account_id"),
        from(contracts.other, "owner_id"),
        from(projects.shares, "account_id"),
        from(licenses.projects, "owner_id"),
    ];
    people.extend(licenses.all.map(|l| from(l, "owner_id")));
    for step in transfers {
        people.extend(["from_id", "to_id", "requested_by"].map(|c| from(step, c)));
    }
    for step in orders {
        people.extend(["owner_id", "billing_account_id"].map(|c| from(step, c)));
    }
    plan.step::<Account>(vec![("id", any(people))]);
    let mut products = vec![
        from(contracts.owned, "product_id"),
        from(contracts.other, "product_id"),
    ];
    products.extend(licenses.all.map(|l| from(l, "product_id")));
    plan.step::<Product>(vec![("id", any(products))]);
    plan
}

/// The steps of a snapshot's contracts.
struct SnapshotContracts {
    owned: StepId,
    other: StepId,
    delegates: StepId,
    invitations: StepId,
}

/// The contracts the actor owns, is a delegate on or is invited to, their delegates,
/// invitations and tickets.
fn snapshot_contracts(plan: &mut Plan, actor_id: &AccountId) -> SnapshotContracts {
    let who = Arg::is(actor_id);
    let owned = plan.step::<Contract>(vec![("owner_id", who.clone())]);
    let delegations = plan.step::<Delegate>(vec![("account_id", who.clone())]);
    let invited = plan.step::<Invitation>(vec![("account_id", who)]);
    let owned_ids = Arg::from(from(owned, "id"));
    let delegates = plan.step::<Delegate>(vec![("contract_id", owned_ids.clone())]);
    let invitations = plan.step::<Invitation>(vec![("contract_id", owned_ids)]);
    let other = plan.step::<Contract>(vec![(
        "id",
        any([
            from(delegations, "contract_id"),
            from(invited, "contract_id"),
        ]),
    )]);
    plan.step::<Ticket>(vec![(
        "contract_id",
        any([from(owned, "id"), from(delegations, "contract_id")]),
    )]);
    SnapshotContracts {
        owned,
        other,
        delegates,
        invitations,
    }
}

/// The steps of a snapshot's projects.
struct SnapshotProjects {
    owned: StepId,
    shared_with: StepId,
    shares: StepId,
    licenses_on: StepId,
}

/// The projects the actor owns or that are shared with it, with their shares and licenses.
fn snapshot_projects(plan: &mut Plan, actor_id: &AccountId) -> SnapshotProjects {
    let who = Arg::is(actor_id);
    let owned = plan.step::<Project>(vec![("owner_id", who.clone())]);
    let shared_with = plan.step::<Share>(vec![("account_id", who)]);
    let owned_ids = Arg::from(from(owned, "id"));
    SnapshotProjects {
        owned,
        shared_with,
        shares: plan.step::<Share>(vec![("project_id", owned_ids.clone())]),
        licenses_on: plan.step::<License>(vec![("project_id", owned_ids)]),
    }
}

/// The steps of a snapshot's licenses.
struct SnapshotLicenses {
    /// Every step whose rows are licenses.
    all: [StepId; 3],
    /// The projects they are on, and those shared with the actor.
    projects: StepId,
    /// The projects of the employees of a company the actor administers.
    colleague_projects: StepId,
}

/// The licenses the actor owns, created, or sees as its customers' reseller or its employees'
/// admin, and the projects they are on.
fn snapshot_licenses(
    plan: &mut Plan,
    actor_id: &AccountId,
    me: StepId,
    projects: &SnapshotProjects,
) -> SnapshotLicenses {
    let who = Arg::is(actor_id);
    let managed = plan.step::<Account>(vec![("managed_by", who.clone())]);
    let colleagues = plan.step::<Account>(vec![(
        "company_id",
        Arg::from(from(me, "company_id").when("company_role", "admin")),
    )]);
    let employees = || from(colleagues, "id").when("company_role", "employee");
    let colleague_projects = plan.step::<Project>(vec![("owner_id", Arg::from(employees()))]);
    let owned = plan.step::<License>(vec![(
        "owner_id",
        any([from(me, "id"), from(managed, "id"), employees()]),
    )]);
    let created = plan.step::<License>(vec![("created_by", who)]);
    let all = [owned, created, projects.licenses_on];
    let seen = plan.step::<Project>(vec![(
        "id",
        any(all
            .map(|l| from(l, "project_id"))
            .into_iter()
            .chain([from(projects.shared_with, "project_id")])),
    )]);
    SnapshotLicenses {
        all,
        projects: seen,
        colleague_projects,
    }
}

/// The transfers of what the actor sees, and those it takes part in.
fn snapshot_transfers(
    plan: &mut Plan,
    actor_id: &AccountId,
    projects: &SnapshotProjects,
    licenses: &SnapshotLicenses,
) -> [StepId; 4] {
    let who = Arg::is(actor_id);
    let subjects = (licenses
        .all
        .map(|l| from(l, "license_key").prefixed("license:")))
    .into_iter()
    .chain(
        [
            from(projects.owned, "id"),
            from(projects.shared_with, "project_id"),
            from(licenses.colleague_projects, "id"),
        ]
        .map(|o| o.prefixed("project:")),
    );
    [
        plan.step::<Transfer>(vec![("subject", any(subjects))]),
        plan.step::<Transfer>(vec![("from_id", who.clone())]),
        plan.step::<Transfer>(vec![("to_id", who.clone())]),
        plan.step::<Transfer>(vec![("requested_by", who)]),
    ]
}

/// What an account's command reads.
pub fn command(actor_id: &AccountId, command: &Command) -> Plan {
    let mut plan = Plan::new();
    actor(&mut plan, actor_id);
    sharing(&mut plan, actor_id, command);
    plan
}

/// The reads of the commands of project sharing and order transfer; the others go on to
/// [`delegation`].
fn sharing(p: &mut Plan, actor_id: &AccountId, command: &Command) {
    match command {
        Command::CreateProject { .. } => {}
        Command::ShareProject {
            project_id, email, ..
        } => {
            projects(p, actor_id, &Arg::is(project_id));
            if let Some(recipient) = by_email(p, email) {
                p.step::<Share>(vec![
                    ("account_id", Arg::from(from(recipient, "id"))),
                    ("project_id", Arg::is(project_id)),
                ]);
            }
            // An ended share it replaces takes its recipient's licenses off the project.
            p.read(&Read::LicensesOnProject(project_id.clone()));
        }
        Command::UpdateShare {
            project_id,
            account_id,
            ..
        } => {
            projects(p, actor_id, &Arg::is(project_id));
            p.read(&Read::Share(project_id.clone(), account_id.clone()));
            p.read(&Read::LicensesOnProject(project_id.clone()));
        }
        Command::UnshareProject {
            project_id,
            account_id,
        } => {
            projects(p, actor_id, &Arg::is(project_id));
            p.read(&Read::Share(project_id.clone(), account_id.clone()));
            p.read(&Read::LicensesOnProject(project_id.clone()));
        }
        Command::AssignLicense {
            project_id,
            license_key,
        } => {
            projects(p, actor_id, &Arg::is(project_id));
            p.read(&Read::License(license_key.clone()));
        }
        Command::UnassignLicense {
            project_id,
            license_key,
        } => {
            p.read(&Read::Project(project_id.clone()));
            p.read(&Read::Share(project_id.clone(), actor_id.clone()));
            p.read(&Read::License(license_key.clone()));
        }
        Command::TransferOrder { order_id, to_email } => {
            let order = p.read(&Read::Order(order_id.clone()));
            by_email(p, to_email);
            p.step::<License>(vec![(
                "license_key",
                Arg::from(from(order, "license_keys")),
            )]);
        }
        _ => delegation(p, actor_id, command),
    }
}

/// The reads of the commands of contract delegates; the others go on to
/// [`resale_and_transfers`].
fn delegation(p: &mut Plan, actor_id: &AccountId, command: &Command) {
    match command {
        Command::InviteDelegate {
            contract_id, email, ..
        } => {
            contracts(p, &Arg::is(contract_id));
            by_email(p, email);
        }
        Command::ResendInvitation {
            contract_id,
            invitation_id,
        }
        | Command::CancelInvitation {
            contract_id,
            invitation_id,
        } => {
            contracts(p, &Arg::is(contract_id));
            p.read(&Read::Invitation(invitation_id.clone()));
        }
        Command::AcceptInvitation { token } => {
            let invitation = p.read(&Read::InvitationByTokenHash(token_hash(token)));
            let contract_id = Arg::from(from(invitation, "contract_id"));
            p.step::<Contract>(vec![("id", contract_id.clone())]);
            p.step::<Delegate>(vec![
                ("account_id", Arg::is(actor_id)),
                ("contract_id", contract_id),
            ]);
        }
        Command::RevokeDelegate { contract_id, .. }
        | Command::UpdateDelegate { contract_id, .. }
        | Command::RequestProvisioning { contract_id, .. }
        | Command::CreateTicket { contract_id, .. } => {
            contracts(p, &Arg::is(contract_id));
        }
        _ => resale_and_transfers(p, actor_id, command),
    }
}

/// The reads of the commands of reseller licenses and license and project transfer.
fn resale_and_transfers(p: &mut Plan, actor_id: &AccountId, command: &Command) {
    match command {
        Command::CreateCustomer { email, .. } => {
            by_email(p, email);
        }
        Command::CreateLicenses(request) => {
            p.read(&Read::Product(request.product_id.clone()));
            p.read(&Read::Account(request.customer_id.clone()));
            p.read(&Read::UnpaidLicensesBy(actor_id.clone()));
            p.read(&Read::LicensesOfOwnerAndProduct(
                request.customer_id.clone(),
                request.product_id.clone(),
            ));
        }
        Command::UpdateLicensePayment { license_key, .. } => {
            licenses(p, &Arg::is(license_key));
            p.read(&Read::UnpaidLicensesBy(actor_id.clone()));
        }
        Command::RequestLicenseTransfer {
            license_key,
            to_email,
        } => {
            licenses(p, &Arg::is(license_key));
            by_email(p, to_email);
        }
        Command::RequestProjectTransfer {
            project_id,
            to_email,
        } => {
            projects(p, actor_id, &Arg::is(project_id));
            by_email(p, to_email);
        }
        Command::AcceptTransfer { transfer_id } | Command::CancelTransfer { transfer_id } => {
            let transfer = p.read(&Read::Transfer(transfer_id.clone()));
            let license = p.step::<License>(vec![(
                "license_key",
                Arg::from(from(transfer, "license_key")),
            )]);
            let project_id = Arg::from(from(transfer, "project_id"));
            let project = p.step::<Project>(vec![("id", project_id.clone())]);
            p.step::<License>(vec![("project_id", project_id.clone())]);
            p.step::<Share>(vec![("project_id", project_id)]);
            p.step::<Account>(vec![(
                "id",
                any([
                    from(license, "owner_id"),
                    from(project, "owner_id"),
                    from(transfer, "from_id"),
                ]),
            )]);
        }
        // Read by `sharing` and `delegation`; listed so that a new command must be placed.
        Command::CreateProject { .. }
        | Command::ShareProject { .. }
        | Command::UpdateShare { .. }
        | Command::UnshareProject { .. }
        | Command::AssignLicense { .. }
        | Command::UnassignLicense { .. }
        | Command::TransferOrder { .. }
        | Command::InviteDelegate { .. }
        | Command::ResendInvitation { .. }
        | Command::CancelInvitation { .. }
        | Command::AcceptInvitation { .. }
        | Command::RevokeDelegate { .. }
        | Command::UpdateDelegate { .. }
        | Command::RequestProvisioning { .. }
        | Command::CreateTicket { .. } => {}
    }
}

/// What a batch of the store's commands reads: every record each one names, all at once.
pub fn store_commands(commands: &[StoreCommand]) -> Plan {
    let mut plan = Plan::new();
    plan.reads(commands.iter().flat_map(StoreCommand::reads));
    plan
}

/// `POST /v1/sessions`: the account a session is for.
pub fn account(id: &AccountId) -> Plan {
    let mut plan = Plan::new();
    plan.read(&Read::Account(id.clone()));
    plan
}

/// `GET /v1/contracts/{id}`: one contract as the caller sees it
/// ([`crate::access::contract_view`]).
pub fn contract(actor_id: &AccountId, id: &ContractId) -> Plan {
    let mut plan = Plan::new();
    contract_item(&mut plan, actor_id, Arg::is(id));
    plan
}

/// `GET /v1/contracts/{id}/delegates`: a contract's delegates and invitations
/// ([`crate::access::delegates_for`]).
pub fn delegates(id: &ContractId) -> Plan {
    let mut plan = Plan::new();
    plan.read(&Read::Contract(id.clone()));
    let delegates = plan.read(&Read::DelegatesOfContract(id.clone()));
    plan.read(&Read::InvitationsOfContract(id.clone()));
    plan.step::<Account>(vec![("id", Arg::from(from(delegates, "account_id")))]);
    plan
}

/// The page of `source` after `after` (at most `limit` items), and the arg its items' keys give.
fn page(plan: &mut Plan, source: Source, after: &str, limit: usize) -> Arg {
    let page = plan.page(source, after, limit);
    Arg::from(from(page, "key"))
}

/// A contract as the caller sees it, for the contracts `ids`.
fn contract_item(plan: &mut Plan, actor_id: &AccountId, ids: Arg) {
    let found = plan.step::<Contract>(vec![("id", ids.clone())]);
    plan.step::<Delegate>(vec![
        ("account_id", Arg::is(actor_id)),
        ("contract_id", ids),
    ]);
    plan.step::<Product>(vec![("id", Arg::from(from(found, "product_id")))]);
    plan.step::<Account>(vec![("id", Arg::from(from(found, "owner_id")))]);
}

/// `GET /v1/contracts`: a page of [`list::contracts`].
pub fn contracts_page(actor_id: &AccountId, after: &str, limit: usize) -> Plan {
    let mut plan = Plan::new();
    let keys = page(&mut plan, list::contracts(actor_id), after, limit);
    contract_item(&mut plan, actor_id, keys);
    plan
}

/// `GET /v1/projects`: a page of [`list::projects`].
pub fn projects_page(actor_id: &AccountId, after: &str, limit: usize) -> Plan {
    let mut plan = Plan::new();
    let keys = page(&mut plan, list::projects(actor_id), after, limit);
    let found = plan.step::<Project>(vec![("id", keys.clone())]);
    // Every share of the projects: the caller's own, and those its owner sees.
    let shares = plan.step::<Share>(vec![("project_id", keys)]);
    plan.step::<Account>(vec![(
        "id",
        any([from(shares, "account_id"), from(found, "owner_id")]),
    )]);
    plan
}

/// `GET /v1/customers`: a page of [`list::customers`].
pub fn customers_page(actor_id: &AccountId, after: &str, limit: usize) -> Plan {
    let mut plan = Plan::new();
    let keys = page(&mut plan, list::customers(actor_id), after, limit);
    plan.step::<Account>(vec![("id", keys)]);
    plan
}

/// `GET /v1/transfers`: a page of [`list::transfers`].
pub fn transfers_page(actor_id: &AccountId, after: &str, limit: usize) -> Plan {
    let mut plan = Plan::new();
    let keys = page(&mut plan, list::transfers(actor_id), after, limit);
    plan.step::<Transfer>(vec![("id", keys)]);
    plan
}

/// `GET /v1/licenses`: a page of [`list::licenses`].
pub fn licenses_page(actor_id: &AccountId, after: &str, limit: usize) -> Plan {
    let mut plan = Plan::new();
    actor(&mut plan, actor_id);
    let keys = page(&mut plan, list::licenses(actor_id), after, limit);
    let found = plan.step::<License>(vec![("license_key", keys)]);
    plan.step::<Account>(vec![("id", Arg::from(from(found, "owner_id")))]);
    plan.step::<Project>(vec![("id", Arg::from(from(found, "project_id")))]);
    plan
}

/// `GET /v1/contracts/{id}/tickets`: the caller's role on the contract and a page of
/// [`list::tickets`].
pub fn tickets_page(actor_id: &AccountId, id: &ContractId, after: &str, limit: usize) -> Plan {
    let mut plan = Plan::new();
    plan.read(&Read::Contract(id.clone()));
    plan.read(&Read::Delegate(id.clone(), actor_id.clone()));
    let keys = page(&mut plan, list::tickets(id), after, limit);
    plan.step::<Ticket>(vec![("id", keys)]);
    plan
}

/// `GET /v1/projects/{id}/licenses`: the caller's role on the project and a page of
/// [`list::project_licenses`].
pub fn project_licenses_page(
    actor_id: &AccountId,
    id: &ProjectId,
    after: &str,
    limit: usize,
) -> Plan {
    let mut plan = Plan::new();
    plan.read(&Read::Project(id.clone()));
    plan.read(&Read::Share(id.clone(), actor_id.clone()));
    let keys = page(&mut plan, list::project_licenses(id), after, limit);
    plan.step::<License>(vec![("license_key", keys)]);
    plan
}
