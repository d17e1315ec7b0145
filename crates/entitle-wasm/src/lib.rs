//! # entitle-wasm
//!
//! The rules of `entitle-rules`, exported to JavaScript through wasm-bindgen. Every export
//! decodes its arguments, calls the rules, and encodes the answer: there is no logic here.
//!
//! This crate is the inner half of the npm package `@entitle/rules`. The outer half, the
//! hand-written modules in `js/`, checks the type of every JavaScript argument, turns objects
//! into JSON text and back, and throws the package's `EntitleError`, so no JavaScript value
//! of an unexpected type ever reaches the generated glue (where it would trap). Here, records
//! arrive as JSON text and leave as JSON text. In the check-only build, states and resources
//! are parsed by JavaScript's `JSON.parse` (module `value`) and read by
//! `entitle_rules::decode`, which reads the documented forms exactly as serde reads them (a test
//! holds it to that, field by field) without serde, whose derived visitors were most of the
//! module's size; answers are
//! written by serde_json. Errors are thrown as `Error` objects
//! carrying `code` (the stable code) and `status` (the HTTP status the worker answers with for
//! the same error); the JavaScript layer re-throws them as `EntitleError`.
//!
//! Without the `commands` feature the module answers questions only (decisions, loaded access
//! snapshots, list views): the command modules of the rules are never linked in. That is what
//! a storefront page loads. With it, `execute`, `executeStore` and `applyChanges` are exported
//! too, and `accessSnapshot`, which cuts an account's snapshot out of a whole state as the
//! worker does (the package's `full` entry).

use entitle_rules::access;
use entitle_rules::ids::{AccountId, ContractId, ProjectId};
use entitle_rules::{Action, Decision, Resource, ResourceType, State, Timestamp};
use serde::Serialize;
#[cfg(feature = "commands")]
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[cfg(not(feature = "commands"))]
mod value;

// talc instead of the default dlmalloc: a storefront page downloads every byte of the module.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Error)]
    fn js_error(message: &str) -> JsValue;
    #[wasm_bindgen(js_namespace = Reflect, js_name = set, catch)]
    fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<bool, JsValue>;
}

fn error(code: &str, status: u16, message: &str) -> JsValue {
    let error = js_error(message);
    let _ = set(&error, "code", &JsValue::from_str(code));
    let _ = set(&error, "status", &JsValue::from(status));
    error
}

fn invalid(what: &str, detail: &dyn std::fmt::Display) -> JsValue {
    error("invalid_input", 400, &format!("{what}: {detail}"))
}

/// JSON text JavaScript's parser could not read, or nested deeper than serde_json reads.
#[cfg(not(feature = "commands"))]
fn unreadable(what: &str, why: &value::Unreadable) -> JsValue {
    let why = match why {
        value::Unreadable::NotJson => "not JSON text",
        value::Unreadable::TooDeep => "arrays and objects nested more than 127 deep",
        value::Unreadable::LoneSurrogate => "a string holds a lone surrogate, not Unicode text",
    };
    error("invalid_input", 400, &format!("{what}: {why}"))
}

/// Decodes a state from JSON text as serde reads it: unknown fields are refused, as over HTTP.
/// The check-only build parses it with JavaScript's `JSON.parse` (see `value`) and reads it with
/// the rules' size-minded reader; the full build, which
/// links serde's visitors of every record anyway (for the changes of `applyChanges`), with
/// serde. `crates/entitle-wasm/tests/decode.rs` holds the two to the same reading.
fn state_of(text: &str) -> Result<State, JsValue> {
    #[cfg(not(feature = "commands"))]
    let state = value::parse(text)
        .map_err(|why| unreadable("state", &why))
        .and_then(|v| entitle_rules::decode::state_from_value(v).map_err(|e| invalid("state", &e)));
    #[cfg(feature = "commands")]
    let state = decode(text, "state");
    state
}

/// Decodes JSON text with the rules' serde attributes: unknown fields are refused, as over HTTP.
#[cfg(feature = "commands")]
fn decode<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, JsValue> {
    serde_json::from_str(text).map_err(|e| invalid(what, &e))
}

/// An answer as JSON text. The rules' answers are plain records (no maps with non-text keys,
/// no floats), which serde_json always writes; its error is not formatted, which keeps its
/// messages out of the module.
fn encode<T: Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|_| {
        error(
            "encoding_failed",
            500,
            "the answer could not be written as JSON",
        )
    })
}

