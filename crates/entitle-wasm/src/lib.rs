//! # entitle-wasm
//!
//! The rules of `entitle-rules`, exported to JavaScript through wasm-bindgen. Every export
//! decodes its arguments, calls the rules, and encodes the answer: there is no logic here.
//! Errors are thrown as `Error` objects carrying `code` (the stable code) and `status`
//! (the HTTP status the worker answers with for the same error).

use entitle_rules::access;
use entitle_rules::ids::{AccountId, ContractId, ProjectId};
use entitle_rules::{Action, CommandError, Resource, State, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("../types.d.ts");

fn error(code: &str, status: u16, message: &str) -> JsValue {
    let error = js_sys_error(message);
    let _ = set(&error, "code", &JsValue::from_str(code));
    let _ = set(&error, "status", &JsValue::from(status));
    error
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Error)]
    fn js_sys_error(message: &str) -> JsValue;
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Reflect, js_name = set, catch)]
    fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<bool, JsValue>;
}

/// Decodes through JSON text (the engine's own `JSON.stringify`, then serde_json), so the
/// rules' serde attributes hold exactly as over HTTP: unknown fields are refused here too.
fn decode<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let invalid = |detail: &str| error("invalid_input", 400, &format!("{what}: {detail}"));
    let text = json_stringify(&value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| invalid("not a JSON value"))?;
    serde_json::from_str(&text).map_err(|e| invalid(&e.to_string()))
}

fn encode<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error("encoding_failed", 500, &e.to_string()))
}

fn id<T: TryFrom<String>>(value: String, what: &str) -> Result<T, JsValue> {
    T::try_from(value)
        .map_err(|_| error("invalid_input", 400, &format!("{what} is not a valid id")))
}

fn time(value: &str) -> Result<Timestamp, JsValue> {
    Timestamp::parse(value).map_err(|e| error("invalid_input", 400, &e.to_string()))
}

fn command_error(e: &CommandError) -> JsValue {
    error(e.code(), e.kind().status(), &e.detail)
}

fn view<T: Serialize>(result: Result<T, CommandError>) -> Result<JsValue, JsValue> {
    encode(&result.map_err(|e| command_error(&e))?)
}

/// Decides whether `accountId` may do `action` to `resource` in `state` at `now`.
#[wasm_bindgen(unchecked_return_type = "Decision")]
pub fn authorize(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
    #[wasm_bindgen(unchecked_param_type = "ActionName")] action: String,
    #[wasm_bindgen(unchecked_param_type = "Resource")] resource: JsValue,
    now: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let action: Action = action
        .parse()
        .map_err(|e: entitle_rules::action::UnknownAction| {
            error("unknown_action", 422, &e.to_string())
        })?;
    let resource: Resource = decode(resource, "resource")?;
    let decision = entitle_rules::authorize(
        &state,
        &id(account_id, "accountId")?,
        action,
        &resource,
        time(&now)?,
    )
    .map_err(|e| error(e.code(), 422, &e.to_string()))?;
    encode(&decision)
}

/// Runs an account's command; throws its error with `code` and `status`.
#[wasm_bindgen(unchecked_return_type = "Outcome")]
pub fn execute(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Command")] command: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let outcome = entitle_rules::execute(
        &state,
        &decode(command, "command")?,
        &decode(context, "context")?,
    )
    .map_err(|e| command_error(&e))?;
    encode(&outcome)
}

/// Runs a store's command (imports, device state) at `now`.
#[wasm_bindgen(js_name = executeStore, unchecked_return_type = "Outcome")]
pub fn execute_store(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(unchecked_param_type = "StoreCommand")] command: JsValue,
    now: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let outcome = entitle_rules::execute_store(&state, &decode(command, "command")?, time(&now)?)
        .map_err(|e| command_error(&e))?;
    encode(&outcome)
}

/// Applies an outcome's changes to a state and returns the new state.
#[wasm_bindgen(js_name = applyChanges, unchecked_return_type = "State")]
pub fn apply_changes(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Change[]")] changes: JsValue,
) -> Result<JsValue, JsValue> {
    let mut state: State = decode(state, "state")?;
    let changes: Vec<entitle_rules::Change> = decode(changes, "changes")?;
    state.apply_all(&changes);
    encode(&state)
}

/// The records `accountId` may see: what `GET /v1/me/access` returns as `state`.
#[wasm_bindgen(js_name = accessSnapshot, unchecked_return_type = "State")]
pub fn access_snapshot(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    encode(&entitle_rules::access_snapshot(
        &state,
        &id(account_id, "accountId")?,
    ))
}

/// The projects the account owns or that are shared with it.
#[wasm_bindgen(unchecked_return_type = "ProjectView[]")]
pub fn projects(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    encode(&access::projects_for(&state, &id(account_id, "accountId")?))
}

/// The licenses on a project the account may see; throws `project_not_found` otherwise.
#[wasm_bindgen(js_name = projectLicenses, unchecked_return_type = "License[]")]
pub fn project_licenses(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
    #[wasm_bindgen(js_name = projectId)] project_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let project: ProjectId = id(project_id, "projectId")?;
    view(access::project_licenses(
        &state,
        &id(account_id, "accountId")?,
        &project,
    ))
}

