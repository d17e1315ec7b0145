//! Model-based property tests: random command sequences run against the real rules and a
//! naive model; after every step the two must agree and the invariants must hold.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

use entitle_rules::access::{project_licenses, projects_for, scoped_snapshot};
use entitle_rules::ids::{AccountId, ContractId, LicenseKey, ProjectId};
use entitle_rules::model::*;
use entitle_rules::text::Email;
use entitle_rules::{
    Action, Command, Context, Resource, ResourceType, State, Timestamp, access_snapshot, authorize,
    execute,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

fn account(id: &str, kind: AccountKind) -> Account {
    Account {
        id: AccountId::new(id).unwrap(),
        email: Email::new(&format!("{id}@example.com")).unwrap(),
        name: id.to_owned(),
        kind,
        company_id: None,
        company_role: None,
        managed_by: None,
    }
}

fn id(s: &str) -> AccountId {
    AccountId::new(s).unwrap()
}

struct Runner {
    state: State,
    now: Timestamp,
    counter: u32,
}

impl Runner {
    fn run(
        &mut self,
        actor: &str,
        command: Command,
    ) -> Result<entitle_rules::Outcome, entitle_rules::CommandError> {
        let fresh = (0..110)
            .map(|_| {
                self.counter += 1;
                format!("v{:06}abcdefghijklmno", self.counter)
            })
            .collect();
        let ctx = Context {
            actor: id(actor),
            now: self.now,
            fresh,
        };
        let result = execute(&self.state, &command, &ctx);
        // The rules declare every read: run on a state loaded read by read, as the worker loads
        // it, the command gives the same outcome.
        let (loaded, _) = State::resolve(&self.state, |s| execute(s, &command, &ctx));
        assert_eq!(loaded, result, "the loaded state changed the outcome");
        if let Ok(outcome) = &result {
            self.state.apply_all(&outcome.changes);
        }
        result
    }

    fn decide(&self, actor: &str, action: Action, resource_id: &str) -> entitle_rules::Decision {
        let resource = Resource {
            resource_type: action.resource_type(),
            id: resource_id.to_owned(),
        };
        let full = authorize(&self.state, &id(actor), action, &resource, self.now).unwrap();
        let mut snapshot_state = access_snapshot(&self.state, &id(actor));
        let snapshot = authorize(&snapshot_state, &id(actor), action, &resource, self.now).unwrap();
        assert_eq!(
            full, snapshot,
            "the snapshot must give the same answer as the full state"
        );
        // Indexed, as the npm package's `Access` holds it, the snapshot answers the same.
        snapshot_state.index();
        assert_eq!(
            authorize(&snapshot_state, &id(actor), action, &resource, self.now).unwrap(),
            full,
            "the indexed snapshot must give the same answer as the full state"
        );
        // The scoped snapshot, loaded read by read as the worker loads it, decides every action
        // on the resource as the full state does.
        let (scoped, _) = State::resolve(&self.state, |s| {
            scoped_snapshot(s, &id(actor), std::slice::from_ref(&resource), self.now)
        });
        for other in Action::ALL
            .iter()
            .filter(|a| a.resource_type() == resource.resource_type)
        {
            assert_eq!(
                authorize(&scoped, &id(actor), *other, &resource, self.now).unwrap(),
                authorize(&self.state, &id(actor), *other, &resource, self.now).unwrap(),
                "the scoped snapshot must decide `{}` as the full state does",
                other.name()
            );
        }
        full
    }
}

/// Every actor, action and resource of the state (and one unknown id per type): deciding on
/// the actor's access snapshot gives the same answer as deciding on the full state.
fn snapshot_agrees_everywhere(run: &Runner) {
    let mut resources: Vec<(ResourceType, String)> = Vec::new();
    resources.extend(
        run.state
            .contracts
            .iter()
            .map(|c| (ResourceType::Contract, c.id.to_string())),
    );
    resources.extend(
        run.state
            .projects
            .iter()
            .map(|p| (ResourceType::Project, p.id.to_string())),
    );
    resources.extend(
        run.state
            .licenses
            .iter()
            .map(|l| (ResourceType::License, l.license_key.to_string())),
    );
    resources.extend(
        run.state
            .orders
            .iter()
            .map(|o| (ResourceType::Order, o.id.to_string())),
    );
    resources.extend(
        run.state
            .accounts
            .iter()
            .map(|a| (ResourceType::Account, a.id.to_string())),
    );
    for t in [
        ResourceType::Contract,
        ResourceType::Project,
        ResourceType::License,
        ResourceType::Order,
        ResourceType::Account,
    ] {
        resources.push((t, "unknown".to_owned()));
    }
    for actor in &run.state.accounts {
        for action in Action::ALL {
            for (_, id) in resources
                .iter()
                .filter(|(t, _)| *t == action.resource_type())
            {
                run.decide(actor.id.as_str(), *action, id);
            }
        }
    }
}

// ---------------------------------------------------------------- contract delegates (003)

const PEOPLE: [&str; 4] = ["d1", "d2", "d3", "x"];
const FORBIDDEN_TO_DELEGATES: [Action; 6] = [
    Action::ContractBillingView,
    Action::ContractBillingManage,
    Action::ContractCancel,
    Action::ContractUpgrade,
    Action::ContractModify,
    Action::ContractDelegatesManage,
];

#[derive(Clone, Debug)]
enum DelegateStep {
    Invite(usize),
    Accept { actor: usize, token: usize },
    Revoke(usize),
    Resend(usize),
    Cancel(usize),
    Ticket(usize),
    Wait(i64),
}

fn delegate_step() -> impl Strategy<Value = DelegateStep> {
    prop_oneof![
        (0..4usize).prop_map(DelegateStep::Invite),
        (0..4usize, 0..12usize).prop_map(|(actor, token)| DelegateStep::Accept { actor, token }),
        (0..4usize).prop_map(DelegateStep::Revoke),
        (0..4usize).prop_map(DelegateStep::Resend),
        (0..4usize).prop_map(DelegateStep::Cancel),
        (0..5usize).prop_map(DelegateStep::Ticket),
        (1..5i64).prop_map(DelegateStep::Wait),
    ]
}

/// The naive model: who is a delegate, and which token is live for whom until when.
#[derive(Default)]
struct DelegateModel {
    delegates: BTreeSet<&'static str>,
    /// Live tokens: token → (invitee, expiry).
    live: BTreeMap<String, (&'static str, Timestamp)>,
    /// Invitation id per invitee, while one is pending or expired.
    invitation: BTreeMap<&'static str, String>,
}

fn delegates_setup() -> Runner {
    let mut state = State::default();
    state.accounts.push(account("owner", AccountKind::Customer));
    for p in PEOPLE {
        state.accounts.push(account(p, AccountKind::Customer));
    }
    state.products.push(Product {
        id: "hosting".try_into().unwrap(),
        name: "Hosting".into(),
        family: "hosting".into(),
        billing: Billing::Recurring,
    });
    state.contracts.push(Contract {
        id: "c".try_into().unwrap(),
        owner_id: id("owner"),
        product_id: "hosting".try_into().unwrap(),
        status: ContractStatus::Active,
        registered_at: Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        renews_at: None,
        billing: Billing::Recurring,
    });
    Runner {
        state,
        now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
        counter: 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn delegates_follow_the_model(steps in proptest::collection::vec(delegate_step(), 1..40)) {
        let mut run = delegates_setup();
        let mut model = DelegateModel::default();
        let mut tokens: Vec<String> = Vec::new();
        let contract = ContractId::new("c").unwrap();
        for step in steps {
            match step {
                DelegateStep::Wait(days) => run.now = run.now.plus_days(days),
                DelegateStep::Invite(p) => {
                    let who = PEOPLE[p];
                    let pending = model.invitation.get(who).is_some_and(|inv| model.live.values().any(|(w, exp)| *w == who && run.now < *exp) && !inv.is_empty());
                    let expected_ok = !model.delegates.contains(who) && !pending;
                    let result = run.run("owner", Command::InviteDelegate { contract_id: contract.clone(), email: format!("{who}@example.com") });
                    prop_assert_eq!(result.is_ok(), expected_ok, "invite {} {:?}", who, result);
                    if let Ok(outcome) = result {
                        for e in &outcome.events {
                            if let entitle_rules::EventPayload::DelegateInvited { accept_token, invitation_id, expires_at, .. } = &e.payload {
                                model.live.retain(|_, (w, _)| *w != who);
                                model.live.insert(accept_token.clone(), (who, *expires_at));
                                model.invitation.insert(who, invitation_id.to_string());
                                tokens.push(accept_token.clone());
                            }
                        }
                    }
                }
                DelegateStep::Accept { actor, token } => {
                    let Some(token) = tokens.get(token).cloned() else { continue };
                    let actor = PEOPLE[actor];
                    let expected_ok = model.live.get(&token).is_some_and(|(w, exp)| *w == actor && run.now < *exp);
                    let result = run.run(actor, Command::AcceptInvitation { token: token.clone() });
                    prop_assert_eq!(result.is_ok(), expected_ok, "accept by {}: {:?}", actor, result);
                    if result.is_ok() {
                        model.live.remove(&token);
                        model.invitation.remove(actor);
                        model.delegates.insert(actor);
                    }
                }
                DelegateStep::Revoke(p) => {
                    let who = PEOPLE[p];
                    let result = run.run("owner", Command::RevokeDelegate { contract_id: contract.clone(), account_id: id(who) });
                    prop_assert_eq!(result.is_ok(), model.delegates.contains(who));
                    model.delegates.remove(who);
                    // A delegate cannot revoke anyone.
                    if let Some(d) = model.delegates.iter().next() {
                        let denied = run.run(d, Command::RevokeDelegate { contract_id: contract.clone(), account_id: id(d) });
                        prop_assert_eq!(denied.unwrap_err().code(), "delegate_action_forbidden");
                    }
                }
                DelegateStep::Resend(p) => {
                    let who = PEOPLE[p];
                    let Some(invitation) = model.invitation.get(who).cloned() else { continue };
                    let result = run.run("owner", Command::ResendInvitation { contract_id: contract.clone(), invitation_id: invitation.as_str().try_into().unwrap() });
                    if let Ok(outcome) = result {
                        for e in &outcome.events {
                            if let entitle_rules::EventPayload::InvitationResent { accept_token, expires_at, .. } = &e.payload {
                                model.live.retain(|_, (w, _)| *w != who);
                                model.live.insert(accept_token.clone(), (who, *expires_at));
                                tokens.push(accept_token.clone());
                            }
                        }
                    }
                }
                DelegateStep::Cancel(p) => {
                    let who = PEOPLE[p];
                    let Some(invitation) = model.invitation.get(who).cloned() else { continue };
                    let live = model.live.values().any(|(w, exp)| *w == who && run.now < *exp);
                    let result = run.run("owner", Command::CancelInvitation { contract_id: contract.clone(), invitation_id: invitation.as_str().try_into().unwrap() });
                    prop_assert_eq!(result.is_ok(), live);
                    if result.is_ok() {
                        model.live.retain(|_, (w, _)| *w != who);
                        model.invitation.remove(who);
                    }
                }
                DelegateStep::Ticket(p) => {
                    let who = if p == 4 { "owner" } else { PEOPLE[p] };
                    let result = run.run(who, Command::CreateTicket { contract_id: contract.clone(), subject: "s".into(), body: "b".into() });
                    prop_assert_eq!(result.is_ok(), who == "owner" || model.delegates.contains(who));
                }
            }
            // Invariants.
            for who in PEOPLE {
                let is_delegate = model.delegates.contains(who);
                for action in Action::ALL.iter().copied().filter(|a| a.resource_type() == ResourceType::Contract) {
                    let decision = run.decide(who, action, "c");
                    if !is_delegate {
                        prop_assert!(!decision.allowed, "{} is no delegate but may {}", who, action);
                    } else if FORBIDDEN_TO_DELEGATES.contains(&action) {
                        prop_assert!(!decision.allowed, "delegate {} may {}", who, action);
                    } else {
                        prop_assert!(decision.allowed, "delegate {} may not {}", who, action);
                    }
                }
            }
            snapshot_agrees_everywhere(&run);
            let mut pending_per_email = BTreeMap::new();
            for i in run.state.invitations.iter().filter(|i| i.status_at(run.now) == InvitationStatus::Pending) {
                *pending_per_email.entry(i.email.clone()).or_insert(0) += 1;
            }
            prop_assert!(pending_per_email.values().all(|n| *n <= 1), "one pending invitation per e-mail: {:?}", pending_per_email);
            let real: BTreeSet<String> = run.state.delegates.iter().filter(|d| d.status == DelegateStatus::Active).map(|d| d.account_id.to_string()).collect();
            let modelled: BTreeSet<String> = model.delegates.iter().map(|s| s.to_string()).collect();
            prop_assert_eq!(real, modelled);
        }
    }
}

// ---------------------------------------------------------------- project sharing (000)

const SHARERS: [&str; 3] = ["owner", "r1", "r2"];

#[derive(Clone, Debug)]
enum ShareStep {
    Create,
    Share {
        project: usize,
        to: usize,
    },
    Unshare {
        project: usize,
        to: usize,
    },
    Assign {
        actor: usize,
        project: usize,
        license: usize,
    },
    Unassign {
        actor: usize,
        project: usize,
        license: usize,
    },
    TransferOrder,
}

fn share_step() -> impl Strategy<Value = ShareStep> {
    prop_oneof![
        Just(ShareStep::Create),
        (0..3usize, 0..3usize).prop_map(|(project, to)| ShareStep::Share { project, to }),
        (0..3usize, 0..3usize).prop_map(|(project, to)| ShareStep::Unshare { project, to }),
        (0..3usize, 0..3usize, 0..8usize).prop_map(|(actor, project, license)| ShareStep::Assign {
            actor,
            project,
            license
        }),
        (0..3usize, 0..3usize, 0..8usize).prop_map(|(actor, project, license)| {
            ShareStep::Unassign {
                actor,
                project,
                license,
            }
        }),
        Just(ShareStep::TransferOrder),
    ]
}

fn sharing_setup() -> (Runner, Vec<(String, String)>) {
    let mut state = State::default();
    state.accounts.push(account("owner", AccountKind::Partner));
    state.accounts.push(account("r1", AccountKind::Customer));
    state.accounts.push(account("r2", AccountKind::Customer));
    state
        .accounts
        .push(account("target", AccountKind::Customer));
    state.products.push(Product {
        id: "p".try_into().unwrap(),
        name: "P".into(),
        family: "magento2".into(),
        billing: Billing::OneOff,
    });
    let mut owners = Vec::new();
    for (n, owner) in ["owner", "owner", "owner", "r1", "r1", "r1", "r2", "r2"]
        .iter()
        .enumerate()
    {
        let key = format!("L{n}");
        state.licenses.push(License::new(
            key.as_str().try_into().unwrap(),
            "p".try_into().unwrap(),
            id(owner),
        ));
        owners.push((key, (*owner).to_owned()));
    }
    state.orders.push(Order {
        id: "o".try_into().unwrap(),
        owner_id: id("owner"),
        billing_account_id: id("owner"),
        license_keys: vec!["L0".try_into().unwrap(), "L1".try_into().unwrap()],
        recurring: true,
    });
    (
        Runner {
            state,
            now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
            counter: 0,
        },
        owners,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn sharing_follows_the_model(steps in proptest::collection::vec(share_step(), 1..40)) {
        let (mut run, owners) = sharing_setup();
        let mut license_owner: BTreeMap<String, String> = owners.into_iter().collect();
        let mut projects: Vec<ProjectId> = Vec::new();
        let mut shares: BTreeSet<(usize, &str)> = BTreeSet::new();
        // license → (project index, assigner)
        let mut assigned: BTreeMap<String, (usize, String)> = BTreeMap::new();
        let mut transferred = false;
        for step in steps {
            match step {
                ShareStep::Create => {
                    let outcome = run.run("owner", Command::CreateProject { name: "p".into(), kind: None }).unwrap();
                    let Some(entitle_rules::Change::PutProject(p)) = outcome.changes.first() else { panic!("no project") };
                    projects.push(p.id.clone());
                }
                ShareStep::Share { project, to } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let to = SHARERS[to];
                    let expected = to != "owner" && !shares.contains(&(project, to));
                    let result = run.run("owner", Command::ShareProject { project_id: pid, email: format!("{to}@example.com") });
                    prop_assert_eq!(result.is_ok(), expected, "{:?}", result);
                    if expected { shares.insert((project, to)); }
                }
                ShareStep::Unshare { project, to } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let to = SHARERS[to];
                    let result = run.run("owner", Command::UnshareProject { project_id: pid.clone(), account_id: id(to) });
                    prop_assert_eq!(result.is_ok(), shares.remove(&(project, to)));
                    if result.is_ok() {
                        assigned.retain(|_, (p, by)| !(*p == project && by == to));
                        // The recipient keeps nothing on the project and loses it.
                        prop_assert!(project_licenses(&run.state, &id(to), &pid).is_err());
                        prop_assert!(!run.state.licenses.iter().any(|l| l.project_id.as_ref() == Some(&pid) && l.owner_id == id(to)));
                        prop_assert!(!projects_for(&run.state, &id(to)).iter().any(|v| v.project.id == pid));
                    }
                }
                ShareStep::Assign { actor, project, license } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let actor = SHARERS[actor];
                    let key = format!("L{license}");
                    let access = actor == "owner" || shares.contains(&(project, actor));
                    let expected = access && license_owner[&key] == actor && !assigned.contains_key(&key);
                    let result = run.run(actor, Command::AssignLicense { project_id: pid, license_key: LicenseKey::new(key.clone()).unwrap() });
                    prop_assert_eq!(result.is_ok(), expected, "{} assigns {}: {:?}", actor, key, result);
                    if expected { assigned.insert(key, (project, actor.to_owned())); }
                }
                ShareStep::Unassign { actor, project, license } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let actor = SHARERS[actor];
                    let key = format!("L{license}");
                    let access = actor == "owner" || shares.contains(&(project, actor));
                    let expected = access && assigned.get(&key).is_some_and(|(p, by)| *p == project && (actor == "owner" || by == actor));
                    let result = run.run(actor, Command::UnassignLicense { project_id: pid, license_key: LicenseKey::new(key.clone()).unwrap() });
                    prop_assert_eq!(result.is_ok(), expected, "{} unassigns {}: {:?}", actor, key, result);
                    if expected { assigned.remove(&key); }
                }
                ShareStep::TransferOrder => {
                    let result = run.run("owner", Command::TransferOrder { order_id: "o".try_into().unwrap(), to_email: "target@example.com".into() });
                    prop_assert_eq!(result.is_ok(), !transferred);
                    if !transferred {
                        for key in ["L0", "L1"] {
                            license_owner.insert(key.into(), "target".into());
                            assigned.remove(key);
                        }
                        transferred = true;
                    }
                }
            }
            snapshot_agrees_everywhere(&run);
            // Invariants: nothing lost or duplicated; assignments as modelled; the owner sees all.
            prop_assert_eq!(run.state.licenses.len(), 8);
            let keys: BTreeSet<String> = run.state.licenses.iter().map(|l| l.license_key.to_string()).collect();
            prop_assert_eq!(keys.len(), 8);
            for license in &run.state.licenses {
                let key = license.license_key.to_string();
                prop_assert_eq!(license.owner_id.to_string(), license_owner[&key].clone());
                let modelled = assigned.get(&key).map(|(p, _)| projects[*p].clone());
                prop_assert_eq!(license.project_id.clone(), modelled);
            }
            for (index, pid) in projects.iter().enumerate() {
                let seen: BTreeSet<String> = project_licenses(&run.state, &id("owner"), pid).unwrap().iter().map(|l| l.license_key.to_string()).collect();
                let expected: BTreeSet<String> = assigned.iter().filter(|(_, (p, _))| *p == index).map(|(k, _)| k.clone()).collect();
                prop_assert_eq!(seen, expected);
                for who in ["r1", "r2"] {
                    let decision = run.decide(who, Action::ProjectView, pid.as_str());
                    prop_assert_eq!(decision.allowed, shares.contains(&(index, who)));
                    prop_assert!(!run.decide(who, Action::ProjectShare, pid.as_str()).allowed);
                }
            }
        }
    }
}

