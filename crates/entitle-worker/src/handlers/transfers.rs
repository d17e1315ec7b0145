//! License and project transfer (seed 002) over HTTP.

use super::{Call, command, page};
use crate::auth::Session;
use crate::http::{ApiError, body, json};
use entitle_rules::ids::{LicenseKey, TransferId};
use entitle_rules::list as lists;
use entitle_rules::{Change, Command, Outcome};
use serde::Deserialize;
use serde_json::json;
use worker::Response;

/// Answers with the transfer a command wrote.
pub fn respond(outcome: &Outcome, status: u16) -> Result<Response, ApiError> {
    let transfer = outcome
        .changes
        .iter()
        .rev()
        .find_map(|c| match c {
            Change::PutTransfer(t) => Some(t),
            _ => None,
        })
        .ok_or_else(|| ApiError::internal("no transfer written"))?;
    let mut value = serde_json::to_value(transfer).map_err(ApiError::internal)?;
    if let Some(map) = value.as_object_mut() {
        map.insert("transferId".into(), json!(transfer.id));
        map.remove("version");
    }
    json(status, &value)
}

/// The body of every transfer request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferBody {
    /// The target's address.
    pub to_email: String,
}

/// `POST /v1/licenses/{licenseKey}/transfer`
pub async fn request_license(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let key: LicenseKey = call.id(0, "license_not_found", "license")?;
    let b: TransferBody = body(&mut call.req).await?;
    let cmd = Command::RequestLicenseTransfer {
        license_key: key,
        to_email: b.to_email,
    };
    let (outcome, _) = command(call, session, &cmd).await?;
    respond(&outcome, 201)
}

/// `GET /v1/transfers`: transfers the caller requested, sends or receives.
pub async fn list(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let me = &session.sub;
    let now = call.now;
    page(call, session, "transfers", &lists::transfers(me), |s, k| {
        lists::transfer_item(s, me, now, k)
    })
    .await
}

/// `POST /v1/transfers/{transferId}/accept`: only now does anything move.
pub async fn accept(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id: TransferId = call.id(0, "transfer_not_found", "transfer")?;
    let (outcome, _) = command(
        call,
        session,
        &Command::AcceptTransfer {
            transfer_id: id.clone(),
        },
    )
    .await?;
    respond(&outcome, 200)
}

/// `POST /v1/transfers/{transferId}/cancel`
pub async fn cancel(call: &mut Call, session: &Session) -> Result<Response, ApiError> {
    let id: TransferId = call.id(0, "transfer_not_found", "transfer")?;
    let (outcome, _) = command(call, session, &Command::CancelTransfer { transfer_id: id }).await?;
    respond(&outcome, 200)
}
