//! Project sharing and order transfer (seed 000) over HTTP.

use super::{Call, command, page, read, written};
use crate::auth::Session;
use crate::http::{ApiError, body, json, no_content};
use entitle_rules::access::project_view;
use entitle_rules::decision::project_role;
use entitle_rules::ids::{AccountId, LicenseKey, OrderId, ProjectId};
use entitle_rules::list as lists;
use entitle_rules::model::ProjectKind;
use entitle_rules::{Change, Command, EventPayload};
use serde::Deserialize;
use serde_json::json;
use worker::Response;

fn project_id(call: &Call) -> Result<ProjectId, ApiError> {
    call.id(0, "project_not_found", "project")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    #[serde(default)]
    kind: Option<ProjectKind>,
}

/// `POST /v1/projects`
pub async fn create(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let b: CreateBody = body(&mut call.req).await?;
    let (outcome, state) = command(
        call,
        session,
        &Command::CreateProject {
            name: b.name,
            kind: b.kind,
        },
    )
    .await?;
    let project = written(&outcome, |c| match c {
        Change::PutProject(p) => Some(p),
        _ => None,
    })?;
    let view = project_view(&state, &session.sub, &project.id)
        .ok_or_else(|| ApiError::internal("new project not visible"))?;
    let mut value = serde_json::to_value(&view).map_err(ApiError::internal)?;
    if let Some(map) = value.as_object_mut() {
        map.insert("projectId".into(), json!(project.id));
    }
    json(201, &value)
}

/// `GET /v1/projects`
pub async fn list(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let me = &session.sub;
    page(call, session, "projects", &lists::projects(me), |s, k| {
        lists::project_item(s, me, k)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareBody {
    email: String,
}

/// `POST /v1/projects/{projectId}/shares`: the project appears for the recipient at once.
pub async fn share(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = project_id(call)?;
    let b: ShareBody = body(&mut call.req).await?;
    let cmd = Command::ShareProject {
        project_id: id,
        email: b.email,
    };
    let (outcome, state) = command(call, session, &cmd).await?;
    let share = written(&outcome, |c| match c {
        Change::PutShare(s) => Some(s),
        _ => None,
    })?;
    let email = state.account(&share.account_id).map(|a| a.email.clone());
    json(
        201,
        &json!({ "projectId": share.project_id, "accountId": share.account_id, "email": email, "sharedAt": share.shared_at }),
    )
}

/// `DELETE /v1/projects/{projectId}/shares/{accountId}`
pub async fn unshare(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = project_id(call)?;
    let account: AccountId = call.id(1, "share_not_found", "share with account")?;
    command(
        call,
        session,
        &Command::UnshareProject {
            project_id: id,
            account_id: account,
        },
    )
    .await?;
    no_content()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AssignBody {
    license_key: LicenseKey,
}

/// `POST /v1/projects/{projectId}/licenses`
pub async fn assign(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = project_id(call)?;
    let b: AssignBody = body(&mut call.req).await?;
    let cmd = Command::AssignLicense {
        project_id: id,
        license_key: b.license_key,
    };
    let (outcome, _) = command(call, session, &cmd).await?;
    json(
        201,
        &written(&outcome, |c| match c {
            Change::PutLicense(l) => Some(l),
            _ => None,
        })?,
    )
}

/// `GET /v1/projects/{projectId}/licenses`: the owner sees all, a recipient its own.
pub async fn licenses(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = project_id(call)?;
    let me = &session.sub;
    if read(call, session, |s| project_role(s, me, &id))
        .await?
        .is_none()
    {
        return Err(ApiError::new(
            404,
            "project_not_found",
            format!("project `{id}` does not exist or is not visible to you"),
        ));
    }
    page(
        call,
        session,
        "licenses",
        &lists::project_licenses(&id),
        |s, k| lists::project_license_item(s, me, &id, k),
    )
    .await
}

/// `DELETE /v1/projects/{projectId}/licenses/{licenseKey}`
pub async fn unassign(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = project_id(call)?;
    let key: LicenseKey = call.id(1, "license_not_on_project", "license")?;
    command(
        call,
        session,
        &Command::UnassignLicense {
            project_id: id,
            license_key: key,
        },
    )
    .await?;
    no_content()
}

use super::transfers::TransferBody;

/// `POST /v1/orders/{orderId}/transfer` (partners only).
pub async fn transfer_order(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id: OrderId = call.id(0, "order_not_found", "order")?;
    let b: TransferBody = body(&mut call.req).await?;
    let cmd = Command::TransferOrder {
        order_id: id,
        to_email: b.to_email,
    };
    let (outcome, _) = command(call, session, &cmd).await?;
    let event = outcome
        .events
        .iter()
        .find(|e| matches!(e.payload, EventPayload::OrderTransferred { .. }))
        .ok_or_else(|| ApiError::internal("no transfer event"))?;
    let value = serde_json::to_value(&event.payload).map_err(ApiError::internal)?;
    json(
        200,
        value.get("payload").unwrap_or(&serde_json::Value::Null),
    )
}

/// `POST /v1/projects/{projectId}/transfer`
pub async fn transfer_project(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id = project_id(call)?;
    let b: TransferBody = body(&mut call.req).await?;
    let cmd = Command::RequestProjectTransfer {
        project_id: id,
        to_email: b.to_email,
    };
    let (outcome, _) = command(call, session, &cmd).await?;
    super::transfers::respond(&outcome, 201)
}
