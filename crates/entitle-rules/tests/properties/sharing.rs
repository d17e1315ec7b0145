//! Project sharing (seed 000), with windows: shares, unshares, assignments, PATCH of a window
//! and the sweep, against a model.

use super::support::*;
use entitle_rules::access::{project_licenses, projects_for};
use entitle_rules::ids::{LicenseKey, ProjectId};
use entitle_rules::model::*;
use entitle_rules::{Action, Command, State, Timestamp};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) const SHARERS: [&str; 3] = ["owner", "r1", "r2"];

#[derive(Clone, Debug)]
pub(crate) enum ShareStep {
    Create,
    Share {
        project: usize,
        to: usize,
        window: Window,
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
    Update {
        project: usize,
        to: usize,
        end: Option<i64>,
    },
    TransferOrder,
    Sweep,
    Wait(i64),
}

pub(crate) fn share_step() -> impl Strategy<Value = ShareStep> {
    prop_oneof![
        1 => Just(ShareStep::Create),
        3 => (0..2usize, 0..3usize, window())
            .prop_map(|(project, to, window)| ShareStep::Share { project, to, window }),
        1 => (0..2usize, 0..3usize).prop_map(|(project, to)| ShareStep::Unshare { project, to }),
        5 => (0..3usize, 0..2usize, 0..8usize).prop_map(|(actor, project, license)| {
            ShareStep::Assign {
                actor,
                project,
                license,
            }
        }),
        1 => (0..3usize, 0..2usize, 0..8usize).prop_map(|(actor, project, license)| {
            ShareStep::Unassign {
                actor,
                project,
                license,
            }
        }),
        3 => (
            0..2usize,
            0..3usize,
            prop_oneof![Just(None), Just(Some(-1)), Just(Some(20)), Just(Some(300))]
        )
            .prop_map(|(project, to, end)| ShareStep::Update { project, to, end }),
        1 => Just(ShareStep::TransferOrder),
        2 => Just(ShareStep::Sweep),
        2 => (1..120i64).prop_map(ShareStep::Wait),
    ]
}

pub(crate) fn sharing_setup() -> (Runner, Vec<(String, String)>) {
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
        billing: Billing::Recurring,
    });
    (
        Runner {
            state,
            now: Timestamp::parse("2026-02-01T00:00:00Z").unwrap(),
            counter: 0,
            later: &[36, 200],
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
        let mut shares: BTreeMap<(usize, &str), Span> = BTreeMap::new();
        // license → (project index, assigner), as stored: a recipient's assignment holds while
        // its share has not ended.
        let mut assigned: BTreeMap<String, (usize, String)> = BTreeMap::new();
        let mut transferred = false;
        for step in steps {
            let now = run.now;
            let holds = |shares: &BTreeMap<(usize, &str), Span>, (p, by): &(usize, String), now| {
                by == "owner" || shares.get(&(*p, by.as_str())).is_some_and(|s: &Span| !s.ended(now))
            };
            let active = |shares: &BTreeMap<(usize, &str), Span>, p: usize, who: &str, now| {
                who == "owner" || shares.get(&(p, who)).is_some_and(|s: &Span| s.active(now))
            };
            match step.clone() {
                ShareStep::Wait(h) => run.now = hours(run.now, h),
                ShareStep::Create => {
                    let outcome = run.run("owner", Command::CreateProject { name: "p".into(), kind: None }).unwrap();
                    let Some(entitle_rules::Change::PutProject(p)) = outcome.changes.first() else { panic!("no project") };
                    projects.push(p.id.clone());
                }
                ShareStep::Share { project, to, window } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let to = SHARERS[to];
                    let ((starts_at, expires_at), valid) = given(window, now);
                    let expected = if to == "owner" {
                        "cannot_share_with_self"
                    } else if valid.is_none() {
                        "invalid_window"
                    } else if shares.get(&(project, to)).is_some_and(|s| !s.ended(now)) {
                        "already_shared"
                    } else {
                        "ok"
                    };
                    let result = run.run("owner", Command::ShareProject { project_id: pid, email: format!("{to}@example.com"), starts_at, expires_at });
                    prop_assert_eq!(code_of(&result), expected, "{:?}", step);
                    if let (Ok(_), Some((start, end))) = (&result, valid) {
                        // An ended share it replaces took its recipient's licenses with it.
                        assigned.retain(|_, (p, by)| !(*p == project && by == to));
                        shares.insert((project, to), Span { start, end });
                    }
                }
                ShareStep::Unshare { project, to } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let to = SHARERS[to];
                    let result = run.run("owner", Command::UnshareProject { project_id: pid.clone(), account_id: id(to) });
                    prop_assert_eq!(result.is_ok(), shares.remove(&(project, to)).is_some());
                    if result.is_ok() {
                        assigned.retain(|_, (p, by)| !(*p == project && by == to));
                        // The recipient keeps nothing on the project and loses it.
                        prop_assert!(project_licenses(&run.state, &id(to), &pid, now).is_err());
                        prop_assert!(!run.state.licenses.iter().any(|l| l.project_id() == Some(&pid) && l.owner_id == id(to)));
                        prop_assert!(!projects_for(&run.state, &id(to), now).iter().any(|v| v.project.id == pid));
                    }
                }
                ShareStep::Assign { actor, project, license } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let actor = SHARERS[actor];
                    let key = format!("L{license}");
                    let on_a_project = assigned.get(&key).is_some_and(|a| holds(&shares, a, now));
                    let expected = active(&shares, project, actor, now) && license_owner[&key] == actor && !on_a_project;
                    let result = run.run(actor, Command::AssignLicense { project_id: pid, license_key: LicenseKey::new(key.clone()).unwrap() });
                    prop_assert_eq!(result.is_ok(), expected, "{} assigns {}: {:?}", actor, key, result);
                    if expected { assigned.insert(key, (project, actor.to_owned())); }
                }
                ShareStep::Unassign { actor, project, license } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let actor = SHARERS[actor];
                    let key = format!("L{license}");
                    let expected = active(&shares, project, actor, now) && assigned.get(&key).is_some_and(|a| holds(&shares, a, now) && a.0 == project && (actor == "owner" || a.1 == actor));
                    let result = run.run(actor, Command::UnassignLicense { project_id: pid, license_key: LicenseKey::new(key.clone()).unwrap() });
                    prop_assert_eq!(result.is_ok(), expected, "{} unassigns {}: {:?}", actor, key, result);
                    if expected { assigned.remove(&key); }
                }
                ShareStep::Update { project, to, end } => {
                    let Some(pid) = projects.get(project).cloned() else { continue };
                    let to = SHARERS[to];
                    let new_end = end.map(|h| hours(now, h));
                    let expected = match shares.get(&(project, to)) {
                        None => "share_not_found",
                        Some(span) if span.ended(now) => "grant_expired",
                        Some(span) if new_end.is_some_and(|e| e <= now || e <= span.start) => "invalid_window",
                        Some(_) => "ok",
                    };
                    let result = run.run("owner", Command::UpdateShare { project_id: pid, account_id: id(to), starts_at: None, expires_at: Some(new_end.map(|e| e.to_string())) });
                    prop_assert_eq!(code_of(&result), expected, "{:?}", step);
                    if let (Ok(_), Some(span)) = (&result, shares.get_mut(&(project, to))) {
                        span.end = new_end;
                    }
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
                ShareStep::Sweep => {
                    let mut recorded = Vec::new();
                    sweep_checked(&mut run, |payload| {
                        match payload {
                            entitle_rules::EventPayload::ShareExpired { project_id, account_id, expires_at, removed_license_keys } => {
                                let index = projects.iter().position(|p| p == project_id).unwrap();
                                let span = shares.get(&(index, account_id.as_str())).copied();
                                prop_assert!(span.is_some_and(|s| s.ended(now) && s.end == Some(*expires_at)), "{:?} expired: {:?}", payload, span);
                                let mut theirs: Vec<String> = assigned.iter().filter(|(_, (p, by))| *p == index && by == account_id.as_str()).map(|(k, _)| k.clone()).collect();
                                let mut removed: Vec<String> = removed_license_keys.iter().map(ToString::to_string).collect();
                                theirs.sort();
                                removed.sort();
                                prop_assert_eq!(&removed, &theirs);
                                recorded.extend(removed);
                            }
                            entitle_rules::EventPayload::ShareExpiring { project_id, account_id, expires_at } => {
                                let index = projects.iter().position(|p| p == project_id).unwrap();
                                let span = shares.get(&(index, account_id.as_str())).copied();
                                prop_assert!(span.is_some_and(|s| !s.ended(now) && s.end == Some(*expires_at) && now.plus_days(7) >= *expires_at), "{:?}: {:?}", payload, span);
                            }
                            other => prop_assert!(false, "the sweep wrote {:?}", other),
                        }
                        Ok(())
                    })?;
                    for key in recorded {
                        assigned.remove(&key);
                    }
                }
            }
            snapshot_agrees_everywhere(&run);
            // Invariants: nothing lost or duplicated; assignments as modelled; the owner sees all.
            let now = run.now;
            prop_assert_eq!(run.state.licenses.len(), 8);
            let keys: BTreeSet<String> = run.state.licenses.iter().map(|l| l.license_key.to_string()).collect();
            prop_assert_eq!(keys.len(), 8);
            for license in &run.state.licenses {
                let key = license.license_key.to_string();
                prop_assert_eq!(license.owner_id.to_string(), license_owner[&key].clone());
                let stored = assigned.get(&key).map(|(p, _)| projects[*p].clone());
                prop_assert_eq!(license.project_id().cloned(), stored, "{} as stored", key);
                let modelled = assigned.get(&key).filter(|a| holds(&shares, a, now)).map(|(p, _)| projects[*p].clone());
                prop_assert_eq!(license.project_at(now).cloned(), modelled, "{} at {}", key, now);
                // A recipient's license leaves the project when its share ends: one fact, kept
                // in the share and in the assignment.
                if let Some(a) = &license.assignment
                    && let Some(share) = run.state.share(&a.project_id, &a.assigned_by)
                {
                    prop_assert_eq!(a.until, share.expires_at, "the end of {} and of its share", key);
                }
            }
            for (index, pid) in projects.iter().enumerate() {
                let seen: BTreeSet<String> = project_licenses(&run.state, &id("owner"), pid, now).unwrap().iter().map(|l| l.license_key.to_string()).collect();
                let expected: BTreeSet<String> = assigned.iter().filter(|(_, a)| a.0 == index && holds(&shares, a, now)).map(|(k, _)| k.clone()).collect();
                prop_assert_eq!(seen, expected);
                for who in ["r1", "r2"] {
                    let decision = run.decide(who, Action::ProjectView, pid.as_str());
                    prop_assert_eq!(decision.is_allowed(), active(&shares, index, who, now));
                    prop_assert!(!run.decide(who, Action::ProjectShare, pid.as_str()).is_allowed());
                }
            }
        }
    }
}
