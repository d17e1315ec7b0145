//! Model-based property tests: random command sequences run against the real rules and a
//! naive model; after every step the two must agree and the invariants must hold.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

use entitle_rules::access::{affected_accounts, project_licenses, projects_for, scoped_snapshot};
use entitle_rules::ids::{AccountId, ContractId, LicenseKey, ProjectId};
use entitle_rules::model::*;
use entitle_rules::plans;
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
        company: None,
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
    /// How far ahead (in hours) a snapshot taken now must still decide as the full state does
    /// then: the npm package answers for a later `now` on the snapshot it holds.
    later: &'static [i64],
}

fn hours(at: Timestamp, hours: i64) -> Timestamp {
    Timestamp::from_unix_millis(at.unix_millis() + hours * 3_600_000)
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
        // And its plan names every read up front: one round of reads is enough.
        let (planned, missing) =
            plans::command(&id(actor), &command).run(&self.state, |s| execute(s, &command, &ctx));
        assert_eq!(
            planned, result,
            "the planned state changed the outcome of {command:?}"
        );
        assert!(
            missing.is_empty(),
            "{command:?} read beyond its plan: {missing:?}"
        );
        if let Ok(outcome) = &result {
            let before = self.state.clone();
            self.state.apply_all(&outcome.changes);
            everyone_whose_snapshot_changed_is_told(
                &before,
                &self.state,
                &outcome.changes,
                self.now,
            );
        }
        result
    }

    fn decide(&self, actor: &str, action: Action, resource_id: &str) -> entitle_rules::Decision {
        let resource = Resource {
            resource_type: action.resource_type(),
            id: resource_id.to_owned(),
        };
        let full = authorize(&self.state, &id(actor), action, &resource, self.now).unwrap();
        let mut snapshot_state = access_snapshot(&self.state, &id(actor), self.now);
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
        // Later, with nothing changed meanwhile, it still answers as the full state then does:
        // windows start and end on the snapshot as they do on the records.
        for ahead in self.later {
            let later = hours(self.now, *ahead);
            assert_eq!(
                authorize(&snapshot_state, &id(actor), action, &resource, later).unwrap(),
                authorize(&self.state, &id(actor), action, &resource, later).unwrap(),
                "a snapshot taken at {} decides `{}` on `{}` otherwise than the records at {later}",
                self.now,
                action.name(),
                resource_id
            );
        }
        full
    }

    /// Runs the sweep on every grant due now, as the store's cron does, checking that it wants
    /// nothing beyond its plan and changes no decision; returns its events.
    fn sweep(&mut self) -> Vec<entitle_rules::Event> {
        let command = entitle_rules::StoreCommand::SweepWindows(entitle_rules::sweep::due(
            &self.state,
            self.now,
        ));
        let run = |s: &State| entitle_rules::execute_store(s, &command, self.now);
        let outcome = run(&self.state).unwrap();
        let (planned, missing) =
            plans::store_commands(std::slice::from_ref(&command)).run(&self.state, run);
        assert_eq!(planned.unwrap(), outcome, "the planned sweep differs");
        assert!(
            missing.is_empty(),
            "the sweep read beyond its plan: {missing:?}"
        );
        let before: Vec<State> = (self.state.accounts.iter())
            .map(|a| access_snapshot(&self.state, &a.id, self.now))
            .collect();
        self.state.apply_all(&outcome.changes);
        for (account, snapshot) in self.state.accounts.iter().zip(before) {
            let after = access_snapshot(&self.state, &account.id, self.now);
            // What the end implies was already so: only the bookkeeping of the grants differs.
            assert_eq!(
                forget_notices(after),
                forget_notices(snapshot),
                "the sweep changed what `{}` sees",
                account.id
            );
        }
        outcome.events
    }
}