fn id<'a, T: TryFrom<&'a str>>(value: &'a str, what: &str) -> Result<T, JsValue> {
    T::try_from(value)
        .map_err(|_| error("invalid_input", 400, &format!("{what} is not a valid id")))
}

/// An instant given as milliseconds since 1970 (the JavaScript layer checks and parses the text
/// with `parseTime`, so the module passes a number, not a string, across the boundary).
fn at(millis: f64) -> Timestamp {
    #[expect(clippy::cast_possible_truncation, reason = "saturates, as intended")]
    Timestamp::from_unix_millis(millis as i64)
}

fn time(value: &str) -> Result<Timestamp, JsValue> {
    Timestamp::parse(value).map_err(|e| error("invalid_input", 400, &e.to_string()))
}

fn action(name: &str) -> Result<Action, JsValue> {
    name.parse()
        .map_err(|e: entitle_rules::action::UnknownAction| {
            error("unknown_action", 422, &e.to_string())
        })
}

fn resource_type(name: &str) -> Result<ResourceType, JsValue> {
    #[cfg(not(feature = "commands"))]
    let resource_type = entitle_rules::decode::resource_type(name);
    #[cfg(feature = "commands")]
    let resource_type = {
        use serde::de::IntoDeserializer;
        let name: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            name.into_deserializer();
        <ResourceType as serde::Deserialize>::deserialize(name)
    };
    resource_type.map_err(|e| invalid("resourceType", &e))
}

/// A resource from JSON text, read as `state_of` reads states.
fn resource_of(text: &str) -> Result<Resource, JsValue> {
    #[cfg(not(feature = "commands"))]
    let resource = value::parse(text)
        .map_err(|why| unreadable("resource", &why))
        .and_then(|v| {
            entitle_rules::decode::resource_from_value(v).map_err(|e| invalid("resource", &e))
        });
    #[cfg(feature = "commands")]
    let resource = decode(text, "resource");
    resource
}

fn decide(
    state: &State,
    actor: &AccountId,
    action: Action,
    resource: &Resource,
    now: Timestamp,
) -> Result<Decision, JsValue> {
    entitle_rules::authorize(state, actor, action, resource, now)
        .map_err(|e| error(e.code(), 422, &e.to_string()))
}

fn view<T: Serialize>(result: Result<T, entitle_rules::CommandError>) -> Result<String, JsValue> {
    encode(&result.map_err(|e| error(e.code(), e.kind().status(), &e.detail))?)
}

/// Every action name, as JSON text, in the order `Access.check` numbers them.
#[wasm_bindgen(js_name = actionNames)]
pub fn action_names() -> String {
    let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    serde_json::to_string(&names).unwrap_or_default()
}

/// Milliseconds since 1970 of an RFC 3339 timestamp, as the rules read it.
#[wasm_bindgen(js_name = parseTime)]
pub fn parse_time(now: &str) -> Result<f64, JsValue> {
    // Timestamps lie between 1970 and 9999: far inside the integers an f64 holds exactly.
    #[expect(
        clippy::cast_precision_loss,
        reason = "at most 2.6e14, exact in an f64"
    )]
    Ok(time(now)?.unix_millis() as f64)
}

/// Decides whether `accountId` may do `action` to `resource` (JSON) in `state` (JSON) at `now`.
#[wasm_bindgen]
pub fn authorize(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    action_name: &str,
    resource: &str,
    now: &str,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    let action = action(action_name)?;
    let resource = resource_of(resource)?;
    let actor = id(account_id, "accountId")?;
    encode(&decide(&state, &actor, action, &resource, time(now)?)?)
}

/// The records `accountId` may see: what `GET /v1/me/access` returns as `state`.
///
/// Only in the full build: a page never holds a whole state to cut a snapshot from. It loads
/// the snapshot the worker cut (`GET /v1/me/access`) into an [`Access`] and asks that.
#[cfg(feature = "commands")]
#[wasm_bindgen(js_name = accessSnapshot)]
pub fn access_snapshot(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    now: &str,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    encode(&entitle_rules::access_snapshot(
        &state,
        &id(account_id, "accountId")?,
        time(now)?,
    ))
}

/// The grants of a whole `state` whose window the sweep is due for at `now` (the record of a
/// `sweepWindows` store command): what the worker's cron finds by its `due` column.
///
/// Only in the full build, for those who run the sweep on a whole state themselves.
#[cfg(feature = "commands")]
#[wasm_bindgen(js_name = dueWindows)]
pub fn due_windows(state: &str, now: &str) -> Result<String, JsValue> {
    let state = state_of(state)?;
    encode(&entitle_rules::sweep::due(&state, time(now)?))
}