/// The licenses the account owns or created (as a reseller).
#[wasm_bindgen(unchecked_return_type = "License[]")]
pub fn licenses(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    encode(&access::licenses_for(&state, &id(account_id, "accountId")?))
}

/// The contracts the account owns or is a delegate on.
#[wasm_bindgen(unchecked_return_type = "ContractView[]")]
pub fn contracts(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    encode(&access::contracts_for(
        &state,
        &id(account_id, "accountId")?,
    ))
}

/// One contract as the account sees it; throws `contract_not_found` otherwise.
#[wasm_bindgen(unchecked_return_type = "ContractView")]
pub fn contract(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
    #[wasm_bindgen(js_name = contractId)] contract_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let contract: ContractId = id(contract_id, "contractId")?;
    view(access::contract_view(
        &state,
        &id(account_id, "accountId")?,
        &contract,
    ))
}

/// The contract's tickets the account may read; throws `contract_not_found` otherwise.
#[wasm_bindgen(unchecked_return_type = "Ticket[]")]
pub fn tickets(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
    #[wasm_bindgen(js_name = contractId)] contract_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let contract: ContractId = id(contract_id, "contractId")?;
    view(access::tickets_for(
        &state,
        &id(account_id, "accountId")?,
        &contract,
    ))
}

/// The contract's delegates and invitations, for its owner; throws for anyone else.
#[wasm_bindgen(unchecked_return_type = "DelegatesView")]
pub fn delegates(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
    #[wasm_bindgen(js_name = contractId)] contract_id: String,
    now: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let contract: ContractId = id(contract_id, "contractId")?;
    view(access::delegates_for(
        &state,
        &id(account_id, "accountId")?,
        &contract,
        time(&now)?,
    ))
}

/// The transfers the account requested, sends or receives, with their status at `now`.
#[wasm_bindgen(unchecked_return_type = "TransferView[]")]
pub fn transfers(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
    now: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    encode(&access::transfers_for(
        &state,
        &id(account_id, "accountId")?,
        time(&now)?,
    ))
}

/// The customers a reseller manages.
#[wasm_bindgen(unchecked_return_type = "Account[]")]
pub fn customers(
    #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
    #[wasm_bindgen(js_name = accountId)] account_id: String,
) -> Result<JsValue, JsValue> {
    let state: State = decode(state, "state")?;
    let reseller: AccountId = id(account_id, "accountId")?;
    encode(&entitle_rules::reseller::managed_customers(
        &state, &reseller,
    ))
}

/// An access snapshot loaded once, for many fast checks: the state is decoded a single time
/// and each check passes only short strings across the boundary.
#[wasm_bindgen]
pub struct Access {
    state: State,
    account_id: AccountId,
}

#[wasm_bindgen]
impl Access {
    /// Loads the `state` of `GET /v1/me/access` for `accountId`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "State")] state: JsValue,
        #[wasm_bindgen(js_name = accountId)] account_id: String,
    ) -> Result<Access, JsValue> {
        Ok(Access {
            state: decode(state, "state")?,
            account_id: id(account_id, "accountId")?,
        })
    }

    /// Whether the action is allowed: the same answer as `authorize`, as a boolean.
    pub fn can(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ActionName")] action: &str,
        #[wasm_bindgen(js_name = resourceType, unchecked_param_type = "ResourceType")]
        resource_type: &str,
        #[wasm_bindgen(js_name = resourceId)] resource_id: String,
        now: &str,
    ) -> Result<bool, JsValue> {
        Ok(self
            .decide(action, resource_type, resource_id, now)?
            .allowed)
    }

    /// The full decision, with reasons.
    #[wasm_bindgen(js_name = decide, unchecked_return_type = "Decision")]
    pub fn decide_js(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ActionName")] action: &str,
        #[wasm_bindgen(js_name = resourceType, unchecked_param_type = "ResourceType")]
        resource_type: &str,
        #[wasm_bindgen(js_name = resourceId)] resource_id: String,
        now: &str,
    ) -> Result<JsValue, JsValue> {
        encode(&self.decide(action, resource_type, resource_id, now)?)
    }
}

impl Access {
    fn decide(
        &self,
        action: &str,
        resource_type: &str,
        resource_id: String,
        now: &str,
    ) -> Result<entitle_rules::Decision, JsValue> {
        let action: Action =
            action
                .parse()
                .map_err(|e: entitle_rules::action::UnknownAction| {
                    error("unknown_action", 422, &e.to_string())
                })?;
        let resource_type = decode(JsValue::from_str(resource_type), "resourceType")?;
        let resource = Resource {
            resource_type,
            id: resource_id,
        };
        entitle_rules::authorize(&self.state, &self.account_id, action, &resource, time(now)?)
            .map_err(|e| error(e.code(), 422, &e.to_string()))
    }
}
