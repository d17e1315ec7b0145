//! License and project transfers (seed 002) and reseller licenses (seed 001) against a model.

use super::support::*;
use entitle_rules::ids::{LicenseKey, ProjectId};
use entitle_rules::model::*;
use entitle_rules::{Action, Command, State, Timestamp};
use proptest::prelude::*;
use std::collections::BTreeMap;

pub(crate) const MOVERS: [&str; 4] = ["admin", "employee", "integrator", "enduser"];
pub(crate) const KINDS: [ProjectKind; 4] = [
    ProjectKind::Standard,
    ProjectKind::Server,
    ProjectKind::Lite,
    ProjectKind::ServerlessPro,
];

#[derive(Clone, Debug)]
pub(crate) enum MoveStep {
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

pub(crate) fn move_step() -> impl Strategy<Value = MoveStep> {
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

/// A license as the model sees it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ModelLicense {
    pub(crate) key: String,
    pub(crate) owner: String,
    /// The index of the project it is on.
    pub(crate) project: Option<usize>,
    pub(crate) activated: bool,
    pub(crate) expires_at: Option<Timestamp>,
    /// Created by the reseller, and whether its customer paid.
    pub(crate) resale: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ModelProject {
    pub(crate) owner: String,
    pub(crate) kind: ProjectKind,
    pub(crate) server_active: bool,
    pub(crate) panels: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ModelSubject {
    /// A license, by index.
    License(usize),
    /// A project, by index.
    Project(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct ModelTransfer {
    pub(crate) subject: ModelSubject,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) requested_by: String,
    /// Pending, accepted or cancelled; a pending one past `expires_at` is expired.
    pub(crate) status: TransferStatus,
    pub(crate) expires_at: Timestamp,
}

impl ModelTransfer {
    pub(crate) fn status_at(&self, now: Timestamp) -> TransferStatus {
        if self.status == TransferStatus::Pending && now >= self.expires_at {
            TransferStatus::Expired
        } else {
            self.status
        }
    }
}

/// The naive model of transfers and reseller licenses: plain lists, and the rules written out
/// as the seeds state them.
#[derive(Default)]
pub(crate) struct MoveModel {
    pub(crate) licenses: Vec<ModelLicense>,
    pub(crate) projects: Vec<ModelProject>,
    pub(crate) transfers: Vec<ModelTransfer>,
}

/// Who may receive a project of `kind`: server and lite projects go to integrator or DIY
/// accounts, serverless pro ones also to end users, standard ones to anyone.
pub(crate) fn model_may_receive(kind: ProjectKind, to: &str) -> bool {
    let end_user = to == "enduser";
    match kind {
        ProjectKind::Standard => true,
        ProjectKind::Server | ProjectKind::Lite => !end_user,
        ProjectKind::ServerlessPro => true,
    }
}

/// Why a project cannot leave now, if it cannot.
pub(crate) fn model_runtime_blocks(project: &ModelProject) -> Option<&'static str> {
    if project.kind == ProjectKind::Server && project.server_active {
        Some("server_active")
    } else if project.kind == ProjectKind::Lite && project.panels > 0 {
        Some("panels_active")
    } else {
        None
    }
}

impl MoveModel {
    pub(crate) fn pending(&self, subject: &ModelSubject, now: Timestamp) -> bool {
        self.transfers
            .iter()
            .any(|t| &t.subject == subject && t.status_at(now) == TransferStatus::Pending)
    }

    pub(crate) fn unpaid(&self) -> usize {
        self.licenses
            .iter()
            .filter(|l| l.resale == Some(false))
            .count()
    }

    pub(crate) fn in_use(&self, license: usize) -> bool {
        let l = &self.licenses[license];
        l.project.is_some() || l.activated
    }

    /// The admin of `corp` acts for its employee.
    pub(crate) fn company_admin(actor: &str, owner: &str) -> bool {
        actor == "admin" && owner == "employee"
    }

    pub(crate) fn request_license(
        &self,
        actor: &str,
        license: usize,
        to: &str,
        now: Timestamp,
    ) -> Result<(), &'static str> {
        let l = &self.licenses[license];
        let owns = l.owner == actor;
        let admin = Self::company_admin(actor, &l.owner);
        let on_own_project = l.project.is_some_and(|p| self.projects[p].owner == actor) && !owns;
        if !owns && !admin && !on_own_project {
            return Err("license_not_found");
        }
        if !owns && !admin {
            return Err("not_license_owner");
        }
        if self.in_use(license) {
            return Err("license_in_use");
        }
        if self.pending(&ModelSubject::License(license), now) {
            return Err("transfer_pending");
        }
        if to == l.owner {
            return Err("cannot_transfer_to_self");
        }
        Ok(())
    }

    pub(crate) fn request_project(
        &self,
        actor: &str,
        project: usize,
        to: &str,
        now: Timestamp,
    ) -> Result<(), &'static str> {
        let p = &self.projects[project];
        if p.owner != actor {
            return Err("project_not_found");
        }
        if self.pending(&ModelSubject::Project(project), now) {
            return Err("transfer_pending");
        }
        if let Some(code) = model_runtime_blocks(p) {
            return Err(code);
        }
        if to == actor {
            return Err("cannot_transfer_to_self");
        }
        if !model_may_receive(p.kind, to) {
            return Err("recipient_kind_not_allowed");
        }
        Ok(())
    }

    pub(crate) fn still_pending(t: &ModelTransfer, now: Timestamp) -> Result<(), &'static str> {
        match t.status_at(now) {
            TransferStatus::Pending => Ok(()),
            TransferStatus::Accepted => Err("transfer_already_accepted"),
            TransferStatus::Cancelled => Err("transfer_cancelled"),
            TransferStatus::Expired => Err("transfer_expired"),
        }
    }