/// The projects the account owns or that are shared with it at `now`.
#[wasm_bindgen]
pub fn projects(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    now: f64,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    encode(&access::projects_for(
        &state,
        &id(account_id, "accountId")?,
        at(now),
    ))
}

/// The licenses on a project the account may see; throws `project_not_found` otherwise.
#[wasm_bindgen(js_name = projectLicenses)]
pub fn project_licenses(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    #[wasm_bindgen(js_name = projectId)] project_id: &str,
    now: f64,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    let project: ProjectId = id(project_id, "projectId")?;
    view(access::project_licenses(
        &state,
        &id(account_id, "accountId")?,
        &project,
        at(now),
    ))
}

/// The licenses the account owns or created (as a reseller), as they stand at `now`.
#[wasm_bindgen]
pub fn licenses(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    now: f64,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    encode(&access::licenses_for(
        &state,
        &id(account_id, "accountId")?,
        at(now),
    ))
}

/// The contracts the account owns or is a delegate on at `now`.
#[wasm_bindgen]
pub fn contracts(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    now: f64,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    encode(&access::contracts_for(
        &state,
        &id(account_id, "accountId")?,
        at(now),
    ))
}

/// One contract as the account sees it; throws `contract_not_found` otherwise.
#[wasm_bindgen]
pub fn contract(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    #[wasm_bindgen(js_name = contractId)] contract_id: &str,
    now: f64,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    let contract: ContractId = id(contract_id, "contractId")?;
    view(access::contract_view(
        &state,
        &id(account_id, "accountId")?,
        &contract,
        at(now),
    ))
}

/// The contract's tickets the account may read; throws `contract_not_found` otherwise.
#[wasm_bindgen]
pub fn tickets(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    #[wasm_bindgen(js_name = contractId)] contract_id: &str,
    now: f64,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    let contract: ContractId = id(contract_id, "contractId")?;
    view(access::tickets_for(
        &state,
        &id(account_id, "accountId")?,
        &contract,
        at(now),
    ))
}

/// The contract's delegates and invitations, for its owner; throws for anyone else.
#[wasm_bindgen]
pub fn delegates(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    #[wasm_bindgen(js_name = contractId)] contract_id: &str,
    now: &str,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    let contract: ContractId = id(contract_id, "contractId")?;
    view(access::delegates_for(
        &state,
        &id(account_id, "accountId")?,
        &contract,
        time(now)?,
    ))
}

/// The transfers the account requested, sends or receives, with their status at `now`.
#[wasm_bindgen]
pub fn transfers(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
    now: &str,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    encode(&access::transfers_for(
        &state,
        &id(account_id, "accountId")?,
        time(now)?,
    ))
}

/// The customers a reseller manages.
#[wasm_bindgen]
pub fn customers(
    state: &str,
    #[wasm_bindgen(js_name = accountId)] account_id: &str,
) -> Result<String, JsValue> {
    let state = state_of(state)?;
    let reseller: AccountId = id(account_id, "accountId")?;
    encode(&entitle_rules::reseller::managed_customers(
        &state, &reseller,
    ))
}

/// An access snapshot loaded once, for many fast checks: the state is decoded a single time,
/// and the resources it holds are numbered so that a check passes three numbers.
#[wasm_bindgen]
pub struct Access {
    state: State,
    account_id: AccountId,
    resources: Vec<Resource>,
    valid_until: Option<Timestamp>,
}

fn resource(resource_type: ResourceType, id: &str) -> Resource {
    Resource {
        resource_type,
        id: id.to_owned(),
    }
}

#[wasm_bindgen]
impl Access {
    /// Loads the `state` (JSON) of `GET /v1/me/access` for `accountId`, taken at `taken`
    /// (milliseconds since 1970).
    #[wasm_bindgen(constructor)]
    pub fn new(
        state: &str,
        #[wasm_bindgen(js_name = accountId)] account_id: &str,
        taken: f64,
    ) -> Result<Access, JsValue> {
        let mut state = state_of(state)?;
        let valid_until = entitle_rules::window::valid_until(&state, at(taken));
        // Every check looks records up by key: found at once, wherever they sit.
        state.index();
        let account_id = id(account_id, "accountId")?;
        let resources = (state.contracts.iter())
            .map(|c| resource(ResourceType::Contract, c.id.as_str()))
            .chain((state.projects.iter()).map(|p| resource(ResourceType::Project, p.id.as_str())))
            .chain(
                (state.licenses.iter())
                    .map(|l| resource(ResourceType::License, l.license_key.as_str())),
            )
            .chain((state.orders.iter()).map(|o| resource(ResourceType::Order, o.id.as_str())))
            .chain((state.accounts.iter()).map(|a| resource(ResourceType::Account, a.id.as_str())))
            .collect();
        Ok(Access {
            state,
            account_id,
            resources,
            valid_until,
        })
    }

