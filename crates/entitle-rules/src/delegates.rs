//! Contract delegates: a client invites delegates by e-mail to a subscription
//! contract; a delegate accepts by link, may view, provision and open tickets, never touch
//! billing, change the contract or manage delegates; the client revokes at any time. A
//! delegate has no access to a one-off contract, and an invitation belongs to the account it
//! was made for, not to an address.

use crate::action::Action;
use crate::context::{
    Context, Fresh, Outcome, actor_account, email, name_error, not_found, permit,
};
use crate::decision::{ContractRole, Reason, contract_role};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventPayload;
use crate::ids::{AccountId, ContractId, InvitationId};
use crate::model::{
    Billing, Contract, Delegate, DelegateStatus, GrantStatus, Invitation, InvitationStatus, Ticket,
};
use crate::state::{Change, State};
use crate::sweep;
use crate::text::{NameProblem, bounded, checked_name};
use crate::time::Timestamp;
use crate::token::token_hash;
use crate::window;

/// Days an invitation's token stays valid.
pub const INVITATION_TTL_DAYS: i64 = 7;

/// Checks `action` on the contract and returns it.
fn contract_for<'a>(
    state: &'a State,
    ctx: &Context,
    id: &ContractId,
    action: Action,
) -> Result<&'a Contract, CommandError> {
    permit(state, ctx, action, id.as_str())?;
    state
        .contract(id)
        .ok_or_else(|| not_found(ErrorCode::ContractNotFound, "contract", id.as_str()))
}

pub(crate) fn invite(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    (contract_id, address): (&ContractId, &str),
    window: (Option<&str>, Option<&str>),
) -> Result<(), CommandError> {
    let actor = actor_account(state, ctx)?;
    contract_for(state, ctx, contract_id, Action::ContractDelegatesManage)?;
    let address = email(address)?;
    if address == actor.email {
        return Err(CommandError::new(
            ErrorCode::CannotInviteSelf,
            "you cannot invite yourself as a delegate",
        ));
    }
    let invitee = state.account_by_email(&address).ok_or_else(|| {
        CommandError::new(
            ErrorCode::InviteeNotFound,
            format!("`{address}` has no account at this store: a delegate needs one"),
        )
    })?;
    let (access_starts_at, access_expires_at) = window::given(window.0, window.1, ctx.now)?;
    if (state.live_delegate(contract_id, &invitee.id, ctx.now)).is_some() {
        return Err(CommandError::new(
            ErrorCode::AlreadyDelegate,
            format!("`{address}` is already a delegate on this contract"),
        ));
    }
    for pending in state
        .invitations_of(contract_id)
        .into_iter()
        .filter(|i| i.email == address && i.status == InvitationStatus::Pending)
    {
        if pending.status_at(ctx.now) == InvitationStatus::Pending {
            return Err(CommandError::new(
                ErrorCode::InvitationPending,
                format!(
                    "`{address}` already has a pending invitation `{}`: resend or cancel it",
                    pending.id
                ),
            ));
        }
        // Past its expiry: record it as expired so one pending invitation per address remains.
        out.change(Change::PutInvitation(Invitation {
            status: InvitationStatus::Expired,
            ..pending.clone()
        }));
    }
    let id: InvitationId = fresh.id("inv")?;
    let token = fresh.next()?;
    let invitation = Invitation {
        id: id.clone(),
        contract_id: contract_id.clone(),
        email: address.clone(),
        account_id: invitee.id.clone(),
        token_hash: token_hash(&token),
        status: InvitationStatus::Pending,
        created_at: ctx.now,
        expires_at: ctx.now.plus_days(INVITATION_TTL_DAYS),
        resent_at: None,
        settled_at: None,
        access_starts_at,
        access_expires_at,
    };
    out.event(ctx.event(EventPayload::DelegateInvited {
        invitation_id: id,
        contract_id: contract_id.clone(),
        email: address,
        account_id: invitee.id.clone(),
        accept_token: token,
        expires_at: invitation.expires_at,
        access_starts_at,
        access_expires_at,
    }));
    out.change(Change::PutInvitation(invitation));
    Ok(())
}