    /// Whether `actor` may act on the transfer: its parties, and while it is pending (as stored),
    /// the subject's owner and that owner's company admin.
    pub(crate) fn acts_on(&self, actor: &str, transfer: usize) -> bool {
        let t = &self.transfers[transfer];
        let owner = match t.subject {
            ModelSubject::License(license) => &self.licenses[license].owner,
            ModelSubject::Project(project) => &self.projects[project].owner,
        };
        [&t.from, &t.to, &t.requested_by].contains(&&actor.to_owned())
            || (t.status == TransferStatus::Pending
                && (owner == actor || Self::company_admin(actor, owner)))
    }

    pub(crate) fn accept(
        &mut self,
        actor: &str,
        transfer: usize,
        now: Timestamp,
    ) -> Result<(), &'static str> {
        if !self.acts_on(actor, transfer) {
            return Err("transfer_not_found");
        }
        let t = self.transfers[transfer].clone();
        if t.to != actor {
            return Err("not_transfer_recipient");
        }
        Self::still_pending(&t, now)?;
        match t.subject {
            ModelSubject::License(license) => {
                if self.licenses[license].owner != t.from {
                    return Err("license_not_found");
                }
                if self.in_use(license) {
                    return Err("license_in_use");
                }
                self.licenses[license].owner = actor.to_owned();
            }
            ModelSubject::Project(project) => {
                let p = &self.projects[project];
                if p.owner != t.from {
                    return Err("project_not_found");
                }
                if let Some(code) = model_runtime_blocks(p) {
                    return Err(code);
                }
                if !model_may_receive(p.kind, actor) {
                    return Err("recipient_kind_not_allowed");
                }
                self.projects[project].owner = actor.to_owned();
                for l in self
                    .licenses
                    .iter_mut()
                    .filter(|l| l.project == Some(project))
                {
                    if l.owner == t.from {
                        l.owner = actor.to_owned();
                    } else {
                        l.project = None;
                    }
                }
            }
        }
        self.transfers[transfer].status = TransferStatus::Accepted;
        Ok(())
    }

    pub(crate) fn cancel(
        &mut self,
        actor: &str,
        transfer: usize,
        now: Timestamp,
    ) -> Result<(), &'static str> {
        if !self.acts_on(actor, transfer) {
            return Err("transfer_not_found");
        }
        let t = &self.transfers[transfer];
        if t.requested_by != actor && t.from != actor && !Self::company_admin(actor, &t.from) {
            return Err("not_transfer_requester");
        }
        Self::still_pending(t, now)?;
        self.transfers[transfer].status = TransferStatus::Cancelled;
        Ok(())
    }

    pub(crate) fn assign(
        &mut self,
        actor: &str,
        project: usize,
        license: usize,
        now: Timestamp,
    ) -> Result<(), &'static str> {
        if self.projects[project].owner != actor {
            return Err("project_not_found");
        }
        let l = &mut self.licenses[license];
        if l.owner != actor {
            return Err("license_not_found");
        }
        if l.expires_at.is_some_and(|at| now >= at) {
            return Err("license_expired");
        }
        if l.project.is_some() {
            return Err("license_already_assigned");
        }
        l.project = Some(project);
        Ok(())
    }

    pub(crate) fn mark_paid(&mut self, license: usize, paid: bool) -> Result<(), &'static str> {
        let unpaid = self.unpaid();
        let l = &mut self.licenses[license];
        match l.resale {
            None if l.owner == "customer" => Err("not_license_reseller"),
            None => Err("license_not_found"),
            Some(true) if !paid && unpaid >= 10 => Err("unpaid_limit_reached"),
            Some(_) => {
                l.resale = Some(paid);
                Ok(())
            }
        }
    }

    /// The real state matches the model: every license, project and transfer.
    pub(crate) fn check(
        &self,
        run: &Runner,
        project_ids: &[ProjectId],
        transfer_ids: &[entitle_rules::ids::TransferId],
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(run.state.licenses.len(), self.licenses.len());
        for m in &self.licenses {
            let l = run
                .state
                .license(&LicenseKey::new(m.key.clone()).unwrap())
                .unwrap();
            prop_assert_eq!(l.owner_id.as_str(), m.owner.as_str(), "owner of {}", m.key);
            prop_assert_eq!(
                l.project_id(),
                m.project.map(|p| &project_ids[p]),
                "project of {}",
                m.key
            );
            prop_assert_eq!(l.activated, m.activated);
            prop_assert_eq!(l.expires_at, m.expires_at);
            prop_assert_eq!(
                l.resale.as_ref().map(|r| r.is_paid()),
                m.resale,
                "payment of {}",
                m.key
            );
            if let Some(a) = &l.assignment {
                // Whoever put it there, a license on a project here is its owner's.
                prop_assert_eq!(&a.assigned_by, &l.owner_id);
            }
        }
        prop_assert_eq!(run.state.projects.len(), self.projects.len());
        for (m, pid) in self.projects.iter().zip(project_ids) {
            let p = run.state.project(pid).unwrap();
            prop_assert_eq!(p.owner_id.as_str(), m.owner.as_str());
            prop_assert_eq!(
                (p.kind, p.server_active, p.active_panels),
                (m.kind, m.server_active, m.panels)
            );
        }
        prop_assert_eq!(run.state.transfers.len(), self.transfers.len());
        for (m, tid) in self.transfers.iter().zip(transfer_ids) {
            let t = run.state.transfer(tid).unwrap();
            let subject = match m.subject {
                ModelSubject::License(l) => TransferSubject::License {
                    license_key: LicenseKey::new(self.licenses[l].key.clone()).unwrap(),
                },
                ModelSubject::Project(p) => TransferSubject::Project {
                    project_id: project_ids[p].clone(),
                },
            };
            prop_assert_eq!(&t.subject, &subject);
            prop_assert_eq!(
                (
                    t.from_id.as_str(),
                    t.to_id.as_str(),
                    t.requested_by.as_str()
                ),
                (m.from.as_str(), m.to.as_str(), m.requested_by.as_str())
            );
            prop_assert_eq!(t.expires_at, m.expires_at);
            prop_assert_eq!(
                t.status_at(run.now),
                m.status_at(run.now),
                "status of {:?}",
                m
            );
        }
        Ok(())
    }
}