/// A state without the sweep's bookkeeping (what it does next for each window, the stored
/// status of a delegation it recorded as ended, the assignments whose end it recorded).
fn forget_notices(mut state: State) -> State {
    for share in &mut state.shares {
        share.next_notice_at = None;
    }
    for delegate in &mut state.delegates {
        delegate.next_notice_at = None;
        if delegate.status == DelegateStatus::Expired {
            delegate.status = DelegateStatus::Active;
        }
    }
    state
}

impl Runner {
    /// The scoped snapshot of `resource`, loaded by its plan as the worker loads it, decides
    /// every action on the resource as the full state does, and wants nothing beyond the plan.
    fn scoped_agrees(&self, actor: &str, resource: &Resource) {
        let (scoped, missing) = plans::authorize(&id(actor), resource).run(&self.state, |s| {
            scoped_snapshot(s, &id(actor), std::slice::from_ref(resource), self.now)
        });
        assert!(
            missing.is_empty(),
            "the scoped snapshot of {resource:?} read beyond its plan: {missing:?}"
        );
        for other in Action::ALL
            .iter()
            .filter(|a| a.resource_type() == resource.resource_type)
        {
            assert_eq!(
                authorize(&scoped, &id(actor), *other, resource, self.now).unwrap(),
                authorize(&self.state, &id(actor), *other, resource, self.now).unwrap(),
                "the scoped snapshot must decide `{}` as the full state does",
                other.name()
            );
        }
    }
}