// ---------------------------------------------------------------- transfers (002) and resellers (001)

const MOVERS: [&str; 4] = ["admin", "employee", "integrator", "enduser"];

#[derive(Clone, Debug)]
enum MoveStep {
    RequestLicense {
        actor: usize,
        license: usize,
        to: usize,
    },
    RequestProject {
        actor: usize,
        project: usize,
        to: usize,
    },
    Accept {
        actor: usize,
        transfer: usize,
    },
    Cancel {
        actor: usize,
        transfer: usize,
    },
    CreateProject {
        actor: usize,
        kind: usize,
    },
    Assign {
        actor: usize,
        project: usize,
        license: usize,
    },
    Runtime {
        project: usize,
        server: bool,
        panels: u32,
    },
    Resell {
        quantity: u32,
        paid: bool,
    },
    MarkPaid {
        license: usize,
        paid: bool,
    },
    Wait(i64),
}

fn move_step() -> impl Strategy<Value = MoveStep> {
    prop_oneof![
        (0..4usize, 0..12usize, 0..4usize)
            .prop_map(|(actor, license, to)| MoveStep::RequestLicense { actor, license, to }),
        (0..4usize, 0..4usize, 0..4usize)
            .prop_map(|(actor, project, to)| MoveStep::RequestProject { actor, project, to }),
        (0..4usize, 0..8usize).prop_map(|(actor, transfer)| MoveStep::Accept { actor, transfer }),
        (0..4usize, 0..8usize).prop_map(|(actor, transfer)| MoveStep::Cancel { actor, transfer }),
        (0..4usize, 0..4usize).prop_map(|(actor, kind)| MoveStep::CreateProject { actor, kind }),
        (0..4usize, 0..4usize, 0..12usize).prop_map(|(actor, project, license)| MoveStep::Assign {
            actor,
            project,
            license
        }),
        (0..4usize, any::<bool>(), 0..3u32).prop_map(|(project, server, panels)| {
            MoveStep::Runtime {
                project,
                server,
                panels,
            }
        }),
        (1..6u32, any::<bool>()).prop_map(|(quantity, paid)| MoveStep::Resell { quantity, paid }),
        (0..12usize, any::<bool>())
            .prop_map(|(license, paid)| MoveStep::MarkPaid { license, paid }),
        (1..9i64).prop_map(MoveStep::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    #[test]
    fn transfers_and_resellers_keep_every_license(steps in proptest::collection::vec(move_step(), 1..40)) {
        let mut state = State::default();
        let mut admin = account("admin", AccountKind::Integrator);
        admin.company_id = Some("corp".try_into().unwrap());
        admin.company_role = Some(CompanyRole::Admin);
        let mut employee = account("employee", AccountKind::Integrator);
        employee.company_id = Some("corp".try_into().unwrap());
        employee.company_role = Some(CompanyRole::Employee);
        let mut customer = account("customer", AccountKind::Customer);
        customer.managed_by = Some(id("reseller"));
        state.accounts.extend([admin, employee, account("integrator", AccountKind::Integrator), account("enduser", AccountKind::EndUser), account("reseller", AccountKind::Reseller), customer]);
        state.products.push(Product { id: "p".try_into().unwrap(), name: "P".into(), family: "prestashop".into(), billing: Billing::OneOff });
        for (n, owner) in ["admin", "employee", "employee", "integrator"].iter().enumerate() {
            state.licenses.push(License::new(format!("L{n}").as_str().try_into().unwrap(), "p".try_into().unwrap(), id(owner)));
        }
        let mut run = Runner { state, now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(), counter: 0 };
        let mut projects: Vec<ProjectId> = Vec::new();
        let mut transfers: Vec<entitle_rules::ids::TransferId> = Vec::new();
        let mut expected_licenses = 4;
        let license_key = |run: &Runner, n: usize| run.state.licenses.get(n).map(|l| l.license_key.clone());
        for step in steps {
            match step {
                MoveStep::Wait(days) => run.now = run.now.plus_days(days),
                MoveStep::RequestLicense { actor, license, to } => {
                    let Some(key) = license_key(&run, license) else { continue };
                    let decision = run.decide(MOVERS[actor], Action::LicenseTransfer, key.as_str());
                    let result = run.run(MOVERS[actor], Command::RequestLicenseTransfer { license_key: key, to_email: format!("{}@example.com", MOVERS[to]) });
                    // The permission check predicts the command, save for the target's address.
                    if !decision.allowed { prop_assert!(result.is_err()); }
                    if let Ok(outcome) = result
                        && let Some(entitle_rules::Change::PutTransfer(t)) = outcome.changes.last() { transfers.push(t.id.clone()); }
                }
                MoveStep::RequestProject { actor, project, to } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    if let Ok(outcome) = run.run(MOVERS[actor], Command::RequestProjectTransfer { project_id: pid, to_email: format!("{}@example.com", MOVERS[to]) })
                        && let Some(entitle_rules::Change::PutTransfer(t)) = outcome.changes.last() { transfers.push(t.id.clone()); }
                }
                MoveStep::Accept { actor, transfer } => {
                    let Some(tid) = transfers.get(transfer).cloned() else { continue };
                    let before = run.state.transfer(&tid).cloned().unwrap();
                    let result = run.run(MOVERS[actor], Command::AcceptTransfer { transfer_id: tid });
                    if result.is_ok() {
                        prop_assert_eq!(before.to_id.as_str(), MOVERS[actor]);
                        prop_assert_eq!(before.status_at(run.now), TransferStatus::Pending);
                        match &before.subject {
                            TransferSubject::License { license_key } => prop_assert_eq!(run.state.license(license_key).unwrap().owner_id.as_str(), MOVERS[actor]),
                            TransferSubject::Project { project_id } => {
                                let project = run.state.project(project_id).unwrap();
                                prop_assert_eq!(project.owner_id.as_str(), MOVERS[actor]);
                                prop_assert!(!(project.kind == ProjectKind::Server && project.server_active));
                                prop_assert!(!(project.kind == ProjectKind::Lite && project.active_panels > 0));
                            }
                        }
                    }
                }
                MoveStep::Cancel { actor, transfer } => {
                    let Some(tid) = transfers.get(transfer).cloned() else { continue };
                    let _ = run.run(MOVERS[actor], Command::CancelTransfer { transfer_id: tid });
                }
                MoveStep::CreateProject { actor, kind } => {
                    let kind = [ProjectKind::Standard, ProjectKind::Server, ProjectKind::Lite, ProjectKind::ServerlessPro][kind];
                    let outcome = run.run(MOVERS[actor], Command::CreateProject { name: "p".into(), kind: Some(kind) }).unwrap();
                    if let Some(entitle_rules::Change::PutProject(p)) = outcome.changes.first() { projects.push(p.id.clone()); }
                }
                MoveStep::Assign { actor, project, license } => {
                    let (Some(pid), Some(key)) = (projects.get(project).cloned(), license_key(&run, license)) else { continue };
                    let _ = run.run(MOVERS[actor], Command::AssignLicense { project_id: pid, license_key: key });
                }
                MoveStep::Runtime { project, server, panels } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let runtime = entitle_rules::ProjectRuntime { project_id: pid, server_active: server, active_panels: panels };
                    let outcome = entitle_rules::execute_store(&run.state, &entitle_rules::StoreCommand::SetProjectRuntime(runtime), run.now).unwrap();
                    run.state.apply_all(&outcome.changes);
                }
                MoveStep::Resell { quantity, paid } => {
                    let request = entitle_rules::NewLicenses {
                        product_id: "p".try_into().unwrap(), customer_id: id("customer"), quantity,
                        license_type: LicenseType::Trial, tier: LicenseTier::Primary, reseller_notes: None,
                        customer_details: None, customer_paid: paid, customer_paid_at: None,
                    };
                    let unpaid = run.state.licenses.iter().filter(|l| l.created_by.is_some() && !l.customer_paid).count();
                    let result = run.run("reseller", Command::CreateLicenses(request));
                    prop_assert_eq!(result.is_ok(), paid || unpaid + quantity as usize <= 10, "unpaid {} + {}", unpaid, quantity);
                    if result.is_ok() {
                        expected_licenses += quantity as usize;
                        let created: Vec<_> = run.state.licenses.iter().rev().take(quantity as usize).collect();
                        // Trials of a prestashop product last 30 days.
                        prop_assert!(created.iter().all(|l| l.expires_at == Some(run.now.plus_days(30))));
                    }
                }
                MoveStep::MarkPaid { license, paid } => {
                    let Some(key) = license_key(&run, license) else { continue };
                    let before = run.state.license(&key).unwrap().clone();
                    let reseller_made = before.created_by.is_some();
                    let unpaid = run.state.licenses.iter().filter(|l| l.created_by.is_some() && !l.customer_paid).count();
                    // Issue 8: marking a paid license unpaid counts against the limit of 10.
                    let within_limit = paid || !before.customer_paid || unpaid < 10;
                    let result = run.run("reseller", Command::UpdateLicensePayment { license_key: key.clone(), customer_paid: paid, customer_paid_at: None });
                    prop_assert_eq!(result.is_ok(), reseller_made && within_limit);
                    if result.is_err() {
                        prop_assert_eq!(run.state.license(&key).unwrap(), &before);
                    }
                }
            }
            // Nothing is lost or duplicated, whatever moved.
            prop_assert_eq!(run.state.licenses.len(), expected_licenses);
            let keys: BTreeSet<_> = run.state.licenses.iter().map(|l| l.license_key.clone()).collect();
            prop_assert_eq!(keys.len(), expected_licenses);
            // With no shares here, a license on a project belongs to the project's owner.
            for l in &run.state.licenses {
                if let Some(pid) = &l.project_id {
                    prop_assert_eq!(&run.state.project(pid).unwrap().owner_id, &l.owner_id);
                }
            }
            // At most one pending transfer per subject.
            let mut pending = BTreeMap::new();
            for t in run.state.transfers.iter().filter(|t| t.status_at(run.now) == TransferStatus::Pending) {
                *pending.entry(format!("{:?}", t.subject)).or_insert(0) += 1;
            }
            prop_assert!(pending.values().all(|n| *n == 1), "{:?}", pending);
            snapshot_agrees_everywhere(&run);
        }
    }
}