pub(crate) fn code<T>(result: &Result<T, entitle_rules::CommandError>) -> Result<(), String> {
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(e.code().to_owned()),
    }
}

pub(crate) fn movers_setup() -> (Runner, MoveModel) {
    let mut state = State::default();
    let corp: entitle_rules::ids::CompanyId = "corp".try_into().unwrap();
    let mut admin = account("admin", AccountKind::Integrator);
    admin.company = Some(Membership {
        company_id: corp.clone(),
        role: CompanyRole::Admin,
    });
    let mut employee = account("employee", AccountKind::Integrator);
    employee.company = Some(Membership {
        company_id: corp,
        role: CompanyRole::Employee,
    });
    let mut customer = account("customer", AccountKind::Customer);
    customer.managed_by = Some(id("reseller"));
    state.accounts.extend([
        admin,
        employee,
        account("integrator", AccountKind::Integrator),
        account("enduser", AccountKind::EndUser),
        account("reseller", AccountKind::Reseller),
        customer,
    ]);
    state.products.push(Product {
        id: "p".try_into().unwrap(),
        name: "P".into(),
        family: "prestashop".into(),
        billing: Billing::OneOff,
    });
    let mut model = MoveModel::default();
    for (n, owner) in ["admin", "employee", "employee", "integrator", "enduser"]
        .iter()
        .enumerate()
    {
        let key = format!("L{n}");
        let mut license = License::new(
            key.as_str().try_into().unwrap(),
            "p".try_into().unwrap(),
            id(owner),
        );
        // One license is activated on a device: it cannot move alone.
        license.activated = n == 4;
        state.licenses.push(license);
        model.licenses.push(ModelLicense {
            key,
            owner: (*owner).to_owned(),
            project: None,
            activated: n == 4,
            expires_at: None,
            resale: None,
        });
    }
    (
        Runner {
            state,
            now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
            counter: 0,
            later: &[],
        },
        model,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// Issue 12: every outcome of a transfer, assignment, runtime report, resale or payment is
    /// predicted by the model (with its error code), and the state matches the model after
    /// every step: nothing lost, duplicated or moved that should not have.
    #[test]
    fn transfers_and_resellers_follow_the_model(steps in proptest::collection::vec(move_step(), 1..40)) {
        let (mut run, mut model) = movers_setup();
        let mut projects: Vec<ProjectId> = Vec::new();
        let mut transfers: Vec<entitle_rules::ids::TransferId> = Vec::new();
        for step in steps {
            let now = run.now;
            match step.clone() {
                MoveStep::Wait(days) => run.now = run.now.plus_days(days),
                MoveStep::RequestLicense { actor, license, to } => {
                    let Some(key) = model.licenses.get(license).map(|l| l.key.clone()) else { continue };
                    let (actor, to) = (MOVERS[actor], MOVERS[to]);
                    let expected = model.request_license(actor, license, to, now);
                    let decision = run.decide(actor, Action::LicenseTransfer, &key);
                    let result = run.run(actor, Command::RequestLicenseTransfer { license_key: key.as_str().try_into().unwrap(), to_email: format!("{to}@example.com") });
                    prop_assert_eq!(code(&result), expected.map_err(str::to_owned), "{:?}", step);
                    // The permission check predicts the command, save for the target's address.
                    prop_assert!(decision.is_allowed() || result.is_err());
                    if let Ok(outcome) = result {
                        let Some(entitle_rules::Change::PutTransfer(t)) = outcome.changes.last() else { panic!("no transfer") };
                        transfers.push(t.id.clone());
                        let from = model.licenses[license].owner.clone();
                        model.transfers.push(ModelTransfer { subject: ModelSubject::License(license), from, to: to.to_owned(), requested_by: actor.to_owned(), status: TransferStatus::Pending, expires_at: now.plus_days(7) });
                    }
                }
                MoveStep::RequestProject { actor, project, to } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let (actor, to) = (MOVERS[actor], MOVERS[to]);
                    let expected = model.request_project(actor, project, to, now);
                    let result = run.run(actor, Command::RequestProjectTransfer { project_id: pid, to_email: format!("{to}@example.com") });
                    prop_assert_eq!(code(&result), expected.map_err(str::to_owned), "{:?}", step);
                    if let Ok(outcome) = result {
                        let Some(entitle_rules::Change::PutTransfer(t)) = outcome.changes.last() else { panic!("no transfer") };
                        transfers.push(t.id.clone());
                        model.transfers.push(ModelTransfer { subject: ModelSubject::Project(project), from: actor.to_owned(), to: to.to_owned(), requested_by: actor.to_owned(), status: TransferStatus::Pending, expires_at: now.plus_days(7) });
                    }
                }
                MoveStep::Accept { actor, transfer } => {
                    let Some(tid) = transfers.get(transfer).cloned() else { continue };
                    let actor = MOVERS[actor];
                    let expected = model.accept(actor, transfer, now);
                    let result = run.run(actor, Command::AcceptTransfer { transfer_id: tid });
                    prop_assert_eq!(code(&result), expected.map_err(str::to_owned), "{:?}", step);
                }
                MoveStep::Cancel { actor, transfer } => {
                    let Some(tid) = transfers.get(transfer).cloned() else { continue };
                    let actor = MOVERS[actor];
                    let expected = model.cancel(actor, transfer, now);
                    let result = run.run(actor, Command::CancelTransfer { transfer_id: tid });
                    prop_assert_eq!(code(&result), expected.map_err(str::to_owned), "{:?}", step);
                }
                MoveStep::CreateProject { actor, kind } => {
                    let (actor, kind) = (MOVERS[actor], KINDS[kind]);
                    let outcome = run.run(actor, Command::CreateProject { name: "p".into(), kind: Some(kind) }).unwrap();
                    let Some(entitle_rules::Change::PutProject(p)) = outcome.changes.first() else { panic!("no project") };
                    projects.push(p.id.clone());
                    model.projects.push(ModelProject { owner: actor.to_owned(), kind, server_active: false, panels: 0 });
                }
                MoveStep::Assign { actor, project, license } => {
                    let (Some(pid), Some(key)) = (projects.get(project).cloned(), model.licenses.get(license).map(|l| l.key.clone())) else { continue };
                    let actor = MOVERS[actor];
                    let expected = model.assign(actor, project, license, now);
                    let result = run.run(actor, Command::AssignLicense { project_id: pid, license_key: key.as_str().try_into().unwrap() });
                    prop_assert_eq!(code(&result), expected.map_err(str::to_owned), "{:?}", step);
                }
                MoveStep::Runtime { project, server, panels } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let runtime = entitle_rules::ProjectRuntime { project_id: pid, server_active: server, active_panels: panels };
                    let outcome = entitle_rules::execute_store(&run.state, &entitle_rules::StoreCommand::SetProjectRuntime(runtime), run.now).unwrap();
                    run.state.apply_all(&outcome.changes);
                    model.projects[project].server_active = server;
                    model.projects[project].panels = panels;
                }
                MoveStep::Resell { quantity, paid } => {
                    let request = entitle_rules::NewLicenses {
                        product_id: "p".try_into().unwrap(), customer_id: id("customer"), quantity,
                        license_type: LicenseType::Trial, tier: LicenseTier::Primary, reseller_notes: None,
                        customer_details: None, customer_paid: paid, customer_paid_at: None,
                    };
                    let expected = if !paid && model.unpaid() + quantity as usize > 10 { Err("unpaid_limit_reached") } else { Ok(()) };
                    let result = run.run("reseller", Command::CreateLicenses(request));
                    prop_assert_eq!(code(&result), expected.map_err(str::to_owned), "{:?}", step);
                    if let Ok(outcome) = result {
                        let mut created = 0;
                        for e in &outcome.events {
                            if let entitle_rules::EventPayload::LicenseCreated { license_key, .. } = &e.payload {
                                created += 1;
                                // Trials of a prestashop product last 30 days.
                                model.licenses.push(ModelLicense { key: license_key.to_string(), owner: "customer".into(), project: None, activated: false, expires_at: Some(now.plus_days(30)), resale: Some(paid) });
                            }
                        }
                        prop_assert_eq!(created, quantity);
                    }
                }
                MoveStep::MarkPaid { license, paid } => {
                    let Some(key) = model.licenses.get(license).map(|l| l.key.clone()) else { continue };
                    let expected = model.mark_paid(license, paid);
                    let result = run.run("reseller", Command::UpdateLicensePayment { license_key: key.as_str().try_into().unwrap(), customer_paid: paid, customer_paid_at: None });
                    prop_assert_eq!(code(&result), expected.map_err(str::to_owned), "{:?}", step);
                }
            }
            model.check(&run, &projects, &transfers)?;
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
