//! The sweep of windows: what a store's cron does, every minute, for the shares and delegations
//! whose window has an end. It sends the `*.expiring` reminders 7 days and 1 day before the end,
//! and at the end records what the end implies (the licenses a recipient assigned leave the
//! project, a delegation becomes `expired`) with `*.expired`, once each.
//!
//! Decisions never wait for it: from the end on, every decision and view treats the grant as
//! removed already ([`crate::window`]). Each grant holds what the sweep does next
//! (`nextNoticeAt`), and the store finds the grants due by it (the indexed column `due`), a
//! bounded number per run.

use crate::context::{Outcome, store_event};
use crate::event::EventPayload;
use crate::ids::{AccountId, ContractId, LicenseKey, ProjectId};
use crate::model::{Delegate, DelegateStatus, Share};
use crate::read::Read;
use crate::state::{Change, State};
use crate::time::Timestamp;
use crate::window::{self, Step};
use serde::{Deserialize, Serialize};

/// A share, by its key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareKey {
    /// The project.
    pub project_id: ProjectId,
    /// The recipient.
    pub account_id: AccountId,
}

/// A delegation, by its key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DelegateKey {
    /// The contract.
    pub contract_id: ContractId,
    /// The delegate.
    pub account_id: AccountId,
}

/// The grants one run of the sweep looks at: those the store found due. A grant that is not
/// due (any more) when the sweep runs is left as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sweep {
    /// Shares.
    #[serde(default)]
    pub shares: Vec<ShareKey>,
    /// Delegations.
    #[serde(default)]
    pub delegates: Vec<DelegateKey>,
}

impl Sweep {
    /// What sweeping these grants reads: each grant, and the licenses on each share's project.
    pub fn reads(&self) -> Vec<Read> {
        let mut reads = Vec::new();
        for key in &self.shares {
            reads.push(Read::Share(key.project_id.clone(), key.account_id.clone()));
            reads.push(Read::LicensesOnProject(key.project_id.clone()));
        }
        for key in &self.delegates {
            reads.push(Read::Delegate(
                key.contract_id.clone(),
                key.account_id.clone(),
            ));
        }
        reads
    }

    /// Whether it names no grant.
    pub fn is_empty(&self) -> bool {
        self.shares.is_empty() && self.delegates.is_empty()
    }
}

/// Every grant of a whole `state` that the sweep is due for at `now`: what a store finds with
/// its `due` column (for tests, and for those who run the rules on a whole state).
pub fn due(state: &State, now: Timestamp) -> Sweep {
    Sweep {
        shares: (state.shares.iter())
            .filter(|s| s.sweep_due().is_some_and(|at| at <= now))
            .map(|s| ShareKey {
                project_id: s.project_id.clone(),
                account_id: s.account_id.clone(),
            })
            .collect(),
        delegates: (state.delegates.iter())
            .filter(|d| d.sweep_due().is_some_and(|at| at <= now))
            .map(|d| DelegateKey {
                contract_id: d.contract_id.clone(),
                account_id: d.account_id.clone(),
            })
            .collect(),
    }
}

/// Takes off the share's project every license its recipient assigned (an unshare, the end of
/// its window); returns their keys.
pub(crate) fn leave_with_share(state: &State, out: &mut Outcome, share: &Share) -> Vec<LicenseKey> {
    let mut removed = Vec::new();
    for license in state
        .licenses_on(&share.project_id)
        .into_iter()
        .filter(|l| l.assigned_by() == Some(&share.account_id))
    {
        let mut freed = license.clone();
        freed.unassign();
        removed.push(freed.license_key.clone());
        out.change(Change::PutLicense(freed));
    }
    removed
}

/// Whether a window ending at `end`, whose next notice is `notice`, has ended at `now` without
/// its end being recorded yet: a command that removes or replaces the grant records it then.
pub(crate) fn end_unrecorded(
    end: Option<Timestamp>,
    due: Option<Timestamp>,
    now: Timestamp,
) -> bool {
    window::step(end, due, now) == Step::End
}

/// `share.expired` for `share`, whose recipient's licenses `removed` left the project.
pub(crate) fn share_expired(
    now: Timestamp,
    out: &mut Outcome,
    share: &Share,
    removed: Vec<LicenseKey>,
) {
    if let Some(expires_at) = share.expires_at {
        out.event(store_event(
            now,
            EventPayload::ShareExpired {
                project_id: share.project_id.clone(),
                account_id: share.account_id.clone(),
                expires_at,
                removed_license_keys: removed,
            },
        ));
    }
}

/// `delegate.expired` for `delegate`.
pub(crate) fn delegate_expired(now: Timestamp, out: &mut Outcome, delegate: &Delegate) {
    if let Some(expires_at) = delegate.expires_at {
        out.event(store_event(
            now,
            EventPayload::DelegateExpired {
                contract_id: delegate.contract_id.clone(),
                account_id: delegate.account_id.clone(),
                expires_at,
            },
        ));
    }
}

/// Does at `now` what is due for each grant `sweep` names.
pub(crate) fn sweep(state: &State, now: Timestamp, out: &mut Outcome, sweep: &Sweep) {
    for key in &sweep.shares {
        if let Some(share) = state.share(&key.project_id, &key.account_id) {
            sweep_share(state, now, out, share);
        }
    }
    for key in &sweep.delegates {
        if let Some(delegate) = (state.delegate(&key.contract_id, &key.account_id))
            .filter(|d| d.status == DelegateStatus::Active)
        {
            sweep_delegate(now, out, delegate);
        }
    }
}

fn sweep_share(state: &State, now: Timestamp, out: &mut Outcome, share: &Share) {
    let (Some(expires_at), step) = (
        share.expires_at,
        window::step(share.expires_at, share.next_notice_at, now),
    ) else {
        return;
    };
    let next_notice_at = match step {
        Step::Wait => return,
        Step::Remind { next } => {
            out.event(store_event(
                now,
                EventPayload::ShareExpiring {
                    project_id: share.project_id.clone(),
                    account_id: share.account_id.clone(),
                    expires_at,
                },
            ));
            Some(next)
        }
        Step::End => {
            let removed = leave_with_share(state, out, share);
            share_expired(now, out, share, removed);
            None
        }
    };
    out.change(Change::PutShare(Share {
        next_notice_at,
        ..share.clone()
    }));
}

fn sweep_delegate(now: Timestamp, out: &mut Outcome, delegate: &Delegate) {
    let (Some(expires_at), step) = (
        delegate.expires_at,
        window::step(delegate.expires_at, delegate.next_notice_at, now),
    ) else {
        return;
    };
    let next = match step {
        Step::Wait => return,
        Step::Remind { next } => {
            out.event(store_event(
                now,
                EventPayload::DelegateExpiring {
                    contract_id: delegate.contract_id.clone(),
                    account_id: delegate.account_id.clone(),
                    expires_at,
                },
            ));
            Delegate {
                next_notice_at: Some(next),
                ..delegate.clone()
            }
        }
        Step::End => {
            delegate_expired(now, out, delegate);
            Delegate {
                status: DelegateStatus::Expired,
                next_notice_at: None,
                ..delegate.clone()
            }
        }
    };
    out.change(Change::PutDelegate(next));
}
