//! Order transfer: a partner moves a whole order to another account, with its licenses and,
//! for a recurring order, its fees. Projects stay where they are: a moved license leaves its
//! project.

use crate::action::Action;
use crate::context::{Context, Outcome, actor_account, email, not_found, permit};
use crate::error::{CommandError, ErrorCode};
use crate::event::EventPayload;
use crate::ids::OrderId;
use crate::model::Order;
use crate::state::{Change, State};

pub(crate) fn transfer(
    state: &State,
    ctx: &Context,
    out: &mut Outcome,
    order_id: &OrderId,
    to_email: &str,
) -> Result<(), CommandError> {
    let actor = actor_account(state, ctx)?;
    permit(state, ctx, Action::OrderTransfer, order_id.as_str())?;
    let order = state
        .order(order_id)
        .ok_or_else(|| not_found(ErrorCode::OrderNotFound, "order", order_id.as_str()))?;
    let address = email(to_email)?;
    if address == actor.email {
        return Err(CommandError::new(
            ErrorCode::CannotTransferToSelf,
            "the order is already yours",
        ));
    }
    let target = state.account_by_email(&address).ok_or_else(|| {
        CommandError::new(
            ErrorCode::RecipientNotFound,
            format!("`{address}` has no account at this store"),
        )
    })?;
    let mut moved = Vec::new();
    let mut unassigned = Vec::new();
    for key in &order.license_keys {
        let Some(license) = state.license(key).filter(|l| l.owner_id == order.owner_id) else {
            continue;
        };
        let mut next = license.clone();
        next.owner_id = target.id.clone();
        // Projects do not move with an order: a license on one leaves it.
        if next.assignment.take().is_some() {
            unassigned.push(key.clone());
        }
        moved.push(key.clone());
        out.change(Change::PutLicense(next));
    }
    let billing_account_id = if order.billing.is_recurring() {
        target.id.clone()
    } else {
        order.billing_account_id.clone()
    };
    out.change(Change::PutOrder(Order {
        owner_id: target.id.clone(),
        billing_account_id: billing_account_id.clone(),
        ..order.clone()
    }));
    out.event(ctx.event(EventPayload::OrderTransferred {
        order_id: order_id.clone(),
        from_id: order.owner_id.clone(),
        to_id: target.id.clone(),
        billing_account_id,
        billing: order.billing,
        license_keys: moved,
        unassigned_license_keys: unassigned,
    }));
    Ok(())
}