/// Issue 24: every account whose access snapshot differs after a command (products aside: they
/// decide nothing) is among those `affected_accounts` names, on the whole state and on a state
/// loaded read by read as the worker loads it.
fn everyone_whose_snapshot_changed_is_told(
    before: &State,
    after: &State,
    changes: &[entitle_rules::Change],
    now: Timestamp,
) {
    let told = affected_accounts(before, changes);
    let (loaded, _) = State::resolve(before, |s| affected_accounts(s, changes));
    assert_eq!(loaded, told, "the loaded state changed who is told");
    let accounts: BTreeSet<&AccountId> = before
        .accounts
        .iter()
        .chain(&after.accounts)
        .map(|a| &a.id)
        .collect();
    for account in accounts {
        let mut was = access_snapshot(before, account, now);
        let mut is = access_snapshot(after, account, now);
        was.products.clear();
        is.products.clear();
        assert!(
            was == is || told.contains(account),
            "the snapshot of `{account}` changed but it is not told: {changes:?}"
        );
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
        // The snapshot's plan loads everything the snapshot shows.
        let (planned, _) =
            plans::snapshot(&actor.id).run(&run.state, |s| access_snapshot(s, &actor.id, run.now));
        assert_eq!(
            planned,
            access_snapshot(&run.state, &actor.id, run.now),
            "the planned snapshot of `{}` differs",
            actor.id
        );
        for (resource_type, id) in &resources {
            let resource = Resource {
                resource_type: *resource_type,
                id: id.clone(),
            };
            run.scoped_agrees(actor.id.as_str(), &resource);
        }
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
const FORBIDDEN_TO_DELEGATES: [Action; 7] = [
    Action::ContractBillingView,
    Action::ContractBillingManage,
    Action::ContractCancel,
    Action::ContractUpgrade,
    Action::ContractModify,
    Action::ContractDelegatesManage,
    Action::ContractDelegatesRevoke,
];

/// A window given to a command, in hours from now: a start and an end, each optional. Some
/// are no window at all (an end now or before the start, or more than 730 days ahead).
type Window = (Option<i64>, Option<i64>);

fn window() -> impl Strategy<Value = Window> {
    (
        prop_oneof![Just(None), Just(Some(-24)), Just(Some(12)), Just(Some(48))],
        prop_oneof![
            Just(None),
            Just(Some(6)),
            Just(Some(36)),
            Just(Some(200)),
            Just(Some(0)),
            Just(Some(-3)),
            Just(Some(730 * 24 + 1)),
        ],
    )
}

/// A window as a command takes it: its start and end as RFC 3339 text.
type WindowText = (Option<String>, Option<String>);

/// A window's start and end instants (none: no end).
type Instants = (Timestamp, Option<Timestamp>);

/// A window as a command takes it (RFC 3339 text), and as the rules check it: the start and
/// end instants, or `None` when it is no window.
fn given(window: Window, now: Timestamp) -> (WindowText, Option<Instants>) {
    let start = window.0.map(|h| hours(now, h));
    let end = window.1.map(|h| hours(now, h));
    let text = (start.map(|t| t.to_string()), end.map(|t| t.to_string()));
    let from = start.map_or(now, |s| s.max(now));
    let valid = end.is_none_or(|e| e > now && e > from && e <= now.plus_days(730));
    (text, valid.then_some((from, end)))
}

/// A grant's window in the models: from `start` until `end` (none: no end).
#[derive(Clone, Copy, Debug)]
struct Span {
    start: Timestamp,
    end: Option<Timestamp>,
}

impl Span {
    fn active(&self, now: Timestamp) -> bool {
        self.start <= now && self.end.is_none_or(|e| now < e)
    }

    fn ended(&self, now: Timestamp) -> bool {
        self.end.is_some_and(|e| now >= e)
    }
}

#[derive(Clone, Debug)]
enum DelegateStep {
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

fn delegate_step() -> impl Strategy<Value = DelegateStep> {
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
type Offered = (Option<Timestamp>, Option<Timestamp>);

/// The naive model: who is a delegate for which window, and which token is live for whom until
/// when, offering which window.
#[derive(Default)]
struct DelegateModel {
    /// Delegations neither revoked nor replaced: ended ones stay until they are.
    delegates: BTreeMap<&'static str, Span>,
    /// Live tokens: token → (invitee, expiry, the window offered: start and end).
    live: BTreeMap<String, (&'static str, Timestamp, Offered)>,
    /// Invitation id per invitee, while one is pending or expired, and the end it offers.
    invitation: BTreeMap<&'static str, (String, Option<Timestamp>)>,
}

impl DelegateModel {
    fn live_delegate(&self, who: &str, now: Timestamp) -> bool {
        self.delegates.get(who).is_some_and(|s| !s.ended(now))
    }

    fn active(&self, who: &str, now: Timestamp) -> bool {
        self.delegates.get(who).is_some_and(|s| s.active(now))
    }
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
        later: &[36, 200],
    }
}

fn code_of<T>(result: &Result<T, entitle_rules::CommandError>) -> &str {
    result.as_ref().map_or_else(|e| e.code(), |_| "ok")
}

/// Checks a sweep's events against the windows of a model (`ended`: whether the grant of
/// those ids has ended now; `left`: how long it has left), then that a second sweep right
/// after it has nothing to do.
fn sweep_checked(
    run: &mut Runner,
    mut check: impl FnMut(&entitle_rules::EventPayload) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    for event in run.sweep() {
        prop_assert_eq!(event.actor_id, None);
        check(&event.payload)?;
    }
    prop_assert!(
        run.sweep().is_empty(),
        "a second sweep found something to do"
    );
    Ok(())
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

// ---------------------------------------------------------------- project sharing (000)

const SHARERS: [&str; 3] = ["owner", "r1", "r2"];

#[derive(Clone, Debug)]
enum ShareStep {
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

fn share_step() -> impl Strategy<Value = ShareStep> {
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

// ---------------------------------------------------------------- transfers and resellers

const MOVERS: [&str; 4] = ["admin", "employee", "integrator", "enduser"];
const KINDS: [ProjectKind; 4] = [
    ProjectKind::Standard,
    ProjectKind::Server,
    ProjectKind::Lite,
    ProjectKind::ServerlessPro,
];

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

/// A license as the model sees it.
#[derive(Clone, Debug, PartialEq)]
struct ModelLicense {
    key: String,
    owner: String,
    /// The index of the project it is on.
    project: Option<usize>,
    activated: bool,
    expires_at: Option<Timestamp>,
    /// Created by the reseller, and whether its customer paid.
    resale: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
struct ModelProject {
    owner: String,
    kind: ProjectKind,
    server_active: bool,
    panels: u32,
}

#[derive(Clone, Debug, PartialEq)]
enum ModelSubject {
    /// A license, by index.
    License(usize),
    /// A project, by index.
    Project(usize),
}

#[derive(Clone, Debug)]
struct ModelTransfer {
    subject: ModelSubject,
    from: String,
    to: String,
    requested_by: String,
    /// Pending, accepted or cancelled; a pending one past `expires_at` is expired.
    status: TransferStatus,
    expires_at: Timestamp,
}

impl ModelTransfer {
    fn status_at(&self, now: Timestamp) -> TransferStatus {
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
struct MoveModel {
    licenses: Vec<ModelLicense>,
    projects: Vec<ModelProject>,
    transfers: Vec<ModelTransfer>,
}

/// Who may receive a project of `kind`: server and lite projects go to integrator or DIY
/// accounts, serverless pro ones also to end users, standard ones to anyone.
fn model_may_receive(kind: ProjectKind, to: &str) -> bool {
    let end_user = to == "enduser";
    match kind {
        ProjectKind::Standard => true,
        ProjectKind::Server | ProjectKind::Lite => !end_user,
        ProjectKind::ServerlessPro => true,
    }
}

/// Why a project cannot leave now, if it cannot.
fn model_runtime_blocks(project: &ModelProject) -> Option<&'static str> {
    if project.kind == ProjectKind::Server && project.server_active {
        Some("server_active")
    } else if project.kind == ProjectKind::Lite && project.panels > 0 {
        Some("panels_active")
    } else {
        None
    }
}

impl MoveModel {
    fn pending(&self, subject: &ModelSubject, now: Timestamp) -> bool {
        self.transfers
            .iter()
            .any(|t| &t.subject == subject && t.status_at(now) == TransferStatus::Pending)
    }

    fn unpaid(&self) -> usize {
        self.licenses
            .iter()
            .filter(|l| l.resale == Some(false))
            .count()
    }

    fn in_use(&self, license: usize) -> bool {
        let l = &self.licenses[license];
        l.project.is_some() || l.activated
    }

    /// The admin of `corp` acts for its employee.
    fn company_admin(actor: &str, owner: &str) -> bool {
        actor == "admin" && owner == "employee"
    }

    fn request_license(
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

    fn request_project(
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

    fn still_pending(t: &ModelTransfer, now: Timestamp) -> Result<(), &'static str> {
        match t.status_at(now) {
            TransferStatus::Pending => Ok(()),
            TransferStatus::Accepted => Err("transfer_already_accepted"),
            TransferStatus::Cancelled => Err("transfer_cancelled"),
            TransferStatus::Expired => Err("transfer_expired"),
        }
    }

    /// Whether `actor` may act on the transfer: its parties, and while it is pending (as stored),
    /// the subject's owner and that owner's company admin.
    fn acts_on(&self, actor: &str, transfer: usize) -> bool {
        let t = &self.transfers[transfer];
        let owner = match t.subject {
            ModelSubject::License(license) => &self.licenses[license].owner,
            ModelSubject::Project(project) => &self.projects[project].owner,
        };
        [&t.from, &t.to, &t.requested_by].contains(&&actor.to_owned())
            || (t.status == TransferStatus::Pending
                && (owner == actor || Self::company_admin(actor, owner)))
    }

    fn accept(&mut self, actor: &str, transfer: usize, now: Timestamp) -> Result<(), &'static str> {
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

    fn cancel(&mut self, actor: &str, transfer: usize, now: Timestamp) -> Result<(), &'static str> {
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

    fn assign(
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

    fn mark_paid(&mut self, license: usize, paid: bool) -> Result<(), &'static str> {
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
    fn check(
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

fn code<T>(result: &Result<T, entitle_rules::CommandError>) -> Result<(), String> {
    match result {
        Ok(_) => Ok(()),
        Err(e) => Err(e.code().to_owned()),
    }
}

fn movers_setup() -> (Runner, MoveModel) {
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
