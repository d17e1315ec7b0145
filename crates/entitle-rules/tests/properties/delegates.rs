//! Contract delegates (seed 003), with windows: invitations, acceptance, revocation, PATCH of
//! a window and the sweep, against a model.

use super::support::*;
use entitle_rules::ids::ContractId;
use entitle_rules::model::*;
use entitle_rules::{Action, Command, ResourceType, State, Timestamp};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) const PEOPLE: [&str; 4] = ["d1", "d2", "d3", "x"];
pub(crate) const FORBIDDEN_TO_DELEGATES: [Action; 7] = [
    Action::ContractBillingView,
    Action::ContractBillingManage,
    Action::ContractCancel,
    Action::ContractUpgrade,
    Action::ContractModify,
    Action::ContractDelegatesManage,
    Action::ContractDelegatesRevoke,
];

#[derive(Clone, Debug)]
pub(crate) enum DelegateStep {
    Invite(usize, Window),
    Accept { actor: usize, token: usize },
    Revoke(usize),
    Resend(usize),
    Cancel(usize),
    Ticket(usize),
    Update(usize, Option<i64>),
    Sweep,
    Wait(i64),
}

pub(crate) fn delegate_step() -> impl Strategy<Value = DelegateStep> {
    prop_oneof![
        (0..4usize, window()).prop_map(|(p, w)| DelegateStep::Invite(p, w)),
        (0..4usize, 0..12usize).prop_map(|(actor, token)| DelegateStep::Accept { actor, token }),
        (0..4usize).prop_map(DelegateStep::Revoke),
        (0..4usize).prop_map(DelegateStep::Resend),
        (0..4usize).prop_map(DelegateStep::Cancel),
        (0..5usize).prop_map(DelegateStep::Ticket),
        (
            0..4usize,
            prop_oneof![Just(None), Just(Some(-1)), Just(Some(20)), Just(Some(300))]
        )
            .prop_map(|(p, end)| DelegateStep::Update(p, end)),
        Just(DelegateStep::Sweep),
        (1..120i64).prop_map(DelegateStep::Wait),
    ]
}

/// The window an invitation offers: its start (if later than its acceptance) and its end.
pub(crate) type Offered = (Option<Timestamp>, Option<Timestamp>);

/// The naive model: who is a delegate for which window, and which token is live for whom until
/// when, offering which window.
#[derive(Default)]
pub(crate) struct DelegateModel {
    /// Delegations neither revoked nor replaced: ended ones stay until they are.
    pub(crate) delegates: BTreeMap<&'static str, Span>,
    /// Live tokens: token → (invitee, expiry, the window offered: start and end).
    pub(crate) live: BTreeMap<String, (&'static str, Timestamp, Offered)>,
    /// Invitation id per invitee, while one is pending or expired, and the end it offers.
    pub(crate) invitation: BTreeMap<&'static str, (String, Option<Timestamp>)>,
}

impl DelegateModel {
    pub(crate) fn live_delegate(&self, who: &str, now: Timestamp) -> bool {
        self.delegates.get(who).is_some_and(|s| !s.ended(now))
    }

