//! What every command runs with and returns, and the checks they share: the [`Context`] (who
//! asks, when, fresh random values), the [`Outcome`] (changes and events), and the helpers that
//! turn a decision or a missing record into a [`CommandError`]. The command modules
//! (`projects`, `orders`, `delegates`, `reseller`, `transfer`, `imports`) depend on this module
//! and `command` dispatches to them, so no module depends back on `command`.

use crate::action::{Action, Resource, ResourceType};
use crate::decision::{Decision, Reason, authorize};
use crate::error::{CommandError, ErrorCode};
use crate::event::{Event, EventPayload};
use crate::ids::AccountId;
use crate::model::Account;
use crate::state::{Change, State};
use crate::text::{Email, NameProblem};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What a command is run with: who asks, when, and fresh random values for new ids and tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Context {
    /// The acting account.
    pub actor: AccountId,
    /// The current time.
    pub now: Timestamp,
    /// Unpredictable values (at least 128 bits each, URL-safe), consumed in order.
    #[serde(default)]
    pub fresh: Vec<String>,
}

impl Context {
    /// An event of this command: at its time, by its actor.
    pub(crate) fn event(&self, payload: EventPayload) -> Event {
        Event {
            at: self.now,
            actor_id: Some(self.actor.clone()),
            payload,
        }
    }
}

/// An event of a store command: at `now`, by no account.
pub(crate) fn store_event(now: Timestamp, payload: EventPayload) -> Event {
    Event {
        at: now,
        actor_id: None,
        payload,
    }
}

/// What a command decided: the changes to write together, and the events to record with them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// Records to write or remove, all in one transaction.
    pub changes: Vec<Change>,
    /// Events to append in the same transaction.
    pub events: Vec<Event>,
}

impl Outcome {
    pub(crate) fn change(&mut self, change: Change) {
        self.changes.push(change);
    }

    pub(crate) fn event(&mut self, event: Event) {
        self.events.push(event);
    }
}

/// Hands out the context's fresh values.
pub(crate) struct Fresh<'a> {
    values: std::slice::Iter<'a, String>,
}

impl<'a> Fresh<'a> {
    pub(crate) fn new(values: &'a [String]) -> Self {
        Self {
            values: values.iter(),
        }
    }

    /// The next fresh value.
    pub(crate) fn next(&mut self) -> Result<String, CommandError> {
        self.values.next().cloned().ok_or_else(|| {
            CommandError::new(
                ErrorCode::FreshValuesExhausted,
                "the command needs more fresh values than were given",
            )
        })
    }

    /// A new id: `prefix` and a fresh value.
    pub(crate) fn id<T: TryFrom<String>>(&mut self, prefix: &str) -> Result<T, CommandError> {
        let value = self.next()?;
        T::try_from(format!("{prefix}_{value}")).map_err(|_| {
            CommandError::new(
                ErrorCode::FreshValuesExhausted,
                "a fresh value is not usable in an id",
            )
        })
    }
}

/// The actor's account, or `unknown_actor`.
pub(crate) fn actor_account<'a>(
    state: &'a State,
    ctx: &Context,
) -> Result<&'a Account, CommandError> {
    state.account(&ctx.actor).ok_or_else(|| {
        CommandError::new(
            ErrorCode::UnknownActor,
            format!("account `{}` is unknown to the store", ctx.actor),
        )
    })
}

/// Turns a denial into an error.
pub(crate) fn require(decision: Decision) -> Result<(), CommandError> {
    match decision.denial() {
        Some(reason) => Err(CommandError::denied(reason)),
        None => Ok(()),
    }
}

/// Parses an e-mail address given to a command.
pub(crate) fn email(value: &str) -> Result<Email, CommandError> {
    Email::new(value).map_err(|e| CommandError::new(ErrorCode::InvalidEmail, e.to_string()))
}

/// Checks a human-readable name given to a command or an import (`what`, such as "a project
/// name"): `invalid_name` when it is refused ([`crate::text::checked_name`], the one rule).
pub(crate) fn name(value: &str, max: usize, what: &str) -> Result<String, CommandError> {
    crate::text::checked_name(value, max).map_err(|problem| name_error(problem, max, what))
}

/// The `invalid_name` error for a refused name.
pub(crate) fn name_error(problem: NameProblem, max: usize, what: &str) -> CommandError {
    let detail = match problem {
        NameProblem::Length => format!("{what} needs 1 to {max} characters"),
        NameProblem::Invisible => format!(
            "{what} holds a character that does not show (a control, zero-width, bidirectional or filler character), or nothing visible"
        ),
    };
    CommandError::new(ErrorCode::InvalidName, detail)
}

/// The `not_found` error for a resource the actor may not see.
pub(crate) fn not_found(code: ErrorCode, what: &str, id: &str) -> CommandError {
    CommandError::new(
        code,
        format!("{what} `{id}` does not exist or is not visible to you"),
    )
}

/// Checks that the actor may do `action` to the resource `id`; an invisible resource is the
/// resource type's `*_not_found` error.
pub(crate) fn permit(
    state: &State,
    ctx: &Context,
    action: Action,
    id: &str,
) -> Result<(), CommandError> {
    let resource_type = action.resource_type();
    let resource = Resource {
        resource_type,
        id: id.to_owned(),
    };
    let decision = authorize(state, &ctx.actor, action, &resource, ctx.now)
        .map_err(|e| CommandError::new(ErrorCode::InvalidInput, e.to_string()))?;
    match decision.denial() {
        Some(Reason::NotFound) => Err(match resource_type {
            ResourceType::Project => not_found(ErrorCode::ProjectNotFound, "project", id),
            ResourceType::License => not_found(ErrorCode::LicenseNotFound, "license", id),
            ResourceType::Order => not_found(ErrorCode::OrderNotFound, "order", id),
            ResourceType::Contract => not_found(ErrorCode::ContractNotFound, "contract", id),
            ResourceType::Account => not_found(ErrorCode::AccountNotFound, "account", id),
        }),
        _ => require(decision),
    }
}
