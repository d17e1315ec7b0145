//! License and project transfer (seed 002) over HTTP.

use super::{Call, command, each, page};
use crate::auth::Session;
use crate::http::{ApiError, Reply};
use crate::views::{TransferAnswer, TransferPage};
use entitle_rules::ids::{LicenseKey, TransferId};
use entitle_rules::list as lists;
use entitle_rules::{Change, Command, ErrorCode, Outcome, plans};
use schemars::JsonSchema;
use serde::Deserialize;

/// Answers with the transfer a command wrote.
pub fn respond(outcome: &Outcome) -> Result<TransferAnswer, ApiError> {
    let transfer = outcome
        .changes
        .iter()
        .rev()
        .find_map(|c| match c {
            Change::PutTransfer(t) => Some(t.clone()),
            _ => None,
        })
        .ok_or_else(|| ApiError::internal("no transfer written"))?;
    Ok(TransferAnswer {
        transfer_id: transfer.id.clone(),
        transfer,
    })
}

/// The body of every transfer request.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferBody {
    /// The address of the account that receives it.
    pub to_email: String,
}

/// `POST /v1/licenses/{licenseKey}/transfer`
pub async fn request_license(
    call: &mut Call,
    session: &Session,
    b: TransferBody,
) -> Result<Reply<TransferAnswer>, ApiError> {
    let key: LicenseKey = call.id(0, ErrorCode::LicenseNotFound, "license")?;
    let cmd = Command::RequestLicenseTransfer {
        license_key: key,
        to_email: b.to_email,
    };
    command(call, session, &cmd, |outcome, _| respond(outcome)).await
}

/// `GET /v1/transfers`: transfers the caller requested, sends or receives.
pub async fn list(call: &mut Call, session: &Session) -> Result<Reply<TransferPage>, ApiError> {
    let me = &session.sub;
    let now = call.now;
    page(
        call,
        session,
        |after, limit| plans::transfers_page(me, after, limit),
        each(|s, k| lists::transfer_item(s, me, now, k)),
    )
    .await
}

/// `POST /v1/transfers/{transferId}/accept`: only now does anything move.
pub async fn accept(call: &mut Call, session: &Session) -> Result<Reply<TransferAnswer>, ApiError> {
    let id: TransferId = call.id(0, ErrorCode::TransferNotFound, "transfer")?;
    let cmd = Command::AcceptTransfer { transfer_id: id };
    command(call, session, &cmd, |outcome, _| respond(outcome)).await
}

/// `POST /v1/transfers/{transferId}/cancel`
pub async fn cancel(call: &mut Call, session: &Session) -> Result<Reply<TransferAnswer>, ApiError> {
    let id: TransferId = call.id(0, ErrorCode::TransferNotFound, "transfer")?;
    let cmd = Command::CancelTransfer { transfer_id: id };
    command(call, session, &cmd, |outcome, _| respond(outcome)).await
}
