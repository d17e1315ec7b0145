//! Project sharing and order transfer (seed 000) over HTTP.

use super::transfers::TransferBody;
use super::{Call, command, each, page, written};
use crate::auth::Session;
use crate::http::{ApiError, NoContent, Reply};
use crate::views::{
    CreatedProject, OrderTransferred, ProjectLicensePage, ProjectPage, ShareView, TransferAnswer,
};
use entitle_rules::access::project_view;
use entitle_rules::decision::project_role;
use entitle_rules::ids::{AccountId, LicenseKey, OrderId, ProjectId};
use entitle_rules::list as lists;
use entitle_rules::model;
use entitle_rules::model::{License, ProjectKind};
use entitle_rules::{Command, ErrorCode, EventPayload, Outcome, State, Timestamp, plans};
use schemars::JsonSchema;
use serde::Deserialize;

fn project_id(call: &Call) -> Result<ProjectId, ApiError> {
    call.id(0, ErrorCode::ProjectNotFound, "project")
}

/// The body of a new project.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// Its name.
    name: String,
    /// Its type, which limits who may receive it in a transfer; `production` when absent.
    #[serde(default)]
    kind: Option<ProjectKind>,
}

/// `POST /v1/projects`
pub async fn create(
    call: &mut Call,
    session: &Session,
    b: CreateBody,
) -> Result<Reply<CreatedProject>, ApiError> {
    let cmd = Command::CreateProject {
        name: b.name,
        kind: b.kind,
    };
    command(call, session, &cmd, |outcome, state| {
        let project = written::<model::Project>(outcome)?;
        let view = project_view(state, &session.sub, &project.id, call.now)
            .ok_or_else(|| ApiError::internal("new project not visible"))?;
        Ok(CreatedProject {
            project_id: project.id,
            view,
        })
    })
    .await
}

/// `GET /v1/projects`
pub async fn list(call: &mut Call, session: &Session) -> Result<Reply<ProjectPage>, ApiError> {
    let me = &session.sub;
    let now = call.now;
    page(
        call,
        session,
        |after, limit| plans::projects_page(me, after, limit),
        each(|s, k| lists::project_item(s, me, now, k)),
    )
    .await
}

/// The body of a share.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareBody {
    /// The address of the account to share with; it must have an account at the store.
    email: String,
    /// When the recipient's access starts (RFC 3339 in UTC, such as
    /// `2026-11-21T09:30:00.000Z`); at once when absent or past. At most 730 days ahead.
    #[serde(default)]
    starts_at: Option<String>,
    /// When the recipient's access ends (RFC 3339 in UTC): later than the start and than now, at
    /// most 730 days ahead; no end when absent.
    #[serde(default)]
    expires_at: Option<String>,
}

/// The body of a change of window: a field left out keeps its value.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WindowBody {
    /// The new start (RFC 3339 in UTC), only while the access has not started; `null`: at once.
    #[serde(default, with = "entitle_rules::window::edit")]
    #[schemars(with = "Option<String>")]
    pub(super) starts_at: Option<Option<String>>,
    /// The new end (RFC 3339 in UTC, later than the start and than now, at most 730 days
    /// ahead); `null`: no end.
    #[serde(default, with = "entitle_rules::window::edit")]
    #[schemars(with = "Option<String>")]
    pub(super) expires_at: Option<Option<String>>,
}

/// The share a command wrote, as its owner sees it at `now`.
fn share_answer(outcome: &Outcome, state: &State, now: Timestamp) -> Result<ShareView, ApiError> {
    let share = written::<model::Share>(outcome)?;
    let email = state.account(&share.account_id).map(|a| a.email.clone());
    Ok(ShareView {
        starts_at: share.start(),
        expires_at: share.expires_at,
        status: share.status_at(now),
        project_id: share.project_id,
        account_id: share.account_id,
        email,
        shared_at: share.shared_at,
    })
}

/// `POST /v1/projects/{projectId}/shares`: the project appears for the recipient at once, or
/// at the start of the window given.
pub async fn share(
    call: &mut Call,
    session: &Session,
    b: ShareBody,
) -> Result<Reply<ShareView>, ApiError> {
    let id = project_id(call)?;
    let now = call.now;
    let cmd = Command::ShareProject {
        project_id: id,
        email: b.email,
        starts_at: b.starts_at,
        expires_at: b.expires_at,
    };
    command(call, session, &cmd, |outcome, state| {
        share_answer(outcome, state, now)
    })
    .await
}