/// Checks that the actor may remove what is left on the contract (`contract.delegates.revoke`):
/// the owner may always take access away, even from a contract that is no longer a
/// subscription; only inviting needs one. With nothing left to remove the owner is still the
/// owner: the delegate or invitation it names then answers for itself (not found, not pending).
fn revocable_contract(state: &State, ctx: &Context, id: &ContractId) -> Result<(), CommandError> {
    match permit(state, ctx, Action::ContractDelegatesRevoke, id.as_str()) {
        Err(e) if e.code == ErrorCode::Denied(Reason::NothingToRevoke) => Ok(()),
        other => other,
    }
}

fn invitation_of<'a>(
    state: &'a State,
    contract_id: &ContractId,
    invitation_id: &InvitationId,
) -> Result<&'a Invitation, CommandError> {
    state
        .invitation(invitation_id)
        .filter(|i| &i.contract_id == contract_id)
        .ok_or_else(|| {
            not_found(
                ErrorCode::InvitationNotFound,
                "invitation",
                invitation_id.as_str(),
            )
        })
}

pub(crate) fn resend(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    contract_id: &ContractId,
    invitation_id: &InvitationId,
) -> Result<(), CommandError> {
    contract_for(state, ctx, contract_id, Action::ContractDelegatesManage)?;
    let invitation = invitation_of(state, contract_id, invitation_id)?;
    // An expired invitation may be sent again; an accepted or cancelled one may not.
    if !matches!(
        invitation.status,
        InvitationStatus::Pending | InvitationStatus::Expired
    ) {
        return Err(CommandError::new(
            ErrorCode::InvitationNotPending,
            format!("invitation `{invitation_id}` is no longer pending"),
        ));
    }
    if invitation
        .access_expires_at
        .is_some_and(|end| ctx.now >= end)
    {
        return Err(window::grant_expired(
            "the window of access this invitation offers",
        ));
    }
    if (state.live_delegate(contract_id, &invitation.account_id, ctx.now)).is_some() {
        return Err(CommandError::new(
            ErrorCode::AlreadyDelegate,
            format!(
                "`{}` is already a delegate on this contract",
                invitation.email
            ),
        ));
    }
    let token = fresh.next()?;
    let renewed = Invitation {
        token_hash: token_hash(&token),
        status: InvitationStatus::Pending,
        expires_at: ctx.now.plus_days(INVITATION_TTL_DAYS),
        resent_at: Some(ctx.now),
        ..invitation.clone()
    };
    out.event(ctx.event(EventPayload::InvitationResent {
        invitation_id: invitation_id.clone(),
        contract_id: contract_id.clone(),
        email: renewed.email.clone(),
        accept_token: token,
        expires_at: renewed.expires_at,
    }));
    out.change(Change::PutInvitation(renewed));
    Ok(())
}

pub(crate) fn cancel(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    contract_id: &ContractId,
    invitation_id: &InvitationId,
) -> Result<(), CommandError> {
    revocable_contract(state, ctx, contract_id)?;
    let invitation = invitation_of(state, contract_id, invitation_id)?;
    if invitation.status_at(ctx.now) != InvitationStatus::Pending {
        return Err(CommandError::new(
            ErrorCode::InvitationNotPending,
            format!("invitation `{invitation_id}` is no longer pending"),
        ));
    }
    out.change(Change::PutInvitation(Invitation {
        status: InvitationStatus::Cancelled,
        settled_at: Some(ctx.now),
        ..invitation.clone()
    }));
    out.event(ctx.event(EventPayload::InvitationCancelled {
        invitation_id: invitation_id.clone(),
        contract_id: contract_id.clone(),
    }));
    Ok(())
}

