//! Contract delegates (seed 003) over HTTP.

use super::{Call, command, page, read, written};
use crate::auth::Session;
use crate::http::{ApiError, body, json, no_content};
use entitle_rules::access::{contract_view, delegates_for};
use entitle_rules::decision::contract_role;
use entitle_rules::ids::{AccountId, ContractId, InvitationId};
use entitle_rules::list as lists;
use entitle_rules::{Change, Command};
use serde::Deserialize;
use serde_json::json;
use worker::Response;

fn contract_id(call: &Call) -> Result<ContractId, ApiError> {
    call.id(0, "contract_not_found", "contract")
}

/// `GET /v1/contracts`
pub async fn list(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let me = &session.sub;
    page(call, session, "contracts", &lists::contracts(me), |s, k| {
        lists::contract_item(s, me, k)
    })
    .await
}

/// `GET /v1/contracts/{contractId}`
pub async fn get(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    json(
        200,
        &read(call, session, |s| contract_view(s, &session.sub, &id)).await??,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    email: String,
}

fn invitation_body(invitation: &entitle_rules::model::Invitation) -> serde_json::Value {
    json!({
        "invitationId": invitation.id,
        "contractId": invitation.contract_id,
        "email": invitation.email,
        "status": "pending",
        "expiresAt": invitation.expires_at,
    })
}

fn last_invitation(
    outcome: &entitle_rules::Outcome,
) -> Result<entitle_rules::model::Invitation, ApiError> {
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
pub async fn invite(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let b: InviteBody = body(&mut call.req).await?;
    let cmd = Command::InviteDelegate {
        contract_id: id,
        email: b.email.clone(),
    };
    let (outcome, _) = command(call, session, &cmd).await?;
    json(201, &invitation_body(&last_invitation(&outcome)?))
}

/// `GET /v1/contracts/{contractId}/delegates`
pub async fn delegates(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let now = call.now;
    json(
        200,
        &read(call, session, |s| delegates_for(s, &session.sub, &id, now)).await??,
    )
}

/// `DELETE /v1/contracts/{contractId}/delegates/{accountId}`
pub async fn revoke(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let account: AccountId = call.id(1, "delegate_not_found", "delegate")?;
    command(
        call,
        session,
        &Command::RevokeDelegate {
            contract_id: id,
            account_id: account,
        },
    )
    .await?;
    no_content()
}

/// `DELETE /v1/contracts/{contractId}/invitations/{invitationId}`
pub async fn cancel(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let invitation: InvitationId = call.id(1, "invitation_not_found", "invitation")?;
    command(
        call,
        session,
        &Command::CancelInvitation {
            contract_id: id,
            invitation_id: invitation,
        },
    )
    .await?;
    no_content()
}

/// `POST /v1/contracts/{contractId}/invitations/{invitationId}/resend`
pub async fn resend(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let invitation: InvitationId = call.id(1, "invitation_not_found", "invitation")?;
    let (outcome, _) = command(
        call,
        session,
        &Command::ResendInvitation {
            contract_id: id,
            invitation_id: invitation,
        },
    )
    .await?;
    json(200, &invitation_body(&last_invitation(&outcome)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    token: String,
}

/// `POST /v1/invitations/accept` with `{"token"}`, which keeps the token out of URLs and
/// access logs, and the older `POST /v1/invitations/{token}/accept`, which answers the same.
pub async fn accept(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let token = match call.params.first() {
        Some(token) => token.clone(),
        None => body::<AcceptBody>(&mut call.req).await?.token,
    };
    if token.len() > 256 {
        return Err(ApiError::new(
            404,
            "invitation_not_found",
            "no invitation has this token",
        ));
    }
    let (outcome, _) = command(call, session, &Command::AcceptInvitation { token }).await?;
    let delegate = written(&outcome, |c| match c {
        Change::PutDelegate(d) => Some(d),
        _ => None,
    })?;
    json(
        200,
        &json!({
            "contractId": delegate.contract_id,
            "accountId": delegate.account_id,
            "role": "delegate",
            "addedAt": delegate.added_at,
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvisionBody {
    action: String,
}

/// `POST /v1/contracts/{contractId}/provisioning`
pub async fn provision(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let b: ProvisionBody = body(&mut call.req).await?;
    let cmd = Command::RequestProvisioning {
        contract_id: id.clone(),
        action: b.action.clone(),
    };
    command(call, session, &cmd).await?;
    json(
        202,
        &json!({ "contractId": id, "action": b.action, "status": "requested" }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketBody {
    subject: String,
    body: String,
}

/// `POST /v1/contracts/{contractId}/tickets`
pub async fn create_ticket(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let b: TicketBody = body(&mut call.req).await?;
    let cmd = Command::CreateTicket {
        contract_id: id,
        subject: b.subject,
        body: b.body,
    };
    let (outcome, _) = command(call, session, &cmd).await?;
    let ticket = written(&outcome, |c| match c {
        Change::PutTicket(t) => Some(t),
        _ => None,
    })?;
    json(201, &ticket)
}

/// `GET /v1/contracts/{contractId}/tickets`: a delegate sees tickets from when it was added.
pub async fn tickets(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = contract_id(call)?;
    let me = &session.sub;
    if read(call, session, |s| contract_role(s, me, &id))
        .await?
        .is_none()
    {
        return Err(ApiError::new(
            404,
            "contract_not_found",
            format!("contract `{id}` does not exist or is not visible to you"),
        ));
    }
    page(call, session, "tickets", &lists::tickets(&id), |s, k| {
        lists::ticket_item(s, me, &id, k)
    })
    .await
}
