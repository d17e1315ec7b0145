//! License and project transfer. An unused license moves at its owner's request
//! (or its company admin's, for an employee's license); an activated license moves with its
//! project; servers and panels must be deactivated first; the project's kind limits who may
//! receive it. A transfer moves nothing until the target accepts it.

use crate::access::may_act_on_transfer;
use crate::action::Action;
use crate::context::{Context, Fresh, Outcome, actor_account, email, not_found, permit};
use crate::decision::{is_company_admin_of, runtime_block};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventPayload;
use crate::ids::{LicenseKey, ProjectId, TransferId};
use crate::model::{
    Account, AccountKind, License, Project, ProjectKind, Transfer, TransferStatus, TransferSubject,
};
use crate::state::{Change, State};
use crate::sweep;
use crate::text::Email;
use crate::time::Timestamp;

/// Days a transfer waits for acceptance.
pub const TRANSFER_TTL_DAYS: i64 = 7;

fn target<'a>(
    state: &'a State,
    owner: &Account,
    address: &Email,
) -> Result<&'a Account, CommandError> {
    if address == &owner.email {
        return Err(CommandError::new(
            ErrorCode::CannotTransferToSelf,
            "it already belongs to that account",
        ));
    }
    state.account_by_email(address).ok_or_else(|| {
        CommandError::new(
            ErrorCode::RecipientNotFound,
            format!("`{address}` has no account at this store"),
        )
    })
}

/// Whether an account of `kind` may receive a project of `project_kind`.
pub fn may_receive(project_kind: ProjectKind, kind: AccountKind) -> bool {
    match project_kind {
        ProjectKind::Standard => true,
        ProjectKind::Server | ProjectKind::Lite => {
            matches!(kind, AccountKind::Integrator | AccountKind::Diy)
        }
        ProjectKind::ServerlessPro => matches!(
            kind,
            AccountKind::Integrator | AccountKind::Diy | AccountKind::EndUser
        ),
    }
}

/// Why a project cannot leave now (the rules' one definition: [`runtime_block`]).
fn runtime_blocks(project: &Project) -> Result<(), CommandError> {
    runtime_block(project).map_or(Ok(()), |reason| Err(CommandError::denied(reason)))
}

fn request(
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    subject: TransferSubject,
    from: &Account,
    to: &Account,
) -> Result<(), CommandError> {
    let transfer = Transfer {
        id: fresh.id("trf")?,
        subject: subject.clone(),
        from_id: from.id.clone(),
        to_id: to.id.clone(),
        requested_by: ctx.actor.clone(),
        status: TransferStatus::Pending,
        created_at: ctx.now,
        expires_at: ctx.now.plus_days(TRANSFER_TTL_DAYS),
        settled_at: None,
    };
    out.event(ctx.event(EventPayload::TransferRequested {
        transfer_id: transfer.id.clone(),
        subject,
        from_id: from.id.clone(),
        to_id: to.id.clone(),
        expires_at: transfer.expires_at,
    }));
    out.change(Change::PutTransfer(transfer));
    Ok(())
}

/// Marks pending transfers of the same subject that are past expiry as expired.
fn settle_expired(state: &State, ctx: &Context, out: &mut Outcome, subject: &TransferSubject) {
    for stale in state.transfers_of(subject).into_iter().filter(|t| {
        t.status == TransferStatus::Pending && t.status_at(ctx.now) == TransferStatus::Expired
    }) {
        out.change(Change::PutTransfer(Transfer {
            status: TransferStatus::Expired,
            ..stale.clone()
        }));
    }
}

pub(crate) fn request_license(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    license_key: &LicenseKey,
    to_email: &str,
) -> Result<(), CommandError> {
    permit(state, ctx, Action::LicenseTransfer, license_key.as_str())?;
    let license = state
        .license(license_key)
        .ok_or_else(|| not_found(ErrorCode::LicenseNotFound, "license", license_key.as_str()))?;
    let owner = state.account(&license.owner_id).ok_or_else(|| {
        not_found(
            ErrorCode::AccountNotFound,
            "account",
            license.owner_id.as_str(),
        )
    })?;
    let to = target(state, owner, &email(to_email)?)?;
    let subject = TransferSubject::License {
        license_key: license_key.clone(),
    };
    settle_expired(state, ctx, out, &subject);
    request(ctx, fresh, out, subject, owner, to)
}