/// Whether `invitation` may be accepted at `now`: pending, and offering access that has not
/// ended.
fn still_open(invitation: &Invitation, now: Timestamp) -> Result<(), CommandError> {
    let (code, detail) = match invitation.status_at(now) {
        InvitationStatus::Pending if invitation.access_expires_at.is_some_and(|end| now >= end) => {
            (
                ErrorCode::InvitationWindowEnded,
                "the access this invitation offers has ended: ask for a new invitation",
            )
        }
        InvitationStatus::Pending => return Ok(()),
        InvitationStatus::Accepted => (
            ErrorCode::InvitationAlreadyUsed,
            "this invitation was already accepted",
        ),
        InvitationStatus::Cancelled => (
            ErrorCode::InvitationCancelled,
            "this invitation was cancelled",
        ),
        InvitationStatus::Expired => (
            ErrorCode::InvitationExpired,
            "this invitation has expired: ask for a new one",
        ),
    };
    Err(CommandError::new(code, detail))
}

pub(crate) fn accept(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    token: &str,
) -> Result<(), CommandError> {
    let actor = actor_account(state, ctx)?;
    let hash = token_hash(token);
    let invitation = state.invitation_by_token_hash(&hash).ok_or_else(|| {
        CommandError::new(
            ErrorCode::InvitationNotFound,
            "no invitation has this token",
        )
    })?;
    // Only the invited account may accept, whatever the invitation's state and whatever
    // address that account (or any other) has now.
    if invitation.account_id != actor.id {
        return Err(CommandError::new(
            ErrorCode::InvitationWrongAccount,
            "this invitation was made for another account",
        ));
    }
    still_open(invitation, ctx.now)?;
    let contract = state.contract(&invitation.contract_id).ok_or_else(|| {
        not_found(
            ErrorCode::ContractNotFound,
            "contract",
            invitation.contract_id.as_str(),
        )
    })?;
    if contract.billing != Billing::Recurring {
        return Err(CommandError::new(
            ErrorCode::ContractNotSubscription,
            "delegates exist only on subscription contracts",
        ));
    }
    let expires_at = invitation.access_expires_at;
    if let Some(old) = state.delegate(&contract.id, &actor.id)
        && sweep::end_unrecorded(old.expires_at, old.next_notice_at, ctx.now)
        && old.status == DelegateStatus::Active
    {
        // An ended delegation gives way to the new one, its end recorded first.
        sweep::delegate_expired(ctx.now, out, old);
    }
    out.change(Change::PutInvitation(Invitation {
        status: InvitationStatus::Accepted,
        settled_at: Some(ctx.now),
        ..invitation.clone()
    }));
    out.change(Change::PutDelegate(Delegate {
        contract_id: contract.id.clone(),
        account_id: actor.id.clone(),
        status: DelegateStatus::Active,
        added_at: ctx.now,
        revoked_at: None,
        invitation_id: invitation.id.clone(),
        starts_at: invitation.access_starts_at.filter(|s| *s > ctx.now),
        expires_at,
        next_notice_at: window::first_notice(expires_at, ctx.now),
    }));
    out.event(ctx.event(EventPayload::DelegateAccepted {
        invitation_id: invitation.id.clone(),
        contract_id: contract.id.clone(),
        account_id: actor.id.clone(),
    }));
    Ok(())
}

pub(crate) fn revoke(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    contract_id: &ContractId,
    account_id: &AccountId,
) -> Result<(), CommandError> {
    revocable_contract(state, ctx, contract_id)?;
    let delegate = state
        .live_delegate(contract_id, account_id, ctx.now)
        .ok_or_else(|| not_found(ErrorCode::DelegateNotFound, "delegate", account_id.as_str()))?;
    out.change(Change::PutDelegate(Delegate {
        status: DelegateStatus::Revoked,
        revoked_at: Some(ctx.now),
        next_notice_at: None,
        ..delegate.clone()
    }));
    out.event(ctx.event(EventPayload::DelegateRevoked {
        contract_id: contract_id.clone(),
        account_id: account_id.clone(),
    }));
    Ok(())
}

