//! What every state machine's property test shares: the runner of commands on the real rules,
//! the checks every step passes (snapshots, scoped snapshots, who is told of a change), windows.

use entitle_rules::access::{affected_accounts, scoped_snapshot};
use entitle_rules::ids::AccountId;
use entitle_rules::model::*;
use entitle_rules::plans;
use entitle_rules::text::Email;
use entitle_rules::{
    Action, Command, Context, Resource, ResourceType, State, Timestamp, access_snapshot, authorize,
    execute,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

pub(crate) fn account(id: &str, kind: AccountKind) -> Account {
    Account {
        id: AccountId::new(id).unwrap(),
        email: Email::new(&format!("{id}@example.com")).unwrap(),
        name: id.to_owned(),
        kind,
        company: None,
        managed_by: None,
    }
}

pub(crate) fn id(s: &str) -> AccountId {
    AccountId::new(s).unwrap()
}

pub(crate) struct Runner {
    pub(crate) state: State,
    pub(crate) now: Timestamp,
    pub(crate) counter: u32,
    /// How far ahead (in hours) a snapshot taken now must still decide as the full state does
    /// then: the npm package answers for a later `now` on the snapshot it holds.
    pub(crate) later: &'static [i64],
}

pub(crate) fn hours(at: Timestamp, hours: i64) -> Timestamp {
    Timestamp::from_unix_millis(at.unix_millis() + hours * 3_600_000)
}

impl Runner {
    pub(crate) fn run(
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

    pub(crate) fn decide(
        &self,
        actor: &str,
        action: Action,
        resource_id: &str,
    ) -> entitle_rules::Decision {
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
    pub(crate) fn sweep(&mut self) -> Vec<entitle_rules::Event> {
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
pub(crate) fn forget_notices(mut state: State) -> State {
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
    pub(crate) fn scoped_agrees(&self, actor: &str, resource: &Resource) {
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
pub(crate) fn everyone_whose_snapshot_changed_is_told(
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
pub(crate) fn snapshot_agrees_everywhere(run: &Runner) {
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

/// A window given to a command, in hours from now: a start and an end, each optional. Some
/// are no window at all (an end now or before the start, or more than 730 days ahead).
pub(crate) type Window = (Option<i64>, Option<i64>);

pub(crate) fn window() -> impl Strategy<Value = Window> {
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
pub(crate) type WindowText = (Option<String>, Option<String>);

/// A window's start and end instants (none: no end).
pub(crate) type Instants = (Timestamp, Option<Timestamp>);

/// A window as a command takes it (RFC 3339 text), and as the rules check it: the start and
/// end instants, or `None` when it is no window.
pub(crate) fn given(window: Window, now: Timestamp) -> (WindowText, Option<Instants>) {
    let start = window.0.map(|h| hours(now, h));
    let end = window.1.map(|h| hours(now, h));
    let text = (start.map(|t| t.to_string()), end.map(|t| t.to_string()));
    let from = start.map_or(now, |s| s.max(now));
    let valid = end.is_none_or(|e| e > now && e > from && e <= now.plus_days(730));
    (text, valid.then_some((from, end)))
}

/// A grant's window in the models: from `start` until `end` (none: no end).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub(crate) start: Timestamp,
    pub(crate) end: Option<Timestamp>,
}

impl Span {
    pub(crate) fn active(&self, now: Timestamp) -> bool {
        self.start <= now && self.end.is_none_or(|e| now < e)
    }

    pub(crate) fn ended(&self, now: Timestamp) -> bool {
        self.end.is_some_and(|e| now >= e)
    }
}

pub(crate) fn code_of<T>(result: &Result<T, entitle_rules::CommandError>) -> &str {
    result.as_ref().map_or_else(|e| e.code(), |_| "ok")
}

/// Checks a sweep's events against the windows of a model (`ended`: whether the grant of
/// those ids has ended now; `left`: how long it has left), then that a second sweep right
/// after it has nothing to do.
pub(crate) fn sweep_checked(
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
