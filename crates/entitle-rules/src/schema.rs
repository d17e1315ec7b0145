//! JSON Schemas of the types whose serde form is written by hand (ids, instants, addresses,
//! reason codes and action names), for the worker's generated OpenAPI document. The derived
//! types get theirs from `#[derive(JsonSchema)]` beside their serde attributes.

use crate::action::Action;
use crate::decision::Reason;
use crate::ids::{
    AccountId, CompanyId, ContractId, InvitationId, LicenseKey, OrderId, ProductId, ProjectId,
    StoreId, TicketId, TransferId,
};
use crate::text::Email;
use crate::time::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

macro_rules! id_schemas {
    ($($name:ident),*) => {$(
        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "minLength": 1,
                    "maxLength": crate::ids::MAX_ID_LEN,
                    "pattern": crate::ids::ID_PATTERN,
                })
            }
        }
    )*};
}

id_schemas!(
    StoreId,
    AccountId,
    CompanyId,
    ProductId,
    LicenseKey,
    OrderId,
    ProjectId,
    ContractId,
    InvitationId,
    TicketId,
    TransferId
);

impl JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            // The rules read instants from 1970 to 9999; the pattern keeps a day's margin.
            "pattern": "^(197[1-9]|19[89][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9])-",
            "description": "An RFC 3339 instant, such as `2026-11-21T09:30:00.000Z`; answers are in UTC with milliseconds.",
        })
    }
}

impl JsonSchema for Email {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Email")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "description": "An e-mail address. Where one comes in (a command's argument, an imported account) it is trimmed and lowercased; records hold it so.",
        })
    }
}

impl JsonSchema for Reason {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ReasonCode")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        json_schema!({
            "type": "string",
            "enum": codes,
            "description": "Why an action is allowed or denied.",
        })
    }
}

impl JsonSchema for Action {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ActionName")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        json_schema!({
            "type": "string",
            "enum": names,
            "description": "Something an account may or may not do to a resource, `<resource>.<verb>`.",
        })
    }
}