pub(crate) fn update(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    (contract_id, account_id): (&ContractId, &AccountId),
    edit: (Option<Option<&str>>, Option<Option<&str>>),
) -> Result<(), CommandError> {
    revocable_contract(state, ctx, contract_id)?;
    let delegate = (state.delegate(contract_id, account_id))
        .filter(|d| d.status != DelegateStatus::Revoked)
        .ok_or_else(|| not_found(ErrorCode::DelegateNotFound, "delegate", account_id.as_str()))?;
    let status = delegate.status_at(ctx.now);
    if status == GrantStatus::Expired {
        return Err(window::grant_expired("this delegation"));
    }
    let stored = (delegate.starts_at, delegate.expires_at);
    let (starts_at, expires_at) =
        window::changed(stored, delegate.added_at, status, edit, ctx.now)?;
    let next = Delegate {
        starts_at,
        expires_at,
        next_notice_at: if expires_at == delegate.expires_at {
            delegate.next_notice_at
        } else {
            window::first_notice(expires_at, ctx.now)
        },
        ..delegate.clone()
    };
    out.event(ctx.event(EventPayload::DelegateUpdated {
        contract_id: contract_id.clone(),
        account_id: account_id.clone(),
        starts_at: next.start(),
        expires_at,
    }));
    out.change(Change::PutDelegate(next));
    Ok(())
}

pub(crate) fn provision(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    contract_id: &ContractId,
    action: &str,
) -> Result<(), CommandError> {
    contract_for(state, ctx, contract_id, Action::ContractProvision)?;
    let valid = !action.is_empty()
        && action.len() <= 64
        && action
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    if !valid {
        return Err(CommandError::new(
            ErrorCode::InvalidProvisioningAction,
            format!(
                "`{}` is not a provisioning action: use 1 to 64 of a-z, 0-9, `_`, `.` and `-`",
                action.chars().take(64).collect::<String>()
            ),
        ));
    }
    out.event(ctx.event(EventPayload::ProvisioningRequested {
        contract_id: contract_id.clone(),
        action: action.to_owned(),
    }));
    Ok(())
}

/// The longest ticket subject, in characters.
pub const MAX_SUBJECT: usize = 200;
/// The longest ticket text, in characters.
pub const MAX_BODY: usize = 10_000;

pub(crate) fn create_ticket(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    contract_id: &ContractId,
    subject: &str,
    body: &str,
) -> Result<(), CommandError> {
    contract_for(state, ctx, contract_id, Action::ContractTicketsCreate)?;
    // A subject is a name like any other; only its length keeps the ticket texts' code.
    let subject = checked_name(subject, MAX_SUBJECT).map_err(|problem| match problem {
        NameProblem::Length => CommandError::new(
            ErrorCode::InvalidText,
            format!("a ticket subject needs 1 to {MAX_SUBJECT} characters"),
        ),
        NameProblem::Invisible => name_error(problem, MAX_SUBJECT, "a ticket subject"),
    })?;
    let body = bounded(body, MAX_BODY).ok_or_else(|| {
        CommandError::new(
            ErrorCode::InvalidText,
            format!("a ticket body needs 1 to {MAX_BODY} characters"),
        )
    })?;
    let ticket = Ticket {
        id: fresh.id("tkt")?,
        contract_id: contract_id.clone(),
        author_id: ctx.actor.clone(),
        created_at: ctx.now,
        subject,
        body,
    };
    out.event(ctx.event(EventPayload::TicketCreated {
        ticket_id: ticket.id.clone(),
        contract_id: contract_id.clone(),
        subject: ticket.subject.clone(),
    }));
    out.change(Change::PutTicket(ticket));
    Ok(())
}

/// The tickets of a contract the actor may read at `now`: all for the owner, those created at
/// or after the start of its access for a delegate (none before it starts or once it ends).
pub fn visible_tickets<'a>(
    state: &'a State,
    actor: &AccountId,
    contract_id: &ContractId,
    now: Timestamp,
) -> Option<Vec<&'a Ticket>> {
    let since = match contract_role(state, actor, contract_id, now)? {
        ContractRole::Owner => None,
        ContractRole::Delegate => Some(state.active_delegate(contract_id, actor, now)?.start()),
    };
    let mut tickets: Vec<&Ticket> = state
        .tickets_of(contract_id)
        .into_iter()
        .filter(|t| since.is_none_or(|s| t.created_at >= s))
        .collect();
    tickets.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Some(tickets)
}