pub(crate) fn request_project(
    state: &State,
    ctx: &Context,
    fresh: &mut Fresh,
    out: &mut Outcome,
    project_id: &ProjectId,
    to_email: &str,
) -> Result<(), CommandError> {
    let owner = actor_account(state, ctx)?;
    permit(state, ctx, Action::ProjectTransfer, project_id.as_str())?;
    let project = state
        .project(project_id)
        .ok_or_else(|| not_found(ErrorCode::ProjectNotFound, "project", project_id.as_str()))?;
    // An active server or signed-in panels were refused by `permit`, as the decision says.
    let to = target(state, owner, &email(to_email)?)?;
    if !may_receive(project.kind, to.kind) {
        return Err(CommandError::new(
            ErrorCode::RecipientKindNotAllowed,
            "server and lite projects go only to integrator or DIY accounts; serverless pro projects also to end users",
        ));
    }
    let subject = TransferSubject::Project {
        project_id: project_id.clone(),
    };
    settle_expired(state, ctx, out, &subject);
    request(ctx, fresh, out, subject, owner, to)
}

/// The transfer, if `actor` may act on it (the access rules' one definition: its parties, and
/// the company admin of the owner while it is pending); not found otherwise.
fn visible_transfer<'a>(
    state: &'a State,
    actor: &Account,
    id: &TransferId,
) -> Result<&'a Transfer, CommandError> {
    state
        .transfer(id)
        .filter(|t| may_act_on_transfer(state, actor, t))
        .ok_or_else(|| not_found(ErrorCode::TransferNotFound, "transfer", id.as_str()))
}

fn still_pending(transfer: &Transfer, ctx: &Context) -> Result<(), CommandError> {
    match transfer.status_at(ctx.now) {
        TransferStatus::Pending => Ok(()),
        TransferStatus::Accepted => Err(CommandError::new(
            ErrorCode::TransferAlreadyAccepted,
            "this transfer was already accepted",
        )),
        TransferStatus::Cancelled => Err(CommandError::new(
            ErrorCode::TransferCancelled,
            "this transfer was cancelled",
        )),
        TransferStatus::Expired => Err(CommandError::new(
            ErrorCode::TransferExpired,
            "this transfer has expired",
        )),
    }
}

pub(crate) fn accept(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    id: &TransferId,
) -> Result<(), CommandError> {
    let transfer = visible_transfer(state, actor_account(state, ctx)?, id)?;
    if transfer.to_id != ctx.actor {
        return Err(CommandError::new(
            ErrorCode::NotTransferRecipient,
            "only the account it is addressed to may accept a transfer",
        ));
    }
    still_pending(transfer, ctx)?;
    let to = actor_account(state, ctx)?;
    let moves = match &transfer.subject {
        TransferSubject::License { license_key } => {
            accept_license(state, ctx.now, out, transfer, (to, license_key))?
        }
        TransferSubject::Project { project_id } => {
            accept_project(state, ctx.now, out, transfer, (to, project_id))?
        }
    };
    out.change(Change::PutTransfer(Transfer {
        status: TransferStatus::Accepted,
        settled_at: Some(ctx.now),
        ..transfer.clone()
    }));
    out.event(ctx.event(EventPayload::TransferAccepted {
        transfer_id: id.clone(),
        subject: transfer.subject.clone(),
        from_id: transfer.from_id.clone(),
        to_id: to.id.clone(),
        license_keys: moves.moved,
        unassigned_license_keys: moves.unassigned,
        removed_share_account_ids: moves.removed_shares,
    }));
    Ok(())
}

/// What accepting a transfer moved: the licenses that changed owner, those that left the
/// project, the accounts whose shares ended.
#[derive(Default)]
struct Moves {
    moved: Vec<LicenseKey>,
    unassigned: Vec<LicenseKey>,
    removed_shares: Vec<crate::ids::AccountId>,
}