    pub(crate) fn active(&self, who: &str, now: Timestamp) -> bool {
        self.delegates.get(who).is_some_and(|s| s.active(now))
    }
}
pub(crate) fn delegates_setup() -> Runner {
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
        later: &[36, 200],
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
            let now = run.now;
            match step.clone() {
                DelegateStep::Wait(h) => run.now = hours(run.now, h),
                DelegateStep::Invite(p, window) => {
                    let who = PEOPLE[p];
                    let pending = model.live.values().any(|(w, exp, _)| *w == who && now < *exp);
                    let ((starts_at, expires_at), valid) = given(window, now);
                    let expected = if valid.is_none() {
                        "invalid_window"
                    } else if model.live_delegate(who, now) {
                        "already_delegate"
                    } else if pending {
                        "invitation_pending"
                    } else {
                        "ok"
                    };
                    let result = run.run("owner", Command::InviteDelegate { contract_id: contract.clone(), email: format!("{who}@example.com"), starts_at, expires_at });
                    prop_assert_eq!(code_of(&result), expected, "invite {} {:?}", who, step);
                    if let Ok(outcome) = result {
                        for e in &outcome.events {
                            if let entitle_rules::EventPayload::DelegateInvited { accept_token, invitation_id, expires_at, access_starts_at, access_expires_at, .. } = &e.payload {
                                let offered = (*access_starts_at, *access_expires_at);
                                model.live.retain(|_, (w, _, _)| *w != who);
                                model.live.insert(accept_token.clone(), (who, *expires_at, offered));
                                model.invitation.insert(who, (invitation_id.to_string(), offered.1));
                                tokens.push(accept_token.clone());
                            }
                        }
                    }
                }
                DelegateStep::Accept { actor, token } => {
                    let Some(token) = tokens.get(token).cloned() else { continue };
                    let actor = PEOPLE[actor];
                    let offered = model.live.get(&token).filter(|(w, exp, _)| *w == actor && now < *exp).map(|l| l.2);
                    let result = run.run(actor, Command::AcceptInvitation { token: token.clone() });
                    match offered {
                        Some((_, Some(end))) if now >= end => prop_assert_eq!(code_of(&result), "invitation_window_ended"),
                        Some(_) => prop_assert_eq!(code_of(&result), "ok", "accept by {}", actor),
                        None => prop_assert!(result.is_err(), "accept by {}: {:?}", actor, result),
                    }
                    if let (Ok(_), Some((start, end))) = (&result, offered) {
                        model.live.remove(&token);
                        model.invitation.remove(actor);
                        model.delegates.insert(actor, Span { start: start.filter(|s| *s > now).unwrap_or(now), end });
                    }
                }
                DelegateStep::Revoke(p) => {
                    let who = PEOPLE[p];
                    let result = run.run("owner", Command::RevokeDelegate { contract_id: contract.clone(), account_id: id(who) });
                    prop_assert_eq!(result.is_ok(), model.live_delegate(who, now), "revoke {}: {:?}", who, result);
                    if result.is_ok() {
                        model.delegates.remove(who);
                    }
                    // A delegate cannot revoke anyone.
                    if let Some(d) = PEOPLE.iter().find(|d| model.active(d, now)) {
                        let denied = run.run(d, Command::RevokeDelegate { contract_id: contract.clone(), account_id: id(d) });
                        prop_assert_eq!(denied.unwrap_err().code(), "delegate_action_forbidden");
                    }
                }
                DelegateStep::Resend(p) => {
                    let who = PEOPLE[p];
                    let Some((invitation, end)) = model.invitation.get(who).cloned() else { continue };
                    let result = run.run("owner", Command::ResendInvitation { contract_id: contract.clone(), invitation_id: invitation.as_str().try_into().unwrap() });
                    if end.is_some_and(|e| now >= e) {
                        prop_assert_eq!(code_of(&result), "grant_expired");
                    }
                    if let Ok(outcome) = result {
                        for e in &outcome.events {
                            if let entitle_rules::EventPayload::InvitationResent { accept_token, expires_at, .. } = &e.payload {
                                let offered = model.live.values().find(|(w, _, _)| *w == who).map_or((None, end), |l| l.2);
                                model.live.retain(|_, (w, _, _)| *w != who);
                                model.live.insert(accept_token.clone(), (who, *expires_at, offered));
                                tokens.push(accept_token.clone());
                            }
                        }
                    }
                }
                DelegateStep::Cancel(p) => {
                    let who = PEOPLE[p];
                    let Some((invitation, _)) = model.invitation.get(who).cloned() else { continue };
                    let live = model.live.values().any(|(w, exp, _)| *w == who && now < *exp);
                    let result = run.run("owner", Command::CancelInvitation { contract_id: contract.clone(), invitation_id: invitation.as_str().try_into().unwrap() });
                    prop_assert_eq!(result.is_ok(), live);
                    if result.is_ok() {
                        model.live.retain(|_, (w, _, _)| *w != who);
                        model.invitation.remove(who);
                    }
                }
                DelegateStep::Ticket(p) => {
                    let who = if p == 4 { "owner" } else { PEOPLE[p] };
                    let result = run.run(who, Command::CreateTicket { contract_id: contract.clone(), subject: "s".into(), body: "b".into() });
                    prop_assert_eq!(result.is_ok(), who == "owner" || model.active(who, now));
                }
                DelegateStep::Update(p, end) => {
                    let who = PEOPLE[p];
                    let new_end = end.map(|h| hours(now, h));
                    let expected = match model.delegates.get(who) {
                        None => "delegate_not_found",
                        Some(span) if span.ended(now) => "grant_expired",
                        Some(span) if new_end.is_some_and(|e| e <= now || e <= span.start) => "invalid_window",
                        Some(_) => "ok",
                    };
                    let result = run.run("owner", Command::UpdateDelegate { contract_id: contract.clone(), account_id: id(who), starts_at: None, expires_at: Some(new_end.map(|e| e.to_string())) });
                    prop_assert_eq!(code_of(&result), expected, "{:?}", step);
                    if let (Ok(_), Some(span)) = (&result, model.delegates.get_mut(who)) {
                        span.end = new_end;
                    }
                }
                DelegateStep::Sweep => {
                    let delegates = model.delegates.clone();
                    sweep_checked(&mut run, |payload| {
                        match payload {
                            entitle_rules::EventPayload::DelegateExpired { account_id, expires_at, .. } => {
                                let span = delegates.get(account_id.as_str()).copied();
                                prop_assert!(span.is_some_and(|s| s.ended(now) && s.end == Some(*expires_at)), "{} expired: {:?}", account_id, span);
                            }
                            entitle_rules::EventPayload::DelegateExpiring { account_id, expires_at, .. } => {
                                let span = delegates.get(account_id.as_str()).copied();
                                prop_assert!(span.is_some_and(|s| !s.ended(now) && s.end == Some(*expires_at) && now.plus_days(7) >= *expires_at), "{} expiring: {:?}", account_id, span);
                            }
                            other => prop_assert!(false, "the sweep wrote {:?}", other),
                        }
                        Ok(())
                    })?;
                }
            }
            // Invariants.
            let now = run.now;
            for who in PEOPLE {
                let is_delegate = model.active(who, now);
                for action in Action::ALL.iter().copied().filter(|a| a.resource_type() == ResourceType::Contract) {
                    let decision = run.decide(who, action, "c");
                    if !is_delegate {
                        prop_assert!(!decision.is_allowed(), "{} is no delegate but may {}", who, action);
                    } else if FORBIDDEN_TO_DELEGATES.contains(&action) {
                        prop_assert!(!decision.is_allowed(), "delegate {} may {}", who, action);
                    } else {
                        prop_assert!(decision.is_allowed(), "delegate {} may not {}", who, action);
                    }
                }
            }
            // The owner may remove delegates exactly while some are left (issue 20).
            let left = PEOPLE.iter().any(|p| model.live_delegate(p, now)) || model.live.values().any(|(_, exp, _)| now < *exp);
            prop_assert_eq!(run.decide("owner", Action::ContractDelegatesRevoke, "c").is_allowed(), left);
            snapshot_agrees_everywhere(&run);
            let mut pending_per_email = BTreeMap::new();
            for i in run.state.invitations.iter().filter(|i| i.status_at(now) == InvitationStatus::Pending) {
                *pending_per_email.entry(i.email.clone()).or_insert(0) += 1;
            }
            prop_assert!(pending_per_email.values().all(|n| *n <= 1), "one pending invitation per e-mail: {:?}", pending_per_email);
            let real: BTreeSet<String> = run.state.delegates.iter().filter(|d| d.status_at(now) == GrantStatus::Active).map(|d| d.account_id.to_string()).collect();
            let modelled: BTreeSet<String> = PEOPLE.iter().filter(|p| model.active(p, now)).map(|s| s.to_string()).collect();
            prop_assert_eq!(real, modelled);
            for d in &run.state.delegates {
                let live = matches!(d.status_at(now), GrantStatus::Active | GrantStatus::Scheduled);
                prop_assert_eq!(live, model.live_delegate(d.account_id.as_str(), now), "{:?}", d);
            }
        }
    }
}
