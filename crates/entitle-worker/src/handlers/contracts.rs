//! Contract delegates (seed 003) over HTTP.

use super::projects::WindowBody;
use super::{Call, command, each, page, read, written};
use crate::auth::Session;
use crate::http::{ApiError, NoContent, Reply};
use crate::views::{
    ContractPage, DelegateAnswer, DelegateRole, InvitationAnswer, PendingStatus,
    ProvisioningAnswer, RequestedStatus, TicketPage,
};
use entitle_rules::access::{
    ContractView, DelegateView, DelegatesView, contract_view, delegate_view, delegates_for,
};
use entitle_rules::decision::contract_role;
use entitle_rules::ids::{AccountId, ContractId, InvitationId};
use entitle_rules::list as lists;
use entitle_rules::model;
use entitle_rules::model::{Invitation, Ticket};
use entitle_rules::{Change, Command, ErrorCode, Outcome, plans};
use schemars::JsonSchema;
use serde::Deserialize;

fn contract_id(call: &Call) -> Result<ContractId, ApiError> {
    call.id(0, ErrorCode::ContractNotFound, "contract")
}

/// `GET /v1/contracts`
pub async fn list(call: &mut Call, session: &Session) -> Result<Reply<ContractPage>, ApiError> {
    let me = &session.sub;
    let now = call.now;
    page(
        call,
        session,
        |after, limit| plans::contracts_page(me, after, limit),
        each(|s, k| lists::contract_item(s, me, now, k)),
    )
    .await
}

/// `GET /v1/contracts/{contractId}`
pub async fn get(call: &mut Call, session: &Session) -> Result<Reply<ContractView>, ApiError> {
    let id = contract_id(call)?;
    let plan = plans::contract(&session.sub, &id);
    let now = call.now;
    let view = read(call, session, &plan, |s| {
        contract_view(s, &session.sub, &id, now)
    })
    .await??;
    Ok(Reply::new(view))
}

/// The body of an invitation.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteBody {
    /// The invitee's address; the store e-mails the accept link to it.
    email: String,
    /// When the delegate's access starts (RFC 3339 in UTC, such as
    /// `2026-11-21T09:30:00.000Z`); at its acceptance when absent or earlier. At most 730 days
    /// ahead.
    #[serde(default)]
    starts_at: Option<String>,
    /// When the delegate's access ends (RFC 3339 in UTC): later than the start and than now, at
    /// most 730 days ahead; no end when absent. Accepting the invitation after it is refused
    /// (410 `invitation_window_ended`).
    #[serde(default)]
    expires_at: Option<String>,
}

fn invitation_answer(invitation: Invitation) -> InvitationAnswer {
    InvitationAnswer {
        invitation_id: invitation.id,
        contract_id: invitation.contract_id,
        email: invitation.email,
        status: PendingStatus::Pending,
        expires_at: invitation.expires_at,
        access_starts_at: invitation.access_starts_at,
        access_expires_at: invitation.access_expires_at,
    }
}

fn last_invitation(outcome: &Outcome) -> Result<Invitation, ApiError> {
    outcome
        .changes
        .iter()
        .rev()
        .find_map(|c| match c {
            Change::PutInvitation(i) => Some(i.clone()),
            _ => None,
        })
        .ok_or_else(|| ApiError::internal("no invitation written"))
}

/// `POST /v1/contracts/{contractId}/delegates`: the accept token goes to the store only.
pub async fn invite(
    call: &mut Call,
    session: &Session,
    b: InviteBody,
) -> Result<Reply<InvitationAnswer>, ApiError> {
    let id = contract_id(call)?;
    let cmd = Command::InviteDelegate {
        contract_id: id,
        email: b.email,
        starts_at: b.starts_at,
        expires_at: b.expires_at,
    };
    command(call, session, &cmd, |outcome, _| {
        Ok(invitation_answer(last_invitation(outcome)?))
    })
    .await
}

/// `GET /v1/contracts/{contractId}/delegates`
pub async fn delegates(
    call: &mut Call,
    session: &Session,
) -> Result<Reply<DelegatesView>, ApiError> {
    let id = contract_id(call)?;
    let now = call.now;
    let plan = plans::delegates(&id);
    let view = read(call, session, &plan, |s| {
        delegates_for(s, &session.sub, &id, now)
    })
    .await??;
    Ok(Reply::new(view))
}

/// `DELETE /v1/contracts/{contractId}/delegates/{accountId}`
pub async fn revoke(call: &mut Call, session: &Session) -> Result<Reply<NoContent>, ApiError> {
    let id = contract_id(call)?;
    let account: AccountId = call.id(1, ErrorCode::DelegateNotFound, "delegate")?;
    let cmd = Command::RevokeDelegate {
        contract_id: id,
        account_id: account,
    };
    command(call, session, &cmd, |_, _| Ok(NoContent)).await
}

/// `PATCH /v1/contracts/{contractId}/delegates/{accountId}`: the owner changes the window of
/// a delegation.
pub async fn update_delegate(
    call: &mut Call,
    session: &Session,
    b: WindowBody,
) -> Result<Reply<DelegateView>, ApiError> {
    let id = contract_id(call)?;
    let account: AccountId = call.id(1, ErrorCode::DelegateNotFound, "delegate")?;
    let now = call.now;
    let cmd = Command::UpdateDelegate {
        contract_id: id,
        account_id: account,
        starts_at: b.starts_at,
        expires_at: b.expires_at,
    };
    command(call, session, &cmd, |outcome, state| {
        let delegate = written::<model::Delegate>(outcome)?;
        Ok(delegate_view(state, &delegate, now))
    })
    .await
}