    /// When the answers on this snapshot next change (the earliest start or end of a window in
    /// it after the time it was taken), in milliseconds since 1970; -1 when none does.
    #[wasm_bindgen(js_name = validUntil)]
    pub fn valid_until(&self) -> f64 {
        // Timestamps lie between 1970 and 9999: far inside the integers an f64 holds exactly.
        #[expect(
            clippy::cast_precision_loss,
            reason = "at most 2.6e14, exact in an f64"
        )]
        self.valid_until.map_or(-1.0, |t| t.unix_millis() as f64)
    }

    /// The snapshot's resources as JSON `[[type, id], …]`; `check` takes their index.
    pub fn resources(&self) -> String {
        encode(&self.resources).unwrap_or_default()
    }

    /// The answer of the rules for the action numbered `action` (see `actionNames`) on the
    /// resource numbered `resource` (see `resources`) at `now` (milliseconds since 1970):
    /// 1 allowed, 0 denied, 2 the question is malformed (ask `decide` for the error).
    pub fn check(&self, action: u32, resource: u32, now: f64) -> u32 {
        let (Some(action), Some(resource)) = (
            Action::ALL.get(action as usize),
            self.resources.get(resource as usize),
        ) else {
            return 2;
        };
        #[expect(clippy::cast_possible_truncation, reason = "saturates, as intended")]
        let now = Timestamp::from_unix_millis(now as i64);
        match entitle_rules::authorize(&self.state, &self.account_id, *action, resource, now) {
            Ok(decision) => u32::from(decision.is_allowed()),
            Err(_) => 2,
        }
    }

    /// The full decision (JSON `{ allowed, reasons }`).
    pub fn decide(
        &self,
        action_name: &str,
        #[wasm_bindgen(js_name = resourceType)] type_name: &str,
        #[wasm_bindgen(js_name = resourceId)] resource_id: &str,
        now: &str,
    ) -> Result<String, JsValue> {
        let action = action(action_name)?;
        let resource = resource(resource_type(type_name)?, resource_id);
        encode(&decide(
            &self.state,
            &self.account_id,
            action,
            &resource,
            time(now)?,
        )?)
    }
}

#[cfg(feature = "commands")]
mod commands {
    //! Commands, for those who run them in JavaScript (the package's `full` entry).

    use super::{decode, encode, error, state_of, time};
    use entitle_rules::CommandError;
    use wasm_bindgen::prelude::*;

    fn command_error(e: &CommandError) -> JsValue {
        error(e.code(), e.kind().status(), &e.detail)
    }

    /// Runs an account's command; throws its error with `code` and `status`.
    #[wasm_bindgen]
    pub fn execute(state: &str, command: &str, context: &str) -> Result<String, JsValue> {
        let state = state_of(state)?;
        let outcome = entitle_rules::execute(
            &state,
            &decode(command, "command")?,
            &decode(context, "context")?,
        )
        .map_err(|e| command_error(&e))?;
        encode(&outcome)
    }

    /// Runs a store's command (imports, device state) at `now`.
    #[wasm_bindgen(js_name = executeStore)]
    pub fn execute_store(state: &str, command: &str, now: &str) -> Result<String, JsValue> {
        let state = state_of(state)?;
        let outcome =
            entitle_rules::execute_store(&state, &decode(command, "command")?, time(now)?)
                .map_err(|e| command_error(&e))?;
        encode(&outcome)
    }

    /// Applies an outcome's changes to a state and returns the new state.
    #[wasm_bindgen(js_name = applyChanges)]
    pub fn apply_changes(state: &str, changes: &str) -> Result<String, JsValue> {
        let mut state = state_of(state)?;
        let changes: Vec<entitle_rules::Change> = decode(changes, "changes")?;
        state.apply_all(&changes);
        encode(&state)
    }
}