/// `PATCH /v1/projects/{projectId}/shares/{accountId}`: the owner changes a share's window.
pub async fn update_share(
    call: &mut Call,
    session: &Session,
    b: WindowBody,
) -> Result<Reply<ShareView>, ApiError> {
    let id = project_id(call)?;
    let account: AccountId = call.id(1, ErrorCode::ShareNotFound, "share with account")?;
    let now = call.now;
    let cmd = Command::UpdateShare {
        project_id: id,
        account_id: account,
        starts_at: b.starts_at,
        expires_at: b.expires_at,
    };
    command(call, session, &cmd, |outcome, state| {
        share_answer(outcome, state, now)
    })
    .await
}

/// `DELETE /v1/projects/{projectId}/shares/{accountId}`
pub async fn unshare(call: &mut Call, session: &Session) -> Result<Reply<NoContent>, ApiError> {
    let id = project_id(call)?;
    let account: AccountId = call.id(1, ErrorCode::ShareNotFound, "share with account")?;
    let cmd = Command::UnshareProject {
        project_id: id,
        account_id: account,
    };
    command(call, session, &cmd, |_, _| Ok(NoContent)).await
}

/// The body of a license assignment.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignBody {
    /// One of the caller's licenses.
    license_key: LicenseKey,
}

/// `POST /v1/projects/{projectId}/licenses`
pub async fn assign(
    call: &mut Call,
    session: &Session,
    b: AssignBody,
) -> Result<Reply<License>, ApiError> {
    let id = project_id(call)?;
    let cmd = Command::AssignLicense {
        project_id: id,
        license_key: b.license_key,
    };
    command(call, session, &cmd, |outcome, _| {
        written::<model::License>(outcome)
    })
    .await
}

/// `GET /v1/projects/{projectId}/licenses`: the owner sees all, a recipient its own.
pub async fn licenses(
    call: &mut Call,
    session: &Session,
) -> Result<Reply<ProjectLicensePage>, ApiError> {
    let id = project_id(call)?;
    let me = &session.sub;
    let now = call.now;
    // The caller's role and the page are read together; a stranger gets nothing of the page.
    page(
        call,
        session,
        |after, limit| plans::project_licenses_page(me, &id, after, limit),
        |s, keys| match project_role(s, me, &id, now) {
            None => Err(ApiError::rules(
                ErrorCode::ProjectNotFound,
                format!("project `{id}` does not exist or is not visible to you"),
            )),
            Some(_) => each(|s, k| lists::project_license_item(s, me, &id, now, k))(s, keys),
        },
    )
    .await
}

/// `DELETE /v1/projects/{projectId}/licenses/{licenseKey}`
pub async fn unassign(call: &mut Call, session: &Session) -> Result<Reply<NoContent>, ApiError> {
    let id = project_id(call)?;
    let key: LicenseKey = call.id(1, ErrorCode::LicenseNotOnProject, "license")?;
    let cmd = Command::UnassignLicense {
        project_id: id,
        license_key: key,
    };
    command(call, session, &cmd, |_, _| Ok(NoContent)).await
}

/// `POST /v1/orders/{orderId}/transfer` (partners only).
pub async fn transfer_order(
    call: &mut Call,
    session: &Session,
    b: TransferBody,
) -> Result<Reply<OrderTransferred>, ApiError> {
    let id: OrderId = call.id(0, ErrorCode::OrderNotFound, "order")?;
    let cmd = Command::TransferOrder {
        order_id: id,
        to_email: b.to_email,
    };
    command(call, session, &cmd, |outcome, _| {
        outcome
            .events
            .iter()
            .find_map(|e| match &e.payload {
                EventPayload::OrderTransferred {
                    order_id,
                    from_id,
                    to_id,
                    billing_account_id,
                    billing,
                    license_keys,
                    unassigned_license_keys,
                } => Some(OrderTransferred {
                    order_id: order_id.clone(),
                    from_id: from_id.clone(),
                    to_id: to_id.clone(),
                    billing_account_id: billing_account_id.clone(),
                    recurring: billing.is_recurring(),
                    license_keys: license_keys.clone(),
                    unassigned_license_keys: unassigned_license_keys.clone(),
                }),
                _ => None,
            })
            .ok_or_else(|| ApiError::internal("no transfer event"))
    })
    .await
}

/// `POST /v1/projects/{projectId}/transfer`
pub async fn transfer_project(
    call: &mut Call,
    session: &Session,
    b: TransferBody,
) -> Result<Reply<TransferAnswer>, ApiError> {
    let id = project_id(call)?;
    let cmd = Command::RequestProjectTransfer {
        project_id: id,
        to_email: b.to_email,
    };
    command(call, session, &cmd, |outcome, _| {
        super::transfers::respond(outcome)
    })
    .await
}
