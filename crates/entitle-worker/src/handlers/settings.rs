//! The store's settings: the origins its pages run on, for CORS (`crate::cors`).

use super::Call;
use crate::cors::{MAX_ORIGINS, origin_problem};
use crate::http::{ApiError, body, json};
use crate::store::settings::Settings;
use entitle_rules::ids::StoreId;
use serde::Deserialize;
use serde_json::json;
use worker::Response;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SettingsBody {
    allowed_origins: Vec<String>,
}

/// `GET /v1/settings`
pub async fn get(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let origins = Settings::new(call.env.d1("DB")?)
        .allowed_origins(store)
        .await?;
    json(200, &json!({ "allowedOrigins": origins }))
}

/// `PUT /v1/settings`: replaces the store's settings whole; nothing is written when one
/// origin is refused.
pub async fn put(call: &mut Call, store: &StoreId) -> Result<Response, ApiError> {
    let b: SettingsBody = body(&mut call.req).await?;
    if b.allowed_origins.len() > MAX_ORIGINS {
        return Err(ApiError::new(
            422,
            "too_many_origins",
            format!(
                "a store lists at most {MAX_ORIGINS} origins, not {}",
                b.allowed_origins.len()
            ),
        ));
    }
    for (index, origin) in b.allowed_origins.iter().enumerate() {
        let duplicate = b.allowed_origins.iter().take(index).any(|o| o == origin);
        let problem = origin_problem(origin)
            .or_else(|| duplicate.then(|| format!("`{origin}` is listed twice")));
        if let Some(problem) = problem {
            return Err(ApiError::new(
                422,
                "invalid_origin",
                format!("allowedOrigins[{index}]: {problem}"),
            ));
        }
    }
    Settings::new(call.env.d1("DB")?)
        .replace_allowed_origins(store, &b.allowed_origins, call.now)
        .await?;
    json(200, &json!({ "allowedOrigins": b.allowed_origins }))
}