/// Moves a license to `to`, re-checked at acceptance: it may have been put to use meanwhile.
fn accept_license(
    state: &State,
    now: Timestamp,
    out: &mut Outcome,
    transfer: &Transfer,
    (to, license_key): (&Account, &LicenseKey),
) -> Result<Moves, CommandError> {
    let license = state
        .license(license_key)
        .filter(|l| l.owner_id == transfer.from_id)
        .ok_or_else(|| not_found(ErrorCode::LicenseNotFound, "license", license_key.as_str()))?;
    if license.is_in_use(now) {
        return Err(CommandError::new(
            ErrorCode::LicenseInUse,
            format!("license `{license_key}` was put to use: it moves only with its project"),
        ));
    }
    out.change(Change::PutLicense(License {
        owner_id: to.id.clone(),
        ..license.clone()
    }));
    Ok(Moves {
        moved: vec![license_key.clone()],
        ..Moves::default()
    })
}

/// Moves a project to `to` with its owner's licenses; recipients' licenses stay theirs and
/// leave the project with their shares.
fn accept_project(
    state: &State,
    now: Timestamp,
    out: &mut Outcome,
    transfer: &Transfer,
    (to, project_id): (&Account, &ProjectId),
) -> Result<Moves, CommandError> {
    let project = state
        .project(project_id)
        .filter(|p| p.owner_id == transfer.from_id)
        .ok_or_else(|| not_found(ErrorCode::ProjectNotFound, "project", project_id.as_str()))?;
    runtime_blocks(project)?;
    if !may_receive(project.kind, to.kind) {
        return Err(CommandError::new(
            ErrorCode::RecipientKindNotAllowed,
            "your account kind may not receive this project",
        ));
    }
    let mut moves = Moves::default();
    for license in state.licenses_on(project_id) {
        let mut next = license.clone();
        if license.owner_id == transfer.from_id {
            next.owner_id = to.id.clone();
            if let Some(assignment) = &mut next.assignment {
                assignment.assigned_by = to.id.clone();
            }
            moves.moved.push(license.license_key.clone());
        } else {
            next.unassign();
            moves.unassigned.push(license.license_key.clone());
        }
        out.change(Change::PutLicense(next));
    }
    for share in state.shares_of(project_id) {
        if sweep::end_unrecorded(share.expires_at, share.next_notice_at, now) {
            // Its window had ended: its recipient's licenses left the project then.
            let removed = (state.licenses_on(project_id).into_iter())
                .filter(|l| l.assigned_by() == Some(&share.account_id))
                .map(|l| l.license_key.clone())
                .collect();
            sweep::share_expired(now, out, share, removed);
        }
        moves.removed_shares.push(share.account_id.clone());
        out.change(Change::DeleteShare(share.clone()));
    }
    out.change(Change::PutProject(Project {
        owner_id: to.id.clone(),
        ..project.clone()
    }));
    Ok(moves)
}

pub(crate) fn cancel(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    id: &TransferId,
) -> Result<(), CommandError> {
    let actor = actor_account(state, ctx)?;
    let transfer = visible_transfer(state, actor, id)?;
    // Its requester and its owner may take it back, and so may the owner's company admin, who
    // may act on it (seed 002); its recipient declines instead.
    let owner_side = transfer.requested_by == ctx.actor
        || transfer.from_id == ctx.actor
        || is_company_admin_of(actor, state.account(&transfer.from_id));
    if !owner_side {
        return Err(CommandError::new(
            ErrorCode::NotTransferRequester,
            "only the account that asked for a transfer, its owner or the owner's company admin may cancel it",
        ));
    }
    still_pending(transfer, ctx)?;
    out.change(Change::PutTransfer(Transfer {
        status: TransferStatus::Cancelled,
        settled_at: Some(ctx.now),
        ..transfer.clone()
    }));
    out.event(ctx.event(EventPayload::TransferCancelled {
        transfer_id: id.clone(),
    }));
    Ok(())
}