/// `DELETE /v1/contracts/{contractId}/invitations/{invitationId}`
pub async fn cancel(call: &mut Call, session: &Session) -> Result<Reply<NoContent>, ApiError> {
    let id = contract_id(call)?;
    let invitation: InvitationId = call.id(1, ErrorCode::InvitationNotFound, "invitation")?;
    let cmd = Command::CancelInvitation {
        contract_id: id,
        invitation_id: invitation,
    };
    command(call, session, &cmd, |_, _| Ok(NoContent)).await
}

/// `POST /v1/contracts/{contractId}/invitations/{invitationId}/resend`
pub async fn resend(
    call: &mut Call,
    session: &Session,
) -> Result<Reply<InvitationAnswer>, ApiError> {
    let id = contract_id(call)?;
    let invitation: InvitationId = call.id(1, ErrorCode::InvitationNotFound, "invitation")?;
    let cmd = Command::ResendInvitation {
        contract_id: id,
        invitation_id: invitation,
    };
    command(call, session, &cmd, |outcome, _| {
        Ok(invitation_answer(last_invitation(outcome)?))
    })
    .await
}

/// The body of an invitation's acceptance.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The token from the accept link.
    #[schemars(length(min = 1, max = 256))]
    token: String,
}

/// `POST /v1/invitations/accept` with `{"token"}`, which keeps the token out of URLs and
/// access logs.
pub async fn accept_body(
    call: &mut Call,
    session: &Session,
    b: AcceptBody,
) -> Result<Reply<DelegateAnswer>, ApiError> {
    accept(call, session, b.token).await
}

/// `POST /v1/invitations/{token}/accept`, the older form, which answers the same.
pub async fn accept_path(
    call: &mut Call,
    session: &Session,
) -> Result<Reply<DelegateAnswer>, ApiError> {
    let token = call.param(0)?.to_owned();
    accept(call, session, token).await
}

async fn accept(
    call: &mut Call,
    session: &Session,
    token: String,
) -> Result<Reply<DelegateAnswer>, ApiError> {
    if token.len() > 256 {
        return Err(ApiError::rules(
            ErrorCode::InvitationNotFound,
            "no invitation has this token",
        ));
    }
    let cmd = Command::AcceptInvitation { token };
    let now = call.now;
    command(call, session, &cmd, |outcome, _| {
        let delegate = written::<model::Delegate>(outcome)?;
        Ok(DelegateAnswer {
            role: DelegateRole::Delegate,
            added_at: delegate.added_at,
            starts_at: delegate.start(),
            expires_at: delegate.expires_at,
            status: delegate.status_at(now),
            contract_id: delegate.contract_id,
            account_id: delegate.account_id,
        })
    })
    .await
}

/// The body of a provisioning request.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisionBody {
    /// The action, such as `update_nameservers`.
    action: String,
}

/// `POST /v1/contracts/{contractId}/provisioning`
pub async fn provision(
    call: &mut Call,
    session: &Session,
    b: ProvisionBody,
) -> Result<Reply<ProvisioningAnswer>, ApiError> {
    let id = contract_id(call)?;
    let cmd = Command::RequestProvisioning {
        contract_id: id.clone(),
        action: b.action.clone(),
    };
    command(call, session, &cmd, |_, _| {
        Ok(ProvisioningAnswer {
            contract_id: id.clone(),
            action: b.action.clone(),
            status: RequestedStatus::Requested,
        })
    })
    .await
}

/// The body of a new ticket.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketBody {
    /// Its subject.
    subject: String,
    /// Its text.
    body: String,
}

/// `POST /v1/contracts/{contractId}/tickets`
pub async fn create_ticket(
    call: &mut Call,
    session: &Session,
    b: TicketBody,
) -> Result<Reply<Ticket>, ApiError> {
    let id = contract_id(call)?;
    let cmd = Command::CreateTicket {
        contract_id: id,
        subject: b.subject,
        body: b.body,
    };
    command(call, session, &cmd, |outcome, _| {
        written::<model::Ticket>(outcome)
    })
    .await
}

/// `GET /v1/contracts/{contractId}/tickets`: a delegate sees tickets from when it was added.
pub async fn tickets(call: &mut Call, session: &Session) -> Result<Reply<TicketPage>, ApiError> {
    let id = contract_id(call)?;
    let me = &session.sub;
    let now = call.now;
    // The caller's role and the page are read together; a stranger gets nothing of the page.
    page(
        call,
        session,
        |after, limit| plans::tickets_page(me, &id, after, limit),
        |s, keys| match contract_role(s, me, &id, now) {
            None => Err(ApiError::rules(
                ErrorCode::ContractNotFound,
                format!("contract `{id}` does not exist or is not visible to you"),
            )),
            Some(_) => each(|s, k| lists::ticket_item(s, me, &id, now, k))(s, keys),
        },
    )
    .await
}
